#!/bin/sh
# make bench: runs every tests/bench/bench-*.sh; each prints its own table of
# figures measured side by side in the same run, with ratios.
dir=$(dirname "$0")
rc=0
for b in "$dir"/bench-*.sh; do
	[ -f "$b" ] || continue
	echo "### $(basename "$b" .sh)"
	bash "$b"
	case $? in
	0) ;;
	77) echo "bench $(basename "$b") skipped" ;;
	*) echo "bench $(basename "$b") failed"; rc=1 ;;
	esac
	echo
done
exit $rc
