#!/bin/bash
# make demo-cgkitd: cgkitd catching a cpu hog, on a throw-away user. Makes a
# test user, writes a short rules file (parent: self, interval 200ms, a hog
# over 30% of a cpu for 2 s gets 20% for 5 s), starts build/cgkitd, runs a
# busy loop as the user, shows the cap in the action log and in the kernel's
# file, waits for the release, then removes everything (user, groups, files).
# Uses the integration tests' helpers (tests/integration/lib-cgkitd.sh).
. "$(dirname "$0")/../tests/lib.sh"
. "$(dirname "$0")/../tests/integration/lib-cgkitd.sh"

make_user; A=$U_NAME AU=$U_UID
write_rules <<EOT
users:
  uids: ["$AU"]
  limits:
    cpu: {max: 150%}
rules:
  - name: cpu-hog
    scope: user
    match: {users: ["$AU"]}
    when: {cpu: 30%, for: 2s}
    penalties:
      - {cpu: {max: 20%}, for: 5s}
EOT
echo "-- the rules ($CGK_RULES):"; sed 's/^/   /' "$CGK_RULES"
cgkitd_start
UD=$(user_dir "$A" cpu)
f=cpu.cfs_quota_us; [ -f "$UD/cpu.max" ] && f=cpu.max
echo "-- user $A (uid $AU) starts: sh -c 'while :; do :; done'"
start_hog "$AU"
for i in $(seq 12); do
	sleep 0.5
	printf '   %4.1fs  cap of %s: %s%%\n' "$(awk -v i="$i" 'BEGIN { print i * 0.5 }')" "${UD#/sys/fs/cgroup/}" "$(cpu_cap "$UD" 2>/dev/null || echo '-')"
done
echo "-- the action log ($CGK_LOG):"
jlog True 'json.dumps(e)' | sed 's/^/   /'
echo "-- the kernel's file: $UD/$f = $(cat "$UD/$f")"
echo "-- cgkitd status:"; "$CGKITD" status -c "$CGK_RULES" | sed 's/^/   /'
echo "-- cleaning up: the hog, cgkitd (SIGTERM), user $A, the groups"
