#!/bin/bash
# cgkitd, levels: a memory grower (80M held) and a fork storm (60 sleeping
# processes) of one user are each caught by their scope-user rule, over the
# threshold at every sample of `for`, and the penalty is in the kernel's
# files (memory limit, pids.max); on cgroup v2 a memory pressure rule fires
# too (under a base memory.high the grower is held below; on v1 and hybrid
# hosts that part is skipped, with the reason).
# Durations are scaled under emulation (lib-cgkitd.sh's sc).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount memory)" ] || skip "no memory controller"
[ -n "$(cg_mount pids)" ] || skip "no pids controller"

make_user; A=$U_NAME AU=$U_UID
V2=""
cg_on_v2 memory && [ -f "$(self_dir memory)/memory.pressure" ] && V2=1
PR=""
if [ -n "$V2" ]; then
	HIGH="    memory: {max: 512M, high: 64M}"
	PR="  - name: $CGK_TAG-psi
    scope: user
    match: {users: [\"$AU\"]}
    when: {pressure: {memory: 2%}, for: $(sc 1)s}
    penalties:
      - {cpu: {max: 50%}, for: 1m}"
else
	HIGH="    memory: {max: 512M}"
	echo "  note: $(cg_mode) memory controller: no memory.pressure, the pressure rule is not tried here"
fi
write_rules <<EOT
users:
  uids: ["$AU"]
  limits:
$HIGH
    pids: {max: 1000}
rules:
  - name: $CGK_TAG-mem
    scope: user
    match: {users: ["$AU"]}
    when: {memory: 40M, for: $(sc 1)s}
    penalties:
      - {memory: {max: 300M}, for: 1m}
  - name: $CGK_TAG-fork
    scope: user
    match: {users: ["$AU"]}
    when: {tasks: 40, for: $(sc 1)s}
    penalties:
      - {pids: {max: 50}, for: 1m}
$PR
EOT
cgkitd_start
MD=$(user_dir "$A" memory); PD=$(user_dir "$A" pids)

"$AS_USER" "$AU" python3 -c 'import time
b = bytearray(80 << 20)
for i in range(0, len(b), 4096):
    b[i] = 1
time.sleep(60)' &
grower=$!; track_pid $grower
"$AS_USER" "$AU" bash -c 'for i in $(seq 60); do sleep 60 & done; wait' &
storm=$!; track_pid $storm

t=$(wait_until "$(sc 4)" '[ "$(mem_max "$MD" 2>/dev/null)" = 314572800 ]') ||
	fail "memory: no 300M limit on $MD within $(sc 4) s ($(mem_max "$MD" 2>&1)); log: $(tail -3 "$CGK_LOG")"
ok "memory grower caught: the user's group is limited to 300M (${t}s)"
m=$(jlog "e['action']=='cap' and e['rule']=='$CGK_TAG-mem'" 'e["measures"]["memory"]' | head -1)
[ -n "$m" ] && [ "$m" -gt $((40 << 20)) ] || fail "measures.memory of the cap line is '$m', want bytes over 40M"
ok "measures.memory = $m bytes"
t=$(wait_until "$(sc 4)" '[ "$(cat "$PD/pids.max" 2>/dev/null)" = 50 ]') || fail "fork storm: pids.max of $PD is $(cat "$PD/pids.max" 2>&1), want 50"
ok "fork storm caught: pids.max 50 (${t}s)"
n=$(jlog "e['action']=='cap' and e['rule']=='$CGK_TAG-fork'" 'e["measures"]["tasks"]' | head -1)
[ -n "$n" ] && [ "$n" -gt 40 ] || fail "measures.tasks of the cap line is '$n', want over 40"
ok "measures.tasks = $n"
if [ -n "$V2" ]; then
	t=$(wait_until "$(sc 5)" "[ \$(jcount 'e[\"action\"]==\"cap\" and e[\"rule\"]==\"$CGK_TAG-psi\"') -ge 1 ]") ||
		fail "pressure rule did not fire within $(sc 5) s; memory.pressure: $(cat "$MD/memory.pressure")"
	ok "pressure rule fired (${t}s): $(jlog "e['action']=='cap' and e['rule']=='$CGK_TAG-psi'" 'json.dumps(e["measures"])' | head -1)"
	assert_eq 50 "$(cpu_cap "$(user_dir "$A" cpu)")" "the pressure rule's cap on the user's group"
else
	echo "  SKIP (part): pressure rules need cgroup v2 (this host is $(cg_mode))"
fi
cgkitd_alive
