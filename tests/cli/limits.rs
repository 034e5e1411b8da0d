//! Every input is bounded by size and every evaluation by time: `new`, `pack lint` and
//! `pack test` stop at the same limits with an error naming the limit and how to raise it.

use std::time::{Duration, Instant};

use crate::helpers::{entries, minimal_pack, Scaffold};

/// 10^10 iterations that print nothing: only a time limit stops it.
const SPIN: &str =
    "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}";

fn spinning_pack(s: &Scaffold) {
    minimal_pack(&s.path("p"));
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[checks]\nrun = ['true']\n",
    )
    .unwrap();
    std::fs::write(s.path("p/spin.tera"), SPIN).unwrap();
}

#[test]
fn pack_lint_stops_a_template_that_never_ends() {
    let mut s = Scaffold::new()
        .args(["pack", "lint", "p"])
        .env("SCAFFOLD_RENDER_TIMEOUT", "2");
    spinning_pack(&s);
    let started = Instant::now();
    let run = s.run();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stdout().contains("rendering took longer than 2 s")
            && run.stdout().contains("SCAFFOLD_RENDER_TIMEOUT"),
        "{}",
        run.stdout()
    );
}

#[test]
fn pack_test_stops_a_template_that_never_ends() {
    let mut s = Scaffold::new()
        .args(["pack", "test", "p", "--trust"])
        .env("SCAFFOLD_RENDER_TIMEOUT", "2");
    spinning_pack(&s);
    let started = Instant::now();
    s.run().fails_with(1, "rendering took longer than 2 s");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_derived_value_that_never_ends_is_stopped_too() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--no-git", "--pack", "p"])
        .env("SCAFFOLD_RENDER_TIMEOUT", "2");
    minimal_pack(&s.path("p"));
    std::fs::write(
        s.path("p/pack.toml"),
        format!("[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[[derived]]\nname='x'\nvalue='{SPIN}'\n"),
    )
    .unwrap();
    let started = Instant::now();
    s.run()
        .fails_with(1, "rendering took longer than 2 s")
        .fails_with(1, "SCAFFOLD_RENDER_TIMEOUT");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn a_deep_chain_of_includes_is_refused_not_a_crash() {
    let mut s = Scaffold::new().args([
        "new",
        "api",
        "--yes",
        "--no-git",
        "--dry-run",
        "--pack",
        "p",
    ]);
    minimal_pack(&s.path("p"));
    for i in 0..800 {
        std::fs::write(
            s.path(&format!("p/t{i}.tera")),
            format!("{{% include \"t{}.tera\" %}}", i + 1),
        )
        .unwrap();
    }
    std::fs::write(s.path("p/t800.tera"), "end").unwrap();
    s.run()
        .fails_with(1, "templates include each other")
        .fails_with(1, "SCAFFOLD_MAX_TEMPLATE_DEPTH");
}

#[test]
fn a_string_grown_by_replace_is_bounded() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--no-git", "--pack", "p"])
        .env("SCAFFOLD_MAX_FILE_MIB", "1");
    minimal_pack(&s.path("p"));
    std::fs::write(
        s.path("p/grow.tera"),
        "{% set s = 'xxxxxxxxxxxxxxxx' %}{% for i in range(end=60) %}{% set_global s = s | replace(from='x', to='xx') %}{% endfor %}done",
    )
    .unwrap();
    s.run()
        .fails_with(1, "`replace` would build a string of more than 1 MiB")
        .fails_with(1, "SCAFFOLD_MAX_FILE_MIB");
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn include_fan_out_is_capped_before_rendering() {
    let mut s = Scaffold::new().args([
        "new",
        "api",
        "--yes",
        "--no-git",
        "--dry-run",
        "--pack",
        "p",
    ]);
    // p includes a ten times, a includes b ten times, b includes c ten times: 1,111 packs.
    let mut dir = s.path("p");
    for (name, child) in [
        ("p", Some("a")),
        ("a", Some("b")),
        ("b", Some("c")),
        ("c", None),
    ] {
        std::fs::create_dir_all(&dir).unwrap();
        let mut manifest = format!("[pack]\nname='{name}'\nversion='0.1.0'\ndescription='x'\n");
        if let Some(child) = child {
            for i in 0..10 {
                manifest.push_str(&format!("[[include]]\npack='{child}'\ninto='{child}{i}'\n"));
            }
        }
        std::fs::write(dir.join("pack.toml"), manifest).unwrap();
        std::fs::write(dir.join("data.txt"), "x".repeat(1000)).unwrap();
        if let Some(child) = child {
            dir = dir.join(child);
        }
    }
    s.run()
        .fails_with(1, "renders more than 64 packs")
        .fails_with(1, "SCAFFOLD_MAX_PACKS");
}

#[test]
fn includes_stay_inside_the_pack() {
    for bad in ["../outside", "/tmp", "a/../../x"] {
        let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
        minimal_pack(&s.path("outside"));
        minimal_pack(&s.path("p"));
        std::fs::write(
            s.path("p/pack.toml"),
            format!("[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[[include]]\npack='{bad}'\ninto='x'\n"),
        )
        .unwrap();
        s.run().fails_with(
            1,
            "must name a built-in pack or a directory inside this pack",
        );
        let mut lint = Scaffold::new().args(["pack", "lint", "p"]);
        minimal_pack(&lint.path("p"));
        std::fs::copy(s.path("p/pack.toml"), lint.path("p/pack.toml")).unwrap();
        let run = lint.run();
        assert_eq!(run.code(), 2);
        assert!(
            run.stdout().contains("inside this pack"),
            "{bad}: {}",
            run.stdout()
        );
    }
}

#[test]
fn an_included_directory_linked_outside_is_refused() {
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    minimal_pack(&s.path("outside"));
    minimal_pack(&s.path("p"));
    std::os::unix::fs::symlink(s.path("outside"), s.path("p/inner")).unwrap();
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[[include]]\npack='inner'\ninto='x'\n",
    )
    .unwrap();
    s.run().fails_with(1, "outside the pack");
}

#[test]
fn big_templates_are_refused_before_they_are_read_whole() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--no-git", "--pack", "p"])
        .env("SCAFFOLD_MAX_TEMPLATE_MIB", "1");
    minimal_pack(&s.path("p"));
    std::fs::write(s.path("p/big.txt.tera"), "x".repeat(2 * 1024 * 1024)).unwrap();
    s.run()
        .fails_with(1, "the template `big.txt.tera` is larger than 1 MiB")
        .fails_with(1, "SCAFFOLD_MAX_TEMPLATE_MIB");
}

#[test]
fn an_endless_answers_file_ends_at_once() {
    let mut s = Scaffold::new().args([
        "new",
        "api",
        "--yes",
        "--no-git",
        "--stack",
        "fastapi",
        "--answers",
        "/dev/zero",
    ]);
    let started = Instant::now();
    s.run()
        .fails_with(2, "larger than 32 MiB")
        .fails_with(2, "SCAFFOLD_MAX_ANSWERS_MIB");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A 10,000-file pack (9,000 verbatim 1,200-byte files, 1,000 templates) renders under an
/// address-space cap (`prlimit --as`) and within a bound on its peak resident memory, as GNU
/// `time` reports it for that one process. (Read through `time`, which forks it from a small
/// process: a child spawned straight from this many-threaded test process would carry the
/// test process's own peak into its figure.) The address-space cap is mostly the render
/// worker's 64 MiB stack; the bound on resident memory is what a render of this size may
/// hold. Under the cap the render holds no more than it does without one: the threads share
/// the main allocator arena instead of each failing to reserve one of its own and mapping
/// pages for every allocation.
#[test]
fn ten_thousand_files_render_in_bounded_memory() {
    const AS_CAP: u64 = 128 * 1024 * 1024;
    const RSS_CAP_KIB: u64 = 40 * 1024;
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("big");
    std::fs::create_dir(&pack).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"big\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\n[[variables]]\nname = \"flavour\"\ntype = \"choice\"\nchoices = [\"plain\", \"fancy\"]\ndefault = \"plain\"\n",
    )
    .unwrap();
    let blob = "x".repeat(1200);
    for d in 0..10 {
        let dir = pack.join(format!("dir{d}"));
        std::fs::create_dir(&dir).unwrap();
        for f in 0..900 {
            std::fs::write(dir.join(format!("file{f}.txt")), &blob).unwrap();
        }
        for f in 0..100 {
            std::fs::write(
                dir.join(format!("tpl{f}.py.tera")),
                format!("# {{{{ project_name }}}} ({d}-{f})\nflavour = \"{{{{ flavour }}}}\"\n{{% if flavour == \"fancy\" %}}fancy{{% endif %}}\n"),
            )
            .unwrap();
        }
    }
    let out = work.path().join("out");
    let peak = work.path().join("peak");
    // GNU time reads scaffold's own peak (a spawn from this process would report ours); a
    // machine without it (or prlimit) says so instead of failing.
    let has = |tool: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !std::path::Path::new("/usr/bin/time").is_file() || !has("prlimit") {
        eprintln!(
            "note: ten_thousand_files_render_in_bounded_memory did not run: it needs GNU time (/usr/bin/time, package `time`) and prlimit (util-linux)"
        );
        return;
    }
    let cap = format!("--as={AS_CAP}");
    let run = new_under_time(
        &peak,
        &["prlimit", &cap, "--"],
        "big-app",
        &pack,
        work.path(),
    );
    assert!(
        run.status.success(),
        "scaffold failed under a {} MiB address-space cap: {}",
        AS_CAP >> 20,
        String::from_utf8_lossy(&run.stderr)
    );
    let files = crate::helpers::tree(&out.join("big-app"));
    assert_eq!(files.iter().filter(|f| f.ends_with(".txt")).count(), 9000);
    assert_eq!(files.iter().filter(|f| f.ends_with(".py")).count(), 1000);
    let capped_kib = peak_kib(&peak);
    assert!(
        capped_kib <= RSS_CAP_KIB,
        "peak resident memory {capped_kib} KiB, more than {RSS_CAP_KIB} KiB"
    );
    std::fs::remove_dir_all(&out).unwrap();
    let free = new_under_time(&peak, &[], "big-app", &pack, work.path());
    assert!(free.status.success());
    let free_kib = peak_kib(&peak);
    assert!(
        capped_kib <= free_kib + free_kib / 10,
        "peak resident memory {capped_kib} KiB under the address-space cap, {free_kib} KiB without"
    );
}

/// The verbatim files of a directory pack are not all held in memory: 60 MiB of them (80 files
/// of 768 KiB, each small enough to have been loaded whole before) render under a resident
/// memory cap well below their size, and arrive intact.
#[test]
fn a_pack_larger_than_memory_allows_renders_in_flat_memory() {
    const RSS_CAP_KIB: u64 = 40 * 1024;
    const FILES: usize = 80;
    const SIZE: usize = 768 * 1024;
    if !std::path::Path::new("/usr/bin/time").is_file() {
        eprintln!("note: a_pack_larger_than_memory_allows_renders_in_flat_memory did not run: it needs GNU time (/usr/bin/time, package `time`)");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("assets");
    std::fs::create_dir_all(pack.join("static")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"assets\"\nversion = \"1.0.0\"\ndescription = \"d\"\n",
    )
    .unwrap();
    std::fs::write(pack.join("README.md.tera"), "# {{ project_name }}\n").unwrap();
    for i in 0..FILES {
        let byte = b'a' + u8::try_from(i % 26).unwrap();
        std::fs::write(
            pack.join(format!("static/asset{i:02}.bin")),
            vec![byte; SIZE],
        )
        .unwrap();
    }
    let out = work.path().join("out");
    let peak = work.path().join("peak");
    let run = new_under_time(&peak, &[], "assets-app", &pack, work.path());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let project = out.join("assets-app");
    for i in [0, FILES / 2, FILES - 1] {
        let bytes = std::fs::read(project.join(format!("static/asset{i:02}.bin"))).unwrap();
        let byte = b'a' + u8::try_from(i % 26).unwrap();
        assert!(
            bytes.len() == SIZE && bytes.iter().all(|b| *b == byte),
            "asset{i:02}"
        );
    }
    let record = std::fs::read_to_string(project.join(".scaffold.toml")).unwrap();
    assert_eq!(record.matches("\"static/asset").count(), FILES, "{record}");
    let peak_kib = peak_kib(&peak);
    assert!(
        peak_kib <= RSS_CAP_KIB,
        "peak resident memory {peak_kib} KiB for {} MiB of pack files, more than {RSS_CAP_KIB} KiB",
        (FILES * SIZE) >> 20
    );
    eprintln!(
        "peak resident memory {peak_kib} KiB for {} MiB of pack files",
        (FILES * SIZE) >> 20
    );
}

/// `scaffold new NAME --yes --no-git --pack PACK -o WORK/out` under GNU time, which writes
/// scaffold's own peak resident memory to `peak` (a spawn from this process would report
/// ours), behind `wrapper` (such as `prlimit --as=N --`) when given.
fn new_under_time(
    peak: &std::path::Path,
    wrapper: &[&str],
    name: &str,
    pack: &std::path::Path,
    work: &std::path::Path,
) -> std::process::Output {
    std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(peak)
        .args(wrapper)
        .arg(env!("CARGO_BIN_EXE_scaffold"))
        .args(["new", name, "--yes", "--no-git", "--pack"])
        .arg(pack)
        .arg("-o")
        .arg(work.join("out"))
        .env("HOME", work)
        .output()
        .expect("GNU time (package `time`) and the wrapper run scaffold")
}

/// The peak resident memory GNU time wrote, in KiB.
fn peak_kib(peak: &std::path::Path) -> u64 {
    std::fs::read_to_string(peak)
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("GNU time writes the peak resident memory in KiB")
}

/// A record larger than the answers file limit: `new` says so, naming the variable and the
/// value that reads it, and with that value `update` reads the record.
#[test]
fn a_record_past_the_answers_limit_is_announced() {
    let mut s = Scaffold::new()
        .args(["new", "many", "--yes", "--no-git", "--pack", "p"])
        .env("SCAFFOLD_MAX_ANSWERS_MIB", "1");
    minimal_pack(&s.path("p"));
    // 4,000 files with 230-character names: a record of about 1.2 MiB.
    let long = "n".repeat(225);
    std::fs::create_dir_all(s.path("p/d")).unwrap();
    for i in 0..4000 {
        std::fs::write(s.path(&format!("p/d/{long}{i:05}.txt")), "x").unwrap();
    }
    let run = s.run();
    run.success();
    let stderr = run.stderr();
    assert!(
        stderr.contains("MiB, more than the 1 MiB")
            && stderr.contains("SCAFFOLD_MAX_ANSWERS_MIB=2"),
        "{stderr}"
    );
    let project = s.path("many");
    let update = |mib: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_scaffold"))
            .args(["update", "--dry-run"])
            .current_dir(&project)
            .env("SCAFFOLD_MAX_ANSWERS_MIB", mib)
            .output()
            .unwrap()
    };
    let refused = update("1");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let read = update("2");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
}
