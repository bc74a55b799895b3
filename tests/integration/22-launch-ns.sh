#!/bin/bash
# Each namespace of the profile: pid (a tiny init is pid 1, the command pid
# 2; --no-init makes it pid 1), mount (private propagation, a fresh /proc),
# uts (hostname), ipc, net (loopback up, nothing else), cgroup (the leaf is
# the root), user (the caller is root inside).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

ns_of() { readlink "/proc/$1/ns/$2"; }

P=$(make_profile a "name: $UNIQ-a" "parent: self" "pids: {max: 50}" \
	"namespaces: [pid, mount, uts, ipc, net, cgroup]" "hostname: $UNIQ-h")
OUT=$("$CGRUN" -p "$P" -- sh -c '
	echo "pid=$$"
	echo "init=$(cat /proc/1/comm)"
	set -- /proc/[0-9]*; echo "procs=$#"
	echo "host=$(hostname)"
	for n in mnt uts ipc net cgroup pid; do echo "ns-$n=$(readlink /proc/self/ns/$n)"; done
	echo "lo=$(ip -o link 2>/dev/null | grep -c ": lo:.*[<,]UP[,>]")"
	echo "ifaces=$(awk "NR > 2 { print \$1 }" /proc/net/dev | tr -d ":" | tr "\n" " ")"
	echo "cgroup=$(cat /proc/self/cgroup | cut -d: -f3 | sort -u | tr "\n" " ")"
	echo "propagation=$(awk "\$5 == \"/\" { print \$7 }" /proc/self/mountinfo)"
') || fail "launch failed: $OUT"
echo "$OUT" | sed 's/^/    /'
assert_contains "$OUT" "pid=2" "the command is pid 2 of its pid namespace"
assert_contains "$OUT" "init=cgrun-init" "pid 1 is cgrun's init"
assert_contains "$OUT" "procs=2" "a fresh /proc shows only init and the command (no fork: a glob)"
assert_contains "$OUT" "host=$UNIQ-h" "uts: hostname"
hostname | grep -qx "$UNIQ-h" && fail "the host's name changed"
for n in mnt uts ipc net cgroup pid; do
	assert_not_contains "$OUT" "ns-$n=$(ns_of $$ $n)" "$n namespace differs from the host's"
done
assert_contains "$OUT" "ifaces=lo " "net: only loopback"
command -v ip >/dev/null && assert_contains "$OUT" "lo=1" "net: loopback is up"
assert_contains "$OUT" "cgroup=/ " "cgroup: the leaf is the root in every hierarchy"
assert_not_contains "$OUT" "propagation=shared" "mount: / is not shared with the host"

# Mounts made inside do not reach the host.
mkdir -p "$TMPD/mnt"
expect_status 0 "$CGRUN" -p "$P" -- mount -t tmpfs none "$TMPD/mnt"
grep -q " $TMPD/mnt " /proc/self/mountinfo && fail "a mount made inside is visible on the host"
ok "a mount made inside stays inside"

# ipc: a message queue made inside is not on the host.
P3=$(make_profile c "name: $UNIQ-c" "parent: self" "namespaces: [ipc]")
if command -v ipcmk >/dev/null; then
	before=$(ipcs -q | grep -c 0x)
	expect_status 0 "$CGRUN" -p "$P3" -- sh -c 'ipcmk -Q >/dev/null && ipcs -q | grep -c 0x'
	assert_eq 1 "$OUT" "ipc: the queue exists inside"
	assert_eq "$before" "$(ipcs -q | grep -c 0x)" "ipc: not on the host"
fi

# --no-init: the command itself is pid 1.
expect_status 0 "$CGRUN" -p "$P" --no-init -- sh -c 'echo $$'
assert_eq 1 "$OUT" "--no-init: the command is pid 1"

# user: the caller is root inside, mapped to the caller outside.
P2=$(make_profile b "name: $UNIQ-b" "parent: self" "pids: {max: 50}" "namespaces: [user, pid, mount]")
expect_status 0 "$CGRUN" -p "$P2" -- sh -c 'id -u; cat /proc/self/uid_map'
assert_contains "$OUT" "0" "user: uid 0 inside"
assert_eq "0 $(id -u) 1" "$(echo "$OUT" | tail -1 | tr -s ' ' | sed 's/^ //')" "user: caller mapped to root"
assert_nothing_left "after the namespace launches"
