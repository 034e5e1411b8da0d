//! A directory pack written into a new directory has its verbatim files read once, while
//! they are written (the pack's content hash and each file's hash taken then); `--force`
//! and `--dry-run` read them when the pack is loaded. Both must make the same project,
//! byte for byte, record included.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::helpers::{tree, Scaffold};

/// A pack with files on both sides of every size the write pass treats differently (empty,
/// one read, just past it, many reads), scripts, a link, a secret, a file renamed by its
/// path, a file a `[[files]]` rule drops, and enough small files for the writer threads.
fn varied_pack(pack: &Path) {
    std::fs::create_dir_all(pack.join("bin")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"varied\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\n[[variables]]\nname = \"extras\"\ntype = \"bool\"\ndefault = false\n\n[[files]]\nglob = \"extras/**\"\nwhen = \"extras\"\n",
    )
    .unwrap();
    std::fs::write(pack.join("README.md.tera"), "# {{ project_name }}\n").unwrap();
    std::fs::write(pack.join("empty.txt"), "").unwrap();
    let sized = |n: usize, seed: u8| -> Vec<u8> {
        (0..n)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    };
    for (name, n) in [
        ("one-read.bin", 65_535),
        ("exactly-one-read.bin", 65_536),
        ("just-past.bin", 65_537),
        ("many-reads.bin", 1_500_000),
    ] {
        std::fs::write(pack.join(name), sized(n, n as u8)).unwrap();
    }
    let mut script = b"#!/bin/sh\necho big\n".to_vec();
    script.extend(sized(200_000, 7));
    std::fs::write(pack.join("bin/big.sh"), script).unwrap();
    std::fs::write(pack.join("bin/run.sh"), "#!/bin/sh\necho run\n").unwrap();
    std::os::unix::fs::symlink("bin/run.sh", pack.join("run")).unwrap();
    std::fs::write(pack.join(".env"), "SECRET=1\n").unwrap();
    std::fs::create_dir_all(pack.join("{{ project_slug }}")).unwrap();
    std::fs::write(pack.join("{{ project_slug }}/named.txt"), "named\n").unwrap();
    std::fs::create_dir_all(pack.join("extras")).unwrap();
    std::fs::write(pack.join("extras/dropped.txt"), "dropped\n").unwrap();
    for d in 0..4 {
        let dir = pack.join(format!("many/d{d}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..100 {
            std::fs::write(dir.join(format!("f{f}.txt")), format!("{d}-{f}\n")).unwrap();
        }
    }
}

/// Every file and link under `dir` with its mode and its bytes (a link's target), sorted.
fn snapshot(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let mut entries: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|rel| {
            let path = dir.join(&rel);
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let bytes = if meta.file_type().is_symlink() {
                std::fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(&path).unwrap()
            };
            (rel, meta.permissions().mode() & 0o7777, bytes)
        })
        .collect()
}

#[test]
fn a_pack_read_at_write_makes_the_project_a_pack_read_now_makes() {
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("pack");
    varied_pack(&pack);
    let pack_arg = pack.display().to_string();
    // Into a new directory: read at write.
    let fresh = work.path().join("fresh");
    let run = Scaffold::new()
        .args([
            "new", "app", "--yes", "--no-git", "-v", "--pack", &pack_arg, "-o",
        ])
        .args([&fresh])
        .run();
    run.success();
    assert!(
        run.stderr().contains("(hashed as it is written)"),
        "{}",
        run.stderr()
    );
    // Into a directory that holds a file, with --force: read when the pack is loaded.
    let forced = work.path().join("forced");
    std::fs::create_dir_all(forced.join("app")).unwrap();
    std::fs::write(forced.join("app/stray.txt"), "mine\n").unwrap();
    let run = Scaffold::new()
        .args([
            "new", "app", "--yes", "--no-git", "--force", "-v", "--pack", &pack_arg, "-o",
        ])
        .args([&forced])
        .run();
    run.success();
    assert!(run.stderr().contains("(sha256:"), "{}", run.stderr());
    std::fs::remove_file(forced.join("app/stray.txt")).unwrap();

    let a = snapshot(&fresh.join("app"));
    let b = snapshot(&forced.join("app"));
    let names: Vec<&str> = a.iter().map(|(n, _, _)| n.as_str()).collect();
    for expected in [
        ".env",
        ".scaffold.toml",
        "README.md",
        "app/named.txt",
        "bin/big.sh",
        "empty.txt",
        "many-reads.bin",
        "many/d3/f99.txt",
        "run",
    ] {
        assert!(names.contains(&expected), "{expected} missing");
    }
    assert!(!names.iter().any(|n| n.starts_with("extras")), "{names:?}");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (&x.0, x.1),
            (&y.0, y.1),
            "the same entries with the same modes"
        );
        assert!(x.2 == y.2, "`{}` differs", x.0);
    }
    let mode = |rel: &str| a.iter().find(|(n, _, _)| n == rel).unwrap().1;
    assert_eq!(mode("bin/big.sh"), 0o755);
    assert_eq!(mode("bin/run.sh"), 0o755);
    assert_eq!(mode("many-reads.bin"), 0o644);
    assert_eq!(mode(".env"), 0o600);
    // The record names every kept file with its hash, and the pack's content hash is the
    // one a pack read now gets.
    let record = std::fs::read_to_string(fresh.join("app/.scaffold.toml")).unwrap();
    assert!(
        record.contains("\"many/d0/f0.txt\" = \"sha256:"),
        "{record}"
    );
    assert!(record.contains("content_hash = \"sha256:"), "{record}");
}

/// The limit on a project's size holds when the files are only read while they are
/// written: the run fails and leaves nothing.
#[test]
fn the_size_limit_holds_for_a_pack_read_at_write() {
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nname = \"heavy\"\nversion = \"1.0.0\"\ndescription = \"d\"\n",
    )
    .unwrap();
    for i in 0..3 {
        std::fs::write(pack.join(format!("part{i}.bin")), vec![b'x'; 700 * 1024]).unwrap();
    }
    let out = work.path().join("out");
    Scaffold::new()
        .env("SCAFFOLD_MAX_TOTAL_MIB", "1")
        .args(["new", "app", "--yes", "--no-git", "--pack"])
        .args([&pack])
        .args(["-o"])
        .args([&out])
        .run()
        .fails_with(1, "SCAFFOLD_MAX_TOTAL_MIB");
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "{:?}",
        tree(&out)
    );
}
