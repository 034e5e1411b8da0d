//! The command line (clap definitions only). Every prompt has a flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::ArgValueCompleter;

use crate::complete;
pub use crate::ui::ColorChoice;

const AFTER_HELP: &str = "\
Exit codes: 0 success; 1 failure while generating (I/O, a template error in a pack);
2 bad input (usage, unknown stack, invalid name or value, missing answer without a TTY,
target exists and is not empty); 130 interrupted (nothing half-written is left behind).";

/// Choose a backend stack with reasons, then generate a starter that installs, lints,
/// tests and boots on the first try.
#[derive(Debug, Parser)]
#[command(name = "scaffold", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Print only warnings and errors (no status lines).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more: where the pack came from, the time each stage took.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to colour the output on stderr (auto: on a terminal, without NO_COLOR or
    /// TERM=dumb).
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl Cli {
    /// Whether the command prints one JSON document on stdout (so errors do too).
    #[must_use]
    pub fn json(&self) -> bool {
        match &self.command {
            Command::New(a) => a.json,
            Command::Recommend(a) => a.json,
            Command::List(a) => a.json,
            Command::Update(a) => a.json,
            Command::Pack(PackCommand::Lint { json, .. } | PackCommand::Test { json, .. }) => *json,
            Command::Pack(PackCommand::Export { .. })
            | Command::Completions(_)
            | Command::Serve(_) => false,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a starter project (asks what it needs to, recommends a stack).
    New(NewArgs),
    /// Recommend a stack for a project's needs, with reasons.
    Recommend(RecommendArgs),
    /// List the built-in packs and their variables.
    List(ListArgs),
    /// Work with template packs: export a built-in one, lint a pack, test its combinations.
    #[command(subcommand)]
    Pack(PackCommand),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Follow a newer pack, or changed answers: re-render and merge three ways per file,
    /// keeping local edits (conflicts get markers and exit 1).
    Update(UpdateArgs),
    /// Serve the web page and HTTP API: answer, compare, preview, download a starter.
    Serve(ServeArgs),
}

/// The requirement answers shared by `new` and `recommend`.
#[derive(Debug, Args, Clone, Default)]
pub struct NeedsArgs {
    /// What the backend needs, comma-separated: realtime, streaming, api, microservices,
    /// admin, cms, ecommerce, data, ml, automation, cpu-heavy, high-concurrency, prototype,
    /// typed-api, enterprise.
    #[arg(long, value_name = "LIST", help_heading = "Recommendation", add = ArgValueCompleter::new(complete::needs))]
    pub needs: Option<String>,

    /// What the team writes today: js, python, both or none.
    #[arg(long, value_name = "TEAM", help_heading = "Recommendation", add = ArgValueCompleter::new(complete::teams))]
    pub team: Option<String>,
}

/// `scaffold new`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct NewArgs {
    /// The project name; its slug (`My API` → `my-api`) names the directory.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// The stack to render (express, nestjs, django, fastapi, hybrid); skips the
    /// recommendation step.
    #[arg(long, value_name = "STACK", help_heading = "Stack", add = ArgValueCompleter::new(complete::stacks))]
    pub stack: Option<String>,

    /// Use a custom template pack: a directory, a git URL (`#ref` picks a branch or tag;
    /// file:// works), or the name of a pack in the user pack directory.
    #[arg(
        long,
        value_name = "DIR|GIT-URL|NAME",
        conflicts_with = "stack",
        help_heading = "Stack"
    )]
    pub pack: Option<String>,

    /// The branch or tag of a git pack.
    #[arg(long, value_name = "REF", requires = "pack", help_heading = "Stack")]
    pub pack_ref: Option<String>,

    #[command(flatten)]
    pub needs: NeedsArgs,

    /// Set a pack variable (repeatable), e.g. --set database=postgres.
    #[arg(long = "set", value_name = "KEY=VALUE", help_heading = "Answers", add = ArgValueCompleter::new(complete::sets))]
    pub set: Vec<String>,

    /// Read answers from a TOML file (another project's .scaffold.toml works).
    #[arg(long, value_name = "FILE", help_heading = "Answers")]
    pub answers: Option<PathBuf>,

    /// Never prompt: take the recommendation and the defaults.
    #[arg(short, long, help_heading = "Answers")]
    pub yes: bool,

    /// The parent directory to create the project in.
    #[arg(
        short,
        long,
        value_name = "DIR",
        default_value = ".",
        help_heading = "Output"
    )]
    pub output: PathBuf,

    /// Print what would be written; write nothing.
    #[arg(long, help_heading = "Output")]
    pub dry_run: bool,

    /// Write into an existing non-empty directory (user files are never deleted, `.env`
    /// is never replaced; overwritten files are listed). A file that differs from what
    /// scaffold generated there is only overwritten when --force is given twice.
    #[arg(long, action = clap::ArgAction::Count, help_heading = "Output")]
    pub force: u8,

    /// Skip `git init` and the first commit.
    #[arg(long, help_heading = "Output")]
    pub no_git: bool,

    /// Print one JSON document on stdout and nothing else there.
    #[arg(long, help_heading = "Output")]
    pub json: bool,

    /// With --answers: refuse to render a pack version other than the recorded one.
    #[arg(long, requires = "answers", help_heading = "Answers")]
    pub locked: bool,
}

/// `scaffold update`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes: 0 updated (or nothing to do); 1 conflicts (files with --check finding the project behind its pack, or a failure while writing (nothing changed);
2 bad input (no or a newer .scaffold.toml, an unreachable pack, an unknown --set key or need);
130 interrupted (nothing changed).")]
pub struct UpdateArgs {
    /// The project directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Change a pack variable (repeatable), e.g. --set jobs_queue=redis.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Add or remove needs, e.g. --needs +realtime,-ml; the README's reasons follow, and a
    /// real-time need switches on a pack's jobs API.
    #[arg(long, value_name = "+NEED,-NEED", allow_hyphen_values = true)]
    pub needs: Option<String>,

    /// List each file's action; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Exit 1 when the project is behind its pack (for CI); write nothing.
    #[arg(long, conflicts_with_all = ["dry_run", "diff"])]
    pub check: bool,

    /// Show what would change as a unified diff; write nothing.
    #[arg(long)]
    pub diff: bool,

    /// Print one JSON document on stdout and nothing else there.
    #[arg(long)]
    pub json: bool,
}

/// `scaffold recommend`.
#[derive(Debug, Args)]
pub struct RecommendArgs {
    #[command(flatten)]
    pub needs: NeedsArgs,

    /// Print the recommendation as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Also say which single answer, if changed, would change the top pick (each change
    /// really re-ranked).
    #[arg(long)]
    pub explain: bool,
}

/// `scaffold list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the packs as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `scaffold pack …`.
#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Copy a built-in pack into a directory, byte for byte, ready to edit.
    Export {
        /// The built-in pack (see `scaffold list`).
        #[arg(add = ArgValueCompleter::new(complete::stacks))]
        name: String,
        /// The directory to create (must not exist or be empty).
        dir: PathBuf,
    },
    /// Check a pack: every problem at once, each with file and line. Exit 0 when clean,
    /// 1 for warnings with --strict, 2 for errors.
    Lint {
        /// The pack directory.
        dir: PathBuf,
        /// Treat warnings as failures (exit 1).
        #[arg(long)]
        strict: bool,
        /// Print the diagnostics as one JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Render a pack and run the checks its pack.toml declares (`[checks] run`) in the
    /// rendered project; with --matrix, for every combination of its choice and bool
    /// variables (a pairwise subset when there are many). Exit 1 if any fails.
    Test {
        /// A pack directory, git URL, or built-in or user pack name.
        #[arg(add = ArgValueCompleter::new(complete::stacks))]
        pack: String,
        /// Every combination instead of the defaults only.
        #[arg(long)]
        matrix: bool,
        /// Keep every rendered project, not only the failing ones.
        #[arg(long)]
        keep: bool,
        /// Allow the pack's check commands to run without asking (they run with your
        /// permissions; without a terminal to ask on, this flag is required).
        #[arg(long)]
        trust: bool,
        /// Print the results as one JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// `scaffold serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (IP:PORT; port 0 picks a free one). Anything but a
    /// loopback address is reachable by others, and the server has no authentication.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    pub addr: String,

    /// A directory of packs to serve beside the built-in ones: a pack itself, or
    /// directories of packs (repeatable).
    #[arg(long, value_name = "DIR")]
    pub packs: Vec<PathBuf>,
}

/// `scaffold completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
