//! pack.toml parsing and checking never panics, whatever the bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = scaffold::pack::Manifest::parse(text) {
            // A manifest that parses has checked variables: every default passes its own check.
            for v in &m.variables {
                if let Some(d) = &v.default {
                    assert!(v.check(d.clone()).is_ok());
                }
            }
        }
    }
});
