//! The only module that talks to a terminal: dialoguer prompts. Each answer goes through the
//! same validator as `--set` and answers files.

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Select};

use crate::error::{Error, Result};
use crate::pack::{Kind, Value, Variable};
use crate::ui::Ui;

fn theme(ui: &Ui) -> Box<dyn Theme> {
    if ui.color {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    }
}

fn map_err(e: dialoguer::Error) -> Error {
    match e {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
            Error::Interrupted
        }
        dialoguer::Error::IO(io) => Error::io("cannot read an answer from", "the terminal", io),
    }
}

/// Ask for free text, checked by `validate` before it is accepted.
///
/// # Errors
/// Ctrl-C or a terminal error.
pub fn text(
    ui: &Ui,
    prompt: &str,
    default: Option<&str>,
    validate: impl Fn(&str) -> std::result::Result<(), String>,
) -> Result<String> {
    let theme = theme(ui);
    let mut input = Input::<String>::with_theme(theme.as_ref())
        .with_prompt(prompt)
        .validate_with(|s: &String| validate(s));
    if let Some(d) = default {
        input = input.default(d.to_string());
    }
    input.interact_text().map_err(map_err)
}

/// Ask for one of `items`; returns its index.
///
/// # Errors
/// Ctrl-C or a terminal error.
pub fn select(ui: &Ui, prompt: &str, items: &[String], default: usize) -> Result<usize> {
    let theme = theme(ui);
    Select::with_theme(theme.as_ref())
        .with_prompt(prompt)
        .items(items)
        .default(default.min(items.len().saturating_sub(1)))
        .interact()
        .map_err(map_err)
}

/// Ask for any number of `items` (space toggles, enter confirms); returns their indices.
///
/// # Errors
/// Ctrl-C or a terminal error.
pub fn multi_select(
    ui: &Ui,
    prompt: &str,
    items: &[String],
    checked: &[bool],
) -> Result<Vec<usize>> {
    let theme = theme(ui);
    MultiSelect::with_theme(theme.as_ref())
        .with_prompt(format!("{prompt}  (space selects, enter confirms)"))
        .items(items)
        .defaults(checked)
        .interact()
        .map_err(map_err)
}

/// Ask a yes/no question.
///
/// # Errors
/// Ctrl-C or a terminal error.
pub fn confirm(ui: &Ui, prompt: &str, default: bool) -> Result<bool> {
    let theme = theme(ui);
    Confirm::with_theme(theme.as_ref())
        .with_prompt(prompt)
        .default(default)
        .interact()
        .map_err(map_err)
}

/// Ask for a pack variable, showing its help line first.
///
/// # Errors
/// Ctrl-C or a terminal error.
pub fn variable(ui: &Ui, var: &Variable, default: Option<&Value>) -> Result<Value> {
    if let Some(help) = &var.help {
        eprintln!("  {}", ui.dim(help));
    }
    match var.kind {
        Kind::Bool => {
            let d = matches!(default, Some(Value::Bool(true)));
            confirm(ui, &var.prompt, d).map(Value::Bool)
        }
        Kind::Choice => {
            let d = default
                .and_then(|v| {
                    var.choices
                        .iter()
                        .position(|c| Value::String(c.clone()) == *v)
                })
                .unwrap_or(0);
            let i = select(ui, &var.prompt, &var.choices, d)?;
            Ok(Value::String(var.choices[i].clone()))
        }
        Kind::String | Kind::Integer => {
            let d = default.map(ToString::to_string);
            let answer = text(ui, &var.prompt, d.as_deref(), |s| {
                var.parse_str(s).map(|_| ())
            })?;
            var.parse_str(&answer)
                .map_err(|reason| Error::InvalidValue {
                    name: var.name.clone(),
                    reason,
                })
        }
    }
}
