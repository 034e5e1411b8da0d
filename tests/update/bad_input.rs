//! Bad input: exit 2, the fix named, nothing touched.

use crate::{run, scaffold, snapshot};

fn project(home: &std::path::Path, work: &std::path::Path) -> std::path::PathBuf {
    let out = run(scaffold(home)
        .args([
            "new", "shop", "--stack", "fastapi", "--yes", "--no-git", "-o",
        ])
        .arg(work));
    assert!(out.status.success(), "{out:?}");
    work.join("shop")
}

fn refused(home: &std::path::Path, dir: &std::path::Path, extra: &[&str], says: &str) {
    let before = snapshot(dir);
    let out = run(scaffold(home).arg("update").arg(dir).args(extra));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
    assert!(err.contains(says), "{extra:?}: {err}");
    assert_eq!(snapshot(dir), before, "{extra:?} touched the project");
}

#[test]
fn no_record() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(work.path().join("main.py"), "print()\n").unwrap();
    refused(home.path(), work.path(), &[], "has no .scaffold.toml");
}

#[test]
fn a_record_from_a_newer_scaffold() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = project(home.path(), work.path());
    let rec = dir.join(".scaffold.toml");
    let text = std::fs::read_to_string(&rec).unwrap();
    std::fs::write(&rec, text.replace("format = 1", "format = 7")).unwrap();
    refused(home.path(), &dir, &[], "upgrade scaffold");
    std::fs::write(
        &rec,
        text.replace(
            "scaffold_version = \"0.1.0\"",
            "scaffold_version = \"9.0.0\"",
        ),
    )
    .unwrap();
    refused(
        home.path(),
        &dir,
        &["--dry-run"],
        "upgrade scaffold to 9.0.0",
    );
    // `new --answers` refuses it too.
    let out = run(scaffold(home.path())
        .args(["new", "again", "--yes", "--no-git", "--answers"])
        .arg(&rec)
        .arg("-o")
        .arg(work.path()));
    assert_eq!(out.status.code(), Some(2));
    assert!(!work.path().join("again").exists());
}

#[test]
fn an_unreachable_pack_source() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let pack = work.path().join("mypack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname='mine'\nversion='1.0.0'\ndescription='p'\n",
    )
    .unwrap();
    std::fs::write(pack.join("a.txt.tera"), "{{ project_name }}\n").unwrap();
    let out = run(scaffold(home.path())
        .args(["new", "widget", "--yes", "--no-git", "--pack"])
        .arg(&pack)
        .arg("-o")
        .arg(work.path()));
    assert!(out.status.success(), "{out:?}");
    let dir = work.path().join("widget");
    std::fs::remove_dir_all(&pack).unwrap();
    refused(home.path(), &dir, &[], "has no pack.toml any more");

    // A git pack whose repository is gone.
    let rec = dir.join(".scaffold.toml");
    let text = std::fs::read_to_string(&rec).unwrap();
    let git = text.replace(
        "source = \"dir\"",
        "source = \"git\"\nurl = \"file:///nonexistent/pack.git\"\ncommit = \"0123456789012345678901234567890123456789\"",
    );
    let git: String = git
        .lines()
        .filter(|l| !l.starts_with("path = "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&rec, git).unwrap();
    refused(home.path(), &dir, &[], "cannot clone pack");
}

#[test]
fn an_unknown_set_key_or_need() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = project(home.path(), work.path());
    refused(
        home.path(),
        &dir,
        &["--set", "colour=red"],
        "no variable `colour`",
    );
    refused(
        home.path(),
        &dir,
        &["--set", "database=mysql"],
        "sqlite, postgres",
    );
    refused(home.path(), &dir, &["--needs", "+telepathy"], "--needs");
}

#[test]
fn a_link_on_the_way_is_refused_before_anything_is_written() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = project(home.path(), work.path());
    let outside = work.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::rename(dir.join("app"), outside.join("app")).unwrap();
    std::os::unix::fs::symlink(outside.join("app"), dir.join("app")).unwrap();
    let before_outside = snapshot(&outside);
    refused(
        home.path(),
        &dir,
        &["--set", "database=postgres"],
        "is in the way",
    );
    assert_eq!(snapshot(&outside), before_outside);
}

/// The pack a project follows now has a template that never ends: `update` runs under the
/// same limits as `new` (SCAFFOLD_RENDER_TIMEOUT), stops with the limit named, and touches
/// nothing.
#[test]
fn a_template_that_never_ends_stops_update_too() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let pack = work.path().join("mypack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname='mine'\nversion='1.0.0'\ndescription='p'\n",
    )
    .unwrap();
    std::fs::write(pack.join("a.txt.tera"), "{{ project_name }}\n").unwrap();
    let out = run(scaffold(home.path())
        .args(["new", "widget", "--yes", "--no-git", "--pack"])
        .arg(&pack)
        .arg("-o")
        .arg(work.path()));
    assert!(out.status.success(), "{out:?}");
    let dir = work.path().join("widget");
    std::fs::write(dir.join("a.txt"), "widget, edited\n").unwrap();
    // 10^10 iterations that print nothing: only the time limit stops them.
    std::fs::write(
        pack.join("a.txt.tera"),
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let before = crate::snapshot(&dir);
    let started = std::time::Instant::now();
    let out = run(scaffold(home.path())
        .args(["update"])
        .arg(&dir)
        .env("SCAFFOLD_RENDER_TIMEOUT", "2"));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{all}"
    );
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("SCAFFOLD_RENDER_TIMEOUT"), "{all}");
    assert_eq!(crate::snapshot(&dir), before);
    assert_eq!(crate::siblings(&dir), [pack]);
}

/// A recorded answer the pack now refuses (a Python version below its minimum): exit 2
/// naming the `--set` that fixes it; with that `--set`, the update goes ahead.
#[test]
fn a_recorded_answer_the_pack_now_refuses() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = project(home.path(), work.path());
    let rec = dir.join(".scaffold.toml");
    let text = std::fs::read_to_string(&rec).unwrap();
    assert!(text.contains("python_version = \"3.11\""), "{text}");
    std::fs::write(
        &rec,
        text.replace("python_version = \"3.11\"", "python_version = \"2.7\""),
    )
    .unwrap();
    refused(
        home.path(),
        &dir,
        &[],
        "scaffold update --set python_version=VALUE",
    );
    let out = run(scaffold(home.path()).arg("update").arg(&dir).args([
        "--dry-run",
        "--set",
        "python_version=3.11",
    ]));
    assert!(out.status.success(), "{out:?}");
}
