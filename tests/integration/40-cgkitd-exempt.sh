#!/bin/bash
# cgkitd leaves exempt things alone: user B, exempt by uid, runs the same
# cpu hog as user A and is never classified, moved, capped or logged; a hog
# of user A in an exempt cgroup (a group of the test's own, listed in
# exempt.cgroups) neither; A's hog elsewhere is capped (the rules work).
# layout: independent (who is left alone: classification, not the layout)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user; A=$U_NAME AU=$U_UID
make_user; B=$U_NAME BU=$U_UID
# an exempt cgroup of the test's own, in the cpu hierarchy (and memory, pids)
EX_REL=$(d=$(self_dir cpu); d=${d#"$(cg_mount cpu)"}; echo "${d%/}/$UNIQ-ex")
for c in cpu cpuacct memory pids; do
	[ -n "$(cg_mount "$c")" ] || continue
	mkdir -p "$(self_dir "$c")/$UNIQ-ex" 2>/dev/null
done
CGK_EXEMPT_UIDS="$BU"
R=$CGK_TAG-cpu
CGK_EXEMPT_EXTRA="  cgroups: [\"$EX_REL\"]"
write_rules <<EOT
users:
  uids: ["$AU", "$BU"]
  limits:
    cpu: {max: 150%}
rules:
  - name: $R
    scope: process
    match: {users: ["$AU", "$BU"]}
    when: {cpu: 30%, for: 1s}
    penalties:
      - {cpu: {max: 20%}, for: 1m}
EOT
"$CGKITD" --check -c "$CGK_RULES" >"$TMPD/check" 2>&1 || fail "--check: $(cat "$TMPD/check")"

# B's hog and A's hog in the exempt group start before cgkitd (the start-up
# scan) and after it (events); A's plain hog shows the rule works.
start_hog "$BU"; b1=$HOG_PID
start_hog "$AU"; a_ex1=$HOG_PID
for c in cpu cpuacct memory pids; do
	[ -d "$(self_dir $c)/$UNIQ-ex" ] && { echo $a_ex1 >"$(self_dir $c)/$UNIQ-ex/cgroup.procs" || fail "moving $a_ex1 to $UNIQ-ex ($c)"; }
done
sleep 0.3
b1_before=$(cat /proc/$b1/cgroup); a_ex1_before=$(cat /proc/$a_ex1/cgroup)
assert_contains "$a_ex1_before" "$UNIQ-ex" "A's first hog runs in the exempt group"
cgkitd_start
start_hog "$BU"; b2=$HOG_PID
start_hog "$AU"; a=$HOG_PID
b2_before=$(cat /proc/$b2/cgroup)

t=$(wait_until 3 "[ \$(jcount 'e[\"action\"]==\"cap\" and e.get(\"pid\")==$a') -ge 1 ]") ||
	fail "A's plain hog (pid $a) was not capped within 3 s: the rules do not work; $(tail -3 "$CGK_LOG")"
ok "A's plain hog is capped (${t}s): the rules are in force"
sleep 1.5   # as long again for the others
assert_eq "$b1_before" "$(cat /proc/$b1/cgroup)" "B's hog started before cgkitd: groups unchanged"
assert_eq "$b2_before" "$(cat /proc/$b2/cgroup)" "B's hog started after cgkitd: groups unchanged"
assert_eq "$a_ex1_before" "$(cat /proc/$a_ex1/cgroup)" "A's hog in the exempt cgroup: groups unchanged"
assert_eq 0 "$(jcount "e.get('uid')==$BU or e.get('user')=='$B'")" "log lines about exempt user B"
assert_eq 0 "$(jcount "e.get('pid') in ($b1, $b2, $a_ex1)")" "log lines about the exempt processes"
for n in "$B"; do
	for c in cpu memory pids; do
		d=$(cgk_parent "$c") || continue
		[ -d "$d/users/$n" ] && fail "a group was made for exempt user $B: $d/users/$n"
	done
done
ok "no group made for user B"
expl=$("$CGKITD" explain --pid "$b2" -c "$CGK_RULES" 2>&1) || fail "explain --pid $b2: $expl"
assert_contains "$expl" "exempt" "explain says B's hog is exempt"
cgkitd_alive
