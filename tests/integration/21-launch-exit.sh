#!/bin/bash
# cgrun's exit status: the command's own, 128+N for a signal, 125 when cgrun
# itself failed (with a message saying what and why, nothing left behind),
# 126 when the command cannot be executed, 127 when it is not found.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

for ns in "[]" "[pid, mount]"; do
	P=$(make_profile a "name: $UNIQ-a" "parent: self" "pids: {max: 50}" "namespaces: $ns")
	echo " namespaces: $ns"
	expect_status 0 "$CGRUN" -p "$P" -- true
	expect_status 1 "$CGRUN" -p "$P" -- false
	expect_status 42 "$CGRUN" -p "$P" -- sh -c 'exit 42'
	expect_status 143 "$CGRUN" -p "$P" -- sh -c 'kill -TERM $$'
	expect_status 137 "$CGRUN" -p "$P" -- sh -c 'kill -KILL $$'
	expect_status 130 "$CGRUN" -p "$P" -- sh -c 'kill -INT $$'
	expect_status 127 "$CGRUN" -p "$P" -- "$UNIQ-no-such-command"
	assert_contains "$OUT" "cgrun: $UNIQ-no-such-command: command not found" "127 says not found"
	expect_status 127 "$CGRUN" -p "$P" -- /nonexistent/bin/x
	printf 'echo hi\n' >"$TMPD/noexec.sh"; chmod 644 "$TMPD/noexec.sh"
	expect_status 126 "$CGRUN" -p "$P" -- "$TMPD/noexec.sh"
	assert_contains "$OUT" "cannot execute: Permission denied" "126 says why"
	expect_status 126 "$CGRUN" -p "$P" -- "$TMPD"
	# the command's own 126/127 are passed on as they are
	expect_status 127 "$CGRUN" -p "$P" -- sh -c 'exit 127'
	assert_eq "" "$OUT" "no cgrun message when the command itself exits 127"
	assert_nothing_left "after each status"
done

# 125: cgrun's own failures, each with what and why.
B=$(make_profile bad "name: $UNIQ-bad" "parent: self" "cpu: {max: 20%, quota: 10ms}")
expect_status 125 "$CGRUN" -p "$B" -- true
assert_contains "$OUT" "bad.yaml:3:" "bad profile: file:line"
expect_status 125 "$CGRUN" -p "$TMPD/missing.yaml" -- true
assert_contains "$OUT" "missing.yaml" "missing profile named"
P=$(make_profile u "name: $UNIQ-u" "parent: self" "pids: {max: 50}" "user: no-such-user-$$")
expect_status 125 "$CGRUN" -p "$P" -- true
assert_contains "$OUT" "u.yaml:4:7: error: user: no user 'no-such-user-$$'" "unknown user: file:line:column"
expect_status 125 "$CGRUN" --parent self --pids 10 --user nobody:no-such-group -- true
assert_contains "$OUT" "--user: no group 'no-such-group'" "unknown group named"
expect_status 125 "$CGRUN" --parent self --pids 10 --workdir /no/such/dir -- true
assert_contains "$OUT" "workdir /no/such/dir: No such file or directory" "bad workdir named"
expect_status 125 "$CGRUN" --parent self --pids 10 --env NOEQUALS -- true
assert_contains "$OUT" "--env: 'NOEQUALS' is not NAME=VALUE" "bad --env named"
expect_status 125 "$CGRUN" --parent self --pids 10
assert_contains "$OUT" "no command to run" "no command"
P=$(make_profile r "name: $UNIQ-r" "parent: self" "namespaces: [mount]" "rootfs: $TMPD/no-such-root")
expect_status 125 "$CGRUN" -p "$P" -- true
assert_contains "$OUT" "r.yaml:4:9: error: rootfs: $TMPD/no-such-root: No such file or directory; give an existing directory" "missing rootfs: file:line:column, what is right"
assert_nothing_left "after cgrun's own failures"

# docs/cgrun.1 documents every option that --help lists, and the reverse.
help_opts=$("$CGRUN" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
man_opts=$(sed 's/\\-/-/g' "$TOP_DIR/docs/cgrun.1" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for o in $help_opts; do
	echo "$man_opts" | grep -qx -- "$o" || fail "docs/cgrun.1 does not document $o"
done
ok "docs/cgrun.1 documents every option of --help"
for o in $man_opts; do
	# other tools' options, named for comparison: docker run --init,
	# systemd-run --user --scope (cgrun(1), unprivileged use)
	case $o in --init | --scope) continue ;; esac
	echo "$help_opts" | grep -qx -- "$o" || fail "docs/cgrun.1 documents $o, which --help does not list"
done
ok "--help lists every option of docs/cgrun.1"
for s in 125 126 127 128+; do
	"$CGRUN" --help | grep -q -- "$s" || fail "--help does not give exit status $s"
	grep -q -- "^$s\|^.RI 128+" "$TOP_DIR/docs/cgrun.1" || fail "docs/cgrun.1 does not give exit status $s"
done
ok "exit statuses in both"

# A reader that goes away (cgrun ... | head) does not kill cgrun before it
# cleans up, and the command still gets SIGPIPE's default action.
P=$(make_profile pipe "name: $UNIQ-pipe" "parent: self" "pids: {max: 50}" "namespaces: [pid]")
first=$( ("$CGRUN" --stats -p "$P" -- sh -c 'echo one; sleep 0.5' 2>&1; echo "cgrun-rc=$?" >"$TMPD/rc") | head -1)
assert_eq one "$first" "the reader saw the first line and left"
assert_eq "cgrun-rc=0" "$(cat "$TMPD/rc")" "cgrun outlived the closed pipe and returned the command's status"
assert_nothing_left "after writing its stats into a closed pipe"
"$CGRUN" -p "$P" -- yes | head -1 >/dev/null
assert_eq 141 "${PIPESTATUS[0]}" "the command still dies of SIGPIPE (128+13)"
assert_nothing_left "after the command died of SIGPIPE"

# Messages that say what is wrong and where.
expect_status 125 "$CGRUN" --parent self --pids 10 --user 4294967295 -- true
assert_contains "$OUT" "--user: uid 4294967295 is out of range: give a uid from 0 to 4294967294" "a uid out of range is said to be one"
A=$(make_profile ap "name: $UNIQ-ap" "parent: self" "pids: {max: 50}")
for verb in --apply --plan --show --remove; do
	expect_status 125 "$CGRUN" $verb -p "$A" --parent 'a/../b'
	assert_contains "$OUT" "cgrun: --parent 'a/../b': the parent may not contain '..'" "$verb: a bad --parent is the option's error"
	assert_not_contains "$OUT" "ap.yaml" "$verb: and not the profile's"
done
expect_status 125 "$CGRUN" -p "$A" --parent 'a/../b' -- true
assert_contains "$OUT" "cgrun: --parent 'a/../b':" "a launch: the same"
P=$(make_profile rr "name: $UNIQ-rr" "parent: self" "pids: {max: 50}" "namespaces: [mount]" "rootfs: /")
expect_status 125 "$CGRUN" -p "$P" -- true
assert_contains "$OUT" "rr.yaml:5:9: error: rootfs: / is the host's own root: leave rootfs out" "rootfs: / is refused at its position"
assert_not_contains "$OUT" "Too many levels" "not with the kernel's loop error"
mkdir -p "$TMPD/layer"
P=$(make_profile ly "name: $UNIQ-ly" "parent: self" "pids: {max: 50}" "namespaces: [mount]" "layers: [$TMPD/layer]")
expect_status 125 env TMPDIR="$TMPD/no-such-tmp" "$CGRUN" -p "$P" -- true
assert_contains "$OUT" "temporary directory in TMPDIR=$TMPD/no-such-tmp: No such file or directory; set TMPDIR to a writable directory" "an unusable TMPDIR is named, with the reason"
assert_nothing_left "after the messages"
