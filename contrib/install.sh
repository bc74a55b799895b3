#!/bin/sh
# `make install` and `make uninstall` (the Makefile gives BUILD, PREFIX,
# DESTDIR, SYSTEMDUNITDIR). install writes PREFIX/share/cgkit/install-manifest:
# every file and link it put there, the directories it had to make, and the
# rules file's checksum when it installed one; uninstall removes exactly
# those, leaves /etc/cgkit/rules.yaml when the administrator changed it (as
# dpkg does with a conffile), then the directories it made, when empty.
#   install.sh install | uninstall
set -eu
: "${BUILD:?}" "${PREFIX:?}" "${SYSTEMDUNITDIR:?}" "${VERSION:?}"
D=${DESTDIR:-}
top=$(cd "$(dirname "$0")/.." && pwd)
BINDIR=$PREFIX/bin
SBINDIR=$PREFIX/sbin
MANDIR=$PREFIX/share/man
DATADIR=$PREFIX/share/cgkit
BASHDIR=$PREFIX/share/bash-completion/completions
ZSHDIR=$PREFIX/share/zsh/vendor-completions
RULES=/etc/cgkit/rules.yaml
MANIFEST=$DATADIR/install-manifest

# Makes a directory and its parents in DESTDIR; those it made go into the
# manifest ("d PATH"), parents first.
mkdirs() {
	[ -d "$D$1" ] && return 0
	# DESTDIR itself is the caller's, not in the manifest
	[ "$1" = / ] && { mkdir -p "$D"; return 0; }
	mkdirs "$(dirname "$1")"
	mkdir -m 755 "$D$1"
	echo "d $1" >>"$new"
}

# put MODE SRC DEST: installs a file; "f DEST" in the manifest.
put() {
	mkdirs "$(dirname "$3")"
	install -m "$1" "$2" "$D$3"
	echo "f $3" >>"$new"
}

# subst SRC: the file with the installed paths in it, into $BUILD.
subst() {
	sed -e "s|@SBINDIR@|$SBINDIR|g" -e "s|@PROFILESDIR@|$DATADIR/profiles|g" "$1" >"$BUILD/${1##*/}.out"
	echo "$BUILD/${1##*/}.out"
}

do_install() {
	new=$(mktemp)
	trap 'rm -f "$new"' EXIT
	# a second install keeps what the first one made (directories, the rules file)
	[ -f "$D$MANIFEST" ] && grep -E '^[dc] ' "$D$MANIFEST" >>"$new" || true
	for b in cgrun cgtop; do put 755 "$BUILD/$b" "$BINDIR/$b"; done
	put 755 "$BUILD/cgkitd" "$SBINDIR/cgkitd"
	# the pages' footer says the version (VERSION, through the Makefile)
	for m in "$top"/docs/*.[158]; do
		sed "/^\.TH /s/ cgkit / \"cgkit $VERSION\" /" "$m" >"$BUILD/${m##*/}"
		put 644 "$BUILD/${m##*/}" "$MANDIR/man${m##*.}/${m##*/}"
	done
	for p in "$top"/profiles/*.yaml; do put 644 "$p" "$DATADIR/profiles/${p##*/}"; done
	put 644 "$(subst "$top/contrib/cgkitd.service.in")" "$SYSTEMDUNITDIR/cgkitd.service"
	put 644 "$(subst "$top/contrib/completion/cgkit.bash")" "$BASHDIR/cgrun"
	for l in cgtop cgkitd; do
		ln -sfn cgrun "$D$BASHDIR/$l"
		echo "l $BASHDIR/$l" >>"$new"
	done
	put 644 "$(subst "$top/contrib/completion/_cgkit")" "$ZSHDIR/_cgkit"
	if [ -e "$D$RULES" ] || [ -L "$D$RULES" ]; then
		echo "install: $D$RULES is there already: kept (the example is $top/contrib/rules.yaml)"
	else
		mkdirs "$(dirname "$RULES")"
		install -m 644 "$top/contrib/rules.yaml" "$D$RULES"
		echo "c $RULES $(sha256sum <"$D$RULES" | cut -d' ' -f1)" >>"$new"
	fi
	echo "f $MANIFEST" >>"$new"
	# one line a path (a rules file kept from the first install stays once)
	awk '!seen[$1 " " $2]++' "$new" >"$D$MANIFEST"
	chmod 644 "$D$MANIFEST"
	echo "install: $(grep -c '^[fcl] ' "$D$MANIFEST") files under ${D:-/} (PREFIX=$PREFIX); list: $D$MANIFEST"
}

do_uninstall() {
	if [ ! -f "$D$MANIFEST" ]; then
		echo "uninstall: no $D$MANIFEST: nothing was installed with PREFIX=$PREFIX${D:+ DESTDIR=$D}" >&2
		exit 1
	fi
	m=$(cat "$D$MANIFEST")
	echo "$m" | while read -r kind path sum; do
		case $kind in
		f | l) rm -f "$D$path" ;;
		c)
			if [ "$(sha256sum <"$D$path" 2>/dev/null | cut -d' ' -f1)" = "$sum" ]; then
				rm -f "$D$path"
			elif [ -e "$D$path" ]; then
				echo "uninstall: $D$path was changed since it was installed: kept"
			fi
			;;
		esac
	done
	# the directories install made, deepest first, when nothing else is in them
	echo "$m" | awk '$1 == "d" { print $2 }' | sort -r | while read -r dir; do
		rmdir "$D$dir" 2>/dev/null || true
	done
	echo "uninstall: done (PREFIX=$PREFIX${D:+ DESTDIR=$D})"
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) echo "usage: install.sh install|uninstall" >&2; exit 2 ;;
esac
