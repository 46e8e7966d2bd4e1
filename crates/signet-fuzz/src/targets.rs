//! Fuzz targets: each takes bytes and exercises one parser. Add new ones to `TARGETS` and to
//! `fuzz/fuzz_targets/` (the libFuzzer runner).

/// A target returns a short outcome label; new labels make an input "interesting".
pub type Target = fn(&[u8]) -> String;

pub const TARGETS: &[(&str, Target)] = &[("pdf", pdf), ("cms", cms), ("verify", verify)];

pub fn find(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Error text without numbers, so offsets do not make every input look new.
fn label(prefix: &str, e: &dyn std::fmt::Display) -> String {
    // Coarse on purpose: the error's first words, so the live corpus grows by kinds of
    // failure, not by every offset or name mentioned.
    let s: String = e
        .to_string()
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .take(28)
        .collect();
    format!("{prefix}:{s}")
}

/// The PDF reader end to end: parse, walk every object of every revision, pages, fields, and
/// an incremental update that must parse back.
pub fn pdf(data: &[u8]) -> String {
    use signet_pdf::{Document, Object, Update};
    let doc = match Document::parse(data) {
        Ok(d) => d,
        Err(e) => return label("parse", &e),
    };
    let mut labels = format!(
        "ok:r{}:{}:{}",
        doc.revisions().len().min(4),
        doc.recovered(),
        doc.lenient()
    );
    for rev in 0..doc.revisions().len().min(8) {
        for r in doc.live_refs_at(rev).into_iter().take(2000) {
            if let Ok(Some(Object::Stream(s))) = doc.get_at(rev, r) {
                let _ = s.decoded_limited(1 << 22);
            }
        }
        let _ = doc.pages_at(rev);
        let _ = doc.acro_form_fields_at(rev);
    }
    if let Ok(p) = doc.pages() {
        if let Some(first) = p.first() {
            let _ = doc.page_media_box(*first);
        }
    }
    match doc.acro_form_fields() {
        Ok(f) => labels.push_str(&format!(":f{}", f.len().min(3))),
        Err(e) => labels.push_str(&label(":fields", &e)),
    }
    // Damaged files are rewritten clean before any update, as the product does.
    let clean;
    let doc = if doc.lenient() || doc.recovered() {
        let Ok(bytes) = signet_pdf::rewrite(&doc) else {
            return labels;
        };
        clean = match Document::parse(&bytes) {
            Ok(d) if !d.lenient() && !d.recovered() => d,
            other => panic!(
                "rewrite does not parse back clean: {:?}",
                other.map(|d| (d.lenient(), d.recovered()))
            ),
        };
        &clean
    } else {
        &doc
    };
    let mut up = Update::new(doc);
    let r = up.allocate();
    up.put(r, &Object::Integer(1));
    if let Ok(bytes) = up.finish() {
        match Document::parse(&bytes) {
            Ok(nd) if nd.revisions().len() == doc.revisions().len() + 1 && !nd.lenient() => {}
            // The writer must always produce something our own reader accepts.
            other => panic!(
                "update of a parsed file does not parse back cleanly: {:?}",
                other.map(|d| d.revisions().len())
            ),
        }
    }
    sign(doc);
    labels
}

/// Signature preparation on whatever parsed: when it succeeds, the result must parse back
/// with the new field signed.
fn sign(doc: &signet_pdf::Document) {
    use signet_pdf::{prepare_signature, Document, SignatureRequest};
    let Ok(p) = prepare_signature(doc, &SignatureRequest::doc_timestamp("FuzzTS", 64)) else {
        return;
    };
    let Ok(bytes) = p.embed(&[0x30, 0x00]) else {
        panic!("embedding into a fresh placeholder failed")
    };
    let nd = Document::parse(&bytes)
        .unwrap_or_else(|e| panic!("prepared file does not parse back: {e}"));
    let signed = nd
        .acro_form_fields()
        .map(|f| f.iter().any(|f| f.name == "FuzzTS" && !f.is_empty()));
    if signed != Ok(true) {
        panic!("prepared field not found signed: {signed:?}");
    }
}

/// The CMS reader and verifier (signatures and time-stamp tokens) on raw DER: parse, check
/// integrity against empty data, parse as a token. Seeds: the /Contents of signed PDFs
/// (`scripts/fuzz` extracts them).
pub fn cms(data: &[u8]) -> String {
    let sig = match signet_pki::parse_signature(data) {
        Ok(s) => s,
        Err(e) => {
            let _ = signet_pki::parse_timestamp_token(data);
            return label("cms", &e);
        }
    };
    let integrity = signet_pki::verify_integrity(&sig, &[data]);
    let mut out = format!(
        "ok:{}:{}:{}:ts{}",
        integrity.digest_ok,
        integrity.signature_ok,
        sig.signed_attributes.is_some(),
        sig.signature_timestamps.len().min(2)
    );
    for t in &sig.signature_timestamps {
        if let Ok(token) = signet_pki::parse_timestamp_token(t) {
            let _ = signet_pki::verify_timestamp_token(&token, &sig.signature);
            out.push_str(":tok");
        }
    }
    out
}

/// The whole verifier on a PDF (no trust anchors, no network): structure, every signature's
/// CMS, coverage, the modification policy, paths. It must answer, never panic or hang.
pub fn verify(data: &[u8]) -> String {
    let mut opts = signet_pades::Options::new(
        signet_pki::validation::TrustAnchors::new(),
        time::OffsetDateTime::UNIX_EPOCH,
    );
    opts.revocation = signet_pki::validation::RevocationPolicy::Skip;
    match signet_pades::verify(data, &opts) {
        Err(e) => label("unreadable", &e),
        Ok(o) => {
            let mut l = format!("{:?}:{}", o.report.verdict, o.report.recovered);
            for s in o.report.signatures.iter().take(3) {
                l.push_str(&format!(
                    ":{:?}{:?}{:?}",
                    s.integrity, s.coverage, s.modifications
                ));
            }
            l
        }
    }
}
