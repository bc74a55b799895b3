#!/bin/bash
# cgroup v2 only: an absolute users.group is adopted. The test makes a
# user's group the way systemd does (a slice per user, the processes in a
# scope below it, controllers enabled on the way) below its own group:
# SELF/$UNIQ-user.slice/user-UID.slice/session.scope (in the v2 guest SELF is
# / and a host's real /user.slice is never written); the rules say
# group: SELF/$UNIQ-user.slice/user-%U.slice. cgkitd writes the base limits
# and the penalty there and moves no process; no users/ group is made.
# Durations are scaled under emulation (lib-cgkitd.sh's sc).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ "$(cg_mode)" = v2 ] || skip "adopting a systemd-style user slice is tested on cgroup v2 only (this host is $(cg_mode))"

make_user; A=$U_NAME AU=$U_UID
S=$(self_dir cpu); SREL=${S#"$(cg_mount cpu)"}
SL=$S/$UNIQ-user.slice; US=$SL/user-$AU.slice; SC=$US/session-1.scope
mkdir -p "$SC" || fail "mkdir $SC"
for c in cpu memory pids; do
	grep -qw "$c" "$S/cgroup.subtree_control" || echo "+$c" >"$S/cgroup.subtree_control" || fail "enabling $c in $S"
	echo "+$c" >"$SL/cgroup.subtree_control" && echo "+$c" >"$US/cgroup.subtree_control" || fail "enabling $c below $SL"
done
R=$CGK_TAG-cpu
write_rules <<EOT
users:
  uids: ["$AU"]
  group: ${SREL%/}/$UNIQ-user.slice/user-%U.slice
  limits:
    cpu: {max: 150%}
    pids: {max: 500}
rules:
  - name: $R
    scope: user
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: $(sc 1)s}
    penalties:
      - {cpu: {max: 20%}, for: 1m}
EOT
"$CGKITD" --check -c "$CGK_RULES" >"$TMPD/check" 2>&1 || fail "--check: $(cat "$TMPD/check")"
# a process of the user's that runs before cgkitd starts (idle: the base
# limits are checked before any offence), then a hog started after
"$AS_USER" "$AU" sleep 120 &
early=$!; track_pid $early
echo "$early" >"$SC/cgroup.procs" || fail "moving the early process into $SC"
SCREL=${SC#"$(cg_mount cpu)"}
cgkitd_start

t=$(wait_until "$(sc 2)" '[ "$(cpu_cap "$US")" = 150 ]') || fail "base limits not written on the adopted $US: cpu $(cpu_cap "$US")"
ok "base cpu limit written on the adopted slice (${t}s)"
assert_eq 500 "$(cat "$US/pids.max")" "base pids.max on the adopted slice"
start_hog "$AU"; hog=$HOG_PID
echo "$hog" >"$SC/cgroup.procs" || fail "moving the hog into $SC"
t=$(wait_until "$(sc 4)" '[ "$(cpu_cap "$US")" = 20 ]') || fail "no penalty on $US within $(sc 4) s: $(cpu_cap "$US")"
ok "the penalty is written on the adopted slice (${t}s)"
assert_eq "$SCREL" "$(group_of $early cpu)" "the early process is still in its scope"
assert_eq "$SCREL" "$(group_of $hog cpu)" "the hog is still in its scope"
[ -d "$S/users" ] && [ -d "$S/users/$A" ] && fail "a users/$A group was made"
ok "no users/$A group made"
assert_eq 0 "$(jcount "e['action'] in ('classify','move')")" "classify/move lines"
assert_contains "$(jlog "e['action']=='cap'" 'json.dumps(e["groups"])')" "user-$AU.slice" "the cap line names the adopted group"
"$CGKITD" forgive "$A" -c "$CGK_RULES" >"$TMPD/forgive" 2>&1 || fail "forgive $A: $(cat "$TMPD/forgive")"
t=$(wait_until "$(sc 1)" '[ "$(cpu_cap "$US")" = 150 ]') || fail "forgiven: the adopted slice's base cpu limit is not back: $(cpu_cap "$US")"
ok "forgiven: the base limits are back on the adopted slice (${t}s)"
cgkitd_alive
