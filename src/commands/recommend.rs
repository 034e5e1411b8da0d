//! `scaffold recommend`: the ranked, explained recommendation, as text or JSON.

use crate::cli::{NeedsArgs, RecommendArgs};
use crate::error::{Error, Result};
use crate::recommend::{self, Requirements};

/// Parse `--needs`/`--team` into requirements (exit 2 with the accepted values otherwise).
///
/// # Errors
/// An unknown need or team.
pub fn requirements(args: &NeedsArgs) -> Result<Requirements> {
    if args
        .needs
        .as_deref()
        .is_some_and(|n| n.split(',').all(|item| item.trim().is_empty()))
    {
        return Err(Error::usage(
            "--needs is empty; list what the backend needs (for example --needs realtime,ml), or leave the flag out",
        ));
    }
    Requirements::parse(args.needs.as_deref(), args.team.as_deref())
        .map_err(|e| Error::usage(e.to_string()))
}

/// Run `scaffold recommend`.
///
/// # Errors
/// An unknown need or team.
pub fn run(args: &RecommendArgs) -> Result<()> {
    let req = requirements(&args.needs)?;
    let rec = recommend::recommend(&req);
    if args.json {
        crate::ui::out_json(&rec)?;
    } else {
        crate::ui::out(&recommend::render_text(&rec))?;
    }
    Ok(())
}
