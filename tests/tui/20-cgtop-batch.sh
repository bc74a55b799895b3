#!/bin/bash
# cgtop without a screen: -b frames and --json lines, with a cgrun busy
# loop capped at 20% running; options and their errors.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"
start_busy_loop
wait_until "[ -d '$(self_dir cpu)/$UNIQ-busy' ]" 50 || fail "cgrun made no group: $(cat "$TMPD/busy.log")"
sleep 1

# three frames, half a second apart
expect_status 0 "$CGTOP" -b -n 3 -d 0.5
assert_eq 3 "$(grep -c '^cgtop ' <<<"$OUT")" "frames printed by -b -n 3"
assert_contains "$OUT" "layout $(cg_mode)" "header names the layout"
row=$(grep -E "^/$UNIQ-busy " <<<"$OUT" | tail -1)
[ -n "$row" ] || fail "no row for the busy group in: $OUT"
ok "busy group row: $row"

# JSON: one object per refresh, units in the names
expect_status 0 "$CGTOP" --json -n 2 -d 1
assert_eq 2 "$(wc -l <<<"$OUT")" "JSON lines for -n 2"
last=$(tail -1 <<<"$OUT")
jq -e . <<<"$last" >/dev/null || fail "not JSON: $last"
g=$(jq -c --arg p "/$UNIQ-busy" '.groups[] | select(.path == $p)' <<<"$last")
[ -n "$g" ] || fail "busy group not in the JSON"
cpu=$(jq .cpu_pct <<<"$g")
thr=$(jq .throttled_pct <<<"$g")
awk -v c="$cpu" 'BEGIN { exit !(c >= 15 && c <= 25) }' || fail "cpu_pct $cpu not within 15..25: $g"
awk -v t="$thr" 'BEGIN { exit !(t > 0) }' || fail "throttled_pct $thr not above 0: $g"
ok "busy group at cpu_pct $cpu, throttled_pct $thr"
assert_eq 20 "$(jq .cpu_limit_pct <<<"$g")" "cpu_limit_pct"
assert_eq 50 "$(jq .pids_limit <<<"$g")" "pids_limit"
# the root: no memory limit on v1 ("max"), no memory.max file on v2 (null)
root_lim=$(jq .mem_limit_bytes <<<"$(jq -c '.groups[0]' <<<"$last")")
if [ -e "$(cg_mount memory)/memory.limit_in_bytes" ]; then
	assert_eq '"max"' "$root_lim" "the root has no memory limit"
else
	assert_eq null "$root_lim" "the root's memory limit (no memory.max on v2)"
fi
# a value the kernel does not give for this group is null, not 0: on v1 the
# group is not in the memory hierarchy at all, on v2 memory is not enabled
# for it (the profile has no memory section)
if [ ! -e "$(self_dir memory)/$UNIQ-busy/memory.current" ] &&
	[ ! -e "$(self_dir memory)/$UNIQ-busy/memory.usage_in_bytes" ]; then
	assert_eq null "$(jq .mem_bytes <<<"$g")" "memory of a group without memory files"
fi
assert_eq "$(jq '.groups | length' <<<"$last")" "$(jq .groups_count <<<"$last")" "groups_count"
for k in cpu_pct mem_bytes io_read_bytes_per_s pids oom_kills psi_cpu_some_avg10_pct; do
	jq -e --arg k "$k" '.groups[0] | has($k)' <<<"$last" >/dev/null || fail "no $k in the JSON"
done
ok "JSON fields carry their unit"

# a subtree, fields, sort, depth
expect_status 0 "$CGTOP" -b -n 1 -d 0.3 -p "/$UNIQ-busy" --fields cpu,throttled
assert_eq "/$UNIQ-busy" "$(sed -n 3p <<<"$OUT" | awk '{print $1}')" "-p shows the subtree from its top"
assert_eq "GROUP CPU% THR%" "$(sed -n 2p <<<"$OUT" | tr -s ' ')" "--fields chooses the columns"
assert_not_contains "$OUT" "process_api" "-p leaves out the rest"
expect_status 0 "$CGTOP" -b -n 1 -d 0.3 --depth 0 "/$UNIQ-busy"
assert_not_contains "$OUT" "run-" "--depth 0 shows the top only"
expect_status 0 "$CGTOP" --json -n 1 -d 0.3 --flat --sort name
jq -r '.groups[].path' <<<"$OUT" >"$TMPD/names"
LC_ALL=C sort -c "$TMPD/names" 2>/dev/null || fail "--flat --sort name is not sorted: $(cat "$TMPD/names")"
ok "--flat --sort name sorts by path"

# errors: said, with what would be right
expect_status 2 "$CGTOP" -b -n 1 --fields cpu,bogus
assert_contains "$OUT" '"bogus"' "unknown field named"
assert_contains "$OUT" "throttled" "valid fields listed"
expect_status 2 "$CGTOP" -b -n 0
assert_contains "$OUT" "positive" "-n 0 refused"
expect_status 2 "$CGTOP" -b -d fast
expect_status 2 "$CGTOP" -b --sort nope
expect_status 1 "$CGTOP" -b -n 1 "/$UNIQ-no-such-group"
assert_contains "$OUT" "$UNIQ-no-such-group" "a missing group is named"

# an OOM kill while cgtop runs: counted, and the row stands out
oomprof=$(make_profile oom "name: $UNIQ-oom" "parent: self" "memory:" "  max: 32M")
"$CGTOP" --json -n 120 -d 0.5 >"$TMPD/oom.json" 2>"$TMPD/oom.err" &
cgtop_pid=$!
track_pid "$cgtop_pid"
sleep 1
"$CGRUN" -p "$oomprof" -- sh -c 'sleep 1; head -c 400M /dev/zero | tail; sleep 30' >"$TMPD/oom.log" 2>&1 &
oom_pid=$!
track_pid "$oom_pid"
on_exit "kill_group_procs '$(self_dir memory)/$UNIQ-oom'"
oom_rows() { jq -c --arg p "/$UNIQ-oom" '.groups[] | select(.path | contains($p))' "$TMPD/oom.json" 2>/dev/null; }
wait_until "oom_rows | jq -c 'select(.oom_kills >= 1 and .oom_recent) | [.path, .oom_kills]' >'$TMPD/oom.row' && [ -s '$TMPD/oom.row' ]" 400 ||
	fail "no OOM kill counted and marked for $UNIQ-oom: $(oom_rows | jq -c '[.path, .oom_kills, .oom_recent]' | sort | uniq -c); $(cat "$TMPD/oom.log" "$TMPD/oom.err")"
ok "OOM kill counted and marked: $(head -1 "$TMPD/oom.row")"
kill "$cgtop_pid" "$oom_pid" 2>/dev/null
wait "$cgtop_pid" "$oom_pid" 2>/dev/null

# without a terminal cgtop prints frames as -b does
OUT=$("$CGTOP" -n 1 -d 0.3 </dev/null | head -1)
assert_contains "$OUT" "cgtop " "no terminal: batch frames"
if ls "$TMPD"/asan* >/dev/null 2>&1; then fail "sanitizer report: $(cat "$TMPD"/asan*)"; fi
exit 0
