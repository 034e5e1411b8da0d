//! The request stage of `scaffold new`: what was asked (flags, the answers file, later a
//! web form), validated in one place into a [`NewRequest`], and the [`Session`] that
//! carries the side effects of answering it (the terminal, prompts, the limits).
//!
//! A request is plain data: tests and other front ends build one without a command line,
//! a terminal or a disk.

pub mod choose;
pub mod needs;
pub mod project;

use std::path::PathBuf;

use crate::answers::{self, AnswersFile};
use crate::engine::Limits;
use crate::error::{Error, Result};
use crate::names::{self, ProjectNames};
use crate::recommend::Requirements;
use crate::ui::{sanitize, Ui};

/// The raw inputs of `scaffold new`, as typed (before any check).
#[derive(Debug, Clone, Default)]
pub struct NewInput {
    /// NAME: the directory (and, without a recorded name, the project name).
    pub name: Option<String>,
    /// `--output`: the parent directory.
    pub output: PathBuf,
    /// `--pack DIR|GIT-URL`.
    pub pack: Option<String>,
    /// `--ref`, for a git pack.
    pub pack_ref: Option<String>,
    /// `--stack`.
    pub stack: Option<String>,
    /// `--needs`.
    pub needs: Option<String>,
    /// `--team`.
    pub team: Option<String>,
    /// `--set KEY=VALUE`, in order.
    pub set: Vec<String>,
    /// The answers file, already read.
    pub answers: AnswersFile,
    /// The switches.
    pub options: Options,
}

/// The switches of `scaffold new`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // Each is an independent switch of the CLI.
pub struct Options {
    /// `--yes`: never prompt.
    pub yes: bool,
    /// `--dry-run`: plan, write nothing.
    pub dry_run: bool,
    /// `--force` (counted): once writes into a non-empty target, replacing only files whose
    /// content is still what scaffold generated; twice replaces edited files too.
    pub force: u8,
    /// `--no-git`.
    pub no_git: bool,
    /// `--json`.
    pub json: bool,
    /// `--locked`: refuse to render another pack version than the answers file records.
    pub locked: bool,
}

/// Which pack renders the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackChoice {
    /// `--pack`: a directory or a git URL (at a ref).
    Spec {
        /// The directory or URL.
        spec: String,
        /// The branch or tag.
        reference: Option<String>,
    },
    /// `--stack`, or the answers file's `stack`: a built-in stack or a user pack's name.
    Named(String),
    /// No `--pack` or `--stack`, and the answers file records a pack from a directory or a
    /// git repository: that pack again (a git pack at the recorded commit).
    Recorded,
    /// Neither: the recommendation decides (asked on a terminal, taken with `--yes`).
    Recommend,
}

/// A checked `scaffold new` request.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// NAME as typed, when given (otherwise it is asked).
    pub name: Option<String>,
    /// The parent directory.
    pub output: PathBuf,
    /// The pack.
    pub pack: PackChoice,
    /// The requirements, from `--needs`/`--team` or else the answers file.
    pub requirements: Option<Requirements>,
    /// The answers file (its variables, record and recommendation).
    pub answers: AnswersFile,
    /// `--set`, parsed.
    pub sets: Vec<(String, String)>,
    /// The switches.
    pub options: Options,
}

impl NewRequest {
    /// Check the inputs: `--set` syntax, needs and team, the name when given, and the
    /// combination of pack flags.
    ///
    /// # Errors
    /// A usage error (exit 2) naming the flag.
    pub fn new(input: NewInput) -> Result<NewRequest> {
        let sets = answers::parse_sets(&input.set)?;
        let requirements = if input.needs.is_some() || input.team.is_some() {
            Some(parse_requirements(
                input.needs.as_deref(),
                input.team.as_deref(),
            )?)
        } else if let Some(rec) = &input.answers.requirements {
            Some(
                Requirements::from_ids(&rec.needs, rec.team.as_deref())
                    .map_err(|e| Error::usage(format!("answers file: {e}")))?,
            )
        } else {
            None
        };
        if let Some(name) = input.name.as_deref().filter(|n| !is_here(n)) {
            derive_name(name)?;
        }
        if let Some(recorded) = &input.answers.name {
            derive_name(recorded)?;
        }
        let recorded = input.stack.is_none() && recorded_elsewhere(&input.answers);
        let pack = match (input.pack, input.stack.or(input.answers.stack.clone())) {
            (Some(spec), _) => PackChoice::Spec {
                spec,
                reference: input.pack_ref,
            },
            (None, _) if recorded => PackChoice::Recorded,
            (None, Some(name)) => PackChoice::Named(name),
            (None, None) => PackChoice::Recommend,
        };
        Ok(NewRequest {
            name: input.name,
            output: input.output,
            pack,
            requirements,
            answers: input.answers,
            sets,
            options: input.options,
        })
    }

    /// The directory's names (from NAME) and the project's (the answers file's recorded
    /// name, so a record reproduces its project byte for byte, or NAME).
    ///
    /// # Errors
    /// An invalid name.
    pub fn names(&self, name: &str) -> Result<(ProjectNames, ProjectNames)> {
        let dir = derive_name(name)?;
        let project = match &self.answers.name {
            Some(recorded) => derive_name(recorded)?,
            None => dir.clone(),
        };
        Ok((dir, project))
    }
}

/// Whether the answers file records a pack that is not built in (a directory, a user pack
/// or a git repository), which a replay then uses again.
fn recorded_elsewhere(answers: &AnswersFile) -> bool {
    answers
        .pack
        .as_ref()
        .and_then(|p| p.source.as_deref())
        .is_some_and(|s| matches!(s, "dir" | "user" | "git"))
}

/// Whether NAME asks for the output directory itself (`scaffold new .`, as `cargo init`).
#[must_use]
pub fn is_here(name: &str) -> bool {
    name.trim() == "."
}

/// Parse `--needs`/`--team` into requirements.
///
/// # Errors
/// A usage error for an empty `--needs`, an unknown need or an unknown team.
pub fn parse_requirements(needs: Option<&str>, team: Option<&str>) -> Result<Requirements> {
    if needs.is_some_and(|n| n.split(',').all(|item| item.trim().is_empty())) {
        return Err(Error::usage(
            "--needs is empty; list what the backend needs (for example --needs realtime,ml), or leave the flag out",
        ));
    }
    Requirements::parse(needs, team).map_err(|e| Error::usage(e.to_string()))
}

/// A project name, checked.
///
/// # Errors
/// A usage error saying why the name is refused.
pub fn derive_name(raw: &str) -> Result<ProjectNames> {
    names::derive(raw).map_err(|reason| {
        Error::usage(format!(
            "invalid project name `{}`: {reason}",
            sanitize(raw.trim())
        ))
    })
}

/// The side effects of answering a request: the terminal (status lines, prompts) and the
/// limits the pipeline runs under. Built once per command.
#[derive(Debug, Clone)]
pub struct Session {
    /// How to talk to the person running the command.
    pub ui: Ui,
    /// Whether questions may be asked (a terminal, and no `--yes`).
    pub interactive: bool,
    /// The limits of resolving and rendering.
    pub limits: Limits,
}

impl Session {
    /// The session of this process: prompts only on a terminal and without `--yes`,
    /// limits from the environment.
    #[must_use]
    pub fn detect(options: Options, ui: Ui) -> Session {
        Session {
            ui: ui.quieter(options.json),
            interactive: !options.yes && Ui::can_prompt(),
            limits: Limits::from_env(),
        }
    }

    /// A session that never asks and prints nothing (for tests and other front ends).
    #[must_use]
    pub fn quiet() -> Session {
        Session {
            ui: Ui::silent(),
            interactive: false,
            limits: Limits::default(),
        }
    }

    /// Show a block of text to the person (the ranking before the stack is picked).
    pub fn show(&self, text: &str) {
        eprintln!("\n{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Asker;
    use crate::engine::TemplateContext;
    use crate::resolve::{self, Answers};

    fn input() -> NewInput {
        NewInput {
            name: Some("Shop API".into()),
            output: PathBuf::from("."),
            stack: Some("fastapi".into()),
            set: vec!["database=postgres".into()],
            ..NewInput::default()
        }
    }

    #[test]
    fn a_request_is_checked_in_one_place() {
        let req = NewRequest::new(input()).unwrap();
        assert_eq!(req.pack, PackChoice::Named("fastapi".into()));
        assert_eq!(req.sets, [("database".to_string(), "postgres".to_string())]);
        let (dir, project) = req.names("Shop API").unwrap();
        assert_eq!(
            (dir.slug.as_str(), project.name.as_str()),
            ("shop-api", "Shop API")
        );

        for (bad, flag) in [
            (
                NewInput {
                    set: vec!["nokey".into()],
                    ..input()
                },
                "--set nokey",
            ),
            (
                NewInput {
                    needs: Some(",".into()),
                    ..input()
                },
                "--needs is empty",
            ),
            (
                NewInput {
                    team: Some("cobol".into()),
                    ..input()
                },
                "cobol",
            ),
            (
                NewInput {
                    name: Some("..".into()),
                    ..input()
                },
                "invalid project name",
            ),
        ] {
            let err = NewRequest::new(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains(flag), "{err}");
        }
    }

    #[test]
    fn flags_win_over_the_answers_file() {
        let mut answers = AnswersFile::parse(
            "name = 'Recorded'\nstack = 'django'\n[requirements]\nneeds = ['ml']\n",
        )
        .unwrap();
        let req = NewRequest::new(NewInput {
            answers: answers.clone(),
            stack: None,
            ..input()
        })
        .unwrap();
        assert_eq!(req.pack, PackChoice::Named("django".into()));
        assert_eq!(req.requirements.as_ref().unwrap().need_ids(), ["ml"]);
        assert_eq!(req.names("x").unwrap().1.name, "Recorded");
        answers.stack = None;
        let req = NewRequest::new(NewInput {
            answers,
            stack: None,
            pack: Some("./mine".into()),
            needs: Some("realtime".into()),
            ..input()
        })
        .unwrap();
        assert!(matches!(req.pack, PackChoice::Spec { .. }));
        assert_eq!(req.requirements.unwrap().need_ids(), ["realtime"]);
    }

    /// A request resolved and rendered against an embedded pack tree (the hybrid includes
    /// three packs): no binary, no terminal, no disk.
    #[test]
    fn a_request_resolves_an_embedded_pack_tree() {
        let req = NewRequest::new(NewInput {
            stack: Some("hybrid".into()),
            set: vec!["queue=nats".into()],
            ..input()
        })
        .unwrap();
        let PackChoice::Named(stack) = &req.pack else {
            panic!("a named stack");
        };
        let pack = crate::pack::load_builtin(stack).unwrap();
        let (_, project) = req.names(req.name.as_deref().unwrap()).unwrap();
        let base = TemplateContext {
            names: project,
            stack: stack.clone(),
            why: Vec::new(),
            needs: Vec::new(),
            values: Vec::new(),
        };
        let input = Answers {
            sets: req.sets.clone(),
            answers: req.answers.variables.clone(),
            ..Answers::default()
        };
        let session = Session::quiet();
        let resolved =
            resolve::resolve(&pack, &base, &input, Asker::Never, &session.limits).unwrap();
        assert!(resolved
            .values()
            .contains(&("queue".into(), crate::value::Value::String("nats".into()))));
        assert!(
            resolved.root.includes.len() >= 2,
            "{:?}",
            resolved.root.includes.len()
        );
        let plan = crate::render::render(&resolved).unwrap();
        assert!(plan.files.iter().any(|f| f.path == "Makefile"));
    }
}
