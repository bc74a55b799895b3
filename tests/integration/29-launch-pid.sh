#!/bin/bash
# cgrun --pid PID [--tree] -p cap.yaml moves a running process, all of its
# threads (and with --tree its descendants), into the group, and reports
# what it moved.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"
command -v python3 >/dev/null || skip "python3 needed for a multi-threaded process"

THREADS='import threading, time, os, sys
def idle():
    time.sleep(60)
for _ in range(4):
    threading.Thread(target=idle, daemon=True).start()
if len(sys.argv) > 1:
    for _ in range(2):
        if os.fork() == 0:
            threading.Thread(target=idle, daemon=True).start()
            time.sleep(60)
            os._exit(0)
print("ready", flush=True)
time.sleep(60)'

# where every thread of a pid is, for a controller: one line per thread
threads_in() { # pid ctrl
	local t
	for t in /proc/"$1"/task/*; do
		cgroup_of "$2" <"$t/cgroup"
	done | sort | uniq -c | sed 's/^ *//'
}

P=$(make_profile a "name: $UNIQ-a" "parent: self" "cpu: {max: 30%}" "memory: {max: 256M}" "pids: {max: 100}")
python3 -c "$THREADS" >"$TMPD/py.out" &
py=$!; track_pid $py
for i in $(seq 100); do grep -q ready "$TMPD/py.out" 2>/dev/null && break; sleep 0.05; done
n=$(ls /proc/$py/task | wc -l)
assert_eq 5 "$n" "the process has 5 threads"

if [ "$(cg_mode)" != v2 ]; then
	# On v1 threads can be apart: put one elsewhere first (a group of ours).
	other="$(self_dir cpu)/$UNIQ-other"; mkdir "$other"
	tid=$(ls /proc/$py/task | tail -1)
	echo "$tid" >"$other/tasks" || fail "setup: moving thread $tid"
	on_exit "rmdir '$other' 2>/dev/null"
fi

expect_status 0 "$CGRUN" --pid "$py" -p "$P"
echo "$OUT" | sed 's/^/    /'
assert_contains "$OUT" "moved pid $py (python3, 5 threads)" "reports the pid and its threads"
for c in cpu cpuacct memory pids; do
	rel=$(self_dir "$c"); mnt=$(cg_mount "$c"); rel=${rel#"$mnt"}
	assert_eq "5 $rel/$UNIQ-a/run-$py" "$(threads_in "$py" "$c")" "all 5 threads in the leaf ($c)"
done
assert_contains "$OUT" "$(group_dir cpu a)/run-$py" "reports where"
kill "$py"; wait "$py" 2>/dev/null
[ "$(cg_mode)" != v2 ] && rmdir "$other"

# --tree: the descendants too, each with all its threads.
python3 -c "$THREADS" tree >"$TMPD/py2.out" &
py=$!; track_pid $py
for i in $(seq 100); do grep -q ready "$TMPD/py2.out" 2>/dev/null && break; sleep 0.05; done
kids=$(pgrep -P "$py")
for k in $kids; do track_pid "$k"; done
assert_eq 2 "$(echo $kids | wc -w)" "two children"
expect_status 0 "$CGRUN" --pid "$py" --tree -p "$P"
echo "$OUT" | sed 's/^/    /'
assert_contains "$OUT" "3 processes, 9 threads now in group $UNIQ-a" "reports the whole tree"
for p in $py $kids; do
	rel=$(self_dir pids); mnt=$(cg_mount pids); rel=${rel#"$mnt"}
	assert_contains "$(threads_in "$p" pids)" "$rel/$UNIQ-a/run-$py" "pid $p is in the leaf"
	assert_eq 1 "$(threads_in "$p" pids | wc -l)" "pid $p: all its threads in one place"
done
# the cap applies to the moved process: pids.max counts it
assert_eq 9 "$(cat "$(group_dir pids a)/pids.current")" "the group counts the 9 moved threads"
kill $kids "$py"; wait "$py" 2>/dev/null; sleep 0.2

# Once they have gone, --gc removes the leaf and the group --pid made.
expect_status 0 "$CGRUN" --gc -p "$P"
assert_nothing_left "after --gc"

# Errors: no such pid; 125 and nothing created.
expect_status 125 "$CGRUN" --pid 4194303 -p "$P"
assert_contains "$OUT" "no such process" "a missing pid is named"
assert_nothing_left "after a refused --pid"

# What --pid refuses before it touches anything: pid 1, a kernel thread
# (kthreadd, pid 2: only given to --pid, never signalled), a zombie, cgrun
# itself and its ancestors. The profile given does not exist: the pid is
# refused before the profile is read, and a cgrun that would not refuse
# fails on the profile instead of moving pid 1 anywhere.
NP="$TMPD/never-read.yaml"
expect_status 125 "$CGRUN" --pid 1 -p "$NP"
assert_contains "$OUT" "--pid 1: pid 1 " "pid 1 is refused"
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	expect_status 125 "$CGRUN" --pid 2 -p "$NP"
	assert_contains "$OUT" "pid 2 (kthreadd) is a kernel thread" "a kernel thread is refused"
else
	echo "  (no kthreadd at pid 2 here: the kernel-thread case is not tried)"
fi
expect_status 125 "$CGRUN" --pid $$ -p "$NP"
assert_contains "$OUT" "is an ancestor of this cgrun" "cgrun's ancestor (this test's shell) is refused"
expect_status 125 sh -c 'exec "$0" --pid $$ -p "$1"' "$CGRUN" "$NP"
assert_contains "$OUT" "that is this cgrun itself" "cgrun itself is refused"
# a zombie: its parent (sleep, exec'd) never reaps it
sh -c 'sleep 0 & echo $! >"$0"; exec sleep 30' "$TMPD/zpid" &
zp=$!; track_pid $zp
wait_for_file "$TMPD/zpid" || fail "setup: no zombie"
z=$(cat "$TMPD/zpid")
for i in $(seq 100); do [ "$(awk '{ print $3 }' /proc/$z/stat 2>/dev/null)" = Z ] && break; sleep 0.05; done
expect_status 125 "$CGRUN" --pid "$z" -p "$NP"
assert_contains "$OUT" "pid $z (sleep) is a zombie" "a zombie is refused, and the message says why"
kill -KILL $zp; wait $zp 2>/dev/null
assert_nothing_left "after the refused pids"

# cgroup v1 only: a cpu group with cpu.rt_runtime_us 0 (a new group's
# default) refuses a SCHED_FIFO task. --pid fails with the cause, moves back
# what it had moved (with --tree, the parent that went first) and leaves no
# leaf or group.
if cg_on_v2 cpu || [ ! -f "$(cg_mount cpu)/cpu.rt_runtime_us" ] || ! command -v chrt >/dev/null; then
	echo "  SKIP (this part): SCHED_FIFO is refused by v1 cpu groups with real-time group scheduling only"
else
	sh -c 'chrt -f 1 sleep 30 & echo $! >"$0"; exec sleep 30' "$TMPD/fifo" &
	par=$!; track_pid $par
	wait_for_file "$TMPD/fifo" || fail "setup: no SCHED_FIFO child"
	fifo=$(cat "$TMPD/fifo"); track_pid "$fifo"
	before_par=$(cat /proc/$par/cgroup); before_fifo=$(cat /proc/$fifo/cgroup)
	expect_status 125 "$CGRUN" --pid "$fifo" -p "$P"
	assert_contains "$OUT" "pid $fifo (sleep) runs under SCHED_FIFO; cgroup v1 cpu groups with cpu.rt_runtime_us 0 refuse real-time tasks" "the cause is named"
	assert_eq "$before_fifo" "$(cat /proc/$fifo/cgroup)" "the process is where it was"
	assert_nothing_left "after a refused SCHED_FIFO --pid"
	expect_status 125 "$CGRUN" --pid "$par" --tree -p "$P"
	assert_contains "$OUT" "runs under SCHED_FIFO" "--tree: the cause is named"
	assert_not_contains "$OUT" "moved pid" "--tree: nothing is reported moved"
	assert_eq "$before_par" "$(cat /proc/$par/cgroup)" "--tree: the parent moved first is back where it was"
	assert_eq "$before_fifo" "$(cat /proc/$fifo/cgroup)" "--tree: the SCHED_FIFO child is where it was"
	assert_nothing_left "after a refused --tree"
	kill -KILL "$fifo" "$par"
	wait $par 2>/dev/null || :
fi
