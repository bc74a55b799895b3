#!/bin/bash
# layout: independent
# cgkitd's history survives SIGKILL (issue 14): cgkitd recording at 100ms is
# killed with SIGKILL at a random moment 100 times, restarted each time on
# the same directory. After each kill:
# - the directory opens and every frame is sane (times rising, the root's
#   cpu counter never falling: a frame decoded from a torn record would
#   break one or the other);
# - at most the last interval is lost: the last frame is at most one
#   interval (plus scheduling slack) before the kill, and the run's frames
#   are as many as its life allowed, less one.
# At the end every segment file opens on its own.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
READER="$BUILD/tests/hist-reader"
[ -x "$READER" ] || skip "$READER not built (make integration builds it)"

RUNS=${CGK_CRASH_RUNS:-100}
IV=100000                                # us
SLACK=$(awk -v s="$CGK_TIME_SCALE" 'BEGIN { print int(60000 * s) }')
H=$TMPD/hist
write_rules "history:" "  dir: $H" "  interval: 100ms" <<<"rules: []"
mkdir -p "$CGK_STATE"
now_us() { local t; t=$EPOCHREALTIME; echo "${t/./}"; }

prev=0 short=0
for i in $(seq "$RUNS"); do
	"$CGKITD" -c "$CGK_RULES" >>"$CGK_OUT" 2>&1 &
	pid=$!
	track_pid $pid
	t0=$(now_us)
	# 150..400 ms: at least one sample, then some; the moment is random
	sleep "0.$((150 + RANDOM % 250))"
	kill -0 $pid 2>/dev/null || { wait $pid; fail "run $i: cgkitd ended by itself ($?): $(tail -5 "$CGK_OUT")"; }
	tk=$(now_us)
	kill -KILL $pid
	wait $pid 2>/dev/null
	"$READER" "$H" check >"$TMPD/check" || fail "run $i: $(cat "$TMPD/check")"
	read -r frames last <<<"$("$READER" "$H" summary | awk '{ print $2, $6 }')" ||
		fail "run $i: the history does not open"
	new=$((frames - prev)); prev=$frames
	lag=$((tk - last))
	[ "$lag" -le $((IV + SLACK)) ] ||
		fail "run $i: the last frame is $((lag / 1000)) ms before the kill (interval 100 ms)"
	# samples at 0, IV, 2 IV, ... from the recorder's start, which is some
	# ms after t0: at least (life - start) / IV of them, one may be lost
	want=$(((tk - t0 - SLACK) / IV))
	[ "$new" -ge "$want" ] || short=$((short + 1))
	[ "$new" -ge $((want - 1)) ] || fail "run $i: $new frames in $(((tk - t0) / 1000)) ms"
done
ok "$RUNS kills: every time the history opened with sane frames, the last at most one interval before the kill ($short runs lost their last sample)"

n=0
for f in "$H"/*.cgh; do
	mkdir -p "$TMPD/one"; rm -f "$TMPD/one"/*; cp "$f" "$TMPD/one/"
	"$READER" "$TMPD/one" check >"$TMPD/check" || fail "segment $f alone: $(cat "$TMPD/check")"
	n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "no segment file in $H"
ok "each of the $n segment files opens on its own; $prev frames in all"
