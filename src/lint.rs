//! `scaffold pack lint`: every problem in a pack at once, each with its file and line.
//!
//! Errors: a manifest that does not parse or check; Tera syntax errors in `.tera` files
//! and path segments; names a template uses that no variable declares; an `only_if` or
//! `when` naming an unknown (or later) variable; paths that escape the target or are invalid
//! on Windows; a render with the defaults that fails. Warnings: `{{ variable }}` in a file
//! that is copied verbatim, a file rule that matches no file, and conditions that no
//! combination of choice/bool answers can make true.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::engine::{self, new_tera, Budget, Limits, TemplateContext, RESERVED_NAMES};
use crate::error::Error;
use crate::names::is_windows_reserved;
use crate::pack::{Manifest, Origin, Pack, PackFile, Value, MANIFEST};
use crate::plan::check_rel_path;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The pack cannot be rendered correctly.
    Error,
    /// Probably a mistake.
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, relative to the pack root.
    pub file: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line {
            Some(line) => write!(f, "{}:{line}: {sev}: {}", self.file, self.message),
            None => write!(f, "{}: {sev}: {}", self.file, self.message),
        }
    }
}

static VERBATIM_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{-?\s*([a-z_][a-z0-9_]*)\s*(?:-?\}\}|\|)").expect("a valid pattern")
});

/// The most combinations of choice/bool answers checked for unreachable conditions.
const MAX_COMBINATIONS: usize = 4096;

struct Linter {
    out: Vec<Diagnostic>,
    /// The time budget every evaluation of this pack shares.
    budget: Budget,
    /// Set once a limit was hit (and reported): nothing more is evaluated.
    stopped: bool,
}

impl Linter {
    /// Evaluate a condition under the budget; `None` once a limit stopped the lint.
    fn eval(&mut self, expr: &str, ctx: &TemplateContext) -> Option<engine::TextResult<bool>> {
        if self.stopped {
            return None;
        }
        match engine::eval_condition(expr, ctx, &self.budget) {
            Ok(result) => Some(result),
            Err(e) => {
                self.limit(&e);
                None
            }
        }
    }

    /// Report a limit once and stop evaluating.
    fn limit(&mut self, e: &Error) {
        if !self.stopped {
            self.stopped = true;
            self.push(MANIFEST, None, Severity::Error, e.to_string());
        }
    }

    fn push(
        &mut self,
        file: &str,
        line: Option<usize>,
        severity: Severity,
        message: impl Into<String>,
    ) {
        self.out.push(Diagnostic {
            file: file.to_string(),
            line,
            severity,
            message: message.into(),
        });
    }
}

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// The line of the first line in `text` containing `needle`.
fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|at| line_of(text, at))
}

/// The line of a `name = "x"` declaration (variables) in pack.toml.
fn declaration_line(manifest: &str, name: &str) -> Option<usize> {
    let re = Regex::new(&format!(
        r#"(?m)^\s*name\s*=\s*["']{}["']"#,
        regex::escape(name)
    ))
    .ok()?;
    re.find(manifest).map(|m| line_of(manifest, m.start()))
}

/// The first line of a Tera error message (the rest is the excerpt).
fn tera_headline(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or(message)
        .trim_start_matches("error: ")
        .to_string()
}

/// Lint a pack's files (manifest included).
#[must_use]
pub fn lint(files: &[PackFile]) -> Vec<Diagnostic> {
    lint_with(files, &Limits::from_env())
}

/// [`lint`] under explicit limits.
#[must_use]
pub fn lint_with(files: &[PackFile], limits: &Limits) -> Vec<Diagnostic> {
    let mut l = Linter {
        out: Vec::new(),
        budget: limits.budget(),
        stopped: false,
    };
    let Some(manifest_file) = files.iter().find(|f| f.path == MANIFEST) else {
        l.push(
            MANIFEST,
            None,
            Severity::Error,
            "the pack has no pack.toml at its root",
        );
        return l.out;
    };
    let text = String::from_utf8_lossy(&manifest_file.contents).into_owned();
    // Unknown keys are reported here, each at its line, and blanked out (lines kept) so
    // they do not hide the manifest's other problems.
    let (unknown, checked_text) = unknown_keys(&text);
    for (line, message) in unknown {
        l.push(MANIFEST, Some(line), Severity::Error, message);
    }
    let manifest = match Manifest::parse(&checked_text) {
        Ok(m) => Some(m),
        Err(err) => {
            for p in err.problems {
                l.push(MANIFEST, p.line, Severity::Error, p.message);
            }
            None
        }
    };
    // Packs included from a directory inside this one are linted on their own.
    let nested = nested_packs(&text, files);
    let templates: Vec<&PackFile> = files
        .iter()
        .filter(|f| f.path != MANIFEST && !nested.iter().any(|n| f.path.starts_with(n)))
        .collect();
    lint_templates(&mut l, &templates, manifest.as_ref(), &text);
    lint_links(&mut l, files, &templates);
    if let Some(m) = &manifest {
        lint_conditions(&mut l, m, &text, &templates);
        lint_default_render(&mut l, m, &templates, limits);
    }
    // Each pack included from inside this one is linted on its own, its findings named
    // with their path in this pack.
    for prefix in &nested {
        let sub: Vec<PackFile> = files
            .iter()
            .filter_map(|f| {
                let path = f.path.strip_prefix(prefix.as_str())?;
                Some(PackFile {
                    path: path.to_string(),
                    ..f.clone()
                })
            })
            .collect();
        for mut d in lint_with(&sub, limits) {
            d.file = format!("{prefix}{}", d.file);
            l.out.push(d);
        }
    }
    l.out.sort();
    l.out.dedup();
    l.out
}

/// The keys `pack.toml` knows, per table (`""` is the top level).
const KNOWN_KEYS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "pack",
            "variables",
            "files",
            "checks",
            "derived",
            "constraints",
            "include",
            "needs",
            "names",
        ],
    ),
    (
        "pack",
        &["name", "version", "description", "min_scaffold_version"],
    ),
    (
        "variables",
        &[
            "name",
            "prompt",
            "type",
            "default",
            "choices",
            "validate",
            "validate_message",
            "help",
            "only_if",
        ],
    ),
    ("files", &["glob", "when"]),
    ("checks", &["run"]),
    ("derived", &["name", "value", "when"]),
    ("constraints", &["when", "requires", "conflicts", "message"]),
    (
        "include",
        &["pack", "into", "set", "when", "only", "exclude"],
    ),
    ("names", &["rules", "reserved"]),
    // `[needs.<need>]`: one table per need id (the need ids themselves are checked with the
    // manifest).
    ("needs", &["set", "feature", "start"]),
];

/// The unknown keys and tables of a manifest, each with its line and message, and the text
/// with their lines blanked (so the other problems keep their line numbers).
fn unknown_keys(text: &str) -> (Vec<(usize, String)>, String) {
    let header =
        Regex::new(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$").expect("a valid pattern");
    let key = Regex::new(r#"^\s*([A-Za-z0-9_-]+|"[^"]*")\s*="#).expect("a valid pattern");
    let known = |table: &str| {
        let table = if table.starts_with("needs.") {
            "needs"
        } else {
            table
        };
        KNOWN_KEYS
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, k)| *k)
    };
    let mut found = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    let mut table: Option<String> = Some(String::new());
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = header.captures(line) {
            let name = c[1].to_string();
            if known(&name).is_some() {
                table = Some(name);
                lines.push(line);
            } else {
                found.push((
                    i + 1,
                    format!(
                        "unknown table `[{name}]`; the tables are {}",
                        KNOWN_KEYS[0].1.join(", ")
                    ),
                ));
                table = None;
                lines.push("");
            }
            continue;
        }
        let Some(current) = &table else {
            // Inside an unknown table: dropped with it.
            lines.push("");
            continue;
        };
        if let Some(c) = key.captures(line) {
            let k = c[1].trim_matches('"');
            let keys = known(current).unwrap_or_default();
            if !keys.contains(&k) {
                let place = if current.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in `[{current}]`")
                };
                found.push((
                    i + 1,
                    format!(
                        "unknown key `{k}` {place}; the keys are {}",
                        keys.join(", ")
                    ),
                ));
                lines.push("");
                continue;
            }
        }
        lines.push(line);
    }
    if found.is_empty() {
        return (found, text.to_string());
    }
    (found, lines.join("\n"))
}

/// The directories (`dir/`) of packs included from inside this one, that hold a pack.
fn nested_packs(text: &str, files: &[PackFile]) -> Vec<String> {
    toml::from_str::<toml::Value>(text)
        .ok()
        .and_then(|v| v.get("include")?.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|i| {
            i.get("pack")?
                .as_str()
                .map(|p| format!("{}/", p.trim_start_matches("./").trim_end_matches('/')))
        })
        .filter(|prefix| {
            files
                .iter()
                .any(|f| f.path == format!("{prefix}{MANIFEST}"))
        })
        .collect()
}

/// The names templates may use: the engine's and every declared variable's. Read leniently
/// from the TOML, so a manifest with a bad default still lets templates be checked.
fn known_names(manifest_text: &str) -> Option<HashSet<String>> {
    let value: toml::Value = toml::from_str(manifest_text).ok()?;
    let mut known: HashSet<String> = RESERVED_NAMES.iter().map(|s| (*s).to_string()).collect();
    if let Some(vars) = value.get("variables").and_then(toml::Value::as_array) {
        known.extend(
            vars.iter()
                .filter_map(|v| v.get("name")?.as_str().map(str::to_string)),
        );
    }
    if let Some(derived) = value.get("derived").and_then(toml::Value::as_array) {
        known.extend(
            derived
                .iter()
                .filter_map(|v| v.get("name")?.as_str().map(str::to_string)),
        );
    }
    Some(known)
}

/// Every variable at its default (an empty string without one).
fn variable_defaults(m: &Manifest) -> TemplateContext {
    context_with(
        m.variables
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    v.default.clone().unwrap_or(Value::String(String::new())),
                )
            })
            .collect(),
    )
}

/// The variables' defaults plus the derived values. A derived value that does not render is
/// reported by `lint_default_render`; here it is left out, so that the templates are still
/// checked.
fn defaults(l: &mut Linter, m: &Manifest) -> TemplateContext {
    let mut ctx = variable_defaults(m);
    if let Err(e @ Error::Limit { .. }) = crate::answers::add_derived(m, &mut ctx, &l.budget) {
        l.limit(&e);
    }
    ctx
}

fn lint_templates(
    l: &mut Linter,
    files: &[&PackFile],
    manifest: Option<&Manifest>,
    manifest_text: &str,
) {
    let names = known_names(manifest_text);
    let check_vars = names.is_some();
    let known = names.unwrap_or_default();
    let ctx = manifest.map(|m| defaults(l, m));
    for file in files {
        let logical = file.path.strip_suffix(".tera").unwrap_or(&file.path);
        if file.path.ends_with(".tera") {
            if logical.is_empty() || logical.ends_with('/') {
                l.push(
                    &file.path,
                    None,
                    Severity::Error,
                    "a file called just `.tera` renders to an empty name",
                );
            }
            match std::str::from_utf8(&file.contents) {
                Err(_) => l.push(
                    &file.path,
                    None,
                    Severity::Error,
                    "ends in .tera but is not UTF-8 text",
                ),
                Ok(body) => {
                    check_template(l, &file.path, body, &file.path, &known, check_vars);
                }
            }
        } else if let Ok(body) = std::str::from_utf8(&file.contents) {
            // Verbatim files may hold `{{ }}` (Django templates, workflows); it only looks
            // like a mistake when it names one of the pack's own variables.
            if let Some(c) = VERBATIM_VAR
                .captures_iter(body)
                .find(|c| known.contains(&c[1]))
            {
                let at = c.get(0).map_or(0, |m| m.start());
                l.push(
                    &file.path,
                    Some(line_of(body, at)),
                    Severity::Warning,
                    format!(
                        "`{{{{ {} }}}}` in a file that is copied verbatim; rename it to `{}.tera` to render it",
                        &c[1], file.path
                    ),
                );
            }
        }
        // The path: its literal segments, and expressions in it.
        if logical.contains("{{") || logical.contains("{%") {
            let name = format!("{} (file name)", file.path);
            if check_template(l, &file.path, logical, &name, &known, check_vars) {
                if let Some(ctx) = ctx.as_ref().filter(|_| !l.stopped) {
                    match engine::render_named(&name, logical, ctx, &l.budget) {
                        Ok(Ok(path)) => check_path(l, &file.path, &path),
                        Ok(Err(e)) => {
                            l.push(&file.path, None, Severity::Error, tera_headline(&e));
                        }
                        Err(e) => l.limit(&e),
                    }
                }
            }
        } else {
            check_path(l, &file.path, logical);
        }
    }
}

/// Check one template; true when it parsed and uses only known names.
fn check_template(
    l: &mut Linter,
    file: &str,
    body: &str,
    name: &str,
    known: &HashSet<String>,
    check_vars: bool,
) -> bool {
    let mut tera = new_tera(usize::MAX, &crate::secrets::Issued::default());
    if let Err(e) = tera.add_raw_template(name, body) {
        let problem = engine::template_error(&e);
        // A block never closed is reported by the engine at the end of the file: point at
        // the tag that opens it instead.
        let at_end = problem.headline.to_lowercase().contains("end of input");
        match unclosed_block(body).filter(|_| at_end) {
            Some((line, tag)) => l.push(
                file,
                Some(line),
                Severity::Error,
                format!("`{{% {tag} %}}` is never closed (no `{{% end{tag} %}}`)"),
            ),
            None => l.push(file, problem.line, Severity::Error, problem.headline),
        }
        return false;
    }
    if !check_vars {
        return true;
    }
    let mut clean = true;
    if let Ok(used) = tera.get_template_variables(name) {
        let mut unknown: Vec<&str> = used.into_iter().filter(|u| !known.contains(*u)).collect();
        unknown.sort_unstable();
        for u in unknown {
            let line = Regex::new(&format!(r"\b{}\b", regex::escape(u)))
                .ok()
                .and_then(|re| re.find(body))
                .map(|m| line_of(body, m.start()));
            l.push(
                file,
                line,
                Severity::Error,
                format!(
                    "`{u}` is used but is not a variable of this pack (declare it in pack.toml)"
                ),
            );
            clean = false;
        }
    }
    clean
}

/// The innermost block tag (`if`, `for`, …) of a template that is never closed, with the
/// line it opens on.
fn unclosed_block(body: &str) -> Option<(usize, String)> {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{%-?\s*([a-z]+)").expect("a valid pattern"));
    const BLOCKS: &[&str] = &["if", "for", "macro", "block", "filter", "raw"];
    let mut open: Vec<(usize, String)> = Vec::new();
    for c in TAG.captures_iter(body) {
        let (Some(all), Some(word)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let word = word.as_str();
        if BLOCKS.contains(&word) {
            open.push((line_of(body, all.start()), word.to_string()));
        } else if let Some(closed) = word.strip_prefix("end") {
            match open.iter().rposition(|(_, t)| t == closed) {
                Some(i) => {
                    open.truncate(i);
                }
                None => return None,
            }
        }
    }
    open.pop()
}

fn check_path(l: &mut Linter, file: &str, path: &str) {
    if let Err(why) = check_rel_path(path) {
        l.push(
            file,
            None,
            Severity::Error,
            format!("the path `{path}` is refused: {why}"),
        );
        return;
    }
    for seg in path.split('/') {
        if let Some(c) = seg.chars().find(|c| "<>:\"|?*".contains(*c)) {
            l.push(
                file,
                None,
                Severity::Error,
                format!("`{seg}` has `{c}`, which Windows does not allow in file names"),
            );
        } else if is_windows_reserved(seg) {
            l.push(
                file,
                None,
                Severity::Error,
                format!("`{seg}` is a reserved file name on Windows"),
            );
        } else if seg.ends_with('.') || seg.ends_with(' ') {
            l.push(
                file,
                None,
                Severity::Error,
                format!("`{seg}` ends with a dot or a space, which Windows drops"),
            );
        }
    }
}

/// Every assignment of the choice/bool variables (others at their defaults); `None` when
/// there are too many to enumerate.
fn combinations(m: &Manifest) -> Option<Vec<Vec<(String, Value)>>> {
    let vars: Vec<(String, Vec<Value>)> = m
        .variables
        .iter()
        .map(|v| (v.name.clone(), crate::matrix::domain(v)))
        .collect();
    crate::matrix::product(&vars, MAX_COMBINATIONS)
}

fn context_with(values: Vec<(String, Value)>) -> TemplateContext {
    TemplateContext {
        names: crate::names::ProjectNames {
            name: "Lint Check".into(),
            slug: "lint-check".into(),
            package: "lint_check".into(),
            database: "lint_check".into(),
        },
        stack: "lint".into(),
        why: vec!["a reason".into()],
        needs: Vec::new(),
        values,
    }
}

fn lint_conditions(l: &mut Linter, m: &Manifest, text: &str, files: &[&PackFile]) {
    // Names: an only_if may use earlier variables; a `when`, any.
    for (i, var) in m.variables.iter().enumerate() {
        if let Some(expr) = &var.only_if {
            let earlier = context_with(
                m.variables[..i]
                    .iter()
                    .map(|v| {
                        (
                            v.name.clone(),
                            v.default.clone().unwrap_or(Value::Bool(false)),
                        )
                    })
                    .collect(),
            );
            if let Some(Err(e)) = l.eval(expr, &earlier) {
                l.push(
                    MANIFEST,
                    declaration_line(text, &var.name),
                    Severity::Error,
                    format!("variable `{}`: only_if: {}", var.name, tera_headline(&e)),
                );
            }
        }
    }
    let all = context_with(
        m.variables
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    v.default.clone().unwrap_or(Value::Bool(false)),
                )
            })
            .collect(),
    );
    let logicals: Vec<&str> = files
        .iter()
        .map(|f| f.path.strip_suffix(".tera").unwrap_or(&f.path))
        .collect();
    for rule in &m.files {
        let line =
            find_line(text, &format!("\"{}\"", rule.when)).or_else(|| find_line(text, &rule.when));
        if let Some(Err(e)) = l.eval(&rule.when, &all) {
            l.push(
                MANIFEST,
                line,
                Severity::Error,
                format!("file rule `{}`: when: {}", rule.glob, tera_headline(&e)),
            );
        }
        if let Ok(glob) = globset::GlobBuilder::new(&rule.glob)
            .literal_separator(true)
            .build()
        {
            let matcher = glob.compile_matcher();
            if !logicals.iter().any(|p| matcher.is_match(p)) {
                let gline = find_line(text, &format!("\"{}\"", rule.glob));
                l.push(
                    MANIFEST,
                    gline,
                    Severity::Warning,
                    format!("file rule glob `{}` matches no file of the pack", rule.glob),
                );
            }
        }
    }
    lint_reachability(l, m, text);
}

/// Conditions no combination of choice/bool answers can make true.
fn lint_reachability(l: &mut Linter, m: &Manifest, text: &str) {
    let Some(combos) = combinations(m) else {
        return;
    };
    let mut only_if_seen: BTreeSet<usize> = BTreeSet::new();
    let mut when_seen: BTreeSet<usize> = BTreeSet::new();
    for combo in combos {
        let mut values: Vec<(String, Value)> = Vec::new();
        for (i, (var, (name, value))) in m.variables.iter().zip(combo).enumerate() {
            let applies = match &var.only_if {
                None => true,
                Some(expr) => match l.eval(expr, &context_with(values.clone())) {
                    Some(result) => result.unwrap_or(true),
                    None => return,
                },
            };
            if applies && var.only_if.is_some() {
                only_if_seen.insert(i);
            }
            let v = if applies {
                value
            } else {
                var.default.clone().unwrap_or(value)
            };
            values.push((name, v));
        }
        let ctx = context_with(values);
        for (i, rule) in m.files.iter().enumerate() {
            if when_seen.contains(&i) {
                continue;
            }
            match l.eval(&rule.when, &ctx) {
                Some(Ok(false)) => {}
                Some(_) => {
                    when_seen.insert(i);
                }
                None => return,
            }
        }
    }
    for (i, var) in m.variables.iter().enumerate() {
        if var.only_if.is_some() && !only_if_seen.contains(&i) {
            l.push(MANIFEST, declaration_line(text, &var.name), Severity::Warning, format!("variable `{}` is never asked: its only_if is false for every combination of answers", var.name));
        }
    }
    for (i, rule) in m.files.iter().enumerate() {
        if !when_seen.contains(&i) {
            let line = find_line(text, &format!("\"{}\"", rule.glob));
            l.push(
                MANIFEST,
                line,
                Severity::Warning,
                format!(
                    "file rule `{}` is unreachable: `{}` is false for every combination of answers",
                    rule.glob, rule.when
                ),
            );
        }
    }
}

/// A link's finding, in the words `new` uses when it refuses one.
fn link_message(trouble: &crate::plan::LinkTrouble) -> String {
    format!("this link {trouble}; scaffold refuses a link that leaves the project, loops or leads to nothing (`new` would write nothing)")
}

/// Links resolved as the kernel will, through chains of the pack's own links: one that
/// leaves the pack, points at itself or loops is an error at the link's file. (Whether a
/// link leads to nothing depends on the answers; the default render checks that.)
fn lint_links(l: &mut Linter, all: &[PackFile], own: &[&PackFile]) {
    let entries: Vec<(&str, Option<&str>)> = all
        .iter()
        .filter(|f| f.path != MANIFEST && !f.path.ends_with(&format!("/{MANIFEST}")))
        .map(|f| match &f.link {
            Some(target) => (f.path.as_str(), Some(target.as_str())),
            None => (f.path.strip_suffix(".tera").unwrap_or(&f.path), None),
        })
        .collect();
    for problem in crate::plan::link_problems(&entries) {
        let mine = own.iter().any(|f| f.path == problem.path);
        if mine && !matches!(problem.trouble, crate::plan::LinkTrouble::Missing(_)) {
            l.push(
                &problem.path,
                None,
                Severity::Error,
                link_message(&problem.trouble),
            );
        }
    }
}

/// Render once with the defaults: catches what only shows at render time.
fn lint_default_render(l: &mut Linter, m: &Manifest, files: &[&PackFile], limits: &Limits) {
    if l.stopped || l.out.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let mut ctx = variable_defaults(m);
    if let Err(e) = crate::answers::add_derived(m, &mut ctx, &l.budget) {
        if let Error::Limit { .. } = e {
            l.limit(&e);
            return;
        }
        let msg = e.to_string();
        // "pack `name`: pack.toml: derived ...": the diagnostic names the file already.
        let msg = msg.split_once(": ").map_or(msg.as_str(), |(_, rest)| rest);
        let msg = msg.strip_prefix("pack.toml: ").unwrap_or(msg);
        l.push(MANIFEST, None, Severity::Error, msg.to_string());
        return;
    }
    let pack = Pack {
        manifest: m.clone(),
        files: files.iter().map(|f| (*f).clone()).collect(),
        origin: Origin::Builtin("lint".into()),
        content_hash: String::new(),
        includes: Vec::new(),
        at_write: None,
    };
    // The default render is the last step: it continues with what is left of the budget.
    let budget = std::mem::replace(&mut l.budget, limits.budget());
    let rendered = crate::resolve::resolve_with(&pack, ctx, budget)
        .and_then(|resolved| crate::render::render(&resolved));
    // The planned tree's links, as `new` checks them before writing.
    if let Ok(plan) = &rendered {
        for problem in plan.link_problems() {
            l.push(
                &problem.path,
                None,
                Severity::Error,
                link_message(&problem.trouble),
            );
        }
    }
    if let Err(e) = rendered {
        if let Error::Limit { .. } = e {
            l.limit(&e);
            return;
        }
        let (file, line, what) = match e {
            // A template error names its file and line: report it there.
            Error::Template { problem, .. } => {
                match files
                    .iter()
                    .find(|f| Some(&f.path) == problem.template.as_ref())
                {
                    Some(f) => (f.path.as_str(), problem.line, problem.headline),
                    None => (MANIFEST, None, problem.headline),
                }
            }
            Error::Pack { message, .. } => (MANIFEST, None, message),
            other => (MANIFEST, None, other.to_string()),
        };
        l.push(
            file,
            line,
            Severity::Error,
            format!("rendering with the defaults fails: {what}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn files(list: &[(&str, &str)]) -> Vec<PackFile> {
        list.iter()
            .map(|(p, c)| PackFile {
                path: (*p).into(),
                contents: Cow::Owned(c.as_bytes().to_vec()),
                link: None,
                on_disk: None,
            })
            .collect()
    }

    /// Files, where a body `->target` makes a link.
    fn tree(list: &[(&str, &str)]) -> Vec<PackFile> {
        let mut out = files(list);
        for f in &mut out {
            if let Some(target) = std::str::from_utf8(&f.contents)
                .ok()
                .and_then(|c| c.strip_prefix("->"))
            {
                f.link = Some(target.to_string());
                f.contents = Cow::Borrowed(&[]);
            }
        }
        out
    }

    #[test]
    fn link_chains_are_resolved_as_the_kernel_will() {
        let manifest = "[pack]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n";
        let errors = |list: &[(&str, &str)]| -> Vec<String> {
            let mut all = vec![(MANIFEST, manifest)];
            all.extend_from_slice(list);
            lint(&tree(&all))
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.to_string())
                .collect()
        };
        // Each link lexically inside the pack; through `a/b/up` the chain leaves it.
        let found = errors(&[
            ("a/b/f", "f"),
            ("a/b/up", "->.."),
            ("etc/passwd", "decoy"),
            ("esc", "->a/b/up/../../../etc/passwd"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("esc: error: this link resolves outside the project"),
            "{found:?}"
        );
        let found = errors(&[("f", "f"), ("l1", "->l2"), ("l2", "->l1"), ("me", "->me")]);
        assert_eq!(found.len(), 3, "{found:?}");
        for (d, link) in found.iter().zip(["l1", "l2", "me"]) {
            assert!(
                d.starts_with(&format!("{link}: error: this link is part of a loop")),
                "{found:?}"
            );
        }
        // A fine relative chain: a link to a link to a template's output, one from below.
        let found = errors(&[
            ("v2/notes.md.tera", "notes"),
            ("latest", "->v2/notes.md"),
            ("current", "->latest"),
            ("sub/readme.md", "->../current"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    const OK_MANIFEST: &str = "[pack]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n\n[[variables]]\nname = \"docker\"\ntype = \"bool\"\ndefault = true\n\n[[files]]\nglob = \"Dockerfile\"\nwhen = \"docker\"\n";

    #[test]
    fn every_builtin_pack_is_clean() {
        for name in crate::pack::builtin_names() {
            let files = crate::pack::builtin_files(name).unwrap();
            let found = lint(&files);
            assert!(
                found.is_empty(),
                "{name}:\n{}",
                found
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }

    #[test]
    fn a_clean_pack() {
        assert_eq!(
            lint(&files(&[
                (MANIFEST, OK_MANIFEST),
                ("Dockerfile", "FROM x"),
                ("a.tera", "{{ project_name }}")
            ])),
            vec![]
        );
    }

    #[test]
    fn reports_everything_with_lines() {
        let manifest = "[pack]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n\n[[variables]]\nname = \"db\"\ntype = \"choice\"\nchoices = [\"a\", \"b\"]\ndefault = \"a\"\n\n[[variables]]\nname = \"pool\"\ntype = \"integer\"\ndefault = 1\nonly_if = \"db == 'c'\"\n\n[[variables]]\nname = \"early\"\ntype = \"bool\"\ndefault = false\nonly_if = \"later\"\n\n[[variables]]\nname = \"later\"\ntype = \"bool\"\ndefault = false\n\n[[files]]\nglob = \"nothing/**\"\nwhen = \"db == 'a'\"\n";
        let found = lint(&files(&[
            (MANIFEST, manifest),
            ("broken.txt.tera", "ok\n{{ db }\n"),
            ("undeclared.tera", "line\n{{ colour }}\n"),
            ("verbatim.txt", "hello {{ project_name }}\n"),
            ("django.html", "{{ item.name }}\n"),
            ("con.txt", "x"),
            ("a:b", "x"),
            ("trailing.", "x"),
            ("{{ '..' }}/up", "x"),
        ]));
        let text: Vec<String> = found.iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        for needle in [
            "broken.txt.tera:2: error:",
            "undeclared.tera:2: error: `colour` is used but is not a variable",
            "verbatim.txt:1: warning:",
            "con.txt: error: `con.txt` is a reserved file name on Windows",
            "a:b: error: `a:b` has `:`",
            "trailing.: error:",
            "pack.toml:19: error: variable `early`: only_if",
            "pack.toml:13: warning: variable `pool` is never asked",
            "pack.toml:30: warning: file rule glob `nothing/**` matches no file",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
        assert!(!all.contains("django.html"), "{all}");
        assert!(
            all.contains("{{ '..' }}/up: error: the path `../up` is refused"),
            "{all}"
        );
    }

    #[test]
    fn derived_values_are_rendered_and_checked() {
        let derived = "\n[[derived]]\nname = \"image\"\nvalue = \"{% if docker %}app{% else %}none{% endif %}\"\n";
        let manifest = format!("{OK_MANIFEST}{derived}");
        let template = ("README.md.tera", "image: {{ image }}");
        let found = lint(&files(&[
            (MANIFEST, &manifest),
            ("Dockerfile", "x"),
            template,
        ]));
        assert_eq!(found, vec![]);
        let broken =
            OK_MANIFEST.to_string() + "\n[[derived]]\nname = \"image\"\nvalue = \"{{ nope }}\"\n";
        let found = lint(&files(&[
            (MANIFEST, &broken),
            ("Dockerfile", "x"),
            template,
        ]));
        let all: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(
            all.iter()
                .any(|d| d.starts_with("pack.toml: error: derived `image`")),
            "{all:?}"
        );
    }

    #[test]
    fn render_errors_are_reported_at_their_file_and_line() {
        let found = lint(&files(&[
            (MANIFEST, OK_MANIFEST),
            ("Dockerfile", "FROM x"),
            ("a.txt.tera", "fine\n{{ docker.nope.deeper }}\n"),
        ]));
        let all: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(
            all.iter()
                .any(|d| d.starts_with("a.txt.tera:2: error: rendering with the defaults fails")),
            "{all:?}"
        );
    }

    #[test]
    fn manifest_errors_have_lines() {
        let found = lint(&files(&[(
            MANIFEST,
            "[pack]\nname = \"t\"\nversion = \"x\"\ndescription = \"t\"\nextra = 1\n",
        )]));
        let all: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(
            all.iter()
                .any(|d| d.starts_with("pack.toml:5: error:") && d.contains("extra")),
            "{all:?}"
        );
    }
}
