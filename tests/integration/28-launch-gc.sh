#!/bin/bash
# cgrun --gc removes only what a launch made: the empty run-<PID> leaf of a
# gone process inside a group a launch marked, and that group once unused.
# An empty group of the service manager's (systemd's run-u42.service,
# run-r7.scope), a child named run-x that --apply made, and anything in a
# group cgkit did not mark stay. A profile's child named run-x does not keep
# a launch's group alive either.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

# Everything below a cage of this test's own: --gc walks only that (the
# cage is --parent, relative to the mount), never the rest of the host.
# Profiles use pids only, so one relative path names the cage.
PD=$(self_dir pids); PM=$(cg_mount pids)
rel=${PD#"$PM"}; rel=${rel#/}
cage="${rel:+$rel/}$UNIQ-cage"
mkdir "$PD/$UNIQ-cage" || fail "setup: mkdir the cage"
C="$PD/$UNIQ-cage"

# not cgkit's: the service manager's empty transient units
mkdir "$C/run-u42.service" "$C/run-r7.scope" "$C/$UNIQ-svc" "$C/$UNIQ-svc/run-4194302"
# made with --apply: a group with a child named run-x
A=$(make_profile app "name: $UNIQ-app" "parent: $cage" "pids: {max: 20}" \
	"children:" "  - name: run-x" "    pids: {max: 10}")
"$CGRUN" --apply -p "$A" >/dev/null || fail "setup: --apply"
# a launch's stale leaf: --pid of a process that has ended since
L=$(make_profile l "name: $UNIQ-l" "parent: $cage" "pids: {max: 20}")
sleep 30 &
sp=$!; track_pid $sp
"$CGRUN" --pid "$sp" -p "$L" >/dev/null || fail "setup: --pid"
kill -KILL $sp; wait $sp 2>/dev/null
[ -d "$C/$UNIQ-l/run-$sp" ] || fail "setup: no stale leaf run-$sp"

expect_status 0 "$CGRUN" --gc --parent "$cage"
echo "$OUT" | sed 's/^/    /'
for d in run-u42.service run-r7.scope "$UNIQ-svc/run-4194302" "$UNIQ-app/run-x" "$UNIQ-app"; do
	[ -d "$C/$d" ] || fail "--gc removed $d, which no launch made"
	ok "$d stays"
done
[ -d "$C/$UNIQ-l/run-$sp" ] && fail "--gc left the stale leaf run-$sp"
ok "the stale launch leaf is removed"
[ -d "$C/$UNIQ-l" ] && fail "--gc left the launch's unused group"
ok "the launch's group is removed with it"
"$CGRUN" --remove -p "$A" >/dev/null || fail "--remove the applied group"

# A launch of a profile with a child named run-x: its group goes at the end.
R=$(make_profile r "name: $UNIQ-r" "parent: $cage" "pids: {max: 20}" \
	"children:" "  - name: run-x" "    pids: {max: 10}")
expect_status 0 "$CGRUN" -p "$R" -- true
[ -d "$C/$UNIQ-r" ] && fail "the launch's group stayed: its child run-x was taken for a leaf"
ok "a child named run-x does not keep a launch's group"
rmdir "$C/run-u42.service" "$C/run-r7.scope" "$C/$UNIQ-svc/run-4194302" "$C/$UNIQ-svc" "$C"
assert_nothing_left "after --gc"
