#!/bin/bash
# cgkitd --dry-run judges and logs as usual but changes nothing: no group is
# made, no process moved, no limit written, nothing killed; the log says
# would-classify / would-cap / would-kill.
# layout: independent (a dry run writes nothing, whatever the layout)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user; A=$U_NAME AU=$U_UID
mkdir -p "$TMPD/bin"; cp /bin/sleep "$TMPD/bin/ban$CGK_TAG"; chmod 755 "$TMPD/bin" "$TMPD/bin/ban$CGK_TAG"
write_rules <<EOT
users:
  uids: ["$AU"]
  limits:
    cpu: {max: 150%}
rules:
  - name: $CGK_TAG-cpu
    scope: user
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: 1s}
    penalties:
      - {cpu: {max: 20%}, for: 1m}
  - name: $CGK_TAG-big
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: 1s}
    penalties:
      - {cpu: {max: 20%}, for: 1m}
  - name: $CGK_TAG-ban
    match: {users: ["$AU"], commands: [ban$CGK_TAG]}
    penalties:
      - {kill: KILL}
EOT
snap() { # every group directory below cgkitd's parents, with its limits
	# (the parent itself is the test's cage for cgkitd, made when it starts)
	local d s
	for d in $(cgk_all_parents); do
		for s in $(find "$d" -mindepth 1 -type d 2>/dev/null | sort); do
			echo "$s"
			cat "$s"/cpu.max "$s"/cpu.cfs_quota_us 2>/dev/null
		done
	done
}
before=$(snap)
start_hog "$AU"; early=$HOG_PID
early_cg=$(cat /proc/$early/cgroup)
cgkitd_start --dry-run
start_hog "$AU"; late=$HOG_PID
late_cg=$(cat /proc/$late/cgroup)
"$AS_USER" "$AU" "$TMPD/bin/ban$CGK_TAG" 1 &
b=$!; track_pid $b
wait $b
assert_eq 0 "$?" "the banned program runs to its end in a dry run"
t=$(wait_until 4 "[ \$(jcount 'e[\"action\"]==\"would-cap\"') -ge 2 ]") || fail "no would-cap lines for both rules within 4 s: $(tail -5 "$CGK_LOG")"
ok "would-cap logged for the user rule and the process rule (${t}s)"
assert_eq 1 "$(jcount "e['action']=='would-kill' and e.get('pid')==$b")" "would-kill lines for the banned program"
[ "$(jcount "e['action']=='would-classify'")" -ge 1 ] || fail "no would-classify line"
ok "would-classify logged"
assert_eq 0 "$(jcount "not e['action'].startswith('would-')")" "log lines that are not would-*"
assert_eq "$early_cg" "$(cat /proc/$early/cgroup)" "groups of a hog started before cgkitd"
assert_eq "$late_cg" "$(cat /proc/$late/cgroup)" "groups of a hog started after it"
assert_eq "$before" "$(snap)" "cgroup directories and caps below cgkitd's parent"
cgkitd_alive
