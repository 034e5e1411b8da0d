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
//!
//! Where a formatter checks the file (`ruff format --check`, `prettier --check`), the inside
//! of a literal is not enough: the formatter picks the quotes. These filters write the whole
//! literal, quotes included, exactly as the formatter would, so a name or description with
//! quotes in it leaves the file formatted:
//!
//! | filter            | writes                                                         |
//! |-------------------|----------------------------------------------------------------|
//! | `py_lit`          | a Python string literal as `ruff format` writes it; every non-ASCII character escaped, so ruff's confusable-character rules (RUF001) never fire on a user's `–` or `×` |
//! | `py_doc`          | the inside of a one-line docstring `"""…"""`: trimmed (ruff trims docstrings), non-ASCII escaped (RUF002) |
//! | `js_lit(quote=…)` | a JavaScript/TypeScript string literal as Prettier writes it, `quote` being the project's preferred quote (`"` unless given) |
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
    tera.register_filter("py_lit", |s: &str, _: Kwargs, _: &State| py_lit(s));
    tera.register_filter("py_doc", |s: &str, _: Kwargs, _: &State| py_doc(s));
    tera.register_filter(
        "js_lit",
        |s: &str, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let quote = match kwargs.get::<&str>("quote")? {
                None | Some("\"") => '"',
                Some("'") => '\'',
                Some(other) => {
                    return Err(tera::Error::message(format!(
                        "js_lit: quote must be \" or ', not `{other}`"
                    )))
                }
            };
            Ok(js_lit(s, quote))
        },
    );
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

/// The quote a formatter encloses `s` in: the preferred one, unless `s` holds more of it than
/// of the other (ruff and Prettier both count every quote of the text this way; a tie keeps
/// the preferred quote).
fn formatter_quote(s: &str, preferred: char) -> char {
    let other = if preferred == '"' { '\'' } else { '"' };
    let count = |q: char| s.chars().filter(|&c| c == q).count();
    if count(preferred) > count(other) {
        other
    } else {
        preferred
    }
}

/// A Python escape for `c` (`\xNN`, `\uNNNN` or `\UNNNNNNNN`, lowercase as ruff keeps them).
fn push_py_escape(out: &mut String, c: char) {
    let n = u32::from(c);
    let _ = match n {
        0..=0xff => write!(out, "\\x{n:02x}"),
        0x100..=0xffff => write!(out, "\\u{n:04x}"),
        _ => write!(out, "\\U{n:08x}"),
    };
}

/// The escapes Python and JavaScript literals share: backslash, line feed, TAB, carriage
/// return and the enclosing quote. Whether `c` was one of them (then it is written).
fn push_shared_escape(out: &mut String, c: char, quote: char) -> bool {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        _ => return false,
    }
    true
}

/// The inside of a Python literal enclosed in `quote`: that quote, backslashes, line
/// breaks, control and every non-ASCII character escaped; the other quote as is.
fn push_py_inside(out: &mut String, s: &str, quote: char) {
    for c in s.chars() {
        if push_shared_escape(out, c, quote) {
            continue;
        }
        if c.is_ascii_control() || !c.is_ascii() {
            push_py_escape(out, c);
        } else {
            out.push(c);
        }
    }
}

/// A whole Python string literal for `s`, quotes included, as `ruff format` writes it.
#[must_use]
pub fn py_lit(s: &str) -> String {
    let quote = formatter_quote(s, '"');
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    push_py_inside(&mut out, s, quote);
    out.push(quote);
    out
}

/// The inside of a one-line docstring `"""…"""` for `s`, as `ruff format` leaves it:
/// surrounding whitespace trimmed, `"` escaped (so it can never close early, also at its
/// end), non-ASCII escaped.
#[must_use]
pub fn py_doc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_py_inside(&mut out, s.trim(), '"');
    out
}

/// A whole JavaScript/TypeScript string literal for `s`, quotes included, as Prettier writes
/// it for a project whose preferred quote is `preferred`.
#[must_use]
pub fn js_lit(s: &str, preferred: char) -> String {
    let quote = formatter_quote(s, preferred);
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        if push_shared_escape(&mut out, c, quote) {
            continue;
        }
        match c {
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if breaks_lines(c) || c == '\u{FEFF}' => push_u(&mut out, c),
            c => out.push(c),
        }
    }
    out.push(quote);
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

    #[test]
    fn literals_take_the_quotes_the_formatter_would() {
        assert_eq!(py_lit("My API"), r#""My API""#);
        assert_eq!(py_lit("it's"), r#""it's""#);
        assert_eq!(py_lit(r#"say "hi""#), r#"'say "hi"'"#);
        assert_eq!(py_lit(r#"say "hi", it's"#), r#"'say "hi", it\'s'"#);
        assert_eq!(py_lit(r#"'"'"#), r#""'\"'""#);
        assert_eq!(
            py_lit("Caf\u{e9} \u{2013} x\u{d7}2 \u{1f600}"),
            r#""Caf\xe9 \u2013 x\xd72 \U0001f600""#
        );
        assert_eq!(py_lit("a\\b\nc\u{7f}"), r#""a\\b\nc\x7f""#);
        assert_eq!(
            py_doc("  Name: \"quoted\" \u{2013} "),
            r#"Name: \"quoted\" \u2013"#
        );
        assert_eq!(py_doc("ends in \""), r#"ends in \""#);
        assert_eq!(js_lit("it's", '"'), r#""it's""#);
        assert_eq!(js_lit(r#"say "hi""#, '"'), r#"'say "hi"'"#);
        assert_eq!(js_lit("it's", '\''), r#""it's""#);
        assert_eq!(js_lit("plain", '\''), "'plain'");
        assert_eq!(js_lit("a`b\u{2028}", '"'), "\"a`b\\u2028\"");
    }

    /// Python reads every literal back as the text it was made from.
    #[test]
    fn python_literals_round_trip() {
        let cases = [NASTY, "it's", r#"say "hi""#, "\u{2013}\u{1f600}", "\\", ""];
        let mut program = String::from("import ast, json, sys\nout = []\n");
        for case in cases {
            let _ = writeln!(program, "out.append(ast.literal_eval({:?}))", py_lit(case));
            let doc = format!("\"\"\"{}\"\"\"", py_doc(case));
            let _ = writeln!(program, "out.append(ast.literal_eval({doc:?}))");
        }
        program.push_str("json.dump(out, sys.stdout)\n");
        let Ok(run) = std::process::Command::new("python3")
            .args(["-c", &program])
            .output()
        else {
            eprintln!("skipped: no python3");
            return;
        };
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let back: Vec<String> = serde_json::from_slice(&run.stdout).unwrap();
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(back[2 * i], *case);
            assert_eq!(back[2 * i + 1], case.trim());
        }
    }
}
