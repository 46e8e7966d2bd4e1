//! The crate's fuzz exercise: what the `pdf` fuzz target runs (both runners, see
//! `crates/signet-fuzz`) and what the regression test runs on every input a fuzzer once
//! crashed on. Malformed input is an [`Outcome`]; a broken promise of the crate (a file it
//! wrote does not read back as written) is an `Err`.

use crate::{prepare_signature, rewrite, Document, Object, PdfError, SignatureRequest, Update};

/// What the exercise saw, coarse enough for a fuzzer to tell kinds of input apart.
#[derive(Debug)]
pub enum Outcome {
    /// The bytes do not read as a PDF.
    Unreadable(PdfError),
    /// The bytes read as a PDF.
    Read {
        /// How many revisions.
        revisions: usize,
        /// Rebuilt by scanning ([`Document::recovered`]).
        recovered: bool,
        /// Small defects tolerated ([`Document::lenient`]).
        lenient: bool,
        /// How many form fields, or why they could not be read.
        fields: Result<usize, PdfError>,
    },
}

/// Parses `data`, walks every object of every revision (streams decoded), the pages, the
/// fields and the scan check's reading of the pages; then, after a clean rewrite of a damaged
/// file (as the product does), appends an update and prepares a document timestamp, each of
/// which must read back as written.
///
/// Encrypted files are decrypted as they are walked: with the empty user password, or with
/// [`FUZZ_PASSWORD`] when they need one (the seeds with a user password use it). Writing into
/// them must be refused.
pub fn exercise(data: &[u8]) -> Result<Outcome, String> {
    let parsed = match Document::parse(data) {
        Err(PdfError::PasswordRequired) => Document::parse_with_password(data, FUZZ_PASSWORD),
        other => other,
    };
    let doc = match parsed {
        Ok(d) => d,
        Err(e) => return Ok(Outcome::Unreadable(e)),
    };
    if doc.encryption().is_some() {
        walk(&doc);
        return encrypted_stays_unwritten(&doc);
    }
    walk(&doc);
    let outcome = Outcome::Read {
        revisions: doc.revisions().len(),
        recovered: doc.recovered(),
        lenient: doc.lenient(),
        fields: doc.acro_form_fields().map(|f| f.len()),
    };
    let clean;
    let doc = if doc.lenient() || doc.recovered() {
        let Ok(bytes) = rewrite(&doc) else {
            return Ok(outcome);
        };
        clean = match Document::parse(&bytes) {
            Ok(d) if !d.lenient() && !d.recovered() => d,
            other => {
                return Err(format!(
                    "rewrite does not parse back clean: {:?}",
                    other.map(|d| (d.lenient(), d.recovered()))
                ))
            }
        };
        &clean
    } else {
        &doc
    };
    update_reads_back(doc)?;
    timestamp_reads_back(doc)?;
    Ok(outcome)
}

/// The user password of the encrypted fuzz seeds.
pub const FUZZ_PASSWORD: &str = "fuzz";

/// An encrypted file reads, and every way of writing into it is refused.
fn encrypted_stays_unwritten(doc: &Document) -> Result<Outcome, String> {
    let mut up = Update::new(doc);
    let r = up.allocate();
    up.put(r, &Object::Integer(1));
    if up.finish() != Err(PdfError::Encrypted) {
        return Err("an update of an encrypted file was not refused".into());
    }
    if rewrite(doc).is_ok() {
        return Err("an encrypted file was rewritten in clear".into());
    }
    Ok(Outcome::Read {
        revisions: doc.revisions().len(),
        recovered: doc.recovered(),
        lenient: doc.lenient(),
        fields: doc.acro_form_fields().map(|f| f.len()),
    })
}

/// Every object of the first eight revisions (2,000 each at most), pages and fields.
fn walk(doc: &Document) {
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
    // What a scan upload is checked with: images, their colour and where the content draws them.
    let _ = crate::scan::scan_pages(doc);
}

/// An update of a parsed file parses back, cleanly, with one more revision.
fn update_reads_back(doc: &Document) -> Result<(), String> {
    let mut up = Update::new(doc);
    let r = up.allocate();
    up.put(r, &Object::Integer(1));
    let Ok(bytes) = up.finish() else {
        return Ok(());
    };
    match Document::parse(&bytes) {
        Ok(nd) if nd.revisions().len() == doc.revisions().len() + 1 && !nd.lenient() => Ok(()),
        other => Err(format!(
            "update of a parsed file does not parse back cleanly: {:?}",
            other.map(|d| d.revisions().len())
        )),
    }
}

/// When a document timestamp can be prepared, the prepared file parses back with the field
/// signed.
fn timestamp_reads_back(doc: &Document) -> Result<(), String> {
    let Ok(p) = prepare_signature(doc, &SignatureRequest::doc_timestamp("FuzzTS", 64)) else {
        return Ok(());
    };
    let bytes = p
        .embed(&[0x30, 0x00])
        .map_err(|e| format!("embedding into a fresh placeholder failed: {e}"))?;
    let nd =
        Document::parse(&bytes).map_err(|e| format!("prepared file does not parse back: {e}"))?;
    let signed = nd
        .acro_form_fields()
        .map(|f| f.iter().any(|f| f.name == "FuzzTS" && !f.is_empty()));
    if signed != Ok(true) {
        return Err(format!("prepared field not found signed: {signed:?}"));
    }
    Ok(())
}
