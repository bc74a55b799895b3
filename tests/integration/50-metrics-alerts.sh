#!/bin/bash
# The alert rules in contrib/prometheus: `promtool check rules` finds them
# well-formed, and their `promtool test rules` tests pass (throttling, OOM
# kills, memory at its limit, penalties given and lasting).
# layout: independent (promtool evaluates the rules on the test's series alone)
. "$(dirname "$0")/../lib.sh"

command -v promtool >/dev/null || skip "promtool (Debian's prometheus package) needed"
D=$TOP_DIR/contrib/prometheus
out=$(promtool check rules "$D/cgkit-alerts.yml" 2>&1) || fail "promtool check rules: $out"
assert_contains "$out" "SUCCESS: 5 rules found" "promtool check rules: the 5 alerts"
# promtool reads the rule files relative to the test file's directory
out=$(cd "$D" && promtool test rules cgkit-alerts.test.yml 2>&1) || fail "promtool test rules: $out"
assert_contains "$out" "SUCCESS" "promtool test rules cgkit-alerts.test.yml"
# every alert of the file has a test
for a in $(sed -n 's/^ *- alert: *//p' "$D/cgkit-alerts.yml"); do
	grep -q "alertname: $a\$" "$D/cgkit-alerts.test.yml" || fail "alert $a has no test"
done
ok "every alert has a test"
