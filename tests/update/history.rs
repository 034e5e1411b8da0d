//! A project generated with the kept 0.1.0 fastapi pack (the history copy rendered as a
//! directory pack, then recorded as the built-in pack it is), edited, then updated to the
//! current built-in pack. The base comes from the kept release and is checked file by file
//! against the recorded hashes.

use std::path::Path;

use crate::{run, scaffold};

#[test]
fn a_0_1_0_project_follows_the_current_pack() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let h = home.path();
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/.history/0.1.0/fastapi");
    let out = run(scaffold(h)
        .args(["new", "shop", "--yes", "--pack"])
        .arg(&kept)
        .arg("-o")
        .arg(work.path()));
    assert!(out.status.success(), "{out:?}");
    let dir = work.path().join("shop");

    // Recorded as the built-in pack 0.1.0 it is (the kept release rendered from its
    // directory has the same content hash): the current built-in pack is a newer version,
    // so update takes the base from the kept release.
    let rec_path = dir.join(".scaffold.toml");
    let rec = std::fs::read_to_string(&rec_path).unwrap();
    assert!(rec.contains("version = \"0.1.0\""), "{rec}");
    let rec: String = rec
        .lines()
        .filter(|l| !l.starts_with("path = "))
        .map(|l| {
            if l.starts_with("source = ") {
                "source = \"builtin\"\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&rec_path, rec).unwrap();

    // A few edits.
    let main = dir.join("app/main.py");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("# Our service.\n{text}")).unwrap();
    let readme = dir.join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    std::fs::write(
        &readme,
        format!("{text}\n## Our notes\n\nDeploys on Fridays.\n"),
    )
    .unwrap();
    std::fs::write(dir.join("NOTES.md"), "ours\n").unwrap();
    let env_before = std::fs::read_to_string(dir.join(".env")).unwrap();

    let out = run(scaffold(h).args(["update", "--json"]).arg(&dir));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report["base"]
            .as_str()
            .is_some_and(|b| b.contains("kept release of pack `fastapi` 0.1.0")),
        "{report}"
    );
    assert_eq!(report["from_version"], "0.1.0");
    let current = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/fastapi/pack.toml"),
    )
    .unwrap();
    let current: toml::Value = toml::from_str(&current).unwrap();
    let to = current["pack"]["version"].as_str().unwrap();
    assert_ne!(to, "0.1.0");
    assert_eq!(report["to_version"], to, "{report}");
    // Every edit is still there; the secrets are untouched.
    assert!(std::fs::read_to_string(&main)
        .unwrap()
        .contains("# Our service."));
    assert!(std::fs::read_to_string(&readme)
        .unwrap()
        .contains("Deploys on Fridays."));
    assert_eq!(
        std::fs::read_to_string(dir.join("NOTES.md")).unwrap(),
        "ours\n"
    );
    assert!(std::fs::read_to_string(dir.join(".env"))
        .unwrap()
        .starts_with(&env_before));
    // The record now names the current pack, and a second update has nothing to do.
    let rec = std::fs::read_to_string(&rec_path).unwrap();
    assert!(rec.contains("source = \"builtin\""), "{rec}");
    if out.status.success() {
        let out = run(scaffold(h).args(["update", "--check"]).arg(&dir));
        assert!(out.status.success(), "{out:?}");
    }
}
