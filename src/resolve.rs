//! Pack tree + answers → one checked tree, before anything is rendered.
//!
//! [`resolve`] decides every value of the pack (defaults ◀ answers ◀ `--set` ◀ prompts),
//! computes its derived values and checks its constraints, then does the same for every
//! `[[include]]` whose `when` holds (its `set` rendered over the including pack's values),
//! and finally checks the size of the whole tree against the [`Limits`]. The result,
//! [`Resolved`], is all [`crate::render::render`] needs: rendering never asks, never reads
//! answers, and runs under the same time budget.

use std::collections::BTreeMap;

use crate::answers::{self, Asker};
use crate::engine::{self, Budget, Limits, TemplateContext};
use crate::error::{Error, Result};
use crate::pack::manifest::Include;
use crate::pack::Pack;
use crate::value::Value;

/// Where a pack tree's values come from, besides prompts.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// `--set KEY=VALUE`, in order (the last one wins).
    pub sets: Vec<(String, String)>,
    /// Answers by variable name (an answers file).
    pub answers: BTreeMap<String, toml::Value>,
    /// Values proposed for the chosen needs (the recommendation's and the pack's
    /// needs-mapping), below the answers; asked with them as defaults on a terminal.
    pub proposals: BTreeMap<String, toml::Value>,
}

/// One pack of the tree, with every value it renders with.
#[derive(Debug)]
pub struct Node<'p> {
    /// The pack.
    pub pack: &'p Pack,
    /// Its context: project names, stack, reasons, and its variables and derived values.
    pub context: TemplateContext,
    /// The packs it includes whose `when` holds, in manifest order.
    pub includes: Vec<(&'p Include, Node<'p>)>,
}

impl Node<'_> {
    /// This node and every node below it, depth first.
    #[must_use]
    pub fn walk(&self) -> Box<dyn Iterator<Item = &Node<'_>> + '_> {
        Box::new(std::iter::once(self).chain(self.includes.iter().flat_map(|(_, n)| n.walk())))
    }
}

/// A resolved pack tree: what rendering needs, and the time budget it continues with.
#[derive(Debug)]
pub struct Resolved<'p> {
    /// The root pack and, below it, its includes.
    pub root: Node<'p>,
    /// The budget the rest of the pipeline (rendering) runs under.
    pub budget: Budget,
}

impl Resolved<'_> {
    /// The root pack's values (variables, then derived values).
    #[must_use]
    pub fn values(&self) -> &[(String, Value)] {
        &self.root.context.values
    }

    /// The root pack's context.
    #[must_use]
    pub fn context(&self) -> &TemplateContext {
        &self.root.context
    }
}

/// Resolve a pack tree: the root's values from `input` (asking through `asker` for what is
/// missing), then every include.
///
/// `base` carries the project names, stack and reasons; its `values` are ignored.
///
/// # Errors
/// A usage error for a bad or missing answer or a broken constraint; a pack error for a
/// broken expression; [`Error::Limit`] when the tree is too large or evaluation too slow.
pub fn resolve<'p>(
    pack: &'p Pack,
    base: &TemplateContext,
    input: &Answers,
    asker: Asker<'_>,
    limits: &Limits,
) -> Result<Resolved<'p>> {
    let budget = limits.budget();
    check_tree_size(pack, limits)?;
    let values = answers::resolve_proposed(
        &pack.manifest,
        &input.sets,
        &input.answers,
        &input.proposals,
        base,
        asker,
        &budget,
    )?;
    let context = TemplateContext {
        values,
        ..base.clone()
    };
    let root = resolve_node(pack, context, &budget)?;
    Ok(Resolved { root, budget })
}

/// Resolve a pack tree whose root values are already decided (`pack lint` renders with
/// every variable at its default, whether or not that passes the pack's rules).
///
/// # Errors
/// As [`resolve`], for the includes.
pub fn resolve_with(pack: &Pack, context: TemplateContext, budget: Budget) -> Result<Resolved<'_>> {
    check_tree_size(pack, budget.limits())?;
    let root = resolve_node(pack, context, &budget)?;
    Ok(Resolved { root, budget })
}

/// Resolve the includes of a pack whose context is decided.
fn resolve_node<'p>(pack: &'p Pack, context: TemplateContext, budget: &Budget) -> Result<Node<'p>> {
    let label = pack.label();
    let perr = |msg: String| Error::pack(&label, msg);
    let mut includes = Vec::new();
    for (inc, sub) in pack.manifest.include.iter().zip(&pack.includes) {
        if let Some(when) = &inc.when {
            let holds = engine::eval_condition(when, &context, budget)?
                .map_err(|e| perr(format!("include `{}`: when: {e}", inc.pack)))?;
            if !holds {
                continue;
            }
        }
        let mut set = BTreeMap::new();
        for (key, raw) in &inc.set {
            let value = match raw {
                toml::Value::String(t) => toml::Value::String(
                    engine::render_str(t, &context, budget)?
                        .map_err(|e| perr(format!("include `{}`: set `{key}`: {e}", inc.pack)))?,
                ),
                other => other.clone(),
            };
            set.insert(key.clone(), value);
        }
        let base = context.base();
        let values = answers::resolve_values(&sub.manifest, &[], &set, &base, Asker::Never, budget)
            .map_err(|e| match e {
                Error::Limit { .. } => e,
                e => perr(format!("include `{}`: {e}", inc.pack)),
            })?;
        let node = resolve_node(sub, TemplateContext { values, ..base }, budget)?;
        includes.push((inc, node));
    }
    Ok(Node {
        pack,
        context,
        includes,
    })
}

/// Refuse a pack tree that would plan more than the limits allow, before anything is
/// rendered: every include counted, whether or not its `when` holds (so `--dry-run` and
/// `pack lint` stop as early as `new`).
fn check_tree_size(pack: &Pack, limits: &Limits) -> Result<()> {
    let (mut packs, mut files, mut bytes) = (0usize, 0usize, 0u64);
    let mut stack = vec![pack];
    while let Some(p) = stack.pop() {
        packs += 1;
        if packs > limits.max_packs {
            return Err(Error::Limit {
                what: format!(
                    "pack `{}` renders more than {} packs through its [[include]] tables",
                    pack.label(),
                    limits.max_packs
                ),
                env: format!("{}=N", engine::ENV_MAX_PACKS),
            });
        }
        files += p.files.len();
        bytes += p
            .files
            .iter()
            .map(|f| {
                f.on_disk
                    .as_ref()
                    .map_or(f.contents.len() as u64, |d| d.size())
            })
            .sum::<u64>();
        stack.extend(&p.includes);
    }
    if files > limits.max_files {
        return Err(Error::Limit {
            what: format!(
                "pack `{}` plans {files} files, more than the limit of {}",
                pack.label(),
                limits.max_files
            ),
            env: format!("{}=N", engine::ENV_MAX_FILES),
        });
    }
    if bytes > limits.max_total_bytes {
        return Err(total_too_large(&pack.label(), bytes, limits));
    }
    Ok(())
}

/// The limit error for a plan over the total size limit.
#[must_use]
pub(crate) fn total_too_large(label: &str, bytes: u64, limits: &Limits) -> Error {
    total_too_large_max(label, bytes, limits.max_total_bytes)
}

/// [`total_too_large`] for the limit `max`.
pub(crate) fn total_too_large_max(label: &str, bytes: u64, max: u64) -> Error {
    Error::Limit {
        what: format!(
            "pack `{label}` plans {} or more, more than the limit of {}",
            engine::mib(bytes),
            engine::mib(max)
        ),
        env: format!("{}=MIB", engine::ENV_MAX_TOTAL),
    }
}
