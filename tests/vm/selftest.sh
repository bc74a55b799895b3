#!/bin/bash
# Checks, inside the test guest, that the guest is what the suites rely on:
#   tests/vm/run.sh [--hybrid|--mixed] -- bash tests/vm/selftest.sh v2|hybrid|mixed
# the cgroup layout asked for, a CPU cap that holds, a memory limit that
# OOM-kills, namespaces (user too) and overlayfs, no network but lo, a block
# device for io limits and a read-write project tree. Refuses to run outside
# the guest: it would create groups at the root of the host's hierarchies.
want=${1:?usage: selftest.sh v2|hybrid|mixed}
. "$(dirname "$0")/../lib.sh"

case $(hostname) in cgkit-v2 | cgkit-hybrid | cgkit-mixed) ;; *) skip "not in the test guest (tests/vm/run.sh)" ;; esac

# --- layout --------------------------------------------------------------
fsmagic() { stat -f -c %t "$1"; }
layout=$want
[ "$want" = mixed ] && layout=hybrid   # to cgkit and lib.sh, mixed is hybrid
assert_eq "$layout" "$(cg_mode)" "cgroup layout (lib.sh cg_mode)"
if [ "$want" = v2 ]; then
	assert_eq 63677270 "$(fsmagic /sys/fs/cgroup)" "statfs magic of /sys/fs/cgroup (cgroup2)"
	assert_eq "" "$(awk '$0 ~ / - cgroup / { print $5 }' /proc/self/mountinfo)" "no cgroup v1 mount"
	assert_eq "cpuset cpu io memory pids" "$(cat /sys/fs/cgroup/cgroup.subtree_control)" \
		"controllers enabled in the root's cgroup.subtree_control"
	assert_eq "0::/" "$(cat /proc/self/cgroup)" "the tests run in the root group"
else
	assert_eq 1021994 "$(fsmagic /sys/fs/cgroup)" "statfs magic of /sys/fs/cgroup (tmpfs)"
	v1="cpu cpuacct cpuset memory devices freezer blkio pids"
	[ "$want" = mixed ] && v1="cpu cpuacct cpuset memory devices freezer blkio"
	for c in $v1; do
		[ "$(fsmagic /sys/fs/cgroup/$c)" = 27e0eb ] || fail "/sys/fs/cgroup/$c is not a cgroup v1 mount"
		[ "$(cg_mount $c)" = /sys/fs/cgroup/$c ] || fail "cg_mount $c gives '$(cg_mount $c)'"
	done
	ok "v1 hierarchies $v1 (cpu and cpuacct apart)"
	assert_eq 63677270 "$(fsmagic /sys/fs/cgroup/unified)" "statfs magic of /sys/fs/cgroup/unified (cgroup2)"
	assert_contains "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" hugetlb "hugetlb left on the cgroup2 mount"
	assert_not_contains "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" memory "memory not on the cgroup2 mount"
	if [ "$want" = mixed ]; then
		[ ! -e /sys/fs/cgroup/pids ] || fail "pids has a v1 mount in the mixed guest"
		assert_eq /sys/fs/cgroup/unified "$(cg_mount pids)" "cg_mount pids: the cgroup2 mount"
		assert_contains "$(cat /sys/fs/cgroup/unified/cgroup.subtree_control)" pids "pids enabled below the cgroup2 root"
	fi
fi

# --- a CPU cap of 20% ----------------------------------------------------
# Busy loop in a group capped at 20000/100000 us; its CPU time over ~3 s of
# wall time, read from the group's own counter.
if [ "$want" = v2 ]; then
	cpu=/sys/fs/cgroup/$UNIQ-cpu
	mkdir "$cpu" || fail "mkdir $cpu"
	echo "20000 100000" >"$cpu/cpu.max"
	usage() { awk '$1 == "usage_usec" { print $2 }' "$cpu/cpu.stat"; }
	procs=("$cpu/cgroup.procs")
else
	cpu=/sys/fs/cgroup/cpu/$UNIQ-cpu acct=/sys/fs/cgroup/cpuacct/$UNIQ-cpu
	mkdir "$cpu" "$acct" || fail "mkdir $cpu $acct"
	echo 100000 >"$cpu/cpu.cfs_period_us"
	echo 20000 >"$cpu/cpu.cfs_quota_us"
	usage() { echo $(($(cat "$acct/cpuacct.usage") / 1000)); }
	procs=("$cpu/cgroup.procs" "$acct/cgroup.procs")
fi
bash -c 'while :; do :; done' &
busy=$!
track_pid "$busy"
for p in "${procs[@]}"; do echo "$busy" >"$p" || fail "moving the busy loop to $p"; done
sleep 0.5
u0=$(usage) t0=${EPOCHREALTIME/./}
sleep 3
u1=$(usage) t1=${EPOCHREALTIME/./}
kill -KILL "$busy"
wait "$busy" 2>/dev/null
pct10=$(((u1 - u0) * 1000 / (t1 - t0))) # tenths of a percent
echo "  cpu cap 20%: busy loop used $((pct10 / 10)).$((pct10 % 10))% of $(((t1 - t0) / 1000)) ms wall time"
if [ "$pct10" -lt 150 ] || [ "$pct10" -gt 250 ]; then
	fail "CPU cap not held: $((pct10 / 10)).$((pct10 % 10))% (want 15-25%)"
fi
ok "cpu cap holds the busy loop near 20%"

# --- memory limit OOM-kills --------------------------------------------------
if [ "$want" = v2 ]; then
	mem=/sys/fs/cgroup/$UNIQ-mem
	{ mkdir "$mem" && echo 16M >"$mem/memory.max"; } || fail "memory.max on $mem"
	ooms() { awk '$1 == "oom_kill" { print $2 }' "$mem/memory.events"; }
else
	mem=/sys/fs/cgroup/memory/$UNIQ-mem
	{ mkdir "$mem" && echo 16M >"$mem/memory.limit_in_bytes"; } || fail "memory.limit_in_bytes on $mem"
	ooms() { awk '$1 == "oom_kill" { print $2 }' "$mem/memory.oom_control"; }
fi
# bash holds 64 MiB in a variable: over the limit, the kernel kills it
rc=$(bash -c "echo \$\$ >$mem/cgroup.procs; x=\$(head -c 64M /dev/zero | tr '\\0' a); echo survived \${#x}" >"$TMPD/oom.out" 2>&1
	echo $?)
assert_eq 137 "$rc" "exit status of a 64 MiB allocation under a 16 MiB limit (SIGKILL)"
[ "$(ooms)" -ge 1 ] || fail "no oom_kill counted in $mem"
ok "memory limit OOM-kills ($(ooms) oom_kill)"

# --- namespaces and overlayfs ---------------------------------------------
# shellcheck disable=SC2016 # expanded by the inner shell
out=$(unshare --pid --fork --mount --uts --net --user --map-root-user \
	bash -c 'hostname inner && echo "$(hostname) $$ $(id -u) $(ls /sys/class/net | tr "\n" " ")"' 2>&1)
assert_eq "inner 1 0 lo " "$out" "unshare --pid --fork --mount --uts --net --user: hostname, pid, uid, interfaces"
o=$TMPD/ovl
mkdir -p "$o"/{lower,upper,work,merged}
echo low >"$o/lower/f"
mount -t overlay -o "lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work" overlay "$o/merged" ||
	fail "overlay mount"
echo high >"$o/merged/f"
umount "$o/merged"
assert_eq "low high" "$(cat "$o/lower/f") $(cat "$o/upper/f")" "overlayfs copy-up"

# --- no network ------------------------------------------------------------
assert_eq "lo" "$(ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')" "network interfaces"
nics=$(grep -l '^0x02' /sys/bus/pci/devices/*/class 2>/dev/null | wc -l)
assert_eq 0 "$nics" "PCI network controllers"

# --- io device, rw share --------------------------------------------------
dev=$(io_blockdev) || fail "io_blockdev found no block device"
[ -b "${dev#* }" ] || fail "io_blockdev gave '$dev', not a block device"
ok "io_blockdev: $dev"
probe=$TOP_DIR/tests/vm/.selftest-$UNIQ
{ echo "$want" >"$probe" && [ "$(cat "$probe")" = "$want" ] && rm "$probe"; } || fail "the project tree is not writable"
ok "project tree writable ($TOP_DIR)"

# (lib.sh removes the $UNIQ groups on exit)
echo "selftest $want: all checks passed"
