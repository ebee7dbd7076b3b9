//! Where a rule names strings: one string or a list of them, and `$name` references to the
//! named lists of the packs.

use serde::{Deserialize, Serialize};

/// A string or a list of strings.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

// Written out rather than `#[serde(untagged)]`, which buffers every value first (slow to load,
// and it drops source locations).
impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl OneOrMany {
    pub(crate) fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// `v`'s items with `$list` references expanded by `list`; each list name used is pushed to
/// `used` (an unknown list stays as the literal `$name`, which lint reports).
pub(crate) fn expand<'l>(
    v: &OneOrMany,
    list: &dyn Fn(&str) -> Option<&'l [String]>,
    used: &mut Vec<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for item in v.items() {
        match item.strip_prefix('$').and_then(|n| list(n).map(|l| (n, l))) {
            Some((name, items)) => {
                used.push(name.to_string());
                out.extend(items.iter().cloned());
            }
            None => out.push(item),
        }
    }
    out
}
