#!/bin/bash
# An interactive shell under cgrun on a terminal (tmux): it gets the
# terminal's foreground, job control works (background job, fg, Ctrl-Z),
# Ctrl-C stops the foreground command and not the shell, and the shell's
# exit status is cgrun's. With and without a pid namespace.
# layout: independent (terminal and job control, not cgroups)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"
command -v tmux >/dev/null || skip "tmux needed"

S="$UNIQ"
export TMUX_TMPDIR="$TMPD"
tmux new-session -d -s "$S" -x 150 -y 40 "env PS1='OUT> ' bash --norc --noprofile -i" || fail "tmux"
on_exit "tmux kill-server 2>/dev/null"
screen() { tmux capture-pane -p -t "$S" -S -200; }
send() { tmux send-keys -t "$S" "$@"; }
# Waits until the screen shows a line matching $1.
wait_screen() { # regex what
	local i
	for i in $(seq 100); do
		screen | grep -qE "$1" && { ok "$2"; return 0; }
		sleep 0.1
	done
	screen | grep -v "^$" | tail -15 >&2
	fail "$2: '$1' not on the screen"
}

for ns in "[]" "[pid, mount, uts]"; do
	P=$(make_profile "t$RANDOM" "name: $UNIQ-t" "parent: self" "pids: {max: 50}" "namespaces: $ns")
	send "clear" Enter; sleep 0.2; tmux clear-history -t "$S"
	send "$CGRUN -p $P -- env PS1='IN> ' bash --norc --noprofile -i" Enter
	wait_screen '^IN> ?$' "$ns: the shell under cgrun prompts"
	screen | grep -qE "no job control|cannot set terminal process group" && fail "$ns: bash has no job control: $(screen | tail)"
	ok "$ns: bash has job control"
	send "sleep 100" Enter; sleep 0.5
	send C-c
	wait_screen '^IN> ?$' "$ns: Ctrl-C stops the foreground command, the shell stays"
	send "clear" Enter
	send "sleep 101 &" Enter
	wait_screen '^\[1\] [0-9]+' "$ns: a background job"
	send "fg" Enter; sleep 0.5
	send C-z
	wait_screen 'Stopped +sleep 101' "$ns: Ctrl-Z stops the foreground job"
	# a stopped job survives SIGTERM until continued, and bash's `wait` returns
	# for a stopped job at once: kill it and wait until bash has reaped it,
	# or `exit` below only says "There are stopped jobs"
	send "kill -KILL %1; while [ -n \"\$(jobs -p)\" ]; do sleep 0.1; jobs >/dev/null; done" Enter
	send "echo inner-\$\$" Enter
	wait_screen '^inner-[0-9]+' "$ns: the shell is still there"
	send "exit 3" Enter
	sleep 0.3
	send "echo rc=\$?" Enter
	wait_screen '^rc=3' "$ns: back in the outer shell; cgrun exits with the shell's status"
	assert_nothing_left "$ns: after the interactive shell"
done

# Without a pid namespace, Ctrl-Z on a plain command stops it and cgrun, as
# a shell's job; fg continues both; Ctrl-C then ends it.
P=$(make_profile z "name: $UNIQ-z" "parent: self" "pids: {max: 50}")
send "clear" Enter; sleep 0.2; tmux clear-history -t "$S"
send "$CGRUN -p $P -- sleep 100" Enter; sleep 0.6
send C-z
wait_screen 'Stopped +.*cgrun' "Ctrl-Z stops cgrun's job"
leaf=$(ls -d "$(group_dir pids z)"/run-* 2>/dev/null | head -1)
[ -n "$leaf" ] || fail "no leaf while stopped"
st=$(awk '{ print $3 }' "/proc/$(head -1 "$leaf/cgroup.procs")/stat")
assert_eq T "$st" "the command is stopped too"
send "fg" Enter; sleep 0.6
st=$(awk '{ print $3 }' "/proc/$(head -1 "$leaf/cgroup.procs")/stat")
assert_eq S "$st" "fg continues the command"
send C-c; sleep 0.3
send "echo rc=\$?" Enter
wait_screen '^rc=130' "Ctrl-C ends it: 130"
assert_nothing_left "after the stopped job"
