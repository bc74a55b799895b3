#!/bin/bash
# cgtop shows cgkitd's penalties from its state file (--cgkitd-state): a
# user's group (PARENT/users/NAME) under a scope-user penalty, a process's
# penalty group (PARENT/penalty/RULE/PID) and the process itself, in the
# PENALTY column of the screen, of -b and of --json; an edit of the file is
# on screen within two refreshes; an absent file shows nothing and is no
# error. The state file and the groups are the test's own (no cgkitd runs).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"
me=$(id -un)
uid=$(id -u)
cpu_dir=$(self_dir cpu)
rel=${cpu_dir#"$(cg_mount cpu)"}
parent="$UNIQ-pen"
top="$rel/$parent"          # as cgtop names it
base="$cpu_dir/$parent"

sleep 300 &
sleeper=$!
track_pid "$sleeper"
start=$(sed 's/.*) //' "/proc/$sleeper/stat" | cut -d' ' -f20)   # field 22
[ -n "$start" ] || fail "no start time of $sleeper"
mkdir -p "$base/users/$me" "$base/users/$UNIQ-nobody" "$base/penalty/proc-hog/$sleeper" \
	"$base/penalty/proc-hog/1$sleeper" || fail "mkdir below $base"
on_exit "kill_group_procs '$base'"
echo "$sleeper" >"$base/penalty/proc-hog/$sleeper/cgroup.procs" || fail "moving $sleeper"

now_us=$(($(date +%s) * 1000000))
state="$TMPD/state.json"
# state.h's format: a user under the second tier of RULE for 14m30s more, the
# sleeper under proc-hog's first tier with no end
write_state() { # user-rule tier file
	local until=$((now_us + 870 * 1000000))
	printf '{"version":1,"saved":"2024-05-01T12:00:00.000Z","saved_us":%s,"offenders":[%s,%s]}\n' "$now_us" \
		"{\"rule\":\"$1\",\"scope\":\"user\",\"uid\":$uid,\"pid\":0,\"start\":0,\"count\":$2,\"last_offence\":$now_us,\"forgive_from\":$now_us,\"penalty\":{\"offence\":$2,\"index\":$(($2 - 1)),\"kind\":1,\"since\":$now_us,\"until\":$until,\"gone\":false,\"actor\":null}}" \
		"{\"rule\":\"proc-hog\",\"scope\":\"process\",\"uid\":$uid,\"pid\":$sleeper,\"start\":$start,\"count\":1,\"last_offence\":$now_us,\"forgive_from\":$now_us,\"penalty\":{\"offence\":1,\"index\":0,\"kind\":1,\"since\":$now_us,\"until\":null,\"gone\":false,\"actor\":\"opaque\"}}" \
		>"$3"
}
write_state cpu-hog 2 "$state"

# batch and JSON
out=$("$CGTOP" -b -n 1 -d 0.3 --flat --cgkitd-state "$state" "$top" 2>"$TMPD/err") || fail "cgtop -b: $out $(cat "$TMPD/err")"
assert_eq "" "$(cat "$TMPD/err")" "cgtop -b stderr"
assert_contains "$(echo "$out" | grep '^GROUP')" "PENALTY" "-b header with the state file there"
echo "$out" | grep -E "^$top/users/$me +.* cpu-hog#2 14m" >/dev/null || fail "-b: user's group without cpu-hog#2 14m: $out"
echo "$out" | grep -E "^$top/penalty/proc-hog/$sleeper +.* proc-hog#1( |$)" >/dev/null || fail "-b: penalty group without proc-hog#1: $out"
echo "$out" | grep -E "^$top/users/$UNIQ-nobody +.* -( |$)" >/dev/null || fail "-b: another user's group marked: $out"
echo "$out" | grep -E "^$top/penalty/proc-hog/1$sleeper .*hog" >/dev/null && fail "-b: another pid's group marked: $out"
ok "-b: the user's group and the process's penalty group show their rule"
out=$("$CGTOP" --json -n 1 -d 0.3 --cgkitd-state "$state" "$top") || fail "cgtop --json: $out"
assert_contains "$out" "\"path\":\"$top/users/$me\",\"depth\":2," "json path"
echo "$out" | grep -q "\"path\":\"$top/users/$me\"[^}]*\"penalty\":\"cpu-hog#2 14m\"" || fail "json: no penalty on the user's group: $out"
echo "$out" | grep -q "\"path\":\"$top/users/$UNIQ-nobody\"[^}]*\"penalty\":null" || fail "json: not null for another user: $out"
ok "--json: \"penalty\":\"cpu-hog#2 14m\", null elsewhere"

# an absent file: no column by default, no error; asked for, "-"
out=$("$CGTOP" -b -n 1 -d 0.3 --flat --cgkitd-state "$TMPD/none.json" "$top" 2>"$TMPD/err") || fail "cgtop -b, no state: $out"
assert_eq "" "$(cat "$TMPD/err")" "stderr with no state file"
assert_not_contains "$out" "PENALTY" "default columns with no state file"
out=$(CGKIT_STATE="$TMPD/none.json" "$CGTOP" -b -n 1 -d 0.3 --flat -f cpu,penalty "$top" 2>"$TMPD/err") || fail "cgtop -f penalty: $out"
assert_eq "" "$(cat "$TMPD/err")" "stderr with no state file, column asked for"
assert_not_contains "$out" "hog#" "no state, no penalty"
# CGKIT_STATE names the file
out=$(CGKIT_STATE="$state" "$CGTOP" -b -n 1 -d 0.3 --flat "$top") || fail "cgtop with CGKIT_STATE: $out"
echo "$out" | grep -E "^$top/users/$me .* cpu-hog#2 14m" >/dev/null || fail "CGKIT_STATE not read: $out"
ok "no state file: nothing shown, no error; CGKIT_STATE is read"

# the screen
start_cgtop -d 1 --flat --cgkitd-state "$state" "$top"
wait_screen '^GROUP.*PENALTY' 30 || fail "no PENALTY column: $(screen | grep GROUP)"
wait_screen "/users/$me .* cpu-hog#2 14m" 30 || fail "screen: user's group: $(screen)"
wait_screen "/penalty/proc-hog/$sleeper +.* proc-hog#1" 30 || fail "screen: penalty group: $(screen)"
ok "screen: $(screen | grep "users/$me " | tr -s ' ')"

# edits: the daemon's way (a new file renamed over), then in place with the
# same size (only the mtime tells); each on screen within two refreshes
write_state mem-hog 1 "$state.new" && mv "$state.new" "$state"
wait_screen "/users/$me .* mem-hog#1 14m" 25 || fail "renamed file not shown within two refreshes: $(screen)"
write_state cpu-hog 3 "$state"
wait_screen "/users/$me .* cpu-hog#3 14m" 25 || fail "file rewritten in place not shown within two refreshes: $(screen)"
ok "edits of the file are on screen within two refreshes"

# the process view: the sleeper is marked, by pid and start time
keys / "penalty/proc-hog/$sleeper" Enter Home Enter
wait_screen 'PID +USER +S +CPU% +RSS +PENALTY +COMMAND' 30 || fail "process view without PENALTY: $(screen)"
wait_screen "^ *$sleeper .* proc-hog#1 +sleep 300" 30 || fail "sleeper not marked: $(screen)"
ok "process view: $(screen | grep "sleep 300" | tr -s ' ')"
keys Escape

# the file removed: nothing shown any more
rm -f "$state"
wait_until "! screen | grep -q 'hog#'" 25 || fail "penalties still shown after the file went: $(screen)"
ok "file removed: no penalty shown"
keys q
wait_until "[ -f '$TMPD/cgtop.exit' ]" 30 || fail "cgtop did not quit"
assert_eq "cgtop exited 0" "$(cat "$TMPD/cgtop.exit")" "exit"
