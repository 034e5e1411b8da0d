//! The path-safety checks: a path they accept is relative and never climbs out, and a link
//! they resolve stays inside the pack.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (path, target) = text.split_once('\n').unwrap_or((text, ""));
    if scaffold::plan::check_rel_path(path).is_ok() {
        assert!(!path.starts_with('/'));
        assert!(path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".."));
    }
    if let Some(resolved) = scaffold::pack::resolve_link(path, target) {
        assert!(!resolved.is_empty() && !resolved.starts_with('/'));
        assert!(resolved.split('/').all(|s| s != ".."));
    }
});
