//! Signing from the document page (issue 9), for the page's script and other systems: the
//! officer's mark of the leader's box, the leader's signature in two steps (prepare → the
//! device signs the digest → complete), batches, and the signature panel of the current file.
//!
//! Binary values (certificates, digests, signatures) are standard base64.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use signet_app::web_signing::PreparedSignature;
use signet_app::Invalid;
use signet_core::DocumentId;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{DocumentBody, ErrorBody};
use super::{api, body, document_body};
use crate::session::ApiUser;
use crate::{AppState, WebError};

type ApiResult = Result<Response, WebError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mark))
        .routes(routes!(prepare))
        .routes(routes!(prepare_batch))
        .routes(routes!(complete))
        .routes(routes!(complete_batch))
        .routes(routes!(panel))
        .routes(routes!(issue_batch))
        .routes(routes!(remote_start))
        .routes(routes!(remote_poll))
        .routes(routes!(server_sign))
        .routes(routes!(put_signature_image, delete_signature_image))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueBatchRequest {
    pub document_ids: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/documents/issue-batch", tag = "signing",
    summary = "Issue several signed documents (clerk): each numbered and sealed; stops at the first refusal",
    request_body = IssueBatchRequest,
    responses((status = OK, description = "Issued (or waiting for the seal)", body = BatchOutcome)))]
async fn issue_batch(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<IssueBatchRequest>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    if r.document_ids.is_empty() || r.document_ids.len() > signet_app::web_signing::MAX_BATCH {
        return Err(api(Invalid::Body {
            detail: format!(
                "document_ids: 1 to {} documents",
                signet_app::web_signing::MAX_BATCH
            ),
        }));
    }
    let app = &state.app;
    let mut documents = Vec::with_capacity(r.document_ids.len());
    for id in &r.document_ids {
        let doc = app
            .issue_step(&u.viewer, &DocumentId::new(id.clone()))
            .await
            .map_err(api)?;
        documents.push(document_body(app, &u.viewer, &doc));
    }
    Ok(Json(BatchOutcome { documents }).into_response())
}

/// The officer's mark of the leader's signature box.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct SignatureBox {
    /// Page, from 1.
    pub page: usize,
    /// `[x0, y0, x1, y1]` in PDF points from the page's bottom left.
    pub rect: [f64; 4],
}

/// What a device signs for one document.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PrepareRequest {
    /// `personal` (the leader's signature; the agency's seal is applied at issuance), or
    /// `initial` (a reviewer's ký nháy on a draft whose review is at their level).
    #[serde(default)]
    pub role: Option<String>,
    /// `agent` (USB token), `phone` (remote signing) or `server`.
    pub device: String,
    /// The signer's certificate, then its chain (base64 DER).
    pub certificate_chain: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PrepareBatchRequest {
    pub document_ids: Vec<String>,
    #[serde(default)]
    pub role: Option<String>,
    pub device: String,
    pub certificate_chain: Vec<String>,
}

/// A prepared signature: the digest the device signs.
#[derive(Debug, Serialize, ToSchema)]
pub struct Prepared {
    pub pending_id: String,
    pub document_id: String,
    /// The SHA-256 digest(s) to sign (base64), one per signature.
    pub digests: Vec<String>,
    /// Until when the answer is taken (Unix ms).
    pub expires_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreparedBatch {
    /// One per document, in the order asked.
    pub signatures: Vec<Prepared>,
    /// Every digest, in the same order (what one device confirmation signs).
    pub digests: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteRequest {
    /// The raw signature over the digest (base64; ECDSA as DER or r||s).
    pub signatures: Vec<String>,
    /// The certificate chain the device signed with (base64 DER), signer first.
    #[serde(default)]
    pub certificate_chain: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteItem {
    pub pending_id: String,
    pub signature: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteBatchRequest {
    pub items: Vec<CompleteItem>,
    #[serde(default)]
    pub certificate_chain: Vec<String>,
}

/// One signature of the current file as Signet's verifier sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureLine {
    pub field: String,
    pub signer: Option<String>,
    /// The time the signer claims.
    pub signing_time: Option<String>,
    /// The signature timestamp's time.
    pub timestamp: Option<String>,
    /// `B-B`, `B-T`, `B-LT`, `B-LTA`.
    pub level: Option<String>,
    /// `TOTAL-PASSED`, `INDETERMINATE`, `TOTAL-FAILED`.
    pub indication: String,
    /// What changed after it: `None`, `Ltv`, `FormFilling`, `Annotations`, `Other`.
    pub modifications: String,
}

/// The document after a signature, and the signatures of its current file.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureOutcome {
    pub document: DocumentBody,
    pub signatures: Vec<SignatureLine>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOutcome {
    pub documents: Vec<DocumentBody>,
}

/// The signature panel of a document's current file.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignaturePanelBody {
    /// The current file's id (download: `/api/v1/documents/{id}/files/{file_id}`).
    pub file_id: Option<String>,
    pub file_sha256: Option<String>,
    pub verdict: Option<String>,
    pub signatures: Vec<SignatureLine>,
    /// Every page's MediaBox `[x0, y0, x1, y1]` (for marking the box).
    pub pages: Vec<[f64; 4]>,
    pub mark: Option<SignatureBox>,
    /// `waiting` (chờ đóng dấu), `done` or `failed`, with the last error.
    pub seal_state: Option<String>,
    pub seal_error: Option<String>,
}

fn decode(field: &'static str, items: &[String]) -> Result<Vec<Vec<u8>>, WebError> {
    items
        .iter()
        .map(|s| {
            B64.decode(s.trim()).map_err(|_| {
                api(Invalid::Body {
                    detail: format!("{field}: not base64"),
                })
            })
        })
        .collect()
}

/// Whether a prepared signature is a reviewer's ký nháy (`initial`) rather than the
/// leader's own (`personal`, the default).
fn check_role(role: &Option<String>) -> Result<bool, WebError> {
    match role.as_deref() {
        None | Some("personal") => Ok(false),
        Some(signet_app::web_signing::INITIAL) => Ok(true),
        Some(_) => Err(api(Invalid::OneOf {
            field: "role",
            allowed: "personal, initial (the seal is applied by issuing)".into(),
        })),
    }
}

fn prepared(p: &PreparedSignature) -> Prepared {
    Prepared {
        pending_id: p.pending_id.clone(),
        document_id: p.document_id.to_string(),
        digests: vec![B64.encode(&p.digest)],
        expires_at: p.expires_at_ms,
    }
}

pub(crate) fn lines(report: Option<&signet_pades::Report>) -> Vec<SignatureLine> {
    report
        .map(|r| r.signatures.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|s| SignatureLine {
            field: s.field.clone(),
            signer: s.signer.as_ref().and_then(|x| x.common_name.clone()),
            signing_time: s.signing_time.clone(),
            timestamp: s.timestamp.clone(),
            level: s.level.clone(),
            indication: s.indication.as_str().to_owned(),
            modifications: format!("{:?}", s.modifications),
        })
        .collect()
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/signature-box", tag = "signing",
    summary = "Mark where the leader signs (the draft's author): a page and a box inside it",
    params(("id" = String, Path)),
    request_body = SignatureBox,
    responses(
        (status = OK, description = "Marked", body = SignatureBox),
        (status = UNPROCESSABLE_ENTITY, description = "Outside the page, or no such page", body = ErrorBody),
    ))]
async fn mark(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<SignatureBox>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let page = b.page.checked_sub(1).ok_or_else(|| {
        api(Invalid::Mark {
            detail: "pages count from 1".into(),
        })
    })?;
    let m = state
        .app
        .mark_signature_box(&u.viewer, &id, page, b.rect)
        .await
        .map_err(api)?;
    Ok(Json(SignatureBox {
        page: m.page + 1,
        rect: m.rect,
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/signatures/prepare", tag = "signing",
    summary = "Prepare the leader's signature: the digest the device signs",
    params(("id" = String, Path)),
    request_body = PrepareRequest,
    responses(
        (status = OK, description = "Prepared", body = Prepared),
        (status = CONFLICT, description = "The document is not submitted for signing", body = ErrorBody),
    ))]
async fn prepare(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<PrepareRequest>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    let initial = check_role(&r.role)?;
    let chain = decode("certificate_chain", &r.certificate_chain)?;
    let p = if initial {
        state
            .app
            .prepare_initial(&u.viewer, &id, &r.device, chain)
            .await
    } else {
        state
            .app
            .prepare_signature(&u.viewer, &id, &r.device, chain)
            .await
    }
    .map_err(api)?;
    Ok(Json(prepared(&p)).into_response())
}

#[utoipa::path(post, path = "/api/v1/signatures/prepare-batch", tag = "signing",
    summary = "Prepare the leader's signature on several documents (one device confirmation)",
    request_body = PrepareBatchRequest,
    responses((status = OK, description = "Prepared", body = PreparedBatch)))]
async fn prepare_batch(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<PrepareBatchRequest>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    if check_role(&r.role)? {
        return Err(api(Invalid::OneOf {
            field: "role",
            allowed: "personal (a ký nháy is made one draft at a time)".into(),
        }));
    }
    let chain = decode("certificate_chain", &r.certificate_chain)?;
    let ids: Vec<DocumentId> = r
        .document_ids
        .iter()
        .map(|s| DocumentId::new(s.clone()))
        .collect();
    let all = state
        .app
        .prepare_signatures(&u.viewer, &ids, &r.device, chain)
        .await
        .map_err(api)?;
    let signatures: Vec<Prepared> = all.iter().map(prepared).collect();
    let digests = all.iter().map(|p| B64.encode(&p.digest)).collect();
    Ok(Json(PreparedBatch {
        signatures,
        digests,
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/signatures/{pending_id}/complete", tag = "signing",
    summary = "Complete a prepared signature with the device's answer",
    params(("pending_id" = String, Path)),
    request_body = CompleteRequest,
    responses(
        (status = OK, description = "Signed: the document and its current file's signatures", body = SignatureOutcome),
        (status = UNPROCESSABLE_ENTITY, description = "Refused: duplicated, late, for a changed document, or not matching", body = ErrorBody),
    ))]
async fn complete(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(pending_id): Path<String>,
    req: Result<Json<CompleteRequest>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    let sigs = decode("signatures", &r.signatures)?;
    let [signature] = sigs.as_slice() else {
        return Err(api(Invalid::Body {
            detail: "signatures: exactly one".into(),
        }));
    };
    let chain = decode("certificate_chain", &r.certificate_chain)?;
    let app = &state.app;
    let doc = app
        .complete_signature(&u.viewer, &pending_id, signature, &chain)
        .await
        .map_err(api)?;
    let panel = app.signature_panel(&u.viewer, &doc.id).await.map_err(api)?;
    Ok(Json(SignatureOutcome {
        document: document_body(app, &u.viewer, &doc),
        signatures: lines(panel.and_then(|p| p.report).as_ref()),
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/signatures/complete-batch", tag = "signing",
    summary = "Complete a batch of prepared signatures (stops at the first refusal)",
    request_body = CompleteBatchRequest,
    responses((status = OK, description = "Signed", body = BatchOutcome)))]
async fn complete_batch(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<CompleteBatchRequest>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    let chain = decode("certificate_chain", &r.certificate_chain)?;
    let app = &state.app;
    let mut documents = Vec::with_capacity(r.items.len());
    for item in &r.items {
        let sig = decode("signature", std::slice::from_ref(&item.signature))?;
        let doc = app
            .complete_signature(&u.viewer, &item.pending_id, &sig[0], &chain)
            .await
            .map_err(api)?;
        documents.push(document_body(app, &u.viewer, &doc));
    }
    Ok(Json(BatchOutcome { documents }).into_response())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/signatures", tag = "signing",
    summary = "The signatures of the document's current file, its pages, the mark, the seal's state",
    params(("id" = String, Path)),
    responses((status = OK, description = "OK", body = SignaturePanelBody)))]
async fn panel(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
) -> ApiResult {
    Ok(Json(panel_body(&state, &u.viewer, &id).await?).into_response())
}

/// The panel as the API and the page show it.
pub(crate) async fn panel_body(
    state: &AppState,
    viewer: &signet_core::person::Viewer,
    id: &DocumentId,
) -> Result<SignaturePanelBody, WebError> {
    Ok(panel_with_report(state, viewer, id).await?.0)
}

/// The panel and the report it was made from (the pages word the report themselves).
pub(crate) async fn panel_with_report(
    state: &AppState,
    viewer: &signet_core::person::Viewer,
    id: &DocumentId,
) -> Result<(SignaturePanelBody, Option<signet_pades::Report>), WebError> {
    let app = &state.app;
    let panel = app.signature_panel(viewer, id).await.map_err(api)?;
    let pages = app.page_boxes(viewer, id).await.unwrap_or_default();
    let mark = app
        .store
        .signature_mark(&viewer.agency_id, id)
        .await
        .map_err(api)?;
    let job = app
        .store
        .seal_job_of(&viewer.agency_id, id)
        .await
        .map_err(api)?;
    let report = panel.as_ref().and_then(|p| p.report.as_ref());
    let body = SignaturePanelBody {
        file_id: panel.as_ref().map(|p| p.file.id.to_string()),
        file_sha256: panel.as_ref().map(|p| p.file.sha256.clone()),
        verdict: report.map(|r| r.verdict.as_str().to_owned()),
        signatures: lines(report),
        pages,
        mark: mark.map(|m| SignatureBox {
            page: m.page + 1,
            rect: m.rect,
        }),
        seal_state: job.as_ref().map(|j| j.state.clone()),
        seal_error: job.and_then(|j| j.last_error),
    };
    Ok((body, panel.and_then(|p| p.report)))
}

/// The documents to sign from the leader's phone.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RemoteSignRequest {
    pub document_ids: Vec<String>,
    /// `personal` (the default: the leader signs) or `initial` (a reviewer approves one draft
    /// by initialling it, ký nháy).
    #[serde(default)]
    pub role: Option<String>,
}

/// A request sent to the leader's phone (`/sign-requests`).
#[derive(Debug, Serialize, ToSchema)]
pub struct RemoteSignStarted {
    pub request_id: String,
    /// The prepared signatures, in the request's order: give them back when polling.
    pub pending_ids: Vec<String>,
    pub expires_at: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RemoteSignPoll {
    pub pending_ids: Vec<String>,
}

/// `pending` until the phone answers; `signed` with the documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemoteSignState {
    pub state: String,
    pub documents: Vec<DocumentBody>,
}

#[utoipa::path(post, path = "/api/v1/signatures/remote", tag = "signing",
    summary = "Sign documents from the phone (or initial a draft: role initial): prepared with the person's remote credential, one request to their phone",
    request_body = RemoteSignRequest,
    responses((status = OK, description = "Sent to the phone", body = RemoteSignStarted)))]
async fn remote_start(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<RemoteSignRequest>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    let ids: Vec<DocumentId> = r
        .document_ids
        .iter()
        .map(|s| DocumentId::new(s.clone()))
        .collect();
    let p = if check_role(&r.role)? {
        let [id] = ids.as_slice() else {
            return Err(api(Invalid::Body {
                detail: "document_ids: one draft to initial".into(),
            }));
        };
        state.app.request_phone_initial(&u.viewer, id).await
    } else {
        state.app.request_phone_signature(&u.viewer, &ids).await
    }
    .map_err(api)?;
    Ok(Json(RemoteSignStarted {
        request_id: p.request_id,
        pending_ids: p.pending_ids,
        expires_at: p.expires_at_ms,
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/signatures/remote/{request_id}", tag = "signing",
    summary = "The phone's answer: pending, or the documents signed with it",
    params(("request_id" = String, Path)),
    request_body = RemoteSignPoll,
    responses(
        (status = OK, description = "Pending or signed", body = RemoteSignState),
        (status = UNPROCESSABLE_ENTITY, description = "Refused on the phone or expired", body = ErrorBody),
    ))]
async fn remote_poll(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(request_id): Path<String>,
    req: Result<Json<RemoteSignPoll>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    let app = &state.app;
    let out = app
        .phone_signature_outcome(&u.viewer, &request_id, &r.pending_ids)
        .await
        .map_err(api)?;
    let (state_text, docs) = match out {
        None => ("pending", Vec::new()),
        Some(docs) => ("signed", docs),
    };
    Ok(Json(RemoteSignState {
        state: state_text.into(),
        documents: docs
            .iter()
            .map(|d| document_body(app, &u.viewer, d))
            .collect(),
    })
    .into_response())
}

/// Documents to sign with the key the server's HSM holds for the leader.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ServerSignRequest {
    pub document_ids: Vec<String>,
    /// The PIN of the leader's key on the server (five wrong ones lock it).
    pub pin: String,
}

#[utoipa::path(post, path = "/api/v1/signatures/server", tag = "signing",
    summary = "Sign one document or a batch with the leader's server-held key (HSM), one PIN; the agency must allow it",
    request_body = ServerSignRequest,
    responses(
        (status = OK, description = "Signed, in order", body = BatchOutcome),
        (status = UNPROCESSABLE_ENTITY, description = "Not enabled, wrong PIN, locked, or a document not waiting", body = ErrorBody)))]
async fn server_sign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<ServerSignRequest>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    let ids: Vec<DocumentId> = r
        .document_ids
        .iter()
        .map(|s| DocumentId::new(s.clone()))
        .collect();
    let app = &state.app;
    let docs = app
        .sign_with_server_key(&u.viewer, &ids, &r.pin)
        .await
        .map_err(api)?;
    let documents = docs
        .iter()
        .map(|d| document_body(app, &u.viewer, d))
        .collect();
    Ok(Json(BatchOutcome { documents }).into_response())
}

/// A signature image: `image` (PNG or JPEG), or `png`, its first name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignatureImageBody {
    /// The PNG or JPEG file, base64.
    #[serde(default)]
    pub image: Option<String>,
    /// The same as `image` (the field's first name, when only PNG was accepted).
    #[serde(default)]
    pub png: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/people/{person_id}/signature-image", tag = "signing",
    summary = "Upload a person's handwritten-signature image (PNG or JPEG, at most 512 KiB, sides 32 to 2000 px): by the person or their agency's administrator",
    params(("person_id" = String, Path)),
    request_body = SignatureImageBody,
    responses(
        (status = NO_CONTENT, description = "Stored; drawn in the person's next signatures"),
        (status = UNPROCESSABLE_ENTITY, description = "Not a usable PNG or JPEG", body = ErrorBody)))]
async fn put_signature_image(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(person_id): Path<String>,
    req: Result<Json<SignatureImageBody>, JsonRejection>,
) -> ApiResult {
    let r = body(req)?;
    let text = r.image.or(r.png).ok_or_else(|| {
        api(Invalid::Body {
            detail: "image: the PNG or JPEG file, base64, is required".into(),
        })
    })?;
    let image = B64.decode(text.trim()).map_err(|_| {
        api(Invalid::Body {
            detail: "image: not base64".into(),
        })
    })?;
    state
        .app
        .set_signature_image(&u.viewer, &person_id.into(), Some(&image))
        .await
        .map_err(api)?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(delete, path = "/api/v1/people/{person_id}/signature-image", tag = "signing",
    summary = "Remove a person's signature image (their signatures fall back to the text-only appearance)",
    params(("person_id" = String, Path)),
    responses((status = NO_CONTENT, description = "Removed")))]
async fn delete_signature_image(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(person_id): Path<String>,
) -> ApiResult {
    state
        .app
        .set_signature_image(&u.viewer, &person_id.into(), None)
        .await
        .map_err(api)?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
