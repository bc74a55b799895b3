#!/bin/sh
# make bench: runs every tests/bench/bench-*.sh; each prints its own table of
# figures measured side by side in the same run, with ratios.
dir=$(dirname "$0")
rc=0
for b in "$dir"/bench-*.sh; do
	[ -f "$b" ] || continue
	echo "### $(basename "$b" .sh)"
	bash "$b" || { echo "bench $(basename "$b") failed"; rc=1; }
	echo
done
exit $rc
