#!/bin/bash
# The daemon's eyes (src/daemon/procev.h, measure.h), through
# build/tests/procev-driver: every exec of 200 /bin/true started here is
# seen as a process event (none missed), with the time from the kernel's
# event to its reading printed (median, worst); in a user namespace of its
# own the connector ignores the subscription and the driver says it falls
# back to scanning /proc; the scan lists this shell with its parent and exe
# and no kernel thread; a group's counters are read; on cgroup v2 a PSI
# trigger opens on a test group's memory.pressure.
# layout: independent (the proc connector and /proc, not cgroups)
. "$(dirname "$0")/../lib.sh"
DRIVER="$BUILD/tests/procev-driver"
[ -x "$DRIVER" ] || fail "$DRIVER not built (make $DRIVER)"

# ---- events: 200 execs, none missed ----
if probe=$("$DRIVER" probe); then
	"$DRIVER" listen >"$TMPD/events" 2>"$TMPD/events.err" &
	drv=$!
	track_pid "$drv"
	for _ in $(seq 50); do grep -q '^ready' "$TMPD/events" && break; sleep 0.1; done
	grep -q '^ready' "$TMPD/events" || fail "driver did not subscribe: $(cat "$TMPD/events.err")"
	pids=()
	for _ in $(seq 200); do
		/bin/true &
		pids+=($!)
	done
	wait "${pids[@]}"
	sleep 0.5
	kill -TERM "$drv"
	wait "$drv" || fail "driver: $(cat "$TMPD/events.err")"
	missed=0
	: >"$TMPD/lat"
	for p in "${pids[@]}"; do
		l=$(awk -v p="$p" '$1 == "exec" && $2 == p { print $3; exit }' "$TMPD/events")
		if [ -z "$l" ]; then missed=$((missed + 1)); else echo "$l" >>"$TMPD/lat"; fi
	done
	lost=$(grep -c '^lost' "$TMPD/events")
	[ "$missed" -eq 0 ] || fail "$missed of 200 execs not seen as events (lost messages: $lost)"
	ok "every one of 200 execs seen as an event"
	sort -n "$TMPD/lat" | awk '{ v[NR] = $1 } END {
		printf "  exec-to-event latency over %d execs: median %.1f us, worst %.1f us\n",
			NR, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
else
	echo "  note: no process events here ($probe): the exec check is skipped"
fi

# ---- fallback: a user namespace of its own gets no events ----
if unshare -U -r true 2>/dev/null; then
	out=$(unshare -U -r "$DRIVER" probe 2>&1); rc=$?
	assert_eq 3 "$rc" "probe in a new user namespace exits 3 (no events)"
	assert_contains "$out" "fallback: scanning /proc" "it says it falls back to scanning"
	assert_contains "$out" "user namespace" "and why"
else
	echo "  note: unshare -U not allowed here: the fallback check is skipped"
fi

# ---- the /proc scan ----
"$DRIVER" scan >"$TMPD/scan" || fail "scan failed"
line=$(awk -v p=$$ '$1 == p' "$TMPD/scan")
assert_eq "$$ $PPID $(id -ru) $(cat /proc/$$/comm) $(readlink /proc/$$/exe)" "$line" "the scan's line for this shell"
kthreads=$(awk '{ print $1 }' "$TMPD/scan" | while read -r p; do
	f=$(awk '{ sub(/.*\) /, ""); print $7 }' /proc/"$p"/stat 2>/dev/null) || continue
	[ -n "$f" ] && [ $((f & 0x200000)) -ne 0 ] && echo "$p"
done)
assert_eq "" "$kthreads" "kernel threads in the scan"
[ -d /proc/2 ] && [ "$(cat /proc/2/comm)" = kthreadd ] && ! awk '$1 == 2' "$TMPD/scan" | grep -q . && ok "kthreadd (pid 2) left out"

# ---- a group's counters: memory and tasks of a test group ----
mem=$(self_dir memory)
if [ -n "$(cg_mount memory)" ] && [ -d "$mem" ]; then
	rel="${mem#"$(cg_mount memory)"}"; rel="${rel#/}${rel:+/}$UNIQ-m"
	hiers=(memory)
	[ -n "$(cg_mount pids)" ] && [ "$(cg_mount pids)$(self_dir pids | sed "s|^$(cg_mount pids)||")" = "$(cg_mount pids)${mem#"$(cg_mount memory)"}" ] && hiers+=(pids)
	for c in "${hiers[@]}"; do mkdir "$(cg_mount "$c")/$rel" || fail "mkdir in $c"; done
	# it moves itself in, then uses memory there (v1 leaves old charges behind)
	procs=""
	for c in "${hiers[@]}"; do procs="$procs $(cg_mount "$c")/$rel/cgroup.procs"; done
	bash -c 'for f in $1; do echo $$ >"$f" || exit 1; done
		x=$(head -c 4000000 /dev/zero | tr "\0" a); touch "$2"; exec sleep 30' - "$procs" "$TMPD/in" &
	sl=$!
	track_pid "$sl"
	for _ in $(seq 50); do [ -e "$TMPD/in" ] && break; sleep 0.1; done
	[ -e "$TMPD/in" ] || fail "the memory user did not start in $rel"
	sleep 0.2
	out=$("$DRIVER" measure "$rel") || fail "measure: $out"
	have=$(sed -n 's/.*have=\([0-9]*\).*/\1/p' <<<"$out")
	[ $((have & 2)) -ne 0 ] || fail "no memory measure: $out"
	m=$(sed -n 's/.* mem=\([0-9]*\).*/\1/p' <<<"$out")
	[ "$m" -gt 0 ] || fail "memory in use 0: $out"
	ok "the group's memory in use read ($m bytes)"
	if [ "${#hiers[@]}" -eq 2 ]; then
		assert_contains "$out" "tasks=1 " "the group's tasks (pids.current) = 1"
	fi
	{ kill -KILL "$sl"; wait "$sl"; } 2>/dev/null
else
	echo "  note: no memory hierarchy here: the counters check is skipped"
fi

# ---- PSI trigger on cgroup v2 ----
unified=$(awk '$0 ~ / - cgroup2 / { print $5 }' /proc/self/mountinfo | head -1)
if [ -z "$unified" ]; then
	echo "  note: no cgroup2 mount: the PSI trigger check is skipped (v1 has no per-group pressure)"
else
	own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	g="$unified${own%/}/$UNIQ-psi"
	mkdir "$g" || fail "mkdir $g"
	if [ ! -e "$g/memory.pressure" ]; then
		echo "  note: $g/memory.pressure absent (PSI off): the trigger check is skipped"
	else
		out=$("$DRIVER" psi "$g" 2>&1) || fail "PSI trigger on $g: $out"
		assert_eq trigger "$out" "a PSI trigger opens on the test group's memory.pressure"
	fi
fi
exit 0
