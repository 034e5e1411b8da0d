//! The HTTP side: routes, request parameters (the CLI's flags, from a query string, a form
//! or JSON), limits, security headers and JSON errors. Every answer comes from
//! [`Engine`]; nothing here validates a value itself.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, Request, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::archive;
use super::assets;
use super::engine::{Content, Engine, StarterRequest};

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// The longest query string accepted.
pub const MAX_QUERY: usize = 64 * 1024;
/// The longest single parameter value accepted.
pub const MAX_VALUE: usize = 4096;
/// The most parameters one request may carry.
pub const MAX_PARAMS: usize = 256;
/// Renders running at once beyond the number of cores; more wait for a slot.
const EXTRA_SLOTS: usize = 2;
/// How long a request waits for a render slot.
const SLOT_WAIT: Duration = Duration::from_secs(10);
/// How long past the engine's render time limit a request waits before giving up on it.
const BACKSTOP: Duration = Duration::from_secs(2);
/// The largest starter zipped in memory.
const MAX_STARTER: u64 = 256 * 1024 * 1024;

/// What every handler shares.
pub struct State {
    engine: Arc<Engine>,
    slots: Arc<tokio::sync::Semaphore>,
    /// The host names answered when listening on loopback (none: any).
    hosts: Option<Vec<String>>,
}

impl State {
    /// The state of a server over `engine`, listening on `addr`.
    #[must_use]
    pub fn new(engine: Engine, addr: std::net::SocketAddr) -> State {
        // Any port: an SSH tunnel or a proxy on this machine may forward another one.
        let hosts = addr.ip().is_loopback().then(|| {
            let ip = match addr.ip() {
                std::net::IpAddr::V4(ip) => ip.to_string(),
                std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            };
            vec![ip, "localhost".to_string()]
        });
        State {
            engine: Arc::new(engine),
            slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
                    + EXTRA_SLOTS,
            )),
            hosts,
        }
    }
}

type Shared = Arc<State>;

/// An error answered as `{"error": message}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn engine(err: &crate::Error) -> ApiError {
        ApiError {
            status: if Engine::is_bad_input(err) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            },
            message: Engine::message(err),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.message, "status": self.status.as_u16() });
        (self.status, axum::Json(body)).into_response()
    }
}

/// The routes.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/app.js",
            get(|| async { asset(assets::APP_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/app.css",
            get(|| async { asset(assets::APP_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/favicon.svg",
            get(|| async { asset(assets::FAVICON, "image/svg+xml") }),
        )
        .route("/api/packs", get(packs))
        .route("/api/recommend", get(recommend).post(recommend))
        .route("/api/plan", get(plan).post(plan))
        .route("/api/file", get(file).post(file))
        .route("/starter.zip", get(starter_zip).post(starter_zip))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            loopback_hosts_only,
        ))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        message: "no such page; the API is GET /api/packs, POST /api/recommend, POST /api/plan, GET /api/file, GET|POST /starter.zip".into(),
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message:
            "this method is not allowed here; see GET / for the page and the README for the API"
                .into(),
    }
}

/// On loopback, answer only requests addressed to this server by its own name: a page on
/// another site that rebinds its DNS name to 127.0.0.1 still sends its own `Host`.
async fn loopback_hosts_only(
    AxumState(state): AxumState<Shared>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(hosts) = &state.hosts {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        // The name without the port (`[::1]:8080` → `[::1]`).
        let name = match host.rfind(':') {
            Some(i) if !host[i..].contains(']') => &host[..i],
            _ => host,
        };
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            return ApiError {
                status: StatusCode::MISDIRECTED_REQUEST,
                message: format!(
                    "this server listens on loopback and answers only for {}; open it by one of those names",
                    hosts.join(" or ")
                ),
            }
            .into_response();
        }
    }
    next.run(req).await
}

/// Headers on every answer: a CSP without inline script, no sniffing, no framing.
async fn security_headers(req: Request, next: Next) -> Response {
    let api = req.uri().path() != "/";
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        assets::INDEX_HTML,
    )
        .into_response()
}

/// The parameters of a request: the CLI's flags, and `path` for `/api/file`.
#[derive(Debug, Default)]
struct Params {
    req: StarterRequest,
    path: Option<String>,
}

/// Which parameters an endpoint takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// `needs`, `team`.
    Needs,
    /// The flags of `scaffold new`.
    Starter,
    /// Those and `path`.
    File,
}

impl Takes {
    fn names(self) -> &'static str {
        match self {
            Takes::Needs => "needs, team",
            Takes::Starter => "name, stack, pack, needs, team, set",
            Takes::File => "name, stack, pack, needs, team, set, path",
        }
    }

    fn accepts(self, key: &str) -> bool {
        match key {
            "needs" | "team" => true,
            "name" | "stack" | "pack" | "set" => self != Takes::Needs,
            "path" => self == Takes::File,
            _ => false,
        }
    }
}

fn check_value(key: &str, value: &str) -> Result<(), ApiError> {
    if value.len() > MAX_VALUE {
        return Err(ApiError::bad(format!(
            "`{key}` is longer than {MAX_VALUE} bytes; shorten it"
        )));
    }
    Ok(())
}

impl Params {
    fn put(&mut self, takes: Takes, key: &str, value: String) -> Result<(), ApiError> {
        if !takes.accepts(key) {
            return Err(ApiError::bad(format!(
                "unknown parameter `{}` (this endpoint takes: {})",
                crate::ui::sanitize(&key.chars().take(64).collect::<String>()),
                takes.names()
            )));
        }
        check_value(key, &value)?;
        let slot = match key {
            "set" => {
                if self.req.sets.len() >= MAX_PARAMS {
                    return Err(ApiError::bad(format!(
                        "more than {MAX_PARAMS} `set` values; a pack has fewer variables"
                    )));
                }
                self.req.sets.push(value);
                return Ok(());
            }
            "name" => &mut self.req.name,
            "stack" | "pack" => {
                if self.req.stack.is_some() {
                    return Err(ApiError::bad(
                        "`stack` (or `pack`) is given more than once; give one",
                    ));
                }
                if key == "pack" && looks_like_location(&value) {
                    return Err(ApiError::bad(format!(
                        "`pack` names a pack this server serves; paths and git URLs are not accepted over HTTP (`{}`)",
                        crate::ui::sanitize(&value)
                    )));
                }
                &mut self.req.stack
            }
            "needs" => &mut self.req.needs,
            "team" => &mut self.req.team,
            _ => &mut self.path,
        };
        if slot.is_some() {
            return Err(ApiError::bad(format!(
                "`{key}` is given more than once; give it once"
            )));
        }
        *slot = Some(value);
        Ok(())
    }

    fn from_pairs<'a>(
        takes: Takes,
        pairs: impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    ) -> Result<Params, ApiError> {
        let mut p = Params::default();
        for (i, (k, v)) in pairs.enumerate() {
            if i >= MAX_PARAMS {
                return Err(ApiError::bad(format!("more than {MAX_PARAMS} parameters")));
            }
            p.put(takes, &k, v.into_owned())?;
        }
        Ok(p)
    }

    fn from_json(takes: Takes, body: &[u8]) -> Result<Params, ApiError> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad(format!("the body is not valid JSON: {e}")))?;
        let serde_json::Value::Object(map) = value else {
            return Err(ApiError::bad(format!(
                "the body must be a JSON object with the keys: {}",
                takes.names()
            )));
        };
        let mut p = Params::default();
        for (key, value) in map {
            match (key.as_str(), value) {
                (_, serde_json::Value::Null) => {}
                ("needs", serde_json::Value::Array(items)) => {
                    let list = json_strings(&key, items)?.join(",");
                    p.put(takes, &key, list)?;
                }
                ("set", serde_json::Value::Array(items)) => {
                    for s in json_strings(&key, items)? {
                        p.put(takes, &key, s)?;
                    }
                }
                ("set", serde_json::Value::Object(vars)) => {
                    for (k, v) in vars {
                        let v = scalar(&format!("set.{k}"), v)?;
                        p.put(takes, "set", format!("{k}={v}"))?;
                    }
                }
                (_, v) => {
                    let serde_json::Value::String(v) = v else {
                        return Err(ApiError::bad(format!(
                            "`{}` must be a string",
                            crate::ui::sanitize(&key)
                        )));
                    };
                    p.put(takes, &key, v)?;
                }
            }
        }
        Ok(p)
    }
}

fn json_strings(key: &str, items: Vec<serde_json::Value>) -> Result<Vec<String>, ApiError> {
    if items.len() > MAX_PARAMS {
        return Err(ApiError::bad(format!(
            "`{key}` has more than {MAX_PARAMS} items"
        )));
    }
    items
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(ApiError::bad(format!("`{key}` must be a list of strings"))),
        })
        .collect()
}

fn scalar(key: &str, v: serde_json::Value) -> Result<String, ApiError> {
    match v {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        _ => Err(ApiError::bad(format!(
            "`{}` must be a string, a boolean or a number",
            crate::ui::sanitize(key)
        ))),
    }
}

/// A pack spec that would name a place rather than a served pack.
fn looks_like_location(spec: &str) -> bool {
    spec.contains(['/', '\\', ':', '~']) || spec.starts_with('.')
}

/// The parameters from the query string (GET) or the body (POST: JSON or a form).
async fn params(
    takes: Takes,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
) -> Result<Params, ApiError> {
    let query = query.unwrap_or("");
    if query.len() > MAX_QUERY {
        return Err(ApiError {
            status: StatusCode::URI_TOO_LONG,
            message: format!("the query string is longer than {MAX_QUERY} bytes"),
        });
    }
    let body: Bytes = if method == Method::POST {
        axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| ApiError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: format!(
                    "the request body is larger than {} KiB; send only the answers",
                    MAX_BODY / 1024
                ),
            })?
    } else {
        Bytes::new()
    };
    if body.is_empty() {
        return Params::from_pairs(takes, form_urlencoded::parse(query.as_bytes()));
    }
    if !query.is_empty() {
        return Err(ApiError::bad(
            "give the parameters in the query string or in the body, not both",
        ));
    }
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if kind.starts_with("application/json") {
        Params::from_json(takes, &body)
    } else if kind.starts_with("application/x-www-form-urlencoded") {
        Params::from_pairs(takes, form_urlencoded::parse(&body))
    } else {
        Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: "send the body as application/json or application/x-www-form-urlencoded"
                .into(),
        })
    }
}

/// Run engine work off the async threads, a few at a time, within the render time limit.
async fn blocking<T: Send + 'static>(
    state: &Shared,
    work: impl FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let busy = || ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: "the server is busy rendering other starters; try again in a moment".into(),
    };
    let permit = tokio::time::timeout(SLOT_WAIT, Arc::clone(&state.slots).acquire_owned())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    let engine = Arc::clone(&state.engine);
    // The engine stops a render at its time limit; this is the backstop should it not.
    let time = state.engine.render_time();
    let limit = time + BACKSTOP;
    // The slot is held by the work itself until it returns. A render that never ends
    // returns the engine's time-limit error; the engine's worker thread stuck in that
    // template is left behind (a served pack is the operator's, never a client's).
    let task = tokio::task::spawn_blocking(move || {
        let out = work(&engine);
        drop(permit);
        out
    });
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(out)) => out,
        Ok(Err(_)) => Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "rendering failed unexpectedly".into(),
        }),
        Err(_) => Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!(
                "rendering took longer than {} s; is there a loop in a template that never ends? (SCAFFOLD_RENDER_TIMEOUT sets the limit)",
                time.as_secs()
            ),
        }),
    }
}

async fn packs(AxumState(state): AxumState<Shared>) -> Result<Response, ApiError> {
    let doc = blocking(&state, |engine| {
        engine.packs_json().map_err(|e| ApiError::engine(&e))
    })
    .await?;
    Ok(axum::Json(doc).into_response())
}

async fn recommend(
    AxumState(state): AxumState<Shared>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let p = params(Takes::Needs, &method, &headers, query.as_deref(), body).await?;
    let doc = state
        .engine
        .recommend(p.req.needs.as_deref(), p.req.team.as_deref())
        .map_err(|e| ApiError::engine(&e))?;
    Ok(axum::Json(doc).into_response())
}

/// The query string that asks for the same starter (the page's link and the zip's URL).
fn query_of(req: &StarterRequest) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("name", &req.name),
        ("stack", &req.stack),
        ("needs", &req.needs),
        ("team", &req.team),
    ] {
        if let Some(v) = v {
            q.append_pair(k, v);
        }
    }
    for s in &req.sets {
        q.append_pair("set", s);
    }
    q.finish()
}

async fn plan(
    AxumState(state): AxumState<Shared>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let p = params(Takes::Starter, &method, &headers, query.as_deref(), body).await?;
    let req = p.req;
    let doc = blocking(&state, move |engine| {
        let starter = engine.plan(&req).map_err(|e| ApiError::engine(&e))?;
        let command = engine.command(&req).map_err(|e| ApiError::engine(&e))?;
        let files: Vec<_> = starter
            .files
            .iter()
            .map(|f| {
                let mut e = json!({ "path": f.path, "bytes": f.size() });
                if f.executable {
                    e["executable"] = json!(true);
                }
                if let Content::Link(target) = &f.content {
                    e["link"] = json!(target);
                }
                e
            })
            .collect();
        let query = query_of(&req);
        Ok(json!({
            "path": starter.dir,
            "stack": starter.stack,
            "pack": starter.pack,
            "pack_version": starter.pack_version,
            "dry_run": true,
            "files": files,
            "next_steps": starter.next_steps,
            "git": "skipped",
            "project_name": starter.project_name,
            "why": starter.why,
            "variables": starter.variables,
            "command": command,
            "download": format!("/starter.zip?{query}"),
            "link": format!("/?{query}"),
        }))
    })
    .await?;
    Ok(axum::Json(doc).into_response())
}

async fn file(
    AxumState(state): AxumState<Shared>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let p = params(Takes::File, &method, &headers, query.as_deref(), body).await?;
    let Some(path) = p.path else {
        return Err(ApiError::bad(
            "`path` is missing: which file of the starter to show",
        ));
    };
    let req = p.req;
    let doc = blocking(&state, move |engine| {
        let starter = engine.plan(&req).map_err(|e| ApiError::engine(&e))?;
        let Some(f) = starter.files.into_iter().find(|f| f.path == path) else {
            return Err(ApiError {
                status: StatusCode::NOT_FOUND,
                message: format!(
                    "the starter has no file `{}` for these answers",
                    crate::ui::sanitize(&path)
                ),
            });
        };
        let bytes = f.size();
        let (text, link) = match f.content {
            Content::Bytes(b) => (String::from_utf8(b).ok(), None),
            Content::OnDisk(..) => (None, None),
            Content::Link(target) => (None, Some(target)),
        };
        Ok(json!({
            "path": f.path,
            "bytes": bytes,
            "executable": f.executable,
            "text": text,
            "link": link,
        }))
    })
    .await?;
    Ok(axum::Json(doc).into_response())
}

async fn starter_zip(
    AxumState(state): AxumState<Shared>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let p = params(Takes::Starter, &method, &headers, query.as_deref(), body).await?;
    let req = p.req;
    let (name, bytes) = blocking(&state, move |engine| {
        let starter = engine.plan(&req).map_err(|e| ApiError::engine(&e))?;
        let total: u64 = starter.files.iter().map(super::engine::StarterFile::size).sum();
        if total > MAX_STARTER {
            return Err(ApiError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: format!(
                    "this starter is {} MiB, more than the {} MiB the server zips; render it with the CLI",
                    total >> 20,
                    MAX_STARTER >> 20
                ),
            });
        }
        let zip = archive::zip(&starter).map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: e,
        })?;
        Ok((starter.dir, zip))
    })
    .await?;
    let disposition = format!("attachment; filename=\"{name}.zip\"");
    let mut res = (
        [(header::CONTENT_TYPE, "application/zip")],
        Body::from(bytes),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_not_pack_names() {
        for spec in [
            "./p",
            "../p",
            "/etc",
            "a/b",
            "https://x/y.git",
            "git@h:r",
            "~/p",
            "c:\\p",
        ] {
            assert!(looks_like_location(spec), "{spec}");
        }
        assert!(!looks_like_location("my-pack"));
    }

    #[test]
    fn json_and_query_give_the_same_request() {
        let q = "name=Shop&stack=fastapi&needs=api,ml&set=database%3Dpostgres&set=docker%3Dfalse";
        let a = Params::from_pairs(Takes::Starter, form_urlencoded::parse(q.as_bytes())).unwrap();
        let body = br#"{"name":"Shop","stack":"fastapi","needs":["api","ml"],"set":{"database":"postgres","docker":false}}"#;
        let b = Params::from_json(Takes::Starter, body).unwrap();
        assert_eq!(a.req, b.req);
        assert_eq!(query_of(&a.req), q.replace(',', "%2C"));
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let bad = |q: &str| {
            Params::from_pairs(Takes::Starter, form_urlencoded::parse(q.as_bytes()))
                .unwrap_err()
                .message
        };
        assert!(bad("output=/tmp").contains("unknown parameter `output`"));
        assert!(bad("name=a&name=b").contains("more than once"));
        assert!(bad("pack=../x").contains("not accepted over HTTP"));
        assert!(bad(&format!("name={}", "a".repeat(MAX_VALUE + 1))).contains("longer than"));
    }
}
