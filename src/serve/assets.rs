//! The page, embedded in the binary: hand-written HTML, CSS and JavaScript with no build
//! step and no inline script or style, so the Content-Security-Policy can forbid both.

/// The page.
pub const INDEX_HTML: &str = include_str!("assets/index.html");
/// Its script.
pub const APP_JS: &str = include_str!("assets/app.js");
/// Its style sheet (light and dark, from 360 px wide up).
pub const APP_CSS: &str = include_str!("assets/app.css");
/// Its icon.
pub const FAVICON: &str = include_str!("assets/favicon.svg");
