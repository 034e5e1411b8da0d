//! Tera filters that escape a user's text for the format of the file it lands in, so any
//! description or author (quotes, backslashes, TABs, control characters, U+2028) keeps
//! every generated file valid:
//!
//! | filter      | for the inside of                                   |
//! |-------------|-----------------------------------------------------|
//! | `json_str`  | a JSON string `"…"`                                 |
//! | `toml_str`  | a TOML basic string `"…"`                           |
//! | `yaml_str`  | a YAML double-quoted scalar `"…"`                   |
//! | `py_str`    | a Python string literal `"…"`, `'…'` or `"""…"""`   |
//! | `js_str`    | a JavaScript/TypeScript string literal `"…"`, `'…'` |
//! | `one_line`  | a comment: line breaks and control characters become spaces |
//! | `printable` | Markdown or other text read in a terminal: the same, so no escape sequence gets through |

use std::fmt::Write;

use tera::{Kwargs, State, Tera};

/// Register every filter of this module.
pub fn register(tera: &mut Tera) {
    tera.register_filter("json_str", |s: &str, _: Kwargs, _: &State| json_str(s));
    tera.register_filter("toml_str", |s: &str, _: Kwargs, _: &State| toml_str(s));
    tera.register_filter("yaml_str", |s: &str, _: Kwargs, _: &State| yaml_str(s));
    tera.register_filter("py_str", |s: &str, _: Kwargs, _: &State| py_str(s));
    tera.register_filter("js_str", |s: &str, _: Kwargs, _: &State| js_str(s));
    tera.register_filter("one_line", |s: &str, _: Kwargs, _: &State| one_line(s));
    tera.register_filter("printable", |s: &str, _: Kwargs, _: &State| one_line(s));
}

/// Characters that end a line somewhere (a YAML 1.1 or JavaScript parser, an editor).
fn breaks_lines(c: char) -> bool {
    matches!(c, '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Bidirectional overrides and isolates: they make text display differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn push_u(out: &mut String, c: char) {
    let _ = write!(out, "\\u{:04x}", u32::from(c));
}

/// The inside of a JSON string.
#[must_use]
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || breaks_lines(c) => push_u(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The inside of a TOML basic string.
#[must_use]
pub fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || breaks_lines(c) => push_u(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The inside of a YAML double-quoted scalar: everything outside YAML's printable set is
/// escaped, and so are the characters YAML 1.1 reads as line breaks.
#[must_use]
pub fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{0085}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if c.is_control() || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}') => {
                push_u(&mut out, c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The inside of a Python string literal (any quotes, also triple-quoted).
#[must_use]
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if breaks_lines(c) || c == '\u{FEFF}' => push_u(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The inside of a JavaScript or TypeScript string literal (`"…"` or `'…'`).
#[must_use]
pub fn js_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            '`' => out.push_str("\\`"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if breaks_lines(c) || c == '\u{FEFF}' => push_u(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Text for one line (a comment, a Markdown paragraph): every control character, line break
/// and bidirectional control becomes a space, so no escape sequence reaches a terminal.
#[must_use]
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || breaks_lines(c) || is_bidi_control(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// One word for a POSIX shell command line shown to the user (the next steps after `new`,
/// the `scaffold new …` line `serve` gives): as is when it holds only characters no shell
/// treats specially, otherwise single-quoted.
#[must_use]
pub fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=,:@+%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("a=b"), "a=b");
        assert_eq!(shell_word("a/b-c"), "a/b-c");
        assert_eq!(shell_word("My API"), "'My API'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
    }

    const NASTY: &str = "a\"b\\c\nd\te\u{1b}[31mf\u{2028}g\u{85}h'i`j\u{7f}k\u{0}l";

    #[test]
    fn json_round_trips() {
        let doc = format!("\"{}\"", json_str(NASTY));
        let back: String = serde_json::from_str(&doc).unwrap();
        assert_eq!(back, NASTY);
    }

    #[test]
    fn toml_round_trips() {
        let doc = format!("v = \"{}\"", toml_str(NASTY));
        let back: toml::Table = doc.parse().unwrap();
        assert_eq!(back["v"].as_str(), Some(NASTY));
    }

    #[test]
    fn lines_stay_lines() {
        for f in [json_str, toml_str, yaml_str, py_str, js_str, one_line] {
            let out = f(NASTY);
            assert!(
                !out.chars().any(|c| c.is_control() || breaks_lines(c)),
                "{out:?}"
            );
        }
        assert_eq!(one_line("a\u{1b}[2Jb\u{202e}c"), "a [2Jb c");
    }
}
