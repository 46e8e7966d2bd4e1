//! The JSON API under `/api/v1`: the same operations as the pages, for other systems.
//! Authentication is a bearer token from `POST /api/v1/session`.
//!
//! Every handler carries its OpenAPI description (`#[utoipa::path]`) and is registered with
//! `utoipa_axum::routes!`, so the router and the document ([`crate::openapi`]) are made
//! from the same list and the bodies from the same types ([`types`]).

pub mod certificates;
pub mod copies;
pub mod dossiers;
pub mod drafting;
pub mod incoming;
pub mod integrations;
pub mod search;
pub mod signing;
pub mod types;
pub mod uploads;

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use signet_app::registers::Book;
use signet_app::{App, AppError, Invalid};
use signet_core::lifecycle::Step;
use signet_core::person::Viewer;
use signet_core::{Direction, DocumentId, FileId};
use signet_store::documents::Document;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::types::{
    AgencyList, Credentials, DocumentBody, DocumentDetail, DocumentPage, DraftUpload, ErrorBody,
    IncomingUpload, Me, NewPerson, NewUnit, PersonBody, PersonList, RegisterBody, SessionCreated,
    UnitBody, UnitList,
};
use crate::client::{client_key, ClientAddr};
use crate::pages::documents::{arrival_form, check_draft, document_form, ListQuery};
use crate::session::ApiUser;
use crate::{upload, AppState, WebError};

type ApiResult = Result<Response, WebError>;

pub(crate) fn api<E: Into<AppError>>(e: E) -> WebError {
    WebError::api(e.into())
}

/// A JSON body, or the reason it could not be read.
pub(crate) fn body<T>(r: Result<Json<T>, JsonRejection>) -> Result<T, WebError> {
    r.map(|Json(t)| t).map_err(|e| {
        api(Invalid::Body {
            detail: format!("request body: {}", e.body_text()),
        })
    })
}

/// The API's routes but the uploads (they have their own body limit, see [`upload_routes`]).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session, delete_session))
        .routes(routes!(me))
        .routes(routes!(list_documents))
        .routes(routes!(get_document))
        .routes(routes!(step))
        .routes(routes!(download))
        .routes(routes!(register))
        .routes(routes!(agencies))
        .routes(routes!(units, create_unit))
        .routes(routes!(people, create_person))
        .merge(certificates::routes())
        .merge(signing::routes())
        .merge(incoming::routes())
        .merge(search::routes())
        .merge(dossiers::routes())
        .merge(drafting::routes())
        .merge(copies::routes())
        .merge(integrations::routes())
}

/// The uploads: drafts and incoming documents.
pub fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_draft))
        .routes(routes!(register_incoming))
        .merge(drafting::upload_routes())
        .merge(copies::upload_routes())
        .merge(integrations::upload_routes())
}

#[utoipa::path(post, path = "/api/v1/session", tag = "session", summary = "Sign in",
    security(()),
    request_body = Credentials,
    responses(
        (status = CREATED, description = "Signed in", body = SessionCreated),
        (status = UNAUTHORIZED, description = "Wrong username or password", body = ErrorBody),
        (status = TOO_MANY_REQUESTS, description = "Too many failed sign-ins", body = ErrorBody),
    ))]
async fn create_session(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    req: Result<Json<Credentials>, JsonRejection>,
) -> ApiResult {
    let c = body(req)?;
    let session = state
        .app
        .sign_in(&c.username, &c.password, &client_key(addr))
        .await
        .map_err(api)?;
    let body = SessionCreated {
        token: session.token,
        expires_in: signet_app::auth::SESSION_TTL_MS / 1000,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "session", summary = "Sign out",
    responses((status = NO_CONTENT, description = "Signed out")))]
async fn delete_session(
    State(state): State<AppState>,
    _u: ApiUser,
    headers: HeaderMap,
) -> ApiResult {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    state.app.sign_out(token.trim()).await.map_err(api)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    summary = "The signed-in person and their agency",
    responses((status = OK, description = "OK", body = Me)))]
async fn me(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let agency = state
        .app
        .store
        .agency(&u.viewer.agency_id)
        .await
        .map_err(api)?;
    let me = Me {
        person: (&u.person).into(),
        agency: (&agency).into(),
    };
    Ok(Json(me).into_response())
}

#[derive(Deserialize)]
struct ListParams {
    #[serde(default)]
    direction: String,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(flatten)]
    query: ListQuery,
}

#[utoipa::path(get, path = "/api/v1/documents", tag = "documents",
    summary = "List documents (newest first, keyset paging)",
    params(
        ("direction" = Option<String>, Query, description = "`outgoing` (default) or `incoming`"),
        ("q" = Option<String>, Query, description = "Text; diacritics optional (\"ky so\" finds \"ký số\")"),
        ("type" = Option<String>, Query, description = "Type code"),
        ("state" = Option<String>, Query),
        ("urgency" = Option<String>, Query),
        ("year" = Option<i64>, Query),
        ("after" = Option<String>, Query, description = "The `next` cursor of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
    ),
    responses((status = OK, description = "OK", body = DocumentPage)))]
async fn list_documents(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult {
    let direction = match p.direction.as_str() {
        "" | "outgoing" => Direction::Outgoing,
        "incoming" => Direction::Incoming,
        _ => {
            return Err(api(Invalid::OneOf {
                field: "direction",
                allowed: "outgoing, incoming".into(),
            }))
        }
    };
    let filter = p
        .query
        .filter(direction, p.limit.unwrap_or(50))
        .map_err(api)?;
    let page = state
        .app
        .list(&u.viewer, direction, &filter)
        .await
        .map_err(api)?;
    let body = DocumentPage {
        documents: page
            .documents
            .iter()
            .map(|d| document_body(&state.app, &u.viewer, d))
            .collect(),
        next: page.next.map(|c| c.encode()),
    };
    Ok(Json(body).into_response())
}

/// A document as the API shows it to `viewer`, with the steps they may take on it now.
pub(crate) fn document_body(app: &App, viewer: &Viewer, d: &Document) -> DocumentBody {
    let steps = app.allowed_steps(viewer, d).into_iter().map(Step::code);
    DocumentBody::new(d, steps.collect())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents",
    summary = "A document with its files and history",
    params(("id" = String, Path)),
    responses((status = OK, description = "OK", body = DocumentDetail)))]
async fn get_document(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
) -> ApiResult {
    let view = state.app.document_view(&u.viewer, &id).await.map_err(api)?;
    let body = DocumentDetail {
        document: document_body(&state.app, &u.viewer, &view.document),
        files: view.files.iter().map(Into::into).collect(),
        history: view.history.iter().map(Into::into).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/{step}", tag = "documents",
    summary = "A lifecycle step: submit (trình ký), sign, return, issue (number and issue)",
    params(
        ("id" = String, Path),
        ("step" = String, Path, description = "`submit`, `sign`, `return` or `issue`"),
    ),
    responses(
        (status = OK, description = "The document after the step", body = DocumentBody),
        (status = CONFLICT, description = "The document is not in the state the step needs", body = ErrorBody),
    ))]
async fn step(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, step)): Path<(DocumentId, String)>,
) -> ApiResult {
    let app = &state.app;
    let step = Step::parse(&step).ok_or_else(|| api(AppError::NotFound))?;
    let doc = app.take_step(&u.viewer, &id, step).await.map_err(api)?;
    Ok(Json(document_body(app, &u.viewer, &doc)).into_response())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/files/{file_id}", tag = "documents",
    summary = "Download a file (streamed; one byte range with `Range: bytes=…` gives 206)",
    params(("id" = String, Path), ("file_id" = String, Path)),
    responses((status = OK, description = "The file, with its own content type",
        content(("application/octet-stream")))))]
async fn download(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, file_id)): Path<(DocumentId, FileId)>,
    headers: axum::http::HeaderMap,
) -> ApiResult {
    let (file, handle) = state
        .app
        .document_download(&u.viewer, &id, &file_id)
        .await
        .map_err(api)?;
    let range = headers
        .get(axum::http::header::RANGE)
        .and_then(|v| v.to_str().ok());
    Ok(crate::pages::documents::file_response_ranged(&file, handle, range).await)
}

#[utoipa::path(post, path = "/api/v1/documents", tag = "documents",
    summary = "Upload a new outgoing draft",
    request_body(content = DraftUpload, content_type = "multipart/form-data"),
    responses(
        (status = CREATED, description = "Created", body = DocumentBody),
        (status = PAYLOAD_TOO_LARGE, description = "The file is over the limit", body = ErrorBody),
    ))]
async fn create_draft(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult {
    let app = &state.app;
    let units = app.units(&u.viewer).await.map_err(api)?;
    let check = |f: &upload::Form| check_draft(app, &u.viewer, &units, f);
    let (form, files) = upload::read(app, &u.viewer, mp, check).await.map_err(api)?;
    if files.is_empty() {
        return Err(api(Invalid::FileRequired));
    }
    let doc = app
        .create_draft(&u.viewer, &document_form(&form), files)
        .await
        .map_err(api)?;
    Ok((
        StatusCode::CREATED,
        Json(document_body(app, &u.viewer, &doc)),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/incoming", tag = "documents",
    summary = "Register an incoming document (clerk); it takes the next arrival number",
    request_body(content = IncomingUpload, content_type = "multipart/form-data"),
    responses(
        (status = CREATED, description = "Registered", body = DocumentBody),
        (status = PAYLOAD_TOO_LARGE, description = "A file is over the limit", body = ErrorBody),
    ))]
async fn register_incoming(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult {
    let app = &state.app;
    let check = |f: &upload::Form| {
        if !u.viewer.can_register() {
            return Err(AppError::Forbidden("registering incoming documents"));
        }
        app.check_document_form(&u.viewer, &document_form(f))?;
        app.check_arrival_form(&arrival_form(f))
    };
    let (form, files) = upload::read(app, &u.viewer, mp, check).await.map_err(api)?;
    let doc = app
        .register_incoming(
            &u.viewer,
            &document_form(&form),
            &arrival_form(&form),
            files,
        )
        .await
        .map_err(api)?;
    Ok((
        StatusCode::CREATED,
        Json(document_body(app, &u.viewer, &doc)),
    )
        .into_response())
}

#[derive(Deserialize)]
struct RegisterParams {
    #[serde(default)]
    format: String,
}

#[utoipa::path(get, path = "/api/v1/registers/{book}/{year}", tag = "registers",
    summary = "A register (sổ đăng ký) with the columns of Nghị định 30 Phụ lục IV",
    params(
        ("book" = String, Path, description = "`di` (outgoing) or `den` (incoming)"),
        ("year" = i64, Path),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`"),
    ),
    responses((status = OK, description = "The register",
        content((RegisterBody = "application/json"), (String = "text/csv")))))]
async fn register(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((book, year)): Path<(String, String)>,
    Query(p): Query<RegisterParams>,
) -> ApiResult {
    let book = Book::parse(&book).ok_or_else(|| {
        api(Invalid::OneOf {
            field: "book",
            allowed: "di, den".into(),
        })
    })?;
    let year: i64 = year
        .parse()
        .map_err(|_| api(Invalid::Year { value: year }))?;
    let docs = state
        .app
        .register(&u.viewer, book, year)
        .await
        .map_err(api)?;
    if p.format == "csv" {
        return Ok(crate::pages::registers::csv_response(book, year, &docs));
    }
    Ok(Json(RegisterBody::new(book, year, &docs, |d| {
        document_body(&state.app, &u.viewer, d)
    }))
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "administration",
    summary = "Agencies (administrators)",
    responses((status = OK, description = "OK", body = AgencyList)))]
async fn agencies(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let list = state.app.agencies(&u.viewer).await.map_err(api)?;
    let body = AgencyList {
        agencies: list.iter().map(Into::into).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(get, path = "/api/v1/units", tag = "administration",
    summary = "Units of the agency",
    responses((status = OK, description = "OK", body = UnitList)))]
async fn units(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let list = state.app.units(&u.viewer).await.map_err(api)?;
    let body = UnitList {
        units: list.iter().map(Into::into).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/units", tag = "administration",
    summary = "Add a unit (administrators)",
    request_body = NewUnit,
    responses(
        (status = CREATED, description = "Created", body = UnitBody),
        (status = CONFLICT, description = "The abbreviation is taken", body = ErrorBody),
    ))]
async fn create_unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<NewUnit>, JsonRejection>,
) -> ApiResult {
    let n = body(req)?;
    let unit = state
        .app
        .create_unit(&u.viewer, &n.name, &n.abbreviation)
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(UnitBody::from(&unit))).into_response())
}

#[utoipa::path(get, path = "/api/v1/people", tag = "administration",
    summary = "People of the agency (administrators)",
    responses((status = OK, description = "OK", body = PersonList)))]
async fn people(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let list = state.app.people(&u.viewer).await.map_err(api)?;
    let body = PersonList {
        people: list.iter().map(Into::into).collect(),
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/people", tag = "administration",
    summary = "Add a person (administrators)",
    request_body = NewPerson,
    responses(
        (status = CREATED, description = "Created", body = PersonBody),
        (status = CONFLICT, description = "The username is taken", body = ErrorBody),
    ))]
async fn create_person(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<NewPerson>, JsonRejection>,
) -> ApiResult {
    let form = body(req)?.into();
    let person = state
        .app
        .create_person(&u.viewer, &form)
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(PersonBody::from(&person))).into_response())
}
