#!/bin/bash
# make install into a DESTDIR with PREFIX=/usr puts exactly the files a
# package needs where they go (the unit's ExecStart where cgkitd went, the
# version in the man pages, the prefix compiled in), and make uninstall takes
# all of it back; an administrator's /etc/cgkit/rules.yaml is never
# overwritten by install nor removed by uninstall.
# layout: independent (files under a temporary DESTDIR, no cgroups)
. "$(dirname "$0")/../lib.sh"

# a build of our own: the tree's build/ keeps its PREFIX
B=$TMPD/b D=$TMPD/d
mk() { OUT=$(make -C "$TOP_DIR" --no-print-directory -j2 BUILD="$B" PREFIX=/usr "$@" 2>&1) || fail "make $*: $OUT"; }
mk install DESTDIR="$D"
ok "make install PREFIX=/usr DESTDIR=..."

expected="/etc/cgkit/rules.yaml
/lib/systemd/system/cgkitd.service
/usr/bin/cgrun
/usr/bin/cgtop
/usr/sbin/cgkitd
/usr/share/bash-completion/completions/cgkitd -> cgrun
/usr/share/bash-completion/completions/cgrun
/usr/share/bash-completion/completions/cgtop -> cgrun
/usr/share/cgkit/install-manifest
/usr/share/cgkit/profiles/batch.yaml
/usr/share/cgkit/profiles/cap.yaml
/usr/share/cgkit/profiles/demo.yaml
/usr/share/cgkit/profiles/web.yaml
/usr/share/man/man1/cgrun.1
/usr/share/man/man1/cgtop.1
/usr/share/man/man5/cgprofile.5
/usr/share/man/man5/cgrules.5
/usr/share/man/man8/cgkitd.8
/usr/share/zsh/vendor-completions/_cgkit"
got=$(cd "$D" && find . ! -type d -printf '%P %l\n' | sed 's|^|/|; s| $||; s| \(.\)| -> \1|' | LC_ALL=C sort)
assert_eq "$expected" "$got" "the files installed"
assert_eq "ExecStartPre=/usr/sbin/cgkitd ExecStart=/usr/sbin/cgkitd" \
	"$(grep -oE '^ExecStart(Pre)?=[^ ]*' "$D/lib/systemd/system/cgkitd.service" | tr '\n' ' ' | sed 's/ $//')" \
	"the unit starts the installed cgkitd"
version=$(cat "$TOP_DIR/VERSION")
assert_eq "cgrun $version" "$("$D/usr/bin/cgrun" --version)" "cgrun --version says VERSION"
assert_eq "cgkitd $version" "$("$D/usr/sbin/cgkitd" -V)" "cgkitd -V says VERSION"
assert_contains "$(head -1 "$D/usr/share/man/man1/cgrun.1")" "\"cgkit $version\"" "the man page's footer says VERSION"
assert_contains "$("$D/usr/bin/cgtop" --help)" "/usr/share/cgkit/profiles" "cgtop --help names PREFIX/share/cgkit/profiles"
assert_eq "0755 0644" "$(stat -c %a "$D/usr/bin/cgrun" | sed 's/^/0/') $(stat -c %a "$D/etc/cgkit/rules.yaml" | sed 's/^/0/')" \
	"modes: programs 755, data 644"

# a second install over the first is the same install
mk install DESTDIR="$D"
got2=$(cd "$D" && find . ! -type d -printf '%P %l\n' | sed 's|^|/|; s| $||; s| \(.\)| -> \1|' | LC_ALL=C sort)
assert_eq "$got" "$got2" "installing twice installs the same files"

mk uninstall DESTDIR="$D"
assert_eq "" "$(cd "$D" && find . -mindepth 1)" "make uninstall leaves nothing in the DESTDIR"

# The administrator's rules file: one there before install, one edited after.
mkdir -p "$D/etc/cgkit" && echo "# the admin's" >"$D/etc/cgkit/rules.yaml"
mk install DESTDIR="$D"
assert_eq "# the admin's" "$(cat "$D/etc/cgkit/rules.yaml")" "install keeps a rules file that is there"
mk uninstall DESTDIR="$D"
assert_eq "./etc ./etc/cgkit ./etc/cgkit/rules.yaml" "$(cd "$D" && find . -mindepth 1 | sort | tr '\n' ' ' | sed 's/ $//')" \
	"uninstall leaves the admin's rules file (and its directory), nothing else"
rm -rf "${D:?}/etc"
mk install DESTDIR="$D"
cmp -s "$TOP_DIR/contrib/rules.yaml" "$D/etc/cgkit/rules.yaml" || fail "install did not put the example rules file"
echo "interval: 2s" >>"$D/etc/cgkit/rules.yaml"
mk uninstall DESTDIR="$D"
assert_contains "$OUT" "changed since it was installed: kept" "uninstall says it keeps an edited rules file"
[ -f "$D/etc/cgkit/rules.yaml" ] || fail "uninstall removed the edited rules file"
assert_eq "1" "$(cd "$D" && find . ! -type d | wc -l)" "uninstall left the edited rules file only"
