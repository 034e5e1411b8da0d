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

/// How long after the start of round `round` to send its signal, for a run timed at `full`
/// microseconds: spread over the whole run and past its end, and every fourth round in its
/// first quarter, so some signals land before the rename even when the timing run was slow
/// and the rounds are fast (other tests share the machine).
fn signal_delay(rng: &mut Rng, round: u32, full: u64) -> Duration {
    let window = if round % 4 == 0 {
        full / 4
    } else {
        full + full / 2
    };
    Duration::from_micros(rng.below(window))
}

fn interrupt_many(signal: i32, rounds: u32) -> (u32, u32) {
    let work = tempfile::tempdir().unwrap();
    let pack = big_pack(work.path());
    let reference = work.path().join("reference");
    assert!(scaffold(&pack, &reference).status().unwrap().success());
    // The kills are spread over the time of a whole run: the fastest of three, so one run
    // slowed by a loaded machine does not push every kill past the end.
    let full = (0..3)
        .map(|i| {
            let out = work.path().join(format!("timing{i}"));
            let started = Instant::now();
            assert!(scaffold(&pack, &out).status().unwrap().success());
            started.elapsed().as_micros() as u64
        })
        .min()
        .unwrap_or(0);
    let mut rng = Rng(0x5eed_0000 + u64::try_from(signal).unwrap());
    let (mut absent, mut complete) = (0, 0);
    for round in 0..rounds {
        let out = work.path().join(format!("out{round}"));
        let mut child = scaffold(&pack, &out).spawn().unwrap();
        std::thread::sleep(signal_delay(&mut rng, round, full));
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
                // Ended by the SIGINT itself, after cleaning up (a calling shell sees 130
                // and stops its loop too), never by a plain exit code.
                use std::os::unix::process::ExitStatusExt;
                assert_eq!(
                    status.signal(),
                    Some(libc::SIGINT),
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
            "round {round}: {codes:?}\n{}\n{}",
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stderr)
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
    // With --force into an existing project, every file is staged before the first is
    // replaced: a failure while staging leaves the project untouched and nothing staged.
    let out = work.path().join("forced");
    assert!(scaffold(&pack, &out).status().unwrap().success());
    let mut cmd = scaffold(&pack, &out);
    cmd.args(["--force", "--force"])
        .env("SCAFFOLD_TEST_FAIL_AFTER", "0");
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
        .filter(|e| {
            let n = e.file_name().to_string_lossy();
            n.contains("scaffold-tmp") || n.contains("scaffold-stage")
        })
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

// ---- Fault runs for `--force`, the git step and races across PID namespaces ----------

/// Rounds per fault run: 2 in a plain `cargo test`, more with `SCAFFOLD_FAULT_ROUNDS`.
fn fault_rounds() -> u32 {
    std::env::var("SCAFFOLD_FAULT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

/// The big pack again at `root/v2-pack`, every file with other content.
fn big_pack_v2(root: &Path) -> PathBuf {
    let base = root.join("v2");
    let pack = big_pack(&base);
    for e in walkdir::WalkDir::new(&pack)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() && e.file_name() != "pack.toml" {
            let mut body = std::fs::read(e.path()).unwrap();
            body.extend_from_slice(b"v2\n");
            std::fs::write(e.path(), body).unwrap();
        }
    }
    pack
}

fn force_cmd(pack: &Path, out: &Path) -> Command {
    let mut cmd = scaffold(pack, out);
    cmd.args(["--force", "--force"]);
    cmd
}

/// How many files of `target` match the old and the new reference (and how many neither).
fn classify(target: &Path, old: &Path, new: &Path) -> (usize, usize, usize) {
    let (mut o, mut n, mut other) = (0, 0, 0);
    for f in tree(new) {
        let got = std::fs::read(target.join(&f)).ok();
        if got == std::fs::read(new.join(&f)).ok() {
            n += 1;
        } else if got == std::fs::read(old.join(&f)).ok() {
            o += 1;
        } else {
            other += 1;
        }
    }
    (o, n, other)
}

fn staged_leftovers(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy();
            n.starts_with(".scaffold-stage-") || n.contains(".scaffold-tmp-")
        })
        .count()
}

fn kill(child: &std::process::Child, signal: i32) {
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(i32::try_from(child.id()).unwrap(), signal);
    }
}

/// SIGINT, SIGTERM and SIGKILL at random moments of `--force --force` over an existing
/// project: after SIGINT/SIGTERM every file is old or every file is new, and the message
/// says which; after SIGKILL the staged files are removed by the next run.
#[test]
fn signals_during_force_never_mix_old_and_new() {
    let work = tempfile::tempdir().unwrap();
    let (old_pack, new_pack) = (big_pack(work.path()), big_pack_v2(work.path()));
    let old = work.path().join("old");
    let new = work.path().join("new");
    assert!(scaffold(&old_pack, &old).status().unwrap().success());
    assert!(scaffold(&new_pack, &new).status().unwrap().success());
    let (old, new) = (old.join("demo"), new.join("demo"));
    // Time one --force run to aim the signals.
    let probe = work.path().join("probe");
    crate::helpers::copy_dir(&old, &probe.join("demo"));
    let started = Instant::now();
    assert!(force_cmd(&new_pack, &probe).status().unwrap().success());
    let full = started.elapsed().as_micros() as u64;
    let mut rng = Rng(0xf0_2ce5);
    let (mut runs, mut mixed, mut leftovers_after_next, mut kill_mixed) = (0, 0, 0, 0);
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGKILL] {
        for round in 0..fault_rounds() {
            let out = work.path().join(format!("f{signal}-{round}"));
            let target = out.join("demo");
            crate::helpers::copy_dir(&old, &target);
            let child = force_cmd(&new_pack, &out).spawn().unwrap();
            std::thread::sleep(signal_delay(&mut rng, round, full));
            kill(&child, signal);
            let run = child.wait_with_output().unwrap();
            runs += 1;
            let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
            let (o, n, other) = classify(&target, &old, &new);
            assert_eq!(other, 0, "round {round}: a file neither old nor new");
            let is_mixed = o > 0 && n > 0;
            if signal == libc::SIGKILL {
                kill_mixed += usize::from(is_mixed);
                if staged_leftovers(&target) > 0 {
                    let again = force_cmd(&new_pack, &out).output().unwrap();
                    assert!(again.status.success());
                    leftovers_after_next += staged_leftovers(&target);
                }
            } else {
                mixed += usize::from(is_mixed);
                assert!(
                    !is_mixed,
                    "signal {signal} round {round}: {o} old, {n} new: {stderr}"
                );
                assert_eq!(staged_leftovers(&target), 0, "round {round}: {stderr}");
                if stderr.contains("nothing was written") {
                    assert_eq!(n, 0, "said nothing was written: {stderr}");
                }
                if stderr.contains("every file was written") {
                    assert_eq!(o, 0, "{stderr}");
                }
            }
        }
    }
    eprintln!(
        "--force: {runs} signalled runs, {mixed} mixed trees after SIGINT/SIGTERM, {kill_mixed} mixed after SIGKILL (killed during the renames), {leftovers_after_next} staged files left after the next run"
    );
    assert_eq!(leftovers_after_next, 0);
}

fn git_new(pack: &Path, out: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.args(["new", "demo", "--yes", "--pack"])
        .arg(pack)
        .arg("-o")
        .arg(out)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Whether `dir` holds a complete repository whose one commit has every file.
fn complete_repository(dir: &Path) -> bool {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap()
    };
    let log = git(&["rev-list", "--count", "HEAD"]);
    let status = git(&["status", "--porcelain"]);
    log.status.success()
        && String::from_utf8_lossy(&log.stdout).trim() == "1"
        && status.status.success()
        && status.stdout.is_empty()
        && !dir.join(".git/index.lock").exists()
}

/// Signals at random moments of a run with the git step: the project appears with its
/// complete repository or not at all, and a rerun never fails because of a half-made one.
#[test]
fn signals_during_the_git_step_leave_no_half_made_repository() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = T\n\temail = t@example.invalid\n",
    )
    .unwrap();
    let pack = big_pack(work.path());
    let probe = work.path().join("probe");
    let started = Instant::now();
    assert!(git_new(&pack, &probe, &home).status().unwrap().success());
    let full = started.elapsed().as_micros() as u64;
    assert!(complete_repository(&probe.join("demo")));
    let mut rng = Rng(0x0917_57e9);
    let (mut runs, mut absent, mut complete, mut half) = (0, 0, 0, 0);
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGKILL] {
        for round in 0..fault_rounds() {
            let out = work.path().join(format!("g{signal}-{round}"));
            let child = git_new(&pack, &out, &home).spawn().unwrap();
            // Aim at the second half of the run, where the git step is.
            std::thread::sleep(Duration::from_micros(full / 3 + rng.below(full)));
            kill(&child, signal);
            let run = child.wait_with_output().unwrap();
            runs += 1;
            let target = out.join("demo");
            if target.exists() {
                if complete_repository(&target) {
                    complete += 1;
                } else {
                    half += 1;
                }
            } else {
                absent += 1;
                // A rerun works: no half-made repository stands in the way.
                let again = git_new(&pack, &out, &home).output().unwrap();
                assert!(
                    again.status.success(),
                    "round {round}: {}",
                    String::from_utf8_lossy(&again.stderr)
                );
                assert!(complete_repository(&target));
            }
            if signal != libc::SIGKILL {
                // Ended by the signal itself, after saying so once the handler was installed.
                use std::os::unix::process::ExitStatusExt;
                let stderr = String::from_utf8_lossy(&run.stderr);
                if run.status.signal() == Some(signal) && !stderr.is_empty() {
                    assert!(stderr.contains("interrupted"), "{stderr}");
                }
                assert_ne!(
                    run.status.code(),
                    Some(130),
                    "round {round}: exited, not re-raised"
                );
            }
            assert_eq!(entries(&out), ["demo"], "round {round}: left behind");
        }
    }
    eprintln!(
        "git step: {runs} signalled runs, {absent} absent, {complete} complete with their repository, {half} half-made repositories"
    );
    assert_eq!(half, 0);
}

/// A concurrent process swaps a directory of the target for a link to another directory
/// in a loop while `--force` writes: nothing ever lands outside the target.
#[test]
fn swapping_a_directory_for_a_link_during_force_cannot_redirect_writes() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let work = tempfile::tempdir().unwrap();
    let (old_pack, new_pack) = (big_pack(work.path()), big_pack_v2(work.path()));
    let old = work.path().join("old");
    assert!(scaffold(&old_pack, &old).status().unwrap().success());
    let outside = work.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let (mut runs, mut refused, mut written) = (0, 0, 0);
    for round in 0..fault_rounds() * 2 {
        let out = work.path().join(format!("s{round}"));
        let target = out.join("demo");
        crate::helpers::copy_dir(&old.join("demo"), &target);
        let stop = Arc::new(AtomicBool::new(false));
        let swapper = {
            let (stop, target, outside) = (Arc::clone(&stop), target.clone(), outside.clone());
            std::thread::spawn(move || {
                let (dir, real) = (target.join("d05"), target.join("d05.real"));
                while !stop.load(Ordering::SeqCst) {
                    if std::fs::rename(&dir, &real).is_ok() {
                        let _ = std::os::unix::fs::symlink(&outside, &dir);
                        std::thread::yield_now();
                        let _ = std::fs::remove_file(&dir);
                        let _ = std::fs::rename(&real, &dir);
                    }
                    // The real directory stays a while, so some runs get past the checks
                    // and meet the swap while they write.
                    std::thread::sleep(Duration::from_micros(300));
                }
            })
        };
        let run = force_cmd(&new_pack, &out).output().unwrap();
        stop.store(true, Ordering::SeqCst);
        swapper.join().unwrap();
        runs += 1;
        if run.status.success() {
            written += 1;
        } else {
            refused += 1;
        }
        assert!(
            entries(&outside).is_empty(),
            "round {round}: written outside the target: {:?}",
            entries(&outside)
        );
    }
    eprintln!(
        "TOCTOU swap: {runs} runs ({written} written, {refused} refused), 0 files outside the target"
    );
}

/// Two runs in different PID namespaces (as in two containers sharing a volume) race for
/// one target: one wins, the loser exits 2, the tree is complete and nothing is left.
#[test]
fn runs_in_different_pid_namespaces_race_for_one_target() {
    let works = Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        eprintln!(
            "skipped: `unshare --pid --fork` is not available here (needs root or user namespaces)"
        );
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let pack = big_pack(work.path());
    let reference = work.path().join("reference");
    assert!(scaffold(&pack, &reference).status().unwrap().success());
    let spawn = |out: &Path| {
        Command::new("unshare")
            .args(["--pid", "--fork", "--"])
            .arg(env!("CARGO_BIN_EXE_scaffold"))
            .args(["new", "demo", "--yes", "--no-git", "--pack"])
            .arg(&pack)
            .arg("-o")
            .arg(out)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let rounds = fault_rounds() * 2;
    for round in 0..rounds {
        let out = work.path().join(format!("ns{round}"));
        // A leftover of a killed run, so both runs go through the clean-up.
        std::fs::create_dir_all(out.join(".demo.scaffold-tmp-1-deadbeef/d00")).unwrap();
        let (a, b) = (spawn(&out), spawn(&out));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let codes = [a.status.code(), b.status.code()];
        assert!(
            codes.contains(&Some(0)) && codes.contains(&Some(2)),
            "round {round}: {codes:?} {} {}",
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stderr)
        );
        assert!(
            same_tree(&out.join("demo"), &reference.join("demo")),
            "round {round}"
        );
        assert_eq!(entries(&out), ["demo"], "round {round}");
    }
    eprintln!("PID namespaces: {rounds} races, {rounds} winners with a complete tree, 0 leftovers");
}
