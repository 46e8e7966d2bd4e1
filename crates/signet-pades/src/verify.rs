//! Verifying every signature of a PDF: integrity, coverage, modifications, the signer's
//! certificate path at the right time, timestamps, PAdES level, and one ETSI indication.
//!
//! Pure: the caller gives the trust anchors, the validation time and any revocation data it
//! fetched; [`Outcome::needs`] says what could still be fetched (the I/O layer may fetch it and
//! verify again).

use signet_pdf::{Dictionary, Document, Object, SignatureField};
use signet_pki::validation::{
    self, CertStatus, PathReport, Purpose, RevocationNeed, RevocationPolicy, RevocationSource,
    TrustAnchors, ValidationContext,
};
use signet_pki::{CmsSignature, TimestampToken};
use time::OffsetDateTime;

use crate::coverage::{self, Ranges};
use crate::diff;
use crate::dss::{self, Dss};
use crate::messages;
use crate::report::{
    Coverage, Indication, Integrity, Kind, Message, Modifications, Report, RevocationReport,
    SignatureReport, Signer, SubIndication,
};

/// Most signatures verified in one file.
const MAX_SIGNATURES: usize = 256;

/// What the verifier is given besides the file.
#[derive(Clone, Debug)]
pub struct Options {
    pub anchors: TrustAnchors,
    /// "Now": the validation time when no timestamp proves an earlier one.
    pub at: OffsetDateTime,
    /// Revocation data and certificates the caller fetched.
    pub fetched: Dss,
    pub revocation: RevocationPolicy,
    /// The password of an encrypted file (user or owner); without it only files whose user
    /// password is empty open.
    pub password: Option<Password>,
}

/// A password for an encrypted PDF, kept out of `Debug` output (reports and logs).
#[derive(Clone, Default)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Options {
    pub fn new(anchors: TrustAnchors, at: OffsetDateTime) -> Options {
        Options {
            anchors,
            at,
            fetched: Dss::default(),
            revocation: RevocationPolicy::Require,
            password: None,
        }
    }
}

/// A report and the revocation data that could still be fetched to complete it.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    pub needs: Vec<RevocationNeed>,
    /// The certificates of every path built and the revocation answers those paths relied on:
    /// what a B-LT update must put in the DSS so the file verifies with the network off.
    pub used: Dss,
}

/// The file could not be read as a PDF at all (exit status 3 of `signet verify`); the second
/// field says when a password is what is missing.
#[derive(Debug, thiserror::Error)]
#[error("not a readable PDF: {0}")]
pub struct Unreadable(pub String, pub Option<Locked>);

/// An encrypted file that did not open for want of the right password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locked {
    /// It has a user password and none was given.
    PasswordRequired,
    /// The password given is neither its user nor its owner password.
    WrongPassword,
}

impl From<signet_pdf::PdfError> for Unreadable {
    fn from(e: signet_pdf::PdfError) -> Self {
        let locked = match e {
            signet_pdf::PdfError::PasswordRequired => Some(Locked::PasswordRequired),
            signet_pdf::PdfError::WrongPassword => Some(Locked::WrongPassword),
            _ => None,
        };
        Unreadable(e.to_string(), locked)
    }
}

/// Verifies every filled signature field of `bytes`. An encrypted file is opened with
/// [`Options::password`] (or the empty user password): the signatures are checked on the
/// bytes as written (the ByteRange covers ciphertext), the objects compared for the
/// modification analysis are decrypted.
pub fn verify(bytes: &[u8], opts: &Options) -> Result<Outcome, Unreadable> {
    let doc = match &opts.password {
        Some(p) => Document::parse_with_password(bytes, &p.0)?,
        None => Document::parse(bytes)?,
    };
    let fields = doc.acro_form_fields()?;
    let ctx = FileContext::new(&doc, opts);
    let mut needs = Vec::new();
    let mut used = Dss::default();
    let mut signatures = Vec::new();
    let filled = fields
        .iter()
        .filter_map(|f| Some((f, f.sig_dict.as_ref()?)));
    for (field, d) in filled.take(MAX_SIGNATURES) {
        let (report, n) = verify_field(&ctx, field, d, opts, &mut used);
        signatures.push(report);
        needs.extend(n);
    }
    Ok(Outcome {
        report: finish(&doc, signatures),
        needs,
        used,
    })
}

fn finish(doc: &Document, mut signatures: Vec<SignatureReport>) -> Report {
    let recovered = doc.recovered();
    let mut messages = Vec::new();
    let last_end = doc.revisions().last().map_or(0, |r| r.end);
    let tail = doc.bytes().get(last_end..).unwrap_or(&[]);
    if tail.iter().any(|c| !c.is_ascii_whitespace() && *c != 0) {
        messages.push(messages::trailing_bytes(tail.len()));
    }
    if let Some(e) = doc.encryption() {
        messages.push(messages::encrypted(e));
    }
    if recovered {
        messages.push(messages::recovered());
        for s in signatures
            .iter_mut()
            .filter(|s| s.indication == Indication::TotalPassed)
        {
            s.indication = Indication::Indeterminate;
            s.sub_indication = Some(SubIndication::FormatFailure);
        }
    }
    let verdict = if signatures.is_empty() {
        messages.push(messages::no_signature());
        Indication::Indeterminate
    } else {
        signatures
            .iter()
            .map(|s| s.indication)
            .max()
            .unwrap_or(Indication::Indeterminate)
    };
    Report {
        verdict,
        recovered,
        revisions: doc.revisions().len(),
        signatures,
        messages,
    }
}

/// What every signature of one file shares: the document, its DSS, its document timestamps.
struct FileContext<'d> {
    doc: &'d Document,
    dss: Dss,
    dss_revision: Option<usize>,
    /// (revision, genTime) of every intact document timestamp.
    doc_timestamps: Vec<(usize, OffsetDateTime)>,
    /// The genTime of every intact document timestamp whose TSA validates (at the validation
    /// time, or at the time a later such timestamp proves), with the revision it covers: the
    /// proofs of existence of the timestamp chain (ETSI EN 319 102-1 §5.6.2.4).
    proofs: Vec<(usize, OffsetDateTime)>,
}

impl<'d> FileContext<'d> {
    fn new(doc: &'d Document, opts: &Options) -> Self {
        let last = doc.revisions().len().saturating_sub(1);
        let mut ctx = FileContext {
            doc,
            dss: dss::read(doc, last),
            dss_revision: dss::first_revision_with_dss(doc),
            doc_timestamps: Vec::new(),
            proofs: Vec::new(),
        };
        let mut intact = intact_document_timestamps(doc);
        ctx.doc_timestamps = intact.iter().map(|t| (t.revision, t.gen_time)).collect();
        // Newest first: each timestamp's TSA is validated now, or at the time the timestamps
        // after it prove.
        intact.sort_by_key(|t| std::cmp::Reverse(t.revision));
        for t in intact {
            let Some(tsa) = &t.tsa_certificate else {
                continue;
            };
            let poe = ctx.proof_after(t.revision);
            let valid = validate_with_poe(
                opts,
                &ctx.dss,
                &[&t.certificates],
                tsa,
                Purpose::Timestamping,
                poe,
            )
            .is_ok_and(|v| v.path.status == CertStatus::Valid);
            if valid {
                ctx.proofs.push((t.revision, t.gen_time));
            }
        }
        ctx
    }

    /// The earliest time a valid document timestamp covering revision `revision` proves (one
    /// added in a later revision).
    fn proof_after(&self, revision: usize) -> Option<OffsetDateTime> {
        self.proofs
            .iter()
            .filter(|(r, _)| *r > revision)
            .map(|(_, t)| *t)
            .min()
    }
}

/// One document timestamp whose imprint and TSA signature verify.
pub(crate) struct IntactTimestamp {
    pub revision: usize,
    pub gen_time: OffsetDateTime,
    pub tsa_certificate: Option<Vec<u8>>,
    /// The certificates the token carries (the TSA's chain, when it was sent).
    pub certificates: Vec<Vec<u8>>,
}

/// Every intact document timestamp of `doc` (the archive renewal reads the TSA certificate).
pub(crate) fn intact_document_timestamps(doc: &Document) -> Vec<IntactTimestamp> {
    let Ok(fields) = doc.acro_form_fields() else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|f| {
            let d = f.sig_dict.as_ref()?;
            if !is_document_timestamp(d) {
                return None;
            }
            let ranges = byte_range(d, doc.bytes().len())?;
            let revision = coverage::covered_revision(doc, &ranges)?;
            let token = signet_pki::parse_timestamp_token(contents(d)?).ok()?;
            let data: Vec<u8> = ranges.slices(doc.bytes()).concat();
            let check = signet_pki::verify_timestamp_token(&token, &data).ok()?;
            (check.imprint_ok && check.signature_ok).then_some(IntactTimestamp {
                revision,
                gen_time: token.info.gen_time,
                tsa_certificate: token.tsa_certificate,
                certificates: token.cms.certificates,
            })
        })
        .collect()
}

fn is_document_timestamp(d: &Dictionary) -> bool {
    d.name_is(b"Type", b"DocTimeStamp") || d.name_is(b"SubFilter", b"ETSI.RFC3161")
}

fn contents(d: &Dictionary) -> Option<&[u8]> {
    d.get(b"Contents").and_then(Object::as_str_bytes)
}

fn byte_range(d: &Dictionary, file_len: usize) -> Option<Ranges> {
    let raw: Vec<i64> = d
        .get(b"ByteRange")?
        .as_array()?
        .iter()
        .map(Object::as_i64)
        .collect::<Option<_>>()?;
    Ranges::parse(raw, file_len)
}

fn name_of(d: &Dictionary, key: &[u8]) -> String {
    d.get(key)
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default()
}

/// A report being filled in; starts as "intact, entire file, passed" and only gets worse.
struct Draft {
    r: SignatureReport,
}

impl Draft {
    fn new(field: &SignatureField, d: &Dictionary) -> Draft {
        let kind = if is_document_timestamp(d) {
            Kind::DocumentTimestamp
        } else {
            Kind::Signature
        };
        Draft {
            r: SignatureReport {
                field: field.name.clone(),
                kind,
                subfilter: name_of(d, b"SubFilter"),
                integrity: Integrity::Intact,
                coverage: Coverage::EntireFile,
                modifications: Modifications::None,
                indication: Indication::TotalPassed,
                sub_indication: None,
                signer: None,
                signing_time: d
                    .get(b"M")
                    .and_then(Object::as_str_bytes)
                    .map(crate::pdfdate::to_rfc3339),
                timestamp: None,
                level: None,
                byte_range: Vec::new(),
                revision: 0,
                digest_algorithm: None,
                revocation: None,
                trust_list: None,
                trust_anchor: None,
                proof_of_existence: None,
                validated_at: None,
                messages: Vec::new(),
            },
        }
    }

    /// Lowers the indication (never raises it) and keeps the first sub-indication of the worst.
    /// The CMS or the time-stamp token does not parse: a format failure.
    fn unreadable_cms(&mut self, e: &dyn std::fmt::Display) {
        self.r.integrity = Integrity::Broken;
        let m = messages::bad_cms(&e.to_string());
        self.fail(Indication::TotalFailed, SubIndication::FormatFailure, m);
    }

    /// The digest (a hash failure) or the signature over it (a crypto failure) does not verify.
    fn broken(&mut self, digest_ok: bool, problem: Option<&str>) {
        self.r.integrity = Integrity::Broken;
        let sub = if digest_ok {
            SubIndication::SigCryptoFailure
        } else {
            SubIndication::HashFailure
        };
        self.fail(
            Indication::TotalFailed,
            sub,
            messages::integrity(sub, problem),
        );
    }

    fn no_signer_certificate(&mut self) {
        let m = messages::no_signer_certificate();
        self.fail(
            Indication::Indeterminate,
            SubIndication::NoSignerCertificateFound,
            m,
        );
    }

    fn unusable_certificate(&mut self, e: &dyn std::fmt::Display) {
        let m = messages::bad_certificate(&e.to_string());
        self.fail(
            Indication::Indeterminate,
            SubIndication::ChainConstraintsFailure,
            m,
        );
    }

    fn fail(&mut self, indication: Indication, sub: SubIndication, message: Message) {
        if indication > self.r.indication {
            self.r.indication = indication;
            self.r.sub_indication = Some(sub);
        }
        self.r.messages.push(message);
    }

    fn note(&mut self, message: Message) {
        self.r.messages.push(message);
    }
}

fn verify_field(
    ctx: &FileContext,
    field: &SignatureField,
    d: &Dictionary,
    opts: &Options,
    used: &mut Dss,
) -> (SignatureReport, Vec<RevocationNeed>) {
    let mut draft = Draft::new(field, d);
    let file = ctx.doc.bytes();
    let Some(ranges) = byte_range(d, file.len()) else {
        draft.r.integrity = Integrity::Broken;
        draft.r.coverage = Coverage::Partial;
        draft.r.modifications = Modifications::Other;
        draft.fail(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            messages::bad_byte_range(),
        );
        return (draft.r, Vec::new());
    };
    draft.r.byte_range = ranges.raw.clone();
    let revision = coverage::covered_revision(ctx.doc, &ranges);
    draft.r.revision = revision.unwrap_or(0);
    draft.r.coverage = coverage::coverage(ctx.doc, &ranges, revision);
    // The signature dictionary must have been written in the revision the range covers: one
    // rewritten later (a replaced /Reason, /M...) is not what was signed.
    let written = field
        .value_ref()
        .and_then(|r| coverage::defining_revision(ctx.doc, r.num));
    if written.is_some() && written != revision {
        draft.r.coverage = Coverage::Partial;
    }
    let Some(cms_bytes) = contents(d) else {
        draft.r.integrity = Integrity::Broken;
        draft.fail(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            messages::no_contents(),
        );
        return (draft.r, Vec::new());
    };
    check_contents_in_gap(ctx.doc, &ranges, cms_bytes, &mut draft);
    check_modifications(ctx, d, revision, &mut draft);
    let slices = ranges.slices(file);
    let needs = match draft.r.kind {
        Kind::DocumentTimestamp => {
            verify_document_timestamp(ctx, cms_bytes, &slices, opts, &mut draft, used)
        }
        Kind::Signature => verify_signature(ctx, cms_bytes, &slices, opts, &mut draft, used),
    };
    (draft.r, needs)
}

/// The bytes between the two ranges must be exactly this signature's /Contents: otherwise the
/// CMS checked is not the one the ranges leave out (a wrapping attack).
fn check_contents_in_gap(doc: &Document, ranges: &Ranges, cms: &[u8], draft: &mut Draft) {
    if ranges.pieces.len() != 2 {
        return;
    }
    let (a, b) = (ranges.pieces[0].1, ranges.pieces[1].0);
    let gap = &doc.bytes()[a..b];
    let hex: Vec<u8> = gap
        .iter()
        .copied()
        .filter(|c| c.is_ascii_hexdigit())
        .collect();
    let decoded = hex::decode(if hex.len().is_multiple_of(2) {
        &hex[..]
    } else {
        &hex[..hex.len() - 1]
    });
    let same = decoded.is_ok_and(|g| g.starts_with(cms) || cms.starts_with(&g));
    if !same {
        draft.r.coverage = Coverage::Partial;
    }
}

fn check_modifications(
    ctx: &FileContext,
    d: &Dictionary,
    revision: Option<usize>,
    draft: &mut Draft,
) {
    let level = match (draft.r.coverage, revision) {
        (Coverage::Partial, _) | (_, None) => Modifications::Other,
        (_, Some(rev)) => {
            // A linearized file's first-page section ends where the main section does: the
            // signature covers both, so compare with the later one (a complete document).
            let end = ctx.doc.revisions().get(rev).map(|r| r.end);
            let rev = ctx
                .doc
                .revisions()
                .iter()
                .rposition(|r| Some(r.end) == end)
                .unwrap_or(rev);
            let analysis = diff::analyse_with(ctx.doc, rev, &diff::Locks::of(ctx.doc, d));
            if let Some(worst) = analysis.worst() {
                if analysis.level > Modifications::Ltv {
                    draft.note(messages::modification(worst));
                }
            }
            analysis.level
        }
    };
    draft.r.modifications = level;
    let permitted = permitted_level(ctx.doc, d);
    if level > permitted {
        draft.fail(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            messages::modifications_not_allowed(level),
        );
    }
    if draft.r.coverage == Coverage::Partial {
        draft.fail(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            messages::partial_coverage(),
        );
    }
}

/// What a signature allows after it: its DocMDP permission (P=1 only validation data, 2 form
/// filling, 3 annotations), else annotations and form filling (approval signatures).
fn permitted_level(doc: &Document, d: &Dictionary) -> Modifications {
    match docmdp_permission(doc, d) {
        Some(1) => Modifications::Ltv,
        Some(2) => Modifications::FormFilling,
        _ => Modifications::Annotations,
    }
}

fn docmdp_permission(doc: &Document, d: &Dictionary) -> Option<i64> {
    let Ok(Object::Array(refs)) = doc.dict_get_at(doc.last_revision(), d, b"Reference") else {
        return None;
    };
    refs.iter().find_map(|r| {
        let Ok(Object::Dictionary(sr)) = doc.resolve(r) else {
            return None;
        };
        if !sr.name_is(b"TransformMethod", b"DocMDP") {
            return None;
        }
        match doc.dict_get_at(doc.last_revision(), &sr, b"TransformParams") {
            Ok(Object::Dictionary(tp)) => Some(tp.get(b"P").and_then(Object::as_i64).unwrap_or(2)),
            _ => Some(2),
        }
    })
}

fn verify_document_timestamp(
    ctx: &FileContext,
    token_der: &[u8],
    slices: &[&[u8]],
    opts: &Options,
    draft: &mut Draft,
    used: &mut Dss,
) -> Vec<RevocationNeed> {
    let token = match signet_pki::parse_timestamp_token(token_der) {
        Ok(t) => t,
        Err(e) => {
            draft.unreadable_cms(&e);
            return Vec::new();
        }
    };
    draft.r.timestamp = Some(crate::pdfdate::rfc3339(token.info.gen_time));
    draft.r.digest_algorithm = token
        .info
        .digest_algorithm
        .map(|d| format!("{d:?}").to_lowercase());
    let data = slices.concat();
    match signet_pki::verify_timestamp_token(&token, &data) {
        Ok(c) if c.imprint_ok && c.signature_ok => {}
        Ok(c) => {
            draft.broken(c.imprint_ok, c.problem.as_deref());
            return Vec::new();
        }
        Err(e) => {
            draft.unreadable_cms(&e);
            return Vec::new();
        }
    }
    let Some(cert) = &token.tsa_certificate else {
        draft.no_signer_certificate();
        return Vec::new();
    };
    draft.r.signer = signer_of(cert);
    let poe = ctx.proof_after(draft.r.revision);
    draft.r.proof_of_existence = poe.map(utc);
    match validate_with_poe(
        opts,
        &ctx.dss,
        &[&token.cms.certificates],
        cert,
        Purpose::Timestamping,
        poe,
    ) {
        Ok(v) => {
            v.report(opts, draft, true);
            apply_path(&v.path, false, draft);
            record_used(&v.path, &v.vctx, used);
            validation::revocation_needs(&v.path)
        }
        Err(e) => {
            draft.unusable_certificate(&e);
            Vec::new()
        }
    }
}

/// RFC 3339 in UTC, as genTime is.
fn utc(t: OffsetDateTime) -> String {
    crate::pdfdate::rfc3339(t.to_offset(time::UtcOffset::UTC))
}

/// A path validated at the validation time, or at a proven earlier time.
struct Validated {
    path: PathReport,
    vctx: ValidationContext,
    /// The path's verdict at the validation time, when the proven time was used instead.
    past: Option<PathReport>,
}

impl Validated {
    /// Fills in `validated_at` and, when the proven time was used, says why.
    fn report(&self, opts: &Options, draft: &mut Draft, tsa: bool) {
        draft.r.validated_at = Some(utc(self.vctx.time));
        if let Some(now) = &self.past {
            if self.path.status == CertStatus::Valid {
                draft.note(messages::validated_in_the_past(
                    now,
                    opts.at,
                    self.vctx.time,
                    tsa,
                ));
            }
        }
    }
}

/// Validates `cert` for `purpose` at the validation time; when it is not valid then and `poe`
/// proves the signature (or timestamp) existed earlier, at `poe` instead — past signature
/// validation (ETSI EN 319 102-1 §5.6.2.4): a certificate expired or revoked since that time
/// still validates, one revoked before it does not. A proven time before the certificate's
/// notBefore is validated at that time too (the certificate did not exist yet).
fn validate_with_poe(
    opts: &Options,
    embedded: &Dss,
    certs: &[&[Vec<u8>]],
    cert: &[u8],
    purpose: Purpose,
    poe: Option<OffsetDateTime>,
) -> signet_pki::Result<Validated> {
    let vctx = context(opts, embedded, certs, opts.at);
    let path = validation::validate(&vctx, cert, purpose)?;
    let Some(poe) = poe.filter(|p| *p < opts.at) else {
        return Ok(Validated {
            path,
            vctx,
            past: None,
        });
    };
    let before_issuance = path.chain.first().is_some_and(|c| poe < c.not_before);
    if path.status == CertStatus::Valid && !before_issuance {
        return Ok(Validated {
            path,
            vctx,
            past: None,
        });
    }
    let then = context(opts, embedded, certs, poe);
    let at_poe = validation::validate(&then, cert, purpose)?;
    Ok(Validated {
        path: at_poe,
        vctx: then,
        past: Some(path),
    })
}

/// Adds a path's certificates and the revocation answers it used to `used` (no duplicates).
pub(crate) fn record_used(path: &PathReport, vctx: &ValidationContext, used: &mut Dss) {
    fn push(list: &mut Vec<Vec<u8>>, item: &[u8]) {
        if !list.iter().any(|x| x == item) {
            list.push(item.to_vec());
        }
    }
    for c in &path.chain {
        push(&mut used.certs, &c.der);
    }
    for (_, _, src) in &path.per_cert {
        match src {
            RevocationSource::Crl(i) => {
                if let Some(c) = vctx.crls.get(*i) {
                    push(&mut used.crls, c);
                }
            }
            RevocationSource::Ocsp(i) => {
                if let Some(o) = vctx.ocsp_responses.get(*i) {
                    push(&mut used.ocsps, o);
                }
            }
            RevocationSource::None | RevocationSource::NoCheck => {}
        }
    }
}

fn verify_signature(
    ctx: &FileContext,
    cms_bytes: &[u8],
    slices: &[&[u8]],
    opts: &Options,
    draft: &mut Draft,
    used: &mut Dss,
) -> Vec<RevocationNeed> {
    let cms = match signet_pki::parse_signature(cms_bytes) {
        Ok(c) => c,
        Err(e) => {
            draft.unreadable_cms(&e);
            return Vec::new();
        }
    };
    draft.r.digest_algorithm = cms
        .digest_algorithm
        .map(|d| format!("{d:?}").to_lowercase());
    if let Some(t) = cms.signed_attributes.as_ref().and_then(|a| a.signing_time) {
        draft
            .r
            .signing_time
            .get_or_insert_with(|| crate::pdfdate::rfc3339(t));
    }
    let integrity = signet_pki::verify_integrity(&cms, slices);
    // Strict, as RFC 5652 and the reference validators: signed attributes must be in DER order.
    if !integrity.strict_ok() {
        draft.broken(integrity.digest_ok, integrity.problem.as_deref());
    } else if integrity.digest_info_without_null {
        draft.note(crate::messages::digest_info_without_null());
    }
    let Some(cert) = cms.signer_certificate.clone() else {
        draft.no_signer_certificate();
        return Vec::new();
    };
    draft.r.signer = signer_of(&cert);
    let covered_by_doc_ts = ctx.proof_after(draft.r.revision);
    let (sig_ts, mut needs) = signature_timestamp(ctx, &cms, opts, draft, used, covered_by_doc_ts);
    let poe = match (sig_ts, covered_by_doc_ts) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    draft.r.proof_of_existence = poe.map(utc);
    let embedded = embedded_data(ctx, &cms);
    needs.extend(
        match validate_with_poe(
            opts,
            &embedded,
            &[&cms.certificates],
            &cert,
            Purpose::DocumentSigning,
            poe,
        ) {
            Ok(v) => {
                v.report(opts, draft, false);
                let (path, vctx) = (&v.path, &v.vctx);
                record_used(path, vctx, used);
                let from_dss = revocation_embedded(path, &ctx.dss);
                apply_path(path, poe.is_some(), draft);
                draft.r.revocation = Some(revocation_report(path, vctx));
                if let Some(a) = &path.anchor {
                    draft.r.trust_list = opts.anchors.list_of(&a.sha256).cloned();
                    draft.r.trust_anchor = Some(a.subject_cn.clone());
                }
                draft.r.level = level(ctx, &cms, draft, sig_ts.is_some(), from_dss);
                validation::revocation_needs(path)
            }
            Err(e) => {
                draft.unusable_certificate(&e);
                Vec::new()
            }
        },
    );
    if draft.r.level.is_none() {
        draft.r.level = level(ctx, &cms, draft, sig_ts.is_some(), false);
    }
    needs
}

/// The signature timestamp's time, when its token is intact and its TSA trusted enough to be
/// a proof of existence — at the validation time, or at `later_proof`, the time a document
/// timestamp covering the signature proves; and what could be fetched to validate the TSA.
fn signature_timestamp(
    ctx: &FileContext,
    cms: &CmsSignature,
    opts: &Options,
    draft: &mut Draft,
    used: &mut Dss,
    later_proof: Option<OffsetDateTime>,
) -> (Option<OffsetDateTime>, Vec<RevocationNeed>) {
    let Some(der) = cms.signature_timestamps.first() else {
        return (None, Vec::new());
    };
    let token: TimestampToken = match signet_pki::parse_timestamp_token(der) {
        Ok(t) => t,
        Err(e) => {
            draft.note(messages::bad_timestamp(&e.to_string()));
            return (None, Vec::new());
        }
    };
    let Ok(check) = signet_pki::verify_timestamp_token(&token, &cms.signature) else {
        return (None, Vec::new());
    };
    draft.r.timestamp = Some(crate::pdfdate::rfc3339(token.info.gen_time));
    if !(check.imprint_ok && check.signature_ok) {
        let why = check.problem.as_deref().unwrap_or("");
        draft.fail(
            Indication::TotalFailed,
            SubIndication::HashFailure,
            messages::bad_timestamp(why),
        );
        return (None, Vec::new());
    }
    let Some(tsa) = token.tsa_certificate.as_ref() else {
        return (None, Vec::new());
    };
    match validate_with_poe(
        opts,
        &ctx.dss,
        &[&token.cms.certificates, &cms.certificates],
        tsa,
        Purpose::Timestamping,
        later_proof,
    ) {
        Ok(v) => {
            let p = v.path;
            record_used(&p, &v.vctx, used);
            let needs = validation::revocation_needs(&p);
            if p.status == CertStatus::Valid {
                (Some(token.info.gen_time), needs)
            } else {
                draft.note(messages::timestamp_untrusted(&p.status));
                (None, needs)
            }
        }
        Err(e) => {
            draft.note(messages::bad_timestamp(&e.to_string()));
            (None, Vec::new())
        }
    }
}

/// The DSS as of the newest revision plus what the CMS carries.
fn embedded_data(ctx: &FileContext, _cms: &CmsSignature) -> Dss {
    ctx.dss.clone()
}

/// A validation context: `certs` (the CMS's own certificates, then any other the file carries)
/// may complete paths; the DSS comes before fetched data in every list (see
/// [`revocation_embedded`]).
fn context(
    opts: &Options,
    embedded: &Dss,
    certs: &[&[Vec<u8>]],
    at: OffsetDateTime,
) -> ValidationContext {
    let mut c = ValidationContext::new(opts.anchors.clone(), at);
    c.revocation = opts.revocation;
    for pool in certs {
        c.intermediates.extend(pool.iter().cloned());
    }
    c.intermediates.extend(embedded.certs.iter().cloned());
    c.intermediates.extend(opts.fetched.certs.iter().cloned());
    c.crls = embedded.crls.clone();
    c.crls.extend(opts.fetched.crls.iter().cloned());
    c.ocsp_responses = embedded.ocsps.clone();
    c.ocsp_responses.extend(opts.fetched.ocsps.iter().cloned());
    c
}

/// True when every revocation answer the path used came from the document: the DSS comes first
/// in the context's lists, so an index below the DSS count is embedded data.
fn revocation_embedded(path: &PathReport, dss: &Dss) -> bool {
    let anchor = path.anchor.as_ref().map(|a| a.sha256.as_str());
    !path.per_cert.is_empty()
        && path.per_cert.iter().all(|(c, _, src)| match src {
            RevocationSource::Crl(i) => *i < dss.crls.len(),
            RevocationSource::Ocsp(i) => *i < dss.ocsps.len(),
            RevocationSource::NoCheck => true,
            RevocationSource::None => Some(c.sha256.as_str()) == anchor,
        })
}

fn revocation_report(path: &PathReport, vctx: &ValidationContext) -> RevocationReport {
    let mut report = revocation_status(path);
    report.produced_at = path
        .per_cert
        .first()
        .and_then(|(_, _, src)| validation::revocation_produced_at(vctx, src))
        .map(crate::pdfdate::rfc3339);
    report
}

fn revocation_status(path: &PathReport) -> RevocationReport {
    let Some((_, status, src)) = path.per_cert.first() else {
        return RevocationReport {
            status: "unknown".into(),
            source: "none".into(),
            revoked_at: None,
            reason: None,
            produced_at: None,
        };
    };
    let source = match src {
        RevocationSource::None => "none",
        RevocationSource::Crl(_) => "crl",
        RevocationSource::Ocsp(_) => "ocsp",
        RevocationSource::NoCheck => "no-check",
    };
    match status {
        CertStatus::Revoked { at, reason } => RevocationReport {
            status: "revoked".into(),
            source: source.into(),
            revoked_at: Some(crate::pdfdate::rfc3339(*at)),
            reason: Some(reason.name().into()),
            produced_at: None,
        },
        CertStatus::RevocationUnknown => RevocationReport {
            status: "unknown".into(),
            source: source.into(),
            revoked_at: None,
            reason: None,
            produced_at: None,
        },
        _ if matches!(src, RevocationSource::None) => RevocationReport {
            status: "not-checked".into(),
            source: "none".into(),
            revoked_at: None,
            reason: None,
            produced_at: None,
        },
        _ => RevocationReport {
            status: "good".into(),
            source: source.into(),
            revoked_at: None,
            reason: None,
            produced_at: None,
        },
    }
}

/// Maps the path verdict to the indication (ETSI EN 319 102-1 §5.2.6 X.509 validation).
fn apply_path(path: &PathReport, has_poe: bool, draft: &mut Draft) {
    use Indication::{Indeterminate as I, TotalFailed as F};
    let (ind, sub) = match &path.status {
        CertStatus::Valid => return,
        CertStatus::UnknownIssuer => (I, SubIndication::NoCertificateChainFound),
        CertStatus::Expired => (I, SubIndication::OutOfBoundsNoPoe),
        CertStatus::NotYetValid => (I, SubIndication::NotYetValid),
        CertStatus::Revoked { .. } if has_poe => (F, SubIndication::Revoked),
        CertStatus::Revoked { .. } => (I, SubIndication::RevokedNoPoe),
        CertStatus::RevocationUnknown => (I, SubIndication::TryLater),
        CertStatus::Invalid(why) if why.contains("SHA-1") => {
            (I, SubIndication::CryptoConstraintsFailureNoPoe)
        }
        CertStatus::Invalid(_) => (I, SubIndication::ChainConstraintsFailure),
    };
    draft.fail(ind, sub, messages::certificate(&path.status));
}

/// The PAdES baseline level reached (null for non-PAdES subfilters).
fn level(
    ctx: &FileContext,
    cms: &CmsSignature,
    draft: &Draft,
    has_sig_ts: bool,
    ltv: bool,
) -> Option<String> {
    if draft.r.subfilter != "ETSI.CAdES.detached" {
        return None;
    }
    let attrs = cms.signed_attributes.as_ref()?;
    attrs
        .signing_certificate_v2
        .as_ref()
        .or(attrs.signing_certificate.as_ref())?;
    let later_doc_ts: Vec<usize> = ctx
        .doc_timestamps
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| *r > draft.r.revision)
        .collect();
    if !has_sig_ts && later_doc_ts.is_empty() {
        return Some("B-B".into());
    }
    let dss_after = ctx.dss_revision.filter(|r| *r >= draft.r.revision);
    let lt = ltv && ctx.dss_revision.is_some();
    if !lt {
        return Some("B-T".into());
    }
    let lta = dss_after.is_some_and(|d| later_doc_ts.iter().any(|t| *t > d))
        || ctx
            .dss_revision
            .is_some_and(|d| later_doc_ts.iter().any(|t| *t > d));
    Some(if lta { "B-LTA" } else { "B-LT" }.into())
}

fn signer_of(cert: &[u8]) -> Option<Signer> {
    let s = validation::summarize(cert).ok()?;
    Some(Signer {
        common_name: Some(s.subject_cn.clone()),
        subject: s.subject,
        serial: s.serial,
        issuer: s.issuer,
        certificate_sha256: s.sha256,
        details: signet_pki::subject::subject_details(cert),
    })
}
