//! Where variable values come from, and how they are merged: defaults ◀ answers file ◀
//! `--set` ◀ prompts. Every value, whatever its source, goes through the one validator
//! ([`Variable::parse_str`] / [`Variable::from_toml`]).
//!
//! The answers file has the same schema as the `.scaffold.toml` record a generated project
//! carries, so feeding a project's record back reproduces it.

pub mod record;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::{self, Budget, TemplateContext};
use crate::error::{Error, Result};
use crate::pack::{Kind, Manifest, Value, Variable};

/// An answers file, or the `.scaffold.toml` record of a generated project. Every key is
/// optional; unknown keys are errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnswersFile {
    /// The record's format version (absent in records written before it existed); a record
    /// in a newer format than this scaffold reads is refused with a hint to upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
    /// The scaffold version that wrote the record (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaffold_version: Option<String>,
    /// The project name as typed; when present it is the project name of a reproduction,
    /// while NAME on the command line still picks the directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The stack id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// The pack that rendered the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackRecord>,
    /// The requirement answers given to the recommendation step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<RequirementsRecord>,
    /// The recommendation that was shown, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<RecommendationRecord>,
    /// Pack variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, toml::Value>,
    /// Every generated file's relative path and `sha256:<64 hex>` of the bytes generated
    /// there (the record itself excluded).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
}

/// The `[pack]` table of a record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PackRecord {
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// The pack's content hash (`sha256:…`).
    pub content_hash: String,
    /// Where the pack came from: `builtin`, `dir`, `git` or `user` (absent in older
    /// records, which then name a built-in stack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The directory of a `dir` or `user` pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The repository of a `git` pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The branch or tag a `git` pack was asked at.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The commit a `git` pack was rendered from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The `[requirements]` table.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RequirementsRecord {
    /// Need ids (`realtime`, `ml`, ...).
    #[serde(default)]
    pub needs: Vec<String>,
    /// Team id (`js`, `python`, `both`, `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// The `[recommendation]` table.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RecommendationRecord {
    /// The stack that was generated.
    pub stack: String,
    /// The top pick, when the user chose another stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended: Option<String>,
    /// Its score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The reasons shown for the stack that was generated.
    #[serde(default)]
    pub reasons: Vec<String>,
}

impl AnswersFile {
    /// Parse answers from TOML text.
    ///
    /// # Errors
    /// The TOML error, which names the line and column, or the unknown key.
    pub fn parse(text: &str) -> std::result::Result<AnswersFile, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    /// Read and parse an answers file.
    ///
    /// # Errors
    /// A usage error naming the file (and line) when it cannot be read or parsed.
    pub fn load(path: &Path) -> Result<AnswersFile> {
        let text = read_bounded(path, max_answers_bytes()).map_err(|e| {
            Error::usage(format!(
                "cannot read answers file `{}`: {e}",
                path.display()
            ))
        })?;
        AnswersFile::parse(&text).map_err(|e| {
            Error::usage(format!(
                "answers file `{}` is not valid: {e}",
                path.display()
            ))
        })
    }

    /// The record as TOML text, with a header saying what it is.
    #[must_use]
    pub fn to_toml_string(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Written by scaffold {}. It records how this project was generated;\n\
             # `scaffold new NAME --answers .scaffold.toml --yes` renders it again.\n\n{body}",
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// The environment variable that raises the answers file size limit.
pub const ENV_MAX_ANSWERS: &str = "SCAFFOLD_MAX_ANSWERS_MIB";

/// The default of [`max_answers_bytes`], in MiB. A project's own `.scaffold.toml` is read
/// with this limit too (`update`, `--answers`), and its `[files]` table has a line of about
/// 80 bytes plus the path for every generated file: 32 MiB holds the record of a project
/// of 250,000 files (the default `SCAFFOLD_MAX_FILES`) with paths of 50 characters on
/// average. Parsing a file this size takes about five times its size in memory.
pub const DEFAULT_MAX_ANSWERS_MIB: u64 = 32;

/// The largest answers file read: [`DEFAULT_MAX_ANSWERS_MIB`], or
/// `SCAFFOLD_MAX_ANSWERS_MIB`.
pub(crate) fn max_answers_bytes() -> u64 {
    std::env::var(ENV_MAX_ANSWERS)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_MAX_ANSWERS_MIB)
        .saturating_mul(1024 * 1024)
}

/// Read a text file of at most `max` bytes, without reading more than that (so an endless
/// file such as `/dev/zero` ends at once).
fn read_bounded(path: &Path, max: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "it is larger than {} MiB, the limit (raise it with {ENV_MAX_ANSWERS}=MIB)",
            max / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// Parse `--set KEY=VALUE` arguments.
///
/// # Errors
/// A usage error for an argument without `=` or with an empty key.
pub fn parse_sets(raw: &[String]) -> Result<Vec<(String, String)>> {
    raw.iter()
        .map(|arg| match arg.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(Error::usage(format!(
                "`--set {arg}` is not KEY=VALUE (for example --set database=postgres)"
            ))),
        })
        .collect()
}

/// What to do about a variable that nothing answered.
pub enum Asker<'a> {
    /// Never ask: take defaults; a variable without one is a missing answer.
    Never,
    /// Ask with this function (a prompt); it must validate with the variable's own checks.
    Ask(&'a mut dyn FnMut(&Variable, Option<&Value>) -> Result<Value>),
}

/// The value a variable has when its `only_if` is false and it has no default.
fn zero_value(var: &Variable) -> Value {
    match var.kind {
        Kind::String => Value::String(String::new()),
        Kind::Bool => Value::Bool(false),
        Kind::Integer => Value::Integer(0),
        Kind::Choice => Value::String(var.choices.first().cloned().unwrap_or_default()),
    }
}

/// Resolve every variable of a manifest, in order, then its derived values and constraints.
///
/// `base` carries the project names, stack and reasons that `only_if` expressions may use;
/// its `values` are ignored and rebuilt as answers accumulate. Every expression runs under
/// `budget`.
///
/// # Errors
/// An unknown variable name in `sets` or `answers`, a value refused by its variable, a
/// broken `only_if`, a missing answer when `asker` is [`Asker::Never`], or a limit.
pub fn resolve_values(
    manifest: &Manifest,
    sets: &[(String, String)],
    answers: &BTreeMap<String, toml::Value>,
    base: &TemplateContext,
    asker: Asker<'_>,
    budget: &Budget,
) -> Result<Vec<(String, Value)>> {
    resolve_proposed(
        manifest,
        sets,
        answers,
        &BTreeMap::new(),
        base,
        asker,
        budget,
    )
}

/// The pack's capabilities for a message: the variables its needs-mapping sets.
fn capabilities_of(manifest: &Manifest) -> String {
    let caps = manifest.capabilities();
    if caps.is_empty() {
        "none (its pack.toml maps no need to a variable)".to_string()
    } else {
        caps.join(", ")
    }
}

/// [`resolve_values`] with `proposals`: values the recommendation and the pack's
/// needs-mapping propose. They sit below the answers and `--set`; a variable they answer is
/// still asked on a terminal, with the proposal as its default.
///
/// # Errors
/// As [`resolve_values`]; a proposal the variable refuses is a usage error too.
pub fn resolve_proposed(
    manifest: &Manifest,
    sets: &[(String, String)],
    answers: &BTreeMap<String, toml::Value>,
    proposals: &BTreeMap<String, toml::Value>,
    base: &TemplateContext,
    mut asker: Asker<'_>,
    budget: &Budget,
) -> Result<Vec<(String, Value)>> {
    for (key, _) in sets {
        if manifest.variable(key).is_none() {
            return Err(Error::usage(format!(
                "`--set {key}=…`: pack `{}` has no variable `{key}`; its capabilities (set from needs): {} (variables: {})",
                manifest.pack.name,
                capabilities_of(manifest),
                manifest.variable_names()
            )));
        }
    }
    for key in answers.keys() {
        if manifest.variable(key).is_none() {
            return Err(Error::usage(format!(
                "answers file: pack `{}` has no variable `{key}` (variables: {})",
                manifest.pack.name,
                manifest.variable_names()
            )));
        }
    }

    let mut ctx = base.clone();
    ctx.values.clear();
    for var in &manifest.variables {
        let applies = match &var.only_if {
            None => true,
            Some(expr) => engine::eval_condition(expr, &ctx, budget)?.map_err(|e| {
                Error::pack(
                    &manifest.pack.name,
                    format!("pack.toml: variable `{}`: only_if: {e}", var.name),
                )
            })?,
        };
        let from_set = sets.iter().rev().find(|(k, _)| *k == var.name);
        let value = if let Some((_, raw)) = from_set {
            var.parse_str(raw).map_err(|reason| Error::InvalidValue {
                name: var.name.clone(),
                reason: format!("{reason} (from --set)"),
            })?
        } else if let Some(raw) = answers.get(&var.name) {
            var.from_toml(raw).map_err(|reason| Error::InvalidValue {
                name: var.name.clone(),
                reason: format!("{reason} (from the answers file)"),
            })?
        } else if !applies {
            var.default.clone().unwrap_or_else(|| zero_value(var))
        } else if let Some(raw) = proposals.get(&var.name) {
            let proposed = var.from_toml(raw).map_err(|reason| Error::InvalidValue {
                name: var.name.clone(),
                reason: format!("{reason} (proposed for the chosen needs)"),
            })?;
            match &mut asker {
                Asker::Ask(ask) => ask(var, Some(&proposed))?,
                Asker::Never => proposed,
            }
        } else {
            match &mut asker {
                Asker::Ask(ask) => ask(var, var.default.as_ref())?,
                Asker::Never => var.default.clone().ok_or_else(|| Error::MissingAnswer {
                    what: format!("a value for `{}` ({})", var.name, var.prompt),
                    hint: format!("pass --set {}=VALUE or an --answers file", var.name),
                })?,
            }
        };
        ctx.values.push((var.name.clone(), value));
    }
    add_derived(manifest, &mut ctx, budget)?;
    check_constraints(manifest, &ctx, budget)?;
    Ok(ctx.values)
}

/// Compute the manifest's derived values from the answers in `ctx`, in declaration order (a
/// derived value may use the ones before it), and add them to `ctx`.
///
/// # Errors
/// A derived template or condition that does not render, or a limit.
pub fn add_derived(manifest: &Manifest, ctx: &mut TemplateContext, budget: &Budget) -> Result<()> {
    for d in &manifest.derived {
        let value = if let Some(template) = &d.value {
            engine::render_str(template, ctx, budget)?.map(Value::String)
        } else {
            let expr = d.when.as_deref().unwrap_or("false");
            engine::eval_condition(expr, ctx, budget)?.map(Value::Bool)
        }
        .map_err(|e| {
            Error::pack(
                &manifest.pack.name,
                format!("pack.toml: derived `{}`: {e}", d.name),
            )
        })?;
        ctx.values.push((d.name.clone(), value));
    }
    Ok(())
}

/// Check the manifest's compatibility rules against the answers; a broken rule names the
/// answers involved.
///
/// # Errors
/// A usage error naming both sides' answers, a pack error for a broken expression, or a
/// limit.
pub fn check_constraints(
    manifest: &Manifest,
    ctx: &TemplateContext,
    budget: &Budget,
) -> Result<()> {
    let eval = |expr: &str| {
        engine::eval_condition(expr, ctx, budget)?
            .map_err(|e| Error::pack(&manifest.pack.name, format!("pack.toml: constraint: {e}")))
    };
    let answers_in = |expr: &str| -> String {
        let mut names: Vec<&(String, Value)> = ctx
            .values
            .iter()
            .filter(|(k, _)| {
                expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|w| w == k)
            })
            .collect();
        names.dedup();
        names
            .iter()
            .map(|(k, v)| format!("`{k} = {v}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    for c in &manifest.constraints {
        if !eval(&c.when)? {
            continue;
        }
        let (expr, broken, verb) = match (&c.requires, &c.conflicts) {
            (Some(r), _) => (r, !eval(r)?, "requires"),
            (None, Some(x)) => (x, eval(x)?, "conflicts with"),
            (None, None) => continue,
        };
        if broken {
            let hint = c
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            // `requires = "false"` is how a pack says an answer is not available (yet).
            if verb == "requires" && expr.trim() == "false" {
                return Err(Error::usage(format!(
                    "{} is not available{hint}",
                    answers_in(&c.when)
                )));
            }
            let what = if verb == "requires" {
                format!("`{expr}`")
            } else {
                answers_in(expr)
            };
            return Err(Error::usage(format!(
                "{} {verb} {what}{hint}",
                answers_in(&c.when)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(
        manifest: &Manifest,
        sets: &[(String, String)],
        answers: &BTreeMap<String, toml::Value>,
        base: &TemplateContext,
        asker: Asker<'_>,
    ) -> Result<Vec<(String, Value)>> {
        let budget = crate::engine::Limits::default().budget();
        resolve_values(manifest, sets, answers, base, asker, &budget)
    }

    const MANIFEST: &str = r#"
[pack]
name = "t"
version = "0.1.0"
description = "t"
[[variables]]
name = "database"
type = "choice"
choices = ["sqlite", "postgres"]
default = "sqlite"
[[variables]]
name = "pool_size"
type = "integer"
default = 5
only_if = "database == 'postgres'"
[[variables]]
name = "author"
type = "string"
"#;

    fn base() -> TemplateContext {
        TemplateContext {
            names: crate::names::derive("demo").unwrap(),
            stack: "t".into(),
            why: vec![],
            needs: Vec::new(),
            values: vec![],
        }
    }

    fn sets(pairs: &[&str]) -> Vec<(String, String)> {
        parse_sets(&pairs.iter().map(|s| (*s).to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn precedence_set_over_answers_over_default() {
        let m = Manifest::parse(MANIFEST).unwrap();
        let mut answers = BTreeMap::new();
        answers.insert(
            "database".to_string(),
            toml::Value::String("postgres".into()),
        );
        answers.insert("author".to_string(), toml::Value::String("ann".into()));
        let got = resolve(&m, &sets(&["author=bob"]), &answers, &base(), Asker::Never).unwrap();
        assert_eq!(
            got,
            vec![
                ("database".into(), Value::String("postgres".into())),
                ("pool_size".into(), Value::Integer(5)),
                ("author".into(), Value::String("bob".into())),
            ]
        );
    }

    #[test]
    fn missing_answer_names_the_flag() {
        let m = Manifest::parse(MANIFEST).unwrap();
        let err = resolve(&m, &[], &BTreeMap::new(), &base(), Asker::Never).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--set author=VALUE"), "{err}");
    }

    #[test]
    fn asks_only_what_applies() {
        let m = Manifest::parse(MANIFEST).unwrap();
        let mut asked = Vec::new();
        let mut ask = |v: &Variable, d: Option<&Value>| -> Result<Value> {
            asked.push(v.name.clone());
            Ok(d.cloned().unwrap_or(Value::String("x".into())))
        };
        let got = resolve(&m, &[], &BTreeMap::new(), &base(), Asker::Ask(&mut ask)).unwrap();
        assert_eq!(
            asked,
            ["database", "author"],
            "pool_size's only_if is false"
        );
        assert_eq!(got[1], ("pool_size".into(), Value::Integer(5)));
    }

    #[test]
    fn bad_values_and_keys_are_usage_errors() {
        let m = Manifest::parse(MANIFEST).unwrap();
        let none = BTreeMap::new();
        let err = resolve(
            &m,
            &sets(&["database=mysql", "author=a"]),
            &none,
            &base(),
            Asker::Never,
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("sqlite, postgres"), "{err}");
        let err = resolve(&m, &sets(&["colour=red"]), &none, &base(), Asker::Never).unwrap_err();
        assert!(err.to_string().contains("no variable `colour`"), "{err}");
        assert!(
            err.to_string().contains("database, pool_size, author"),
            "{err}"
        );
        assert!(parse_sets(&["novalue".to_string()]).is_err());
        assert!(parse_sets(&["=x".to_string()]).is_err());
        assert_eq!(sets(&["a=b=c"]), vec![("a".to_string(), "b=c".to_string())]);
    }

    const RULES: &str = r#"
[pack]
name = "t"
version = "0.1.0"
description = "t"
[[variables]]
name = "queue"
type = "choice"
choices = ["rabbitmq", "redis", "nats"]
default = "rabbitmq"
[[variables]]
name = "persist"
type = "bool"
default = true
[[derived]]
name = "queue_url"
value = "{% if queue == 'redis' %}redis://127.0.0.1:6379{% else %}amqp://127.0.0.1:5672{% endif %}"
[[derived]]
name = "durable"
when = "persist and queue != 'redis'"
[[constraints]]
when = "queue == 'nats'"
requires = "not persist"
message = "this pack's NATS setup keeps no state"
[[constraints]]
when = "queue == 'redis'"
conflicts = "persist"
"#;

    #[test]
    fn derived_values_follow_the_answers() {
        let m = Manifest::parse(RULES).unwrap();
        let none = BTreeMap::new();
        let got = resolve(
            &m,
            &sets(&["queue=redis", "persist=false"]),
            &none,
            &base(),
            Asker::Never,
        )
        .unwrap();
        assert_eq!(
            got[2],
            (
                "queue_url".into(),
                Value::String("redis://127.0.0.1:6379".into())
            )
        );
        assert_eq!(got[3], ("durable".into(), Value::Bool(false)));
        let got = resolve(&m, &[], &none, &base(), Asker::Never).unwrap();
        assert_eq!(got[3], ("durable".into(), Value::Bool(true)));
    }

    #[test]
    fn constraints_name_both_answers() {
        let m = Manifest::parse(RULES).unwrap();
        let none = BTreeMap::new();
        let err = resolve(&m, &sets(&["queue=nats"]), &none, &base(), Asker::Never).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "`queue = nats` requires `not persist`: this pack's NATS setup keeps no state"
        );
        let err = resolve(&m, &sets(&["queue=redis"]), &none, &base(), Asker::Never).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`queue = redis` conflicts with `persist = true`"
        );
        assert!(resolve(
            &m,
            &sets(&["queue=nats", "persist=no"]),
            &none,
            &base(),
            Asker::Never
        )
        .is_ok());
    }

    #[test]
    fn a_constraint_can_switch_an_answer_off() {
        let off = Manifest::parse(&format!(
            "{RULES}[[constraints]]\nwhen = \"queue == 'rabbitmq'\"\nrequires = \"false\"\nmessage = \"not yet\"\n"
        ))
        .unwrap();
        let err = resolve(&off, &[], &BTreeMap::new(), &base(), Asker::Never).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`queue = rabbitmq` is not available: not yet"
        );
    }

    #[test]
    fn record_round_trips() {
        let mut rec = AnswersFile {
            format: Some(1),
            scaffold_version: Some("0.1.0".into()),
            name: Some("My API".into()),
            stack: Some("fastapi".into()),
            pack: Some(PackRecord {
                name: "fastapi".into(),
                version: "0.1.0".into(),
                content_hash: "sha256:00".into(),
                source: Some("git".into()),
                url: Some("file:///srv/p.git".into()),
                reference: Some("v2".into()),
                commit: Some("ab".repeat(20)),
                path: None,
            }),
            requirements: Some(RequirementsRecord {
                needs: vec!["ml".into()],
                team: Some("python".into()),
            }),
            recommendation: Some(RecommendationRecord {
                stack: "fastapi".into(),
                recommended: Some("hybrid".into()),
                score: Some(7.5),
                reasons: vec!["typed".into()],
            }),
            variables: BTreeMap::new(),
            files: BTreeMap::from([(
                "app/main.py".to_string(),
                format!("sha256:{}", "0".repeat(64)),
            )]),
        };
        rec.variables
            .insert("docker".into(), toml::Value::Boolean(true));
        let text = rec.to_toml_string();
        assert_eq!(AnswersFile::parse(&text).unwrap(), rec);
    }

    #[test]
    fn old_records_keep_loading() {
        let old = "scaffold_version = \"0.1.0\"\nname = \"a\"\nstack = \"fastapi\"\n[pack]\nname = \"fastapi\"\nversion = \"0.1.0\"\ncontent_hash = \"sha256:00\"\n[variables]\ndocker = true\n";
        let rec = AnswersFile::parse(old).unwrap();
        assert_eq!(rec.format, None);
        assert!(rec.files.is_empty());
        assert_eq!(rec.pack.unwrap().source, None);
    }

    #[test]
    fn answers_errors_name_the_line() {
        let err = AnswersFile::parse("stack = \"fastapi\"\ncolour = 1\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        let err = AnswersFile::parse("stack = \n").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
    }
}
