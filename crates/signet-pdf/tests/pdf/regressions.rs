//! Every input the fuzzer once crashed on (tests/regressions/*.pdf) now runs through the
//! same exercise as the `pdf` fuzz target without panicking and within a time limit.

use signet_pdf::{prepare_signature, rewrite, Document, Object, SignatureRequest, Update};
use std::sync::mpsc;
use std::time::Duration;

/// The fuzz target's exercise: parse, walk all objects of all revisions, pages and fields,
/// then (after a clean rewrite of damaged files) an update that must parse back with one
/// more revision, then a document timestamp placeholder that must parse back signed.
fn exercise(data: &[u8]) {
    let Ok(doc) = Document::parse(data) else {
        return;
    };
    for rev in 0..doc.revisions().len().min(8) {
        for r in doc.live_refs_at(rev).into_iter().take(2000) {
            if let Ok(Some(Object::Stream(s))) = doc.get_at(rev, r) {
                let _ = s.decoded_limited(1 << 22);
            }
        }
        let _ = doc.pages_at(rev);
        let _ = doc.acro_form_fields_at(rev);
    }
    // Damaged files are rewritten clean first, as the product does.
    let clean;
    let doc = if doc.lenient() || doc.recovered() {
        let Ok(bytes) = rewrite(&doc) else { return };
        clean = Document::parse(&bytes).expect("rewrite parses back");
        assert!(!clean.lenient() && !clean.recovered(), "rewrite is clean");
        &clean
    } else {
        &doc
    };
    let mut up = Update::new(doc);
    let r = up.allocate();
    up.put(r, &Object::Integer(1));
    if let Ok(bytes) = up.finish() {
        let nd = Document::parse(&bytes).expect("our own update parses back");
        assert!(!nd.lenient());
        assert_eq!(
            nd.revisions().len(),
            doc.revisions().len() + 1,
            "update adds one revision"
        );
    }
    // Signature preparation, as the fuzz target does it.
    if let Ok(p) = prepare_signature(doc, &SignatureRequest::doc_timestamp("FuzzTS", 64)) {
        let bytes = p
            .embed(&[0x30, 0x00])
            .expect("embed into a fresh placeholder");
        let nd = Document::parse(&bytes).expect("prepared file parses back");
        let fields = nd.acro_form_fields().expect("fields readable");
        assert!(fields.iter().any(|f| f.name == "FuzzTS" && !f.is_empty()));
    }
}

#[test]
fn fuzz_regressions_do_not_crash() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "pdf") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            exercise(&bytes);
            let _ = tx.send(());
        });
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(()) => n += 1,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{}: more than 5 s", p.display()),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{}: panicked", p.display()),
        }
    }
    assert!(n >= 1, "no regression files found");
    eprintln!("{n} regression inputs ok");
}
