//! Pack + variables → [`Plan`]: every file's final path, bytes and mode, in memory.
//!
//! Nothing here touches the disk, so a template error anywhere surfaces before a single
//! file is written. Files ending in `.tera` are rendered with Tera (autoescape off) and lose
//! the suffix; every other file is carried over byte for byte (borrowed, not copied, for
//! built-in packs). Path segments may hold Tera expressions. Every rendered path is checked
//! to stay inside the target.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use globset::{GlobBuilder, GlobMatcher};
use tera::{Kwargs, State, Tera, TeraResult};

use crate::error::{Error, Result};
use crate::names::ProjectNames;
use crate::pack::{Pack, Value};

/// The generated record of what made a project; always written at the project root.
pub const RECORD_FILE: &str = ".scaffold.toml";

/// Everything a template can see besides the engine's functions.
#[derive(Debug, Clone)]
pub struct TemplateContext {
    /// The project's names.
    pub names: ProjectNames,
    /// The stack id (the pack name for custom packs).
    pub stack: String,
    /// The recommendation's reasons for this stack; empty when none was made.
    pub why: Vec<String>,
    /// The pack's variables, in declaration order.
    pub values: Vec<(String, Value)>,
}

impl TemplateContext {
    /// The Tera context: the engine's names plus the pack's variables.
    #[must_use]
    pub fn to_tera(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("project_name", &self.names.name);
        ctx.insert("project_slug", &self.names.slug);
        ctx.insert("package_name", &self.names.package);
        ctx.insert("scaffold_version", env!("CARGO_PKG_VERSION"));
        ctx.insert("stack", &self.stack);
        ctx.insert("why", &self.why);
        for (name, value) in &self.values {
            ctx.insert(name.clone(), value);
        }
        ctx
    }

    /// Every name a template or condition may use.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        crate::pack::manifest::RESERVED_NAMES
            .iter()
            .copied()
            .chain(self.values.iter().map(|(k, _)| k.as_str()))
    }
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile<'a> {
    /// Relative, `/`-separated, checked to stay inside the target.
    pub path: String,
    /// The final bytes.
    pub bytes: Cow<'a, [u8]>,
    /// Whether to mark it executable (its content starts with `#!`).
    pub executable: bool,
    /// For a symbolic link: its relative target (checked to stay inside the target).
    pub link: Option<String>,
    /// A large verbatim file streamed from the pack on disk (path, size) instead of `bytes`.
    pub on_disk: Option<(PathBuf, u64)>,
}

impl PlannedFile<'_> {
    /// The size of the file as written.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.on_disk
            .as_ref()
            .map_or(self.bytes.len() as u64, |(_, size)| *size)
    }
}

/// The complete result of rendering, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Plan<'a> {
    /// The files, sorted by path.
    pub files: Vec<PlannedFile<'a>>,
}

impl<'a> Plan<'a> {
    /// The total size in bytes.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(PlannedFile::size).sum()
    }

    /// Add a generated file (such as `.scaffold.toml`), keeping the order.
    ///
    /// # Errors
    /// When the pack already renders a file at that path.
    pub fn add(&mut self, file: PlannedFile<'a>) -> std::result::Result<(), String> {
        match self
            .files
            .binary_search_by(|f| f.path.as_str().cmp(&file.path))
        {
            Ok(_) => Err(format!(
                "the pack renders `{}`, which scaffold writes itself",
                file.path
            )),
            Err(at) => {
                self.files.insert(at, file);
                Ok(())
            }
        }
    }
}

/// The most one template may render to: far above any real source file, low enough that a
/// runaway loop stops with a clear error instead of filling memory.
pub const MAX_RENDERED_FILE: usize = 64 * 1024 * 1024;

/// A writer that refuses to grow past its limit, which aborts the render.
struct Limited {
    buf: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Limited {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.limit {
            self.buf.resize(self.limit, 0);
            return Err(std::io::Error::other("rendered output too large"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A Tera instance set up the way every pack is rendered: autoescape off, `secret()`.
#[must_use]
pub fn new_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_function("secret", secret_fn);
    crate::escape::register(&mut tera);
    tera
}

fn secret_fn(kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let len: i64 = kwargs.get("length")?.unwrap_or(32);
    let len =
        usize::try_from(len).map_err(|_| tera::Error::message("secret(length=N) needs N >= 1"))?;
    crate::secrets::generate(len).map_err(tera::Error::message)
}

/// Whether a path segment or file body holds Tera syntax.
fn has_tera_syntax(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// Check that a rendered relative path stays inside the target.
///
/// # Errors
/// Why the path is refused.
pub fn check_rel_path(path: &str) -> std::result::Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.contains('\0') {
        return Err("the path contains a NUL byte".into());
    }
    let b = path.as_bytes();
    let drive = b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (b.len() == 2 || b[2] == b'/');
    if path.starts_with('/') || path.contains('\\') || drive {
        return Err(
            "the path is absolute or uses `\\`; pack paths are relative and use `/`".into(),
        );
    }
    for seg in path.split('/') {
        match seg {
            "" => return Err("the path has an empty segment".into()),
            "." | ".." => return Err("the path has a `.` or `..` segment".into()),
            _ => {}
        }
        if seg.chars().any(char::is_control) {
            return Err("the path contains control characters".into());
        }
        // A repository's metadata: git would run its hooks and config. Compared the way
        // case-insensitive file systems and git itself do (`.GIT`, `.git.`, `git~1`, and
        // with characters HFS+ ignores).
        let bare: String = seg
            .chars()
            .filter(|c| !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'))
            .collect();
        let bare = bare.trim_end_matches([' ', '.']);
        if bare.eq_ignore_ascii_case(".git") || bare.eq_ignore_ascii_case("git~1") {
            return Err(
                "the path has a `.git` component; a pack cannot write repository metadata".into(),
            );
        }
    }
    Ok(())
}

/// The template name a condition is compiled under (what Tera shows in its errors).
fn condition_name(kind: &str, index: usize, expr: &str) -> String {
    format!("pack.toml {kind} #{} `{expr}`", index + 1)
}

/// Compile `expr` as a condition template.
fn condition_source(expr: &str) -> String {
    format!("{{% if {expr} %}}true{{% endif %}}")
}

/// Evaluate one condition (an `only_if` or a `when`) against a context.
///
/// # Errors
/// The Tera error, with the expression, when it does not parse or names an unknown variable.
pub fn eval_condition(expr: &str, ctx: &TemplateContext) -> std::result::Result<bool, String> {
    let mut tera = new_tera();
    let name = format!("condition `{expr}`");
    tera.add_raw_template(&name, &condition_source(expr))
        .map_err(|e| tera_message(&e))?;
    check_names(&tera, &name, ctx)?;
    let out = tera
        .render(&name, &ctx.to_tera())
        .map_err(|e| tera_message(&e))?;
    Ok(out == "true")
}

/// Tera treats an unknown name in `{% if %}` as false; a typo in a condition must be an
/// error instead, so every top-level name it uses has to be defined.
fn check_names(tera: &Tera, name: &str, ctx: &TemplateContext) -> std::result::Result<(), String> {
    let used = tera
        .get_template_variables(name)
        .map_err(|e| tera_message(&e))?;
    let known: std::collections::HashSet<&str> = ctx.keys().collect();
    let mut unknown: Vec<&str> = used.into_iter().filter(|u| !known.contains(u)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort_unstable();
    Err(format!(
        "{name} uses {}, which is not a variable defined before it (known: {})",
        unknown
            .iter()
            .map(|u| format!("`{u}`"))
            .collect::<Vec<_>>()
            .join(", "),
        ctx.keys().collect::<Vec<_>>().join(", ")
    ))
}

/// Render a one-off template string (a derived value, an include's `set`).
///
/// # Errors
/// The Tera error.
pub fn render_str(template: &str, ctx: &TemplateContext) -> std::result::Result<String, String> {
    let mut tera = new_tera();
    tera.add_raw_template("value", template)
        .map_err(|e| tera_message(&e))?;
    tera.render("value", &ctx.to_tera())
        .map_err(|e| tera_message(&e))
}

/// A Tera error as one message, cause chain included.
#[must_use]
pub fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str("\n  caused by: ");
            msg.push_str(&text);
        }
        src = s.source();
    }
    msg
}

/// Render a pack into a plan. Conditional file rules are applied, `.tera` files rendered,
/// path expressions expanded, and every path checked; nothing is written.
///
/// # Errors
/// A pack error naming the file (and line, from Tera) on any failure.
pub fn render<'p>(pack: &'p Pack, context: &TemplateContext) -> Result<Plan<'p>> {
    let label = pack.label();
    let perr = |msg: String| Error::pack(&label, msg);
    let ctx = context.to_tera();

    let mut rules: Vec<(GlobMatcher, String)> = Vec::with_capacity(pack.manifest.files.len());
    for rule in &pack.manifest.files {
        let glob = GlobBuilder::new(&rule.glob)
            .literal_separator(true)
            .build()
            .map_err(|e| perr(format!("pack.toml: file rule glob `{}`: {e}", rule.glob)))?;
        rules.push((glob.compile_matcher(), rule.when.clone()));
    }

    // One Tera instance holds every template of the pack, added in one batch (much faster
    // than one at a time), named after its file so errors point at `file:line:col`.
    let mut sources: Vec<(String, String)> = Vec::new();
    for (i, (_, when)) in rules.iter().enumerate() {
        sources.push((
            condition_name("[[files]] rule", i, when),
            condition_source(when),
        ));
    }
    let mut kept = Vec::with_capacity(pack.files.len());
    for file in &pack.files {
        let is_link = file.link.is_some();
        let logical = if is_link {
            file.path.as_str()
        } else {
            file.path.strip_suffix(".tera").unwrap_or(&file.path)
        };
        let is_template = !is_link && file.path.ends_with(".tera");
        if is_link && has_tera_syntax(logical) {
            return Err(perr(format!(
                "`{}` is a link with an expression in its name; links keep their names",
                file.path
            )));
        }
        if is_template {
            let text = std::str::from_utf8(&file.contents).map_err(|_| {
                perr(format!(
                    "`{}` ends in .tera but is not UTF-8 text",
                    file.path
                ))
            })?;
            sources.push((file.path.clone(), text.to_string()));
        }
        if has_tera_syntax(logical) {
            sources.push((path_template_name(&file.path), logical.to_string()));
        }
        kept.push((file, logical, is_template));
    }
    let mut tera = new_tera();
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| perr(tera_message(&e)))?;

    let mut rule_results = Vec::with_capacity(rules.len());
    for (i, (_, when)) in rules.iter().enumerate() {
        let name = condition_name("[[files]] rule", i, when);
        check_names(&tera, &name, context).map_err(&perr)?;
        let out = tera
            .render(&name, &ctx)
            .map_err(|e| perr(tera_message(&e)))?;
        rule_results.push(out == "true");
    }

    let mut by_path: BTreeMap<String, PlannedFile<'p>> = BTreeMap::new();
    for (file, logical, is_template) in kept {
        let included = rules
            .iter()
            .zip(&rule_results)
            .all(|((glob, _), ok)| *ok || !glob.is_match(logical));
        if !included {
            continue;
        }
        let path = if has_tera_syntax(logical) {
            tera.render(&path_template_name(&file.path), &ctx)
                .map_err(|e| perr(tera_message(&e)))?
        } else {
            logical.to_string()
        };
        check_rel_path(&path)
            .map_err(|why| perr(format!("`{}` renders to `{path}`: {why}", file.path)))?;
        let bytes: Cow<'p, [u8]> = if is_template {
            let mut out = Limited {
                buf: Vec::new(),
                limit: MAX_RENDERED_FILE,
            };
            match tera.render_to(&file.path, &ctx, &mut out) {
                Ok(()) => Cow::Owned(out.buf),
                Err(_) if out.buf.len() >= MAX_RENDERED_FILE => {
                    return Err(perr(format!(
                        "`{}` renders to more than {} MiB; is there a loop that never ends?",
                        file.path,
                        MAX_RENDERED_FILE >> 20
                    )))
                }
                Err(e) => return Err(perr(tera_message(&e))),
            }
        } else {
            Cow::Borrowed(file.contents.as_ref())
        };
        let executable = match &file.on_disk {
            Some((src, _)) => {
                starts_with_shebang(src).map_err(|e| perr(format!("`{}`: {e}", file.path)))?
            }
            None => file.link.is_none() && bytes.starts_with(b"#!"),
        };
        if by_path.contains_key(&path) {
            return Err(perr(format!(
                "two files render to `{path}` (one of them is `{}`); rename one or add a [[files]] rule",
                file.path
            )));
        }
        by_path.insert(
            path.clone(),
            PlannedFile {
                path,
                bytes,
                executable,
                link: file.link.clone(),
                on_disk: file.on_disk.clone(),
            },
        );
    }
    render_includes(pack, context, &mut by_path)?;
    // A link must point at something this render produces, and nothing may be written
    // through one.
    for f in by_path.values() {
        if let Some(target) = &f.link {
            let resolved = crate::pack::resolve_link(&f.path, target).unwrap_or_default();
            if !crate::pack::path_exists_in(by_path.keys().map(String::as_str), &resolved) {
                return Err(perr(format!(
                    "the link `{}` points to `{target}`, which these answers do not render; add a matching [[files]] rule for the link",
                    f.path
                )));
            }
            let inside = format!("{}/", f.path);
            if let Some(under) = by_path.keys().find(|p| p.starts_with(&inside)) {
                return Err(perr(format!(
                    "`{under}` would be written through the link `{}`",
                    f.path
                )));
            }
        }
    }
    let dirs: std::collections::BTreeSet<&str> = by_path
        .keys()
        .flat_map(|p| p.match_indices('/').map(move |(i, _)| &p[..i]))
        .collect();
    if let Some(clash) = by_path.keys().find(|p| dirs.contains(p.as_str())) {
        return Err(perr(format!(
            "`{clash}` is both a file and a directory in the rendered tree"
        )));
    }
    Ok(Plan {
        files: by_path.into_values().collect(),
    })
}

/// Render the packs this one includes into their subdirectories. A file the including pack
/// renders itself at the same path wins: that is how a pack adapts what it includes.
fn render_includes<'p>(
    pack: &'p Pack,
    context: &TemplateContext,
    by_path: &mut BTreeMap<String, PlannedFile<'p>>,
) -> Result<()> {
    let label = pack.label();
    let perr = |msg: String| Error::pack(&label, msg);
    for (inc, sub) in pack.manifest.include.iter().zip(&pack.includes) {
        if let Some(when) = &inc.when {
            if !eval_condition(when, context)
                .map_err(|e| perr(format!("include `{}`: when: {e}", inc.pack)))?
            {
                continue;
            }
        }
        let mut answers = BTreeMap::new();
        for (key, raw) in &inc.set {
            let value = match raw {
                toml::Value::String(t) => toml::Value::String(
                    render_str(t, context)
                        .map_err(|e| perr(format!("include `{}`: set `{key}`: {e}", inc.pack)))?,
                ),
                other => other.clone(),
            };
            answers.insert(key.clone(), value);
        }
        let base = TemplateContext {
            values: Vec::new(),
            ..context.clone()
        };
        let values = crate::answers::resolve(
            &sub.manifest,
            &[],
            &answers,
            &base,
            crate::answers::Asker::Never,
        )
        .map_err(|e| perr(format!("include `{}`: {e}", inc.pack)))?;
        let plan = render(sub, &TemplateContext { values, ..base })?;
        let set = |globs: &[String]| -> Result<globset::GlobSet> {
            let mut b = globset::GlobSetBuilder::new();
            for g in globs {
                let glob = GlobBuilder::new(g)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| perr(format!("include `{}`: glob `{g}`: {e}", inc.pack)))?;
                b.add(glob);
            }
            b.build()
                .map_err(|e| perr(format!("include `{}`: {e}", inc.pack)))
        };
        let (only, exclude) = (set(&inc.only)?, set(&inc.exclude)?);
        for file in plan.files {
            if (!inc.only.is_empty() && !only.is_match(&file.path)) || exclude.is_match(&file.path)
            {
                continue;
            }
            let path = match inc.into.trim_end_matches('/') {
                "." | "" => file.path.clone(),
                into => format!("{into}/{}", file.path),
            };
            by_path
                .entry(path.clone())
                .or_insert(PlannedFile { path, ..file });
        }
    }
    Ok(())
}

/// Whether a file on disk starts with `#!` (read without loading it).
fn starts_with_shebang(path: &std::path::Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 2];
    let n = std::fs::File::open(path)?.read(&mut head)?;
    Ok(n == 2 && head == *b"#!")
}

fn path_template_name(path: &str) -> String {
    format!("{path} (file name)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{Manifest, Origin, PackFile};

    fn pack(manifest: &str, files: &[(&str, &str)]) -> Pack {
        Pack {
            manifest: Manifest::parse(manifest).unwrap(),
            files: files
                .iter()
                .map(|(p, c)| PackFile {
                    path: (*p).into(),
                    contents: Cow::Owned(c.as_bytes().to_vec()),
                    link: None,
                    on_disk: None,
                })
                .collect(),
            origin: Origin::Builtin("test".into()),
            content_hash: String::new(),
            includes: Vec::new(),
        }
    }

    const MANIFEST: &str = r#"
[pack]
name = "t"
version = "0.1.0"
description = "t"
[[variables]]
name = "docker"
type = "bool"
default = true
[[variables]]
name = "database"
type = "choice"
choices = ["sqlite", "postgres"]
default = "sqlite"
[[files]]
glob = "Dockerfile"
when = "docker"
[[files]]
glob = "db/**"
when = "database == 'postgres'"
"#;

    fn ctx(docker: bool, database: &str) -> TemplateContext {
        TemplateContext {
            names: crate::names::derive("My Cool API").unwrap(),
            stack: "t".into(),
            why: vec!["because".into()],
            values: vec![
                ("docker".into(), Value::Bool(docker)),
                ("database".into(), Value::String(database.into())),
            ],
        }
    }

    fn paths(plan: &Plan<'_>) -> Vec<String> {
        plan.files.iter().map(|f| f.path.clone()).collect()
    }

    #[test]
    fn renders_tera_files_and_copies_the_rest() {
        let p = pack(
            MANIFEST,
            &[
                (
                    "README.md.tera",
                    "# {{ project_name }} ({{ project_slug }}, {{ package_name }})\n",
                ),
                ("raw.html", "{{ not rendered }}"),
                ("{{ package_name }}/main.py.tera", "db={{ database }}"),
                ("run.sh", "#!/bin/sh\necho hi\n"),
            ],
        );
        let plan = render(&p, &ctx(true, "sqlite")).unwrap();
        assert_eq!(
            paths(&plan),
            ["README.md", "my_cool_api/main.py", "raw.html", "run.sh"]
        );
        assert_eq!(
            &*plan.files[0].bytes,
            b"# My Cool API (my-cool-api, my_cool_api)\n"
        );
        assert_eq!(&*plan.files[2].bytes, b"{{ not rendered }}");
        assert!(matches!(plan.files[2].bytes, Cow::Borrowed(_)));
        assert!(plan.files[3].executable);
        assert!(!plan.files[0].executable);
    }

    #[test]
    fn file_rules_select_files() {
        let files = [
            ("Dockerfile", "FROM x"),
            ("db/schema.sql", "x"),
            ("app.py", "x"),
        ];
        let p = pack(MANIFEST, &files);
        assert_eq!(
            paths(&render(&p, &ctx(true, "sqlite")).unwrap()),
            ["Dockerfile", "app.py"]
        );
        assert_eq!(
            paths(&render(&p, &ctx(false, "postgres")).unwrap()),
            ["app.py", "db/schema.sql"]
        );
    }

    #[test]
    fn template_errors_name_file_and_line() {
        let p = pack(MANIFEST, &[("a.txt.tera", "ok\n{{ nope }}\n")]);
        let err = render(&p, &ctx(true, "sqlite")).unwrap_err().to_string();
        assert!(err.contains("a.txt.tera:2"), "{err}");
        let p = pack(MANIFEST, &[("b.txt.tera", "ok\nok\n{% if %}\n")]);
        let err = render(&p, &ctx(true, "sqlite")).unwrap_err().to_string();
        assert!(err.contains("b.txt.tera:3"), "{err}");
    }

    #[test]
    fn paths_that_escape_are_refused() {
        for bad in ["{{ '..' }}/x", "{{ '/etc' }}/passwd", "a/{{ '' }}/b"] {
            let p = pack(MANIFEST, &[(bad, "x")]);
            let err = render(&p, &ctx(true, "sqlite")).unwrap_err().to_string();
            assert!(err.contains("renders to"), "{bad}: {err}");
        }
    }

    #[test]
    fn collisions_are_refused() {
        let p = pack(MANIFEST, &[("a.tera", "x"), ("a", "y")]);
        assert!(render(&p, &ctx(true, "sqlite"))
            .unwrap_err()
            .to_string()
            .contains("two files"));
        let p = pack(MANIFEST, &[("a", "x"), ("a/b", "y")]);
        assert!(render(&p, &ctx(true, "sqlite"))
            .unwrap_err()
            .to_string()
            .contains("both a file and a directory"));
    }

    #[test]
    fn runaway_output_is_stopped() {
        let p = pack(
            MANIFEST,
            &[("big.tera", "{% for i in range(end=100000) %}{% for j in range(end=100000) %}xxxxxxxxxx{% endfor %}{% endfor %}")],
        );
        let err = render(&p, &ctx(true, "sqlite")).unwrap_err().to_string();
        assert!(err.contains("renders to more than 64 MiB"), "{err}");
    }

    #[test]
    fn secrets_are_fresh() {
        let p = pack(MANIFEST, &[(".env.tera", "SECRET={{ secret(length=40) }}")]);
        let one = render(&p, &ctx(true, "sqlite")).unwrap();
        let two = render(&p, &ctx(true, "sqlite")).unwrap();
        assert_eq!(one.files[0].bytes.len(), "SECRET=".len() + 40);
        assert_ne!(one.files[0].bytes, two.files[0].bytes);
    }

    #[test]
    fn conditions() {
        let c = ctx(false, "postgres");
        assert_eq!(
            eval_condition("database == 'postgres' and not docker", &c),
            Ok(true)
        );
        assert_eq!(eval_condition("database in ['sqlite']", &c), Ok(false));
        assert!(eval_condition("missing_var", &c).is_err());
        assert!(eval_condition("(", &c).is_err());
    }

    proptest::proptest! {
        /// Whatever names a pack's files have (expressions included), a render either fails
        /// or plans only relative paths that stay inside the target.
        #[test]
        fn planned_paths_stay_inside(raw in "[a-z./{}' ]{1,24}") {
            let p = Pack {
                manifest: Manifest::parse(MANIFEST).unwrap(),
                files: vec![PackFile {
                    path: raw.clone(),
                    contents: Cow::Owned(b"x".to_vec()),
                    link: None,
                    on_disk: None,
                }],
                origin: Origin::Builtin("test".into()),
                content_hash: String::new(),
                includes: Vec::new(),
            };
            if let Ok(plan) = render(&p, &ctx(true, "sqlite")) {
                for f in &plan.files {
                    proptest::prop_assert!(check_rel_path(&f.path).is_ok(), "{raw:?} -> {:?}", f.path);
                    proptest::prop_assert!(!f.path.split('/').any(|s| s == ".." || s == "."));
                    proptest::prop_assert!(!std::path::Path::new(&f.path).is_absolute());
                }
            }
        }
    }

    #[test]
    fn rel_paths() {
        assert!(check_rel_path("a/b.txt").is_ok());
        assert!(check_rel_path(".gitignore").is_ok() && check_rel_path(".github/x").is_ok());
        for bad in [
            "",
            "/a",
            "a/../b",
            "./a",
            "a//b",
            "a\\b",
            "C:/x",
            "a/\u{1b}b",
            ".git",
            "a/.GIT/config",
            ".git./hooks/x",
            "Git~1/config",
            ".g\u{200c}it/config",
        ] {
            assert!(check_rel_path(bad).is_err(), "{bad:?}");
        }
    }
}
