//! Files a tool runs code from: `npm install` runs package.json's install scripts, `make` the
//! Makefile's recipes, `bundle` evaluates the Gemfile, `wg-quick up` a config's PostUp, a unit's
//! ExecStart. When the text wrote such a file earlier, the code in it is judged like any other.

use crate::plan::Invocation;

use super::getopt::{scan_spec, Spec};

/// How the code sits in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Holds {
    /// The whole file is shell (a sourced config).
    Shell,
    /// The whole file is code in this language.
    Code(&'static str),
    /// package.json / composer.json `scripts` entries with these names run as shell.
    Scripts(Vec<String>),
    /// Makefile recipe lines run as shell.
    Recipes,
    /// `KEY = command` lines (INI, systemd units); a leading `-`/`@`/`+`/`!` is a flag.
    Keys(&'static [&'static str]),
    /// `execute_process(COMMAND a b c)` in CMake.
    CmakeProcesses,
    /// `shell:` / `command:` values anywhere in a YAML playbook.
    YamlCommands,
    /// fastfetch modules of type `command`: their `text` runs as shell.
    FastfetchCommands,
    /// rsyslog actions that pipe to a program (`^/path/prog`, `binary="…"`).
    RsyslogPrograms,
    /// libvirt domain XML: `<script path='…'/>` runs when an interface comes up.
    DomainScripts,
    /// APT configuration: the quoted commands of `…::Pre-Invoke`, `…::Post-Invoke` and
    /// `DPkg::Pre-Install-Pkgs` entries.
    AptHooks,
}

/// A file the command reads code from, named as the tool would open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProjectFile {
    pub(crate) path: String,
    pub(crate) holds: Holds,
}

const INSTALL_SCRIPTS: &[&str] = &["preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare"];
const UNIT_KEYS: &[&str] =
    &["ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost", "ExecReload", "ExecCondition"];
const WG_KEYS: &[&str] = &["PreUp", "PostUp", "PreDown", "PostDown"];
const FAIL2BAN_KEYS: &[&str] =
    &["actionstart", "actionstop", "actioncheck", "actionban", "actionunban", "actionflush", "actionrepair"];

fn file(path: impl Into<String>, holds: Holds) -> ProjectFile {
    ProjectFile { path: path.into(), holds }
}

fn in_dir(dir: Option<&str>, name: &str) -> String {
    match dir {
        Some(d) if !d.is_empty() => format!("{}/{name}", d.trim_end_matches('/')),
        _ => name.to_string(),
    }
}

/// The files `inv` runs code from.
pub(crate) fn project_files(inv: &Invocation) -> Vec<ProjectFile> {
    const TOOLS: &[&str] = &[
        "npm",
        "pnpm",
        "yarn",
        "bun",
        "composer",
        "make",
        "gmake",
        "bundle",
        "bundler",
        "cmake",
        "wg-quick",
        "systemctl",
        "ansible-playbook",
        "neofetch",
        "easyrsa",
        "fail2ban-client",
        "fail2ban-server",
        "fastfetch",
        "acr",
        "rsyslogd",
        "virsh",
        "bpftrace",
        "apt",
        "apt-get",
    ];
    let Some(name) = inv.program_name().filter(|n| TOOLS.contains(n)) else { return Vec::new() };
    let args: Vec<&str> = inv.args.iter().map(|w| w.as_literal().unwrap_or("\u{0}")).collect();
    // Operands, past the options that take a value as the next word.
    const VALUED: &[&str] = &[
        "-C",
        "--prefix",
        "--cwd",
        "--dir",
        "-w",
        "--workspace",
        "--filter",
        "-F",
        "-d",
        "--working-dir",
        "-f",
        "--file",
        "--makefile",
        "--directory",
        "--gemfile",
        "-S",
        "-B",
        "-G",
        "--config",
        "--vars",
        "-i",
        "--inventory",
        "-e",
        "--extra-vars",
        "-u",
        "--user",
    ];
    let mut operands: Vec<&str> = Vec::new();
    let mut skip = false;
    for a in &args {
        if skip {
            skip = false;
        } else if VALUED.contains(a) {
            skip = true;
        } else if !a.starts_with('-') {
            operands.push(a);
        }
    }
    let value_of = |names: &[&str]| -> Option<String> {
        for (i, a) in args.iter().enumerate() {
            for n in names {
                if a == n {
                    return args.get(i + 1).map(|v| v.to_string());
                }
                if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                    return Some(v.to_string());
                }
            }
        }
        None
    };
    match name {
        "npm" | "pnpm" | "yarn" | "bun" => {
            let dir = value_of(&["-C", "--prefix", "--cwd", "--dir"]);
            let sub = operands.first().copied();
            let scripts: Vec<String> = match (name, sub) {
                (_, Some("install" | "i" | "ci" | "add" | "isntall" | "rebuild")) | ("yarn", None) => {
                    INSTALL_SCRIPTS.iter().map(|s| s.to_string()).collect()
                }
                (_, Some("run" | "run-script" | "rum" | "urn")) => match operands.get(1) {
                    Some(s) => vec![format!("pre{s}"), s.to_string(), format!("post{s}")],
                    None => return Vec::new(),
                },
                // `npm install-test` installs, then tests; `npm pack` and `npm publish` prepare.
                (_, Some("install-test" | "it")) => INSTALL_SCRIPTS
                    .iter()
                    .map(|s| s.to_string())
                    .chain(["pretest", "test", "posttest"].map(String::from))
                    .collect(),
                (_, Some("pack" | "publish")) => {
                    ["prepack", "prepare", "postpack", "prepublishOnly", "prepublish", "publish", "postpublish"]
                        .map(String::from)
                        .to_vec()
                }
                (_, Some("version")) => ["preversion", "version", "postversion"].map(String::from).to_vec(),
                (_, Some(s @ ("test" | "start" | "stop" | "restart" | "t" | "tst"))) => {
                    let s = if s.starts_with('t') { "test" } else { s };
                    vec![format!("pre{s}"), s.to_string(), format!("post{s}")]
                }
                // `yarn build`, `pnpm build`, `bun run build`: a script by its name.
                ("yarn" | "pnpm", Some(s)) => vec![format!("pre{s}"), s.to_string(), format!("post{s}")],
                _ => return Vec::new(),
            };
            vec![file(in_dir(dir.as_deref(), "package.json"), Holds::Scripts(scripts))]
        }
        "composer" => {
            let dir = value_of(&["-d", "--working-dir"]);
            let scripts: Vec<String> = match operands.first().copied() {
                Some("install" | "update" | "i" | "u" | "require") => {
                    ["pre-install-cmd", "post-install-cmd", "pre-update-cmd", "post-update-cmd", "post-autoload-dump"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                }
                Some("run-script" | "run") => operands.get(1).map(|s| vec![s.to_string()]).unwrap_or_default(),
                _ => return Vec::new(),
            };
            vec![file(in_dir(dir.as_deref(), "composer.json"), Holds::Scripts(scripts))]
        }
        "make" | "gmake" => {
            let dir = value_of(&["-C", "--directory"]);
            match value_of(&["-f", "--file", "--makefile"]) {
                Some(f) => vec![file(in_dir(dir.as_deref(), &f), Holds::Recipes)],
                None => ["GNUmakefile", "makefile", "Makefile"]
                    .iter()
                    .map(|n| file(in_dir(dir.as_deref(), n), Holds::Recipes))
                    .collect(),
            }
        }
        "bundle" | "bundler" => match operands.first().copied() {
            None | Some("install" | "exec" | "update" | "check" | "lock" | "add") => {
                vec![file(value_of(&["--gemfile"]).unwrap_or_else(|| "Gemfile".into()), Holds::Code("ruby"))]
            }
            _ => Vec::new(),
        },
        "cmake" => {
            // `cmake -B build` alone configures the source in the working directory.
            let source = value_of(&["-S"])
                .or_else(|| operands.first().map(|s| s.to_string()))
                .or_else(|| value_of(&["-B"]).map(|_| ".".to_string()));
            match source {
                Some(dir) => vec![file(in_dir(Some(&dir), "CMakeLists.txt"), Holds::CmakeProcesses)],
                None => Vec::new(),
            }
        }
        "wg-quick" => match (operands.first().copied(), operands.get(1)) {
            (Some("up" | "down" | "strip" | "save"), Some(conf)) if conf.contains('/') || conf.ends_with(".conf") => {
                vec![file(*conf, Holds::Keys(WG_KEYS))]
            }
            _ => Vec::new(),
        },
        "systemctl" => match operands.first().copied() {
            Some("link" | "enable" | "start" | "restart" | "reenable") => {
                operands[1..].iter().filter(|u| u.contains('/')).map(|u| file(*u, Holds::Keys(UNIT_KEYS))).collect()
            }
            _ => Vec::new(),
        },
        "ansible-playbook" => operands.iter().map(|p| file(*p, Holds::YamlCommands)).collect(),
        "neofetch" => value_of(&["--config"]).map(|f| vec![file(f, Holds::Shell)]).unwrap_or_default(),
        "easyrsa" => value_of(&["--vars"]).map(|f| vec![file(f, Holds::Shell)]).unwrap_or_default(),
        // Every action file in the configuration directory (`*` matches any name).
        "fail2ban-client" | "fail2ban-server" => value_of(&["-c"])
            .map(|d| vec![file(in_dir(Some(&d), "action.d/*.conf"), Holds::Keys(FAIL2BAN_KEYS))])
            .unwrap_or_default(),
        "apt" | "apt-get" => {
            value_of(&["-c", "--config-file"]).map(|f| vec![file(f, Holds::AptHooks)]).unwrap_or_default()
        }
        "fastfetch" => {
            value_of(&["-c", "--config"]).map(|f| vec![file(f, Holds::FastfetchCommands)]).unwrap_or_default()
        }
        "acr" => value_of(&["-r"]).map(|f| vec![file(f, Holds::Recipes)]).unwrap_or_default(),
        "rsyslogd" => value_of(&["-f"]).map(|f| vec![file(f, Holds::RsyslogPrograms)]).unwrap_or_default(),
        "virsh" => match operands.iter().position(|o| matches!(*o, "create" | "define")) {
            Some(i) => operands.get(i + 1).map(|f| vec![file(*f, Holds::DomainScripts)]).unwrap_or_default(),
            None => Vec::new(),
        },
        "bpftrace" => {
            let s = scan_spec(&inv.args, &Spec { short_val: "eopBfIclkd", ..Spec::NONE });
            s.operand
                .and_then(|i| inv.args[i].as_literal())
                .map(|f| vec![file(f, Holds::Code("awk"))])
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// The code in a file of this kind: `(language, text)` pieces, `sh` for shell.
pub(crate) fn code_in(holds: &Holds, text: &str) -> Vec<(&'static str, String)> {
    match holds {
        Holds::Shell => vec![("sh", text.to_string())],
        Holds::Code(lang) => vec![(lang, text.to_string())],
        Holds::Scripts(names) => {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
                // Not JSON the tool can read: it runs nothing, or fails.
                return Vec::new();
            };
            let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else { return Vec::new() };
            names
                .iter()
                .filter_map(|n| scripts.get(n))
                .flat_map(|v| match v {
                    serde_json::Value::String(s) => vec![s.clone()],
                    serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                    _ => Vec::new(),
                })
                .map(|s| ("sh", s))
                .collect()
        }
        Holds::Recipes => {
            let mut out = Vec::new();
            // `$(shell cmd)` runs when make reads the file, wherever it stands.
            let mut rest = text;
            while let Some(at) = rest.find("$(shell ") {
                let body = &rest[at + 8..];
                let mut depth = 1;
                let end = body
                    .char_indices()
                    .find(|&(_, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .map_or(body.len(), |(i, _)| i);
                out.push(("sh", body[..end].replace("$$", "$")));
                rest = &body[end..];
            }
            for line in text.lines() {
                if let Some(recipe) = line.strip_prefix('\t') {
                    let cmd = recipe.trim_start_matches(['@', '-', '+']);
                    if !cmd.trim().is_empty() {
                        out.push(("sh", cmd.replace("$$", "$")));
                    }
                } else if let Some((_, rest)) =
                    line.split_once(';').filter(|(head, _)| head.contains(':') && !head.contains('='))
                {
                    if !rest.trim().is_empty() {
                        out.push(("sh", rest.trim().replace("$$", "$")));
                    }
                }
            }
            out
        }
        Holds::Keys(keys) => text
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once('=')?;
                keys.iter()
                    .any(|key| k.trim().eq_ignore_ascii_case(key))
                    .then(|| v.trim().trim_start_matches(['-', '@', '+', '!', ':']).to_string())
            })
            .filter(|v| !v.is_empty())
            .map(|v| ("sh", v))
            .collect(),
        Holds::CmakeProcesses => {
            let mut out = Vec::new();
            let mut rest = text;
            while let Some(at) = rest.find("COMMAND") {
                let after = &rest[at + "COMMAND".len()..];
                let end = after.find([')', '\n']).unwrap_or(after.len());
                let cmd = after[..end].trim();
                let cmd = cmd.split(" WORKING_DIRECTORY").next().unwrap_or(cmd);
                if !cmd.is_empty() {
                    out.push(("sh", cmd.to_string()));
                }
                rest = &after[end..];
            }
            out
        }
        Holds::FastfetchCommands => {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else { return Vec::new() };
            let modules = json.get("modules").and_then(|m| m.as_array()).cloned().unwrap_or_default();
            modules
                .iter()
                .filter(|m| m.get("type").and_then(|t| t.as_str()) == Some("command"))
                .filter_map(|m| m.get("text").and_then(|t| t.as_str()).map(|t| ("sh", t.to_string())))
                .collect()
        }
        Holds::RsyslogPrograms => text
            .lines()
            .filter_map(|l| {
                if let Some(i) = l.find("binary=\"") {
                    let rest = &l[i + 8..];
                    return rest.split('"').next().map(str::to_string);
                }
                let i = l.rfind('^')?;
                let prog = l[i + 1..].split([';', ' ']).next()?.trim();
                prog.starts_with('/').then(|| prog.to_string())
            })
            .map(|p| ("sh", p))
            .collect(),
        Holds::DomainScripts => {
            let mut out = Vec::new();
            let mut rest = text;
            while let Some(i) = rest.find("<script") {
                let after = &rest[i..];
                let end = after.find('>').unwrap_or(after.len());
                let tag = &after[..end];
                if let Some(p) = tag.find("path=") {
                    let v = &tag[p + 5..];
                    let q = v.chars().next().unwrap_or('"');
                    if let Some(path) = v[1..].split(q).next() {
                        out.push(("sh", path.to_string()));
                    }
                }
                rest = &after[end.min(after.len())..];
                if end == 0 {
                    break;
                }
            }
            out
        }
        Holds::AptHooks => {
            // From each hook key to the end of its entry (a `{ … }` block or the next `;`
            // outside quotes), every quoted string is a command.
            let lower = text.to_ascii_lowercase();
            let mut out = Vec::new();
            for key in ["pre-invoke", "post-invoke", "pre-install-pkgs"] {
                for (at, _) in lower.match_indices(key) {
                    let mut quoted = false;
                    let mut depth = 0;
                    let mut start = None;
                    for (i, c) in text[at..].char_indices() {
                        match c {
                            '"' if quoted => {
                                if let Some(st) = start.take() {
                                    out.push(("sh", text[at + st..at + i].to_string()));
                                }
                                quoted = false;
                            }
                            '"' => {
                                quoted = true;
                                start = Some(i + 1);
                            }
                            '{' if !quoted => depth += 1,
                            '}' if !quoted => depth -= 1,
                            ';' if !quoted && depth <= 0 => break,
                            _ => {}
                        }
                    }
                }
            }
            out
        }
        Holds::YamlCommands => {
            let mut out = Vec::new();
            // Keys that hold a command line in Ansible tasks.
            for line in text.lines() {
                let l = line.trim_start().trim_start_matches("- ").trim_start_matches(['[', '{']);
                for key in [
                    "shell:",
                    "command:",
                    "raw:",
                    "ansible.builtin.shell:",
                    "ansible.builtin.command:",
                    "ansible.builtin.raw:",
                ] {
                    if let Some(v) = l.find(key).map(|i| &l[i + key.len()..]) {
                        let v = v.trim().trim_end_matches([']', '}']).trim().trim_matches(['"', '\'']);
                        if !v.is_empty() && v != "|" && v != ">" {
                            out.push(("sh", v.to_string()));
                        }
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::runs;

    /// A file the text wrote, then ran by a tool: the code in it is in the Plan, reached
    /// through the file.
    #[test]
    fn files_a_tool_runs_code_from_are_read() {
        for (text, want) in [
            (
                "echo '{\"scripts\": {\"postinstall\": \"rm -rf x\"}}' > package.json && npm install",
                vec!["rm -rf x @script /work/proj/package.json written earlier in this text"],
            ),
            (
                "echo '{\"scripts\": {\"build\": \"tsc\", \"test\": \"jest\"}}' > package.json; npm run build",
                vec!["tsc @script /work/proj/package.json written earlier in this text"],
            ),
            (
                "echo '{\"scripts\": {\"x\": \"id\"}}' > p/package.json; yarn --cwd p x",
                vec!["id @script /work/proj/p/package.json written earlier in this text"],
            ),
            (
                "printf 'all:\\n\\t@make-things $$HOME\\n' > Makefile; make",
                vec!["make-things /home/u @script /work/proj/Makefile written earlier in this text"],
            ),
            ("echo 'system(\"id\")' > Gemfile; bundle install", vec!["id @ruby code system(\"id\")"]),
            (
                "printf '[Interface]\\nPostUp = iptables -F\\n' > /tmp/w.conf; wg-quick up /tmp/w.conf",
                vec!["iptables -F @script /tmp/w.conf written earlier in this text"],
            ),
            (
                "printf '[Service]\\nExecStart=/usr/bin/x -y\\n' > /tmp/x.service; systemctl link /tmp/x.service",
                vec!["/usr/bin/x -y @script /tmp/x.service written earlier in this text"],
            ),
            (
                "echo 'execute_process(COMMAND touch y)' > CMakeLists.txt; cmake .",
                vec!["touch y @script /work/proj/CMakeLists.txt written earlier in this text"],
            ),
            (
                "echo '- hosts: all\n  tasks:\n    - shell: uptime' > p.yml; ansible-playbook p.yml",
                vec!["uptime @script /work/proj/p.yml written earlier in this text"],
            ),
            (
                "printf '[Definition]\\nactionstart = id\\n' > /tmp/f/action.d/x.conf; fail2ban-client -c /tmp/f start",
                vec!["id @script /tmp/f/action.d/x.conf written earlier in this text"],
            ),
            (
                "echo 'Dpkg::Pre-Invoke {\"touch /tmp/y;false\"};' > /tmp/a.conf; apt-get -y install -c /tmp/a.conf sl",
                vec![
                    "touch /tmp/y @script /tmp/a.conf written earlier in this text",
                    "false @script /tmp/a.conf written earlier in this text",
                ],
            ),
            (
                "printf 'X := $(shell id -u)\\nall:\\n\\ttrue\\n' > Makefile; make",
                vec![
                    "id -u @script /work/proj/Makefile written earlier in this text",
                    "true @script /work/proj/Makefile written earlier in this text",
                ],
            ),
            (
                "echo '{\"scripts\": {\"prepack\": \"rm -rf x\"}}' > package.json && npm pack",
                vec!["rm -rf x @script /work/proj/package.json written earlier in this text"],
            ),
            (
                "echo 'execute_process(COMMAND id)' > CMakeLists.txt; cmake -B build",
                vec!["id @script /work/proj/CMakeLists.txt written earlier in this text"],
            ),
            // Nothing was written: nothing more is known.
            ("npm install", vec![]),
            ("make", vec![]),
            // Scripts that do not run on install are not read.
            ("echo '{\"scripts\": {\"clean\": \"rm -rf x\"}}' > package.json && npm install", vec![]),
        ] {
            let got: Vec<String> =
                runs(text).into_iter().filter(|r| r.contains("written earlier") || r.contains(" code ")).collect();
            assert_eq!(got, want, "{text}");
        }
    }
}
