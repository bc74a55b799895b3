#!/bin/bash
# cgtop's process view (Enter, Esc), capping a process with C (cgrun --pid
# into a group made from a profile), the toggles (%, M, +, -, space, F) and
# a narrow terminal.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"
mkdir "$TMPD/profiles"
export CGKIT_PROFILES="$TMPD/profiles"
printf '%s\n' "name: $UNIQ-capped" "parent: self" "cpu:" "  max: 10%" >"$TMPD/profiles/capped.yaml"
on_exit "kill_group_procs '$(self_dir cpu)/$UNIQ-capped'"

start_busy_loop
wait_until "[ -d '$(self_dir cpu)/$UNIQ-busy' ]" 50 || fail "cgrun made no group: $(cat "$TMPD/busy.log")"
start_cgtop -d 1
field_of() { # header-name row-first-field
	screen | awk -v h="$1" -v n="$2" '
		$1 == "GROUP" { for (i = 1; i <= NF; i++) col[$i] = i }
		$1 == n && (h in col) { print $(col[h]); exit }'
}

keys / "$UNIQ-busy" Enter T n
wait_until "screen | grep -E '^/' | head -1 | grep -q -- '-busy '" 30 || fail "busy group not first: $(screen)"

# toggles
keys %
wait_screen 'CPU%M' 20 || fail "% did not switch to a share of the machine"
ncpu=$(nproc)
want=$(awk -v n="$ncpu" 'BEGIN { printf "%.0f", 20 / n }')
wait_until "c=\$(field_of CPU%M /$UNIQ-busy); awk -v c=\"\$c\" -v w=$want 'BEGIN { exit !(c + 0 >= w * 0.6 && c + 0 <= w * 1.4) }'" 50 ||
	fail "machine share of the busy group not near $want%: $(field_of CPU%M "/$UNIQ-busy")"
ok "% shows the share of the machine ($(field_of CPU%M "/$UNIQ-busy")% of $ncpu cpus)"
keys %
wait_screen '^GROUP +TASKS +CPU% ' 20 || fail "% did not switch back"
keys M
wait_screen 'MEMRAW' 20 || fail "M did not switch to raw memory"
keys M
keys +
wait_screen 'interval 1.5s' 20 || fail "+ did not lengthen the interval"
keys - -
wait_screen 'interval 0.5s' 20 || fail "- did not shorten the interval"
keys +
keys ' '
wait_screen 'PAUSED' 20 || fail "space did not pause"
keys ' '
wait_until "! screen | grep -q PAUSED" 20 || fail "space did not resume"
ok "%, M, +, -, space"

# columns: F opens the menu; Enter on the first (tasks) hides it, Escape
# closes the menu
keys F
wait_screen 'columns' 20 || fail "F did not open the column menu"
keys Enter Escape
wait_until "! screen | grep -q '^GROUP.*TASKS'" 20 || fail "TASKS still shown after hiding it: $(screen | grep ^GROUP)"
keys F
wait_screen 'columns' 20 || fail "F did not open the column menu"
keys Enter Escape
wait_screen '^GROUP.*TASKS' 20 || fail "TASKS not back"
ok "F chooses the columns"

# the process view
keys Home Enter
wait_screen 'PID +USER +S +CPU% +RSS +COMMAND' 20 || fail "Enter did not show the processes: $(screen)"
wait_screen 'while :; do :; done' 30 || fail "busy loop not in the process list: $(screen)"
proc_cpu() { screen | awk '/while :; do :; done/ && $1 ~ /^[0-9]+$/ { print $4; exit }'; }
wait_until "awk -v c=\"\$(proc_cpu)\" 'BEGIN { exit !(c + 0 >= 12 && c + 0 <= 28) }'" 50 ||
	fail "busy loop's CPU% not near 20: $(screen | grep 'while :')"
ok "process view: busy loop at $(proc_cpu)% ($(screen | grep 'while :' | head -1 | tr -s ' '))"
busy_pid=$(screen | awk '/while :; do :; done/ && $1 ~ /^[0-9]+$/ { print $1; exit }')

# cap that process with a profile: C, choose, confirm
keys C
wait_screen 'cap with which profile' 20 || fail "C did not offer the profiles: $(screen | tail -3)"
assert_contains "$(screen)" "capped.yaml" "profiles of CGKIT_PROFILES offered"
keys Enter
wait_screen 'y/N' 20 || fail "no confirmation before moving"
keys y
wait_until "grep -q '$UNIQ-capped' /proc/$busy_pid/cgroup" 50 ||
	fail "C did not move $busy_pid: $(grep -E 'cpu' /proc/$busy_pid/cgroup); $(screen | tail -1)"
ok "C moved pid $busy_pid into $UNIQ-capped ($(screen | tail -1 | tr -s ' '))"
assert_eq 10000 "$(cpu_quota_of "$UNIQ-capped")" "quota of the group made from the profile"

keys Escape
wait_screen '^GROUP' 20 || fail "Escape did not go back to the groups"
ok "Escape goes back"

# a narrow terminal: fewer columns, paths shortened, nothing wraps
keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
tmux resize-window -t "$SESSION" -x 72 -y 30
wait_until "! screen | grep -q '^GROUP.*PSIO'" 30 || fail "columns not dropped at 72 wide: $(screen | grep ^GROUP)"
# (in columns: a cut is marked with a 3-byte … in a UTF-8 locale)
[ "$(screen | LC_ALL=C.UTF-8 wc -L)" -le 72 ] || fail "a line wider than the terminal: $(screen)"
assert_contains "$(screen | grep ^GROUP)" "CPU%" "CPU% kept on a narrow terminal"
ok "72 columns: $(screen | grep ^GROUP | tr -s ' ')"
tmux resize-window -t "$SESSION" -x 160 -y 50

keys q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
assert_eq "cgtop exited 0" "$(cat "$TMPD/cgtop.exit")" "exit status after q"
if ls "$TMPD"/asan* >/dev/null 2>&1; then fail "sanitizer report: $(cat "$TMPD"/asan*)"; fi
exit 0
