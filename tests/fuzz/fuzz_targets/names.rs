//! Name normalization: never panics, and an accepted name always gives a valid npm name
//! and Python identifier.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = std::str::from_utf8(data) {
        if let Ok(n) = scaffold::names::derive(raw) {
            assert!(!n.slug.is_empty() && n.slug.len() <= scaffold::names::MAX_LEN);
            assert!(n
                .slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            // A name without ASCII letters or digits gets an `xn--` (Punycode) slug.
            let body = n.slug.strip_prefix("xn--").unwrap_or(&n.slug);
            assert!(!body.is_empty() && !body.starts_with('-') && !body.ends_with('-') && !body.contains("--"));
            assert!(n
                .package
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
            assert!(!n.package.starts_with(|c: char| c.is_ascii_digit()));
        }
    }
});
