//! The end-to-end matrix: generate every built-in stack with each of its options (the
//! hybrid with each gateway and each broker, against the real RabbitMQ, Redis and NATS on
//! loopback), then install, lint, test and boot it exactly as a user would (`make install`,
//! `make lint`, `make test`, `make run`), and check `/health`, `/health/ready`, the request
//! id, an items round trip over HTTP, and a clean exit on SIGTERM.
//!
//! These tests install packages and take minutes, so they are `#[ignore]`d for a plain
//! `cargo test`; CI runs them with `cargo test --test e2e -- --ignored --test-threads=1`.
//! PostgreSQL comes from `SCAFFOLD_E2E_PG` (default `postgresql://postgres@127.0.0.1:5432`);
//! each case creates its own database and drops it afterwards. When PostgreSQL is not
//! reachable the postgres cases fail, saying how to start it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PG_DEFAULT: &str = "postgresql://postgres@127.0.0.1:5432";

fn scaffold_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scaffold"))
}

/// Where the matrix renders its projects; kept for inspection when a case fails.
fn work_root() -> PathBuf {
    let root = std::env::var_os("SCAFFOLD_E2E_DIR")
        .map_or_else(|| std::env::temp_dir().join("scaffold-e2e"), PathBuf::from);
    std::fs::create_dir_all(&root).expect("create the e2e work directory");
    root
}

fn pg_base() -> String {
    std::env::var("SCAFFOLD_E2E_PG").unwrap_or_else(|_| PG_DEFAULT.to_string())
}

/// Run a command in `dir`, streaming its output to the test log; panic with context on failure.
#[track_caller]
fn sh(dir: &Path, envs: &[(String, String)], cmd: &str, timeout: Duration) -> Duration {
    let started = Instant::now();
    eprintln!("\n$ (cd {} && {cmd})", dir.display());
    let mut child = Command::new("bash")
        .args(["-c", cmd])
        .current_dir(dir)
        .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{cmd}`: {e}"));
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(
                status.success(),
                "`{cmd}` failed in {} with {status}",
                dir.display()
            );
            let took = started.elapsed();
            eprintln!("  ({cmd}: {:.1} s)", took.as_secs_f64());
            return took;
        }
        if started.elapsed() > timeout {
            kill_group(&child, libc::SIGKILL);
            panic!("`{cmd}` did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kill_group(child: &Child, sig: i32) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: signalling a process group we created; errors are harmless here.
        unsafe {
            libc::kill(-pid, sig);
        }
    }
}

/// The direct children of a process, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in rd.flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the command name, which is in parentheses and may hold spaces.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
        }
    }
    out
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.body))
    }
}

/// A minimal HTTP/1.1 client: one request per connection.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> std::io::Result<Response> {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nAccept: application/json\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad response: {head}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn psql(db: &str, sql: &str) -> Result<(), String> {
    let url = format!("{}/{db}", pg_base());
    let out = Command::new("psql")
        .args([url.as_str(), "-v", "ON_ERROR_STOP=1", "-qc", sql])
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A fresh database for one case, dropped when the guard goes.
struct Database {
    name: String,
}

impl Database {
    fn create(case: &str) -> Database {
        let name = format!(
            "scaffold_e2e_{}_{}",
            case.replace('-', "_"),
            std::process::id()
        );
        let _ = psql("postgres", &format!("DROP DATABASE IF EXISTS {name}"));
        if let Err(e) = psql("postgres", &format!("CREATE DATABASE {name}")) {
            panic!(
                "PostgreSQL is not reachable at {} ({e}).\nStart it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\nor point SCAFFOLD_E2E_PG at a server (postgresql://USER@HOST:PORT).",
                pg_base()
            );
        }
        Database { name }
    }

    fn url(&self) -> String {
        format!("{}/{}", pg_base(), self.name)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Files of the rendered tree that must not be there: leftover template suffixes and
/// registry host names.
fn check_rendered_tree(root: &Path) {
    for entry in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry
            .path()
            .strip_prefix(root)
            .expect("inside")
            .display()
            .to_string();
        assert!(!rel.ends_with(".tera"), "a template suffix survived: {rel}");
        assert!(!rel.contains("{{"), "an unrendered path survived: {rel}");
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for host in [
                "registry.npmjs.org",
                "pypi.org",
                "pythonhosted.org",
                "crates.io",
                "registry.yarnpkg.com",
            ] {
                assert!(!text.contains(host), "{rel} names the registry host {host}");
            }
        }
    }
}

/// One case of the matrix.
fn case(stack: &str, variant: &str, sets: &[&str], postgres: bool) {
    let name = format!("e2e-{stack}-{variant}");
    let root = work_root();
    let project = root.join(&name);
    if project.exists() {
        std::fs::remove_dir_all(&project).expect("clean the previous run");
    }
    let mut cmd = Command::new(scaffold_bin());
    cmd.args(["new", &name, "--stack", stack, "--yes", "--no-git", "-o"])
        .arg(&root);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run scaffold");
    assert!(
        out.status.success(),
        "scaffold new failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_rendered_tree(&project);

    let db = postgres.then(|| Database::create(&name));
    let mut envs: Vec<(String, String)> = vec![("CI".into(), "true".into())];
    if let Some(db) = &db {
        envs.push(("DATABASE_URL".into(), db.url()));
    }
    let minutes = |m: u64| Duration::from_secs(60 * m);
    let install = sh(&project, &envs, "make install", minutes(10));
    let lint = sh(&project, &envs, "make lint", minutes(5));
    let test = sh(&project, &envs, "make test", minutes(10));
    // A second test run proves the tests leave the database clean.
    if postgres {
        sh(&project, &envs, "make test", minutes(10));
    }
    if stack == "django" {
        check_deploy(&project, &envs);
    }
    if stack == "hybrid" {
        // The project's own proof against the real broker: a job's status and result over
        // the WebSocket and GET /jobs/:id, a worker killed mid-job whose job still
        // completes, a poison message dead-lettered, and a clean SIGTERM of both services.
        sh(&project, &envs, "make e2e", minutes(10));
        envs.push(("WORKER_PORT".into(), free_port().to_string()));
    }
    let boot = boot_and_probe(&project, &envs);
    eprintln!(
        "TIMING {name}: install {:.1} s, lint {:.1} s, test {:.1} s, boot {:.1} s",
        install.as_secs_f64(),
        lint.as_secs_f64(),
        test.as_secs_f64(),
        boot.as_secs_f64()
    );
}

/// A local edit made before an update.
enum Edit {
    /// In `path`, the line `old` (present once) becomes `new`.
    Line(&'static str, &'static str, &'static str),
    /// A new file at `path` with these contents.
    New(&'static str, &'static str),
}

/// The record as the 0.1.0 release wrote it: no `format`, no pack `source` or `path`, no
/// `[files]` (those came with `scaffold update`).
fn as_0_1_0_record(text: &str) -> String {
    let mut out = String::new();
    let mut in_files = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_files = line == "[files]";
        }
        let provenance = ["format = ", "source = ", "path = "]
            .iter()
            .any(|p| line.starts_with(p));
        if !in_files && !provenance {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `scaffold update` for real: generate `stack` with the previous release's pack (the
/// 0.1.0 copy kept in templates/.history), recorded as that release recorded it, make the
/// local `edits`, update to the current pack with `sets` (no conflicts: the edits do not
/// overlap the pack's changes), then the project's own `make install`, `make lint` and
/// `make test`.
fn update_case(stack: &str, edits: &[Edit], sets: &[&str]) {
    let name = format!("e2e-update-{stack}");
    let root = work_root();
    let project = root.join(&name);
    if project.exists() {
        std::fs::remove_dir_all(&project).expect("clean the previous run");
    }
    let kept = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates/.history/0.1.0")
        .join(stack);
    let out = Command::new(scaffold_bin())
        .args(["new", &name, "--yes", "--no-git", "--pack"])
        .arg(&kept)
        .arg("-o")
        .arg(&root)
        .output()
        .expect("run scaffold");
    assert!(
        out.status.success(),
        "scaffold new failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record = project.join(".scaffold.toml");
    let text = std::fs::read_to_string(&record).expect("the record");
    assert!(text.contains("version = \"0.1.0\""), "{text}");
    std::fs::write(&record, as_0_1_0_record(&text)).expect("rewrite the record");

    for edit in edits {
        match edit {
            Edit::Line(path, old, new) => {
                let file = project.join(path);
                let text = std::fs::read_to_string(&file).expect("an edited file");
                assert_eq!(text.matches(old).count(), 1, "{path}: `{old}` once");
                std::fs::write(&file, text.replace(old, new)).expect("edit");
            }
            Edit::New(path, contents) => {
                std::fs::write(project.join(path), contents).expect("a new file");
            }
        }
    }

    let mut update = Command::new(scaffold_bin());
    update.args(["update", "--json"]).arg(&project);
    for s in sets {
        update.args(["--set", s]);
    }
    let out = update.output().expect("run scaffold update");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "scaffold update failed ({}): {report}",
        out.status
    );
    assert_eq!(report["from_version"], "0.1.0", "{report}");
    assert_ne!(report["to_version"], "0.1.0", "{report}");
    assert!(
        report["base"]
            .as_str()
            .is_some_and(|b| b.contains("kept release")),
        "{report}"
    );
    assert_eq!(report["conflicts"], serde_json::json!([]), "{report}");
    let files = report["files"].as_array().cloned().unwrap_or_default();
    let count = |action: &str| files.iter().filter(|f| f["action"] == action).count();
    eprintln!(
        "UPDATE {name}: {} -> {}: {} updated, {} merged, {} added, {} removed, {} kept-local",
        report["from_version"],
        report["to_version"],
        count("updated"),
        count("merged"),
        count("added"),
        count("removed"),
        count("kept-local")
    );
    assert!(count("merged") > 0 && count("added") > 0, "{report}");

    // Every edit survived the update.
    for edit in edits {
        let (path, wanted) = match edit {
            Edit::Line(path, _, new) => (path, new),
            Edit::New(path, contents) => (path, contents),
        };
        let text = std::fs::read_to_string(project.join(path)).expect("an edited file");
        assert!(text.contains(wanted), "{path} lost `{wanted}`");
    }
    check_rendered_tree(&project);
    let out = Command::new(scaffold_bin())
        .args(["update", "--check"])
        .arg(&project)
        .output()
        .expect("run scaffold update --check");
    assert!(
        out.status.success(),
        "not up to date after the update: {out:?}"
    );

    let envs: Vec<(String, String)> = vec![("CI".into(), "true".into())];
    let minutes = |m: u64| Duration::from_secs(60 * m);
    sh(&project, &envs, "make install", minutes(10));
    sh(&project, &envs, "make lint", minutes(5));
    sh(&project, &envs, "make test", minutes(10));
}

#[test]
#[ignore = "end-to-end: installs packages; CI runs it with --ignored"]
fn update_fastapi_from_0_1_0() {
    update_case(
        "fastapi",
        &[
            // A changed source line in a file the pack also changed (elsewhere).
            Edit::Line(
                "app/main.py",
                "DESCRIPTION = \"A FastAPI service\"",
                "DESCRIPTION = \"The shop's API\"",
            ),
            Edit::New(
                "app/notes.py",
                "\"\"\"Notes the team keeps next to the code.\"\"\"\n\nOWNER = \"platform team\"\n",
            ),
            Edit::Line(
                "README.md",
                "Settings are read once at startup",
                "Settings (see our runbook) are read once at startup",
            ),
        ],
        &[],
    );
}

#[test]
#[ignore = "end-to-end: installs packages; CI runs it with --ignored"]
fn update_express_from_0_1_0() {
    update_case(
        "express",
        &[
            // A changed source line in a file the pack also changed (elsewhere).
            Edit::Line(
                "src/modules/items/items.router.ts",
                "const id = itemIdSchema.safeParse(raw);",
                "const id = itemIdSchema.safeParse(raw); // a UUID or nothing",
            ),
            Edit::New(
                "src/lib/owner.ts",
                "/** Who runs this service. */\nexport const OWNER = \"platform team\";\n",
            ),
            Edit::Line(
                "README.md",
                "Commit `package-lock.json` after the first `make install`",
                "Commit `package-lock.json` (we do) after the first `make install`",
            ),
        ],
        // 0.1.0 recorded Node 20, which reached end of life; 0.2.0 refuses it, and update
        // says to choose a supported version this way.
        &["node_version=24"],
    );
}

/// Django's deployment checklist against the production settings, served over HTTPS: the
/// only warning a starter may leave is W021 (HSTS preload, an irreversible opt-in).
fn check_deploy(project: &Path, envs: &[(String, String)]) {
    let out = Command::new("make")
        .arg("check-deploy")
        .current_dir(project)
        .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("DJANGO_HTTPS", "true")
        .output()
        .expect("run make check-deploy");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "make check-deploy failed:\n{text}");
    let findings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(security.") || l.contains("(fields.") || l.contains("(urls."))
        .collect();
    assert!(
        findings.iter().all(|l| l.contains("security.W021")),
        "check --deploy leaves warnings a starter should fix:\n{}",
        findings.join("\n")
    );
}

/// `make run`, then probe the running server and stop it with SIGTERM.
fn boot_and_probe(project: &Path, envs: &[(String, String)]) -> Duration {
    let port = free_port();
    let started = Instant::now();
    let mut child = Command::new("make")
        .arg("run")
        .current_dir(project)
        .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .stdin(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("start make run");
    let guard = KillOnDrop(&mut child);

    // Wait for /health.
    let deadline = Instant::now() + Duration::from_secs(180);
    let health = loop {
        if let Some(status) = guard.0.try_wait().expect("wait") {
            panic!("`make run` exited with {status} before answering /health");
        }
        match http(port, "GET", "/health", None, &[]) {
            Ok(r) => break r,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => panic!("no answer on /health within 180 s: {e}"),
        }
    };
    let boot = started.elapsed();
    assert_eq!(health.status, 200, "/health: {}", health.body);
    assert!(
        health.json().is_object(),
        "/health answers a JSON object: {}",
        health.body
    );

    // Readiness may lag liveness while the service connects to its database or broker, as
    // an orchestrator's readiness probe allows; it must turn 200 within 30 seconds.
    let ready_deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        let r = http(port, "GET", "/health/ready", None, &[]).expect("/health/ready");
        if r.status == 200 || Instant::now() > ready_deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(ready.status, 200, "/health/ready: {}", ready.body);
    ready.json();

    let rid = http(
        port,
        "GET",
        "/health",
        None,
        &[("X-Request-Id", "e2e-request-42")],
    )
    .expect("request id");
    assert_eq!(
        rid.header("x-request-id"),
        Some("e2e-request-42"),
        "the request id is echoed"
    );
    let generated = http(port, "GET", "/health", None, &[]).expect("generated id");
    assert!(
        generated
            .header("x-request-id")
            .is_some_and(|v| !v.is_empty()),
        "a request id is generated"
    );

    items_round_trip(port);

    // SIGTERM to the server (make's direct child): it must exit 0 within 10 s, and so make.
    let make_pid = guard.0.id();
    let servers = children_of(make_pid);
    assert!(!servers.is_empty(), "`make run` has no child process");
    for pid in &servers {
        // SAFETY: sending a signal to a process we started.
        unsafe {
            libc::kill(i32::try_from(*pid).expect("pid"), libc::SIGTERM);
        }
    }
    let stop_deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = guard.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < stop_deadline,
            "the server did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "`make run` exited with {status} after SIGTERM (expected 0)"
    );
    boot
}

fn items_round_trip(port: u16) {
    let created = http(
        port,
        "POST",
        "/api/items",
        Some(r#"{"name":"widget","description":"from e2e"}"#),
        &[],
    )
    .expect("POST /api/items");
    assert_eq!(created.status, 201, "POST /api/items: {}", created.body);
    let item = created.json();
    assert_eq!(item["name"], "widget");
    assert_eq!(item["description"], "from e2e");
    let id = match &item["id"] {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => panic!("item id is neither a number nor a string: {other}"),
    };

    let got = http(port, "GET", &format!("/api/items/{id}"), None, &[]).expect("GET item");
    assert_eq!(got.status, 200, "GET /api/items/{id}: {}", got.body);
    assert_eq!(got.json()["name"], "widget");

    let list = http(port, "GET", "/api/items", None, &[]).expect("GET list");
    assert_eq!(list.status, 200, "GET /api/items: {}", list.body);
    let arr = list.json();
    let arr = arr
        .as_array()
        .unwrap_or_else(|| panic!("the list is a JSON array: {}", list.body));
    assert!(arr.iter().any(|i| i["name"] == "widget"), "{}", list.body);

    let invalid =
        http(port, "POST", "/api/items", Some(r#"{"name":""}"#), &[]).expect("POST invalid");
    assert!(
        matches!(invalid.status, 400 | 422),
        "an empty name is refused: {} {}",
        invalid.status,
        invalid.body
    );
    invalid.json();

    let deleted = http(port, "DELETE", &format!("/api/items/{id}"), None, &[]).expect("DELETE");
    assert_eq!(deleted.status, 204, "DELETE: {}", deleted.body);
    let gone = http(port, "GET", &format!("/api/items/{id}"), None, &[]).expect("GET deleted");
    assert_eq!(gone.status, 404, "deleted item: {}", gone.body);
    gone.json();
}

/// Kills the whole process group if a probe panics, so no server outlives its test.
struct KillOnDrop<'a>(&'a mut Child);

impl Drop for KillOnDrop<'_> {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            kill_group(self.0, libc::SIGKILL);
            let _ = self.0.wait();
        }
    }
}

macro_rules! matrix {
    ($($test:ident: $stack:literal, $variant:literal, [$($set:literal),*], $pg:literal;)*) => {
        $(
            #[test]
            #[ignore = "end-to-end: installs packages; CI runs it with --ignored"]
            fn $test() {
                case($stack, $variant, &[$($set),*], $pg);
            }
        )*
    };
}

matrix! {
    fastapi_sqlite: "fastapi", "sqlite", ["database=sqlite"], false;
    fastapi_postgres: "fastapi", "postgres", ["database=postgres"], true;
    fastapi_capabilities: "fastapi", "capabilities", ["database=postgres", "realtime=true", "streaming=true", "compute=true", "admin=true"], true;
    django_sqlite_drf: "django", "sqlite-drf", ["database=sqlite", "api=drf"], false;
    django_postgres_drf: "django", "postgres-drf", ["database=postgres", "api=drf"], true;
    django_sqlite_plain: "django", "sqlite-plain", ["database=sqlite", "api=none"], false;
    django_capabilities: "django", "capabilities", ["database=postgres", "api=drf", "realtime=true", "streaming=true", "compute=true", "openapi=true", "channel_layer=redis"], true;
    express_memory: "express", "memory", ["database=none"], false;
    express_postgres: "express", "postgres", ["database=postgres"], true;
    express_capabilities: "express", "capabilities", ["database=postgres", "realtime=true", "streaming=true", "compute=true", "openapi=true"], true;
    nestjs_memory: "nestjs", "memory", ["database=none"], false;
    nestjs_postgres: "nestjs", "postgres", ["database=postgres"], true;
    nestjs_capabilities: "nestjs", "capabilities", ["database=postgres", "realtime=true", "streaming=true", "compute=true", "openapi=true"], true;
    hybrid_rabbitmq: "hybrid", "rabbitmq", ["queue=rabbitmq"], false;
    hybrid_redis: "hybrid", "redis", ["queue=redis"], false;
    hybrid_nats: "hybrid", "nats", ["queue=nats"], false;
    hybrid_nestjs_rabbitmq: "hybrid", "nestjs-rabbitmq", ["gateway=nestjs", "queue=rabbitmq"], false;
    hybrid_nestjs_redis: "hybrid", "nestjs-redis", ["gateway=nestjs", "queue=redis"], false;
    hybrid_nestjs_nats: "hybrid", "nestjs-nats", ["gateway=nestjs", "queue=nats"], false;
}
