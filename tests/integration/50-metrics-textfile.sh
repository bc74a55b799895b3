#!/bin/bash
# The textfile route: a group with cpu, memory and pids limits applied below
# our own cgroup; `cgtop -b -n 1 --format prometheus` on it passes
# `promtool check metrics` with no complaint, and its cgkit_spec_* samples
# say what was applied; the same output as OpenMetrics passes the
# OpenMetrics parser of python3-prometheus-client. Depends on the layout
# (the group's path per hierarchy differs on v1): kept running in guests.
. "$(dirname "$0")/../lib.sh"

command -v promtool >/dev/null || skip "promtool (Debian's prometheus package) needed"
G=$UNIQ-m
P=$(make_profile m "name: $G" "parent: self" \
	"cpu:" "  max: 20%" "  period: 100ms" \
	"memory:" "  max: 64M" "  high: 48M" \
	"pids:" "  max: 32")
on_exit "$CGRUN --remove --force -p $P >/dev/null 2>&1"
expect_status 0 "$CGRUN" --apply -p "$P"

# The group's path as cgtop shows it, in the hierarchy of a controller.
rel_of() { local d; d=$(self_dir "$1")/$G; echo "${d#$(cg_mount "$1")}"; }

# One scrape of a group (its subtree, depth 0); checks it with promtool.
scrape() { # ctrl
	local rel out
	rel=$(rel_of "$1")
	out=$("$CGTOP" -b -n 1 --format prometheus --depth 0 "$rel" 2>&1) || fail "cgtop on $rel: $out"
	lint=$(promtool check metrics <<<"$out" 2>&1)
	assert_eq "0 " "$? $lint" "promtool check metrics on the $1 group's metrics: exit 0, no complaint"
	SCRAPE=$out REL=$rel
}
value() { # family
	awk -v k="$1{cgroup=\"$REL\"}" '$1 == k { print $2 }' <<<"$SCRAPE"
}

scrape cpu
assert_eq 0.2 "$(value cgkit_spec_cpu_quota_cpus)" "cgkit_spec_cpu_quota_cpus of $REL"
scrape memory
assert_eq 67108864 "$(value cgkit_spec_memory_max_bytes)" "cgkit_spec_memory_max_bytes of $REL"
assert_eq 50331648 "$(value cgkit_spec_memory_high_bytes)" "cgkit_spec_memory_high_bytes of $REL"
u=$(value cgkit_memory_usage_bytes)
[[ $u =~ ^[0-9]+$ ]] || fail "cgkit_memory_usage_bytes of $REL: '$u' is not a number of bytes"
ok "cgkit_memory_usage_bytes of $REL is $u"
scrape pids
assert_eq 32 "$(value cgkit_spec_pids_max)" "cgkit_spec_pids_max of $REL"
assert_eq 0 "$(value cgkit_pids_current)" "cgkit_pids_current of $REL (nothing runs there)"
assert_not_contains "$SCRAPE" "pid=" "no pid label"
assert_contains "$SCRAPE" "cgkit_series_left_out 0" "nothing left out"

# The whole host at depth 1 too: promtool has no complaint either.
lint=$("$CGTOP" -b -n 1 --format prometheus --depth 1 / | promtool check metrics 2>&1)
assert_eq "0 " "$? $lint" "promtool check metrics on the host's first level"

# OpenMetrics: the parser of python3-prometheus-client (strict: a counter's
# samples must end in _total, the text in # EOF).
PY=/usr/bin/python3
if "$PY" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
	rel=$(rel_of memory)
	out=$("$CGTOP" -b -n 1 --format openmetrics --depth 0 "$rel" 2>&1) || fail "cgtop openmetrics: $out"
	[ "$(tail -n 1 <<<"$out")" = "# EOF" ] || fail "OpenMetrics output does not end in # EOF"
	n=$("$PY" -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
print(sum(len(f.samples) for f in text_string_to_metric_families(sys.stdin.read())))' <<<"$out" 2>&1) ||
		fail "OpenMetrics parser: $n"
	ok "OpenMetrics output parses ($n samples)"
	assert_contains "$out" "cgkit_spec_memory_max_bytes{cgroup=\"$rel\"} 67108864" "OpenMetrics memory limit"
else
	echo "  note: python3-prometheus-client not installed: OpenMetrics output not parsed"
fi

# -n above 1 is refused: the metrics are printed once.
expect_status 2 "$CGTOP" -b -n 2 --format prometheus
assert_contains "$OUT" "prints the metrics once" "-n 2 refused, saying why"
