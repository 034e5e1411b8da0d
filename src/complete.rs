//! Value completions for the shells (`COMPLETE=bash scaffold`, or `scaffold completions
//! SHELL`): stacks and pack names, needs as comma lists, teams, and the `--set` keys (and
//! values) of the pack already chosen on the command line.

use std::ffi::OsStr;

use clap_complete::engine::CompletionCandidate;

use crate::pack::{self, Kind, Pack};
use crate::recommend::{Need, Team};

fn candidates(
    current: &OsStr,
    values: impl IntoIterator<Item = String>,
) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    values
        .into_iter()
        .filter(|v| v.starts_with(current.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// The built-in packs and the user's packs.
fn pack_names() -> Vec<String> {
    // The stacks, not every built-in pack: a component pack such as `contracts` is only
    // included by others.
    let mut names: Vec<String> = crate::stack::Stack::ALL
        .iter()
        .map(|s| s.id().to_string())
        .collect();
    if let Ok(user) = pack::source::user_packs() {
        // Broken user packs are left out silently: a warning would land in the middle of
        // the command line being completed.
        names.extend(user.found.into_iter().map(|(name, _)| name));
    }
    names
}

/// `--stack` and pack names.
#[must_use]
pub fn stacks(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, pack_names())
}

/// `--team`.
#[must_use]
pub fn teams(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, Team::ALL.iter().map(|t| t.id().to_string()))
}

/// `--needs`: a comma list; completes its last item, without the ones already listed.
#[must_use]
pub fn needs(current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let (done, last) = match current.rfind(',') {
        Some(i) => (&current[..=i], &current[i + 1..]),
        None => ("", current.as_ref()),
    };
    let listed: Vec<&str> = done.split(',').map(str::trim).collect();
    Need::ALL
        .iter()
        .map(|n| n.id())
        .filter(|id| id.starts_with(last) && !listed.contains(id))
        .map(|id| CompletionCandidate::new(format!("{done}{id}")))
        .collect()
}

/// The value of `--flag VALUE` or `--flag=VALUE` on the command line being completed.
fn flag_value(args: &[String], flag: &str) -> Option<String> {
    let prefix = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == flag {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&prefix).map(String::from)
        }
    })
}

/// The pack chosen on the command line: `--stack NAME` or a local `--pack DIR|NAME`
/// (never a git URL: completing does not fetch).
fn chosen_pack() -> Option<Pack> {
    let args: Vec<String> = std::env::args().collect();
    let spec = flag_value(&args, "--stack").or_else(|| flag_value(&args, "--pack"))?;
    if spec.contains("://") || spec.starts_with("git@") {
        return None;
    }
    pack::source::resolve(&spec, None).ok()
}

/// `--set`: `KEY=` for each variable of the chosen pack; after `KEY=`, its choices (or
/// `true`/`false`).
#[must_use]
pub fn sets(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(pack) = chosen_pack() else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    if let Some((key, _)) = current.split_once('=') {
        let Some(var) = pack.manifest.variable(key) else {
            return Vec::new();
        };
        let values: Vec<String> = match var.kind {
            Kind::Choice => var.choices.clone(),
            Kind::Bool => vec!["true".into(), "false".into()],
            Kind::String | Kind::Integer => Vec::new(),
        };
        return candidates(
            OsStr::new(current.as_ref()),
            values.into_iter().map(|v| format!("{key}={v}")),
        );
    }
    let with_help = pack.manifest.variables.iter().map(|v| {
        CompletionCandidate::new(format!("{}=", v.name)).help(Some(v.prompt.clone().into()))
    });
    with_help
        .filter(|c| {
            c.get_value()
                .to_string_lossy()
                .starts_with(current.as_ref())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(c: &[CompletionCandidate]) -> Vec<String> {
        c.iter()
            .map(|c| c.get_value().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn needs_complete_the_last_item_of_a_list() {
        assert_eq!(
            values(&needs(OsStr::new("realtime,stre"))),
            ["realtime,streaming"]
        );
        let all = values(&needs(OsStr::new("api,")));
        assert!(all.contains(&"api,realtime".to_string()));
        assert!(!all.contains(&"api,api".to_string()));
        assert_eq!(values(&teams(OsStr::new("p"))), ["python"]);
        assert!(values(&stacks(OsStr::new("dj"))).contains(&"django".to_string()));
    }

    #[test]
    fn flag_values() {
        let args: Vec<String> = ["scaffold", "new", "x", "--stack=django"]
            .map(String::from)
            .to_vec();
        assert_eq!(flag_value(&args, "--stack").as_deref(), Some("django"));
        let args: Vec<String> = ["--pack", "./p"].map(String::from).to_vec();
        assert_eq!(flag_value(&args, "--pack").as_deref(), Some("./p"));
    }
}
