//! Answers files (and `.scaffold.toml` records) never panic the parser, and what the record
//! writer prints parses again to the same text.
#![no_main]

use scaffold::answers::AnswersFile;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(a) = AnswersFile::parse(text) {
            let written = a.to_toml_string();
            let again = AnswersFile::parse(&written).expect("the writer's output parses");
            assert_eq!(again.to_toml_string(), written);
        }
    }
});
