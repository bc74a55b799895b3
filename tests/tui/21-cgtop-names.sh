#!/bin/bash
# Group names are whatever bytes a user gave mkdir: cgtop shows them escaped
# (no escape sequence reaches the terminal), keeps its columns aligned for
# wide characters and tabs, and writes valid JSON for bytes that are not
# UTF-8 -- in -b frames, in --json lines and on the screen. A name too long
# for the screen shows its cut with an ellipsis.
# layout: independent (how names are escaped, whatever the layout)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"
command -v python3 >/dev/null || skip "python3 is not installed"
export LC_ALL=C.UTF-8

top="$(self_dir cpu)/$UNIQ-names"
rel=${top#"$(cg_mount cpu)"}
mkdir "$top" || fail "mkdir $top"
esc_name=$'t\e]0;pwned\a'        # sets the terminal's title when printed raw
bad_name=$'b\xff\xfe'            # not UTF-8
wide_name='w日本語😀'            # two columns a character
tab_name=$'a\tb'
long_name=$(printf 'L%.0s' $(seq 1 200))
# (remove_test_groups splits names at blanks: these go by a glob)
on_exit 'for d in "$top"/*/; do rmdir "$d"; done'
for n in "$esc_name" "$bad_name" "$wide_name" "$tab_name" plain "$long_name"; do
	mkdir "$top/$n" || fail "mkdir $top/$n"
done

# The display width of each line of stdin (python3: east-asian wide and
# emoji take two columns), trailing blanks left out.
widths() {
	python3 -c '
import sys, unicodedata
for l in sys.stdin.buffer.read().decode("utf-8", "replace").split("\n"):
    l = l.rstrip()
    if l:
        print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l))'
}

# -b: no control byte reaches the output; escapes show what the name holds
expect_status 0 "$CGTOP" -b -n 1 -d 0.3 --fields cpu,pids,tasks "$rel"
printf '%s' "$OUT" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' &&
	fail "control bytes in -b output: $(printf '%s' "$OUT" | od -c | head)"
ok "-b prints no control bytes"
assert_contains "$OUT" "$rel/t\\x1b]0;pwned\\x07 " "-b shows ESC and BEL as \\xHH"
assert_contains "$OUT" "$rel/b\\xff\\xfe " "-b shows bytes that are not UTF-8 as \\xHH"
assert_contains "$OUT" "$rel/a\\tb " "-b shows a tab as \\t"
assert_contains "$OUT" "$rel/$wide_name " "-b keeps wide characters"
frame=$(sed -n '2,$p' <<<"$OUT")
assert_eq 1 "$(widths <<<"$frame" | sort -u | wc -l)" "-b lines of one width (columns aligned): $(widths <<<"$frame" | sort -u | tr '\n' ' ')"

# --json: valid JSON; the names come back as they are (not-UTF-8 bytes as U+FFFD)
expect_status 0 "$CGTOP" --json -n 1 -d 0.3 "$rel"
python3 -m json.tool <<<"$OUT" >/dev/null || fail "--json is not valid JSON: $OUT"
ok "--json output passes python3 -m json.tool"
names=$(python3 -c '
import json, sys
for g in json.loads(sys.stdin.read())["groups"]:
    print(ascii(g["path"].rsplit("/", 1)[1]))' <<<"$OUT")
assert_contains "$names" "'t\\x1b]0;pwned\\x07'" "JSON keeps the escape sequence, escaped"
assert_contains "$names" "'b\\ufffd\\ufffd'" "JSON gives U+FFFD for bytes that are not UTF-8"
assert_contains "$names" "'a\\tb'" "JSON keeps the tab"
assert_contains "$names" "'w\\u65e5\\u672c\\u8a9e\\U0001f600'" "JSON keeps wide characters"

# the screen: the title is not set, names escaped, columns aligned
CGTOP_AS="env LC_ALL=C.UTF-8" start_cgtop -d 1 --flat --fields cpu,pids,tasks "$rel"
wait_screen 'pwned' 30 || fail "no row for the escaped name: $(screen)"
title=$(tmux display-message -p -t "$SESSION" '#{pane_title}')
[ "$title" = pwned ] && fail "a group name set the terminal's title"
ok "the terminal's title is not set by a group name (title '$title')"
assert_contains "$(screen)" '/t\x1b]0;pwned\x07' "screen shows ESC and BEL as \\xHH"
assert_contains "$(screen)" '/a\tb' "screen shows a tab as \\t"
assert_contains "$(screen)" '/b\xff\xfe' "screen shows bytes that are not UTF-8 as \\xHH"
assert_contains "$(screen)" "/$wide_name" "screen keeps wide characters"
rows=$(screen | grep -E "^(GROUP|/)")
assert_eq 1 "$(widths <<<"$rows" | sort -u | wc -l)" "screen rows of one width (columns aligned): $(widths <<<"$rows" | sort -u | tr '\n' ' ')"

wait_screen "^…L+ " 30 || fail "a long flat path does not keep its end after …: $(screen | grep LLLL)"
ok "a long flat path is cut with … and keeps its end"
keys T
wait_screen "^  L+… " 30 || fail "a long name in the tree is not cut with …: $(screen | grep LLLL)"
ok "a long name in the tree is cut with …"

keys q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
if ls "$TMPD"/asan* >/dev/null 2>&1; then fail "sanitizer report: $(cat "$TMPD"/asan*)"; fi
exit 0
