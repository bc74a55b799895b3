#!/bin/bash
# layout: independent (the HTTP side under churn; what the collector reads per layout is cgtop's and stats_prom's tests)
# cgkitd's /metrics while groups appear and vanish (issue 12): 200 groups a
# second made and removed below the test's own group while 1,000 scrapes
# run back to back: every scrape is 200 and whole (its last family there),
# no sample of a churned group is negative or NaN, promtool finds every
# 100th scrape clean, cgkitd stays up; its RSS after 1,000 scrapes is within
# a small margin of the RSS after 100 (both printed).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
. "$(dirname "$0")/lib-metrics.sh"
command -v promtool >/dev/null || skip "promtool (Debian's prometheus) needed"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

CH=$(self_dir cpu)/$UNIQ-churn
mkdir "$CH" || fail "mkdir $CH"
write_rules "$(metrics_head "$MPORT" "groups: [\"$(mrel "$UNIQ-churn" cpu)\"]")" <<EOT
rules:
  - name: $CGK_TAG-none
    match: {commands: [/nonexistent/$CGK_TAG]}
    penalties:
      - {kill: TERM}
EOT
cgkitd_start

# 200 groups a second: each lives about a quarter of a second
python3 - "$CH" >"$TMPD/churn.out" 2>&1 <<'PY' &
import os, sys, time
base, live, i, t0 = sys.argv[1], [], 0, time.monotonic()
while True:
    d = f"{base}/g{i}"
    os.mkdir(d)
    live.append(d)
    i += 1
    if len(live) > 50:
        os.rmdir(live.pop(0))
    time.sleep(max(0, t0 + i / 200 - time.monotonic()))
PY
CHURN=$!
track_pid $CHURN
sleep 0.5
kill -0 $CHURN 2>/dev/null || fail "the churn did not start: $(cat "$TMPD/churn.out")"

python3 - "$MURL" "$CGK_PID" "$TMPD" <<'PY' >"$TMPD/scrapes.out" 2>&1 || fail "scrapes: $(tail -5 "$TMPD/scrapes.out")"
import math, sys, urllib.request
url, pid, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
def rss():
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
seen = set()
for n in range(1, 1001):
    with urllib.request.urlopen(url, timeout=10) as r:
        if r.status != 200:
            sys.exit(f"scrape {n}: status {r.status}")
        text = r.read().decode()
    if "\ncgkit_scrape_duration_seconds " not in text:
        sys.exit(f"scrape {n}: not whole (no cgkit_scrape_duration_seconds)")
    for l in text.splitlines():
        if l.startswith("#") or "churn/g" not in l:
            continue
        v = float(l.rsplit(" ", 1)[1])
        if math.isnan(v) or v < 0:
            sys.exit(f"scrape {n}: a wrong value: {l}")
        seen.add(l.split('cgroup="', 1)[1].split('"', 1)[0])
    if n % 100 == 0:
        open(f"{tmp}/scrape{n}.txt", "w").write(text)
    if n == 100:
        r100 = rss()
r1000 = rss()
print(f"{r100} {r1000} {len(seen)}")
PY
read -r R100 R1000 NSEEN <"$TMPD/scrapes.out"
ok "1,000 scrapes, each 200 and whole, no negative or NaN sample; $NSEEN churned groups seen"
[ "$NSEEN" -gt 100 ] || fail "only $NSEEN churned groups were ever in a scrape: the churn was not seen"
kill -0 $CHURN 2>/dev/null || fail "the churn stopped: $(cat "$TMPD/churn.out")"
for f in "$TMPD"/scrape*00.txt; do
	pt=$(promtool check metrics <"$f" 2>&1) || fail "promtool check metrics on $(basename "$f"): $pt"
	[ -z "$pt" ] || fail "promtool check metrics on $(basename "$f") complains: $pt"
done
ok "promtool check metrics finds every 100th scrape clean"
echo "  RSS of cgkitd: ${R100} kB after 100 scrapes, ${R1000} kB after 1,000"
if ldd "$CGKITD" 2>/dev/null | grep -q libasan; then
	# ASan keeps freed memory in quarantine (up to 256 MiB): the RSS says
	# nothing there, LeakSanitizer checks for leaks when cgkitd ends
	echo "  (ASan build: the RSS is not compared)"
else
	[ "$R1000" -le $((R100 + 1024)) ] || fail "RSS grew from ${R100} kB to ${R1000} kB over 900 scrapes (more than 1 MiB)"
	ok "RSS after 1,000 scrapes within 1 MiB of after 100"
fi
cgkitd_stop
assert_eq 0 "$CGK_RC" "cgkitd ends with 0 (under ASan: no leak reported)"
