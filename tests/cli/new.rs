//! `scaffold new`: rendering, reports, reproduction, --force, git.

use crate::helpers::{entries, mini_pack, read, tree, Scaffold};

#[test]
fn renders_a_pack_with_defaults() {
    let mut s = Scaffold::new()
        .args(["new", "My Cool API", "--yes", "--no-git", "--pack"])
        .args([mini_pack()]);
    let run = s.run();
    run.success();
    assert!(run.stdout().is_empty(), "human output goes to stderr");
    assert!(
        run.stderr().contains("Rendered 9 files into my-cool-api"),
        "{}",
        run.stderr()
    );
    assert!(run
        .stderr()
        .contains("Next: cd my-cool-api && make install && make test && make run"));
    let root = s.path("my-cool-api");
    assert_eq!(
        tree(&root),
        [
            ".env",
            ".gitignore",
            ".scaffold.toml",
            "Makefile",
            "README.md",
            "check.sh",
            "docker/Dockerfile",
            "my_cool_api/settings.py",
            "page.html",
        ]
    );
    assert_eq!(
        read(&root.join("page.html")),
        "<p>{{ kept verbatim }}</p>\n"
    );
    assert_eq!(
        read(&root.join("README.md")),
        "# My Cool API\n\nBy Ann Example. Slug `my-cool-api`, package `my_cool_api`.\n\n"
    );
    assert_eq!(
        read(&root.join("my_cool_api/settings.py")),
        "DATABASE = \"sqlite\"\nPOOL_SIZE = 5\n"
    );
    let env = read(&root.join(".env"));
    assert!(env.starts_with("SECRET_KEY=") && env.trim_end().len() == "SECRET_KEY=".len() + 48);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(root.join("check.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "scripts with a shebang are executable");
    assert_eq!(
        entries(s.dir.path()),
        ["my-cool-api"],
        "no temporary directory left behind"
    );
}

#[test]
fn set_flags_and_conditional_files() {
    let mut s = Scaffold::new()
        .args([
            "new",
            "shop",
            "--no-git",
            "--set",
            "database=postgres",
            "--set",
            "pool_size=20",
        ])
        .args(["--set", "docker=no", "--pack"])
        .args([mini_pack()]);
    s.run().success();
    let root = s.path("shop");
    let files = tree(&root);
    assert!(files.contains(&"shop/db.py".to_string()), "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with("docker/")), "{files:?}");
    assert_eq!(
        read(&root.join("shop/settings.py")),
        "DATABASE = \"postgres\"\nPOOL_SIZE = 20\n"
    );
}

#[test]
fn json_report_is_the_only_stdout() {
    let mut s = Scaffold::new()
        .args([
            "new", "api", "--yes", "--no-git", "--json", "-o", "out", "--pack",
        ])
        .args([mini_pack()]);
    let run = s.run();
    run.success();
    let json = run.json();
    assert_eq!(json["path"], "out/api");
    assert_eq!(json["stack"], "mini");
    assert_eq!(json["pack"], "mini");
    assert_eq!(json["pack_version"], "1.0.0");
    assert_eq!(json["dry_run"], false);
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 9);
    assert!(files
        .iter()
        .any(|f| f["path"] == "README.md" && f["bytes"].as_u64().unwrap() > 10));
    assert_eq!(json["next_steps"][0], "cd out/api");
    assert!(
        !run.stderr().contains("Rendered"),
        "no status lines with --json: {}",
        run.stderr()
    );
}

#[test]
fn dry_run_writes_nothing() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--dry-run", "--pack"])
        .args([mini_pack()]);
    let run = s.run();
    run.success();
    assert!(run.stdout().contains("README.md"), "{}", run.stdout());
    assert!(run.stdout().contains(".scaffold.toml"));
    assert!(run.stderr().contains("nothing was written"));
    assert!(entries(s.dir.path()).is_empty());

    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--dry-run", "--json", "--pack"])
        .args([mini_pack()]);
    let run = s.run();
    run.success();
    assert_eq!(run.json()["dry_run"], true);
    assert!(entries(s.dir.path()).is_empty());
}

#[test]
fn record_reproduces_the_project_byte_for_byte() {
    let mut s = Scaffold::new()
        .args([
            "new",
            "Demo Shop",
            "--no-git",
            "--set",
            "database=postgres",
            "--set",
            "author=Bo",
            "--pack",
        ])
        .args([mini_pack()]);
    s.run().success();
    let mut again = Scaffold::new()
        .args(["new", "other", "--yes", "--no-git", "--answers"])
        .args([s.path("demo-shop/.scaffold.toml")])
        .args(["--pack"])
        .args([mini_pack()]);
    again.run().success();
    let a = s.path("demo-shop");
    let b = again.path("other");
    assert_eq!(tree(&a), tree(&b));
    for f in tree(&a) {
        if f == ".env" {
            assert_ne!(read(&a.join(&f)), read(&b.join(&f)), "secrets are fresh");
        } else {
            assert_eq!(
                std::fs::read(a.join(&f)).unwrap(),
                std::fs::read(b.join(&f)).unwrap(),
                "{f} differs"
            );
        }
    }
}

#[test]
fn existing_empty_target_is_filled() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--no-git", "--pack"])
        .args([mini_pack()]);
    std::fs::create_dir(s.path("api")).unwrap();
    s.run().success();
    assert!(s.path("api/README.md").is_file());
}

#[test]
fn non_empty_target_is_refused_and_untouched() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--no-git", "--pack"])
        .args([mini_pack()]);
    std::fs::create_dir(s.path("api")).unwrap();
    std::fs::write(s.path("api/notes.txt"), "mine").unwrap();
    s.run().fails_with(2, "already exists and is not empty");
    assert_eq!(entries(&s.path("api")), ["notes.txt"]);
}

#[test]
fn force_keeps_user_files_and_lists_overwrites() {
    let mut s = Scaffold::new()
        .args([
            "new", "api", "--yes", "--no-git", "--force", "--json", "--pack",
        ])
        .args([mini_pack()]);
    std::fs::create_dir(s.path("api")).unwrap();
    std::fs::write(s.path("api/notes.txt"), "mine").unwrap();
    std::fs::write(s.path("api/README.md"), "old readme").unwrap();
    // A file scaffold did not generate is only overwritten with --force twice.
    s.run()
        .fails_with(2, "pass --force twice")
        .fails_with(2, "`README.md`");
    assert_eq!(read(&s.path("api/README.md")), "old readme");
    let mut s = s.args(["--force"]);
    let run = s.run();
    run.success();
    assert_eq!(run.json()["overwritten"], serde_json::json!(["README.md"]));
    assert_eq!(read(&s.path("api/notes.txt")), "mine");
    assert!(read(&s.path("api/README.md")).starts_with("# api"));
}

#[test]
fn git_repository_with_a_first_commit() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--pack"])
        .args([mini_pack()]);
    s.run().success();
    let log = std::process::Command::new("git")
        .args(["log", "--oneline"])
        .current_dir(s.path("api"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&log.stdout);
    assert!(
        text.contains("Initial commit from scaffold (mini pack 1.0.0)"),
        "{text}"
    );
    let status = std::process::Command::new("git")
        .args(["status", "--porcelain", "--ignored"])
        .current_dir(s.path("api"))
        .output()
        .unwrap();
    // Everything is committed; only the generated, git-ignored .env stays out.
    assert_eq!(String::from_utf8_lossy(&status.stdout), "!! .env\n");
}

#[test]
fn missing_git_is_a_warning() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--pack"])
        .args([mini_pack()])
        .env("PATH", "/nonexistent");
    let run = s.run();
    run.success();
    assert!(
        run.stderr().contains("warning: git is not on PATH"),
        "{}",
        run.stderr()
    );
    assert!(s.path("api/README.md").is_file());
}

#[test]
fn embedded_stack_renders_without_the_source_tree() {
    // The binary carries its packs: run it from an unrelated directory.
    let mut s = Scaffold::new().args([
        "new", "svc", "--stack", "fastapi", "--yes", "--no-git", "--json",
    ]);
    let run = s.run();
    run.success();
    assert_eq!(run.json()["pack"], "fastapi");
    assert!(s.path("svc/.scaffold.toml").is_file());
}

#[test]
fn the_recommended_gateway_is_the_one_rendered() {
    // enterprise makes NestJS outrank Express, so the hybrid gets a NestJS gateway.
    let mut s = Scaffold::new()
        .args(["new", "hub", "--yes", "--no-git", "--json"])
        .args(["--needs", "realtime,ml,enterprise", "--team", "js"]);
    let run = s.run();
    run.success();
    assert_eq!(run.json()["stack"], "hybrid");
    assert!(s.path("hub/gateway/nest-cli.json").is_file());
    assert!(!s.path("hub/gateway/src/index.ts").exists());
    let record = std::fs::read_to_string(s.path("hub/.scaffold.toml")).unwrap();
    assert!(record.contains("gateway = \"nestjs\""), "{record}");
    // --set still wins over the proposal.
    let mut s = Scaffold::new()
        .args(["new", "hub", "--yes", "--no-git", "--dry-run", "--json"])
        .args(["--needs", "realtime,ml,enterprise", "--team", "js"])
        .args(["--set", "gateway=express"]);
    let run = s.run();
    run.success();
    let files = run.json()["files"].to_string();
    assert!(files.contains("gateway/src/index.ts"), "{files}");
}

#[test]
fn force_with_read_only_user_files() {
    use std::os::unix::fs::PermissionsExt;
    let mut s = Scaffold::new()
        .args([
            "new", "api", "--yes", "--no-git", "--force", "--force", "--json", "--pack",
        ])
        .args([mini_pack()]);
    let root = s.path("api");
    std::fs::create_dir_all(&root).unwrap();
    // One read-only file the pack also renders, one it does not.
    std::fs::write(root.join("README.md"), "locked readme").unwrap();
    std::fs::write(root.join("NOTES.md"), "locked notes").unwrap();
    for f in ["README.md", "NOTES.md"] {
        std::fs::set_permissions(root.join(f), std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let run = s.run();
    run.success();
    assert_eq!(run.json()["overwritten"], serde_json::json!(["README.md"]));
    assert!(read(&root.join("README.md")).starts_with("# api"));
    assert_eq!(read(&root.join("NOTES.md")), "locked notes");
    let mode = std::fs::metadata(root.join("NOTES.md"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o444, "an untouched user file keeps its mode");
    let left: Vec<String> = entries(&root)
        .into_iter()
        .filter(|e| e.contains("scaffold-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
