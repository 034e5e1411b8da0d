//! Interrupts and races during the write phase: the target is either absent or complete
//! and identical to a clean render, and no temporary directory outlives a normal error or
//! SIGINT (one left by SIGKILL is removed by the next run, which says so).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{entries, tree};

/// A pack big enough for the write phase to take a while: 600 files in 12 directories.
fn big_pack(root: &Path) -> PathBuf {
    let pack = root.join("big-pack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"big\"\nversion = \"1.0.0\"\ndescription = \"many files\"\n",
    )
    .unwrap();
    for d in 0..12 {
        let dir = pack.join(format!("d{d:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..50 {
            let body = format!("{d}/{f} {}\n", "x".repeat(2000));
            if f % 10 == 0 {
                std::fs::write(
                    dir.join(format!("t{f}.txt.tera")),
                    format!("{{{{ project_name }}}} {body}"),
                )
                .unwrap();
            } else {
                std::fs::write(dir.join(format!("f{f}.txt")), body).unwrap();
            }
        }
    }
    pack
}

fn scaffold(pack: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.args(["new", "demo", "--yes", "--no-git", "--pack"])
        .arg(pack)
        .arg("-o")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn same_tree(a: &Path, b: &Path) -> bool {
    let files = tree(a);
    files == tree(b)
        && files
            .iter()
            .all(|f| std::fs::read(a.join(f)).ok() == std::fs::read(b.join(f)).ok())
}

/// A cheap xorshift, so the test needs no extra dependency and a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn interrupt_many(signal: i32, rounds: u32) -> (u32, u32) {
    let work = tempfile::tempdir().unwrap();
    let pack = big_pack(work.path());
    let reference = work.path().join("reference");
    let started = Instant::now();
    assert!(scaffold(&pack, &reference).status().unwrap().success());
    let full = started.elapsed().as_micros() as u64;
    let mut rng = Rng(0x5eed_0000 + u64::try_from(signal).unwrap());
    let (mut absent, mut complete) = (0, 0);
    for round in 0..rounds {
        let out = work.path().join(format!("out{round}"));
        let mut child = scaffold(&pack, &out).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(full + full / 2)));
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(i32::try_from(child.id()).unwrap(), signal);
        }
        let status = child.wait().unwrap();
        let target = out.join("demo");
        if target.exists() {
            assert!(
                same_tree(&target, &reference.join("demo")),
                "round {round}: a partial target"
            );
            complete += 1;
        } else {
            absent += 1;
        }
        let left: Vec<String> = entries(&out).into_iter().filter(|e| e != "demo").collect();
        if signal == libc::SIGINT {
            assert!(
                left.is_empty(),
                "round {round}: left behind after SIGINT: {left:?}"
            );
            if !target.exists() {
                // 130 once the handler is installed; killed by the signal itself in the
                // first instants of the process, before anything could be written.
                use std::os::unix::process::ExitStatusExt;
                let by_signal = status.signal() == Some(libc::SIGINT);
                assert!(
                    status.code() == Some(130) || by_signal,
                    "round {round}: {status:?}"
                );
            }
        } else if !left.is_empty() {
            // The next run into the same directory removes what SIGKILL left, and says so.
            let _ = std::fs::remove_dir_all(&target);
            let again = scaffold(&pack, &out).output().unwrap();
            assert!(again.status.success());
            let stderr = String::from_utf8_lossy(&again.stderr);
            assert!(
                stderr.contains("left behind by an earlier run that was killed"),
                "{stderr}"
            );
            assert_eq!(entries(&out), ["demo"], "round {round}");
        }
    }
    (absent, complete)
}

/// Rounds per signal: 25 in a plain `cargo test`, more with `SCAFFOLD_HARDENING_ROUNDS`.
fn rounds() -> u32 {
    std::env::var("SCAFFOLD_HARDENING_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25)
}

#[test]
fn sigint_during_write_leaves_nothing_partial() {
    let (absent, complete) = interrupt_many(libc::SIGINT, rounds());
    eprintln!("SIGINT: {absent} absent, {complete} complete, 0 partial");
    assert!(absent > 0, "some interrupts landed before the rename");
}

#[test]
fn sigkill_during_write_leaves_nothing_partial() {
    let (absent, complete) = interrupt_many(libc::SIGKILL, rounds());
    eprintln!("SIGKILL: {absent} absent, {complete} complete, 0 partial");
    assert!(absent > 0, "some kills landed before the rename");
}

#[test]
fn racing_runs_for_one_target() {
    let work = tempfile::tempdir().unwrap();
    let pack = big_pack(work.path());
    let reference = work.path().join("reference");
    assert!(scaffold(&pack, &reference).status().unwrap().success());
    for round in 0..5 {
        let out = work.path().join(format!("race{round}"));
        let a = scaffold(&pack, &out).spawn().unwrap();
        let b = scaffold(&pack, &out).spawn().unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let codes = [a.status.code(), b.status.code()];
        assert!(
            codes.contains(&Some(0)) && codes.contains(&Some(2)),
            "round {round}: {codes:?}"
        );
        let loser = if a.status.code() == Some(2) { &a } else { &b };
        assert!(String::from_utf8_lossy(&loser.stderr).contains("already exists"));
        assert!(same_tree(&out.join("demo"), &reference.join("demo")));
        assert_eq!(entries(&out), ["demo"]);
    }
}

#[test]
fn a_full_disk_in_the_middle_of_the_write_leaves_nothing() {
    let work = tempfile::tempdir().unwrap();
    let pack = big_pack(work.path());
    for fail_after in [0, 1, 250, 599] {
        let out = work.path().join(format!("out{fail_after}"));
        let run = scaffold(&pack, &out)
            .env("SCAFFOLD_TEST_FAIL_AFTER", fail_after.to_string())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("No space left on device"), "{stderr}");
        assert!(
            !out.exists() || entries(&out).is_empty(),
            "after {fail_after} files: {:?}",
            entries(&out)
        );
    }
    // With --force into an existing project, files already replaced stay (each is whole), the
    // rest is untouched, and no temporary file is left.
    let out = work.path().join("forced");
    assert!(scaffold(&pack, &out).status().unwrap().success());
    let mut cmd = scaffold(&pack, &out);
    cmd.arg("--force").env("SCAFFOLD_TEST_FAIL_AFTER", "0");
    std::fs::write(out.join("demo/d00/f1.txt"), "changed by the user").unwrap();
    let run = cmd.output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(out.join("demo/d00/f1.txt")).unwrap(),
        "changed by the user"
    );
    let temps = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("scaffold-tmp"))
        .count();
    assert_eq!(temps, 0);
}

#[test]
fn a_pack_of_100_000_files() {
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("many");
    for d in 0..100 {
        let dir = pack.join(format!("d{d:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..1000 {
            std::fs::write(dir.join(format!("f{f:04}.txt")), b"x").unwrap();
        }
    }
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"many\"\nversion = \"1.0.0\"\ndescription = \"d\"\n",
    )
    .unwrap();
    let out = work.path().join("out");
    let run = scaffold(&pack, &out).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // 100,000 files plus the record.
    assert_eq!(tree(&out.join("demo")).len(), 100_001);
}

#[test]
fn a_read_only_output_directory_is_refused_before_anything_is_written() {
    use std::os::unix::fs::PermissionsExt;
    // Root ignores permission bits, so run scaffold as `nobody` against a directory it
    // cannot write to.
    let work = tempfile::tempdir().unwrap();
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let pack = work.path().join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"p\"\nversion = \"1.0.0\"\ndescription = \"d\"\n",
    )
    .unwrap();
    std::fs::write(pack.join("a.txt"), "a").unwrap();
    let locked = work.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores permission bits: drop to `nobody` (setpriv, util-linux) for the run.
    // Anyone else is held to them already and runs scaffold directly.
    let mut cmd = if crate::helpers::is_root() {
        let setpriv = Command::new("setpriv").arg("--version").output();
        if !setpriv.is_ok_and(|o| o.status.success()) {
            crate::helpers::not_run(
                "a_read_only_output_directory_is_refused_before_anything_is_written",
                "running as root, and setpriv (util-linux) is not installed to drop to `nobody`",
            );
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_scaffold"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_scaffold"))
    };
    let run = cmd
        .args(["new", "demo", "--yes", "--no-git", "--pack"])
        .arg(&pack)
        .arg("-o")
        .arg(&locked)
        .env("HOME", work.path())
        .output()
        .expect("run scaffold");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is not writable"), "{stderr}");
    assert!(entries(&locked).is_empty());
}
