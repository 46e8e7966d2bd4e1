//! `/verify`: anyone uploads a signed PDF and reads, per signature, a green / red / amber
//! verdict with who signed, when, and what changed after; `POST /api/v1/verify` gives the same
//! report as JSON. No sign-in; size- and rate-limited; the file is not kept.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use signet_app::verification::{ReportDocument, MAX_BYTES};
use signet_app::AppError;
use signet_pades::{Indication, Report, SignatureReport, SubIndication};

use super::certificates::reason_label;
use super::{render, Layout};
use crate::client::{client_key, ClientAddr};
use crate::format;
use crate::i18n::{Lang, Tr};
use crate::session::PageLang;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    l: Layout,
    file_name: String,
    report: Option<ReportView>,
    max_mb: usize,
}

pub struct ReportView {
    class: &'static str,
    verdict: String,
    messages: Vec<MessageView>,
    signatures: Vec<SignatureView>,
}

pub struct SignatureView {
    class: &'static str,
    verdict: String,
    title: String,
    rows: Vec<(&'static str, String)>,
    messages: Vec<MessageView>,
}

/// A sentence of the report in the page's language, and the library's own technical words
/// (English) shown apart after it, labelled, when there are any.
pub struct MessageView {
    text: String,
    detail: Option<String>,
}

fn class(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "ok",
        Indication::TotalFailed => "bad",
        Indication::Indeterminate => "warn",
    }
}

/// The verdict in words a clerk reads ("Hợp lệ", "Không hợp lệ", "Chưa đủ cơ sở kết luận");
/// the English page adds the ETSI indication.
pub(crate) fn verdict_text(t: Tr, i: Indication) -> String {
    let key = match i {
        Indication::TotalPassed => "verify_passed",
        Indication::TotalFailed => "verify_failed",
        Indication::Indeterminate => "verify_indeterminate",
    };
    match t.0 {
        Lang::Vi => t.s(key).to_owned(),
        Lang::En => format!("{} ({})", t.s(key), i.as_str()),
    }
}

/// The ETSI sub-indication in words.
fn sub_indication_key(s: SubIndication) -> &'static str {
    match s {
        SubIndication::FormatFailure => "sub_format_failure",
        SubIndication::HashFailure => "sub_hash_failure",
        SubIndication::SigCryptoFailure => "sub_sig_crypto_failure",
        SubIndication::Revoked => "sub_revoked",
        SubIndication::NoCertificateChainFound => "sub_no_certificate_chain_found",
        SubIndication::RevokedNoPoe => "sub_revoked_no_poe",
        SubIndication::OutOfBoundsNoPoe => "sub_out_of_bounds_no_poe",
        SubIndication::NotYetValid => "sub_not_yet_valid",
        SubIndication::TryLater => "sub_try_later",
        SubIndication::ChainConstraintsFailure => "sub_chain_constraints_failure",
        SubIndication::CryptoConstraintsFailureNoPoe => "sub_crypto_constraints_failure_no_poe",
        SubIndication::SigConstraintsFailure => "sub_sig_constraints_failure",
        SubIndication::NoSignerCertificateFound => "sub_no_signer_certificate_found",
    }
}

/// RFC 5280 revocation reasons as the report names them (`keyCompromise`).
const REASONS: [&str; 9] = [
    "unspecified",
    "keyCompromise",
    "cACompromise",
    "affiliationChanged",
    "superseded",
    "cessationOfOperation",
    "certificateHold",
    "privilegeWithdrawn",
    "aACompromise",
];

/// A message of the report in the page's language: times in Vietnam time, revocation reasons
/// in words, and the library's English detail taken out of the Vietnamese sentence.
pub(crate) fn message(t: Tr, m: &signet_pades::report::Message) -> MessageView {
    if t.0 == Lang::En {
        return MessageView {
            text: format::times_in(t.0, &m.en),
            detail: None,
        };
    }
    let mut text = m.vi.clone();
    let detail = m.detail.clone().filter(|d| text.contains(d.as_str()));
    if let Some(d) = &detail {
        text = text.replacen(d.as_str(), "", 1);
        let kept = text.trim_end_matches([' ', ':', '.']).len();
        text.truncate(kept);
        text.push('.');
    }
    for name in REASONS {
        let words = reason_label(name, t).to_lowercase();
        text = text.replace(&format!("lý do: {name})"), &format!("lý do: {words})"));
    }
    MessageView {
        text: format::times_in(t.0, &text),
        detail,
    }
}

/// What changed after signing, said truthfully: a signature whose digest no longer matches
/// was changed, whatever the later revisions look like; a signature that does not verify for
/// another reason says nothing about changes (the line is left out).
fn modifications_text(t: Tr, s: &SignatureReport) -> Option<&'static str> {
    match (s.integrity, s.sub_indication) {
        (signet_pades::Integrity::Intact, _) => Some(t.s(modifications_key(s.modifications))),
        (signet_pades::Integrity::Broken, Some(SubIndication::HashFailure)) => {
            Some(t.s("mod_content_changed"))
        }
        (signet_pades::Integrity::Broken, _) => None,
    }
}

/// The revocation line: status, where the answer came from, and when and why if revoked.
fn revocation_text(t: Tr, r: &signet_pades::report::RevocationReport) -> String {
    let status = match r.status.as_str() {
        "good" => t.s("rev_good"),
        "revoked" => t.s("rev_revoked"),
        "not-checked" => t.s("rev_not_checked"),
        _ => t.s("rev_unknown"),
    };
    let source = match r.source.as_str() {
        "crl" => t.s("rev_source_crl"),
        "ocsp" => t.s("rev_source_ocsp"),
        "no-check" => t.s("rev_source_no_check"),
        _ => t.s("rev_source_none"),
    };
    let mut text = format!("{status} ({source})");
    if let Some(at) = &r.revoked_at {
        text.push_str(&format!(" — {}", format::rfc3339_zoned(t.0, at)));
    }
    if let Some(reason) = &r.reason {
        let words = reason_label(reason, t).to_lowercase();
        text.push_str(&format!(
            ", {}: {words}",
            t.s("verify_reason").to_lowercase()
        ));
    }
    text
}

fn signature_view(t: Tr, s: &SignatureReport) -> SignatureView {
    let dash = || "—".to_owned();
    let signer = s.signer.as_ref();
    let mut rows = vec![
        (
            t.s("verify_signer"),
            signer
                .and_then(|x| x.common_name.clone())
                .unwrap_or_else(dash),
        ),
        (
            t.s("verify_subject"),
            signer.map(|x| x.subject.clone()).unwrap_or_else(dash),
        ),
        (
            t.s("verify_issuer"),
            signer.map(|x| x.issuer.clone()).unwrap_or_else(dash),
        ),
        (
            t.s("verify_time"),
            s.signing_time
                .as_deref()
                .map_or_else(dash, |x| format::rfc3339_zoned(t.0, x)),
        ),
        (
            t.s("verify_timestamp"),
            s.timestamp
                .as_deref()
                .map_or_else(dash, |x| format::rfc3339_zoned(t.0, x)),
        ),
        (
            t.s("verify_integrity"),
            t.s(integrity_key(s.integrity)).to_owned(),
        ),
        (
            t.s("verify_coverage"),
            t.s(coverage_key(s.coverage)).to_owned(),
        ),
    ];
    if let Some(poe) = &s.proof_of_existence {
        rows.push((
            t.s("verify_proof_of_existence"),
            format::rfc3339_zoned(t.0, poe),
        ));
    }
    // Said only when the path was checked in the past (past signature validation): checked
    // at the validation time is what every report means.
    if let Some(at) = s
        .validated_at
        .as_ref()
        .filter(|&at| s.proof_of_existence.as_ref() == Some(at))
    {
        rows.push((t.s("verify_validated_at"), format::rfc3339_zoned(t.0, at)));
    }
    if let Some(m) = modifications_text(t, s) {
        rows.push((t.s("verify_modifications"), m.to_owned()));
    }
    rows.push((t.s("verify_level"), s.level.clone().unwrap_or_else(dash)));
    detail_rows(t, s, &mut rows);
    if let Some(r) = &s.revocation {
        rows.push((t.s("verify_revocation"), revocation_text(t, r)));
    }
    let kind = match s.kind {
        signet_pades::Kind::Signature => t.s("verify_kind_signature"),
        signet_pades::Kind::DocumentTimestamp => t.s("verify_kind_timestamp"),
    };
    let mut verdict = verdict_text(t, s.indication);
    if let Some(sub) = s.sub_indication {
        verdict.push_str(&format!(" · {}", t.s(sub_indication_key(sub))));
    }
    SignatureView {
        class: class(s.indication),
        verdict,
        title: format!("{kind} “{}”", s.field),
        rows,
        messages: s.messages.iter().map(|m| message(t, m)).collect(),
    }
}

/// The Vietnamese profile's subject details and the trust list the chain ended in.
fn detail_rows(t: Tr, s: &SignatureReport, rows: &mut Vec<(&'static str, String)>) {
    let at = 1; // after the signer's name
    let mut extra = Vec::new();
    if let Some(d) = s.signer.as_ref().map(|x| &x.details) {
        if let Some(title) = &d.title {
            extra.push((t.s("verify_signer_title"), title.clone()));
        }
        for id in &d.identifiers {
            let label = match (t.0, id.label_vi.is_empty()) {
                (_, true) => id.kind.clone(),
                (Lang::En, false) => id.label_en.clone(),
                (_, false) => id.label_vi.clone(),
            };
            extra.push((t.s("verify_signer_id"), format!("{label}: {}", id.value)));
        }
    }
    for (i, r) in extra.into_iter().enumerate() {
        rows.insert(at + i, r);
    }
    let trust = match (&s.trust_list, &s.trust_anchor) {
        (Some(l), Some(a)) => format!("{} — {a}", l.name),
        (None, Some(a)) => a.clone(),
        _ => "—".to_owned(),
    };
    rows.push((t.s("verify_trust_list"), trust));
}

fn integrity_key(i: signet_pades::Integrity) -> &'static str {
    match i {
        signet_pades::Integrity::Intact => "integrity_intact",
        signet_pades::Integrity::Broken => "integrity_broken",
    }
}

fn coverage_key(c: signet_pades::Coverage) -> &'static str {
    match c {
        signet_pades::Coverage::EntireFile => "coverage_file",
        signet_pades::Coverage::EntireRevision => "coverage_revision",
        signet_pades::Coverage::Partial => "coverage_partial",
    }
}

fn modifications_key(m: signet_pades::Modifications) -> &'static str {
    match m {
        signet_pades::Modifications::None => "mod_none",
        signet_pades::Modifications::Ltv => "mod_ltv",
        signet_pades::Modifications::FormFilling => "mod_form",
        signet_pades::Modifications::Annotations => "mod_annotations",
        signet_pades::Modifications::Other => "mod_other",
    }
}

fn report_view(t: Tr, r: &Report) -> ReportView {
    ReportView {
        class: class(r.verdict),
        verdict: verdict_text(t, r.verdict),
        messages: r.messages.iter().map(|m| message(t, m)).collect(),
        signatures: r.signatures.iter().map(|s| signature_view(t, s)).collect(),
    }
}

pub async fn form(PageLang(lang): PageLang) -> Response {
    render(&VerifyPage {
        l: Layout::anonymous(lang),
        file_name: String::new(),
        report: None,
        max_mb: MAX_BYTES >> 20,
    })
}

/// The uploaded file and what the person asked for (the `output` button pressed).
struct Upload {
    name: String,
    bytes: Vec<u8>,
    output: Option<ReportDocument>,
    /// The password of an encrypted PDF, when one was typed.
    password: Option<String>,
}

/// Longest password accepted for an encrypted PDF (revision 6 uses 127 bytes at most).
const MAX_PASSWORD: usize = 1024;

/// Reads every part: `file`, and `output` (`etsi` or `slip` for a download of the report
/// instead of the page — the file is verified again, nothing is kept between requests).
async fn read_upload(mut form: Multipart) -> Result<Upload, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::Invalid(signet_app::Invalid::Body {
            detail: e.body_text(),
        })
    };
    let mut file = None;
    let mut output = None;
    let mut password = None;
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        if field.name() == Some("password") {
            let v = field.text().await.map_err(bad)?;
            if v.len() > MAX_PASSWORD {
                return Err(AppError::Invalid(signet_app::Invalid::FieldTooLong));
            }
            password = Some(v).filter(|p| !p.is_empty());
            continue;
        }
        if field.name() == Some("output") {
            let v = field.text().await.map_err(bad)?;
            output = match v.as_str() {
                "etsi" => Some(ReportDocument::EtsiXml),
                "slip" => Some(ReportDocument::Slip),
                _ => None,
            };
            continue;
        }
        if field.name() != Some("file") || file.is_some() {
            continue;
        }
        let name = field.file_name().unwrap_or("").chars().take(200).collect();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > MAX_BYTES {
                return Err(AppError::TooLarge {
                    limit: MAX_BYTES as u64,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((name, bytes));
    }
    let (name, bytes) = file.ok_or(AppError::Invalid(signet_app::Invalid::FileRequired))?;
    Ok(Upload {
        name,
        bytes,
        output,
        password,
    })
}

pub async fn submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    ClientAddr(addr): ClientAddr,
    form: Multipart,
) -> Result<Response, WebError> {
    let page = |e| WebError::page(e, lang);
    let admitted = state
        .app
        .admit_verification(&client_key(addr))
        .await
        .map_err(page)?;
    let Upload {
        name: file_name,
        bytes,
        output,
        password,
    } = read_upload(form).await.map_err(page)?;
    let digest = signet_app::verification::document_sha256(&bytes);
    let report = state
        .app
        .verify_pdf_with_password(admitted, bytes, password)
        .await
        .map_err(page)?;
    if let Some(kind) = output {
        let body = state
            .app
            .report_document(kind, &report, &digest, &file_name)
            .map_err(page)?;
        return Ok(download(kind, &digest, body));
    }
    Ok(render(&VerifyPage {
        l: Layout::anonymous(lang),
        file_name,
        report: Some(report_view(Tr(lang), &report)),
        max_mb: MAX_BYTES >> 20,
    }))
}

/// The report as a file to save (attachment), named after the checked file's SHA-256.
fn download(kind: ReportDocument, digest: &[u8; 32], body: Vec<u8>) -> Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    let disposition = format!("attachment; filename=\"{}\"", kind.file_name(digest));
    (
        [
            (CONTENT_TYPE, kind.content_type().to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// `GET /documents/{id}/files/{file_id}/verify`: the same report for a file attached to a
/// document the person may read (the clerk's check of an incoming document's signatures).
pub async fn document_file(
    State(state): State<AppState>,
    u: crate::session::PageUser,
    axum::extract::Path((id, file_id)): axum::extract::Path<(
        signet_core::DocumentId,
        signet_core::FileId,
    )>,
) -> Result<Response, WebError> {
    let (file, report) = state
        .app
        .verify_document_file(&u.user.viewer, &id, &file_id)
        .await
        .map_err(|e| u.fail(e))?;
    let lang = u.lang;
    Ok(render(&VerifyPage {
        l: Layout::of(&state, &u, "").await,
        file_name: file.file_name.clone(),
        report: Some(report_view(Tr(lang), &report)),
        max_mb: MAX_BYTES >> 20,
    }))
}

/// `POST /api/v1/verify`: the PDF as the body (`application/pdf`), or a form with a `file` part.
#[utoipa::path(post, path = "/api/v1/verify", tag = "verification",
    summary = "Verify every signature of a signed PDF (anyone, no sign-in; at most 50 MB; 30 requests per 10 minutes per address; the file is not kept). The report is described in docs/VERIFY-REPORT.md",
    security(()),
    request_body(content(("application/pdf"), (crate::api::types::VerifyUpload = "multipart/form-data"))),
    responses(
        (status = OK, description = "The report", body = crate::openapi::VerificationReport),
        (status = PAYLOAD_TOO_LARGE, description = "Over 50 MB", body = crate::api::types::ErrorBody),
        (status = TOO_MANY_REQUESTS, description = "Too many requests from this address", body = crate::api::types::ErrorBody),
    ))]
pub async fn api(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    // Admitted (allowance, capacity) before a byte of the body is read.
    let admitted = state
        .app
        .admit_verification(&client_key(addr))
        .await
        .map_err(WebError::api)?;
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (bytes, password) = if ct.starts_with("multipart/form-data") {
        let form = <Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
            .await
            .map_err(|e| {
                WebError::api(AppError::Invalid(signet_app::Invalid::Body {
                    detail: e.body_text(),
                }))
            })?;
        let u = read_upload(form).await.map_err(WebError::api)?;
        (u.bytes, u.password)
    } else {
        let body = Bytes::from_request_limited(request)
            .await
            .map_err(WebError::api)?;
        (body.to_vec(), None)
    };
    let report = state
        .app
        .verify_pdf_with_password(admitted, bytes, password)
        .await
        .map_err(WebError::api)?;
    Ok(Json(report).into_response())
}

trait FromRequestLimited: Sized {
    async fn from_request_limited(r: axum::extract::Request) -> Result<Self, AppError>;
}

impl FromRequestLimited for Bytes {
    async fn from_request_limited(r: axum::extract::Request) -> Result<Bytes, AppError> {
        axum::body::to_bytes(r.into_body(), MAX_BYTES)
            .await
            .map_err(|_| AppError::TooLarge {
                limit: MAX_BYTES as u64,
            })
    }
}
