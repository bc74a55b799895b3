#!/bin/bash
# cgkitd's /metrics (issue 12): the cpu a scrape costs cgkitd per group
# (from /proc/PID/stat, over many scrapes), at 1,000 and 10,000 groups made
# below our own group, side by side with cgtop's refresh of the same
# subtree (cgtop -b -p SUBTREE, cpu per refresh from two runs of different
# lengths, as bench-cgtop does), with the ratio; and the wall time of one
# scrape at each size. Removes every group it made.
. "$(dirname "$0")/../lib.sh"

SIZES=${BENCH_METRICS_SIZES:-1000 10000}
CGKITD="$BUILD/cgkitd"
[ -x "$CGKITD" ] || skip "$CGKITD not built"
[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed"
command -v curl >/dev/null || skip "curl is not installed"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

# the cpu hierarchies' own group: the subtree both tools read
hier_dirs() {
	local c
	for c in cpu cpuacct; do self_dir "$c"; done | sort -u
}
sub="$(self_dir cpu | sed "s|^$(cg_mount cpu)||")/$UNIQ-bench"
sub="/${sub#/}"

made=()
remove_made() {
	local d
	for d in "${made[@]}"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -maxdepth 1 -type d -print0 | xargs -0 -r rmdir
		rmdir "$d" || echo "  warning: could not remove $d" >&2
	done
	made=()
}
on_exit remove_made
make_groups() { # n
	local d base
	for base in $(hier_dirs); do
		d="$base/$UNIQ-bench"
		mkdir "$d" || fail "mkdir $d"
		made+=("$d")
		(cd "$d" && seq -f "g%05g" 1 "$1" | xargs mkdir) || fail "making $1 groups in $d"
	done
}

# cgtop: cpu seconds per refresh from runs of K1 and K2 refreshes
K1=12 K2=32
cgtop_cpu() { # -n N
	/usr/bin/time -f "%U %S" -o "$TMPD/time" "$CGTOP" -b -d 0.05 -p "$sub" -n "$1" >/dev/null 2>"$TMPD/err" ||
		fail "cgtop failed: $(tail -3 "$TMPD/err")"
	awk '{ printf "%.3f\n", $1 + $2 }' "$TMPD/time"
}

# cgkitd with metrics on the subtree; nothing to judge (a dry run, every uid
# exempt, one rule for a program that does not exist, a 1 min interval)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMPD/rules.yaml" <<EOT
interval: 1m
parent: self
state: $TMPD/state
log: $TMPD/actions.jsonl
exempt:
  users: ["0-"]
metrics:
  listen: "127.0.0.1:$PORT"
  groups: ["$sub"]
rules:
  - name: none
    match: {commands: [/nonexistent/$UNIQ]}
    penalties:
      - {kill: TERM}
EOT

# cgkitd's cpu per scrape (s), the mean wall time of a scrape (s), and the
# scrape's own figures: "cpu wall groups_seen left_out"
scrape_cost() { # pid scrapes
	python3 - "$1" "$2" "http://127.0.0.1:$PORT/metrics" <<'PY'
import os, sys, time, urllib.request
pid, k, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
hz = os.sysconf("SC_CLK_TCK")
def ticks():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
def scrape():
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read().decode()
scrape()                    # the collector opens and reads once
t0, w0 = ticks(), time.monotonic()
for _ in range(k):
    text = scrape()
t1, w1 = ticks(), time.monotonic()
val = {l.split()[0]: l.split()[1] for l in text.splitlines() if l and l[0] != "#"}
print((t1 - t0) / hz / k, (w1 - w0) / k, val.get("cgkit_groups_seen"), val.get("cgkit_series_left_out"))
PY
}

printf "%-8s %-18s %8s %12s %12s %10s\n" made tool groups "cpu ms" "us/group" "wall ms"
for n in $SIZES; do
	make_groups "$n"
	mkdir -p "$TMPD/state"
	"$CGKITD" --dry-run -c "$TMPD/rules.yaml" >"$TMPD/cgkitd.out" 2>&1 &
	pid=$!
	track_pid $pid
	for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
	k=$((200000 / n)); [ $k -lt 10 ] && k=10
	read -r mc mw seen left <<<"$(scrape_cost $pid $k)" || fail "scrapes failed: $(tail -3 "$TMPD/cgkitd.out")"
	kill -TERM $pid; wait $pid 2>/dev/null
	a=$(cgtop_cpu $K1); b=$(cgtop_cpu $K2)
	cc=$(awk -v a="$a" -v b="$b" -v k=$((K2 - K1)) 'BEGIN { printf "%.6f", (b - a) / k }')
	cseen=$("$CGTOP" --json -n 1 -d 0.1 -p "$sub" | python3 -c 'import json, sys; print(json.load(sys.stdin)["groups_count"])')
	awk -v n="$n" -v g="$seen" -v c="$mc" -v w="$mw" 'BEGIN {
		printf "%-8s %-18s %8d %12.2f %12.2f %10.1f\n", n, "cgkitd /metrics", g, c * 1000, c * 1e6 / g, w * 1000 }'
	awk -v n="$n" -v g="$cseen" -v c="$cc" 'BEGIN {
		printf "%-8s %-18s %8d %12.2f %12.2f %10s\n", n, "cgtop -b refresh", g, c * 1000, c * 1e6 / g, "-" }'
	awk -v n="$n" -v a="$mc" -v ga="$seen" -v b="$cc" -v gb="$cseen" -v l="$left" 'BEGIN {
		if (b > 0) printf "%-8s ratio: cgkitd scrape / cgtop refresh per group = %.2fx (series left out by the cap: %s)\n", n, (a / ga) / (b / gb), l;
		else printf "%-8s ratio: cgtop below the timer resolution\n", n }'
	remove_made
done
echo "targets (issue 12): a scrape at most 2x cgtop's refresh per group; a scrape of 10,000 groups under 100 ms"
