#!/bin/bash
# layout: independent
# cgkitd, rules that act at exec: a banned program (by base name) is killed
# the moment it executes; a renamed copy of it in /tmp is caught by the glob
# on its resolved executable path; the same binary under a name and place no
# rule names runs on; the kill is logged with the exe.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"

make_user; A=$U_NAME AU=$U_UID
BIN=$TMPD/bin; mkdir -p "$BIN/stash$CGK_TAG"; chmod 755 "$BIN" "$BIN/stash$CGK_TAG"
cp /bin/sleep "$BIN/ban$CGK_TAG"
cp /bin/sleep "$BIN/stash$CGK_TAG/innocent"
cp /bin/sleep "$BIN/fine$CGK_TAG"
chmod 755 "$BIN"/*/* "$BIN"/*$CGK_TAG 2>/dev/null
R=$CGK_TAG-ban
write_rules <<EOT
rules:
  - name: $R
    match:
      users: ["$AU"]
      commands: [ban$CGK_TAG, "/tmp/*/stash$CGK_TAG/*"]
    penalties:
      - {kill: KILL}
EOT
cgkitd_start

run_timed() { # prog -> sets RC and SECS
	local t0 t1
	t0=$(date +%s.%N)
	"$AS_USER" "$AU" "$1" 5 &
	P=$!; track_pid $P
	wait $P; RC=$?
	t1=$(date +%s.%N)
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}
run_timed "$BIN/ban$CGK_TAG"
assert_eq 137 "$RC" "the banned program dies of SIGKILL"
fle "$SECS" 1 || fail "the banned program lived ${SECS}s (want at once)"
ok "killed after ${SECS}s"
banpid=$P
run_timed "$BIN/stash$CGK_TAG/innocent"
assert_eq 137 "$RC" "the renamed copy in /tmp dies of SIGKILL (exe glob)"
fle "$SECS" 1 || fail "the renamed copy lived ${SECS}s"
ok "killed after ${SECS}s"
renpid=$P
"$AS_USER" "$AU" "$BIN/fine$CGK_TAG" 1.5 &
P=$!; track_pid $P
wait $P
assert_eq 0 "$?" "the same binary under another name runs to its end"

wait_until 1 "[ \$(jcount 'e[\"action\"]==\"kill\" and e[\"rule\"]==\"$R\"') -ge 2 ]" >/dev/null || fail "not 2 kill lines: $(cat "$CGK_LOG")"
assert_eq 2 "$(jcount "e['action']=='kill' and e['rule']=='$R'")" "kill lines"
assert_eq "$BIN/ban$CGK_TAG" "$(jlog "e['action']=='kill' and e.get('pid')==$banpid" 'e["exe"]')" "exe of the first kill line"
assert_eq "$BIN/stash$CGK_TAG/innocent" "$(jlog "e['action']=='kill' and e.get('pid')==$renpid" 'e["exe"]')" "exe of the second kill line"
assert_eq "process $A $AU" "$(jlog "e['action']=='kill' and e.get('pid')==$banpid" '" ".join(str(g(k)) for k in ("scope", "user", "uid"))')" "scope, user, uid"
check_log_fields "e['action']=='kill'" "kill"
cgkitd_alive
