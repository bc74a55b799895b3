#!/bin/bash
# cgtop on the real screen (tmux): a cgrun busy loop capped at 20% shows at
# 15-25% CPU and throttled; sort, filter, tree/flat, help; freeze and thaw a
# group; change a limit with e; signal a group's processes with k; a group
# that vanishes while shown is dropped; q quits.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"

start_busy_loop
busy=$BUSY_PID
wait_until "[ -d '$(self_dir cpu)/$UNIQ-busy' ]" 50 || fail "cgrun made no group: $(cat "$TMPD/busy.log")"

# A second group of our own for freeze/thaw and signals, made by hand in
# every hierarchy, with a sleeping process of ours in it.
sleep 300 &
sleeper=$!
track_pid "$sleeper"
for base in $(own_dirs); do
	d="$base/$UNIQ-frz"
	mkdir "$d" || fail "mkdir $d"
	echo "$sleeper" >"$d/cgroup.procs" || fail "moving $sleeper into $d"
done
# and one that the filter below must hide
mkdir "$(self_dir cpu)/${UNIQ}_other" || fail "mkdir ${UNIQ}_other"

start_cgtop -d 1
# the row of the busy group (tree: indented name), columns as in the header
row_of() { screen | awk -v n="$1" '$1 == n { print; exit }'; }
field() { # header-name row
	screen | awk -v h="$1" -v n="$2" '
		$1 == "GROUP" { for (i = 1; i <= NF; i++) col[$i] = i }
		$1 == n && (h in col) { print $(col[h]); exit }'
}
cpu_ok() {
	local cpu thr
	cpu=$(field CPU% "$UNIQ-busy"); thr=$(field THR% "$UNIQ-busy")
	awk -v c="$cpu" -v t="$thr" 'BEGIN { exit !(c + 0 >= 15 && c + 0 <= 25 && t + 0 > 0 && c != "-" && t != "-") }'
}
wait_until cpu_ok 80 || fail "busy group not at 15-25% and throttled: $(row_of "$UNIQ-busy") / header: $(screen | grep '^GROUP')"
ok "busy loop capped at 20%: $(row_of "$UNIQ-busy" | awk '{print "CPU% " $3 ", THR% " $4 ", CPULIM " $5}')"
assert_eq 20 "$(field CPULIM "$UNIQ-busy")" "CPU limit column of the busy group"
assert_contains "$(screen)" "run-" "tree shows the launch's leaf below the group"

# help screen, and back
keys h
wait_screen 'cgtop keys' 20 || fail "no help screen on h"
ok "help screen on h"
keys x
wait_screen '^GROUP' 20 || fail "help did not go back"
keys '?'
wait_screen 'cgtop keys' 20 || fail "no help screen on ?"
keys x
wait_screen '^GROUP' 20 || fail "help did not go back"

# filter: only our groups (and the root above them in the tree)
assert_contains "$(screen)" "${UNIQ}_other" "all groups shown before filtering"
keys / "$UNIQ-" Enter
wait_screen "filter: $UNIQ-" 20 || fail "filter not shown in the header"
wait_until "! screen | grep -q -- '${UNIQ}_other'" 20 || fail "filter left other groups: $(screen)"
assert_contains "$(screen)" "$UNIQ-frz" "filter keeps the matching groups"

# flat list: full paths; again: tree
keys T
wait_screen "^/$UNIQ-busy/run-" 20 || fail "flat list without full paths: $(screen)"
ok "T gives the flat list with full paths"

# sort by name, again to reverse
keys n
wait_until "screen | grep -E '^/$UNIQ' | head -1 | grep -q -- '-busy '" 30 || fail "name sort: $(screen | grep "^/$UNIQ")"
keys n
wait_until "screen | grep -E '^/$UNIQ' | head -1 | grep -q -- '-frz '" 30 || fail "reversed name sort: $(screen | grep "^/$UNIQ")"
ok "n sorts by name, n again reverses"
keys c
wait_until "screen | grep -E '^/$UNIQ' | head -1 | grep -q -- '-busy'" 30 || fail "cpu sort: $(screen | grep "^/$UNIQ")"
ok "c sorts by CPU (busy group first)"
keys T
wait_screen "^  $UNIQ-busy" 20 || fail "T did not give the tree back: $(screen)"
ok "T again gives the tree"

# freeze and thaw our own group
keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace "$UNIQ-frz" Enter
keys T
wait_until "[ \"\$(screen | grep -c '^/')\" = 1 ]" 30 || fail "filter to one group: $(screen)"
keys Home f
wait_until "[ \"\$(frozen_state $UNIQ-frz)\" = FROZEN ]" 30 || fail "f did not freeze: $(frozen_state "$UNIQ-frz"); $(screen | tail -1)"
ok "f froze the group ($(screen | tail -1 | tr -s ' '))"
keys f
wait_until "[ \"\$(frozen_state $UNIQ-frz)\" = THAWED ]" 30 || fail "f did not thaw: $(frozen_state "$UNIQ-frz")"
ok "f thawed it again"

# signal: SIGTERM to every process of the group, after confirming
keys k
wait_screen 'send which signal' 20 || fail "no signal menu"
keys Enter
wait_screen 'y/N' 20 || fail "no confirmation"
keys n
sleep 0.5
kill -0 "$sleeper" 2>/dev/null || fail "answering n still sent the signal"
ok "k then n sends nothing"
keys k
wait_screen 'send which signal' 20 || fail "no signal menu"
keys Enter
wait_screen 'y/N' 20 || fail "no confirmation"
keys y
wait_until "! kill -0 $sleeper 2>/dev/null" 30 || fail "k did not end the group's process: $(screen | tail -1)"
wait $sleeper 2>/dev/null
ok "k, SIGTERM, y ended the group's process"

# change the pids limit of the busy group with e, through the policy engine
busy_pids="$(self_dir pids)/$UNIQ-busy/pids.max"
keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace "$UNIQ-busy" Enter
keys n
wait_until "screen | grep -E '^/' | head -1 | grep -q -- '-busy '" 30 || fail "busy group not first: $(screen)"
keys Home e
wait_screen 'change which limit' 20 || fail "no limit menu"
keys Down Down Enter
wait_screen 'new pids.max' 20 || fail "no prompt for pids.max"
keys BSpace BSpace BSpace BSpace BSpace 40 Enter
wait_until "[ \"\$(cat '$busy_pids')\" = 40 ]" 30 || fail "e did not set pids.max: $(cat "$busy_pids"); $(screen | tail -1)"
ok "e set pids.max to 40 ($(screen | tail -1))"
keys Home e
wait_screen 'change which limit' 20 || fail "no limit menu"
keys Enter
wait_screen 'new cpu.max' 20 || fail "no prompt for cpu.max"
keys BSpace BSpace BSpace BSpace BSpace BSpace 30% Enter
# (the profile's period is 50ms: 30% of it is a 15ms quota)
wait_until "[ \"\$(cpu_quota_of $UNIQ-busy)\" = 15000 ]" 30 || fail "e did not set the cpu quota: $(cpu_quota_of "$UNIQ-busy"); $(screen | tail -1)"
ok "e set cpu.max to 30% (quota $(cpu_quota_of "$UNIQ-busy"))"
assert_eq 200 "$(cpu_weight_of "$UNIQ-busy")" "cpu weight kept when e changes cpu.max"
assert_eq 50000 "$(cpu_period_of "$UNIQ-busy")" "cpu period kept when e changes cpu.max"
# memory.max through e keeps the swap allowed on top of it. Where this
# process's memory group is elsewhere than its cpu group (this host: memory
# below a service's group), the row has no memory group, and e must say so
# rather than make one.
assert_eq 67108864 "$(swap_of "$UNIQ-busy")" "swap of the busy group before e"
keys Home e
wait_screen 'change which limit' 20 || fail "no limit menu"
keys Down Enter
mrel=$(self_dir memory); mrel=${mrel#"$(cg_mount memory)"}
crel=$(self_dir cpu); crel=${crel#"$(cg_mount cpu)"}
if [ "$mrel" = "$crel" ]; then
	wait_screen 'new memory.max' 20 || fail "no prompt for memory.max"
	keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace 300M Enter
	wait_until "[ \"\$(mem_max_of $UNIQ-busy)\" = 314572800 ]" 30 || fail "e did not set memory.max: $(mem_max_of "$UNIQ-busy"); $(screen | tail -1)"
	ok "e set memory.max to 300M"
	assert_eq 67108864 "$(swap_of "$UNIQ-busy")" "swap kept when e changes memory.max"
else
	wait_screen 'has no memory group' 20 || fail "e on a row with no memory group: $(screen | tail -1)"
	ok "e on a row with no memory group says so ($(screen | tail -1 | sed 's/  */ /g'))"
	assert_eq 268435456 "$(mem_max_of "$UNIQ-busy")" "memory.max unchanged"
	[ -d "$(cg_mount memory)$crel/$UNIQ-busy" ] && fail "e made a memory group at $(cg_mount memory)$crel"
	ok "e made no memory group"
fi
# a bad value: said, and nothing changes
keys Home e
wait_screen 'change which limit' 20 || fail "no limit menu"
keys Enter
wait_screen 'new cpu.max' 20 || fail "no prompt for cpu.max"
keys BSpace BSpace BSpace BSpace BSpace BSpace lots Enter
wait_screen 'nothing changed' 30 || fail "a bad value was not refused: $(screen | tail -1)"
assert_eq 15000 "$(cpu_quota_of "$UNIQ-busy")" "quota after a refused value"

# the busy group's processes get SIGTERM; cgrun removes the group while
# cgtop shows it: the row goes, cgtop goes on
keys Home k
wait_screen 'send which signal' 20 || fail "no signal menu"
keys Enter
wait_screen 'y/N' 20 || fail "no confirmation"
keys y
wait_until "! kill -0 $busy 2>/dev/null" 100 || fail "cgrun still running after its command got SIGTERM"
wait_until "! screen | grep -q -- '^/.*$UNIQ-busy'" 60 || fail "vanished group still shown: $(screen)"
wait_screen '^layout ' 20 || fail "cgtop stopped drawing"
[ -e "$TMPD/cgtop.exit" ] && fail "cgtop exited: $(cat "$TMPD/cgtop.exit" "$TMPD/cgtop.err")"
ok "a group that vanished is dropped without error"

keys q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
assert_eq "cgtop exited 0" "$(cat "$TMPD/cgtop.exit")" "exit status after q"
if ls "$TMPD"/asan* >/dev/null 2>&1; then fail "sanitizer report: $(cat "$TMPD"/asan*)"; fi
[ -s "$TMPD/cgtop.err" ] && fail "cgtop wrote to stderr: $(cat "$TMPD/cgtop.err")"
exit 0
