//! The JSON API under `/api/v1`: the same operations as the pages, for other systems.
//! Authentication is a bearer token from `POST /api/v1/session`.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use signet_app::admin::PersonForm;
use signet_app::registers::Book;
use signet_app::{App, AppError};
use signet_core::lifecycle::Step;
use signet_core::person::Viewer;
use signet_core::{Direction, DocumentId, FileId};
use signet_store::directory::{Agency, Person, Unit};
use signet_store::documents::{Document, DocumentFile};

use crate::pages::documents::{arrival_form, check_draft, document_form, file_response, ListQuery};
use crate::session::{client_key, ApiUser, ClientAddr};
use crate::{upload, AppState, WebError};

type ApiResult = Result<Response, WebError>;

fn api<E: Into<AppError>>(e: E) -> WebError {
    WebError::api(e.into())
}

fn body<T>(r: Result<Json<T>, JsonRejection>) -> Result<T, WebError> {
    r.map(|Json(t)| t).map_err(|e| {
        WebError::api(AppError::Invalid(format!(
            "request body: {}",
            e.body_text()
        )))
    })
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route(
            "/api/v1/session",
            post(create_session).delete(delete_session),
        )
        .route("/api/v1/me", get(me))
        .route("/api/v1/documents", get(list_documents))
        .route("/api/v1/documents/{id}", get(get_document))
        .route("/api/v1/documents/{id}/{step}", post(step))
        .route("/api/v1/documents/{id}/files/{file_id}", get(download))
        .route("/api/v1/registers/{book}/{year}", get(register))
        .route("/api/v1/agencies", get(agencies))
        .route("/api/v1/units", get(units).post(create_unit))
        .route("/api/v1/people", get(people).post(create_person))
}

/// A document as the API shows it to `viewer`, with the steps they may take on it now.
pub fn document_json(app: &App, viewer: &Viewer, d: &Document) -> Value {
    let steps: Vec<&str> = app
        .allowed_steps(viewer, d)
        .into_iter()
        .map(Step::code)
        .collect();
    json!({
        "id": d.id,
        "direction": d.direction.as_str(),
        "state": d.state.code(),
        "type": d.doc_type.code(),
        "type_name": d.doc_type.name_vi(),
        "subject": d.subject,
        "urgency": d.urgency.code(),
        "secrecy": d.secrecy.code(),
        "series": d.series,
        "year": d.year,
        "number": d.number,
        "notation": d.notation,
        "issued_on": d.issued_on,
        "author": { "name": d.author_name, "code": d.author_code_text() },
        "signer": { "name": d.signer_name, "position": d.signer_position },
        "pages": d.pages,
        "recipients": d.recipients,
        "due_on": d.due_on,
        "drafting_unit_id": d.drafting_unit_id,
        "arrived_on": d.arrived_on,
        "created_by": d.created_by,
        "created_at_ms": d.created_at_ms,
        "updated_at_ms": d.updated_at_ms,
        "allowed_steps": steps,
    })
}

fn file_json(f: &DocumentFile) -> Value {
    json!({ "id": f.id, "name": f.file_name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256, "kind": f.kind })
}

fn person_json(p: &Person) -> Value {
    json!({
        "id": p.id, "agency_id": p.agency_id, "unit_id": p.unit_id, "username": p.username, "full_name": p.full_name,
        "title": p.title, "email": p.email, "roles": p.roles.iter().map(|r| r.code()).collect::<Vec<_>>(), "active": p.active,
    })
}

fn unit_json(u: &Unit) -> Value {
    json!({ "id": u.id, "agency_id": u.agency_id, "name": u.name, "abbreviation": u.abbreviation })
}

fn agency_json(a: &Agency) -> Value {
    json!({ "id": a.id, "code": a.code.as_str(), "name": a.name, "abbreviation": a.abbreviation, "parent_id": a.parent_id, "address": a.address })
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

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
    let body =
        json!({ "token": session.token, "expires_in": signet_app::auth::SESSION_TTL_MS / 1000 });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

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

async fn me(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let agency = state
        .app
        .store
        .agency(&u.viewer.agency_id)
        .await
        .map_err(api)?;
    Ok(
        Json(json!({ "person": person_json(&u.person), "agency": agency_json(&agency) }))
            .into_response(),
    )
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

async fn list_documents(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult {
    let direction = match p.direction.as_str() {
        "" | "outgoing" => Direction::Outgoing,
        "incoming" => Direction::Incoming,
        other => {
            return Err(api(AppError::Invalid(format!(
                "direction: {other:?} is neither outgoing nor incoming"
            ))))
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
    let docs: Vec<Value> = page
        .documents
        .iter()
        .map(|d| document_json(&state.app, &u.viewer, d))
        .collect();
    Ok(Json(json!({ "documents": docs, "next": page.next.map(|c| c.encode()) })).into_response())
}

async fn get_document(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<DocumentId>,
) -> ApiResult {
    let view = state.app.document_view(&u.viewer, &id).await.map_err(api)?;
    let mut doc = document_json(&state.app, &u.viewer, &view.document);
    doc["files"] = view.files.iter().map(file_json).collect();
    doc["history"] = view
        .history
        .iter()
        .map(|e| json!({ "seq": e.seq, "at_ms": e.at_ms, "actor": e.actor, "action": e.action, "details": serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null), "hash": e.hash }))
        .collect();
    Ok(Json(doc).into_response())
}

async fn step(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, step)): Path<(DocumentId, String)>,
) -> ApiResult {
    let app = &state.app;
    let step = Step::parse(&step).ok_or_else(|| api(AppError::NotFound))?;
    let doc = app.take_step(&u.viewer, &id, step).await.map_err(api)?;
    Ok(Json(document_json(app, &u.viewer, &doc)).into_response())
}

async fn download(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, file_id)): Path<(DocumentId, FileId)>,
) -> ApiResult {
    let (file, handle) = state
        .app
        .document_file(&u.viewer, &id, &file_id)
        .await
        .map_err(api)?;
    Ok(file_response(&file, handle).await)
}

pub async fn create_draft(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult {
    let app = &state.app;
    let units = app.units(&u.viewer).await.map_err(api)?;
    let check = |f: &upload::Form| check_draft(app, &u.viewer, &units, f);
    let (form, files) = upload::read(app, mp, check).await.map_err(api)?;
    if files.is_empty() {
        return Err(api(AppError::Invalid(
            "a draft needs its file (field \"file\")".into(),
        )));
    }
    let doc = app
        .create_draft(&u.viewer, &document_form(&form), files)
        .await
        .map_err(api)?;
    Ok((
        StatusCode::CREATED,
        Json(document_json(app, &u.viewer, &doc)),
    )
        .into_response())
}

pub async fn register_incoming(
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
        signet_app::documents::check_arrival(&arrival_form(f))
    };
    let (form, files) = upload::read(app, mp, check).await.map_err(api)?;
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
        Json(document_json(app, &u.viewer, &doc)),
    )
        .into_response())
}

#[derive(Deserialize)]
struct RegisterParams {
    #[serde(default)]
    format: String,
}

async fn register(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((book, year)): Path<(String, String)>,
    Query(p): Query<RegisterParams>,
) -> ApiResult {
    let book = Book::parse(&book).ok_or_else(|| {
        api(AppError::Invalid(format!(
            "unknown register {book:?}: di or den"
        )))
    })?;
    let year: i64 = year
        .parse()
        .map_err(|_| api(AppError::Invalid(format!("year {year:?}"))))?;
    let docs = state
        .app
        .register(&u.viewer, book, year)
        .await
        .map_err(api)?;
    if p.format == "csv" {
        return Ok(crate::pages::registers::csv_response(book, year, &docs));
    }
    let rows: Vec<Value> = docs
        .iter()
        .map(|d| json!({ "cells": book.row(d), "document": document_json(&state.app, &u.viewer, d) }))
        .collect();
    Ok(
        Json(json!({ "book": book.code(), "year": year, "columns": book.columns(), "rows": rows }))
            .into_response(),
    )
}

async fn agencies(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let list = state.app.agencies(&u.viewer).await.map_err(api)?;
    Ok(
        Json(json!({ "agencies": list.iter().map(agency_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

async fn units(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let list = state.app.units(&u.viewer).await.map_err(api)?;
    Ok(Json(json!({ "units": list.iter().map(unit_json).collect::<Vec<_>>() })).into_response())
}

#[derive(Deserialize)]
struct NewUnit {
    name: String,
    abbreviation: String,
}

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
    Ok((StatusCode::CREATED, Json(unit_json(&unit))).into_response())
}

async fn people(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult {
    let list = state.app.people(&u.viewer).await.map_err(api)?;
    Ok(Json(json!({ "people": list.iter().map(person_json).collect::<Vec<_>>() })).into_response())
}

#[derive(Deserialize)]
struct NewPersonBody {
    username: String,
    full_name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    unit_id: String,
    roles: Vec<String>,
    password: String,
}

async fn create_person(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<NewPersonBody>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let form = PersonForm {
        username: b.username,
        full_name: b.full_name,
        title: b.title,
        email: b.email,
        unit_id: b.unit_id,
        roles: b.roles,
        password: b.password,
    };
    let person = state
        .app
        .create_person(&u.viewer, &form)
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(person_json(&person))).into_response())
}
