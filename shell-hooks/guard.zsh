# guard for interactive zsh: every line typed at the prompt is judged by guard before zsh runs
# any of it.   Load it from ~/.zshrc with:   eval "$(guard init zsh)"
#
# How: the widgets that run the line (accept-line, accept-and-hold,
# accept-line-and-down-history, accept-and-infer-next-history) are replaced by one that asks
# guard first and only then calls the widget it replaced: a wrapper another plugin installed
# before, or the built-in (`.accept-line`, which cannot be rebound). Plugins that wrap these
# widgets later wrap this one and keep working. Nothing here touches precmd/preexec hooks.
# A refused line is taken out of the buffer and put in the history (Up brings it back): text
# typed next, by a person or by a program driving the terminal, starts a line of its own rather
# than being appended to the refused one.
# GUARD_DISABLE=1 switches checking off (read at every line).

if [[ -o interactive ]]; then

typeset -g __guard_bin=@GUARD_BIN@

if [[ -z ${__guard_zsh_hooked-} ]]; then

# Print MESSAGE once per session for KEY (below the line being edited).
__guard_notice() {
    local key=$1 message=$2
    [[ " ${__guard_said-} " == *" $key "* ]] && return 0
    typeset -g __guard_said="${__guard_said-} $key"
    zle -I
    print -ru2 -- "$message"
}

# Whether zsh would ask for more input after TEXT (an open quote, loop, pipe…). zsh's own parser
# reads TEXT as a function body, which runs nothing; if that fails, it reads TEXT followed by a
# line holding a stray `)`: an error past the end of TEXT means the parser wanted more.
__guard_zsh_incomplete() {
    # The user's options stay in force: they change how zsh reads the text (comments, braces).
    local text=$1 t=$1 n=0
    # A line continuation (an odd number of trailing backslashes), or a trailing | && ||.
    while [[ $t == *\\ ]]; do t=${t%\\}; (( n++ )); done
    (( n % 2 )) && return 0
    t=${text%"${text##*[^[:space:]]}"}
    [[ $t == *'|' || $t == *'&&' ]] && return 0
    (( $+functions[__guard_probe] )) && unfunction __guard_probe
    functions[__guard_probe]=$text 2>/dev/null
    if (( $+functions[__guard_probe] )); then
        unfunction __guard_probe
        return 1
    fi
    local err at lines
    err=$(functions[__guard_probe]=$text$'\n)\n' 2>&1)
    [[ -z $err ]] && return 0
    at=${${err#*:}%%:*}
    [[ $at == <-> ]] || return 1
    lines=$(( ${#text//[^$'\n']/} + 1 ))
    (( at > lines + 1 )) && return 0
    # At the line just after TEXT, an error about the newline is TEXT's own (`ls >`).
    (( at == lines + 1 )) && [[ $err != *"near \`\\n'"* ]]
}

# Judge TEXT; 0 to run it, 1 to keep it. On allow, __guard_run holds the text to run (the line
# without a bypass prefix).
__guard_judge() {
    emulate -L zsh
    local text=$1
    typeset -g __guard_run=$text
    [[ ${GUARD_DISABLE-} == 1 ]] && return 0
    [[ $text == *[^[:space:]]* ]] || return 0
    local bin=$__guard_bin
    if [[ $bin != /* || ! -x $bin ]]; then
        bin=${commands[guard]-}
        if [[ -z $bin ]]; then
            __guard_notice missing "guard: not checking commands: the guard binary is gone ($__guard_bin, and none on PATH); reinstall guard or remove the guard line from ~/.zshrc"
            return 0
        fi
    fi
    # A bypass prefix is judged like any line (policy decides); guard sees the command itself.
    local prefix=${GUARD_BYPASS_PREFIX-guard-bypass } bypass=
    if [[ -n $prefix && $text == "$prefix"* ]]; then
        text=${text#"$prefix"}
        bypass=1
    fi
    local out rc
    out=$(GUARD_FACE=interactive-zsh GUARD_BYPASS=$bypass "$bin" check --interactive -- "$text" 2>&1)
    rc=$?
    case $rc in
    0)
        __guard_run=$text
        return 0
        ;;
    10 | 20)
        zle -I
        [[ -n $out ]] && print -ru2 -- "$out"
        [[ $rc == 10 ]] && print -ru2 -- 'guard: not run (this needs approval and none could be given)'
        return 1
        ;;
    esac
    if (( rc > 128 )); then
        zle -I
        print -ru2 -- 'guard: interrupted; the line was not run'
        return 1
    fi
    __guard_notice "exit$rc" "guard: not checking commands: \`guard check\` failed (exit $rc)${out:+: ${out%%$'\n'*}}; running them unchecked. \`guard doctor\` says what to fix."
    return 0
}

# Stands in for the accept widget named first. The name is passed in rather than read from
# $WIDGET, which holds whatever name a plugin wrapping this one gave the copy it calls.
__guard_zsh_accept() {
    local widget=$1 text=$PREBUFFER$BUFFER
    shift
    if __guard_zsh_incomplete "$text"; then
        # Keep collecting lines in one buffer so the whole construct is judged at once.
        BUFFER+=$'\n'
        CURSOR=$#BUFFER
        return 0
    fi
    if ! __guard_judge "$text"; then
        print -rs -- "$text"
        print -ru2 -- 'guard: the line was not run; it is in your history (Up brings it back)'
        # A fresh line (the lines of a continuation go too), after the entry just added, so
        # that Up finds it.
        BUFFER=
        zle send-break
        return 0
    fi
    [[ -z $PREBUFFER && $__guard_run != "$BUFFER" ]] && BUFFER=$__guard_run
    if (( $+widgets[__guard_orig_$widget] )); then
        zle "__guard_orig_$widget" -- "$@"
    else
        zle ".$widget" -- "$@"
    fi
}

__guard_zsh_install() {
    local w
    for w in accept-line accept-and-hold accept-line-and-down-history accept-and-infer-next-history; do
        # Keep a wrapper someone else installed, to call after the check.
        [[ ${widgets[$w]-} == user:* ]] && zle -A "$w" "__guard_orig_$w"
        functions[__guard_zsh_$w]="__guard_zsh_accept $w \"\$@\""
        zle -N "$w" "__guard_zsh_$w"
    done
}

if zmodload zsh/zle 2>/dev/null && [[ -o zle ]]; then
    __guard_zsh_install
    typeset -g __guard_zsh_hooked=1
    export GUARD_SHELL_INTEGRATION=zsh GUARD_SHELL_INTEGRATION_PID=$$
else
    print -ru2 -- 'guard: zsh line editing (zle) is off, so commands cannot be checked'
fi

fi
fi
