//! `pack.toml`: the manifest model, parsed strictly (unknown keys are errors) and then
//! checked: variable names, types, defaults against their own rules, regexes, versions.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::engine::RESERVED_NAMES;
use crate::value::Value;

/// The raw manifest as written in `pack.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    pack: PackInfo,
    #[serde(default)]
    variables: Vec<RawVariable>,
    #[serde(default)]
    files: Vec<FileRule>,
    #[serde(default)]
    checks: Checks,
    #[serde(default)]
    derived: Vec<Derived>,
    #[serde(default)]
    constraints: Vec<Constraint>,
    #[serde(default)]
    include: Vec<Include>,
    #[serde(default)]
    needs: BTreeMap<String, NeedMapping>,
    #[serde(default)]
    names: crate::names::NameRules,
}

/// What one need (a `--needs` value) does to this pack: the `[needs.<need>]` table.
///
/// `set` gives variables the values the need proposes (below the answers file and
/// `--set`; asked with them as defaults on a terminal); `feature` and `start` tell the
/// generated README what the need added and which file to start from (both rendered as
/// templates over the project's values). A need with `feature` and no `set` says the
/// stack covers it as it is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NeedMapping {
    /// Variable values the need proposes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, toml::Value>,
    /// What the need adds (or why the stack already covers it), one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// The file to start from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
}

/// A derived variable: computed from the answers, never asked.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    /// The name templates use.
    pub name: String,
    /// A Tera template rendered to a string (`value`), or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// a Tera expression evaluated to a boolean (`when`); exactly one of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// A compatibility rule between answers: when `when` holds, `requires` must hold too, and
/// `conflicts` must not.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    /// A Tera expression over the answers.
    pub when: String,
    /// An expression that must hold whenever `when` does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
    /// An expression that must not hold whenever `when` does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<String>,
    /// What to tell the user, after the answers involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Another pack rendered into a subdirectory of this one.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Include {
    /// A built-in pack's name, or (for a directory pack) a path relative to the pack.
    pub pack: String,
    /// The subdirectory it is rendered into.
    pub into: String,
    /// Its variables, as Tera templates over this pack's context (`"{{ database }}"`).
    #[serde(default)]
    pub set: std::collections::BTreeMap<String, toml::Value>,
    /// Include it only when this expression holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Keep only the included files matching one of these globs (its rendered paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    /// Drop the included files matching one of these globs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

/// The `[pack]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    /// The pack's name (`[a-z][a-z0-9-]*`).
    pub name: String,
    /// The pack's version, `MAJOR.MINOR.PATCH`.
    pub version: String,
    /// One line saying what the pack generates.
    pub description: String,
    /// The oldest scaffold that can render this pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_scaffold_version: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariable {
    name: String,
    #[serde(default)]
    prompt: Option<String>,
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default)]
    default: Option<toml::Value>,
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    validate: Option<String>,
    #[serde(default)]
    validate_message: Option<String>,
    #[serde(default)]
    help: Option<String>,
    #[serde(default)]
    only_if: Option<String>,
}

/// A variable's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Free text, optionally checked against `validate`.
    String,
    /// `true` or `false`.
    Bool,
    /// One of `choices`.
    Choice,
    /// A signed integer.
    Integer,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::String => "string",
            Kind::Bool => "bool",
            Kind::Choice => "choice",
            Kind::Integer => "integer",
        })
    }
}

/// A declared, checked variable.
#[derive(Debug, Clone)]
pub struct Variable {
    /// The name templates use.
    pub name: String,
    /// The question shown when asking (defaults to the name).
    pub prompt: String,
    /// The type.
    pub kind: Kind,
    /// The default, already valid.
    pub default: Option<Value>,
    /// The accepted values of a choice.
    pub choices: Vec<String>,
    /// The pattern a string must match (anchored by the pack author).
    pub validate: Option<Regex>,
    /// What a matching value looks like, in words; shown instead of the pattern when a value
    /// does not match (`must be 20, 22 or 24`).
    pub validate_message: Option<String>,
    /// A longer explanation shown with the prompt and in `scaffold list`.
    pub help: Option<String>,
    /// A Tera expression over earlier answers; when false, the variable keeps its default
    /// and is not asked.
    pub only_if: Option<String>,
}

/// A conditional file rule: files matching `glob` are rendered only when `when` holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    /// Matched against the file's path in the pack with `.tera` removed.
    pub glob: String,
    /// A Tera expression over the variables.
    pub when: String,
}

/// The `[checks]` table: what `scaffold pack test` runs in a rendered project.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Shell commands, run in order in the rendered project.
    #[serde(default)]
    pub run: Vec<String>,
}

/// A parsed and checked manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The `[pack]` table.
    pub pack: PackInfo,
    /// The variables, in the order they are asked.
    pub variables: Vec<Variable>,
    /// Conditional file rules.
    pub files: Vec<FileRule>,
    /// Checks for `scaffold pack test`.
    pub checks: Checks,
    /// Derived variables, computed in order after the answers.
    pub derived: Vec<Derived>,
    /// Compatibility rules between answers.
    pub constraints: Vec<Constraint>,
    /// Packs rendered into subdirectories.
    pub include: Vec<Include>,
    /// What each need does to this pack (`[needs.<need>]`), by need id.
    pub needs: BTreeMap<crate::recommend::Need, NeedMapping>,
    /// The `[names]` table: the stack rules project names are checked against.
    pub names: crate::names::NameRules,
}

/// One problem found in a `pack.toml`: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based line in `pack.toml`, when it can be found.
    pub line: Option<usize>,
    /// What is wrong (without the `pack.toml: ` prefix).
    pub message: String,
}

/// Everything wrong with a `pack.toml`, each problem with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The problems, in the order found (one, for TOML that does not parse).
    pub problems: Vec<Problem>,
    /// For TOML that does not parse: the parser's full report (with the excerpt).
    pub toml_report: Option<String>,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(report) = &self.toml_report {
            return write!(f, "pack.toml: {report}");
        }
        let lines: Vec<String> = self
            .problems
            .iter()
            .map(|p| format!("pack.toml: {}", p.message))
            .collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for ManifestError {}

impl From<ManifestError> for String {
    fn from(e: ManifestError) -> String {
        e.to_string()
    }
}

/// Where a problem is, to find its line.
enum At<'a> {
    /// The table declaring `name = "…"` (a variable, a derived value, the pack).
    Declared(&'a str),
    /// The line assigning this key.
    Key(&'a str),
    /// The first line holding this text.
    Text(&'a str),
}

/// Problems collected while checking, each located in the text as it is found.
struct Problems<'t> {
    text: &'t str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, at: &At<'_>, message: String) {
        let line = match at {
            At::Declared(name) => line_matching(
                self.text,
                &format!(r#"(?m)^\s*name\s*=\s*["']{}["']"#, regex::escape(name)),
            ),
            At::Key(key) => {
                line_matching(self.text, &format!(r"(?m)^\s*{}\s*=", regex::escape(key)))
            }
            At::Text(t) => self.text.find(*t).map(|at| line_of(self.text, at)),
        };
        self.list.push(Problem { line, message });
    }
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

fn line_matching(text: &str, pattern: &str) -> Option<usize> {
    let re = Regex::new(pattern).ok()?;
    re.find(text).map(|m| line_of(text, m.start()))
}

impl Manifest {
    /// Parse and check `pack.toml`. Every problem found is reported, each with its line.
    ///
    /// # Errors
    /// The TOML error (with line and column) or the list of problems.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let raw: RawManifest = toml::from_str(text).map_err(|e| ManifestError {
            problems: vec![Problem {
                line: e.span().map(|s| line_of(text, s.start)),
                message: e.message().trim().to_string(),
            }],
            toml_report: Some(e.to_string()),
        })?;
        let mut problems = Problems {
            text,
            list: Vec::new(),
        };
        check_pack_info(&raw.pack, &mut problems);
        let mut seen = BTreeSet::new();
        let mut variables = Vec::with_capacity(raw.variables.len());
        for rv in raw.variables.clone() {
            let name = rv.name.clone();
            match check_variable(rv, &mut seen) {
                Ok(v) => variables.push(v),
                Err(errs) => {
                    for e in errs {
                        problems.push(&At::Declared(&name), e);
                    }
                }
            }
        }
        check_tables(&raw, &mut seen, &mut problems);
        let needs = check_needs(&raw.needs, &variables, &mut problems);
        for message in raw.names.problems() {
            problems.push(&At::Text("[names]"), message);
        }
        if problems.list.is_empty() {
            Ok(Manifest {
                pack: raw.pack,
                variables,
                derived: raw.derived,
                constraints: raw.constraints,
                include: raw.include,
                files: raw.files,
                checks: raw.checks,
                needs,
                names: raw.names,
            })
        } else {
            Err(ManifestError {
                problems: problems.list,
                toml_report: None,
            })
        }
    }

    /// The variable called `name`.
    #[must_use]
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// The pack's capabilities: the variables its needs-mapping sets, in declaration order.
    #[must_use]
    pub fn capabilities(&self) -> Vec<&str> {
        self.variables
            .iter()
            .map(|v| v.name.as_str())
            .filter(|name| self.needs.values().any(|m| m.set.contains_key(*name)))
            .collect()
    }

    /// The variable values these needs propose, with the needs that proposed each.
    #[must_use]
    pub fn needs_proposals(
        &self,
        needs: &BTreeSet<crate::recommend::Need>,
    ) -> BTreeMap<String, (toml::Value, Vec<crate::recommend::Need>)> {
        let mut out: BTreeMap<String, (toml::Value, Vec<crate::recommend::Need>)> = BTreeMap::new();
        for (need, mapping) in &self.needs {
            if !needs.contains(need) {
                continue;
            }
            for (key, value) in &mapping.set {
                out.entry(key.clone())
                    .or_insert_with(|| (value.clone(), Vec::new()))
                    .1
                    .push(*need);
            }
        }
        out
    }

    /// The declared variable names, comma-separated, for error messages.
    #[must_use]
    pub fn variable_names(&self) -> String {
        if self.variables.is_empty() {
            return "(this pack declares no variables)".into();
        }
        self.variables
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether an `[[include]] pack` stays inside the including pack: a built-in pack's name
/// or a relative path (`./x` allowed) with no `..`, no absolute start and no `\\`.
#[must_use]
pub fn include_name_is_confined(name: &str) -> bool {
    let rel = name
        .strip_prefix("./")
        .unwrap_or(name)
        .trim_end_matches('/');
    crate::plan::check_rel_path(rel).is_ok()
}

/// The `[pack]` table: name and versions.
fn check_pack_info(info: &PackInfo, problems: &mut Problems<'_>) {
    let name = &info.name;
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        problems.push(
            &At::Declared(name),
            format!(
                "pack name `{name}` must be lowercase letters, digits and `-`, starting with a letter"
            ),
        );
    }
    if parse_version(&info.version).is_none() {
        problems.push(
            &At::Key("version"),
            format!("`version = \"{}\"` is not MAJOR.MINOR.PATCH", info.version),
        );
    }
    if let Some(min) = &info.min_scaffold_version {
        match parse_version(min) {
            None => problems.push(
                &At::Key("min_scaffold_version"),
                format!("`min_scaffold_version = \"{min}\"` is not MAJOR.MINOR.PATCH"),
            ),
            Some(min_v) => {
                let ours = parse_version(env!("CARGO_PKG_VERSION")).unwrap_or((0, 0, 0));
                if min_v > ours {
                    problems.push(
                        &At::Key("min_scaffold_version"),
                        format!(
                            "the pack needs scaffold {min} or newer, this is {}; upgrade scaffold",
                            env!("CARGO_PKG_VERSION")
                        ),
                    );
                }
            }
        }
    }
}

/// The file rules, derived values, constraints and includes.
fn check_tables(raw: &RawManifest, seen: &mut BTreeSet<String>, problems: &mut Problems<'_>) {
    for rule in &raw.files {
        if let Err(e) = globset::Glob::new(&rule.glob) {
            problems.push(
                &At::Text(&rule.glob),
                format!("file rule glob `{}`: {e}", rule.glob),
            );
        }
    }
    for d in &raw.derived {
        let at = At::Declared(&d.name);
        if d.value.is_some() == d.when.is_some() {
            problems.push(
                &at,
                format!(
                "derived `{}`: give exactly one of `value` (a template) or `when` (a condition)",
                d.name
            ),
            );
        }
        if seen.contains(&d.name) || RESERVED_NAMES.contains(&d.name.as_str()) {
            problems.push(
                &at,
                format!(
                    "derived `{}` has the name of a variable or of one scaffold defines",
                    d.name
                ),
            );
        }
        seen.insert(d.name.clone());
    }
    for c in &raw.constraints {
        if c.requires.is_none() == c.conflicts.is_none() {
            problems.push(
                &At::Text(&c.when),
                format!(
                    "constraint `when = \"{}\"`: give exactly one of `requires` or `conflicts`",
                    c.when
                ),
            );
        }
    }
    for inc in &raw.include {
        let at = At::Text(&inc.pack);
        for glob in inc.only.iter().chain(&inc.exclude) {
            if let Err(e) = globset::Glob::new(glob) {
                problems.push(&at, format!("include `{}`: glob `{glob}`: {e}", inc.pack));
            }
        }
        if !include_name_is_confined(&inc.pack) {
            problems.push(&at, format!(
                "include `{}`: `pack` must name a built-in pack or a directory inside this pack (a relative path without `..`)",
                inc.pack
            ));
        }
        if inc.into != "." && crate::plan::check_rel_path(&inc.into).is_err() {
            problems.push(
                &at,
                format!(
                    "include `{}`: `into = \"{}\"` must be a relative path inside the project",
                    inc.pack, inc.into
                ),
            );
        }
    }
}

/// The `[needs.<need>]` tables: known needs, declared variables, values of the right type,
/// one value per variable across all needs (so any combination of needs agrees).
fn check_needs(
    raw: &BTreeMap<String, NeedMapping>,
    variables: &[Variable],
    problems: &mut Problems<'_>,
) -> BTreeMap<crate::recommend::Need, NeedMapping> {
    let mut out = BTreeMap::new();
    let mut proposed: BTreeMap<&str, (&toml::Value, &str)> = BTreeMap::new();
    for (id, mapping) in raw {
        let at = At::Text(id);
        let need = match id.parse::<crate::recommend::Need>() {
            Ok(n) => n,
            Err(e) => {
                problems.push(&at, format!("[needs.{id}]: {e}"));
                continue;
            }
        };
        if mapping.set.is_empty() && mapping.feature.is_none() {
            problems.push(
                &at,
                format!("[needs.{id}]: give `set` (the variables it turns on) or `feature` (why the stack already covers it)"),
            );
        }
        for (key, value) in &mapping.set {
            let Some(var) = variables.iter().find(|v| v.name == *key) else {
                let names: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
                problems.push(
                    &at,
                    format!(
                        "[needs.{id}]: set `{key}`: no such variable (variables: {})",
                        names.join(", ")
                    ),
                );
                continue;
            };
            let typed = matches!(
                (var.kind, value),
                (Kind::Bool, toml::Value::Boolean(_))
                    | (Kind::Integer, toml::Value::Integer(_))
                    | (Kind::String | Kind::Choice, toml::Value::String(_))
            );
            if !typed {
                problems.push(
                    &at,
                    format!(
                        "[needs.{id}]: set `{key} = {value}`: `{key}` is a {}, not a {}",
                        var.kind,
                        value.type_str()
                    ),
                );
                continue;
            }
            if let Err(reason) = var.from_toml(value) {
                problems.push(&at, format!("[needs.{id}]: set `{key}`: {reason}"));
                continue;
            }
            match proposed.get(key.as_str()) {
                Some((other, by)) if *other != value => problems.push(
                    &at,
                    format!(
                        "[needs.{id}]: set `{key} = {value}`, but [needs.{by}] sets `{key} = {other}`; needs chosen together must agree"
                    ),
                ),
                _ => {
                    proposed.insert(key, (value, id));
                }
            }
        }
        out.insert(need, mapping.clone());
    }
    out
}

fn check_variable(rv: RawVariable, seen: &mut BTreeSet<String>) -> Result<Variable, Vec<String>> {
    let mut problems = Vec::new();
    let n = &rv.name;
    let ident = n.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ident {
        problems.push(format!(
            "variable `{n}`: names are lowercase letters, digits and `_`, starting with a letter"
        ));
    }
    if RESERVED_NAMES.contains(&n.as_str()) {
        problems.push(format!("variable `{n}` is defined by scaffold itself"));
    }
    if !seen.insert(n.clone()) {
        problems.push(format!("variable `{n}` is declared twice"));
    }
    if rv.kind == Kind::Choice {
        if rv.choices.is_empty() {
            problems.push(format!("variable `{n}`: a choice needs `choices`"));
        }
        let unique: BTreeSet<_> = rv.choices.iter().collect();
        if unique.len() != rv.choices.len() {
            problems.push(format!("variable `{n}`: `choices` has duplicates"));
        }
    } else if !rv.choices.is_empty() {
        problems.push(format!(
            "variable `{n}`: `choices` only applies to type \"choice\""
        ));
    }
    let validate = match (&rv.validate, rv.kind) {
        (None, _) => None,
        (Some(p), Kind::String) => match Regex::new(p) {
            Ok(r) => Some(r),
            Err(e) => {
                problems.push(format!("variable `{n}`: `validate`: {e}"));
                None
            }
        },
        (Some(_), kind) => {
            problems.push(format!(
                "variable `{n}`: `validate` only applies to strings, not {kind}"
            ));
            None
        }
    };
    if rv.validate_message.is_some() && rv.validate.is_none() {
        problems.push(format!(
            "variable `{n}`: `validate_message` needs a `validate` pattern"
        ));
    }
    let mut var = Variable {
        prompt: rv.prompt.clone().unwrap_or_else(|| n.clone()),
        name: n.clone(),
        kind: rv.kind,
        default: None,
        choices: rv.choices,
        validate,
        validate_message: rv.validate_message,
        help: rv.help,
        only_if: rv.only_if,
    };
    if let Some(d) = &rv.default {
        match var.from_toml(d) {
            Ok(v) => var.default = Some(v),
            Err(e) => problems.push(format!("variable `{n}`: default: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(var)
    } else {
        Err(problems)
    }
}

impl Variable {
    /// Check a value typed as text (a `--set` value or a prompt answer).
    ///
    /// # Errors
    /// Why the value is refused, naming the accepted values where that helps.
    pub fn parse_str(&self, raw: &str) -> Result<Value, String> {
        let value = match self.kind {
            Kind::String | Kind::Choice => Value::String(raw.to_string()),
            Kind::Bool => match raw.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" | "on" => Value::Bool(true),
                "false" | "no" | "n" | "0" | "off" => Value::Bool(false),
                _ => return Err(format!("`{raw}` is not a boolean (expected true or false)")),
            },
            Kind::Integer => Value::Integer(
                raw.trim()
                    .parse()
                    .map_err(|_| format!("`{raw}` is not an integer"))?,
            ),
        };
        self.check(value)
    }

    /// Check a value from a TOML answers file or a manifest default.
    ///
    /// # Errors
    /// Why the value is refused.
    pub fn from_toml(&self, raw: &toml::Value) -> Result<Value, String> {
        match (self.kind, raw) {
            (Kind::Bool, toml::Value::Boolean(b)) => self.check(Value::Bool(*b)),
            (Kind::Integer, toml::Value::Integer(i)) => self.check(Value::Integer(*i)),
            (_, toml::Value::String(s)) => self.parse_str(s),
            (kind, other) => Err(format!("expected a {kind}, found a {}", other.type_str())),
        }
    }

    /// The single validator every value goes through, wherever it came from.
    ///
    /// # Errors
    /// Why the value is refused.
    pub fn check(&self, value: Value) -> Result<Value, String> {
        match (&value, self.kind) {
            (Value::String(s), Kind::Choice) => {
                if !self.choices.iter().any(|c| c == s) {
                    return Err(format!("`{s}` is not one of: {}", self.choices.join(", ")));
                }
            }
            (Value::String(s), Kind::String) => {
                if s.chars().any(|c| c.is_control() && c != '\t') {
                    return Err("control characters are not allowed".into());
                }
                if let Some(re) = &self.validate {
                    if !re.is_match(s) {
                        return Err(match &self.validate_message {
                            Some(message) => format!("`{s}`: {message}"),
                            None => format!("`{s}` does not match `{}`", re.as_str()),
                        });
                    }
                }
            }
            (Value::Bool(_), Kind::Bool) | (Value::Integer(_), Kind::Integer) => {}
            (v, kind) => return Err(format!("expected a {kind}, found `{v}`")),
        }
        Ok(value)
    }
}

/// Parse `MAJOR.MINOR.PATCH` (pre-release and build suffixes are ignored).
#[must_use]
pub fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[pack]
name = "demo"
version = "1.2.3"
description = "d"

[[variables]]
name = "database"
type = "choice"
choices = ["sqlite", "postgres"]
default = "sqlite"

[[variables]]
name = "docker"
type = "bool"
default = true

[[variables]]
name = "pool_size"
type = "integer"
default = 5
only_if = "database == 'postgres'"

[[variables]]
name = "python_version"
type = "string"
default = "3.11"
validate = '^3\.(1[1-9])$'
validate_message = "must be 3.11 or newer, like 3.12"

[[files]]
glob = "Dockerfile"
when = "docker"
"#;

    #[test]
    fn parses_a_good_manifest() {
        let m = Manifest::parse(GOOD).unwrap();
        assert_eq!(m.variables.len(), 4);
        assert_eq!(
            m.variable("docker").unwrap().default,
            Some(Value::Bool(true))
        );
        assert_eq!(
            m.variable("pool_size").unwrap().default,
            Some(Value::Integer(5))
        );
        assert_eq!(
            m.variable_names(),
            "database, docker, pool_size, python_version"
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let err =
            Manifest::parse("[pack]\nname='a'\nversion='1.0.0'\ndescription=''\ncolour='red'\n")
                .unwrap_err();
        assert_eq!(err.problems[0].line, Some(5));
        assert!(err.problems[0].message.contains("colour"), "{err}");
        let err = err.to_string();
        assert!(err.contains("colour"), "{err}");
        assert!(err.contains("line 5"), "{err}");
    }

    #[test]
    fn reports_every_problem() {
        let text = r#"
[pack]
name = "Bad Name"
version = "one"
description = ""
min_scaffold_version = "999.0.0"
[[variables]]
name = "x"
type = "choice"
choices = []
[[variables]]
name = "x"
type = "string"
default = "2.7"
validate = '^3\.'
[[variables]]
name = "project_name"
type = "bool"
default = "maybe"
[[variables]]
name = "y"
type = "string"
validate_message = "must be short"
"#;
        let problems = Manifest::parse(text).unwrap_err().problems;
        let line = |needle: &str| {
            problems
                .iter()
                .find(|p| p.message.contains(needle))
                .and_then(|p| p.line)
        };
        assert_eq!(line("pack name"), Some(3));
        assert_eq!(line("version = \"one\""), Some(4));
        assert_eq!(line("needs scaffold"), Some(6));
        assert_eq!(line("a choice needs"), Some(8));
        assert_eq!(line("defined by scaffold itself"), Some(17));
        let err = Manifest::parse(text).unwrap_err().to_string();
        for needle in [
            "pack name `Bad Name`",
            "`version = \"one\"`",
            "needs scaffold 999.0.0",
            "a choice needs `choices`",
            "declared twice",
            "does not match",
            "defined by scaffold itself",
            "not a boolean",
            "`validate_message` needs a `validate` pattern",
        ] {
            assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
        }
    }

    #[test]
    fn one_validator_for_every_source() {
        let m = Manifest::parse(GOOD).unwrap();
        let db = m.variable("database").unwrap();
        assert_eq!(
            db.parse_str("postgres"),
            Ok(Value::String("postgres".into()))
        );
        assert!(db
            .parse_str("mysql")
            .unwrap_err()
            .contains("sqlite, postgres"));
        assert!(db.from_toml(&toml::Value::String("mysql".into())).is_err());
        let docker = m.variable("docker").unwrap();
        assert_eq!(docker.parse_str("no"), Ok(Value::Bool(false)));
        assert_eq!(
            docker.from_toml(&toml::Value::Boolean(true)),
            Ok(Value::Bool(true))
        );
        assert!(docker.from_toml(&toml::Value::Integer(1)).is_err());
        let py = m.variable("python_version").unwrap();
        assert_eq!(
            py.parse_str("2.7"),
            Err("`2.7`: must be 3.11 or newer, like 3.12".into())
        );
        assert!(py.parse_str("3.12").is_ok());
        let pool = m.variable("pool_size").unwrap();
        assert_eq!(pool.parse_str(" 10 "), Ok(Value::Integer(10)));
        assert!(pool.parse_str("ten").is_err());
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.2.3"), Some((1, 2, 3)));
        assert_eq!(parse_version("1.2.3-beta.1"), Some((1, 2, 3)));
        assert_eq!(parse_version("1.2"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
    }
}
