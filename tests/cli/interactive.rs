//! The interactive flow in a real pseudo-terminal: choosing needs, seeing the
//! recommendation, overriding it, answering pack variables, and Ctrl-C.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rexpect::reader::Options;
use rexpect::session::{spawn_with_options, PtySession};

use crate::helpers::{entries, mini_pack, read};

const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const ENTER: &str = "\r";

fn spawn(dir: &Path, args: &[&str]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    spawn_with_options(
        cmd,
        Options::new()
            .timeout_ms(Some(20_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("spawn in a pty")
}

fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("send keys");
    p.flush().expect("flush");
    // Let the prompt redraw before the next key, as a person would.
    std::thread::sleep(Duration::from_millis(60));
}

/// Press enter until the run reports it rendered the project.
fn accept_defaults_until_rendered(p: &mut PtySession) {
    // Each remaining prompt takes its default; spare presses after the last prompt are
    // harmless. The transcript is collected and checked for the final report.
    let mut seen = String::new();
    for _ in 0..30 {
        send(p, ENTER);
        while let Some(c) = p.try_read() {
            seen.push(c);
        }
        if seen.contains("Rendered") {
            break;
        }
    }
    if !seen.contains("Rendered") {
        p.exp_string("Rendered").expect("the project is rendered");
    }
    p.exp_eof().expect("scaffold exits");
}

fn recorded(dir: &Path, name: &str) -> toml::Value {
    toml::from_str(&read(&dir.join(name).join(".scaffold.toml"))).expect("a TOML record")
}

#[test]
fn choose_needs_see_the_recommendation_and_accept_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(tmp.path(), &["new", "back office", "--no-git"]);
    p.exp_string("What will this backend need?").unwrap();
    // Needs are listed in the documented order: realtime, streaming, api, microservices,
    // admin, cms, ...
    send(&mut p, &DOWN.repeat(4));
    send(&mut p, " ");
    send(&mut p, DOWN);
    send(&mut p, " ");
    send(&mut p, ENTER);
    p.exp_string("What does your team write today?").unwrap();
    // Teams: JavaScript / TypeScript, Python, both, none (the default, last).
    send(&mut p, &UP.repeat(2));
    send(&mut p, ENTER);
    p.exp_string("Recommendation: django").unwrap();
    p.exp_string("Use django").unwrap();
    accept_defaults_until_rendered(&mut p);
    let rec = recorded(tmp.path(), "back-office");
    assert_eq!(rec["stack"].as_str(), Some("django"));
    assert_eq!(rec["requirements"]["needs"].as_array().unwrap().len(), 2);
    assert_eq!(rec["requirements"]["team"].as_str(), Some("python"));
    assert!(
        rec["recommendation"].get("recommended").is_none(),
        "the top pick was accepted"
    );
    let readme = read(&tmp.path().join("back-office/README.md"));
    assert!(
        readme.contains("Why this stack"),
        "the reasons reach the README"
    );
    assert!(readme.contains("admin panel"), "{readme}");
}

#[test]
fn override_the_recommendation() {
    let tmp = tempfile::tempdir().unwrap();
    let top = Command::new(env!("CARGO_BIN_EXE_scaffold"))
        .args(["recommend", "--needs", "realtime", "--team", "js", "--json"])
        .output()
        .unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&top.stdout).unwrap();
    let first = rec["ranking"][0]["stack"].as_str().unwrap().to_string();
    let second = rec["ranking"][1]["stack"].as_str().unwrap().to_string();

    let mut p = spawn(
        tmp.path(),
        &[
            "new", "chat", "--no-git", "--needs", "realtime", "--team", "js",
        ],
    );
    p.exp_string(&format!("Recommendation: {first}")).unwrap();
    send(&mut p, DOWN);
    send(&mut p, ENTER); // "Choose another stack"
    send(&mut p, DOWN);
    send(&mut p, ENTER); // the runner-up
    accept_defaults_until_rendered(&mut p);
    let rec = recorded(tmp.path(), "chat");
    assert_eq!(rec["stack"].as_str(), Some(second.as_str()));
    assert_eq!(
        rec["recommendation"]["recommended"].as_str(),
        Some(first.as_str())
    );
}

#[test]
fn answer_pack_variables() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = mini_pack();
    let mut p = spawn(
        tmp.path(),
        &["new", "api", "--no-git", "--pack", pack.to_str().unwrap()],
    );
    p.exp_string("Author").unwrap();
    send(&mut p, "Zed");
    send(&mut p, ENTER);
    p.exp_string("Database").unwrap();
    send(&mut p, DOWN);
    send(&mut p, ENTER);
    p.exp_string("Connection pool size").unwrap();
    send(&mut p, "x");
    send(&mut p, ENTER);
    p.exp_string("is not an integer").unwrap();
    send(&mut p, "\x7f");
    send(&mut p, "12");
    send(&mut p, ENTER);
    p.exp_string("Add a Dockerfile?").unwrap();
    send(&mut p, "n");
    p.exp_string("Rendered").unwrap();
    p.exp_eof().unwrap();
    let settings = read(&tmp.path().join("api/api/settings.py"));
    assert_eq!(settings, "DATABASE = \"postgres\"\nPOOL_SIZE = 12\n");
    assert!(read(&tmp.path().join("api/README.md")).contains("By Zed."));
    assert!(!tmp.path().join("api/docker").exists());
}

#[test]
fn ctrl_c_at_a_prompt_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = mini_pack();
    let mut p = spawn(
        tmp.path(),
        &["new", "api", "--no-git", "--pack", pack.to_str().unwrap()],
    );
    p.exp_string("Author").unwrap();
    p.send_control('c').unwrap();
    let status = p.process().wait().unwrap();
    // Ended by the SIGINT itself (the shell shows 130), not by a plain exit code.
    assert!(format!("{status:?}").contains("SIGINT"), "{status:?}");
    assert!(entries(tmp.path()).is_empty());
}

/// Read what the terminal shows until `needle` appears, returning it all.
fn until(p: &mut PtySession, needle: &str) -> String {
    p.exp_string(needle)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
}

/// Take each prompt's default until `needle` is shown.
fn enter_until(p: &mut PtySession, needle: &str) {
    let mut seen = String::new();
    for _ in 0..20 {
        // Wait for the prompt to settle, then look.
        std::thread::sleep(Duration::from_millis(150));
        while let Some(c) = p.try_read() {
            seen.push(c);
        }
        if seen.contains(needle) {
            return;
        }
        send(p, ENTER);
    }
    panic!("never asked {needle:?}; the terminal showed:\n{seen}");
}

/// When the recommendation picks the hybrid, its gateway and broker are asked, each with
/// the recommendation's proposal as the default, and the answers are recorded.
#[test]
fn the_hybrid_asks_gateway_and_broker_with_the_proposals_as_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(
        tmp.path(),
        &[
            "new",
            "hub",
            "--no-git",
            "--needs",
            "realtime,ml,high-concurrency",
            "--team",
            "both",
        ],
    );
    p.exp_string("Recommendation: hybrid").unwrap();
    p.exp_string("Use hybrid").unwrap();
    send(&mut p, ENTER);
    p.exp_string("Description").unwrap();
    send(&mut p, ENTER);
    p.exp_string("Author").unwrap();
    send(&mut p, ENTER);
    // The gateway: proposed by the ranking (express and nestjs tie here, express first).
    let shown = until(&mut p, "Node.js gateway (recommended for your needs)");
    assert!(!shown.contains("Message broker"), "{shown}");
    send(&mut p, DOWN); // nestjs instead of the proposed express
    send(&mut p, ENTER);
    until(&mut p, "Python worker");
    send(&mut p, ENTER);
    // The broker: NATS, proposed because high concurrency was chosen.
    until(&mut p, "Message broker (you chose high concurrency)");
    accept_defaults_until_rendered(&mut p);
    let rec = recorded(tmp.path(), "hub");
    assert_eq!(rec["stack"].as_str(), Some("hybrid"));
    assert_eq!(rec["variables"]["gateway"].as_str(), Some("nestjs"));
    assert_eq!(rec["variables"]["queue"].as_str(), Some("nats"));
    assert!(tmp.path().join("hub/gateway/nest-cli.json").is_file());
}

/// Each capability a need proposes is asked, saying which need proposed it; declining it
/// leaves the feature out.
#[test]
fn a_capability_is_asked_naming_the_need_that_proposed_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(
        tmp.path(),
        &[
            "new",
            "live",
            "--no-git",
            "--stack",
            "fastapi",
            "--needs",
            "realtime,streaming",
        ],
    );
    enter_until(
        &mut p,
        "Add a WebSocket endpoint (/ws/items) that broadcasts item events? (you chose real-time updates)",
    );
    send(&mut p, "n");
    until(&mut p, "(you chose streaming)");
    send(&mut p, ENTER); // yes: the proposal is the default
    accept_defaults_until_rendered(&mut p);
    let rec = recorded(tmp.path(), "live");
    assert_eq!(rec["variables"]["realtime"].as_bool(), Some(false));
    assert_eq!(rec["variables"]["streaming"].as_bool(), Some(true));
    assert!(!tmp.path().join("live/app/api/routes/realtime.py").exists());
    assert!(tmp.path().join("live/app/api/routes/events.py").is_file());
}

/// A run in a pseudo-terminal of `cols` x `rows`, the transcript kept raw (escapes too).
fn spawn_sized(dir: &Path, cols: u16, rows: u16, args: &[&str]) -> PtySession {
    let mut cmd = Command::new("bash");
    cmd.args([
        "-c",
        &format!("stty cols {cols} rows {rows} && exec \"$0\" \"$@\""),
        env!("CARGO_BIN_EXE_scaffold"),
    ])
    .args(args)
    .current_dir(dir)
    .env("NO_COLOR", "1")
    .env("TERM", "xterm");
    spawn_with_options(
        cmd,
        Options::new()
            .timeout_ms(Some(20_000))
            .strip_ansi_escape_codes(false),
    )
    .expect("spawn in a pty")
}

/// Everything the run prints until it exits.
fn rest(p: &mut PtySession) -> String {
    p.exp_eof().expect("scaffold exits")
}

/// Choose needs with arrow presses, see the recommendation, then Ctrl-C at the stack menu.
fn needs_then_ctrl_c(cols: u16) -> (String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn_sized(tmp.path(), cols, 24, &["new", "shop", "--no-git"]);
    let mut raw = p.exp_string("What will this backend need?").unwrap();
    raw.push_str("What will this backend need?");
    send(&mut p, DOWN);
    send(&mut p, DOWN);
    send(&mut p, " ");
    send(&mut p, DOWN);
    send(&mut p, " ");
    send(&mut p, ENTER);
    raw.push_str(&p.exp_string("What does your team write today?").unwrap());
    send(&mut p, ENTER);
    raw.push_str(&p.exp_string("Choose another stack").unwrap());
    std::thread::sleep(Duration::from_millis(200));
    p.send_control('c').unwrap();
    raw.push_str(&rest(&mut p));
    // The reader hands over each byte as a char: decode the UTF-8.
    let bytes: Vec<u8> = raw
        .chars()
        .filter_map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    let raw = String::from_utf8_lossy(&bytes).into_owned();
    let plain = console::strip_ansi_codes(&raw).into_owned();
    assert!(entries(tmp.path()).is_empty());
    (raw, plain)
}

#[track_caller]
fn assert_no_line_wraps(plain: &str, cols: usize) {
    for line in plain.split(['\n', '\r']) {
        assert!(
            console::measure_text_width(line) <= cols,
            "a line wider than {cols} columns (the terminal wraps it):\n{line}\n\n{plain}"
        );
    }
}

#[track_caller]
fn assert_cursor_visible(raw: &str) {
    let hidden = raw.rfind("\x1b[?25l").expect("the menu hides the cursor");
    let shown = raw.rfind("\x1b[?25h").unwrap_or(0);
    assert!(shown > hidden, "the cursor is left hidden after Ctrl-C");
}

#[test]
fn at_80_columns_no_line_wraps_and_ctrl_c_shows_the_cursor() {
    let (raw, plain) = needs_then_ctrl_c(80);
    assert_no_line_wraps(&plain, 80);
    assert_cursor_visible(&raw);
    // The recommendation is wrapped to the terminal, not at 100 columns.
    assert!(plain.contains("Needs:"), "{plain}");
    // The echoed needs answer is on one line.
    assert!(plain.contains("What will this backend need?: "), "{plain}");
}

#[test]
fn at_60_columns_no_line_wraps() {
    let (raw, plain) = needs_then_ctrl_c(60);
    assert_no_line_wraps(&plain, 60);
    assert_cursor_visible(&raw);
}

#[test]
fn a_dumb_terminal_gets_no_cursor_movement() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.args(["new", "shop", "--no-git", "--stack", "express"])
        .current_dir(tmp.path())
        .env("TERM", "dumb");
    let mut p = spawn_with_options(
        cmd,
        Options::new()
            .timeout_ms(Some(20_000))
            .strip_ansi_escape_codes(false),
    )
    .expect("spawn in a pty");
    let mut raw = String::new();
    for _ in 0..40 {
        send(&mut p, "\n");
        while let Some(c) = p.try_read() {
            raw.push(c);
        }
        if raw.contains("Rendered") {
            break;
        }
    }
    raw.push_str(&rest(&mut p));
    assert!(raw.contains("Rendered"), "{raw}");
    assert!(
        !raw.contains('\u{1b}'),
        "escape sequences under TERM=dumb:\n{raw:?}"
    );
    assert!(tmp.path().join("shop/package.json").exists());
}
