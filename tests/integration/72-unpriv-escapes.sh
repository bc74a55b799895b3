#!/bin/bash
# Nothing gained by running cgkit (issue 15): cgrun and cgtop install with no
# set-user-id bit and no file capabilities, and a normal user cannot make
# cgrun write where the user could not: every attempt exits 125 with a
# message, and the cgroup tree is the same before and after.
# Tried: --parent ../.. ; a profile's parent in another user's delegated
# tree; a symlink as --cgroup-root (a plan writes nothing; --apply takes no
# --cgroup-root); a symlink as TMPDIR with an overlay's layers; a rootfs
# holding a device node; --user root; a symlink where the user's launch
# lock goes (/tmp/cgkit-UID).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-unpriv.sh"

make_user
BEFORE=$(tree_listing)
as_user() { OUT=$("$AS_USER" "$U_UID" "$@" 2>&1); RC=$?; }
refused() { # what needle
	[ "$RC" -eq 125 ] || fail "$1: exited $RC, expected 125; output: $OUT"
	assert_contains "$OUT" "$2" "$1: exit 125 and the message"
	echo "    $OUT"
}

# the binaries: no set-user-id, no capabilities, and make install sets none
for b in cgrun cgtop cgkitd; do
	[ -x "$BUILD/$b" ] || continue
	[ ! -u "$BUILD/$b" ] && [ ! -g "$BUILD/$b" ] || fail "$b is set-user-id or set-group-id"
	if command -v getcap >/dev/null; then
		[ -z "$(getcap "$BUILD/$b")" ] || fail "$b has file capabilities: $(getcap "$BUILD/$b")"
	fi
done
! grep -nE 'chmod +[ugo]*[0-7]*[+]?s|chmod +[4-7][0-7]{3}|setcap|install .*-m *[4-7][0-7]{3}' "$TOP_DIR/Makefile" ||
	fail "the Makefile sets a set-user-id bit or capabilities"
ok "no set-user-id bit, no file capabilities (binaries and Makefile)"

as_user "$CGRUN" --parent ../.. --name "$UNIQ-a" -- true
refused "--parent ../.." "the parent may not contain '..'"

P=$(make_profile up "name: $UNIQ-up" "parent: ../../x")
as_user "$CGRUN" -p "$P" -- true
refused "a profile's parent ../../x" "the parent may not contain '..'"

# --user root, and the profile's user: root
as_user "$CGRUN" --user root -- id -u
refused "--user root" "--user root: as a user (uid $U_UID), cgrun runs the command as you"
P=$(make_profile ur "name: $UNIQ-ur" "user: root")
as_user "$CGRUN" -p "$P" -- id -u
refused "user: root in a profile" "user: root: as a user"

# a rootfs with a device node
mkdir -p "$TMPD/rootfs/dev" "$TMPD/rootfs/bin"
mknod "$TMPD/rootfs/dev/sda-copy" b 8 0 2>/dev/null || mknod "$TMPD/rootfs/dev/mem-copy" c 1 1
P=$(make_profile rf "name: $UNIQ-rf" "rootfs: $TMPD/rootfs" "namespaces: [user, mount]")
as_user "$CGRUN" -p "$P" -- /bin/true
refused "a rootfs with device nodes" "rootfs: as a user (uid $U_UID), cgrun mounts no root file system"

# an overlay's layers with TMPDIR a symlink into root's own directory
mkdir -p "$TMPD/lower" "$TMPD/rootdir"
chmod 700 "$TMPD/rootdir"
ln -s "$TMPD/rootdir" "$TMPD/tmplink"
P=$(make_profile ov "name: $UNIQ-ov" "layers: [$TMPD/lower]" "namespaces: [user, mount]")
OUT=$("$AS_USER" "$U_UID" env TMPDIR="$TMPD/tmplink" "$CGRUN" -p "$P" -- true 2>&1); RC=$?
refused "layers with TMPDIR a symlink" "layers: as a user (uid $U_UID), cgrun mounts no root file system"
[ -z "$(ls -A "$TMPD/rootdir")" ] || fail "something was made through the TMPDIR symlink: $(ls -A "$TMPD/rootdir")"
ok "nothing made through the TMPDIR symlink"

# --cgroup-root through a symlink: a plan only prints; nothing else takes it
ln -s "$(cg_mount pids || echo /sys/fs/cgroup)" "$TMPD/cglink"
P=$(make_profile cr "name: $UNIQ-cr" "parent: self" "pids: {max: 10}")
as_user "$CGRUN" --plan --layout v2 --cgroup-root "$TMPD/cglink" -p "$P"
[ "$RC" -eq 0 ] || fail "--plan with --cgroup-root exited $RC: $OUT"
ok "--plan through a --cgroup-root symlink only prints"
as_user "$CGRUN" --apply --layout v2 --cgroup-root "$TMPD/cglink" -p "$P"
refused "--apply --cgroup-root" "--layout and --cgroup-root go with --plan only"

# the user's lock directory made a symlink by someone else
ln -s "$TMPD/rootdir" "/tmp/cgkit-$U_UID"
V2=false
[ -n "$(cg2_mount)" ] && cg_on_v2 pids && grep -qw pids "$(cg2_self)/cgroup.controllers" 2>/dev/null && V2=true
if $V2; then
	# on cgroup v2 the launch goes as far as the lock from a delegated leaf
	make_delegated pids
	in_leaf "$CGRUN" --parent self --name "$UNIQ-l" --pids 10 -- true
else
	as_user "$CGRUN" --name "$UNIQ-l" -- true
fi
refused "a symlink as the lock directory" "the launch lock's directory /tmp/cgkit-$U_UID is not a directory of yours"
[ -z "$(ls -A "$TMPD/rootdir")" ] || fail "something was made through the lock symlink"
rm -f "/tmp/cgkit-$U_UID"
if $V2; then rmdir "$DG/sh" "$DG"; fi

# a profile's parent in another user's delegated tree (cgroup v2)
if $V2; then
	OTHER="$(cg2_self)/$UNIQ-other"
	mkdir "$OTHER"
	echo +pids >"$OTHER/cgroup.subtree_control"
	chown 65534 "$OTHER" "$OTHER/cgroup.procs" "$OTHER/cgroup.subtree_control" "$OTHER/cgroup.threads"
	REL=${OTHER#"$(cg2_mount)/"}
	P=$(make_profile ot "name: $UNIQ-ot" "parent: $REL" "pids: {max: 10}")
	as_user "$CGRUN" -p "$P" -- true
	refused "a profile's parent in another user's tree" "$OTHER is not delegated to you"
	as_user "$CGRUN" --apply -p "$P"
	refused "--apply into another user's tree" "$OTHER is not delegated to you"
	[ -z "$(find "$OTHER" -mindepth 1 -type d)" ] || fail "made in the other user's tree: $(find "$OTHER" -mindepth 1 -type d)"
	rmdir "$OTHER"
fi

tree_unchanged "$BEFORE"
