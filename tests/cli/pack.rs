//! `scaffold pack export`: byte for byte, then usable with --pack.

use std::path::Path;

use crate::helpers::{tree, Scaffold};

#[test]
fn export_is_byte_for_byte_and_renders() {
    for name in ["fastapi"] {
        let mut s = Scaffold::new().args(["pack", "export", name, "mine"]);
        s.run().success();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates")
            .join(name);
        let out = s.path("mine");
        assert_eq!(tree(&src), tree(&out));
        for f in tree(&src) {
            assert_eq!(
                std::fs::read(src.join(&f)).unwrap(),
                std::fs::read(out.join(&f)).unwrap(),
                "{f}"
            );
        }
        let mut again = Scaffold::new()
            .args(["new", "svc", "--yes", "--no-git", "--pack"])
            .args([&out]);
        again.run().success();
    }
}

#[test]
fn export_refuses_a_non_empty_directory_and_unknown_packs() {
    let mut s = Scaffold::new().args(["pack", "export", "fastapi", "mine"]);
    std::fs::create_dir(s.path("mine")).unwrap();
    std::fs::write(s.path("mine/x"), "x").unwrap();
    s.run().fails_with(2, "already exists and is not empty");
    Scaffold::new()
        .args(["pack", "export", "rails", "x"])
        .run()
        .fails_with(2, "no built-in pack `rails`");
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn lint_reports_every_problem_with_file_and_line() {
    let run = Scaffold::new()
        .args(["pack", "lint"])
        .args([fixture("broken")])
        .run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    insta::assert_snapshot!("lint_broken", run.stdout());
    assert!(run.stderr().contains("1 warning(s)"), "{}", run.stderr());
}

#[test]
fn lint_strict_fails_on_warnings_only() {
    let run = Scaffold::new()
        .args(["pack", "lint"])
        .args([fixture("warnings")])
        .run();
    run.success();
    insta::assert_snapshot!("lint_warnings", run.stdout());
    let run = Scaffold::new()
        .args(["pack", "lint", "--strict"])
        .args([fixture("warnings")])
        .run();
    run.fails_with(1, "0 error(s), 2 warning(s) (--strict)");
}

#[test]
fn export_edit_lint_render_round_trip() {
    let mut s = Scaffold::new().args(["pack", "export", "fastapi", "mine"]);
    s.run().success();
    let pack = s.path("mine");
    Scaffold::new()
        .args(["pack", "lint", "--strict"])
        .args([&pack])
        .run()
        .success();
    // A company flavour: a new variable used by a new template.
    let manifest = std::fs::read_to_string(pack.join("pack.toml")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        format!("{manifest}\n[[variables]]\nname = \"team_email\"\ntype = \"string\"\ndefault = \"api@example.com\"\nvalidate = '^[^@]+@[^@]+$'\n"),
    )
    .unwrap();
    std::fs::write(pack.join("OWNERS.tera"), "{{ team_email }}\n").unwrap();
    Scaffold::new()
        .args(["pack", "lint", "--strict"])
        .args([&pack])
        .run()
        .success();
    let mut r = Scaffold::new()
        .args([
            "new",
            "svc",
            "--yes",
            "--no-git",
            "--set",
            "team_email=core@corp.example",
            "--pack",
        ])
        .args([&pack]);
    r.run().success();
    assert_eq!(
        std::fs::read_to_string(r.path("svc/OWNERS")).unwrap(),
        "core@corp.example\n"
    );
}

#[test]
fn git_pack_from_a_file_url_at_a_ref() {
    let repo = tempfile::tempdir().unwrap();
    crate::helpers::copy_dir(&crate::helpers::mini_pack(), repo.path());
    crate::helpers::git(repo.path(), &["init", "-q"]);
    crate::helpers::git(repo.path(), &["add", "-A"]);
    crate::helpers::git(repo.path(), &["commit", "-qm", "v1"]);
    crate::helpers::git(repo.path(), &["tag", "v1"]);
    std::fs::write(repo.path().join("page.html"), "<p>version two</p>\n").unwrap();
    crate::helpers::git(repo.path(), &["commit", "-qam", "v2"]);
    let url = format!("file://{}", repo.path().display());

    let mut head = Scaffold::new().args(["new", "a", "--yes", "--no-git", "--pack", &url]);
    head.run().success();
    assert_eq!(
        std::fs::read_to_string(head.path("a/page.html")).unwrap(),
        "<p>version two</p>\n"
    );

    let mut tagged = Scaffold::new().args([
        "new",
        "b",
        "--yes",
        "--no-git",
        "--pack",
        &format!("{url}#v1"),
    ]);
    tagged.run().success();
    assert_eq!(
        std::fs::read_to_string(tagged.path("b/page.html")).unwrap(),
        "<p>{{ kept verbatim }}</p>\n"
    );

    let mut flag = Scaffold::new().args([
        "new",
        "c",
        "--yes",
        "--no-git",
        "--pack",
        &url,
        "--pack-ref",
        "v1",
    ]);
    flag.run().success();
    assert!(flag.path("c/page.html").is_file());

    Scaffold::new()
        .args([
            "new",
            "d",
            "--yes",
            "--no-git",
            "--pack",
            &url,
            "--pack-ref",
            "nope",
        ])
        .run()
        .fails_with(1, "cannot clone pack");
}

#[test]
fn user_packs_are_listed_and_usable_by_name() {
    let packs = tempfile::tempdir().unwrap();
    crate::helpers::copy_dir(&crate::helpers::mini_pack(), &packs.path().join("mini"));
    let dir = packs.path().to_str().unwrap();
    let run = Scaffold::new()
        .args(["list", "--json"])
        .env("SCAFFOLD_PACKS_DIR", dir)
        .run();
    run.success();
    let listed = run.json();
    assert!(listed["packs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "mini" && p["source"] == "user"));

    let mut by_stack = Scaffold::new()
        .args(["new", "x", "--stack", "mini", "--yes", "--no-git"])
        .env("SCAFFOLD_PACKS_DIR", dir);
    by_stack.run().success();
    assert!(by_stack.path("x/page.html").is_file());
    let mut by_pack = Scaffold::new()
        .args(["new", "y", "--pack", "mini", "--yes", "--no-git"])
        .env("SCAFFOLD_PACKS_DIR", dir);
    by_pack.run().success();

    Scaffold::new()
        .args(["new", "z", "--stack", "nope", "--yes"])
        .env("SCAFFOLD_PACKS_DIR", dir)
        .run()
        .fails_with(2, "user packs: mini");
}

#[test]
fn a_user_pack_never_shadows_a_builtin() {
    let packs = tempfile::tempdir().unwrap();
    let shadow = packs.path().join("my-fastapi");
    crate::helpers::copy_dir(&crate::helpers::mini_pack(), &shadow);
    let manifest = std::fs::read_to_string(shadow.join("pack.toml")).unwrap();
    std::fs::write(
        shadow.join("pack.toml"),
        manifest.replace("name = \"mini\"", "name = \"fastapi\""),
    )
    .unwrap();
    Scaffold::new()
        .args(["list"])
        .env("SCAFFOLD_PACKS_DIR", packs.path().to_str().unwrap())
        .run()
        .fails_with(2, "named `fastapi`, like the built-in pack; rename it");
}

#[test]
fn pack_test_matrix_reports_the_failing_combination() {
    let run = Scaffold::new()
        .args(["pack", "test", "--matrix", "--trust"])
        .args([fixture("flaky-flag")])
        .run();
    run.fails_with(1, "2 of 4 combinations failed");
    let table = run.stdout();
    assert!(
        table.contains("FAILED") && table.contains("marker=false flavour=plain"),
        "{table}"
    );
    assert!(table.contains("`test -f MARKER` failed"), "{table}");
    assert_eq!(table.matches("\nok ").count(), 2, "{table}");
    // The failing projects are kept for inspection; clean them up here.
    let kept = run.stderr();
    if let Some(dir) = kept.split("kept in ").nth(1) {
        let _ = std::fs::remove_dir_all(dir.trim());
    }
    Scaffold::new()
        .args(["pack", "test", "--trust"])
        .args([fixture("flaky-flag")])
        .run()
        .success();
}

#[test]
fn pack_test_needs_declared_checks() {
    Scaffold::new()
        .args(["pack", "test"])
        .args([fixture("warnings")])
        .run()
        .fails_with(2, "declares no checks");
}

#[test]
fn a_pack_includes_another_with_overrides() {
    let mut s = Scaffold::new().args([
        "new",
        "combo",
        "--yes",
        "--no-git",
        "--set",
        "db=postgres",
        "--pack",
        "outer",
    ]);
    let outer = s.path("outer");
    crate::helpers::copy_dir(&crate::helpers::mini_pack(), &outer.join("inner"));
    std::fs::create_dir_all(outer.join("svc")).unwrap();
    std::fs::write(
        outer.join("pack.toml"),
        r#"[pack]
name = "outer"
version = "0.1.0"
description = "includes the mini pack twice"

[[variables]]
name = "db"
type = "choice"
choices = ["sqlite", "postgres"]
default = "sqlite"

[[variables]]
name = "with_docs"
type = "bool"
default = false

[[derived]]
name = "db_label"
value = "{{ db }} database"

[[include]]
pack = "inner"
into = "svc"
set = { database = "{{ db }}", docker = false, author = "Outer Team" }

[[include]]
pack = "inner"
into = "docs"
when = "with_docs"
"#,
    )
    .unwrap();
    // The including pack adapts what it includes: its own file at the same path wins.
    std::fs::write(outer.join("svc/page.html.tera"), "<p>{{ db_label }}</p>\n").unwrap();
    s.run().success();
    let root = s.path("combo");
    assert_eq!(
        std::fs::read_to_string(root.join("svc/page.html")).unwrap(),
        "<p>postgres database</p>\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("svc/combo/settings.py")).unwrap(),
        "DATABASE = \"postgres\"\nPOOL_SIZE = 5\n"
    );
    assert!(std::fs::read_to_string(root.join("svc/README.md"))
        .unwrap()
        .contains("By Outer Team."));
    assert!(
        !root.join("svc/docker").exists(),
        "the include's own variables are set"
    );
    assert!(
        !root.join("docs").exists(),
        "an include whose `when` is false is skipped"
    );
    let record = std::fs::read_to_string(root.join(".scaffold.toml")).unwrap();
    assert!(
        !record.contains("db_label"),
        "derived values are not recorded: {record}"
    );
}

#[test]
fn pack_test_reports_combinations_the_pack_refuses() {
    let mut s = Scaffold::new().args(["pack", "test", "--matrix", "--trust", "p"]);
    std::fs::create_dir_all(s.path("p")).unwrap();
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n\
         [[variables]]\nname='gateway'\ntype='choice'\nchoices=['express','nestjs']\ndefault='express'\n\
         [[constraints]]\nwhen=\"gateway == 'nestjs'\"\nrequires='false'\nmessage='not built yet'\n\
         [checks]\nrun=['true']\n",
    )
    .unwrap();
    let run = s.run();
    run.success();
    assert!(
        run.stdout().contains("refused") && run.stdout().contains("not built yet"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stderr()
            .contains("all 1 combinations passed (1 refused by the pack's own rules)"),
        "{}",
        run.stderr()
    );
}

#[test]
fn links_inside_a_pack_are_copied_as_links() {
    let mut s = Scaffold::new().args(["new", "docsite", "--yes", "--no-git", "--pack", "p"]);
    let p = s.path("p");
    std::fs::create_dir_all(p.join("docs/v1")).unwrap();
    crate::helpers::minimal_pack(&p);
    std::fs::write(p.join("docs/v1/index.md"), "# v1\n").unwrap();
    std::os::unix::fs::symlink("v1", p.join("docs/latest")).unwrap();
    std::os::unix::fs::symlink("docs/v1/index.md", p.join("INDEX.md")).unwrap();
    s.run().success();
    let root = s.path("docsite");
    assert_eq!(
        std::fs::read_link(root.join("docs/latest")).unwrap(),
        Path::new("v1")
    );
    assert_eq!(
        std::fs::read_link(root.join("INDEX.md")).unwrap(),
        Path::new("docs/v1/index.md")
    );
    assert_eq!(
        std::fs::read_to_string(root.join("docs/latest/index.md")).unwrap(),
        "# v1\n"
    );
}

#[test]
fn links_that_leave_the_pack_or_dangle_are_refused() {
    for (target, needle) in [
        ("../../outside", "outside the pack"),
        ("/etc/hostname", "outside the pack"),
        ("missing.md", "which is not in the pack"),
    ] {
        let mut s = Scaffold::new().args(["new", "docsite", "--yes", "--no-git", "--pack", "p"]);
        let p = s.path("p");
        std::fs::create_dir_all(p.join("docs")).unwrap();
        crate::helpers::minimal_pack(&p);
        std::os::unix::fs::symlink(target, p.join("docs/link")).unwrap();
        s.run().fails_with(1, needle);
        assert!(!s.path("docsite").exists());
    }
    // A link whose target a file rule leaves out.
    let mut s = Scaffold::new().args(["new", "docsite", "--yes", "--no-git", "--pack", "p"]);
    let p = s.path("p");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[[files]]\nglob='real.md'\nwhen='false'\n",
    )
    .unwrap();
    std::fs::write(p.join("real.md"), "x").unwrap();
    std::os::unix::fs::symlink("real.md", p.join("alias.md")).unwrap();
    s.run().fails_with(1, "which these answers do not render");
}

#[test]
fn huge_verbatim_files_are_streamed_not_loaded() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    let p = work.path().join("p");
    std::fs::create_dir_all(p.join("data")).unwrap();
    crate::helpers::minimal_pack(&p);
    // 1 GiB, sparse: cheap to make, and far above what the process may hold in memory.
    let big = std::fs::File::create(p.join("data/blob.bin")).unwrap();
    big.set_len(1024 * 1024 * 1024).unwrap();
    let mut script = b"#!/bin/sh\n".to_vec();
    script.resize(2 * 1024 * 1024, b'#');
    std::fs::write(p.join("data/run.sh"), &script).unwrap();

    // Run it with its address space capped at 512 MiB: loading the 1 GiB file (or any
    // sizeable part of it next to the binary and its threads) would fail. A cap is used
    // rather than the child's peak RSS from wait4, because Linux carries the spawning
    // process's high-water mark into the child at exec (a vfork-style spawn shares the test
    // process's memory until then), so that figure depends on the other tests running.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.args(["new", "bulky", "--yes", "--no-git", "--pack"])
        .arg(&p)
        .arg("-o")
        .arg(work.path());
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: 512 * 1024 * 1024,
                rlim_max: 512 * 1024 * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let done = cmd.output().unwrap();
    assert!(
        done.status.success(),
        "{:?}: {}",
        done.status,
        String::from_utf8_lossy(&done.stderr)
    );

    let out = work.path().join("bulky/data/blob.bin");
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 1024 * 1024 * 1024);
    let run = work.path().join("bulky/data/run.sh");
    assert_eq!(std::fs::read(&run).unwrap(), script);
    assert_eq!(
        std::fs::metadata(&run).unwrap().permissions().mode() & 0o111,
        0o111
    );
    // --force onto the same tree: identical big files are recognised and left alone.
    let again = Scaffold::new()
        .args([
            "new", "bulky", "--yes", "--no-git", "--force", "--json", "-o",
        ])
        .args([work.path()])
        .args(["--pack"])
        .args([&p])
        .run();
    again.success();
    let unchanged = again.json()["unchanged"].clone();
    assert!(
        unchanged
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "data/blob.bin"),
        "{unchanged}"
    );
}

#[test]
fn deep_trees_render() {
    let mut s = Scaffold::new().args(["new", "deep", "--yes", "--no-git", "--pack", "p"]);
    let p = s.path("p");
    let nested: String = (0..200).map(|_| "d/").collect();
    std::fs::create_dir_all(p.join(&nested)).unwrap();
    crate::helpers::minimal_pack(&p);
    std::fs::write(
        p.join(&nested).join("leaf.txt.tera"),
        "{{ project_slug }}\n",
    )
    .unwrap();
    s.run().success();
    assert_eq!(
        std::fs::read_to_string(s.path("deep").join(&nested).join("leaf.txt")).unwrap(),
        "deep\n"
    );
}
