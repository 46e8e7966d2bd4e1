//! `/api/v1/webhooks` (administrators: subscribers, the delivery log, replay),
//! `/api/v1/seal-settings` (the types sealed without a clerk) and `/api/v1/seal-requests`
//! (another system hands the agency a PDF to seal and fetches it back): issue 14 §5,
//! docs/WEBHOOKS.md.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_app::seal_requests::check_form;
use signet_app::{AppError, Invalid};
use signet_store::seal_requests::SealRequest;
use signet_store::webhooks::{Delivery, Subscriber};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::ErrorBody;
use super::{api, body};
use crate::pages::certificates::attachment;
use crate::pages::integrations::ascii_name;
use crate::session::ApiUser;
use crate::{upload, AppState, WebError};

type ApiResult = Result<Response, WebError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(subscribers, subscribe))
        .routes(routes!(unsubscribe))
        .routes(routes!(deliveries))
        .routes(routes!(replay))
        .routes(routes!(seal_settings, set_seal_settings))
        .routes(routes!(list_requests))
        .routes(routes!(get_request))
        .routes(routes!(get_file))
        .routes(routes!(approve))
        .routes(routes!(reject))
}

/// The upload: its own body limit (see `crate::api_routes`).
pub fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_request))
}

// ---------------------------------------------------------------------------------------
// Bodies

/// A webhook subscriber (its secret is never shown again after creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriberBody {
    id: String,
    url: String,
    /// `document.issued`, `document.sent`, `status.received`, `document.recalled`,
    /// `seal.completed`.
    events: Vec<String>,
    active: bool,
    created_at_ms: i64,
}

impl From<Subscriber> for SubscriberBody {
    fn from(s: Subscriber) -> Self {
        Self {
            id: s.id,
            url: s.url,
            events: s.events,
            active: s.active,
            created_at_ms: s.created_at_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriberList {
    subscribers: Vec<SubscriberBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSubscriberBody {
    /// `http://host[:port]/path`.
    url: String,
    events: Vec<String>,
}

/// A subscriber just created, with its secret: the only time it is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriberCreated {
    subscriber: SubscriberBody,
    /// The HMAC-SHA256 key of `Signet-Signature` (`whsec_…`).
    secret: String,
}

/// One event for one subscriber.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryBody {
    /// The `Idempotency-Key` header: the same on every attempt and on a replay.
    id: String,
    subscriber_id: String,
    url: String,
    event_id: String,
    event: String,
    /// `pending`, `delivered` or `failed`.
    state: String,
    attempts: i64,
    next_attempt_ms: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at_ms: i64,
    delivered_at_ms: Option<i64>,
    /// The JSON body posted.
    payload: String,
}

impl From<Delivery> for DeliveryBody {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            subscriber_id: d.subscriber_id,
            url: d.url,
            event_id: d.event_id,
            event: d.event,
            state: d.state,
            attempts: d.attempts,
            next_attempt_ms: d.next_attempt_ms,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at_ms: d.created_at_ms,
            delivered_at_ms: d.delivered_at_ms,
            payload: d.payload,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    deliveries: Vec<DeliveryBody>,
}

/// The document types (codes, e.g. `giay-moi`) sealed without a clerk's approval.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SealSettings {
    auto_seal_types: Vec<String>,
}

/// A seal request.
#[derive(Debug, Serialize, ToSchema)]
pub struct SealRequestBody {
    id: String,
    /// `pending` (waiting for a clerk), `sealing`, `sealed`, `rejected` or `failed`.
    state: String,
    document_type: String,
    reference: String,
    file_name: String,
    /// SHA-256 of the file as sent.
    sha256: String,
    /// SHA-256 of the sealed file, once sealed.
    sealed_sha256: Option<String>,
    /// Why it was rejected or could not be sealed.
    reason: String,
    /// Where the sealed file is fetched, once sealed.
    file: Option<String>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl From<SealRequest> for SealRequestBody {
    fn from(r: SealRequest) -> Self {
        let id = &r.id;
        Self {
            file: (r.state == "sealed").then(|| format!("/api/v1/seal-requests/{id}/file")),
            id: r.id,
            state: r.state,
            document_type: r.doc_type,
            reference: r.reference,
            file_name: r.file_name,
            sha256: r.source_sha256,
            sealed_sha256: r.sealed_sha256,
            reason: r.reason,
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SealRequestList {
    requests: Vec<SealRequestBody>,
}

/// The fields of `POST /api/v1/seal-requests` (multipart; the file last).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; `upload::read` reads it
pub struct SealUpload {
    /// Document type code, e.g. `giay-moi`, `quyet-dinh`.
    document_type: String,
    /// The sending system's reference (1–200 characters).
    reference: String,
    /// The PDF to seal (at most 50 MiB).
    #[schema(format = Binary)]
    file: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RejectBody {
    reason: String,
}

#[derive(Deserialize)]
struct StateParam {
    #[serde(default)]
    state: String,
}

// ---------------------------------------------------------------------------------------
// Webhooks

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    summary = "The agency's webhook subscribers (administrators)",
    responses((status = OK, description = "OK", body = SubscriberList)))]
async fn subscribers(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let list = state
        .app
        .webhook_subscribers(&u.viewer)
        .await
        .map_err(api)?;
    let body = SubscriberList {
        subscribers: list.into_iter().map(Into::into).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    summary = "Subscribe a URL to events (administrators); the answer holds the signing secret, shown this once",
    request_body = NewSubscriberBody,
    responses((status = CREATED, description = "Subscribed", body = SubscriberCreated)))]
async fn subscribe(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<NewSubscriberBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let created = state
        .app
        .subscribe_webhook(&u.viewer, &b.url, &b.events)
        .await
        .map_err(api)?;
    let body = SubscriberCreated {
        subscriber: created.subscriber.into(),
        secret: created.secret,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    summary = "Remove a subscriber (administrators): no new events; its log stays",
    params(("id" = String, Path)),
    responses((status = NO_CONTENT, description = "Removed")))]
async fn unsubscribe(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    state
        .app
        .remove_webhook(&u.viewer, &id)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/webhooks/deliveries", tag = "webhooks",
    summary = "The delivery log, newest first (administrators)",
    params(("state" = Option<String>, Query, description = "`pending`, `delivered` or `failed`")),
    responses((status = OK, description = "OK", body = DeliveryList)))]
async fn deliveries(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<StateParam>,
) -> ApiResult {
    let log = state
        .app
        .webhook_log(&u.viewer, Some(q.state.trim()))
        .await
        .map_err(api)?;
    let body = DeliveryList {
        deliveries: log.into_iter().map(Into::into).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/replay", tag = "webhooks",
    summary = "Send a delivery again: the same body and idempotency key, due at once (administrators)",
    params(("id" = String, Path)),
    responses((status = OK, description = "Due again", body = DeliveryBody)))]
async fn replay(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let d = state
        .app
        .replay_webhook(&u.viewer, &id)
        .await
        .map_err(api)?;
    Ok(Json(DeliveryBody::from(d)).into_response())
}

// ---------------------------------------------------------------------------------------
// Seal requests

#[utoipa::path(get, path = "/api/v1/seal-settings", tag = "seal-requests",
    summary = "The document types sealed without a clerk's approval",
    responses((status = OK, description = "OK", body = SealSettings)))]
async fn seal_settings(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let types = state.app.auto_seal_types(&u.viewer).await.map_err(api)?;
    Ok(Json(settings(&types)).into_response())
}

fn settings(types: &[signet_core::document::DocumentType]) -> SealSettings {
    SealSettings {
        auto_seal_types: types.iter().map(|t| t.code().to_owned()).collect(),
    }
}

#[utoipa::path(post, path = "/api/v1/seal-settings", tag = "seal-requests",
    summary = "Set the document types sealed without a clerk's approval (administrators)",
    request_body = SealSettings,
    responses((status = OK, description = "Saved", body = SealSettings)))]
async fn set_seal_settings(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<SealSettings>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let types = state
        .app
        .set_auto_seal_types(&u.viewer, &b.auto_seal_types)
        .await
        .map_err(api)?;
    Ok(Json(settings(&types)).into_response())
}

#[utoipa::path(post, path = "/api/v1/seal-requests", tag = "seal-requests",
    summary = "Hand the agency a PDF to seal: waits for a clerk, or is sealed at once when its type is allowed",
    request_body(content = SealUpload, content_type = "multipart/form-data"),
    responses(
        (status = CREATED, description = "Recorded (state `pending`, or `sealed`/`failed` when sealed at once)", body = SealRequestBody),
        (status = PAYLOAD_TOO_LARGE, description = "The file is over the limit", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "Not a PDF, unknown document type, no reference, or no seal key", body = ErrorBody),
    ))]
async fn create_request(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult {
    let app = &state.app;
    let check =
        |f: &upload::Form| check_form(&f.get("document_type"), &f.get("reference")).map(drop);
    let (form, files) = upload::read(app, &u.viewer, mp, check).await.map_err(api)?;
    let form = check_form(&form.get("document_type"), &form.get("reference")).map_err(api)?;
    let mut files = files.into_iter();
    let (Some(file), None) = (files.next(), files.next()) else {
        return Err(api(Invalid::FileRequired));
    };
    let r = app
        .request_seal(&u.viewer, &form, file)
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(SealRequestBody::from(r))).into_response())
}

#[utoipa::path(get, path = "/api/v1/seal-requests", tag = "seal-requests",
    summary = "The agency's seal requests, newest first (clerks)",
    params(("state" = Option<String>, Query,
        description = "`pending`, `sealing`, `sealed`, `rejected` or `failed`")),
    responses((status = OK, description = "OK", body = SealRequestList)))]
async fn list_requests(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<StateParam>,
) -> ApiResult {
    let list = state
        .app
        .seal_requests(&u.viewer, Some(q.state.trim()))
        .await
        .map_err(api)?;
    let body = SealRequestList {
        requests: list.into_iter().map(Into::into).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(get, path = "/api/v1/seal-requests/{id}", tag = "seal-requests",
    summary = "A seal request's state (its requester, or a clerk)",
    params(("id" = String, Path)),
    responses((status = OK, description = "OK", body = SealRequestBody)))]
async fn get_request(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let r = state.app.seal_request(&u.viewer, &id).await.map_err(api)?;
    Ok(Json(SealRequestBody::from(r)).into_response())
}

#[utoipa::path(get, path = "/api/v1/seal-requests/{id}/file", tag = "seal-requests",
    summary = "The sealed PDF (409 until it is sealed)",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "The sealed PDF", content(("application/pdf"))),
        (status = CONFLICT, description = "Not sealed (yet)", body = ErrorBody),
    ))]
async fn get_file(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let (name, bytes) = state.app.sealed_file(&u.viewer, &id).await.map_err(api)?;
    Ok(attachment("application/pdf", &ascii_name(&name), bytes))
}

#[utoipa::path(post, path = "/api/v1/seal-requests/{id}/approve", tag = "seal-requests",
    summary = "Approve and seal now (clerks); a seal that cannot be made leaves it `failed` with the reason",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "Sealed, or failed", body = SealRequestBody),
        (status = CONFLICT, description = "Already sealed, rejected or being sealed", body = ErrorBody),
    ))]
async fn approve(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let r = state
        .app
        .approve_seal_request(&u.viewer, &id)
        .await
        .map_err(api)?;
    Ok(Json(SealRequestBody::from(r)).into_response())
}

#[utoipa::path(post, path = "/api/v1/seal-requests/{id}/reject", tag = "seal-requests",
    summary = "Refuse a seal request with a reason (clerks)",
    params(("id" = String, Path)),
    request_body = RejectBody,
    responses(
        (status = OK, description = "Rejected", body = SealRequestBody),
        (status = CONFLICT, description = "Already sealed or rejected", body = ErrorBody),
    ))]
async fn reject(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    req: Result<Json<RejectBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let r = state
        .app
        .reject_seal_request(&u.viewer, &id, &b.reason)
        .await
        .map_err(|e: AppError| api(e))?;
    Ok(Json(SealRequestBody::from(r)).into_response())
}
