#!/bin/bash
# cgrun --to oci, checked by runc: the linux.resources it prints, put into a
# bundle (runc spec, a busybox rootfs) and created with runc below this
# test's own groups, make the kernel hold the same values as cgrun --apply
# of the same profile. On v1 and hybrid hosts runc uses the v1 hierarchies
# (the legacy fields); on v2 the unified map.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

command -v runc >/dev/null || skip "runc is not installed (make deps installs it)"
command -v jq >/dev/null || skip "jq is not installed (make deps installs it)"
BB=$(command -v busybox) || skip "busybox is not installed (make deps installs busybox-static)"
file -L "$BB" 2>/dev/null | grep -q 'statically linked' || skip "$BB is not static (busybox-static)"

mode=$(cg_mode)
swap=""
if [ "$mode" = v2 ] || [ -e "$(self_dir memory)/memory.memsw.limit_in_bytes" ]; then
	swap="swap: 64M"
fi
# runc on a hybrid host drives the v1 hierarchies only: with pids on the
# cgroup2 mount (the mixed layout) it cannot place the container's pids
# limit ("cannot set pids limit: container could not join or create
# cgroup"), a limit of runc's, not of the conversion: pids is left out there
pids="pids: {max: 64}"
if [ "$mode" != v2 ] && cg_on_v2 pids; then
	pids=""
	echo "  note: pids is on the cgroup2 mount of a hybrid host, where runc cannot set a pids limit: not compared here"
fi
P=$(make_profile cg "name: $UNIQ-cg" "parent: self" \
	"cpu: {max: 50%, period: 50ms, weight: 200}" \
	"memory: {max: 256M, high: 192M${swap:+, $swap}}" \
	"cpuset: {cpus: \"0\"}" ${pids:+"$pids"})

if [ "$mode" = v2 ]; then
	variant=oci:v2
	# runc takes a relative path next to its own group on v2: say it whole
	cgpath="$(cat /proc/self/cgroup | awk -F: '$1 == "0" { print $3 }')"
	cgpath="${cgpath%/}/$UNIQ-oci"
else
	variant=oci:v1
	# relative: runc puts it below its own group in each v1 hierarchy,
	# which is this test's (they may differ from one hierarchy to the next)
	cgpath="$UNIQ-oci"
fi
"$CGRUN" --to "$variant" -p "$P" >"$TMPD/res.json" 2>"$TMPD/warn" || fail "--to $variant failed: $(cat "$TMPD/warn")"
[ -s "$TMPD/warn" ] && fail "warnings for a profile OCI carries whole: $(cat "$TMPD/warn")"
ok "cgrun --to $variant printed linux.resources"

B="$TMPD/bundle"
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/sys"
cp "$BB" "$B/rootfs/bin/busybox"
ln -s busybox "$B/rootfs/bin/sh"
ln -s busybox "$B/rootfs/bin/sleep"
(cd "$B" && runc spec) || fail "runc spec failed"
jq --slurpfile r "$TMPD/res.json" --arg p "$cgpath" \
	'.linux.resources += $r[0] | .linux.cgroupsPath = $p | .process.terminal = false |
	 .process.args = ["sleep", "300"] | .root.readonly = true' \
	"$B/config.json" >"$B/config.new" && mv "$B/config.new" "$B/config.json" || fail "jq failed"

ROOT="$TMPD/runc-state"
ID="$UNIQ-oci"
on_exit "runc --root '$ROOT' delete -f '$ID' >/dev/null 2>&1"
runc --root "$ROOT" create --bundle "$B" "$ID" >"$TMPD/runc.out" 2>&1 ||
	fail "runc create failed: $(cat "$TMPD/runc.out")"
ok "runc created the container with cgrun's resources"

"$CGRUN" --apply -p "$P" >/dev/null 2>"$TMPD/apply" || fail "cgrun --apply failed: $(cat "$TMPD/apply")"

# the same files in both groups
if [ "$mode" = v2 ]; then
	files="cpu:cpu.max cpu:cpu.weight memory:memory.max memory:memory.high memory:memory.swap.max
	       cpuset:cpuset.cpus pids:pids.max"
else
	files="cpu:cpu.cfs_quota_us cpu:cpu.cfs_period_us cpu:cpu.shares memory:memory.limit_in_bytes
	       memory:memory.soft_limit_in_bytes cpuset:cpuset.cpus cpuset:cpuset.mems"
	[ -n "$pids" ] && files="$files pids:pids.max"
	[ -n "$swap" ] && files="$files memory:memory.memsw.limit_in_bytes"
fi
n=0
for cf in $files; do
	c=${cf%%:*} f=${cf#*:}
	oci=$(self_dir "$c")/$UNIQ-oci/$f
	cg=$(self_dir "$c")/$UNIQ-cg/$f
	[ -e "$oci" ] || fail "runc made no $oci"
	assert_eq "$(cat "$cg")" "$(cat "$oci")" "$c $f: runc's = cgrun --apply's"
	n=$((n + 1))
done
[ "$n" -ge 7 ] || fail "only $n files compared"

runc --root "$ROOT" delete -f "$ID" || fail "runc delete failed"
"$CGRUN" --remove -p "$P" || fail "cgrun --remove failed"
assert_nothing_left "after runc delete and cgrun --remove"
