#!/bin/bash
# make deb: the package lintian passes with no error, its file list, then
# installed with apt-get as an administrator would: cgrun --version says
# VERSION, man finds the page, the unit is there but not enabled; removed
# with --purge, every file it brought is gone. Skips (77) when a cgkit
# package is installed already (not by this test).
# layout: independent (packaging, no cgroups)
. "$(dirname "$0")/../lib.sh"

for t in dpkg-buildpackage lintian apt-get; do
	command -v $t >/dev/null || skip "$t needed (make deps installs debhelper and lintian)"
done
dpkg-query -W -f='${Status}' cgkit 2>/dev/null | grep -q 'install ok' &&
	skip "a cgkit package is installed already: not replacing someone's"
version=$(cat "$TOP_DIR/VERSION")
OUT=$(make -C "$TOP_DIR" --no-print-directory deb DEBDIR="$TMPD" 2>&1) || fail "make deb: $OUT"
deb=$TMPD/cgkit_${version}_amd64.deb
[ -f "$deb" ] || fail "make deb made no $deb: $OUT"
ok "make deb: cgkit_${version}_amd64.deb"

lint=$(lintian "$deb" 2>&1); rc=$?
assert_eq "0 " "$rc $(grep '^E:' <<<"$lint")" "lintian: exit 0, no E: line"

expected="/etc/cgkit/rules.yaml
/lib/systemd/system/cgkitd.service
/usr/bin/cgrun
/usr/bin/cgtop
/usr/sbin/cgkitd
/usr/share/bash-completion/completions/cgkitd
/usr/share/bash-completion/completions/cgrun
/usr/share/bash-completion/completions/cgtop
/usr/share/cgkit/profiles/batch.yaml
/usr/share/cgkit/profiles/cap.yaml
/usr/share/cgkit/profiles/demo.yaml
/usr/share/cgkit/profiles/web.yaml
/usr/share/doc/cgkit/changelog.gz
/usr/share/doc/cgkit/copyright
/usr/share/man/man1/cgrun.1.gz
/usr/share/man/man1/cgtop.1.gz
/usr/share/man/man5/cgprofile.5.gz
/usr/share/man/man5/cgrules.5.gz
/usr/share/man/man8/cgkitd.8.gz
/usr/share/zsh/vendor-completions/_cgkit"
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print substr($6, 2) }' | LC_ALL=C sort)
assert_eq "$expected" "$files" "dpkg -c: the package's files"
assert_eq "/etc/cgkit/rules.yaml" "$(dpkg-deb -I "$deb" conffiles)" \
	"the rules file is a conffile"

had_etc=$([ -e /etc/cgkit ] && echo yes)
on_exit "dpkg-query -W cgkit >/dev/null 2>&1 && apt-get remove --purge -y -qq cgkit >/dev/null 2>&1"
OUT=$(cd "$TMPD" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./${deb##*/}" 2>&1) ||
	fail "apt-get install ./${deb##*/}: $OUT"
ok "apt-get install ./${deb##*/}"
assert_eq "cgrun $version" "$(/usr/bin/cgrun --version)" "the installed cgrun --version"
assert_eq "cgtop $version" "$(/usr/bin/cgtop --version)" "the installed cgtop --version"
assert_eq "/usr/share/man/man1/cgrun.1.gz" "$(man -w cgrun 2>&1)" "man -w cgrun"
expect_status 0 /usr/bin/cgrun --check -p demo
st=$(systemctl is-enabled cgkitd 2>&1)
assert_eq "disabled" "$st" "systemctl is-enabled cgkitd: installed, not enabled"
wants=$(find /etc/systemd/system -name 'cgkitd.service' 2>/dev/null)
assert_eq "" "$wants" "no link to cgkitd.service under /etc/systemd/system"

OUT=$(DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -qq cgkit 2>&1) || fail "apt-get remove --purge cgkit: $OUT"
left=""
for f in $files; do { [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"; done
assert_eq "" "${left# }" "after remove --purge, none of the package's files is left"
[ -n "$had_etc" ] || [ ! -e /etc/cgkit ] || fail "/etc/cgkit is left after --purge"
ok "/etc/cgkit is gone (it was not there before)"
