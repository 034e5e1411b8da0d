//! Rebuild when a built-in pack changes: include_dir embeds `templates/` at compile time,
//! and without this cargo would not notice an edited template.
fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=history");
}
