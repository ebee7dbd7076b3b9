//! The grammars for code in other languages, each loaded the first time code in that language
//! is read (a command with no such code never touches them).

use std::cell::RefCell;
use std::time::Instant;

use tree_sitter::{Parser, Tree};

/// A language guard parses with a tree-sitter grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    JavaScript,
    Ruby,
    Perl,
    /// PHP code: given on its own (`php -r`), or the `<?php … ?>` blocks of a file (the text
    /// around them is blanked before parsing, see [`php_blocks`]).
    Php,
    Lua,
}

impl Lang {
    /// The grammar for code in `language` (the name guard's interpreter table gives).
    pub(crate) fn of(language: &str) -> Option<Lang> {
        Some(match language {
            "python" => Lang::Python,
            "javascript" => Lang::JavaScript,
            "ruby" => Lang::Ruby,
            "perl" => Lang::Perl,
            "php" => Lang::Php,
            "lua" => Lang::Lua,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::Ruby => "ruby",
            Lang::Perl => "perl",
            Lang::Php => "php",
            Lang::Lua => "lua",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }

    fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Lang::Perl => tree_sitter_perl::LANGUAGE.into(),
            Lang::Php => tree_sitter_php::LANGUAGE_PHP_ONLY.into(),
            Lang::Lua => tree_sitter_lua::LANGUAGE.into(),
        }
    }
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 6]> = const { RefCell::new([None, None, None, None, None, None]) };
}

/// The syntax tree of `text`, or `None` when the grammar does not load or parsing passes the
/// deadline.
pub(crate) fn parse(lang: Lang, text: &str, deadline: Instant) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let slot = &mut parsers[lang.slot()];
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&lang.grammar()).ok()?;
            *slot = Some(p);
        }
        let parser = slot.as_mut()?;
        crate::shell::parse_until(parser, text.as_bytes(), deadline)
    })
}

/// PHP text with everything outside its `<?php … ?>` (and `<?= … ?>`) blocks blanked, byte
/// for byte, so one grammar reads both `php -r` code and files.
pub(crate) fn php_blocks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("<?") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let Some(open) = rest.find("<?") else {
            out.extend(rest.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            break;
        };
        out.extend(rest[..open].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        let tag = if rest[open..].starts_with("<?php") {
            5
        } else if rest[open..].starts_with("<?=") {
            3
        } else {
            2
        };
        out.push_str(&" ".repeat(tag));
        rest = &rest[open + tag..];
        match rest.find("?>") {
            Some(close) => {
                out.push_str(&rest[..close]);
                out.push_str(";;");
                rest = &rest[close + 2..];
            }
            None => {
                out.push_str(rest);
                break;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}
