//! `cargo run -p signet-pdf --example rewrite -- IN OUT`: a clean single-revision copy of an
//! unsigned (possibly damaged) file.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (a.get(1), a.get(2)) else {
        eprintln!("usage: rewrite IN OUT");
        std::process::exit(2);
    };
    let bytes = std::fs::read(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let doc = signet_pdf::Document::parse(&bytes).unwrap_or_else(|e| panic!("{input}: {e}"));
    let clean = signet_pdf::rewrite(&doc).unwrap_or_else(|e| panic!("{input}: {e}"));
    std::fs::write(output, clean).unwrap_or_else(|e| panic!("{output}: {e}"));
}
