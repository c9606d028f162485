# bash completion for ddci and the ddci-* executables.
#
# Nothing here lists an option: the executables are asked at completion time
# (`--list-options` for names, `--help` for what an option takes and for the
# subcommands in its Usage lines), so completion cannot drift from the
# parser.  Installed as .../bash-completion/completions/ddci with a link per
# executable; or source it from ~/.bashrc.

# _ddci_arg_of EXE OPTION: the placeholder OPTION takes in EXE --help
# ("FILE", "auto|ID"), empty for a switch.
_ddci_arg_of()
{
	local line re="^ +(-[A-Za-z], )?$2 ([^ ]+)  "
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			printf '%s\n' "${BASH_REMATCH[2]}"
			return
		fi
	done < <("$1" --help 2>/dev/null)
}

# _ddci_subcommands EXE WORD...: the words that may follow WORD... (the
# positional words typed so far), read from the Usage lines of EXE --help:
# "list deployments|failures [--from T]" offers list, then deployments or
# failures.
_ddci_subcommands()
{
	local exe=$1 name line w i ok
	local -a typed=("${@:2}") pat
	name=${exe##*/}
	while read -r line; do
		read -r -a pat <<<"${line#"$name"}"
		ok=1
		for ((i = 0; i < ${#typed[@]}; i++)); do
			w=${pat[i]:-}
			if ! [[ $w =~ ^[a-z][a-z|-]*$ && "|$w|" == *"|${typed[i]}|"* ]]; then
				ok=0
				break
			fi
		done
		w=${pat[${#typed[@]}]:-}
		[ $ok = 1 ] && [[ $w =~ ^[a-z][a-z|-]*$ ]] && printf '%s\n' "${w//|/ }"
	done < <("$exe" --help 2>/dev/null | sed -n '/^Usage: /,/^$/p' | sed -e 's/^Usage: //' -e 's/ | /\n/g')
}

_ddci()
{
	local cur prev exe dir i w start=1 arg vals
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	exe=${COMP_WORDS[0]}
	dir=
	[[ $exe == */* ]] && dir=${exe%/*}/
	COMPREPLY=()

	if [[ ${exe##*/} == ddci ]]; then
		if [ "$COMP_CWORD" -eq 1 ]; then
			# shellcheck disable=SC2207
			COMPREPLY=($(compgen -W "$("$exe" --help 2>/dev/null |
				sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p') --help --version" -- "$cur"))
			return
		fi
		exe=ddci-${COMP_WORDS[1]}
		[ -n "$dir" ] && [ -x "$dir$exe" ] && exe=$dir$exe
		start=2
	fi
	command -v "$exe" >/dev/null 2>&1 || return

	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi
	if [[ $prev == -* ]] && [ "$COMP_CWORD" -gt "$start" ]; then
		arg=$(_ddci_arg_of "$exe" "$prev")
		if [ -n "$arg" ]; then
			case $arg in
			FILE | PATH) compopt -o filenames 2>/dev/null
				# shellcheck disable=SC2207
				COMPREPLY=($(compgen -f -- "$cur")) ;;
			DIR) compopt -o filenames 2>/dev/null
				# shellcheck disable=SC2207
				COMPREPLY=($(compgen -d -- "$cur")) ;;
			FORMAT)
				vals=$("$exe" --help 2>/dev/null | sed -n 's/.*(--output accepts \(.*\)).*/\1/p')
				# shellcheck disable=SC2207
				COMPREPLY=($(compgen -W "${vals//|/ }" -- "$cur")) ;;
			*'|'*)
				vals=$(tr '|' '\n' <<<"$arg" | grep -E '^[a-z-]+$')
				# shellcheck disable=SC2207
				COMPREPLY=($(compgen -W "$vals" -- "$cur")) ;;
			esac
			return
		fi
	fi
	if [[ $cur == -* ]]; then
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -W "$("$exe" --list-options 2>/dev/null)" -- "$cur"))
		return
	fi

	# Positional words typed so far (options and their values left out).
	local -a typed=()
	for ((i = start; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			[[ $w != *=* ]] && [ -n "$(_ddci_arg_of "$exe" "$w")" ] && i=$((i + 1))
			continue
		fi
		typed+=("$w")
	done
	# shellcheck disable=SC2207
	COMPREPLY=($(compgen -W "$(_ddci_subcommands "$exe" "${typed[@]}")" -- "$cur"))
}

# ddci and every ddci-* on PATH now; bash-completion's loader finds the
# others through the per-executable links.
# shellcheck disable=SC2046
complete -F _ddci ddci $(compgen -c ddci- 2>/dev/null | sort -u)
