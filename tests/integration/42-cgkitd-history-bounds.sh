#!/bin/bash
# layout: independent
# cgkitd's history keeps to `keep` and `max` (issue 14). Old hourly
# segments are made as copies of a real one under the names (and times) of
# past hours; then:
# - with max small, cgkitd removes the oldest whole segments at once and,
#   while it records at 100ms, the directory never exceeds max (checked
#   every 50 ms), the newest old segments kept as far as they fit;
# - with keep 1h, every segment older than an hour goes; the current stays.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
READER="$BUILD/tests/hist-reader"
[ -x "$READER" ] || skip "$READER not built (make integration builds it)"

H=$TMPD/hist
dirsize() { find "$H" -maxdepth 1 -name '*.cgh' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
rules() { # keep max
	write_rules "history:" "  dir: $H" "  interval: 100ms" "  keep: $1" "  max: $2" <<<"rules: []"
}

# a real segment, some 2 s of samples
rules 7d 64M
cgkitd_start
sleep 2
cgkitd_stop
seg=$(ls "$H"/*.cgh | tail -1)
[ -f "$seg" ] || fail "no segment in $H"
S=$(stat -c %s "$seg")
# ten old segments, 20..11 hours ago (the hours their names and times say)
for h in $(seq 11 20); do
	name=$(date -u -d "$h hours ago" +%Y%m%d-%H).cgh
	cp "$seg" "$H/$name"
	touch -d "$h hours ago" "$H/$name"
done
old=$(ls "$H" | grep -c '\.cgh$')
echo "  segment of $S bytes; $old segments, $(dirsize) bytes"

# ---- max: 4 segments' worth and a half ----
MAX=$((S * 9 / 2))
rules 7d "$MAX"
cgkitd_start
over=0 top=0
for _ in $(seq 60); do
	s=$(dirsize); [ "$s" -gt "$top" ] && top=$s
	[ "$s" -le "$MAX" ] || over=$((over + 1))
	sleep 0.05
done
cgkitd_alive
cgkitd_stop
[ "$over" -eq 0 ] || fail "the directory exceeded max ($MAX bytes) $over times (at most $top)"
left=$(ls "$H" | grep -c '\.cgh$')
[ "$left" -lt "$old" ] || fail "no segment removed under max: $left of $old"
newest_old=$(date -u -d "11 hours ago" +%Y%m%d-%H).cgh
oldest_old=$(date -u -d "20 hours ago" +%Y%m%d-%H).cgh
[ -f "$H/$newest_old" ] || fail "the newest old segment went first (max removes the oldest)"
[ ! -f "$H/$oldest_old" ] || fail "the oldest segment is still there"
ok "max $MAX: $left segments left of $old, the directory at most $top bytes"

# ---- keep: 1h ----
rules 1h 64M
cgkitd_start
sleep 1
cgkitd_stop
left=$(ls "$H")
[ "$(echo "$left" | grep -c '\.cgh$')" -eq 1 ] || fail "keep 1h left: $left"
[ -f "$H/$(basename "$seg")" ] || fail "the current segment went"
"$READER" "$H" check >/dev/null || fail "the history left does not read"
ok "keep 1h: only the current segment is left"
