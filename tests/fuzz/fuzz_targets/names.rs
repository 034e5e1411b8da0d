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
            assert!(!n.slug.starts_with('-') && !n.slug.ends_with('-') && !n.slug.contains("--"));
            assert!(n
                .package
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
            assert!(!n.package.starts_with(|c: char| c.is_ascii_digit()));
        }
    }
});
