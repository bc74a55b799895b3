#!/bin/bash
# cgrun as a normal user where it cannot work (issue 15): each refusal exits
# 125 with a message that says why and what would work, and leaves nothing
# behind (the whole cgroup tree is listed before and after).
# - a controller on a cgroup v1 mount (this v1 host, the hybrid guests):
#   cgroup v1 has no delegation;
# - on cgroup v2: a parent not delegated to the user; a controller the
#   delegated subtree lacks; the user's own group holding processes with a
#   parent that is not delegated (no sibling can be made: the message names
#   the leaf to start from); --pid of another user's process.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-unpriv.sh"

make_user
BEFORE=$(tree_listing)

# As the user, from wherever the test stands (not a delegated group).
as_user() { OUT=$("$AS_USER" "$U_UID" "$@" 2>&1); RC=$?; }
refused() { # what needle
	[ "$RC" -eq 125 ] || fail "$1: exited $RC, expected 125; output: $OUT"
	assert_contains "$OUT" "$2" "$1: exit 125 and the message"
	echo "    $OUT"
}

V1_CPU=false
[ -n "$(cg_mount cpu)" ] && ! cg_on_v2 cpu && V1_CPU=true
if $V1_CPU; then
	as_user "$CGRUN" --parent self --name "$UNIQ-v1" --cpu 20% -- true
	refused "cpu on cgroup v1" "cgroup v1 has no delegation: run as root, or on a cgroup v2 host ask for Delegate=yes"
	P=$(make_profile v1 "name: $UNIQ-v1" "parent: self" "memory: {max: 64M}")
	as_user "$CGRUN" --apply -p "$P"
	if ! cg_on_v2 memory; then refused "--apply of memory on cgroup v1" "cgroup v1 has no delegation"; fi
else
	echo "  (cpu is not on a cgroup v1 mount here: the v1 refusal is checked on v1 and hybrid hosts)"
fi

if [ -n "$(cg2_mount)" ] && cg_on_v2 pids && grep -qw pids "$(cg2_self)/cgroup.controllers" 2>/dev/null; then
	# a parent the user does not own
	mkdir "$(cg2_self)/$UNIQ-root"
	as_user "$CGRUN" --parent "${UNIQ}-root" --name "$UNIQ-x" --pids 10 -- true
	[ "$(cg2_self)" = "$(cg2_mount)" ] || echo "  (the test's group is not the root: --parent is relative to the root)"
	refused "a parent not delegated" "is not delegated to you (uid $U_UID)"

	# a subtree with pids only: cpu (or memory) not delegated
	make_delegated pids
	if cg_on_v2 cpu; then
		expect_leaf 125 "$CGRUN" --parent self --name "$UNIQ-c" --cpu 20% -- true
		assert_contains "$OUT" "cpu is not enabled for your subtree" "cpu not delegated: the message"
		assert_contains "$OUT" "ask your administrator for Delegate=cpu" "cpu not delegated: what to ask for"
	elif cg_on_v2 memory; then
		expect_leaf 125 "$CGRUN" --parent self --name "$UNIQ-c" --memory 64M -- true
		assert_contains "$OUT" "memory is not enabled for your subtree" "memory not delegated: the message"
	fi
	# pids is delegated: from the leaf, the group goes beside it
	expect_leaf 0 "$CGRUN" --parent self --name "$UNIQ-p" --pids 10 -- sh -c 'cat /proc/self/cgroup'
	assert_contains "$OUT" "/$UNIQ-dg/$UNIQ-p/run-" "pids alone works beside the user's leaf"

	# the user's own group holds processes and its parent is not delegated
	DN="$(cg2_self)/$UNIQ-dn"
	mkdir "$DN"
	delegate "$DN"
	OUT=$(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$DN" "$AS_USER" "$U_UID" \
		"$CGRUN" --parent self --name "$UNIQ-n" --pids 10 -- true 2>&1); RC=$?
	refused "own group with processes, parent not delegated" "your group $DN holds processes"
	assert_contains "$OUT" "start cgrun from a leaf of its own in your delegated subtree (mkdir $DN/shell" \
		"the message names the leaf to start from"

	# --pid of a process that is not the user's (root's, in the test's group)
	sleep 30 &
	sl=$!; track_pid $sl
	expect_leaf 125 "$CGRUN" --pid "$sl" --parent self --name "$UNIQ-q" --pids 10
	assert_contains "$OUT" "--pid $sl: the process is not yours" "--pid of root's process"
	assert_eq "$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)" "$(awk -F: '$1 == "0" { print $3 }' /proc/$sl/cgroup)" \
		"root's process stayed where it was"
	kill -KILL $sl; wait $sl 2>/dev/null
	rmdir "$DN" "$(cg2_self)/$UNIQ-root"
	rmdir "$DG/sh" "$DG"
else
	echo "  (no pids on the cgroup2 mount here: the v2 refusals are checked in the v2 and mixed guests)"
fi

tree_unchanged "$BEFORE"
