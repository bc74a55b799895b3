#!/bin/bash
# layout: independent
# The notify command gets each action's JSON line on its stdin (the same
# object as the action log's); a rule's notify that hangs is killed after
# 5 s, and meanwhile the rules go on (other banned programs are killed at
# once and notified); the hang is reported.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"

make_user; A=$U_NAME AU=$U_UID
mkdir -p "$TMPD/bin"; chmod 755 "$TMPD/bin"
for n in one two; do cp /bin/sleep "$TMPD/bin/$n$CGK_TAG"; chmod 755 "$TMPD/bin/$n$CGK_TAG"; done
cat >"$TMPD/notify.sh" <<EOT
#!/bin/sh
cat >>"$TMPD/notified"
echo >>"$TMPD/notified"
EOT
cat >"$TMPD/hang.sh" <<EOT
#!/bin/sh
echo \$\$ >>"$TMPD/hang.pids"
cat >"$TMPD/hang.in"
exec sleep 60
EOT
chmod 755 "$TMPD/notify.sh" "$TMPD/hang.sh"
on_exit 'for p in $(cat "$TMPD/hang.pids" 2>/dev/null); do kill -KILL $p 2>/dev/null; done'
write_rules "notify: $TMPD/notify.sh" <<EOT
rules:
  - name: $CGK_TAG-one
    match: {users: ["$AU"], commands: [one$CGK_TAG]}
    penalties: [{kill: KILL}]
  - name: $CGK_TAG-two
    match: {users: ["$AU"], commands: [two$CGK_TAG]}
    penalties: [{kill: KILL}]
    notify: $TMPD/hang.sh
EOT
cgkitd_start
runs() { "$AS_USER" "$AU" "$TMPD/bin/$1$CGK_TAG" 3 & local p=$!; track_pid $p; wait $p; }

runs two; assert_eq 137 "$?" "two is killed"
wait_until 2 '[ -s "$TMPD/hang.pids" ]' >/dev/null || fail "the rule's notify (hang.sh) was not run"
hang=$(head -1 "$TMPD/hang.pids"); t0=$(date +%s.%N)
ok "hang.sh runs (pid $hang), and hangs"
for i in 1 2 3; do
	t1=$(date +%s.%N)
	runs one; assert_eq 137 "$?" "meanwhile, one is killed (run $i)"
	fle "$(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" 1 || fail "run $i of one lived over 1 s while notify hangs"
done
wait_until 2 '[ "$(grep -c "\"action\": *\"kill\"" "$TMPD/notified" 2>/dev/null)" -ge 3 ]' >/dev/null || fail "notify.sh did not get 3 kill lines: $(cat "$TMPD/notified" 2>&1)"
ok "the top-level notify got a line for each of the 3 kills while the other hangs"
python3 - "$TMPD/notified" "$CGK_LOG" "$TMPD/hang.in" <<'PY' || fail "notified lines differ from the log's"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
log = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
for g in got:
    assert g in log, "notified %r is not a log line" % g
    # each kill, and the release when the killed process is gone (its
    # penalty lasted as long as it ran)
    assert g["action"] in ("kill", "release") and g["rule"].endswith("-one"), g
h = json.loads(open(sys.argv[3]).read())
assert h in log and h["rule"].endswith("-two"), h
PY
ok "each notified line is the action's log line (JSON, one object)"
t=$(wait_until 8 "! kill -0 $hang 2>/dev/null") || fail "the hanging notify (pid $hang) is alive after 8 s"
el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
fle 4.3 "$el" || fail "the hanging notify was killed after ${el}s, before its 5 s"
ok "the hanging notify was killed ${el}s after it started (limit 5 s)"
grep -qi "notify\|hang.sh" "$CGK_OUT" "$CGK_LOG" || fail "the notify failure is not reported on stderr or in the log"
ok "the notify failure is reported"
cgkitd_alive
