#!/bin/bash
# Shell completion as a user meets it: contrib/completion/cgkit.bash in a
# real bash with bash-completion loaded (complete -p, then the candidates for
# a few prefixes: options, profile names, group paths, pids, cgkitd's
# commands); the zsh file loads in compinit and names the three commands.
# layout: independent (completion; the one test group is below our own)
. "$(dirname "$0")/../lib.sh"

[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion needed (make deps)"
export PATH="$BUILD:$PATH"

# candidates for a command line typed so far (the last word is completed)
comp() {
	bash -c 'source /usr/share/bash-completion/bash_completion
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_${1}; printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' \
		comp "$TOP_DIR/contrib/completion/cgkit.bash" "$@"
}

out=$(bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; complete -p cgrun cgtop cgkitd' \
	x "$TOP_DIR/contrib/completion/cgkit.bash" 2>&1)
assert_eq "complete -F _cgrun cgrun
complete -F _cgtop cgtop
complete -F _cgkitd cgkitd" "$out" "complete -p: the three commands"

assert_eq "--parent" "$(comp cgrun --pa)" "cgrun --pa"
assert_eq "--version" "$(comp cgrun --vers)" "cgrun --vers"
assert_eq "--cpu --cpus" "$(comp cgrun --cpu | tr '\n' ' ' | sed 's/ $//')" "cgrun --cpu"
assert_eq "v1 v2" "$(comp cgrun --plan --layout '' | tr '\n' ' ' | sed 's/ $//')" "cgrun --layout"
assert_eq "--format" "$(comp cgtop --form)" "cgtop --form"
assert_eq "prometheus" "$(comp cgtop --format pr)" "cgtop --format pr"
assert_eq "explain forgive status" "$(comp cgkitd '' | tr '\n' ' ' | sed 's/ $//')" "cgkitd: its commands"
assert_eq "status" "$(comp cgkitd st)" "cgkitd st"
assert_eq "--json" "$(comp cgkitd status --j)" "cgkitd status --j"

# profile names after -p: ./*.yaml, then sub-directories to walk into
mkdir -p "$TMPD/p/sub" && touch "$TMPD/p/web-$UNIQ.yaml" "$TMPD/p/wobble.yaml" "$TMPD/p/notes.txt"
out=$(cd "$TMPD/p" && comp cgrun -p w | tr '\n' ' ' | sed 's/ $//')
assert_eq "web-$UNIQ.yaml wobble.yaml" "$out" "cgrun -p w: the *.yaml files here"
assert_eq "sub/" "$(cd "$TMPD/p" && comp cgrun -p s)" "cgrun -p s: a directory to walk into"
# the child groups of a profile, after -g
out=$(cd "$TOP_DIR/profiles" && comp cgrun -p web.yaml -g '' | tr '\n' ' ' | sed 's/ $//')
assert_eq "app static" "$out" "cgrun -p web.yaml -g: the profile's children"

# group paths: a group of ours (and a child) below our own group
d=$(self_dir pids)
mkdir -p "$d/$UNIQ-g/kid" || fail "mkdir $d/$UNIQ-g/kid"
rel=${d#"$(cg_mount pids)"}
rel=${rel#/}
out=$(comp cgrun --parent "${rel:+$rel/}$UNIQ" | tr '\n' ' ' | sed 's/ $//')
assert_eq "${rel:+$rel/}$UNIQ-g ${rel:+$rel/}$UNIQ-g/" "$out" "cgrun --parent: our group (and / into its child)"
assert_eq "${rel:+$rel/}$UNIQ-g/kid" "$(comp cgrun --parent "${rel:+$rel/}$UNIQ-g/k")" "cgrun --parent: the child"
assert_eq "/${rel:+$rel/}$UNIQ-g/kid" "$(comp cgtop -p "/${rel:+$rel/}$UNIQ-g/k")" "cgtop -p /...: with the leading /"
rmdir "$d/$UNIQ-g/kid" "$d/$UNIQ-g"

# pids after --pid: ours among them
sleep 60 &
track_pid $!
disown $!
assert_contains " $(comp cgrun --pid "$!" | tr '\n' ' ')" " $! " "cgrun --pid: the pids, this test's sleep among them"

# zsh: the file loads in compinit, for the three commands
if command -v zsh >/dev/null; then
	zsh -n "$TOP_DIR/contrib/completion/_cgkit" || fail "zsh -n _cgkit"
	out=$(zsh -fc 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -d "$2"; print $_comps[cgrun] $_comps[cgtop] $_comps[cgkitd]' \
		x "$TOP_DIR/contrib/completion" "$TMPD/zcompdump" 2>&1)
	assert_eq "_cgkit _cgkit _cgkit" "$out" "zsh: compinit loads _cgkit for cgrun, cgtop and cgkitd"
else
	echo "  (zsh not installed: its check skipped)"
fi
