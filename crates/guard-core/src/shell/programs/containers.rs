//! Commands run inside a container or pod: `docker exec CONTAINER CMD…`, `kubectl exec POD --
//! CMD…`. The command is executed there directly (no shell reads it), and is judged as a
//! command run elsewhere: its paths are the container's.

use super::{is_shell, run, Derived};
use crate::plan::{Via, Word};

/// `docker exec`'s options that take the next word (also podman's and nerdctl's).
const DOCKER_EXEC_VALUED: &[&str] = &["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"];

/// `docker exec [OPTIONS] CONTAINER COMMAND [ARG…]` (and `docker container exec`).
pub(super) fn docker_exec(name: &str, args: &[Word]) -> Vec<Derived> {
    let words: Vec<&str> = args.iter().map(|w| w.known_prefix()).collect();
    let start = match words.as_slice() {
        ["exec", ..] => 1,
        ["container", "exec", ..] => 2,
        _ => return Vec::new(),
    };
    let mut i = start;
    while i < args.len() {
        let t = words[i];
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        i += if DOCKER_EXEC_VALUED.contains(&t) { 2 } else { 1 };
    }
    // The container, then the command.
    let Some(container) = args.get(i) else { return Vec::new() };
    in_container(&args[i + 1..], format!("{name} container {}", container.display()))
}

/// The command run in a container or pod. A shell started there with nothing to run is a
/// session for a person, with nothing in it to judge now (as `docker exec -it web sh` was).
fn in_container(argv: &[Word], host: String) -> Vec<Derived> {
    let interactive = argv.len() == 1 && argv[0].as_literal().is_some_and(|p| is_shell(crate::plan::basename(p)));
    if interactive {
        return Vec::new();
    }
    run(argv, Via::Remote { host })
}

/// `kubectl exec POD [-c CONTAINER] [flags] -- COMMAND [ARG…]` (and `oc exec`): everything
/// after `--` runs in the pod.
pub(super) fn kubectl_exec(name: &str, args: &[Word]) -> Vec<Derived> {
    if args.first().map(|w| w.known_prefix()) != Some("exec") {
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
    in_container(&args[dash + 1..], format!("{name} pod {pod}"))
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
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }
}
