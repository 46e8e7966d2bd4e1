//! `/api/v1` for electronic copies (issue 13 §7; Nghị định 30 Điều 25–26): a clerk copies a
//! document (sao y, sao lục, trích sao; from its electronic file or a scan sent with the
//! request), reads a document's copies and the year's copies register, downloads a sealed
//! copy, and seals again a copy whose seal failed.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_app::copies::check_order;
use signet_core::DocumentId;
use signet_store::copies::Copy;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api;
use super::types::ErrorBody;
use crate::session::ApiUser;
use crate::{upload, AppState, WebError};

type ApiResult = Result<Response, WebError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(copies_of))
        .routes(routes!(register))
        .routes(routes!(get_one))
        .routes(routes!(file))
        .routes(routes!(retry))
}

/// The copy requests (multipart: a scan can be large).
pub fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
}

/// An electronic copy (bản sao điện tử).
#[derive(Debug, Serialize, ToSchema)]
pub struct CopyBody {
    pub id: String,
    pub original_id: String,
    /// `sao_y`, `sao_luc` or `trich_sao`.
    pub kind: &'static str,
    /// The form's heading: `SAO Y`, `SAO LỤC`, `TRÍCH SAO`.
    pub form: &'static str,
    pub year: i64,
    /// Number in the copies register.
    pub number: i64,
    /// e.g. `5/SY-UBND`.
    pub notation: String,
    /// YYYY-MM-DD (Vietnam time).
    pub copied_on: String,
    /// `electronic` (the original's file) or `scan` (of the paper original).
    pub source: String,
    /// SHA-256 of the file copied from.
    pub source_sha256: String,
    /// For a trích sao, the pages copied (`2-3`); empty: every page.
    pub pages: String,
    pub recipients: Vec<String>,
    /// `sealing`, `done` or `failed`.
    pub state: String,
    /// Why the seal failed (state `failed`).
    pub reason: String,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub page_count: Option<i64>,
    /// Where the sealed PDF is (state `done`).
    pub file_url: Option<String>,
    /// How many times sealing was started (1 when made).
    pub attempts: i64,
    /// When the server seals a failed copy again by itself (Unix milliseconds); null when
    /// it will not (sealed, or after its last automatic attempt: a clerk retries).
    pub retry_at_ms: Option<i64>,
}

impl CopyBody {
    fn of(c: &Copy) -> Self {
        Self {
            id: c.id.clone(),
            original_id: c.original_id.to_string(),
            kind: c.kind.code(),
            form: c.kind.form(),
            year: c.year,
            number: c.number,
            notation: c.notation.clone(),
            copied_on: c.copied_on.clone(),
            source: c.source.clone(),
            source_sha256: c.source_sha256.clone(),
            pages: c.page_range.clone(),
            recipients: c.recipient_list().into_iter().map(str::to_owned).collect(),
            state: c.state.clone(),
            reason: c.reason.clone(),
            sha256: c.sha256.clone(),
            size: c.size,
            page_count: c.page_count,
            file_url: c
                .sha256
                .as_ref()
                .map(|_| format!("/api/v1/copies/{id}/file", id = c.id)),
            attempts: c.attempts,
            retry_at_ms: c
                .retry_at_ms
                .filter(|_| c.state == signet_store::copies::FAILED),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CopiesBody {
    pub copies: Vec<CopyBody>,
}

fn listed(copies: &[Copy]) -> Response {
    Json(CopiesBody {
        copies: copies.iter().map(CopyBody::of).collect(),
    })
    .into_response()
}

/// The fields of `POST /api/v1/documents/{id}/copies` (multipart; the scan, if any, last).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; `upload::read` reads it
pub struct CopyUpload {
    /// `sao_y`, `sao_luc` or `trich_sao`.
    kind: String,
    /// For a trích sao: the pages, `2` or `2-3`.
    pages: Option<String>,
    /// Nơi nhận, one per line.
    recipients: String,
    /// A scan of the paper original: a PDF whose every page is a colour image of 200 dpi or
    /// more. Absent: the copy is made from the document's electronic file.
    #[schema(format = Binary)]
    scan: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/copies", tag = "copies",
    summary = "Copy a document (clerk): numbered from the copies register, sealed with the agency's key",
    params(("id" = String, Path)),
    request_body(content = CopyUpload, content_type = "multipart/form-data"),
    responses(
        (status = CREATED, description = "The sealed copy", body = CopyBody),
        (status = FORBIDDEN, description = "Not a clerk of the agency", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "A field or the scan is refused (no number is taken), or the seal failed (the copy keeps its number, state failed)", body = ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult {
    let app = &state.app;
    let v = &u.viewer;
    let check = |f: &upload::Form| {
        check_order(&f.get("kind"), &f.get("pages"), &f.get("recipients")).map(|_| ())
    };
    let (form, mut files) = upload::read(app, v, mp, check).await.map_err(api)?;
    let order = check_order(
        &form.get("kind"),
        &form.get("pages"),
        &form.get("recipients"),
    )
    .map_err(api)?;
    let copy = match files.pop() {
        Some(scan) => app.make_copy_from_scan(v, &id, &order, scan).await,
        None => app.make_copy(v, &id, &order).await,
    }
    .map_err(api)?;
    Ok((StatusCode::CREATED, Json(CopyBody::of(&copy))).into_response())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/copies", tag = "copies",
    summary = "The copies made of a document",
    params(("id" = String, Path)),
    responses((status = OK, description = "Its copies, by number", body = CopiesBody)))]
async fn copies_of(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
) -> ApiResult {
    let copies = state.app.copies_of(&u.viewer, &id).await.map_err(api)?;
    Ok(listed(&copies))
}

#[derive(Debug, Deserialize)]
struct RegisterParams {
    year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/copies", tag = "copies",
    summary = "The copies register (sổ đăng ký bản sao) of a year: clerks and leaders",
    params(("year" = Option<i64>, Query, description = "Default: this year")),
    responses((status = OK, description = "The year's copies, by number", body = CopiesBody)))]
async fn register(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<RegisterParams>,
) -> ApiResult {
    let year = p
        .year
        .unwrap_or_else(|| i64::from(state.app.clock.today().year()));
    let copies = state
        .app
        .copies_register(&u.viewer, year)
        .await
        .map_err(api)?;
    Ok(listed(&copies))
}

#[utoipa::path(get, path = "/api/v1/copies/{id}", tag = "copies",
    summary = "A copy (to whoever may read its original)",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "The copy", body = CopyBody),
        (status = NOT_FOUND, description = "No such copy", body = ErrorBody),
    ))]
async fn get_one(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let copy = state.app.copy(&u.viewer, &id).await.map_err(api)?;
    Ok(Json(CopyBody::of(&copy)).into_response())
}

#[utoipa::path(get, path = "/api/v1/copies/{id}/file", tag = "copies",
    summary = "The sealed copy (PDF, named by its notation: 5-SY-UBND.pdf)",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "The PDF", content_type = "application/pdf"),
        (status = NOT_FOUND, description = "No such copy, or not sealed", body = ErrorBody),
    ))]
async fn file(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    crate::pages::copies::sealed_copy(&state, &u.viewer, &id)
        .await
        .map_err(api)
}

#[utoipa::path(post, path = "/api/v1/copies/{id}/retry", tag = "copies",
    summary = "Seal again a copy whose seal failed (clerk): same number, same source",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "The sealed copy", body = CopyBody),
        (status = CONFLICT, description = "The copy's seal did not fail", body = ErrorBody),
    ))]
async fn retry(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let copy = state.app.retry_copy(&u.viewer, &id).await.map_err(api)?;
    Ok(Json(CopyBody::of(&copy)).into_response())
}
