#!/bin/sh
# Runs each cmocka binary given (under $VALGRIND when set); one closing line.
pass=0 fail=0
for t in "$@"; do
	if $VALGRIND "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
