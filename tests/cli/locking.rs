//! Runs that write into the same project are serialised by the project lock: two
//! `new --force` runs, or `new --force` and `update`, never interleave; a run that finds
//! the project held waits (up to `SCAFFOLD_LOCK_TIMEOUT` seconds) and then writes against
//! the tree the other one left, or gives up with exit 1 having written nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sha2::{Digest, Sha256};

/// A pack whose every file says which `flavour` rendered it.
fn flavour_pack(dir: &Path, files: usize) -> PathBuf {
    let pack = dir.join("pack");
    std::fs::create_dir_all(pack.join("src")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"flavours\"\nversion = \"1.0.0\"\ndescription = \"one value in every file\"\n\n[[variables]]\nname = \"flavour\"\ntype = \"string\"\ndefault = \"plain\"\n",
    )
    .unwrap();
    for i in 0..files {
        std::fs::write(
            pack.join(format!("src/f{i:04}.txt.tera")),
            format!("{{{{ flavour }}}} {i}\n"),
        )
        .unwrap();
    }
    pack
}

fn scaffold(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.current_dir(dir)
        .env("SCAFFOLD_PACKS_DIR", dir.join("no-user-packs"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The flavour every file of the project holds, after checking that the project is one
/// clean render: every file of the pack there with one and the same flavour, the record's
/// `flavour` that one, and every `[files]` hash of the record the file's bytes on disk.
fn one_clean_render(project: &Path, files: usize) -> Result<String, String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..files {
        let path = project.join(format!("src/f{i:04}.txt"));
        let body = std::fs::read_to_string(&path).map_err(|e| format!("{path:?}: {e}"))?;
        let flavour = body
            .strip_suffix(&format!(" {i}\n"))
            .ok_or_else(|| format!("{path:?} holds {body:?}"))?;
        *seen.entry(flavour.to_string()).or_default() += 1;
    }
    if seen.len() != 1 {
        return Err(format!("a mixed tree: files per flavour {seen:?}"));
    }
    let flavour = seen.into_keys().next().unwrap_or_default();
    let record: toml::Table = std::fs::read_to_string(project.join(".scaffold.toml"))
        .map_err(|e| e.to_string())?
        .parse()
        .map_err(|e| format!("the record does not parse: {e}"))?;
    let recorded = record["variables"]["flavour"].as_str().unwrap_or_default();
    if recorded != flavour {
        return Err(format!(
            "the record says flavour `{recorded}`, the files `{flavour}`"
        ));
    }
    let hashes = record["files"]
        .as_table()
        .ok_or("the record has no [files]")?;
    if hashes.len() != files {
        return Err(format!("the record lists {} files", hashes.len()));
    }
    for (path, hash) in hashes {
        let bytes = std::fs::read(project.join(path)).map_err(|e| format!("{path}: {e}"))?;
        let on_disk = format!("sha256:{:x}", Sha256::digest(&bytes));
        if hash.as_str() != Some(on_disk.as_str()) {
            return Err(format!("the record's hash of `{path}` is not the file's"));
        }
    }
    let stray: Vec<String> = std::fs::read_dir(project)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n != "src" && n != ".scaffold.toml")
        .collect();
    if !stray.is_empty() {
        return Err(format!("left in the project: {stray:?}"));
    }
    Ok(flavour)
}

/// Two `new --force` runs into one existing project, started together with different
/// answers: both succeed (the second waits for the first), and the result is one clean
/// render of one of them, never a mix, with a record that matches it. Without the lock
/// their renames interleave, or one refuses the files the other just wrote.
#[test]
fn concurrent_force_runs_are_serialised() {
    const FILES: usize = 400;
    let rounds: usize = std::env::var("SCAFFOLD_LOCK_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let tmp = tempfile::tempdir().unwrap();
    let pack = flavour_pack(tmp.path(), FILES);
    let pack_arg = pack.display().to_string();
    let made = scaffold(
        tmp.path(),
        &["new", "app", "--yes", "--no-git", "--pack", &pack_arg],
    )
    .output()
    .unwrap();
    assert!(made.status.success(), "{}", text(&made));
    let project = tmp.path().join("app");
    let mut last = Vec::new();
    for round in 0..rounds {
        let runs: Vec<_> = ["red", "blue"]
            .iter()
            .map(|flavour| {
                let set = format!("flavour={flavour}-{round}");
                scaffold(
                    tmp.path(),
                    &[
                        "new", "app", "--yes", "--no-git", "--force", "--pack", &pack_arg, "--set",
                        &set,
                    ],
                )
                .spawn()
                .unwrap()
            })
            .collect();
        let outs: Vec<Output> = runs
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        for o in &outs {
            assert!(
                o.status.success(),
                "round {round}: a run failed\n{}\n--- the other run:\n{}",
                text(o),
                outs.iter().map(text).collect::<Vec<_>>().join("\n")
            );
        }
        match one_clean_render(&project, FILES) {
            Ok(flavour) => last.push(flavour),
            Err(why) => panic!(
                "round {round}: {why}\n{}",
                outs.iter().map(text).collect::<Vec<_>>().join("\n---\n")
            ),
        }
    }
    assert_eq!(last.len(), rounds);
}

/// A run that finds the project held waits, and gives up after `SCAFFOLD_LOCK_TIMEOUT`
/// seconds with exit 1 and nothing written: `new --force` and `update` alike, so the two
/// take the same lock. Once the holder is gone, both proceed.
#[test]
fn a_held_project_makes_force_and_update_wait_then_give_up() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = flavour_pack(tmp.path(), 3);
    let pack_arg = pack.display().to_string();
    let made = scaffold(
        tmp.path(),
        &["new", "app", "--yes", "--no-git", "--pack", &pack_arg],
    )
    .output()
    .unwrap();
    assert!(made.status.success(), "{}", text(&made));
    let project = tmp.path().join("app");
    let before = std::fs::read(project.join("src/f0000.txt")).unwrap();
    // flock(1) holds the project directory as another run would (`-o`: only flock itself).
    let mut holder = Command::new("flock")
        .arg("-o")
        .arg(&project)
        .args(["sleep", "30"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let force = scaffold(
        tmp.path(),
        &[
            "new",
            "app",
            "--yes",
            "--no-git",
            "--force",
            "--pack",
            &pack_arg,
            "--set",
            "flavour=late",
        ],
    )
    .env("SCAFFOLD_LOCK_TIMEOUT", "1")
    .output()
    .unwrap();
    let waited = started.elapsed();
    let update = scaffold(&project, &["update", "--set", "flavour=late"])
        .env("SCAFFOLD_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    holder.kill().unwrap();
    holder.wait().unwrap();
    for (what, o) in [("new --force", &force), ("update", &update)] {
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("another scaffold run") && err.contains("SCAFFOLD_LOCK_TIMEOUT"),
            "{what}: {err}"
        );
    }
    assert!(
        waited >= std::time::Duration::from_millis(900),
        "{waited:?}"
    );
    assert_eq!(
        std::fs::read(project.join("src/f0000.txt")).unwrap(),
        before,
        "nothing was written while the project was held"
    );
    let update = scaffold(&project, &["update", "--set", "flavour=late"])
        .env("SCAFFOLD_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    assert!(update.status.success(), "{}", text(&update));
    assert_eq!(one_clean_render(&project, 3).as_deref(), Ok("late"));
}
