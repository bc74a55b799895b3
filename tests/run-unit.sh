#!/bin/sh
# Runs each cmocka binary given (under $VALGRIND when set) and sums what
# cmocka reports: tests passed, failed and skipped. A skipped test is named,
# so that a test that stopped checking anything cannot hide; a binary that
# fails without cmocka's summary (a crash, valgrind's error exit) counts as a
# failure of its own.
pass=0 fail=0 skip=0 bad=""
out=$(mktemp "${TMPDIR:-/tmp}/cgkit-unit.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT INT TERM
for t in "$@"; do
	$VALGRIND "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s += $1} END {print s + 0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s += $1} END {print s + 0}')
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s += $1} END {print s + 0}')
	for name in $(sed -n 's/^\[  SKIPPED \] \([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' "$out"); do
		echo "SKIPPED: $(basename "$t"): $name"
	done
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	[ "$f" -eq 0 ] || bad="$bad $(basename "$t")"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
[ -z "$bad" ] || echo "failed:$bad"
echo "unit: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
