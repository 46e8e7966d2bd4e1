//! Signature fields, placeholders, ByteRange and embedding; DSS updates.

use crate::common::*;
use signet_pdf::*;
use std::process::Command;

fn base_pdf() -> Vec<u8> {
    one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 24 Tf 72 720 Td (Cong van so 1) Tj ET",
    )
}

fn spec(name: &str, rect: [f64; 4]) -> FieldSpec {
    FieldSpec {
        name: name.into(),
        page: 0,
        rect,
        appearance: None,
    }
}

/// Two fields created in one update, as the product rule requires.
fn with_fields() -> Vec<u8> {
    let doc = Document::parse(&base_pdf()).unwrap();
    add_signature_fields(
        &doc,
        &[
            spec("SigSeal", [40.0, 60.0, 250.0, 130.0]),
            spec("SigPerson", [350.0, 60.0, 560.0, 130.0]),
        ],
    )
    .unwrap()
}

#[test]
fn fields_are_created_in_one_revision() {
    let old = base_pdf();
    let new = with_fields();
    assert_eq!(&new[..old.len()], &old[..]);
    let doc = Document::parse(&new).unwrap();
    assert_eq!(doc.revisions().len(), 2);
    let fields = doc.acro_form_fields().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["SigSeal", "SigPerson"]);
    assert!(fields.iter().all(|f| f.is_empty()));
    assert_eq!(fields[1].widgets[0].rect, Some([350.0, 60.0, 560.0, 130.0]));
    let page = doc.pages().unwrap()[0];
    assert_eq!(fields[0].widgets[0].page, Some(page));
    // The page lists both widgets; the form has /SigFlags 3.
    let pd = doc.get(page).unwrap().unwrap();
    let annots = pd
        .as_dict()
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap()
        .to_vec();
    assert_eq!(annots.len(), 2);
    let (_, cat) = doc.catalog().unwrap();
    let form = doc.resolve(cat.get(b"AcroForm").unwrap()).unwrap();
    assert_eq!(
        form.as_dict().unwrap().get(b"SigFlags"),
        Some(&Object::Integer(3))
    );
    // Duplicates are refused: with existing names and within one request.
    assert!(add_signature_fields(&doc, &[spec("SigSeal", [0.0; 4])]).is_err());
    let base = Document::parse(&base_pdf()).unwrap();
    assert!(add_signature_fields(&base, &[spec("A", [0.0; 4]), spec("A", [0.0; 4])]).is_err());
    assert!(add_signature_fields(&base, &[spec("a.b", [0.0; 4])]).is_err());
    assert!(add_signature_fields(
        &base,
        &[FieldSpec {
            page: 3,
            ..spec("A", [0.0; 4])
        }]
    )
    .is_err());
}

#[test]
fn appearance_is_written_in_the_same_update() {
    let doc = Document::parse(&base_pdf()).unwrap();
    let mut up = Update::new(&doc);
    let ap = up.allocate();
    up.put_raw(ap, b"<</Type /XObject /Subtype /Form /BBox [0 0 210 70] /Length 8>>stream\n0 0 m S\n\nendstream".to_vec());
    let refs = add_signature_fields_in(
        &mut up,
        &[FieldSpec {
            appearance: Some(ap),
            ..spec("Sig1", [10.0, 10.0, 220.0, 80.0])
        }],
    )
    .unwrap();
    let bytes = up.finish().unwrap();
    let nd = Document::parse(&bytes).unwrap();
    let field = nd.get(refs[0]).unwrap().unwrap();
    let apd = field
        .as_dict()
        .unwrap()
        .get(b"AP")
        .unwrap()
        .as_dict()
        .unwrap()
        .clone();
    assert_eq!(apd.get(b"N"), Some(&Object::Reference(ap)));
    let xo = nd.get(ap).unwrap().unwrap();
    assert_eq!(xo.as_stream().unwrap().data, b"0 0 m S\n");
}

fn check_prepared(p: &Prepared) {
    let [a, b, c, d] = p.byte_range.map(|v| v as usize);
    assert_eq!(a, 0);
    assert_eq!(c + d, p.bytes.len(), "second range reaches the end of file");
    assert_eq!(p.bytes[b], b'<');
    assert_eq!(p.bytes[c - 1], b'>');
    assert!(p.bytes[b + 1..c - 1].iter().all(|&x| x == b'0'));
    assert_eq!(c - b, p.capacity * 2 + 2, "only the hex string is excluded");
    // The /ByteRange written in the file says the same.
    let doc = Document::parse(&p.bytes).unwrap();
    let sig = doc.get(p.sig_ref).unwrap().unwrap();
    let br: Vec<u64> = sig
        .as_dict()
        .unwrap()
        .get(b"ByteRange")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_i64().unwrap() as u64)
        .collect();
    assert_eq!(br, p.byte_range);
}

#[test]
fn prepare_and_embed() {
    let doc = Document::parse(&with_fields()).unwrap();
    let mut req = SignatureRequest::cades("SigPerson", "D:20261123143000+07'00'", 8192);
    req.reason = Some("Phê duyệt".into());
    req.location = Some("Hà Nội (VN)".into());
    let p = prepare_signature(&doc, &req).unwrap();
    check_prepared(&p);
    // Serializable: the signature may come back after a restart.
    let json = serde_json::to_string(&p).unwrap();
    let back: Prepared = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let (r1, r2) = p.signed_ranges();
    assert_eq!(r1.len() + r2.len() + p.capacity * 2 + 2, p.bytes.len());

    let cms = vec![0x30, 0x82, 0x01, 0x00, 0xAB, 0xCD];
    let signed = p.clone().embed(&cms).unwrap();
    assert_eq!(signed.len(), p.bytes.len());
    let b = p.byte_range[1] as usize;
    assert_eq!(&signed[..b], &p.bytes[..b]);
    assert_eq!(&signed[b + 1..b + 13], b"30820100ABCD");
    let nd = Document::parse(&signed).unwrap();
    let f = nd
        .acro_form_fields()
        .unwrap()
        .into_iter()
        .find(|f| f.name == "SigPerson")
        .unwrap();
    let sd = f.sig_dict.unwrap();
    assert!(sd.name_is(b"SubFilter", b"ETSI.CAdES.detached"));
    assert_eq!(
        &sd.get(b"Contents").unwrap().as_str_bytes().unwrap()[..6],
        &cms[..]
    );
    assert_eq!(
        decode_text(sd.get(b"Reason").unwrap().as_str_bytes().unwrap()),
        "Phê duyệt"
    );
    assert_eq!(
        decode_text(sd.get(b"Location").unwrap().as_str_bytes().unwrap()),
        "Hà Nội (VN)"
    );
    assert_eq!(
        sd.get(b"M"),
        Some(&Object::string("D:20261123143000+07'00'"))
    );
    // The other field is still empty, and the signed field cannot be signed again.
    assert!(nd
        .acro_form_fields()
        .unwrap()
        .iter()
        .any(|f| f.name == "SigSeal" && f.is_empty()));
    assert!(prepare_signature(&nd, &req).is_err());

    // Too big, altered.
    assert!(matches!(
        p.clone().embed(&vec![1; 8193]),
        Err(PdfError::SignatureTooBig { .. })
    ));
    let mut altered = p.clone();
    altered.bytes[10] ^= 1;
    assert_eq!(altered.embed(&cms), Err(PdfError::PreparedAltered));
    let mut moved = p;
    moved.byte_range[1] -= 1;
    assert_eq!(moved.embed(&cms), Err(PdfError::PreparedAltered));

    pdfsig_lists(&signed, "SigPerson");
}

/// `pdfsig -nocert` must list the field (the dummy CMS itself is not valid).
fn pdfsig_lists(bytes: &[u8], field: &str) {
    let Some(pdfsig) = tool("pdfsig") else { return };
    let path = temp_file(&format!("pdfsig-{field}"), bytes);
    let out = Command::new(pdfsig)
        .arg("-nocert")
        .arg(&path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains(&format!("Signature Field Name: {field}")),
        "pdfsig output:\n{text}"
    );
    eprintln!("pdfsig:\n{text}");
}

#[test]
fn sign_both_fields_in_order() {
    let doc = Document::parse(&with_fields()).unwrap();
    let p1 = prepare_signature(
        &doc,
        &SignatureRequest::cades("SigSeal", "D:20261123100000Z", 4096),
    )
    .unwrap();
    let s1 = p1.embed(&[0x30, 0x03, 0x02, 0x01, 0x01]).unwrap();
    let doc = Document::parse(&s1).unwrap();
    let p2 = prepare_signature(
        &doc,
        &SignatureRequest::cades("SigPerson", "D:20261123100500Z", 4096),
    )
    .unwrap();
    check_prepared(&p2);
    assert_eq!(&p2.bytes[..s1.len()], &s1[..]);
    let s2 = p2.embed(&[0x30, 0x00]).unwrap();
    let nd = Document::parse(&s2).unwrap();
    assert_eq!(nd.revisions().len(), 4);
    assert!(nd.acro_form_fields().unwrap().iter().all(|f| !f.is_empty()));
    // Each signature's ByteRange reaches exactly the end of its revision.
    let ends = nd.revision_end_offsets();
    assert_eq!(ends[2], s1.len());
    assert_eq!(ends[3], s2.len());
    if let Some((code, text)) = qpdf_check(&temp_file("two-sigs", &s2)) {
        assert_eq!(code, 0, "{text}");
    }
    pdfsig_lists(&s2, "SigSeal");
}

#[test]
fn create_field_with_signature_and_doc_timestamp_on_corpus_flavours() {
    for kind in [XrefKind::Table, XrefKind::Stream, XrefKind::Hybrid] {
        for (path, bytes) in corpus_by_kind(kind, 2) {
            let doc = Document::parse(&bytes).unwrap();
            let tag = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut req = SignatureRequest::cades("SignetNew", "D:20261123100000Z", 2048);
            req.create = Some(spec("SignetNew", [10.0, 10.0, 100.0, 40.0]));
            let p = prepare_signature(&doc, &req).unwrap();
            check_prepared(&p);
            let signed = p.embed(&[0x30, 0x00]).unwrap();
            let nd = Document::parse(&signed).unwrap();
            assert!(!nd.recovered() && !nd.lenient(), "{tag}");
            let ts =
                prepare_signature(&nd, &SignatureRequest::doc_timestamp("SignetTS", 4096)).unwrap();
            check_prepared(&ts);
            let out = ts.embed(&[0x30, 0x00]).unwrap();
            let fd = Document::parse(&out).unwrap();
            let f = fd
                .acro_form_fields()
                .unwrap()
                .into_iter()
                .find(|f| f.name == "SignetTS")
                .unwrap();
            assert!(
                f.sig_dict
                    .as_ref()
                    .unwrap()
                    .name_is(b"Type", b"DocTimeStamp"),
                "{tag}"
            );
            assert_eq!(f.widgets[0].rect, Some([0.0; 4]));
            let expected = if kind == XrefKind::Stream {
                XrefKind::Stream
            } else {
                XrefKind::Table
            };
            assert_eq!(fd.revisions().last().unwrap().kind, expected);
            if let Some((code, text)) = qpdf_check(&temp_file(&format!("ts-{tag}"), &out)) {
                let (orig, _) = qpdf_check(&path).unwrap();
                assert!(code == 0 || code == orig, "{tag}: {text}");
            }
            pdfsig_lists(&out, "SignetTS");
        }
    }
}

#[test]
fn dss_is_added_then_merged() {
    let doc = Document::parse(&with_fields()).unwrap();
    let (c1, c2, o1) = (
        b"cert-one".to_vec(),
        b"cert-two".to_vec(),
        b"ocsp-one".to_vec(),
    );
    let first = Dss {
        certs: vec![c1.clone()],
        ocsps: vec![o1.clone()],
        crls: vec![],
        vri: vec![(
            "ab12".into(),
            VriEntry {
                certs: vec![c1.clone()],
                ocsps: vec![o1.clone()],
                crls: vec![],
                tu: None,
            },
        )],
    };
    let b1 = add_dss(&doc, &first).unwrap();
    let d1 = Document::parse(&b1).unwrap();
    let second = Dss {
        certs: vec![c1.clone(), c2.clone()],
        ..Dss::default()
    };
    let b2 = add_dss(&d1, &second).unwrap();
    assert_eq!(&b2[..b1.len()], &b1[..]);
    let d2 = Document::parse(&b2).unwrap();
    let (_, cat) = d2.catalog().unwrap();
    let dss = d2.resolve(cat.get(b"DSS").unwrap()).unwrap();
    let dss = dss.as_dict().unwrap();
    let certs: Vec<Vec<u8>> = dss
        .get(b"Certs")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            d2.resolve(r)
                .unwrap()
                .as_stream()
                .unwrap()
                .decoded()
                .unwrap()
        })
        .collect();
    assert_eq!(
        certs,
        vec![c1, c2],
        "existing kept, duplicate not added, new appended"
    );
    assert_eq!(dss.get(b"OCSPs").unwrap().as_array().unwrap().len(), 1);
    let vri = d2.resolve(dss.get(b"VRI").unwrap()).unwrap();
    let entry = vri
        .as_dict()
        .unwrap()
        .get(b"AB12")
        .unwrap()
        .as_dict()
        .unwrap()
        .clone();
    assert_eq!(entry.get(b"Cert").unwrap().as_array().unwrap().len(), 1);
    if let Some((code, text)) = qpdf_check(&temp_file("dss", &b2)) {
        assert_eq!(code, 0, "{text}");
    }
}

/// A self-signed P-256 signer made with the openssl CLI: (key, cert) paths.
fn openssl_signer(
    openssl: &std::path::Path,
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let st = Command::new(openssl)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "30",
        ])
        .args(["-subj", "/CN=Signet Test Signer"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    (key, cert)
}

/// A detached CMS (with signed attributes) over the prepared ranges, by `openssl cms`.
fn openssl_cms(
    openssl: &std::path::Path,
    dir: &std::path::Path,
    signer: &(std::path::PathBuf, std::path::PathBuf),
    p: &Prepared,
) -> Vec<u8> {
    let (r1, r2) = p.signed_ranges();
    let data = dir.join("ranges.bin");
    std::fs::write(&data, [r1, r2].concat()).unwrap();
    let der = dir.join("sig.der");
    let st = Command::new(openssl)
        .args([
            "cms",
            "-sign",
            "-binary",
            "-nosmimecap",
            "-md",
            "sha256",
            "-outform",
            "DER",
        ])
        .arg("-in")
        .arg(&data)
        .arg("-signer")
        .arg(&signer.1)
        .arg("-inkey")
        .arg(&signer.0)
        .arg("-out")
        .arg(&der)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    std::fs::read(&der).unwrap()
}

fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// End to end with real cryptography from the openssl CLI: pdfsig must say the signature is
/// valid and covers the whole document, and pyHanko must find it sound and complete.
#[test]
fn openssl_cms_over_our_byte_range_validates() {
    let (Some(openssl), Some(pdfsig)) = (tool("openssl"), tool("pdfsig")) else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("signet-pdf-openssl");
    let signer = openssl_signer(&openssl, &dir);
    let doc = Document::parse(&with_fields()).unwrap();
    let p = prepare_signature(
        &doc,
        &SignatureRequest::cades("SigPerson", "D:20261123143000+07'00'", 8192),
    )
    .unwrap();
    let cms = openssl_cms(&openssl, &dir, &signer, &p);
    let signed = p.embed(&cms).unwrap();
    let path = temp_file("openssl-signed", &signed);
    let (_, text) = run(Command::new(pdfsig).arg("-nocert").arg(&path));
    assert!(text.contains("Signature Field Name: SigPerson"), "{text}");
    assert!(text.contains("Total document signed"), "{text}");
    assert!(
        text.contains("Signature Validation: Signature is Valid."),
        "{text}"
    );
    if let Some(pyhanko) = tool("pyhanko") {
        let (_, text) = run(Command::new(pyhanko)
            .args(["sign", "validate", "--pretty-print"])
            .arg(&path));
        assert!(text.contains("cryptographically sound"), "pyHanko:\n{text}");
        assert!(text.contains("covers the entire file"), "pyHanko:\n{text}");
    }
}

/// Interleaving with pyHanko both ways: pyHanko signs the seal field of our two-field file,
/// then we sign the person field on top of pyHanko's revision. pyHanko (with the signer as
/// trust anchor) must judge both VALID, which includes its diff analysis of our update.
#[test]
fn pyhanko_accepts_our_updates_both_ways() {
    let (Some(openssl), Some(pyhanko), Some(pdfsig)) =
        (tool("openssl"), tool("pyhanko"), tool("pdfsig"))
    else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("signet-pdf-pyhanko");
    let signer = openssl_signer(&openssl, &dir);
    let fields = temp_file("pyhanko-fields", &with_fields());
    let seal = dir.join("seal.pdf");
    let (code, text) = run(Command::new(&pyhanko)
        .args(["sign", "addsig", "--field", "SigSeal", "pemder", "--key"])
        .arg(&signer.0)
        .arg("--cert")
        .arg(&signer.1)
        .arg("--no-pass")
        .arg(&fields)
        .arg(&seal));
    assert_eq!(code, 0, "pyHanko could not sign our field:\n{text}");
    let doc = Document::parse(&std::fs::read(&seal).unwrap()).unwrap();
    let p = prepare_signature(
        &doc,
        &SignatureRequest::cades("SigPerson", "D:20261123143000+07'00'", 8192),
    )
    .unwrap();
    let cms = openssl_cms(&openssl, &dir, &signer, &p);
    let both = temp_file("pyhanko-both", &p.embed(&cms).unwrap());
    let (code, text) = run(Command::new(&pyhanko)
        .args([
            "sign",
            "validate",
            "--executive-summary",
            "--trust-replace",
            "--trust",
        ])
        .arg(&signer.1)
        .arg(&both));
    assert_eq!(code, 0, "pyHanko:\n{text}");
    assert!(
        text.contains("SigSeal:") && text.contains("SigPerson:"),
        "{text}"
    );
    assert_eq!(text.matches(":VALID").count(), 2, "pyHanko:\n{text}");
    let (_, text) = run(Command::new(pdfsig).arg("-nocert").arg(&both));
    assert_eq!(
        text.matches("Signature is Valid.").count(),
        2,
        "pdfsig:\n{text}"
    );
}

#[test]
fn spans_let_a_verifier_check_the_gap() {
    let doc = Document::parse(&with_fields()).unwrap();
    let p = prepare_signature(
        &doc,
        &SignatureRequest::cades("SigSeal", "D:20261123100000Z", 1024),
    )
    .unwrap();
    let signed = p.clone().embed(&[0x30, 0x00]).unwrap();
    let d = Document::parse(&signed).unwrap();
    let span = d
        .value_span_at(d.last_revision(), p.sig_ref, b"Contents")
        .unwrap()
        .unwrap();
    assert_eq!(span, (p.byte_range[1] as usize, p.byte_range[2] as usize));
    assert_eq!(
        d.revision_ending_at((p.byte_range[2] + p.byte_range[3]) as usize),
        Some(2)
    );
    assert_eq!(
        d.value_span_at(d.last_revision(), p.sig_ref, b"Nope")
            .unwrap(),
        None
    );
}

/// The product's order: the agency certifies first (DocMDP P=2) in its pre-created field,
/// then pyHanko fills the official's field. pyHanko must accept both, i.e. our
/// certification dictionary is right and its diff analysis sees only form filling.
#[test]
fn certification_then_approval_is_valid_for_pyhanko() {
    let (Some(openssl), Some(pyhanko)) = (tool("openssl"), tool("pyhanko")) else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("signet-pdf-certify");
    let signer = openssl_signer(&openssl, &dir);
    let doc = Document::parse(&with_fields()).unwrap();
    let mut req = SignatureRequest::cades("SigSeal", "D:20261123090000+07'00'", 8192);
    req.certify = Some(2);
    let p = prepare_signature(&doc, &req).unwrap();
    let cms = openssl_cms(&openssl, &dir, &signer, &p);
    let certified = p.embed(&cms).unwrap();
    let d = Document::parse(&certified).unwrap();
    let (_, cat) = d.catalog().unwrap();
    assert!(cat.get(b"Perms").is_some());
    // A second certification is refused.
    let mut again = SignatureRequest::cades("SigPerson", "D:20261123090000+07'00'", 8192);
    again.certify = Some(2);
    assert!(prepare_signature(&d, &again).is_err());

    let cert_path = temp_file("certified", &certified);
    let both = dir.join("both.pdf");
    let (code, text) = run(Command::new(&pyhanko)
        .args(["sign", "addsig", "--field", "SigPerson", "pemder", "--key"])
        .arg(&signer.0)
        .arg("--cert")
        .arg(&signer.1)
        .arg("--no-pass")
        .arg(&cert_path)
        .arg(&both));
    assert_eq!(
        code, 0,
        "pyHanko could not sign after our certification:\n{text}"
    );
    let (code, text) = run(Command::new(&pyhanko)
        .args([
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
        ])
        .arg(&signer.1)
        .arg(&both));
    assert_eq!(code, 0, "pyHanko:\n{text}");
    assert_eq!(text.matches("judged VALID").count(), 2, "pyHanko:\n{text}");
    assert!(
        text.contains("compatible with the current document modification policy"),
        "{text}"
    );
    // pyHanko reads our /Reference as DocMDP "fill forms" (P=2).
    let python = std::path::Path::new("/work/main/.venv/bin/python");
    if python.exists() {
        let script = "import sys\nfrom pyhanko.pdf_utils.reader import PdfFileReader\nr = PdfFileReader(open(sys.argv[1], 'rb'))\nfor s in r.embedded_signatures: print(s.field_name, s.docmdp_level)";
        let (code, text) = run(Command::new(python).arg("-c").arg(script).arg(&both));
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("SigSeal MDPPerm.FILL_FORMS"), "{text}");
    }
}
