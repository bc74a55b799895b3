#!/bin/bash
# rootfs: pivot_root into a busybox-static tree the test builds, with /proc,
# a minimal /dev and a read-only /sys; user, workdir and env from the profile
# and the command line; dropping to a user sets no_new_privs.
# layout: independent (pivot_root and mounts, not cgroups)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

R=$(make_busybox_root root)
P=$(make_profile a "name: $UNIQ-a" "parent: self" "pids: {max: 50}" \
	"namespaces: [pid, mount, uts, ipc, net]" "rootfs: $R" "workdir: /etc" \
	"env: {PATH: /bin, GREETING: hello}")

OUT=$("$CGRUN" -p "$P" -- sh -c '
	echo "marker=$(cat /etc/marker)"
	echo "pwd=$(pwd)"
	echo "greeting=$GREETING"
	echo "root=$(awk "\$5 == \"/\" { print \$4 }" /proc/self/mountinfo)"
	echo "mounts=$(awk "{ print \$5 }" /proc/self/mountinfo | tr "\n" " ")"
	echo "dev=$(ls /dev | tr "\n" " ")"
	echo x > /dev/null && echo "null=ok"
	head -c 4 /dev/zero | wc -c | sed "s/^/zero=/"
	echo "urandom=$(head -c 8 /dev/urandom | wc -c)"
	touch /sys/x 2>/dev/null && echo "sys=rw" || echo "sys=ro"
	echo "sysmount=$(awk "\$5 == \"/sys\" { print \$6 }" /proc/self/mountinfo)"
	set -- /proc/[0-9]*; echo "procs=$#"
') || fail "rootfs launch failed: $OUT"
echo "$OUT" | sed 's/^/    /'
assert_contains "$OUT" "marker=rootfs-marker" "the rootfs is /"
assert_contains "$OUT" "pwd=/etc" "workdir from the profile"
assert_contains "$OUT" "greeting=hello" "env from the profile"
assert_not_contains "$OUT" " /work" "no host mount visible inside"
assert_contains "$OUT" "mounts=/ " "pivot_root: the old root is gone, / is the first mount"
for d in null zero full random urandom tty pts shm; do
	assert_contains "$OUT" " $d " "/dev/$d"
done
assert_contains "$OUT" "null=ok" "/dev/null works"
assert_contains "$OUT" "zero=4" "/dev/zero works"
assert_contains "$OUT" "urandom=8" "/dev/urandom works"
assert_contains "$OUT" "sys=ro" "/sys is read-only"
assert_contains "$OUT" "sysmount=ro," "/sys mounted ro"
assert_contains "$OUT" "procs=2" "a fresh /proc"

# --workdir and --env on the command line win over the profile.
expect_status 0 "$CGRUN" -p "$P" --workdir /bin --env GREETING=bye --env EXTRA=1 -- sh -c 'echo "$(pwd) $GREETING $EXTRA"'
assert_eq "/bin bye 1" "$OUT" "--workdir and --env override the profile"

# --user by name from the rootfs's passwd: uid, gid and no_new_privs.
expect_status 0 "$CGRUN" -p "$P" --user nobody -- sh -c 'echo "$(id -u):$(id -g) $(grep NoNewPrivs /proc/self/status | tr -d "\t ")"'
assert_eq "65534:65534 NoNewPrivs:1" "$OUT" "--user nobody with no_new_privs"
expect_status 0 "$CGRUN" -p "$P" --user 1234:4321 -- sh -c 'echo "$(id -u):$(id -g)"'
assert_eq "1234:4321" "$OUT" "--user uid:gid"
# ... and it cannot write where root owns
expect_status 1 "$CGRUN" -p "$P" --user nobody -- sh -c 'touch /etc/x 2>/dev/null'
[ -e "$R/etc/x" ] && fail "nobody wrote into the rootfs's /etc"
ok "the dropped user cannot write root's files"

# user from the profile, and no user at all stays root.
P2=$(make_profile b "name: $UNIQ-b" "parent: self" "namespaces: [mount]" "rootfs: $R" "user: nobody" "env: {PATH: /bin}")
expect_status 0 "$CGRUN" -p "$P2" -- id -u
assert_eq 65534 "$OUT" "user from the profile"

# Nothing of the rootfs's mounts is left on the host.
grep -q "$R" /proc/self/mountinfo && fail "rootfs mounts left on the host"
ok "no mount of the rootfs left on the host"
assert_nothing_left "after the rootfs launches"
