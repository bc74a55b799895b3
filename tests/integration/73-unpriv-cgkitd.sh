#!/bin/bash
# cgkitd's client commands as a normal user (issue 15): `status` shows the
# user's own penalties and offences only (another user's, in the same state
# file, are not shown), and `explain --pid` explains the user's own processes
# and refuses others'. Black-box: a state file as cgkitd writes it.
# layout: independent (the client commands read the state file and /proc)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-unpriv.sh"

CGKITD="$BUILD/cgkitd"
[ -x "$CGKITD" ] || skip "$CGKITD not built"
make_user
mkdir -p "$TMPD/state"
cat >"$TMPD/rules.yaml" <<EOT
interval: 200ms
parent: self
state: $TMPD/state
log: $TMPD/actions.jsonl
rules:
  - name: $UNIQ-r
    match: {users: ["$U_UID"]}
    when: {cpu: 30%, for: 1s}
    penalties:
      - {cpu: {max: 20%}, for: 1h}
EOT
now=$(($(date +%s) * 1000000))
entry() { # uid name
	printf '{"rule": "%s", "scope": "user", "uid": %s, "pid": 0, "start": 0, "count": 1, "last_offence": %s, "forgive_from": %s, "penalty": {"offence": 1, "index": 0, "kind": 1, "since": %s, "until": %s, "gone": false, "actor": null}}' \
		"$2" "$1" "$now" "$now" "$now" $((now + 3600000000))
}
cat >"$TMPD/state/state.json" <<EOT
{"version": 1, "saved_us": $now, "offenders": [$(entry "$U_UID" "$UNIQ-mine"), $(entry 0 "$UNIQ-roots")]}
EOT
chmod 644 "$TMPD/state/state.json"
expect_status 0 "$CGKITD" status -c "$TMPD/rules.yaml"
assert_contains "$OUT" "$UNIQ-roots" "root sees every penalty (the state file is read)"
OUT=$("$AS_USER" "$U_UID" "$CGKITD" status -c "$TMPD/rules.yaml" 2>&1) || fail "status as the user: $OUT"
assert_contains "$OUT" "$UNIQ-mine" "the user sees their own penalty"
assert_not_contains "$OUT" "$UNIQ-roots" "the user does not see another user's penalty"
OUT=$("$AS_USER" "$U_UID" "$CGKITD" status --json -c "$TMPD/rules.yaml" 2>&1) || fail "status --json as the user: $OUT"
assert_not_contains "$OUT" "$UNIQ-roots" "nor in status --json"

sleep 30 &
rp=$!; track_pid $rp
"$AS_USER" "$U_UID" sleep 30 &
up=$!; track_pid $up
# $! is the as-user script until it has exec'd setpriv and sleep: wait for the uid
for _ in $(seq 100); do [ "$(stat -c %u "/proc/$up" 2>/dev/null)" = "$U_UID" ] && break; sleep 0.02; done
OUT=$("$AS_USER" "$U_UID" "$CGKITD" explain --pid "$up" -c "$TMPD/rules.yaml" 2>&1) || fail "explain of the user's own process: $OUT"
assert_contains "$OUT" "rule $UNIQ-r" "explain shows the user's own process"
OUT=$("$AS_USER" "$U_UID" "$CGKITD" explain --pid "$rp" -c "$TMPD/rules.yaml" 2>&1); rc=$?
[ "$rc" -ne 0 ] || fail "explain of root's process as the user succeeded: $OUT"
assert_contains "$OUT" "pid $rp is not yours" "explain refuses another user's process"
assert_not_contains "$OUT" "cgroups:" "and shows nothing of it"
