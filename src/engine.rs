//! The template engine, set up once for everything that evaluates pack text: the template
//! context and the engine's own names, the Tera instance (autoescape off, `secret()`, and
//! size-checked string filters), conditions, one-off value templates, and the limits every
//! evaluation runs under.
//!
//! Every evaluation — a condition, a derived value, a file — runs on a worker thread under
//! one time budget ([`Budget`]), so a template that never ends stops with an error naming
//! the limit instead of hanging the command. Tera cannot be interrupted from outside, so a
//! worker that overruns is abandoned: it ends with the process (a server should treat the
//! error as fatal for that request and cap how many such workers it tolerates).
//!
//! Nothing here knows about packs, answers or the disk: this is the bottom of the core.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tera::{Kwargs, State, Tera, TeraResult};

use crate::error::{Error, Result, TemplateError};
use crate::names::ProjectNames;
use crate::value::Value;

/// Names the engine defines in every template context; a pack may not redeclare them.
pub const RESERVED_NAMES: &[&str] = &[
    "project_name",
    "project_slug",
    "package_name",
    "database_name",
    "scaffold_version",
    "stack",
    "why",
    "needs",
];

/// Everything a template can see besides the engine's functions.
#[derive(Debug, Clone)]
pub struct TemplateContext {
    /// The project's names.
    pub names: ProjectNames,
    /// The stack id (the pack name for custom packs).
    pub stack: String,
    /// The recommendation's reasons for this stack; empty when none was made.
    pub why: Vec<String>,
    /// The pack's variables, in declaration order.
    pub values: Vec<(String, Value)>,
    /// What each chosen need changed (the root pack's README lists it); empty without needs.
    pub needs: Vec<NeedEffect>,
}

/// What one chosen need changed in the generated project: the score it gave the stack and
/// the feature it added (or why the stack covers it), for the README's "Why this stack".
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct NeedEffect {
    /// The need's id (`realtime`).
    pub need: String,
    /// Its one-line label.
    pub label: String,
    /// What its own rules added to this stack's score (none for a custom pack).
    pub score: Option<f64>,
    /// What it added, or why the stack covers it (from the pack's `[needs]` table).
    pub feature: Option<String>,
    /// The file to start from.
    pub start: Option<String>,
    /// Whether the feature is in the project (false when an answer turned it off).
    pub added: bool,
    /// The whole entry as one Markdown line, for templates that just list it.
    pub line: String,
}

impl TemplateContext {
    /// The Tera context: the engine's names plus the pack's variables.
    #[must_use]
    pub fn to_tera(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        let engine: [(&str, &dyn erased::Insert); 8] = [
            ("project_name", &self.names.name),
            ("project_slug", &self.names.slug),
            ("package_name", &self.names.package),
            ("database_name", &self.names.database),
            ("scaffold_version", &env!("CARGO_PKG_VERSION")),
            ("stack", &self.stack),
            ("why", &self.why),
            ("needs", &self.needs),
        ];
        debug_assert!(engine
            .iter()
            .map(|(k, _)| *k)
            .eq(RESERVED_NAMES.iter().copied()));
        for (name, value) in engine {
            value.insert_into(&mut ctx, name);
        }
        for (name, value) in &self.values {
            ctx.insert(name.clone(), value);
        }
        ctx
    }

    /// Every name a template or condition may use.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        RESERVED_NAMES
            .iter()
            .copied()
            .chain(self.values.iter().map(|(k, _)| k.as_str()))
    }

    /// The context without the pack's values (what an included pack starts from).
    #[must_use]
    pub fn base(&self) -> TemplateContext {
        TemplateContext {
            values: Vec::new(),
            ..self.clone()
        }
    }
}

/// Inserting differently typed engine values through one list (so the list of engine
/// names exists once, in [`RESERVED_NAMES`], checked against this in debug builds).
mod erased {
    pub(super) trait Insert {
        fn insert_into(&self, ctx: &mut tera::Context, name: &str);
    }
    impl<T: serde::Serialize> Insert for T {
        fn insert_into(&self, ctx: &mut tera::Context, name: &str) {
            ctx.insert(name.to_string(), self);
        }
    }
}

/// The resource limits of resolving and rendering. Each has an environment variable that
/// raises it; every error that hits one names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The time all evaluation of one pack tree may take (`SCAFFOLD_RENDER_TIMEOUT`, s).
    pub render_time: Duration,
    /// The most one template (or one string inside it) may render to
    /// (`SCAFFOLD_MAX_FILE_MIB`).
    pub max_file_bytes: usize,
    /// The most a whole plan may hold (`SCAFFOLD_MAX_TOTAL_MIB`).
    pub max_total_bytes: u64,
    /// The most files a plan may hold (`SCAFFOLD_MAX_FILES`).
    pub max_files: usize,
    /// The most packs one tree may render, the root and every `[[include]]` counted
    /// (`SCAFFOLD_MAX_PACKS`).
    pub max_packs: usize,
    /// The longest chain of `{% include %}` / `{% extends %}` / `{% import %}` between
    /// templates (`SCAFFOLD_MAX_TEMPLATE_DEPTH`).
    pub max_template_depth: usize,
    /// The largest `.tera` file (or `pack.toml`) a pack may have
    /// (`SCAFFOLD_MAX_TEMPLATE_MIB`).
    pub max_template_bytes: u64,
}

const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            render_time: Duration::from_secs(60),
            max_file_bytes: 64 * 1024 * 1024,
            max_total_bytes: 4096 * MIB,
            max_files: 250_000,
            max_packs: 64,
            max_template_depth: 32,
            max_template_bytes: 8 * MIB,
        }
    }
}

/// The environment variables, in the order of [`Limits`]' fields.
pub const ENV_RENDER_TIMEOUT: &str = "SCAFFOLD_RENDER_TIMEOUT";
/// See [`Limits::max_file_bytes`].
pub const ENV_MAX_FILE: &str = "SCAFFOLD_MAX_FILE_MIB";
/// See [`Limits::max_total_bytes`].
pub const ENV_MAX_TOTAL: &str = "SCAFFOLD_MAX_TOTAL_MIB";
/// See [`Limits::max_files`].
pub const ENV_MAX_FILES: &str = "SCAFFOLD_MAX_FILES";
/// See [`Limits::max_packs`].
pub const ENV_MAX_PACKS: &str = "SCAFFOLD_MAX_PACKS";
/// See [`Limits::max_template_depth`].
pub const ENV_MAX_TEMPLATE_DEPTH: &str = "SCAFFOLD_MAX_TEMPLATE_DEPTH";
/// See [`Limits::max_template_bytes`].
pub const ENV_MAX_TEMPLATE: &str = "SCAFFOLD_MAX_TEMPLATE_MIB";

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
}

impl Limits {
    /// The defaults, each raised (or lowered) by its environment variable when that holds
    /// a positive integer.
    #[must_use]
    pub fn from_env() -> Limits {
        let d = Limits::default();
        let mib = |name: &str| env_u64(name).map(|n| n.saturating_mul(MIB));
        let count = |name: &str| env_u64(name).and_then(|n| usize::try_from(n).ok());
        Limits {
            render_time: env_u64(ENV_RENDER_TIMEOUT).map_or(d.render_time, Duration::from_secs),
            max_file_bytes: mib(ENV_MAX_FILE)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(d.max_file_bytes),
            max_total_bytes: mib(ENV_MAX_TOTAL).unwrap_or(d.max_total_bytes),
            max_files: count(ENV_MAX_FILES).unwrap_or(d.max_files),
            max_packs: count(ENV_MAX_PACKS).unwrap_or(d.max_packs),
            max_template_depth: count(ENV_MAX_TEMPLATE_DEPTH).unwrap_or(d.max_template_depth),
            max_template_bytes: mib(ENV_MAX_TEMPLATE).unwrap_or(d.max_template_bytes),
        }
    }

    /// A fresh time budget under these limits.
    #[must_use]
    pub fn budget(&self) -> Budget {
        Budget {
            limits: self.clone(),
            issued: crate::secrets::Issued::default(),
            spent: Cell::new(Duration::ZERO),
            worker: RefCell::new(None),
        }
    }
}

/// `64 MiB`-style sizes for limit messages.
#[must_use]
pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / MIB)
}

type Job = Box<dyn FnOnce() + Send>;

/// The time budget of one pack tree's evaluation, and the worker thread it runs on. Only
/// time spent evaluating counts (not time spent waiting at a prompt).
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    /// The secrets `secret()` handed out in this evaluation.
    issued: crate::secrets::Issued,
    spent: Cell<Duration>,
    worker: RefCell<Option<mpsc::Sender<Job>>>,
}

/// The stack of the worker thread: deep enough for any template chain the depth limit
/// lets through.
const WORKER_STACK: usize = 64 * 1024 * 1024;

impl Budget {
    /// The limits this budget enforces.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The secrets `secret()` handed out in this evaluation so far.
    #[must_use]
    pub fn issued(&self) -> &crate::secrets::Issued {
        &self.issued
    }

    /// A Tera instance for this evaluation (see [`new_tera`]).
    #[must_use]
    pub fn tera(&self) -> Tera {
        new_tera(self.limits.max_file_bytes, &self.issued)
    }

    /// The limit error for running out of time.
    fn timed_out(&self) -> Error {
        Error::Limit {
            what: format!(
                "rendering took longer than {} s; is there a loop in a template that never ends?",
                self.limits.render_time.as_secs()
            ),
            env: format!("{ENV_RENDER_TIMEOUT}=SECONDS"),
        }
    }

    /// Run `f` on the worker thread, within what is left of the budget.
    ///
    /// # Errors
    /// [`Error::Limit`] when the budget runs out first (the worker is then abandoned), or a
    /// failure when the engine panicked.
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let Some(left) = self
            .limits
            .render_time
            .checked_sub(self.spent.get())
            .filter(|d| !d.is_zero())
        else {
            return Err(self.timed_out());
        };
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        let mut worker = self.worker.borrow_mut();
        let sender = match worker.take() {
            Some(sender) => sender,
            None => spawn_worker()?,
        };
        let started = Instant::now();
        if let Err(mpsc::SendError(job)) = sender.send(job) {
            // The worker died (a panic in an earlier job): start another one.
            let sender = spawn_worker()?;
            let _ = sender.send(job);
            *worker = Some(sender);
        } else {
            *worker = Some(sender);
        }
        let got = rx.recv_timeout(left);
        self.spent.set(self.spent.get() + started.elapsed());
        match got {
            Ok(value) => Ok(value),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // The worker is stuck in the template; leave it and use no more time.
                *worker = None;
                self.spent.set(self.limits.render_time);
                Err(self.timed_out())
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                *worker = None;
                Err(Error::Failed {
                    message: "the template engine failed unexpectedly (a panic, shown above); please report it with the pack".into(),
                })
            }
        }
    }
}

fn spawn_worker() -> Result<mpsc::Sender<Job>> {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("scaffold-render".into())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            while let Ok(job) = rx.recv() {
                job();
            }
        })
        .map_err(|e| Error::io("cannot start a thread for", "rendering", e))?;
    Ok(tx)
}

/// A Tera instance set up the way every pack is rendered: autoescape off, `secret()` (each
/// secret recorded in `issued`), and `replace` / `join` refusing to build a string larger
/// than `max_string` bytes (a string that is never printed would otherwise escape the
/// output limit).
#[must_use]
pub fn new_tera(max_string: usize, issued: &crate::secrets::Issued) -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    let issued = issued.clone();
    tera.register_function(
        "secret",
        move |kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let secret = secret_fn(&kwargs, state)?;
            issued.record(&secret);
            Ok(secret)
        },
    );
    crate::escape::register(&mut tera);
    tera.register_filter(
        "replace",
        move |s: &str, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let from = kwargs.must_get::<&str>("from")?;
            let to = kwargs.must_get::<&str>("to")?;
            let grows = to.len().saturating_sub(from.len());
            if grows > 0 && !from.is_empty() {
                let size = s
                    .len()
                    .saturating_add(s.matches(from).count().saturating_mul(grows));
                check_string_size("replace", size, max_string)?;
            } else if from.is_empty() {
                let size = s
                    .len()
                    .saturating_add((s.chars().count() + 1).saturating_mul(to.len()));
                check_string_size("replace", size, max_string)?;
            }
            Ok(s.replace(from, to))
        },
    );
    tera.register_filter(
        "join",
        move |list: &[tera::Value], kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let sep = kwargs.get::<&str>("sep")?.unwrap_or("");
            let parts: Vec<String> = list.iter().map(|x| format!("{x}")).collect();
            let size = parts
                .iter()
                .map(String::len)
                .fold(0usize, usize::saturating_add)
                .saturating_add(sep.len().saturating_mul(parts.len()));
            check_string_size("join", size, max_string)?;
            Ok(parts.join(sep))
        },
    );
    tera
}

fn check_string_size(filter: &str, size: usize, max: usize) -> TeraResult<()> {
    if size > max {
        return Err(tera::Error::message(format!(
            "`{filter}` would build a string of more than {} (the most one template may render); raise the limit with {ENV_MAX_FILE}=MIB",
            mib(max as u64)
        )));
    }
    Ok(())
}

fn secret_fn(kwargs: &Kwargs, _: &State) -> TeraResult<String> {
    let len: i64 = kwargs.get("length")?.unwrap_or(32);
    let len =
        usize::try_from(len).map_err(|_| tera::Error::message("secret(length=N) needs N >= 1"))?;
    crate::secrets::generate(len).map_err(tera::Error::message)
}

/// Whether a path segment or file body holds Tera syntax.
#[must_use]
pub(crate) fn has_tera_syntax(s: &str) -> bool {
    // One pass over the bytes: a `{` followed by `{`, `%` or `#`.
    s.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'{' && matches!(w[1], b'{' | b'%' | b'#'))
}

/// The template name a condition is compiled under (what Tera shows in its errors).
#[must_use]
pub(crate) fn condition_name(kind: &str, index: usize, expr: &str) -> String {
    format!("pack.toml {kind} #{} `{expr}`", index + 1)
}

/// Compile `expr` as a condition template.
#[must_use]
pub(crate) fn condition_source(expr: &str) -> String {
    format!("{{% if {expr} %}}true{{% endif %}}")
}

/// A problem with a pack's text (a template or an expression), as one message; the outer
/// [`Result`] of the functions below is for limits.
pub type TextResult<T> = std::result::Result<T, String>;

/// Evaluate one condition (an `only_if`, a `when`, a constraint) against a context.
///
/// # Errors
/// Outer: a limit. Inner: the Tera error, with the expression, when it does not parse or
/// names an unknown variable.
pub fn eval_condition(
    expr: &str,
    ctx: &TemplateContext,
    budget: &Budget,
) -> Result<TextResult<bool>> {
    let mut tera = budget.tera();
    let name = format!("condition `{expr}`");
    if let Err(e) = tera.add_raw_template(&name, &condition_source(expr)) {
        return Ok(Err(tera_message(&e)));
    }
    if let Err(e) = check_names(&tera, &name, ctx) {
        return Ok(Err(e));
    }
    let out = render_one(tera, name, ctx.to_tera(), budget)?;
    Ok(out.map(|s| s == "true"))
}

/// Render a one-off template string (a derived value, an include's `set`).
///
/// # Errors
/// Outer: a limit. Inner: the Tera error.
pub fn render_str(
    template: &str,
    ctx: &TemplateContext,
    budget: &Budget,
) -> Result<TextResult<String>> {
    render_named("value", template, ctx, budget)
}

/// Render a one-off template string compiled under `name` (what Tera's errors show).
///
/// # Errors
/// Outer: a limit. Inner: the Tera error.
pub fn render_named(
    name: &str,
    template: &str,
    ctx: &TemplateContext,
    budget: &Budget,
) -> Result<TextResult<String>> {
    let mut tera = budget.tera();
    if let Err(e) = tera.add_raw_template(name, template) {
        return Ok(Err(tera_message(&e)));
    }
    render_one(tera, name.to_string(), ctx.to_tera(), budget)
}

fn render_one(
    tera: Tera,
    name: String,
    ctx: tera::Context,
    budget: &Budget,
) -> Result<TextResult<String>> {
    let max = budget.limits.max_file_bytes;
    let out = budget.run(move || {
        let mut out = Limited::new(max);
        let res = tera.render_to(&name, &ctx, &mut out);
        (res.map_err(|e| tera_message(&e)), out)
    })?;
    match out {
        (Ok(()), out) => Ok(String::from_utf8(out.buf).map_err(|e| e.to_string())),
        (Err(_), out) if out.overflowed => Err(too_large("a value", max)),
        (Err(e), _) => Ok(Err(e)),
    }
}

/// The limit error for a template that renders too much.
#[must_use]
pub(crate) fn too_large(what: &str, max: usize) -> Error {
    Error::Limit {
        what: format!(
            "{what} renders to more than {}; is there a loop that never ends?",
            mib(max as u64)
        ),
        env: format!("{ENV_MAX_FILE}=MIB"),
    }
}

/// Tera treats an unknown name in `{% if %}` as false; a typo in a condition must be an
/// error instead, so every top-level name it uses has to be defined.
///
/// # Errors
/// The unknown names, and the known ones.
pub(crate) fn check_names(tera: &Tera, name: &str, ctx: &TemplateContext) -> TextResult<()> {
    let used = tera
        .get_template_variables(name)
        .map_err(|e| tera_message(&e))?;
    let known: std::collections::HashSet<&str> = ctx.keys().collect();
    let mut unknown: Vec<&str> = used.into_iter().filter(|u| !known.contains(u)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort_unstable();
    Err(format!(
        "{name} uses {}, which is not a variable defined before it (known: {})",
        unknown
            .iter()
            .map(|u| format!("`{u}`"))
            .collect::<Vec<_>>()
            .join(", "),
        ctx.keys().collect::<Vec<_>>().join(", ")
    ))
}

/// A Tera error as data: its template and line when the engine reports them.
#[must_use]
pub fn template_error(e: &tera::Error) -> TemplateError {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let text = tera_message(e);
    TemplateError {
        template: report.map(|r| r.filename().to_string()),
        line: report.map(|r| r.span().start_line),
        headline: report.map_or_else(
            || text.lines().next().unwrap_or_default().to_string(),
            |r| r.message().to_string(),
        ),
        report: text,
    }
}

/// A Tera error as one message, cause chain included.
#[must_use]
pub fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str("\n  caused by: ");
            msg.push_str(&text);
        }
        src = s.source();
    }
    msg
}

/// A writer that refuses to grow past its limit, which aborts the render.
#[derive(Debug)]
pub(crate) struct Limited {
    /// What was written.
    pub(crate) buf: Vec<u8>,
    limit: usize,
    /// Whether the limit was hit.
    pub(crate) overflowed: bool,
}

impl Limited {
    /// An empty buffer that holds at most `limit` bytes.
    #[must_use]
    pub(crate) fn new(limit: usize) -> Limited {
        Limited {
            buf: Vec::new(),
            limit,
            overflowed: false,
        }
    }
}

impl std::io::Write for Limited {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.limit {
            self.overflowed = true;
            return Err(std::io::Error::other("rendered output too large"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One template's output: its bytes, or the Tera error and whether it was the size limit.
pub(crate) type Rendered = std::result::Result<Vec<u8>, (TemplateError, bool)>;

/// Render many templates of one compiled Tera on the worker, each into its own bounded
/// buffer: `Ok(bytes)`, or `Err((message, overflowed))`.
///
/// # Errors
/// A limit (time).
pub(crate) fn render_many(
    tera: &Arc<Tera>,
    ctx: &Arc<tera::Context>,
    names: Vec<String>,
    budget: &Budget,
) -> Result<Vec<Rendered>> {
    let (tera, ctx) = (Arc::clone(tera), Arc::clone(ctx));
    let max = budget.limits.max_file_bytes;
    budget.run(move || {
        names
            .iter()
            .map(|name| {
                let mut out = Limited::new(max);
                match tera.render_to(name, &ctx, &mut out) {
                    Ok(()) => Ok(out.buf),
                    Err(e) => Err((template_error(&e), out.overflowed)),
                }
            })
            .collect()
    })
}

/// The names a template source refers to by `{% include "…" %}`, `{% extends '…' %}` or
/// `{% import "…" as x %}`, in order: the matches of
/// `\{%-?\s*(?:include|extends|import)\s+(?:"([^"]*)"|'([^']*)')`, found by a plain scan
/// (no regex to build; most templates are searched for `{%` only).
fn template_refs(src: &str) -> impl Iterator<Item = &str> {
    let mut rest = src;
    std::iter::from_fn(move || loop {
        let at = memchr::memmem::find(rest.as_bytes(), b"{%")?;
        rest = &rest[at + 2..];
        let tag = rest.strip_prefix('-').unwrap_or(rest).trim_start();
        let Some(after) = ["include", "extends", "import"]
            .iter()
            .find_map(|k| tag.strip_prefix(k))
        else {
            continue;
        };
        let quoted = after.trim_start();
        if quoted.len() == after.len() {
            continue;
        }
        let Some(quote) = quoted.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let body = &quoted[1..];
        let Some(end) = body.find(quote) else {
            continue;
        };
        rest = &body[end + 1..];
        return Some(&body[..end]);
    })
}

/// The longest chain of `{% include %}` / `{% extends %}` / `{% import %}` among named
/// template sources (a name that is not among them ends the chain). Counted without
/// recursion, so a hostile chain cannot overflow the stack here either.
#[must_use]
pub fn template_depth<N: AsRef<str>, S: AsRef<str>>(sources: &[(N, S)]) -> usize {
    let index: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.as_ref(), i))
        .collect();
    let edges: Vec<Vec<usize>> = sources
        .iter()
        .map(|(_, src)| {
            template_refs(src.as_ref())
                .filter_map(|name| index.get(name).copied())
                .collect()
        })
        .collect();
    // Depth of each template, by an explicit-stack depth-first walk; a cycle (refused by
    // Tera itself) counts as the length walked so far.
    let mut depth: Vec<Option<usize>> = vec![None; sources.len()];
    let mut on_path = vec![false; sources.len()];
    let mut best = 0;
    for start in 0..sources.len() {
        if depth[start].is_some() {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        on_path[start] = true;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&child) = edges[node].get(*next) {
                *next += 1;
                if depth[child].is_none() && !on_path[child] {
                    on_path[child] = true;
                    stack.push((child, 0));
                }
                continue;
            }
            let d = 1 + edges[node]
                .iter()
                .map(|c| depth[*c].unwrap_or(0))
                .max()
                .unwrap_or(0);
            depth[node] = Some(d);
            on_path[node] = false;
            best = best.max(d);
            stack.pop();
        }
    }
    best
}

/// Refuse template sources whose include chain is longer than the limit.
///
/// # Errors
/// [`Error::Limit`] naming the limit.
pub fn check_template_depth<N: AsRef<str>, S: AsRef<str>>(
    sources: &[(N, S)],
    limits: &Limits,
) -> Result<()> {
    let depth = template_depth(sources);
    if depth > limits.max_template_depth {
        return Err(Error::Limit {
            what: format!(
                "templates include each other {depth} deep, more than the limit of {}",
                limits.max_template_depth
            ),
            env: format!("{ENV_MAX_TEMPLATE_DEPTH}=N"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(docker: bool, database: &str) -> TemplateContext {
        TemplateContext {
            names: crate::names::derive("My Cool API").unwrap(),
            stack: "t".into(),
            why: vec!["because".into()],
            needs: Vec::new(),
            values: vec![
                ("docker".into(), Value::Bool(docker)),
                ("database".into(), Value::String(database.into())),
            ],
        }
    }

    #[test]
    fn conditions() {
        let c = ctx(false, "postgres");
        let b = Limits::default().budget();
        assert_eq!(
            eval_condition("database == 'postgres' and not docker", &c, &b).unwrap(),
            Ok(true)
        );
        assert_eq!(
            eval_condition("database in ['sqlite']", &c, &b).unwrap(),
            Ok(false)
        );
        assert!(eval_condition("missing_var", &c, &b).unwrap().is_err());
        assert!(eval_condition("(", &c, &b).unwrap().is_err());
    }

    #[test]
    fn every_engine_name_is_in_the_context() {
        let tera_ctx = ctx(true, "x").to_tera();
        for name in RESERVED_NAMES {
            assert!(tera_ctx.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn a_condition_that_never_ends_stops_at_the_deadline() {
        let limits = Limits {
            render_time: Duration::from_millis(300),
            ..Limits::default()
        };
        let b = limits.budget();
        let started = Instant::now();
        let err = render_str(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
            &ctx(true, "x"),
            &b,
        )
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        let text = err.to_string();
        assert!(text.contains("rendering took longer than 0 s"), "{text}");
        assert!(text.contains("SCAFFOLD_RENDER_TIMEOUT"), "{text}");
        // The budget is spent: what comes after fails at once.
        assert!(eval_condition("true", &ctx(true, "x"), &b).is_err());
    }

    #[test]
    fn strings_grown_by_replace_are_bounded() {
        let limits = Limits {
            max_file_bytes: 1024 * 1024,
            ..Limits::default()
        };
        let b = limits.budget();
        let grow = "{% set s = 'xxxxxxxxxxxxxxxx' %}{% for i in range(end=40) %}{% set_global s = s | replace(from='x', to='xx') %}{% endfor %}done";
        let err = render_str(grow, &ctx(true, "x"), &b).unwrap().unwrap_err();
        assert!(
            err.contains("`replace` would build a string of more than 1 MiB"),
            "{err}"
        );
        assert!(err.contains(ENV_MAX_FILE), "{err}");
        let fine = render_str(
            "{{ 'ab' | replace(from='a', to='xy') }}",
            &ctx(true, "x"),
            &b,
        );
        assert_eq!(fine.unwrap().unwrap(), "xyb");
        let joined = render_str("{{ ['a', 1, true] | join(sep='-') }}", &ctx(true, "x"), &b);
        assert_eq!(joined.unwrap().unwrap(), "a-1-true");
    }

    proptest::proptest! {
        /// The scan finds what the pattern it stands for finds.
        #[test]
        fn template_refs_are_the_patterns_matches(
            src in "([{}%\\- \n\t'\"ab]|include|extends|import|\u{a0}){0,40}",
        ) {
            let pattern = regex::Regex::new(
                r#"\{%-?\s*(?:include|extends|import)\s+(?:"([^"]*)"|'([^']*)')"#,
            )
            .unwrap();
            let expected: Vec<&str> = pattern
                .captures_iter(&src)
                .filter_map(|c| Some(c.get(1).or_else(|| c.get(2))?.as_str()))
                .collect();
            let found: Vec<&str> = template_refs(&src).collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn template_depth_is_counted_without_recursion() {
        let chain: Vec<(String, String)> = (0..5000)
            .map(|i| (format!("t{i}"), format!("{{% include \"t{}\" %}}", i + 1)))
            .collect();
        assert_eq!(template_depth(&chain), 5000);
        let flat = vec![
            (
                "a".to_string(),
                "{% include 'b' %}{% include \"c\" %}".to_string(),
            ),
            ("b".to_string(), "x".to_string()),
            ("c".to_string(), "{% include 'b' %}".to_string()),
        ];
        assert_eq!(template_depth(&flat), 3);
        let err = check_template_depth(&chain, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains(ENV_MAX_TEMPLATE_DEPTH), "{err}");
    }
}
