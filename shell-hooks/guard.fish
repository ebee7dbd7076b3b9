# guard for interactive fish (3.0 or newer): every line typed at the prompt is judged by guard
# before fish runs any of it.   Load it from ~/.config/fish/config.fish with:
#     guard init fish | source
#
# How: the keys that run the line (Enter, ctrl-j, ctrl-m) are bound, in the default and vi insert
# modes, to a function that asks guard about the whole command line and only then queues
# `commandline -f execute`. A refused line is taken out of the buffer, so that text typed next, by
# a person or by a program driving the terminal, starts a line of its own rather than being
# appended to it; it is printed with the reason, and put in the history where fish allows that
# (`history append`, fish 4). Key bindings are set again at
# each prompt, because switching binding sets (fish_vi_key_bindings…) replaces them. Event
# handlers (fish_preexec, fish_postexec) are untouched. GUARD_DISABLE=1 switches checking off
# (read at every line).

if status is-interactive

    set -g __guard_bin @GUARD_BIN@

    # Print lines on stderr, below the line being edited.
    function __guard_say
        if not set -q __guard_below
            echo >&2
            set -g __guard_below
        end
        printf '%s\n' $argv >&2
    end

    # Print MESSAGE once per session for KEY.
    function __guard_notice --argument-names key message
        contains -- $key $__guard_said; and return 0
        set -g __guard_said $__guard_said $key
        __guard_say $message
    end

    # Judge TEXT; 0 to run it, 1 to keep it. On allow, __guard_run holds the text to run (the
    # line without a bypass prefix).
    function __guard_judge --argument-names text
        set -g __guard_run $text
        set -e __guard_below
        test "$GUARD_DISABLE" = 1; and return 0
        string match -qr '\S' -- $text; or return 0
        set -l bin $__guard_bin
        if not string match -q -- "/*" $bin; or not test -x "$bin"
            set bin (command -s guard)
            if test -z "$bin"
                __guard_notice missing "guard: not checking commands: the guard binary is gone ($__guard_bin, and none on PATH); reinstall guard or remove the guard line from your fish config"
                return 0
            end
        end
        # A bypass prefix is judged like any line (policy decides); guard sees the command itself.
        set -l prefix 'guard-bypass '
        set -q GUARD_BYPASS_PREFIX; and set prefix $GUARD_BYPASS_PREFIX
        set -lx GUARD_BYPASS
        if test -n "$prefix"; and string match -q -- "$prefix*" $text
            set text (string sub -s (math (string length -- $prefix) + 1) -- $text | string join \n)
            set GUARD_BYPASS 1
        end
        set -lx GUARD_FACE interactive-fish
        set -l out ($bin check --interactive -- $text 2>&1)
        set -l rc $status
        switch $rc
            case 0
                set -g __guard_run $text
                return 0
            case 10 20
                test -n "$out"; and __guard_say $out
                test $rc = 10; and __guard_say 'guard: not run (this needs approval and none could be given)'
                return 1
        end
        if test $rc -gt 128
            __guard_say 'guard: interrupted; the line was not run'
            return 1
        end
        set -l detail
        test -n "$out"; and set detail ": $out[1]"
        __guard_notice exit$rc "guard: not checking commands: `guard check` failed (exit $rc)$detail; running them unchecked. `guard doctor` says what to fix."
        return 0
    end

    function __guard_fish_execute
        set -l text (commandline | string join \n)
        commandline --is-valid
        if test $status -eq 2
            # Incomplete (an open quote, block or pipe): keep collecting lines in one buffer.
            commandline -i \n
            return
        end
        if __guard_judge "$text"
            test "$__guard_run" != "$text"; and commandline -r -- $__guard_run
            commandline -f execute
        else
            # fish 3 has no `history append` (and reads the word as a search).
            if not string match -qr '^[0-3]\.' -- $version; and builtin history append -- $text 2>/dev/null
                __guard_say 'guard: the line was not run; it is in your history (Up brings it back)'
            else
                __guard_say 'guard: the line was not run; it is shown above'
            end
            commandline -r ''
            commandline -f repaint
        end
    end

    function __guard_fish_bind --on-event fish_prompt
        set -l keys \r \n
        string match -qr '^[0-3]\.' -- $version; or set keys enter ctrl-j ctrl-m
        for mode in default insert
            for key in $keys
                bind -M $mode $key __guard_fish_execute
            end
        end
    end

    __guard_fish_bind
    set -gx GUARD_SHELL_INTEGRATION fish
    set -gx GUARD_SHELL_INTEGRATION_PID $fish_pid
end
