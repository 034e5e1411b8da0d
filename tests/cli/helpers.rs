//! A small fluent wrapper around the binary, in the style of `Scaffold::new().args(..).run()`.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The fixture pack the tests render.
pub fn mini_pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// A run of the binary in a fresh working directory.
pub struct Scaffold {
    cmd: Command,
    pub dir: tempfile::TempDir,
    _home: tempfile::TempDir,
}

/// The result of a run.
pub struct Run {
    pub out: Output,
}

impl Scaffold {
    pub fn new() -> Scaffold {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = tempfile::tempdir().expect("temp dir");
        let gitconfig = home.path().join(".gitconfig");
        let mut cmd = Command::cargo_bin("scaffold").expect("binary");
        cmd.current_dir(dir.path())
            .env_remove("NO_COLOR")
            // A git identity of its own so commits work the same everywhere.
            .env("GIT_CONFIG_GLOBAL", &gitconfig)
            // No user packs unless a test adds some.
            .env("SCAFFOLD_PACKS_DIR", home.path().join("packs"))
            .env("GIT_CONFIG_NOSYSTEM", "1");
        std::fs::write(
            &gitconfig,
            "[user]\n\tname = Test\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n",
        )
        .expect("git config");
        Scaffold {
            cmd,
            dir,
            _home: home,
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Scaffold
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Scaffold {
        self.cmd.env(k, v);
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn run(&mut self) -> Run {
        Run {
            out: self.cmd.output().expect("run scaffold"),
        }
    }
}

impl Run {
    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    #[track_caller]
    pub fn success(&self) -> &Run {
        assert_eq!(
            self.code(),
            0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
    #[track_caller]
    pub fn fails_with(&self, code: i32, needle: &str) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        assert!(
            self.stderr().contains(needle),
            "expected {needle:?} in stderr:\n{}",
            self.stderr()
        );
        self
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout())
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout()))
    }
}

/// Every file under `dir` (relative, sorted), `.git` excluded.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    files.sort();
    files
}

/// Every entry directly in `dir` (names, sorted).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).expect("inside");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// Run git in `dir` with a fixed identity, panicking on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Write the smallest valid `pack.toml` (pack `p`, no variables) into `dir`, creating it.
pub fn minimal_pack(dir: &Path) {
    std::fs::create_dir_all(dir).expect("pack dir");
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n",
    )
    .expect("pack.toml");
}

/// Whether the tests run as root (who ignores permission bits and may create devices).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Say, past the test harness's capture, that a test did not run and why: nothing passes
/// silently.
pub fn not_run(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "note: `{test}` did not run: {why}");
}
