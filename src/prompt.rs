//! The only module that talks to a terminal: dialoguer prompts. Each answer goes through the
//! same validator as `--set` and answers files.
//!
//! Every row a menu draws fits on one line of the terminal (a row the terminal wraps breaks
//! the menu's redraw: duplicated rows, two cursors), the answer echoed after a menu is cut
//! at a word, the cursor is shown again on every way out (answer, error, Ctrl-C), and with
//! `TERM=dumb` the questions are plain numbered lines: no cursor movement at all.

use std::io::{BufRead, Write};

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

/// The narrowest width text is wrapped to, whatever the terminal says.
pub const MIN_WIDTH: usize = 60;
/// The widest.
pub const MAX_WIDTH: usize = 100;

/// The terminal's width (stderr's), between [`MIN_WIDTH`] and [`MAX_WIDTH`].
#[must_use]
pub fn width() -> usize {
    let (_, cols) = console::Term::stderr().size();
    usize::from(cols).clamp(MIN_WIDTH, MAX_WIDTH)
}

/// The terminal's real width (for fitting menu rows), at least 20.
fn columns() -> usize {
    let (_, cols) = console::Term::stderr().size();
    usize::from(cols).max(20)
}

/// `text` in at most `width` columns: cut at the last space or comma that fits, with `…`.
#[must_use]
pub fn fit(text: &str, width: usize) -> String {
    if console::measure_text_width(text) <= width {
        return text.to_string();
    }
    let budget = width.saturating_sub(1);
    let mut cut = String::new();
    let mut last_break = 0;
    for c in text.chars() {
        if console::measure_text_width(&cut) + console::measure_text_width(&c.to_string()) > budget
        {
            break;
        }
        if c == ' ' || c == ',' {
            last_break = cut.len();
        }
        cut.push(c);
    }
    if last_break > 0 {
        cut.truncate(last_break);
    }
    format!("{}…", cut.trim_end_matches([' ', ',']))
}

/// Shows the cursor again when dropped: after an answer, an error or Ctrl-C.
struct CursorGuard;

impl Drop for CursorGuard {
    fn drop(&mut self) {
        let _ = console::Term::stderr().show_cursor();
    }
}

/// Echo a menu's answer on one line (dialoguer's own echo is off: it can wrap mid-word).
fn echo(ui: &Ui, prompt: &str, answer: &str) {
    let head = format!("{prompt}: ");
    let room = columns().saturating_sub(console::measure_text_width(&head) + 1);
    eprintln!("{}{}", ui.bold(&head), fit(answer, room.max(10)));
}

/// Read one line on a dumb terminal; Ctrl-D is an interrupt.
fn read_line(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("cannot read an answer from", "the terminal", e))?;
    if n == 0 {
        return Err(Error::Interrupted);
    }
    Ok(line.trim().to_string())
}

/// A menu on a dumb terminal: numbered rows, answered by numbers.
fn dumb_menu(prompt: &str, items: &[String], default: &[usize], many: bool) -> Result<Vec<usize>> {
    eprintln!("{prompt}");
    for (i, item) in items.iter().enumerate() {
        let mark = if default.contains(&i) { "*" } else { " " };
        eprintln!(
            "{mark}{:>3}. {}",
            i + 1,
            fit(item, columns().saturating_sub(6))
        );
    }
    let hint = if many {
        "numbers separated by commas, empty for none"
    } else {
        "a number, empty for the one marked *"
    };
    loop {
        let answer = read_line(&format!("({hint}) > "))?;
        if answer.is_empty() {
            return Ok(default.to_vec());
        }
        let picked: std::result::Result<Vec<usize>, _> = answer
            .split(',')
            .map(|n| n.trim().parse::<usize>())
            .collect();
        match picked {
            Ok(p)
                if !p.is_empty()
                    && (many || p.len() == 1)
                    && p.iter().all(|&n| n >= 1 && n <= items.len()) =>
            {
                return Ok(p.into_iter().map(|n| n - 1).collect());
            }
            _ => eprintln!("answer with {hint} (1 to {})", items.len()),
        }
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
    if crate::ui::dumb_terminal() {
        loop {
            let shown =
                default.map_or_else(|| format!("{prompt}: "), |d| format!("{prompt} [{d}]: "));
            let answer = read_line(&shown)?;
            let answer = match (answer.is_empty(), default) {
                (true, Some(d)) => d.to_string(),
                _ => answer,
            };
            match validate(&answer) {
                Ok(()) => return Ok(answer),
                Err(why) => eprintln!("{why}"),
            }
        }
    }
    let theme = theme(ui);
    let _cursor = CursorGuard;
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
    let default = default.min(items.len().saturating_sub(1));
    if crate::ui::dumb_terminal() {
        let picked = dumb_menu(prompt, items, &[default], false)?;
        return Ok(picked.first().copied().unwrap_or(default));
    }
    let theme = theme(ui);
    let _cursor = CursorGuard;
    // Each row on one line: the prompt's marker takes 2 columns.
    let room = columns().saturating_sub(3);
    let rows: Vec<String> = items.iter().map(|i| fit(i, room)).collect();
    let picked = Select::with_theme(theme.as_ref())
        .with_prompt(fit(prompt, room))
        .items(&rows)
        .default(default)
        .report(false)
        .interact()
        .map_err(map_err)?;
    echo(
        ui,
        prompt,
        items[picked]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
    );
    Ok(picked)
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
    if crate::ui::dumb_terminal() {
        let default: Vec<usize> = (0..items.len())
            .filter(|&i| checked.get(i) == Some(&true))
            .collect();
        return dumb_menu(prompt, items, &default, true);
    }
    let theme = theme(ui);
    let _cursor = CursorGuard;
    // Each row on one line: the marker and the check box take 6 columns.
    let room = columns().saturating_sub(7);
    let rows: Vec<String> = items.iter().map(|i| fit(i, room)).collect();
    let picked = MultiSelect::with_theme(theme.as_ref())
        .with_prompt(fit(
            &format!("{prompt}  (space selects, enter confirms)"),
            columns().saturating_sub(3),
        ))
        .items(&rows)
        .defaults(checked)
        .report(false)
        .interact()
        .map_err(map_err)?;
    let answer: Vec<&str> = picked
        .iter()
        .filter_map(|&i| items[i].split_whitespace().next())
        .collect();
    echo(
        ui,
        prompt,
        &if answer.is_empty() {
            "none".to_string()
        } else {
            answer.join(", ")
        },
    );
    Ok(picked)
}

/// Ask a yes/no question.
///
/// # Errors
/// Ctrl-C or a terminal error.
pub fn confirm(ui: &Ui, prompt: &str, default: bool) -> Result<bool> {
    if crate::ui::dumb_terminal() {
        let hint = if default { "Y/n" } else { "y/N" };
        loop {
            let answer = read_line(&format!("{prompt} [{hint}]: "))?.to_ascii_lowercase();
            match answer.as_str() {
                "" => return Ok(default),
                "y" | "yes" => return Ok(true),
                "n" | "no" => return Ok(false),
                _ => eprintln!("answer y or n"),
            }
        }
    }
    let theme = theme(ui);
    let _cursor = CursorGuard;
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
