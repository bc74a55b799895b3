#!/bin/bash
# cgtop's keys never turn on cgtop or on another group than the selected:
# f refuses a group that holds cgtop itself or a process cgtop runs under
# (its shell), there or below, and cgtop keeps answering; e refuses a group
# whose name could not go into a profile's text as it is (a quote and a '#'
# in it named another group there).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-cgtop.sh"

export ASAN_OPTIONS="log_path=$TMPD/asan:abort_on_error=1"

# $UNIQ-anc/$UNIQ-sh holds the shell cgtop runs under, $UNIQ-top cgtop
# itself: in the hierarchy that freezes (v1 freezer, else the cgroup2 tree)
# only, so that each is one row. $UNIQ-yaml/'victim" #' in the hierarchies
# of e's cpu section (cpu and cpuacct on v1).
fz=$(self_dir freezer)
yaml_name='victim" #'
mkdir -p "$fz/$UNIQ-anc/$UNIQ-sh" "$fz/$UNIQ-top" || fail "mkdir below $fz"
yaml_dirs=$( (self_dir cpu; [ -n "$(cg_mount cpuacct)" ] && self_dir cpuacct) | sort -u)
for base in $yaml_dirs; do
	mkdir -p "$base/$UNIQ-yaml" || fail "mkdir below $base"
	# on v2 the child has cpu.max only once its parent enables cpu for it
	if cg_on_v2 cpu; then
		echo +cpu >"$base/$UNIQ-yaml/cgroup.subtree_control" || fail "enabling cpu below $base/$UNIQ-yaml"
	fi
	mkdir "$base/$UNIQ-yaml/$yaml_name" || fail "mkdir below $base"
	# (remove_test_groups splits names at blanks: this one goes by its own name)
	on_exit "rmdir '$base/$UNIQ-yaml/$yaml_name' 2>/dev/null"
done
# should a freeze get through, thaw before the cleanup kills and removes
thaw_all() {
	local g
	for g in "$fz/$UNIQ-anc" "$fz/$UNIQ-top"; do
		[ -e "$g/freezer.state" ] && echo THAWED >"$g/freezer.state"
		[ -e "$g/cgroup.freeze" ] && echo 0 >"$g/cgroup.freeze"
	done
}
on_exit thaw_all
printf '%s\n' "echo \$\$ >'$fz/$UNIQ-anc/$UNIQ-sh/cgroup.procs'" "echo \$\$ >'$TMPD/sh.pid'" '"$@"' >"$TMPD/enter.sh"
CGTOP_AS="bash $TMPD/enter.sh" start_cgtop -d 1 --flat --sort name
sh_pid=$(cat "$TMPD/sh.pid")
cgtop_pid=$(pgrep -P "$sh_pid")
[ -n "$cgtop_pid" ] || fail "no cgtop below the shell $sh_pid"
track_pid "$cgtop_pid"
echo "$cgtop_pid" >"$fz/$UNIQ-top/cgroup.procs" || fail "moving cgtop into $fz/$UNIQ-top"

# Filters to the groups whose path holds name, selects the first (by name).
select_group() { # name rows
	keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace "$1" Enter
	wait_until "[ \"\$(screen | grep -c '^/')\" = ${2:-1} ]" 30 || fail "filter to $1: $(screen)"
	keys Home
}
select_group "$UNIQ-top"
keys f
wait_screen 'holds cgtop itself' 30 || fail "f on cgtop's own group: $(screen | tail -1)"
ok "f on cgtop's own group: $(screen | tail -1 | tr -s ' ')"
assert_eq THAWED "$(frozen_state "$UNIQ-top")" "cgtop's own group after f"
keys T
wait_screen '  tree' 30 || fail "cgtop stopped answering after f on its own group"
ok "cgtop still answers keys"
keys T
wait_screen '  flat' 20 || fail "T gave no flat list"

# the shell cgtop runs under, in a group below the one selected
select_group "$UNIQ-anc" 2
keys f
wait_screen 'which cgtop runs under' 30 || fail "f on the group above cgtop's shell: $(screen | tail -1)"
ok "f on the group above cgtop's shell: $(screen | tail -1 | tr -s ' ')"
assert_eq THAWED "$(frozen_state "$UNIQ-anc")" "the shell's parent group after f"
assert_eq THAWED "$(frozen_state "$UNIQ-anc/$UNIQ-sh")" "the shell's group after f"

# e on a group named 'victim" #': refused, and no group 'victim' made
select_group 'victim'
keys e
wait_screen 'cannot go into a profile' 30 || fail "e on '$yaml_name': $(screen | tail -1)"
ok "e on '$yaml_name': $(screen | tail -1 | tr -s ' ')"
for base in $(own_dirs); do
	[ -e "$base/$UNIQ-yaml/victim" ] && fail "e made $base/$UNIQ-yaml/victim"
done
assert_eq max "$(cpu_quota_of "$UNIQ-yaml/$yaml_name" | sed 's/^-1$/max/')" "quota of '$yaml_name'"

keys q
wait_until "[ -e '$TMPD/cgtop.exit' ]" 30 || fail "q did not quit"
if ls "$TMPD"/asan* >/dev/null 2>&1; then fail "sanitizer report: $(cat "$TMPD"/asan*)"; fi
exit 0
