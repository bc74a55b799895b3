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

# The Grafana dashboard: valid JSON, and every query is valid PromQL (its
# variables put in; promtool parses them as recording rules).
G=$TOP_DIR/contrib/grafana/cgkit.json
python3 -m json.tool "$G" >/dev/null || fail "$G is not valid JSON"
ok "the dashboard is valid JSON"
python3 - "$G" >"$TMPD/dash-rules.yml" <<'PY' || fail "reading the dashboard's queries"
import json, sys
d = json.load(open(sys.argv[1]))
print("groups:\n  - name: dashboard\n    rules:")
n = 0
for p in d["panels"]:
    for t in p.get("targets", []):
        e = t["expr"].replace("$__rate_interval", "1m").replace("$instance", ".*").replace("$cgroup", ".*")
        n += 1
        print("      - record: cgkit:dashboard_query_%d\n        expr: %s" % (n, json.dumps(e)))
PY
n=$(grep -c 'record:' "$TMPD/dash-rules.yml")
[ "$n" -ge 8 ] || fail "the dashboard has only $n queries"
out=$(promtool check rules "$TMPD/dash-rules.yml" 2>&1) || fail "a dashboard query is not valid PromQL: $out"
ok "the dashboard's $n queries are valid PromQL"
