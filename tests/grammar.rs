//! The bundled tree-sitter-bash grammar must load with the linked tree-sitter library: a
//! version mismatch (ABI 15 grammar with an older library) compiles but fails at run time.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

#[test]
fn bash_grammar_loads_and_parses() {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .expect("tree-sitter-bash grammar is compatible with the tree-sitter library");
    let tree = parser.parse("echo hi | wc -l", None).expect("parses");
    assert_eq!(tree.root_node().kind(), "program");
    assert!(!tree.root_node().has_error());
}
