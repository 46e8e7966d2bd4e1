//! The incremental writer on files of each xref flavour: old bytes untouched, one more
//! revision, every old object unchanged, and external readers still happy.

use crate::common::*;
use signet_pdf::{one_page_pdf, Dictionary, Document, ObjRef, Object, Update, XrefKind};

/// Appends one new object and a rewritten catalog; checks the result thoroughly.
fn append_and_check(tag: &str, old: &[u8], expect: XrefKind) {
    let doc = Document::parse(old).unwrap();
    let mut up = Update::new(&doc);
    let new_obj = up.allocate();
    assert!(new_obj.num >= doc.size(), "allocated below /Size");
    up.put(
        new_obj,
        &Dictionary::new()
            .with(b"Signet", Object::string("hello (world)"))
            .into(),
    );
    let (root, mut cat) = doc.catalog().unwrap();
    cat.set(b"SignetMark", new_obj);
    up.put(root, &cat.clone().into());
    let new = up.finish().unwrap();

    assert_eq!(&new[..old.len()], old, "{tag}: earlier bytes changed");
    let nd = Document::parse(&new).unwrap();
    assert!(
        !nd.recovered() && !nd.lenient(),
        "{tag}: appended section not read cleanly"
    );
    assert_eq!(
        nd.revisions().len(),
        doc.revisions().len() + 1,
        "{tag}: revision count"
    );
    assert_eq!(
        nd.revisions().last().unwrap().kind,
        expect,
        "{tag}: xref flavour"
    );
    assert_eq!(
        nd.revisions().last().unwrap().end,
        new.len(),
        "{tag}: revision end"
    );
    assert_eq!(nd.catalog().unwrap().1, cat, "{tag}: catalog");
    assert_eq!(
        nd.get(new_obj)
            .unwrap()
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"Signet"),
        Some(&Object::string("hello (world)"))
    );
    // Trailer: every old entry kept except /Prev and /Size (and /XRefStm for hybrids).
    for (k, v) in doc.trailer().iter() {
        if ![&b"Prev"[..], b"Size", b"XRefStm"].contains(&k) {
            assert_eq!(
                nd.trailer().get(k),
                Some(v),
                "{tag}: trailer key {}",
                String::from_utf8_lossy(k)
            );
        }
    }
    // Every old object reads the same through the new file (except the catalog we changed).
    let last = doc.last_revision();
    for r in doc.live_refs_at(last) {
        if r == root {
            continue;
        }
        let (a, b) = (doc.get(r), nd.get(r));
        if let Ok(a) = a {
            assert_eq!(a, b.unwrap(), "{tag}: object {r} changed");
        }
    }
    // Earlier revisions are still visible as they were.
    for rev in 0..doc.revisions().len() {
        assert_eq!(nd.revisions()[rev].end, doc.revisions()[rev].end);
        assert_eq!(
            nd.catalog_at(rev).map(|c| c.0).ok(),
            doc.catalog_at(rev).map(|c| c.0).ok()
        );
    }
    referees(tag, old, &new);
}

/// qpdf and pdfinfo must judge the new file no worse than the old one.
fn referees(tag: &str, old: &[u8], new: &[u8]) {
    let (po, pn) = (
        temp_file(&format!("{tag}-old"), old),
        temp_file(&format!("{tag}-new"), new),
    );
    if let (Some((co, _)), Some((cn, tn))) = (qpdf_check(&po), qpdf_check(&pn)) {
        assert!(
            cn == 0 || cn == co,
            "{tag}: qpdf --check got worse ({co} -> {cn}):\n{tn}"
        );
    }
    if let (Some((co, _)), Some((cn, tn))) = (pdfinfo(&po), pdfinfo(&pn)) {
        assert!(
            cn == 0 || cn == co,
            "{tag}: pdfinfo got worse ({co} -> {cn}):\n{tn}"
        );
    }
}

#[test]
fn fresh_document_is_valid() {
    let pdf = one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 24 Tf 72 720 Td (Hello) Tj ET",
    );
    let doc = Document::parse(&pdf).unwrap();
    assert!(!doc.recovered());
    assert_eq!(doc.pages().unwrap().len(), 1);
    assert_eq!(
        doc.page_media_box(doc.pages().unwrap()[0]).unwrap(),
        [0.0, 0.0, 595.0, 842.0]
    );
    let p = temp_file("fresh", &pdf);
    if let Some((code, text)) = qpdf_check(&p) {
        assert_eq!(code, 0, "{text}");
    }
}

#[test]
fn append_to_fresh_table_file_twice() {
    let pdf = one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 24 Tf 72 720 Td (Hello) Tj ET",
    );
    append_and_check("fresh1", &pdf, XrefKind::Table);
    let doc = Document::parse(&pdf).unwrap();
    let mut up = Update::new(&doc);
    let r = up.allocate();
    up.put(r, &Object::Integer(7));
    let second = up.finish().unwrap();
    append_and_check("fresh2", &second, XrefKind::Table);
}

fn corpus_flavour(kind: XrefKind, expect: XrefKind) {
    let files = corpus_by_kind(kind, 6);
    if files.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no corpus file of kind {kind:?}"
        );
        eprintln!("skipping: no corpus file of kind {kind:?}");
        return;
    }
    for (path, bytes) in &files {
        let tag = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace(' ', "_");
        append_and_check(&tag, bytes, expect);
    }
    eprintln!("{kind:?}: appended to {} corpus files", files.len());
}

#[test]
fn append_to_corpus_table_files() {
    corpus_flavour(XrefKind::Table, XrefKind::Table);
}

#[test]
fn append_to_corpus_stream_files() {
    corpus_flavour(XrefKind::Stream, XrefKind::Stream);
}

#[test]
fn append_to_corpus_hybrid_files() {
    corpus_flavour(XrefKind::Hybrid, XrefKind::Table);
}

#[test]
fn recovered_files_are_refused() {
    let mut pdf = one_page_pdf([0.0, 0.0, 100.0, 100.0], b"");
    let pos = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
    pdf.truncate(pos + 10);
    pdf.extend_from_slice(b"999999\n%%EOF\n");
    let doc = Document::parse(&pdf).unwrap();
    assert!(doc.recovered());
    let mut up = Update::new(&doc);
    let r = up.allocate();
    up.put(r, &Object::Null);
    assert!(up.finish().is_err());
    let _ = ObjRef::new(1, 0);
}

#[test]
fn malformed_raw_bodies_are_refused() {
    let pdf = one_page_pdf([0.0, 0.0, 100.0, 100.0], b"");
    let doc = Document::parse(&pdf).unwrap();
    for body in [
        &b"<</A 1>> junk"[..],
        b"<</A (unterminated>>",
        b"",
        b"<</Length 3>>stream\nabc\nendstream trailing",
    ] {
        let mut up = Update::new(&doc);
        let r = up.allocate();
        up.put_raw(r, body.to_vec());
        assert!(
            up.finish().is_err(),
            "accepted {:?}",
            String::from_utf8_lossy(body)
        );
    }
    let mut up = Update::new(&doc);
    let r = up.allocate();
    up.put_raw(r, b"<</Length 3>>stream\nabc\nendstream".to_vec());
    let out = up.finish().unwrap();
    assert_eq!(
        Document::parse(&out)
            .unwrap()
            .get(r)
            .unwrap()
            .unwrap()
            .as_stream()
            .unwrap()
            .data,
        b"abc"
    );
}

#[test]
fn damaged_files_are_rewritten_before_updates() {
    let pdf = one_page_pdf([0.0, 0.0, 100.0, 100.0], b"BT ET");
    // startxref 3 bytes off: readable, but only leniently.
    let pos = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
    let val: usize = std::str::from_utf8(&pdf[pos + 10..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut damaged = pdf[..pos + 10].to_vec();
    damaged.extend_from_slice(format!("{}\n%%EOF\n", val - 3).as_bytes());
    let doc = Document::parse(&damaged).unwrap();
    assert!(doc.lenient());
    let mut up = Update::new(&doc);
    let r = up.allocate();
    up.put(r, &Object::Null);
    assert!(up.finish().is_err(), "lenient files are refused by default");
    let mut up = Update::new(&doc);
    up.allow_lenient();
    let r = up.allocate();
    up.put(r, &Object::Null);
    assert!(up.finish().is_ok(), "unless the caller allows it");

    let clean = signet_pdf::rewrite(&doc).unwrap();
    let cd = Document::parse(&clean).unwrap();
    assert!(!cd.lenient() && !cd.recovered());
    assert_eq!(cd.revisions().len(), 1);
    assert_eq!(cd.pages().unwrap().len(), 1);
    for r in doc.live_refs_at(0) {
        assert_eq!(doc.get(r).unwrap(), cd.get(r).unwrap(), "object {r}");
    }
    if let Some((code, text)) = qpdf_check(&temp_file("rewritten", &clean)) {
        assert_eq!(code, 0, "{text}");
    }
    // A signed document is never rewritten.
    let fields = signet_pdf::add_signature_fields(
        &cd,
        &[signet_pdf::FieldSpec {
            name: "S".into(),
            page: 0,
            rect: [0.0; 4],
            appearance: None,
        }],
    )
    .unwrap();
    let fd = Document::parse(&fields).unwrap();
    let p = signet_pdf::prepare_signature(
        &fd,
        &signet_pdf::SignatureRequest::cades("S", "D:20261123000000Z", 16),
    )
    .unwrap();
    let signed = Document::parse(&p.embed(&[0x30, 0x00]).unwrap()).unwrap();
    assert!(signet_pdf::rewrite(&signed).is_err());
}
