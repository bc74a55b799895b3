#!/bin/bash
# A launch's command-line overrides (--cpu --memory --pids --cpus
# --io-weight) never change a group that exists and was applied, or that
# another launch or process uses: cgrun refuses (125) and says how to do it.
# An override that changes nothing, or one on a group that this launch
# creates, or that a launch made and nothing uses now, proceeds.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

# the group's cpu cap as the kernel holds it, and its pids.max
cpu_of() { # suffix
	local d
	d=$(group_dir cpu "$1")
	if [ -f "$d/cpu.max" ]; then cat "$d/cpu.max"; else cat "$d/cpu.cfs_quota_us"; fi
}
pids_of() { cat "$(group_dir pids "$1")/pids.max"; }

# An applied group: refused, and its values are unchanged afterwards.
P=$(make_profile a "name: $UNIQ-a" "parent: self" "cpu: {max: 50%}" "pids: {max: 50}")
"$CGRUN" --apply -p "$P" >/dev/null || fail "--apply failed"
cpu0=$(cpu_of a)
expect_status 125 "$CGRUN" -p "$P" --cpu 90% --pids max -- true
assert_contains "$OUT" "--cpu 90% --pids max: the group $UNIQ-a" "the message names the overrides and the group"
assert_contains "$OUT" "was made with cgrun --apply" "and why"
assert_contains "$OUT" "run cgrun --apply" "and says how: --apply"
assert_contains "$OUT" "another --name" "or another --name"
assert_eq "$cpu0" "$(cpu_of a)" "the applied group's cpu cap is unchanged"
assert_eq 50 "$(pids_of a)" "the applied group's pids.max is unchanged"
# an override that changes nothing proceeds
expect_status 0 "$CGRUN" -p "$P" --pids 50 -- true
assert_eq 50 "$(pids_of a)" "pids.max after an override equal to the profile"
"$CGRUN" --remove -p "$P" >/dev/null || fail "--remove failed"

# A group this launch creates takes the overrides.
Q=$(make_profile b "name: $UNIQ-b" "parent: self" "pids: {max: 50}")
"$CGRUN" -p "$Q" --pids 7 -- sleep 30 &
a=$!; track_pid $a
wait_launched "$(group_dir pids b)" || fail "the first launch did not start"
assert_eq 7 "$(pids_of b)" "the launch that creates the group sets pids.max 7"
# ... and a second launch with other limits may not change them under it
expect_status 125 "$CGRUN" -p "$Q" --pids 8 -- true
assert_contains "$OUT" "is in use by another launch" "a concurrent launch with other limits is refused"
assert_eq 7 "$(pids_of b)" "the running launch keeps its pids.max"
expect_status 0 "$CGRUN" -p "$Q" --pids 7 -- true
ok "a concurrent launch with the same limits proceeds"
kill -TERM $a; wait $a 2>/dev/null
assert_nothing_left "after the launches"

# A group a launch made that nothing uses now (its process gone): proceeds.
sleep 30 &
s=$!; track_pid $s
"$CGRUN" --pid "$s" -p "$Q" >/dev/null || fail "--pid failed"
kill -KILL $s; wait $s 2>/dev/null
OUT=$("$CGRUN" -p "$Q" --pids 9 -- cat "$(group_dir pids b)/pids.max" 2>&1) || fail "refused on an unused group: $OUT"
assert_eq 9 "$OUT" "an unused group of a launch's takes the override"
"$CGRUN" --gc -p "$Q" >/dev/null
assert_nothing_left "after --gc"
