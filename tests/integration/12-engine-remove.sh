#!/bin/bash
# What --remove takes, on this host's real cgroups: only the groups the
# profile describes and the ones cgkit marked (issue 9, items 2 and 9). An
# unknown sub-group makes it refuse and change nothing; --force takes it. A
# group left in a hierarchy the edited profile no longer needs goes too;
# parents that --apply had to make go with their last child, parents that
# were there stay. --apply and --remove of one profile from two shells at once
# take the launches' lock: no ENOENT/EBUSY noise, nothing left.
. "$(dirname "$0")/../lib.sh"

mode=$(cg_mode)
pids_self=$(self_dir pids)
[ -f "$pids_self/pids.max" ] || [ -d "$pids_self" ] || skip "no pids controller here"

# --- an unknown, configured tree below the group: refused, untouched ---
G=$UNIQ-tree
P=$(make_profile tree "name: $G" "parent: self" "pids: {max: 50}")
on_exit "$CGRUN --remove --force -p $P >/dev/null 2>&1"
mkdir -p "$pids_self/$G/x/y" || fail "cannot make $pids_self/$G/x/y"
expect_status 0 "$CGRUN" --apply -p "$P"
if cg_on_v2 pids; then
	# on v2 a grandchild has pids.max only once pids is enabled down to it
	echo +pids >"$pids_self/$G/cgroup.subtree_control" &&
		echo +pids >"$pids_self/$G/x/cgroup.subtree_control" ||
		fail "cannot enable pids below $pids_self/$G"
fi
echo 7 >"$pids_self/$G/x/y/pids.max" || fail "cannot limit $G/x/y"
expect_status 125 "$CGRUN" --remove -p "$P"
assert_contains "$OUT" "$pids_self/$G/x" "the refusal names the unknown group with its full path"
assert_contains "$OUT" "--force" "the refusal says how to take it anyway"
[ -d "$pids_self/$G/x/y" ] || fail "a refused remove removed $G/x/y"
assert_eq 7 "$(cat "$pids_self/$G/x/y/pids.max")" "the unknown group keeps its limit"
assert_eq 50 "$(cat "$pids_self/$G/pids.max")" "the group keeps its limit"
expect_status 0 "$CGRUN" --remove --force -p "$P"
[ -d "$pids_self/$G" ] && fail "--remove --force left $pids_self/$G"
ok "--force takes the unknown groups with the group"

# --- what the profile describes, and a launch's leaf, go without a word ---
P=$(make_profile kids "name: $G" "parent: self" "pids: {max: 50}" \
	"children:" "  - name: a" "    pids: {max: 10}")
expect_status 0 "$CGRUN" --apply -p "$P"
mkdir "$pids_self/$G/run-4242" "$pids_self/$G/a/run-4243" || fail "cannot make the leaves"
expect_status 0 "$CGRUN" --remove -p "$P"
[ -d "$pids_self/$G" ] && fail "--remove left $pids_self/$G"
ok "children and run-<pid> leaves are removed"

# --- an edited profile: a section dropped and applied again (v1: the
# dropped controller's hierarchy keeps a group of its own) ---
E=$UNIQ-edit
P1=$(make_profile edit1 "name: $E" "parent: self" "cpu: {max: 50%}" "pids: {max: 33}")
P2=$(make_profile edit2 "name: $E" "parent: self" "cpu: {max: 50%}")
on_exit "$CGRUN --remove --force -p $P1 >/dev/null 2>&1"
expect_status 0 "$CGRUN" --apply -p "$P1"
expect_status 0 "$CGRUN" --apply -p "$P2"
expect_status 0 "$CGRUN" --remove -p "$P2"
for c in cpu cpuacct pids; do
	d=$(self_dir $c)/$E
	[ -d "$d" ] && fail "--remove of the edited profile left $d"
done
ok "the dropped section's group is removed too ($mode)"

# --- parents that --apply made: marked, and gone with their last child ---
rel=${pids_self#$(cg_mount pids)}
rel=${rel#/}
base=${rel:+$rel/}
A=$UNIQ-anc
PA=$(make_profile anc1 "name: one" "parent: $base$A/mid" "pids: {max: 20}")
PB=$(make_profile anc2 "name: two" "parent: $base$A/mid" "pids: {max: 20}")
on_exit "$CGRUN --remove --force -p $PA >/dev/null 2>&1; $CGRUN --remove --force -p $PB >/dev/null 2>&1"
expect_status 0 "$CGRUN" --apply -p "$PA"
expect_status 0 "$CGRUN" --apply -p "$PB"
expect_status 0 "$CGRUN" --remove -p "$PA"
[ -d "$pids_self/$A/mid/two" ] || fail "removing one took the other's group"
[ -d "$pids_self/$A/mid" ] || fail "removing one took a parent still in use"
ok "a parent with another child stays"
expect_status 0 "$CGRUN" --remove -p "$PB"
[ -d "$pids_self/$A" ] && fail "the parents --apply made are left: $(find "$pids_self/$A")"
ok "the parents --apply made go with their last child"
# a parent that was there before is never removed
mkdir "$pids_self/$A" || fail "cannot make $pids_self/$A"
expect_status 0 "$CGRUN" --apply -p "$PA"
expect_status 0 "$CGRUN" --remove -p "$PA"
[ -d "$pids_self/$A/mid" ] && fail "the parent --apply made below $A is left"
[ -d "$pids_self/$A" ] || fail "--remove took a parent that was there before"
ok "a parent that was there before stays"
rmdir "$pids_self/$A"

# --- apply and remove from two shells at once: the lock ---
C=$UNIQ-race
PC=$(make_profile race "name: $C" "parent: self" "cpu: {max: 50%}" "memory: {max: 64M}" "pids: {max: 20}")
on_exit "$CGRUN --remove --force -p $PC >/dev/null 2>&1"
loop() { # out-file
	local i
	for i in $(seq 100); do
		"$CGRUN" --apply -p "$PC" >>"$1" 2>&1
		"$CGRUN" --remove -p "$PC" >>"$1" 2>&1
	done
}
loop "$TMPD/race1" &
p1=$!
track_pid $p1
loop "$TMPD/race2" &
p2=$!
track_pid $p2
wait $p1 $p2
noise=$(cat "$TMPD/race1" "$TMPD/race2")
assert_eq "" "$noise" "200 applies and removes from two shells at once print nothing"
left=$(test_group_dirs | grep -- "/$C\$" || true)
assert_eq "" "$left" "groups left after the race"
