# Helpers for the launcher's integration tests (20-*.sh .. 29-*.sh).
# Source after ../lib.sh.

# The group directory of $UNIQ-<suffix> for a controller (profiles say
# `parent: self`).
group_dir() { # ctrl suffix
	echo "$(self_dir "$1")/$UNIQ-$2"
}

# Waits until a launch is in group directory $1: a run-* leaf there holds a
# process (10 s at most). A fixed sleep is not enough in the emulated guests.
wait_launched() { # group-dir
	local i f pid
	for i in $(seq 200); do
		# builtins only: under emulation a process per poll is slow enough
		# to miss a short launch
		for f in "$1"/run-*/cgroup.procs; do
			{ read -r pid <"$f"; } 2>/dev/null && [ -n "$pid" ] && return 0
		done
		sleep 0.05
	done
	return 1
}

# CPU time in microseconds that a group has used, from its own accounting:
# cpuacct.usage on v1, cpu.stat usage_usec on v2.
cpu_usage_us() { # suffix
	local d
	d=$(group_dir cpuacct "$1")
	if [ -f "$d/cpuacct.usage" ]; then
		echo $(($(cat "$d/cpuacct.usage") / 1000))
	else
		d=$(group_dir cpu "$1")
		awk '$1 == "usage_usec" { print $2 }' "$d/cpu.stat"
	fi
}

# Throttling counters of a group: "nr_periods nr_throttled".
cpu_throttle() { # suffix
	awk '$1 == "nr_periods" { p = $2 } $1 == "nr_throttled" { t = $2 } END { print p, t }' \
		"$(group_dir cpu "$1")/cpu.stat"
}

# The group's CPU time in microseconds, read with shell builtins only (no
# process started) from the file cpu_usage_file named.
_usage_now() { # file
	local k v
	case $1 in
	*cpuacct.usage) read -r v <"$1"; echo $((v / 1000)) ;;
	*) while read -r k v; do [ "$k" = usage_usec ] && { echo "$v"; return; }; done <"$1" ;;
	esac
}
cpu_usage_file() { # suffix
	local d
	d=$(group_dir cpuacct "$1")
	if [ -f "$d/cpuacct.usage" ]; then echo "$d/cpuacct.usage"; else echo "$(group_dir cpu "$1")/cpu.stat"; fi
}

# Share of one cpu, in percent with two decimals, that group $1 used over
# about $2 seconds. The window is the time between the two reads, each taken
# next to its own clock reading with shell builtins: a process started to
# read (a $(...), cat, awk) would lengthen the window by its own start-up,
# and under a 150% cap on two cores that start-up waits for a CPU and adds
# points to the share.
measure_share() { # suffix seconds
	local f a b t0 t1
	f=$(cpu_usage_file "$1")
	_usage_now "$f" >"$TMPD/usage0"; t0=$EPOCHREALTIME
	sleep "$2"
	_usage_now "$f" >"$TMPD/usage1"; t1=$EPOCHREALTIME
	read -r a <"$TMPD/usage0"; read -r b <"$TMPD/usage1"
	awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", (b - a) / ((t1 - t0) * 10000) }'
}

# Is |got - want| <= tol? (decimals)
within() { # got want tol
	awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'
}

# Waits until a file exists (up to ~5 s).
wait_for_file() {
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# Builds a tiny root filesystem from busybox-static in $TMPD/$1; prints it.
make_busybox_root() { # name
	local r="$TMPD/$1" bb c
	bb=$(command -v busybox || echo /bin/busybox)
	file -L "$bb" 2>/dev/null | grep -q 'statically linked' || [ -x "$bb" ] || skip "no busybox"
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
	cp "$bb" "$r/bin/busybox"
	for c in sh ls cat echo ps mount hostname id touch rm mkdir grep head wc sleep ip stat readlink pwd env true false; do
		ln -sf busybox "$r/bin/$c"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	echo "rootfs-marker" >"$r/etc/marker"
	echo "$r"
}

# No directory of this run is left in any hierarchy.
assert_nothing_left() { # what
	local left
	left=$(test_group_dirs)
	[ -z "$left" ] || fail "$1: left behind: $left"
	ok "$1: nothing left behind"
}
