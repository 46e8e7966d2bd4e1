//! `/api/v1/dossiers`: work dossiers (issue 10 §2) — list, open, read with documents, file a
//! document, close, hand to the archive.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_app::dossiers::{DossierForm, DossierQuery};
use signet_core::ids::DossierId;
use signet_core::DocumentId;
use signet_store::dossiers::Dossier;
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
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(file_document))
        .routes(routes!(move_state))
}

/// A work dossier (hồ sơ công việc).
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierBody {
    pub id: String,
    pub year: i64,
    /// The code from the agency's dossier list.
    pub code: String,
    pub title: String,
    /// Years; 0 is permanent.
    pub retention_years: i64,
    pub unit_id: Option<String>,
    pub keeper_id: String,
    /// `open`, `closed` or `archived`.
    pub state: String,
    pub opened_at_ms: i64,
    pub closed_at_ms: Option<i64>,
    pub archived_at_ms: Option<i64>,
}

impl From<&Dossier> for DossierBody {
    fn from(d: &Dossier) -> Self {
        Self {
            id: d.id.to_string(),
            year: d.year,
            code: d.code.clone(),
            title: d.title.clone(),
            retention_years: d.retention_years,
            unit_id: d.unit_id.as_ref().map(ToString::to_string),
            keeper_id: d.keeper_id.to_string(),
            state: d.state.code().to_owned(),
            opened_at_ms: d.opened_at_ms,
            closed_at_ms: d.closed_at_ms,
            archived_at_ms: d.archived_at_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierList {
    pub dossiers: Vec<DossierBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierDetail {
    pub dossier: DossierBody,
    /// The filed documents the caller may read, in filing order.
    pub documents: Vec<DocumentBody>,
}

/// `POST /api/v1/dossiers`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDossier {
    pub year: i64,
    pub code: String,
    pub title: String,
    /// One of 0 (permanent), 2, 5, 10, 20, 50, 70.
    pub retention_years: i64,
    #[serde(default)]
    pub unit_id: Option<String>,
}

/// `POST /api/v1/dossiers/{id}/documents`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FileDocument {
    pub document_id: String,
}

#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers",
    summary = "List the agency's work dossiers (newest year first, then by code)",
    params(
        ("year" = Option<i64>, Query),
        ("state" = Option<String>, Query, description = "`open`, `closed` or `archived`"),
        ("keeper" = Option<String>, Query, description = "The keeper's person id"),
        ("code" = Option<String>, Query, description = "Codes starting with this"),
    ),
    responses(
        (status = OK, description = "OK", body = DossierList),
        (status = UNPROCESSABLE_ENTITY, description = "Bad filter", body = ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<DossierQuery>,
) -> ApiResult {
    let dossiers = state.app.dossiers(&u.viewer, &q).await.map_err(api)?;
    let body = DossierList {
        dossiers: dossiers.iter().map(DossierBody::from).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    summary = "Open a work dossier kept by the caller",
    request_body = NewDossier,
    responses(
        (status = CREATED, description = "Opened", body = DossierBody),
        (status = CONFLICT, description = "The code is taken for that year", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "Bad input", body = ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<NewDossier>, JsonRejection>,
) -> ApiResult {
    let n = body(req)?;
    let form = DossierForm {
        year: n.year.to_string(),
        code: n.code,
        title: n.title,
        retention_years: n.retention_years.to_string(),
        unit: n.unit_id.unwrap_or_default(),
    };
    let d = state
        .app
        .open_dossier(&u.viewer, &form)
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(DossierBody::from(&d))).into_response())
}

#[utoipa::path(get, path = "/api/v1/dossiers/{id}", tag = "dossiers",
    summary = "A dossier with its documents",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "OK", body = DossierDetail),
        (status = NOT_FOUND, description = "No such dossier in the caller's agency", body = ErrorBody),
    ))]
async fn get_one(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DossierId>,
) -> ApiResult {
    let (d, docs) = state.app.dossier(&u.viewer, &id).await.map_err(api)?;
    let body = DossierDetail {
        dossier: DossierBody::from(&d),
        documents: docs
            .iter()
            .map(|doc| document_body(&state.app, &u.viewer, doc))
            .collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/dossiers/{id}/documents", tag = "dossiers",
    summary = "File a document into an open dossier",
    params(("id" = String, Path)),
    request_body = FileDocument,
    responses(
        (status = NO_CONTENT, description = "Filed"),
        (status = NOT_FOUND, description = "No such dossier or document for the caller", body = ErrorBody),
        (status = FORBIDDEN, description = "Not the keeper (nor the clerk)", body = ErrorBody),
        (status = CONFLICT, description = "Already filed there, or the dossier is not open", body = ErrorBody),
    ))]
async fn file_document(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DossierId>,
    req: Result<Json<FileDocument>, JsonRejection>,
) -> ApiResult {
    let f = body(req)?;
    state
        .app
        .file_into_dossier(&u.viewer, &id, &DocumentId::new(f.document_id))
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/dossiers/{id}/state`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DossierMove {
    /// `closed` (the keeper or the clerk, from open) or `archived` (the clerk, from closed:
    /// handed to the agency's archive).
    pub state: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{id}/state", tag = "dossiers",
    summary = "Close a dossier, or hand a closed one to the archive",
    params(("id" = String, Path)),
    request_body = DossierMove,
    responses(
        (status = OK, description = "Moved", body = DossierBody),
        (status = FORBIDDEN, description = "Not the caller's to move", body = ErrorBody),
        (status = CONFLICT, description = "Not in the state it moves from", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "Unknown state", body = ErrorBody),
    ))]
async fn move_state(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DossierId>,
    req: Result<Json<DossierMove>, JsonRejection>,
) -> ApiResult {
    let m = body(req)?;
    let d = match m.state.as_str() {
        "closed" => state.app.close_dossier(&u.viewer, &id).await,
        "archived" => state.app.archive_dossier(&u.viewer, &id).await,
        _ => Err(signet_app::AppError::Invalid(signet_app::Invalid::OneOf {
            field: "state",
            allowed: "closed, archived".into(),
        })),
    }
    .map_err(api)?;
    Ok(Json(DossierBody::from(&d)).into_response())
}
