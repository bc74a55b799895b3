#!/bin/sh
# make check-v2 / make check-hybrid: the integration (and tui) suites, plus
# the guest's selftest, inside a throw-away guest with pure cgroup v2 or the
# hybrid layout of our hosts.
#   BUILD=/abs/build/dir sh tests/vm/check.sh v2|hybrid
# Prints the guest's output (also kept in $BUILD/vm-MODE.log), the boot time
# and the whole run's time; fails when a suite fails or the guest does not
# report. See tests/vm/README.md.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -uo pipefail

mode=${1:-}
case $mode in
v2) flag=--v2 ;;
hybrid) flag=--hybrid ;;
mixed) flag=--mixed ;;
*) echo "usage: BUILD=DIR $0 v2|hybrid|mixed" >&2; exit 2 ;;
esac
VM_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
export BUILD
[ -x "$BUILD/cgrun" ] || { echo "check-$mode: $BUILD/cgrun not built (make all BUILD=...)" >&2; exit 1; }

# the suites grow; under emulation on a busy machine they take minutes
export VM_TIMEOUT=${VM_TIMEOUT:-2400}
times=$(mktemp)
trap 'rm -f "$times"' EXIT
echo "check-$mode: booting a $mode guest (qemu, software emulation)"
cd "$TOP" || exit 1
VM_TIMES=$times bash "$VM_DIR/run.sh" "$flag" -- bash tests/vm/guest-check.sh "$mode" 2>&1 |
	tee "$BUILD/vm-$mode.log"
rc=${PIPESTATUS[0]}
read -r boot total <"$times" 2>/dev/null || boot="" total=""
fmt() { echo "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))s"; }
if [ -n "$boot" ]; then
	echo "check-$mode: guest boot to /init $(fmt "$boot"), whole run $(fmt "$total")"
fi
if [ "$rc" -ne 0 ]; then
	echo "check-$mode: FAILED (status $rc; log: $BUILD/vm-$mode.log)" >&2
	exit 1
fi
echo "check-$mode: passed"
