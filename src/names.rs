//! Project names: what the user typed, and the forms the templates need.
//!
//! `My Cool API` gives the slug `my-cool-api` (a valid npm package name, also used as the
//! directory name) and the package name `my_cool_api` (a valid Python identifier that is not
//! a keyword and does not shadow a module the project imports). The rules are documented in
//! the README under "Project names".

use unicode_normalization::UnicodeNormalization;

/// The longest name accepted (npm's limit for package names).
pub const MAX_LEN: usize = 214;

/// The three forms of a project's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectNames {
    /// The name as typed (trimmed).
    pub name: String,
    /// Lowercase, `[a-z0-9-]`, no leading or trailing `-`: npm package and directory name.
    pub slug: String,
    /// The slug with `-` as `_`: a Python identifier.
    pub package: String,
}

const PYTHON_KEYWORDS: &[&str] = &[
    "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case", "type",
];

/// Names a generated project imports or ships, or that test runners and tools treat specially.
const SHADOWED: &[&str] = &[
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic_settings",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "gunicorn",
    "django",
    "rest_framework",
    "environ",
    "psycopg",
    "psycopg2",
    "pytest",
    "httpx",
    "ruff",
    "mypy",
    "numpy",
    "pandas",
    "aio_pika",
    "pika",
    "redis",
    "nats",
    "celery",
    "whitenoise",
    "setuptools",
    "pip",
    "express",
    "nestjs",
    "nest",
    "node_modules",
    "test",
    "tests",
    "app",
    "config",
    "src",
    "dist",
    "build",
    "scripts",
    "migrations",
    "worker",
    "gateway",
    "contracts",
    "site_packages",
    "venv",
];

/// Characters that would break the quoted strings (TOML, JSON, YAML, Python, shell,
/// Makefile, compose interpolation) a project name is written into.
const UNSAFE_IN_FILES: &str = "\"`$%{}<>|;*?=[]^~";

const PYTHON_STDLIB: &str = include_str!("data/python_stdlib.txt");
const NODE_BUILTINS: &str = include_str!("data/node_builtins.txt");

const WINDOWS_RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Whether `segment` is a name Windows refuses for a file or directory (`con`, `nul.txt`, ...).
#[must_use]
pub fn is_windows_reserved(segment: &str) -> bool {
    let stem = segment
        .split('.')
        .next()
        .unwrap_or(segment)
        .trim_end()
        .to_ascii_lowercase();
    WINDOWS_RESERVED.contains(&stem.as_str())
}

/// Derive the slug: NFKD-normalize, drop combining marks, lowercase, and collapse every run
/// of other characters into one `-`.
#[must_use]
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    slug
}

fn is_python_stdlib(name: &str) -> bool {
    PYTHON_STDLIB.lines().any(|m| m == name)
}

fn is_node_builtin(name: &str) -> bool {
    NODE_BUILTINS.lines().any(|m| m == name)
}

/// Validate a project name and derive its slug and package name.
///
/// # Errors
/// A one-line reason (without the `invalid name` prefix) when the name cannot be used.
pub fn derive(raw: &str) -> Result<ProjectNames, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.chars().count() > MAX_LEN {
        return Err(format!("the name is longer than {MAX_LEN} characters"));
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err("the name contains control characters or line separators".into());
    }
    if name.contains('/') || name.contains('\\') {
        return Err(
            "the name contains a path separator; pass the parent directory with --output".into(),
        );
    }
    if let Some(c) = name.chars().find(|c| UNSAFE_IN_FILES.contains(*c)) {
        return Err(format!(
            "the name contains `{c}`, which the generated files would have to escape; use letters, digits, spaces and - _ . ' ( ) & + ,"
        ));
    }
    if name == "." || name == ".." {
        return Err(format!("`{name}` is not a project name"));
    }
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(format!(
            "`{name}` has no letters or digits to build a package name from"
        ));
    }
    if slug.len() > MAX_LEN {
        return Err(format!(
            "the derived name is longer than {MAX_LEN} characters"
        ));
    }
    if is_windows_reserved(&slug) {
        return Err(format!("`{slug}` is a reserved file name on Windows"));
    }
    let package = slug.replace('-', "_");
    if package.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!(
            "`{package}` starts with a digit, which a Python package name cannot; start the name with a letter"
        ));
    }
    if PYTHON_KEYWORDS.contains(&package.as_str()) {
        return Err(format!("`{package}` is a Python keyword"));
    }
    if SHADOWED.contains(&package.as_str()) || is_python_stdlib(&package) {
        return Err(format!(
            "`{package}` would shadow a module the project imports; try `{package}-service` or `my-{slug}`"
        ));
    }
    if is_node_builtin(&slug) {
        return Err(format!(
            "`{slug}` is a Node.js core module name, which npm refuses as a package name; try `{slug}-service`"
        ));
    }
    Ok(ProjectNames {
        name: name.to_string(),
        slug,
        package,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(raw: &str) -> (String, String) {
        let n = derive(raw).unwrap_or_else(|e| panic!("{raw:?} refused: {e}"));
        (n.slug, n.package)
    }

    #[test]
    fn derives_slug_and_package() {
        assert_eq!(
            ok("My Cool API"),
            ("my-cool-api".into(), "my_cool_api".into())
        );
        assert_eq!(
            ok("  inventory  "),
            ("inventory".into(), "inventory".into())
        );
        assert_eq!(
            ok("billing_service"),
            ("billing-service".into(), "billing_service".into())
        );
        assert_eq!(
            ok("Café Orders"),
            ("cafe-orders".into(), "cafe_orders".into())
        );
        assert_eq!(ok("api--v2__x"), ("api-v2-x".into(), "api_v2_x".into()));
        assert_eq!(ok("Ünïcödé!!"), ("unicode".into(), "unicode".into()));
    }

    #[test]
    fn keeps_the_name_as_typed() {
        let n = derive(" My Cool API ").unwrap();
        assert_eq!(n.name, "My Cool API");
    }

    #[test]
    fn refuses_bad_names() {
        for (raw, needle) in [
            ("", "empty"),
            ("   ", "empty"),
            ("a/b", "path separator"),
            ("a\\b", "path separator"),
            (".", "not a project name"),
            ("..", "not a project name"),
            ("---", "no letters"),
            ("日本語", "no letters"),
            ("con", "reserved"),
            ("NUL", "reserved"),
            ("com1", "reserved"),
            ("3d-printer", "digit"),
            ("class", "keyword"),
            ("fastapi", "shadow"),
            ("django", "shadow"),
            ("express", "shadow"),
            ("test", "shadow"),
            ("json", "shadow"),
            ("asyncio", "shadow"),
            ("http2", "Node.js core"),
            ("tab\there", "control"),
            ("say \"hi\"", "would have to escape"),
            ("cost$", "would have to escape"),
            ("{{ x }}", "would have to escape"),
        ] {
            let err = derive(raw).expect_err(raw);
            assert!(err.contains(needle), "{raw:?}: {err}");
        }
        assert!(derive(&"a".repeat(MAX_LEN + 1)).is_err());
        assert!(derive(&"a".repeat(MAX_LEN)).is_ok());
    }

    #[test]
    fn windows_reserved_with_extensions() {
        assert!(is_windows_reserved("con.txt"));
        assert!(is_windows_reserved("Aux"));
        assert!(!is_windows_reserved("console"));
    }

    proptest! {
        #[test]
        fn derived_names_are_valid(raw in "\\PC{0,80}") {
            if let Ok(n) = derive(&raw) {
                let npm = regex::Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
                prop_assert!(npm.is_match(&n.slug), "slug {:?}", n.slug);
                prop_assert!(n.slug.len() <= MAX_LEN);
                let ident = regex::Regex::new(r"^[a-z_][a-z0-9_]*$").unwrap();
                prop_assert!(ident.is_match(&n.package), "package {:?}", n.package);
                prop_assert!(!PYTHON_KEYWORDS.contains(&n.package.as_str()));
            }
        }

        #[test]
        fn derive_never_panics(raw in any::<String>()) {
            let _ = derive(&raw);
        }
    }
}
