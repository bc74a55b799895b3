# Helpers of the cgtop tests (sourced after ../lib.sh).

# cgtop shows cgkitd's penalties from its state file when there is one: a
# host that runs cgkitd must not change the columns these tests read
# (35-cgtop-penalty points cgtop at a state file of its own).
export CGKIT_STATE=/nonexistent/cgkit-state.json

# A busy loop capped at 20% of one cpu, launched with cgrun into
# $UNIQ-busy below our own groups; cgrun's pid in BUSY_PID. (Not in a
# $(...): on_exit and track_pid must run in the test's own shell.)
start_busy_loop() {
	local prof
	prof=$(make_profile busy "name: $UNIQ-busy" "parent: self" "cpu:" "  max: 20%" "  period: 50ms" "  weight: 200" \
		"memory:" "  max: 256M" "  swap: 64M" "pids:" "  max: 50")
	"$CGRUN" -p "$prof" -- sh -c 'while :; do :; done' >"$TMPD/busy.log" 2>&1 &
	local pid=$!
	track_pid "$pid"
	# cgrun killed at exit leaves its command behind: end it by the pids
	# in our own group (only our busy loop is there)
	on_exit "kill_group_procs '$(self_dir cpu)/$UNIQ-busy'"
	BUSY_PID=$pid
}

# Waits until a command succeeds (up to $2 tenths of a second).
wait_until() { # command tenths
	local i
	for i in $(seq 1 "${2:-50}"); do
		eval "$1" && return 0
		sleep 0.1
	done
	return 1
}

# The screen of the tmux session $SESSION, as text.
screen() { tmux capture-pane -p -t "$SESSION" 2>/dev/null; }

# Waits until the screen holds a line matching the regex (up to $2 tenths).
wait_screen() { # regex tenths
	wait_until "screen | grep -Eq -- '$1'" "${2:-50}"
}

keys() { tmux send-keys -t "$SESSION" "$@"; }

# Starts cgtop (args) in a detached 160x50 tmux session of our own (as
# another user when CGTOP_AS is e.g. "runuser -u nobody --").
start_cgtop() {
	SESSION="$UNIQ-tmux"
	command -v tmux >/dev/null || skip "tmux is not installed"
	on_exit "tmux kill-session -t '$SESSION' 2>/dev/null"
	tmux new-session -d -s "$SESSION" -x 160 -y 50 \
		"${CGTOP_AS:-} env TERM=xterm-256color ASAN_OPTIONS='${ASAN_OPTIONS:-}' CGKIT_PROFILES='${CGKIT_PROFILES:-}' $CGTOP $* 2>$TMPD/cgtop.err; echo \"cgtop exited \$?\" >$TMPD/cgtop.exit; sleep 30"
	wait_screen '^layout ' 50 || fail "cgtop did not draw its header: $(screen; cat "$TMPD/cgtop.err")"
}

# Kills every process in a group of ours and the groups below it, then
# waits a little for the group to be empty.
kill_group_procs() { # dir
	local p
	[ -d "$1" ] || return 0
	for p in $(find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	sleep 0.3
}

# The cpu quota and period of a group in microseconds (quota "max" for
# none): v1 cpu.cfs_quota_us / cpu.cfs_period_us, v2 the fields of cpu.max.
cpu_max_part() { # group-name v1-file v2-field
	local d
	d="$(self_dir cpu)/$1"
	if [ -e "$d/$2" ]; then cat "$d/$2"; else cut -d' ' -f"$3" "$d/cpu.max"; fi
}
cpu_quota_of() { cpu_max_part "$1" cpu.cfs_quota_us 1; }   # group-name (below our own cpu group)
cpu_period_of() { cpu_max_part "$1" cpu.cfs_period_us 2; }

# Our own group directories in the hierarchies cgtop reads, each once (on
# v2 they are all the same directory).
own_dirs() {
	local c
	for c in cpu cpuacct memory pids freezer; do
		[ -n "$(cg_mount "$c")" ] && self_dir "$c"
	done | sort -u
}

# Whether the group is frozen: v1 freezer.state, else v2 cgroup.freeze.
frozen_state() { # group-name
	local f
	f="$(self_dir freezer)/$1/freezer.state"
	if [ -e "$f" ]; then
		cat "$f"
	else
		[ "$(cat "$(self_dir cpu)/$1/cgroup.freeze")" = 1 ] && echo FROZEN || echo THAWED
	fi
}

# memory.max in bytes, and the swap allowed on top of it (v1: memsw - limit)
mem_max_of() { # group-name
	local d
	d="$(self_dir memory)/$1"
	if [ -e "$d/memory.limit_in_bytes" ]; then cat "$d/memory.limit_in_bytes"; else cat "$d/memory.max"; fi
}
swap_of() { # group-name
	local d
	d="$(self_dir memory)/$1"
	if [ -e "$d/memory.memsw.limit_in_bytes" ]; then
		echo $(( $(cat "$d/memory.memsw.limit_in_bytes") - $(cat "$d/memory.limit_in_bytes") ))
	else
		cat "$d/memory.swap.max"
	fi
}

# The cpu weight of a group in profile terms (v1 cpu.shares * 100 / 1024).
cpu_weight_of() { # group-name
	local d
	d="$(self_dir cpu)/$1"
	if [ -e "$d/cpu.shares" ]; then
		echo $(( $(cat "$d/cpu.shares") * 100 / 1024 ))
	else
		cat "$d/cpu.weight"
	fi
}
