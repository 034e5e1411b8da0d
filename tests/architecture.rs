//! The shape of the code, checked: modules depend only downwards (no back-edges, hence no
//! cycles), and no function in src/ is over 80 lines without a comment saying why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The intended layering, bottom first. A module may use modules of a lower layer only.
const LAYERS: &[(&str, u8)] = &[
    // Plain data and leaf helpers.
    ("error", 0),
    ("value", 0),
    ("names", 0),
    ("stack", 0),
    ("secrets", 0),
    ("interrupt", 1),
    ("escape", 1),
    ("fsx", 1),
    ("ui", 1),
    ("plan", 1),
    // The template engine: context, Tera setup, conditions, limits.
    ("engine", 2),
    // The hardened git step (no hooks, no repository config, a transport allowlist).
    ("git", 2),
    ("recommend", 2),
    // Packs and their manifests.
    ("pack", 3),
    ("answers", 4),
    ("matrix", 4),
    ("prompt", 4),
    ("complete", 4),
    // The pipeline: resolve → render → write.
    ("resolve", 5),
    ("render", 6),
    ("write", 6),
    ("lint", 7),
    ("request", 7),
    // Front ends.
    ("cli", 8),
    ("commands", 9),
    ("serve", 9),
    ("update", 9),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`None` for lib.rs and main.rs).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The code of a file with comments and string/char literals blanked out (newlines kept,
/// so line numbers stay right).
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            while i < b.len() && !(b[i] == '*' && b.get(i + 1) == Some(&'/')) {
                out.push(blank(b[i]));
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if c == 'r'
            && (b.get(i + 1) == Some(&'#') || b.get(i + 1) == Some(&'"'))
            && !b
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            let mut hashes = 0;
            let mut j = i + 1;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.extend(b[i..j.min(b.len())].iter().map(|c| blank(*c)));
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\''), or a lifetime ('a).
            let end = if b.get(i + 1) == Some(&'\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    for _ in i..=e {
                        out.push(' ');
                    }
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The top-level modules a file uses through `crate::`, `use crate::{a, b}` included.
fn uses(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found.retain(|n| !n.is_empty() && n != "self");
    found
}

#[test]
fn modules_only_use_lower_layers() {
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut problems = Vec::new();
    let mut edges = std::collections::BTreeSet::new();
    for file in &files {
        let Some(from) = module_of(file) else {
            continue;
        };
        let Some(&from_layer) = layer.get(from.as_str()) else {
            problems.push(format!(
                "module `{from}` is not in the layering table of tests/architecture.rs; add it"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        for to in uses(&code_only(&text)) {
            // `crate::Error` and `crate::Result` are the re-exports of `error`.
            let to = match to.as_str() {
                "Error" | "Result" => "error".to_string(),
                _ => to,
            };
            if to == from {
                continue;
            }
            edges.insert((from.clone(), to.clone()));
            match layer.get(to.as_str()) {
                None => problems.push(format!(
                    "{}: uses `crate::{to}`, which is not in the layering table",
                    file.display()
                )),
                Some(&to_layer) if to_layer >= from_layer => problems.push(format!(
                    "{}: `{from}` (layer {from_layer}) uses `{to}` (layer {to_layer}): a back-edge",
                    file.display()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nedges:\n{}",
        problems.join("\n"),
        edges
            .iter()
            .map(|(a, b)| format!("  {a} -> {b}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The table is honest: it is the graph, not a list of everything at one layer.
    assert!(edges.contains(&("render".into(), "resolve".into())));
    assert!(!edges.contains(&("answers".into(), "render".into())));
}

/// Every `fn` of a file: (name, first line, number of lines, whether a comment before it
/// explains its length).
fn functions(text: &str) -> Vec<(String, usize, usize, bool)> {
    let code = code_only(text);
    let lines: Vec<&str> = text.lines().collect();
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
        }
        let starts_fn = chars[i..].starts_with(&['f', 'n', ' '])
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if !starts_fn {
            i += 1;
            continue;
        }
        let name: String = chars[i + 3..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .collect();
        // The body: from the first `{` before any `;` to its matching `}`.
        let mut j = i;
        let mut body_line = line;
        while j < chars.len() && chars[j] != '{' && chars[j] != ';' {
            if chars[j] == '\n' {
                body_line += 1;
            }
            j += 1;
        }
        if j >= chars.len() || chars[j] == ';' {
            i += 3;
            continue;
        }
        let mut depth = 0;
        let mut end_line = body_line;
        while j < chars.len() {
            match chars[j] {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                '\n' => end_line += 1,
                _ => {}
            }
            j += 1;
        }
        let len = end_line - line + 1;
        // The block of comments and attributes right above the `fn` line.
        let mut explained = false;
        let mut k = line - 1;
        while k > 0 {
            let above = lines[k - 1].trim();
            if above.starts_with("//") || above.starts_with("#[") {
                if above.starts_with("//") && !above.starts_with("///") {
                    explained |= above.to_lowercase().contains("long");
                }
                k -= 1;
            } else {
                break;
            }
        }
        out.push((name, line, len, explained));
        i += 3;
    }
    out
}

/// Functions in files another change is rewriting right now; remove an entry when that
/// lands.
const PENDING: &[(&str, &str)] = &[];

#[test]
fn no_function_is_over_80_lines_without_a_reason() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for (name, line, len, explained) in functions(&text) {
            let pending = PENDING.iter().any(|(f, n)| file.ends_with(f) && name == *n);
            if len > 80 && !explained && !pending {
                long.push(format!(
                    "{}:{line}: fn {name} is {len} lines",
                    file.display()
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 80 lines without a `// Long because ...` comment above them:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checks_can_fail() {
    let f = functions("fn short() {\n}\n\nfn long() {\n".to_string().as_str());
    assert_eq!(f[0], ("short".into(), 1, 2, false));
    let body = format!(
        "// Long because it is a table.\nfn t() {{\n{}}}\n",
        "x;\n".repeat(90)
    );
    let f = functions(&body);
    assert_eq!((f[0].2, f[0].3), (92, true));
    assert_eq!(
        uses(&code_only(
            "use crate::{a::B, c};\nlet x = crate::d::e(); // crate::z\n\"crate::s\""
        )),
        ["a", "c", "d"]
    );
    assert_eq!(
        uses(&code_only(
            "let s = \"crate::x\"; // crate::y\nuse crate::w;"
        )),
        ["w"]
    );
}
