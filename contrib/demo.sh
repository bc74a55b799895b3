#!/bin/sh
# make demo: apply profiles/demo.yaml below this shell's own cgroup, show the
# plan, the files written with their values, then remove the group again.
set -eu
BUILD=${BUILD:-build}
CGRUN=$BUILD/cgrun
P=profiles/demo.yaml
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (it creates a cgroup)" >&2
	exit 1
fi
echo "== cgrun --check -p $P"
$CGRUN --check -p $P && echo "valid"
echo
echo "== cgrun --plan -p $P   (what --apply would do, in order)"
$CGRUN --plan -p $P | tee /tmp/cgkit-demo-plan.$$
echo
echo "== cgrun --apply -p $P"
$CGRUN --apply -p $P
trap '$CGRUN --remove --force -p $P' EXIT
echo
echo "== the files it wrote, as the kernel reports them now"
awk '$1 == "write" { print $2 }' /tmp/cgkit-demo-plan.$$ | while read -r f; do
	printf '%-70s %s\n' "$f" "$(tr '\n' ' ' <"$f")"
done
rm -f /tmp/cgkit-demo-plan.$$
echo
echo "== cgrun --show -p $P   (the same, in profile terms)"
$CGRUN --show -p $P
echo
echo "== cgrun --plan -p $P   (after apply: nothing left to do)"
$CGRUN --plan -p $P
echo "(empty plan)"
echo
echo "== cgrun --remove -p $P"
$CGRUN --remove -p $P
trap - EXIT
echo "removed"
