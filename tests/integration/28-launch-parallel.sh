#!/bin/bash
# 50 launches (20 in the guests) of one profile at once, starting and ending in any order, never
# fail on a race between one creating and another removing the group; the
# group goes when the last launch ends. --gc removes what a killed cgrun
# left, and never a group cgkit did not create or one still in use.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

# N launches at once: 50 on a real machine; 20 in the emulated qemu guests
# (/run/cgkit-vm), where 50 take most of two minutes of CI's budget and 20
# still race creating against removing on every layout.
N=50
[ -d /run/cgkit-vm ] && N=20
P=$(make_profile a "name: $UNIQ-a" "parent: self" "cpu: {max: 50%}" "memory: {max: 256M}" "pids: {max: 500}" "namespaces: [pid, mount]")
for round in 1 2; do
	for i in $(seq $N); do
		( "$CGRUN" -p "$P" -- sh -c "sleep 0.\$(( $i % 7 ))" >"$TMPD/out.$i" 2>&1; echo $? >"$TMPD/rc.$i" ) &
	done
	wait
	bad=0
	for i in $(seq $N); do
		rc=$(cat "$TMPD/rc.$i")
		[ "$rc" = 0 ] || { bad=$((bad + 1)); echo "    launch $i: exit $rc: $(cat "$TMPD/out.$i")"; }
	done
	assert_eq 0 "$bad" "round $round: $N parallel launches, failures"
	assert_nothing_left "round $round: after $N parallel launches"
done

# Staggered: launches keep starting while others end, so the group is
# created and removed many times over.
for i in $(seq $N); do
	( "$CGRUN" -p "$P" -- true >"$TMPD/out.$i" 2>&1; echo $? >"$TMPD/rc.$i" ) &
	[ $((i % 5)) = 0 ] && sleep 0.01
done
wait
bad=0
for i in $(seq $N); do [ "$(cat "$TMPD/rc.$i")" = 0 ] || { bad=$((bad + 1)); cat "$TMPD/out.$i"; }; done
assert_eq 0 "$bad" "staggered launches, failures"
assert_nothing_left "after staggered launches"

# The group stays while one launch still uses it. (The first runs until it
# is told to stop: under emulation the second launch alone can take seconds.)
"$CGRUN" -p "$P" -- sleep 120 &
cg=$!; track_pid $cg
wait_launched "$(group_dir pids a)" || fail "the first launch did not start"
expect_status 0 "$CGRUN" -p "$P" -- true
kill -0 $cg 2>/dev/null || fail "setup: the first launch ended before the second did"
[ -d "$(group_dir cpu a)" ] || fail "the group was removed while another launch used it"
ok "a launch ending leaves the group to the launch still running"
kill -TERM $cg
wait $cg
assert_nothing_left "after the last launch"

# --gc: a killed cgrun's leaf and group go; an applied (unmarked) group stays.
"$CGRUN" -p "$P" -- sleep 30 &
cg=$!; track_pid $cg
wait_launched "$(group_dir pids a)" || fail "setup: the launch did not start"
kill -KILL $cg; wait $cg 2>/dev/null; sleep 0.2
[ -d "$(group_dir cpu a)" ] || fail "setup: expected the killed launch's group"
expect_status 0 "$CGRUN" --gc -p "$P"
assert_contains "$OUT" "removed $(group_dir cpu a)" "--gc names what it removed"
assert_nothing_left "after --gc"
Q=$(make_profile b "name: $UNIQ-b" "parent: self" "pids: {max: 50}")
"$CGRUN" --apply -p "$Q" >/dev/null || fail "--apply"
expect_status 0 "$CGRUN" --gc -p "$Q"
[ -d "$(group_dir pids b)" ] || fail "--gc removed a group made by --apply"
ok "--gc keeps a group it did not create"
# ... nor one in use
"$CGRUN" -p "$P" -- sleep 5 &
cg=$!; track_pid $cg
wait_launched "$(group_dir pids a)" || fail "setup: the launch did not start"
expect_status 0 "$CGRUN" --gc -p "$P"
[ -d "$(group_dir pids a)" ] || fail "--gc removed a group in use"
ok "--gc keeps a group in use"
wait $cg
"$CGRUN" --remove -p "$Q" >/dev/null
assert_nothing_left "after the --gc checks"

# --apply while a launch runs makes the group the user's: the launch's end
# leaves it.
"$CGRUN" -p "$P" -- sleep 3 &
cg=$!; track_pid $cg
wait_launched "$(group_dir pids a)" || fail "setup: the launch did not start"
"$CGRUN" --apply -p "$P" >/dev/null || fail "--apply during a launch"
wait $cg
[ -d "$(group_dir pids a)" ] || fail "the launch removed a group applied meanwhile"
ok "a group applied during a launch stays after it"
"$CGRUN" --remove -p "$P" >/dev/null
assert_nothing_left "after --remove"

# Parents that a launch had to create go with the group once empty; --gc
# removes them after a killed cgrun. (A relative parent is below the root of
# each hierarchy: done only where this test's own pids group is the root.)
if [ "$(self_dir pids)" = "$(cg_mount pids)" ]; then
	expect_status 0 "$CGRUN" --parent "$UNIQ-anc/sub" --pids 10 -- true
	[ -d "$(cg_mount pids)/$UNIQ-anc" ] && fail "the parents a launch made were left behind"
	ok "the parents a launch made are removed with its group"
	"$CGRUN" --parent "$UNIQ-anc/sub" --pids 10 -- sleep 30 &
	cg=$!; track_pid $cg
	wait_launched "$(cg_mount pids)/$UNIQ-anc/sub/sleep" || fail "setup: the launch did not start"
	kill -KILL $cg; wait $cg 2>/dev/null; sleep 0.2
	[ -d "$(cg_mount pids)/$UNIQ-anc/sub/sleep" ] || fail "setup: the killed launch's group"
	expect_status 0 "$CGRUN" --gc --parent "$UNIQ-anc"
	[ -d "$(cg_mount pids)/$UNIQ-anc" ] && fail "--gc left the parents a launch made: $OUT"
	ok "--gc removes them after a killed cgrun"
	# ... but not a parent that was there before
	mkdir "$(cg_mount pids)/$UNIQ-mine"
	expect_status 0 "$CGRUN" --parent "$UNIQ-mine" --pids 10 -- true
	[ -d "$(cg_mount pids)/$UNIQ-mine" ] || fail "a launch removed a parent it did not make"
	ok "a parent that was there before stays"
	rmdir "$(cg_mount pids)/$UNIQ-mine"
fi
assert_nothing_left "after the parent checks"
