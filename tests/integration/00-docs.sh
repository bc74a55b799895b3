#!/bin/bash
# The docs tell the truth: every option that --help lists is in the man page,
# and every option the man page documents is in --help and accepted.
# layout: independent (man pages and --help render the same on any layout)
. "$(dirname "$0")/../lib.sh"

opts_help() { "$1" --help 2>&1 | grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | tr -d ' ,' | sort -u; }
# long options in a man page's option headings (.TP / .B lines, \- escapes)
opts_man() { sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p;/^\.SH VERBS/,/^\.SH [^V]/p' "$1" | sed 's/\\-/-/g' |
	grep -E '^\.(B|BR|BI|IP|TP)|^--' | grep -oE '(^|[ ,"])--[a-z][a-z0-9-]*' | tr -d ' ,"' | sort -u; }

for tool in cgrun cgtop; do
	man=$TOP_DIR/docs/$tool.1
	[ -f "$man" ] || fail "docs/$tool.1 missing"
	help=$(opts_help "$BUILD/$tool")
	[ -n "$help" ] || fail "$tool --help lists no options"
	doc=$(opts_man "$man")
	[ -n "$doc" ] || fail "docs/$tool.1 documents no options (section OPTIONS)"
	# (files, not <(...): a failing comm must fail the test, not compare nothing)
	echo "$help" >"$TMPD/help" && echo "$doc" >"$TMPD/doc" || fail "writing $TMPD"
	missing=$(comm -23 "$TMPD/help" "$TMPD/doc") || fail "comm failed"
	assert_eq "" "$(echo $missing)" "$tool options in --help but not in docs/$tool.1"
	extra=$(comm -13 "$TMPD/help" "$TMPD/doc") || fail "comm failed"
	assert_eq "" "$(echo $extra)" "$tool options in docs/$tool.1 but not in --help"
	# the man page is well-formed groff
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null | head -3)
	assert_eq "" "$w" "docs/$tool.1 renders without warnings"
done
for page in cgprofile.5 cgrules.5 cgkitd.8; do
	w=$(LC_ALL=C.UTF-8 man --warnings -l "$TOP_DIR/docs/$page" 2>&1 >/dev/null | head -3)
	assert_eq "" "$w" "docs/$page renders without warnings"
done
# cgkitd (once built): every option its --help lists is in docs/cgkitd.8
if [ -x "$BUILD/cgkitd" ]; then
	text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$TOP_DIR/docs/cgkitd.8" 2>/dev/null | col -b)
	help=$(opts_help "$BUILD/cgkitd")
	[ -n "$help" ] || fail "cgkitd --help lists no options"
	missing=""
	for o in $help; do grep -qe "$o" <<<"$text" || missing="$missing $o"; done
	assert_eq "" "${missing# }" "cgkitd options in --help but not in docs/cgkitd.8"
	for v in status forgive explain; do grep -q "cgkitd $v" <<<"$text" || fail "docs/cgkitd.8 lacks cgkitd $v"; done
	ok "docs/cgkitd.8 documents status, forgive, explain"
fi
# README names only commands and docs that exist
for f in $(grep -oE 'docs/[a-z.0-9]+' "$TOP_DIR/README.md" | sort -u); do
	[ -f "$TOP_DIR/$f" ] || fail "README names $f, which does not exist"
done
ok "README's docs exist"
