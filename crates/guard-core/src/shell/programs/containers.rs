//! Commands run inside a container, pod or machine: `docker exec CONTAINER CMD…`, `docker
//! compose exec|run SERVICE CMD…`, `kubectl exec|debug POD -- CMD…`, `lxc`/`incus exec`,
//! `pct exec`, `machinectl shell`, `vagrant ssh -c`. The command is executed there (directly,
//! or by a shell for `vagrant ssh -c`), and is judged as a command run elsewhere: its paths are
//! the container's.

use super::words::strip_word_prefix;
use super::{is_shell, run, shell_code, Derived, Stdin, VarScope};
use crate::plan::{Assignment, Via, Word};

/// `docker exec`'s options that take the next word (also podman's and nerdctl's).
const DOCKER_EXEC_VALUED: &[&str] = &["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"];

/// Options of docker, podman and nerdctl themselves, before the subcommand, that take the next
/// word (`docker --context prod exec …`).
const DOCKER_GLOBAL_VALUED: &[&str] = &[
    "-c",
    "--context",
    "-H",
    "--host",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
    "--connection",
    "--url",
    "--identity",
    "--root",
    "--runroot",
    "--storage-driver",
    "-n",
    "--namespace",
    "--address",
    "--cgroup-manager",
    "--module",
];

/// kubectl's own options before the subcommand that take the next word.
const KUBECTL_GLOBAL_VALUED: &[&str] = &[
    "-n",
    "--namespace",
    "--kubeconfig",
    "--context",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--request-timeout",
    "--cache-dir",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
    "--tls-server-name",
    "--profile",
    "--profile-output",
];

/// The arguments from the subcommand on, past the program's own options.
fn past_global<'a>(args: &'a [Word], valued: &[&str]) -> &'a [Word] {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if !t.starts_with('-') || t == "-" || t == "--" {
            break;
        }
        i += if valued.contains(&t) { 2 } else { 1 };
    }
    args.get(i..).unwrap_or(&[])
}

/// `docker exec [OPTIONS] CONTAINER COMMAND [ARG…]` (and `docker container exec`).
pub(super) fn docker_exec(name: &str, args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    let args = past_global(args, DOCKER_GLOBAL_VALUED);
    let words: Vec<&str> = args.iter().map(|w| w.known_prefix()).collect();
    let start = match words.as_slice() {
        ["exec", ..] => 1,
        ["container", "exec", ..] => 2,
        ["compose", ..] => return compose(&format!("{name} compose"), &args[1..], stdin),
        _ => return Vec::new(),
    };
    let mut i = start;
    // `-e NAME=VALUE`: the command runs with it set (a variable that holds a command is read).
    let mut env = Vec::new();
    while i < args.len() {
        let t = words[i];
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        let value = match t {
            "-e" | "--env" => args.get(i + 1).cloned(),
            _ => t.strip_prefix("--env=").map(|_| strip_word_prefix(&args[i], "--env=".len())),
        };
        if let Some(v) = value {
            if let Some((name, _)) = v.known_prefix().split_once('=') {
                env.push(Assignment { name: name.to_string(), value: strip_word_prefix(&v, name.len() + 1) });
            }
        }
        i += if DOCKER_EXEC_VALUED.contains(&t) { 2 } else { 1 };
    }
    // The container, then the command.
    let Some(container) = args.get(i) else { return Vec::new() };
    let mut out = in_container(&args[i + 1..], format!("{name} container {}", container.display()), stdin);
    for d in &mut out {
        if let Derived::Run { assignments, .. } = d {
            assignments.extend(env.iter().cloned());
        }
    }
    out
}

/// The command run in a container or pod. A shell started there with nothing to run is a
/// session for a person, with nothing in it to judge now (as `docker exec -it web sh` was) —
/// unless the text pipes it code (`echo … | kubectl exec -i pod -- sh`), which is judged.
fn in_container(argv: &[Word], host: String, stdin: &Stdin) -> Vec<Derived> {
    let interactive = argv.len() == 1 && argv[0].as_literal().is_some_and(|p| is_shell(crate::plan::basename(p)));
    if interactive && matches!(stdin, Stdin::Inherited) {
        return Vec::new();
    }
    run(argv, Via::Remote { host })
}

/// `kubectl exec POD [-c CONTAINER] [flags] -- COMMAND [ARG…]` (and `oc exec`), `kubectl debug
/// TARGET [flags] -- COMMAND [ARG…]` (a debugging container in a pod or on a node): everything
/// after `--` runs there.
pub(super) fn kubectl_exec(name: &str, args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    let args = past_global(args, KUBECTL_GLOBAL_VALUED);
    let sub = args.first().map(|w| w.known_prefix());
    if sub != Some("exec") && sub != Some("debug") {
        return Vec::new();
    }
    let Some(dash) = args.iter().position(|w| w.as_literal() == Some("--")) else { return Vec::new() };
    // The pod: the first word before `--` that is neither an option nor an option's value.
    const VALUED: &[&str] = &[
        "-n",
        "--namespace",
        "-c",
        "--container",
        "--context",
        "--cluster",
        "--kubeconfig",
        "--user",
        "-f",
        "--filename",
        "--pod-running-timeout",
        "-s",
        "--server",
        "--token",
        "--as",
        // `kubectl debug`'s.
        "--image",
        "--image-pull-policy",
        "--target",
        "--profile",
        "--copy-to",
        "--set-image",
        "--env",
        "--custom",
    ];
    let mut pod = "?".to_string();
    let mut k = 1;
    while k < dash {
        let t = args[k].known_prefix();
        if VALUED.contains(&t) {
            k += 2;
            continue;
        }
        if !t.starts_with('-') {
            pod = args[k].display();
            break;
        }
        k += 1;
    }
    let host = match sub {
        Some("debug") => format!("{name} debug {pod}"),
        _ => format!("{name} pod {pod}"),
    };
    in_container(&args[dash + 1..], host, stdin)
}

/// The first operand at or after `i`, past options (those in `valued` take the next word),
/// and the index after it.
fn operand(args: &[Word], mut i: usize, valued: &[&str]) -> Option<(usize, usize)> {
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if a.as_literal() == Some("--") {
            return args.get(i + 1).map(|_| (i + 1, i + 2));
        }
        if !t.starts_with('-') || t == "-" {
            return Some((i, i + 1));
        }
        i += if valued.contains(&t) { 2 } else { 1 };
    }
    None
}

/// Where a command starts after a container's name: past options, and a `--`.
fn command_start(args: &[Word], i: usize, valued: &[&str]) -> usize {
    operand(args, i, valued).map_or(args.len(), |(k, _)| k)
}

/// `docker compose [OPTIONS] exec|run [OPTIONS] SERVICE [COMMAND…]` (`docker-compose`,
/// `podman-compose`): the command runs in a container of the service.
pub(super) fn compose(name: &str, args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    const GLOBAL: &[&str] =
        &["-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory", "--ansi"];
    const OWN: &[&str] = &[
        "-e",
        "--env",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--index",
        "-l",
        "--label",
        "-p",
        "--publish",
        "-v",
        "--volume",
        "--name",
        "--entrypoint",
        "--cap-add",
        "--cap-drop",
        "--pull",
        "--env-from-file",
    ];
    let Some((sub, after)) = operand(args, 0, GLOBAL) else { return Vec::new() };
    if !matches!(args[sub].as_literal(), Some("exec" | "run")) {
        return Vec::new();
    }
    let Some((service, after)) = operand(args, after, OWN) else { return Vec::new() };
    in_container(&args[after..], format!("{name} service {}", args[service].display()), stdin)
}

/// `lxc exec [REMOTE:]INSTANCE [OPTIONS] [--] COMMAND…` (and `incus exec`).
pub(super) fn lxc_exec(name: &str, args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    const VALUED: &[&str] = &["--env", "--cwd", "--user", "--group", "--mode", "--project"];
    if args.first().and_then(Word::as_literal) != Some("exec") {
        return Vec::new();
    }
    let Some((instance, after)) = operand(args, 1, VALUED) else { return Vec::new() };
    let start = command_start(args, after, VALUED);
    in_container(&args[start..], format!("{name} container {}", args[instance].display()), stdin)
}

/// `pct exec VMID [OPTIONS] [--] COMMAND…` (Proxmox containers).
pub(super) fn pct_exec(args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    if args.first().and_then(Word::as_literal) != Some("exec") {
        return Vec::new();
    }
    let Some((vmid, after)) = operand(args, 1, &[]) else { return Vec::new() };
    let start = command_start(args, after, &[]);
    in_container(&args[start..], format!("pct container {}", args[vmid].display()), stdin)
}

/// `machinectl [OPTIONS] shell [[USER@]MACHINE [PATH [ARGS…]]]`: with no program, a login
/// shell for a person.
pub(super) fn machinectl_shell(args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    const VALUED: &[&str] = &["-M", "--machine", "-H", "--host", "-E", "--setenv", "--uid", "-p", "--property"];
    let Some((sub, after)) = operand(args, 0, VALUED) else { return Vec::new() };
    if args[sub].as_literal() != Some("shell") {
        return Vec::new();
    }
    let Some((machine, after)) = operand(args, after, VALUED) else { return Vec::new() };
    in_container(&args[after..], format!("machinectl machine {}", args[machine].display()), stdin)
}

/// `vagrant ssh [NAME] -c COMMAND`: shell text run in the machine.
pub(super) fn vagrant_ssh(args: &[Word]) -> Vec<Derived> {
    if args.first().and_then(Word::as_literal) != Some("ssh") {
        return Vec::new();
    }
    let rest = &args[1..];
    let end = rest.iter().position(|a| a.as_literal() == Some("--")).unwrap_or(rest.len());
    let mut machine = "default".to_string();
    let mut command = None;
    let mut i = 0;
    while i < end {
        let t = rest[i].known_prefix();
        if t == "-c" || t == "--command" {
            command = rest.get(i + 1).filter(|_| i + 1 < end).cloned();
            i += 2;
            continue;
        }
        if t.starts_with("--command=") {
            command = Some(super::words::strip_word_prefix(&rest[i], "--command=".len()));
        } else if !t.starts_with('-') {
            machine = rest[i].display();
        }
        i += 1;
    }
    match command {
        Some(code) => {
            shell_code("sh", code, Via::Remote { host: format!("vagrant machine {machine}") }, VarScope::Remote)
        }
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::runs;

    #[test]
    fn commands_run_in_containers_are_seen() {
        for (text, want) in [
            (
                "docker exec -it -u postgres pg psql -c 'DROP DATABASE app'",
                vec![
                    "docker exec -it -u postgres pg psql -c 'DROP DATABASE app'",
                    "psql -c 'DROP DATABASE app' @ssh docker container pg",
                ],
            ),
            (
                "podman container exec web rm -rf /srv",
                vec!["podman container exec web rm -rf /srv", "rm -rf /srv @ssh podman container web"],
            ),
            (
                "kubectl exec -n prod db-0 -c main -- redis-cli FLUSHALL",
                vec![
                    "kubectl exec -n prod db-0 -c main -- redis-cli FLUSHALL",
                    "redis-cli FLUSHALL @ssh kubectl pod db-0",
                ],
            ),
            // Without `--` the old form is not read; `docker ps` runs nothing.
            ("kubectl exec db-0 ls", vec!["kubectl exec db-0 ls"]),
            ("docker ps -a", vec!["docker ps -a"]),
            ("docker exec -it web /bin/bash", vec!["docker exec -it web /bin/bash"]),
            (
                "kubectl debug node/x -it --image=busybox -- chroot /host rm -rf /var/lib/etcd",
                vec![
                    "kubectl debug node/x -it --image=busybox -- chroot /host rm -rf /var/lib/etcd",
                    "chroot /host rm -rf /var/lib/etcd @ssh kubectl debug node/x",
                    "rm -rf /var/lib/etcd @ssh kubectl debug node/x > run by chroot",
                ],
            ),
            ("kubectl debug node/x -it --image=busybox", vec!["kubectl debug node/x -it --image=busybox"]),
            // chroot with no command starts a shell there.
            (
                "oc debug node/n -- chroot /host",
                vec![
                    "oc debug node/n -- chroot /host",
                    "chroot /host @ssh oc debug node/n",
                    "‹$SHELL› @ssh oc debug node/n > run by chroot",
                ],
            ),
            (
                "lxc exec web --env A=1 -- rm -rf /srv",
                vec!["lxc exec web --env A=1 -- rm -rf /srv", "rm -rf /srv @ssh lxc container web"],
            ),
            ("incus exec c1 bash", vec!["incus exec c1 bash"]),
            ("pct exec 100 -- rm -rf /srv", vec!["pct exec 100 -- rm -rf /srv", "rm -rf /srv @ssh pct container 100"]),
            (
                "machinectl shell root@box /bin/rm -rf /srv",
                vec!["machinectl shell root@box /bin/rm -rf /srv", "/bin/rm -rf /srv @ssh machinectl machine root@box"],
            ),
            ("machinectl shell box", vec!["machinectl shell box"]),
            (
                "docker compose -f dev.yml exec -T db psql -c 'DROP DATABASE app'",
                vec![
                    "docker compose -f dev.yml exec -T db psql -c 'DROP DATABASE app'",
                    "psql -c 'DROP DATABASE app' @ssh docker compose service db",
                ],
            ),
            (
                "docker-compose run --rm web rm -rf /srv",
                vec!["docker-compose run --rm web rm -rf /srv", "rm -rf /srv @ssh docker-compose service web"],
            ),
            ("docker compose up -d", vec!["docker compose up -d"]),
            (
                "vagrant ssh -c 'rm -rf /srv'",
                vec!["vagrant ssh -c 'rm -rf /srv'", "rm -rf /srv @ssh vagrant machine default"],
            ),
            ("vagrant ssh web", vec!["vagrant ssh web"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }
}
