#!/bin/bash
# cgrun puts the workload into its leaf <group>/run-<PID> in every hierarchy
# before the command's first instruction, removes leaf and group at exit,
# and takes the command-line overrides with or without a profile.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

P=$(make_profile a "name: $UNIQ-a" "parent: self" "cpu: {max: 50%}" "memory: {max: 256M}" "pids: {max: 100}")

# The command's first act: read /proc/self/cgroup (exec'd directly, no shell).
OUT=$("$CGRUN" -p "$P" -- cat /proc/self/cgroup) || fail "cgrun failed: $OUT"
pid=$(echo "$OUT" | sed -n "s|.*/$UNIQ-a/run-\([0-9]*\)$|\1|p" | head -1)
[ -n "$pid" ] || fail "no run-PID leaf in: $OUT"
for c in cpu cpuacct memory pids; do
	rel=$(self_dir "$c"); mnt=$(cg_mount "$c"); rel=${rel#"$mnt"}
	want="$rel/$UNIQ-a/run-$pid"
	line=$(echo "$OUT" | cgroup_of "$c")
	assert_eq "$want" "$line" "first instruction already in the leaf ($c)"
done
assert_nothing_left "after a launch"

# While it runs: the leaf holds it, the group has the profile's limit.
"$CGRUN" -p "$P" -- sh -c 'echo $$ > '"$TMPD"'/pid; exec sleep 30' &
cg=$!; track_pid $cg
wait_for_file "$TMPD/pid" || fail "workload did not start"
wpid=$(cat "$TMPD/pid")
assert_eq "$wpid" "$(cat "$(group_dir pids a)/run-$wpid/cgroup.procs")" "the workload is alone in its leaf"
if [ "$(cg_mode)" = v2 ]; then
	assert_eq "100" "$(cat "$(group_dir pids a)/pids.max")" "group pids.max"
else
	assert_eq "268435456" "$(cat "$(group_dir memory a)/memory.limit_in_bytes")" "group memory limit"
fi
kill -TERM $cg; wait $cg
assert_eq 143 $? "SIGTERM to cgrun ends the workload: 128+15"
assert_nothing_left "after a terminated launch"

# A group made with --apply stays; only the leaf goes.
"$CGRUN" --apply -p "$P" >/dev/null || fail "--apply failed"
expect_status 0 "$CGRUN" -p "$P" -- true
[ -d "$(group_dir cpu a)" ] || fail "cgrun removed a group it did not create"
ok "a group applied beforehand is kept"
[ -z "$(ls -d "$(group_dir cpu a)"/run-* 2>/dev/null)" ] || fail "leaf left behind"
ok "its leaf is gone"
"$CGRUN" --remove -p "$P" >/dev/null || fail "--remove failed"
assert_nothing_left "after --remove"

# No profile: the group is named after the command; overrides set limits.
OUT=$(PM=$(cg_mount pids) "$CGRUN" --parent self --cpu 20% --memory 64M --pids 30 -- sh -c '
	cat /proc/self/cgroup; d=$(awk -F: "\$2 == \"pids\" || \$1 == \"0\" { print \$3 }" /proc/self/cgroup | head -1)
	echo "pids.max=$(cat "$PM$d/../pids.max")"')
assert_contains "$OUT" "/sh/run-" "group named after the command (sh)"
assert_contains "$OUT" "pids.max=30" "--pids 30 written to the group"
ls -d "$(self_dir cpu)/sh" >/dev/null 2>&1 && fail "group 'sh' left behind"
ok "profile-less group removed at exit"

# --name, and -g into a child group.
P2=$(make_profile b "name: $UNIQ-b" "parent: self" "cpu: {max: 80%}" "children:" "  - name: workers" "    cpu: {max: 40%}")
OUT=$("$CGRUN" -p "$P2" --name "$UNIQ-c" -g workers -- cat /proc/self/cgroup) || fail "-g failed: $OUT"
assert_contains "$OUT" "/$UNIQ-c/workers/run-" "--name and -g: the leaf is below the child group"
assert_nothing_left "after -g"

# Bad overrides: 125, a clear message, nothing created.
expect_status 125 "$CGRUN" -p "$P" --cpu 20x -- true
assert_contains "$OUT" "--cpu: '20x'" "bad --cpu is named"
expect_status 125 "$CGRUN" -p "$P2" -g nosuch -- true
assert_contains "$OUT" "no child group 'nosuch'" "bad -g is named"
assert_nothing_left "after refused overrides"

# Nested: a cgrun inside a launch whose profile says parent: self would put
# its group into the outer launch's leaf, which then could never be
# removed. --apply and a launch refuse it (125), say to give --parent, and
# nothing stays behind.
I=$(make_profile in "name: $UNIQ-in" "parent: self" "pids: {max: 20}")
expect_status 125 "$CGRUN" -p "$P" -- "$CGRUN" --apply -p "$I"
assert_contains "$OUT" "parent: self, the caller's own group, is the leaf of a launch" "a nested --apply into the leaf is refused"
assert_contains "$OUT" "give --parent" "and says what to give"
expect_status 125 "$CGRUN" -p "$P" -- "$CGRUN" -p "$I" -- true
assert_contains "$OUT" "is the leaf of a launch" "a nested launch into the leaf is refused"
assert_nothing_left "after nested cgruns"
