#!/bin/bash
# layout: independent (Prometheus end to end; what the collector reads on each layout is 50-metrics-textfile's, which the guests run)
# cgkitd's /metrics scraped by a real Prometheus 2.x server (issue 12): the
# test starts one on loopback (its own free port, a temporary TSDB and
# config, scrape_interval 1s; only its pid is stopped, its data removed at
# exit) and asks its HTTP API what a user's dashboard would:
# - rate(cgkit_cpu_usage_seconds_total) of a `cgrun --cpu 20%` busy loop is
#   0.20 +- 0.02 and cgkit_spec_cpu_quota_cpus is 0.2;
# - a memory hog in a 64M group: its working set came near the limit, and
#   an OOM kill is counted;
# - a penalty given by a rule shows in cgkit_penalties_active and
#   cgkit_rule_actions_total.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
. "$(dirname "$0")/lib-metrics.sh"
command -v prometheus >/dev/null || skip "prometheus (Debian's prometheus) needed"
[ -n "$(cg_mount cpu)" ] && [ -n "$(cg_mount memory)" ] || skip "no cpu or memory controller"

make_user; AU=$U_UID
BIN=$TMPD/bin; mkdir -p "$BIN"; chmod 755 "$BIN"
cp /bin/sleep "$BIN/slow$CGK_TAG"; chmod 755 "$BIN"/*
R=$CGK_TAG-cap
SELF=$(mrel "" cpu); SELF=${SELF%/}; SELF=${SELF:-/}
write_rules "$(metrics_head "$MPORT" "groups: [\"$SELF\"]")" <<EOT
rules:
  - name: $R
    match: {users: ["$AU"], commands: [slow$CGK_TAG]}
    penalties:
      - {cpu: {max: 50%}, for: 1m}
EOT
cgkitd_start

# ---- the Prometheus server ----
PPORT=$(free_port)
mkdir -p "$TMPD/tsdb"
cat >"$TMPD/prometheus.yml" <<EOT
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: cgkitd
    static_configs:
      - targets: ["127.0.0.1:$MPORT"]
EOT
prometheus --config.file="$TMPD/prometheus.yml" --storage.tsdb.path="$TMPD/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$TMPD/prometheus.out" 2>&1 &
PROM_PID=$!
track_pid "$PROM_PID"
on_exit "kill -TERM $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null"
API="http://127.0.0.1:$PPORT/api/v1"

# The value of an instant query (the first series'), or nothing.
# qv QUERY: the same, also kept in $TMPD/v (wait_until runs in a subshell).
qv() { query "$1" | tee "$TMPD/v"; }
query() {
	curl -s -m 5 "$API/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
except Exception:
    sys.exit(0)
if r:
    print(r[0]["value"][1])'
}

# ---- the loads ----
CPUG=$UNIQ-cpu MEMG=$UNIQ-mem
"$CGRUN" --parent self --name "$CPUG" --cpu 20% -- sh -c 'while :; do :; done' >"$TMPD/cpu.out" 2>&1 &
track_pid $!
# holds 44 MiB until the test has seen it (the file go), then a second
# process asks for 200 MiB (killed by the OOM killer), then it stays for
# the queries
"$CGRUN" --parent self --name "$MEMG" --memory 64M -- sh -c \
	'python3 -c "import os, sys, time; x = b\"x\" * (44 << 20)
while not os.path.exists(sys.argv[1]): time.sleep(0.1)" "$1/go"; python3 -c "x = b\"x\" * (200 << 20)"; exec sleep 60' \
	- "$TMPD" >"$TMPD/mem.out" 2>&1 &
track_pid $!
"$AS_USER" "$AU" "$BIN/slow$CGK_TAG" 60 &
track_pid $!

t=$(wait_until 15 '[ "$(query "up{job=\"cgkitd\"}")" = 1 ]') || fail "Prometheus does not scrape cgkitd (up != 1): $(tail -5 "$TMPD/prometheus.out")"
ok "Prometheus scrapes cgkitd (up = 1 after ${t}s)"

CPUQ="rate(cgkit_cpu_usage_seconds_total{cgroup=~\".*/$CPUG\"}[5s])"
v=""
t=$(wait_until 20 'v=$(qv "$CPUQ"); [ -n "$v" ] && fle 0.18 "$v" && fle "$v" 0.22') ||
	fail "$CPUQ = '$(cat "$TMPD/v")', want 0.20 +- 0.02 (cpu.out: $(head -3 "$TMPD/cpu.out"))"
ok "$CPUQ = $(cat "$TMPD/v") (0.20 +- 0.02, after ${t}s)"
assert_eq 0.2 "$(query "cgkit_spec_cpu_quota_cpus{cgroup=~\".*/$CPUG\"}")" "cgkit_spec_cpu_quota_cpus of $CPUG"

MAXB=$(query "cgkit_spec_memory_max_bytes{cgroup=~\".*/$MEMG\"}")
assert_eq 67108864 "$MAXB" "cgkit_spec_memory_max_bytes of $MEMG"
WSQ="max_over_time(cgkit_memory_working_set_bytes{cgroup=~\".*/$MEMG\"}[30s]) / $MAXB"
t=$(wait_until 10 'v=$(qv "$WSQ"); [ -n "$v" ] && fle 0.6 "$v" && fle "$v" 1.0') || fail "$WSQ = '$(cat "$TMPD/v")', want 0.6..1 of the limit"
ok "working set came to $(cat "$TMPD/v") of memory.max (after ${t}s)"
touch "$TMPD/go"
# the group or its leaf: cgroup v1 counts the kill in the victim's own group only
OOMQ="max(max_over_time(cgkit_memory_events_total{cgroup=~\".*/$MEMG(/.*)?\",event=\"oom_kill\"}[30s]))"
t=$(wait_until 15 'v=$(qv "$OOMQ"); [ -n "$v" ] && fle 1 "$v"') || fail "$OOMQ = '$(cat "$TMPD/v")', want >= 1 (mem.out: $(head -3 "$TMPD/mem.out"))"
ok "an OOM kill is counted: $OOMQ = $(cat "$TMPD/v") (after ${t}s)"

assert_eq 1 "$(query "cgkit_penalties_active{rule=\"$R\"}")" "cgkit_penalties_active{rule=\"$R\"} through Prometheus"
assert_eq 1 "$(query "cgkit_rule_actions_total{rule=\"$R\",action=\"cap\"}")" "cgkit_rule_actions_total{rule=\"$R\",action=\"cap\"} through Prometheus"
cgkitd_alive
