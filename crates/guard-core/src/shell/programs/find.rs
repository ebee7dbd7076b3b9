//! `find … -exec CMD {} ;`: the command runs once per match, given a path beneath the start
//! point (`-execdir`: a name in the match's own directory).

use super::words::replace_in_word;
use super::{Chdir, Derived};
use crate::plan::{Part, Span, Value, Via, Word};

pub(super) fn find(args: &[Word]) -> Vec<Derived> {
    let mut i = 0;
    while i < args.len() && matches!(args[i].as_literal(), Some("-H" | "-L" | "-P")) {
        i += 1;
    }
    let mut roots = Vec::new();
    while i < args.len() {
        let t = args[i].known_prefix();
        if t.starts_with('-') || matches!(t, "(" | "!" | ")" | ",") {
            break;
        }
        roots.push(args[i].display());
        i += 1;
    }
    if roots.is_empty() {
        roots.push(".".into());
    }
    let plain = Word::unknown("{}", format!("each path find matches under {}", roots.join(" ")), Span::default());
    let mut found = plain.clone();
    // With one start point known, what find hands over is somewhere beneath it: the word keeps
    // that directory as its known start, so rules can place it (`find ~/.x -exec rm {} +`).
    if let [root] = roots.as_slice() {
        if !root.contains('‹') && !root.is_empty() {
            let dir = if root.ends_with('/') { root.clone() } else { format!("{root}/") };
            found.value = Value::Dynamic(vec![
                Part::Text(dir),
                Part::Unknown { what: "{}".into(), why: format!("each path find matches under {root}") },
            ]);
        }
    }
    let mut out = Vec::new();
    while i < args.len() {
        if matches!(args[i].as_literal(), Some("-exec" | "-execdir" | "-ok" | "-okdir")) {
            let start = i + 1;
            let mut end = start;
            while end < args.len() {
                match args[end].as_literal() {
                    Some(";") => break,
                    Some("+") if end > start && args[end - 1].as_literal() == Some("{}") => break,
                    _ => end += 1,
                }
            }
            // `-execdir` hands over `./NAME` in the match's own directory, not the full path.
            let each = if matches!(args[i].as_literal(), Some("-execdir" | "-okdir")) { &plain } else { &found };
            let argv: Vec<Word> = args[start..end]
                .iter()
                .map(|w| {
                    let mut f = each.clone();
                    f.span = w.span;
                    replace_in_word(w, "{}", &f)
                })
                .collect();
            // `-execdir` and `-okdir` run the command in each match's own directory.
            let chdir = match args[i].as_literal() {
                Some("-execdir" | "-okdir") => Chdir::Unknown,
                _ => Chdir::Stay,
            };
            if !argv.is_empty() {
                out.push(Derived::Run { argv, via: Via::FindExec, assignments: Vec::new(), chdir });
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, runs};

    #[test]
    fn exec_runs_once_per_match_beneath_the_start() {
        for (text, want) in [
            ("find . -name '*.o' -exec rm {} +", vec!["find . -name *.o -exec rm {} +", "rm ./‹{}› @find -exec"]),
            (r#"find ~/.x -ok rm {} \;"#, vec!["find /home/u/.x -ok rm {} ;", "rm /home/u/.x/‹{}› @find -exec"]),
            (r#"find /tmp -execdir rm {} \;"#, vec!["find /tmp -execdir rm {} ;", "rm ‹{}› @find -exec"]),
            ("find . -delete", vec!["find . -delete"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn execdir_runs_in_each_matchs_directory() {
        for (text, want) in [
            (r#"find /tmp -execdir rm {} \;"#, vec!["find /work/proj", "rm /work/proj|?"]),
            (r#"find /tmp -exec rm {} \;"#, vec!["find /work/proj", "rm /work/proj"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
