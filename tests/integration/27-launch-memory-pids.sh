#!/bin/bash
# memory.max 64M against a process touching 200 MB: exit 137 and the OOM
# message, read from the leaf's OOM counter before the leaf is removed;
# pids.max 20 against a bounded fork loop: forks fail, the host is fine,
# cgrun returns; --stats prints what it measured.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

TOUCH='import sys
b = bytearray(200 * 1024 * 1024)
for i in range(0, len(b), 4096):
    b[i] = 1
print("survived")'

command -v python3 >/dev/null || skip "python3 needed to touch memory"
for ns in "[]" "[pid]"; do
	P=$(make_profile a "name: $UNIQ-a" "parent: self" "memory: {max: 64M, swap: 0}" "namespaces: $ns")
	expect_status 137 "$CGRUN" --stats -p "$P" -- python3 -c "$TOUCH"
	assert_not_contains "$OUT" "survived" "namespaces $ns: the 200 MB process did not survive"
	assert_contains "$OUT" "cgrun: $UNIQ-a: killed by the OOM killer: memory.max 64M reached" "namespaces $ns: the OOM message"
	assert_contains "$OUT" "oom kills:       1" "namespaces $ns: --stats counts the OOM kill"
	peak=$(echo "$OUT" | sed -n 's/.*memory peak: *\([0-9.]*\) MiB/\1/p')
	awk -v p="$peak" 'BEGIN { exit !(p > 32 && p <= 64.5) }' || fail "memory peak '$peak' MiB not near the 64M limit"
	ok "namespaces $ns: memory peak ${peak} MiB, at the limit"
	assert_nothing_left "namespaces $ns: after the OOM kill"
done

# Under the limit: no message, exit 0.
P=$(make_profile b "name: $UNIQ-b" "parent: self" "memory: {max: 256M}")
expect_status 0 "$CGRUN" -p "$P" -- python3 -c "$TOUCH"
assert_contains "$OUT" "survived" "200 MB fits under 256M"
assert_not_contains "$OUT" "OOM" "no OOM message when there was none"

# A command that exits 137 by itself is not reported as an OOM kill.
expect_status 137 "$CGRUN" -p "$P" -- sh -c 'kill -KILL $$'
assert_not_contains "$OUT" "OOM" "a plain SIGKILL is not called an OOM kill"

# pids.max 20 against a bounded fork loop (100 sleepers at most).
P=$(make_profile c "name: $UNIQ-c" "parent: self" "pids: {max: 20}" "cpu: {max: 50%}")
start=$(date +%s)
FORKS='import os, time
ok = failed = 0
for i in range(100):
    try:
        pid = os.fork()
    except OSError:
        failed += 1
        continue
    if pid == 0:
        time.sleep(1)
        os._exit(0)
    ok += 1
print("forked=%d failed=%d" % (ok, failed))
for _ in range(ok):
    os.wait()'
expect_status 0 "$CGRUN" --stats -p "$P" -- python3 -c "$FORKS"
echo "$OUT" | grep -E "forked|pids peak" | sed 's/^/    /'
forked=$(echo "$OUT" | sed -n 's/^forked=\([0-9]*\) .*/\1/p')
failed=$(echo "$OUT" | sed -n 's/.* failed=\([0-9]*\)$/\1/p')
[ -n "$forked" ] && [ "$forked" -le 19 ] || fail "the fork loop forked '$forked' under pids.max 20"
ok "pids.max 20: $forked forks succeeded (19 + python itself = 20)"
[ "${failed:-0}" -ge 81 ] || fail "only '$failed' forks failed"
ok "the other $failed forks failed"
assert_contains "$OUT" "pids peak:       20" "--stats: pids peak at the limit"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "cgrun took too long to return"
ok "cgrun returned; the host is fine ($(cat /proc/loadavg | cut -d' ' -f1) load)"
assert_nothing_left "after the pids launch"
