#!/bin/bash
# cgtop's batch mode against systemd-cgtop, side by side in one run, at
# 1,000 and 10,000 groups made below our own groups (cpu, cpuacct, memory,
# and the systemd hierarchy that systemd-cgtop walks; the one tree on v2).
# Prints cpu per refresh per group, share of a core at one refresh a
# second, and peak RSS, with the ratios; then the first frame (start, scan,
# the first sample (cgtop: the rates' counters only), the second (every
# other file once; the tasks of empty groups from one pass over /proc), one
# frame printed) of both tools at 2,000 groups, in the same run. Removes
# every group it made.
. "$(dirname "$0")/../lib.sh"

SIZES=${BENCH_CGTOP_SIZES:-1000 10000}
# Both runs long enough (K1 >= cgtop's slow_every, 10) that cgtop starts
# them alike: a run it knows is short keeps fewer files open, and the
# difference would no longer be steady refreshes alone.
K1=12
K2=${BENCH_CGTOP_REFRESHES:-32}
DELAY=0.05
command -v systemd-cgtop >/dev/null || skip "systemd-cgtop (package systemd) is not installed"
[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed"

# Our own group in each hierarchy, once per distinct directory.
hier_dirs() {
	local c
	for c in cpu cpuacct memory name=systemd; do
		[ -n "$(cg_mount "$c")" ] && self_dir "$c"
	done | sort -u
}

made=()
remove_made() {
	local d
	for d in "${made[@]}"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -maxdepth 1 -type d -print0 | xargs -0 -r rmdir
		rmdir "$d" || echo "  warning: could not remove $d" >&2
	done
	made=()
}
on_exit remove_made

make_groups() { # n
	local d base
	for base in $(hier_dirs); do
		d="$base/$UNIQ-bench"
		mkdir "$d" || fail "mkdir $d"
		made+=("$d")
		(cd "$d" && seq -f "g%05g" 1 "$1" | xargs mkdir) || fail "making $1 groups in $d"
	done
}

# cpu seconds (user+sys) and peak RSS (KiB) of one run: "cpu rss"
measure() {
	/usr/bin/time -f "%U %S %M" -o "$TMPD/time" "$@" >"$TMPD/out" 2>"$TMPD/err" ||
		fail "'$*' failed: $(tail -3 "$TMPD/err")"
	awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$TMPD/time"
}

# cpu per refresh (s) from runs of K1 and K2 refreshes (startup cancels
# out), and the peak RSS of the longer run: "cpu rss"
per_refresh() { # tool-args...
	local a b rss
	read -r a _ <<<"$(measure "$@" -n "$K1")"
	read -r b rss <<<"$(measure "$@" -n "$K2")"
	awk -v a="$a" -v b="$b" -v k="$((K2 - K1))" -v r="$rss" 'BEGIN { printf "%.6f %d\n", (b - a) / k, r }'
}

# "seen": the groups the tool walks (cgtop: the union of the hierarchies by
# relative path; on a host whose memory group differs from its cpu group,
# as here, the groups made in each count apart). %core@1s is for all the
# groups seen, per10k the same scaled to 10,000 groups.
# systemd-cgtop walks the systemd (or unified) tree
sd_root=$(cg_mount name=systemd)
[ -n "$sd_root" ] || sd_root=$(cg_mount cpu)
printf "%-8s %-14s %8s %10s %10s %8s %9s\n" made tool seen "us/group" "%core@1s" "per10k" "RSS MiB"
for n in $SIZES; do
	make_groups "$n"
	# groups each tool walks: cgtop the union of the hierarchies, systemd-cgtop
	# the systemd (or unified) tree down to its default depth of 3
	cg_seen=$("$CGTOP" --json -n 1 -d 0.1 | jq .groups_count)
	sd_seen=$(find "$sd_root" -mindepth 0 -maxdepth 3 -type d | wc -l)

	read -r cg cg_rss <<<"$(per_refresh "$CGTOP" -b -d "$DELAY")"
	read -r sd sd_rss <<<"$(per_refresh systemd-cgtop -b -d "$DELAY")"
	# cgtop on the subtree of the cpu hierarchy alone: exactly n+1 groups
	sub="/${UNIQ}-bench"
	[ -n "$(self_dir cpu | sed "s|^$(cg_mount cpu)||")" ] && sub="$(self_dir cpu | sed "s|^$(cg_mount cpu)||")/$UNIQ-bench"
	sub_seen=$("$CGTOP" --json -n 1 -d 0.1 -p "$sub" | jq .groups_count)
	read -r cs cs_rss <<<"$(per_refresh "$CGTOP" -b -d "$DELAY" -p "$sub")"
	for row in "cgtop $cg $cg_seen $cg_rss" "cgtop-p-subtree $cs $sub_seen $cs_rss" \
		"systemd-cgtop $sd $sd_seen $sd_rss"; do
		set -- $row
		awk -v t="$1" -v s="$2" -v g="$3" -v r="$4" -v n="$n" 'BEGIN {
			printf "%-8s %-14s %8d %10.2f %10.2f %8.2f %9.1f\n", n, t, g, s * 1e6 / g, s * 100,
				s * 100 * 10000 / g, r / 1024 }'
	done
	awk -v a="$cg" -v ga="$cg_seen" -v b="$sd" -v gb="$sd_seen" -v n="$n" 'BEGIN {
		if (a > 0) printf "%-8s ratio: systemd-cgtop / cgtop per group = %.1fx\n", n, (b / gb) / (a / ga);
		else printf "%-8s ratio: cgtop below the timer resolution\n", n }'
	remove_made
done
# The first frame: what a user pays to start either tool once ("-b -n 1").
# cpu (user + sys) in ms, mean of FIRST_RUNS runs: perf's task-clock where
# perf is there (/usr/bin/time counts in 10 ms steps), else /usr/bin/time.
FIRST=${BENCH_CGTOP_FIRST:-2000}
FIRST_RUNS=${BENCH_CGTOP_FIRST_RUNS:-10}
first_ms() { # tool-args...
	local i t=0 c
	if command -v perf >/dev/null && perf stat -x, -e task-clock true >/dev/null 2>&1; then
		perf stat -x, -e task-clock -r "$FIRST_RUNS" "$@" 2>&1 >/dev/null |
			awk -F, '$3 == "task-clock" { printf "%.1f\n", $1 }'
		return
	fi
	for ((i = 0; i < FIRST_RUNS; i++)); do
		read -r c _ <<<"$(measure "$@")"
		t=$(awk -v a="$t" -v b="$c" 'BEGIN { print a + b }')
	done
	awk -v t="$t" -v n="$FIRST_RUNS" 'BEGIN { printf "%.1f\n", t * 1000 / n }'
}
make_groups "$FIRST"
cg_seen=$("$CGTOP" --json -n 1 -d 0.1 | jq .groups_count)
sd_seen=$(find "$sd_root" -mindepth 0 -maxdepth 3 -type d | wc -l)
cg_first=$(first_ms "$CGTOP" -b -n 1 -d 0.1)
sd_first=$(first_ms systemd-cgtop -b -n 1 -d 0.1)
[ -n "$cg_first" ] && [ -n "$sd_first" ] || fail "no first-frame figures (cgtop '$cg_first', systemd-cgtop '$sd_first')"
printf "\n%-8s %-14s %8s %10s %10s\n" made tool seen "first ms" "us/group"
for row in "cgtop $cg_first $cg_seen" "systemd-cgtop $sd_first $sd_seen"; do
	set -- $row
	awk -v t="$1" -v ms="$2" -v g="$3" -v n="$FIRST" 'BEGIN {
		printf "%-8s %-14s %8d %10.1f %10.1f\n", n, t, g, ms, ms * 1000 / g }'
done
awk -v a="$cg_first" -v b="$sd_first" -v ga="$cg_seen" -v gb="$sd_seen" -v n="$FIRST" 'BEGIN {
	printf "%-8s first frame: cgtop / systemd-cgtop = %.2fx (per group seen %.2fx)\n", n, a / b,
		(a / ga) / (b / gb) }'
# The same tree for both: the groups this bench made (its own subtree, one
# path; cgtop -p PATH, systemd-cgtop PATH), where neither walks the rest.
sub="/${UNIQ}-bench"
[ -n "$(self_dir cpu | sed "s|^$(cg_mount cpu)||")" ] && sub="$(self_dir cpu | sed "s|^$(cg_mount cpu)||")/$UNIQ-bench"
cs_seen=$("$CGTOP" --json -n 1 -d 0.1 -p "$sub" | jq .groups_count)
ss_seen=$(find "$sd_root$sub" -mindepth 0 -maxdepth 3 -type d 2>/dev/null | wc -l)
cs_first=$(first_ms "$CGTOP" -b -n 1 -d 0.1 -p "$sub")
ss_first=$(first_ms systemd-cgtop -b -n 1 -d 0.1 "$sub")
if [ -n "$cs_first" ] && [ -n "$ss_first" ]; then
	for row in "cgtop-p-subtree $cs_first $cs_seen" "systemd-cgtop-subtree $ss_first $ss_seen"; do
		set -- $row
		awk -v t="$1" -v ms="$2" -v g="$3" -v n="$FIRST" 'BEGIN {
			printf "%-8s %-22s %8d %10.1f %10.1f\n", n, t, g, ms, ms * 1000 / g }'
	done
	awk -v a="$cs_first" -v b="$ss_first" -v n="$FIRST" 'BEGIN {
		printf "%-8s first frame on the same subtree: cgtop / systemd-cgtop = %.2fx\n", n, a / b }'
fi
remove_made
echo "targets: <= 5 us/group, < 5 %core at 10000 groups, RSS < 16 MiB at 10000 groups;"
echo "         first frame no more cpu than systemd-cgtop's (per group seen where cgtop sees more:"
echo "         it reads every hierarchy, systemd-cgtop the systemd tree, and shows '-' in its first frame)"
