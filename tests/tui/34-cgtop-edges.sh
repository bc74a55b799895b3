#!/bin/bash
# cgtop at its edges: a group argument with '..' is refused (125); a TERM
# that cannot draw the screen (dumb, unknown) gives batch frames and a note;
# C offers no profile from a directory anyone may write (./profiles, or a
# group/world-writable one next to the binary), and those given with
# --profiles; e pre-fills memory.max as a profile writes it (512M).
# layout: independent (arguments, TERM and the profiles directory)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"
command -v tmux >/dev/null || skip "tmux is not installed"

# '..' walks out of the cgroup mounts
expect_status 125 "$CGTOP" -b -n 1 -d 0.3 /..
assert_contains "$OUT" "'..'" "'/..' refused, saying why"
expect_status 125 "$CGTOP" -b -n 1 -d 0.3 -p "a/../../../etc"
ok "-p a/../../../etc refused"

# TERM: dumb and unknown fall back to frames on the terminal, one note
# (of a group of the test's own, so that other groups on the host cannot
# push the frame's header off the pane)
S="$UNIQ-term"
on_exit "tmux kill-session -t '$S' 2>/dev/null"
tdir="$(self_dir cpu)/$UNIQ-term"
mkdir "$tdir" || fail "mkdir $tdir"
trel=${tdir#"$(cg_mount cpu)"}
for term in dumb nosuchterm; do
	rm -f "$TMPD/rc" "$TMPD/err"
	tmux kill-session -t "$S" 2>/dev/null
	tmux new-session -d -s "$S" -x 160 -y 50 \
		"env TERM=$term ASAN_OPTIONS='$ASAN_OPTIONS' $CGTOP -n 1 -d 0.3 -p '$trel' 2>$TMPD/err; echo \$? >$TMPD/rc; sleep 30"
	wait_until "[ -s '$TMPD/rc' ]" 150 || fail "TERM=$term: cgtop did not end: $(tmux capture-pane -p -t "$S")"
	assert_eq 0 "$(cat "$TMPD/rc")" "exit status with TERM=$term"
	assert_eq 1 "$(wc -l <"$TMPD/err")" "lines on stderr with TERM=$term: $(cat "$TMPD/err")"
	assert_contains "$(cat "$TMPD/err")" "TERM=$term" "the note names TERM=$term"
	tmux capture-pane -p -t "$S" | grep -q '^GROUP ' || fail "TERM=$term: no batch frame: $(tmux capture-pane -p -t "$S")"
	ok "TERM=$term gives a batch frame"
done

# C: a world-writable ./profiles, and one next to a binary that is
# group-writable, offer nothing; --profiles offers its own
mkdir -p "$TMPD/cwd/profiles" "$TMPD/x/bin" "$TMPD/x/profiles" "$TMPD/given"
for d in "$TMPD/cwd/profiles" "$TMPD/x/profiles"; do
	printf '%s\n' "name: $UNIQ-evil" "parent: self" "cpu:" "  max: 1%" >"$d/evil.yaml"
done
chmod 1777 "$TMPD/cwd/profiles"
chmod 775 "$TMPD/x/profiles"
printf '%s\n' "name: $UNIQ-given" "parent: self" "cpu:" "  max: 10%" >"$TMPD/given/given.yaml"
cp "$CGTOP" "$TMPD/x/bin/cgtop"
# a group of ours with a memory limit, to press C and e on
mem=$(self_dir memory)/$UNIQ-mem
mkdir "$mem" || fail "mkdir $mem"
if [ -e "$mem/memory.limit_in_bytes" ]; then echo 512M >"$mem/memory.limit_in_bytes"; else echo 512M >"$mem/memory.max"; fi
unset CGKIT_PROFILES
cd "$TMPD/cwd" || fail "cd"
CGTOP="$TMPD/x/bin/cgtop" start_cgtop -d 1 --flat
keys / "$UNIQ-mem" Enter
wait_until "[ \"\$(screen | grep -c -- '$UNIQ-mem ')\" = 1 ]" 30 || fail "filter to $UNIQ-mem: $(screen)"
keys Home C
wait_screen 'no profiles to offer' 30 || fail "C with only untrusted profiles: $(screen | grep -E 'evil|profile' ; screen | tail -1)"
assert_not_contains "$(screen)" "evil.yaml" "no profile from ./profiles or a group-writable directory"
ok "C says: $(screen | tail -1 | tr -s ' ')"

# e pre-fills memory.max as 512M
keys e
wait_screen 'change which limit' 20 || fail "no limit menu"
keys Down Enter
wait_screen 'new memory.max' 20 || fail "no prompt for memory.max: $(screen | tail -1)"
assert_contains "$(screen | tail -1)" ": 512M" "memory.max pre-filled as a profile writes it"
keys Escape
keys q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
tmux kill-session -t "$SESSION" 2>/dev/null
rm -f "$TMPD/cgtop.exit"

CGTOP="$TMPD/x/bin/cgtop" start_cgtop -d 1 --flat --profiles "$TMPD/given"
keys / "$UNIQ-mem" Enter
wait_until "[ \"\$(screen | grep -c -- '$UNIQ-mem ')\" = 1 ]" 30 || fail "filter to $UNIQ-mem: $(screen)"
keys Home C
wait_screen 'given.yaml' 30 || fail "C with --profiles: $(screen | tail -1)"
ok "--profiles DIR offers its profiles"
keys Escape q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
if ls "$TMPD"/asan* >/dev/null 2>&1; then fail "sanitizer report: $(cat "$TMPD"/asan*)"; fi
exit 0
