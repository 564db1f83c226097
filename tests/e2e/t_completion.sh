# Shell completion (mcplog(1) FILES: docs/completion/mcplog.bash and
# _mcplog): loaded by bash and registered by zsh's compinit, and what each
# offers for commands, options (from each command's --help), rule names
# (with the command line's --rules / --no-default-rules) and sink names
# (with its --config). HOME is this test's folder.
HOME=$T
unset XDG_CONFIG_HOME MCPLOG_CONFIG
B=$ROOT/docs/completion/mcplog.bash
cat >r.yaml <<'Y'
rules:
  - name: alpha
    match: 'a'
  - name: beta
    match: 'b'
  - name: boom
    match: 'boom'
Y
cat >s.yaml <<'Y'
sinks:
  hook: {type: webhook, url: 'http://127.0.0.1:9/x'}
  page: {type: command, argv: [/bin/true]}
routes:
  - sinks: [hook, page]
Y

# 1. bash: the script loads and registers the function.
assert_eq "bash: complete -p mcplog" "complete -F _mcplog mcplog" \
    "$(bash --norc --noprofile -c ". '$B'; complete -p mcplog" 2>&1)"
# bcomp WORD...: what bash offers for the last word.
bcomp() {
    bash --norc --noprofile -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mcplog; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' \
        bcomp "$B" "$MCPLOG" "$@" 2>&1
}
assert_eq "bash: commands" "scan" "$(bcomp sc)"
assert_eq "bash: every command" "cleanup follow health help mcp ps routes rules scan silence sinks test-rules" "$(bcomp '')"
assert_eq "bash: mcp options" "--config --help --max-inflate --max-request --no-default-rules --rules --server-dir --state --tz" "$(bcomp mcp --)"
assert_eq "bash: scan --su" "--summary" "$(bcomp scan --su)"
assert_eq "bash: scan --m" "--max-inflate --max-line --min-severity" "$(bcomp scan --m)"
assert_eq "bash: ps options" "--config --help --json --server-dir" "$(bcomp ps --)"
assert_eq "bash: help CMD" "health help" "$(bcomp help he)"
assert_eq "bash: sinks verbs" "list test types" "$(bcomp sinks '')"
assert_eq "bash: silence verbs" "add expire list" "$(bcomp silence '')"
assert_eq "bash: routes test --rule, with --rules and --no-default-rules" "beta boom" \
    "$(bcomp routes test --no-default-rules --rules r.yaml --rule b)"
assert_eq "bash: silence add RULE" "alpha beta boom" \
    "$(bcomp silence add --no-default-rules --rules r.yaml '')"
assert_eq "bash: sinks test NAME, with --config" "hook page" "$(bcomp sinks test --config s.yaml '')"
assert_eq "bash: --replay-sinks" "all hook page" "$(bcomp scan --config s.yaml --replay-sinks '')"
assert_eq "bash: --min-severity" "critical info warning" "$(bcomp scan --min-severity '')"
assert_eq "bash: --by" "day hour" "$(bcomp scan --by '')"
assert_eq "bash: --html-stamp" "none now" "$(bcomp scan --html-stamp '')"
assert_eq "bash: --since" "today" "$(bcomp scan --since to)"
assert_eq "bash: --color" "always auto never" "$(bcomp follow --color '')"
assert_eq "bash: sinks --help TYPE" "command desktop file webhook" "$(bcomp sinks --help '')"
mkdir -p srvdir
assert_eq "bash: --server-dir takes folders" "srvdir" "$(bcomp ps --server-dir srv)"

# 2. zsh: compinit finds _mcplog on $fpath; then, with zsh's own
#    completion functions replaced by ones that print what they are
#    given, what it offers (zsh itself filters by the prefix typed).
Z=$ROOT/docs/completion
assert_eq "zsh: compinit registers _mcplog for mcplog" "_mcplog" \
    "$(zsh -f -c "fpath=('$Z' \$fpath); autoload -Uz compinit; compinit -u -d '$T/.zcompdump'; print -r -- \$_comps[mcplog]" 2>&1)"
zcomp() {
    zsh -f -c '
fpath=("$1" $fpath); shift
compadd() { local x; while (( $# )); do case $1 in -a) shift; for x in ${(P)1}; do print -r -- $x; done;; --) ;; *) print -r -- $1;; esac; shift; done }
_describe() { local x; for x in ${(P)${@[-1]}}; do print -r -- ${x%%:*}; done }
_files() { print -r -- "(files $*)" }
autoload -Uz _mcplog
words=("$@"); CURRENT=$#; _mcplog | sort | tr "\n" " " | sed "s/ $//"' zcomp "$Z" "$MCPLOG" "$@" 2>&1
}
assert_eq "zsh: every command" "cleanup follow health help mcp ps routes rules scan silence sinks test-rules" "$(zcomp '')"
assert_eq "zsh: ps options" "--config --help --json --server-dir" "$(zcomp ps --)"
assert_eq "zsh: routes test --rule, with --rules and --no-default-rules" "alpha beta boom" \
    "$(zcomp routes test --no-default-rules --rules r.yaml --rule '')"
assert_eq "zsh: sinks test NAME, with --config" "hook page" "$(zcomp sinks test --config s.yaml '')"
assert_eq "zsh: --replay-sinks" "all hook page" "$(zcomp scan --config s.yaml --replay-sinks '')"
assert_eq "zsh: --by" "day hour" "$(zcomp scan --by '')"
assert_eq "zsh: --html-stamp" "none now" "$(zcomp scan --html-stamp '')"
assert_eq "zsh: --html takes a file" "(files )" "$(zcomp scan --html '')"
assert_eq "zsh: sinks verbs" "list test types" "$(zcomp sinks '')"
assert_eq "zsh: --server-dir takes folders" "(files -/)" "$(zcomp ps --server-dir '')"
assert_eq "zsh: scan's files" "(files )" "$(zcomp scan '')"

# 3. The options offered are those the command accepts: none of them is
#    answered "unknown option" (the others end in a usage error, a
#    missing value, or --help).
unknown=0
for cmd in scan follow health ps cleanup rules; do
    for o in $(bcomp $cmd --); do
        # No ./logs, no server: dir here: every command ends at once
        # (timeout only bounds a surprise).
        timeout 20 "$MCPLOG" $cmd $o >/dev/null 2>e.txt </dev/null
        if grep -q "unknown option" e.txt; then unknown=$((unknown + 1)); cat e.txt; fi
    done
done
assert_eq "every option offered for scan, follow, health, ps, cleanup, rules is one they know" 0 "$unknown"

# 4. make install puts both where bash-completion and zsh look (the
#    recipe, with -n: a test does not build in the source tree).
make -s -n -C "$ROOT" install DESTDIR=/D PREFIX=/usr 2>&1 | grep -E 'completion|_mcplog' >inst.out
assert_eq "make install: the completion files" "install -d /D/usr/share/bash-completion/completions /D/usr/share/zsh/site-functions
install -m 644 docs/completion/mcplog.bash /D/usr/share/bash-completion/completions/mcplog
install -m 644 docs/completion/_mcplog /D/usr/share/zsh/site-functions/_mcplog" "$(cat inst.out)"
assert_eq "bash: options before the command" "--help --version" "$(bcomp --)"
assert_eq "bash: silence add RULE: labels after it, no rule names" "" \
    "$(bcomp silence add --rules r.yaml alpha '')"
assert_eq "zsh: silence add RULE" "alpha beta boom" \
    "$(zcomp silence add --no-default-rules --rules r.yaml '')"
assert_eq "zsh: silence add RULE: labels after it, no rule names" "" \
    "$(zcomp silence add --rules r.yaml alpha '')"
