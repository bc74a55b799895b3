#!/bin/bash
# Runs inside the test guest (tests/vm/check.sh starts it): the guest's own
# selftest, then the integration suite and, when tmux is there, the tui suite,
# all with the host's BUILD. Exits 0 only when every one passed.
# The tests run in the root cgroup of every hierarchy (the guest's /init puts
# them there); see tests/vm/init.
mode=${1:?usage: guest-check.sh v2|hybrid|mixed}
# only the suites whose behaviour depends on the layout (tests/run-suite.sh)
export SUITE_LAYOUT_ONLY=1
cd "$(dirname "$0")/../.." || exit 1
failed=""
echo "--- selftest ($mode guest)"
bash tests/vm/selftest.sh "$mode" || failed="$failed selftest"
echo "--- integration ($mode guest)"
sh tests/run-suite.sh tests/integration || failed="$failed integration"
if ls tests/tui/*.sh >/dev/null 2>&1; then
	if command -v tmux >/dev/null; then
		echo "--- tui ($mode guest)"
		sh tests/run-suite.sh tests/tui || failed="$failed tui"
	else
		echo "--- tui: SKIP, no tmux in the guest (it comes from the host's /)"
	fi
fi
if [ -n "$failed" ]; then
	echo "--- $mode guest: FAILED:$failed"
	exit 1
fi
echo "--- $mode guest: all passed"
