//! `scaffold recommend`: the ranked, explained recommendation, as text or JSON.

use serde::Serialize;

use crate::cli::RecommendArgs;
use crate::error::Result;
use crate::recommend;
use crate::request::parse_requirements;

/// The JSON document: the recommendation, and with `--explain` its `explain` object.
#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    rec: &'a recommend::Recommendation,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a recommend::Explanation>,
}

/// Run `scaffold recommend`.
///
/// # Errors
/// An unknown need or team.
pub fn run(args: &RecommendArgs) -> Result<()> {
    let req = parse_requirements(args.needs.needs.as_deref(), args.needs.team.as_deref())?;
    let rec = recommend::recommend(&req);
    let explained = args.explain.then(|| recommend::explain(&req));
    if args.json {
        crate::ui::out_json(&Json {
            rec: &rec,
            explain: explained.as_ref(),
        })?;
    } else {
        let mut text = recommend::render_text(&rec);
        if let Some(ex) = &explained {
            text.push_str(&recommend::render_explain(ex));
        }
        crate::ui::out(&text)?;
    }
    Ok(())
}
