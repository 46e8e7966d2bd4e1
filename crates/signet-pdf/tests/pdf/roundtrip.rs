//! Property tests: canonical serialization round-trips through the lexer and parser, and
//! arbitrary bytes never panic the reader.

use proptest::prelude::*;
use signet_pdf::parser::parse_indirect;
use signet_pdf::{parse_bytes, Dictionary, Document, ObjRef, Object};

fn leaf() -> impl Strategy<Value = Object> {
    prop_oneof![
        Just(Object::Null),
        any::<bool>().prop_map(Object::Boolean),
        any::<i64>().prop_map(Object::Integer),
        // Reals with at most 3 decimals survive the 6-decimal canonical form exactly.
        (-1_000_000_000i64..1_000_000_000).prop_map(|n| Object::Real(n as f64 / 1000.0)),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Object::Name),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Object::String),
        (0u32..100_000, 0u16..10).prop_map(|(n, g)| Object::Reference(ObjRef::new(n, g))),
    ]
}

fn object() -> impl Strategy<Value = Object> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Object::Array),
            proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..12), inner), 0..8)
                .prop_map(|kv| {
                    let mut d = Dictionary::new();
                    for (k, v) in kv {
                        d.set(k, v);
                    }
                    Object::Dictionary(d)
                }),
        ]
    })
}

fn has_real(o: &Object) -> bool {
    match o {
        Object::Real(_) => true,
        Object::Array(a) => a.iter().any(has_real),
        Object::Dictionary(d) => d.iter().any(|(_, v)| has_real(v)),
        _ => false,
    }
}

/// A real that is a whole number reads back as an integer: compare canonical bytes.
fn normalize(o: &Object) -> Vec<u8> {
    o.to_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn write_parse_write_is_stable(o in object()) {
        let bytes = o.to_bytes();
        let back = parse_bytes(&bytes).unwrap();
        prop_assert_eq!(normalize(&back), bytes);
    }

    #[test]
    fn non_real_objects_round_trip_exactly(o in object().prop_filter("no reals", |o| !has_real(o))) {
        let back = parse_bytes(&o.to_bytes()).unwrap();
        prop_assert_eq!(back, o);
    }

    #[test]
    fn streams_round_trip(data in proptest::collection::vec(any::<u8>(), 0..512), n in 1u32..1000) {
        let s = Object::Stream(signet_pdf::Stream::new(Dictionary::new().with(b"K", Object::Integer(1)), data.clone()));
        let mut file = format!("{n} 0 obj\n").into_bytes();
        s.write(&mut file);
        file.extend_from_slice(b"\nendobj\n");
        let ind = parse_indirect(&file, 0, &|_| None).unwrap();
        prop_assert_eq!(ind.id, ObjRef::new(n, 0));
        prop_assert_eq!(&ind.object.as_stream().unwrap().data, &data);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_bytes(&bytes);
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend_from_slice(&bytes);
        if let Ok(doc) = Document::parse(&pdf) {
            let _ = doc.pages();
            let _ = doc.acro_form_fields();
        }
    }
}

#[test]
fn canonical_forms() {
    let d = Dictionary::new()
        .with(b"Type", Object::name("Sig"))
        .with(b"A B", Object::Real(1.5))
        .with(b"N", Object::Real(-0.0))
        .with(b"S", Object::string("a(b)\\c\n"))
        .with(b"H", Object::String(vec![0, 0xff]))
        .with(b"R", Object::Real(1e20));
    assert_eq!(
        Object::Dictionary(d).to_bytes(),
        b"<</Type /Sig/A#20B 1.5/N 0/S (a\\(b\\)\\\\c\\n)/H <00FF>/R 100000000000000000000>>"
            .to_vec()
    );
}

#[test]
fn lexer_reads_pdf_syntax_variants() {
    let o =
        parse_bytes(b"<</A [1 2 0 R -3.5 .5 +7 (x\\101\\\ny) <41 42 4> /N#41me true false null]>>")
            .unwrap();
    let a = o
        .as_dict()
        .unwrap()
        .get(b"A")
        .unwrap()
        .as_array()
        .unwrap()
        .to_vec();
    assert_eq!(a[0], Object::Integer(1));
    assert_eq!(a[1], Object::Reference(ObjRef::new(2, 0)));
    assert_eq!(a[2], Object::Real(-3.5));
    assert_eq!(a[3], Object::Real(0.5));
    assert_eq!(a[4], Object::Integer(7));
    assert_eq!(a[5], Object::string("xAy"));
    assert_eq!(a[6], Object::String(vec![0x41, 0x42, 0x40]));
    assert_eq!(a[7], Object::name("NAme"));
    assert_eq!(
        a[8..],
        [Object::Boolean(true), Object::Boolean(false), Object::Null]
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut s = vec![b'['; 100_000];
    s.extend(vec![b']'; 100_000]);
    assert!(parse_bytes(&s).is_err());
    let mut d = Vec::new();
    for _ in 0..10_000 {
        d.extend_from_slice(b"<</A ");
    }
    assert!(parse_bytes(&d).is_err());
}

#[test]
fn flate_with_png_predictor() {
    use std::io::Write;
    // Two rows of 3 bytes, PNG "Up" predictor (tag 2): second row adds to the first.
    let raw = [2u8, 1, 2, 3, 2, 1, 1, 1];
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&raw).unwrap();
    let data = enc.finish().unwrap();
    let parms = Dictionary::new()
        .with(b"Predictor", Object::Integer(12))
        .with(b"Columns", Object::Integer(3));
    let dict = Dictionary::new()
        .with(b"Filter", Object::name("FlateDecode"))
        .with(b"DecodeParms", parms);
    let s = signet_pdf::Stream::new(dict, data);
    assert_eq!(s.decoded().unwrap(), vec![1, 2, 3, 2, 3, 4]);
    let bad = signet_pdf::Stream::new(
        Dictionary::new().with(b"Filter", Object::name("LZWDecode")),
        vec![1],
    );
    assert!(
        matches!(bad.decoded(), Err(signet_pdf::PdfError::UnsupportedFilter(f)) if f == "LZWDecode")
    );
}
