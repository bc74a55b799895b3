#!/bin/bash
# make install to the real /usr/local: the installed cgrun finds the
# installed profiles by name (after ./ and /etc/cgkit/profiles), man finds
# the installed page, and make uninstall takes every file back and changes
# nothing else under /usr/local (nor /etc/cgkit). Refuses (77) when a file it
# would install is there already: someone else's, not this test's.
# layout: independent (files under /usr/local, no cgroups)
. "$(dirname "$0")/../lib.sh"

B=$TMPD/b
mk() { OUT=$(make -C "$TOP_DIR" --no-print-directory -j2 BUILD="$B" "$@" 2>&1) || fail "make $*: $OUT"; }
# What install would put there: the manifest of an install into a stage.
mk install DESTDIR="$TMPD/stage"
files=$(awk '$1 != "d" { print $2 }' "$TMPD/stage/usr/local/share/cgkit/install-manifest")
for f in $files; do
	[ "$f" = /etc/cgkit/rules.yaml ] && continue # kept if there: install never overwrites it
	{ [ -e "$f" ] || [ -L "$f" ]; } && skip "$f is there already (not put by this test): not touching /usr/local"
done
[ -e /etc/cgkit/profiles/demo.yaml ] || [ -e /etc/cgkit/profiles/demo ] &&
	skip "/etc/cgkit/profiles has a demo profile: the lookup would find it first"

snapshot() { find /usr/local /etc/cgkit \( -type d -printf '%p d\n' \) -o -printf '%p %y %s %T@\n' 2>/dev/null | LC_ALL=C sort; }
before=$(snapshot)
on_exit "make -C '$TOP_DIR' --no-print-directory BUILD='$B' uninstall >/dev/null 2>&1"
mk install
ok "make install (PREFIX=/usr/local)"

cd "$TMPD" || fail "cd $TMPD"
# a name only the install has: the lookup found the installed one
expect_status 0 /usr/local/bin/cgrun --check -p demo
plan=$(/usr/local/bin/cgrun --plan --layout v2 -p demo.yaml 2>&1) || fail "--plan -p demo.yaml: $plan"
assert_contains "$plan" "demo" "cgrun -p demo.yaml plans the installed demo profile"
expect_status 125 /usr/local/bin/cgrun --check -p no-such-$UNIQ
assert_contains "$OUT" "/usr/local/share/cgkit/profiles" "a name not found: the error names the installed profiles' place"
assert_contains "$OUT" "/etc/cgkit/profiles" "... and /etc/cgkit/profiles"
# ./ comes first: a local demo.yaml (a bad one, to tell them apart) is the one read
printf 'name: demo\ncpu: {max: 2O%%}\n' >"$TMPD/demo.yaml"
expect_status 125 /usr/local/bin/cgrun --check -p demo
assert_contains "$OUT" "demo.yaml:2:" "./demo.yaml comes before the installed demo"
rm "$TMPD/demo.yaml"
# (Debian's /usr/local/man is a link to share/man)
assert_eq "/usr/local/share/man/man1/cgrun.1" "$(readlink -f "$(man -w cgrun 2>&1)")" "man -w cgrun finds the installed page"
[ -x /usr/local/sbin/cgkitd ] && grep -q '^ExecStart=/usr/local/sbin/cgkitd ' /usr/local/lib/systemd/system/cgkitd.service ||
	fail "the unit's ExecStart is not /usr/local/sbin/cgkitd"
ok "the unit starts /usr/local/sbin/cgkitd"

cd "$TOP_DIR" || fail "cd $TOP_DIR"
mk uninstall
for f in $files; do
	{ [ -e "$f" ] || [ -L "$f" ]; } && [ "$f" != /etc/cgkit/rules.yaml ] && fail "$f is still there after make uninstall"
done
ok "make uninstall removed every installed file"
echo "$before" >"$TMPD/before" && snapshot >"$TMPD/after" || fail "writing $TMPD"
d=$(diff "$TMPD/before" "$TMPD/after") || fail "/usr/local or /etc/cgkit changed: $d"
ok "/usr/local and /etc/cgkit are as they were before ($(wc -l <"$TMPD/before") entries)"
