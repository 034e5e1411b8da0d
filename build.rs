//! Build steps for the embedded packs:
//! - rebuild when a built-in pack changes (include_dir embeds `templates/` at compile time,
//!   and without this cargo would not notice an edited template);
//! - compute each built-in pack's content hash here, once, instead of in every `scaffold new`
//!   (the same hash as `pack::content_hash`: every file's path, a NUL, its length as a
//!   little-endian u64 and its bytes, in path order; a unit test checks they agree).
use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

fn files_of(dir: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let name = entry
            .file_name()
            .into_string()
            .expect("UTF-8 names in templates/");
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if entry.path().is_dir() {
            files_of(&entry.path(), &path, out);
        } else {
            let bytes = std::fs::read(entry.path())
                .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            out.push((path, bytes));
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=templates");
    let mut packs: Vec<String> = std::fs::read_dir("templates")
        .expect("templates/")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    packs.sort();
    let mut code = String::from(
        "/// `(pack, content hash)` of every built-in pack, computed when scaffold was built.\npub(crate) const BUILTIN_HASHES: &[(&str, &str)] = &[\n",
    );
    for pack in packs {
        let mut files = Vec::new();
        files_of(&Path::new("templates").join(&pack), "", &mut files);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut h = Sha256::new();
        for (path, bytes) in &files {
            h.update(path.as_bytes());
            h.update([0]);
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        let _ = writeln!(code, "    ({pack:?}, \"sha256:{:x}\"),", h.finalize());
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_hashes.rs");
    std::fs::write(out, code).expect("write builtin_hashes.rs");
}
