//! Snapshots of every built-in stack's rendered tree (paths and modes) and key files, with
//! generated secrets and the pack's content hash filtered out. A change to a pack shows up
//! here as a reviewable diff (`cargo insta review`, or INSTA_UPDATE=always to accept).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use regex::Regex;

use crate::helpers::{tree, Scaffold};

/// Replace what differs between two renders of the same answers.
fn filter(text: &str) -> String {
    let secret =
        Regex::new(r"(?m)^([A-Z0-9_]*(?:SECRET|KEY|TOKEN|PASSWORD)[A-Z0-9_]*=)[A-Za-z0-9]{16,}$")
            .unwrap();
    let hash = Regex::new(r"sha256:[0-9a-f]{64}").unwrap();
    let version = Regex::new(r#"scaffold_version = "[^"]*""#).unwrap();
    let text = secret.replace_all(text, "$1[SECRET]");
    let text = hash.replace_all(&text, "sha256:[HASH]");
    version
        .replace_all(&text, "scaffold_version = \"[VERSION]\"")
        .into_owned()
}

fn render(stack: &str, sets: &[&str]) -> (Scaffold, std::path::PathBuf) {
    let mut s = Scaffold::new().args(["new", "Demo App", "--stack", stack, "--yes", "--no-git"]);
    for set in sets {
        s = s.args(["--set", set]);
    }
    s.run().success();
    let root = s.path("demo-app");
    (s, root)
}

fn listing(root: &Path) -> String {
    tree(root)
        .iter()
        .map(|f| {
            let mode = std::fs::metadata(root.join(f))
                .unwrap()
                .permissions()
                .mode();
            format!("{} {f}\n", if mode & 0o111 != 0 { "x" } else { "-" })
        })
        .collect()
}

fn key_files(root: &Path, names: &[&str]) -> String {
    let mut out = String::new();
    for name in names {
        let path = root.join(name);
        if path.is_file() {
            out.push_str(&format!(
                "===== {name}\n{}\n",
                filter(&std::fs::read_to_string(path).unwrap())
            ));
        }
    }
    out
}

fn check(stack: &str, variant: &str, sets: &[&str], keys: &[&str]) {
    if !scaffold_has(stack) {
        return;
    }
    let (_s, root) = render(stack, sets);
    insta::assert_snapshot!(format!("{stack}-{variant}-tree"), listing(&root));
    insta::assert_snapshot!(format!("{stack}-{variant}-files"), key_files(&root, keys));
}

/// Whether this build has the stack's pack (the hybrid comes later).
fn scaffold_has(stack: &str) -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(stack)
        .join("pack.toml")
        .is_file()
}

const PY_KEYS: &[&str] = &[
    ".env",
    ".env.example",
    ".scaffold.toml",
    "Makefile",
    "pyproject.toml",
];
const NODE_KEYS: &[&str] = &[
    ".env",
    ".env.example",
    ".scaffold.toml",
    "Makefile",
    "package.json",
];

#[test]
fn fastapi() {
    check("fastapi", "sqlite", &[], PY_KEYS);
    check(
        "fastapi",
        "postgres",
        &["database=postgres", "docker=false", "ci=none"],
        PY_KEYS,
    );
}

#[test]
fn django() {
    check("django", "sqlite-drf", &[], PY_KEYS);
    check(
        "django",
        "postgres-plain",
        &["database=postgres", "api=none", "docker=false", "ci=none"],
        PY_KEYS,
    );
}

#[test]
fn express() {
    check("express", "memory", &[], NODE_KEYS);
    check(
        "express",
        "postgres",
        &["database=postgres", "docker=false", "ci=none"],
        NODE_KEYS,
    );
}

#[test]
fn nestjs() {
    check("nestjs", "memory", &[], NODE_KEYS);
    check(
        "nestjs",
        "postgres",
        &["database=postgres", "docker=false", "ci=none"],
        NODE_KEYS,
    );
}

#[test]
fn hybrid() {
    let keys = &[
        ".scaffold.toml",
        "Makefile",
        "compose.yaml",
        "worker/pyproject.toml",
        "gateway/package.json",
        "worker/.env",
    ];
    check("hybrid", "rabbitmq", &[], keys);
    check("hybrid", "redis", &["queue=redis"], keys);
    check(
        "hybrid",
        "nats",
        &["queue=nats", "docker=false", "ci=none"],
        keys,
    );
    check("hybrid", "nestjs-rabbitmq", &["gateway=nestjs"], keys);
    check(
        "hybrid",
        "nestjs-nats",
        &["gateway=nestjs", "queue=nats", "docker=false", "ci=none"],
        keys,
    );
}
