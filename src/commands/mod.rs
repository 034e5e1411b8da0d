//! One module per subcommand: glue from the parsed command line to the core.

pub mod completions;
pub mod list;
pub mod new;
pub mod pack;
pub mod pack_test;
pub mod recommend;
