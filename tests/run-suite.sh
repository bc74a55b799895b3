#!/bin/sh
# Runs every executable test script in a directory (name: NN-*.sh or test_*.sh).
# A script exits 0 (pass), 77 (skipped: it printed why) or anything else (fail).
# With SUITE_LAYOUT_ONLY set (the qemu guests), a script whose behaviour does
# not depend on the cgroup layout (a line "# layout: independent") is left to
# the host's run: the guests emulate, and CI's time is budgeted. A line
# "# guests: not yet (why)" skips a script in the guests, saying why.
dir=$1
pass=0 fail=0 skip=0
failed=""
for t in "$dir"/*.sh; do
	[ -f "$t" ] || continue
	case "$(basename "$t")" in lib*.sh) continue ;; esac
	name=$(basename "$t" .sh)
	if [ -n "${SUITE_LAYOUT_ONLY:-}" ] && grep -q '^# layout: independent' "$t"; then
		skip=$((skip + 1)); echo "SKIP $name (layout-independent: run on the host)"
		continue
	fi
	# a script that is known not to pass in the guests yet says why, and is
	# skipped there, visibly (never in the host's run)
	if [ -n "${SUITE_LAYOUT_ONLY:-}" ] && grep -q '^# guests: not yet' "$t"; then
		skip=$((skip + 1)); echo "SKIP $name ($(sed -n 's/^# guests: //p' "$t" | head -1))"
		continue
	fi
	start=$(date +%s)
	bash "$t"
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $name" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name (exit $rc)" ;;
	esac
done
[ -z "$failed" ] || echo "failed:$failed"
echo "$(basename "$dir"): $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
