//! The walk over a syntax tree of code in another language. Imports and variables assigned
//! once are remembered; each call is named as the code names it, looked up in `calls`, and
//! its arguments evaluated as far as they can be without running anything. The node kinds
//! are those of the tree-sitter grammars; where two grammars share a kind, its fields tell
//! them apart.

use std::collections::HashMap;
use std::time::Instant;

use tree_sitter::Node;

use super::calls::{self, Does, CWD_CALLS, ENV_CALLS, HOME_CALLS, PATH_CALLS, TILDE_CALLS};
use super::grammar::{self, Lang};
use super::value::{command, Piece, Val};
use super::{Effect, Reading};

/// The most syntax nodes visited in one piece of code.
const MAX_NODES: usize = 200_000;
/// How deep `eval("…")` of literal code is followed.
const MAX_EVAL_DEPTH: u32 = 4;
/// How deep an expression is followed, and the most text one value may hold.
const MAX_VALUE_DEPTH: u32 = 64;
const MAX_VALUE: usize = 16 * 1024;
/// How deep the syntax tree is walked; deeper code is not read (and so not complete).
const MAX_VISIT_DEPTH: u32 = 256;

pub(super) fn read(lang: Lang, text: &str, deadline: Instant, depth: u32) -> Option<Reading> {
    let blanked;
    let text = if lang == Lang::Php {
        blanked = grammar::php_blocks(text);
        blanked.as_ref()
    } else {
        text
    };
    let tree = grammar::parse(lang, text, deadline)?;
    let root = tree.root_node();
    let mut r = Reader {
        lang,
        src: text,
        aliases: HashMap::new(),
        star_modules: Vec::new(),
        vars: HashMap::new(),
        reading: Reading { complete: !root.has_error(), ..Reading::default() },
        nodes: 0,
        deadline,
        depth,
        loops: Vec::new(),
        value_depth: 0,
        visit_depth: 0,
    };
    r.visit(root);
    Some(r.reading)
}

/// Modules whose members guard knows, for names given to them (`o = os`).
const KNOWN_MODULES: &[&str] = &[
    "os",
    "shutil",
    "subprocess",
    "pty",
    "child_process",
    "fs",
    "FileUtils",
    "File",
    "Dir",
    "IO",
    "Open3",
    "Process",
    "Kernel",
    "io",
    "commands",
    "asyncio",
    "pathlib",
    "Bun",
    "Deno",
];

/// Text for people, on one line and short.
pub(super) fn clip(s: &str) -> String {
    crate::explain::clip(s.trim(), 60)
}

struct Reader<'a> {
    lang: Lang,
    src: &'a str,
    /// Local names for modules and functions: `sh` → `shutil`, `run` → `subprocess.run`.
    aliases: HashMap<String, String>,
    /// Modules imported with `from m import *`.
    star_modules: Vec<String>,
    /// Variables assigned once, with their values; `None` once assigned again.
    vars: HashMap<String, Option<Val>>,
    reading: Reading,
    nodes: usize,
    deadline: Instant,
    depth: u32,
    /// The loops that never end being walked: whether a fork, and a wait, was seen in each.
    loops: Vec<(bool, bool)>,
    value_depth: u32,
    visit_depth: u32,
}

/// A call's arguments: positional ones, and those given by name (`shell=True`).
struct Args<'t> {
    positional: Vec<Node<'t>>,
    named: Vec<(String, Node<'t>)>,
}

fn text<'a>(n: Node, src: &'a str) -> &'a str {
    src.get(n.byte_range()).unwrap_or("")
}

fn named_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.named_children(&mut c).filter(|k| !k.is_extra() && !k.kind().contains("comment")).collect()
}

impl<'a> Reader<'a> {
    fn t(&self, n: Node) -> &'a str {
        text(n, self.src)
    }

    fn why(&self) -> String {
        format!("computed by the {} code", self.lang.name())
    }

    fn visit(&mut self, n: Node) {
        self.nodes += 1;
        if self.nodes > MAX_NODES
            || self.visit_depth > MAX_VISIT_DEPTH
            || (self.nodes.is_multiple_of(1024) && Instant::now() > self.deadline)
        {
            self.reading.complete = false;
            self.reading.truncated = true;
            return;
        }
        self.visit_depth += 1;
        self.visit_node(n);
        self.visit_depth -= 1;
    }

    fn visit_node(&mut self, n: Node) {
        let kind = n.kind();
        match kind {
            "import_statement" | "import_from_statement" => self.import(n),
            "assignment"
            | "assignment_expression"
            | "variable_declarator"
            | "assignment_statement"
            | "variable_declaration" => self.assign(n),
            "binary_expression" if self.lang == Lang::Perl && self.operator(n) == Some("=") => self.assign(n),
            "augmented_assignment" | "operator_assignment" | "augmented_assignment_expression" => {
                if let Some(name) = n.child_by_field_name("left").and_then(|l| self.var_name(l)) {
                    self.vars.insert(name, None);
                }
            }
            "subshell" | "shell_command_expression" | "backtick_quoted" | "command_qx_quoted" => {
                let v = self.value(n);
                self.shell(&v, n);
            }
            // An unknown part of the code's text standing where code goes (`python3 -c "$(cat f)"`):
            // the code itself is chosen at run time.
            "identifier" | "name" | "constant" if self.t(n).starts_with(super::PLACEHOLDER) => self.chose(),
            // Python folds look-alike letters in names to ASCII (`ｏｓ.system` is `os.system`), and
            // JavaScript reads escapes in them (`\u0065xecSync`): a name guard cannot read as written.
            "identifier" | "property_identifier" | "attribute" | "constant" | "name"
                if !self.t(n).is_ascii() || self.t(n).contains('\\') =>
            {
                self.chose()
            }
            // `\&CORE::system`: a reference to a function, called later by another name.
            "to_reference" => self.chose(),
            "identifier" if self.lang == Lang::Ruby && self.t(n) == "fork" && !self.is_part_of_call(n) => {
                self.forked(false);
            }
            // A loop that can be left (or a child that leaves it) is not a fork bomb.
            "break_statement"
            | "break"
            | "return_statement"
            | "return"
            | "exit_statement"
            | "loop_control_statement"
            | "loop_control_keyword"
            | "return_expression" => self.forked(true),
            _ => {}
        }
        if self.is_call(n) {
            self.call(n);
        } else if self.passed_as_value(n) {
            // `map(os.system, …)`, `pcall(os.execute, …)`, `Thread(target=os.system)`: the
            // function runs with arguments guard does not see.
            self.chose();
        }
        let unbounded = self.unbounded_loop(n);
        if unbounded {
            self.loops.push((false, false));
        }
        let mut c = n.walk();
        let children: Vec<Node> = n.children(&mut c).collect();
        for ch in children {
            self.visit(ch);
        }
        if unbounded {
            if let Some((forks, waits)) = self.loops.pop() {
                if forks && !waits {
                    self.reading.forks_without_end = true;
                }
            }
        }
    }

    /// A function guard knows does something, named as a value rather than called.
    fn passed_as_value(&self, n: Node) -> bool {
        if !matches!(n.kind(), "identifier" | "attribute" | "member_expression" | "dot_index_expression") {
            return false;
        }
        let Some(parent) = n.parent() else { return false };
        if parent.kind().starts_with("call_expression_with_") || n.kind() == "identifier" && self.lang == Lang::Perl {
            return false;
        }
        // The callee of a call, or part of a longer name, is not a value.
        if self.is_call(parent)
            && (parent.child_by_field_name("function").or_else(|| parent.child_by_field_name("name")) == Some(n)
                || parent.child_by_field_name("method") == Some(n)
                || parent.child_by_field_name("receiver") == Some(n))
        {
            return false;
        }
        if matches!(
            parent.kind(),
            "attribute"
                | "member_expression"
                | "dot_index_expression"
                | "import_statement"
                | "import_from_statement"
                | "dotted_name"
                | "aliased_import"
                | "variable_declarator"
                | "assignment"
                | "assignment_statement"
                | "expression_list"
                | "variable_list"
        ) {
            return false;
        }
        let Some(name) = self.dotted(n) else { return false };
        matches!(
            self.lookup(&name),
            Some(
                Does::Shell
                    | Does::Spawn { .. }
                    | Does::ExecArgs { .. }
                    | Does::ExecList { .. }
                    | Does::Delete { .. }
                    | Does::DeleteWithOptions
            )
        )
    }

    fn is_part_of_call(&self, n: Node) -> bool {
        n.parent().is_some_and(|p| self.is_call(p) || p.kind() == "call")
    }

    fn operator(&self, n: Node) -> Option<&'a str> {
        if let Some(op) = n.child_by_field_name("operator") {
            return Some(self.t(op));
        }
        let mut c = n.walk();
        let ops: Vec<Node> = n.children(&mut c).filter(|k| !k.is_named()).collect();
        ops.first().map(|o| self.t(*o))
    }

    /// A loop that never ends by itself: `while True`, `while(1)`, `for(;;)`, `loop do`,
    /// `fork while 1`, `repeat … until false`.
    fn unbounded_loop(&self, n: Node) -> bool {
        let kind = n.kind();
        let truthy = |c: &str, until: bool| {
            let c = c.trim().trim_start_matches('(').trim_end_matches(')').trim();
            let yes = ["1", "true", "True", "!0", "not False", "not 0"];
            let no = ["0", "false", "False", "nil", "None"];
            if until {
                no.contains(&c)
            } else {
                yes.contains(&c) || c == "fork" || c.ends_with("fork()")
            }
        };
        match kind {
            "while_statement" | "while" | "while_modifier" => {
                n.child_by_field_name("condition").is_some_and(|c| truthy(self.t(c), false))
            }
            "until" | "until_modifier" | "until_statement" => {
                n.child_by_field_name("condition").is_some_and(|c| truthy(self.t(c), true))
            }
            "repeat_statement" => n.child_by_field_name("condition").is_some_and(|c| truthy(self.t(c), true)),
            "for_statement" | "cstyle_for_statement" | "for_statement_1" | "for_simple_statement" => {
                let t: String = self.t(n).chars().filter(|c| !c.is_whitespace()).collect();
                // Python's endless iterators: `iter(int, 1)`, `itertools.count()`, `repeat(x)`.
                let endless_iter = n.child_by_field_name("right").is_some_and(|r| {
                    let r: String = self.t(r).chars().filter(|c| !c.is_whitespace()).collect();
                    r.starts_with("iter(int,") || r.ends_with("count()") || (r.contains("repeat(") && !r.contains(','))
                });
                endless_iter || t.starts_with("for(;;)") || t.starts_with("for(;1;)") || t.starts_with("for(;true;)")
            }
            "do_statement" => n.child_by_field_name("condition").is_some_and(|c| truthy(self.t(c), false)),
            // `[os.fork() for _ in iter(int, 1)]`.
            "list_comprehension" | "generator_expression" | "set_comprehension" => named_children(n).iter().any(|c| {
                c.kind() == "for_in_clause"
                    && c.child_by_field_name("right").is_some_and(|r| {
                        let r: String = self.t(r).chars().filter(|c| !c.is_whitespace()).collect();
                        r.starts_with("iter(int,") || r.ends_with("count()")
                    })
            }),
            "single_line_statement" | "loop_statement" => {
                let mut c = n.walk();
                let found = n.named_children(&mut c).any(|ch| {
                    let k = ch.kind();
                    (k.contains("while") || k.contains("until"))
                        && ch.child_by_field_name("condition").is_some_and(|c| truthy(self.t(c), k.contains("until")))
                });
                found
            }
            // Ruby's `loop do … end`, `loop { … }`, `1.step { … }`.
            "call" if self.lang == Lang::Ruby => {
                let method = n.child_by_field_name("method").map(|m| self.t(m));
                let receiver = n.child_by_field_name("receiver");
                n.child_by_field_name("block").is_some()
                    && n.child_by_field_name("arguments").is_none()
                    && match (receiver, method) {
                        (None, Some("loop")) => true,
                        (Some(r), Some("step")) => r.kind() == "integer",
                        _ => false,
                    }
            }
            _ => false,
        }
    }

    /// The code chooses at run time what it calls: guard cannot read all it does.
    fn chose(&mut self) {
        self.reading.complete = false;
        self.reading.chooses = true;
    }

    fn forked(&mut self, wait: bool) {
        for l in &mut self.loops {
            if wait {
                l.1 = true;
            } else {
                l.0 = true;
            }
        }
    }

    fn is_call(&self, n: Node) -> bool {
        match n.kind() {
            "call" => n.child_by_field_name("function").is_some() || n.child_by_field_name("method").is_some(),
            "call_expression"
            | "new_expression"
            | "function_call_expression"
            | "scoped_call_expression"
            | "member_call_expression"
            | "function_call" => true,
            "call_expression_with_args_with_brackets" | "call_expression_with_spaced_args" => true,
            // Perl's bare `fork;` is a call on its own; inside the forms above it is their name.
            "call_expression_with_bareword" => {
                !n.parent().is_some_and(|p| p.kind().starts_with("call_expression_with_"))
            }
            _ => false,
        }
    }

    // ---- imports and variables ----

    fn import(&mut self, n: Node) {
        match self.lang {
            Lang::Python => {
                let module = n.child_by_field_name("module_name").map(|m| self.t(m).to_string());
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    let (full, local) = match name.kind() {
                        "aliased_import" => {
                            let full = name.child_by_field_name("name").map(|x| self.t(x)).unwrap_or("");
                            let local = name.child_by_field_name("alias").map(|x| self.t(x)).unwrap_or("");
                            (full.to_string(), local.to_string())
                        }
                        _ => {
                            let full = self.t(name).to_string();
                            let local = if module.is_some() {
                                full.clone()
                            } else {
                                full.split('.').next().unwrap_or("").to_string()
                            };
                            (if module.is_some() { full } else { local.clone() }, local)
                        }
                    };
                    let target = match &module {
                        Some(m) => format!("{m}.{full}"),
                        None => full,
                    };
                    if !local.is_empty() && local != target {
                        self.aliases.insert(local, target);
                    }
                }
                let mut c = n.walk();
                if n.children(&mut c).any(|ch| ch.kind() == "wildcard_import") {
                    if let Some(m) = module {
                        self.star_modules.push(m);
                    }
                }
            }
            Lang::JavaScript => {
                let Some(source) = n.child_by_field_name("source") else { return };
                let module = js_module(&self.literal(source).unwrap_or_default());
                let mut c = n.walk();
                for clause in n.named_children(&mut c).filter(|x| x.kind() == "import_clause") {
                    let mut c2 = clause.walk();
                    for part in clause.named_children(&mut c2) {
                        match part.kind() {
                            "identifier" => {
                                self.aliases.insert(self.t(part).to_string(), module.clone());
                            }
                            "namespace_import" => {
                                if let Some(id) = named_children(part).into_iter().find(|x| x.kind() == "identifier") {
                                    self.aliases.insert(self.t(id).to_string(), module.clone());
                                }
                            }
                            "named_imports" => {
                                for spec in named_children(part) {
                                    let name = spec.child_by_field_name("name").map(|x| self.t(x).to_string());
                                    let alias = spec.child_by_field_name("alias").map(|x| self.t(x).to_string());
                                    if let Some(name) = name {
                                        let local = alias.unwrap_or_else(|| name.clone());
                                        self.aliases.insert(local, format!("{module}.{name}"));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn assign(&mut self, n: Node) {
        let (left, right) = match n.kind() {
            "variable_declarator" => (n.child_by_field_name("name"), n.child_by_field_name("value")),
            "assignment_statement" | "variable_declaration" if self.lang == Lang::Lua => {
                let kids = named_children(n);
                let inner = kids.iter().find(|k| k.kind() == "assignment_statement").copied();
                if let Some(inner) = inner {
                    return self.assign(inner);
                }
                let left =
                    kids.iter().find(|k| k.kind() == "variable_list").and_then(|l| named_children(*l).first().copied());
                let right = kids
                    .iter()
                    .find(|k| k.kind() == "expression_list")
                    .and_then(|l| named_children(*l).first().copied());
                (left, right)
            }
            _ => {
                let kids = named_children(n);
                (
                    n.child_by_field_name("left").or_else(|| kids.first().copied()),
                    n.child_by_field_name("right").or_else(|| kids.last().copied()),
                )
            }
        };
        let (Some(left), Some(right)) = (left, right) else { return };
        // `const cp = require("child_process")`, `const {execSync} = require(…)`.
        if self.lang == Lang::JavaScript {
            let module = self.required_module(right).or_else(|| {
                (left.kind() == "object_pattern" && matches!(right.kind(), "identifier" | "member_expression"))
                    .then(|| self.dotted(right))
                    .flatten()
            });
            if let Some(module) = module {
                match left.kind() {
                    "identifier" => {
                        self.aliases.insert(self.t(left).to_string(), module);
                    }
                    "object_pattern" => {
                        for p in named_children(left) {
                            match p.kind() {
                                "shorthand_property_identifier_pattern" => {
                                    let name = self.t(p).to_string();
                                    self.aliases.insert(name.clone(), format!("{module}.{name}"));
                                }
                                "pair_pattern" => {
                                    let key = p.child_by_field_name("key").map(|x| self.t(x).to_string());
                                    let value = p.child_by_field_name("value").map(|x| self.t(x).to_string());
                                    if let (Some(k), Some(v)) = (key, value) {
                                        self.aliases.insert(v, format!("{module}.{k}"));
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                return;
            }
        }
        let Some(name) = self.var_name(left) else { return };
        // `f = os.system`, `rm = shutil.rmtree`, `o = os`, `local x = os.execute`: another name
        // for a function or module.
        if matches!(
            right.kind(),
            "identifier" | "attribute" | "member_expression" | "dot_index_expression" | "constant" | "scope_resolution"
        ) {
            if let Some(d) = self.dotted(right) {
                let module_like = self.aliases.contains_key(d.split('.').next().unwrap_or(""))
                    || self.lookup(&d).is_some()
                    || KNOWN_MODULES.contains(&d.split('.').next().unwrap_or(""));
                if module_like {
                    self.aliases.insert(name, d);
                    return;
                }
            }
        }
        let value = self.value(right);
        match self.vars.get(&name) {
            Some(_) => {
                self.vars.insert(name, None);
            }
            None => {
                self.vars.insert(name, Some(value));
            }
        }
    }

    fn required_module(&self, n: Node) -> Option<String> {
        let n = if n.kind() == "await_expression" { named_children(n).first().copied()? } else { n };
        if n.kind() != "call_expression" {
            return None;
        }
        let f = n.child_by_field_name("function")?;
        if !matches!(
            self.t(f),
            "require" | "import" | "module.require" | "process.mainModule.require" | "require.main.require"
        ) {
            return None;
        }
        let arg = named_children(n.child_by_field_name("arguments")?).first().copied()?;
        Some(js_module(&self.literal(arg)?))
    }

    fn var_name(&self, n: Node) -> Option<String> {
        match n.kind() {
            "identifier" | "constant" => Some(self.t(n).to_string()),
            "variable_name" | "scalar_variable" => Some(self.t(n).trim_start_matches('$').to_string()),
            "variable_declaration" => {
                let inner = n.child_by_field_name("variable_name").or_else(|| named_children(n).last().copied())?;
                self.var_name(inner)
            }
            _ => None,
        }
    }

    // ---- naming calls ----

    /// The dotted name an expression stands for, aliases resolved: `sh.rmtree` → `shutil.rmtree`.
    fn dotted(&self, n: Node) -> Option<String> {
        let raw = self.dotted_raw(n)?;
        let (first, rest) = match raw.find('.') {
            Some(i) => (&raw[..i], &raw[i..]),
            None => (raw.as_str(), ""),
        };
        match self.aliases.get(first) {
            Some(full) => Some(format!("{full}{rest}")),
            None => Some(raw),
        }
    }

    fn dotted_raw(&self, n: Node) -> Option<String> {
        match n.kind() {
            "identifier"
            | "name"
            | "constant"
            | "property_identifier"
            | "qualified_name"
            | "scope_resolution"
            | "package_name"
            | "function"
            | "method" => Some(self.t(n).replace("::", ".").replace('\\', ".").trim_start_matches('.').to_string()),
            "attribute" | "member_expression" | "dot_index_expression" | "method_index_expression" => {
                let obj = n
                    .child_by_field_name("object")
                    .or_else(|| n.child_by_field_name("table"))
                    .or_else(|| named_children(n).first().copied())?;
                let prop = n
                    .child_by_field_name("attribute")
                    .or_else(|| n.child_by_field_name("property"))
                    .or_else(|| n.child_by_field_name("field"))
                    .or_else(|| n.child_by_field_name("method"))
                    .or_else(|| named_children(n).last().copied())?;
                Some(format!("{}.{}", self.dotted_raw(obj)?, self.t(prop)))
            }
            // `sys.modules["os"]` is the module; `os["execute"]` (Lua) a member.
            "subscript" => {
                let obj = n.child_by_field_name("value")?;
                let key = self.literal(n.child_by_field_name("subscript")?)?;
                match self.dotted_raw(obj)?.as_str() {
                    "sys.modules" => Some(key),
                    o => Some(format!("{o}.{key}")),
                }
            }
            "bracket_index_expression" => {
                let obj = n.child_by_field_name("table")?;
                let key = self.literal(n.child_by_field_name("field")?)?;
                Some(format!("{}.{}", self.dotted_raw(obj)?, key))
            }
            // `cp["execSync"]`, `os.environ` handled as values; a literal key names a member.
            "subscript_expression" => {
                let obj = n.child_by_field_name("object")?;
                let key = self.literal(n.child_by_field_name("index")?)?;
                Some(format!("{}.{}", self.dotted_raw(obj)?, key))
            }
            "call" | "call_expression" => {
                // `__import__("os")`, `importlib.import_module("os")`, `require("fs")`,
                // `getattr(os, "system")`.
                let f = n.child_by_field_name("function")?;
                let args = n.child_by_field_name("arguments")?;
                let kids = named_children(args);
                match self.t(f) {
                    "__import__" | "importlib.import_module" | "__builtins__.__import__" | "builtins.__import__" => {
                        self.literal(*kids.first()?)
                    }
                    "require"
                    | "import"
                    | "module.require"
                    | "process.mainModule.require"
                    | "require.main.require"
                    | "globalThis.process.mainModule.require"
                    | "global.process.mainModule.require" => Some(js_module(&self.literal(*kids.first()?)?)),
                    "getattr" => Some(format!("{}.{}", self.dotted_raw(*kids.first()?)?, self.literal(*kids.get(1)?)?)),
                    _ => None,
                }
            }
            "parenthesized_expression" => self.dotted_raw(*named_children(n).first()?),
            _ => None,
        }
    }

    fn call(&mut self, n: Node) {
        let kind = n.kind();
        // (the callee's name, the receiver of a method call, the method, the arguments node)
        let (name, receiver, method, args_node): (Option<String>, Option<Node>, Option<String>, Option<Node>) =
            match kind {
                "call" if self.lang == Lang::Python => {
                    let f = n.child_by_field_name("function");
                    let (recv, m) = match f {
                        Some(f) if f.kind() == "attribute" => (
                            f.child_by_field_name("object"),
                            f.child_by_field_name("attribute").map(|a| self.t(a).to_string()),
                        ),
                        _ => (None, None),
                    };
                    (f.and_then(|f| self.dotted(f)), recv, m, n.child_by_field_name("arguments"))
                }
                "call" => {
                    // Ruby: `recv.method(args)`.
                    let recv = n.child_by_field_name("receiver");
                    let m = n.child_by_field_name("method").map(|m| self.t(m).to_string());
                    let name = match (recv, &m) {
                        (Some(r), Some(m)) => self.dotted(r).map(|r| format!("{r}.{m}")),
                        (None, Some(m)) => Some(m.clone()),
                        _ => None,
                    };
                    (name, recv, m, n.child_by_field_name("arguments"))
                }
                "call_expression" | "new_expression" => {
                    let f = n.child_by_field_name("function").or_else(|| n.child_by_field_name("constructor"));
                    if let Some(f) = f {
                        if f.kind() == "subscript_expression"
                            && f.child_by_field_name("index").is_some_and(|i| self.literal(i).is_none())
                        {
                            self.chose();
                        }
                    }
                    let (recv, m) = match f {
                        Some(f) if f.kind() == "member_expression" => (
                            f.child_by_field_name("object"),
                            f.child_by_field_name("property").map(|p| self.t(p).to_string()),
                        ),
                        _ => (None, None),
                    };
                    // Bun's shell: Bun.$`…`.
                    if let Some(f) = f {
                        if self.dotted(f).as_deref() == Some("Bun.$") || self.t(f) == "$" {
                            if let Some(tpl) =
                                n.child_by_field_name("arguments").filter(|a| a.kind() == "template_string")
                            {
                                let v = self.value(tpl);
                                self.shell(&v, n);
                                return;
                            }
                        }
                    }
                    (f.and_then(|f| self.dotted(f)), recv, m, n.child_by_field_name("arguments"))
                }
                "function_call_expression" => {
                    let f = n.child_by_field_name("function");
                    if f.is_some_and(|f| !matches!(f.kind(), "name" | "qualified_name")) {
                        // `$f(…)`, `("sys"."tem")(…)`: the function is chosen at run time.
                        self.chose();
                    }
                    (f.and_then(|f| self.dotted(f)), None, None, n.child_by_field_name("arguments"))
                }
                "scoped_call_expression" => {
                    let scope = n.child_by_field_name("scope").map(|s| self.t(s).to_string());
                    let m = n.child_by_field_name("name").map(|s| self.t(s).to_string());
                    (scope.zip(m).map(|(s, m)| format!("{s}.{m}")), None, None, n.child_by_field_name("arguments"))
                }
                "member_call_expression" => {
                    let recv = n.child_by_field_name("object");
                    let m = n.child_by_field_name("name").map(|s| self.t(s).to_string());
                    (None, recv, m, n.child_by_field_name("arguments"))
                }
                "function_call" => {
                    let f = n.child_by_field_name("name");
                    let (recv, m) = match f {
                        Some(f) if f.kind() == "method_index_expression" => (
                            f.child_by_field_name("table"),
                            f.child_by_field_name("method").map(|p| self.t(p).to_string()),
                        ),
                        _ => (None, None),
                    };
                    (f.and_then(|f| self.dotted(f)), recv, m, n.child_by_field_name("arguments"))
                }
                _ => {
                    // Perl: the name is in a `function_name` field of the call or its bareword.
                    let fname = n.child_by_field_name("function_name").or_else(|| {
                        let mut c = n.walk();
                        let bare = n.named_children(&mut c).find(|k| k.kind() == "call_expression_with_bareword");
                        bare.and_then(|b| b.child_by_field_name("function_name"))
                    });
                    let name = fname.map(|f| self.t(f).replace("::", "."));
                    (name, None, None, n.child_by_field_name("args"))
                }
            };
        let mut args = match args_node {
            Some(a) => self.args(a),
            None => Args { positional: Vec::new(), named: Vec::new() },
        };
        // The Perl grammar ends `f "a", "b", "c"` after its second argument; the rest follow the
        // call as `, expr` pairs up to the end of the statement.
        if kind == "call_expression_with_spaced_args" {
            let mut next = n.next_sibling();
            while let Some(comma) = next.filter(|c| c.kind() == "normal_comma") {
                match comma.next_sibling() {
                    Some(e) if e.is_named() && !e.kind().ends_with("comma") => {
                        args.positional.push(e);
                        next = e.next_sibling();
                    }
                    _ => break,
                }
            }
        }
        let mut does = name.as_deref().and_then(|nm| self.lookup(nm));
        if does.is_none() {
            if let Some(m) = &method {
                does = calls::method(self.lang, m);
                if let (Some(d), Some(r)) = (does, receiver) {
                    let path = self.value(r);
                    if path.0.iter().all(|p| matches!(p, Piece::Unknown(_))) {
                        return;
                    }
                    self.act_on_path(d, path, &args, n);
                    return;
                }
            }
        }
        // Ruby's `include FileUtils`: its functions are called by their bare names.
        if self.lang == Lang::Ruby && name.as_deref() == Some("include") {
            for a in &args.positional {
                self.star_modules.push(self.t(*a).to_string());
            }
        }
        let Some(does) = does else { return };
        self.act(does, &args, n);
    }

    fn lookup(&self, name: &str) -> Option<Does> {
        // PHP's function names are case-insensitive (`SYSTEM("…")`).
        let lower;
        let name = if self.lang == Lang::Php {
            lower = name.to_ascii_lowercase();
            lower.as_str()
        } else {
            name
        };
        // `os.system.__call__(…)` is `os.system(…)`; `posix` and `nt` are what `os` re-exports;
        // `subprocess.os` and `shutil.os` are `os` itself.
        let name = name.strip_suffix(".__call__").unwrap_or(name);
        let reexported;
        let name = if self.lang == Lang::Python {
            if let Some(rest) = name.strip_prefix("posix.").or_else(|| name.strip_prefix("nt.")) {
                reexported = format!("os.{rest}");
                reexported.as_str()
            } else if let Some(at) = name.find(".os.").filter(|_| !name.starts_with("os.")) {
                reexported = name[at + 1..].to_string();
                reexported.as_str()
            } else {
                name
            }
        } else {
            name
        };
        if let Some(d) = calls::lookup(self.lang, name) {
            return Some(d);
        }
        // `from os import *; system("…")`.
        self.star_modules.iter().find_map(|m| calls::lookup(self.lang, &format!("{m}.{name}")))
    }

    fn args<'t>(&self, a: Node<'t>) -> Args<'t> {
        let mut out = Args { positional: Vec::new(), named: Vec::new() };
        // Perl and Ruby may give a lone argument without an argument list node.
        let kids: Vec<Node<'t>> = match a.kind() {
            "arguments" | "argument_list" | "array" | "list_expression" => named_children(a),
            "template_string" => vec![a],
            _ => vec![a],
        };
        for k in kids {
            match k.kind() {
                "normal_comma" | "fat_comma" => {}
                "keyword_argument" => {
                    let name = k.child_by_field_name("name").map(|x| self.t(x).to_string()).unwrap_or_default();
                    if let Some(v) = k.child_by_field_name("value") {
                        out.named.push((name, v));
                    }
                }
                "pair" if self.lang == Lang::Ruby => {
                    let key =
                        k.child_by_field_name("key").map(|x| self.t(x).trim_matches([':', '"', '\'']).to_string());
                    if let (Some(key), Some(v)) = (key, k.child_by_field_name("value")) {
                        out.named.push((key, v));
                    }
                }
                "argument" => {
                    let name = k.child_by_field_name("name").map(|x| self.t(x).to_string());
                    let v = named_children(k).into_iter().rfind(|x| x.kind() != "name");
                    match (name, v) {
                        (Some(name), Some(v)) => out.named.push((name, v)),
                        (None, Some(v)) => out.positional.push(v),
                        _ => {}
                    }
                }
                // Perl's `(list)` inside an argument list is flattened into it.
                "list_expression" if self.lang == Lang::Perl => {
                    out.positional.extend(named_children(k).into_iter().filter(|x| !x.kind().ends_with("comma")))
                }
                _ => out.positional.push(k),
            }
        }
        out
    }

    // ---- acting ----

    fn effect(&mut self, shell: Vec<crate::plan::Part>, n: Node) {
        self.reading.effects.push(Effect { shell, call: clip(self.t(n)) });
    }

    fn shell(&mut self, v: &Val, n: Node) {
        let mut out = Vec::new();
        v.raw(&self.why(), &mut out);
        self.effect(out, n);
    }

    fn run(&mut self, argv: Vec<Val>, n: Node) {
        if argv.is_empty() {
            return;
        }
        let out = command(&argv, &self.why());
        self.effect(out, n);
    }

    fn named<'t>(&self, args: &Args<'t>, name: &str) -> Option<Node<'t>> {
        args.named.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }

    /// The value of key `key` in an options object or hash (`{recursive: true}`).
    fn option<'t>(&self, obj: Node<'t>, key: &str) -> Option<Node<'t>> {
        if !matches!(obj.kind(), "object" | "hash" | "dictionary" | "array_creation_expression" | "table_constructor") {
            return None;
        }
        for p in named_children(obj) {
            let (k, v) = match p.kind() {
                "pair" => (p.child_by_field_name("key"), p.child_by_field_name("value")),
                "array_element_initializer" | "field" => {
                    let kids = named_children(p);
                    (kids.first().copied(), kids.get(1).copied())
                }
                "shorthand_property_identifier" => (Some(p), Some(p)),
                _ => continue,
            };
            if let (Some(k), Some(v)) = (k, v) {
                let name = self.literal(k).unwrap_or_else(|| self.t(k).trim_matches([':', '"', '\'']).to_string());
                if name == key {
                    return Some(v);
                }
            }
        }
        None
    }

    fn truthy(&self, n: Option<Node>) -> bool {
        n.is_some_and(|n| {
            let t = self.t(n).trim();
            !matches!(t, "" | "False" | "false" | "None" | "nil" | "null" | "0" | "undefined")
        })
    }

    fn is_list(&self, n: Node) -> bool {
        matches!(
            n.kind(),
            "list"
                | "tuple"
                | "array"
                | "array_creation_expression"
                | "table_constructor"
                | "anonymous_array_expression"
        ) && !(self.lang == Lang::Perl && n.kind() == "array" && self.t(n).starts_with('('))
    }

    fn is_options(&self, n: Node) -> bool {
        matches!(n.kind(), "object" | "hash" | "dictionary")
    }

    /// The elements of a list literal, evaluated.
    fn elements(&mut self, n: Node) -> Vec<Val> {
        let mut out = Vec::new();
        for e in named_children(n) {
            let e = match e.kind() {
                "array_element_initializer" | "field" => match named_children(e).last() {
                    Some(v) => *v,
                    None => continue,
                },
                _ => e,
            };
            if e.kind().ends_with("comma") {
                continue;
            }
            out.push(self.value(e));
        }
        out
    }

    /// String-like arguments as paths; lists are flattened and options skipped.
    fn paths(&mut self, nodes: &[Node]) -> Vec<Val> {
        let mut out = Vec::new();
        for &n in nodes {
            if self.is_list(n) {
                out.extend(self.elements(n));
            } else if self.is_options(n) || matches!(n.kind(), "true" | "false" | "none" | "nil" | "integer" | "number")
            {
                continue;
            } else {
                out.push(self.value(n));
            }
        }
        out
    }

    fn act(&mut self, does: Does, args: &Args, n: Node) {
        // Python lets any argument be given by name: `rmtree(path="/")`, `run(args=[…])`.
        let mut pos = args.positional.clone();
        for (i, names) in [
            &["args", "command", "cmd", "path", "file", "src", "name", "filename", "code", "source"][..],
            &["dst", "mode", "dest"][..],
        ]
        .iter()
        .enumerate()
        {
            if pos.len() == i {
                if let Some(v) = args.named.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| *v) {
                    pos.push(v);
                }
            }
        }
        match does {
            Does::Shell => {
                if let Some(&a) = pos.first() {
                    let v = self.value(a);
                    self.shell(&v, n);
                }
            }
            Does::ShellOrList => match pos.first() {
                Some(&l) if self.is_list(l) => {
                    let argv = self.elements(l);
                    self.run(argv, n);
                }
                Some(&a) => {
                    let v = self.value(a);
                    self.shell(&v, n);
                }
                None => {}
            },
            Does::Link => {
                let (Some(&target), Some(&link)) = (pos.first(), pos.get(1)) else { return };
                let (target, link) = (self.value(target), self.value(link));
                self.run(vec![Val::text("ln"), Val::text("-s"), Val::text("--"), target, link], n);
            }
            Does::Spawn { string_is_shell } => {
                let args = Args { positional: pos, named: args.named.clone() };
                self.spawn(string_is_shell, &args, n)
            }
            Does::ExecArgs { at, argv0 } => {
                let Some(&prog) = pos.get(at) else { return };
                let mut argv = vec![self.value(prog)];
                let rest: Vec<Val> = pos[at + 1..].iter().map(|&a| self.value(a)).collect();
                argv.extend(rest.into_iter().skip(usize::from(argv0)));
                self.run(argv, n);
            }
            Does::ExecList { at, argv0 } => {
                let Some(&prog) = pos.get(at) else { return };
                let mut argv = vec![self.value(prog)];
                match pos.get(at + 1) {
                    Some(&l) if self.is_list(l) => {
                        let rest = self.elements(l);
                        argv.extend(rest.into_iter().skip(usize::from(argv0)));
                    }
                    Some(&other) => argv.push(self.value(other)),
                    None => {}
                }
                self.run(argv, n);
            }
            Does::Delete { recursive } => {
                let paths = self.paths(&pos);
                self.delete(recursive, paths, n);
            }
            Does::DeleteWithOptions => {
                // Options guard cannot read (a variable, a spread) may ask for recursion.
                let recursive = pos.get(1).is_some_and(|o| {
                    let r = self.option(*o, "recursive");
                    let opaque =
                        !self.is_options(*o) || named_children(*o).iter().any(|p| p.kind() == "spread_element");
                    opaque || self.truthy(r)
                });
                let paths = self.paths(&pos[..pos.len().min(1)]);
                self.delete(recursive, paths, n);
            }
            Does::Write { append } => {
                let append = append
                    || pos.iter().skip(2).any(|a| self.t(*a).contains("FILE_APPEND"))
                    || pos.get(1).and_then(|o| self.option(*o, "flag")).is_some_and(|f| self.t(f).contains('a'));
                let paths = self.paths(&pos[..pos.len().min(1)]);
                self.write(append, paths, n);
            }
            Does::Open => {
                let Some(&p) = pos.first() else { return };
                let mode = pos.get(1).copied().or_else(|| self.named(args, "mode"));
                let mode = mode.and_then(|m| self.literal(m)).unwrap_or_else(|| "r".into());
                let path = self.value(p);
                // Ruby's `open("|cmd")` runs cmd.
                if let (Lang::Ruby, Some(Piece::Text(t))) = (self.lang, path.0.first()) {
                    if let Some(cmd) = t.strip_prefix('|') {
                        let mut c = path.clone();
                        c.0[0] = Piece::Text(cmd.to_string());
                        return self.shell(&c, n);
                    }
                }
                self.open(&mode, path, n);
            }
            Does::PerlOpen => self.perl_open(&pos, n),
            Does::Chmod { mode_first, recursive } => {
                let (mode, paths) = if mode_first {
                    (pos.first().copied(), pos.get(1..).unwrap_or(&[]).to_vec())
                } else {
                    (pos.get(1).copied(), pos.first().copied().into_iter().collect())
                };
                let Some(mode) = mode else { return };
                let mode = self.mode(mode);
                let paths = self.paths(&paths);
                if paths.is_empty() {
                    return;
                }
                let mut argv = vec![Val::text("chmod")];
                if recursive {
                    argv.push(Val::text("-R"));
                }
                argv.push(mode);
                argv.push(Val::text("--"));
                argv.extend(paths);
                self.run(argv, n);
            }
            Does::Chown { owner_first } => {
                let (owner, group, paths) = if owner_first {
                    (pos.first().copied(), pos.get(1).copied(), pos.get(2..).unwrap_or(&[]).to_vec())
                } else {
                    (pos.get(1).copied(), pos.get(2).copied(), pos.first().copied().into_iter().collect())
                };
                let Some(owner) = owner else { return };
                let mut who = self.value(owner);
                if let Some(g) = group {
                    let g = self.value(g);
                    if !matches!(g.as_text(), Some("-1" | "nil" | "None" | "undef")) {
                        who.push(Val::text(":"));
                        who.push(g);
                    }
                }
                let paths = self.paths(&paths);
                if paths.is_empty() {
                    return;
                }
                let mut argv = vec![Val::text("chown"), who, Val::text("--")];
                argv.extend(paths);
                self.run(argv, n);
            }
            Does::Move | Does::Copy { .. } => {
                let (Some(&a), Some(&b)) = (pos.first(), pos.get(1)) else { return };
                let mut argv = match does {
                    Does::Move => vec![Val::text("mv")],
                    Does::Copy { tree: true } => vec![Val::text("cp"), Val::text("-r")],
                    _ => vec![Val::text("cp")],
                };
                argv.push(Val::text("--"));
                argv.push(self.value(a));
                argv.push(self.value(b));
                self.run(argv, n);
            }
            Does::Read => {
                if let Some(&p) = pos.first() {
                    let path = self.value(p);
                    self.read_file(path, n);
                }
            }
            Does::Kill { signal_first } => {
                let (sig, pids) = if signal_first {
                    (pos.first().copied(), pos.get(1..).unwrap_or(&[]).to_vec())
                } else {
                    (pos.get(1).copied(), pos.first().copied().into_iter().collect())
                };
                if pids.is_empty() {
                    return;
                }
                let signal = match sig.map(|s| self.t(s).trim().trim_matches(['"', '\'', ':'])) {
                    None => Val::text("-15"),
                    Some(t) if t.bytes().all(|b| b.is_ascii_digit()) => Val::text(format!("-{t}")),
                    Some(t) if t.ends_with("KILL") => Val::text("-9"),
                    Some(t) if t.ends_with("TERM") => Val::text("-15"),
                    Some(t) => Val::unknown(t),
                };
                let mut argv = vec![Val::text("kill"), signal, Val::text("--")];
                for p in pids {
                    argv.push(self.value(p));
                }
                self.run(argv, n);
            }
            Does::Fork => self.forked(false),
            Does::Wait => self.forked(true),
            Does::Eval => {
                // `Function(a, b, BODY)` takes its code last; the others first.
                let at =
                    if self.t(n).trim_start_matches("new ").starts_with("Function") { pos.last() } else { pos.first() };
                let code = at.and_then(|&a| self.literal(a));
                match code {
                    Some(code) if self.depth < MAX_EVAL_DEPTH => {
                        match read(self.lang, &code, self.deadline, self.depth + 1) {
                            Some(inner) => {
                                self.reading.complete &= inner.complete;
                                self.reading.chooses |= inner.chooses;
                                self.reading.forks_without_end |= inner.forks_without_end;
                                self.reading.effects.extend(inner.effects);
                            }
                            None => self.reading.complete = false,
                        }
                    }
                    _ => self.chose(),
                }
            }
            Does::Opaque => {
                // `call_user_func("system", "id")`: a call of the function it names.
                let named = pos.first().and_then(|&f| self.literal(f)).and_then(|f| self.lookup(&f));
                if let Some(inner) = named.filter(|d| *d != Does::Opaque) {
                    let head = self.t(n).split('(').next().unwrap_or("").trim().to_ascii_lowercase();
                    if head == "call_user_func" || head == "call_user_func_array" {
                        let mut rest: Vec<Node> = pos[1..].to_vec();
                        if head == "call_user_func_array" {
                            if let Some(&l) = rest.first().filter(|l| self.is_list(**l)) {
                                rest = named_children(l)
                                    .into_iter()
                                    .map(|e| {
                                        if e.kind() == "array_element_initializer" {
                                            named_children(e).last().copied().unwrap_or(e)
                                        } else {
                                            e
                                        }
                                    })
                                    .collect();
                            }
                        }
                        let args = Args { positional: rest, named: Vec::new() };
                        return self.act(inner, &args, n);
                    }
                    // The function runs with arguments guard does not follow.
                    self.chose();
                    return;
                }
                if self.chooses_at_run_time(n, &pos) {
                    self.chose();
                }
            }
        }
    }

    /// Whether a call that can choose what runs (`getattr`, `require`, `send`) does so here.
    fn chooses_at_run_time(&self, n: Node, pos: &[Node]) -> bool {
        let t = self.t(n);
        let head = t.split(|c: char| c == '(' || c.is_whitespace()).next().unwrap_or("");
        let fixed =
            |i: usize| pos.get(i).is_some_and(|&a| self.literal(a).is_some() || !self.t(a).starts_with(['$', '@']));
        match head {
            // A module named by literal text (or Perl's bareword) is not a run-time choice.
            "require" | "import" | "__import__" | "importlib.import_module" => {
                !pos.first().is_some_and(|&a| self.literal(a).is_some() || (self.lang == Lang::Perl && fixed(0)))
            }
            "getattr" => pos.get(1).is_none_or(|&a| self.literal(a).is_none()),
            // Only the `/e` modifier makes `preg_replace` run code.
            "preg_replace" => t.contains("/e"),
            // A callback written in place or named by a literal is read like any call.
            "array_map" | "usort" => pos.first().is_some_and(|a| {
                !matches!(a.kind(), "encapsed_string" | "string" | "anonymous_function" | "arrow_function")
            }),
            _ => true,
        }
    }

    fn act_on_path(&mut self, does: Does, path: Val, args: &Args, n: Node) {
        match does {
            Does::Delete { recursive } => self.delete(recursive, vec![path], n),
            Does::Write { append } => self.write(append, vec![path], n),
            Does::Read => self.read_file(path, n),
            Does::Chmod { .. } => {
                let Some(&m) = args.positional.first() else { return };
                let mode = self.mode(m);
                self.run(vec![Val::text("chmod"), mode, Val::text("--"), path], n);
            }
            Does::Link => {
                let Some(&target) = args.positional.first() else { return };
                let target = self.value(target);
                self.run(vec![Val::text("ln"), Val::text("-s"), Val::text("--"), target, path], n);
            }
            Does::Open => {
                let mode = args.positional.first().copied().or_else(|| self.named(args, "mode"));
                let mode = mode.and_then(|m| self.literal(m)).unwrap_or_else(|| "r".into());
                self.open(&mode, path, n);
            }
            Does::Move => {
                let Some(&to) = args.positional.first() else { return };
                let to = self.value(to);
                self.run(vec![Val::text("mv"), Val::text("--"), path, to], n);
            }
            _ => {}
        }
    }

    fn spawn(&mut self, string_is_shell: bool, args: &Args, n: Node) {
        let mut pos: Vec<Node> = args.positional.clone();
        // Ruby's `system({"A" => "1"}, "cmd")`: the environment comes first.
        if pos.first().is_some_and(|p| self.is_options(*p)) && self.lang == Lang::Ruby {
            pos.remove(0);
        }
        let Some(&first) = pos.first() else { return };
        let options = pos.iter().skip(1).rev().find(|p| self.is_options(**p)).copied();
        let shell_opt = self.named(args, "shell").or_else(|| options.and_then(|o| self.option(o, "shell")));
        let by_shell = self.truthy(shell_opt);
        if self.is_list(first) {
            let argv = self.elements(first);
            if by_shell {
                let mut joined = Val::default();
                for (i, a) in argv.into_iter().enumerate() {
                    if i > 0 {
                        joined.push(Val::text(" "));
                    }
                    joined.push(a);
                }
                return self.shell(&joined, n);
            }
            return self.run(argv, n);
        }
        if self.is_options(first) {
            // `Bun.spawn({cmd: […]})`, `Deno.run({cmd: […]})`.
            if let Some(cmd) = self.option(first, "cmd") {
                if self.is_list(cmd) {
                    let argv = self.elements(cmd);
                    return self.run(argv, n);
                }
            }
            return;
        }
        let strings: Vec<Node> =
            pos.iter().take_while(|p| !self.is_options(**p) && !self.is_list(**p)).copied().collect();
        let list = pos.get(1).filter(|p| self.is_list(**p)).copied();
        let deno_args = options.and_then(|o| self.option(o, "args")).filter(|a| self.is_list(*a));
        let program = self.value(first);
        if by_shell || (string_is_shell && strings.len() == 1 && list.is_none()) {
            let mut text = program;
            if let Some(l) = list {
                for a in self.elements(l) {
                    text.push(Val::text(" "));
                    text.push(a);
                }
            }
            return self.shell(&text, n);
        }
        let mut argv = vec![program];
        if string_is_shell && strings.len() > 1 {
            argv.extend(strings[1..].iter().map(|&s| self.value(s)));
        }
        if let Some(l) = list.or(deno_args) {
            argv.extend(self.elements(l));
        }
        self.run(argv, n);
    }

    fn delete(&mut self, recursive: bool, paths: Vec<Val>, n: Node) {
        if paths.is_empty() {
            return;
        }
        let mut argv = vec![Val::text("rm")];
        if recursive {
            argv.push(Val::text("-r"));
        }
        argv.push(Val::text("--"));
        argv.extend(paths);
        self.run(argv, n);
    }

    /// A write, as the shell writes a file: a redirection (`true > PATH`, `true >> PATH`).
    fn write(&mut self, append: bool, paths: Vec<Val>, n: Node) {
        for path in paths {
            let mut out = command(&[Val::text("true")], &self.why());
            super::value::push_text(&mut out, if append { " >> " } else { " > " });
            path.word(&self.why(), &mut out);
            self.effect(out, n);
        }
    }

    /// A file read: listed when guard knows which file (reads of computed paths are the
    /// code's own business, like `cat "$1"`).
    fn read_file(&mut self, path: Val, n: Node) {
        if path.is_known() {
            self.run(vec![Val::text("cat"), Val::text("--"), path], n);
        }
    }

    fn open(&mut self, mode: &str, path: Val, n: Node) {
        if mode.contains('a') {
            self.write(true, vec![path], n);
        } else if mode.contains('w') || mode.contains('x') || mode.contains('+') {
            self.write(false, vec![path], n);
        } else {
            self.read_file(path, n);
        }
    }

    fn perl_open(&mut self, pos: &[Node], n: Node) {
        if pos.len() >= 3 {
            let mode = self.literal(pos[1]).unwrap_or_default();
            let mode = mode.trim();
            if mode == "-|" || mode == "|-" {
                let rest: Vec<Val> = pos[2..].iter().map(|&a| self.value(a)).collect();
                if rest.len() == 1 {
                    return self.shell(&rest[0], n);
                }
                return self.run(rest, n);
            }
            let path = self.value(pos[2]);
            let m = if mode.starts_with(">>") {
                "a"
            } else if mode.starts_with('>') || mode.starts_with("+<") {
                "w"
            } else {
                "r"
            };
            return self.open(m, path, n);
        }
        let Some(&spec) = pos.get(1) else { return };
        let v = self.value(spec);
        let Some(Piece::Text(first)) = v.0.first().cloned() else {
            // `open(F, "$ENV{HOME}/x")`: a read of the path.
            return self.open("r", v, n);
        };
        let trimmed = first.trim_start();
        let strip = |v: &Val, prefix: usize| -> Val {
            let mut out = v.clone();
            if let Some(Piece::Text(t)) = out.0.first_mut() {
                *t = t.trim_start()[prefix..].trim_start().to_string();
            }
            out
        };
        if let Some(cmd) = trimmed.strip_prefix('|') {
            let _ = cmd;
            let c = strip(&v, 1);
            return self.shell(&c, n);
        }
        if matches!(v.0.last(), Some(Piece::Text(t)) if t.trim_end().ends_with('|')) {
            let mut c = v.clone();
            if let Some(Piece::Text(t)) = c.0.last_mut() {
                let keep = t.trim_end().trim_end_matches('|').to_string();
                *t = keep;
            }
            return self.shell(&c, n);
        }
        if trimmed.starts_with(">>") {
            let p = strip(&v, 2);
            self.open("a", p, n)
        } else if trimmed.starts_with('>') {
            let p = strip(&v, 1);
            self.open("w", p, n)
        } else if trimmed.starts_with('<') {
            let p = strip(&v, 1);
            self.open("r", p, n)
        } else {
            self.open("r", v, n)
        }
    }

    /// A permission mode as `chmod` takes it: octal digits, or what the code wrote.
    fn mode(&mut self, n: Node) -> Val {
        let t = self.t(n).trim().replace('_', "");
        let octal = if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
            u32::from_str_radix(o, 8).ok()
        } else if t.len() > 1 && t.starts_with('0') && t.bytes().all(|b| b.is_ascii_digit()) {
            u32::from_str_radix(&t[1..], 8).ok()
        } else if n.kind() == "integer" || n.kind() == "number" {
            t.parse::<u32>().ok()
        } else {
            None
        };
        match octal {
            Some(m) => Val::text(format!("{m:o}")),
            None => self.value(n),
        }
    }

    // ---- values ----

    /// The text of a string literal with nothing computed in it.
    fn literal(&self, n: Node) -> Option<String> {
        let mut r = Reader {
            lang: self.lang,
            src: self.src,
            aliases: HashMap::new(),
            star_modules: Vec::new(),
            vars: HashMap::new(),
            reading: Reading::default(),
            nodes: 0,
            deadline: self.deadline,
            depth: self.depth,
            loops: Vec::new(),
            value_depth: self.value_depth,
            visit_depth: 0,
        };
        if !is_string_kind(n.kind()) {
            return None;
        }
        r.value(n).as_text().map(str::to_string)
    }

    fn value(&mut self, n: Node) -> Val {
        // Deep or huge expressions (`x=1+1+…`, `b=a+a; c=b+b; …`) are not followed: unknown.
        if self.value_depth >= MAX_VALUE_DEPTH {
            return Val::unknown(self.t(n));
        }
        self.value_depth += 1;
        let v = self.value_inner(n);
        self.value_depth -= 1;
        if v.size() > MAX_VALUE {
            return Val::unknown(self.t(n));
        }
        v
    }

    fn value_inner(&mut self, n: Node) -> Val {
        let kind = n.kind();
        match kind {
            _ if is_string_kind(kind) => self.string(n),
            "concatenated_string" => {
                let mut out = Val::default();
                for k in named_children(n) {
                    let v = self.value(k);
                    out.push(v);
                }
                out
            }
            "integer" | "float" | "number" | "true" | "false" | "none" | "nil" | "null" => Val::text(self.t(n)),
            // `-1`.
            "unary_operator" | "unary_expression" | "unary" => {
                let t: String = self.t(n).chars().filter(|c| !c.is_whitespace()).collect();
                match t.strip_prefix('-') {
                    Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => Val::text(t),
                    _ => Val::unknown(self.t(n)),
                }
            }
            "parenthesized_expression" | "expression_statement" | "argument" => match named_children(n).first() {
                Some(&k) => self.value(k),
                None => Val::unknown(self.t(n)),
            },
            "binary_operator" | "binary_expression" | "binary" => {
                let op = self.operator(n).unwrap_or("");
                let kids = named_children(n);
                let (Some(&l), Some(&r)) = (
                    n.child_by_field_name("left").as_ref().or(kids.first()),
                    n.child_by_field_name("right").as_ref().or(kids.last()),
                ) else {
                    return Val::unknown(self.t(n));
                };
                match op {
                    "+" | "." | ".." => {
                        let mut v = self.value(l);
                        let rv = self.value(r);
                        v.push(rv);
                        v
                    }
                    "/" if self.lang == Lang::Python => {
                        let (lv, rv) = (self.value(l), self.value(r));
                        Val::join(vec![lv, rv])
                    }
                    _ => Val::unknown(self.t(n)),
                }
            }
            "identifier" | "variable_name" | "scalar_variable" | "constant" | "special_scalar_variable" => {
                let name = self.t(n).trim_start_matches('$');
                match (self.lang, name) {
                    (Lang::Perl, "^X") => return Val::text("perl"),
                    // The directory the code runs in.
                    (Lang::JavaScript, "__dirname") => return Val::env("PWD"),
                    _ => {}
                }
                match self.vars.get(name) {
                    Some(Some(v)) => v.clone(),
                    _ => Val::unknown(self.t(n)),
                }
            }
            "attribute" | "member_expression" | "dot_index_expression" => match self.dotted(n) {
                Some(d) if d.starts_with("process.env.") => Val::env(&d["process.env.".len()..]),
                // The interpreter running the code, run again.
                Some(d) if d == "sys.executable" => Val::text("python3"),
                Some(d) if d == "process.execPath" => Val::text("node"),
                Some(d) if d == "os.curdir" => Val::text("."),
                _ => Val::unknown(self.t(n)),
            },
            "subscript"
            | "subscript_expression"
            | "element_reference"
            | "hash_access_variable_simple"
            | "hash_access_variable"
            | "hash_element_expression" => self.env_lookup(n).unwrap_or_else(|| Val::unknown(self.t(n))),
            "call"
            | "call_expression"
            | "function_call_expression"
            | "function_call"
            | "call_expression_with_args_with_brackets"
            | "call_expression_with_spaced_args"
            | "member_call_expression"
            | "scoped_call_expression" => self.call_value(n),
            _ => Val::unknown(self.t(n)),
        }
    }

    /// `os.environ["HOME"]`, `process.env["HOME"]`, `ENV["HOME"]`, `$_SERVER["HOME"]`, `$ENV{HOME}`.
    fn env_lookup(&mut self, n: Node) -> Option<Val> {
        let kids = named_children(n);
        let obj = n
            .child_by_field_name("value")
            .or_else(|| n.child_by_field_name("object"))
            .or_else(|| n.child_by_field_name("hash_variable"))
            .or_else(|| kids.first().copied())?;
        let key = n
            .child_by_field_name("subscript")
            .or_else(|| n.child_by_field_name("index"))
            .or_else(|| n.child_by_field_name("key"))
            .or_else(|| kids.get(1).copied())?;
        let obj_name = self.dotted(obj).unwrap_or_else(|| self.t(obj).to_string());
        let is_env = matches!(
            obj_name.trim_start_matches('$'),
            "os.environ" | "process.env" | "ENV" | "_SERVER" | "_ENV" | "environ"
        );
        if !is_env {
            return None;
        }
        let name = self.literal(key).or_else(|| {
            let t = self.t(key);
            t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_').then(|| t.to_string())
        })?;
        Some(Val::env(&name))
    }

    fn call_value(&mut self, n: Node) -> Val {
        let (f, args) = match n.kind() {
            "call" if self.lang == Lang::Python => {
                (n.child_by_field_name("function"), n.child_by_field_name("arguments"))
            }
            "call" => {
                let name = match (n.child_by_field_name("receiver"), n.child_by_field_name("method")) {
                    (Some(r), Some(m)) => self.dotted(r).map(|r| format!("{r}.{}", self.t(m))),
                    (None, Some(m)) => Some(self.t(m).to_string()),
                    _ => None,
                };
                return self.named_value(
                    n,
                    name,
                    n.child_by_field_name("receiver"),
                    n.child_by_field_name("arguments"),
                );
            }
            "call_expression" | "function_call_expression" => {
                (n.child_by_field_name("function"), n.child_by_field_name("arguments"))
            }
            "function_call" => (n.child_by_field_name("name"), n.child_by_field_name("arguments")),
            "scoped_call_expression" => {
                let name = n
                    .child_by_field_name("scope")
                    .zip(n.child_by_field_name("name"))
                    .map(|(s, m)| format!("{}.{}", self.t(s), self.t(m)));
                return self.named_value(n, name, None, n.child_by_field_name("arguments"));
            }
            "member_call_expression" => {
                let name = n.child_by_field_name("name").map(|m| format!(".{}", self.t(m)));
                return self.named_value(n, name, n.child_by_field_name("object"), n.child_by_field_name("arguments"));
            }
            _ => {
                let fname = {
                    let mut c = n.walk();
                    let bare = n.named_children(&mut c).find(|k| k.kind() == "call_expression_with_bareword");
                    bare.and_then(|b| b.child_by_field_name("function_name"))
                };
                let name = fname.map(|f| self.t(f).replace("::", "."));
                return self.named_value(n, name, None, n.child_by_field_name("args"));
            }
        };
        let Some(f) = f else { return Val::unknown(self.t(n)) };
        let receiver = match f.kind() {
            "attribute" => f.child_by_field_name("object"),
            "member_expression" => f.child_by_field_name("object"),
            _ => None,
        };
        let name = self.dotted(f).or_else(|| {
            let m = f.child_by_field_name("attribute").or_else(|| f.child_by_field_name("property"))?;
            Some(format!(".{}", self.t(m)))
        });
        self.named_value(n, name, receiver, args)
    }

    fn named_value(&mut self, n: Node, name: Option<String>, receiver: Option<Node>, args: Option<Node>) -> Val {
        let Some(name) = name else { return Val::unknown(self.t(n)) };
        let args = args.map(|a| self.args(a)).unwrap_or(Args { positional: Vec::new(), named: Vec::new() });
        let first = args.positional.first().copied();
        let method = name.rsplit('.').next().unwrap_or("");
        if HOME_CALLS.contains(&name.as_str()) || name.ends_with("os.userInfo().homedir") {
            return Val(vec![Piece::Home]);
        }
        if CWD_CALLS.contains(&name.as_str()) {
            return Val::env("PWD");
        }
        if ENV_CALLS.contains(&name.as_str()) {
            if let Some(k) = first.and_then(|f| self.literal(f)) {
                return Val::env(&k);
            }
            return Val::unknown(self.t(n));
        }
        if TILDE_CALLS.contains(&name.as_str()) {
            if let Some(f) = first {
                let v = self.value(f).expand_tilde();
                return v;
            }
        }
        if PATH_CALLS.contains(&name.as_str()) {
            let parts: Vec<Val> = args.positional.iter().map(|&a| self.value(a)).collect();
            if parts.is_empty() {
                return Val::text(".");
            }
            return Val::join(parts);
        }
        // Methods of a path value that keep the path: `Path("~/x").expanduser()`, `.resolve()`.
        if let Some(r) = receiver {
            match method {
                "expanduser" => return self.value(r).expand_tilde(),
                "resolve" | "absolute" | "as_posix" | "__str__" | "to_s" | "to_path" | "toString" => {
                    return self.value(r)
                }
                "joinpath" => {
                    let mut parts = vec![self.value(r)];
                    parts.extend(args.positional.iter().map(|&a| self.value(a)));
                    return Val::join(parts);
                }
                _ => {}
            }
        }
        Val::unknown(self.t(n))
    }

    fn string(&mut self, n: Node) -> Val {
        if self.lang == Lang::Perl {
            return self.perl_string(n);
        }
        let raw_python = self.lang == Lang::Python
            && n.child_by_field_name("prefix").or_else(|| named_children(n).first().copied()).is_some_and(|s| {
                s.kind() == "string_start"
                    && self.t(s).chars().take_while(|c| *c != '"' && *c != '\'').any(|c| c == 'r' || c == 'R')
            });
        let single_php = self.lang == Lang::Php && n.kind() == "string";
        let mut out = Val::default();
        let kids = named_children(n);
        if kids.is_empty() {
            // A string with no parts: its text less the quotes.
            let t = self.t(n);
            let inner = t.get(1..t.len().saturating_sub(1)).unwrap_or("");
            return Val::text(inner);
        }
        for k in kids {
            match k.kind() {
                "string_start" | "string_end" | "heredoc_start" | "heredoc_end" | "heredoc_beginning"
                | "heredoc_end_tag" => {}
                "string_content"
                | "string_fragment"
                | "content"
                | "heredoc_content"
                | "nowdoc_string"
                | "heredoc_body_content" => {
                    let t = self.t(k);
                    if raw_python || single_php {
                        let t = if single_php { t.replace("\\'", "'").replace("\\\\", "\\") } else { t.to_string() };
                        out.push(Val::text(t));
                    } else {
                        // Escapes inside the content node (Python keeps them in it).
                        out.push(unescape(self.lang, t).map(Val::text).unwrap_or_else(|| Val::unknown(t)));
                    }
                }
                "escape_sequence" => {
                    let t = self.t(k);
                    out.push(unescape(self.lang, t).map(Val::text).unwrap_or_else(|| Val::unknown(t)));
                }
                "interpolation" | "template_substitution" => {
                    let inner = k
                        .child_by_field_name("expression")
                        .or_else(|| named_children(k).into_iter().find(|x| !x.kind().contains("format")));
                    match inner {
                        Some(e) => {
                            let v = self.value(e);
                            out.push(v);
                        }
                        None => out.push(Val::unknown(self.t(k))),
                    }
                }
                "heredoc_body" | "string_value" => {
                    let v = self.string(k);
                    out.push(v);
                }
                _ => {
                    let v = self.value(k);
                    out.push(v);
                }
            }
        }
        out
    }

    /// Perl strings keep their text between delimiters; double-quoted ones interpolate
    /// `$name`, `${name}` and `$ENV{NAME}`.
    fn perl_string(&mut self, n: Node) -> Val {
        let t = self.t(n);
        let kind = n.kind();
        let body = match kind {
            "string_single_quoted" | "string_double_quoted" | "backtick_quoted" => t.get(1..t.len().saturating_sub(1)),
            _ => {
                // q{…}, qq{…}, qx{…}: after the operator, one delimiter each side.
                let start = t.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(t.len());
                let rest = t[start..].trim_start();
                rest.get(1..rest.len().saturating_sub(1))
            }
        }
        .unwrap_or("");
        let interpolates = !matches!(kind, "string_single_quoted" | "string_q_quoted");
        if !interpolates {
            return Val::text(body.replace("\\'", "'").replace("\\\\", "\\"));
        }
        let mut out = Val::default();
        let mut lit = String::new();
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'\\' && i + 1 < b.len() {
                match unescape_one(Lang::Perl, &body[i..]) {
                    Some((s, used)) => {
                        lit.push_str(&s);
                        i += used;
                    }
                    None => {
                        // `\U…\E`, `\N{name}`: not decoded; the string is not known.
                        return Val::unknown(t);
                    }
                }
                continue;
            }
            if (c == b'$' || c == b'@')
                && i + 1 < b.len()
                && (b[i + 1] == b'{' || b[i + 1] == b'_' || b[i + 1].is_ascii_alphabetic())
            {
                let start = i;
                i += 1;
                let name: String;
                if b[i] == b'{' {
                    let end = body[i..].find('}').map(|e| i + e).unwrap_or(b.len());
                    name = body[i + 1..end.min(b.len())].to_string();
                    i = (end + 1).min(b.len());
                } else {
                    let s = i;
                    while i < b.len()
                        && (b[i].is_ascii_alphanumeric()
                            || b[i] == b'_'
                            || (b[i] == b':' && i + 1 < b.len() && b[i + 1] == b':'))
                    {
                        i += if b[i] == b':' { 2 } else { 1 };
                    }
                    name = body[s..i].to_string();
                }
                // `$ENV{HOME}`.
                let mut v = None;
                if c == b'$' && name == "ENV" && i < b.len() && b[i] == b'{' {
                    let end = body[i..].find('}').map(|e| i + e).unwrap_or(b.len());
                    let key = body[i + 1..end.min(b.len())].trim_matches(['"', '\'']).to_string();
                    i = (end + 1).min(b.len());
                    v = Some(Val::env(&key));
                }
                let v = v.unwrap_or_else(|| match (c, self.vars.get(&name)) {
                    (b'$', Some(Some(v))) => v.clone(),
                    _ => Val::unknown(&body[start..i]),
                });
                out.push(Val::text(std::mem::take(&mut lit)));
                out.push(v);
                continue;
            }
            let ch = body[i..].chars().next().unwrap_or(' ');
            lit.push(ch);
            i += ch.len_utf8();
        }
        out.push(Val::text(lit));
        out.0.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        out
    }
}

fn is_string_kind(kind: &str) -> bool {
    matches!(
        kind,
        "string"
            | "encapsed_string"
            | "template_string"
            | "subshell"
            | "shell_command_expression"
            | "heredoc"
            | "nowdoc"
            | "string_single_quoted"
            | "string_double_quoted"
            | "string_q_quoted"
            | "string_qq_quoted"
            | "backtick_quoted"
            | "command_qx_quoted"
            | "interpolated_string_expression"
    )
}

/// A module name as `require` or `import` gives it, in the form the call table uses.
fn js_module(m: &str) -> String {
    let m = m.strip_prefix("node:").unwrap_or(m);
    match m {
        "fs/promises" | "fs-extra" | "graceful-fs" => "fs".into(),
        "child_process" | "fs" | "os" | "path" | "vm" => m.into(),
        "bun" => "Bun".into(),
        _ => m.replace(['/', '-'], "_"),
    }
}

/// Backslash escapes of these languages' double-quoted strings; `None` for an escape guard
/// does not decode exactly (a wrong decode is worse than an unknown value).
fn unescape(lang: Lang, s: &str) -> Option<String> {
    if !s.contains('\\') {
        return Some(s.to_string());
    }
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        if s.as_bytes()[i] == b'\\' {
            let (t, used) = unescape_one(lang, &s[i..])?;
            out.push_str(&t);
            i += used;
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    Some(out)
}

/// One escape at the start of `s` (which starts with a backslash): its text and its length.
fn unescape_one(lang: Lang, s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let Some(&c) = b.get(1) else { return Some(("\\".into(), 1)) };
    let simple = match c {
        b'n' => Some('\n'),
        b't' => Some('\t'),
        b'r' => Some('\r'),
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b'f' => Some('\x0c'),
        b'v' => Some('\x0b'),
        b'e' if lang == Lang::Perl || lang == Lang::Ruby || lang == Lang::Php => Some('\x1b'),
        b'\\' | b'"' | b'\'' | b'`' | b'$' | b'@' | b'/' => Some(c as char),
        b'\n' => return Some((String::new(), 2)),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch.to_string(), 2));
    }
    let digits = |from: usize, max: usize, radix: u32| -> (Option<char>, usize) {
        let d: String = s[from..].chars().take(max).take_while(|x| x.is_digit(radix)).collect();
        (u32::from_str_radix(&d, radix).ok().and_then(char::from_u32), d.len())
    };
    let braced = |from: usize, radix: u32| -> Option<(String, usize)> {
        let end = s[from..].find('}')? + from;
        let inner = s[from + 1..end].trim_start_matches("U+");
        let ch = u32::from_str_radix(inner, radix).ok().and_then(char::from_u32)?;
        Some((ch.to_string(), end + 1))
    };
    match (c, lang) {
        // Lua's `\ddd` is decimal.
        (b'0'..=b'9', Lang::Lua) => match digits(1, 3, 10) {
            (Some(ch), n) if n > 0 => Some((ch.to_string(), 1 + n)),
            _ => None,
        },
        (b'0'..=b'7', _) => match digits(1, 3, 8) {
            (Some(ch), n) if n > 0 => Some((ch.to_string(), 1 + n)),
            _ => None,
        },
        (b'x', _) if b.get(2) == Some(&b'{') => braced(2, 16),
        (b'x', _) => match digits(2, 2, 16) {
            (Some(ch), n) if n > 0 => Some((ch.to_string(), 2 + n)),
            _ => None,
        },
        (b'u', _) if b.get(2) == Some(&b'{') => braced(2, 16),
        (b'u', Lang::Python | Lang::JavaScript | Lang::Ruby | Lang::Php) => match digits(2, 4, 16) {
            (Some(ch), 4) => Some((ch.to_string(), 6)),
            _ => None,
        },
        (b'U', Lang::Python) => match digits(2, 8, 16) {
            (Some(ch), 8) => Some((ch.to_string(), 10)),
            _ => None,
        },
        (b'o', Lang::Perl) if b.get(2) == Some(&b'{') => braced(2, 8),
        (b'N', Lang::Perl) if s[2..].starts_with("{U+") => braced(2, 16),
        // Python and JavaScript keep an unknown escape as it is written.
        (_, Lang::Python | Lang::JavaScript) if !matches!(c, b'N' | b'u' | b'U' | b'x') => {
            let ch = s[1..].chars().next()?;
            Some((format!("\\{ch}"), 1 + ch.len_utf8()))
        }
        _ => None,
    }
}
