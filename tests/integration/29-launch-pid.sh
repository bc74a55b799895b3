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
