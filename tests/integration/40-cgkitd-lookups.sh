#!/bin/bash
# cgkitd's own cost per new process: a process put into its user's group is
# worked out once, and the user's name comes from a cache kept until
# /etc/passwd changes, not from reading /etc/passwd again at each of the
# three places that name it (the classification, the move, the log line).
# 30 processes of a test user are classified (each logged: moved into the
# user's group) while strace counts cgkitd's opens of /etc/passwd: a few at
# most (it changes when a user is made on the host), not several a process.
# And a process rule (cpu over 150% for 10 s) that selects 20 idle
# processes of the user reads their /proc/PID/stat once when they are first
# seen, not every interval: the user's group, idle, cannot hold one over
# (cgkitd(8), "What cgkitd reads").
# layout: independent (counts system calls; the moves are the cap and process scripts' subject)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgkitd.sh"
command -v strace >/dev/null || skip "strace needed to count cgkitd's opens of /etc/passwd"
[ -n "$(cg_mount cpu)" ] || skip "no cpu controller"

make_user; A=$U_NAME AU=$U_UID
write_rules <<EOT
users:
  uids: ["$AU"]
rules:
  - name: $CGK_TAG-big
    scope: process
    match: {users: ["$AU"]}
    when: {cpu: 150%, for: 10s}
    penalties:
      - {cpu: {max: 50%}}
EOT
cgkitd_start
idle=()
for _ in $(seq 20); do
	"$AS_USER" "$AU" /bin/sleep 120 &
	idle+=($!); track_pid $!
done
sleep 1   # classified, tracked, read once
strace -f -e trace=open,openat -o "$TMPD/strace.out" -p "$CGK_PID" 2>/dev/null &
st=$!; track_pid $st
wait_until 5 "[ \"\$(awk '/^TracerPid/ {print \$2}' /proc/$CGK_PID/status)\" != 0 ]" >/dev/null ||
	fail "strace did not attach to cgkitd"
t0=$(date +%s.%N)
# each a new arrival of the user (as from su or cron), moved into its group
for _ in $(seq 30); do
	"$AS_USER" "$AU" /bin/sleep 0.1 &
	p=$!; track_pid $p
	wait $p || fail "a process of $A failed"
done
wait_until 3 "[ \$(jcount \"e['action']=='classify' and e['uid']==$AU\") -ge 30 ]" >/dev/null ||
	fail "not 30 classify lines: $(jcount "e['action']=='classify' and e['uid']==$AU")"
sleep 2
kill -INT $st; wait $st 2>/dev/null
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
cgkitd_alive
n=$(grep -c '/etc/passwd' "$TMPD/strace.out")
ok "$(jcount "e['action']=='classify' and e['uid']==$AU") classify lines, $n opens of /etc/passwd"
[ "$n" -lt 30 ] || fail "cgkitd opened /etc/passwd $n times for 30 processes (want fewer than one a process: the names are cached; other users made meanwhile change it)"
reads=0
for p in "${idle[@]}"; do
	kill -0 "$p" || fail "idle process $p ended"
	reads=$((reads + $(grep -c "/proc/$p/stat\"" "$TMPD/strace.out")))
done
ints=$(awk -v s="$secs" 'BEGIN { printf "%d", s / 0.2 }')
ok "$reads reads of the 20 idle processes' stat over ${secs}s of strace (~$ints intervals)"
[ "$reads" -lt 20 ] || fail "cgkitd read the idle processes' /proc/PID/stat $reads times in ~$ints intervals (want none: their group is idle)"
