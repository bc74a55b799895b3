#!/bin/bash
# cgrun --to systemd, checked by systemd: the drop-in, put beside a tiny unit
# in a temporary directory, passes systemd-analyze verify offline with no
# complaint about any of its lines (for a service, a scope's and a slice's
# section too); and --from systemd reads it back to the same limits. Touches
# no cgroup: it runs the same on every layout.
. "$(dirname "$0")/../lib.sh"

command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (package systemd)"

P=$(make_profile web "name: $UNIQ-web" "parent: self" \
	"cpu: {max: 150%, period: 50ms, weight: 250}" \
	"memory: {max: 1536M, high: 1G, swap: 256M}" \
	"io: {weight: 300, devices: [{path: \"8:0\", read_bps: 10M, write_iops: 500}]}" \
	"cpuset: {cpus: \"0\", mems: \"0\"}" "pids: {max: 128}")

# systemd-analyze verify exits 0 even for keys it ignores: its messages about
# the drop-in are what tell
verify() { # dir unit
	(cd "$1" && timeout 60 systemd-analyze verify --man=no "./$2") >"$TMPD/verify" 2>&1
	rc=$?
	if grep -q "Failed to\|Operation not permitted" "$TMPD/verify" && ! grep -q cgkit.conf "$TMPD/verify"; then
		[ $rc -eq 0 ] || skip "systemd-analyze verify does not run offline here: $(head -3 "$TMPD/verify")"
	fi
}

for kind in service slice; do
	D="$TMPD/units-$kind"
	U="$UNIQ.$kind"
	mkdir -p "$D/$U.d"
	if [ $kind = service ]; then
		printf '[Unit]\nDescription=cgkit test\n[Service]\nExecStart=/bin/true\n' >"$D/$U"
	else
		printf '[Unit]\nDescription=cgkit test\n' >"$D/$U"
	fi
	"$CGRUN" --to "systemd:$kind" -p "$P" >"$D/$U.d/cgkit.conf" 2>"$TMPD/warn" ||
		fail "--to systemd:$kind failed: $(cat "$TMPD/warn")"
	grep -q "^CPUQuota=150%$" "$D/$U.d/cgkit.conf" || fail "no CPUQuota=150% in: $(cat "$D/$U.d/cgkit.conf")"
	verify "$D" "$U"
	grep cgkit.conf "$TMPD/verify" && fail "systemd-analyze complained about the $kind drop-in"
	ok "systemd-analyze verify takes the $kind drop-in without a word about it"

	# the check can fail: a bad line in a copy is named
	cp "$D/$U.d/cgkit.conf" "$D/$U.d/cgkit.conf.good"
	echo "CPUQuota=lots" >>"$D/$U.d/cgkit.conf"
	verify "$D" "$U"
	assert_contains "$(cat "$TMPD/verify")" "cgkit.conf:" "systemd-analyze names a bad line of the drop-in"
	mv "$D/$U.d/cgkit.conf.good" "$D/$U.d/cgkit.conf"
done

# and back: the same limits
D="$TMPD/units-service"
"$CGRUN" --from systemd "$D/$UNIQ.service" "$D/$UNIQ.service.d/cgkit.conf" >"$TMPD/back.yaml" 2>"$TMPD/warn" ||
	fail "--from systemd failed: $(cat "$TMPD/warn")"
"$CGRUN" --to systemd -p "$TMPD/back.yaml" 2>/dev/null | grep -v '^#' >"$TMPD/again"
grep -v '^#' "$D/$UNIQ.service.d/cgkit.conf" >"$TMPD/first"
assert_eq "$(cat "$TMPD/first")" "$(cat "$TMPD/again")" "profile -> systemd -> profile -> systemd: the same properties"

# systemd-run's arguments: one line, the same properties
ARGS=$("$CGRUN" --to systemd-run -p "$P" 2>/dev/null)
assert_contains "$ARGS" "-p CPUQuota=150% -p CPUQuotaPeriodSec=50ms" "systemd-run arguments"
assert_contains "$ARGS" "-p 'IOReadBandwidthMax=/dev/block/8:0 10485760'" "a property with a space is quoted"
eval "set -- $ARGS"
assert_eq "IOReadBandwidthMax=/dev/block/8:0 10485760" "$(printf '%s\n' "$@" | grep IORead)" "the shell reads the quoted property back whole"
