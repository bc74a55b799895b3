#!/bin/bash
# Start-to-exit time of /bin/true under cgrun and the peer tools, measured
# round-robin in one run (each round runs every command once, in turn, so
# that load coming and going on a shared host falls on all alike), with
# ratios to unshare; then the accuracy of cgrun's CPU cap at 20%, 50% and
# 150%. Every group is created below this process's own cgroup.
#   BENCH_ROUNDS  rounds of the timing (default 200)
#   BENCH_CAP_SECONDS  window of each CPU-cap measurement (default 5)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../integration/lib-launch.sh"

ROUNDS=${BENCH_ROUNDS:-200}
CAPSEC=${BENCH_CAP_SECONDS:-5}
cc -O2 -o "$TMPD/bench_spawn" "$(dirname "$0")/bench_spawn.c" || fail "building bench_spawn"

LIMITS=("cpu: {max: 50%}" "memory: {max: 256M}" "pids: {max: 100}")
NS="namespaces: [pid, mount, uts, ipc, net]"
P=$(make_profile launch "name: $UNIQ-launch" "parent: self" "${LIMITS[@]}" "$NS")
PE=$(make_profile existing "name: $UNIQ-existing" "parent: self" "${LIMITS[@]}" "$NS")
"$CGRUN" --apply -p "$PE" >/dev/null || fail "applying $PE"
on_exit "'$CGRUN' --remove -p '$PE' >/dev/null 2>&1"

rel() { local d; d=$(self_dir "$1"); echo "${d#"$(cg_mount "$1")"}/$2"; }

# cgexec: into an existing group with the same limits, made by hand.
cmds=(true -- /bin/true ';'
	cgrun -- "$CGRUN" -p "$P" -- /bin/true ';'
	cgrun-existing-group -- "$CGRUN" -p "$PE" -- /bin/true ';'
	unshare -- unshare --pid --fork --mount --uts --ipc --net /bin/true ';')
if command -v cgexec >/dev/null && [ "$(cg_mode)" != v2 ]; then
	for c in cpu cpuacct memory pids; do mkdir -p "$(self_dir $c)/$UNIQ-cgexec"; done
	echo 50000 >"$(self_dir cpu)/$UNIQ-cgexec/cpu.cfs_quota_us"
	echo 268435456 >"$(self_dir memory)/$UNIQ-cgexec/memory.limit_in_bytes"
	echo 100 >"$(self_dir pids)/$UNIQ-cgexec/pids.max"
	cmds+=(cgexec -- cgexec -g "cpu,cpuacct:$(rel cpu "$UNIQ-cgexec")" -g "memory:$(rel memory "$UNIQ-cgexec")" \
		-g "pids:$(rel pids "$UNIQ-cgexec")" /bin/true ';')
elif command -v cgexec >/dev/null; then
	mkdir -p "$(self_dir cpu)/$UNIQ-cgexec"
	cmds+=(cgexec -- cgexec -g "cpu:$(rel cpu "$UNIQ-cgexec")" /bin/true ';')
fi
command -v bwrap >/dev/null && cmds+=(bwrap -- bwrap --unshare-all --ro-bind / / /bin/true ';')

# runc: a busybox-static bundle; a relative cgroupsPath puts its groups
# below runc's own (this process's) group in each hierarchy, never above.
if command -v runc >/dev/null && command -v python3 >/dev/null; then
	B="$TMPD/bundle"; mkdir -p "$B"
	R=$(make_busybox_root bundle-root); mv "$R" "$B/rootfs"
	(cd "$B" && runc spec) || fail "runc spec"
	python3 - "$B/config.json" "$UNIQ-runc" <<'PY'
import json, sys
path, cg = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["root"] = {"path": "rootfs", "readonly": True}
c["linux"]["cgroupsPath"] = cg
c["linux"]["resources"] = dict(c["linux"].get("resources", {}),
    memory={"limit": 268435456}, cpu={"quota": 50000, "period": 100000}, pids={"limit": 100})
ns = [n for n in c["linux"]["namespaces"] if n["type"] in ("pid", "network", "ipc", "uts", "mount")]
c["linux"]["namespaces"] = ns
json.dump(c, open(path, "w"), indent=1)
PY
	mkdir -p "$TMPD/runc-state"
	cmds+=(runc -- runc --root "$TMPD/runc-state" run --bundle "$B" "$UNIQ-r" ';')
fi
unset 'cmds[${#cmds[@]}-1]'

echo "start-to-exit of /bin/true, $ROUNDS rounds round-robin (ms); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$TMPD/bench_spawn" "$ROUNDS" "${cmds[@]}" >"$TMPD/times" || fail "bench_spawn"
base=$(awk '$1 == "unshare" { print $2 }' "$TMPD/times")
printf '  %-22s %9s %9s %9s %9s %8s %s\n' tool median mean min p90 x-unshare failed
while read -r name med mean min p90 fails; do
	printf '  %-22s %9.2f %9.2f %9.2f %9.2f %7.2fx %s\n' "$name" "$med" "$mean" "$min" "$p90" \
		"$(awk -v a="$med" -v b="$base" 'BEGIN { print b ? a / b : 0 }')" "$fails"
done <"$TMPD/times"
echo "  (cgrun: profile with cpu 50%, memory 256M, pids 100 and pid, mount, uts, ipc, net"
echo "   namespaces; the group is created and removed each time. cgrun-existing-group: the"
echo "   same group applied beforehand, as cgexec's is. load after: $(cut -d' ' -f1-3 /proc/loadavg))"
[ -z "$(ls -d "$(self_dir pids)/$UNIQ-launch" 2>/dev/null)" ] || fail "cgrun left its group behind"
[ -z "$(find "$(self_dir pids)" -maxdepth 2 -path "*$UNIQ*/run-*" 2>/dev/null)" ] || fail "run-* leaves left behind"

echo
echo "cpu cap accuracy: a busy loop per 100% under cgrun, ${CAPSEC} s window, from the group's own accounting"
printf '  %-6s %9s %8s %10s %s\n' cap measured error throttled load
for cap in 20 50 150; do
	loops='while :; do :; done'
	[ "$cap" -gt 100 ] && loops="$loops & $loops"
	"$CGRUN" --parent self --name "$UNIQ-cap$cap" --cpu "$cap%" -- sh -c "$loops" &
	cg=$!; track_pid $cg; sleep 1
	th0=$(cpu_throttle "cap$cap")
	share=$(measure_share "cap$cap" "$CAPSEC")
	th1=$(cpu_throttle "cap$cap")
	kill -TERM $cg; wait $cg 2>/dev/null
	thr=$(echo "$th0 $th1" | awk '{ p = $3 - $1; printf "%d%%", p ? 100 * ($4 - $2) / p : 0 }')
	printf '  %-6s %8s%% %+7.2f %10s %s\n' "$cap%" "$share" "$(awk -v s="$share" -v c="$cap" 'BEGIN { print s - c }')" \
		"$thr" "$(cut -d' ' -f1 /proc/loadavg)"
done
echo "  (throttled: share of periods in which the cap held the loop back; below ~90% the"
echo "   machine, not the cap, limited the loop, and the error says nothing about the cap)"
