//! The built-in stacks: their ids, families and one-line summaries.

use std::fmt;
use std::str::FromStr;

/// A built-in stack, each backed by the pack of the same name under `templates/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stack {
    /// Express 5 + TypeScript: a lightweight Node.js API.
    Express,
    /// NestJS: modules, dependency injection, enforced structure.
    Nestjs,
    /// Django: admin, ORM and auth built in.
    Django,
    /// FastAPI: typed Python API with generated OpenAPI docs.
    Fastapi,
    /// A Node.js gateway plus a Python worker joined by a message queue.
    Hybrid,
}

/// The language family a stack belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Node.js (JavaScript / TypeScript).
    Node,
    /// Python.
    Python,
    /// Both: Node.js at the edge, Python behind a queue.
    Hybrid,
}

impl Stack {
    /// Every stack, in the documented tie-break order.
    pub const ALL: [Stack; 5] = [
        Stack::Express,
        Stack::Nestjs,
        Stack::Django,
        Stack::Fastapi,
        Stack::Hybrid,
    ];

    /// The id used on the command line, in JSON and as the pack name.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Stack::Express => "express",
            Stack::Nestjs => "nestjs",
            Stack::Django => "django",
            Stack::Fastapi => "fastapi",
            Stack::Hybrid => "hybrid",
        }
    }

    /// The language family.
    #[must_use]
    pub fn family(self) -> Family {
        match self {
            Stack::Express | Stack::Nestjs => Family::Node,
            Stack::Django | Stack::Fastapi => Family::Python,
            Stack::Hybrid => Family::Hybrid,
        }
    }

    /// A one-line summary shown next to the stack in prompts and listings.
    #[must_use]
    pub fn summary(self) -> &'static str {
        match self {
            Stack::Express => "Express 5 + TypeScript: a lightweight, unopinionated Node.js API",
            Stack::Nestjs => "NestJS: modules and dependency injection for larger Node.js teams",
            Stack::Django => "Django: admin panel, ORM and auth built in",
            Stack::Fastapi => "FastAPI: typed Python API with automatic OpenAPI docs",
            Stack::Hybrid => "Node.js gateway + Python worker joined by a message queue",
        }
    }
}

impl Family {
    /// The id used in JSON output.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Family::Node => "node",
            Family::Python => "python",
            Family::Hybrid => "hybrid",
        }
    }
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The error for a string that names no built-in stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStack(pub String);

impl fmt::Display for UnknownStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = Stack::ALL.iter().map(|s| s.id()).collect();
        write!(
            f,
            "unknown stack `{}` (expected one of: {})",
            self.0,
            ids.join(", ")
        )
    }
}

impl std::error::Error for UnknownStack {}

impl FromStr for Stack {
    type Err = UnknownStack;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stack::ALL
            .iter()
            .copied()
            .find(|st| st.id().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownStack(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for s in Stack::ALL {
            assert_eq!(s.id().parse::<Stack>(), Ok(s));
        }
    }

    #[test]
    fn unknown_lists_choices() {
        let err = "rails".parse::<Stack>().unwrap_err();
        assert!(err
            .to_string()
            .contains("express, nestjs, django, fastapi, hybrid"));
    }
}
