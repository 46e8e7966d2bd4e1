//! `cargo run -p signet-pdf --example inspect -- FILE...`: revisions, fields and pages.
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
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        let t0 = std::time::Instant::now();
        let doc = match signet_pdf::Document::parse(&bytes) {
            Ok(d) => d,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        println!(
            "{path}: parsed in {:?}, recovered={} lenient={}",
            t0.elapsed(),
            doc.recovered(),
            doc.lenient()
        );
        for r in doc.revisions() {
            println!(
                "  rev {} {:?} xref@{} end={} defines {} frees {}",
                r.index,
                r.kind,
                r.xref_offset,
                r.end,
                r.defined().len(),
                r.freed().len()
            );
        }
        match doc.pages() {
            Ok(p) => println!("  pages: {}", p.len()),
            Err(e) => println!("  pages: {e}"),
        }
        match doc.acro_form_fields() {
            Ok(fields) => {
                for f in fields {
                    println!(
                        "  field {:?} signed={} widgets={:?}",
                        f.name,
                        !f.is_empty(),
                        f.widgets
                    );
                }
            }
            Err(e) => println!("  fields: {e}"),
        }
    }
}
