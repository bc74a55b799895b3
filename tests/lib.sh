# Shared helpers for the integration, tui and vm test scripts (bash).
# Source it first:  . "$(dirname "$0")/../lib.sh"
#
# Rules every test keeps: groups only below this process's own cgroup in each
# hierarchy (profiles say `parent: self`), names unique to the run (starting
# with $UNIQ), removed on every exit path, also when the test fails; only
# processes the test started are ever killed.
set -u

BUILD=${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}
CGRUN="$BUILD/cgrun"
CGTOP="$BUILD/cgtop"
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$TESTS_DIR/.." && pwd)
UNIQ="cgtest-$$-$RANDOM"
TMPD=$(mktemp -d "/tmp/$UNIQ.XXXXXX")
_cleanups=()
_started_pids=()

# Runs a shell command at exit (last registered runs first).
on_exit() { _cleanups=("$*" "${_cleanups[@]}"); }

_run_cleanups() {
	local c p
	for p in "${_started_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for c in "${_cleanups[@]}"; do eval "$c" || true; done
	remove_test_groups
	rm -rf "$TMPD"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

# Remembers a pid the test started, so that it is killed at exit.
track_pid() { _started_pids+=("$1"); }

fail() { echo "  FAIL: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }
skip() { echo "  SKIP: $*"; exit 77; }
assert_eq() { # expected actual what
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
	ok "$3 = '$2'"
}
assert_contains() { # haystack needle what
	case "$1" in *"$2"*) ok "$3" ;; *) fail "$3: '$2' not in: $1" ;; esac
}
assert_not_contains() {
	case "$1" in *"$2"*) fail "$3: '$2' found in: $1" ;; *) ok "$3" ;; esac
}
# Runs a command, checks its exit status; output in $OUT (stdout+stderr).
expect_status() { # status cmd...
	local want=$1; shift
	OUT=$("$@" 2>&1); local rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want; output: $OUT"
	ok "'$*' exits $want"
}

# The cgroup layout of this host: v1, hybrid or v2.
cg_mode() {
	if grep -q ' - cgroup ' /proc/self/mountinfo; then
		if grep -q ' - cgroup2 ' /proc/self/mountinfo; then echo hybrid; else echo v1; fi
	else
		echo v2
	fi
}

# Mount point of a controller (cpu, memory, blkio/io, cpuset, pids, cpuacct, freezer).
cg_mount() {
	local c=$1 m
	m=$(awk -v c="$c" '$0 ~ / - cgroup / { n=split($NF, o, ","); for (i=1;i<=n;i++) if (o[i]==c) print $5 }' /proc/self/mountinfo | head -1)
	if [ -z "$m" ]; then
		m=$(awk '$0 ~ / - cgroup2 / { print $5 }' /proc/self/mountinfo | head -1)
	fi
	echo "$m"
}

# This process's own group directory for a controller.
self_dir() {
	local c=$1 mnt rel
	mnt=$(cg_mount "$c")
	if cg_on_v2 "$c"; then
		rel=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	else
		rel=$(awk -F: -v c="$c" '{ n=split($2, o, ","); for (i=1;i<=n;i++) if (o[i]==c) print $3 }' /proc/self/cgroup | head -1)
	fi
	echo "$mnt${rel%/}"
}

# Is controller $1 on the cgroup2 mount (v2, or a hybrid host's unified tree)?
cg_on_v2() {
	[ "$(cg_mode)" = v2 ] || [ "$(cg_mount "$1")" = "$(awk '$0 ~ / - cgroup2 / { print $5 }' /proc/self/mountinfo | head -1)" ]
}

# The group of controller $2 in a /proc/PID/cgroup text on stdin, relative to
# its mount, as the kernel shows it (the "0::" line for a cgroup2 controller).
cgroup_of() { # < /proc/PID/cgroup; ctrl
	if cg_on_v2 "$1"; then
		awk -F: '$1 == "0" { print $3 }'
	else
		awk -F: -v c="$1" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }'
	fi
}

# Every cgroup directory this run created (names start with $UNIQ), deepest first.
test_group_dirs() {
	local m
	for m in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		find "$m" -maxdepth 8 -type d -name "$UNIQ*" 2>/dev/null
	done | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

# Removes this run's groups: first the processes the test started are killed
# (above), then every group below ours named $UNIQ*, children first.
remove_test_groups() {
	local d sub
	for d in $(test_group_dirs); do
		for sub in $(find "$d" -mindepth 1 -type d 2>/dev/null | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-); do
			rmdir "$sub" 2>/dev/null
		done
		rmdir "$d" 2>/dev/null || echo "  warning: could not remove $d" >&2
	done
}

# Writes a profile into $TMPD and prints its path. Name: $UNIQ-<suffix>.
make_profile() { # suffix body...
	local f="$TMPD/$1.yaml"
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

# The host's block device for io tests, as MAJ:MIN and as a /dev path.
root_blockdev() {
	local majmin dev
	majmin=$(awk '$5 == "/" { print $3 }' /proc/self/mountinfo | head -1)
	# a partition's whole disk holds the io limits
	if [ -e "/sys/dev/block/$majmin/partition" ]; then
		majmin=$(cat "/sys/dev/block/$majmin/../dev")
	fi
	dev=/dev/$(basename "$(readlink -f "/sys/dev/block/$majmin")")
	echo "$majmin $dev"
}

[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -x "$CGRUN" ] || fail "$CGRUN not built"
echo "== $(basename "$0" .sh) ($(cg_mode), uniq $UNIQ)"

# A whole block device that io limits can be put on, as "MAJ:MIN /dev/X": the
# root's disk when / is on a block device, else the first virtio disk (the
# test guest's root is 9p, which has none; tests/vm gives it /dev/vda), else
# nothing and status 1: the caller skips its io checks and says why.
io_blockdev() {
	local majmin d
	majmin=$(awk '$5 == "/" { print $3 }' /proc/self/mountinfo | tail -1)
	if [ -n "$majmin" ] && [ -e "/sys/dev/block/$majmin" ]; then
		if [ -e "/sys/dev/block/$majmin/partition" ]; then
			majmin=$(cat "/sys/dev/block/$majmin/../dev")
		fi
		d=/dev/$(basename "$(readlink -f "/sys/dev/block/$majmin")")
		if [ -b "$d" ]; then
			echo "$majmin $d"
			return 0
		fi
	fi
	for d in /sys/block/vd*; do
		[ -e "$d/dev" ] || continue
		echo "$(cat "$d/dev") /dev/${d##*/}"
		return 0
	done
	return 1
}
