//! The record names the pack's source: a replay with `--answers` uses it (a git pack at the
//! recorded commit), and another version of the pack is named in a warning, or refused
//! with `--locked`.

use std::path::Path;
use std::process::Command;

use crate::{run, scaffold};

fn git(dir: &Path, home: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn pack(dir: &Path, version: &str, body: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        format!("[pack]\nname = \"acme-svc\"\nversion = \"{version}\"\ndescription = \"p\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("main.txt.tera"), body).unwrap();
}

#[test]
fn a_git_pack_is_replayed_from_the_recorded_commit() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let h = home.path();
    let _ = scaffold(h);
    let repo = work.path().join("packs");
    pack(&repo, "1.0.0", "v1 {{ project_name }}\n");
    git(&repo, h, &["init", "--quiet"]);
    git(&repo, h, &["add", "-A"]);
    git(&repo, h, &["commit", "--quiet", "-m", "v1"]);
    let url = format!("file://{}", repo.display());
    let out = run(scaffold(h)
        .args(["new", "demo", "--yes", "--no-git", "--pack", &url, "-o"])
        .arg(work.path()));
    assert!(out.status.success(), "{out:?}");
    let rec = work.path().join("demo/.scaffold.toml");
    let text = std::fs::read_to_string(&rec).unwrap();
    assert!(text.contains("source = \"git\""), "{text}");
    assert!(text.contains(&format!("url = \"{url}\"")), "{text}");
    assert!(text.contains("commit = \""), "{text}");
    assert!(text.contains("\"main.txt\" = \"sha256:"), "{text}");

    // The pack moves on to 2.0.0.
    pack(&repo, "2.0.0", "v2 {{ project_name }}\n");
    git(&repo, h, &["commit", "--quiet", "-am", "v2"]);

    // The record alone: the recorded source at the recorded commit, no warning.
    let out = run(scaffold(h)
        .args(["new", "replica", "--yes", "--no-git", "--answers"])
        .arg(&rec)
        .arg("-o")
        .arg(work.path()));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("replica/main.txt")).unwrap(),
        "v1 demo\n"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));

    // With --pack URL: the newer version, named in a warning; --locked refuses it.
    let out = run(scaffold(h)
        .args([
            "new",
            "newer",
            "--yes",
            "--no-git",
            "--pack",
            &url,
            "--answers",
        ])
        .arg(&rec)
        .arg("-o")
        .arg(work.path()));
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1.0.0") && err.contains("2.0.0"), "{err}");
    let out = run(scaffold(h)
        .args([
            "new",
            "locked",
            "--yes",
            "--no-git",
            "--locked",
            "--pack",
            &url,
            "--answers",
        ])
        .arg(&rec)
        .arg("-o")
        .arg(work.path()));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--locked"));
    assert!(!work.path().join("locked").exists());

    // `update --check` sees the project behind; `update` follows it.
    let demo = work.path().join("demo");
    let out = run(scaffold(h).args(["update", "--check"]).arg(&demo));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = run(scaffold(h).args(["update", "--diff"]).arg(&demo));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-v1 demo") && diff.contains("+v2 demo"),
        "{diff}"
    );
    let out = run(scaffold(h).arg("update").arg(&demo));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(demo.join("main.txt")).unwrap(),
        "v2 demo\n"
    );
    let out = run(scaffold(h).args(["update", "--check"]).arg(&demo));
    assert!(out.status.success(), "{out:?}");
}

/// A directory pack that changed since: the base comes from the project's first commit;
/// without one, an edited file becomes a conflict showing both sides (never replaced).
#[test]
fn a_changed_directory_pack_falls_back_to_the_first_commit_then_two_way() {
    for with_git in [true, false] {
        let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let h = home.path();
        let _ = scaffold(h);
        let dir_pack = work.path().join("pack");
        let body = "one\ntwo\nthree\nfour\nfive\n";
        pack(&dir_pack, "1.0.0", body);
        let mut cmd = scaffold(h);
        cmd.args(["new", "demo", "--yes", "--pack"])
            .arg(&dir_pack)
            .arg("-o")
            .arg(work.path());
        if !with_git {
            cmd.arg("--no-git");
        }
        let out = run(&mut cmd);
        assert!(out.status.success(), "{out:?}");
        let demo = work.path().join("demo");
        pack(&dir_pack, "2.0.0", &body.replace("five", "FIVE"));
        std::fs::write(demo.join("main.txt"), body.replace("one", "ONE")).unwrap();
        let out = run(scaffold(h).args(["update", "--json"]).arg(&demo));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let action = report["files"][0]["action"].as_str().unwrap_or_default();
        let text = std::fs::read_to_string(demo.join("main.txt")).unwrap();
        if with_git {
            assert_eq!(action, "merged", "{report}");
            assert_eq!(text, "ONE\ntwo\nthree\nfour\nFIVE\n");
            assert!(
                report["base"].as_str().unwrap().contains("first commit"),
                "{report}"
            );
        } else {
            assert_eq!(action, "conflict", "{report}");
            assert_eq!(out.status.code(), Some(1));
            assert!(text.contains("ONE") && text.contains("FIVE") && text.contains("<<<<<<<"));
        }
    }
}
