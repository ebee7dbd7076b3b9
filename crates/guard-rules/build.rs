//! Parses the default rule packs at build time and embeds them as Rust data, so a `guard check`
//! decodes nothing it does not use: lists and program knowledge stay as small JSON texts until a
//! command needs them, each rule is decoded the first time it is judged, and the program index
//! comes ready-made. A pack that does not parse fails the build with the file, line and column.

use std::fmt::Write as _;

use guard_core::policy::{names, rule};

/// The built-in packs in load order: program knowledge first (after the parser's own, see
/// [`parser_pack`]); a later pack may extend an earlier pack's lists or override its rules.
const PACKS: &[&str] = &[
    "programs",
    "filesystem",
    "permissions",
    "git",
    "kubernetes",
    "cloud",
    "publishing",
    "forges",
    "remote-apis",
    "containers",
    "databases",
    "secrets",
    "exfiltration",
    "remote-code",
    "system",
    "persistence",
    "shell-escapes",
    "self",
];

fn main() {
    // The packs are the repository's `rules/`, where people read and edit them.
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("../..");
    println!("cargo:rerun-if-changed={}", root.join("rules").display());
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for e in std::fs::read_dir(root.join("rules")).expect("rules/ exists").flatten() {
        let p = e.path();
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if p.extension().is_some_and(|x| x == "yaml") && !PACKS.contains(&stem.as_str()) {
            panic!("{}: add the pack to PACKS in build.rs so it is built in, in its place", p.display());
        }
    }
    let mut specs = Vec::new();
    let parser = parser_pack(&out);
    let text = std::fs::read_to_string(&parser).expect("just written");
    let spec: rule::PackSpec = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", parser.display()));
    specs.push((&"parser", parser, spec));
    for name in PACKS {
        let path = root.join("rules").join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let spec: rule::PackSpec = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(spec.disable.is_empty(), "{}: a built-in pack cannot disable rules", path.display());
        specs.push((name, path, spec));
    }
    restates_nothing_of_the_parser(&specs);
    // Every built-in list, merged in load order, to resolve `$list` in rules' program names.
    let mut all_lists: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (_, _, spec) in &specs {
        for (k, v) in &spec.lists {
            all_lists.entry(k.clone()).or_default().extend(v.iter().cloned());
        }
    }
    let list = |n: &str| all_lists.get(n).map(Vec::as_slice);

    // Merged over all packs, sorted by name for binary search.
    let mut lists: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut programs: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut index: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    let mut generic = Vec::new();
    let mut rule_count = 0usize;
    // Loading trusts this: a built-in rule never replaces another, so it is not looked for.
    let mut ids = std::collections::HashSet::new();
    let mut code = String::from("&[\n");
    for (name, path, spec) in &specs {
        let _ = writeln!(code, "EmbeddedPack {{");
        let _ = writeln!(code, "    file: {:?},", format!("{name}.yaml"));
        let _ = writeln!(code, "    yaml: include_str!({:?}),", path.display().to_string());
        let _ = writeln!(code, "    pack: {:?},", spec.pack);
        let _ = writeln!(code, "    description: {:?},", spec.description);
        for (k, v) in &spec.lists {
            lists.entry(k.clone()).or_default().push(json(v));
        }
        for (k, p) in &spec.programs {
            let mut p = p.clone();
            let aliases = std::mem::take(&mut p.aliases);
            programs.entry(k.clone()).or_default().push(json(&p));
            p.same_as = Some(k.clone());
            let j = json(&p);
            for n in &aliases {
                programs.entry(n.clone()).or_default().push(j.clone());
            }
        }
        code.push_str("    rules: &[\n");
        for r in &spec.rules {
            assert!(ids.insert(r.id.value.clone()), "{}: rule id `{}` is built in twice", path.display(), r.id.value);
            let mut used = Vec::new();
            let gate = names::Gate::of(&r.matches.value, &list, &mut used);
            let mut names = gate.program_names();
            if names::indexable(&names) {
                names.sort();
                names.dedup();
                for n in names {
                    index.entry(n).or_default().push(rule_count);
                }
            } else {
                generic.push(rule_count);
            }
            rule_count += 1;
            used.sort();
            used.dedup();
            let mut full = serde_json::to_value(r).expect("a rule serialises");
            strip(&mut full);
            let _ = writeln!(
                code,
                "        EmbeddedRule {{ id: {:?}, decision: Decision::{:?}, overrides: {:?}, reason: {:?}, \
                 gate: {}, lists: &{used:?}, json: {:?} }},",
                r.id.value,
                r.decision,
                r.overrides,
                r.reason,
                gate.to_rust(),
                serde_json::to_string(&full).expect("a rule serialises"),
            );
        }
        code.push_str("    ],\n},\n");
    }
    code.push_str("]\n");
    std::fs::write(out.join("builtin.rs"), code).expect("OUT_DIR is writable");
    let table = |m: &std::collections::BTreeMap<String, Vec<String>>| {
        m.iter().map(|(k, v)| format!("({k:?}, &{v:?})")).collect::<Vec<_>>().join(",\n    ")
    };
    let index: Vec<String> = index.iter().map(|(k, v)| format!("({k:?}, &{v:?})")).collect();
    let tables = format!(
        "Tables {{\n  rules: {rule_count},\n  lists: &[\n    {}\n  ],\n  programs: &[\n    {}\n  ],\n  \
         index: &[\n    {}\n  ],\n  generic: &{generic:?},\n}}\n",
        table(&lists),
        table(&programs),
        index.join(",\n    "),
    );
    std::fs::write(out.join("builtin_tables.rs"), tables).expect("OUT_DIR is writable");
    mask_detectors(&root, &out);
}

/// The parser's program knowledge (`guard_core::shell::programs`' table) as the first built-in
/// pack, so the rules read command lines as the parser does: its `shells` list, and which
/// options of each wrapper, shell and interpreter it sees through take a value. Written to
/// `OUT_DIR/parser.yaml` and embedded like any pack, so the tables, lint and the tests that
/// read the packs' YAML all see it.
fn parser_pack(out: &std::path::Path) -> std::path::PathBuf {
    let q = |s: &str| serde_json::to_string(s).expect("a string serialises");
    let mut text = String::from(
        "pack: parser\ndescription: >\n  What the parser knows of the programs that run other programs, as the rules read it\n  \
         (crates/guard-core/src/shell/programs/knowledge.rs). Generated when guard is built.\n\nlists:\n",
    );
    for (name, items) in guard_core::shell::programs::rules_lists() {
        let items: Vec<String> = items.iter().map(|s| q(s)).collect();
        let _ = writeln!(text, "  {name}: [{}]", items.join(", "));
    }
    text.push_str("\nprograms:\n");
    for p in guard_core::shell::programs::rules_programs() {
        let values: Vec<String> = p.takes_value.iter().map(|s| q(s)).collect();
        let single = if p.long_single_dash { ", long_single_dash: true" } else { "" };
        let _ = writeln!(text, "  {}: {{ takes_value: [{}]{single} }}", q(p.name), values.join(", "));
    }
    let path = out.join("parser.yaml");
    std::fs::write(&path, text).expect("OUT_DIR is writable");
    path
}

/// The parser's knowledge lives once: no pack may declare its lists again, or which options of
/// one of its programs take a value.
fn restates_nothing_of_the_parser(specs: &[(&&str, std::path::PathBuf, rule::PackSpec)]) {
    let (parser, packs) = specs.split_first().expect("the parser's pack comes first");
    for (_, path, spec) in packs {
        for name in parser.2.lists.keys() {
            assert!(
                !spec.lists.contains_key(name),
                "{}: the list `{name}` is the parser's (crates/guard-core/src/shell/programs/knowledge.rs)",
                path.display()
            );
        }
        for (name, p) in &spec.programs {
            for n in std::iter::once(name).chain(&p.aliases) {
                assert!(
                    p.takes_value.is_empty() || !parser.2.programs.contains_key(n),
                    "{}: which options of `{n}` take a value is the parser's knowledge \
                     (crates/guard-core/src/shell/programs/knowledge.rs)",
                    path.display()
                );
            }
        }
    }
}

/// The built-in secret detectors as JSON, which reads in a fraction of the time YAML takes
/// (masking starts on every command an agent runs), and every trigger of theirs, so the audit
/// log can tell a command line that needs no masking without reading the detectors at all.
fn mask_detectors(root: &std::path::Path, out: &std::path::Path) {
    println!("cargo:rerun-if-changed={}", root.join("rules/mask/secrets.yaml").display());
    let path = root.join("rules/mask/secrets.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut triggers: Vec<String> = doc["detectors"]
        .as_array()
        .expect("rules/mask/secrets.yaml has a detectors list")
        .iter()
        .flat_map(|d| d["triggers"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    triggers.sort();
    triggers.dedup();
    std::fs::write(out.join("mask_triggers.rs"), format!("&{triggers:?}")).expect("OUT_DIR is writable");
    std::fs::write(out.join("mask_detectors.json"), json(&doc)).expect("OUT_DIR is writable");
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("policy values serialise")
}

/// Judging needs neither examples nor descriptions; leaving them (and empty fields) out halves
/// what decoding a rule reads.
fn strip(v: &mut serde_json::Value) {
    fn walk(v: &mut serde_json::Value, depth: usize) {
        match v {
            serde_json::Value::Object(map) => {
                map.retain(|k, v| {
                    !(v.is_null()
                        || (depth == 0 && (k == "examples" || k == "description"))
                        || v.as_array().is_some_and(|a| a.is_empty())
                        || v.as_object().is_some_and(|o| o.is_empty()) && k != "code")
                });
                for v in map.values_mut() {
                    walk(v, depth + 1);
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| walk(v, depth + 1)),
            _ => {}
        }
    }
    walk(v, 0)
}
