//! Trust boundaries: a hostile pack can never make scaffold run code, or read or write
//! outside the target. Each case builds its pack here, runs the real binary, and asserts
//! the refusal (or bounded error) and that nothing changed outside the target.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::helpers::{mini_pack, read, Scaffold};

/// A work area: a HOME with a git identity, a canary directory a malicious hook or
/// config would write into, and the output directory.
struct Work {
    root: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        std::fs::create_dir_all(root.path().join("out")).unwrap();
        std::fs::write(
            root.path().join("home/.gitconfig"),
            "[user]\n\tname = T\n\temail = t@example.invalid\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        Work { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// The file a hostile hook or config would create when it runs.
    fn canary(&self) -> PathBuf {
        self.path("canary")
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
        cmd.current_dir(self.path("out"))
            .env("HOME", self.path("home"))
            .env("GIT_CONFIG_GLOBAL", self.path("home/.gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("SCAFFOLD_PACKS_DIR", self.path("home/packs"))
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Every path under the work area outside `out/<target>` and the packs, for the
    /// "nothing written outside the target" checks.
    fn outside(&self, target: &str) -> BTreeSet<String> {
        let skip = [self.path("packs"), self.path("out").join(target)];
        walkdir::WalkDir::new(self.root.path())
            .into_iter()
            .filter_entry(|e| !skip.iter().any(|s| e.path() == s))
            .filter_map(Result::ok)
            .map(|e| e.path().display().to_string())
            .collect()
    }

    /// A pack directory under `packs/NAME` with a manifest and files (`->` makes a link).
    fn pack(&self, name: &str, manifest_extra: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.path("packs").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("pack.toml"),
            format!(
                "[pack]\nname = \"{name}\"\nversion = \"1.0.0\"\ndescription = \"hostile\"\n{manifest_extra}"
            ),
        )
        .unwrap();
        for (path, body) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            if let Some(target) = body.strip_prefix("->") {
                std::os::unix::fs::symlink(target, &p).unwrap();
            } else {
                std::fs::write(&p, body).unwrap();
                if body.starts_with("#!") {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
                }
            }
        }
        dir
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A hook and a config that would each create the canary if git ran them.
fn git_payload(canary: &Path) -> (String, String) {
    let hook = format!("#!/bin/sh\ntouch {}\n", canary.display());
    let config = format!(
        "[core]\n\tfsmonitor = \"touch {} #\"\n\thooksPath = hooks\n",
        canary.display()
    );
    (hook, config)
}

#[test]
fn a_pack_cannot_place_repository_metadata() {
    let w = Work::new();
    let (hook, config) = git_payload(&w.canary());
    let cases: Vec<(&str, PathBuf)> = vec![
        (
            "a path segment that renders to .git",
            w.pack(
                "seg",
                "[[variables]]\nname = \"meta\"\ntype = \"string\"\ndefault = \".git\"\n",
                &[
                    ("{{ meta }}/config", &config),
                    ("{{ meta }}/hooks/pre-commit", &hook),
                    ("README.md", "r"),
                ],
            ),
        ),
        (
            "a path segment that renders to .GIT",
            w.pack(
                "upper",
                "[[variables]]\nname = \"meta\"\ntype = \"string\"\ndefault = \".GIT\"\n",
                &[("{{ meta }}/config", &config), ("README.md", "r")],
            ),
        ),
        (
            "an include into .git",
            w.pack(
                "inc",
                "[[include]]\npack = \"sub\"\ninto = \".git\"\n",
                &[
                    ("README.md", "r"),
                    (
                        "sub/pack.toml",
                        "[pack]\nname = \"sub\"\nversion = \"1.0.0\"\ndescription = \"s\"\n",
                    ),
                    ("sub/config", &config),
                    ("sub/hooks/post-commit", &hook),
                ],
            ),
        ),
        (
            "a link named .git",
            w.pack(
                "link",
                "",
                &[
                    ("meta/config", &config),
                    ("meta/hooks/pre-commit", &hook),
                    (".git", "->meta"),
                    ("README.md", "r"),
                ],
            ),
        ),
    ];
    for (what, pack) in cases {
        let before = w.outside("demo");
        let pack_arg = pack.display().to_string();
        let out = w.run(&["new", "demo", "--yes", "--pack", &pack_arg]);
        assert_ne!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(".git"),
            "{what}: the error names the reason: {}",
            stderr(&out)
        );
        assert!(!w.path("out/demo").exists(), "{what}: nothing written");
        assert!(!w.canary().exists(), "{what}: git ran the pack's code");
        assert_eq!(
            before,
            w.outside("demo"),
            "{what}: written outside the target"
        );
        // `pack lint` flags it too.
        let lint = w.run(&["pack", "lint", &pack_arg]);
        assert_ne!(lint.status.code(), Some(0), "{what}: lint passed");
        let said = format!("{}{}", String::from_utf8_lossy(&lint.stdout), stderr(&lint));
        assert!(said.contains(".git"), "{what}: lint says why: {said}");
    }
}

#[test]
fn the_git_step_ignores_hostile_configuration() {
    let w = Work::new();
    // Even a user configuration that points hooks and the monitor at code is not honoured.
    let (hook, _) = git_payload(&w.canary());
    std::fs::create_dir_all(w.path("home/hooks")).unwrap();
    for h in ["pre-commit", "post-commit", "post-index-change"] {
        let p = w.path("home/hooks").join(h);
        std::fs::write(&p, &hook).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        w.path("home/.gitconfig"),
        format!(
            "[user]\n\tname = T\n\temail = t@example.invalid\n[core]\n\thooksPath = {}\n\tfsmonitor = \"touch {} #\"\n[init]\n\ttemplateDir = {}\n",
            w.path("home/hooks").display(),
            w.canary().display(),
            w.path("home").display()
        ),
    )
    .unwrap();
    let mini = mini_pack().display().to_string();
    let out = w.run(&["new", "demo", "--yes", "--pack", &mini]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!w.canary().exists(), "git ran a hook or the monitor");
    let log = Command::new("git")
        .args(["log", "--oneline"])
        .current_dir(w.path("out/demo"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&log.stdout).contains("Initial commit"));
    assert!(
        !w.path("out/app/.git/hooks").exists(),
        "no template was copied"
    );
}

fn git_ls_files(dir: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn force_keeps_secrets_and_commits_only_what_scaffold_wrote() {
    use std::os::unix::fs::PermissionsExt;
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--force", "--pack"])
        .args([mini_pack()]);
    let root = s.path("api");
    std::fs::create_dir_all(root.join("secrets")).unwrap();
    std::fs::write(root.join(".gitignore"), "secrets/\n.env\n").unwrap();
    std::fs::write(root.join("secrets/prod.pem"), "PRIVATE KEY").unwrap();
    std::fs::write(root.join(".env"), "SECRET=the-users-own\n").unwrap();
    std::fs::set_permissions(root.join(".env"), std::fs::Permissions::from_mode(0o640)).unwrap();

    // --force once: the user's .gitignore is not scaffold's, so nothing is written.
    s.run()
        .fails_with(2, "`.gitignore`")
        .fails_with(2, "scaffold update");
    assert_eq!(read(&root.join(".gitignore")), "secrets/\n.env\n");

    // Twice: the .gitignore is replaced, the .env never is, and the first commit holds only
    // scaffold's files.
    let mut s = s.args(["--force"]);
    let run = s.run();
    run.success();
    assert!(
        run.stderr().contains("kept your `.env`"),
        "{}",
        run.stderr()
    );
    assert_eq!(read(&root.join(".env")), "SECRET=the-users-own\n");
    let mode = std::fs::metadata(root.join(".env"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "the user's .env keeps its mode");
    let committed = git_ls_files(&root);
    assert!(
        committed.contains(&"README.md".to_string()),
        "{committed:?}"
    );
    assert!(
        !committed
            .iter()
            .any(|f| f.starts_with("secrets/") || f == ".env"),
        "{committed:?}"
    );
    let leftovers: Vec<String> = crate::helpers::entries(&root)
        .into_iter()
        .filter(|e| e.contains("scaffold-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn generated_env_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    for stack in ["fastapi", "express", "nestjs", "django", "hybrid"] {
        let mut s = Scaffold::new().args(["new", "svc", "--stack", stack, "--yes", "--no-git"]);
        s.run().success();
        let root = s.path("svc");
        let envs: Vec<PathBuf> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == ".env")
            .map(|e| e.path().to_path_buf())
            .collect();
        assert!(!envs.is_empty(), "{stack}: no .env");
        for env in envs {
            let mode = std::fs::metadata(&env).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{stack}: {} is {mode:o}", env.display());
        }
    }
}
