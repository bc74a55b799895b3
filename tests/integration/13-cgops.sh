#!/bin/bash
# The cgroup-operations layer (src/cgroup/cgops.h) on real cgroups, through
# build/tests/cgops-driver: a process with 3 threads and a child moves with
# all of them into a test group in every hierarchy and back (a stale start
# time moves nothing), freeze stops its CPU time and thaw starts it again,
# signal-all reaches each process, kill-all empties the group, and remove
# waits for it, or says what is still inside.
. "$(dirname "$0")/../lib.sh"
DRIVER="$BUILD/tests/cgops-driver"
[ -x "$DRIVER" ] || fail "$DRIVER not built (make $DRIVER)"
command -v python3 >/dev/null || skip "python3 needed for a multi-threaded process"

# The hierarchies cgkit uses on this host: "kind:mount:ctrl" each.
HIERS=()
declare -A seen
for c in cpu cpuacct memory blkio cpuset pids freezer; do
	m=$(cg_mount "$c")
	[ -n "$m" ] && ! cg_on_v2 "$c" && [ -z "${seen[$m]:-}" ] || continue
	seen[$m]=1
	HIERS+=("v1:$m:$c")
done
unified=$(awk '$0 ~ / - cgroup2 / { print $5 }' /proc/self/mountinfo | head -1)
[ -n "$unified" ] && HIERS+=("v2:$unified:-")
[ ${#HIERS[@]} -gt 0 ] || skip "no cgroup hierarchy mounted"

# own_dir KIND:MOUNT:CTRL -> this test's own group in that hierarchy
own_dir() {
	local kind=${1%%:*} rest=${1#*:} mount ctrl rel
	mount=${rest%%:*}; ctrl=${rest#*:}
	if [ "$kind" = v2 ]; then
		rel=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	else
		rel=$(awk -F: -v c="$ctrl" '{ n=split($2, o, ","); for (i=1;i<=n;i++) if (o[i]==c) print $3 }' /proc/self/cgroup)
	fi
	echo "$mount${rel%/}"
}
# specs SUFFIX -> the driver's HIER arguments for group $UNIQ-SUFFIX ("" = our own)
specs() {
	local h d
	for h in "${HIERS[@]}"; do
		d=$(own_dir "$h")
		[ -n "$1" ] && d="$d/$UNIQ-$1"
		echo "$h:$d"
	done
}
make_group() { # suffix
	local h d
	for h in "${HIERS[@]}"; do
		d="$(own_dir "$h")/$UNIQ-$1"
		mkdir "$d" || fail "mkdir $d"
		case $h in *:cpuset)   # v1 cpuset starts empty
			cat "$(own_dir "$h")/cpuset.cpus" >"$d/cpuset.cpus"
			cat "$(own_dir "$h")/cpuset.mems" >"$d/cpuset.mems" ;;
		esac
	done
}
# Is every thread of these pids in group SUFFIX ("" = ours) in every hierarchy?
all_in() { # suffix pid...
	local suffix=$1 p t h want got kind ctrl rest; shift
	for p in "$@"; do
		for t in /proc/"$p"/task/*; do
			for h in "${HIERS[@]}"; do
				want=$(own_dir "$h"); want=${want#"${h#*:}"}
				kind=${h%%:*}; rest=${h#*:}; ctrl=${rest#*:}; want=${want#"${rest%%:*}"}
				[ -n "$suffix" ] && want="$want/$UNIQ-$suffix"
				if [ "$kind" = v2 ]; then
					got=$(awk -F: '$1 == "0" { print $3 }' "$t/cgroup")
				else
					got=$(awk -F: -v c="$ctrl" '{ n=split($2, o, ","); for (i=1;i<=n;i++) if (o[i]==c) print $3 }' "$t/cgroup")
				fi
				[ "${got%/}" = "${want%/}" ] || { echo "thread ${t##*/} of $p in $h: $got, not $want"; return 1; }
			done
		done
	done
}
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/"$1"/stat; }
start_of() { awk '{ sub(/.*\) /, ""); print $20 }' /proc/"$1"/stat; }

on_exit 'for h in "${HIERS[@]}"; do for p in $(cat "$(own_dir "$h")/$UNIQ-a/cgroup.procs" 2>/dev/null); do echo $p >"$(own_dir "$h")/cgroup.procs"; done; done 2>/dev/null'
make_group a

# 3 threads (one burns a little CPU), and a child
PROG='import threading, time, os
def idle():
    time.sleep(120)
def busy():
    while True:
        sum(range(3000)); time.sleep(0.002)
threading.Thread(target=idle, daemon=True).start()
threading.Thread(target=busy, daemon=True).start()
if os.fork() == 0:
    time.sleep(120); os._exit(0)
print("ready", flush=True)
time.sleep(120)'
python3 -c "$PROG" >"$TMPD/py.out" &
py=$!; track_pid $py
for _ in $(seq 100); do grep -q ready "$TMPD/py.out" 2>/dev/null && break; sleep 0.05; done
child=$(cat /proc/$py/task/$py/children); child=${child% }
track_pid "$child"
assert_eq 3 "$(ls /proc/$py/task | wc -l)" "the process has 3 threads"
[ -n "$child" ] || fail "no child process"

out=$("$DRIVER" move $py start=1 -- $(specs a) 2>&1) || fail "move with a stale start time: $out"
assert_eq "moved 0" "$out" "a pid whose start time changed is not touched"
all_in "" $py $child >/dev/null || fail "the stale move moved something"

# v1: threads can be apart; put one in a group of ours first
if [ "${HIERS[0]%%:*}" = v1 ]; then
	make_group other
	tid=$(ls /proc/$py/task | grep -vx "$py" | head -1)
	echo "$tid" >"$(own_dir "${HIERS[0]}")/$UNIQ-other/tasks" || fail "moving thread $tid apart"
fi

out=$("$DRIVER" move $py tree rollback start="$(start_of $py)" -- $(specs a) 2>&1) || fail "move: $out"
assert_eq "moved 2" "$out" "the process and its child moved"
why=$(all_in a $py $child) || fail "$why"
ok "every thread of both is in $UNIQ-a in ${#HIERS[@]} hierarchies"

listed=$("$DRIVER" list -- $(specs a) | sort -n | tr '\n' ' ')
assert_eq "$(printf '%s\n' $py $child | sort -n | tr '\n' ' ')" "$listed" "list: both processes"
assert_eq 4 "$("$DRIVER" list threads -- $(specs a) | wc -l)" "list threads: 3 + 1"

out=$("$DRIVER" move $py tree -- $(specs "") 2>&1) || fail "move back: $out"
assert_eq "moved 2" "$out" "moved back"
why=$(all_in "" $py $child) || fail "$why"
ok "every thread is back in our own group"
"$DRIVER" move $py tree -- $(specs a) >/dev/null || fail "moving in again"

# freeze: no CPU time accrues while frozen
"$DRIVER" freeze -- $(specs a) || fail "freeze"
assert_eq 1 "$("$DRIVER" frozen -- $(specs a))" "frozen"
t0=$(cpu_ticks $py); sleep 0.6; t1=$(cpu_ticks $py)
assert_eq "$t0" "$t1" "no CPU time while frozen"
"$DRIVER" thaw -- $(specs a) || fail "thaw"
assert_eq 0 "$("$DRIVER" frozen -- $(specs a))" "thawed"
for _ in $(seq 40); do [ "$(cpu_ticks $py)" -gt "$t1" ] && break; sleep 0.1; done
[ "$(cpu_ticks $py)" -gt "$t1" ] || fail "no CPU time after the thaw"
ok "CPU time again after the thaw"

# v1's freezer on its own (a hybrid host above froze through cgroup.freeze)
for h in "${HIERS[@]}"; do
	[ "$h" = "v1:$(cg_mount freezer):freezer" ] || continue
	fz="$h:$(own_dir "$h")/$UNIQ-a"
	"$DRIVER" freeze -- "$fz" || fail "v1 freeze"
	assert_eq FROZEN "$(cat "$(own_dir "$h")/$UNIQ-a/freezer.state")" "v1 freezer.state"
	t0=$(cpu_ticks $py); sleep 0.6; t1=$(cpu_ticks $py)
	assert_eq "$t0" "$t1" "no CPU time while frozen by the v1 freezer"
	"$DRIVER" thaw -- "$fz" || fail "v1 thaw"
	assert_eq THAWED "$(cat "$(own_dir "$h")/$UNIQ-a/freezer.state")" "v1 thawed"
done

# signal-all: SIGSTOP to both, then SIGCONT
assert_eq "sent 2 gone 0 denied 0" "$("$DRIVER" signal 19 -- $(specs a))" "SIGSTOP sent to each process"
for _ in $(seq 40); do
	[ "$(awk '{ sub(/.*\) /, ""); print $1 }' /proc/$child/stat)" = T ] && break; sleep 0.05
done
assert_eq T "$(awk '{ sub(/.*\) /, ""); print $1 }' /proc/$child/stat)" "the child is stopped"
"$DRIVER" signal 18 -- $(specs a) >/dev/null || fail "SIGCONT"

# kill-all, then remove and wait
"$DRIVER" kill -- $(specs a) || fail "kill-all"
assert_eq "" "$("$DRIVER" list recursive -- $(specs a))" "the group is empty after kill-all"
{ wait $py; } 2>/dev/null
"$DRIVER" remove -- $(specs a) || fail "remove"
for h in "${HIERS[@]}"; do
	[ ! -d "$(own_dir "$h")/$UNIQ-a" ] || fail "$(own_dir "$h")/$UNIQ-a is still there"
done
ok "the group is gone in every hierarchy"

# remove of a busy group gives up in bounded time and says who is inside
make_group b
sleep 60 &
s=$!; track_pid $s
"$DRIVER" move $s -- $(specs b) >/dev/null || fail "moving sleep in"
start=$(date +%s%N)
expect_status 1 "$DRIVER" remove -- $(specs b)
assert_contains "$OUT" "1 process (pid $s)" "the refusal names the process inside"
[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 20000 ] || fail "remove waited too long"
"$DRIVER" kill -- $(specs b) || fail "kill-all b"
{ wait $s; } 2>/dev/null
"$DRIVER" remove -- $(specs b) || fail "remove b"
ok "removed once empty"
