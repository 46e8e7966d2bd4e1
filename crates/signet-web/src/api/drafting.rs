//! `/api/v1` for the drafting cycle (issue 13 §2): submit along a route, review, return with
//! a reason, revise a returned draft into a new version, and read the route, the decisions
//! and the versions.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_app::documents::DocumentForm;
use signet_app::drafting::{ReviewForm, RouteForm};
use signet_core::DocumentId;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{DocumentBody, ErrorBody};
use super::{api, body, document_body};
use crate::pages::documents::typed_form;
use crate::session::ApiUser;
use crate::{upload, AppState, WebError};

type ApiResult = Result<Response, WebError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit_along))
        .routes(routes!(review))
        .routes(routes!(return_draft))
        .routes(routes!(drafting))
}

/// The revision (multipart: a new main file can be large).
pub fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(revise))
}

/// `POST /api/v1/documents/{id}/route`: trình along a route.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RouteBody {
    /// Person ids per review level, in order (several on one level review in parallel).
    /// Empty, with no signer: the drafting unit's default route.
    #[serde(default)]
    pub levels: Vec<Vec<String>>,
    /// The leader who signs; absent: any leader.
    #[serde(default)]
    pub signer_id: Option<String>,
}

/// `POST /api/v1/documents/{id}/review`: a reviewer's decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// `approve`, `return` or `forward`.
    pub decision: String,
    /// Required to return.
    #[serde(default)]
    pub reason: String,
    /// Required to forward: the person who takes the review.
    #[serde(default)]
    pub forward_to: String,
}

/// `POST /api/v1/documents/{id}/return-draft`: the signer sends the draft back.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnBody {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RouteStopBody {
    pub level: i64,
    pub person_id: String,
    pub full_name: String,
    /// Approved in the current round.
    pub approved: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewRecordBody {
    pub round: i64,
    pub version: i64,
    /// 0: the signer's own decision.
    pub level: i64,
    pub person_id: String,
    pub full_name: String,
    /// `approved`, `returned` or `forwarded`.
    pub decision: String,
    pub reason: String,
    pub forwarded_to: Option<String>,
    pub at_ms: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionFileBody {
    pub id: String,
    pub file_name: String,
    /// `main` or `attachment` (an appendix).
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionBody {
    pub version: i64,
    pub files: Vec<VersionFileBody>,
    /// The metadata fields this version changed.
    pub changed: Vec<String>,
}

/// The drafting cycle of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftingBody {
    pub version: i64,
    /// The level reviewing now; 0 when no review is pending.
    pub review_level: i64,
    pub signer_id: Option<String>,
    pub route: Vec<RouteStopBody>,
    pub reviews: Vec<ReviewRecordBody>,
    pub versions: Vec<VersionBody>,
    /// The viewer is on the level reviewing now and has not approved.
    pub my_turn: bool,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/route", tag = "documents",
    summary = "Submit a draft along a route of reviewers to a chosen signer (or the unit's default route)",
    params(("id" = String, Path)),
    request_body = RouteBody,
    responses(
        (status = OK, description = "Submitted", body = DocumentBody),
        (status = UNPROCESSABLE_ENTITY, description = "A reviewer or signer who cannot be one, a route of the wrong shape", body = ErrorBody),
        (status = CONFLICT, description = "Not a draft", body = ErrorBody),
    ))]
async fn submit_along(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<RouteBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let form = RouteForm {
        levels: b.levels,
        signer_id: b.signer_id.unwrap_or_default(),
    };
    let doc = state
        .app
        .submit_along(&u.viewer, &id, &form)
        .await
        .map_err(api)?;
    Ok(Json(document_body(&state.app, &u.viewer, &doc)).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/review", tag = "documents",
    summary = "A reviewer approves, returns (with a reason) or forwards a draft",
    params(("id" = String, Path)),
    request_body = ReviewBody,
    responses(
        (status = OK, description = "Decided", body = DocumentBody),
        (status = FORBIDDEN, description = "Not this person's turn on the route", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "A return without a reason, a forward to someone who cannot take it", body = ErrorBody),
    ))]
async fn review(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<ReviewBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let form = ReviewForm {
        decision: b.decision,
        reason: b.reason,
        forward_to: b.forward_to,
    };
    let doc = state.app.review(&u.viewer, &id, &form).await.map_err(api)?;
    Ok(Json(document_body(&state.app, &u.viewer, &doc)).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/return-draft", tag = "documents",
    summary = "The signer returns a submitted draft with a reason",
    params(("id" = String, Path)),
    request_body = ReturnBody,
    responses(
        (status = OK, description = "Returned", body = DocumentBody),
        (status = UNPROCESSABLE_ENTITY, description = "No reason given", body = ErrorBody),
    ))]
async fn return_draft(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<ReturnBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    if b.reason.trim().is_empty() {
        return Err(api(signet_app::Invalid::ReturnReason {
            max: signet_core::review::MAX_REASON,
        }));
    }
    let doc = state
        .app
        .return_with_reason(&u.viewer, &id, &b.reason)
        .await
        .map_err(api)?;
    Ok(Json(document_body(&state.app, &u.viewer, &doc)).into_response())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/drafting", tag = "documents",
    summary = "A document's drafting cycle: route, decisions, versions",
    params(("id" = String, Path)),
    responses((status = OK, description = "OK", body = DraftingBody)))]
async fn drafting(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
) -> ApiResult {
    let doc = state.app.document(&u.viewer, &id).await.map_err(api)?;
    let c = state.app.draft_cycle(&u.viewer, &id).await.map_err(api)?;
    let body = DraftingBody {
        version: doc.version,
        review_level: doc.review_level,
        signer_id: doc.signer_id.map(|s| s.to_string()),
        route: c
            .route
            .iter()
            .map(|s| RouteStopBody {
                level: s.level,
                person_id: s.person_id.to_string(),
                full_name: s.full_name.clone(),
                approved: s.approved,
            })
            .collect(),
        reviews: c
            .reviews
            .iter()
            .map(|r| ReviewRecordBody {
                round: r.round,
                version: r.version,
                level: r.level,
                person_id: r.person_id.to_string(),
                full_name: r.person_name.clone(),
                decision: r.decision.clone(),
                reason: r.reason.clone(),
                forwarded_to: r.forwarded_to.clone(),
                at_ms: r.at_ms,
            })
            .collect(),
        versions: c
            .versions
            .iter()
            .map(|(v, files)| VersionBody {
                version: *v,
                files: files
                    .iter()
                    .map(|f| VersionFileBody {
                        id: f.id.to_string(),
                        file_name: f.file_name.clone(),
                        kind: f.kind.clone(),
                    })
                    .collect(),
                changed: c
                    .changes
                    .iter()
                    .find(|(n, _)| n == v)
                    .map(|(_, ch)| ch.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        my_turn: c.my_turn,
    };
    Ok(Json(body).into_response())
}

/// The fields of `POST /api/v1/documents/{id}/revise` (multipart; files last). Every field
/// is optional: one sent replaces the draft's value, one not sent keeps it.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; `upload::read` reads it
pub struct RevisionUpload {
    doc_type: Option<String>,
    subject: Option<String>,
    urgency: Option<String>,
    secrecy: Option<String>,
    pages: Option<i64>,
    recipients: Option<String>,
    /// YYYY-MM-DD.
    due_on: Option<String>,
    drafting_unit_id: Option<String>,
    /// A new main file (replaces the current one); absent: the current one is kept.
    #[schema(format = Binary)]
    file: Option<String>,
    /// Appendices (phụ lục) added to this version; repeat the field for several.
    #[schema(format = Binary)]
    appendices: Option<String>,
}

/// The draft's form after a revision: each field sent replaces the current value.
fn revised_form(current: &DocumentForm, sent: &upload::Form) -> DocumentForm {
    let pick = |name: &str, now: &str| {
        if sent.has(name) {
            sent.get(name)
        } else {
            now.to_owned()
        }
    };
    DocumentForm {
        doc_type: pick("doc_type", &current.doc_type),
        subject: pick("subject", &current.subject),
        urgency: pick("urgency", &current.urgency),
        secrecy: pick("secrecy", &current.secrecy),
        signer_name: String::new(),
        signer_position: String::new(),
        pages: pick("pages", &current.pages),
        recipients: pick("recipients", &current.recipients),
        due_on: pick("due_on", &current.due_on),
        drafting_unit_id: pick("drafting_unit_id", &current.drafting_unit_id),
    }
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/revise", tag = "documents",
    summary = "Revise a draft (its author, while it is a draft, e.g. after it was returned): a new version",
    params(("id" = String, Path)),
    request_body(content = RevisionUpload, content_type = "multipart/form-data"),
    responses(
        (status = OK, description = "The new version", body = DocumentBody),
        (status = FORBIDDEN, description = "Not the author, or not a draft", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "A field is invalid", body = ErrorBody),
    ))]
async fn revise(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult {
    let app = &state.app;
    let v = &u.viewer;
    let doc = app.document(v, &id).await.map_err(api)?;
    let current = typed_form(&doc);
    // Refused before any file is stored when the viewer may not revise it.
    app.check_revision(v, &id, &current).await.map_err(api)?;
    let check = |f: &upload::Form| app.check_document_form(v, &revised_form(&current, f));
    let (form, files) = upload::read(app, v, mp, check).await.map_err(api)?;
    let doc = app
        .revise_draft(v, &id, &revised_form(&current, &form), files)
        .await
        .map_err(api)?;
    Ok(Json(document_body(app, v, &doc)).into_response())
}
