#!/bin/bash
# cgrun --from cgconfig checked by libcgroup's own tool: a cgconfig.conf that
# cgconfigparser loads (groups below this test's own group only: no mount,
# no perm, no default section) gives, converted and applied with
# cgrun --apply, the same kernel values (read with cgget). Then a bad file
# writes nothing, and cgrun --from cgrules gives a rules file that
# cgkitd --check accepts, with the lines it could not carry named.
. "$(dirname "$0")/../lib.sh"

command -v cgconfigparser >/dev/null && command -v cgget >/dev/null ||
	skip "cgconfigparser and cgget (cgroup-tools) are not installed"

# Each controller's own group, relative to its hierarchy: a cgconfig group
# has one path for all its controllers, so controllers whose own groups
# differ get a group each, all named .../$UNIQ-cgc/x.
declare -A ctrls=()
for c in cpu memory pids; do
	rel=$(cgroup_of "$c" </proc/self/cgroup)   # "/" or "/a/b": a key never empty
	ctrls[$rel]="${ctrls[$rel]:-} $c"
done
# group NAME below the own group REL, as cgconfig.conf and cgget name it
gpath() { local r=${1#/}; echo "${r:+$r/}$2"; }
v2() { cg_on_v2 "$1"; }

# the settings each controller gets, in the names of its hierarchy
settings() { # ctrl
	case $1 in
	cpu)
		if v2 cpu; then
			echo 'cpu { cpu.max = "30000 60000"; cpu.weight = 50; }'
		else
			echo 'cpu { cpu.shares = 512; cpu.cfs_quota_us = 30000; cpu.cfs_period_us = 60000; }'
		fi ;;
	memory)
		if v2 memory; then
			echo 'memory { memory.max = 256M; memory.high = 128M; }'
		else
			echo 'memory { memory.limit_in_bytes = 256M; memory.soft_limit_in_bytes = 128M; }'
		fi ;;
	pids) echo 'pids { pids.max = 77; }' ;;
	esac
}
knobs() { # ctrl
	case $1 in
	cpu) if v2 cpu; then echo cpu.max cpu.weight; else echo cpu.shares cpu.cfs_quota_us cpu.cfs_period_us; fi ;;
	memory) if v2 memory; then echo memory.max memory.high; else echo memory.limit_in_bytes memory.soft_limit_in_bytes; fi ;;
	pids) echo pids.max ;;
	esac
}

conf=$TMPD/cgconfig.conf
{
	echo "# made by $0"
	for rel in "${!ctrls[@]}"; do
		echo "group $(gpath "$rel" "$UNIQ-cgc/x") {"
		for c in ${ctrls[$rel]}; do echo "  $(settings "$c")"; done
		echo "}"
	done
} >"$conf"

# the groups cgconfigparser makes are named $UNIQ-cgc: lib.sh removes them
# (and cgrun's $UNIQ-app) on every exit path
if ! out=$(cgconfigparser -l "$conf" 2>&1); then
	[ "$(cg_mode)" = v2 ] && skip "cgconfigparser (libcgroup $(dpkg-query -W -f='${Version}' cgroup-tools 2>/dev/null)) cannot load groups on this v2 host: $out"
	fail "cgconfigparser -l refused the file: $out"
fi
ok "cgconfigparser loaded $(grep -c '^group' "$conf") group(s)"

# the form cgrun(1) shows: the file, then -o
expect_status 0 "$CGRUN" --from cgconfig "$conf" -o "$TMPD/profiles"
assert_not_contains "$OUT" "warning" "a file of carried keys converts without a warning"
for rel in "${!ctrls[@]}"; do
	f=$TMPD/profiles/$(gpath "$rel" "$UNIQ-cgc/x" | tr / -).yaml
	[ -f "$f" ] || fail "no profile $f; made: $(ls "$TMPD/profiles")"
	# the same values, applied by cgrun below our own group under another
	# (unique) name: the profile's name is x
	grep -qx 'name: "x"' "$f" || fail "the profile's name is not x: $(cat "$f")"
	sed 's/^name: "x"$/name: "'"$UNIQ"'-app"/' "$f" >"$TMPD/app.yaml"
	expect_status 0 "$CGRUN" --apply -p "$TMPD/app.yaml" --parent self
	for c in ${ctrls[$rel]}; do
		for k in $(knobs "$c"); do
			want=$(cgget -n -v -r "$k" "/$(gpath "$rel" "$UNIQ-cgc/x")")
			got=$(cgget -n -v -r "$k" "/$(gpath "$rel" "$UNIQ-app")")
			[ -n "$want" ] || fail "cgget read no $k of cgconfigparser's group"
			assert_eq "$want" "$got" "$k as cgconfigparser set it"
		done
	done
done

# a syntax error: its place, exit 125, nothing written
printf 'group %s/x {\n  cpu { cpu.shares = "512; }\n}\n' "$UNIQ-cgc" >"$TMPD/bad.conf"
expect_status 125 "$CGRUN" -o "$TMPD/none" --from cgconfig "$TMPD/bad.conf"
assert_contains "$OUT" "$TMPD/bad.conf:2:22: error: a quoted string is not closed" "the error at its line and column"
[ ! -e "$TMPD/none" ] || fail "a file with an error wrote $(ls -R "$TMPD/none")"
ok "nothing written for a bad file"

# cgrules: test users into per-user groups; what cgkitd cannot say is named
u1=u$$a u2=u$$b
for u in "$u1" "$u2"; do
	useradd -M -N -s /usr/sbin/nologin "$u" || fail "useradd $u"
	on_exit "userdel '$u' 2>/dev/null"
done
cat >"$TMPD/cgrules.conf" <<EOF
# students
$u1            cpu,memory   students/%U
$u2            *            students/%U
$u1:make       cpu          students/make
@staff         *            staff/
EOF
expect_status 0 "$CGRUN" -o "$TMPD/rules.yaml" --from cgrules "$TMPD/cgrules.conf"
assert_contains "$OUT" "cgrules.conf:4:" "the command line is named as not carried"
assert_contains "$OUT" "cgrules.conf:5:1: warning: not carried: the user group @staff" "the @group line is named"
assert_contains "$(cat "$TMPD/rules.yaml")" "uids: [\"$u1\", \"$u2\"]" "both users are in users.uids"
expect_status 0 "$BUILD/cgkitd" --check -c "$TMPD/rules.yaml"
ok "cgkitd --check accepts the converted rules"
