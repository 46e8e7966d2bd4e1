//! Reader behaviour on synthetic files: revisions and views, free entries, object and xref
//! streams, hybrid sections, leniency, recovery, cycles and encryption.

use signet_pdf::*;
use std::io::Write;

fn base() -> Vec<u8> {
    one_page_pdf([0.0, 0.0, 200.0, 200.0], b"BT ET")
}

fn append(bytes: &[u8], f: impl FnOnce(&mut Update<'_>)) -> Vec<u8> {
    let doc = Document::parse(bytes).unwrap();
    let mut up = Update::new(&doc);
    f(&mut up);
    up.finish().unwrap()
}

#[test]
fn revisions_views_and_free_entries() {
    let v0 = base();
    let font = ObjRef::new(5, 0);
    let v1 = append(&v0, |up| up.put(font, &Object::Integer(42)));
    let v2 = append(&v1, |up| up.free(font));
    let doc = Document::parse(&v2).unwrap();
    assert_eq!(doc.revisions().len(), 3);
    assert_eq!(
        doc.revision_end_offsets(),
        vec![v0.len(), v1.len(), v2.len()]
    );
    assert!(doc.get_at(0, font).unwrap().unwrap().as_dict().is_some());
    assert_eq!(doc.get_at(1, font).unwrap(), Some(Object::Integer(42)));
    assert_eq!(doc.get(font).unwrap(), None);
    assert_eq!(doc.revisions()[1].defined(), vec![5]);
    assert_eq!(doc.revisions()[2].freed(), vec![5]);
    assert!(!doc.live_refs_at(2).contains(&font));
    assert!(doc.live_refs_at(1).contains(&font));
    // A prefix is the document as of that revision.
    let p = Document::parse_prefix(&v2, doc.revisions()[1].end).unwrap();
    assert_eq!(p.revisions().len(), 2);
    assert_eq!(p.get(font).unwrap(), Some(Object::Integer(42)));
}

/// A file whose objects live in an object stream, indexed by a Flate+PNG-predicted xref
/// stream, then updated with an xref stream.
fn objstm_file() -> Vec<u8> {
    let objs = [
        "<</Type /Catalog /Pages 2 0 R>>",
        "<</Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 400]>>",
        "<</Type /Page /Parent 2 0 R /Rotate 90>>",
    ];
    let mut header = String::new();
    let mut body = String::new();
    for (i, o) in objs.iter().enumerate() {
        header.push_str(&format!("{} {} ", i + 1, body.len()));
        body.push_str(o);
        body.push('\n');
    }
    let first = header.len();
    let stm_data = format!("{header}{body}");
    let mut out = b"%PDF-1.7\n".to_vec();
    let stm_off = out.len();
    out.extend_from_slice(format!("4 0 obj\n<</Type /ObjStm /N 3 /First {first} /Length {}>>stream\n{stm_data}\nendstream\nendobj\n", stm_data.len()).as_bytes());
    let xref_off = out.len();
    // Rows: type(1) field2(2) field3(1), PNG Up predictor per row.
    let rows: Vec<[u8; 4]> = vec![
        [0, 0, 0, 255],
        [2, 0, 4, 0],
        [2, 0, 4, 1],
        [2, 0, 4, 2],
        [1, (stm_off >> 8) as u8, stm_off as u8, 0],
        [1, (xref_off >> 8) as u8, xref_off as u8, 0],
    ];
    let mut raw = Vec::new();
    let mut prev = [0u8; 4];
    for r in &rows {
        raw.push(2);
        for i in 0..4 {
            raw.push(r[i].wrapping_sub(prev[i]));
        }
        prev = *r;
    }
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&raw).unwrap();
    let z = enc.finish().unwrap();
    out.extend_from_slice(
        format!(
            "5 0 obj\n<</Type /XRef /Size 6 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns 4>> /Length {}>>stream\n",
            z.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&z);
    out.extend_from_slice(
        format!("\nendstream\nendobj\nstartxref\n{xref_off}\n%%EOF\n").as_bytes(),
    );
    out
}

#[test]
fn object_streams_and_xref_streams() {
    let f = objstm_file();
    let doc = Document::parse(&f).unwrap();
    assert!(!doc.recovered() && !doc.lenient());
    assert_eq!(doc.revisions()[0].kind, XrefKind::Stream);
    let pages = doc.pages().unwrap();
    assert_eq!(pages, vec![ObjRef::new(3, 0)]);
    // Inherited attributes come from the parent.
    assert_eq!(
        doc.page_media_box(pages[0]).unwrap(),
        [0.0, 0.0, 300.0, 400.0]
    );
    assert_eq!(
        doc.page_attr(pages[0], b"Rotate").unwrap(),
        Some(Object::Integer(90))
    );
    // An update keeps the xref-stream flavour and can replace a compressed object.
    let v1 = append(&f, |up| {
        up.put(
            ObjRef::new(3, 0),
            &Dictionary::new()
                .with(b"Type", Object::name("Page"))
                .with(b"Parent", ObjRef::new(2, 0))
                .into(),
        )
    });
    let d1 = Document::parse(&v1).unwrap();
    assert_eq!(d1.revisions()[1].kind, XrefKind::Stream);
    assert_eq!(d1.page_attr(pages[0], b"Rotate").unwrap(), None);
    assert_eq!(
        d1.get_at(0, ObjRef::new(3, 0))
            .unwrap()
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"Rotate"),
        Some(&Object::Integer(90))
    );
}

#[test]
fn hybrid_section_reads_its_xref_stream() {
    // A table that lists only the object stream; /XRefStm supplies the compressed objects.
    let f = objstm_file();
    let startxref = f.windows(9).rposition(|w| w == b"startxref").unwrap();
    let xref_stm_off: usize = std::str::from_utf8(&f[startxref + 10..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let stm_off = f.windows(7).position(|w| w == b"4 0 obj").unwrap();
    let mut h = f[..startxref].to_vec();
    let table = h.len();
    // Objects 1-3 are listed as free, as hybrid writers hide compressed objects.
    h.extend_from_slice(format!("xref\n0 5\n0000000000 65535 f\r\n0000000000 65535 f\r\n0000000000 65535 f\r\n0000000000 65535 f\r\n{stm_off:010} 00000 n\r\ntrailer\n<</Size 6 /Root 1 0 R /XRefStm {xref_stm_off}>>\nstartxref\n{table}\n%%EOF\n").as_bytes());
    let doc = Document::parse(&h).unwrap();
    assert!(!doc.recovered());
    assert_eq!(doc.revisions().len(), 1);
    assert_eq!(doc.revisions()[0].kind, XrefKind::Hybrid);
    assert_eq!(doc.pages().unwrap().len(), 1);
    // The writer appends a table and drops /XRefStm from the new trailer.
    let v1 = append(&h, |up| {
        let r = up.allocate();
        up.put(r, &Object::Null);
    });
    let d1 = Document::parse(&v1).unwrap();
    assert_eq!(d1.revisions()[1].kind, XrefKind::Table);
    assert!(!d1.trailer().contains(b"XRefStm"));
    assert_eq!(d1.pages().unwrap().len(), 1);
}

#[test]
fn lenient_offsets_and_recovery() {
    let f = base();
    // startxref a few bytes off.
    let pos = f.windows(9).rposition(|w| w == b"startxref").unwrap();
    let val: usize = std::str::from_utf8(&f[pos + 10..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut off = f[..pos + 10].to_vec();
    off.extend_from_slice(format!("{}\n%%EOF\n", val - 3).as_bytes());
    let d = Document::parse(&off).unwrap();
    assert!(d.lenient() && !d.recovered());
    assert_eq!(d.pages().unwrap().len(), 1);

    // An object shifted by inserted bytes: its xref entry is now a bit off.
    let at = f.windows(7).position(|w| w == b"3 0 obj").unwrap();
    let mut shifted = f[..at].to_vec();
    shifted.extend_from_slice(b"()");
    shifted.extend_from_slice(&f[at..]);
    // Fix startxref for the two inserted bytes so only the object offset is wrong.
    let pos = shifted.windows(9).rposition(|w| w == b"startxref").unwrap();
    shifted.truncate(pos + 10);
    shifted.extend_from_slice(format!("{}\n%%EOF\n", val + 2).as_bytes());
    let d = Document::parse(&shifted).unwrap();
    assert!(!d.recovered());
    assert_eq!(d.pages().unwrap().len(), 1);
    assert!(d.lenient(), "object found by rescanning");

    // No xref at all: rebuilt from `N G obj`.
    let xref = f.windows(4).rposition(|w| w == b"xref").unwrap();
    let broken = f[..xref - 5].to_vec();
    let d = Document::parse(&broken).unwrap();
    assert!(d.recovered());
    assert_eq!(d.revisions()[0].kind, XrefKind::Recovered);
    assert_eq!(d.pages().unwrap().len(), 1);
}

#[test]
fn offset_zero_entry_is_not_a_crash() {
    let f = base();
    let entry_start = f.windows(9).position(|w| w == b"xref\n0 6\n").unwrap() + 9 + 20 * 4;
    let mut g = f.clone();
    g[entry_start..entry_start + 10].copy_from_slice(b"0000000000");
    let d = Document::parse(&g).unwrap();
    assert!(
        !d.recovered(),
        "{}",
        String::from_utf8_lossy(&g[entry_start - 30..entry_start + 30])
    );
    let _ = d.get(ObjRef::new(4, 0));
    // The entry is an error, but the object is still found by rescanning, leniently.
    assert!(d.get(ObjRef::new(4, 0)).unwrap().is_some());
    assert!(d.lenient());
}

#[test]
fn prev_cycle_and_tree_loops_terminate() {
    let v0 = base();
    let doc = Document::parse(&v0).unwrap();
    let mut up = Update::new(&doc);
    // A page tree whose Pages node lists itself, and an AcroForm field whose kid is itself.
    up.put(
        ObjRef::new(2, 0),
        &Dictionary::new()
            .with(b"Type", Object::name("Pages"))
            .with(
                b"Kids",
                Object::Array(vec![ObjRef::new(3, 0).into(), ObjRef::new(2, 0).into()]),
            )
            .with(b"Count", Object::Integer(1))
            .into(),
    );
    let field = up.allocate();
    up.put(
        field,
        &Dictionary::new()
            .with(b"FT", Object::name("Sig"))
            .with(b"T", Object::string("loop"))
            .with(b"Kids", Object::Array(vec![field.into()]))
            .into(),
    );
    let (root, mut cat) = doc.catalog().unwrap();
    cat.set(
        b"AcroForm",
        Dictionary::new().with(b"Fields", Object::Array(vec![field.into(), field.into()])),
    );
    up.put(root, &cat.into());
    let v1 = up.finish().unwrap();
    let d = Document::parse(&v1).unwrap();
    assert!(d.pages().is_err());
    let _ = d.acro_form_fields().unwrap();
    // /Prev pointing at its own section.
    let pos = v1.windows(5).rposition(|w| w == b"/Prev").unwrap();
    let startxref = v1.windows(9).rposition(|w| w == b"startxref").unwrap();
    let me: usize = std::str::from_utf8(&v1[startxref + 10..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let old: String = std::str::from_utf8(&v1[pos + 6..])
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    // The trailer follows the table, so changing its length moves no offset that matters.
    let mut c = v1[..pos + 6].to_vec();
    c.extend_from_slice(me.to_string().as_bytes());
    c.extend_from_slice(&v1[pos + 6 + old.len()..]);
    let d = Document::parse(&c).unwrap();
    assert_eq!(d.revisions().len(), 1, "the cycle stops after one section");
}

/// `base()` with an `/Encrypt` dictionary `enc` referenced from a new trailer.
fn with_encrypt(enc: Dictionary) -> Vec<u8> {
    let f = base();
    let doc = Document::parse(&f).unwrap();
    let mut up = Update::new(&doc);
    let e = up.allocate();
    up.put(e, &enc.into());
    let bytes = up.finish().unwrap();
    // Patch the new trailer to reference /Encrypt.
    let pos = bytes.windows(7).rposition(|w| w == b"trailer").unwrap();
    let mut b = bytes[..pos + 8].to_vec();
    b.extend_from_slice(format!("<</Encrypt {} 0 R ", e.num).as_bytes());
    b.extend_from_slice(&bytes[pos + 10..]);
    b
}

fn standard(v: i64, r: i64) -> Dictionary {
    Dictionary::new()
        .with(b"Filter", Object::name("Standard"))
        .with(b"V", Object::Integer(v))
        .with(b"R", Object::Integer(r))
        .with(b"O", Object::String(vec![0; 48]))
        .with(b"U", Object::String(vec![0; 48]))
        .with(b"P", Object::Integer(-4))
}

fn encryption_error(enc: Dictionary) -> String {
    match Document::parse(&with_encrypt(enc)) {
        Err(PdfError::Encryption(m)) => m,
        other => panic!("expected an encryption error, got {other:?}"),
    }
}

#[test]
fn bad_encryption_dictionaries_are_clear_errors() {
    let pubsec = standard(4, 4).with(b"Filter", Object::name("Adobe.PubSec"));
    assert!(encryption_error(pubsec).contains("security handler /Adobe.PubSec"));
    assert!(encryption_error(Dictionary::new()).contains("security handler /"));
    assert!(encryption_error(standard(2, 99)).contains("revision /R 99"));
    assert!(encryption_error(standard(3, 3)).contains("/V 3"));
    assert!(encryption_error(standard(9_999_999_999, 6)).contains("/V"));
    let long = standard(2, 3).with(b"Length", Object::Integer(1 << 40));
    assert!(encryption_error(long).contains("/Length"));
    let odd = standard(2, 3).with(b"Length", Object::Integer(44));
    assert!(encryption_error(odd).contains("/Length"));
    let rc4_256 = standard(2, 3).with(b"Length", Object::Integer(256));
    assert!(encryption_error(rc4_256).contains("RC4"));
    let short = standard(5, 6).with(b"U", Object::String(vec![0; 3]));
    assert!(encryption_error(short).contains("/U has 3 bytes"));
    let no_ue = standard(5, 6);
    assert!(encryption_error(no_ue).contains("/OE"));
    let unknown_cf = standard(4, 4).with(b"StmF", Object::name("Mine"));
    assert!(encryption_error(unknown_cf).contains("/Mine"));
    let cfm = standard(4, 4).with(
        b"CF",
        Dictionary::new().with(
            b"StdCF",
            Dictionary::new().with(b"CFM", Object::name("ROT13")),
        ),
    );
    assert!(encryption_error(cfm).contains("/ROT13"));
    // A well-formed dictionary whose hashes match no password: a password is asked for.
    let zeros = standard(5, 6)
        .with(b"OE", Object::String(vec![0; 32]))
        .with(b"UE", Object::String(vec![0; 32]));
    assert_eq!(
        Document::parse(&with_encrypt(zeros.clone())).unwrap_err(),
        PdfError::PasswordRequired
    );
    assert_eq!(
        Document::parse_with_password(&with_encrypt(zeros), "x").unwrap_err(),
        PdfError::WrongPassword
    );
}

#[test]
fn encrypt_that_is_not_a_dictionary_is_refused() {
    let f = with_encrypt(standard(2, 3));
    let pos = f.windows(9).rposition(|w| w == b"/Encrypt ").unwrap();
    let mut b = f.clone();
    // `/Encrypt 5 0 R` becomes `/Encrypt 9 0 R`: an object that does not exist.
    b[pos + 9] = b'9';
    match Document::parse(&b) {
        Err(PdfError::Encryption(m)) => assert!(m.contains("not a dictionary"), "{m}"),
        other => panic!("{other:?}"),
    }
}

fn regression(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/regressions/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The page's text, decrypted and inflated.
fn page_text(doc: &Document) -> Vec<u8> {
    let page = doc.pages().unwrap()[0];
    let page = doc.get(page).unwrap().unwrap();
    let contents = page.as_dict().unwrap().get(b"Contents").unwrap().clone();
    match doc.resolve(&contents).unwrap() {
        Object::Stream(s) => s.decoded().unwrap(),
        other => panic!("contents: {other:?}"),
    }
}

#[test]
fn qpdf_encrypted_files_of_every_revision_decrypt() {
    // Made by qpdf 11 from one page whose text is "Hello encrypted" (owner password "o";
    // the `user-fuzz` ones have the user password "fuzz"), with object streams for two.
    for (name, cipher, revision) in [
        ("encrypted-r2-rc4-40-owner-only.pdf", "RC4-40", 2),
        ("encrypted-r3-rc4-128-owner-only.pdf", "RC4-128", 3),
        ("encrypted-r4-aes-128-objstm.pdf", "AES-128", 4),
        ("encrypted-r6-aes-256-objstm.pdf", "AES-256", 6),
    ] {
        let doc = Document::parse(&regression(name)).unwrap();
        let e = doc.encryption().unwrap();
        assert_eq!(
            (e.cipher.as_str(), e.revision),
            (cipher, revision),
            "{name}"
        );
        assert_eq!(e.opened, Opened::WithoutPassword);
        let text = page_text(&doc);
        assert!(
            text.windows(15).any(|w| w == b"Hello encrypted"),
            "{name}: {}",
            String::from_utf8_lossy(&text)
        );
        assert!(!doc.recovered() && !doc.lenient(), "{name}");
        // The owner password opens it as the owner.
        let doc = Document::parse_with_password(&regression(name), "o").unwrap();
        assert_eq!(doc.encryption().unwrap().opened, Opened::OwnerPassword);
        // Nothing is written into it.
        assert_eq!(Update::new(&doc).finish().unwrap_err(), PdfError::Encrypted);
        assert_eq!(rewrite(&doc).unwrap_err(), PdfError::Encrypted);
    }
    for name in [
        "encrypted-r3-rc4-128-user-fuzz.pdf",
        "encrypted-r6-aes-256-user-fuzz.pdf",
    ] {
        let bytes = regression(name);
        assert_eq!(
            Document::parse(&bytes).unwrap_err(),
            PdfError::PasswordRequired
        );
        assert_eq!(
            Document::parse_with_password(&bytes, "nope").unwrap_err(),
            PdfError::WrongPassword
        );
        let doc = Document::parse_with_password(&bytes, "fuzz").unwrap();
        assert_eq!(doc.encryption().unwrap().opened, Opened::UserPassword);
        assert!(page_text(&doc).windows(15).any(|w| w == b"Hello encrypted"));
        let doc = Document::parse_with_password(&bytes, "o").unwrap();
        assert_eq!(doc.encryption().unwrap().opened, Opened::OwnerPassword);
    }
}
