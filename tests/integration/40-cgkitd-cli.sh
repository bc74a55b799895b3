#!/bin/bash
# cgkitd status, status --json, explain and forgive --pid against a running
# daemon: a hog under a process penalty is listed with rule, user, pid,
# offence and time left; explain says where a process is classified, which
# rules match it and its measures, and that pid 1 and cgkitd itself are
# exempt; forgive --pid --rule ends the penalty within one interval; SIGTERM
# ends cgkitd with status 0 and leaves the penalties in the kernel.
# layout: independent (the client commands and the state file)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user; A=$U_NAME AU=$U_UID
R=$CGK_TAG-big
write_rules <<EOT
users:
  uids: ["$AU"]
  limits:
    cpu: {max: 150%}
rules:
  - name: $R
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: 1s}
    penalties:
      - {cpu: {max: 20%}, for: 1m}
EOT
cgkitd_start
start_hog "$AU"; hog=$HOG_PID
PREL=$(rel_of "penalty/$R/$hog" cpu)
UREL=$(rel_of "users/$A" cpu)
wait_until 3 '[ "$(group_of $hog cpu)" = "$PREL" ]' >/dev/null || fail "the hog was not moved to $PREL"
ok "the hog is under the penalty"
# the state is saved at the end of the interval that moved it
wait_until 1 "\"\$CGKITD\" status -c \"\$CGK_RULES\" 2>/dev/null | grep -q -- '$R'" >/dev/null ||
	fail "status does not list $R one interval after the move"

expect_status 0 "$CGKITD" status -c "$CGK_RULES"
for w in "$R" "$A" "$hog"; do assert_contains "$OUT" "$w" "status shows $w"; done
expect_status 0 "$CGKITD" status --json -c "$CGK_RULES"
echo "$OUT" >"$TMPD/status.json"
python3 - "$TMPD/status.json" "$hog" "$R" "$A" <<'PY' || fail "status --json: $(cat "$TMPD/status.json")"
import json, sys
path, pid, rule, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
doc = json.load(open(path))
def walk(x):
    if isinstance(x, dict):
        yield x
        for v in x.values():
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)
hits = [o for o in walk(doc) if o.get("pid") == pid and o.get("rule") == rule]
assert hits, "no object with pid and rule"
o = hits[0]
assert o.get("user") == user, o
assert o.get("offence") == 1, o
left = [k for k in o if "left" in k or k == "until"]
assert left, "no time left / until in %r" % o
PY
ok "status --json has the penalty: pid, rule, user, offence 1, time left"

expect_status 0 "$CGKITD" explain --pid "$hog" -c "$CGK_RULES"
assert_contains "$OUT" "$R" "explain names the matching rule"
assert_contains "$OUT" "penalty/$R/$hog" "explain says where the process is"
assert_contains "$OUT" "cpu" "explain shows its measures"
expect_status 0 "$CGKITD" explain --pid 1 -c "$CGK_RULES"
assert_contains "$OUT" "exempt" "explain: pid 1 is exempt"
expect_status 0 "$CGKITD" explain --pid "$CGK_PID" -c "$CGK_RULES"
assert_contains "$OUT" "exempt" "explain: cgkitd itself is exempt"
OUT=$("$CGKITD" explain --pid 999999999 -c "$CGK_RULES" 2>&1) && fail "explain of a pid that does not exist succeeded: $OUT"
ok "explain of a missing pid fails: $OUT"

expect_status 0 "$CGKITD" forgive --pid "$hog" --rule "$R" -c "$CGK_RULES"
t=$(wait_until 1 '[ "$(group_of $hog cpu)" = "$UREL" ]') || fail "forgive --pid: the hog is still in $(group_of $hog cpu) after 1 s"
ok "forgive --pid: the hog is back in the user's group after ${t}s"
wait_until 1 "[ \$(jcount 'e[\"action\"]==\"forgive\" and e.get(\"pid\")==$hog') -ge 1 ]" >/dev/null || fail "no forgive line for pid $hog"
ok "forgive logged"
expect_status 0 "$CGKITD" status -c "$CGK_RULES"
assert_not_contains "$OUT" "$R " "status after forgive lists no penalty of the rule"

# a new penalty, then SIGTERM: status 0, the penalty stays in the kernel
wait_until 3 '[ "$(group_of $hog cpu)" = "$PREL" ]' >/dev/null || fail "the hog was not penalised again"
cgkitd_stop
assert_eq 0 "$CGK_RC" "cgkitd's exit status after SIGTERM"
assert_eq "$PREL" "$(group_of $hog cpu)" "the penalty stays after SIGTERM"
