# bash completion for mcplog(1): commands, their options, and the rule
# and sink names in force (asked from mcplog itself, with the --config,
# --rules and --no-default-rules already on the command line).
# Installed by `make install` into
# $(PREFIX)/share/bash-completion/completions/mcplog; or: source this file.

_mcplog_commands="scan follow test-rules sinks routes silence ps cleanup health rules mcp help"

# The options of a command, from its own --help (never out of date).
_mcplog_options() {
    "${1:-mcplog}" $2 --help 2>/dev/null |
        grep -oE -- '(^|[ ,[])--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+' | sort -u
}

# The --config/--rules/--no-default-rules given so far, for the lists.
_mcplog_context() {
    local i w
    _mcplog_ctx=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        --config | --rules) _mcplog_ctx+=("$w" "${COMP_WORDS[i + 1]}") ;;
        --no-default-rules) _mcplog_ctx+=("$w") ;;
        --config=* | --rules=*) _mcplog_ctx+=("$w") ;;
        esac
    done
}

# The rule names in force: --rules and --no-default-rules apply, --config
# (and its value) does not.
_mcplog_rules() {
    local a=() w skip=0
    for w in "${_mcplog_ctx[@]}"; do
        if ((skip)); then skip=0; continue; fi
        case $w in
        --config) skip=1 ;;
        --config=*) ;;
        *) a+=("$w") ;;
        esac
    done
    "$1" rules --names "${a[@]}" 2>/dev/null
}

_mcplog_sinks() {
    local a=() w skip=0 keep=0
    for w in "${_mcplog_ctx[@]}"; do
        if ((skip)); then
            ((keep)) && a+=("$w")
            skip=0
            continue
        fi
        case $w in
        --config) a+=("$w"); skip=1; keep=1 ;;
        --config=*) a+=("$w") ;;
        --rules) skip=1; keep=0 ;;
        esac
    done
    "$1" sinks list --names "${a[@]}" 2>/dev/null
}

_mcplog() {
    local cur prev cmd sub i w npos=0 prog=${COMP_WORDS[0]}
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # The command and its verb (sinks list, silence add, routes test).
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in -*) continue ;; esac
        if [[ -z $cmd ]]; then
            cmd=$w
        elif [[ -z $sub ]]; then
            case $cmd in sinks | silence | routes) sub=$w ;; esac
            break
        fi
    done
    # The words after the verb that are no option or option value.
    for ((i = i + 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --rules | --config | --state | --for | --comment) ((i++)) ;;
        -*) ;;
        *) ((npos++)) ;;
        esac
    done
    _mcplog_context

    case $prev in
    --config | --rules | --state | --source | --html)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    --server-dir)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
        return ;;
    --rule)
        COMPREPLY=($(compgen -W "$(_mcplog_rules "$prog")" -- "$cur"))
        return ;;
    --replay-sinks)
        COMPREPLY=($(compgen -W "$(_mcplog_sinks "$prog") all" -- "$cur"))
        return ;;
    --severity | --min-severity | --fail-on)
        COMPREPLY=($(compgen -W "info warning critical" -- "$cur"))
        return ;;
    --client)
        COMPREPLY=($(compgen -W "claude-code claude-desktop auto none" -- "$cur"))
        return ;;
    --format)
        COMPREPLY=($(compgen -W "claude-code-jsonl claude-code-json-array claude-code-transcript claude-code-debug claude-desktop claude-desktop-server" -- "$cur"))
        return ;;
    --by)
        COMPREPLY=($(compgen -W "hour day" -- "$cur"))
        return ;;
    --html-stamp)
        COMPREPLY=($(compgen -W "none now" -- "$cur"))
        return ;;
    --color)
        COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
        return ;;
    --keep)
        COMPREPLY=($(compgen -W "newest oldest" -- "$cur"))
        return ;;
    --status)
        COMPREPLY=($(compgen -W "firing update repeat resolved" -- "$cur"))
        return ;;
    --since | --until)
        COMPREPLY=($(compgen -W "today yesterday now" -- "$cur"))
        return ;;
    --help)
        if [[ $cmd == sinks ]]; then
            COMPREPLY=($(compgen -W "desktop command webhook file" -- "$cur"))
            return
        fi ;;
    --tz | --grace | --for | --comment | --label | --max-line | \
    --max-inflate | --poll-interval | --summary | --description | --line | \
    --context | --count | --interval | --role)
        return ;;
    esac

    if [[ -z $cmd && $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-V --version --help" -- "$cur"))
        return
    elif [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$_mcplog_commands" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_mcplog_options "$prog" "$cmd${sub:+ $sub}")" -- "$cur"))
        return
    fi
    case $cmd in
    help)
        [[ $COMP_CWORD -eq 2 ]] &&
            COMPREPLY=($(compgen -W "$_mcplog_commands" -- "$cur")) ;;
    sinks)
        if [[ -z $sub ]]; then
            COMPREPLY=($(compgen -W "list types test" -- "$cur"))
        elif [[ $sub == test ]]; then
            COMPREPLY=($(compgen -W "$(_mcplog_sinks "$prog")" -- "$cur"))
        fi ;;
    silence)
        if [[ -z $sub ]]; then
            COMPREPLY=($(compgen -W "add list expire" -- "$cur"))
        elif [[ $sub == add && $npos -eq 0 ]]; then
            COMPREPLY=($(compgen -W "$(_mcplog_rules "$prog")" -- "$cur"))
        fi ;;
    routes)
        [[ -z $sub ]] && COMPREPLY=($(compgen -W "test" -- "$cur")) ;;
    scan | follow | health | test-rules | mcp)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

complete -F _mcplog mcplog
