# guard for interactive bash: every line typed at the prompt is judged by guard before bash
# runs any of it.   Load it from ~/.bashrc with:   eval "$(guard init bash)"
#
# How: a `bind -x` function can read and change the line but cannot accept it, so each key that
# runs the line (Enter, C-j, C-o…) becomes a two-key macro. The first hidden key runs
# __guard_bash_check, which points the second hidden key at accept-line when guard allows the
# line, or at a harmless redraw when it refuses. A refused line is taken out of the buffer and
# put in the history (Up brings it back): text typed next, by a person or by a program driving
# the terminal, starts a line of its own rather than being appended to the refused one.
# Nothing here touches PROMPT_COMMAND, PS0 or the DEBUG trap, so prompt and preexec hooks keep
# working. GUARD_DISABLE=1 switches checking off (read at every line).

if [[ $- == *i* ]]; then

__guard_bin=@GUARD_BIN@

if ((BASH_VERSINFO[0] < 4)); then
    printf 'guard: bash %s cannot check commands before they run (it needs bash 4 or newer for bind -x); commands are not checked\n' "$BASH_VERSION" >&2
elif [[ -z ${__guard_bash_hooked-} ]]; then

# Hidden keys: two per keymap that check (then accept, or operate-and-get-next), one gate.
__guard_key_check='\C-x\C-]'
__guard_key_check_operate='\C-x\C-_'
__guard_key_gate='\C-x\C-^'

# Print MESSAGE once per session for KEY.
__guard_notice() {
    local key=$1 message=$2
    [[ " ${__guard_said-} " == *" $key "* ]] && return 0
    __guard_said+=" $key"
    printf '%s\n' "$message" >&2
}

# Whether bash would ask for more input after LINE (an open quote, loop, pipe, heredoc…).
__guard_bash_incomplete() {
    local line=$1 err
    # A line continuation: an odd number of trailing backslashes.
    local tail=${line##*[!\\]}
    [[ $line == *\\ ]] && ((${#tail} % 2 == 1)) && return 0
    # Only text that can open a construct needs the parser; plain lines skip the fork.
    local opener='['"'"'"`({]|<<|\[\[|(\||&&)[[:space:]]*$'
    local keyword='(^|[[:space:];&|(])(if|then|else|elif|for|while|until|do|case|select|function|coproc)([[:space:];&|]|$)'
    [[ $line =~ $opener || $line =~ $keyword ]] || return 1
    local -a opts=()
    shopt -q extglob && opts=(-O extglob)
    err=$(LC_ALL=C BASH_ENV='' ENV='' "$BASH" ${opts[@]+"${opts[@]}"} -n -c "$line" 2>&1)
    [[ $err == *'unexpected end of file'* || $err == *'unexpected EOF while looking for matching'* ||
        $err == *'delimited by end-of-file'* ]]
}

# Judge LINE; 0 to run it, 1 to keep it in the buffer. On allow, __guard_run holds the text to
# run (the line without a bypass prefix).
__guard_judge() {
    local line=$1
    __guard_run=$line
    [[ ${GUARD_DISABLE-} == 1 ]] && return 0
    [[ $line == *[![:space:]]* ]] || return 0
    local bin=$__guard_bin
    if [[ $bin != /* || ! -x $bin ]]; then
        bin=$(type -P guard) || {
            __guard_notice missing "guard: not checking commands: the guard binary is gone ($__guard_bin, and none on PATH); reinstall guard or remove the guard line from ~/.bashrc"
            return 0
        }
    fi
    # A bypass prefix is judged like any line (policy decides); guard sees the command itself.
    local prefix=${GUARD_BYPASS_PREFIX-guard-bypass } bypass=
    if [[ -n $prefix && $line == "$prefix"* ]]; then
        line=${line#"$prefix"}
        bypass=1
    fi
    local out rc
    out=$(GUARD_FACE=interactive-bash GUARD_BYPASS=$bypass "$bin" check --interactive -- "$line" 2>&1)
    rc=$?
    case $rc in
    0)
        __guard_run=$line
        return 0
        ;;
    10 | 20)
        [[ -n $out ]] && printf '%s\n' "$out" >&2
        [[ $rc == 10 ]] && printf 'guard: not run (this needs approval and none could be given)\n' >&2
        return 1
        ;;
    esac
    if ((rc > 128)); then
        printf 'guard: interrupted; the line was not run\n' >&2
        return 1
    fi
    __guard_notice "exit$rc" "guard: not checking commands: \`guard check\` failed (exit $rc)${out:+: ${out%%$'\n'*}}; running them unchecked. \`guard doctor\` says what to fix."
    return 0
}

# Bound (via bind -x) to the first hidden key: decide what the gate key does for this line.
__guard_bash_check() {
    local accept=$1 keymap=$2
    if __guard_bash_incomplete "$READLINE_LINE"; then
        # Keep collecting lines in one buffer so the whole construct is judged at once.
        READLINE_LINE+=$'\n'
        READLINE_POINT=${#READLINE_LINE}
        bind -m "$keymap" "\"$__guard_key_gate\": redraw-current-line"
    elif __guard_judge "$READLINE_LINE"; then
        if [[ $__guard_run != "$READLINE_LINE" ]]; then
            READLINE_LINE=$__guard_run
            READLINE_POINT=${#READLINE_LINE}
        fi
        bind -m "$keymap" "\"$__guard_key_gate\": $accept"
    else
        __guard_bash_set_aside
        bind -m "$keymap" "\"$__guard_key_gate\": redraw-current-line"
    fi
}

# A refused line goes to the history, out of the buffer: whatever comes next is judged as what it is.
__guard_bash_set_aside() {
    history -s -- "$READLINE_LINE"
    READLINE_LINE=
    READLINE_POINT=0
    printf 'guard: the line was not run; it is in your history (Up brings it back)\n' >&2
}

# Stands in for edit-and-execute-command: edit the line in $VISUAL/$EDITOR and put the result
# back in the buffer, where Enter judges it like any other line.
__guard_bash_edit() {
    local file
    file=$(mktemp "${TMPDIR:-/tmp}/guard-edit.XXXXXX") || return
    printf '%s\n' "$READLINE_LINE" >"$file"
    ${VISUAL:-${EDITOR:-vi}} "$file"
    READLINE_LINE=$(<"$file")
    READLINE_POINT=${#READLINE_LINE}
    rm -f -- "$file"
}

__guard_bash_install() {
    local keymap line seq fn
    for keymap in emacs vi-insert vi-command; do
        bind -m "$keymap" -x "\"$__guard_key_check\": __guard_bash_check accept-line $keymap"
        bind -m "$keymap" -x "\"$__guard_key_check_operate\": __guard_bash_check operate-and-get-next $keymap"
        bind -m "$keymap" "\"$__guard_key_gate\": redraw-current-line"
        # Take over every key currently bound to a function that runs the line.
        while IFS= read -r line; do
            [[ $line =~ ^\"(.*)\":\ (accept-line|operate-and-get-next|edit-and-execute-command|vi-edit-and-execute-command)$ ]] ||
                continue
            seq=${BASH_REMATCH[1]} fn=${BASH_REMATCH[2]}
            [[ $seq == "$__guard_key_gate" ]] && continue
            case $fn in
            accept-line) bind -m "$keymap" "\"$seq\": \"$__guard_key_check$__guard_key_gate\"" ;;
            operate-and-get-next) bind -m "$keymap" "\"$seq\": \"$__guard_key_check_operate$__guard_key_gate\"" ;;
            *) bind -m "$keymap" -x "\"$seq\": __guard_bash_edit" ;;
            esac
        done < <(bind -m "$keymap" -p 2>/dev/null)
    done
}

if [[ -o emacs || -o vi ]]; then
    __guard_bash_install
    __guard_bash_hooked=1
    export GUARD_SHELL_INTEGRATION=bash GUARD_SHELL_INTEGRATION_PID=$$
else
    printf 'guard: line editing is off in this bash (set -o emacs or set -o vi), so commands cannot be checked\n' >&2
fi

fi
fi
