//! What the chosen needs did to a project: the proposals' prompts, and the README's
//! "Why this stack" entries (the score each need gave and the feature it added).

use std::collections::BTreeSet;

use crate::engine::{self, Budget, NeedEffect, TemplateContext};
use crate::error::{Error, Result};
use crate::pack::{Manifest, Variable};
use crate::recommend::{self, Need};
use crate::stack::Stack;

/// The prompt of a variable proposed for some needs: its own prompt, then which needs
/// proposed it (`Add a WebSocket endpoint? (you chose real-time updates)`), or that the
/// recommendation proposed it.
#[must_use]
pub fn proposal_prompt(var: &Variable, by: Option<&[Need]>) -> String {
    match by {
        Some(needs) if !needs.is_empty() => {
            let names: Vec<&str> = needs.iter().map(|n| n.short_label()).collect();
            format!("{} (you chose {})", var.prompt, names.join(", "))
        }
        _ => format!("{} (recommended for your needs)", var.prompt),
    }
}

/// One entry per chosen need, in [`Need::ALL`] order: the score its own rules gave
/// `stack` (a built-in stack only), and what the pack's `[needs]` table says it added,
/// rendered over the project's values.
///
/// # Errors
/// A `feature` or `start` template of the pack that does not render, or a limit.
pub fn effects(
    manifest: &Manifest,
    stack: Option<Stack>,
    needs: &BTreeSet<Need>,
    ctx: &TemplateContext,
    budget: &Budget,
) -> Result<Vec<NeedEffect>> {
    let render = |what: &str, need: Need, text: &Option<String>| -> Result<Option<String>> {
        let Some(t) = text else { return Ok(None) };
        let out = engine::render_str(t, ctx, budget)?.map_err(|e| {
            Error::pack(
                &manifest.pack.name,
                format!("pack.toml: [needs.{need}] {what}: {e}"),
            )
        })?;
        Ok(Some(out))
    };
    let mut out = Vec::new();
    for &need in needs {
        let mapping = manifest.needs.get(&need);
        let score = stack.map(|s| recommend::need_score(need, s));
        let (feature, start, added, off) = match mapping {
            None => (None, None, false, Vec::new()),
            Some(m) => {
                let off: Vec<String> = m
                    .set
                    .iter()
                    .filter_map(|(k, proposed)| {
                        let var = manifest.variable(k)?;
                        let want = var.from_toml(proposed).ok()?;
                        let got = ctx.values.iter().find(|(n, _)| n == k).map(|(_, v)| v)?;
                        (*got != want).then(|| format!("{k} = {got}"))
                    })
                    .collect();
                (
                    render("feature", need, &m.feature)?,
                    render("start", need, &m.start)?,
                    off.is_empty(),
                    off,
                )
            }
        };
        let line = line(need, score, feature.as_deref(), start.as_deref(), &off);
        out.push(NeedEffect {
            need: need.id().to_string(),
            label: need.short_label().to_string(),
            score,
            feature,
            start,
            added,
            line,
        });
    }
    Ok(out)
}

fn line(
    need: Need,
    score: Option<f64>,
    feature: Option<&str>,
    start: Option<&str>,
    off: &[String],
) -> String {
    let mut s = format!("`{need}` ({})", need.short_label());
    match score {
        Some(d) if d != 0.0 => s.push_str(&format!(": {d:+.1} to this stack's score")),
        Some(_) => s.push_str(": no change to this stack's score"),
        None => {}
    }
    let sep = if score.is_some() { "; " } else { ": " };
    match (feature, off.is_empty()) {
        (Some(f), true) => {
            s.push_str(&format!("{sep}{f}"));
            if let Some(p) = start {
                s.push_str(&format!(" (start from `{p}`)"));
            }
        }
        (Some(f), false) => s.push_str(&format!(
            "{sep}would add {f}, turned off by your answers ({})",
            off.join(", ")
        )),
        (None, _) => s.push_str(&format!("{sep}no feature of its own in this starter")),
    }
    s
}
