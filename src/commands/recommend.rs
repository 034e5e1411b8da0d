//! `scaffold recommend`: the ranked, explained recommendation, as text or JSON.

use crate::cli::RecommendArgs;
use crate::error::Result;
use crate::recommend;
use crate::request::parse_requirements;

/// Run `scaffold recommend`.
///
/// # Errors
/// An unknown need or team.
pub fn run(args: &RecommendArgs) -> Result<()> {
    let req = parse_requirements(args.needs.needs.as_deref(), args.needs.team.as_deref())?;
    let rec = recommend::recommend(&req);
    if args.json {
        crate::ui::out_json(&rec)?;
    } else {
        crate::ui::out(&recommend::render_text(&rec))?;
    }
    Ok(())
}
