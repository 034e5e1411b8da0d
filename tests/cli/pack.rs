//! `scaffold pack export`: byte for byte, then usable with --pack.

use std::path::Path;

use crate::helpers::{tree, Scaffold};

#[test]
fn export_is_byte_for_byte_and_renders() {
    for name in ["fastapi"] {
        let mut s = Scaffold::new().args(["pack", "export", name, "mine"]);
        s.run().success();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates")
            .join(name);
        let out = s.path("mine");
        assert_eq!(tree(&src), tree(&out));
        for f in tree(&src) {
            assert_eq!(
                std::fs::read(src.join(&f)).unwrap(),
                std::fs::read(out.join(&f)).unwrap(),
                "{f}"
            );
        }
        let mut again = Scaffold::new()
            .args(["new", "svc", "--yes", "--no-git", "--pack"])
            .args([&out]);
        again.run().success();
    }
}

#[test]
fn export_refuses_a_non_empty_directory_and_unknown_packs() {
    let mut s = Scaffold::new().args(["pack", "export", "fastapi", "mine"]);
    std::fs::create_dir(s.path("mine")).unwrap();
    std::fs::write(s.path("mine/x"), "x").unwrap();
    s.run().fails_with(2, "already exists and is not empty");
    Scaffold::new()
        .args(["pack", "export", "rails", "x"])
        .run()
        .fails_with(2, "no built-in pack `rails`");
}
