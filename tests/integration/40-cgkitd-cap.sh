#!/bin/bash
# cgkitd, scope user (issue 11, the first test): a cpu hog of a test user is
# capped to the first tier within `for` + 2 intervals, on the user's own
# group (the kernel's file says so; cgget reads it too on cgroup v1); the log
# line carries the measures; when the penalty runs out the base limits come
# back; the second offence gets the second tier; `cgkitd forgive USER` ends
# the penalty and clears the count (the next offence is a first one again).
# Durations are scaled under emulation (lib-cgkitd.sh's sc); the host checks
# the issue's bounds as they are.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user
A=$U_NAME AU=$U_UID
R=$CGK_TAG-cpu
write_rules <<EOT
users:
  uids: ["$AU"]
  group: users/%u
  limits:
    cpu: {max: 150%}
rules:
  - name: $R
    scope: user
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: $(sc 2)s}
    penalties:
      - {cpu: {max: 20%}, for: $(sc 3)s}
      - {cpu: {max: 10%}, for: $(sc 3)s}
    forgive: 1h
EOT
"$CGKITD" --check -c "$CGK_RULES" >"$TMPD/check" 2>&1 || fail "--check refuses the test's file: $(cat "$TMPD/check")"
cgkitd_start
UD=$(user_dir "$A" cpu)
UREL=$(rel_of "users/$A" cpu)

start_hog "$AU"
t=$(wait_until "$(sc 3)" '[ "$(group_of $HOG_PID cpu)" = "$UREL" ]') || fail "the hog (pid $HOG_PID) is not in $UREL: $(group_of $HOG_PID cpu)"
ok "the hog is classified into the user's group $UREL (after ${t}s)"
assert_eq 150 "$(cpu_cap "$UD")" "base cpu cap of the user's group (percent)"

# first offence: cap 20% within for (2s) + 2 intervals (0.4s)
t=$(wait_until "$(sc 2.6)" '[ "$(cpu_cap "$UD")" = 20 ]') || fail "no 20% cap within $(sc 2.6) s: cap $(cpu_cap "$UD"); log: $(tail -3 "$CGK_LOG")"
ok "first tier (20%) written on the user's group ${t}s after classification"
if [ "$(cg_mode)" != v2 ] && ! cg_on_v2 cpu && command -v cgget >/dev/null; then
	q=$(cgget -n -v -r cpu.cfs_quota_us "$UREL" 2>&1)
	p=$(cgget -n -v -r cpu.cfs_period_us "$UREL" 2>&1)
	assert_eq 20 "$((q * 100 / p))" "cgget reads the same cap ($q/$p)"
fi
wait_until "$(sc 1)" "[ \$(jcount 'e[\"action\"]==\"cap\" and e[\"rule\"]==\"$R\"') -ge 1 ]" >/dev/null || fail "no cap line in the log"
check_log_fields "e['action']=='cap'" "cap"
line=$(jlog "e['action']=='cap' and e['rule']=='$R'" | head -1)
echo "  log: $line"
assert_eq "user $A $AU 1" "$(jlog "e['action']=='cap' and e['rule']=='$R'" '" ".join(str(g(k)) for k in ("scope", "user", "uid", "offence"))' | head -1)" "scope, user, uid, offence of the cap line"
cpu=$(jlog "e['action']=='cap' and e['rule']=='$R'" 'e["measures"]["cpu"]' | head -1)
fle 0.3 "$cpu" && fle "$cpu" 2.5 || fail "measures.cpu is $cpu, expected a share of one cpu over 0.3"
ok "measures.cpu = $cpu (share of one cpu, over the 0.3 threshold)"
assert_contains "$(jlog "e['action']=='cap' and e['rule']=='$R'" 'json.dumps(e["groups"])' | head -1)" "users/$A" "groups names the user's group"
[ "$(jlog "e['action']=='cap' and e['rule']=='$R'" 'e["until"] is not None' | head -1)" = True ] || fail "until is null for a penalty with for: 3s"
ok "until is set"

# the penalty runs out after 3 s: base limits back
t=$(wait_until "$(sc 3.8)" '[ "$(cpu_cap "$UD")" = 150 ]') || fail "base cap not back within $(sc 3.8) s: $(cpu_cap "$UD")"
ok "base limits (150%) back ${t}s later"
wait_until "$(sc 1)" "[ \$(jcount 'e[\"action\"]==\"release\" and e[\"rule\"]==\"$R\"') -ge 1 ]" >/dev/null || fail "no release line"
ok "release logged"

# second offence: second tier
t=$(wait_until "$(sc 3.5)" '[ "$(cpu_cap "$UD")" = 10 ]') || fail "no 10% cap (second tier) within $(sc 3.5) s: $(cpu_cap "$UD")"
ok "second offence: second tier (10%) after ${t}s"
# the second cap line (a third may follow by now if the checks were slow)
caps() { jlog "(e['action']=='cap' and e['rule']=='$R') or e['action']=='forgive'" 'e["action"]+" "+str(e["offence"])+" "+str((e["limits"] or {}).get("cpu", {}).get("max"))'; }
assert_eq "cap 2 10%" "$(caps | grep '^cap' | sed -n 2p)" "action, offence and cap of the second cap line"

# status shows the count; forgive ends the penalty and clears the count
st=$("$CGKITD" status -c "$CGK_RULES" 2>&1) || fail "status failed: $st"
assert_contains "$st" "$R" "status names the rule"
assert_contains "$st" "$A" "status names the user"
"$CGKITD" forgive "$A" -c "$CGK_RULES" >"$TMPD/forgive" 2>&1 || fail "forgive $A failed: $(cat "$TMPD/forgive")"
t=$(wait_until "$(sc 1)" '[ "$(cpu_cap "$UD")" = 150 ]') || fail "forgive: base cap not back within $(sc 1) s (one interval + slack): $(cpu_cap "$UD")"
ok "forgive ends the penalty within ${t}s"
wait_until "$(sc 1)" "[ \$(jcount 'e[\"action\"]==\"forgive\"') -ge 1 ]" >/dev/null || fail "no forgive line in the log"
ok "forgive logged"
t=$(wait_until "$(sc 3.5)" '[ "$(cpu_cap "$UD")" = 20 ]') || fail "after forgive the next offence is not a first one (cap $(cpu_cap "$UD"), want 20)"
ok "after forgive, the next offence gets the first tier again (${t}s)"
assert_eq "cap 1 20%" "$(caps | sed -n '/^forgive/,$p' | grep '^cap' | head -1)" "the first cap line after the forgive line"
cgkitd_alive
