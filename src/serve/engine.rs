//! The one place where `scaffold serve` calls the engine. Everything else in `serve/` works
//! on the plain types defined here, so a change in the core pipeline touches this file only.
//!
//! A request is turned into exactly the [`NewInput`] that `scaffold new NAME … --yes
//! --dry-run` builds from its flags, and goes through the same stages as `new`: it is
//! checked by [`NewRequest::new`], the pack is chosen by [`choose::choose`], and
//! [`project::plan`] resolves the pack tree, renders it and adds the record, under the
//! engine's [`Limits`]. So an HTTP answer is refused with the CLI's message, and a starter
//! is the CLI's project, byte for byte (secrets aside), `.scaffold.toml` included.

use std::path::PathBuf;

use serde::Serialize;

use crate::answers::AnswersFile;
use crate::engine::{self, Limits, TemplateContext};
use crate::error::{Error, Result};
use crate::pack::{self, listing, Pack, Value};
use crate::recommend::{self, Need, Team};
use crate::request::{self, choose, project, NewInput, NewRequest, Options, Session};
use crate::stack::Stack;
use crate::ui::{sanitize, Ui};
use crate::write;

/// The project name used when a request names none.
pub const DEFAULT_NAME: &str = "demo";

/// What a request asks for: the values of `scaffold new`'s flags, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StarterRequest {
    /// `NAME` ([`DEFAULT_NAME`] when absent).
    pub name: Option<String>,
    /// `--stack`: a built-in stack or a pack this server serves.
    pub stack: Option<String>,
    /// `--needs`, comma-separated.
    pub needs: Option<String>,
    /// `--team`.
    pub team: Option<String>,
    /// `--set KEY=VALUE`, in order.
    pub sets: Vec<String>,
}

/// One file of a starter.
#[derive(Debug, Clone)]
pub struct StarterFile {
    /// Relative, `/`-separated, checked by the engine to stay inside the project.
    pub path: String,
    /// What the file holds.
    pub content: Content,
    /// Whether `scaffold new` marks it executable.
    pub executable: bool,
    /// Whether it holds secrets (`.env`, a `secret()`): `scaffold new` writes it 0600.
    pub secret: bool,
}

/// The content of a [`StarterFile`].
#[derive(Debug, Clone)]
pub enum Content {
    /// The bytes.
    Bytes(Vec<u8>),
    /// A large verbatim file of a directory pack, read from disk when zipped (path, size).
    OnDisk(PathBuf, u64),
    /// A symbolic link to this relative target (checked to stay inside the project).
    Link(String),
}

impl StarterFile {
    /// The permissions `scaffold new` gives the file.
    #[must_use]
    pub fn mode(&self) -> u32 {
        if self.secret {
            0o600
        } else if self.executable {
            0o755
        } else {
            0o644
        }
    }

    /// The size of the file as `scaffold new` writes it.
    #[must_use]
    pub fn size(&self) -> u64 {
        match &self.content {
            Content::Bytes(b) => b.len() as u64,
            Content::OnDisk(_, n) => *n,
            Content::Link(_) => 0,
        }
    }
}

/// A variable's resolved value, and whether its `only_if` holds (the page hides it if not).
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedVariable {
    /// The variable.
    pub name: String,
    /// Its value.
    pub value: Value,
    /// Whether it is asked for these answers.
    pub applies: bool,
}

/// A rendered starter: what `scaffold new --dry-run --json` reports, plus the files.
#[derive(Debug, Clone)]
pub struct Starter {
    /// The project directory's name (the slug).
    pub dir: String,
    /// The project name as typed.
    pub project_name: String,
    /// The stack id (the pack's name for a served pack).
    pub stack: String,
    /// The pack's name.
    pub pack: String,
    /// The pack's version.
    pub pack_version: String,
    /// The recommendation's reasons for this stack (empty without needs).
    pub why: Vec<String>,
    /// Every variable of the pack, in order.
    pub variables: Vec<ResolvedVariable>,
    /// What to run next.
    pub next_steps: Vec<String>,
    /// The files, sorted by path, `.scaffold.toml` included.
    pub files: Vec<StarterFile>,
}

/// A pack this server offers.
#[derive(Debug, Clone)]
struct Served {
    name: String,
    dir: Option<PathBuf>,
}

/// The engine as the server sees it: the packs it serves and what it can do with them.
#[derive(Debug, Clone)]
pub struct Engine {
    packs: Vec<Served>,
    /// The limits of resolving and rendering, read from the environment at start.
    limits: Limits,
}

impl Engine {
    /// The built-in packs, and the packs in `dirs`: each directory is a pack itself (it has
    /// a `pack.toml`) or holds packs in its subdirectories. Every pack is loaded once here,
    /// so a broken one stops the server from starting rather than failing a request.
    ///
    /// # Errors
    /// A directory that holds no pack, a broken pack, or two packs with one name.
    pub fn new(dirs: &[PathBuf]) -> Result<Engine> {
        let mut packs: Vec<Served> = pack::builtin_names()
            .into_iter()
            .map(|n| Served {
                name: n.to_string(),
                dir: None,
            })
            .collect();
        for dir in dirs {
            let dir = dir.canonicalize().map_err(|e| {
                Error::usage(format!(
                    "--packs `{}`: {e}; give a directory that holds packs",
                    dir.display()
                ))
            })?;
            let mut found = Vec::new();
            if dir.join(pack::MANIFEST).is_file() {
                found.push(dir.clone());
            } else {
                let entries = std::fs::read_dir(&dir)
                    .map_err(|e| Error::io("cannot read the pack directory", &dir, e))?;
                for entry in entries.flatten() {
                    if entry.path().join(pack::MANIFEST).is_file() {
                        found.push(entry.path());
                    }
                }
                found.sort();
            }
            if found.is_empty() {
                return Err(Error::usage(format!(
                    "--packs `{}` holds no pack (a directory with a pack.toml, or directories of them)",
                    dir.display()
                )));
            }
            for pack_dir in found {
                let loaded = pack::load_dir(&pack_dir)?;
                let name = loaded.name().to_string();
                if let Some(other) = packs.iter().find(|p| p.name == name) {
                    let where_ = other.dir.as_ref().map_or_else(
                        || "the built-in pack".to_string(),
                        |d| format!("`{}`", d.display()),
                    );
                    return Err(Error::usage(format!(
                        "the pack in `{}` is named `{name}`, like {where_}; rename one of them (its directory and `name` in its pack.toml)",
                        pack_dir.display()
                    )));
                }
                packs.push(Served {
                    name,
                    dir: Some(pack_dir),
                });
            }
        }
        Ok(Engine {
            packs,
            limits: Limits::from_env(),
        })
    }

    /// The names of the packs served, built-in ones first.
    #[must_use]
    pub fn pack_names(&self) -> Vec<String> {
        self.packs.iter().map(|p| p.name.clone()).collect()
    }

    /// `scaffold list --json`'s document for the served packs, with each pack's
    /// constraints, and the recommendation's questions (`needs` with the CLI's one-line
    /// help, `teams`).
    ///
    /// # Errors
    /// A pack that no longer loads.
    pub fn packs_json(&self) -> Result<serde_json::Value> {
        let mut packs = Vec::with_capacity(self.packs.len());
        for served in &self.packs {
            let pack = Engine::load(served)?;
            let mut entry = serde_json::to_value(listing::entry(&pack)).unwrap_or_default();
            if let Some(obj) = entry.as_object_mut() {
                obj.insert(
                    "constraints".into(),
                    serde_json::to_value(&pack.manifest.constraints).unwrap_or_default(),
                );
                obj.insert(
                    "builtin".into(),
                    serde_json::Value::Bool(served.dir.is_none()),
                );
            }
            packs.push(entry);
        }
        let needs: Vec<_> = Need::ALL
            .iter()
            .map(|n| serde_json::json!({ "id": n.id(), "label": n.label() }))
            .collect();
        let teams: Vec<_> = Team::ALL
            .iter()
            .map(|t| serde_json::json!({ "id": t.id(), "label": t.label() }))
            .collect();
        let stacks: Vec<_> = Stack::ALL
            .iter()
            .map(|s| serde_json::json!({ "id": s.id(), "summary": s.summary() }))
            .collect();
        Ok(serde_json::json!({
            "packs": packs,
            "needs": needs,
            "teams": teams,
            "stacks": stacks,
        }))
    }

    /// `scaffold recommend --needs … --team … --json`'s document.
    ///
    /// # Errors
    /// An unknown need or team, with the CLI's message.
    pub fn recommend(&self, needs: Option<&str>, team: Option<&str>) -> Result<serde_json::Value> {
        let req = request::parse_requirements(needs, team)?;
        let rec = recommend::recommend(&req);
        serde_json::to_value(&rec).map_err(|e| Error::usage(e.to_string()))
    }

    /// Resolve a request's answers and render its starter in memory, as `scaffold new
    /// NAME … --yes` would; nothing is written.
    ///
    /// # Errors
    /// Exactly what `scaffold new` fails with for the same flags.
    pub fn plan(&self, req: &StarterRequest) -> Result<Starter> {
        let request = NewRequest::new(self.input(req)?)?;
        let name = request.name.clone().unwrap_or_else(|| DEFAULT_NAME.into());
        let (dir, names) = request.names(&name)?;
        let session = Session {
            ui: Ui::silent(),
            interactive: false,
            limits: self.limits.clone(),
        };
        let choice = choose::choose(&request, &session)?;
        project::check_names(&names, &choice.pack)?;
        let (plan, context, _render_time) = project::plan(&request, &session, &names, &choice)?;
        let variables = self.variables(&choice.pack, &context)?;
        let next_steps = project::next_steps(&plan, &dir.slug);
        let files = plan
            .files
            .into_iter()
            .map(|f| StarterFile {
                secret: write::is_secret(&f),
                content: match (f.link, f.on_disk) {
                    (Some(target), _) => Content::Link(target),
                    (None, Some(d)) => Content::OnDisk(d.path.clone(), d.size()),
                    (None, None) => Content::Bytes(f.bytes.into_owned()),
                },
                path: f.path,
                executable: f.executable,
            })
            .collect();
        Ok(Starter {
            dir: dir.slug,
            project_name: context.names.name.clone(),
            stack: context.stack.clone(),
            pack: choice.pack.name().to_string(),
            pack_version: choice.pack.manifest.pack.version.clone(),
            why: context.why.clone(),
            variables,
            next_steps,
            files,
        })
    }

    /// Every variable of the pack with its value, and whether its `only_if` holds.
    fn variables(&self, pack: &Pack, context: &TemplateContext) -> Result<Vec<ResolvedVariable>> {
        let budget = self.limits.budget();
        let mut out = Vec::with_capacity(pack.manifest.variables.len());
        for var in &pack.manifest.variables {
            let Some(value) = context
                .values
                .iter()
                .find(|(k, _)| *k == var.name)
                .map(|(_, v)| v.clone())
            else {
                continue;
            };
            let applies = match var.only_if.as_deref() {
                None => true,
                // Resolving already evaluated it; a condition that fails here shows the
                // question rather than hiding it.
                Some(expr) => engine::eval_condition(expr, context, &budget)?.unwrap_or(true),
            };
            out.push(ResolvedVariable {
                name: var.name.clone(),
                value,
                applies,
            });
        }
        Ok(out)
    }

    /// The `scaffold new` line that renders the same project as `req`.
    ///
    /// # Errors
    /// A stack that names no served pack.
    pub fn command(&self, req: &StarterRequest) -> Result<String> {
        let input = self.input(req)?;
        let mut words = vec![
            "scaffold".to_string(),
            "new".to_string(),
            input.name.unwrap_or_else(|| DEFAULT_NAME.to_string()),
        ];
        if let Some(s) = input.stack {
            words.extend(["--stack".to_string(), s]);
        }
        if let Some(p) = input.pack {
            words.extend(["--pack".to_string(), p]);
        }
        if let Some(n) = input.needs {
            words.extend(["--needs".to_string(), n]);
        }
        if let Some(t) = input.team {
            words.extend(["--team".to_string(), t]);
        }
        for s in input.set {
            words.extend(["--set".to_string(), s]);
        }
        words.push("--yes".to_string());
        Ok(words
            .iter()
            .map(|w| crate::escape::shell_word(w))
            .collect::<Vec<_>>()
            .join(" "))
    }

    /// The message `scaffold` prints for an error (after `error: `), with its causes.
    #[must_use]
    pub fn message(err: &Error) -> String {
        let mut msg = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            msg.push_str(&format!("\n  caused by: {cause}"));
            source = cause.source();
        }
        crate::ui::elide_long_lines(&sanitize(&msg))
    }

    /// Whether an error is the user's (exit 2 in the CLI) rather than the pack's or the
    /// machine's.
    #[must_use]
    pub fn is_bad_input(err: &Error) -> bool {
        err.exit_code() == crate::error::EXIT_USAGE
    }

    /// How long resolving and rendering one starter may take (`SCAFFOLD_RENDER_TIMEOUT`,
    /// as for `scaffold new`; the engine stops a render that takes longer).
    #[must_use]
    pub fn render_time(&self) -> std::time::Duration {
        self.limits.render_time
    }

    /// The inputs of the equivalent `scaffold new` run. A stack that names a served
    /// directory pack becomes `--pack DIR` (the server's own directory, never a client's);
    /// anything else that is no built-in stack is refused here, so a request can never
    /// reach a user pack, a path or a git URL.
    fn input(&self, req: &StarterRequest) -> Result<NewInput> {
        let mut stack = req.stack.clone();
        let mut pack = None;
        if let Some(raw) = req.stack.as_deref() {
            if let Err(unknown) = raw.parse::<Stack>() {
                let served = self
                    .packs
                    .iter()
                    .find(|p| p.name == raw.trim() && p.dir.is_some());
                let Some(dir) = served.and_then(|p| p.dir.as_ref()) else {
                    let extra: Vec<&str> = self
                        .packs
                        .iter()
                        .filter(|p| p.dir.is_some())
                        .map(|p| p.name.as_str())
                        .collect();
                    let extra = if extra.is_empty() {
                        String::new()
                    } else {
                        format!("; packs served here: {}", extra.join(", "))
                    };
                    return Err(Error::usage(format!("{unknown}{extra}")));
                };
                stack = None;
                pack = Some(dir.display().to_string());
            }
        }
        Ok(NewInput {
            name: Some(req.name.clone().unwrap_or_else(|| DEFAULT_NAME.into())),
            output: PathBuf::from("."),
            pack,
            pack_ref: None,
            stack,
            needs: req.needs.clone(),
            team: req.team.clone(),
            set: req.sets.clone(),
            answers: AnswersFile::default(),
            options: Options {
                yes: true,
                dry_run: true,
                force: 0,
                no_git: true,
                json: true,
                locked: false,
            },
        })
    }

    fn load(served: &Served) -> Result<Pack> {
        match &served.dir {
            None => pack::load_builtin(&served.name),
            Some(dir) => pack::load_dir(dir),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_planned_like_new() {
        let engine = Engine::new(&[]).expect("the built-in packs load");
        let req = StarterRequest {
            name: Some("Shop".into()),
            stack: Some("fastapi".into()),
            sets: vec!["database=postgres".into()],
            ..StarterRequest::default()
        };
        let starter = engine.plan(&req).expect("renders");
        assert_eq!(starter.dir, "shop");
        assert!(starter
            .files
            .iter()
            .any(|f| f.path == crate::plan::RECORD_FILE));
        assert_eq!(
            engine.command(&req).expect("a command"),
            "scaffold new Shop --stack fastapi --set database=postgres --yes"
        );
    }

    #[test]
    fn paths_and_urls_are_never_packs() {
        let engine = Engine::new(&[]).expect("the built-in packs load");
        for stack in [
            "../templates/fastapi",
            "/etc",
            "https://example.invalid/p.git",
        ] {
            let req = StarterRequest {
                stack: Some(stack.into()),
                ..StarterRequest::default()
            };
            let err = engine.plan(&req).expect_err("refused");
            assert!(Engine::is_bad_input(&err));
            assert!(Engine::message(&err).starts_with("unknown stack"));
        }
    }
}
