# Shared helpers of the unprivileged-use tests (70-74-unpriv-*.sh), sourced
# after ../lib.sh: a test user, a cgroup v2 subtree delegated to it the way
# systemd's Delegate=yes does (the directory and its cgroup.procs,
# cgroup.subtree_control and cgroup.threads chowned), and a listing of the
# whole cgroup tree to compare before and after.
#
# Where things live: the delegated subtree is $DG = <the test's own cgroup2
# group>/$UNIQ-dg, removed by lib.sh with the rest of the run's groups; the
# user's shell stands in its leaf $DG/sh, as a user's session does in
# user@UID.service/app.slice/*.scope. The user has an unused uid (no account,
# no process), so every process of that uid is one this test started: they
# are killed by pid (listed by uid) and the user removed at exit, also on
# failure (lib-users.sh).
# the test users: lib-users.sh; the user's readable profiles and helper
# below $TMPD (it makes $TMPD 755)
. "$(dirname "${BASH_SOURCE[0]}")/lib-users.sh"

# The cgroup2 mount, or "" (a v1-only host).
cg2_mount() { awk '$0 ~ / - cgroup2 / { print $5 }' /proc/self/mountinfo | head -1; }
# This process's own group on the cgroup2 mount.
cg2_self() { echo "$(cg2_mount)$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup | sed 's:/$::')"; }

# Chowns a group to the test user as systemd delegates it.
delegate() { # dir
	chown "$U_UID" "$1" "$1/cgroup.procs" "$1/cgroup.subtree_control" "$1/cgroup.threads"
}

# Makes $DG below the test's own cgroup2 group, enables the controllers $@
# (those the test's group hands down) for its children, delegates it, and
# makes the user's leaf $DG/sh (made by the user itself, so its own).
make_delegated() { # controllers...
	local c on=""
	DG="$(cg2_self)/$UNIQ-dg"
	mkdir "$DG" || fail "mkdir $DG"
	for c in "$@"; do
		grep -qw "$c" "$DG/cgroup.controllers" || skip "$c is not available below $(cg2_self)"
		on="$on +$c"
	done
	[ -z "$on" ] || echo "${on# }" >"$DG/cgroup.subtree_control" || fail "enabling $on in $DG"
	delegate "$DG"
	"$AS_USER" "$U_UID" mkdir "$DG/sh" || fail "the user cannot mkdir in its delegated $DG"
}

# Runs CMD as the user from the leaf $DG/sh (root moves the shell there, as
# systemd starts a user's session in its scope). Output in $OUT, status in $RC.
in_leaf() { # cmd...
	OUT=$(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$DG/sh" "$AS_USER" "$U_UID" "$@" 2>&1)
	RC=$?
}

# in_leaf, and checks the status.
expect_leaf() { # status cmd...
	local want=$1; shift
	in_leaf "$@"
	[ "$RC" -eq "$want" ] || fail "'$*' as $U_NAME exited $RC, expected $want; output: $OUT"
	ok "'$*' as $U_NAME exits $want"
}

# Every cgroup directory on the host with its owner, mode and the key files'
# contents (the tree an escape would change), sorted.
tree_listing() {
	local m
	for m in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		find "$m" -type d -printf '%p %u %m\n' 2>/dev/null
		find "$m" \( -name cgroup.subtree_control -o -name cpu.max -o -name memory.max -o \
			-name pids.max -o -name cpu.cfs_quota_us -o -name memory.limit_in_bytes \) \
			-exec grep -H '' {} + 2>/dev/null
	done | grep -v "/run-[0-9]" | LC_ALL=C sort
}

# Checks that the refusals wrote nothing: in the test guests (nothing else
# runs there) the whole tree is as listed before ($1); on a shared host,
# where other work makes groups meanwhile, nothing in any cgroup tree
# belongs to the test user (whatever the user made would).
tree_unchanged() { # listing-before
	local now mine="" m
	if [ -d /run/cgkit-vm ]; then
		now=$(tree_listing)
		[ "$1" = "$now" ] || fail "the cgroup tree changed: $(diff <(echo "$1") <(echo "$now") | head -20)"
		ok "the whole cgroup tree is as it was before"
	else
		for m in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
			mine="$mine$(find "$m" -user "$U_UID" 2>/dev/null)"
		done
		[ -z "$mine" ] || fail "the test user made: $mine"
		ok "nothing in the cgroup trees is the test user's (a shared host: the whole tree is compared in the guests)"
	fi
}
