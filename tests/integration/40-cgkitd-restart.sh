#!/bin/bash
# cgkitd is SIGKILLed during a penalty: the cap stays in the kernel while it
# is down; restarted, it takes the penalty up with the time it had left (the
# release comes at the first `until`, not a full penalty after the restart),
# and nothing is applied twice (one cap line, one release line).
# layout: independent (the state file across SIGKILL; limits are written as in the cap script)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user; A=$U_NAME AU=$U_UID
R=$CGK_TAG-cpu
write_rules <<EOT
users:
  uids: ["$AU"]
  limits:
    cpu: {max: 150%}
rules:
  - name: $R
    scope: user
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: 1s}
    penalties:
      - {cpu: {max: 20%}, for: 6s}
      - {cpu: {max: 10%}, for: 1m}
EOT
cgkitd_start
UD=$(user_dir "$A" cpu)
start_hog "$AU"
wait_until 4 '[ "$(cpu_cap "$UD" 2>/dev/null)" = 20 ]' >/dev/null || fail "no cap within 4 s: $(tail -3 "$CGK_LOG")"
ok "capped at 20%"
sleep 0.3
capped=$(log_time "e['action']=='cap' and e['rule']=='$R'")
until1=$(jlog "e['action']=='cap' and e['rule']=='$R'" 'e["until"]' | head -1)
kill -KILL "$CGK_PID"; wait "$CGK_PID" 2>/dev/null; CGK_PID=""
ok "cgkitd SIGKILLed 0.3 s into the penalty"
sleep 2
assert_eq 20 "$(cpu_cap "$UD")" "the cap while cgkitd is down"
[ -n "$(ls -A "$CGK_STATE" 2>/dev/null)" ] || fail "nothing in the state directory $CGK_STATE"
cgkitd_start
t=$(wait_until 6 "[ \$(jcount 'e[\"action\"]==\"release\" and e[\"rule\"]==\"$R\"') -ge 1 ]") || fail "no release within 6 s of the restart"
released=$(log_time "e['action']=='release' and e['rule']=='$R'")
left=$(awk -v a="$capped" -v b="$released" 'BEGIN { printf "%.2f", b - a }')
# 6 s after the cap, give or take two intervals and a restart
fle 5.5 "$left" && fle "$left" 7.2 || fail "released ${left}s after the cap, want 6 s (the time left, not a new 6 s)"
ok "released ${left}s after the cap (penalty 6 s: the time left was kept)"
assert_eq 150 "$(cpu_cap "$UD")" "base cap back"
assert_eq 1 "$(jcount "e['action']=='cap' and e['rule']=='$R' and e['offence']==1")" "cap lines of the first offence (not re-applied at the restart)"
assert_eq 1 "$(jcount "e['action']=='release' and e['rule']=='$R'")" "release lines"
assert_eq "$until1" "$(jlog "e['action']=='cap' and e['rule']=='$R'" 'e["until"]' | head -1)" "until of the penalty"
# the count survived too: the next offence is the second
t=$(wait_until 3 '[ "$(cpu_cap "$UD")" = 10 ]') || fail "the next offence after the restart did not get the second tier: $(cpu_cap "$UD")"
ok "the offence count survived the restart: second tier next (${t}s)"
cgkitd_alive
