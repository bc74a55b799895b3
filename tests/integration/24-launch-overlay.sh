#!/bin/bash
# layers: an overlay of the lower layers (top first) over the rootfs, with a
# fresh upper and work directory removed at exit unless --keep-upper DIR;
# deleting a lower layer's file inside leaves the layer untouched (the
# whiteout is in the upper).
# layout: independent (overlayfs, not cgroups)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

R=$(make_busybox_root base)
L1="$TMPD/app"; L2="$TMPD/conf"
mkdir -p "$L1/srv" "$L2/srv" "$L2/etc"
echo "from-app" >"$L1/srv/file"
echo "from-conf" >"$L2/srv/file"
echo "doomed" >"$L2/srv/doomed"
echo "conf-marker" >"$L2/etc/marker"
mkdir -p "$TMPD/tmp"
P=$(make_profile a "name: $UNIQ-a" "parent: self" "pids: {max: 50}" "namespaces: [pid, mount]" \
	"rootfs: $R" "layers: [$L1, $L2]" "env: {PATH: /bin}")

OUT=$(TMPDIR="$TMPD/tmp" "$CGRUN" -p "$P" -- sh -c '
	echo "file=$(cat /srv/file)"
	echo "marker=$(cat /etc/marker)"
	echo "busybox=$(ls /bin/busybox)"
	rm /srv/doomed && echo "rm=ok"
	ls /srv/doomed 2>/dev/null || echo "doomed=gone"
	echo new > /srv/new && echo "write=ok"
	echo "fstype=$(awk "\$5 == \"/\" { print \$9 }" /proc/self/mountinfo)"
') || fail "overlay launch failed: $OUT"
assert_contains "$OUT" "file=from-app" "the top layer wins"
assert_contains "$OUT" "marker=conf-marker" "a lower layer shadows the rootfs"
assert_contains "$OUT" "busybox=/bin/busybox" "the rootfs is the bottom layer"
assert_contains "$OUT" "rm=ok" "a lower file can be deleted inside"
assert_contains "$OUT" "doomed=gone" "... and is gone inside"
assert_contains "$OUT" "fstype=overlay" "/ is an overlay"
assert_eq "doomed" "$(cat "$L2/srv/doomed")" "the lower layer is untouched"
[ -e "$L1/srv/new" ] || [ -e "$L2/srv/new" ] || [ -e "$R/srv/new" ] && fail "a write reached a lower layer"
ok "writes do not reach the layers"
assert_eq "" "$(ls "$TMPD/tmp")" "the temporary upper and work directories are removed"

# --keep-upper DIR keeps the upper: the new file and the whiteout.
K="$TMPD/keep"
expect_status 0 "$CGRUN" -p "$P" --keep-upper "$K" -- sh -c 'rm /srv/doomed; echo new > /srv/new'
assert_eq "new" "$(cat "$K/srv/new")" "--keep-upper keeps the new file"
[ -c "$K/srv/doomed" ] && [ "$(stat -c %t:%T "$K/srv/doomed")" = "0:0" ] || fail "no whiteout for doomed in $K: $(ls -l "$K/srv")"
ok "the whiteout (a 0:0 character device) is in the upper"
assert_eq "doomed" "$(cat "$L2/srv/doomed")" "the lower layer is still untouched"
assert_eq "" "$(ls -d "$K".work-* 2>/dev/null)" "the work directory beside it is removed"
# ... and a later launch with the same upper sees them
expect_status 0 "$CGRUN" -p "$P" --keep-upper "$K" -- sh -c 'cat /srv/new; ls /srv/doomed 2>/dev/null || echo gone'
assert_eq "new
gone" "$OUT" "a kept upper is used again"

# layers without a rootfs: the layers are the whole root.
L3="$TMPD/solo"; mkdir -p "$L3"; cp -a "$R/bin" "$R/etc" "$L3/"
P2=$(make_profile b "name: $UNIQ-b" "parent: self" "namespaces: [mount]" "layers: [$L3]" "env: {PATH: /bin}")
expect_status 0 "$CGRUN" -p "$P2" -- cat /etc/marker
assert_eq "rootfs-marker" "$OUT" "layers alone make the root"
grep -q "$TMPD" /proc/self/mountinfo && fail "overlay mounts left on the host"
ok "no overlay mount left on the host"
assert_nothing_left "after the overlay launches"
