//! What guard knows of the programs that run other programs, as data: which names are shells,
//! which are interpreters and of what language, and how each wrapper spells its options. This
//! is the one copy: the parser reads it here, and `guard-rules` hands it to the rules when
//! guard is built ([`rules_programs`], [`rules_lists`]), so the two readings of a command line
//! cannot drift apart.
//!
//! It lives in the core, not in `rules/programs.yaml`, for the parser's own sake. Every table
//! is bound to code that reads particular options of it (sudo's `-D` and `-i`, env's `-S`,
//! nsenter's `-w[DIR]`); the parser must see through a wrapper the same way whoever calls it,
//! with no argument to forget and no policy file able to change how `sudo … rm` is read; and
//! the hot path stays as it was: these are constants, nothing is decoded to read a command,
//! and the rules' copy is embedded with the packs' own program knowledge, decoded only when a
//! rule reads that program's command line.

use super::getopt::Spec;

/// Shells: given `-c CODE`, a script or stdin, they run it as shell code.
pub(super) const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "mksh",
    "ash",
    "yash",
    "posh",
    "rbash",
    "fish",
    "tcsh",
    "csh",
    "busybox-sh",
    "oksh",
    "loksh",
    "pdksh",
    "ksh93",
    "sash",
    "rc",
    "es",
    // Shells whose language is not sh's: their code is read as sh's, the closest guard has.
    "elvish",
    "nu",
    "xonsh",
    "ion",
    // guard takes bash's own arguments and hands them to bash.
    "guard",
];

/// Interpreters by name, with the language of the code they run. A versioned name
/// (`python3.12`, `perl5.36`) is its family's.
pub(super) const INTERPRETERS: &[(&str, &str)] = &[
    ("python", "python"),
    ("pypy", "python"),
    ("perl", "perl"),
    ("ruby", "ruby"),
    ("irb", "ruby"),
    ("node", "javascript"),
    ("nodejs", "javascript"),
    ("bun", "javascript"),
    ("deno", "javascript"),
    ("jjs", "javascript"),
    ("php", "php"),
    ("lua", "lua"),
    ("luajit", "lua"),
    ("Rscript", "r"),
    ("R", "r"),
    ("osascript", "applescript"),
    ("awk", "awk"),
    ("gawk", "awk"),
    ("mawk", "awk"),
    ("nawk", "awk"),
    ("busybox-awk", "awk"),
    ("expect", "expect"),
    ("pwsh", "powershell"),
    ("powershell", "powershell"),
    ("tclsh", "tcl"),
    ("wish", "tcl"),
    ("jshell", "java"),
    // `go run FILE.go` compiles and runs the file at once.
    ("go", "go"),
    ("julia", "julia"),
    ("elixir", "elixir"),
    ("groovy", "groovy"),
    ("guile", "scheme"),
    ("racket", "scheme"),
    ("sbcl", "lisp"),
];

/// How an interpreter spells its options, and which of them give code to run.
pub(super) struct Interpreter {
    pub(super) options: Spec<'static>,
    pub(super) code: &'static [&'static str],
}

/// Interpreters whose own reading differs from their language's: `deno eval CODE` (deno's
/// options come after a subcommand), jjs (code in a file or on stdin only), and R, whose
/// script is `-f FILE` (an operand is not one: `R CMD build` runs one of R's tools).
pub(super) const INTERPRETER_BY_NAME: &[(&str, Interpreter)] = &[
    ("deno", Interpreter { options: Spec::NONE, code: &[] }),
    ("go", Interpreter { options: Spec::NONE, code: &[] }),
    ("jjs", Interpreter { options: Spec::NONE, code: &[] }),
    ("R", Interpreter { options: Spec { short_val: "ef", long_val: &["file"], ..Spec::NONE }, code: &["e"] }),
];

/// Each language's interpreters' options, by language.
pub(super) const INTERPRETER_BY_LANGUAGE: &[(&str, Interpreter)] = &[
    (
        "python",
        Interpreter {
            options: Spec { short_val: "cmWXQ", long_val: &["check-hash-based-pycs"], ..Spec::NONE },
            code: &["c"],
        },
    ),
    // `-l[OCTAL]` and `-0[DIGITS]` take a value only attached (`perl -l -e CODE`).
    // `-MMod` is `use Mod;` put before the code, so what follows the module name is code too
    // (`-M'POSIX;system(…)'`).
    (
        "perl",
        Interpreter {
            options: Spec { short_val: "eEIMmx", short_opt: "l0", ..Spec::NONE },
            code: &["e", "E", "M", "m"],
        },
    ),
    (
        "ruby",
        Interpreter { options: Spec { short_val: "eIrEFCTW", long_val: &["encoding"], ..Spec::NONE }, code: &["e"] },
    ),
    (
        "javascript",
        Interpreter {
            options: Spec {
                short_val: "eprC",
                long_val: &["eval", "print", "require", "import", "conditions", "input-type"],
                ..Spec::NONE
            },
            code: &["e", "p", "eval", "print"],
        },
    ),
    ("php", Interpreter { options: Spec { short_val: "rfBREcdz", ..Spec::NONE }, code: &["r", "B", "R", "E"] }),
    ("lua", Interpreter { options: Spec { short_val: "el", ..Spec::NONE }, code: &["e"] }),
    ("r", Interpreter { options: Spec { short_val: "e", ..Spec::NONE }, code: &["e"] }),
    ("applescript", Interpreter { options: Spec { short_val: "e", ..Spec::NONE }, code: &["e"] }),
    (
        "awk",
        Interpreter {
            options: Spec {
                short_val: "Ffvei",
                long_val: &["field-separator", "file", "assign", "source", "include"],
                ..Spec::NONE
            },
            code: &["e", "source"],
        },
    ),
    ("expect", Interpreter { options: Spec { short_val: "cfb", ..Spec::NONE }, code: &["c"] }),
    ("julia", Interpreter { options: Spec { short_val: "eEJCtpL", ..Spec::NONE }, code: &["e", "E"] }),
    ("elixir", Interpreter { options: Spec { short_val: "erS", ..Spec::NONE }, code: &["e"] }),
    ("groovy", Interpreter { options: Spec { short_val: "ecD", ..Spec::NONE }, code: &["e"] }),
    ("scheme", Interpreter { options: Spec { short_val: "celsLxCt", ..Spec::NONE }, code: &["c", "e"] }),
    ("lisp", Interpreter { options: Spec { long_val: &["eval", "load", "script"], ..Spec::NONE }, code: &["eval"] }),
    (
        "powershell",
        Interpreter {
            options: Spec { short_val: "cCfFe", long_val: &["command", "file", "encodedcommand"], ..Spec::NONE },
            code: &["c", "C", "command", "e", "encodedcommand"],
        },
    ),
];

/// Options with no knowledge of values: every option a flag.
const NO_OPTIONS: Interpreter = Interpreter { options: Spec::NONE, code: &[] };

/// The options of the interpreter `name` (its family's, `python3` → `python`) of `language`.
pub(super) fn interpreter_options(name: &str, language: &str) -> &'static Interpreter {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let by_name = INTERPRETER_BY_NAME.iter().find(|(n, _)| *n == base);
    let by_language = || INTERPRETER_BY_LANGUAGE.iter().find(|(l, _)| *l == language);
    by_name.or_else(by_language).map_or(&NO_OPTIONS, |(_, i)| i)
}

// Wrappers, each read with getopt (see `Spec`): options first, then the command it runs.

pub(super) const SUDO: Spec<'static> = Spec {
    short_val: "aucgChpDrtTUR",
    long_val: &[
        "auth-type",
        "login-class",
        "user",
        "group",
        "host",
        "prompt",
        "close-from",
        "chdir",
        "role",
        "type",
        "command-timeout",
        "other-user",
        "chroot",
    ],
    ..Spec::NONE
};
pub(super) const DOAS: Spec<'static> = Spec { short_val: "uC", ..Spec::NONE };
pub(super) const SU: Spec<'static> = Spec {
    short_val: "csgGuw",
    short_opt: "",
    long_val: &["command", "session-command", "shell", "group", "supp-group", "user", "whitelist-environment"],
    long_flag: &["login", "preserve-environment", "pty", "fast", "help", "version"],
};
pub(super) const SETPRIV: Spec<'static> = Spec {
    long_val: &[
        "ambient-caps",
        "inh-caps",
        "bounding-set",
        "ruid",
        "euid",
        "rgid",
        "egid",
        "reuid",
        "regid",
        "groups",
        "securebits",
        "pdeathsig",
        "selinux-label",
        "apparmor-profile",
        "landlock-access",
        "landlock-rule",
        "seccomp-filter",
        "ptracer",
    ],
    long_flag: &["dump", "nnp", "no-new-privs", "clear-groups", "keep-groups", "init-groups", "reset-env"],
    ..Spec::NONE
};
pub(super) const ENV: Spec<'static> = Spec {
    short_val: "uCSPa",
    short_opt: "",
    long_val: &["unset", "chdir", "split-string", "argv0"],
    // The signal options take a value only as `--default-signal=SIG`.
    long_flag: &[
        "ignore-environment",
        "null",
        "debug",
        "block-signal",
        "default-signal",
        "ignore-signal",
        "list-signal-handling",
        "help",
        "version",
    ],
};
pub(super) const EXEC: Spec<'static> = Spec { short_val: "a", ..Spec::NONE };
pub(super) const TIME: Spec<'static> = Spec { short_val: "fo", long_val: &["format", "output"], ..Spec::NONE };
pub(super) const TIMEOUT: Spec<'static> = Spec { short_val: "sk", long_val: &["signal", "kill-after"], ..Spec::NONE };
pub(super) const STRACE: Spec<'static> = Spec {
    short_val: "eoOpPsSuXEaIb",
    long_val: &["output", "signal", "trace", "attach", "user", "env"],
    ..Spec::NONE
};
pub(super) const LTRACE: Spec<'static> =
    Spec { short_val: "eoupsnaAlLD", long_val: &["output", "library"], ..Spec::NONE };
pub(super) const PROXYCHAINS: Spec<'static> = Spec { short_val: "f", ..Spec::NONE };
pub(super) const SSH_AGENT: Spec<'static> = Spec { short_val: "aEOPt", ..Spec::NONE };
pub(super) const DBUS_RUN_SESSION: Spec<'static> = Spec { long_val: &["config-file", "dbus-daemon"], ..Spec::NONE };
pub(super) const XVFB_RUN: Spec<'static> = Spec {
    short_val: "nsefpw",
    long_val: &["server-num", "server-args", "error-file", "auth-file", "xauth-protocol", "wait"],
    ..Spec::NONE
};
pub(super) const SYSTEMD_INHIBIT: Spec<'static> = Spec { long_val: &["what", "who", "why", "mode"], ..Spec::NONE };
pub(super) const DYNAMIC_LOADER: Spec<'static> =
    Spec { long_val: &["library-path", "preload", "argv0", "audit", "inhibit-rpath"], ..Spec::NONE };
pub(super) const FAKEROOT: Spec<'static> =
    Spec { short_val: "lisb", long_val: &["lib", "faked", "fd-base"], ..Spec::NONE };
pub(super) const FLOCK: Spec<'static> =
    Spec { short_val: "wEc", long_val: &["timeout", "wait", "conflict-exit-code", "command"], ..Spec::NONE };
pub(super) const WATCH: Spec<'static> = Spec { short_val: "n", long_val: &["interval"], ..Spec::NONE };
pub(super) const STDBUF: Spec<'static> =
    Spec { short_val: "ioe", long_val: &["input", "output", "error"], ..Spec::NONE };
pub(super) const NICE: Spec<'static> = Spec { short_val: "n", long_val: &["adjustment"], ..Spec::NONE };
pub(super) const IONICE: Spec<'static> =
    Spec { short_val: "cnpPu", long_val: &["class", "classdata", "pid", "pgid", "uid"], ..Spec::NONE };
pub(super) const CHRT: Spec<'static> =
    Spec { short_val: "TPD", long_val: &["sched-runtime", "sched-period", "sched-deadline"], ..Spec::NONE };
pub(super) const PRLIMIT: Spec<'static> = Spec {
    short_val: "po",
    // Each resource takes its limits only attached (`--nofile=8`, `-n8`).
    short_opt: "cdefilmnqrstuvxy",
    long_val: &["pid", "output"],
    long_flag: &[
        "noheadings",
        "raw",
        "verbose",
        "core",
        "data",
        "nice",
        "fsize",
        "sigpending",
        "memlock",
        "rss",
        "nofile",
        "msgqueue",
        "rtprio",
        "stack",
        "cpu",
        "nproc",
        "as",
        "locks",
        "rttime",
    ],
};
pub(super) const NUMACTL: Spec<'static> = Spec {
    short_val: "wISfoLMiPpmNCc",
    long_val: &[
        "interleave",
        "weighted-interleave",
        "preferred",
        "preferred-many",
        "cpubind",
        "cpunodebind",
        "physcpubind",
        "membind",
        "shm",
        "file",
        "offset",
        "length",
        "shmmode",
        "shmid",
    ],
    ..Spec::NONE
};
pub(super) const CGEXEC: Spec<'static> = Spec { short_val: "g", ..Spec::NONE };
pub(super) const OPENVT: Spec<'static> = Spec { short_val: "c", long_val: &["console"], ..Spec::NONE };
/// rlwrap's `-a[PROMPT]`, `-m[SUBST]` and `-p[COLOUR]` take their value only attached.
pub(super) const RLWRAP: Spec<'static> = Spec {
    short_val: "bCDefgHlMOPqsStwz",
    short_opt: "amp",
    long_val: &[
        "break-chars",
        "command-name",
        "complete-filenames",
        "extra-char-after-completion",
        "file",
        "forget-matching",
        "history-filename",
        "logfile",
        "multi-line-ext",
        "only-cook",
        "pre-given",
        "quote-characters",
        "histsize",
        "substitute-prompt",
        "set-term-name",
        "polling",
        "filter",
    ],
    long_flag: &[],
};
pub(super) const AA_EXEC: Spec<'static> = Spec { short_val: "pn", long_val: &["profile", "namespace"], ..Spec::NONE };
pub(super) const CPULIMIT: Spec<'static> =
    Spec { short_val: "lpePc", long_val: &["limit", "pid", "exe", "path", "cpu"], ..Spec::NONE };
pub(super) const CHPST: Spec<'static> = Spec { short_val: "uUbe/CnlLmdopfcrt", ..Spec::NONE };
pub(super) const SOFTLIMIT: Spec<'static> = Spec { short_val: "adfmoprtcls", ..Spec::NONE };
pub(super) const DAEMONIZE: Spec<'static> = Spec { short_val: "ceopluE", ..Spec::NONE };
pub(super) const CHROOT: Spec<'static> =
    Spec { long_val: &["userspec", "groups"], long_flag: &["skip-chdir"], ..Spec::NONE };
pub(super) const UNSHARE: Spec<'static> = Spec {
    short_val: "RwSG",
    long_val: &[
        "root",
        "wd",
        "setuid",
        "setgid",
        "propagation",
        "setgroups",
        "map-user",
        "map-group",
        "map-users",
        "map-groups",
        "monotonic",
        "boottime",
        "load-interp",
    ],
    // The namespace options take a file only as `--mount=FILE`.
    long_flag: &[
        "mount",
        "uts",
        "ipc",
        "net",
        "pid",
        "user",
        "cgroup",
        "time",
        "fork",
        "kill-child",
        "mount-proc",
        "map-root-user",
        "map-current-user",
        "map-auto",
        "keep-caps",
    ],
    ..Spec::NONE
};
pub(super) const NSENTER: Spec<'static> = Spec {
    short_val: "tSGW",
    // `-w[DIR]`, `-r[DIR]` and the namespace options take a value only attached.
    short_opt: "muinpCUTrw",
    long_val: &["target", "setuid", "setgid", "wdns"],
    long_flag: &[
        "all",
        "mount",
        "uts",
        "ipc",
        "net",
        "pid",
        "cgroup",
        "user",
        "time",
        "root",
        "wd",
        "preserve-credentials",
        "no-fork",
        "follow-context",
        "join-cgroup",
        "user-parent",
        "keep-caps",
        "env",
    ],
};
pub(super) const SYSTEMD_RUN: Spec<'static> = Spec {
    short_val: "HMupEC",
    short_opt: "",
    long_val: &[
        "host",
        "machine",
        "unit",
        "property",
        "description",
        "slice",
        "service-type",
        "uid",
        "gid",
        "nice",
        "working-directory",
        "setenv",
        "path-property",
        "socket-property",
        "timer-property",
        "on-active",
        "on-boot",
        "on-startup",
        "on-unit-active",
        "on-unit-inactive",
        "on-calendar",
        "expand-environment",
        "json",
        "background",
        "capsule",
    ],
    long_flag: &[
        "no-ask-password",
        "user",
        "system",
        "scope",
        "slice-inherit",
        "no-block",
        "remain-after-exit",
        "wait",
        "send-sighup",
        "same-dir",
        "pty",
        "pty-late",
        "pipe",
        "quiet",
        "collect",
        "shell",
        "on-timezone-change",
        "on-clock-change",
        "ignore-failure",
        "verbose",
        "help",
        "version",
    ],
};
pub(super) const SCREEN: Spec<'static> = Spec { short_val: "cehpsSTX", ..Spec::NONE };
/// `-c SHELL-COMMAND` runs it with the default shell.
pub(super) const TMUX: Spec<'static> = Spec { short_val: "LSfc", ..Spec::NONE };
/// The options of tmux's subcommands that run shell text (`new-session`, `run-shell`, …).
pub(super) const TMUX_RUNS: Spec<'static> = Spec { short_val: "censtFxyTw", ..Spec::NONE };
pub(super) const SCRIPT: Spec<'static> = Spec {
    short_val: "cEIOBTmo",
    short_opt: "t",
    long_val: &["command", "echo", "log-in", "log-out", "log-io", "log-timing", "logging-format", "output-limit"],
    long_flag: &["timing", "append", "return", "flush", "force", "quiet", "help", "version"],
};
pub(super) const AT: Spec<'static> = Spec { short_val: "qfmMtb", ..Spec::NONE };
pub(super) const SSH: Spec<'static> = Spec { short_val: "BbcDEeFIiJLlmOopQRSWw", ..Spec::NONE };
pub(super) const XARGS: Spec<'static> = Spec {
    short_val: "adEILnPs",
    // `-e[EOF]`, `-i[R]`, `-l[N]` (and their long forms) take a value only attached.
    short_opt: "eil",
    long_val: &["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"],
    long_flag: &[
        "null",
        "eof",
        "replace",
        "max-lines",
        "interactive",
        "no-run-if-empty",
        "open-tty",
        "exit",
        "verbose",
        "show-limits",
    ],
};

/// Every wrapper read with a [`Spec`], by the names it goes by.
pub(super) const WRAPPERS: &[(&[&str], &Spec<'static>)] = &[
    (&["sudo"], &SUDO),
    (&["doas"], &DOAS),
    (&["su", "runuser"], &SU),
    (&["setpriv"], &SETPRIV),
    (&["env"], &ENV),
    (&["exec"], &EXEC),
    (&["time"], &TIME),
    (&["timeout", "gtimeout"], &TIMEOUT),
    (&["strace"], &STRACE),
    (&["ltrace"], &LTRACE),
    (&["proxychains", "proxychains4"], &PROXYCHAINS),
    (&["ssh-agent"], &SSH_AGENT),
    (&["dbus-run-session"], &DBUS_RUN_SESSION),
    (&["xvfb-run"], &XVFB_RUN),
    (&["systemd-inhibit"], &SYSTEMD_INHIBIT),
    (&["ld.so", "ld-linux.so.2", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld64.so.2"], &DYNAMIC_LOADER),
    (&["fakeroot"], &FAKEROOT),
    (&["flock"], &FLOCK),
    (&["watch"], &WATCH),
    (&["stdbuf"], &STDBUF),
    (&["nice"], &NICE),
    (&["ionice"], &IONICE),
    (&["chrt"], &CHRT),
    (&["prlimit"], &PRLIMIT),
    (&["numactl"], &NUMACTL),
    (&["cgexec"], &CGEXEC),
    (&["openvt"], &OPENVT),
    (&["rlwrap"], &RLWRAP),
    (&["aa-exec"], &AA_EXEC),
    (&["cpulimit"], &CPULIMIT),
    (&["chpst"], &CHPST),
    (&["softlimit"], &SOFTLIMIT),
    (&["daemonize"], &DAEMONIZE),
    (&["chroot"], &CHROOT),
    (&["unshare"], &UNSHARE),
    (&["nsenter"], &NSENTER),
    (&["systemd-run"], &SYSTEMD_RUN),
    (&["screen"], &SCREEN),
    (&["tmux"], &TMUX),
    (&["script"], &SCRIPT),
    (&["at", "batch"], &AT),
    (&["ssh"], &SSH),
    (&["xargs"], &XARGS),
];

/// The options of the wrapper `name`, when it has a table here.
pub(super) fn wrapper_options(name: &str) -> &'static Spec<'static> {
    WRAPPERS.iter().find(|(names, _)| names.contains(&name)).map_or(&Spec::NONE, |(_, s)| s)
}

/// gdb's options that take a value, each read with one dash or two (`-ex`, `--ex`).
pub(super) const GDB_VALUED: &[&str] = &[
    "ex",
    "eval-command",
    "iex",
    "init-eval-command",
    "x",
    "command",
    "ix",
    "init-command",
    "p",
    "pid",
    "c",
    "core",
    "cd",
    "d",
    "directory",
    "s",
    "symbols",
    "e",
    "exec",
    "se",
    "b",
    "l",
    "tty",
    "i",
    "interpreter",
    "D",
    "data-directory",
];

/// GNU parallel's options that take the next word.
pub(super) const PARALLEL_VALUED: &[&str] = &[
    "-j",
    "--jobs",
    "-S",
    "--sshlogin",
    "-a",
    "--arg-file",
    "-d",
    "--delimiter",
    "--colsep",
    "-C",
    "--timeout",
    "--delay",
    "--results",
    "--joblog",
    "--tmpdir",
    "--workdir",
    "--env",
    "--tag-string",
    "--halt",
    "--retries",
    "--memfree",
    "--load",
    "--nice",
    "--basefile",
    "--return",
    "--sshloginfile",
    "-n",
    "--max-args",
    "-N",
    "-L",
    "--max-lines",
    "-I",
    "-E",
    "--eof",
    "--block",
    "--termseq",
    "--shuf-seed",
    "--tee-file",
];

/// bubblewrap's options by exact name, with how many words each takes (up to three: the
/// rules' reader, which knows one value at most, is not given these).
pub(super) const BWRAP_VALUES: &[(&str, usize)] = &[
    ("--args", 1),
    ("--argv0", 1),
    ("--userns", 1),
    ("--userns2", 1),
    ("--pidns", 1),
    ("--uid", 1),
    ("--gid", 1),
    ("--hostname", 1),
    ("--chdir", 1),
    ("--setenv", 2),
    ("--unsetenv", 1),
    ("--lock-file", 1),
    ("--sync-fd", 1),
    ("--bind", 2),
    ("--bind-try", 2),
    ("--dev-bind", 2),
    ("--dev-bind-try", 2),
    ("--ro-bind", 2),
    ("--ro-bind-try", 2),
    ("--bind-fd", 2),
    ("--ro-bind-fd", 2),
    ("--remount-ro", 1),
    ("--exec-label", 1),
    ("--file-label", 1),
    ("--proc", 1),
    ("--dev", 1),
    ("--tmpfs", 1),
    ("--mqueue", 1),
    ("--dir", 1),
    ("--file", 2),
    ("--bind-data", 2),
    ("--ro-bind-data", 2),
    ("--symlink", 2),
    ("--seccomp", 1),
    ("--add-seccomp-fd", 1),
    ("--block-fd", 1),
    ("--userns-block-fd", 1),
    ("--info-fd", 1),
    ("--json-status-fd", 1),
    ("--cap-add", 1),
    ("--cap-drop", 1),
    ("--perms", 1),
    ("--size", 1),
    ("--chmod", 2),
    ("--overlay-src", 1),
    ("--overlay", 3),
    ("--tmp-overlay", 1),
    ("--ro-overlay", 1),
];

/// guard's own options in front of the shell's or the program's arguments (`guard --dry-run
/// -c …`): flags, and options that take a value (`--policy FILE`, `--mode=observe`). The
/// runner reads its command line with these too.
pub(crate) const GUARD_FLAGS: &[&str] = &["--dry-run", "--record", "--contain"];
pub(crate) const GUARD_VALUED: &[&str] = &["--policy", "--mode"];

/// guard's subcommands. The parser reads `guard SUBCOMMAND` inside a command by them, and the
/// `guard` binary tells a subcommand from a script by them (a test there keeps the list equal
/// to what its command line defines).
pub const GUARD_SUBCOMMANDS: &[&str] = &[
    "explain",
    "check",
    "rules",
    "log",
    "hook",
    "install",
    "init",
    "doctor",
    "pending",
    "approve",
    "deny",
    "completions",
    "once",
    "help",
];

/// A program's options as the rules' command-line reader takes them (`programs:` in a pack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesProgram {
    /// The program's name, as the command line spells it.
    pub name: &'static str,
    /// Spellings of the options that take the next word (or an attached value).
    pub takes_value: Vec<String>,
    /// Options are whole words after one dash (gdb's `-ex`).
    pub long_single_dash: bool,
}

/// The spellings of a getopt table's options that take a value. Options whose value can only
/// be attached (`-w[DIR]`) never take the next word, so they are not among them.
fn valued(spec: &Spec) -> Vec<String> {
    let short = spec.short_val.chars().map(|c| format!("-{c}"));
    short.chain(spec.long_val.iter().map(|l| format!("--{l}"))).collect()
}

/// This table as program knowledge for the rules: each program that takes values, by every
/// name it goes by.
pub fn rules_programs() -> Vec<RulesProgram> {
    let mut out = Vec::new();
    let mut add = |name, takes_value: Vec<String>, long_single_dash| {
        if !takes_value.is_empty() {
            out.push(RulesProgram { name, takes_value, long_single_dash });
        }
    };
    for (names, spec) in WRAPPERS {
        for &name in *names {
            add(name, valued(spec), false);
        }
    }
    for &(name, language) in INTERPRETERS {
        add(name, valued(&interpreter_options(name, language).options), false);
    }
    add("gdb", GDB_VALUED.iter().flat_map(|o| [format!("-{o}"), format!("--{o}")]).collect(), true);
    add("parallel", PARALLEL_VALUED.iter().map(|o| o.to_string()).collect(), false);
    add("guard", GUARD_VALUED.iter().map(|o| o.to_string()).collect(), false);
    out
}

/// The lists the rules take from this table: `shells`; `wrappers`, the programs that run
/// the command named in their arguments (the parser judges that command as an invocation of
/// its own, so a rule about what a command's operands are can pass over the wrapper); and
/// `carriers`, the programs whose options that hold commands the parser reads (what they hold
/// is judged as run).
pub fn rules_lists() -> Vec<(&'static str, Vec<String>)> {
    let wrappers = WRAPPERS.iter().flat_map(|(names, _)| names.iter().map(|n| n.to_string())).collect();
    vec![
        ("shells", SHELLS.iter().map(|s| s.to_string()).collect()),
        ("wrappers", wrappers),
        ("carriers", super::carriers::carrier_programs()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::layers;
    use crate::policy::matcher::glob_match;
    use crate::shell::programs::interpreter_language;
    use crate::shell::testing::plan;

    /// The rules' `interpreters` list (patterns, in rules/programs.yaml) and this table name the
    /// same programs: each interpreter here matches a pattern there, and each pattern names an
    /// interpreter here.
    #[test]
    fn the_rules_interpreters_are_the_parsers() {
        let spec = layers::parse("programs.yaml", include_str!("../../../../../rules/programs.yaml")).unwrap();
        let list = &spec.lists["interpreters"];
        for (name, _) in INTERPRETERS {
            assert!(list.iter().any(|p| glob_match(p, name)), "{name} is missing from the rules' interpreters");
        }
        for pattern in list {
            let name = pattern.trim_end_matches('*');
            assert!(interpreter_language(name).is_some(), "the rules' interpreter {pattern} is not the parser's");
        }
    }

    #[test]
    fn the_rules_take_every_valued_option_the_parser_reads() {
        let programs = rules_programs();
        let of = |name: &str| programs.iter().find(|p| p.name == name).map(|p| p.takes_value.join(" "));
        for (name, want) in [
            ("sudo", Some("-a -u -c -g -C -h -p -D -r -t -T -U -R --auth-type --login-class --user --group --host --prompt --close-from --chdir --role --type --command-timeout --other-user --chroot")),
            ("timeout", Some("-s -k --signal --kill-after")),
            ("gtimeout", Some("-s -k --signal --kill-after")),
            // Values only attached (`nsenter -w/dir`, `perl -l0`) never take the next word.
            ("nsenter", Some("-t -S -G -W --target --setuid --setgid --wdns")),
            ("perl", Some("-e -E -I -M -m -x")),
            ("python", Some("-c -m -W -X -Q --check-hash-based-pycs")),
            ("guard", Some("--policy --mode")),
            // No option of theirs takes a value.
            ("nohup", None),
            ("deno", None),
        ] {
            assert_eq!(of(name).as_deref(), want, "{name}");
        }
        let gdb = programs.iter().find(|p| p.name == "gdb").unwrap();
        assert!(gdb.long_single_dash && gdb.takes_value.contains(&"-ex".to_string()));
        assert_eq!(rules_lists()[0].1, SHELLS);
    }

    /// The same table decides where the parser finds the command a wrapper runs.
    #[test]
    fn the_parser_reads_wrappers_by_the_table() {
        for (text, program) in [
            ("sudo -T 60 -R /srv rm x", "rm"),
            ("timeout -k 5 10 rm x", "rm"),
            ("strace -o log -e trace=all rm x", "rm"),
            ("xvfb-run -s '-screen 0' rm x", "rm"),
            ("env -u HOME -C /tmp rm x", "rm"),
        ] {
            let p = plan(text);
            assert_eq!(p.invocations.last().and_then(|i| i.program_name()), Some(program), "{text}");
        }
        for (name, language) in [("python3.12", "python"), ("perl5.36", "perl"), ("R", "r"), ("busybox-awk", "awk")] {
            assert_eq!(interpreter_language(name), Some(language), "{name}");
        }
        assert!(SHELLS.contains(&"posh") && !SHELLS.contains(&"busybox"));
    }
}
