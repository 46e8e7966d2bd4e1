//! `/api/v1` for processing incoming documents (direction, assignments, notes, completion,
//! the work queue, holidays) and the oversight statistics (issue 10 §1, §5).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_app::processing::{AssignForm, CompleteForm};
use signet_app::statistics::Report;
use signet_core::{AgencyId, DocumentId};
use signet_store::documents::processing::ProcessingRecord;
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
        .routes(routes!(assign))
        .routes(routes!(processing))
        .routes(routes!(reassign))
        .routes(routes!(note))
        .routes(routes!(complete))
        .routes(routes!(request_extension))
        .routes(routes!(decide_extension))
        .routes(routes!(queue))
        .routes(routes!(statistics))
        .routes(routes!(holidays, set_holiday))
}

/// `POST /api/v1/documents/{id}/assign`: the leader's direction.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignBody {
    /// Ý kiến chỉ đạo (required).
    pub instruction: String,
    /// Chủ trì: `person:ID` or `unit:ID`.
    pub lead: String,
    /// Phối hợp.
    #[serde(default)]
    pub co: Vec<String>,
    /// Để biết.
    #[serde(default)]
    pub info: Vec<String>,
    /// `YYYY-MM-DD`; or give `working_days`; or neither, for the document's due date.
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub working_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentBody {
    /// `lead`, `co` or `info`.
    pub role: &'static str,
    /// `person` or `unit`.
    pub holder_kind: &'static str,
    pub holder_id: String,
    pub deadline: String,
    pub open: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteBody {
    pub author_id: String,
    pub note: String,
    pub at_ms: i64,
}

/// The direction, assignments, notes and outcome of a directed document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessingBody {
    pub instruction: String,
    pub deadline: String,
    pub assigned_by: String,
    pub assigned_at_ms: i64,
    /// `replied` or `filed`, once done.
    pub outcome: Option<String>,
    pub reply_document_id: Option<String>,
    pub done_on: Option<String>,
    pub assignments: Vec<AssignmentBody>,
    pub notes: Vec<NoteBody>,
    pub extensions: Vec<ExtensionBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionBody {
    pub requested_by: String,
    pub deadline: String,
    pub reason: String,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub at_ms: i64,
}

/// `POST /api/v1/documents/{id}/extension`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtensionRequest {
    /// The later deadline asked for, `YYYY-MM-DD`.
    pub deadline: String,
    pub reason: String,
}

/// `POST /api/v1/documents/{id}/extension/decision`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtensionDecision {
    pub approve: bool,
}

impl From<&ProcessingRecord> for ProcessingBody {
    fn from(r: &ProcessingRecord) -> Self {
        Self {
            instruction: r.instruction.clone(),
            deadline: r.deadline.clone(),
            assigned_by: r.assigned_by.to_string(),
            assigned_at_ms: r.assigned_at_ms,
            outcome: r.outcome.clone(),
            reply_document_id: r.reply_document_id.as_ref().map(ToString::to_string),
            done_on: r.done_on.clone(),
            assignments: r
                .assignments
                .iter()
                .map(|a| AssignmentBody {
                    role: a.role.code(),
                    holder_kind: a.holder.kind(),
                    holder_id: a.holder.id().to_owned(),
                    deadline: a.deadline.clone(),
                    open: a.is_open,
                })
                .collect(),
            notes: r
                .notes
                .iter()
                .map(|n| NoteBody {
                    author_id: n.author_id.to_string(),
                    note: n.body.clone(),
                    at_ms: n.at_ms,
                })
                .collect(),
            extensions: r
                .extensions
                .iter()
                .map(|e| ExtensionBody {
                    requested_by: e.requested_by.to_string(),
                    deadline: e.deadline.clone(),
                    reason: e.reason.clone(),
                    state: e.state.clone(),
                    at_ms: e.at_ms,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReassignBody {
    /// A person of the unit that holds the lead.
    pub person_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewNote {
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteBody {
    /// `replied` (give `reply_document_id`, an outgoing document) or `filed`.
    pub outcome: String,
    #[serde(default)]
    pub reply_document_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemBody {
    pub document: DocumentBody,
    /// `lead` or `co`.
    pub role: &'static str,
    pub deadline: String,
    pub overdue: bool,
}

/// "Việc cần xử lý": overdue first, then by deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueBody {
    pub items: Vec<QueueItemBody>,
    /// Pass as `after` for the next page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct QueueParams {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

/// One agency's line of the statistics.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitStatisticsBody {
    pub unit_id: String,
    pub unit_name: String,
    pub parent_id: Option<String>,
    pub issued: i64,
    pub leader_signed_valid: i64,
    pub sealed_valid: i64,
    /// 0 until the document exchange records sending.
    pub sent_electronically: i64,
    pub incoming: i64,
    pub done_on_time: i64,
    pub overdue: i64,
    pub in_progress: i64,
    pub leader_signature_rate: f64,
    pub rank: u32,
}

/// `GET /api/v1/statistics`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsBody {
    pub from: String,
    pub to: String,
    pub units: Vec<UnitStatisticsBody>,
}

impl From<&Report> for StatisticsBody {
    fn from(r: &Report) -> Self {
        Self {
            from: r.from.clone(),
            to: r.to.clone(),
            units: r
                .units
                .iter()
                .map(|u| UnitStatisticsBody {
                    unit_id: u.unit_id.to_string(),
                    unit_name: u.unit_name.clone(),
                    parent_id: u.parent_id.as_ref().map(ToString::to_string),
                    issued: u.counters.issued,
                    leader_signed_valid: u.counters.leader_signed_valid,
                    sealed_valid: u.counters.sealed_valid,
                    sent_electronically: u.sent_electronically,
                    incoming: u.counters.incoming,
                    done_on_time: u.counters.done_on_time,
                    overdue: u.counters.overdue,
                    in_progress: u.counters.in_progress,
                    leader_signature_rate: u.leader_signature_rate,
                    rank: u.rank,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatisticsParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub unit: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HolidayBody {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Empty to remove the day from the table.
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayList {
    pub holidays: Vec<HolidayBody>,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/assign", tag = "incoming",
    summary = "Direct a presented incoming document (leader): instruction, lead, co-handlers, deadline",
    params(("id" = String, Path)),
    request_body = AssignBody,
    responses(
        (status = OK, description = "Assigned", body = DocumentBody),
        (status = UNPROCESSABLE_ENTITY, description = "Empty instruction, deadline in the past, a handler of another agency", body = ErrorBody),
        (status = CONFLICT, description = "Not presented to the leader", body = ErrorBody),
    ))]
async fn assign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<AssignBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let form = AssignForm {
        instruction: b.instruction,
        lead: b.lead,
        co: b.co,
        info: b.info,
        deadline: b.deadline.unwrap_or_default(),
        working_days: b.working_days.map(|n| n.to_string()).unwrap_or_default(),
    };
    let doc = state.app.assign(&u.viewer, &id, &form).await.map_err(api)?;
    Ok(Json(document_body(&state.app, &u.viewer, &doc)).into_response())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/processing", tag = "incoming",
    summary = "The direction, assignments, notes and outcome of an incoming document",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "OK", body = ProcessingBody),
        (status = NOT_FOUND, description = "No such document, or not directed yet", body = ErrorBody),
    ))]
async fn processing(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
) -> ApiResult {
    let record = state
        .app
        .processing(&u.viewer, &id)
        .await
        .map_err(api)?
        .ok_or_else(|| api(signet_app::AppError::NotFound))?;
    Ok(Json(ProcessingBody::from(&record)).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/reassign", tag = "incoming",
    summary = "Give the lead to a person of the unit (the unit's head)",
    params(("id" = String, Path)),
    request_body = ReassignBody,
    responses((status = NO_CONTENT, description = "Re-assigned")))]
async fn reassign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<ReassignBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    state
        .app
        .reassign(&u.viewer, &id, &b.person_id)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/notes", tag = "incoming",
    summary = "A processing note (handlers)",
    params(("id" = String, Path)),
    request_body = NewNote,
    responses((status = NO_CONTENT, description = "Noted")))]
async fn note(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<NewNote>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    state
        .app
        .add_note(&u.viewer, &id, &b.note)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/complete", tag = "incoming",
    summary = "Complete the processing (the lead): replied with a document, or filed",
    params(("id" = String, Path)),
    request_body = CompleteBody,
    responses((status = OK, description = "Done", body = DocumentBody)))]
async fn complete(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<CompleteBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let form = CompleteForm {
        outcome: b.outcome,
        reply_document_id: b.reply_document_id.unwrap_or_default(),
    };
    let doc = state
        .app
        .complete(&u.viewer, &id, &form)
        .await
        .map_err(api)?;
    Ok(Json(document_body(&state.app, &u.viewer, &doc)).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/extension", tag = "incoming",
    summary = "Ask the assigner for a later deadline, with the reason (the lead)",
    params(("id" = String, Path)),
    request_body = ExtensionRequest,
    responses(
        (status = NO_CONTENT, description = "Asked"),
        (status = CONFLICT, description = "A request already waits", body = ErrorBody),
    ))]
async fn request_extension(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<ExtensionRequest>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    state
        .app
        .request_extension(&u.viewer, &id, &b.deadline, &b.reason)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/extension/decision", tag = "incoming",
    summary = "Approve or refuse the waiting extension request (the leader who assigned)",
    params(("id" = String, Path)),
    request_body = ExtensionDecision,
    responses((status = NO_CONTENT, description = "Decided")))]
async fn decide_extension(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
    req: Result<Json<ExtensionDecision>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    state
        .app
        .decide_extension(&u.viewer, &id, b.approve)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/queue", tag = "incoming",
    summary = "Việc cần xử lý: the viewer's open assignments, overdue first, then by deadline",
    params(
        ("after" = Option<String>, Query, description = "The `next` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
    ),
    responses((status = OK, description = "OK", body = QueueBody)))]
async fn queue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<QueueParams>,
) -> ApiResult {
    let q = state
        .app
        .work_queue(&u.viewer, p.after.as_deref(), p.limit.unwrap_or(50))
        .await
        .map_err(api)?;
    let items = q
        .items
        .iter()
        .map(|i| QueueItemBody {
            document: document_body(&state.app, &u.viewer, &i.document),
            role: i.role.code(),
            deadline: i.deadline.clone(),
            overdue: i.deadline < q.today,
        })
        .collect();
    Ok(Json(QueueBody {
        items,
        next: q.next,
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/statistics", tag = "statistics",
    summary = "Oversight statistics per agency of the viewer's subtree (leaders, administrators)",
    params(
        ("from" = String, Query, description = "`YYYY-MM-DD`; counted by whole months"),
        ("to" = String, Query, description = "`YYYY-MM-DD`"),
        ("unit" = Option<String>, Query, description = "An agency id: only its subtree"),
    ),
    responses((status = OK, description = "OK", body = StatisticsBody)))]
async fn statistics(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<StatisticsParams>,
) -> ApiResult {
    let unit = p.unit.filter(|s| !s.is_empty()).map(AgencyId::new);
    let report = state
        .app
        .statistics(&u.viewer, &p.from, &p.to, unit.as_ref())
        .await
        .map_err(api)?;
    Ok(Json(StatisticsBody::from(&report)).into_response())
}

#[utoipa::path(get, path = "/api/v1/holidays", tag = "incoming",
    summary = "The public holidays deadlines skip",
    responses((status = OK, description = "OK", body = HolidayList)))]
async fn holidays(State(state): State<AppState>, ApiUser(_u): ApiUser) -> ApiResult {
    let days = state.app.store.holidays().await.map_err(api)?;
    let holidays = days
        .into_iter()
        .map(|(day, name)| HolidayBody { day, name })
        .collect();
    Ok(Json(HolidayList { holidays }).into_response())
}

#[utoipa::path(post, path = "/api/v1/holidays", tag = "incoming",
    summary = "Add, rename or remove (empty name) a holiday (administrators)",
    request_body = HolidayBody,
    responses((status = NO_CONTENT, description = "Saved")))]
async fn set_holiday(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<HolidayBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    state
        .app
        .set_holiday(&u.viewer, &b.day, &b.name)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
