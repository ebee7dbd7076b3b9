//! Parses the default rule packs at build time and embeds them as JSON, which loads several
//! times faster than YAML on every `guard check`. A pack that does not parse fails the build
//! with the file, line and column.
//!
//! Each pack becomes two files: `NAME.json`, the pack with every rule cut down to what loading
//! needs (id, decision, overrides, the program-naming part of its match and where the whole rule
//! is), and `NAME.rules.json`, the whole rules one after another, decoded only when judged.

#[allow(dead_code)]
#[path = "src/policy/rule.rs"]
mod rule;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/policy/rule.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut names: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).expect("rule pack is readable");
        let spec: rule::PackSpec = serde_saphyr::from_str(&text).unwrap_or_else(|e| {
            panic!("{}: {e}", path.display());
        });
        // Judging needs neither examples nor descriptions; leaving them (and empty fields) out
        // halves what every `guard check` has to read.
        let mut value = serde_json::to_value(&spec).expect("a pack serialises");
        strip(&mut value, 0);
        let mut blob = String::new();
        if let Some(rules) = value.get_mut("rules").and_then(|r| r.as_array_mut()) {
            for rule in rules.iter_mut() {
                let full = serde_json::to_string(rule).expect("a rule serialises");
                let at = serde_json::json!([blob.len(), blob.len() + full.len()]);
                blob.push_str(&full);
                let mut head = serde_json::Map::new();
                for key in ["id", "decision", "overrides", "reason"] {
                    if let Some(v) = rule.get(key) {
                        head.insert(key.into(), v.clone());
                    }
                }
                head.insert("match".into(), skeleton(&rule["match"]));
                head.insert("at".into(), at);
                *rule = serde_json::Value::Object(head);
            }
        }
        let json = serde_json::to_string(&value).expect("a pack serialises");
        let name = path.file_stem().expect("file name").to_string_lossy().into_owned();
        std::fs::write(out.join(format!("{name}.json")), json).expect("OUT_DIR is writable");
        std::fs::write(out.join(format!("{name}.rules.json")), blob).expect("OUT_DIR is writable");
    }
}

fn strip(v: &mut serde_json::Value, depth: usize) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|k, v| {
                !(v.is_null()
                    || (depth >= 2 && (k == "examples" || k == "description"))
                    || v.as_array().is_some_and(|a| a.is_empty())
                    || v.as_object().is_some_and(|o| o.is_empty()) && k != "code")
            });
            for v in map.values_mut() {
                strip(v, depth + 1);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                strip(v, depth + 1);
            }
        }
        _ => {}
    }
}

/// The part of a match that names programs (`program`, `command`, and those of `any`), which is
/// all the index needs.
fn skeleton(m: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for key in ["program", "command"] {
        if let Some(v) = m.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(alts) = m.get("any").and_then(|a| a.as_array()) {
        out.insert("any".into(), serde_json::Value::Array(alts.iter().map(skeleton).collect()));
    }
    serde_json::Value::Object(out)
}
