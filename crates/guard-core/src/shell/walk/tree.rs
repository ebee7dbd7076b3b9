//! Small readers of tree-sitter nodes shared by the walker: document-order visits, a node's
//! text, a word's byte range and the substitutions inside it.

use tree_sitter::Node;

/// Visit nodes in document order; `visit` returns whether to go into the node's children.
pub(super) fn preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    'outer: loop {
        if visit(cursor.node()) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'outer;
            }
            if !cursor.goto_parent() {
                break 'outer;
            }
        }
    }
}

/// The text of a node. Never panics: a range off a character boundary yields "".
pub(super) fn node_text<'a>(text: &'a str, n: Node) -> &'a str {
    text.get(n.byte_range()).unwrap_or_default()
}

/// The byte range of a word node, without the whitespace the grammar sometimes folds into
/// the front of a substitution token.
pub(super) fn word_range(src: &str, n: Node) -> (usize, usize) {
    let (mut s, e) = (n.start_byte(), n.end_byte());
    while s < e && matches!(src.as_bytes()[s], b' ' | b'\t') {
        s += 1;
    }
    (s, e)
}

/// Substitutions under `n` whose extent the lexer should take from the tree.
pub(super) fn opaque_ranges(src: &str, n: Node) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if n.named_child_count() == 0 {
        return out;
    }
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        match x.kind() {
            "command_substitution" | "process_substitution" => {
                let (s, e) = word_range(src, x);
                out.push((s, e));
            }
            _ => {
                for i in 0..x.named_child_count() {
                    if let Some(c) = x.named_child(i as u32) {
                        stack.push(c);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> tree_sitter::Tree {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&tree_sitter_bash::LANGUAGE.into()).unwrap();
        parser.parse(text, None).unwrap()
    }

    #[test]
    fn preorder_visits_in_document_order_and_skips_what_it_is_told_to() {
        let text = "a $(b) c";
        let tree = parse(text);
        let words = |skip: &str| {
            let mut out = Vec::new();
            preorder(tree.root_node(), |n| {
                if n.kind() == "word" {
                    out.push(node_text(text, n).to_string());
                }
                n.kind() != skip
            });
            out
        };
        assert_eq!(words(""), ["a", "b", "c"]);
        assert_eq!(words("command_substitution"), ["a", "c"]);
    }

    #[test]
    fn substitutions_in_a_word_are_opaque_ranges() {
        for (text, want) in [
            ("echo \"x$(rm y)z\"", vec!["$(rm y)"]),
            ("echo \"$(a)-$(b)\"", vec!["$(a)", "$(b)"]),
            ("echo plain", vec![]),
        ] {
            let tree = parse(text);
            let cmd = tree.root_node().child(0).unwrap();
            let arg = cmd.child_by_field_name("argument").unwrap();
            let got: Vec<&str> = opaque_ranges(text, arg).into_iter().map(|(s, e)| &text[s..e]).collect();
            assert_eq!(got, want, "{text}");
        }
    }
}
