#!/bin/bash
# cgkitd under churn: a user starts and ends 200 processes a second for 5 s,
# half of them matched at exec by a rule that moves them into a penalty
# group (so some exit while being moved). cgkitd does not crash, does not
# write an error storm, keeps its log well-formed, and leaves no penalty
# group behind once the processes are gone.
# layout: independent (process events under load; the moves are the cap and process scripts' subject)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user; A=$U_NAME AU=$U_UID
mkdir -p "$TMPD/bin"; chmod 755 "$TMPD/bin"
cp /bin/true "$TMPD/bin/quick$CGK_TAG"; cp /bin/sleep "$TMPD/bin/brief$CGK_TAG"; chmod 755 "$TMPD/bin/"*
R=$CGK_TAG-heavy
write_rules <<EOT
users:
  uids: ["$AU"]
  limits:
    pids: {max: 2000}
rules:
  - name: $R
    match: {users: ["$AU"], commands: [quick$CGK_TAG, brief$CGK_TAG]}
    penalties:
      - {cpu: {max: 50%}}
EOT
cgkitd_start
mark=$(wc -l <"$CGK_OUT")
# 5 rounds of one second: 100 that exit at once, 100 that live 20 ms, 
# the rest of the second idle
"$AS_USER" "$AU" bash -c '
for s in 1 2 3 4 5; do
	t0=$(date +%s%N)
	for i in $(seq 100); do "$1" & "$2" 0.02 & done
	wait
	t=$(( (1000000000 - ($(date +%s%N) - t0)) / 1000 ))
	[ $t -gt 0 ] && sleep "0.$(printf %06d $t)"
done' - "$TMPD/bin/quick$CGK_TAG" "$TMPD/bin/brief$CGK_TAG" &
churn=$!; track_pid $churn
wait $churn
assert_eq 0 "$?" "the churn ran (1000 processes)"
sleep 1
cgkitd_alive
ok "cgkitd survived 1000 short processes"
# (cgkitd says each penalty it takes on stderr too, for the journal: those
# lines are not errors; everything else is)
errs=$(tail -n +$((mark + 1)) "$CGK_OUT" | grep -Ev '^cgkitd: (would-)?(cap|kill|freeze|release|forgive) rule=[^ ]+ user=[^ ]+( groups=[^ ]+)? pid=[0-9]+$' | wc -l)
[ "$errs" -le 10 ] || fail "$errs lines other than actions on cgkitd's stderr during the churn: $(tail -n +$((mark + 1)) "$CGK_OUT" | grep -Ev ' rule=[^ ]+ user=[^ ]+( groups=[^ ]+)? pid=[0-9]+$' | head -5)"
ok "$errs lines other than actions on stderr during the churn"
n=$(jcount "e['rule']=='$R'")   # also: every line parses
ok "$n log lines of the rule, all JSON"
wait_until 1 "[ -z \"\$(for c in cpu memory pids; do find \"\$(cgk_parent \$c)/penalty/$R\" -mindepth 1 -type d 2>/dev/null; done)\" ]" >/dev/null ||
	fail "penalty groups left after every process ended: $(for c in cpu memory pids; do find "$(cgk_parent $c)/penalty/$R" -mindepth 1 -type d 2>/dev/null; done | head -5)"
ok "no penalty group left behind"
