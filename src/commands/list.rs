//! `scaffold list`: the built-in packs with their variables.

use crate::cli::ListArgs;
use crate::error::Result;
use crate::pack;
use crate::pack::listing::{entry, PackEntry};
use crate::ui::Ui;

/// Run `scaffold list`.
///
/// # Errors
/// When a built-in pack does not load (a bug in this build).
pub fn run(args: &ListArgs, ui: Ui) -> Result<()> {
    let mut packs = pack::builtin_names()
        .into_iter()
        .map(pack::load_builtin_unhashed)
        .collect::<Result<Vec<_>>>()?;
    let user = pack::source::user_packs()?;
    for why in &user.skipped {
        ui.warn(&crate::ui::sanitize(&format!("skipped {why}")));
    }
    for (_, dir) in user.found {
        let mut p = pack::load_dir_unhashed(&dir)?;
        p.origin = pack::Origin::User(dir);
        packs.push(p);
    }
    let entries: Vec<PackEntry<'_>> = packs.iter().map(entry).collect();
    if args.json {
        return crate::ui::out_json(&serde_json::json!({ "packs": entries }));
    }
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
