//! `scaffold serve` end to end: the real binary on a free loopback port, plain HTTP/1.1 over
//! a socket, every endpoint and every kind of bad input, the zip against `scaffold new`
//! run with the command the API gives, and SIGTERM.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_scaffold");

fn fixture_packs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/fixtures/packs")
}

/// A running server in an empty working directory with an empty HOME and TMPDIR, so a
/// test can check that nothing was written anywhere it could write.
struct Server {
    child: Child,
    addr: String,
    stderr: std::sync::mpsc::Receiver<String>,
    sandbox: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        Server::start_with_env(extra, &[])
    }

    fn start_with_env(extra: &[&str], envs: &[(&str, &str)]) -> Server {
        let sandbox = tempfile::tempdir().unwrap();
        for d in ["cwd", "home", "tmp"] {
            std::fs::create_dir(sandbox.path().join(d)).unwrap();
        }
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .current_dir(sandbox.path().join("cwd"))
            .env("HOME", sandbox.path().join("home"))
            .env("TMPDIR", sandbox.path().join("tmp"))
            .env_remove("SCAFFOLD_PACKS_DIR")
            .env_remove("XDG_CONFIG_HOME")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the server starts");
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in `{first}`"))
            .to_string();
        Server {
            child,
            addr,
            stderr: rx,
            sandbox,
        }
    }

    /// Nothing in the server's working directory, HOME or TMPDIR.
    fn assert_nothing_written(&self) {
        for d in ["cwd", "home", "tmp"] {
            let entries: Vec<_> = std::fs::read_dir(self.sandbox.path().join(d))
                .unwrap()
                .collect();
            assert!(
                entries.is_empty(),
                "the server wrote into its {d}: {entries:?}"
            );
        }
    }

    fn request(&self, method: &str, target: &str, kind: Option<&str>, body: &[u8]) -> Response {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut head = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(k) = kind {
            head.push_str(&format!("Content-Type: {k}\r\n"));
        }
        if method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        // A server may answer (413) before reading all of a big body.
        let _ = s.write_all(body);
        read_response(&mut s)
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target, None, b"")
    }

    fn post_json(&self, target: &str, body: &Value) -> Response {
        self.request(
            "POST",
            target,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
    }

    fn stop(mut self) -> i32 {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = wait_for(&mut self.child, Duration::from_secs(15));
        status.code().unwrap_or(-1)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            start.elapsed() < limit,
            "the server did not stop within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn read_response(s: &mut TcpStream) -> Response {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t == "chunked")
    {
        body = dechunk(&body);
    }
    if let Some(n) = headers.get("content-length") {
        assert_eq!(body.len(), n.parse::<usize>().unwrap(), "a complete body");
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// What `scaffold` prints after `error: ` for these arguments, and its exit code.
fn cli_error(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the CLI refuses {args:?}");
    String::from_utf8_lossy(&out.stderr)
        .trim_end()
        .strip_prefix("error: ")
        .unwrap()
        .to_string()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Entries of a zip: name → (bytes, unix mode).
fn unzip(bytes: &[u8]) -> BTreeMap<String, (Vec<u8>, u32)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().to_string();
        assert!(
            !name.starts_with('/') && !name.split('/').any(|s| s == ".." || s.is_empty()),
            "a plain relative entry: {name}"
        );
        let mode = f.unix_mode().unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(name, (data, mode));
    }
    out
}

/// Every file under `dir` but `.git`: relative path → (bytes, mode).
fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).min_depth(1) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        if rel == ".git" || rel.starts_with(".git/") {
            continue;
        }
        let mode = std::fs::symlink_metadata(e.path())
            .unwrap()
            .permissions()
            .mode();
        if e.file_type().is_symlink() {
            use std::os::unix::ffi::OsStrExt;
            let target = std::fs::read_link(e.path()).unwrap();
            out.insert(rel, (target.as_os_str().as_bytes().to_vec(), mode));
        } else if e.file_type().is_file() {
            out.insert(rel, (std::fs::read(e.path()).unwrap(), mode));
        }
    }
    out
}

/// The zip equals what `command` (a `scaffold new … --yes` line) writes, but for the values
/// of generated secrets in `.env` files. Returns how many `.env` files had fresh secrets.
fn assert_zip_is_cli_output(zip_bytes: &[u8], command: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", &format!("{command} --no-git")])
        .current_dir(dir.path())
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let slug = project.file_name().unwrap().to_str().unwrap().to_string();
    let written = tree(&project);
    let zipped: BTreeMap<String, (Vec<u8>, u32)> = unzip(zip_bytes)
        .into_iter()
        .map(|(k, v)| {
            let rel = k
                .strip_prefix(&format!("{slug}/"))
                .unwrap_or_else(|| panic!("`{k}` is not under `{slug}/`"))
                .to_string();
            (rel, v)
        })
        .collect();
    assert_eq!(
        zipped.keys().collect::<Vec<_>>(),
        written.keys().collect::<Vec<_>>(),
        "the same files"
    );
    let mut secrets = 0;
    for (rel, (bytes, mode)) in &written {
        let (zbytes, zmode) = &zipped[rel];
        assert_eq!(
            zmode & 0o170777,
            mode & 0o170777,
            "the type and mode of {rel}"
        );
        if rel == ".env" || rel.ends_with("/.env") {
            let a = String::from_utf8_lossy(bytes);
            let b = String::from_utf8_lossy(zbytes);
            let keys = |t: &str| {
                t.lines()
                    .map(|l| l.split('=').next().unwrap_or("").to_string())
                    .collect::<Vec<_>>()
            };
            assert_eq!(keys(&a), keys(&b), "{rel}: the same settings");
            let same: Vec<_> = a.lines().zip(b.lines()).filter(|(x, y)| x == y).collect();
            assert!(
                same.len() + 4 >= a.lines().count(),
                "{rel}: only secrets differ"
            );
            if a != b {
                secrets += 1;
            }
        } else {
            assert!(bytes == zbytes, "{rel} is byte-identical");
        }
    }
    secrets
}

#[test]
fn every_endpoint_answers_like_the_cli() {
    let fixtures = fixture_packs();
    let server = Server::start(&["--packs", fixtures.to_str().unwrap()]);

    // The page and its assets, with the security headers.
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("<script src=\"/app.js\" defer>"));
    let csp = &page.headers["content-security-policy"];
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    for (asset, kind) in [
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let r = server.get(asset);
        assert_eq!(r.status, 200, "{asset}");
        assert!(r.headers["content-type"].starts_with(kind), "{asset}");
    }
    let weight: usize = ["/", "/app.js", "/app.css", "/favicon.svg"]
        .iter()
        .map(|a| server.get(a).body.len())
        .sum();
    assert!(weight < 150 * 1024, "the page weighs {weight} bytes");

    // GET /api/packs: the built-in packs and the served one, with the CLI's needs.
    let packs = server.get("/api/packs").json();
    let names: Vec<&str> = packs["packs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "contracts",
            "django",
            "express",
            "fastapi",
            "hybrid",
            "nestjs",
            "orders"
        ]
    );
    assert_eq!(packs["needs"].as_array().unwrap().len(), 15);
    let list: Value = serde_json::from_slice(
        &Command::new(BIN)
            .args(["list", "--json"])
            .env("HOME", server.sandbox.path().join("home"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        packs["packs"][2]["variables"], list["packs"][2]["variables"],
        "the variables as `list --json` gives them"
    );

    // POST /api/recommend is `scaffold recommend --json`.
    let rec = server.post_json(
        "/api/recommend",
        &serde_json::json!({"needs": "realtime,ml", "team": "js"}),
    );
    assert_eq!(rec.status, 200);
    let cli: Value = serde_json::from_slice(
        &Command::new(BIN)
            .args([
                "recommend",
                "--needs",
                "realtime,ml",
                "--team",
                "js",
                "--json",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(rec.json(), cli);
    assert_eq!(
        server
            .get("/api/recommend?needs=realtime,ml&team=js")
            .json(),
        cli,
        "GET too"
    );

    // POST /api/plan is `scaffold new --dry-run --json`, plus the command and the answers.
    let plan = server.post_json(
        "/api/plan",
        &serde_json::json!({"name": "Shop", "stack": "fastapi", "set": ["database=postgres"]}),
    );
    assert_eq!(plan.status, 200, "{}", String::from_utf8_lossy(&plan.body));
    let plan = plan.json();
    let dry: Value = serde_json::from_slice(
        &Command::new(BIN)
            .args([
                "new",
                "Shop",
                "--stack",
                "fastapi",
                "--set",
                "database=postgres",
                "--yes",
                "--dry-run",
                "--json",
            ])
            .current_dir(server.sandbox.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for key in [
        "path",
        "stack",
        "pack",
        "pack_version",
        "dry_run",
        "next_steps",
    ] {
        assert_eq!(plan[key], dry[key], "{key}");
    }
    let paths = |v: &Value| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["bytes"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&plan), paths(&dry), "the same files and sizes");
    assert_eq!(
        plan["command"],
        "scaffold new Shop --stack fastapi --set database=postgres --yes"
    );
    assert!(plan["variables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["name"] == "database" && v["value"] == "postgres" && v["applies"] == true));

    // GET /api/file: one rendered file.
    let f = server
        .get("/api/file?name=Shop&stack=fastapi&path=app/main.py")
        .json();
    assert!(f["text"].as_str().unwrap().contains("FastAPI"), "{f}");
    let missing = server.get("/api/file?name=Shop&stack=fastapi&path=nope.txt");
    assert_eq!(missing.status, 404);

    // only_if: a served pack's hidden question.
    let orders = server.get("/api/plan?stack=orders").json();
    let applies = |v: &Value, name: &str| {
        v["variables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap()["applies"]
            .as_bool()
            .unwrap()
    };
    assert!(!applies(&orders, "pool_size"));
    assert!(applies(
        &server
            .get("/api/plan?stack=orders&set=database%3Dpostgres")
            .json(),
        "pool_size"
    ));
    assert_eq!(
        orders["command"],
        format!(
            "scaffold new demo --pack {} --yes",
            fixtures.join("orders").canonicalize().unwrap().display()
        )
    );

    // On loopback, only requests addressed to the server by its own name are answered
    // (a rebinding DNS name sends its own Host).
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    for (host, status) in [
        (format!("localhost:{port}"), 200),
        (format!("evil.example:{port}"), 421),
        ("127.0.0.1:1".to_string(), 200),
        ("LOCALHOST".to_string(), 200),
        (String::new(), 421),
        (format!("127.0.0.1.evil.example:{port}"), 421),
    ] {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        write!(
            s,
            "GET /api/packs HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let r = read_response(&mut s);
        assert_eq!(r.status, status, "Host: {host}");
        if status == 421 {
            assert!(r.error().contains("answers only for"), "{}", r.error());
        }
    }

    // Unknown routes and methods are JSON errors too.
    assert_eq!(server.get("/nope").status, 404);
    assert!(server.get("/nope").error().contains("/api/plan"));
    assert_eq!(server.request("DELETE", "/api/plan", None, b"").status, 405);

    server.assert_nothing_written();
    assert_eq!(server.stop(), 0, "SIGTERM exits 0");
}

#[test]
fn bad_input_is_refused_with_the_clis_message_and_nothing_is_written() {
    let fixtures = fixture_packs();
    let orders = fixtures.join("orders");
    let orders = orders.to_str().unwrap();
    let server = Server::start(&["--packs", fixtures.to_str().unwrap()]);

    // (query string, the same request as `scaffold new` arguments)
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "stack=nope".into(),
            vec!["new", "demo", "--stack", "nope", "--yes"],
        ),
        (
            "stack=fastapi&set=database%3Dmysql".into(),
            vec![
                "new",
                "demo",
                "--stack",
                "fastapi",
                "--set",
                "database=mysql",
                "--yes",
            ],
        ),
        (
            "stack=fastapi&set=docker%3Dmaybe".into(),
            vec![
                "new",
                "demo",
                "--stack",
                "fastapi",
                "--set",
                "docker=maybe",
                "--yes",
            ],
        ),
        (
            "stack=fastapi&set=python_version%3D2.7".into(),
            vec![
                "new",
                "demo",
                "--stack",
                "fastapi",
                "--set",
                "python_version=2.7",
                "--yes",
            ],
        ),
        (
            "stack=fastapi&set=database".into(),
            vec![
                "new", "demo", "--stack", "fastapi", "--set", "database", "--yes",
            ],
        ),
        (
            "stack=fastapi&set=nope%3D1".into(),
            vec![
                "new", "demo", "--stack", "fastapi", "--set", "nope=1", "--yes",
            ],
        ),
        (
            "needs=flying".into(),
            vec!["new", "demo", "--needs", "flying", "--yes"],
        ),
        (
            "needs=%2C".into(),
            vec!["new", "demo", "--needs", ",", "--yes"],
        ),
        (
            "team=cobol".into(),
            vec!["new", "demo", "--team", "cobol", "--yes"],
        ),
        (
            format!("name={}&stack=fastapi", enc("con")),
            vec!["new", "con", "--stack", "fastapi", "--yes"],
        ),
        (
            format!("name={}&stack=fastapi", enc("a/b")),
            vec!["new", "a/b", "--stack", "fastapi", "--yes"],
        ),
        (
            format!("name={}&stack=fastapi", enc("fastapi")),
            vec!["new", "fastapi", "--stack", "fastapi", "--yes"],
        ),
        (
            "stack=orders&set=docker%3Dtrue".into(),
            vec![
                "new",
                "demo",
                "--pack",
                orders,
                "--set",
                "docker=true",
                "--yes",
            ],
        ),
        (
            "stack=orders&set=region%3DMars".into(),
            vec![
                "new",
                "demo",
                "--pack",
                orders,
                "--set",
                "region=Mars",
                "--yes",
            ],
        ),
        (
            "stack=orders&set=pool_size%3Dmany".into(),
            vec![
                "new",
                "demo",
                "--pack",
                orders,
                "--set",
                "pool_size=many",
                "--yes",
            ],
        ),
    ];
    for (query, args) in &cases {
        let mut args = args.clone();
        args.push("--dry-run");
        let want = cli_error(&args);
        for target in [
            format!("/api/plan?{query}"),
            format!("/starter.zip?{query}"),
        ] {
            let r = server.get(&target);
            assert_eq!(
                r.status,
                400,
                "{target}: {}",
                String::from_utf8_lossy(&r.body)
            );
            let served = format!("{want}; packs served here: orders");
            assert!(
                r.error() == want || r.error() == served,
                "{target}: {} != {want}",
                r.error()
            );
            assert!(r.headers["content-type"].starts_with("application/json"));
        }
        // The same as a form and as JSON.
        let form = server.request(
            "POST",
            "/starter.zip",
            Some("application/x-www-form-urlencoded"),
            query.as_bytes(),
        );
        assert_eq!(form.status, 400, "form {query}");
        assert!(form.error().starts_with(&want), "form {query}");
    }
    let json = server.post_json(
        "/api/plan",
        &serde_json::json!({"stack": "fastapi", "set": {"database": "mysql"}}),
    );
    assert_eq!(
        json.error(),
        cli_error(&[
            "new",
            "demo",
            "--stack",
            "fastapi",
            "--set",
            "database=mysql",
            "--yes"
        ])
    );
    let rec = server.post_json(
        "/api/recommend",
        &serde_json::json!({"needs": ["realtime", "flying"]}),
    );
    assert_eq!(
        (rec.status, rec.error()),
        (400, cli_error(&["recommend", "--needs", "realtime,flying"]))
    );

    // Packs are only the served ones: never a path, a URL or a user pack.
    for spec in [
        "../templates/fastapi",
        "/etc",
        "https://example.invalid/pack.git",
        "file:///tmp/x",
        "~/packs/p",
        "./orders",
    ] {
        let r = server.get(&format!("/starter.zip?pack={}", enc(spec)));
        assert_eq!(r.status, 400, "pack={spec}");
        assert!(
            r.error().contains("not accepted over HTTP"),
            "{spec}: {}",
            r.error()
        );
        let r = server.get(&format!("/api/plan?stack={}", enc(spec)));
        assert_eq!(r.status, 400, "stack={spec}");
        assert!(
            r.error().starts_with(&format!("unknown stack `{spec}`")),
            "{}",
            r.error()
        );
        assert!(
            r.error().contains("packs served here: orders"),
            "{}",
            r.error()
        );
    }
    let unknown = server.get("/api/plan?pack=nope");
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.error().starts_with("unknown stack `nope`"),
        "{}",
        unknown.error()
    );

    // Limits and malformed requests.
    let big = serde_json::json!({ "name": "x".repeat(100 * 1024) });
    let r = server.post_json("/api/plan", &big);
    assert_eq!(r.status, 413, "an oversized body");
    assert!(r.error().contains("larger than 64 KiB"), "{}", r.error());
    let r = server.get(&format!("/api/plan?name={}", "x".repeat(5000)));
    assert_eq!(r.status, 400);
    assert!(r.error().contains("longer than 4096 bytes"));
    let r = server.get("/api/plan?output=/tmp/x");
    assert_eq!(r.status, 400);
    assert!(
        r.error().contains("unknown parameter `output`"),
        "{}",
        r.error()
    );
    let r = server.get("/api/plan?name=a&name=b");
    assert!(r.error().contains("more than once"));
    let r = server.request("POST", "/api/plan", Some("application/json"), b"{not json");
    assert_eq!(r.status, 400);
    assert!(r.error().contains("not valid JSON"));
    let r = server.request("POST", "/api/plan", Some("text/plain"), b"name=x");
    assert_eq!(r.status, 415);
    let many: String = (0..300).map(|i| format!("set=a{i}%3D1&")).collect();
    assert_eq!(server.get(&format!("/api/plan?{many}")).status, 400);
    let r = server.get("/api/file?stack=fastapi");
    assert!(r.error().contains("`path` is missing"));

    server.assert_nothing_written();
    assert_eq!(server.stop(), 0);
}

#[test]
fn the_zip_is_what_scaffold_new_writes_with_the_given_command() {
    let fixtures = fixture_packs();
    let server = Server::start(&["--packs", fixtures.to_str().unwrap()]);
    for query in [
        "name=My%20Shop&stack=fastapi&needs=api,ml&team=python&set=database%3Dpostgres",
        "name=hub&needs=realtime,ml&team=js",
        "name=hub&stack=hybrid&set=gateway%3Dnestjs&set=queue%3Dnats",
        "name=Desk&stack=django&set=api%3Dnone",
        "name=web&stack=express&set=jobs_queue%3Dredis",
        "name=orders&stack=orders&set=database%3Dpostgres&set=docker%3Dtrue&set=pool_size%3D8",
    ] {
        let plan = server.get(&format!("/api/plan?{query}"));
        assert_eq!(
            plan.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&plan.body)
        );
        let plan = plan.json();
        let zip = server.get(&format!("/starter.zip?{query}"));
        assert_eq!(zip.status, 200, "{query}");
        assert_eq!(zip.headers["content-type"], "application/zip");
        assert_eq!(
            zip.headers["content-disposition"],
            format!(
                "attachment; filename=\"{}.zip\"",
                plan["path"].as_str().unwrap()
            )
        );
        let command = plan["command"].as_str().unwrap();
        let secrets = assert_zip_is_cli_output(&zip.body, command);
        if query.contains("fastapi") || query.contains("django") {
            assert!(secrets >= 1, "{query}: a fresh secret per download");
        }
        // The same request as a POSTed form gives the same files (fresh secrets aside).
        let form = server.request(
            "POST",
            "/starter.zip",
            Some("application/x-www-form-urlencoded"),
            query.as_bytes(),
        );
        assert_eq!(form.status, 200);
        assert_zip_is_cli_output(&form.body, command);
        let entries = unzip(&zip.body);
        assert!(
            entries.keys().any(|k| k.ends_with("/.scaffold.toml")),
            "the record is in the zip"
        );
    }
    // Executable files keep their mode.
    let zip = unzip(&server.get("/starter.zip?name=orders&stack=orders").body);
    assert_eq!(zip["orders/run.sh"].1 & 0o777, 0o755);
    assert_eq!(zip["orders/README.md"].1 & 0o777, 0o644);
    let (target, mode) = &zip["orders/bin/start"];
    assert_eq!(
        (target.as_slice(), mode & 0o170000),
        (&b"../run.sh"[..], 0o120000),
        "a link stays a link"
    );
    // Two downloads have different secrets.
    let a = unzip(&server.get("/starter.zip?name=s&stack=fastapi").body);
    let b = unzip(&server.get("/starter.zip?name=s&stack=fastapi").body);
    assert_ne!(a["s/.env"].0, b["s/.env"].0, "fresh secrets per download");
    server.assert_nothing_written();
    assert_eq!(server.stop(), 0);
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_0() {
    let server = Server::start(&[]);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "GET /starter.zip?name=hub&stack=hybrid HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        server.addr
    );
    s.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) };
    std::thread::sleep(Duration::from_millis(300));
    // The request ends after the signal, and is still answered in full.
    s.write_all(b"\r\n").unwrap();
    let r = read_response(&mut s);
    assert_eq!(r.status, 200);
    assert!(unzip(&r.body).contains_key("hub/.scaffold.toml"));
    // New connections are refused once it is stopping.
    let mut server = server;
    let status = wait_for(&mut server.child, Duration::from_secs(15));
    assert_eq!(status.code(), Some(0));
    let lines: Vec<String> = server.stderr.try_iter().collect();
    assert!(lines.iter().any(|l| l.contains("stopping")), "{lines:?}");
}

#[test]
fn a_template_that_never_ends_is_stopped_and_the_server_goes_on() {
    let packs = tempfile::tempdir().unwrap();
    let spin = packs.path().join("spin");
    std::fs::create_dir(&spin).unwrap();
    std::fs::write(
        spin.join("pack.toml"),
        "[pack]\nname = \"spin\"\nversion = \"1.0.0\"\ndescription = \"never ends\"\n",
    )
    .unwrap();
    // 10^10 iterations that print nothing: only the time limit stops it.
    std::fs::write(
        spin.join("spin.tera"),
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let server = Server::start_with_env(
        &["--packs", packs.path().to_str().unwrap()],
        &[("SCAFFOLD_RENDER_TIMEOUT", "1")],
    );
    let started = std::time::Instant::now();
    let r = server.get("/starter.zip?stack=spin");
    assert_eq!(r.status, 500);
    assert!(
        r.error().contains("rendering took longer than 1 s"),
        "{}",
        r.error()
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // The runaway render is answered with the engine's limit, and everything else still
    // works.
    assert_eq!(server.get("/starter.zip?stack=fastapi").status, 200);
    assert_eq!(server.get("/api/packs").status, 200);
    server.assert_nothing_written();
    assert_eq!(
        server.stop(),
        0,
        "a render still running does not hold the exit"
    );
}

#[test]
fn a_public_address_is_warned_about_and_bad_flags_are_refused() {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert!(
        first.contains("warning:") && first.contains("no authentication"),
        "{first}"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert_eq!(
        wait_for(&mut child, Duration::from_secs(15)).code(),
        Some(0)
    );

    for (args, want) in [
        (
            vec!["serve", "--addr", "localhost"],
            "invalid --addr `localhost`",
        ),
        (
            vec![
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--packs",
                "/nonexistent/packs",
            ],
            "--packs `/nonexistent/packs`",
        ),
        (
            vec![
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--packs",
                env!("CARGO_MANIFEST_DIR"),
            ],
            "holds no pack",
        ),
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(want), "{args:?}: {text}");
    }
    // A served pack named like a built-in one is refused at start.
    let dir = tempfile::tempdir().unwrap();
    let clash = dir.path().join("fastapi");
    std::fs::create_dir(&clash).unwrap();
    std::fs::write(
        clash.join("pack.toml"),
        "[pack]\nname = \"fastapi\"\nversion = \"1.0.0\"\ndescription = \"x\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--packs"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("like the built-in pack"));
}

/// Unpack a zip into `dir`, with the modes it records.
fn extract(bytes: &[u8], dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for (name, (data, mode)) in unzip(bytes) {
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o777)).unwrap();
    }
}

fn children_of(pid: u32) -> Vec<i32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The unpacked zip of a Python and a Node stack installs, lints, tests, boots, answers
/// /health and stops with 0 on SIGTERM, as `scaffold new`'s output does in the e2e matrix.
/// Minutes and the network to the registries: `cargo test --test serve -- --ignored`.
#[test]
#[ignore = "installs packages: minutes"]
fn unzipped_starters_install_lint_test_and_boot() {
    // Node 24 must come first on PATH, as for the end-to-end matrix (`.ci/run` puts it there).
    let server = Server::start(&[]);
    let path = std::env::var("PATH").unwrap_or_default();
    for (query, slug) in [
        ("name=zipped-api&stack=fastapi", "zipped-api"),
        ("name=zipped-web&stack=express", "zipped-web"),
    ] {
        let zip = server.get(&format!("/starter.zip?{query}"));
        assert_eq!(zip.status, 200);
        let dir = tempfile::tempdir().unwrap();
        extract(&zip.body, dir.path());
        let project = dir.path().join(slug);
        for step in ["make install", "make lint", "make test"] {
            let out = Command::new("bash")
                .args(["-c", step])
                .current_dir(&project)
                .env("PATH", &path)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{slug}: `{step}` failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut run = Command::new("make")
            .arg("run")
            .current_dir(&project)
            .env("PATH", &path)
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(180);
        let health = loop {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .unwrap();
                break read_response(&mut s);
            }
            assert!(std::time::Instant::now() < deadline, "{slug}: no /health");
            assert!(run.try_wait().unwrap().is_none(), "{slug}: make run exited");
            std::thread::sleep(Duration::from_millis(200));
        };
        assert_eq!(health.status, 200, "{slug}: /health");
        for pid in children_of(run.id()) {
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let status = wait_for(&mut run, Duration::from_secs(10));
        assert!(
            status.success(),
            "{slug}: make run exited with {status} after SIGTERM"
        );
    }
    assert_eq!(server.stop(), 0);
}
