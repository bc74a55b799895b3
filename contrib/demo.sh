#!/bin/sh
# make demo: the seed's experiment. A busy loop launched with cgrun under
# profiles/demo.yaml (cpu.max 20%, in its own pid, mount and uts namespaces,
# below this shell's own cgroup) is held at 20% of one cpu, shown live in
# cgtop (batch frames when there is no terminal), then stopped; cgrun reports
# what it used and leaves nothing behind.
set -eu
BUILD=${BUILD:-build}
CGRUN=$BUILD/cgrun
CGTOP=$BUILD/cgtop
P=profiles/demo.yaml
SECS=${DEMO_SECONDS:-8}
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (it creates a cgroup)" >&2
	exit 1
fi

echo "== what applying $P does on this host (cgrun --plan)"
$CGRUN --plan -p $P
echo

echo "== cgrun -p $P --stats -- sh -c 'while :; do :; done'"
$CGRUN -p $P --stats -- sh -c 'echo "  in the workload: hostname $(hostname), pid $$"; while :; do :; done' &
cgrun_pid=$!
trap 'kill -TERM $cgrun_pid 2>/dev/null; wait $cgrun_pid 2>/dev/null' EXIT INT TERM HUP PIPE
sleep 1

# the demo group, relative to the cpu hierarchy (v1) or the unified tree (v2)
rel=$(awk -F: '$2 == "cpu" || $2 ~ /(^|,)cpu(,|$)/ { print $3; exit }' /proc/self/cgroup)
[ -n "$rel" ] || rel=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
group=${rel%/}/demo
fields=tasks,cpu,throttled,cpu_limit,mem,mem_limit,pids,pids_limit
if [ -t 1 ]; then
	echo "== cgtop -p $group (live for ${SECS}s; q quits early)"
	sleep 1
	$CGTOP -p "$group" -f "$fields" -n "$SECS" -d 1 || true
else
	echo "== cgtop -b -p $group -n $SECS (no terminal: batch frames)"
	$CGTOP -b -p "$group" -f "$fields" -n "$SECS" -d 1 | grep -v '^$' || true
fi
echo

echo "== stopping the workload (SIGTERM to cgrun, forwarded to the loop)"
kill -TERM $cgrun_pid
rc=0
wait $cgrun_pid || rc=$?
trap - EXIT INT TERM HUP PIPE
echo "cgrun exited $rc (128+15: the loop died of SIGTERM)"
left=$(find /sys/fs/cgroup -maxdepth 6 -type d -path "*$group" 2>/dev/null | head -3)
if [ -z "$left" ]; then
	echo "nothing left behind: no $group in any hierarchy"
else
	echo "left behind: $left" >&2
	exit 1
fi
