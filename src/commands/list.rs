//! `scaffold list`: the built-in packs with their variables.

use serde::Serialize;

use crate::cli::ListArgs;
use crate::error::Result;
use crate::pack::{self, Kind, Pack, Value};
use crate::ui::Ui;

/// One pack in `scaffold list --json`.
#[derive(Serialize)]
pub struct PackEntry<'a> {
    name: &'a str,
    version: &'a str,
    description: &'a str,
    source: &'static str,
    variables: Vec<VarEntry<'a>>,
}

/// One variable of a [`PackEntry`].
#[derive(Serialize)]
pub struct VarEntry<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: Kind,
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    choices: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    validate: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    validate_message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    only_if: Option<&'a str>,
}

/// The `scaffold list --json` entry of a pack.
#[must_use]
pub fn entry(pack: &Pack) -> PackEntry<'_> {
    let m = &pack.manifest;
    PackEntry {
        name: &m.pack.name,
        version: &m.pack.version,
        description: &m.pack.description,
        source: match pack.origin {
            pack::Origin::Builtin(_) => "builtin",
            _ => "user",
        },
        variables: m
            .variables
            .iter()
            .map(|v| VarEntry {
                name: &v.name,
                kind: v.kind,
                prompt: &v.prompt,
                default: v.default.as_ref(),
                choices: &v.choices,
                validate: v.validate.as_ref().map(regex::Regex::as_str),
                validate_message: v.validate_message.as_deref(),
                help: v.help.as_deref(),
                only_if: v.only_if.as_deref(),
            })
            .collect(),
    }
}

/// Run `scaffold list`.
///
/// # Errors
/// When a built-in pack does not load (a bug in this build).
pub fn run(args: &ListArgs) -> Result<()> {
    let mut packs = pack::builtin_names()
        .into_iter()
        .map(pack::load_builtin)
        .collect::<Result<Vec<_>>>()?;
    for (_, dir) in pack::source::user_packs()? {
        let mut p = pack::load_dir(&dir)?;
        p.origin = pack::Origin::User(dir);
        packs.push(p);
    }
    let entries: Vec<PackEntry<'_>> = packs.iter().map(entry).collect();
    if args.json {
        return crate::ui::out_json(&serde_json::json!({ "packs": entries }));
    }
    let ui = Ui::detect(false);
    let mut out = String::new();
    for e in &entries {
        let source = if e.source == "user" {
            "  (user pack)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{} {}  {}{source}\n",
            ui.bold(e.name),
            e.version,
            e.description
        ));
        for v in &e.variables {
            let kind = if v.choices.is_empty() {
                v.kind.to_string()
            } else {
                v.choices.join("|")
            };
            let default = v
                .default
                .map(|d| format!(" (default {d})"))
                .unwrap_or_default();
            out.push_str(&format!("  --set {}=<{kind}>{default}", v.name));
            if let Some(help) = v.help {
                out.push_str(&format!("\n      {help}"));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    crate::ui::out(&out)?;
    Ok(())
}
