//! Named lists (`$name` in rules). Built-in lists stay as the JSON embedded at build time until
//! a rule asks for one: most commands touch a few lists, and decoding all of them on every
//! start would cost more than judging.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Name → JSON arrays of strings, in pack order, sorted by name (see `guard-rules`'s `build.rs`).
pub(crate) type BuiltinLists = &'static [(&'static str, &'static [&'static str])];

#[derive(Debug, Default, Clone)]
pub(crate) struct Lists {
    builtin: BuiltinLists,
    /// Decoded built-in lists, by position in `builtin`.
    decoded: Vec<OnceLock<Vec<String>>>,
    /// Lists from parsed policy files, extending any built-in list of the same name.
    files: HashMap<String, Entry>,
}

#[derive(Debug, Default, Clone)]
struct Entry {
    /// In layer order.
    parts: Vec<Vec<String>>,
    /// Extended by a policy file rather than only the built-in packs.
    from_files: bool,
    items: OnceLock<Vec<String>>,
}

fn decode(parts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for json in parts {
        out.extend(
            serde_json::from_str::<Vec<String>>(json).expect("built-in lists were checked when guard was built"),
        );
    }
    out
}

impl Lists {
    /// Start from the built-in lists (once; later calls change nothing).
    pub(crate) fn use_builtin(&mut self, builtin: BuiltinLists) {
        if self.builtin.is_empty() {
            self.builtin = builtin;
            self.decoded = (0..builtin.len()).map(|_| OnceLock::new()).collect();
        }
    }

    pub(crate) fn add(&mut self, name: String, items: Vec<String>, from_file: bool) {
        let e = self.files.entry(name).or_default();
        e.parts.push(items);
        e.from_files |= from_file;
        e.items = OnceLock::new();
    }

    fn builtin_at(&self, name: &str) -> Option<usize> {
        self.builtin.binary_search_by(|(n, _)| (*n).cmp(name)).ok()
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name) || self.builtin_at(name).is_some()
    }

    /// Whether a policy file (not only the built-in packs) adds to the list.
    pub(crate) fn extended_by_files(&self, name: &str) -> bool {
        self.files.get(name).is_some_and(|e| e.from_files)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&[String]> {
        let at = self.builtin_at(name);
        if let Some(e) = self.files.get(name) {
            return Some(e.items.get_or_init(|| {
                let mut out = at.map(|i| decode(self.builtin[i].1)).unwrap_or_default();
                e.parts.iter().for_each(|p| out.extend(p.iter().cloned()));
                out
            }));
        }
        let i = at?;
        Some(self.decoded[i].get_or_init(|| decode(self.builtin[i].1)))
    }
}

#[cfg(test)]
mod tests {
    use super::Lists;

    #[test]
    fn files_extend_built_in_lists_in_order_and_decoding_waits_for_use() {
        let mut l = Lists::default();
        l.use_builtin(&[("editors", &[r#"["vi"]"#]), ("shells", &[r#"["bash"]"#, r#"["sh"]"#])]);
        assert_eq!(l.get("shells").unwrap(), ["bash", "sh"]);
        l.add("shells".into(), vec!["zsh".into()], true);
        assert_eq!(l.get("shells").unwrap(), ["bash", "sh", "zsh"]);
        assert!(l.extended_by_files("shells") && !l.extended_by_files("editors"));
        assert_eq!(l.get("editors").unwrap(), ["vi"]);
        assert!(l.get("nope").is_none() && !l.contains("nope") && l.contains("editors"));
    }
}
