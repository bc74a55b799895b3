# Test users, shared by the cgkitd tests (lib-cgkitd.sh) and the
# unprivileged-use tests (lib-unpriv.sh); sourced after ../lib.sh.
# A test user gets an unused uid (no account has it, no process runs as it),
# so every process of that uid is one this test started: at exit they are
# killed by pid (listed by uid) and the user removed, also on failure.
command -v setpriv >/dev/null || skip "setpriv (util-linux) needed to run as a test user"
chmod 755 "$TMPD"                # test users run programs copied below it

TEST_UIDS=()                     # the users made here
TEST_NAMES=()

# Makes a user with an unused uid (62000-64999), named PREFIX (default cgt)
# + the run's number + a letter; prints nothing; sets U_NAME and U_UID.
make_user() { # [prefix]
	local uid name i
	for i in $(seq 50); do
		uid=$((62000 + RANDOM % 3000))
		getent passwd "$uid" >/dev/null && continue
		[ -n "$(ps -o pid= -u "$uid" 2>/dev/null)" ] && continue
		break
	done
	name="${1:-cgt}${UNIQ##*-}$(printf '%x' $((${#TEST_UIDS[@]} + 10)))"
	name=${name:0:32}
	useradd -K UID_MAX=65000 -M -N -g users -s /bin/sh -d /nonexistent -u "$uid" "$name" ||
		fail "useradd $name (uid $uid)"
	on_exit "remove_user '$name' '$uid'"
	TEST_UIDS+=("$uid")
	TEST_NAMES+=("$name")
	U_NAME=$name
	U_UID=$uid
}

# Kills every process of a test user (all were started by this test). A
# library that can freeze groups defines thaw_user_groups NAME: a frozen
# group's members die only when thawed.
kill_user_procs() { # name uid
	local p i
	for i in 1 2 3 4 5; do
		p=$(ps -o pid= -u "$2" 2>/dev/null)
		[ -z "$p" ] && break
		# shellcheck disable=SC2086
		kill -KILL $p 2>/dev/null
		if declare -F thaw_user_groups >/dev/null; then thaw_user_groups "$1"; fi
		sleep 0.2
	done
}

# Every test user's processes (before removing groups they may be in).
kill_all_user_procs() {
	local i
	for i in "${!TEST_UIDS[@]}"; do kill_user_procs "${TEST_NAMES[$i]}" "${TEST_UIDS[$i]}"; done
}

# Kills the user's processes, removes cgrun's lock directory of that uid
# (/tmp/cgkit-UID, when cgrun ran as the user without XDG_RUNTIME_DIR) and
# the user.
remove_user() { # name uid
	kill_user_procs "$1" "$2"
	if [ -d "/tmp/cgkit-$2" ] && [ ! -L "/tmp/cgkit-$2" ] && [ "$(stat -c %u "/tmp/cgkit-$2")" = "$2" ]; then
		rm -rf "/tmp/cgkit-$2"
	fi
	userdel "$1" 2>/dev/null || userdel -f "$1" 2>/dev/null || echo "  warning: could not remove user $1" >&2
}

# Runs a command as a test user (uid, group users, no supplementary groups,
# no XDG_RUNTIME_DIR: root's is not theirs):
#   "$AS_USER" UID CMD...   A program, not a function, so that `"$AS_USER" ... &`
# gives in $! the pid of the command itself (it execs setpriv, which execs CMD).
AS_USER=$TMPD/as-user
cat >"$AS_USER" <<'EOT'
#!/bin/sh
u=$1
shift
# the system's programs: root's PATH may lead into root's home (pyenv)
export PATH=/usr/local/bin:/usr/bin:/bin
unset XDG_RUNTIME_DIR
exec setpriv --reuid="$u" --regid=100 --clear-groups -- "$@"
EOT
chmod 755 "$AS_USER"
