//! Signing a PDF, PAdES B-B to B-LTA, in pure steps: the caller gives the signer (any
//! [`RawSigner`]: software key, token, remote service), the clock's reading, and the network
//! as a [`Services`] implementation (TSA, revocation fetching).
//!
//! Two steps with a persisted state: [`prepare`] returns a [`Pending`] (serde) holding the file
//! with its placeholder and the bytes the signer must sign; [`complete`] takes the raw signature
//! — possibly minutes later, after a restart — and finishes the file.

use serde::{Deserialize, Serialize};
use signet_appearance::{Appearance, ObjectSink};
use signet_pdf::signature::{
    add_signature_fields_in, prepare_signature_in, FieldSpec, Prepared, SignatureRequest,
};
use signet_pdf::writer::Update;
use signet_pdf::{Document, ObjRef};
use signet_pki::validation::{
    self, CertStatus, Purpose, RevocationNeed, RevocationPolicy, TrustAnchors, ValidationContext,
};
use signet_pki::{DigestAlgorithm, RawSigner, SignatureAlgorithm, SignedAttributes};
use time::OffsetDateTime;

use crate::dss::Dss;
use crate::verify::{self, Options};

/// Room for a signature timestamp token in the /Contents placeholder.
const TIMESTAMP_RESERVE: usize = 6 * 1024;
/// Room for a document timestamp token.
const DOC_TIMESTAMP_CAPACITY: usize = 8 * 1024;

/// The PAdES baseline levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    BB,
    BT,
    BLT,
    BLTA,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s.to_ascii_uppercase().as_str() {
            "B-B" => Some(Level::BB),
            "B-T" => Some(Level::BT),
            "B-LT" => Some(Level::BLT),
            "B-LTA" => Some(Level::BLTA),
            _ => None,
        }
    }
}

/// What signing needs from outside: a time-stamping authority and revocation data.
pub trait Services {
    /// Sends a DER TimeStampReq, returns the DER TimeStampResp.
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, String>;
    /// Fetches what `needs` lists (CRLs, OCSP answers); failures are simply absent.
    fn revocation(&self, needs: &[RevocationNeed], at: OffsetDateTime) -> Dss;
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("PDF: {0}")]
    Pdf(#[from] signet_pdf::PdfError),
    #[error("signature: {0}")]
    Pki(#[from] signet_pki::PkiError),
    #[error("appearance: {0}")]
    Appearance(#[from] signet_appearance::AppearanceError),
    #[error("the signer failed: {0}")]
    Signer(String),
    #[error("time-stamping authority: {0}")]
    Timestamp(String),
    #[error("{0}")]
    Verification(String),
}

/// Where a new field goes.
#[derive(Clone, Debug)]
pub struct NewField {
    pub name: String,
    /// Zero-based page.
    pub page: usize,
    pub rect: [f64; 4],
}

/// One signature to make.
#[derive(Clone)]
pub struct Request<'a> {
    /// The field to fill (created by [`add_fields`] before, or by `create`).
    pub field: String,
    /// Create the field in the signing revision (when it does not exist yet).
    pub create: Option<NewField>,
    /// The visible appearance; `None` leaves the field as it is (invisible if it has none).
    pub appearance: Option<Appearance<'a>>,
    /// `/M`, the claimed signing time, as a PDF date (see [`crate::pdfdate::pdf_date`]).
    pub m: String,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub level: Level,
    /// Validation data to write in the signing revision itself (B-LT: see [`sign`]).
    pub validation_data: Option<Dss>,
    /// Text fields to fill in the signing revision (name, value): form filling, which the
    /// signatures already there allow (the number and date written at issuance).
    pub fill: Vec<(String, String)>,
}

/// The state between preparing and completing a signature; safe to persist.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub prepared: Prepared,
    pub algorithm: SignatureAlgorithm,
    pub certificate: Vec<u8>,
    pub chain: Vec<Vec<u8>>,
    pub level: Level,
    /// What the signer must sign (the DER SET of signed attributes).
    pub to_be_signed: Vec<u8>,
}

/// Adapts the PDF writer to the appearance renderer.
struct Sink<'u, 'a> {
    up: &'u mut Update<'a>,
}

impl ObjectSink for Sink<'_, '_> {
    fn reserve(&mut self) -> u32 {
        self.up.allocate().num
    }
    fn put(&mut self, num: u32, body: Vec<u8>) {
        self.up.put_raw(ObjRef::new(num, 0), body);
    }
}

/// The document to append to. A file that could only be read leniently or had to be rebuilt
/// (common with office-suite output) is rewritten cleanly first — appending to damaged bytes
/// could read differently next time — which is only possible while nothing is signed yet.
///
/// An encrypted file is refused (`PdfError::Encrypted`): signing it would mean encrypting
/// every new object and string with the file's key, which needs the owner's consent the owner
/// password stands for; the clerk removes the encryption first (docs/VERIFY-REPORT.md).
fn writable(pdf: &[u8]) -> Result<Document, SignError> {
    let doc = Document::parse(pdf)?;
    if doc.encryption().is_some() {
        return Err(signet_pdf::PdfError::Encrypted.into());
    }
    if doc.lenient() || doc.recovered() {
        return Ok(Document::from_vec(signet_pdf::rewrite(&doc)?)?);
    }
    Ok(doc)
}

/// One incremental update creating every field (all signature boxes of a document are
/// created before the first signature: pyHanko rejects fields created after a certification,
/// and DSS needs unique names). Fields get their appearance when they are signed.
pub fn add_fields(pdf: &[u8], fields: &[NewField]) -> Result<Vec<u8>, SignError> {
    let doc = writable(pdf)?;
    let mut up = Update::new(&doc);
    let specs: Vec<FieldSpec> = fields.iter().map(spec).collect();
    add_signature_fields_in(&mut up, &specs)?;
    Ok(up.finish()?)
}

fn spec(f: &NewField) -> FieldSpec {
    FieldSpec {
        name: f.name.clone(),
        page: f.page,
        rect: f.rect,
        appearance: None,
    }
}

/// Step 1: the file with its placeholder, and the bytes to sign.
pub fn prepare(
    pdf: &[u8],
    req: &Request,
    algorithm: SignatureAlgorithm,
    certificate: &[u8],
    chain: &[Vec<u8>],
) -> Result<Pending, SignError> {
    let doc = writable(pdf)?;
    let reserve = if req.level >= Level::BT {
        TIMESTAMP_RESERVE
    } else {
        0
    };
    let capacity = signet_pki::contents_capacity(certificate, chain, algorithm, reserve)?;
    let mut up = Update::new(&doc);
    signet_pdf::fill_text_fields_in(&mut up, &req.fill)?;
    if let Some(data) = req.validation_data.as_ref().filter(|d| !d.is_empty()) {
        let dss = signet_pdf::Dss {
            certs: data.certs.clone(),
            ocsps: data.ocsps.clone(),
            crls: data.crls.clone(),
            vri: Vec::new(),
        };
        signet_pdf::add_dss_in(&mut up, &dss)?;
    }
    let appearance = match &req.appearance {
        Some(a) => Some(ObjRef::new(
            signet_appearance::render(a, &mut Sink { up: &mut up })?,
            0,
        )),
        None => None,
    };
    let mut sreq = SignatureRequest::cades(&req.field, &req.m, capacity);
    sreq.create = req.create.as_ref().map(|f| FieldSpec {
        appearance,
        ..spec(f)
    });
    sreq.appearance = appearance;
    sreq.reason = req.reason.clone();
    sreq.location = req.location.clone();
    sreq.name = signet_pki::validation::summarize(certificate)
        .ok()
        .map(|s| s.subject_cn);
    let prepared = prepare_signature_in(up, &sreq)?;
    let attrs = SignedAttributes::pades(
        &document_digest(&prepared, algorithm),
        algorithm.digest(),
        certificate,
    )?;
    Ok(Pending {
        to_be_signed: attrs.to_be_signed().to_vec(),
        prepared,
        algorithm,
        certificate: certificate.to_vec(),
        chain: chain.to_vec(),
        level: req.level,
    })
}

/// The digest of the signed byte ranges with the algorithm's own hash (SHA-384 for P-384);
/// SHA-256 is the one the placeholder step already computed.
fn document_digest(prepared: &Prepared, algorithm: SignatureAlgorithm) -> Vec<u8> {
    match algorithm.digest() {
        DigestAlgorithm::Sha256 => prepared.digest.to_vec(),
        other => {
            let (a, b) = prepared.signed_ranges();
            other.hash_parts(&[a, b])
        }
    }
}

/// Step 2: the raw signature over [`Pending::to_be_signed`] → the signed file at B-B or B-T
/// (B-T needs `services` for the TSA).
pub fn complete(
    pending: Pending,
    signature: &[u8],
    services: &dyn Services,
) -> Result<Vec<u8>, SignError> {
    let digest = document_digest(&pending.prepared, pending.algorithm);
    let attrs = SignedAttributes::pades(&digest, pending.algorithm.digest(), &pending.certificate)?;
    let mut cms = signet_pki::signed_data(
        &attrs,
        pending.algorithm,
        signature,
        &pending.certificate,
        &pending.chain,
    )?;
    if pending.level >= Level::BT {
        cms = add_signature_timestamp(&cms, services)?;
    }
    Ok(pending.prepared.embed(&cms)?)
}

fn add_signature_timestamp(cms: &[u8], services: &dyn Services) -> Result<Vec<u8>, SignError> {
    let value = signet_pki::signature_value(cms)?;
    let imprint = DigestAlgorithm::Sha256.hash(&value);
    let token = timestamp(&imprint, services)?;
    Ok(signet_pki::add_signature_timestamp(cms, &token)?)
}

/// Asks the TSA for a token over `imprint` (SHA-256); the nonce is taken from the imprint so
/// this stays free of randomness and still differs per request.
fn timestamp(imprint: &[u8], services: &dyn Services) -> Result<Vec<u8>, SignError> {
    let nonce = imprint.get(..8).unwrap_or(imprint);
    let request = signet_pki::timestamp_request(imprint, DigestAlgorithm::Sha256, nonce);
    let response = services.timestamp(&request).map_err(SignError::Timestamp)?;
    Ok(signet_pki::timestamp_token(&response, &request)?)
}

/// Signs in one go with a signer at hand, then adds B-LT / B-LTA data as asked.
#[allow(clippy::too_many_arguments)] // the inputs of a signature: none can be defaulted
pub fn sign<S: RawSigner>(
    pdf: &[u8],
    req: &Request,
    signer: &S,
    certificate: &[u8],
    chain: &[Vec<u8>],
    services: &dyn Services,
    anchors: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<Vec<u8>, SignError> {
    let gathered;
    let req = if req.level >= Level::BLT && req.validation_data.is_none() {
        gathered = Request {
            validation_data: Some(gather_validation_data(
                pdf,
                certificate,
                chain,
                services,
                anchors,
                now,
            )?),
            ..req.clone()
        };
        &gathered
    } else {
        req
    };
    let pending = prepare(pdf, req, signer.algorithm(), certificate, chain)?;
    let signature = signer
        .sign(&pending.to_be_signed)
        .map_err(|e| SignError::Signer(e.to_string()))?;
    let level = pending.level;
    let mut out = complete(pending, &signature, services)?;
    if level >= Level::BLTA {
        out = add_document_timestamp(&out, services, "Signet-DocTimeStamp")?;
    }
    Ok(out)
}

/// B-LT validation data gathered **before** signing, so it goes into the signing revision and
/// the signed file is covered whole by its last signature (Nghị định 30: the agency's seal is
/// the last act on an issued document): every signature already in `pdf` (the leader's), the
/// signer's own chain, and the TSA's chain (learnt from a probe token).
pub fn gather_validation_data(
    pdf: &[u8],
    certificate: &[u8],
    chain: &[Vec<u8>],
    services: &dyn Services,
    anchors: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<Dss, SignError> {
    let mut opts = Options::new(anchors.clone(), now);
    opts.revocation = RevocationPolicy::Require;
    let first = verify::verify(pdf, &opts).map_err(|e| SignError::Verification(e.to_string()))?;
    opts.fetched = services.revocation(&first.needs, now);
    let mut used = verify::verify(pdf, &opts)
        .map_err(|e| SignError::Verification(e.to_string()))?
        .used;
    path_data(
        certificate,
        chain,
        Purpose::DocumentSigning,
        services,
        anchors,
        now,
        &mut used,
    )?;
    let probe = timestamp(&DigestAlgorithm::Sha256.hash(certificate), services)?;
    let token = signet_pki::parse_timestamp_token(&probe)?;
    if let Some(tsa) = &token.tsa_certificate {
        // The TSA's issuer may be in the token, the signer's chain or the document.
        let mut pool = token.cms.certificates.clone();
        pool.extend(chain.iter().cloned());
        pool.extend(used.certs.iter().cloned());
        path_data(
            tsa,
            &pool,
            Purpose::Timestamping,
            services,
            anchors,
            now,
            &mut used,
        )?;
    }
    Ok(used)
}

/// Validates one certificate with fetched revocation data and records what the path used.
fn path_data(
    cert: &[u8],
    pool: &[Vec<u8>],
    purpose: Purpose,
    services: &dyn Services,
    anchors: &TrustAnchors,
    now: OffsetDateTime,
    used: &mut Dss,
) -> Result<(), SignError> {
    let mut ctx = ValidationContext::new(anchors.clone(), now);
    ctx.intermediates = pool.to_vec();
    let first = validation::validate(&ctx, cert, purpose)?;
    let fetched = services.revocation(&validation::revocation_needs(&first), now);
    ctx.crls = fetched.crls;
    ctx.ocsp_responses = fetched.ocsps;
    let path = validation::validate(&ctx, cert, purpose)?;
    if path.status != CertStatus::Valid {
        return Err(SignError::Verification(format!(
            "the certificate cannot be validated for long-term signing: {:?}",
            path.status
        )));
    }
    crate::verify::record_used(&path, &ctx, used);
    Ok(())
}

/// B-LT after the fact (e.g. for a file signed elsewhere): one incremental update whose DSS holds the certificates and revocation answers of
/// **every** signature and timestamp in the file (the seal's and the leader's before it), so
/// the file verifies with the network off.
pub fn add_validation_data(
    pdf: &[u8],
    services: &dyn Services,
    anchors: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<Vec<u8>, SignError> {
    let mut opts = Options::new(anchors.clone(), now);
    opts.revocation = RevocationPolicy::Require;
    let first = verify::verify(pdf, &opts).map_err(|e| SignError::Verification(e.to_string()))?;
    opts.fetched = services.revocation(&first.needs, now);
    let second = verify::verify(pdf, &opts).map_err(|e| SignError::Verification(e.to_string()))?;
    let used = second.used;
    let doc = Document::parse(pdf)?;
    let dss = signet_pdf::Dss {
        certs: used.certs,
        ocsps: used.ocsps,
        crls: used.crls,
        vri: Vec::new(),
    };
    Ok(signet_pdf::add_dss(&doc, &dss)?)
}

/// B-LTA: a document timestamp over the whole file (in a new invisible field).
pub fn add_document_timestamp(
    pdf: &[u8],
    services: &dyn Services,
    field: &str,
) -> Result<Vec<u8>, SignError> {
    let doc = Document::parse(pdf)?;
    let name = unique_field_name(&doc, field)?;
    let req = SignatureRequest::doc_timestamp(&name, DOC_TIMESTAMP_CAPACITY);
    let prepared = signet_pdf::signature::prepare_signature(&doc, &req)?;
    let token = timestamp(&prepared.digest, services)?;
    Ok(prepared.embed(&token)?)
}

fn unique_field_name(doc: &Document, base: &str) -> Result<String, SignError> {
    let names: Vec<String> = doc
        .acro_form_fields()?
        .into_iter()
        .map(|f| f.name)
        .collect();
    Ok((1..)
        .map(|i| {
            if i == 1 {
                base.to_owned()
            } else {
                format!("{base}{i}")
            }
        })
        .find(|n| !names.contains(n))
        .unwrap_or_else(|| base.to_owned()))
}
