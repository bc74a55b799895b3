#!/bin/bash
# cgkitd's history (issue 14): bytes per group per sample and cgkitd's cpu
# per sample for recording at 1,000 and 10,000 groups made below our own
# group (removed after), side by side with `atop -w` on the same host for
# the same interval and count (its file's size per sample, its cpu per
# sample). atop records the whole host (its processes), cgkitd the groups:
# the figures put the two costs side by side, not the same contents. atop
# runs with its own output file in the bench's temp dir and is stopped by
# its pid; no atop service is used.
# Then replay: the time cgtop --replay takes to show the frame one day into
# a 7-day history of BENCH_REPLAY_GROUPS (1,000) groups every 5 s, written
# by tests/bench/bench_replay_gen.c with the store's writer (busy-looking
# values: every counter moves) into /dev/shm, removed after.
. "$(dirname "$0")/../lib.sh"

SIZES=${BENCH_HISTORY_SIZES:-1000 10000}
IV_MS=${BENCH_HISTORY_INTERVAL_MS:-1000}
K=${BENCH_HISTORY_SAMPLES:-10}
CGKITD="$BUILD/cgkitd"
READER="$BUILD/tests/hist-reader"
[ -x "$CGKITD" ] || skip "$CGKITD not built"
[ -x "$READER" ] || skip "$READER not built"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

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
ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
segsize() { find "$1" -maxdepth 1 -name '*.cgh' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# cgkitd: the history of the subtree only (metrics.groups selects what is
# recorded); nothing to judge (every uid exempt, a 1 min rules interval).
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rules() { # dir
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
history:
  dir: $1
  interval: ${IV_MS}ms
rules:
  - name: none
    match: {commands: [/nonexistent/$UNIQ]}
    penalties:
      - {kill: TERM}
EOT
}

# "frames bytes_first bytes_rest cpu_s": one cgkitd run of K samples after the first
cgkitd_run() { # dir
	local d=$1 pid f t0 t1 b1 b2 n=0
	rules "$d"
	mkdir -p "$TMPD/state"
	"$CGKITD" -c "$TMPD/rules.yaml" >"$TMPD/cgkitd.out" 2>&1 &
	pid=$!
	track_pid $pid
	# the first frame (absolute values) is written: start counting there
	for _ in $(seq 200); do
		f=$("$READER" "$d" summary 2>/dev/null | awk '{ print $2 }')
		[ "${f:-0}" -ge 1 ] && break
		sleep 0.05
	done
	[ "${f:-0}" -ge 1 ] || fail "cgkitd wrote no frame: $(tail -3 "$TMPD/cgkitd.out")"
	t0=$(ticks $pid); b1=$(segsize "$d"); n=$f
	while [ "$n" -lt $((f + K)) ]; do
		sleep "$(awk -v m="$IV_MS" 'BEGIN { print m / 4000 }')"
		n=$("$READER" "$d" summary | awk '{ print $2 }')
	done
	t1=$(ticks $pid); b2=$(segsize "$d")
	kill -TERM $pid; wait $pid 2>/dev/null
	echo "$((n - f)) $b1 $((b2 - b1)) $(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN { print (b - a) / hz }')"
}

# atop -w FILE SECONDS COUNT: its file's size and cpu per sample after the first
atop_run() {
	local f="$TMPD/atop.raw" pid s1 t0 t1 s2 iv
	command -v atop >/dev/null || { echo "-"; return; }
	iv=$(awk -v m="$IV_MS" 'BEGIN { s = int(m / 1000); print s < 1 ? 1 : s }')
	rm -f "$f"
	atop -w "$f" "$iv" $((K + 10)) >/dev/null 2>&1 &
	pid=$!
	track_pid $pid
	# the first sample written (atop writes a header, then each sample)
	for _ in $(seq 100); do [ -s "$f" ] && break; sleep 0.1; done
	sleep "$iv"
	s1=$(stat -c %s "$f"); t0=$(ticks $pid)
	sleep $((iv * K))
	s2=$(stat -c %s "$f"); t1=$(ticks $pid)
	kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
	echo "$iv $(((s2 - s1) / K)) $(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v k="$K" 'BEGIN { print (b - a) / hz / k }')"
}

printf "%-8s %-22s %8s %14s %14s %12s %12s\n" groups tool interval "bytes/sample" "B/group/smpl" "first B/grp" "cpu ms/smpl"
for n in $SIZES; do
	make_groups "$n"
	d="$TMPD/hist-$n"
	read -r k b1 b cpu <<<"$(cgkitd_run "$d")"
	seen=$("$READER" "$d" summary | awk '{ print $10 }')
	awk -v n="$n" -v g="$seen" -v k="$k" -v b1="$b1" -v b="$b" -v c="$cpu" -v iv="$IV_MS" 'BEGIN {
		printf "%-8s %-22s %6sms %14.0f %14.2f %12.1f %12.2f\n", n, "cgkitd history", iv, b / k, b / k / g, b1 / g, c * 1000 / k }'
	read -r aiv ab acpu <<<"$(atop_run)"
	if [ "$aiv" = "-" ]; then
		echo "$n        atop: not installed (contrib/install-deps.sh installs it)"
	else
		awk -v n="$n" -v iv="$aiv" -v b="$ab" -v c="$acpu" 'BEGIN {
			printf "%-8s %-22s %7ss %14.0f %14s %12s %12.2f\n", n, "atop -w (whole host)", iv, b, "-", "-", c * 1000 }'
	fi
	du_h=$(du -sh "$d" | cut -f1)
	awk -v n="$n" -v g="$seen" -v k="$k" -v b="$b" 'BEGIN {
		# 7 days at 5 s: 120960 samples
		printf "%-8s projection: %d groups every 5 s for 7 days = %.2f GiB at this rate\n", n, g, b / k * 120960 / 1073741824 }'
	remove_made
done
echo "targets (issue 14): at most 40 bytes per group per sample on average; 1,000 groups every 5 s for 7 days in about 5 GiB or less"

# ---- replay: a frame one day into 7 days ----
RG=${BENCH_REPLAY_GROUPS:-1000}
RH=$(mktemp -d /dev/shm/cgkit-bench-replay.XXXXXX) || fail "mktemp in /dev/shm"
on_exit "rm -rf '$RH'"
cc -O2 -Wall -Wextra -D_GNU_SOURCE -I"$TOP_DIR/src/base" -I"$TOP_DIR/src/stats" -I"$TOP_DIR/src/history" \
	"$(dirname "$0")/bench_replay_gen.c" "$BUILD/libcgkit.a" -lyaml -lm -o "$TMPD/replay-gen" ||
	fail "building bench_replay_gen"
t0=$(date -d '2026-11-01 00:00 UTC' +%s)
g0=$(date +%s%N)
"$TMPD/replay-gen" "$RH/h" "$t0" 120960 5 "$RG" || fail "writing the 7-day history"
g1=$(date +%s%N)
times=""
for _ in 1 2 3 4 5 6 7; do
	a=$(date +%s%N)
	TZ=UTC "$BUILD/cgtop" -b --json --replay "$RH/h" --since "2026-11-02 00:00" --until "2026-11-02 00:00" >"$TMPD/frame.json" ||
		fail "cgtop --replay"
	b=$(date +%s%N)
	times="$times $(((b - a) / 1000))"
done
ng=$(python3 -c 'import json, sys; print(len(json.loads(open(sys.argv[1]).readline())["groups"]))' "$TMPD/frame.json")
echo
echo "replay: 7 days of $RG groups every 5 s ($(du -sh "$RH/h" | cut -f1), written in $(((g1 - g0) / 1000000)) ms)"
printf '%s\n' $times | sort -n | awk -v ng="$ng" '{ v[NR] = $1 } END {
	printf "  cgtop --replay, the frame one day in (%d groups), start to exit: median %.1f ms, worst %.1f ms of %d; target < 100 ms\n", ng, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000, NR }'
