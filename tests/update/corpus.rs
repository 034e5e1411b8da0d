//! The corpus (tests/update/corpus.toml): every pack change × every local edit, with the
//! expected action for the changed file, checked cell by cell; lost edits must be 0.
//!
//! The pack is a git repository (v1 committed, then v2 committed on top), the project is
//! made from it with `scaffold new --pack file://…`, edited without committing, and updated
//! with `scaffold update --json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::{is_exec, run, scaffold, set_exec};

#[derive(Debug)]
struct Change {
    id: String,
    target: String,
    renamed_to: Option<String>,
    pack_line: String,
    new_line: Option<String>,
    table: toml::Table,
    expect: BTreeMap<String, String>,
}

fn corpus() -> (Vec<String>, toml::Table, Vec<Change>) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/update/corpus.toml"),
    )
    .expect("the corpus");
    let doc: toml::Table = toml::from_str(&text).expect("valid TOML");
    let edits = doc["edits"]
        .as_array()
        .expect("edits")
        .iter()
        .map(|e| e.as_str().expect("a string").to_string())
        .collect();
    let changes = doc["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let t = c.as_table().expect("a table").clone();
            let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
            Change {
                id: s("id").expect("id"),
                target: s("target").expect("target"),
                renamed_to: s("renamed_to"),
                pack_line: s("pack_line").expect("pack_line"),
                new_line: s("new_line"),
                expect: t["expect"]
                    .as_table()
                    .expect("expect")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_string()))
                    .collect(),
                table: t,
            }
        })
        .collect();
    (edits, doc, changes)
}

fn git(dir: &Path, home: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn manifest(version: &str, vars: &toml::Table) -> String {
    let mut s = format!(
        "[pack]\nname = \"corpus\"\nversion = \"{version}\"\ndescription = \"the update corpus\"\n"
    );
    for (name, default) in vars {
        let kind = match default {
            toml::Value::Boolean(_) => "bool",
            toml::Value::Integer(_) => "integer",
            _ => "string",
        };
        s.push_str(&format!(
            "[[variables]]\nname = \"{name}\"\nprompt = \"{name}\"\ntype = \"{kind}\"\ndefault = {default}\n"
        ));
    }
    s
}

fn write_pack(dir: &Path, version: &str, vars: &toml::Table, files: &BTreeMap<String, String>) {
    if dir.exists() {
        for entry in std::fs::read_dir(dir).expect("pack dir") {
            let p = entry.expect("entry").path();
            if p.file_name().is_some_and(|n| n != ".git") {
                std::fs::remove_file(&p).expect("clean pack");
            }
        }
    }
    std::fs::create_dir_all(dir).expect("pack dir");
    std::fs::write(dir.join("pack.toml"), manifest(version, vars)).expect("pack.toml");
    for (path, body) in files {
        std::fs::write(dir.join(format!("{path}.tera")), body).expect("template");
    }
}

/// The v2 pack of a change: its files and variable defaults.
fn v2(
    change: &Change,
    files: &BTreeMap<String, String>,
    vars: &toml::Table,
) -> (BTreeMap<String, String>, toml::Table) {
    let mut files = files.clone();
    let mut vars = vars.clone();
    let t = &change.table;
    for r in t
        .get("replace")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let r = r.as_array().expect("[file, from, to]");
        let (f, from, to) = (
            r[0].as_str().expect("file"),
            r[1].as_str().expect("from"),
            r[2].as_str().expect("to"),
        );
        let body = files.get_mut(f).expect("replace names a file");
        assert!(body.contains(from), "{f} has {from}");
        *body = body.replace(from, to);
    }
    for (f, body) in t
        .get("add")
        .and_then(|v| v.as_table())
        .into_iter()
        .flatten()
    {
        files.insert(f.clone(), body.as_str().expect("body").to_string());
    }
    for f in t
        .get("remove")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        files.remove(f.as_str().expect("file"));
    }
    for r in t
        .get("rename")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let r = r.as_array().expect("[from, to]");
        let body = files
            .remove(r[0].as_str().expect("from"))
            .expect("rename names a file");
        files.insert(r[1].as_str().expect("to").to_string(), body);
    }
    for (k, v) in t
        .get("default")
        .and_then(|v| v.as_table())
        .into_iter()
        .flatten()
    {
        vars.insert(k.clone(), v.clone());
    }
    (files, vars)
}

fn edit_line(path: &Path, starts: &str) {
    let text = std::fs::read_to_string(path).expect("target");
    let mut found = false;
    let out: String = text
        .lines()
        .map(|l| {
            if !found && l.starts_with(starts) {
                found = true;
                format!("{l}  # local change\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert!(
        found,
        "{} has a line starting with {starts}",
        path.display()
    );
    std::fs::write(path, out).expect("edit");
}

/// The figures of one tool over the corpus.
#[derive(Debug, Default)]
struct Figures {
    cells: usize,
    lost: usize,
    conflicts: usize,
    missed_updates: usize,
}

fn conflict_files(dir: &Path) -> usize {
    crate::snapshot(dir)
        .iter()
        .filter(|(p, bytes, _)| p.ends_with(".rej") || bytes.windows(7).any(|w| w == b"<<<<<<<"))
        .count()
}

#[test]
fn every_cell_keeps_every_edit() {
    let (edits, doc, changes) = corpus();
    let files: BTreeMap<String, String> = doc["files"]
        .as_table()
        .expect("files")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("body").to_string()))
        .collect();
    let vars = doc["variables"].as_table().expect("variables").clone();
    let mut fig = Figures::default();
    let mut failures = Vec::new();
    for change in &changes {
        for edit in &edits {
            let home = tempfile::tempdir().expect("home");
            let work = tempfile::tempdir().expect("work");
            let h = home.path();
            let pack = work.path().join("pack");
            let _ = scaffold(h); // writes the git identity
            write_pack(&pack, "1.0.0", &vars, &files);
            git(&pack, h, &["init", "--quiet"]);
            git(&pack, h, &["add", "-A"]);
            git(&pack, h, &["commit", "--quiet", "-m", "v1"]);
            let url = format!("file://{}", pack.display());
            let out = run(scaffold(h)
                .args(["new", "demo", "--yes", "--pack", &url, "-o"])
                .arg(work.path()));
            assert!(out.status.success(), "new: {out:?}");
            let project = work.path().join("demo");

            let (files2, vars2) = v2(change, &files, &vars);
            if files2 != files || vars2 != vars {
                write_pack(&pack, "2.0.0", &vars2, &files2);
                git(&pack, h, &["add", "-A"]);
                git(&pack, h, &["commit", "--quiet", "-m", "v2"]);
            }

            let target = project.join(&change.target);
            let toggled = !is_exec(&target);
            match edit.as_str() {
                "none" => {}
                "same-lines" => edit_line(&target, &change.pack_line),
                "other-lines" => edit_line(&target, "line_e"),
                "deleted" => std::fs::remove_file(&target).expect("delete"),
                "new-file" => {
                    std::fs::write(project.join("notes.txt"), "my notes\n").expect("notes")
                }
                "exec-bit" => set_exec(&target, toggled),
                other => panic!("unknown edit {other}"),
            }

            let mut cmd = scaffold(h);
            cmd.args(["update", "--json"]).arg(&project);
            for (k, v) in change
                .table
                .get("sets")
                .and_then(|v| v.as_table())
                .into_iter()
                .flatten()
            {
                cmd.args(["--set", &format!("{k}={v}")]);
            }
            let out = run(&mut cmd);
            let report: serde_json::Value =
                serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
            let action = report["files"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["path"] == change.target.as_str())
                .and_then(|f| f["action"].as_str())
                .unwrap_or("-")
                .to_string();
            let cell = format!("{} × {edit}", change.id);
            let expected = &change.expect[edit];
            if &action != expected {
                failures.push(format!(
                    "{cell}: action {action}, expected {expected}; stderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let code = out.status.code();
            let want_code = if expected == "conflict" { 1 } else { 0 };
            if code != Some(want_code) {
                failures.push(format!(
                    "{cell}: exit {code:?}, expected {want_code}; stderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }

            // Where the file is now, and whether the edit survived.
            let final_path = project.join(change.renamed_to.as_deref().unwrap_or(&change.target));
            let content = std::fs::read_to_string(&final_path).ok();
            let lost = match edit.as_str() {
                "same-lines" | "other-lines" => !content
                    .as_deref()
                    .is_some_and(|c| c.contains("# local change")),
                "deleted" => final_path.exists() || target.exists(),
                "new-file" => {
                    std::fs::read_to_string(project.join("notes.txt"))
                        .ok()
                        .as_deref()
                        != Some("my notes\n")
                }
                "exec-bit" => !final_path.exists() || is_exec(&final_path) != toggled,
                _ => false,
            };
            if lost {
                fig.lost += 1;
                failures.push(format!("{cell}: the local edit was lost"));
            }
            if let (Some(line), Some(c), true) = (
                &change.new_line,
                &content,
                matches!(expected.as_str(), "updated" | "merged"),
            ) {
                if !c.contains(line.as_str()) {
                    fig.missed_updates += 1;
                    failures.push(format!("{cell}: the pack's `{line}` is missing"));
                }
            }
            if change.renamed_to.is_some() && target.exists() {
                failures.push(format!(
                    "{cell}: the old name of a renamed file is still there"
                ));
            }
            for p in change
                .table
                .get("also_present")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                if !project.join(p.as_str().expect("path")).exists() {
                    failures.push(format!("{cell}: {p} is missing"));
                }
            }
            if expected == "conflict" {
                let text = content.clone().unwrap_or_default();
                for marker in ["<<<<<<<", "|||||||", "=======", ">>>>>>>"] {
                    if !text.contains(marker) {
                        failures.push(format!("{cell}: no {marker} marker"));
                    }
                }
            }
            fig.conflicts += conflict_files(&project);
            fig.cells += 1;
        }
    }
    println!(
        "scaffold update corpus: {} cells, {} lost edits, {} conflicts, {} pack changes missed",
        fig.cells, fig.lost, fig.conflicts, fig.missed_updates
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(fig.cells, changes.len() * edits.len());
    assert_eq!(fig.lost, 0);
    assert_eq!(
        fig.conflicts, 3,
        "the three same-line edits of a changed line"
    );
}
