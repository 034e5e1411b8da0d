//! Resolved pack tree → [`Plan`]: every file's final path, bytes and mode, in memory.
//!
//! A pure map: the values were decided by [`crate::resolve`], so rendering never asks and
//! never reads answers. Nothing here touches the disk (but the first two bytes of a large
//! streamed file), so a template error anywhere surfaces before a single file is written.
//! Files ending in `.tera` are rendered with Tera (autoescape off) and lose the suffix;
//! every other file is carried over byte for byte (borrowed, not copied, for built-in
//! packs). Path segments may hold Tera expressions. Every rendered path is checked to stay
//! inside the target. All evaluation runs under the tree's time budget and size limits.

use std::borrow::Cow;
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};

use crate::engine::{self, check_names, condition_name, condition_source, has_tera_syntax, Budget};
use crate::error::{Error, Result, TemplateError};
use crate::pack::manifest::Include;
use crate::plan::{check_rel_path, path_exists_in, resolve_link, Plan, PlannedFile};
use crate::resolve::{Node, Resolved};

/// Render a resolved pack tree into a plan. Conditional file rules are applied, `.tera`
/// files rendered, path expressions expanded, includes placed, and every path checked;
/// nothing is written.
///
/// # Errors
/// A pack error naming the file (and line, from Tera) on any failure; [`Error::Limit`]
/// when the time budget runs out or the plan grows past a size limit.
pub fn render<'p>(resolved: &Resolved<'p>) -> Result<Plan<'p>> {
    let budget = &resolved.budget;
    let plan = Plan {
        files: render_node(&resolved.root, budget)?,
        pending: None,
    };
    let limits = budget.limits();
    if plan.files.len() > limits.max_files {
        return Err(Error::Limit {
            what: format!(
                "pack `{}` renders {} files, more than the limit of {}",
                resolved.root.pack.label(),
                plan.files.len(),
                limits.max_files
            ),
            env: format!("{}=N", engine::ENV_MAX_FILES),
        });
    }
    let total = plan.total_bytes();
    if total > limits.max_total_bytes {
        return Err(crate::resolve::total_too_large(
            &resolved.root.pack.label(),
            total,
            limits,
        ));
    }
    Ok(plan)
}

/// A `[[files]]` rule's glob (`/` never matched by a wildcard). Most rules name one file or
/// everything under one directory: those are compared as strings, without building a regex.
#[derive(Debug)]
enum PathMatcher {
    /// A glob without wildcards: that one path.
    Exact(String),
    /// `dir/**`, `dir` without wildcards: every path below `dir` (not `dir` itself).
    Below(String),
    /// Any other glob.
    Glob(GlobMatcher),
}

impl PathMatcher {
    fn new(glob: &str) -> std::result::Result<PathMatcher, globset::Error> {
        let literal = |s: &str| !s.is_empty() && !s.contains(['*', '?', '[', ']', '{', '}', '\\']);
        if literal(glob) {
            return Ok(PathMatcher::Exact(glob.to_string()));
        }
        if let Some(dir) = glob.strip_suffix("/**") {
            if literal(dir) {
                return Ok(PathMatcher::Below(format!("{dir}/")));
            }
        }
        Ok(PathMatcher::Glob(
            GlobBuilder::new(glob)
                .literal_separator(true)
                .build()?
                .compile_matcher(),
        ))
    }

    fn is_match(&self, path: &str) -> bool {
        match self {
            PathMatcher::Exact(p) => path == p,
            PathMatcher::Below(prefix) => path.starts_with(prefix.as_str()),
            PathMatcher::Glob(m) => m.is_match(path),
        }
    }
}

/// One file of the pack as it will be rendered.
struct Kept<'p> {
    file: &'p crate::pack::PackFile,
    logical: &'p str,
    is_template: bool,
    /// Whether its name holds an expression (rendered on the worker with the bodies).
    named: bool,
}

/// Render one pack of the tree, then its includes, into paths.
// Long because it is one sequence over one pack (compile, rules, paths, bodies, checks)
// whose steps share the compiled templates and the error context; split, each step would
// need the whole state passed along.
/// The files come back sorted by path, each path once.
fn render_node<'p>(node: &Node<'p>, budget: &Budget) -> Result<Vec<PlannedFile<'p>>> {
    let pack = node.pack;
    let label = pack.label();
    let perr = |msg: String| Error::pack(&label, msg);
    let limits = budget.limits();

    let mut rules: Vec<(PathMatcher, String)> = Vec::with_capacity(pack.manifest.files.len());
    for rule in &pack.manifest.files {
        let matcher = PathMatcher::new(&rule.glob)
            .map_err(|e| perr(format!("pack.toml: file rule glob `{}`: {e}", rule.glob)))?;
        rules.push((matcher, rule.when.clone()));
    }

    // One Tera instance holds every template of the pack, added in one batch (much faster
    // than one at a time), named after its file so errors point at `file:line:col`.
    // Template text is borrowed from the pack, not copied.
    let mut sources: Vec<(Cow<'p, str>, Cow<'p, str>)> = Vec::new();
    for (i, (_, when)) in rules.iter().enumerate() {
        sources.push((
            condition_name("[[files]] rule", i, when).into(),
            condition_source(when).into(),
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
        let named = has_tera_syntax(logical);
        if is_link && named {
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
            sources.push((file.path.as_str().into(), text.into()));
        }
        if named {
            sources.push((path_template_name(&file.path).into(), logical.into()));
        }
        kept.push(Kept {
            file,
            logical,
            is_template,
            named,
        });
    }
    engine::check_template_depth(&sources, limits)?;
    let mut tera = budget.tera();
    let template_err = |problem: TemplateError| Error::Template {
        pack: label.clone(),
        problem,
    };
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_ref(), s.as_ref())))
        .map_err(|e| template_err(engine::template_error(&e)))?;
    let tera = Arc::new(tera);
    let ctx = Arc::new(node.context.to_tera());

    let mut rule_names = Vec::with_capacity(rules.len());
    for (i, (_, when)) in rules.iter().enumerate() {
        let name = condition_name("[[files]] rule", i, when);
        check_names(&tera, &name, &node.context).map_err(&perr)?;
        rule_names.push(name);
    }
    let mut rule_results = Vec::with_capacity(rules.len());
    for out in engine::render_many(&tera, &ctx, rule_names, budget)? {
        let out = out.map_err(|(e, _)| template_err(e))?;
        rule_results.push(out == b"true");
    }
    kept.retain(|k| {
        rules
            .iter()
            .zip(&rule_results)
            .all(|((glob, _), ok)| *ok || !glob.is_match(k.logical))
    });

    // Paths and bodies, in one batch on the worker: names of the templates to render.
    let mut jobs = Vec::new();
    for k in &kept {
        if k.named {
            jobs.push(path_template_name(&k.file.path));
        }
        if k.is_template {
            jobs.push(k.file.path.clone());
        }
    }
    let mut rendered = engine::render_many(&tera, &ctx, jobs, budget)?.into_iter();
    // Every template is rendered: the compiled templates and their sources are not needed
    // while the plan is put together, which for a pack of many files holds its own list.
    drop((tera, ctx, sources));
    let mut next = |file: &str| -> Result<Vec<u8>> {
        match rendered.next() {
            Some(Ok(bytes)) => Ok(bytes),
            Some(Err((_, true))) => Err(engine::too_large(
                &format!("pack `{label}`: `{file}`"),
                limits.max_file_bytes,
            )),
            Some(Err((e, false))) => Err(template_err(e)),
            None => Err(perr(format!("`{file}` was not rendered"))),
        }
    };

    // Each planned file with the pack file it comes from (for the collision message); sorted
    // once at the end, which also brings any two files with the same path together.
    let mut planned: Vec<(PlannedFile<'p>, &'p str)> = Vec::with_capacity(kept.len());
    let mut total: u64 = 0;
    for Kept {
        file,
        logical,
        is_template,
        named,
    } in kept
    {
        let path = if named {
            String::from_utf8(next(&file.path)?).map_err(|_| {
                perr(format!(
                    "`{}` renders to a name that is not UTF-8",
                    file.path
                ))
            })?
        } else {
            logical.to_string()
        };
        check_rel_path(&path)
            .map_err(|why| perr(format!("`{}` renders to `{path}`: {why}", file.path)))?;
        let bytes: Cow<'p, [u8]> = if is_template {
            Cow::Owned(next(&file.path)?)
        } else {
            Cow::Borrowed(file.contents.as_ref())
        };
        // Only a template can hold a secret its render generated.
        let secret = is_template && budget.issued().found_in(&bytes);
        total += bytes.len() as u64;
        if total > limits.max_total_bytes {
            return Err(crate::resolve::total_too_large(&label, total, limits));
        }
        // A pack file read at write: known when the write pass reads it.
        let executable = match &file.on_disk {
            Some(d) => d.seen().is_some_and(|s| s.shebang),
            None => file.link.is_none() && bytes.starts_with(b"#!"),
        };
        planned.push((
            PlannedFile {
                path,
                bytes,
                executable,
                link: file.link.clone(),
                on_disk: file.on_disk.clone(),
                secret,
            },
            file.path.as_str(),
        ));
    }
    // Ties broken by the pack file's path (the pack's order), so of two files with one path
    // the later in the pack is named; an unstable sort needs no buffer of the list's size.
    planned.sort_unstable_by(|a, b| a.0.path.cmp(&b.0.path).then_with(|| a.1.cmp(b.1)));
    if let Some(pair) = planned.windows(2).find(|w| w[0].0.path == w[1].0.path) {
        return Err(perr(format!(
            "two files render to `{}` (one of them is `{}`); rename one or add a [[files]] rule",
            pair[1].0.path, pair[1].1
        )));
    }
    let mut by_path: Vec<PlannedFile<'p>> = planned.into_iter().map(|(f, _)| f).collect();
    for (inc, sub) in &node.includes {
        place_include(&label, inc, render_node(sub, budget)?, &mut by_path)?;
    }
    check_links_and_dirs(&label, &by_path)?;
    Ok(by_path)
}

/// Place an included pack's files into its subdirectory. A file the including pack renders
/// itself at the same path wins: that is how a pack adapts what it includes.
fn place_include<'p>(
    label: &str,
    inc: &Include,
    files: Vec<PlannedFile<'p>>,
    by_path: &mut Vec<PlannedFile<'p>>,
) -> Result<()> {
    let perr = |msg: String| Error::pack(label, msg);
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
    let mut added = Vec::new();
    for file in files {
        if (!inc.only.is_empty() && !only.is_match(&file.path)) || exclude.is_match(&file.path) {
            continue;
        }
        let path = match inc.into.trim_end_matches('/') {
            "." | "" => file.path.clone(),
            into => format!("{into}/{}", file.path),
        };
        // One include's paths are distinct (its files were), so only the files placed
        // before it can take a path; `by_path` is still sorted here.
        if by_path
            .binary_search_by(|f| f.path.as_str().cmp(&path))
            .is_err()
        {
            added.push(PlannedFile { path, ..file });
        }
    }
    if !added.is_empty() {
        by_path.append(&mut added);
        by_path.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(())
}

/// A link must point at something this render produces, nothing may be written through
/// one, and no path may be both a file and a directory.
fn check_links_and_dirs(label: &str, by_path: &[PlannedFile<'_>]) -> Result<()> {
    let perr = |msg: String| Error::pack(label, msg);
    let paths = || by_path.iter().map(|f| f.path.as_str());
    for f in by_path {
        if let Some(target) = &f.link {
            let resolved = resolve_link(&f.path, target).unwrap_or_default();
            if !path_exists_in(paths(), &resolved) {
                return Err(perr(format!(
                    "the link `{}` points to `{target}`, which these answers do not render; add a matching [[files]] rule for the link",
                    f.path
                )));
            }
            let inside = format!("{}/", f.path);
            if let Some(under) = paths().find(|p| p.starts_with(&inside)) {
                return Err(perr(format!(
                    "`{under}` would be written through the link `{}`",
                    f.path
                )));
            }
        }
    }
    let dirs: std::collections::BTreeSet<&str> = paths()
        .flat_map(|p| p.match_indices('/').map(move |(i, _)| &p[..i]))
        .collect();
    if let Some(clash) = paths().find(|p| dirs.contains(p)) {
        return Err(perr(format!(
            "`{clash}` is both a file and a directory in the rendered tree"
        )));
    }
    Ok(())
}

fn path_template_name(path: &str) -> String {
    format!("{path} (file name)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Limits, TemplateContext};
    use crate::pack::{Manifest, Origin, Pack, PackFile};
    use crate::value::Value;

    fn render<'p>(pack: &'p Pack, context: &TemplateContext) -> Result<Plan<'p>> {
        let resolved =
            crate::resolve::resolve_with(pack, context.clone(), Limits::default().budget())?;
        super::render(&resolved)
    }

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
            at_write: None,
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
            needs: Vec::new(),
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
    fn files_holding_a_generated_secret_are_marked() {
        let manifest = format!(
            "{MANIFEST}[[derived]]\nname = \"api_key\"\nvalue = \"{{{{ secret(length=24) }}}}\"\n"
        );
        let p = pack(
            &manifest,
            &[
                ("config.ini.tera", "key={{ secret() }}\n"),
                ("derived.txt.tera", "key={{ api_key }}\n"),
                ("plain.txt.tera", "name={{ project_name }}\n"),
                ("verbatim.txt", "nothing secret\n"),
            ],
        );
        // The whole pipeline: the derived value's secret is issued while resolving.
        let resolved = crate::resolve::resolve(
            &p,
            &ctx(true, "sqlite"),
            &crate::resolve::Answers::default(),
            crate::answers::Asker::Never,
            &Limits::default(),
        )
        .unwrap();
        let plan = super::render(&resolved).unwrap();
        let marked: Vec<(&str, bool)> = plan
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.secret))
            .collect();
        assert_eq!(
            marked,
            [
                ("config.ini", true),
                ("derived.txt", true),
                ("plain.txt", false),
                ("verbatim.txt", false)
            ]
        );
        // Each evaluation looks only for its own secrets: a derived value given as an
        // answer (no secret() call in this render) marks nothing.
        let mut given = ctx(true, "sqlite");
        given
            .values
            .push(("api_key".into(), Value::String("x".repeat(24))));
        let again = render(&p, &given).unwrap();
        let marked: Vec<&str> = again
            .files
            .iter()
            .filter(|f| f.secret)
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(marked, ["config.ini"]);
    }

    proptest::proptest! {
        /// The string matchers agree with globset (`literal_separator`) wherever they apply.
        #[test]
        fn path_matchers_agree_with_globset(
            glob in "[ab./]{1,6}(/\\*\\*)?",
            path in "[ab./]{0,8}",
        ) {
            let ours = PathMatcher::new(&glob);
            let theirs = GlobBuilder::new(&glob).literal_separator(true).build();
            if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
                proptest::prop_assert_eq!(
                    ours.is_match(&path),
                    theirs.compile_matcher().is_match(&path),
                    "{:?} {:?} {:?}", glob, path, ours
                );
            }
        }

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
                at_write: None,
            };
            if let Ok(plan) = render(&p, &ctx(true, "sqlite")) {
                for f in &plan.files {
                    proptest::prop_assert!(check_rel_path(&f.path).is_ok(), "{raw:?} -> {:?}", f.path);
                    proptest::prop_assert!(!f.path.split('/').any(|s| s == ".." || s == "."));
                    proptest::prop_assert!(!std::path::Path::new(&f.path).is_absolute());
                }
            };
        }
    }
}
