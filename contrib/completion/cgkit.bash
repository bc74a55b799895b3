# bash completion for cgrun, cgtop and cgkitd (cgkit). Installed as
# share/bash-completion/completions/cgrun, with cgtop and cgkitd linked to it.
# The options come from each command's own --help, so they never drift.

# The installed profiles (make install writes the path in).
_cgkit_profiles_dir='@PROFILESDIR@'

# The long and short options a command's --help lists.
_cgkit_opts() {
	"$1" --help 2>/dev/null | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z0-9-]*' | tr -d ' ,' | sort -u
}

# Group paths below every cgroup mount, relative as the commands take them
# (a leading / kept when typed): "a/b", and "a/b/" when it has sub-groups.
_cgkit_groups() {
	local cur=$1 lead="" m d rel sub
	local -A seen=()
	[[ $cur == /* ]] && lead=/ && cur=${cur#/}
	for m in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		for d in "$m/$cur"*/; do
			[[ -d $d ]] || continue
			rel=${d#"$m"/}
			rel=${rel%/}
			seen["$lead$rel"]=1
			for sub in "$d"*/; do
				[[ -d $sub ]] && seen["$lead$rel/"]=1 && break
			done
		done
	done
	COMPREPLY+=("${!seen[@]}")
	compopt -o nospace 2>/dev/null
}

# Profiles after -p: names in the lookup places (cgprofile(5)): ./*.yaml,
# /etc/cgkit/profiles, the installed ones; paths as files.
_cgkit_profiles() {
	local cur=$1 d f names=()
	if [[ $cur != */* ]]; then
		for d in /etc/cgkit/profiles "$_cgkit_profiles_dir"; do
			for f in "$d"/*.yaml; do
				[[ -f $f ]] && f=${f##*/} && names+=("${f%.yaml}")
			done
		done
		for f in ./*.yaml; do [[ -f $f ]] && names+=("${f#./}"); done
		COMPREPLY+=($(compgen -W "${names[*]}" -- "$cur"))
	fi
	COMPREPLY+=($(compgen -d -S / -- "$cur"))
	[[ $cur == */* ]] && COMPREPLY+=($(compgen -f -X '!*.yaml' -- "$cur"))
	compopt -o nospace -o filenames 2>/dev/null
	# a unique name is complete: a space after it
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} != */ ]]; then compopt +o nospace 2>/dev/null; fi
}

_cgkit_pids() { COMPREPLY+=($(compgen -W "$(cd /proc && printf '%s ' [0-9]*)" -- "$1")); }

# The file a -p value names, looked for as cgrun does (cgprofile(5)).
_cgkit_find() {
	local d
	[[ -z $1 || $1 == */* ]] && echo "$1" && return
	for d in . /etc/cgkit/profiles "$_cgkit_profiles_dir"; do
		[[ -f $d/$1 ]] && echo "$d/$1" && return
		[[ -f $d/$1.yaml ]] && echo "$d/$1.yaml" && return
	done
}

# The child groups a profile file describes (its children: names, a/b).
_cgkit_children() {
	[[ -f $1 ]] || return
	COMPREPLY+=($(compgen -W "$(awk '
		/^children:/ { on = 1; next }
		on && /^[^ #-]/ { on = 0 }
		on && match($0, /^ *- *name: */) {
			ind = index($0, "-"); name = substr($0, RSTART + RLENGTH); sub(/[ #].*/, "", name)
			while (n > 0 && ind <= lvl[n]) n--
			n++; lvl[n] = ind; path[n] = (n > 1 ? path[n - 1] "/" : "") name
			print path[n]
		}' "$1")" -- "$2"))
}

_cgrun() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} i prof=""
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			declare -F _command_offset >/dev/null && _command_offset $((i + 1))
			return
		fi
		[[ ${COMP_WORDS[i]} == -p || ${COMP_WORDS[i]} == --profile ]] && prof=${COMP_WORDS[i + 1]}
	done
	case $prev in
	-p | --profile) _cgkit_profiles "$cur"; return ;;
	--parent) COMPREPLY=($(compgen -W self -- "$cur")); _cgkit_groups "$cur"; return ;;
	-g | --group) _cgkit_children "$(_cgkit_find "$prof")" "$cur"; return ;;
	--pid) _cgkit_pids "$cur"; return ;;
	--layout) COMPREPLY=($(compgen -W "v1 v2" -- "$cur")); return ;;
	--user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
	--cgroup-root | --workdir | --keep-upper) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--name | --cpu | --memory | --pids | --cpus | --io-weight | --env | --stop-timeout) return ;;
	esac
	COMPREPLY=($(compgen -W "$(_cgkit_opts "${COMP_WORDS[0]}")" -- "$cur"))
}

_cgtop() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	case $prev in
	-p | --parent) _cgkit_groups "$cur"; return ;;
	-s | --sort)
		COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --list-fields 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
		return ;;
	--format) COMPREPLY=($(compgen -W "text json prometheus openmetrics" -- "$cur")); return ;;
	--profiles) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--cgkitd-state) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-d | --delay | -n | --iterations | --depth | -f | --fields | --max-series) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_cgkit_opts "${COMP_WORDS[0]}")" -- "$cur"))
	else
		_cgkit_groups "$cur"
	fi
}

_cgkitd() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} verb=""
	COMPREPLY=()
	[[ $COMP_CWORD -gt 1 && ${COMP_WORDS[1]} != -* ]] && verb=${COMP_WORDS[1]}
	case $prev in
	-c | --config) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
	--pid) _cgkit_pids "$cur"; return ;;
	--rule) return ;;
	esac
	if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
		COMPREPLY=($(compgen -W "status forgive explain" -- "$cur"))
		return
	fi
	case $verb in
	status) COMPREPLY=($(compgen -W "--json -c --config" -- "$cur")) ;;
	forgive) COMPREPLY=($(compgen -W "--pid --rule -c --config" -- "$cur"))
		[[ $cur != -* ]] && COMPREPLY+=($(compgen -u -- "$cur")) ;;
	explain) COMPREPLY=($(compgen -W "--pid -c --config" -- "$cur")) ;;
	*) COMPREPLY=($(compgen -W "$(_cgkit_opts "${COMP_WORDS[0]}" | grep -v -e --json -e --pid -e --rule)" -- "$cur")) ;;
	esac
}

complete -F _cgrun cgrun
complete -F _cgtop cgtop
complete -F _cgkitd cgkitd
