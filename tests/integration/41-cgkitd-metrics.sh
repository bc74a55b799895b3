#!/bin/bash
# layout: independent (the HTTP side and the rules' families; the per-group families are stats_prom's tests)
# cgkitd's /metrics (issue 12): off without `metrics:`; a scrape is 200 in the
# Prometheus text format 0.0.4 that `promtool check metrics` finds clean, or
# OpenMetrics 1.0 (ending in # EOF) when the Accept header asks; HEAD like
# GET; other paths 404, other methods 405 with Allow; the rule families count
# an offence, its action and the penalty in force; a bad listen address is
# an error of the file (file:line:col, 125) at --check and at start; a port
# in use stops the start (125); SIGHUP with a new port moves the listener.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
. "$(dirname "$0")/lib-metrics.sh"
command -v promtool >/dev/null || skip "promtool (Debian's prometheus) needed"

make_user; A=$U_NAME AU=$U_UID
BIN=$TMPD/bin; mkdir -p "$BIN"; chmod 755 "$BIN"
cp /bin/sleep "$BIN/ban$CGK_TAG"
cp /bin/sleep "$BIN/slow$CGK_TAG"
chmod 755 "$BIN"/*
RK=$CGK_TAG-ban RC=$CGK_TAG-cap
body() {
	cat <<EOT
rules:
  - name: $RK
    match: {users: ["$AU"], commands: [ban$CGK_TAG]}
    penalties:
      - {kill: KILL}
  - name: $RC
    match: {users: ["$AU"], commands: [slow$CGK_TAG]}
    penalties:
      - {cpu: {max: 50%}, for: 1m}
EOT
}

# ---- bad addresses: errors of the file ----
for bad in 'localhost:9269' '127.0.0.1:70000' '[::1:9269' '300.1.1.1:9269'; do
	write_rules "metrics:" "  listen: \"$bad\"" < <(body)
	expect_status 125 "$CGKITD" --check -c "$CGK_RULES"
	assert_contains "$OUT" "$CGK_RULES:" "--check names the file for listen \"$bad\""
	echo "$OUT" | grep -Eq "rules.yaml:[0-9]+:[0-9]+: error: metrics.listen: " ||
		fail "no file:line:col error for listen \"$bad\": $OUT"
	ok "file:line:col: error: metrics.listen for \"$bad\""
done
expect_status 125 "$CGKITD" --dry-run -c "$CGK_RULES"
assert_contains "$OUT" "metrics.listen" "a bad address stops the start too (125)"

# ---- off when absent ----
write_rules < <(body)
cgkitd_start
curl -s -m 2 -o /dev/null "$MURL" && fail "something answers on $MURL with no metrics section"
ok "no metrics section: nothing listens"
cgkitd_stop

# ---- a scrape ----
write_rules "$(metrics_head)" < <(body)
"$CGKITD" --check -c "$CGK_RULES" >"$TMPD/check" 2>&1 || fail "--check refuses the file: $(cat "$TMPD/check")"
cgkitd_start
assert_contains "$(cat "$CGK_OUT")" "metrics at http://127.0.0.1:$MPORT/metrics" "the start says where the metrics are"
code=$(scrape "$TMPD/m0" -D "$TMPD/h0")
assert_eq 200 "$code" "GET /metrics"
assert_contains "$(tr -d '\r' <"$TMPD/h0")" "Content-Type: text/plain; version=0.0.4; charset=utf-8" "content type of the text format 0.0.4"
pt=$(promtool check metrics <"$TMPD/m0" 2>&1); prc=$?
assert_eq "0:" "$prc:$pt" "promtool check metrics (status: output)"
for f in cgkit_rule_offences_total cgkit_rule_actions_total cgkit_penalties_active \
	cgkit_process_events_lost_total cgkit_rescans_total cgkit_groups_seen \
	cgkit_series_left_out cgkit_scrape_duration_seconds cgkit_cpu_usage_seconds_total; do
	grep -q "^# TYPE $f " "$TMPD/m0" || fail "no TYPE line for $f"
	grep -q "^# HELP $f " "$TMPD/m0" || fail "no HELP line for $f"
done
ok "the daemon's families and the groups' are there, each with HELP and TYPE"
# one name per meaning, as cgtop's output has it: the series this scrape left out
grep -q "^# TYPE cgkit_series_left_out gauge$" "$TMPD/m0" || fail "cgkit_series_left_out is not a gauge"
assert_eq 0 "$(sample "$TMPD/m0" cgkit_series_left_out)" "series left out by the cap"
grep -q "cgkit_series_left_out_total" "$TMPD/m0" && fail "a counter of series left out besides the gauge"
assert_eq 0 "$(sample "$TMPD/m0" "cgkit_rule_offences_total{rule=\"$RK\"}")" "offences of $RK before any"

code=$(scrape "$TMPD/m1" -D "$TMPD/h1" -H 'Accept: application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5')
assert_eq 200 "$code" "GET /metrics asking for OpenMetrics"
assert_contains "$(tr -d '\r' <"$TMPD/h1")" "Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8" "OpenMetrics content type"
assert_eq "# EOF" "$(tail -1 "$TMPD/m1")" "OpenMetrics ends in # EOF"
grep -q '^# TYPE cgkit_rule_offences counter' "$TMPD/m1" || fail "OpenMetrics: a counter's family is named without _total"
ok "OpenMetrics names a counter family without _total"

code=$(curl -s -m 5 -I -o "$TMPD/hh" -w '%{http_code}' "$MURL")
assert_eq 200 "$code" "HEAD /metrics"
assert_contains "$(tr -d '\r' <"$TMPD/hh")" "version=0.0.4" "HEAD has the content type of GET"
assert_eq 404 "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/metricsx")" "GET /metricsx"
assert_eq 404 "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/etc/passwd")" "GET /etc/passwd"
code=$(curl -s -m 5 -X POST -d x=1 -D "$TMPD/hp" -o /dev/null -w '%{http_code}' "$MURL")
assert_eq 405 "$code" "POST /metrics"
assert_contains "$(tr -d '\r' <"$TMPD/hp")" "Allow: GET, HEAD" "405 says what is allowed"
assert_eq 405 "$(curl -s -m 5 -X DELETE -o /dev/null -w '%{http_code}' "$MURL")" "DELETE /metrics"
assert_contains "$(curl -s -m 5 "http://127.0.0.1:$MPORT/")" "/metrics" "/ points to /metrics"

# ---- the rules' families after an offence ----
"$AS_USER" "$AU" "$BIN/ban$CGK_TAG" 5 &
P=$!; track_pid $P
wait $P
assert_eq 137 "$?" "the banned program dies of SIGKILL"
"$AS_USER" "$AU" "$BIN/slow$CGK_TAG" 30 &
S=$!; track_pid $S
wait_until 2 "[ \$(jcount 'e[\"action\"]==\"cap\" and e[\"rule\"]==\"$RC\"') -ge 1 ]" >/dev/null || fail "no cap of $RC in the log: $(tail -3 "$CGK_LOG")"
# published after the loop's next iteration
wait_until 2 "scrape $TMPD/m2 >/dev/null; [ \"\$(sample $TMPD/m2 'cgkit_penalties_active{rule=\"$RC\"}')\" = 1 ]" >/dev/null ||
	fail "cgkit_penalties_active{rule=\"$RC\"} is not 1: $(grep "$CGK_TAG" "$TMPD/m2")"
assert_eq 1 "$(sample "$TMPD/m2" "cgkit_rule_offences_total{rule=\"$RK\"}")" "offences of $RK"
assert_eq 1 "$(sample "$TMPD/m2" "cgkit_rule_actions_total{rule=\"$RK\",action=\"kill\"}")" "kill actions of $RK"
assert_eq 0 "$(sample "$TMPD/m2" "cgkit_penalties_active{rule=\"$RK\"}")" "penalties of $RK in force (a kill leaves none)"
assert_eq 1 "$(sample "$TMPD/m2" "cgkit_rule_offences_total{rule=\"$RC\"}")" "offences of $RC"
assert_eq 1 "$(sample "$TMPD/m2" "cgkit_rule_actions_total{rule=\"$RC\",action=\"cap\"}")" "cap actions of $RC"
assert_eq 1 "$(sample "$TMPD/m2" "cgkit_penalties_active{rule=\"$RC\"}")" "penalties of $RC in force"
pt=$(promtool check metrics <"$TMPD/m2" 2>&1); prc=$?
assert_eq "0:" "$prc:$pt" "promtool check metrics after the offences"
grep -Eq '[{,](pid|cmdline|comm|exe|command)="' "$TMPD/m2" && fail "the scrape names a process: $(grep -E '[{,](pid|cmdline|comm|exe|command)="' "$TMPD/m2" | head -3)"
ok "no pid, command line or executable in the scrape"

# ---- a port in use stops a second daemon (125) ----
cp "$CGK_RULES" "$TMPD/second.yaml"
sed -i "s|^state: .*|state: $TMPD/state2|; s|^log: .*|log: $TMPD/log2|" "$TMPD/second.yaml"
expect_status 125 "$CGKITD" --dry-run -c "$TMPD/second.yaml"
assert_contains "$OUT" "cannot listen on 127.0.0.1:$MPORT" "the error names the address"
cgkitd_alive

# ---- SIGHUP: a new port moves the listener; a bad address keeps the old ----
P2=$(free_port)
write_rules "$(metrics_head "$P2")" < <(body)
kill -HUP "$CGK_PID"
wait_until 3 "curl -s -m 1 -o /dev/null http://127.0.0.1:$P2/metrics" >/dev/null || fail "nothing on the new port $P2 after SIGHUP: $(tail -5 "$CGK_OUT")"
ok "after SIGHUP the metrics are on port $P2"
curl -s -m 2 -o /dev/null "$MURL" && fail "the old port $MPORT still answers after the reload"
ok "the old port $MPORT is closed"
write_rules "metrics:" "  listen: \"127.0.0.1:x\"" < <(body)
kill -HUP "$CGK_PID"
wait_until 3 "grep -q 'reload: .* has errors' '$CGK_OUT'" >/dev/null || fail "the bad reload is not reported: $(tail -5 "$CGK_OUT")"
curl -s -m 2 -o /dev/null "http://127.0.0.1:$P2/metrics" || fail "a bad reload stopped the metrics"
ok "a reload with a bad address keeps the metrics on $P2"
cgkitd_alive
cgkitd_stop
assert_eq 0 "$CGK_RC" "cgkitd ends with 0 on SIGTERM"
