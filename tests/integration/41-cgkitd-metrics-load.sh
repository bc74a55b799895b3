#!/bin/bash
# layout: independent (the HTTP side's limits and the loop's independence from it)
# cgkitd's /metrics never holds up the rules (issue 12): with slow clients
# (sockets that connect and send nothing, a request sent byte by byte) and
# 100 scrapes in parallel, again and again, a banned program is still killed
# at once and a rule at exec still caps its program; afterwards a scrape
# still answers, and the idle sockets were closed by the server.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
. "$(dirname "$0")/lib-metrics.sh"

make_user; AU=$U_UID
BIN=$TMPD/bin; mkdir -p "$BIN"; chmod 755 "$BIN"
cp /bin/sleep "$BIN/ban$CGK_TAG"; chmod 755 "$BIN"/*
R=$CGK_TAG-ban
write_rules "$(metrics_head)" <<EOT
rules:
  - name: $R
    match: {users: ["$AU"], commands: [ban$CGK_TAG]}
    penalties:
      - {kill: KILL}
EOT
cgkitd_start

# the load: 20 idle sockets, one request dribbled a byte a second, and 100
# threads scraping back to back until told to stop
python3 - "$MPORT" "$TMPD/stop" >"$TMPD/load.out" 2>&1 <<'PY' &
import os, socket, sys, threading, time, urllib.request
port, stop = int(sys.argv[1]), sys.argv[2]
idle = []
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    idle.append(s)
def dribble():
    s = socket.create_connection(("127.0.0.1", port))
    for b in b"GET /metrics HTTP/1.1\r\nHost: x\r\n":
        if os.path.exists(stop):
            return
        try:
            s.send(bytes([b]))
        except OSError:
            return
        time.sleep(1)
ok = bad = 0
lock = threading.Lock()
def scraper():
    global ok, bad
    while not os.path.exists(stop):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=20) as r:
                r.read()
                good = r.status == 200
        except Exception:
            good = False
        with lock:
            if good:
                ok += 1
            else:
                bad += 1
threads = [threading.Thread(target=dribble)] + [threading.Thread(target=scraper) for _ in range(100)]
for t in threads:
    t.start()
for t in threads:
    t.join()
closed = 0
for s in idle:
    s.settimeout(0.1)
    try:
        closed += s.recv(1) == b""
    except OSError:
        closed += 1
print(ok, bad, closed)
PY
LOAD=$!
track_pid $LOAD
sleep 2
kill -0 $LOAD 2>/dev/null || fail "the load did not start: $(cat "$TMPD/load.out")"

for i in 1 2 3; do
	t0=$(date +%s.%N)
	"$AS_USER" "$AU" "$BIN/ban$CGK_TAG" 5 2>/dev/null &
	P=$!; track_pid $P
	wait $P; rc=$?
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	assert_eq 137 "$rc" "under load ($i): the banned program dies of SIGKILL"
	fle "$secs" 1 || fail "under load the banned program lived ${secs}s (want at once)"
	ok "killed after ${secs}s"
	sleep 1
done
# idle sockets are closed by the server's timeout (10 s)
sleep 9
touch "$TMPD/stop"
wait $LOAD || fail "the load failed: $(tail -5 "$TMPD/load.out")"
read -r NOK NBAD NCLOSED <"$TMPD/load.out"
echo "  load: $NOK scrapes answered, $NBAD refused or failed (over the connection limit), $NCLOSED of 20 idle sockets closed by the server"
[ "$NOK" -gt 100 ] || fail "only $NOK scrapes answered under load"
assert_eq 20 "$NCLOSED" "idle sockets closed by the server"
assert_eq 200 "$(scrape "$TMPD/after")" "a scrape after the load"
assert_eq 3 "$(sample "$TMPD/after" "cgkit_rule_actions_total{rule=\"$R\",action=\"kill\"}")" "the three kills are counted"
cgkitd_alive
