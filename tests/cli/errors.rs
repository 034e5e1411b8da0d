//! Every bad input gets a clear one-line error, the documented exit code, and leaves
//! nothing behind.

use crate::helpers::{entries, mini_pack, Scaffold};

fn new_mini(extra: &[&str]) -> Scaffold {
    Scaffold::new()
        .args(["new"])
        .args(extra)
        .args(["--no-git", "--pack"])
        .args([mini_pack()])
}

#[track_caller]
fn refused(mut s: Scaffold, code: i32, needle: &str) {
    let run = s.run();
    run.fails_with(code, needle);
    assert!(
        run.stdout().is_empty(),
        "nothing on stdout: {}",
        run.stdout()
    );
    assert!(run.stderr().starts_with("error: "), "{}", run.stderr());
    let left: Vec<String> = entries(s.dir.path());
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn unknown_stack() {
    refused(
        Scaffold::new().args(["new", "api", "--stack", "rails", "--yes"]),
        2,
        "unknown stack `rails` (expected one of: express, nestjs, django, fastapi, hybrid)",
    );
}

#[test]
fn malformed_and_unknown_set() {
    refused(
        new_mini(&["api", "--yes", "--set", "database"]),
        2,
        "is not KEY=VALUE",
    );
    refused(
        new_mini(&["api", "--yes", "--set", "colour=red"]),
        2,
        "has no variable `colour`",
    );
    refused(
        new_mini(&["api", "--yes", "--set", "database=mysql"]),
        2,
        "`mysql` is not one of: sqlite, postgres",
    );
    refused(
        new_mini(&["api", "--yes", "--set", "author=<b>"]),
        2,
        "does not match",
    );
    refused(
        new_mini(&["api", "--yes", "--set", "docker=maybe"]),
        2,
        "is not a boolean",
    );
    refused(
        new_mini(&["api", "--yes", "--set", "pool_size=many"]),
        2,
        "is not an integer",
    );
}

#[test]
fn bad_answers_files() {
    let s = new_mini(&["api", "--yes", "--answers", "missing.toml"]);
    refused(s, 2, "cannot read answers file `missing.toml`");

    let s = new_mini(&["api", "--yes", "--answers", "a.toml"]);
    std::fs::write(
        s.path("a.toml"),
        "stack = \"mini\"\n[variables]\ndatabase = \n",
    )
    .unwrap();
    let mut s = s;
    s.run().fails_with(2, "line 3");

    let mut s = new_mini(&["api", "--yes", "--answers", "a.toml"]);
    std::fs::write(s.path("a.toml"), "[variables]\ndatabase = \"oracle\"\n").unwrap();
    s.run().fails_with(
        2,
        "`oracle` is not one of: sqlite, postgres (from the answers file)",
    );

    let mut s = new_mini(&["api", "--yes", "--answers", "a.toml"]);
    std::fs::write(s.path("a.toml"), "colour = \"red\"\n").unwrap();
    s.run().fails_with(2, "unknown field `colour`");
}

#[test]
fn invalid_names() {
    for (name, needle) in [
        ("", "the name is empty"),
        ("a/b", "path separator"),
        ("..", "not a project name"),
        ("con", "reserved file name on Windows"),
        ("!!!", "no letters or digits"),
    ] {
        refused(new_mini(&[name, "--yes"]), 2, needle);
    }
}

#[test]
fn no_tty_and_missing_answers() {
    refused(
        Scaffold::new().args(["new", "--stack", "fastapi"]),
        2,
        "scaffold new NAME",
    );
    refused(Scaffold::new().args(["new", "api"]), 2, "pass --stack");
    // A variable without a default is a missing answer, named with its flag.
    let mut s = Scaffold::new().args(["new", "api", "--no-git", "--pack", "p"]);
    std::fs::create_dir(s.path("p")).unwrap();
    std::fs::write(
        s.path("p/pack.toml"),
        "[pack]\nname='p'\nversion='0.1.0'\ndescription='p'\n[[variables]]\nname='owner'\ntype='string'\n",
    )
    .unwrap();
    s.run().fails_with(2, "pass --set owner=VALUE");
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn output_that_cannot_be_created() {
    let mut s = new_mini(&["api", "--yes", "-o", "file/sub"]);
    std::fs::write(s.path("file"), "not a directory").unwrap();
    s.run()
        .fails_with(2, "output `file/sub`: `file` is not a directory");
    assert_eq!(entries(s.dir.path()), ["file"]);
}

#[test]
fn template_error_names_file_and_line_and_writes_nothing() {
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    std::fs::create_dir_all(s.path("p/src")).unwrap();
    crate::helpers::minimal_pack(&s.path("p"));
    std::fs::write(s.path("p/a.txt"), "fine").unwrap();
    std::fs::write(
        s.path("p/src/main.py.tera"),
        "one\ntwo {{ project_name \nthree\n",
    )
    .unwrap();
    let run = s.run();
    run.fails_with(1, "src/main.py.tera:3");
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn hostile_packs_are_refused_before_writing() {
    // A rendered path segment that climbs out of the target.
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    std::fs::create_dir_all(s.path("p/{{ '..' }}")).unwrap();
    crate::helpers::minimal_pack(&s.path("p"));
    std::fs::write(s.path("p/{{ '..' }}/escape.txt"), "x").unwrap();
    s.run().fails_with(1, "`.` or `..` segment");
    assert_eq!(entries(s.dir.path()), ["p"]);

    // A symlink to a file outside the pack.
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    crate::helpers::minimal_pack(&s.path("p"));
    std::os::unix::fs::symlink("/etc/hostname", s.path("p/hostname")).unwrap();
    s.run().fails_with(1, "symbolic link");
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn fifos_in_a_pack_are_refused() {
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    crate::helpers::minimal_pack(&s.path("p"));
    let fifo = std::ffi::CString::new(s.path("p/pipe").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    s.run().fails_with(1, "`pipe` is not a regular file");
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn device_files_in_a_pack_are_refused() {
    if !crate::helpers::is_root() {
        crate::helpers::not_run(
            "device_files_in_a_pack_are_refused",
            "creating a device file (mknod) needs root; FIFOs cover the non-regular-file check",
        );
        return;
    }
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    crate::helpers::minimal_pack(&s.path("p"));
    let dev = std::ffi::CString::new(s.path("p/null").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; /dev/null's device numbers (1, 3).
    let made = unsafe { libc::mknod(dev.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 3)) };
    assert_eq!(made, 0, "mknod as root");
    s.run().fails_with(1, "`null` is not a regular file");
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn not_a_pack() {
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--pack", "."]);
    s.run().fails_with(2, "is not a pack: it has no pack.toml");
}

#[test]
fn usage_errors_from_clap_are_exit_2() {
    let mut s = Scaffold::new().args(["new", "--bogus"]);
    assert_eq!(s.run().code(), 2);
    let mut s = Scaffold::new().args(["new", "a", "--stack", "fastapi", "--pack", "x"]);
    assert_eq!(s.run().code(), 2);
}

#[test]
fn a_template_that_never_ends_is_stopped() {
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--no-git", "--pack", "p"])
        .env("SCAFFOLD_RENDER_TIMEOUT", "2");
    crate::helpers::minimal_pack(&s.path("p"));
    // 10^10 iterations that print nothing: only a time limit stops it.
    std::fs::write(
        s.path("p/spin.tera"),
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let started = std::time::Instant::now();
    s.run().fails_with(1, "rendering took longer than 2 s");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(entries(s.dir.path()), ["p"]);
}

#[test]
fn non_utf8_names_and_contents() {
    use std::os::unix::ffi::OsStrExt;
    // A file name that is not UTF-8: refused, nothing written.
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    crate::helpers::minimal_pack(&s.path("p"));
    std::fs::write(
        s.path("p")
            .join(std::ffi::OsStr::from_bytes(b"bad\xffname")),
        "x",
    )
    .unwrap();
    s.run().fails_with(1, "file names must be UTF-8");
    assert_eq!(entries(s.dir.path()), ["p"]);

    // Binary contents: copied byte for byte when verbatim, refused in a template.
    let mut s = Scaffold::new().args(["new", "api", "--yes", "--no-git", "--pack", "p"]);
    crate::helpers::minimal_pack(&s.path("p"));
    let blob = [0u8, 0xff, 0xfe, b'{', b'{', 0x80];
    std::fs::write(s.path("p/logo.bin"), blob).unwrap();
    s.run().success();
    assert_eq!(std::fs::read(s.path("api/logo.bin")).unwrap(), blob);
    std::fs::write(s.path("p/bad.txt.tera"), blob).unwrap();
    let mut again = Scaffold::new()
        .args(["new", "other", "--yes", "--no-git", "--pack"])
        .args([s.path("p")]);
    again
        .run()
        .fails_with(1, "ends in .tera but is not UTF-8 text");
}
