#!/bin/bash
# layout: independent
# cgkitd reload and --check: SIGHUP with a broken file reports every error as
# FILE:LINE:COL on stderr and keeps the old rules in force (the old banned
# program is still killed); a good file then replaces them (the new banned
# program is killed, the old one runs); --check exits 125 with every error of
# the broken file, 0 with the good one, and touches nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"

make_user; A=$U_NAME AU=$U_UID
mkdir -p "$TMPD/bin"; chmod 755 "$TMPD/bin"
for n in old new; do cp /bin/sleep "$TMPD/bin/$n$CGK_TAG"; chmod 755 "$TMPD/bin/$n$CGK_TAG"; done
rules_ban() { # name
	write_rules <<EOT
rules:
  - name: $CGK_TAG-ban
    match: {users: ["$AU"], commands: [$1$CGK_TAG]}
    penalties:
      - {kill: KILL}
EOT
}
runs() { # name -> exit status of the program run as A for 0.5 s
	"$AS_USER" "$AU" "$TMPD/bin/$1$CGK_TAG" 0.5 &
	local p=$!
	track_pid $p
	wait $p
}
rules_ban old
cgkitd_start
runs old; assert_eq 137 "$?" "the old banned program is killed"

# broken: two errors at known places
cp "$CGK_RULES" "$TMPD/good-old.yaml"
cat >>"$CGK_RULES" <<EOT
  - name: $CGK_TAG-two
    match: {users: ["$AU"]}
    when: {cpu: 2O%, for: 1s}
    penaltys:
      - {cpu: {max: 10%}}
EOT
F=$CGK_RULES
l1=$(grep -n '2O%' "$F" | cut -d: -f1); c1=$(awk -v l="$l1" 'NR == l { print index($0, "2O%") }' "$F")
l2=$(grep -n 'penaltys' "$F" | cut -d: -f1); c2=$(awk -v l="$l2" 'NR == l { print index($0, "penaltys") }' "$F")
expect_status 125 "$CGKITD" --check -c "$F"
assert_contains "$OUT" "$F:$l1:$c1: error:" "--check reports the bad cpu value at $l1:$c1"
assert_contains "$OUT" "$F:$l2:$c2: error:" "--check reports the misspelt key at $l2:$c2"
assert_contains "$OUT" "penalties" "with a did-you-mean"

mark=$(wc -c <"$CGK_OUT")
kill -HUP "$CGK_PID"
wait_until 2 "tail -c +$((mark + 1)) '$CGK_OUT' | grep -q '$F:$l2:$c2: error:'" >/dev/null ||
	fail "SIGHUP with a broken file: no $F:$l2:$c2 error on stderr: $(tail -c +$((mark + 1)) "$CGK_OUT")"
err=$(tail -c +$((mark + 1)) "$CGK_OUT")
assert_contains "$err" "$F:$l1:$c1: error:" "reload reports the first error too"
ok "reload reports the errors with file:line:col"
cgkitd_alive
runs old; assert_eq 137 "$?" "after the failed reload the old rule still kills"
runs new; assert_eq 0 "$?" "and the new file's rules are not in force"

# a good file is taken
rules_ban new
expect_status 0 "$CGKITD" --check -c "$CGK_RULES"
kill -HUP "$CGK_PID"
sleep 0.6
cgkitd_alive
runs new; assert_eq 137 "$?" "after a good reload the new banned program is killed"
runs old; assert_eq 0 "$?" "and the old one runs"
