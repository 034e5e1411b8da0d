//! Project names: what the user typed, and the forms the templates need.
//!
//! `My Cool API` gives the slug `my-cool-api` (a valid npm package name, also used as the
//! directory name), the package name `my_cool_api` (a Python identifier) and the database
//! name (the package name cut to PostgreSQL's 63-byte identifier limit). [`derive`] applies
//! the rules every stack shares (what a directory and the generated files can hold) and
//! always derives usable identifiers: a name starting with a digit gets a Python package
//! name starting with `project_`, a name without ASCII letters or digits (`日本語`) an
//! `xn--` slug (Punycode, as internationalized domain names do). [`check`] applies the
//! rules of the chosen stack, declared by its pack's `[names]` table. The rules are
//! documented in the README under "Project names".

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The longest name accepted (npm's limit for package names).
pub const MAX_LEN: usize = 214;

/// PostgreSQL's limit on identifiers (database names included), in bytes.
pub const MAX_DATABASE_NAME: usize = 63;

/// The forms of a project's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectNames {
    /// The name as typed (trimmed).
    pub name: String,
    /// Lowercase, `[a-z0-9-]`, no leading or trailing `-`: npm package and directory name.
    pub slug: String,
    /// The slug with `-` as `_` (and `project_` before a leading digit): a Python identifier.
    pub package: String,
    /// The package name, at most 63 bytes (a hash of the whole keeps long names distinct).
    pub database: String,
}

/// The `[names]` table of a pack: which stack rules apply to the identifiers it uses, and
/// the names its own files would collide with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NameRules {
    /// `python` (the package name is a Python module: no keyword, standard-library module
    /// or module the project imports) and/or `node` (the slug is an npm package name: no
    /// Node.js core module).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Names refused for this pack (compared with the slug and the package name), for the
    /// modules and directories its files create.
    #[serde(default)]
    pub reserved: Vec<String>,
}

/// The stack rules a pack may name in `[names] rules`.
pub const RULES: &[&str] = &["python", "node"];

impl NameRules {
    /// The problems of a `[names]` table, for the manifest check and `pack lint`.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rules {
            if !RULES.contains(&r.as_str()) {
                out.push(format!(
                    "[names] rules: unknown rule `{r}`; the rules are {}",
                    RULES.join(", ")
                ));
            }
        }
        for r in &self.reserved {
            if r.is_empty()
                || !r
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                out.push(format!(
                    "[names] reserved: `{r}` is not a slug or package name (lowercase letters, digits, `-` and `_`)"
                ));
            }
        }
        out
    }

    /// These rules and `other`'s together (a pack and the packs it includes).
    pub fn extend(&mut self, other: &NameRules) {
        for r in &other.rules {
            if !self.rules.contains(r) {
                self.rules.push(r.clone());
            }
        }
        for r in &other.reserved {
            if !self.reserved.contains(r) {
                self.reserved.push(r.clone());
            }
        }
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case", "type",
];

/// Python modules the generated Python projects import or whose tools treat specially.
const PYTHON_SHADOWED: &[&str] = &[
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
    "site_packages",
    "venv",
];

/// Names npm refuses for a package besides the core modules.
const NPM_REFUSED: &[&str] = &["node-modules", "favicon-ico"];
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

/// Validate a project name against the rules every stack shares, and derive its slug,
/// package and database names. The chosen stack's rules are [`check`]ed once its pack is
/// known.
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
    let mut slug = slugify(name);
    if slug.is_empty() {
        slug = international_slug(name);
    }
    if slug.is_empty() {
        return Err(format!(
            "`{name}` has no letters or digits to build a package name from"
        ));
    }
    if slug.len() > MAX_LEN {
        return Err(format!(
            "the derived name `{}…` is longer than {MAX_LEN} characters",
            slug.chars().take(40).collect::<String>()
        ));
    }
    if is_windows_reserved(&slug) {
        return Err(format!("`{slug}` is a reserved file name on Windows"));
    }
    let mut package = slug.replace('-', "_");
    if package.starts_with(|c: char| c.is_ascii_digit()) {
        package = format!("project_{package}");
    }
    let database = database_name(&package);
    Ok(ProjectNames {
        name: name.to_string(),
        slug,
        package,
        database,
    })
}

/// Check derived names against a stack's rules. `pack` names the pack in the message.
///
/// # Errors
/// A one-line reason naming the rule that refused the name.
pub fn check(names: &ProjectNames, rules: &NameRules, pack: &str) -> Result<(), String> {
    let package = names.package.as_str();
    let slug = names.slug.as_str();
    if rules.rules.iter().any(|r| r == "python") {
        let why = if PYTHON_KEYWORDS.contains(&package) {
            Some("is a Python keyword")
        } else if is_python_stdlib(package) {
            Some("is a module of Python's standard library, which the package would shadow")
        } else if PYTHON_SHADOWED.contains(&package) {
            Some("would shadow a module the project imports")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(format!(
                "the Python package name `{package}` {why} (the `{pack}` pack's python rule); try `{slug}-service` or `my-{slug}`, or a stack without Python"
            ));
        }
    }
    if rules.rules.iter().any(|r| r == "node")
        && (is_node_builtin(slug) || NPM_REFUSED.contains(&slug))
    {
        return Err(format!(
            "the npm package name `{slug}` is a Node.js core module name, which npm refuses (the `{pack}` pack's node rule); try `{slug}-service`"
        ));
    }
    if let Some(r) = rules
        .reserved
        .iter()
        .find(|r| r.as_str() == slug || r.as_str() == package)
    {
        return Err(format!(
            "`{r}` is reserved by the `{pack}` pack (its own files use it); try `{slug}-service` or `my-{slug}`"
        ));
    }
    Ok(())
}

/// The slug of a name without ASCII letters or digits: its letters and digits, lowercased,
/// as Punycode with the `xn--` prefix (`日本語` → `xn--wgv71a119e`). None is ASCII, so
/// the encoded part is only letters and digits.
fn international_slug(name: &str) -> String {
    let words: Vec<String> = name
        .nfc()
        .collect::<String>()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return String::new();
    }
    format!("xn--{}", punycode(&words.concat()))
}

/// RFC 3492 Punycode of `input` (without the `xn--` prefix). The one-letter names are the
/// RFC's.
#[allow(clippy::many_single_char_names)]
fn punycode(input: &str) -> String {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(delta: u32, points: u32, first: bool) -> u32 {
        let mut delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u32) -> char {
        // d < 36: a-z then 0-9.
        char::from_digit(if d < 26 { d + 10 } else { d - 26 }, 36).unwrap_or('a')
    }
    let cps: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = u32::try_from(out.len()).unwrap_or(u32::MAX);
    if basic > 0 {
        out.push('-');
    }
    let total = u32::try_from(cps.len()).unwrap_or(u32::MAX);
    let (mut n, mut delta, mut bias, mut h) = (128u32, 0u32, 72u32, basic);
    while h < total {
        let Some(m) = cps.iter().copied().filter(|&c| c >= n).min() else {
            break;
        };
        delta = delta.saturating_add((m - n).saturating_mul(h + 1));
        n = m;
        for &c in &cps {
            if c < n {
                delta = delta.saturating_add(1);
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, h + 1, h == basic);
                delta = 0;
                h += 1;
            }
        }
        delta = delta.saturating_add(1);
        n += 1;
    }
    out
}

/// The package name as a PostgreSQL database name: itself when it fits in 63 bytes, else
/// its first 54 bytes, `_` and 8 hex digits of its SHA-256 (distinct long names stay
/// distinct).
#[must_use]
pub fn database_name(package: &str) -> String {
    use sha2::Digest;
    if package.len() <= MAX_DATABASE_NAME {
        return package.to_string();
    }
    let hash = sha2::Sha256::digest(package.as_bytes());
    let hex: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let head = package[..MAX_DATABASE_NAME - 9].trim_end_matches('_');
    format!("{head}_{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(raw: &str) -> (String, String) {
        let n = derive(raw).unwrap_or_else(|e| panic!("{raw:?} refused: {e}"));
        (n.slug, n.package)
    }

    fn python() -> NameRules {
        NameRules {
            rules: vec!["python".into()],
            reserved: vec!["config".into()],
        }
    }

    fn node() -> NameRules {
        NameRules {
            rules: vec!["node".into()],
            reserved: Vec::new(),
        }
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
    fn derives_identifiers_the_stacks_need() {
        assert_eq!(ok("2fa"), ("2fa".into(), "project_2fa".into()));
        assert_eq!(
            ok("日本語"),
            ("xn--wgv71a119e".into(), "xn__wgv71a119e".into())
        );
        assert_eq!(punycode("bücher"), "bcher-kva");
        let long = "a".repeat(100);
        let n = derive(&long).unwrap();
        assert!(n.database.len() <= MAX_DATABASE_NAME, "{}", n.database);
        assert_ne!(n.database, derive(&"a".repeat(99)).unwrap().database);
        assert_eq!(derive("shop").unwrap().database, "shop");
    }

    #[test]
    fn keeps_the_name_as_typed() {
        let n = derive(" My Cool API ").unwrap();
        assert_eq!(n.name, "My Cool API");
    }

    #[test]
    fn refuses_bad_names_for_every_stack() {
        for (raw, needle) in [
            ("", "empty"),
            ("   ", "empty"),
            ("a/b", "path separator"),
            ("a\\b", "path separator"),
            (".", "not a project name"),
            ("..", "not a project name"),
            ("---", "no letters"),
            ("con", "reserved"),
            ("NUL", "reserved"),
            ("com1", "reserved"),
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
    fn stack_rules_refuse_only_what_breaks_the_stack() {
        for (raw, needle) in [
            ("class", "Python keyword"),
            ("fastapi", "shadow"),
            ("django", "shadow"),
            ("json", "standard library"),
            ("asyncio", "standard library"),
            ("copy", "standard library"),
            ("config", "reserved by the `p` pack"),
        ] {
            let n = derive(raw).unwrap();
            let err = check(&n, &python(), "p").expect_err(raw);
            assert!(
                err.contains(needle) && err.contains("`p` pack"),
                "{raw:?}: {err}"
            );
            assert!(check(&n, &node(), "p").is_ok(), "{raw:?} refused for node");
        }
        for raw in ["http2", "fs", "node_modules"] {
            let n = derive(raw).unwrap();
            let err = check(&n, &node(), "express").expect_err(raw);
            assert!(err.contains("node rule"), "{err}");
        }
        for raw in ["app", "test", "queue", "worker", "2fa", "日本語", "express"] {
            let n = derive(raw).unwrap();
            assert!(check(&n, &node(), "express").is_ok(), "{raw}");
        }
        assert!(check(&derive("2fa").unwrap(), &python(), "p").is_ok());
    }

    #[test]
    fn rules_tables_are_checked() {
        let bad = NameRules {
            rules: vec!["cobol".into()],
            reserved: vec!["Bad Name".into()],
        };
        assert_eq!(bad.problems().len(), 2);
        assert!(python().problems().is_empty());
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
                let npm = regex::Regex::new(r"^(xn--)?[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
                prop_assert!(npm.is_match(&n.slug), "slug {:?}", n.slug);
                prop_assert!(n.slug.len() <= MAX_LEN);
                let ident = regex::Regex::new(r"^[a-z_][a-z0-9_]*$").unwrap();
                prop_assert!(ident.is_match(&n.package), "package {:?}", n.package);
                prop_assert!(n.database.len() <= MAX_DATABASE_NAME);
            }
        }

        #[test]
        fn derive_never_panics(raw in any::<String>()) {
            let _ = derive(&raw);
        }
    }
}
