//! `scaffold update`: the corpus of pack changes × local edits, interruptions, bad input,
//! and a project made with the kept 0.1.0 packs following the current ones.

mod bad_input;
mod corpus;
mod history;
mod interrupt;
mod provenance;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `scaffold` binary with a private git identity and no user packs.
pub fn scaffold(home: &Path) -> Command {
    let gitconfig = home.join(".gitconfig");
    if !gitconfig.exists() {
        std::fs::write(
            &gitconfig,
            "[user]\n\tname = Test\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n",
        )
        .expect("git config");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.env("GIT_CONFIG_GLOBAL", &gitconfig)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("SCAFFOLD_PACKS_DIR", home.join("packs"))
        .env("NO_COLOR", "1")
        .env_remove("SCAFFOLD_UPDATE_STEP_DELAY_MS")
        .env_remove("SCAFFOLD_UPDATE_FAIL_AT");
    cmd
}

/// Run and return the output, with stderr shown on failure to spawn.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the scaffold binary runs")
}

/// Every file under `dir` (not .git) with its bytes and whether it is executable, sorted:
/// what "byte-identical" compares.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, bool)> {
    let mut out: Vec<(String, Vec<u8>, bool)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .display()
                .to_string();
            let bytes = std::fs::read(e.path()).expect("readable");
            let exec = e.metadata().expect("metadata").permissions().mode() & 0o111 != 0;
            (rel, bytes, exec)
        })
        .collect();
    out.sort();
    out
}

/// Entries of a directory's parent that an update left beside it (staging directories).
pub fn siblings(dir: &Path) -> Vec<PathBuf> {
    let parent = dir.parent().expect("a parent");
    let mut v: Vec<PathBuf> = std::fs::read_dir(parent)
        .expect("readable parent")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p != dir)
        .collect();
    v.sort();
    v
}

pub fn is_exec(path: &Path) -> bool {
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

pub fn set_exec(path: &Path, exec: bool) {
    let mut perms = std::fs::metadata(path).expect("exists").permissions();
    let mode = perms.mode();
    perms.set_mode(if exec { mode | 0o111 } else { mode & !0o111 });
    std::fs::set_permissions(path, perms).expect("chmod");
}
