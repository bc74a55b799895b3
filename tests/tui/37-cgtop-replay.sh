#!/bin/bash
# cgtop --replay: a history of 30 samples 5 s apart (written by the history
# store's writer: 37-cgtop-replay-gen.c), a group at 20% cpu under a 20% cap.
# The screen at a chosen moment shows it at 20%, REPLAY and the time; ] and [
# move one sample (the time by the interval); the action recorded at a
# sample shows there; actions on groups are refused; -b --json --replay
# prints the frames with their time; bad times exit 125 saying the forms.
# No cgroup is read or made: the groups are the history's.
# layout: independent
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"
export TZ=UTC
GEN="$BUILD/tests/cgtop-replay-gen"
[ -x "$GEN" ] || fail "$GEN is not built (make $GEN)"
H="$TMPD/history"
START=1796094000   # 2026-12-01 03:00:00 UTC
"$GEN" "$H" "$START" 30 5 "$UNIQ" || fail "writing the history"

# frames as JSON: 03:01:00 .. 03:01:30, the time in each, the busy group at 20%
expect_status 0 "$CGTOP" -b --json --replay "$H" --since "2026-12-01 03:01" --until "2026-12-01 03:01:30"
assert_eq 7 "$(wc -l <<<"$OUT")" "frames from 03:01:00 to 03:01:30 every 5 s"
first=$(head -1 <<<"$OUT")
jq -e . <<<"$first" >/dev/null || fail "not JSON: $first"
assert_eq '"2026-12-01T03:01:00Z"' "$(jq .time <<<"$first")" "time of the first frame"
assert_eq '"2026-12-01T03:01:30Z"' "$(jq .time <<<"$(tail -1 <<<"$OUT")")" "time of the last frame"
cpu=$(jq --arg p "/$UNIQ-busy" '.groups[] | select(.path == $p) | .cpu_pct' <<<"$first")
awk -v c="$cpu" 'BEGIN { exit !(c > 19.9 && c < 20.1) }' || fail "busy group at $cpu%, not 20%: $first"
assert_eq 20 "$(jq --arg p "/$UNIQ-busy" '.groups[] | select(.path == $p) | .cpu_limit_pct' <<<"$first")" "cpu limit recorded"
ok "-b --json --replay: 7 frames, busy group at ${cpu}%"
# the action recorded with the 10th sample (03:00:50), in its frame only
expect_status 0 "$CGTOP" -b --json --replay "$H" --since 03:00:45 --until 03:00:55
assert_eq '[0,1,0]' "$(jq -s -c 'map(.events | length)' <<<"$OUT")" "events per frame"
assert_contains "$(sed -n 2p <<<"$OUT")" 'cap' "the recorded action in its frame"
ok "the recorded action is in the frame of its sample"
# text frames: the time and the action in the frame's header
expect_status 0 "$CGTOP" -b --replay "$H" --since 03:00:50 --until 03:00:50
assert_contains "$OUT" "cgtop  replay 2026-12-01T03:00:50Z" "text frame names its time"
assert_contains "$OUT" 'event {"action":"cap"' "text frame shows the recorded action"
# -n: at most N frames
expect_status 0 "$CGTOP" -b --json --replay "$H" -n 3
assert_eq 3 "$(wc -l <<<"$OUT")" "frames with -n 3"

# errors: what is expected, status 125
expect_status 125 "$CGTOP" -b --replay "$H" --since "3 o'clock"
assert_contains "$OUT" "HH:MM" "a bad --since names the forms"
expect_status 125 "$CGTOP" -b --since 03:00
assert_contains "$OUT" "--replay" "--since without --replay"
expect_status 125 "$CGTOP" -b --replay "$H" --since "2026-12-02 00:00"
assert_contains "$OUT" "2026-12-01 03:00:00" "a range outside the history says what it holds"
ok "bad times exit 125 and say what is expected"

# the screen at 03:00:30
start_cgtop --replay "$H" --since 03:00:30 --until 03:02 -f cpu,throttled,cpu_limit,mem,mem_limit
wait_screen 'REPLAY 2026-12-01 03:00:30' 30 || fail "no REPLAY and time in the header: $(screen)"
field() { # header-name row
	screen | awk -v h="$1" -v n="$2" '
		$1 == "GROUP" { for (i = 1; i <= NF; i++) if (!($i in col)) col[$i] = i }
		$1 == n && (h in col) { print $(col[h]); exit }'
}
is20() { awk -v c="$(field CPU% "$UNIQ-busy")" 'BEGIN { exit !(c != "" && c + 0 > 19.9 && c + 0 < 20.1) }'; }
is20 || fail "busy group not at 20% at 03:00:30: $(screen)"
assert_eq 20 "$(field CPULIM "$UNIQ-busy")" "busy group's CPU limit"
ok "the screen at 03:00:30 shows the busy group at 20%"
# the sparkline column (room for it: five columns on 160): the samples before 03:00:30, 20% each (U+2582 when
# the locale is UTF-8, "." in ASCII), the wave group's rise and fall
screen | grep -q '^GROUP.*CPU%-HISTORY' || fail "no sparkline column: $(screen | sed -n 3p)"
screen | grep -Eq -- "^  $UNIQ-busy .*(▂|\.){6}\$" || fail "busy group's sparkline not drawn: $(screen | grep -- "$UNIQ-busy")"
ok "sparkline column drawn: $(screen | grep -- "$UNIQ-busy" | awk '{print $NF}')"
keys s
wait_screen '^GROUP.*MEM-HISTORY' 20 || fail "s did not switch the sparkline to memory"
keys s
wait_until "! screen | grep -q 'HISTORY'" 20 || fail "s did not hide the sparkline"
keys s
wait_screen '^GROUP.*CPU%-HISTORY' 20 || fail "s did not bring the CPU sparkline back"
ok "s cycles the sparkline: CPU%, memory, none"
# the detail view of the busy group: CPU% against its 20% cap, full bars
keys / "$UNIQ-busy" Enter
wait_screen "filter: $UNIQ-busy" 20 || fail "filter not applied"
keys G d
wait_screen "graphs of /$UNIQ-busy" 20 || fail "d did not show the graphs: $(screen | sed -n 3,4p)"
assert_contains "$(screen)" "cap 20" "the CPU graph names the cap"
assert_contains "$(screen)" "limit 256M" "the memory graph names the limit"
screen | grep -Eq '^ +20 \|.*(█|#){5}' || fail "the CPU graph is not at its cap: $(screen | sed -n 4,8p)"
ok "d: graphs of the group, CPU% at its cap"
keys Escape
wait_screen '^GROUP' 20 || fail "Esc did not leave the graphs"
keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
wait_until "! screen | grep -q 'filter:'" 20 || fail "filter not cleared: $(screen | sed -n 2p)"
keys ']'
wait_screen 'REPLAY 2026-12-01 03:00:35' 20 || fail "] did not move one sample: $(screen | head -2)"
keys ']'
wait_screen 'REPLAY 2026-12-01 03:00:40' 20 || fail "] did not move one sample: $(screen | head -2)"
keys '['
wait_screen 'REPLAY 2026-12-01 03:00:35' 20 || fail "[ did not move one sample back: $(screen | head -2)"
is20 || fail "busy group not at 20% after stepping back: $(screen)"
ok "] and [ move one sample (5 s)"
# @: the sample with the action
keys '@' '03:00:50' Enter
wait_screen 'REPLAY 2026-12-01 03:00:50' 20 || fail "@ did not go to 03:00:50: $(screen | head -2)"
wait_screen 'event: .*cap' 20 || fail "the recorded action is not shown at its sample: $(screen | head -2)"
ok "@ goes to a time; the action recorded there is shown"
keys ']'
wait_screen 'REPLAY 2026-12-01 03:00:55' 20 || fail "] did not move one sample"
screen | head -2 | grep -q 'event:' && fail "the action still shown at the next sample: $(screen | head -2)"
# @ before --since: the first sample allowed
keys '@' '03:00' Enter
wait_screen 'REPLAY 2026-12-01 03:00:30' 20 || fail "@ before --since did not stop at --since: $(screen | head -2)"
# acting on a recorded group is refused
keys k
wait_screen 'replay: the groups shown are recorded' 20 || fail "k not refused in a replay: $(screen | tail -1)"
keys x
# play: the time moves on by itself
keys ' '
wait_screen 'PLAYING' 20 || fail "space did not play: $(screen | head -1)"
wait_until "! screen | grep -q 'REPLAY 2026-12-01 03:00:30'" 100 || fail "playing did not move on"
keys ' '
wait_screen 'PAUSED' 20 || fail "space did not pause"
ok "space plays and pauses"
keys q
wait_until "[ -f '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
assert_eq "cgtop exited 0" "$(cat "$TMPD/cgtop.exit")" "exit status"
ls "$TMPD"/asan* >/dev/null 2>&1 && fail "sanitizer report: $(cat "$TMPD"/asan*)"
exit 0
