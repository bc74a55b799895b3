#!/bin/bash
# cgkitd beside cgrulesengd (libcgroup), same run, same host, one after the
# other (cgkitd first), with the issue's targets printed beside (not asserted):
#  1. overhead: the daemon's own cpu (utime+stime of /proc/PID/stat over
#     BENCH_IDLE_SECONDS, 30) and RSS with 5 test users, 2,000 idle processes
#     of theirs (started before the daemons) and contrib/rules.yaml adapted
#     (parent: self, interval 1s, users and rules narrowed to the test users);
#     cgrulesengd with the equivalent rules: each test user to a group of its own.
#  2. reaction, BENCH_EXECS (200) execs, one after the other (bench_react.c):
#     a root launcher forks; the child drops to test user 1, takes
#     CLOCK_MONOTONIC into memory it shares with the launcher right before
#     execv(), and execs. The launcher then reads the cgroup.procs file of the
#     group the program must land in (cpu hierarchy) every 100 us until the
#     pid is in it; the latency is that moment minus the exec timestamp (it
#     includes up to 100 us of polling and the time the launcher takes to get
#     the cpu back on a busy host). Not seen within 1 s: missed. The child's
#     setuid comes right before its exec, as with su, sshd or cron: a daemon
#     that classifies on the uid change (both do) may start before the
#     timestamp; a rule at exec (below) can start only at the exec.
#     - classification: into the user's group (cgkitd users/NAME, cgrulesengd
#       rg/NAME), both daemons;
#     - a process rule at exec (cgkitd: penalty/RULE/PID, cgkitd only);
#     - a banned program (cgkitd only): from the exec to the moment the
#       launcher reaps it killed by SIGKILL; one that ends on its own ran to
#       its end (missed).
#     Target: median < 5 ms, never after the program has run 50 ms.
#  3. exec storm: BENCH_STORM (10,000) processes as fast as the host makes
#     them (at most BENCH_STORM_CONC, 100, alive), each a new arrival of test
#     user 1 (fork, setuid, exec) that its daemon must move into the user's
#     group; each sleeps until its exec is 50 ms old and then looks in
#     /proc/self/cgroup: in its group, on time; if not, it looks again every
#     10 ms: there within 1 s of its exec, late; else missed. The daemon's
#     cpu over the storm (and 2 s after) per process (fork+uid+exec+exit).
# cgrulesengd reads /etc/cgrules.conf and listens on /var/run/cgred.socket,
# with no option to move either: it runs in a mount namespace of its own
# (private propagation) where /etc is an overlay whose upper layer is in
# $TMPD (the cgrules.conf written there) and a directory of $TMPD is bound
# over /var/run, so the host's files are never touched; its rules name only
# the test users and groups below the bench's own. The namespace ends with
# the daemon. Without unshare/overlay it is skipped, and the table says so.
# Everything made here (users, groups below our own group, the processes
# started, all of the test users' processes, the namespace) is removed on
# every exit path, ^C too (tests/lib.sh, lib-cgkitd.sh). uptime is printed
# beside the figures: the host is shared.
# Counts: BENCH_IDLE_SECONDS, BENCH_EXECS, BENCH_STORM, BENCH_STORM_CONC.
# Looking into it: BENCH_PERF=DIR (perf profiles of each daemon, idle and
# storm) and BENCH_STRACE=FILE (cgkitd's timed system calls over 20 more
# rule execs).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../integration/lib-cgkitd.sh"
IDLE_SECS=${BENCH_IDLE_SECONDS:-30}
NEXEC=${BENCH_EXECS:-200}
NSTORM=${BENCH_STORM:-10000}
CONC=${BENCH_STORM_CONC:-100}
HZ=$(getconf CLK_TCK)

for _ in 1 2 3 4 5; do make_user; done
U1=${CGK_UIDS[0]} N1=${CGK_NAMES[0]}
mkdir -p "$TMPD/bin"; chmod 755 "$TMPD/bin"
cc -O2 -Wall -o "$TMPD/bin/storm$CGK_TAG" "$(dirname "$0")/bench_react.c" || fail "building bench_react"
REACT=$TMPD/bin/storm$CGK_TAG
# programs the rules name (copies of sleep: they live until seen)
cp /bin/sleep "$TMPD/bin/heavy$CGK_TAG"; cp /bin/sleep "$TMPD/bin/xmrig$CGK_TAG"; cp /bin/sleep "$TMPD/bin/cls$CGK_TAG"
chmod 755 "$TMPD/bin"/*
uidlist=$(printf '"%s", ' "${CGK_UIDS[@]}"); uidlist="[${uidlist%, }]"

# contrib/rules.yaml, adapted: our head (parent: self, state, log, exempt
# all but the test users), interval 1s, users and rules narrowed to them,
# plus a classification rule and a ban for the reaction figures.
write_rules <<EOT
$(python3 - "$TOP_DIR/contrib/rules.yaml" "$uidlist" "$CGK_TAG" <<'PY'
import re, sys
src, uids, tag = sys.argv[1:4]
out, skip = [], False
for l in open(src).read().split("\n"):
    if re.match(r"^(interval|parent|state|log|notify):", l):
        continue
    if l.startswith("exempt:"):
        skip = True
        continue
    if skip and (l.startswith("  ") or not l.strip() or l.lstrip().startswith("#")):
        continue
    skip = False
    l = l.replace('uids: "1000-"', "uids: " + uids).replace('users: ["1000-"]', "users: " + uids)
    l = re.sub(r"commands: \[xmrig.*\]", "commands: [xmrig%s]" % tag, l)
    out.append(l)
out.append("""  - name: %sheavy
    match: {users: %s, commands: [heavy%s]}
    penalties:
      - {cpu: {max: 50%%}}""" % (tag, uids, tag))
print("\n".join(out))
PY
)
EOT
sed -i 's/^interval: 200ms/interval: 1s/' "$CGK_RULES"
"$CGKITD" --check -c "$CGK_RULES" >"$TMPD/check" 2>&1 || fail "the adapted rules: $(cat "$TMPD/check")"

usage() { # pid -> "cpu_ticks rss_kib"
	local t r
	t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat")
	r=$(awk '/^VmRSS/ { print $2 }' "/proc/$1/status")
	echo "$t $r"
}
cpu_pct() { awk -v a="$1" -v b="$2" -v hz="$HZ" -v s="$3" 'BEGIN { printf "%.3f", (b - a) / hz / s * 100 }'; }
cpu_per() { awk -v a="$1" -v b="$2" -v hz="$HZ" -v n="$3" 'BEGIN { printf "%.1f", (b - a) / hz / n * 1e6 }'; }
load() { uptime | sed 's/.*load average: //'; }

# 2,000 idle processes of the 5 users (400 each), started before the daemons
for u in "${CGK_UIDS[@]}"; do
	# shellcheck disable=SC2016
	"$AS_USER" "$u" bash -c 'for i in $(seq 400); do sleep 3600 & done; wait' &
	track_pid $!
	disown $!   # killed at exit: no job notice
done
for _ in $(seq 100); do
	[ "$(for u in "${CGK_UIDS[@]}"; do ps -o pid= -u "$u"; done | wc -l)" -ge 2005 ] && break
	sleep 0.2
done

# one daemon's figures, prefix $1 (kd, rg), pid $2: idle, reaction
# (classification into USERGROUP), storm
measure() { # prefix pid usergroup-rel-to-cpu
	local t0 t1 rss procs f0
	R[$1_load0]=$(load)
	f0=$(awk '$1 == "processes" { print $2 }' /proc/stat)
	read -r t0 _ <<<"$(usage "$2")"
	if [ -n "${BENCH_PERF:-}" ]; then
		perf record -q --call-graph dwarf,32768 -o "$BENCH_PERF/$1-idle.perf" -p "$2" >/dev/null 2>&1 &
		perfpid=$!; track_pid $perfpid
	fi
	sleep "$IDLE_SECS"
	read -r t1 rss <<<"$(usage "$2")"
	[ -n "${BENCH_PERF:-}" ] && { kill -INT "$perfpid"; wait "$perfpid"; }
	R[$1_cpu]=$(cpu_pct "$t0" "$t1" "$IDLE_SECS")
	# every process started on the host is an event for the daemon: on a
	# shared host "idle" is not idle
	R[$1_forks]=$(awk -v a="$f0" -v s="$IDLE_SECS" '$1 == "processes" { printf "%.0f", ($2 - a) / s }' /proc/stat)
	R[$1_rss]=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
	procs="$(cg_mount cpu)$3/cgroup.procs"
	read -r "R[$1_cls_med]" "R[$1_cls_worst]" "R[$1_cls_miss]" "R[$1_cls_5]" "R[$1_cls_50]" \
		<<<"$("$REACT" react "$NEXEC" "$U1" "$TMPD/bin/cls$CGK_TAG" 5 "$procs")"
	read -r t0 _ <<<"$(usage "$2")"
	# BENCH_PERF=DIR: perf profiles of the daemon, DIR/PREFIX-idle.perf, DIR/PREFIX.perf (storm)
	if [ -n "${BENCH_PERF:-}" ]; then
		perf record -q --call-graph dwarf,32768 -o "$BENCH_PERF/$1.perf" -p "$2" >/dev/null 2>&1 &
		perfpid=$!; track_pid $perfpid
	fi
	read -r _ "R[$1_storm_late]" "R[$1_storm_miss]" "R[$1_storm_fail]" "R[$1_storm_secs]" \
		<<<"$("$REACT" storm "$NSTORM" "$U1" "$REACT" ":$3" "$CONC")"
	sleep 2
	read -r t1 _ <<<"$(usage "$2")"
	[ -n "${BENCH_PERF:-}" ] && { kill -INT "$perfpid"; wait "$perfpid"; }
	R[$1_storm_cpu]=$(cpu_per "$t0" "$t1" "$NSTORM")
	R[$1_storm_rate]=$(awk -v n="$NSTORM" -v s="${R[$1_storm_secs]}" 'BEGIN { printf "%.0f", n / s }')
	R[$1_load1]=$(load)
}

declare -A R
# ---- cgkitd ----
cgkitd_start
sleep 3   # its start-up scan of the 2,000 processes is not the steady state
cgkitd_alive
measure kd "$CGK_PID" "$(rel_of "users/$N1" cpu)"
# rules at exec: the heavy rule moves the program into penalty/RULE/PID; the
# banned program (a copy of sleep 1) must die
read -r "R[kd_rule_med]" "R[kd_rule_worst]" "R[kd_rule_miss]" "R[kd_rule_5]" "R[kd_rule_50]" \
	<<<"$("$REACT" react "$NEXEC" "$U1" "$TMPD/bin/heavy$CGK_TAG" 5 "$(penalty_dir "${CGK_TAG}heavy" %d cpu)/cgroup.procs")"
read -r "R[kd_ban_med]" "R[kd_ban_worst]" "R[kd_ban_miss]" "R[kd_ban_5]" "R[kd_ban_50]" \
	<<<"$("$REACT" react "$NEXEC" "$U1" "$TMPD/bin/xmrig$CGK_TAG" 1 -)"
cgkitd_alive
# BENCH_STRACE=FILE: cgkitd's system calls, timed, over 20 more rule execs
if [ -n "${BENCH_STRACE:-}" ]; then
	strace -f -tt -T -o "$BENCH_STRACE" -p "$CGK_PID" 2>/dev/null &
	sp=$!; track_pid $sp; sleep 1
	"$REACT" react 20 "$U1" "$TMPD/bin/heavy$CGK_TAG" 5 "$(penalty_dir "${CGK_TAG}heavy" %d cpu)/cgroup.procs" >/dev/null
	kill -INT $sp; wait $sp
fi
cgkitd_stop
R[kd_said]=$(grep -v '^--- cgkitd' "$CGK_OUT" | sort | uniq -c | sort -rn | head -5)

# ---- cgrulesengd, confined ----
R[rg]="skipped"
host_conf=$(cksum /etc/cgrules.conf 2>&1)
if ! command -v cgrulesengd >/dev/null; then
	R[rg]="skipped: no cgrulesengd (Debian: cgroup-tools)"
elif [ "$(cg_mode)" = v2 ]; then
	R[rg]="skipped: cgroup v2 (cgrulesengd of Debian 12 is v1 only)"
elif ! unshare -m true 2>/dev/null; then
	R[rg]="skipped: no mount namespace to confine it"
else
	conf=$TMPD/cgrules.conf; run=$TMPD/run; ovl=$TMPD/ovl
	mkdir -p "$run" "$ovl/up" "$ovl/work"
	: >"$conf"
	# each test user to rg/NAME below our own group in cpu, memory and pids
	# (one line per controller: their paths differ on this host); "%" goes
	# on with the same user
	for n in "${CGK_NAMES[@]}"; do
		first=$n
		for c in cpu memory pids; do
			cg_on_v2 "$c" && continue
			d=$(cgk_parent "$c") || continue
			mkdir -p "$d/rg/$n" || fail "mkdir $d/rg/$n"
			echo "$first $c $(rel_of "rg/$n" "$c" | sed 's|^/||')" >>"$conf"
			first=%
		done
	done
	# shellcheck disable=SC2016
	unshare -m --propagation private bash -c '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$3/up,workdir=$3/work" /etc || exit 97
		mkdir -p /etc/cgconfig.d && { [ -e /etc/cgconfig.conf ] || : >/etc/cgconfig.conf; } && cp "$1" /etc/cgrules.conf && mount --bind "$2" /var/run || exit 97
		exec cgrulesengd -n -Q' - "$conf" "$run" "$ovl" >"$TMPD/rg.out" 2>&1 &
	rg=$!; track_pid $rg
	sleep 3
	if kill -0 $rg 2>/dev/null && [ "$(readlink "/proc/$rg/exe")" = "$(command -v cgrulesengd)" ]; then
		R[rg]=ran
		measure rg "$rg" "$(rel_of "rg/$N1" cpu)"
		kill -0 $rg 2>/dev/null || R[rg]="died during the run: $(head -c 200 "$TMPD/rg.out")"
		kill -TERM $rg; wait $rg 2>/dev/null
	else
		R[rg]="skipped: it did not stay up ($(head -c 200 "$TMPD/rg.out"))"
	fi
fi
[ "$(cksum /etc/cgrules.conf 2>&1)" = "$host_conf" ] || fail "the host's /etc/cgrules.conf changed: the namespace leaked"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a == a + 0) printf "%.2f", a / b; else print "-" }'; }
g() { echo "${R[$1]:--}"; }
row() { # label key-suffix target
	printf '%-40s %11s %11s %7s   %s\n' "$1" "$(g "kd_$2")" "$(g "rg_$2")" "$(ratio "$(g "kd_$2")" "$(g "rg_$2")")" "$3"
}
echo
echo "cgkitd bench: $(nproc) cpus; 5 users, 2,000 idle processes; $NEXEC execs; storm of $NSTORM"
printf '%-40s %11s %11s %7s   %s\n' "measure" cgkitd cgrulesengd ratio "target (issue 11)"
row "idle cpu, % of one core ($IDLE_SECS s)" cpu "<= 0.5"
row "  host's new processes per second then" forks ""
row "RSS, MiB" rss "<= 20"
row "classify at exec: median, ms" cls_med "< 5"
row "classify at exec: worst, ms" cls_worst "< 50"
row "classify: over 5 ms, of $NEXEC" cls_5 ""
row "classify: over 50 ms, of $NEXEC" cls_50 "0"
row "classify: not seen within 1 s" cls_miss "0"
row "process rule at exec: median, ms" rule_med "< 5"
row "process rule at exec: worst, ms" rule_worst "< 50"
row "process rule: over 50 ms, of $NEXEC" rule_50 "0"
row "process rule: not seen within 1 s" rule_miss "0"
row "banned killed: median, ms" ban_med "< 5"
row "banned killed: worst, ms" ban_worst "< 50"
row "banned: killed after 50 ms, of $NEXEC" ban_50 "0"
row "banned: ran to its end" ban_miss "0"
row "exec storm: processes per second" storm_rate ""
row "exec storm: daemon cpu per process, us" storm_cpu ""
row "exec storm: late (in group after 50 ms)" storm_late ""
row "exec storm: missed (not in group in 1 s)" storm_miss "0"
row "exec storm: failed to run" storm_fail "0"
echo "load (1/5/15 min): cgkitd ${R[kd_load0]:-} .. ${R[kd_load1]:-}; cgrulesengd ${R[rg_load0]:--} .. ${R[rg_load1]:--}"
echo "cgrulesengd: ${R[rg]}"
[ -n "${R[kd_said]}" ] && printf 'cgkitd said (count, line):\n%s\n' "${R[kd_said]}"
