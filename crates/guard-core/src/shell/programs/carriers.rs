//! Options, settings and environment variables that hold a command for the program they are
//! given to: `git -c core.pager=…`, `ssh -o ProxyCommand=…`, `tar --to-command=…`,
//! `certbot --pre-hook …`, `PAGER=… git log`, `LD_PRELOAD=… cmd`. What one holds is judged as
//! what it is: shell text is read one level deeper, a command line or a program's path runs as
//! an invocation of its own (a script written earlier in the text and run that way is read),
//! a preloaded library is judged as run. A value only known at run time is a program guard
//! cannot name, so it is never passed over.
//!
//! Which option, key or variable of which program holds what is data, in the tables below;
//! the few programs whose values need a reader of their own (git's configuration, vim's Ex
//! commands, sed's `e`, m4's `syscmd`, expect's `spawn`) follow them.

use super::getopt::{permuted, scan_spec, Spec};
use super::knowledge::{SHELLS, SSH, STRACE};
use super::words::{join_words, split_args, strip_word_prefix};
use super::{is_shell, login_shell, shell_code, wrapper, Chdir, Derived, Stdin, VarScope};
use crate::plan::{Code, CodeSource, Invocation, Part, Span, Value, Via, Word};

/// What a carrier's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holds {
    /// Shell text, run by a shell: read one level deeper.
    Shell,
    /// Shell text run on the machine at the other end (ssh's `RemoteCommand`).
    RemoteShell,
    /// A command line the program splits into words itself, with no shell: that argv runs.
    Command,
    /// The path of a program, run with arguments of the program's choosing.
    Program,
    /// Libraries loaded into the program (`LD_PRELOAD`), `:`- or blank-separated: their code
    /// runs, so each is judged as run.
    Preload,
    /// A file of shell code the shell reads before anything else (`BASH_ENV`).
    Sourced,
    /// A directory of hooks the program runs on events (git's `core.hooksPath`).
    Hooks,
    /// `KEY=VALUE` settings (ssh's and apt's `-o`), each read by its key.
    Keys(&'static Keys),
}

/// How a value is spelled, before it is what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// As it is.
    Plain,
    /// Only a value starting with `!` is shell text (git aliases); the `!` goes.
    Bang,
    /// git's credential helpers: `!…` is shell text, an absolute path a command line; any
    /// other value names one of git's own helpers (`store`, `cache --timeout=…`).
    Helper,
    /// A boolean or `none` means no command (`core.fsmonitor=true`, `ProxyCommand none`).
    UnlessSwitch,
    /// less's input preprocessor (`LESSOPEN='|lesspipe %s'`): the leading `-`, `|` or `||`
    /// and the `%s` go.
    LessPipe,
    /// Only a value starting with `|` runs anything (`kernel.core_pattern=|…`, `strace -o '|…'`).
    Pipe,
    /// Several commands, separated by `:` (`BROWSER=firefox:chromium`).
    Colons,
    /// tar's checkpoint actions: only `exec=COMMAND` runs one.
    ExecAction,
    /// The shell that runs code the program hands it (`npm --script-shell`): a known shell is
    /// no command of its own, and its code is the program's business.
    ScriptShell,
}

/// Settings an option takes as `KEY=VALUE`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Keys {
    /// Several settings in one value, separated by commas (`sshfs -o reconnect,ssh_command=…`).
    list: bool,
    /// A blank may separate the key from its value (`ssh -o 'ProxyCommand cmd'`).
    blank: bool,
    /// Keys (lower case, `*` for any text) and what their values hold.
    keys: &'static [(&'static str, Holds, Form)],
}

/// Options of one program that hold commands.
struct Carrier {
    /// As getopt reports them: a letter, or a long name.
    names: &'static [&'static str],
    holds: Holds,
    form: Form,
}

const fn holds(names: &'static [&'static str], holds: Holds) -> Carrier {
    Carrier { names, holds, form: Form::Plain }
}

const fn shaped(names: &'static [&'static str], holds: Holds, form: Form) -> Carrier {
    Carrier { names, holds, form }
}

/// How a program's options are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Options first, then operands (what a wrapper runs).
    Leading,
    /// GNU getopt: options anywhere before `--`.
    Anywhere,
    /// ssh: options before the destination, and again right after it.
    AroundDestination,
}

/// The programs whose options hold commands, with how their options are spelled.
struct Program {
    names: &'static [&'static str],
    spec: Spec<'static>,
    reading: Reading,
    carriers: &'static [Carrier],
}

/// ssh's `-o` settings (also scp's, sftp's, sshfs's and autossh's).
const SSH_KEYS: Keys = Keys {
    list: false,
    blank: true,
    keys: &[
        ("proxycommand", Holds::Shell, Form::UnlessSwitch),
        ("localcommand", Holds::Shell, Form::Plain),
        ("knownhostscommand", Holds::Shell, Form::Plain),
        ("remotecommand", Holds::RemoteShell, Form::Plain),
        ("pkcs11provider", Holds::Preload, Form::UnlessSwitch),
    ],
};

const SSHFS_KEYS: Keys = Keys {
    list: true,
    blank: false,
    keys: &[("ssh_command", Holds::Command, Form::Plain), ("proxycommand", Holds::Shell, Form::UnlessSwitch)],
};

/// apt's configuration items given with `-o` (`APT::Update::Pre-Invoke::=…`); apt runs the
/// invoke hooks with `sh -c`.
const APT_KEYS: Keys = Keys {
    list: false,
    blank: false,
    keys: &[
        ("apt::update::pre-invoke", Holds::Shell, Form::Plain),
        ("apt::update::post-invoke", Holds::Shell, Form::Plain),
        ("apt::update::post-invoke-success", Holds::Shell, Form::Plain),
        ("dpkg::pre-invoke", Holds::Shell, Form::Plain),
        ("dpkg::post-invoke", Holds::Shell, Form::Plain),
        ("dpkg::pre-install-pkgs", Holds::Shell, Form::Plain),
        ("acquire::*::proxyautodetect", Holds::Program, Form::Plain),
        ("apt::key::gpgvcommand", Holds::Program, Form::Plain),
        ("dir::bin::*", Holds::Program, Form::Plain),
    ],
};

/// git's configuration keys whose values git runs (`git -c KEY=VALUE`, `git config KEY VALUE`,
/// `GIT_CONFIG_KEY_n`): pagers, editors and ssh through a shell, helpers and drivers.
const GIT_KEYS: Keys = Keys {
    list: false,
    blank: false,
    keys: &[
        ("alias.*", Holds::Shell, Form::Bang),
        ("core.pager", Holds::Shell, Form::Plain),
        ("pager.*", Holds::Shell, Form::UnlessSwitch),
        ("core.editor", Holds::Shell, Form::Plain),
        ("sequence.editor", Holds::Shell, Form::Plain),
        ("core.sshcommand", Holds::Shell, Form::Plain),
        ("core.fsmonitor", Holds::Shell, Form::UnlessSwitch),
        ("core.hookspath", Holds::Hooks, Form::Plain),
        ("core.askpass", Holds::Program, Form::Plain),
        ("core.gitproxy", Holds::Command, Form::Plain),
        ("diff.external", Holds::Shell, Form::Plain),
        ("diff.*.command", Holds::Shell, Form::Plain),
        ("diff.*.textconv", Holds::Shell, Form::Plain),
        ("merge.*.driver", Holds::Shell, Form::Plain),
        ("filter.*.clean", Holds::Shell, Form::Plain),
        ("filter.*.smudge", Holds::Shell, Form::Plain),
        ("filter.*.process", Holds::Shell, Form::Plain),
        ("difftool.*.cmd", Holds::Shell, Form::Plain),
        ("mergetool.*.cmd", Holds::Shell, Form::Plain),
        ("credential.helper", Holds::Shell, Form::Helper),
        ("credential.*.helper", Holds::Shell, Form::Helper),
        ("gpg.program", Holds::Program, Form::Plain),
        ("gpg.*.program", Holds::Program, Form::Plain),
        ("sendemail.sendmailcmd", Holds::Shell, Form::Plain),
        // A server given as an absolute path is a program git runs as sendmail.
        ("sendemail.smtpserver", Holds::Program, Form::Helper),
        ("browser.*.cmd", Holds::Shell, Form::Plain),
        ("man.*.cmd", Holds::Shell, Form::Plain),
        ("interactive.difffilter", Holds::Shell, Form::Plain),
        ("remote.*.uploadpack", Holds::Shell, Form::Plain),
        ("remote.*.receivepack", Holds::Shell, Form::Plain),
        ("uploadpack.packobjectshook", Holds::Command, Form::Plain),
    ],
};

/// Kernel settings whose value the kernel runs (`sysctl kernel.core_pattern='|cmd'`).
const SYSCTL_KEYS: Keys = Keys {
    list: false,
    blank: false,
    keys: &[
        ("kernel.core_pattern", Holds::Command, Form::Pipe),
        ("kernel.modprobe", Holds::Program, Form::Plain),
        ("kernel.hotplug", Holds::Program, Form::Plain),
        ("kernel.poweroff_cmd", Holds::Command, Form::Plain),
    ],
};

const TAR: Spec<'static> = Spec {
    short_val: "bCfFgHIKLNTVX",
    short_opt: "",
    long_val: &[
        "file",
        "directory",
        "files-from",
        "exclude",
        "exclude-from",
        "label",
        "newer",
        "after-date",
        "newer-mtime",
        "starting-file",
        "info-script",
        "new-volume-script",
        "use-compress-program",
        "to-command",
        "checkpoint-action",
        "blocking-factor",
        "record-size",
        "listed-incremental",
        "tape-length",
        "owner",
        "group",
        "owner-map",
        "group-map",
        "mode",
        "mtime",
        "transform",
        "xform",
        "format",
        "index-file",
        "volno-file",
        "rsh-command",
        "rmt-command",
        "suffix",
        "strip-components",
        "exclude-tag",
        "exclude-tag-all",
        "exclude-tag-under",
        "exclude-ignore",
        "exclude-ignore-recursive",
        "pax-option",
        "quoting-style",
        "quote-chars",
        "no-quote-chars",
        "sparse-version",
        "xattrs-include",
        "xattrs-exclude",
        "warning",
        "level",
    ],
    // Flags whose names start valued ones: `--checkpoint[=N]` is not `--checkpoint-action`.
    long_flag: &["checkpoint", "sparse", "xattrs", "exclude-vcs", "exclude-caches", "exclude-backups", "newer"],
};

const PROGRAMS: &[Program] = &[
    Program {
        names: &["ssh"],
        spec: SSH,
        reading: Reading::AroundDestination,
        carriers: &[holds(&["o"], Holds::Keys(&SSH_KEYS)), holds(&["I"], Holds::Preload)],
    },
    Program {
        names: &["autossh"],
        spec: Spec { short_val: "BbcDEeFIiJLlMmOopQRSWw", ..Spec::NONE },
        reading: Reading::AroundDestination,
        carriers: &[holds(&["o"], Holds::Keys(&SSH_KEYS))],
    },
    Program {
        names: &["scp"],
        spec: Spec { short_val: "cDFiJloPSX", ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["S", "D"], Holds::Program), holds(&["o"], Holds::Keys(&SSH_KEYS))],
    },
    Program {
        names: &["sftp"],
        spec: Spec { short_val: "BbcDFiJloPRSsX", ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["S", "D"], Holds::Program), holds(&["o"], Holds::Keys(&SSH_KEYS))],
    },
    Program {
        names: &["sshfs"],
        spec: Spec { short_val: "opF", ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["o"], Holds::Keys(&SSHFS_KEYS))],
    },
    Program {
        names: &["rsync"],
        spec: Spec {
            short_val: "BefTM@",
            long_val: &[
                "rsh",
                "rsync-path",
                "filter",
                "exclude",
                "include",
                "exclude-from",
                "include-from",
                "files-from",
                "temp-dir",
                "compare-dest",
                "copy-dest",
                "link-dest",
                "backup-dir",
                "suffix",
                "chmod",
                "chown",
                "usermap",
                "groupmap",
                "timeout",
                "contimeout",
                "port",
                "log-file",
                "out-format",
                "password-file",
                "bwlimit",
                "partial-dir",
                "max-delete",
                "max-size",
                "min-size",
                "block-size",
                "remote-option",
                "info",
                "debug",
                "iconv",
            ],
            ..Spec::NONE
        },
        reading: Reading::Anywhere,
        carriers: &[holds(&["e", "rsh"], Holds::Command), holds(&["rsync-path"], Holds::RemoteShell)],
    },
    Program {
        names: &["tar", "gtar"],
        spec: TAR,
        reading: Reading::Anywhere,
        carriers: &[
            holds(&["to-command", "F", "info-script", "new-volume-script"], Holds::Shell),
            shaped(&["checkpoint-action"], Holds::Shell, Form::ExecAction),
            holds(&["I", "use-compress-program"], Holds::Command),
            holds(&["rsh-command", "rmt-command"], Holds::Program),
        ],
    },
    Program {
        names: &["apt-get", "apt", "aptitude", "apt-cache", "apt-mark"],
        spec: Spec {
            short_val: "oct",
            long_val: &["option", "config-file", "target-release", "default-release"],
            ..Spec::NONE
        },
        reading: Reading::Anywhere,
        carriers: &[holds(&["o", "option"], Holds::Keys(&APT_KEYS))],
    },
    Program {
        names: &["dpkg"],
        spec: Spec { long_val: &["pre-invoke", "post-invoke", "admindir", "instdir", "root"], ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["pre-invoke", "post-invoke"], Holds::Shell)],
    },
    Program {
        names: &["man"],
        spec: Spec {
            short_val: "CMPrLmSseREp",
            // `-H[BROWSER]` takes its browser only attached.
            short_opt: "HTX",
            long_val: &[
                "pager",
                "prompt",
                "config-file",
                "manpath",
                "locale",
                "systems",
                "sections",
                "extension",
                "recode",
                "encoding",
                "preprocessor",
            ],
            long_flag: &[],
        },
        reading: Reading::Anywhere,
        carriers: &[holds(&["P", "pager", "H", "html"], Holds::Shell)],
    },
    Program {
        names: &["dnsmasq"],
        spec: Spec { short_val: "6C", long_val: &["conf-script", "dhcp-script", "conf-file"], ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["conf-script"], Holds::Shell), holds(&["6", "dhcp-script"], Holds::Program)],
    },
    Program {
        names: &["restic"],
        spec: Spec { short_val: "rp", long_val: &["password-command", "repo", "password-file"], ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["password-command"], Holds::Command)],
    },
    Program {
        names: &["certbot", "certbot-auto", "letsencrypt"],
        spec: Spec {
            short_val: "dmaiw",
            long_val: &[
                "pre-hook",
                "post-hook",
                "deploy-hook",
                "renew-hook",
                "manual-auth-hook",
                "manual-cleanup-hook",
                "domains",
                "email",
                "webroot-path",
                "cert-name",
                "config-dir",
                "work-dir",
                "logs-dir",
                "server",
                "authenticator",
                "installer",
                "preferred-challenges",
                "key-type",
                "rsa-key-size",
            ],
            ..Spec::NONE
        },
        reading: Reading::Anywhere,
        carriers: &[holds(
            &["pre-hook", "post-hook", "deploy-hook", "renew-hook", "manual-auth-hook", "manual-cleanup-hook"],
            Holds::Shell,
        )],
    },
    Program {
        names: &["tcpdump"],
        spec: Spec { short_val: "BcCEFGijMmQrsTVwWyzZ", ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["z"], Holds::Program)],
    },
    Program {
        names: &["wget"],
        spec: Spec { short_val: "aADeiIlOoPQRtTUwXY", long_val: &["use-askpass"], ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["use-askpass"], Holds::Program)],
    },
    Program {
        names: &["aria2c"],
        spec: Spec {
            short_val: "dioj",
            long_val: &[
                "on-download-complete",
                "on-download-error",
                "on-download-start",
                "on-download-stop",
                "on-download-pause",
                "on-bt-download-complete",
            ],
            ..Spec::NONE
        },
        reading: Reading::Anywhere,
        carriers: &[holds(
            &[
                "on-download-complete",
                "on-download-error",
                "on-download-start",
                "on-download-stop",
                "on-download-pause",
                "on-bt-download-complete",
            ],
            Holds::Program,
        )],
    },
    Program {
        names: &["check_ssl_cert"],
        spec: Spec {
            short_val: "HPpe",
            long_val: &["grep-bin", "openssl", "curl-bin", "file-bin", "date", "host", "port"],
            ..Spec::NONE
        },
        reading: Reading::Anywhere,
        carriers: &[holds(&["grep-bin", "openssl", "curl-bin", "file-bin", "date"], Holds::Program)],
    },
    Program {
        names: &["logrotate"],
        spec: Spec { short_val: "msl", long_val: &["mail", "state", "log"], ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["m", "mail"], Holds::Program)],
    },
    Program {
        names: &["zic"],
        spec: Spec { short_val: "bdlLprtyR", ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["y"], Holds::Program)],
    },
    Program {
        names: &["mysql", "mariadb"],
        // `--pager[=PAGER]` takes its pager only attached.
        spec: Spec::NONE,
        reading: Reading::Anywhere,
        carriers: &[holds(&["pager"], Holds::Shell)],
    },
    Program {
        names: &["npm", "pnpm", "yarn"],
        spec: Spec { long_val: &["script-shell"], ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[shaped(&["script-shell"], Holds::Program, Form::ScriptShell)],
    },
    Program {
        names: &["forge"],
        spec: Spec { long_val: &["use"], ..Spec::NONE },
        reading: Reading::Anywhere,
        carriers: &[holds(&["use"], Holds::Program)],
    },
    Program {
        names: &["strace"],
        spec: STRACE,
        reading: Reading::Leading,
        carriers: &[shaped(&["o", "output"], Holds::Shell, Form::Pipe)],
    },
];

/// Who reads an environment variable.
#[derive(Clone, Copy)]
enum Readers {
    /// Any program it is given to (`NAME=… cmd`, `env NAME=… cmd`) is taken to read it; once
    /// exported, these do.
    Given(&'static [&'static str]),
    /// Only these programs, however it reaches them.
    Only(&'static [&'static str]),
}

/// Environment variables that hold commands.
struct EnvCarrier {
    name: &'static str,
    holds: Holds,
    form: Form,
    readers: Readers,
}

const GIT: &[&str] = &["git"];
const PAGING: &[&str] = &["git", "man", "systemctl", "journalctl", "loginctl", "psql", "mysql", "crash"];
const EDITING: &[&str] =
    &["git", "crontab", "visudo", "sudoedit", "vipe", "vidir", "kubectl", "systemctl", "less", "fc", "edquota"];
const EVERY: &[&str] = &["*"];

const fn env(name: &'static str, holds: Holds, readers: Readers) -> EnvCarrier {
    EnvCarrier { name, holds, form: Form::Plain, readers }
}

const ENV_CARRIERS: &[EnvCarrier] = &[
    env("GIT_SSH_COMMAND", Holds::Shell, Readers::Given(GIT)),
    env("GIT_SSH", Holds::Program, Readers::Given(GIT)),
    env("GIT_EXTERNAL_DIFF", Holds::Shell, Readers::Given(GIT)),
    env("GIT_PAGER", Holds::Shell, Readers::Given(GIT)),
    env("GIT_EDITOR", Holds::Shell, Readers::Given(GIT)),
    env("GIT_SEQUENCE_EDITOR", Holds::Shell, Readers::Given(GIT)),
    env("GIT_ASKPASS", Holds::Program, Readers::Given(GIT)),
    env("GIT_PROXY_COMMAND", Holds::Program, Readers::Given(GIT)),
    env("SSH_ASKPASS", Holds::Program, Readers::Given(&["ssh", "git", "scp", "sftp", "ssh-add"])),
    env("PAGER", Holds::Shell, Readers::Given(PAGING)),
    env("MANPAGER", Holds::Shell, Readers::Given(&["man"])),
    env("SYSTEMD_PAGER", Holds::Shell, Readers::Given(&["systemctl", "journalctl", "loginctl"])),
    env("CRASHPAGER", Holds::Shell, Readers::Given(&["crash"])),
    env("EDITOR", Holds::Shell, Readers::Given(EDITING)),
    env("VISUAL", Holds::Shell, Readers::Given(EDITING)),
    env("SYSTEMD_EDITOR", Holds::Shell, Readers::Given(&["systemctl"])),
    env("KUBE_EDITOR", Holds::Shell, Readers::Given(&["kubectl"])),
    env("SUDO_EDITOR", Holds::Shell, Readers::Given(&["sudoedit", "sudo"])),
    EnvCarrier { name: "LESSOPEN", holds: Holds::Shell, form: Form::LessPipe, readers: Readers::Given(&["less"]) },
    EnvCarrier { name: "LESSCLOSE", holds: Holds::Shell, form: Form::LessPipe, readers: Readers::Given(&["less"]) },
    env("RESTIC_PASSWORD_COMMAND", Holds::Command, Readers::Given(&["restic"])),
    env("AUTOM4TE", Holds::Program, Readers::Given(&["autoconf", "autoheader", "autoreconf", "autom4te", "autoscan"])),
    EnvCarrier { name: "BROWSER", holds: Holds::Shell, form: Form::Colons, readers: Readers::Given(&["xdg-open"]) },
    env("LD_PRELOAD", Holds::Preload, Readers::Given(EVERY)),
    env("LD_AUDIT", Holds::Preload, Readers::Given(EVERY)),
    env("BASH_ENV", Holds::Sourced, Readers::Given(&["bash"])),
    env("ENV", Holds::Sourced, Readers::Only(SHELLS)),
    env("PROMPT_COMMAND", Holds::Shell, Readers::Only(&["bash"])),
];

/// The programs whose options or settings holding commands are read here: what those hold is
/// judged as run, so a rule guessing at commands in options can pass over them.
pub(super) fn carrier_programs() -> Vec<String> {
    const READERS: &[&str] = &[
        "git",
        "vim",
        "vi",
        "nvim",
        "view",
        "ex",
        "vimdiff",
        "gvim",
        "vim.basic",
        "vim.tiny",
        "evim",
        "sed",
        "gsed",
        "m4",
        "expect",
        "zip",
        "sysctl",
        "gtester",
        "run-parts",
        "capsh",
        "service",
    ];
    let table = PROGRAMS.iter().flat_map(|p| p.names.iter());
    READERS.iter().chain(table).map(|s| s.to_string()).collect()
}

/// Whether `name` is a variable whose value a program may run.
/// A variable's value as the shell expands it, as shell text (`: "VALUE"`), when it holds an
/// expansion that runs something (`$(…)`, backquotes).
fn expanded_value(value: &Word) -> Option<Word> {
    let text = value.display();
    if !text.contains("$(") && !text.contains('`') {
        return None;
    }
    let mut parts = vec![Part::Text(": \"".into())];
    match &value.value {
        Value::Literal(t) => parts.push(Part::Text(t.replace('"', "\\\""))),
        Value::Dynamic(ps) => parts.extend(ps.iter().map(|p| match p {
            Part::Text(t) => Part::Text(t.replace('"', "\\\"")),
            other => other.clone(),
        })),
    }
    parts.push(Part::Text("\"".into()));
    Some(Word { value: Value::Dynamic(parts), glob: false, span: value.span })
}

/// An exported bash function (`BASH_FUNC_ls%%='() { …; }'`): a child bash defines it.
fn exported_function(name: &str) -> Option<&str> {
    name.strip_prefix("BASH_FUNC_")?.strip_suffix("%%").filter(|f| !f.is_empty())
}

pub(crate) fn is_env_carrier(name: &str) -> bool {
    exported_function(name).is_some()
        || ENV_CARRIERS.iter().any(|c| c.name == name)
        || matches!(name, "PERL5DB" | "PERL5OPT" | "GIT_CONFIG_PARAMETERS" | "GIT_CONFIG_COUNT")
        || name.starts_with("GIT_CONFIG_KEY_")
        || name.starts_with("GIT_CONFIG_VALUE_")
}

/// The environment variables a program is given that may hold commands, and how each
/// reached it.
pub(crate) struct Given {
    pub(crate) name: String,
    pub(crate) value: Word,
    pub(crate) from: GivenFrom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GivenFrom {
    /// Assigned in front of this very command (`PAGER=… git log`, or by `env`).
    Own,
    /// Assigned in front of a wrapper that runs it (`PAGER=… nice git log`).
    Wrapper,
    /// Exported earlier in the text.
    Exported,
}

/// How a carrier's value is reached, for its `via`.
struct Reach<'a> {
    program: &'a str,
    span: Span,
    /// The machine at the other end, for what runs there.
    remote: Option<String>,
}

impl Reach<'_> {
    fn via(&self, carrier: &str) -> Via {
        Via::Carrier { program: self.program.to_string(), carrier: carrier.to_string() }
    }
}

/// What the options of `inv` (named `name`) that hold commands run. `stdin` is what it reads.
pub(super) fn options(name: &str, inv: &Invocation, stdin: &Stdin) -> Vec<Derived> {
    let args = inv.args.as_slice();
    let reach = Reach { program: name, span: inv.span, remote: None };
    match name {
        "git" => git(args, &reach, inv),
        "vim" | "vi" | "nvim" | "view" | "ex" | "vimdiff" | "gvim" | "vim.basic" | "vim.tiny" | "evim" => {
            vim(args, &reach)
        }
        "sed" | "gsed" => sed(args, &reach),
        "m4" => m4(stdin, &reach),
        "expect" => expect(args, &reach),
        "zip" => zip(args, &reach),
        "sysctl" => sysctl(args, &reach),
        "gtester" => gtester(args),
        "run-parts" => run_parts(args, inv.span),
        "capsh" => capsh(args),
        "service" => service(args),
        "fail2ban-client" => fail2ban(args, &reach),
        "ansible" => ansible(args, &reach),
        "tar" | "gtar" => table(name, &tar_args(args), &reach),
        _ => table(name, args, &reach),
    }
}

/// The carriers of a program in [`PROGRAMS`].
fn table(name: &str, args: &[Word], reach: &Reach) -> Vec<Derived> {
    let Some(p) = PROGRAMS.iter().find(|p| p.names.contains(&name)) else { return Vec::new() };
    let opts = match p.reading {
        Reading::Leading => scan_spec(args, &p.spec).opts,
        Reading::Anywhere => permuted(args, &p.spec).0.opts,
        Reading::AroundDestination => {
            let before = scan_spec(args, &p.spec);
            let mut opts = before.opts;
            if let Some(i) = before.operand {
                opts.extend(scan_spec(&args[i + 1..], &p.spec).opts);
            }
            opts
        }
    };
    let remote = match p.reading {
        Reading::AroundDestination => scan_spec(args, &p.spec).operand.map(|i| args[i].display()),
        // rsync's remote end: the host of the first `host:path` operand.
        _ => permuted(args, &p.spec).1.iter().find_map(|&i| {
            let t = args[i].known_prefix();
            let (host, _) = t.split_once(':')?;
            (!host.is_empty() && !host.contains('/')).then(|| host.to_string())
        }),
    };
    let reach = Reach { remote, ..*reach };
    let mut out = Vec::new();
    for (opt, value) in &opts {
        let Some(value) = value else { continue };
        let Some(c) = p.carriers.iter().find(|c| c.names.contains(&opt.as_str())) else { continue };
        let label = if opt.chars().count() == 1 { format!("-{opt}") } else { format!("--{opt}") };
        out.extend(payload(value, c.holds, c.form, &label, &reach));
    }
    out
}

/// GNU tar's old spelling (`tar czfI out.tgz zstd dir`): the first word is a cluster of
/// letters without a dash, and each letter that takes a value takes the next word in turn.
fn tar_args(args: &[Word]) -> Vec<Word> {
    let Some(first) = args.first().and_then(|w| w.as_literal()) else { return args.to_vec() };
    if first.is_empty() || first.starts_with('-') || !first.chars().all(|c| c.is_ascii_alphabetic()) {
        return args.to_vec();
    }
    let span = args[0].span;
    let mut rest = args[1..].iter();
    let mut out = Vec::new();
    for ch in first.chars() {
        out.push(Word::literal(format!("-{ch}"), span));
        if TAR.short_val.contains(ch) {
            out.extend(rest.next().cloned());
        }
    }
    out.extend(rest.cloned());
    out
}

/// What running a carrier's `value` means, by what it holds.
fn payload(value: &Word, holds: Holds, form: Form, label: &str, reach: &Reach) -> Vec<Derived> {
    if let Holds::Keys(keys) = holds {
        return settings(value, keys, Some(label), reach);
    }
    let Some(value) = shape(value, form) else { return Vec::new() };
    let via = reach.via(label);
    if form == Form::Colons {
        if let Some(text) = value.as_literal() {
            let parts = text.split(':').filter(|p| !p.trim().is_empty());
            return parts
                .flat_map(|p| payload(&Word::literal(p, value.span), holds, Form::Plain, label, reach))
                .collect();
        }
    }
    match holds {
        Holds::Shell | Holds::RemoteShell if value.is_dynamic() => unknown_command(value, via),
        Holds::Shell => shell_code("sh", value, via, VarScope::Fresh),
        Holds::RemoteShell => {
            let host = reach.remote.clone().unwrap_or_else(|| "?".into());
            shell_code("sh", value, Via::Remote { host }, VarScope::Remote)
        }
        Holds::Command => run(split_command(&value), via),
        Holds::Program => run(vec![value], via),
        Holds::Preload => {
            let libs: Vec<Word> = match value.as_literal() {
                Some(t) => t
                    .split(|c: char| c == ':' || c.is_whitespace())
                    .filter(|l| !l.is_empty())
                    .map(|l| Word::literal(l, value.span))
                    .collect(),
                None => vec![value],
            };
            libs.into_iter().flat_map(|l| run(vec![l], via.clone())).collect()
        }
        Holds::Sourced => {
            // The shell expands the value before it opens the file (`BASH_ENV='$(cmd)'` runs cmd).
            let expanded = expanded_value(&value);
            let mut out = vec![Derived::Code {
                code: Code { language: "bash".into(), source: CodeSource::File, text: value, read: None },
                parse: None,
                chdir: Chdir::Stay,
                decoded: None,
            }];
            if let Some(text) = expanded {
                out.extend(shell_code("bash", text, via, VarScope::Fresh));
            }
            out
        }
        Holds::Hooks if harmless_hooks(&value) => Vec::new(),
        Holds::Hooks => {
            let what = format!("the hooks in {}", value.display());
            run(
                vec![Word::unknown(what, "hooks in a directory run on events; guard cannot read them", value.span)],
                via,
            )
        }
        Holds::Keys(_) => Vec::new(),
    }
}

/// A value in the form its carrier spells it, as the command it holds; `None` when it holds
/// none.
fn shape(value: &Word, form: Form) -> Option<Word> {
    let prefix = value.known_prefix();
    let lead = prefix.len() - prefix.trim_start().len();
    let value = match form {
        Form::Plain | Form::Colons => value.clone(),
        Form::Bang => strip_word_prefix(value, lead + prefix.trim_start().strip_prefix('!').map(|_| 1)?),
        Form::Helper => match prefix.trim_start() {
            t if t.starts_with('!') => strip_word_prefix(value, lead + 1),
            t if t.starts_with('/') => value.clone(),
            _ => return None,
        },
        Form::UnlessSwitch => {
            let off = ["", "true", "false", "yes", "no", "on", "off", "1", "0", "none"];
            match value.as_literal() {
                Some(t) if off.contains(&t.trim().to_ascii_lowercase().as_str()) => return None,
                _ => value.clone(),
            }
        }
        Form::LessPipe => {
            let t = prefix.trim_start();
            let t2 = t.strip_prefix('-').unwrap_or(t);
            let t3 = t2.trim_start_matches('|');
            let cut = prefix.len() - t3.len();
            map_text(&strip_word_prefix(value, cut), |s| s.replace("%s", ""))
        }
        Form::Pipe => {
            let t = prefix.trim_start().strip_prefix('|')?;
            strip_word_prefix(value, prefix.len() - t.len())
        }
        Form::ExecAction => {
            let t = prefix.strip_prefix("exec=")?;
            strip_word_prefix(value, prefix.len() - t.len())
        }
        Form::ScriptShell => match value.as_literal() {
            Some(t) if super::is_shell(crate::plan::basename(t.trim())) => return None,
            _ => value.clone(),
        },
    };
    match value.as_literal() {
        Some(t) if t.trim().is_empty() => None,
        _ => Some(value),
    }
}

/// The same word with `f` applied to each piece of known text.
fn map_text(w: &Word, f: impl Fn(&str) -> String) -> Word {
    match &w.value {
        Value::Literal(s) => Word::literal(f(s), w.span),
        Value::Dynamic(parts) => {
            let parts = parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => Part::Text(f(t)),
                    u => u.clone(),
                })
                .collect();
            Word { value: Value::Dynamic(parts), glob: w.glob, span: w.span }
        }
    }
}

/// Hooks kept in the project (`.githooks`, `.husky`) or none at all (`/dev/null`).
fn harmless_hooks(dir: &Word) -> bool {
    let Some(d) = dir.as_literal() else { return false };
    d == "/dev/null" || (!d.starts_with(['/', '~', '$']) && !d.split('/').any(|p| p == ".."))
}

fn run(argv: Vec<Word>, via: Via) -> Vec<Derived> {
    if argv.is_empty() {
        return Vec::new();
    }
    vec![Derived::Run { argv, via, assignments: Vec::new(), chdir: Chdir::Stay }]
}

/// Shell text only known at run time: what it runs cannot be named, so it is run as a
/// program of that (unknown) name.
fn unknown_command(value: Word, via: Via) -> Vec<Derived> {
    run(vec![value], via)
}

/// A command line split into words as a program splits it (no shell: no expansions, no
/// operators). Unknown parts stay unknown inside the word they are in.
fn split_command(w: &Word) -> Vec<Word> {
    match &w.value {
        Value::Literal(t) => split_args(t, w.span),
        Value::Dynamic(parts) => {
            let mut words: Vec<Vec<Part>> = Vec::new();
            let mut open = false;
            for p in parts {
                match p {
                    Part::Text(t) => {
                        for (k, piece) in t.split(char::is_whitespace).enumerate() {
                            if k > 0 {
                                open = false;
                            }
                            if piece.is_empty() {
                                continue;
                            }
                            if !open {
                                words.push(Vec::new());
                                open = true;
                            }
                            words.last_mut().into_iter().for_each(|w| w.push(Part::Text(piece.to_string())));
                        }
                    }
                    u => {
                        if !open {
                            words.push(Vec::new());
                            open = true;
                        }
                        words.last_mut().into_iter().for_each(|w| w.push(u.clone()));
                    }
                }
            }
            words
                .into_iter()
                .map(|ps| {
                    let pieces: Vec<Word> = ps
                        .into_iter()
                        .map(|p| match p {
                            Part::Text(t) => Word::literal(t, w.span),
                            u => Word { value: Value::Dynamic(vec![u]), glob: false, span: w.span },
                        })
                        .collect();
                    join_words(&pieces, "", w.span)
                })
                .collect()
        }
    }
}

/// `KEY=VALUE` settings (or `KEY VALUE` where a blank may separate them), each by its key.
/// A setting whose key is only known at run time may be any of them (`ssh -o "$OPT"`).
fn settings(value: &Word, keys: &Keys, label: Option<&str>, reach: &Reach) -> Vec<Derived> {
    let items: Vec<Word> = match (keys.list, value.as_literal()) {
        (true, Some(t)) => t.split(',').map(|s| Word::literal(s, value.span)).collect(),
        _ => vec![value.clone()],
    };
    let mut out = Vec::new();
    for item in items {
        let text = item.known_prefix();
        // `-o=KEY=VALUE` is `-o KEY=VALUE`.
        let trimmed = text.trim_start().trim_start_matches('=');
        let lead = text.len() - trimmed.len();
        let blank = |c: u8| keys.blank && (c == b' ' || c == b'\t');
        let bytes = trimmed.as_bytes();
        let Some(end) = bytes.iter().position(|&c| c == b'=' || blank(c)) else {
            if let (Some(label), true) = (label, item.is_dynamic()) {
                let what = Word::unknown(item.display(), "a setting named only at run time", item.span);
                out.extend(unknown_command(what, reach.via(label)));
            }
            continue;
        };
        let key = &trimmed[..end];
        // One `=`, with blanks around it where a blank may separate key and value.
        let mut k = end;
        while k < bytes.len() && blank(bytes[k]) {
            k += 1;
        }
        if bytes.get(k) == Some(&b'=') {
            k += 1;
        }
        while k < bytes.len() && blank(bytes[k]) {
            k += 1;
        }
        out.extend(setting(key, &strip_word_prefix(&item, lead + k), keys, reach));
    }
    out
}

/// One setting, by its key.
fn setting(key: &str, value: &Word, keys: &Keys, reach: &Reach) -> Vec<Derived> {
    let norm = normal_key(key);
    match keys.keys.iter().find(|(pattern, _, _)| key_matches(pattern, &norm)) {
        Some(&(_, holds, form)) => payload(value, holds, form, key, reach),
        None => Vec::new(),
    }
}

/// A key as the tables spell it: lower case, without apt's list marks (`Pre-Invoke::`,
/// `Pre-Invoke::0`) and with `/` for `.` (`kernel/core_pattern`).
fn normal_key(key: &str) -> String {
    let mut k = key.trim().to_ascii_lowercase().replace('/', ".");
    loop {
        let trimmed = k.trim_end_matches(|c: char| c.is_ascii_digit());
        match trimmed.strip_suffix("::") {
            Some(t) => k = t.to_string(),
            None => break,
        }
    }
    k
}

/// `pattern` (with `*` for any text) matches all of `key`.
fn key_matches(pattern: &str, key: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == key,
        Some((head, tail)) => {
            key.len() > head.len() + tail.len()
                && key.starts_with(head)
                && (0..=key.len() - head.len())
                    .any(|i| key.get(head.len() + i..).is_some_and(|rest| i > 0 && key_matches(tail, rest)))
        }
    }
}

// git: `-c KEY=VALUE`, `--config-env=KEY=VAR`, `--exec-path=DIR`, `git config KEY VALUE`, and
// the subcommands that take commands of their own (`rebase --exec`, `submodule foreach`, …).

/// git's options before the subcommand that take the next word.
const GIT_VALUED: &[&str] =
    &["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--config-env", "--attr-source"];

fn git(args: &[Word], reach: &Reach, inv: &Invocation) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut exec_path: Option<Word> = None;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if t == "-c" || t == "--config-env" {
            if let Some(kv) = args.get(i + 1) {
                out.extend(git_setting(kv, t == "--config-env", reach, inv));
            }
            i += 2;
            continue;
        }
        if t.starts_with("--config-env=") {
            out.extend(git_setting(&strip_word_prefix(a, "--config-env=".len()), true, reach, inv));
        } else if t.starts_with("-c") && t.len() > 2 {
            out.extend(git_setting(&strip_word_prefix(a, 2), false, reach, inv));
        } else if t.starts_with("--exec-path=") {
            exec_path = Some(strip_word_prefix(a, "--exec-path=".len()));
        } else if GIT_VALUED.contains(&t) {
            i += 1;
        } else if !t.starts_with('-') || a.as_literal() == Some("--") {
            break;
        }
        i += 1;
    }
    let rest = args.get(i..).unwrap_or(&[]);
    let sub = rest.first().and_then(Word::as_literal).unwrap_or("");
    // `--exec-path=DIR` is where git finds `git-SUBCOMMAND`, and runs it.
    if let (Some(dir), false) = (exec_path, sub.is_empty() || sub == "--") {
        let path = join_words(&[dir, Word::literal(format!("/git-{sub}"), reach.span)], "", reach.span);
        out.extend(run(vec![path], reach.via("--exec-path")));
    }
    let rest = rest.get(1..).unwrap_or(&[]);
    match sub {
        "config" => out.extend(git_config(rest, reach)),
        "rebase" => out.extend(git_valued(rest, &["-x", "--exec"], Holds::Shell, reach)),
        "difftool" => out.extend(git_valued(rest, &["-x", "--extcmd"], Holds::Shell, reach)),
        "filter-branch" => out.extend(git_valued(
            rest,
            &[
                "--setup",
                "--tree-filter",
                "--index-filter",
                "--env-filter",
                "--msg-filter",
                "--commit-filter",
                "--parent-filter",
                "--tag-name-filter",
            ],
            Holds::Shell,
            reach,
        )),
        "grep" => {
            for a in rest {
                let t = a.known_prefix();
                let n = if t.starts_with("--open-files-in-pager=") {
                    "--open-files-in-pager=".len()
                } else if t.starts_with("-O") && t.len() > 2 {
                    2
                } else {
                    continue;
                };
                out.extend(payload(&strip_word_prefix(a, n), Holds::Shell, Form::Plain, "-O", reach));
            }
        }
        "clone" | "fetch" | "pull" | "push" | "ls-remote" | "archive" => {
            let carriers = ["-u", "--upload-pack", "--receive-pack", "--exec"];
            out.extend(git_valued(rest, &carriers, Holds::Shell, reach));
            // `git clone -c KEY=VALUE` sets the new repository's configuration, used by the
            // clone itself.
            if sub == "clone" {
                out.extend(git_valued(rest, &["-c", "--config"], Holds::Keys(&GIT_KEYS), reach));
            }
            // `ext::COMMAND ARGS` URLs run a command as the transport.
            for a in rest {
                if let Some(cmd) = a.as_literal().and_then(|t| t.strip_prefix("ext::")) {
                    let argv = ext_words(cmd).into_iter().map(|w| Word::literal(w, a.span)).collect();
                    out.extend(run(argv, reach.via("ext::")));
                }
            }
        }
        "submodule" => {
            let ops: Vec<&Word> = rest.iter().skip_while(|w| w.known_prefix().starts_with('-')).collect();
            if ops.first().and_then(|w| w.as_literal()) == Some("foreach") {
                let cmd: Vec<Word> =
                    ops[1..].iter().skip_while(|w| w.known_prefix().starts_with('-')).map(|w| (*w).clone()).collect();
                if !cmd.is_empty() {
                    let text = join_words(&cmd, " ", reach.span);
                    out.extend(payload(&text, Holds::Shell, Form::Plain, "foreach", reach));
                }
            }
        }
        "bisect" if rest.first().and_then(Word::as_literal) == Some("run") => {
            out.extend(run(rest[1..].to_vec(), reach.via("bisect run")));
        }
        _ => {}
    }
    out
}

/// The words of git's `ext::` command: blanks separate them, `% ` is a blank inside one and
/// `%%` a `%` (`%s` and `%S`, the service, are kept as written).
fn ext_words(cmd: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some(' ') => words.last_mut().into_iter().for_each(|w| w.push(' ')),
                Some('%') => words.last_mut().into_iter().for_each(|w| w.push('%')),
                Some(o) => words.last_mut().into_iter().for_each(|w| w.extend(['%', o])),
                None => {}
            },
            ' ' => words.push(String::new()),
            c => words.last_mut().into_iter().for_each(|w| w.push(c)),
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// `KEY=VALUE` given with `-c` (or `KEY=VARIABLE` with `--config-env`, the value then being
/// that variable's, as given to this command or unknown).
fn git_setting(kv: &Word, from_env: bool, reach: &Reach, inv: &Invocation) -> Vec<Derived> {
    let text = kv.known_prefix();
    let Some((key, _)) = text.split_once('=') else { return Vec::new() };
    let value = strip_word_prefix(kv, key.len() + 1);
    let value = match (from_env, value.as_literal()) {
        (false, _) => value,
        (true, Some(var)) => match inv.assignments.iter().rev().find(|a| a.name == var) {
            Some(a) => a.value.clone(),
            None => Word::unknown(format!("${var}"), "a variable of the environment git is started in", kv.span),
        },
        (true, None) => Word::unknown(kv.display(), "a variable named only at run time", kv.span),
    };
    setting(key, &value, &GIT_KEYS, reach)
}

/// `git config [OPTIONS] KEY VALUE`, `git config set KEY VALUE`, `--add`, `--replace-all`: a
/// command stored for later is judged now.
fn git_config(args: &[Word], reach: &Reach) -> Vec<Derived> {
    const VALUED: &[&str] = &["-f", "--file", "--blob", "--type", "--default", "--comment", "--value", "--url"];
    const READS: &[&str] = &[
        "--get",
        "--get-all",
        "--get-regexp",
        "--get-urlmatch",
        "--get-color",
        "--get-colorbool",
        "--unset",
        "--unset-all",
        "-l",
        "--list",
        "-e",
        "--edit",
        "--rename-section",
        "--remove-section",
        "get",
        "unset",
        "list",
        "edit",
        "rename-section",
        "remove-section",
    ];
    let mut ops = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if READS.contains(&t) {
            return Vec::new();
        }
        if VALUED.contains(&t) {
            i += 2;
            continue;
        }
        if !t.starts_with('-') || a.is_dynamic() {
            ops.push(a);
        }
        i += 1;
    }
    if ops.first().and_then(|w| w.as_literal()) == Some("set") {
        ops.remove(0);
    }
    match ops.as_slice() {
        [key, value, ..] => match key.as_literal() {
            Some(k) => setting(k, value, &GIT_KEYS, reach),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A subcommand's options in `names` (`-x CMD`, `--exec CMD`, `--exec=CMD`), each holding a
/// command.
fn git_valued(args: &[Word], names: &[&str], holds: Holds, reach: &Reach) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if a.as_literal() == Some("--") {
            break;
        }
        if names.contains(&t) {
            if let Some(v) = args.get(i + 1) {
                out.extend(payload(v, holds, Form::Plain, t, reach));
            }
            i += 2;
            continue;
        }
        if let Some(n) = names.iter().find(|n| n.starts_with("--") && t.starts_with(&format!("{n}="))) {
            out.extend(payload(&strip_word_prefix(a, n.len() + 1), holds, Form::Plain, n, reach));
        }
        i += 1;
    }
    out
}

// vim and vi: `-c CMD`, `--cmd CMD` and `+CMD` are Ex commands, some of which run a shell.

fn vim(args: &[Word], reach: &Reach) -> Vec<Derived> {
    const VALUED: &[&str] =
        &["-u", "-U", "-i", "-T", "-w", "-W", "-s", "-t", "-q", "-S", "--startuptime", "--servername", "-r"];
    let mut commands = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if a.as_literal() == Some("--") {
            break;
        }
        if t == "-c" || t == "--cmd" {
            commands.extend(args.get(i + 1).cloned());
            i += 2;
            continue;
        }
        if VALUED.contains(&t) {
            i += 2;
            continue;
        }
        // `+` alone, `+N` and `+/pattern` only move the cursor.
        if let Some(cmd) = t.strip_prefix('+') {
            if !cmd.is_empty() && !cmd.starts_with('/') && !cmd.chars().all(|c| c.is_ascii_digit()) {
                commands.push(strip_word_prefix(a, 1));
            }
        }
        i += 1;
    }
    let mut shell: Option<String> = None;
    let mut out = Vec::new();
    for c in commands {
        match c.as_literal() {
            Some(text) => out.extend(ex_commands(text, &mut shell, c.span, reach)),
            // An Ex command only known at run time may run anything.
            None if c.known_prefix().trim_start_matches([':', ' ']).starts_with('!') => {
                out.extend(unknown_command(c.clone(), reach.via("-c")))
            }
            None => {}
        }
    }
    out
}

/// The Ex commands in `text` (separated by `|`) that run something: `:!cmd`, `:r !cmd`,
/// `:w !cmd`, `:shell`, `:terminal`, `:call system('…')`, `:set shell=…`, and code for an
/// embedded interpreter (`:py3 …`, `:lua …`).
fn ex_commands(text: &str, shell: &mut Option<String>, span: Span, reach: &Reach) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut rest = text;
    let via = || reach.via("-c");
    let user_shell = |shell: &Option<String>| match shell {
        Some(s) => split_args(s, span),
        None => vec![login_shell(span, "vim's :shell starts the user's shell")],
    };
    while !rest.trim().is_empty() {
        let cmd = rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
        // A range (`%`, `1,5`, `.,$`) before a filter (`:%!sort`), and modifiers in front of
        // the command (`:silent !cmd`, `:verbose 2 call …`).
        let mut cmd = cmd.trim_start_matches(|c: char| c.is_ascii_digit() || ",.$%'<>;".contains(c));
        loop {
            let word_len = cmd.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(cmd.len());
            if word_len == 0 || !EX_MODIFIERS.contains(&&cmd[..word_len]) {
                break;
            }
            cmd = cmd[word_len..]
                .trim_start_matches('!')
                .trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
        }
        if let Some(sh) = cmd.strip_prefix('!') {
            // `:!` takes the rest of the line, `|` included.
            let sh = sh.trim_start_matches('!');
            out.extend(payload(&Word::literal(sh, span), Holds::Shell, Form::Plain, "-c", reach));
            return out;
        }
        let name_len = cmd.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(cmd.len());
        let (name, args) = cmd.split_at(name_len);
        let (arg, next) = match name {
            // These take the rest of the line as their argument.
            "py" | "python" | "py3" | "python3" | "pyx" | "pythonx" | "lua" | "perl" | "ruby" | "normal" | "norm"
            | "exe" | "execute" => (args, ""),
            _ => match args.find('|') {
                Some(k) => (&args[..k], &args[k + 1..]),
                None => (args, ""),
            },
        };
        let arg = arg.trim();
        match name {
            "r" | "read" | "w" | "write" if arg.starts_with('!') => {
                out.extend(payload(&Word::literal(&arg[1..], span), Holds::Shell, Form::Plain, "-c", reach));
                return out;
            }
            "sh" | "shell" => out.extend(run(user_shell(shell), via())),
            "ter" | "term" | "terminal" => {
                let words: Vec<&str> = arg.split_whitespace().skip_while(|w| w.starts_with("++")).collect();
                if words.is_empty() {
                    out.extend(run(user_shell(shell), via()));
                } else {
                    let cmd = Word::literal(words.join(" "), span);
                    out.extend(payload(&cmd, Holds::Shell, Form::Plain, "-c", reach));
                }
            }
            "se" | "set" | "setg" | "setglobal" | "setl" | "setlocal" => {
                for setting in vim_settings(arg) {
                    if let Some(v) = setting.strip_prefix("shell=").or_else(|| setting.strip_prefix("sh=")) {
                        *shell = Some(v.to_string());
                    }
                }
            }
            "py" | "python" | "py3" | "python3" | "pyx" | "pythonx" | "lua" | "perl" | "ruby" => {
                let language = match name {
                    "lua" => "lua",
                    "perl" => "perl",
                    "ruby" => "ruby",
                    _ => "python",
                };
                out.push(Derived::Code {
                    code: Code {
                        language: language.into(),
                        source: CodeSource::Argument,
                        text: Word::literal(arg, span),
                        read: None,
                    },
                    parse: None,
                    chdir: Chdir::Stay,
                    decoded: None,
                });
            }
            _ => {
                // `:call system('…')`, `:echo systemlist("…")`, `:exe "!…"`.
                out.extend(vim_system_calls(arg, span, reach));
                if matches!(name, "exe" | "execute") {
                    for s in quoted_strings(arg) {
                        if let Some(sh) = s.trim_start_matches([':', ' ']).strip_prefix('!') {
                            out.extend(payload(&Word::literal(sh, span), Holds::Shell, Form::Plain, "-c", reach));
                        }
                    }
                }
            }
        }
        rest = next;
    }
    out
}

/// Ex command modifiers: the command after them runs as it would alone.
const EX_MODIFIERS: &[&str] = &[
    "silent",
    "sil",
    "unsilent",
    "uns",
    "noautocmd",
    "noa",
    "keepjumps",
    "keepj",
    "keepalt",
    "keepa",
    "keepmarks",
    "kee",
    "keeppatterns",
    "keepp",
    "lockmarks",
    "loc",
    "noswapfile",
    "nos",
    "sandbox",
    "san",
    "verbose",
    "verb",
    "vertical",
    "vert",
    "tab",
    "topleft",
    "to",
    "botright",
    "bo",
    "aboveleft",
    "abo",
    "belowright",
    "bel",
    "leftabove",
    "lefta",
    "rightbelow",
    "rightb",
    "hide",
    "hid",
    "confirm",
    "conf",
    "browse",
    "bro",
];

/// `:set` arguments, blanks escaped with `\` kept in their value (`shell=/bin/sh\ -p`).
fn vim_settings(arg: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = arg.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().into_iter().for_each(|s| s.push(n));
                }
            }
            c if c.is_whitespace() => out.push(String::new()),
            c => out.last_mut().into_iter().for_each(|s| s.push(c)),
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The strings in `'…'` or `"…"` in vim script text.
fn quoted_strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '"' {
            let mut s = String::new();
            let mut closed = false;
            while let Some(n) = chars.next() {
                if n == '\\' && c == '"' {
                    s.extend(chars.next());
                    continue;
                }
                if n == c {
                    closed = true;
                    break;
                }
                s.push(n);
            }
            if closed {
                out.push(s);
            }
        }
    }
    out
}

/// Shell commands in `system(…)`/`systemlist(…)` calls: a literal string is shell text, any
/// other argument a command only known at run time.
fn vim_system_calls(text: &str, span: Span, reach: &Reach) -> Vec<Derived> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("system") {
        let before_ok = text[..at].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
        let after = text[at + "system".len()..].trim_start_matches("list");
        if !before_ok || !after.trim_start().starts_with('(') {
            continue;
        }
        let arg = after.trim_start()[1..].trim_start();
        match quoted_strings(arg).into_iter().next().filter(|_| arg.starts_with(['\'', '"'])) {
            Some(s) => out.extend(payload(&Word::literal(s, span), Holds::Shell, Form::Plain, "-c", reach)),
            None => {
                let why = "the argument of vim's system() is only known at run time";
                out.extend(unknown_command(Word::unknown(arg.to_string(), why, span), reach.via("-c")));
            }
        }
    }
    out
}

// sed: the `e` command runs a shell command (or the pattern space), and so does `s///e`.

const SED: Spec<'static> = Spec {
    short_val: "efl",
    short_opt: "i",
    long_val: &["expression", "file", "line-length"],
    long_flag: &[
        "in-place",
        "sandbox",
        "posix",
        "debug",
        "null-data",
        "zero-terminated",
        "separate",
        "unbuffered",
        "regexp-extended",
        "quiet",
        "silent",
    ],
};

fn sed(args: &[Word], reach: &Reach) -> Vec<Derived> {
    let (s, operands) = permuted(args, &SED);
    // `--sandbox` refuses `e`, `r` and `w`.
    if s.has(&["sandbox"]) {
        return Vec::new();
    }
    let mut scripts: Vec<&Word> =
        s.opts.iter().filter(|(n, _)| n == "e" || n == "expression").filter_map(|(_, v)| v.as_ref()).collect();
    if scripts.is_empty() && !s.has(&["f", "file"]) {
        scripts.extend(operands.first().map(|&i| &args[i]));
    }
    let mut out = Vec::new();
    for script in scripts {
        // A script only known at run time is not read (`sed "s/$a/$b/"` is everyday work).
        let Some(text) = script.as_literal() else { continue };
        for run_what in sed_script(text).unwrap_or_default() {
            match run_what {
                SedRuns::Command(cmd, label) => {
                    out.extend(payload(&Word::literal(cmd, script.span), Holds::Shell, Form::Plain, label, reach))
                }
                SedRuns::PatternSpace(label) => {
                    let what =
                        Word::unknown("the pattern space", "sed runs the text it reads as a command", script.span);
                    out.extend(unknown_command(what, reach.via(label)));
                }
            }
        }
    }
    out
}

enum SedRuns {
    /// `e COMMAND`.
    Command(String, &'static str),
    /// `e` alone, or `s///e`: the text read (after the substitution) runs.
    PatternSpace(&'static str),
}

/// The commands a sed script runs; `None` when it is not a script guard reads.
fn sed_script(text: &str) -> Option<Vec<SedRuns>> {
    let b: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let skip_blank = |i: &mut usize| {
        while *i < b.len() && (b[*i].is_whitespace() || b[*i] == ';') {
            *i += 1;
        }
    };
    let to_eol = |i: &mut usize| -> String {
        let start = *i;
        while *i < b.len() && b[*i] != '\n' {
            *i += 1;
        }
        b[start..*i].iter().collect()
    };
    // A delimited part (`/re/`, `s/a/b/`): up to the unescaped delimiter.
    let delimited = |i: &mut usize, d: char| -> Option<()> {
        while *i < b.len() {
            match b[*i] {
                '\\' => *i += 2,
                c if c == d => {
                    *i += 1;
                    return Some(());
                }
                '\n' => return None,
                _ => *i += 1,
            }
        }
        None
    };
    let address = |i: &mut usize| -> Option<()> {
        match b.get(*i) {
            Some(c) if c.is_ascii_digit() => {
                while b.get(*i).is_some_and(|c| c.is_ascii_digit() || *c == '~') {
                    *i += 1;
                }
            }
            Some('$') => *i += 1,
            Some('/') => {
                *i += 1;
                delimited(i, '/')?;
                while matches!(b.get(*i), Some('I' | 'M')) {
                    *i += 1;
                }
            }
            Some('\\') => {
                let d = *b.get(*i + 1)?;
                *i += 2;
                delimited(i, d)?;
            }
            _ => {}
        }
        Some(())
    };
    loop {
        skip_blank(&mut i);
        if i >= b.len() {
            break;
        }
        address(&mut i)?;
        if b.get(i) == Some(&',') {
            i += 1;
            if matches!(b.get(i), Some('+' | '~')) {
                i += 1;
            }
            address(&mut i)?;
        }
        while matches!(b.get(i), Some(' ' | '\t' | '!')) {
            i += 1;
        }
        let Some(&cmd) = b.get(i) else { break };
        i += 1;
        match cmd {
            '{' | '}' => {}
            '#' | 'a' | 'i' | 'c' | 'r' | 'R' | 'w' | 'W' => {
                to_eol(&mut i);
            }
            ':' | 'b' | 't' | 'T' | 'v' => {
                while i < b.len() && b[i] != '\n' && b[i] != ';' && b[i] != '}' {
                    i += 1;
                }
            }
            'e' => {
                let c = to_eol(&mut i);
                match c.trim() {
                    "" => out.push(SedRuns::PatternSpace("e")),
                    c => out.push(SedRuns::Command(c.to_string(), "e")),
                }
            }
            's' => {
                let d = *b.get(i)?;
                if d == '\n' || d == '\\' {
                    return None;
                }
                i += 1;
                delimited(&mut i, d)?;
                delimited(&mut i, d)?;
                while let Some(&f) = b.get(i) {
                    match f {
                        'e' => {
                            out.push(SedRuns::PatternSpace("s///e"));
                            i += 1;
                        }
                        'w' => {
                            to_eol(&mut i);
                        }
                        'g' | 'p' | 'i' | 'I' | 'm' | 'M' => i += 1,
                        c if c.is_ascii_digit() => i += 1,
                        _ => break,
                    }
                }
            }
            'y' => {
                let d = *b.get(i)?;
                i += 1;
                delimited(&mut i, d)?;
                delimited(&mut i, d)?;
            }
            'q' | 'Q' | 'l' | 'L' => {
                while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == ' ') {
                    i += 1;
                }
            }
            '=' | 'd' | 'D' | 'g' | 'G' | 'h' | 'H' | 'n' | 'N' | 'p' | 'P' | 'x' | 'z' | 'F' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// m4 given literal text on stdin: `syscmd(…)` and `esyscmd(…)` run shell commands.
fn m4(stdin: &Stdin, reach: &Reach) -> Vec<Derived> {
    let Stdin::Text { text, .. } = stdin else { return Vec::new() };
    let Some(text) = text.as_literal() else { return Vec::new() };
    let mut out = Vec::new();
    for name in ["esyscmd(", "syscmd("] {
        for (at, _) in text.match_indices(name) {
            let before = text[..at].trim_end_matches("m4_");
            if name == "syscmd(" && before.ends_with('e') {
                continue;
            }
            if before.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let body = &text[at + name.len()..];
            let mut depth = 0usize;
            let end = body.char_indices().find_map(|(k, c)| match c {
                '(' => {
                    depth += 1;
                    None
                }
                ')' if depth == 0 => Some(k),
                ')' => {
                    depth -= 1;
                    None
                }
                _ => None,
            });
            let cmd: String = body[..end.unwrap_or(body.len())].chars().filter(|c| !matches!(c, '`' | '\'')).collect();
            out.extend(payload(
                &Word::literal(cmd, reach.span),
                Holds::Shell,
                Form::Plain,
                name.trim_end_matches('('),
                reach,
            ));
        }
    }
    out
}

/// expect's code given with `-c`: `spawn PROGRAM ARGS` and `exec PROGRAM ARGS` run a program,
/// `system CMD` runs shell text.
fn expect(args: &[Word], reach: &Reach) -> Vec<Derived> {
    let s = scan_spec(args, &Spec { short_val: "cfb", ..Spec::NONE });
    let mut out = Vec::new();
    for (_, code) in s.opts.iter().filter(|(n, _)| n == "c") {
        let Some(code) = code.as_ref() else { continue };
        let Some(text) = code.as_literal() else { continue };
        for cmd in tcl_commands(text) {
            let Some((first, rest)) = cmd.split_first() else { continue };
            let word = |t: &String| match t.contains(['$', '[']) {
                true => Word::unknown(t.clone(), "a Tcl substitution made at run time", code.span),
                false => Word::literal(t, code.span),
            };
            match first.as_str() {
                "spawn" => {
                    const VALUED: &[&str] = &["-ignore", "-open", "-leaveopen"];
                    let mut k = 0;
                    while let Some(t) = rest.get(k).filter(|t| t.starts_with('-')) {
                        k += if VALUED.contains(&t.as_str()) { 2 } else { 1 };
                    }
                    let argv: Vec<Word> = rest.iter().skip(k).map(word).collect();
                    out.extend(run(argv, reach.via("spawn")));
                }
                "exec" => {
                    let argv: Vec<Word> = rest
                        .iter()
                        .skip_while(|t| t.starts_with('-'))
                        .take_while(|t| !t.starts_with(['|', '<', '>', '2']))
                        .map(word)
                        .collect();
                    out.extend(run(argv, reach.via("exec")));
                }
                "system" => {
                    let text: Vec<Word> = rest.iter().map(word).collect();
                    out.extend(payload(&join_words(&text, " ", code.span), Holds::Shell, Form::Plain, "system", reach));
                }
                _ => {}
            }
        }
    }
    out
}

/// Tcl text as commands of words: `;` and newlines end a command, `{…}` and `"…"` group.
fn tcl_commands(text: &str) -> Vec<Vec<String>> {
    let mut cmds = vec![Vec::new()];
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ';' | '\n' => {
                chars.next();
                cmds.push(Vec::new());
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            _ => {
                let mut w = String::new();
                match c {
                    '{' => {
                        chars.next();
                        let mut depth = 0;
                        for n in chars.by_ref() {
                            match n {
                                '{' => depth += 1,
                                '}' if depth == 0 => break,
                                '}' => depth -= 1,
                                _ => {}
                            }
                            w.push(n);
                        }
                    }
                    '"' => {
                        chars.next();
                        while let Some(n) = chars.next() {
                            match n {
                                '\\' => w.extend(chars.next()),
                                '"' => break,
                                n => w.push(n),
                            }
                        }
                    }
                    _ => {
                        while let Some(&n) = chars.peek() {
                            if n.is_whitespace() || n == ';' {
                                break;
                            }
                            w.push(n);
                            chars.next();
                        }
                    }
                }
                if let Some(cmd) = cmds.last_mut() {
                    cmd.push(w);
                }
            }
        }
    }
    cmds.retain(|c| !c.is_empty());
    cmds
}

/// `zip -TT CMD` / `--unzip-command CMD`: the command that tests the archive, run by a shell.
fn zip(args: &[Word], reach: &Reach) -> Vec<Derived> {
    let mut out = Vec::new();
    for (k, a) in args.iter().enumerate() {
        let t = a.known_prefix();
        if t == "-TT" || t == "--unzip-command" {
            if let Some(v) = args.get(k + 1) {
                out.extend(payload(v, Holds::Shell, Form::Plain, t, reach));
            }
        } else if let Some(n) = ["--unzip-command=", "-TT="].iter().find(|n| t.starts_with(**n)) {
            out.extend(payload(&strip_word_prefix(a, n.len()), Holds::Shell, Form::Plain, "-TT", reach));
        }
    }
    out
}

/// `sysctl [-w] KEY=VALUE…`: kernel settings whose value the kernel runs.
fn sysctl(args: &[Word], reach: &Reach) -> Vec<Derived> {
    let (_, operands) = permuted(args, &Spec { short_val: "pf", long_val: &["load", "pattern"], ..Spec::NONE });
    operands.iter().flat_map(|&i| settings(&args[i], &SYSCTL_KEYS, None, reach)).collect()
}

/// `fail2ban-client set JAIL action ACTION actionban CMD`: CMD runs as shell text when the
/// action fires (on every ban, at start, …).
fn fail2ban(args: &[Word], reach: &Reach) -> Vec<Derived> {
    let words: Vec<&str> = args.iter().map(|w| w.as_literal().unwrap_or("")).collect();
    let Some(at) = words.iter().position(|w| *w == "set") else { return Vec::new() };
    match words.get(at + 2..at + 5) {
        Some([action, _, key]) if *action == "action" && key.starts_with("action") && args.len() > at + 5 => {
            let value = join_words(&args[at + 5..], " ", args[at + 5].span);
            payload(&value, Holds::Shell, Form::Plain, key, reach)
        }
        _ => Vec::new(),
    }
}

/// `ansible PATTERN -m shell|command|raw -a ARGS`: ARGS runs on the hosts of PATTERN (here, for
/// `localhost`); `command` is the module when none is named.
fn ansible(args: &[Word], reach: &Reach) -> Vec<Derived> {
    const VALUED: &[&str] = &[
        "-m",
        "--module-name",
        "-a",
        "--args",
        "-i",
        "--inventory",
        "-u",
        "--user",
        "-e",
        "--extra-vars",
        "-f",
        "--forks",
        "-l",
        "--limit",
        "-M",
        "--module-path",
        "-t",
        "--tree",
        "-B",
        "--background",
        "-P",
        "--poll",
        "-T",
        "--timeout",
        "-c",
        "--connection",
        "--become-user",
        "--become-method",
        "--private-key",
        "--key-file",
        "--vault-id",
        "--vault-password-file",
        "--playbook-dir",
        "--ssh-common-args",
        "--ssh-extra-args",
    ];
    let (mut module, mut code, mut pattern) = (None, None, None);
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        let (opt, attached) = match t.split_once('=') {
            Some((o, _)) if o.starts_with("--") => (o, true),
            _ => (t, false),
        };
        if VALUED.contains(&opt) {
            let value = if attached { Some(strip_word_prefix(a, opt.len() + 1)) } else { args.get(i + 1).cloned() };
            match opt {
                "-m" | "--module-name" => module = value.and_then(|v| v.as_literal().map(str::to_string)),
                "-a" | "--args" => code = value,
                _ => {}
            }
            i += if attached { 1 } else { 2 };
            continue;
        }
        if !t.starts_with('-') && pattern.is_none() {
            pattern = Some(a.display());
        }
        i += 1;
    }
    let module = module.unwrap_or_else(|| "command".into());
    let runs = matches!(module.rsplit('.').next(), Some("shell" | "command" | "raw"));
    let (Some(code), true) = (code, runs) else { return Vec::new() };
    let via = match pattern.as_deref() {
        Some("localhost" | "127.0.0.1") | None => reach.via("-a"),
        Some(hosts) => Via::Remote { host: format!("ansible {hosts}") },
    };
    let scope = if matches!(via, Via::Remote { .. }) { VarScope::Remote } else { VarScope::Fresh };
    shell_code("sh", code, via, scope)
}

/// `gtester [OPTIONS] TEST…`: each test program runs.
fn gtester(args: &[Word]) -> Vec<Derived> {
    let (s, operands) = permuted(args, &Spec { short_val: "mpso", long_val: &["seed"], ..Spec::NONE });
    if s.has(&["h", "help", "v", "version"]) {
        return Vec::new();
    }
    operands.iter().flat_map(|&i| run(vec![args[i].clone()], wrapper("gtester"))).collect()
}

/// `run-parts DIR`: every executable file in the directory runs, none of which guard can see.
fn run_parts(args: &[Word], span: Span) -> Vec<Derived> {
    let spec = Spec { short_val: "ua", long_val: &["umask", "arg", "regex"], ..Spec::NONE };
    let (s, operands) = permuted(args, &spec);
    if s.has(&["test", "list", "h", "help", "V", "version"]) {
        return Vec::new();
    }
    let Some(&dir) = operands.last() else { return Vec::new() };
    let what = format!("each program in {}", args[dir].display());
    run(vec![Word::unknown(what, "run-parts runs every executable file in a directory", span)], wrapper("run-parts"))
}

/// `capsh [OPTIONS] -- [ARGS]`: `/bin/bash` (or `--shell=`'s) runs with the arguments after `--`.
fn capsh(args: &[Word]) -> Vec<Derived> {
    let Some(dash) = args.iter().position(|a| a.as_literal() == Some("--")) else { return Vec::new() };
    let shell = args[..dash]
        .iter()
        .rev()
        .find_map(|a| a.known_prefix().starts_with("--shell=").then(|| strip_word_prefix(a, "--shell=".len())))
        .unwrap_or_else(|| Word::literal("/bin/bash", args[dash].span));
    let mut argv = vec![shell];
    argv.extend(args[dash + 1..].iter().cloned());
    run(argv, wrapper("capsh"))
}

/// `service NAME …` runs `/etc/init.d/NAME`; a name with a slash reaches elsewhere.
fn service(args: &[Word]) -> Vec<Derived> {
    let Some(name) = args.first().and_then(Word::as_literal) else { return Vec::new() };
    if !name.contains('/') || name.starts_with('-') {
        return Vec::new();
    }
    let path = crate::shell::normalize_path(&format!("/etc/init.d/{name}"));
    let mut argv = vec![Word::literal(path, args[0].span)];
    argv.extend(args[1..].iter().cloned());
    run(argv, wrapper("service"))
}

// The environment.

/// Whether `program` is one of `readers` (`*` is every program; a versioned interpreter is
/// its family's).
fn reads(readers: &[&str], program: &str) -> bool {
    let base = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    readers.iter().any(|r| *r == "*" || *r == program || *r == base)
}

/// Builtins the shell runs itself: they start no program, so no variable given them runs
/// anything (`export LD_PRELOAD=…` loads nothing into `export`).
pub(crate) const IN_SHELL: &[&str] = &[
    "export", "declare", "typeset", "readonly", "local", "unset", "cd", "pushd", "popd", "dirs", "echo", "printf",
    "read", "set", "shift", "test", "[", "true", "false", ":", "alias", "unalias", "hash", "type", "umask", "wait",
    "jobs", "let", "return", "exit", "break", "continue", "shopt", "history",
];

/// What the environment variables given to `inv` (named `program`) that hold commands run.
pub(crate) fn from_env(inv: &Invocation, given: &[Given]) -> Vec<Derived> {
    let Some(program) = inv.program_name() else { return Vec::new() };
    if IN_SHELL.contains(&program) {
        return Vec::new();
    }
    let reach = Reach { program, span: inv.span, remote: None };
    let mut out = Vec::new();
    for g in given {
        if let Some(function) = exported_function(&g.name).filter(|_| is_shell(program)) {
            // Defined in the child shell, as if written there: `ls () { …; }`.
            let mut parts = vec![Part::Text(format!("{function} "))];
            match &g.value.value {
                Value::Literal(t) => parts.push(Part::Text(t.clone())),
                Value::Dynamic(ps) => parts.extend(ps.iter().cloned()),
            }
            let text = Word { value: Value::Dynamic(parts), glob: false, span: g.value.span };
            out.extend(shell_code("bash", text, reach.via(&g.name), VarScope::Fresh));
            continue;
        }
        let Some(c) = ENV_CARRIERS.iter().find(|c| c.name == g.name) else { continue };
        let applies = match (c.readers, g.from) {
            (Readers::Given(_), GivenFrom::Own) => true,
            // Judged where it is given, once.
            (Readers::Given(_), GivenFrom::Wrapper) => false,
            (Readers::Given(list), GivenFrom::Exported) => reads(list, program),
            (Readers::Only(list), _) => reads(list, program),
        };
        if applies {
            out.extend(payload(&g.value, c.holds, c.form, c.name, &reach));
        }
    }
    out.extend(git_env(program, given, &reach));
    out.extend(perl_debugger(program, inv, given, &reach));
    out
}

/// git's configuration given in the environment: `GIT_CONFIG_COUNT=N` with
/// `GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, and `GIT_CONFIG_PARAMETERS`.
fn git_env(program: &str, given: &[Given], reach: &Reach) -> Vec<Derived> {
    let applies = |g: &Given| g.from == GivenFrom::Own || (program == "git" && g.from != GivenFrom::Wrapper);
    let mut out = Vec::new();
    for g in given.iter().filter(|g| applies(g)) {
        if let Some(n) = g.name.strip_prefix("GIT_CONFIG_KEY_") {
            let Some(key) = g.value.as_literal() else { continue };
            let value = given.iter().rev().find(|v| v.name == format!("GIT_CONFIG_VALUE_{n}"));
            if let Some(v) = value {
                out.extend(setting(key, &v.value, &GIT_KEYS, reach));
            }
        }
        if g.name == "GIT_CONFIG_PARAMETERS" {
            // `'KEY'='VALUE' 'KEY'='VALUE'`, quoted as the shell quotes.
            let Some(text) = g.value.as_literal() else { continue };
            for kv in split_args(text, g.value.span) {
                let Some(t) = kv.as_literal() else { continue };
                if let Some((k, v)) = t.split_once('=') {
                    out.extend(setting(k, &Word::literal(v, kv.span), &GIT_KEYS, reach));
                }
            }
        }
    }
    out
}

/// `PERL5OPT=-d PERL5DB='CODE' perl …`: perl runs CODE as its debugger.
fn perl_debugger(program: &str, inv: &Invocation, given: &[Given], reach: &Reach) -> Vec<Derived> {
    if !reads(&["perl"], program) {
        return Vec::new();
    }
    let Some(db) = given.iter().rev().find(|g| g.name == "PERL5DB") else { return Vec::new() };
    let opt_d = given.iter().any(|g| g.name == "PERL5OPT" && g.value.known_prefix().contains("-d"));
    let arg_d = inv.args.iter().take_while(|a| a.known_prefix().starts_with('-')).any(|a| {
        let t = a.known_prefix();
        !t.starts_with("--") && t[1..].starts_with('d')
    });
    if !opt_d && !arg_d {
        return Vec::new();
    }
    let argv = vec![Word::literal(program, reach.span), Word::literal("-e", reach.span), db.value.clone()];
    run(argv, reach.via("PERL5DB"))
}

#[cfg(test)]
mod tests {
    use super::{key_matches, normal_key, sed_script, SedRuns};
    use crate::shell::testing::runs;

    fn check(cases: &[(&str, &[&str])]) {
        let mut wrong = Vec::new();
        for (text, want) in cases {
            let got = runs(text);
            if got != *want {
                wrong.push(format!("{text}\n   got: {got:?}\n  want: {want:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn keys_are_read_as_the_tables_spell_them() {
        assert_eq!(normal_key("APT::Update::Pre-Invoke::"), "apt::update::pre-invoke");
        assert_eq!(normal_key("DPkg::Post-Invoke::0"), "dpkg::post-invoke");
        assert_eq!(normal_key("kernel/core_pattern"), "kernel.core_pattern");
        assert!(key_matches("alias.*", "alias.x"));
        assert!(!key_matches("alias.*", "alias."));
        assert!(key_matches("diff.*.command", "diff.my.tool.command"));
        assert!(!key_matches("diff.*.command", "diff.command"));
        assert!(key_matches("dir::bin::*", "dir::bin::dpkg"));
    }

    #[test]
    fn sed_scripts_are_read_for_what_they_run() {
        let read = |t: &str| {
            sed_script(t).map(|v| {
                v.into_iter()
                    .map(|r| match r {
                        SedRuns::Command(c, _) => c,
                        SedRuns::PatternSpace(l) => format!("<{l}>"),
                    })
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(read("1e id"), Some(vec!["id".to_string()]));
        assert_eq!(read("e"), Some(vec!["<e>".to_string()]));
        assert_eq!(read("s/x/y/e"), Some(vec!["<s///e>".to_string()]));
        assert_eq!(read("s|a|b|ge"), Some(vec!["<s///e>".to_string()]));
        assert_eq!(read("s/e/E/g; /x/d"), Some(vec![]));
        assert_eq!(read("/^#/!s/echo/print/"), Some(vec![]));
        assert_eq!(read("1i\\header"), Some(vec![]));
        assert_eq!(read("$a end"), Some(vec![]));
        assert_eq!(read("y/abc/xyz/"), Some(vec![]));
        assert_eq!(read(":a;N;$!ba;s/\\n/ /g"), Some(vec![]));
        assert_eq!(read("1,/re/{p;e date\n}"), Some(vec!["date".to_string()]));
        assert_eq!(read("s/a/b/w out.txt"), Some(vec![]));
        assert_eq!(read("not sed at all"), None);
    }

    /// Options that hold shell text are read one level deeper, as run by that option.
    #[test]
    fn options_holding_shell_text_are_read() {
        check(&[
            (
                "git -c core.pager='rm -rf ~' log",
                &["git -c 'core.pager=rm -rf ~' log", "rm -rf /home/u @core.pager of git"],
            ),
            ("git -c alias.x='!sh' x", &["git -c alias.x=!sh x", "sh @alias.x of git"]),
            ("git -c alias.st=status st", &["git -c alias.st=status st"]),
            ("git -c user.name=x commit -m m", &["git -c user.name=x commit -m m"]),
            ("git -c color.ui=always log", &["git -c color.ui=always log"]),
            ("git -c core.fsmonitor=true status", &["git -c core.fsmonitor=true status"]),
            (
                "git -c core.sshCommand='ssh -i k' fetch",
                &["git -c 'core.sshCommand=ssh -i k' fetch", "ssh -i k @core.sshCommand of git"],
            ),
            ("git -c credential.helper=store push", &["git -c credential.helper=store push"]),
            (
                "git -c credential.helper='!f() { echo x; }; f' push",
                &[
                    "git -c 'credential.helper=!f() { echo x; }; f' push",
                    "echo x @credential.helper of git > function f",
                    "f @credential.helper of git",
                ],
            ),
            (
                "ssh -o ProxyCommand='rm -rf /' x",
                &["ssh -o 'ProxyCommand=rm -rf /' x", "rm -rf / @ProxyCommand of ssh"],
            ),
            ("ssh -oproxycommand='nc %h %p' x", &["ssh '-oproxycommand=nc %h %p' x", "nc %h %p @proxycommand of ssh"]),
            ("ssh -o 'ProxyCommand sh' x", &["ssh -o 'ProxyCommand sh' x", "sh @ProxyCommand of ssh"]),
            ("ssh -o ProxyCommand=none x", &["ssh -o ProxyCommand=none x"]),
            (
                "ssh -o StrictHostKeyChecking=no host uptime",
                &["ssh -o StrictHostKeyChecking=no host uptime", "uptime @ssh host"],
            ),
            ("ssh host -o LocalCommand=id", &["ssh host -o LocalCommand=id", "id @LocalCommand of ssh"]),
            (
                "tar -cf /dev/null /dev/null --checkpoint=1 --checkpoint-action=exec='rm -rf ~'",
                &[
                    "tar -cf /dev/null /dev/null --checkpoint=1 '--checkpoint-action=exec=rm -rf ~'",
                    "rm -rf /home/u @--checkpoint-action of tar",
                ],
            ),
            (
                "tar xf a.tar --to-command='sh -c cat'",
                &[
                    "tar xf a.tar '--to-command=sh -c cat'",
                    "sh -c cat @--to-command of tar",
                    "cat @--to-command of tar > sh -c",
                ],
            ),
            ("tar -cf x.tar --checkpoint-action=dot dir", &["tar -cf x.tar --checkpoint-action=dot dir"]),
            ("zip x.zip f -T -TT 'sh #'", &["zip x.zip f -T -TT 'sh #'", "sh @-TT of zip"]),
            (
                "certbot renew --pre-hook 'systemctl stop nginx'",
                &["certbot renew --pre-hook 'systemctl stop nginx'", "systemctl stop nginx @--pre-hook of certbot"],
            ),
            (
                "apt-get update -o APT::Update::Pre-Invoke::=/bin/sh",
                &[
                    "apt-get update -o APT::Update::Pre-Invoke::=/bin/sh",
                    "/bin/sh @APT::Update::Pre-Invoke:: of apt-get",
                ],
            ),
            (
                "apt-get -oDpkg::Post-Invoke::='rm x' install y",
                &["apt-get '-oDpkg::Post-Invoke::=rm x' install y", "rm x @Dpkg::Post-Invoke:: of apt-get"],
            ),
            (
                "apt-get -o=APT::Update::Pre-Invoke::='rm x' update",
                &["apt-get '-o=APT::Update::Pre-Invoke::=rm x' update", "rm x @APT::Update::Pre-Invoke:: of apt-get"],
            ),
            ("man -P 'sh -c id' ls", &["man -P 'sh -c id' ls", "sh -c id @-P of man", "id @-P of man > sh -c"]),
            ("man '-H/bin/sh #' man", &["man '-H/bin/sh #' man", "/bin/sh @-H of man"]),
            (
                "dnsmasq --conf-script='/path/to/command 1>&2'",
                &["dnsmasq '--conf-script=/path/to/command 1>&2'", "/path/to/command @--conf-script of dnsmasq"],
            ),
            ("strace -o '|sh' ls", &["strace -o |sh ls", "ls @run by strace", "sh @-o of strace"]),
            ("strace -o out.txt ls", &["strace -o out.txt ls", "ls @run by strace"]),
        ]);
    }

    /// Options that hold a command line or a program's path run it as an invocation.
    #[test]
    fn options_holding_programs_run_them() {
        check(&[
            ("scp -S /path/to/command x x:", &["scp -S /path/to/command x x:", "/path/to/command @-S of scp"]),
            (
                "rsync -e 'ssh -p 2222' -a src host:dst",
                &["rsync -e 'ssh -p 2222' -a src host:dst", "ssh -p 2222 @-e of rsync"],
            ),
            ("rsync -avze ssh src host:dst", &["rsync -avze ssh src host:dst", "ssh @-e of rsync"]),
            (
                "rsync --rsync-path='sudo rsync' a host:b",
                &["rsync '--rsync-path=sudo rsync' a host:b", "sudo rsync @ssh host", "rsync @ssh host > run by sudo"],
            ),
            ("tar -I zstd -cf x.tar.zst dir", &["tar -I zstd -cf x.tar.zst dir", "zstd @-I of tar"]),
            ("tar cIf zstd x.tar.zst dir", &["tar cIf zstd x.tar.zst dir", "zstd @-I of tar"]),
            (
                "sshfs -o reconnect,ssh_command=/path/to/command x: /mnt",
                &["sshfs -o reconnect,ssh_command=/path/to/command x: /mnt", "/path/to/command @ssh_command of sshfs"],
            ),
            (
                "restic --password-command='/bin/sh -c id' backup",
                &[
                    "restic '--password-command=/bin/sh -c id' backup",
                    "/bin/sh -c id @--password-command of restic",
                    "id @--password-command of restic > sh -c",
                ],
            ),
            (
                "tcpdump -ln -i lo -w /dev/null -W 1 -G 1 -z /path/to/command",
                &["tcpdump -ln -i lo -w /dev/null -W 1 -G 1 -z /path/to/command", "/path/to/command @-z of tcpdump"],
            ),
            (
                "wget --use-askpass=/path/to/command 0",
                &["wget --use-askpass=/path/to/command 0", "/path/to/command @--use-askpass of wget"],
            ),
            (
                "aria2c --on-download-error=/path/to/command http://x",
                &[
                    "aria2c --on-download-error=/path/to/command http://x",
                    "/path/to/command @--on-download-error of aria2c",
                ],
            ),
            (
                "check_ssl_cert --grep-bin /path/to/command -H x",
                &["check_ssl_cert --grep-bin /path/to/command -H x", "/path/to/command @--grep-bin of check_ssl_cert"],
            ),
            (
                "logrotate -m /path/to/command -f conf",
                &["logrotate -m /path/to/command -f conf", "/path/to/command @-m of logrotate"],
            ),
            ("zic -d . -y /path/to/command f", &["zic -d . -y /path/to/command f", "/path/to/command @-y of zic"]),
            (
                "sysctl 'kernel.core_pattern=|/tmp/handler %p'",
                &["sysctl 'kernel.core_pattern=|/tmp/handler %p'", "/tmp/handler %p @kernel.core_pattern of sysctl"],
            ),
            ("sysctl -w kernel.core_pattern=core.%p", &["sysctl -w kernel.core_pattern=core.%p"]),
            ("sysctl -w vm.swappiness=10", &["sysctl -w vm.swappiness=10"]),
            ("ssh -I /tmp/lib.so host", &["ssh -I /tmp/lib.so host", "/tmp/lib.so @-I of ssh"]),
            ("npm run build --script-shell bash", &["npm run build --script-shell bash"]),
            ("npm run x --script-shell=/tmp/x", &["npm run x --script-shell=/tmp/x", "/tmp/x @--script-shell of npm"]),
        ]);
    }

    /// A script written earlier in the text and named as the program an option runs is read.
    #[test]
    fn a_program_written_earlier_is_read_when_an_option_runs_it() {
        let text = "echo 'exec /bin/sh 0<&2 1>&2' >/tmp/f; chmod +x /tmp/f; scp -S /tmp/f x x:";
        assert_eq!(
            runs(text),
            [
                "echo 'exec /bin/sh 0<&2 1>&2'",
                "chmod +x /tmp/f",
                "scp -S /tmp/f x x:",
                "/tmp/f @-S of scp",
                "exec /bin/sh @-S of scp > script /tmp/f written earlier in this text",
                "/bin/sh @-S of scp > script /tmp/f written earlier in this text > run by exec",
            ]
        );
    }

    #[test]
    fn vim_ex_commands_that_run_a_shell_are_read() {
        check(&[
            ("vim -c ':!/bin/sh' f", &["vim -c :!/bin/sh f", "/bin/sh @-c of vim"]),
            ("vi -c '!rm x'", &["vi -c '!rm x'", "rm x @-c of vi"]),
            ("vim '+:!id | cat'", &["vim '+:!id | cat'", "id @-c of vim", "cat @-c of vim"]),
            ("vi -c ':shell'", &["vi -c :shell", "‹$SHELL› @-c of vi"]),
            (
                "vi -c ':set shell=/bin/sh\\ -p | shell'",
                &["vi -c ':set shell=/bin/sh\\ -p | shell'", "/bin/sh -p @-c of vi"],
            ),
            ("vi -c ':terminal /bin/sh'", &["vi -c ':terminal /bin/sh'", "/bin/sh @-c of vi"]),
            ("vim -c \":call system('rm x')\"", &["vim -c ':call system('rm x')'", "rm x @-c of vim"]),
            ("vim -c ':%!sort' f", &["vim -c :%!sort f", "sort @-c of vim"]),
            ("vim -c 'silent !rm x' f", &["vim -c 'silent !rm x' f", "rm x @-c of vim"]),
            ("vim -c 'sil! exe \"!rm x\"' f", &["vim -c 'sil! exe \"!rm x\"' f", "rm x @-c of vim"]),
            ("vim -c 'tabnew' f", &["vim -c tabnew f"]),
            ("vim -c 'set number' f", &["vim -c 'set number' f"]),
            ("vim +42 f", &["vim +42 f"]),
            ("vim +/pattern f", &["vim +/pattern f"]),
            ("nvim +Man! ls", &["nvim +Man! ls"]),
            ("vim -c 'wq' f", &["vim -c wq f"]),
        ]);
    }

    #[test]
    fn programs_reading_commands_from_their_input_or_code_are_read() {
        check(&[
            ("sed -n '1e id' /etc/hosts", &["sed -n '1e id' /etc/hosts", "id @e of sed"]),
            ("sed e", &["sed e", "'‹the pattern space›' @e of sed"]),
            ("sed 's/.*/date/e' f", &["sed s/.*/date/e f", "'‹the pattern space›' @s///e of sed"]),
            ("sed -i 's/foo/bar/g' f", &["sed -i s/foo/bar/g f"]),
            ("sed -e '/x/d' -e 's/e/E/' f", &["sed -e /x/d -e s/e/E/ f"]),
            ("sed --sandbox 'e id'", &["sed --sandbox 'e id'"]),
            (
                "echo 'esyscmd(/bin/sh 0<&2 1>&2)' | m4",
                &["echo 'esyscmd(/bin/sh 0<&2 1>&2)'", "m4", "/bin/sh @esyscmd of m4"],
            ),
            ("m4 <<< 'syscmd(`rm x'\\'')'", &["m4", "rm x @syscmd of m4"]),
            ("expect -c 'spawn /bin/sh;interact'", &["expect -c 'spawn /bin/sh;interact'", "/bin/sh @spawn of expect"]),
            (
                "expect -c 'spawn -noecho ssh host; expect eof'",
                &["expect -c 'spawn -noecho ssh host; expect eof'", "ssh host @spawn of expect"],
            ),
        ]);
    }

    #[test]
    fn programs_that_run_others_are_unwrapped() {
        check(&[
            ("capsh --", &["capsh --", "/bin/bash @run by capsh"]),
            (
                "capsh --shell=/bin/sh -- -c id",
                &["capsh --shell=/bin/sh -- -c id", "/bin/sh -c id @run by capsh", "id @run by capsh > sh -c"],
            ),
            ("capsh --print", &["capsh --print"]),
            ("gtester -q /tmp/t", &["gtester -q /tmp/t", "/tmp/t @run by gtester"]),
            (
                "run-parts /etc/cron.daily",
                &["run-parts /etc/cron.daily", "'‹each program in /etc/cron.daily›' @run by run-parts"],
            ),
            ("run-parts --test /etc/cron.daily", &["run-parts --test /etc/cron.daily"]),
            ("service ../../bin/sh", &["service ../../bin/sh", "/bin/sh @run by service"]),
            ("service nginx restart", &["service nginx restart"]),
        ]);
    }

    /// git's configuration stored for later, and its subcommands that take commands.
    #[test]
    fn git_commands_stored_or_run_by_subcommands_are_read() {
        check(&[
            ("git config --global alias.x '!rm x'", &["git config --global alias.x '!rm x'", "rm x @alias.x of git"]),
            ("git config core.pager 'less -R'", &["git config core.pager 'less -R'", "less -R @core.pager of git"]),
            ("git config set core.editor vim", &["git config set core.editor vim", "vim @core.editor of git"]),
            ("git config --get core.pager", &["git config --get core.pager"]),
            (
                "git config --global alias.unstage 'reset HEAD --'",
                &["git config --global alias.unstage 'reset HEAD --'"],
            ),
            (
                "git config credential.helper 'cache --timeout=3600'",
                &["git config credential.helper 'cache --timeout=3600'"],
            ),
            (
                "git clone -c core.sshCommand='ssh -i k' r",
                &["git clone -c 'core.sshCommand=ssh -i k' r", "ssh -i k @core.sshCommand of git"],
            ),
            ("git clone --config=core.pager=sh r", &["git clone --config=core.pager=sh r", "sh @core.pager of git"]),
            ("git commit -c HEAD", &["git commit -c HEAD"]),
            ("git rebase --exec 'make test' main", &["git rebase --exec 'make test' main", "make test @--exec of git"]),
            ("git submodule foreach git pull", &["git submodule foreach git pull", "git pull @foreach of git"]),
            ("git bisect run ./t.sh a", &["git bisect run ./t.sh a", "./t.sh a @bisect run of git"]),
            (
                "git --exec-path=/tmp/x status",
                &["git --exec-path=/tmp/x status", "/tmp/x/git-status @--exec-path of git"],
            ),
            ("git -c core.hooksPath=.githooks commit", &["git -c core.hooksPath=.githooks commit"]),
            (
                "git -c core.hooksPath=/tmp/h commit",
                &["git -c core.hooksPath=/tmp/h commit", "'‹the hooks in /tmp/h›' @core.hooksPath of git"],
            ),
            (
                "git clone 'ext::sh -c touch% /tmp/p' x",
                &[
                    "git clone 'ext::sh -c touch% /tmp/p' x",
                    "sh -c 'touch /tmp/p' @ext:: of git",
                    "touch /tmp/p @ext:: of git > sh -c",
                ],
            ),
        ]);
    }

    /// Variables that hold commands, given in front of a command (or by `env`), exported, or
    /// given to a wrapper of a program that reads them.
    #[test]
    fn environment_variables_holding_commands_are_read() {
        check(&[
            ("PAGER=cat git log", &["git log", "cat @PAGER given to git"]),
            ("GIT_PAGER= git log", &["git log"]),
            ("EDITOR=vim git commit", &["git commit", "vim @EDITOR given to git"]),
            (
                "PAGER='/bin/sh -c \"exec sh 0<&1\"' git -p help",
                &[
                    "git -p help",
                    "/bin/sh -c 'exec sh 0<&1' @PAGER given to git",
                    "exec sh @PAGER given to git > sh -c",
                    "sh @PAGER given to git > sh -c > run by exec",
                ],
            ),
            (
                "LESSOPEN='/path/to/command # %s' less /etc/hosts",
                &["less /etc/hosts", "/path/to/command @LESSOPEN given to less"],
            ),
            ("LESSOPEN='|lesspipe %s' less f", &["less f", "lesspipe @LESSOPEN given to less"]),
            (
                "RESTIC_PASSWORD_COMMAND=/path/to/command restic backup",
                &["restic backup", "/path/to/command @RESTIC_PASSWORD_COMMAND given to restic"],
            ),
            (
                "env GIT_SSH_COMMAND='rm -rf ~' git fetch",
                &[
                    "env 'GIT_SSH_COMMAND=rm -rf ~' git fetch",
                    "git fetch @run by env",
                    "rm -rf /home/u @run by env > GIT_SSH_COMMAND given to git",
                ],
            ),
            ("LD_PRELOAD=/tmp/x.so ls", &["ls", "/tmp/x.so @LD_PRELOAD given to ls"]),
            (
                "export GIT_SSH_COMMAND='rm x'; git fetch",
                &["export 'GIT_SSH_COMMAND=rm x'", "git fetch", "rm x @GIT_SSH_COMMAND given to git"],
            ),
            ("export EDITOR=vim; ls", &["export EDITOR=vim", "ls"]),
            (
                "export LD_PRELOAD=/tmp/x.so; ls",
                &["export LD_PRELOAD=/tmp/x.so", "ls", "/tmp/x.so @LD_PRELOAD given to ls"],
            ),
            ("ENV=production npm start", &["npm start"]),
            ("ENV=/tmp/x sh -i", &["sh -i"]),
            (
                "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0='rm x' git log",
                &["git log", "rm x @core.pager of git"],
            ),
            (
                "PERL5OPT=-d PERL5DB='exec \"/bin/sh\"' perl /dev/null",
                &[
                    "perl /dev/null",
                    "perl -e 'exec \"/bin/sh\"' @PERL5DB given to perl",
                    "/bin/sh @PERL5DB given to perl > perl code exec \"/bin/sh\"",
                ],
            ),
            ("PAGER=\"less $X\" git log", &["git log", "'less ‹$X›' @PAGER given to git"]),
            (
                "AUTOM4TE=x nice autoreconf",
                &["nice autoreconf", "autoreconf @run by nice", "x @AUTOM4TE given to nice"],
            ),
        ]);
    }
}
