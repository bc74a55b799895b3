#!/bin/bash
# cgkitd, scope process: a rule moves only the hog (every thread of it, and a
# child it forks after the move) into PARENT/penalty/RULE/PID with the
# penalty's cap; the same user's other process stays in the user's group;
# when the penalty runs out every one of them goes back to the user's group
# and the penalty group is removed.
# Durations are scaled under emulation (lib-cgkitd.sh's sc).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user; A=$U_NAME AU=$U_UID
R=$CGK_TAG-big
write_rules <<EOT
users:
  uids: ["$AU"]
  limits:
    cpu: {max: 150%}
rules:
  - name: $R
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: $(sc 1)s}
    penalties:
      - {cpu: {max: 20%}, for: $(sc 3)s}
EOT
cgkitd_start
UREL=$(rel_of "users/$A" cpu)

# two spinning threads; after the move it forks an idle child and says so;
# once back (released) it stops spinning
cat >"$TMPD/hog.py" <<'PY'
import os, sys, threading, time
stop = False
def spin():
    while not stop:
        pass
for _ in range(2):
    threading.Thread(target=spin, daemon=True).start()
while "penalty" not in open("/proc/self/cgroup").read():
    time.sleep(0.05)
pid = os.fork()
if pid == 0:
    while True:
        time.sleep(1)
print(pid, flush=True)
while "penalty" in open("/proc/self/cgroup").read():
    time.sleep(0.05)
stop = True     # released: no second offence while the test looks
while True:
    time.sleep(1)
PY
chmod 644 "$TMPD/hog.py"
"$AS_USER" "$AU" sleep 60 &
other=$!; track_pid $other
"$AS_USER" "$AU" python3 "$TMPD/hog.py" >"$TMPD/child" &
hog=$!; track_pid $hog
wait_until "$(sc 3)" '[ "$(group_of $hog cpu)" = "$UREL" ] && [ "$(group_of $other cpu)" = "$UREL" ]' >/dev/null ||
	fail "not classified into $UREL: hog $(group_of $hog cpu), other $(group_of $other cpu)"
ok "both processes in the user's group"

PREL=$(rel_of "penalty/$R/$hog" cpu)
t=$(wait_until "$(sc 3)" '[ "$(group_of $hog cpu)" = "$PREL" ]') || fail "the hog was not moved to $PREL within $(sc 3) s: $(group_of $hog cpu)"
ok "the hog moved to $PREL after ${t}s"
assert_eq 20 "$(cpu_cap "$(penalty_dir "$R" "$hog" cpu)")" "cpu cap of the penalty group (percent)"
[ "$(ls /proc/$hog/task | wc -l)" -ge 3 ] || fail "the hog has fewer than 3 threads"
for task in /proc/$hog/task/*; do
	assert_eq "$PREL" "$(cgroup_of cpu <"$task/cgroup")" "thread ${task##*/} of the hog"
done
wait_until "$(sc 2)" '[ -s "$TMPD/child" ]' >/dev/null || fail "the hog did not fork its child"
child=$(cat "$TMPD/child"); track_pid "$child"
wait_until "$(sc 1)" '[ "$(group_of $child cpu)" = "$PREL" ]' >/dev/null || fail "the child forked after the move is in $(group_of $child cpu), not $PREL"
ok "the child forked after the move is in the penalty group"
assert_eq "$UREL" "$(group_of $other cpu)" "the user's other process stays in the user's group"
check_log_fields "e['action'] in ('cap','move') and e['rule']=='$R'" "process penalty"
assert_eq "$hog" "$(jlog "e['action'] in ('cap','move') and e['rule']=='$R'" 'e["pid"]' | head -1)" "pid in the log line"

# released after 3 s: hog, its threads and its child back in the user's group
t=$(wait_until "$(sc 4)" '[ "$(group_of $hog cpu)" = "$UREL" ]') || fail "the hog is not back in $UREL $(sc 4) s after: $(group_of $hog cpu)"
ok "released: the hog is back in the user's group (${t}s)"
for task in /proc/$hog/task/*; do
	# (the spinning threads end once released: a thread gone meanwhile is skipped)
	g=$(cgroup_of cpu <"$task/cgroup" 2>/dev/null) && [ -n "$g" ] || continue
	assert_eq "$UREL" "$g" "after release, thread ${task##*/}"
done
assert_eq "$UREL" "$(group_of $child cpu)" "after release, the child"
assert_eq "$UREL" "$(group_of $other cpu)" "after release, the other process"
wait_until "$(sc 1)" "[ ! -d '$(penalty_dir "$R" "$hog" cpu)' ]" >/dev/null || fail "penalty group $(penalty_dir "$R" "$hog" cpu) left behind after release"
ok "the penalty group is removed after release"
assert_eq 1 "$(jcount "e['action']=='release' and e['rule']=='$R'")" "release lines"
cgkitd_alive
