//! A pack as `scaffold list --json` shows it: its name, version, source and variables.

use serde::Serialize;

use super::{Kind, Origin, Pack, Value};

/// One pack in `scaffold list --json` (and `scaffold serve`'s `/api/packs`).
#[derive(Debug, Serialize)]
pub struct PackEntry<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub description: &'a str,
    pub source: &'static str,
    pub variables: Vec<VarEntry<'a>>,
}

/// One variable of a [`PackEntry`].
#[derive(Debug, Serialize)]
pub struct VarEntry<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub choices: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validate: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validate_message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_if: Option<&'a str>,
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
            Origin::Builtin(_) => "builtin",
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
