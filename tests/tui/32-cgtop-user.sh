#!/bin/bash
# cgtop as a normal user: it reads everything, and every action on a group
# of root's says that it needs rights the user lacks and changes nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

user=nobody
id "$user" >/dev/null 2>&1 || skip "no user $user"
command -v runuser >/dev/null || skip "runuser is not installed"
runuser -u "$user" -- test -x "$CGTOP" || skip "$user cannot run $CGTOP"

# root's group with root's sleeping process
sleep 300 &
sleeper=$!
track_pid "$sleeper"
for base in $(own_dirs); do
	mkdir "$base/$UNIQ-frz" || fail "mkdir $base/$UNIQ-frz"
	echo "$sleeper" >"$base/$UNIQ-frz/cgroup.procs" || fail "moving $sleeper"
done
pids_max="$(self_dir pids)/$UNIQ-frz/pids.max"
before_pids=$(cat "$pids_max")
mkdir "$TMPD/profiles"
chmod 755 "$TMPD" "$TMPD/profiles"
printf '%s\n' "name: $UNIQ-capped" "parent: self" "cpu:" "  max: 10%" >"$TMPD/profiles/capped.yaml"
chmod 644 "$TMPD/profiles/capped.yaml"
export CGKIT_PROFILES="$TMPD/profiles"

# batch mode reads as the user
OUT=$(runuser -u "$user" -- "$CGTOP" -b -n 1 -d 0.3 "/$UNIQ-frz" 2>&1) || fail "cgtop -b as $user: $OUT"
assert_contains "$OUT" "/$UNIQ-frz" "$user sees the group in batch mode"

CGTOP_AS="runuser -u $user --" start_cgtop -d 1
keys / "$UNIQ-frz" Enter T Home
wait_until "[ \"\$(screen | grep -c '^/')\" = 1 ]" 30 || fail "filter to one group: $(screen)"

keys f
wait_screen 'needs write access' 30 || fail "f as $user: $(screen | tail -1)"
assert_eq THAWED "$(frozen_state "$UNIQ-frz")" "state after f as $user"
ok "f says: $(screen | tail -1 | tr -s ' ')"

keys e
wait_screen 'change which limit' 20 || fail "no limit menu"
keys Down Down Enter
wait_screen 'new pids.max' 20 || fail "no prompt for pids.max"
keys BSpace BSpace BSpace BSpace BSpace 40 Enter
wait_screen 'nothing changed' 30 || fail "e as $user: $(screen | tail -1)"
assert_eq "$before_pids" "$(cat "$pids_max")" "pids.max after e as $user"
ok "e says: $(screen | tail -1 | tr -s ' ')"

keys k
wait_screen 'send which signal' 20 || fail "no signal menu"
keys Enter
wait_screen 'y/N' 20 || fail "no confirmation"
keys y
wait_screen 'rights you lack' 30 || fail "k as $user: $(screen | tail -1)"
kill -0 "$sleeper" 2>/dev/null || fail "root's process was signalled by $user"
ok "k says: $(screen | tail -1 | tr -s ' ')"

keys C
wait_screen 'cap with which profile' 20 || fail "C did not offer the profiles: $(screen | tail -2)"
keys Enter
wait_screen 'y/N' 20 || fail "no confirmation"
keys y
wait_screen 'failed' 60 || fail "C as $user: $(screen | tail -1)"
grep -q "$UNIQ-frz" "/proc/$sleeper/cgroup" || fail "root's process was moved by $user"
ok "C says: $(screen | tail -1 | tr -s ' ')"

keys q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
assert_eq "cgtop exited 0" "$(cat "$TMPD/cgtop.exit")" "exit status after q"
[ -s "$TMPD/cgtop.err" ] && fail "cgtop wrote to stderr (sanitizer?): $(cat "$TMPD/cgtop.err")"
exit 0
