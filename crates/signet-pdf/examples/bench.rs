//! `cargo run --release -p signet-pdf --example bench`: parse and sign-prepare timings on a
//! synthetic ~100 MB PDF (200,000 objects plus a 60 MB stream).
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]
use signet_pdf::*;
use std::time::Instant;

fn main() {
    let mut d = FreshDocument::new();
    let (cat, pages, page) = (d.allocate(), d.allocate(), d.allocate());
    d.put(
        cat,
        &Dictionary::new()
            .with(b"Type", Object::name("Catalog"))
            .with(b"Pages", pages)
            .into(),
    );
    d.put(
        pages,
        &Dictionary::new()
            .with(b"Type", Object::name("Pages"))
            .with(b"Kids", Object::Array(vec![page.into()]))
            .with(b"Count", Object::Integer(1))
            .into(),
    );
    let big = d.allocate();
    d.put(
        page,
        &Dictionary::new()
            .with(b"Type", Object::name("Page"))
            .with(b"Parent", pages)
            .with(
                b"MediaBox",
                Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
            )
            .with(b"Contents", big)
            .into(),
    );
    d.put(
        big,
        &Object::Stream(Stream::new(Dictionary::new(), vec![b' '; 60 << 20])),
    );
    for i in 0..200_000i64 {
        let r = d.allocate();
        d.put(
            r,
            &Object::Array(vec![
                Object::Integer(i),
                Object::string("filler object with some text in it"),
                Object::Real(1.5),
            ]),
        );
    }
    let bytes = d.finish(cat, None);
    println!("file: {} bytes", bytes.len());
    let t = Instant::now();
    let doc = Document::parse(&bytes).unwrap();
    println!("parse (xref + trailer): {:?}", t.elapsed());
    let t = Instant::now();
    let refs = doc.live_refs_at(doc.last_revision());
    for r in &refs {
        doc.get(*r).unwrap();
    }
    println!("read all {} objects: {:?}", refs.len(), t.elapsed());
    let t = Instant::now();
    let fields = add_signature_fields(
        &doc,
        &[FieldSpec {
            name: "Sig".into(),
            page: 0,
            rect: [0.0, 0.0, 100.0, 50.0],
            appearance: None,
        }],
    )
    .unwrap();
    println!("add field update: {:?}", t.elapsed());
    let t = Instant::now();
    let doc = Document::from_vec(fields).unwrap();
    let p = prepare_signature(
        &doc,
        &SignatureRequest::cades("Sig", "D:20261123000000Z", 16384),
    )
    .unwrap();
    println!(
        "parse + prepare signature (incl. SHA-256 of ranges): {:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let out = p.embed(&[0x30, 0x00]).unwrap();
    println!(
        "embed (re-hash + hex): {:?}; final {} bytes",
        t.elapsed(),
        out.len()
    );
}
