#!/bin/bash
# Signals sent to cgrun (INT TERM HUP QUIT USR1 USR2 WINCH CONT) reach the
# workload, with the tiny init in between or without a pid namespace;
# --no-init: TERM to a pid 1 that ignores it is followed by SIGKILL after
# --stop-timeout; SIGKILL of cgrun kills the workload.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"
set -m   # background jobs keep INT and QUIT (a non-interactive shell ignores them)

SIGS="INT TERM HUP QUIT USR1 USR2 WINCH CONT"
TRAPS='for s in '"$SIGS"'; do trap "echo got-$s" $s; done; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done'

for ns in "[]" "[pid, mount]"; do
	P=$(make_profile a "name: $UNIQ-a" "parent: self" "pids: {max: 50}" "namespaces: $ns")
	rm -f "$TMPD/out"
	"$CGRUN" -p "$P" -- sh -c "$TRAPS" >"$TMPD/out" &
	cg=$!; track_pid $cg
	for i in $(seq 100); do grep -q ready "$TMPD/out" 2>/dev/null && break; sleep 0.05; done
	for s in $SIGS; do kill -"$s" $cg; sleep 0.15; done
	wait $cg
	assert_eq 0 $? "namespaces $ns: the workload handled them all and exited 0"
	# (a shell runs the traps of signals that arrived together in signal
	# number order: compare the sets)
	got=$(grep -o 'got-[A-Z0-9]*' "$TMPD/out" | sort | tr '\n' ' ')
	want=$(for s in $SIGS; do echo "got-$s"; done | sort | tr '\n' ' ')
	assert_eq "$want" "$got" "namespaces $ns: every signal forwarded"

	# A workload with no handler dies of the forwarded signal: 128+N.
	for s in INT TERM HUP; do
		"$CGRUN" -p "$P" -- sleep 30 &
		cg=$!; track_pid $cg
		wait_launched "$(group_dir pids a)" || fail "setup: the launch did not start"
		kill -"$s" $cg; wait $cg; rc=$?
		assert_eq $((128 + $(kill -l "$s"))) "$rc" "namespaces $ns: SIG$s stops a workload with no handler"
	done

	# SIGKILL of cgrun: the workload dies too.
	"$CGRUN" -p "$P" -- sh -c 'exec sleep 60' &
	cg=$!; track_pid $cg
	wait_launched "$(group_dir pids a)" || fail "setup: the launch did not start"
	pids=$(cat "$(group_dir pids a)"/run-*/cgroup.procs)
	[ -n "$pids" ] || fail "workload not found in its leaf"
	for p in $pids; do track_pid "$p"; done
	kill -KILL $cg; wait $cg 2>/dev/null
	for i in $(seq 40); do alive=""; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done; [ -z "$alive" ] && break; sleep 0.05; done
	[ -z "$alive" ] || fail "namespaces $ns: $alive outlived a SIGKILLed cgrun"
	ok "namespaces $ns: SIGKILL of cgrun kills the workload ($(echo $pids))"
	rm -f "$TMPD/wpid"
	# what the killed cgrun left, --gc removes
	"$CGRUN" --gc -p "$P" >/dev/null || fail "--gc failed"
	assert_nothing_left "namespaces $ns: after --gc"
done

# The pid namespace's init takes everything down with it, grandchildren too.
P=$(make_profile b "name: $UNIQ-b" "parent: self" "pids: {max: 50}" "namespaces: [pid, mount]")
"$CGRUN" -p "$P" -- sh -c 'sleep 61 & sleep 61 & wait' &
cg=$!; track_pid $cg
wait_launched "$(group_dir pids b)" || fail "setup: the launch did not start"
sleep 0.3   # and sh has started both sleeps
pids=$(cat "$(group_dir pids b)"/run-*/cgroup.procs)
for p in $pids; do track_pid "$p"; done
assert_eq 3 "$(echo $pids | wc -w)" "sh and two grandchildren in the leaf"
# the tiny init (cgrun's child) stays out of the leaf, so that cgrun can
# remove the leaf while init and its namespace go away
init=$(tr -d " \n" <"/proc/$cg/task/$cg/children")
[ -n "$init" ] || fail "no init below cgrun"
track_pid "$init"
assert_not_contains "$pids" "$init" "init is not in the leaf"
assert_eq "cgrun-init" "$(cat "/proc/$init/comm")" "cgrun's child is the init"
pids="$pids $init"
kill -KILL $cg; wait $cg 2>/dev/null
for i in $(seq 40); do alive=""; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done; [ -z "$alive" ] && break; sleep 0.05; done
[ -z "$alive" ] || fail "$alive outlived cgrun's pid namespace"
ok "SIGKILL of cgrun: the pid namespace's grandchildren die too"
"$CGRUN" --gc -p "$P" >/dev/null
assert_nothing_left "after --gc"

# --no-init: pid 1 with no handler ignores TERM; cgrun kills it after the timeout.
"$CGRUN" -p "$P" --no-init --stop-timeout 1 -- sleep 30 &
cg=$!; track_pid $cg
wait_launched "$(group_dir pids b)" || fail "setup: the launch did not start"
start=$(date +%s%N)
kill -TERM $cg; wait $cg; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 137 "$rc" "--no-init: SIGKILL after --stop-timeout"
[ "$ms" -ge 1000 ] && [ "$ms" -lt 4000 ] || fail "--stop-timeout 1 took ${ms} ms"
ok "--no-init: stopped about 1 s after TERM (${ms} ms after it)"
# a pid 1 that handles TERM exits by itself
expect_status 0 "$CGRUN" -p "$P" --no-init -- sh -c 'trap "exit 0" TERM; kill -TERM $$; sleep 5'
assert_nothing_left "after the signal launches"

# Without a pid namespace, what the command leaves running is killed at exit.
P=$(make_profile d "name: $UNIQ-d" "parent: self" "pids: {max: 60}")
expect_status 0 "$CGRUN" -p "$P" -- sh -c "sleep 60 & echo \$! > $TMPD/daemon"
d=$(cat "$TMPD/daemon"); track_pid "$d"
for i in $(seq 40); do kill -0 "$d" 2>/dev/null || break; sleep 0.05; done
kill -0 "$d" 2>/dev/null && fail "the command's background process $d survived cgrun's exit"
ok "a background process left in the leaf is killed at exit"
# ... also one that keeps forking (killed rounds, then frozen and killed)
expect_status 0 "$CGRUN" -p "$P" -- sh -c '(while :; do sleep 0.01 & done) >/dev/null 2>&1 & sleep 0.3; exit 0'
assert_nothing_left "after a forking leftover"
