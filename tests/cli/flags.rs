//! Bad values for every flag: empty, huge, not UTF-8, malformed. Each is exit 2 with one
//! short message that says what to do, and nothing is written.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use crate::helpers::{entries, Scaffold};

fn non_utf8() -> OsString {
    OsString::from_vec(vec![b'a', 0xff, 0xfe, b'z'])
}

#[test]
fn every_flag_refuses_bad_values() {
    let huge = "h".repeat(100_000);
    let cases: Vec<(Vec<OsString>, &str)> = vec![
        (vec!["".into()], "the name is empty"),
        (vec![huge.clone().into()], "longer than 214 characters"),
        (vec![non_utf8()], "invalid UTF-8"),
        (vec!["../escape".into()], "path separator"),
        (
            vec!["x".into(), "--stack".into(), "".into()],
            "unknown stack",
        ),
        (
            vec!["x".into(), "--stack".into(), huge.clone().into()],
            "unknown stack",
        ),
        (
            vec!["x".into(), "--stack".into(), non_utf8()],
            "invalid UTF-8",
        ),
        (
            vec!["x".into(), "--stack".into(), "fast api".into()],
            "unknown stack",
        ),
        (
            vec!["x".into(), "--needs".into(), "".into()],
            "--needs is empty",
        ),
        (
            vec!["x".into(), "--needs".into(), huge.clone().into()],
            "unknown need",
        ),
        (
            vec!["x".into(), "--needs".into(), non_utf8()],
            "invalid UTF-8",
        ),
        (
            vec!["x".into(), "--needs".into(), "realtime;ml".into()],
            "unknown need",
        ),
        (vec!["x".into(), "--team".into(), "".into()], "unknown team"),
        (
            vec!["x".into(), "--team".into(), huge.clone().into()],
            "unknown team",
        ),
        (
            vec!["x".into(), "--team".into(), non_utf8()],
            "invalid UTF-8",
        ),
        (
            vec!["x".into(), "--team".into(), "js,python".into()],
            "unknown team",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "--set".into(),
                "".into(),
            ],
            "is not KEY=VALUE",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "--set".into(),
                format!("{huge}=1").into(),
            ],
            "(variables: description",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "--set".into(),
                non_utf8(),
            ],
            "invalid UTF-8",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "--set".into(),
                "database".into(),
            ],
            "is not KEY=VALUE",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "--set".into(),
                format!("author={huge}\u{1b}").into(),
            ],
            "control characters are not allowed",
        ),
        (
            vec!["x".into(), "--answers".into(), "".into()],
            "a value is required",
        ),
        (
            vec!["x".into(), "--answers".into(), huge.clone().into()],
            "cannot read answers file",
        ),
        (
            vec!["x".into(), "--answers".into(), non_utf8()],
            "cannot read answers file",
        ),
        (
            vec!["x".into(), "--pack".into(), "".into()],
            "is not a directory, a git URL",
        ),
        (
            vec!["x".into(), "--pack".into(), huge.clone().into()],
            "is not a directory, a git URL",
        ),
        (
            vec!["x".into(), "--pack".into(), non_utf8()],
            "invalid UTF-8",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "-o".into(),
                "".into(),
            ],
            "a value is required",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "-o".into(),
                non_utf8(),
            ],
            "--output must be UTF-8",
        ),
        (
            vec![
                "x".into(),
                "--stack".into(),
                "fastapi".into(),
                "-o".into(),
                format!("/{huge}").into(),
            ],
            "output",
        ),
        (
            vec![
                "x".into(),
                "--pack".into(),
                ".".into(),
                "--pack-ref".into(),
                "".into(),
            ],
            "--pack-ref only applies to a git URL",
        ),
    ];
    let mut failures = Vec::new();
    for (args, needle) in cases {
        let mut s = Scaffold::new()
            .args(["new"])
            .args(&args)
            .args(["--yes", "--no-git"]);
        let run = s.run();
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().chars().take(40).collect())
            .collect();
        let err = run.stderr();
        let first = err.lines().next().unwrap_or_default();
        if run.code() != 2
            || !err.contains(needle)
            || first.chars().count() > 500
            || !entries(s.dir.path()).is_empty()
        {
            failures.push(format!(
                "{shown:?}: exit {}, expected {needle:?}: {}",
                run.code(),
                first.chars().take(300).collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
