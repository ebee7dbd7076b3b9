//! The directory the shell is in at each point of the text, as far as it can be known: `cd`,
//! `pushd` and `popd` move it; subshells, pipeline stages, background jobs and substitutions
//! keep their moves to themselves. A `cd` may fail (the directory need not exist), so the
//! directory before it stays possible unless the text shows the `cd` succeeded (`cd X && …`,
//! `cd X || exit`, `set -e`) or it cannot fail (`cd /`, `cd ..`).

use crate::plan::Invocation;

/// Candidate directories kept at most; past this, the rest are "somewhere unknown".
const MAX_DIRS: usize = 8;

/// Longest directory followed, and the most bytes of other candidates kept: every command
/// carries its directories, so hostile text must not make them large.
const MAX_PATH: usize = 1024;
const MAX_OTHER_BYTES: usize = 2048;

/// A directory the shell may be in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dir {
    /// Where guard was asked about (`Env`'s `PWD`).
    Start,
    /// An absolute, normalised path other than the start.
    Path(String),
}

impl Dir {
    fn len(&self) -> usize {
        match self {
            Dir::Start => 0,
            Dir::Path(p) => p.len(),
        }
    }
}

/// Where a `cd` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An absolute path.
    Abs(String),
    /// A path relative to the directory the shell is in.
    Rel(String),
    /// A directory guard cannot know.
    Unknown,
}

/// The directories the shell may be in at one point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cwd {
    /// Where it is when every directory change so far succeeded (`None`: guard cannot know).
    pub(crate) main: Option<Dir>,
    /// Other directories it may be in.
    pub(crate) others: Vec<Dir>,
    /// It may also be in a directory guard cannot know.
    pub(crate) others_unknown: bool,
}

impl Default for Cwd {
    fn default() -> Self {
        Cwd::start()
    }
}

impl Cwd {
    pub(crate) fn start() -> Cwd {
        Cwd { main: Some(Dir::Start), others: Vec::new(), others_unknown: false }
    }

    /// Somewhere guard cannot know (a command run on another machine).
    pub(crate) fn unknown() -> Cwd {
        Cwd { main: None, others: Vec::new(), others_unknown: false }
    }

    /// The one directory it is in, when that is certain.
    pub(crate) fn single(&self) -> Option<&Dir> {
        match (&self.main, self.others.is_empty(), self.others_unknown) {
            (Some(d), true, false) => Some(d),
            _ => None,
        }
    }

    fn dirs(&self) -> impl Iterator<Item = &Dir> {
        self.main.iter().chain(self.others.iter())
    }

    /// It may also be somewhere guard cannot know.
    pub(crate) fn mark_unknown(&mut self) {
        self.others_unknown = true;
    }

    /// Add every directory of `other` as a possibility (code that may or may not have run).
    pub(crate) fn merge(&mut self, other: &Cwd) {
        if other.main.is_none() {
            self.others_unknown = true;
        }
        for d in other.dirs() {
            self.add_other(d.clone());
        }
        self.others_unknown |= other.others_unknown;
    }

    fn add_other(&mut self, d: Dir) {
        if self.main.as_ref() == Some(&d) || self.others.contains(&d) {
            return;
        }
        let bytes: usize = self.others.iter().map(Dir::len).sum::<usize>() + d.len();
        if self.others.len() >= MAX_DIRS || bytes > MAX_OTHER_BYTES {
            self.others_unknown = true;
        } else {
            self.others.push(d);
        }
    }

    /// After changing to one of `targets` (the first is where it goes when every lookup
    /// succeeds; more than one for `CDPATH`). `may_fail`: the change may not happen, so the
    /// directories before it stay possible.
    pub(crate) fn change(&self, targets: &[Target], may_fail: bool, start: Option<&str>) -> Cwd {
        let mut out = Cwd { main: None, others: Vec::new(), others_unknown: false };
        let Some(first) = targets.first() else { return self.clone() };
        out.main = resolve(self.main.as_ref(), first, start);
        // Every other directory the shell may be in, with every other target.
        let mut sources: Vec<(Option<&Dir>, bool)> = vec![(self.main.as_ref(), true)];
        sources.extend(self.others.iter().map(|d| (Some(d), false)));
        if self.others_unknown {
            sources.push((None, false));
        }
        for (k, t) in targets.iter().enumerate() {
            for &(d, is_main) in &sources {
                if k == 0 && is_main {
                    continue;
                }
                match resolve(d, t, start) {
                    Some(n) => out.add_other(n),
                    None => out.others_unknown = true,
                }
            }
        }
        if may_fail {
            out.merge(self);
        }
        out
    }

    /// Fill an invocation's directory fields. `start` is the directory guard was asked about.
    pub(crate) fn fill(&self, inv: &mut Invocation, start: Option<&str>) {
        let name = |d: &Dir| -> Option<String> {
            match d {
                Dir::Start => start.map(str::to_string),
                Dir::Path(p) => Some(p.clone()),
            }
        };
        inv.cwd = match &self.main {
            Some(Dir::Path(p)) => Some(p.clone()),
            _ => None,
        };
        inv.cwd_unknown = self.main.is_none() || self.others_unknown;
        inv.cwd_alternatives.clear();
        let shown = inv.cwd.clone().or_else(|| start.map(str::to_string));
        for d in &self.others {
            match name(d) {
                Some(n) if Some(&n) != shown.as_ref() && !inv.cwd_alternatives.contains(&n) => {
                    inv.cwd_alternatives.push(n)
                }
                Some(_) => {}
                None => inv.cwd_unknown = true,
            }
        }
    }
}

/// `t` entered from `d` (`None`: a directory guard cannot know).
fn resolve(d: Option<&Dir>, t: &Target, start: Option<&str>) -> Option<Dir> {
    let path = match t {
        Target::Abs(p) => super::normalize_path(p),
        Target::Rel(r) => {
            let base = match d? {
                Dir::Start => start.filter(|s| s.starts_with('/'))?,
                Dir::Path(p) => p.as_str(),
            };
            super::normalize_path(&format!("{base}/{r}"))
        }
        Target::Unknown => return None,
    };
    // Past this guard stops following.
    (path.len() <= MAX_PATH).then(|| dir(path, start))
}

/// A normalised absolute path as a [`Dir`] (the start when it names the start).
pub(crate) fn dir(path: String, start: Option<&str>) -> Dir {
    if start.map(super::normalize_path).as_deref() == Some(path.as_str()) {
        Dir::Start
    } else {
        Dir::Path(path)
    }
}

/// The target of a directory change spelled `text` (after expansion).
pub(crate) fn target(text: &str) -> Target {
    if text.starts_with('/') {
        Target::Abs(text.to_string())
    } else {
        Target::Rel(text.to_string())
    }
}

/// A `cd` to `text` cannot fail: `/`, or only `..`/`.` steps (an ancestor of a directory the
/// shell is in exists and could be passed through to get there).
pub(crate) fn cannot_fail(text: &str) -> bool {
    text.split('/').all(|p| matches!(p, "" | "." | "..")) && (text.starts_with('/') || text.contains(".."))
}

/// The text mentions a builtin that changes directory (`cd`, `pushd`, `popd`) as a word.
pub(crate) fn mentions_dir_change(text: &str) -> bool {
    ["cd", "pushd", "popd"].iter().any(|name| mentions_word(text, name))
}

/// `name` appears in the text as a word of its own (not inside `abcd` or `x.cd`).
pub(crate) fn mentions_word(text: &str, name: &str) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/');
    !name.is_empty()
        && text.match_indices(name).any(|(i, _)| {
            let j = i + name.len();
            (i == 0 || !word(b[i - 1])) && (j >= b.len() || !word(b[j]))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: Option<&str> = Some("/w/p");

    fn path(p: &str) -> Dir {
        Dir::Path(p.into())
    }

    #[test]
    fn a_cd_that_may_fail_keeps_the_directory_before_it() {
        let c = Cwd::start().change(&[target("/usr")], true, START);
        assert_eq!(c.main, Some(path("/usr")));
        assert_eq!(c.others, vec![Dir::Start]);
        let c = Cwd::start().change(&[target("/usr")], false, START);
        assert_eq!(c.single(), Some(&path("/usr")));
    }

    #[test]
    fn relative_targets_move_every_candidate() {
        let c = Cwd::start().change(&[target("/x")], true, START).change(&[target("sub")], true, START);
        assert_eq!(c.main, Some(path("/x/sub")));
        assert_eq!(c.others, vec![path("/w/p/sub"), path("/x"), Dir::Start]);
        let c = Cwd::start().change(&[target("..")], false, START);
        assert_eq!(c.single(), Some(&path("/w")));
        let c = Cwd::start().change(&[target("/w/p")], false, START);
        assert_eq!(c.single(), Some(&Dir::Start));
    }

    #[test]
    fn unknown_targets_and_unknown_starting_points() {
        let c = Cwd::start().change(&[Target::Unknown], true, START);
        assert_eq!(c.main, None);
        assert_eq!(c.others, vec![Dir::Start]);
        let c = c.change(&[target("/tmp")], false, START);
        assert_eq!(c.single(), Some(&path("/tmp")));
        let c = Cwd::unknown().change(&[target("sub")], false, START);
        assert_eq!(c.main, None);
        let c = Cwd::start().change(&[target("x")], false, None);
        assert_eq!(c.main, None);
    }

    #[test]
    fn long_paths_and_many_candidates_become_unknown() {
        let mut c = Cwd::start();
        for _ in 0..200 {
            c = c.change(&[target("directory")], true, START);
        }
        assert_eq!(c.main, None, "past the longest path followed");
        assert!(c.others_unknown && c.others.len() <= MAX_DIRS);
        assert!(c.others.iter().map(Dir::len).sum::<usize>() <= MAX_OTHER_BYTES);
    }

    #[test]
    fn only_root_and_parents_cannot_fail() {
        assert!(cannot_fail("/"));
        assert!(cannot_fail(".."));
        assert!(cannot_fail("../.."));
        assert!(cannot_fail("//"));
        assert!(!cannot_fail("."));
        assert!(!cannot_fail("/tmp"));
        assert!(!cannot_fail("../x"));
    }

    #[test]
    fn dir_change_words() {
        assert!(mentions_dir_change("while x; do cd ..; done"));
        assert!(mentions_dir_change("pushd /x"));
        assert!(!mentions_dir_change("abcd x; cdrom; echo x.cd"));
    }
}
