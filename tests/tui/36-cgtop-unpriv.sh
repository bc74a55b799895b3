#!/bin/bash
# cgtop as a normal user (issue 15): it shows every group it may read and
# marks with '*' the ones the user may act on (their cgroup.procs is the
# user's to write: a delegated group, one the user made); root's groups get
# no mark, and an action on one is still refused (32-cgtop-user).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"
. "$TOP_DIR/tests/integration/lib-unpriv.sh"

make_user
"$AS_USER" "$U_UID" test -x "$CGTOP" || skip "the test user cannot run $CGTOP"
for base in $(own_dirs); do
	mkdir "$base/$UNIQ-mine" "$base/$UNIQ-root" || fail "mkdir in $base"
	f=cgroup.procs
	chown "$U_UID" "$base/$UNIQ-mine" "$base/$UNIQ-mine/$f" || fail "chown $base/$UNIQ-mine"
	[ -e "$base/$UNIQ-mine/tasks" ] && chown "$U_UID" "$base/$UNIQ-mine/tasks"
done

CGTOP_AS="$AS_USER $U_UID" start_cgtop -d 1
wait_screen '^GROUP \(\* yours\)' 30 || fail "the header has no legend: $(screen | head -3)"
ok "the header says what '*' means"
keys / "$UNIQ-" Enter T Home
wait_until "[ \"\$(screen | grep -c '^/.*$UNIQ-')\" = 2 ]" 40 || fail "filter to the two groups: $(screen)"
mine=$(screen | grep "^/.*$UNIQ-mine")
root=$(screen | grep "^/.*$UNIQ-root")
assert_contains "$mine" "$UNIQ-mine *" "the user's group is marked"
assert_not_contains "$root" "$UNIQ-root *" "root's group is not"
keys q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
assert_eq "cgtop exited 0" "$(cat "$TMPD/cgtop.exit")" "exit status after q"
