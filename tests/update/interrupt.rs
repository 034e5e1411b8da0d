//! Interrupting an update with SIGINT or SIGKILL at random points leaves the project as it
//! was or fully updated. A SIGKILL after the commit point leaves a journal beside the
//! project, and the next `scaffold update` finishes it; nothing else is ever half-done.
//!
//! Rounds per signal: 3 in a plain `cargo test`, more with `SCAFFOLD_UPDATE_ROUNDS`.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::{run, scaffold, siblings, snapshot};

type Snap = Vec<(String, Vec<u8>, bool)>;

fn rounds() -> usize {
    std::env::var("SCAFFOLD_UPDATE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// A snapshot where `.env` counts only by its keys: the values appended by an update are
/// fresh secrets, different on every run.
fn comparable(dir: &Path) -> Snap {
    snapshot(dir)
        .into_iter()
        .map(|(p, bytes, x)| {
            if p == ".env" {
                let keys: String = String::from_utf8_lossy(&bytes)
                    .lines()
                    .filter_map(|l| l.split_once('=').map(|(k, _)| format!("{k}\n")))
                    .collect();
                (p, keys.into_bytes(), x)
            } else {
                (p, bytes, x)
            }
        })
        .collect()
}

const SETS: [&str; 4] = ["--set", "database=postgres", "--set", "docker=false"];

/// A fresh copy of the project in its own parent directory.
fn fresh(original: &Path, root: &Path, i: usize) -> std::path::PathBuf {
    let parent = root.join(format!("round-{i}"));
    std::fs::create_dir_all(&parent).unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(original)
        .arg(&parent)
        .status()
        .unwrap();
    assert!(status.success());
    parent.join("shop")
}

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n.max(1)
}

#[test]
fn sigint_and_sigkill_leave_before_or_after() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = run(scaffold(h)
        .args([
            "new", "shop", "--stack", "fastapi", "--yes", "--no-git", "-o",
        ])
        .arg(work.path().join("orig")));
    assert!(out.status.success(), "{out:?}");
    let original = work.path().join("orig/shop");
    // A local edit the update has to merge.
    let readme = original.join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    std::fs::write(&readme, format!("{text}\nOur own notes.\n")).unwrap();
    let before = comparable(&original);

    // The fully updated state, and how long an update takes with a pause at every step.
    let reference = fresh(&original, work.path(), 0);
    let started = Instant::now();
    let out = run(scaffold(h)
        .arg("update")
        .arg(&reference)
        .args(SETS)
        .env("SCAFFOLD_UPDATE_STEP_DELAY_MS", "20"));
    let span = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    let after = comparable(&reference);
    assert_ne!(before, after);

    let (mut as_before, mut as_after, mut finished_later) = (0, 0, 0);
    for i in 1..=2 * rounds() {
        let signal = if i % 2 == 0 {
            libc::SIGKILL
        } else {
            libc::SIGINT
        };
        let dir = fresh(&original, work.path(), i);
        let mut child = scaffold(h)
            .arg("update")
            .arg(&dir)
            .args(SETS)
            .env("SCAFFOLD_UPDATE_STEP_DELAY_MS", "20")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wait = random_below(u64::try_from(span.as_millis()).unwrap());
        std::thread::sleep(Duration::from_millis(wait));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(i32::try_from(child.id()).unwrap(), signal) };
        let status = child.wait().unwrap();
        let now = comparable(&dir);
        let pending = siblings(&dir)
            .iter()
            .any(|p| p.join("journal.json").is_file());
        if now == before {
            as_before += 1;
        } else if now == after {
            as_after += 1;
        } else {
            assert!(
                signal == libc::SIGKILL && pending,
                "round {i} ({signal} after {wait} ms, {status:?}): a half-updated project without a journal"
            );
            // The next run finishes what was decided.
            let out = run(scaffold(h).arg("update").arg(&dir));
            assert!(out.status.success(), "{out:?}");
            assert_eq!(
                comparable(&dir),
                after,
                "round {i}: finished by the next run"
            );
            finished_later += 1;
        }
        if signal == libc::SIGINT {
            use std::os::unix::process::ExitStatusExt;
            assert!(
                status.code() == Some(0) || status.signal() == Some(libc::SIGINT),
                "round {i}: SIGINT ends with 0 or by the signal itself, not {status:?}"
            );
        }
        // Whatever happened, the next run leaves nothing behind.
        let out = run(scaffold(h).arg("update").arg(&dir));
        assert!(out.status.success(), "{out:?}");
        assert!(siblings(&dir).is_empty(), "round {i}: {:?}", siblings(&dir));
        let end = comparable(&dir);
        assert!(end == before || end == after, "round {i}");
    }
    println!(
        "interrupted updates: {as_before} as before, {as_after} fully updated, {finished_later} finished by the next run"
    );
}

#[test]
fn an_io_error_while_staging_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = run(scaffold(h)
        .args([
            "new", "shop", "--stack", "fastapi", "--yes", "--no-git", "-o",
        ])
        .arg(work.path()));
    assert!(out.status.success(), "{out:?}");
    let dir = work.path().join("shop");
    let before = snapshot(&dir);
    for at in ["0", "3"] {
        let out = run(scaffold(h)
            .arg("update")
            .arg(&dir)
            .args(SETS)
            .env("SCAFFOLD_UPDATE_FAIL_AT", at));
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("injected failure"),
            "{out:?}"
        );
        assert_eq!(snapshot(&dir), before);
        assert!(siblings(&dir).is_empty());
    }
}
