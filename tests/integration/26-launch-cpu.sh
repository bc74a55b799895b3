#!/bin/bash
# The seed's experiment: a busy loop under cpu.max 20% (and under quota 20ms
# per 100ms period) measured over 5 s from the group's own CPU accounting
# (cpuacct.usage on v1, cpu.stat usage_usec on v2) is at 20% +- 1.5 points of
# one CPU; 150% with two loops; two launches of one profile share its 20%.
#
# Noise: this host has 2 cores shared with other work (compilers, a qemu
# guest). The cap bounds the share from above at any load, so the upper
# bound (want + 1.5) is always asserted. The lower bound says the loop got
# all the cap allowed; it is only meaningful when the cap was what held the
# loop back, i.e. the group was throttled in (nearly) every period of the
# window (cpu.stat nr_throttled / nr_periods >= 90%). A window where it was
# not (the machine was too busy to give the group its share) is measured
# again, up to 3 windows; if none was, the lower bound is reported as not
# verifiable on this busy machine (loudly, with the figures), never passed.
# Every window's figures are printed.
#
# The share is the CPU time over the time between its two reads, each read
# with shell builtins next to its clock reading (lib-launch.sh
# measure_share): reading through processes lengthened the window by their
# start-up, which under the 150% cap waits for a CPU, and 150% read up to
# 152.35% while the group's own counters said 150.0%.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-launch.sh"

TOL=1.5
LOOP='while :; do :; done'

# In the emulated test guest (tests/vm, qemu TCG) the clocks drift apart:
# there an uncapped loop reads 175% of one cpu against `sleep`, and the
# period timer runs 1.7 times as fast, so no share of wall-clock time means
# anything. There the cap is checked in the group's own time base instead:
# the CPU time used is at most the quota times the periods the window spans
# (plus 1.5 points of tolerance), and the share is printed, not asserted.
EMULATED=false
[ -d /run/cgkit-vm ] && EMULATED=true

# Runs the launch in the background, measures the group's share over 5 s
# (three times at most), checks it, stops the launch.
check_share() { # suffix want what cgrun-args...
	local sfx=$1 want=$2 what=$3 cg share th0 th1 try bound
	shift 3
	"$CGRUN" "$@" &
	cg=$!; track_pid $cg
	sleep 1   # let it start and reach its steady state
	if $EMULATED; then
		local u0 u1 per
		th0=$(cpu_throttle "$sfx"); u0=$(cpu_usage_us "$sfx")
		sleep 5
		th1=$(cpu_throttle "$sfx"); u1=$(cpu_usage_us "$sfx")
		kill -TERM $cg; wait $cg 2>/dev/null
		# a window that sees p period boundaries spans p + 1 periods (two of
		# them partial), and the cap allows a quota in each: the bound is the
		# quota over p + 1 periods (100 ms each here), not p
		per=$(echo "$th0 $th1" | awk -v u=$((u1 - u0)) '{ p = $3 - $1; printf "%.2f", p ? u / ((p + 1) * 1000) : 0 }')
		echo "    $what (emulated guest): ${per}% of one cpu per period over $(echo "$th0 $th1" | awk '{ print $3 - $1 }') (+1) periods"
		awk -v s="$per" -v w="$want" -v t="$TOL" 'BEGIN { exit !(s <= w + t) }' ||
			fail "$what: ${per}% of each period is above the cap ${want} + ${TOL}"
		ok "$what: the cap holds in the group's own periods (${per}%)"
		echo "  NOT VERIFIED: $what: the share of wall-clock time (emulated clocks)"
		return
	fi
	for try in 1 2 3; do
		th0=$(cpu_throttle "$sfx")
		share=$(measure_share "$sfx" 5)
		th1=$(cpu_throttle "$sfx")
		bound=$(echo "$th0 $th1" | awk '{ p = $3 - $1; t = $4 - $2; printf "%d", p ? 100 * t / p : 0 }')
		echo "    $what: window $try: ${share}% (want ${want} +- ${TOL}); throttled in ${bound}% of periods ($th0 -> $th1); load $(cut -d' ' -f1 /proc/loadavg)"
		awk -v s="$share" -v w="$want" -v t="$TOL" 'BEGIN { exit !(s <= w + t) }' ||
			{ kill -TERM $cg; wait $cg 2>/dev/null; fail "$what: ${share}% is above the cap ${want} + ${TOL}"; }
		[ "$bound" -ge 90 ] && break
	done
	kill -TERM $cg; wait $cg 2>/dev/null
	ok "$what: ${share}% is not above the cap"
	if [ "$bound" -lt 90 ]; then
		echo "  NOT VERIFIED: $what: the lower bound: the machine was too busy for the cap to bind (throttled in ${bound}% of periods, load $(cut -d' ' -f1 /proc/loadavg))"
		return
	fi
	within "$share" "$want" "$TOL" || fail "$what: ${share}% is not within ${want} +- ${TOL}"
	ok "$what: ${share}% of one cpu, within ${want} +- ${TOL}"
}

P=$(make_profile a "name: $UNIQ-a" "parent: self" "cpu: {max: 20%}" "namespaces: [pid]")
check_share a 20 "cpu.max 20%" -p "$P" -- sh -c "$LOOP"
assert_nothing_left "after the 20% loop"

P=$(make_profile b "name: $UNIQ-b" "parent: self" "cpu: {quota: 20ms, period: 100ms}")
check_share b 20 "quota 20ms per 100ms" -p "$P" -- sh -c "$LOOP"

P=$(make_profile c "name: $UNIQ-c" "parent: self" "cpu: {max: 150%}" "namespaces: [pid]")
check_share c 150 "cpu.max 150%, two loops" -p "$P" -- sh -c "$LOOP & $LOOP"

# The same 20% without a profile: --cpu names the group after the command
# (here --name, to find it).
check_share d 20 "--cpu 20% with no profile" --parent self --name "$UNIQ-d" --cpu 20% -- sh -c "$LOOP"

# Two launches of one profile share its cap: 20% together, not 40%.
P=$(make_profile e "name: $UNIQ-e" "parent: self" "cpu: {max: 20%}")
"$CGRUN" -p "$P" -- sh -c "$LOOP" &
cg1=$!; track_pid $cg1
check_share e 20 "two launches of one 20% profile, together" -p "$P" -- sh -c "$LOOP"
kill -TERM $cg1; wait $cg1 2>/dev/null
assert_nothing_left "after the cpu launches"
