#!/bin/bash
# layout: independent (what the collector reads on each layout is 50-metrics-textfile's)
# cgkitd's history (issue 14): with `history:` in the rules file, cgkitd
# records every history interval each group's raw sample and every action
# line; read back with the store's reader (tests/integration/hist-reader.c):
# - a `cgrun --cpu 20%` busy loop recorded for 10 s at interval 1s: its
#   group is in every frame, its cpu counter rises at 0.2 +- 0.03 s/s, the
#   frames are 1 s apart;
# - the action log's lines are in the history too (one event a line);
# - a second cgkitd on the same directory: exit 125, naming the first's pid;
# - SIGHUP with another history.dir: the new one is written, the old one no
#   longer; --dry-run records nothing (docs/cgkitd.8, HISTORY).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"
READER="$BUILD/tests/hist-reader"
[ -x "$READER" ] || skip "$READER not built (make integration builds it)"

make_user; AU=$U_UID
mkdir -p "$TMPD/bin"; chmod 755 "$TMPD/bin"
cp /bin/sleep "$TMPD/bin/ban$CGK_TAG"; chmod 755 "$TMPD/bin/ban$CGK_TAG"
H=$TMPD/hist
rules() { # dir
	write_rules "history:" "  dir: $1" "  interval: 1s" "  keep: 1d" "  max: 64M" <<EOT
rules:
  - name: $CGK_TAG-ban
    match: {users: ["$AU"], commands: [ban$CGK_TAG]}
    penalties:
      - {kill: KILL}
EOT
}
rules "$H"

CPUG=$UNIQ-cpu
"$CGRUN" --parent self --name "$CPUG" --cpu 20% -- sh -c 'while :; do :; done' >"$TMPD/cpu.out" 2>&1 &
track_pid $!
sleep 1   # its group made before cgkitd starts: in every frame
cgkitd_start
grep -q "history in $H every 1000 ms" "$CGK_OUT" || fail "no start line for the history: $(tail -5 "$CGK_OUT")"

# an action line: the banned program killed at exec
"$AS_USER" "$AU" "$TMPD/bin/ban$CGK_TAG" 5 &
p=$!; track_pid $p; wait $p
assert_eq 137 "$?" "the banned program is killed (an action line)"

sleep 10
cgkitd_alive

# ---- a second writer ----
expect_status 125 "$CGKITD" -c "$CGK_RULES"
assert_contains "$OUT" "history.dir" "the lock error names the key"
assert_contains "$OUT" "pid $CGK_PID" "and the pid of the writer in force"

# ---- the busy loop, read back ----
"$READER" "$H" group "$CPUG" >"$TMPD/series" || fail "the reader failed: $(cat "$TMPD/series")"
read -r frames first last events groups <<<"$("$READER" "$H" summary | awk '{ print $2, $4, $6, $8, $10 }')"
echo "  history: $frames frames, $groups groups in the last, $events events, $(du -sb "$H" | cut -f1) bytes"
[ "$frames" -ge 10 ] || fail "10.6 s at 1 s: $frames frames"
python3 - "$TMPD/series" <<'PY' || fail "the busy loop's series: $(cat "$TMPD/series")"
import sys
rows = [l.split() for l in open(sys.argv[1])]
have = [(int(t), int(v)) for t, v in rows if v != "-"]
# the group is in every frame after the first that saw it
first = next(i for i, (t, v) in enumerate(rows) if v != "-")
missing = [t for t, v in rows[first:] if v == "-"]
if missing or len(have) < 9:
    print("  the group is missing from frames:", missing, "or seen only", len(have), "times")
    sys.exit(1)
gaps = [b[0] - a[0] for a, b in zip(have, have[1:])]
if min(gaps) < 700000 or max(gaps) > 1500000:
    print("  frames not 1 s apart:", gaps)
    sys.exit(1)
rate = (have[-1][1] - have[0][1]) / 1e9 / ((have[-1][0] - have[0][0]) / 1e6)
print("  ok: the busy loop's cpu counter rose at %.3f s/s over %d frames" % (rate, len(have)))
sys.exit(0 if abs(rate - 0.2) <= 0.03 else 1)
PY

# ---- the action lines ----
nlog=$(wc -l <"$CGK_LOG")
[ "$nlog" -ge 1 ] || fail "the action log is empty"
assert_eq "$nlog" "$events" "every action-log line is an event of the history"

# ---- what cgtop --replay shows of it (cgkitd's own files, not a test writer's) ----
CGTOP="$BUILD/cgtop"
"$CGTOP" -b --json --replay "$H" >"$TMPD/replay.json" 2>"$TMPD/replay.err" ||
	fail "cgtop --replay of cgkitd's history: $(cat "$TMPD/replay.err")"
python3 - "$TMPD/replay.json" "$CPUG" "$nlog" <<'PY' || fail "cgtop --replay: $(head -c 600 "$TMPD/replay.json")"
import json, sys
path, group, nlog = sys.argv[1], sys.argv[2], int(sys.argv[3])
frames = [json.loads(l) for l in open(path) if l.strip()]
cpu = [g["cpu_pct"] for f in frames for g in f["groups"]
       if g["path"].endswith("/" + group) and g["cpu_pct"] is not None]
events = sum(len(f.get("events") or []) for f in frames)
mid = sorted(cpu)[len(cpu) // 2] if cpu else None
print("  ok: cgtop --replay: %d frames, the busy loop at a median %s%% over %d of them, %d events"
      % (len(frames), mid, len(cpu), events))
sys.exit(0 if cpu and len(cpu) >= 8 and abs(mid - 20) <= 3 and events == nlog else 1)
PY

# ---- SIGHUP with another directory ----
H2=$TMPD/hist2
rules "$H2"
kill -HUP "$CGK_PID"
sleep 2.5
cgkitd_alive
grep -q "history in $H2" "$CGK_OUT" || fail "no reopening line after SIGHUP: $(tail -5 "$CGK_OUT")"
f1=$("$READER" "$H" summary | awk '{ print $2 }')
n2=$("$READER" "$H2" summary | awk '{ print $2 }')
[ "${n2:-0}" -ge 2 ] || fail "the new directory has ${n2:-no} frames 2.5 s after SIGHUP"
ok "after SIGHUP the new directory is written ($n2 frames)"
sleep 1.5
f2=$("$READER" "$H" summary | awk '{ print $2 }')
assert_eq "$f1" "$f2" "the old directory is no longer written"
# the old directory's lock is free: a writer may take it
cgkitd_stop
assert_eq 0 "$CGK_RC" "cgkitd ends cleanly with the history on"

# ---- --dry-run records nothing ----
H3=$TMPD/hist3
rules "$H3"
cgkitd_start --dry-run
sleep 1.5
cgkitd_alive
cgkitd_stop
[ ! -e "$H3" ] || fail "a dry run made the history directory $H3"
grep -q "dry run: the history is not recorded" "$CGK_OUT" || fail "the dry run does not say it records nothing"
ok "a dry run records nothing, and says so"
