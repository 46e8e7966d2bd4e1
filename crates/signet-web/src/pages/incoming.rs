//! The processing of an incoming document on its page (direction, handlers, notes and the
//! forms of whoever may act), and the work queue page "Việc cần xử lý".

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::processing::{AssignForm, CompleteForm};
use signet_app::AppError;
use signet_core::ids::FileId;
use signet_core::lifecycle::IncomingState;
use signet_core::{Direction, DocumentId, Role};
use signet_store::documents::processing::{HandlerRole, Holder};
use signet_store::documents::Document;

use super::{render, Layout};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::upload;
use crate::{AppState, WebError};

/// A processing note: who, when, what, and its files (id, name).
pub struct NoteRow {
    pub who: String,
    pub when: String,
    pub body: String,
    pub files: Vec<(String, String)>,
}

/// A request for a leader's opinion as the page shows it.
pub struct OpinionRow {
    pub id: String,
    pub who: String,
    pub leader: String,
    pub when: String,
    pub question: String,
    pub answer: Option<String>,
    /// The viewer is the leader asked and has not answered yet.
    pub can_answer: bool,
}

/// The processing section of an incoming document's page.
pub struct Section {
    pub directed: bool,
    pub instruction: String,
    pub deadline: String,
    pub assigned_by: String,
    pub result: String,
    pub reply: Option<String>,
    pub overdue: bool,
    /// Role label, holder's name, still open.
    pub assignments: Vec<(&'static str, String, bool)>,
    pub notes: Vec<NoteRow>,
    /// Requests for a leader's opinion and the answers.
    pub opinions: Vec<OpinionRow>,
    /// May ask a leader (a handler, before completion); the leaders to choose from.
    pub can_ask: bool,
    pub leaders: Vec<(String, String)>,
    /// The replies drafted from the document: id, subject.
    pub replies: Vec<(String, String)>,
    pub can_draft_reply: bool,
    /// Who, the deadline asked for, why, its state label, waiting.
    pub extensions: Vec<(String, String, String, &'static str)>,
    pub can_extend: bool,
    pub can_decide: bool,
    pub can_assign: bool,
    pub can_reassign: bool,
    pub can_note: bool,
    pub can_complete: bool,
    /// `person:ID` / `unit:ID` and the name, for the assign form.
    pub holders: Vec<(String, String)>,
    /// People of the unit holding the lead, for the re-assign form.
    pub unit_people: Vec<(String, String)>,
}

async fn name_of(state: &AppState, agency: &signet_core::AgencyId, h: &Holder) -> String {
    match h {
        Holder::Person(p) => state
            .app
            .store
            .person(p)
            .await
            .map_or_else(|_| p.to_string(), |p| p.full_name),
        Holder::Unit(u) => state
            .app
            .store
            .unit(agency, u)
            .await
            .map_or_else(|_| u.to_string(), |u| u.name),
    }
}

pub(crate) fn role_label(t: Tr, r: HandlerRole) -> &'static str {
    match r {
        HandlerRole::Lead => t.s("lead"),
        HandlerRole::Co => t.s("co_handlers"),
        HandlerRole::Info => t.s("to_know"),
    }
}

/// The section for `d`, or none for an outgoing document. A part that cannot be read is left
/// out rather than taking the page down.
pub async fn section(state: &AppState, u: &PageUser, d: &Document) -> Option<Section> {
    if d.direction != Direction::Incoming {
        return None;
    }
    let t = Tr(u.lang);
    let viewer = &u.user.viewer;
    let app = &state.app;
    let record = app.processing(viewer, &d.id).await.ok().flatten();
    let mut s = Section {
        directed: record.is_some(),
        instruction: String::new(),
        deadline: String::new(),
        assigned_by: String::new(),
        result: String::new(),
        reply: None,
        overdue: false,
        assignments: Vec::new(),
        notes: Vec::new(),
        opinions: Vec::new(),
        can_ask: false,
        leaders: Vec::new(),
        replies: Vec::new(),
        can_draft_reply: false,
        extensions: Vec::new(),
        can_extend: false,
        can_decide: false,
        can_assign: viewer.has(Role::Leader) && d.state == IncomingState::Presented.into(),
        can_reassign: false,
        can_note: false,
        can_complete: false,
        holders: Vec::new(),
        unit_people: Vec::new(),
    };
    if s.can_assign {
        let units = app.store.units(&viewer.agency_id).await.unwrap_or_default();
        let people = app
            .store
            .people(&viewer.agency_id)
            .await
            .unwrap_or_default();
        s.holders = units
            .into_iter()
            .map(|u| (format!("unit:{}", u.id), u.name))
            .chain(
                people
                    .into_iter()
                    .filter(|p| p.active)
                    .map(|p| (format!("person:{}", p.id), p.full_name)),
            )
            .collect();
    }
    let Some(r) = record else {
        return Some(s);
    };
    let agency = &viewer.agency_id;
    s.instruction = r.instruction.clone();
    s.deadline = t.date(&r.deadline);
    s.assigned_by = name_of(state, agency, &Holder::Person(r.assigned_by.clone())).await;
    s.overdue = r.done_on.is_none() && r.deadline < signet_app::clock::iso_date(app.clock.today());
    s.result = match (r.outcome.as_deref(), &r.done_on) {
        (Some("filed"), Some(on)) => format!("{} · {}", t.s("outcome_filed"), t.date(on)),
        (Some(_), Some(on)) => format!("{} · {}", t.s("outcome_replied"), t.date(on)),
        _ => String::new(),
    };
    s.reply = r.reply_document_id.as_ref().map(ToString::to_string);
    for a in &r.assignments {
        let name = name_of(state, agency, &a.holder).await;
        s.assignments.push((role_label(t, a.role), name, a.is_open));
    }
    for n in &r.notes {
        s.notes.push(NoteRow {
            who: name_of(state, agency, &Holder::Person(n.author_id.clone())).await,
            when: format::datetime_ms(u.lang, n.at_ms),
            body: n.body.clone(),
            files: n
                .files
                .iter()
                .map(|f| (f.id.to_string(), f.file_name.clone()))
                .collect(),
        });
    }
    let asked = app
        .opinion_requests(viewer, &d.id)
        .await
        .unwrap_or_default();
    for o in asked {
        s.opinions.push(OpinionRow {
            can_answer: o.answer.is_none() && o.leader_id == viewer.person_id,
            who: name_of(state, agency, &Holder::Person(o.asked_by.clone())).await,
            leader: name_of(state, agency, &Holder::Person(o.leader_id.clone())).await,
            when: format::datetime_ms(u.lang, o.at_ms),
            question: o.question,
            answer: o.answer,
            id: o.id,
        });
    }
    s.replies = app
        .replies(viewer, &d.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.id.to_string(), r.subject))
        .collect();
    let mut waiting = false;
    for e in &r.extensions {
        let who = name_of(state, agency, &Holder::Person(e.requested_by.clone())).await;
        let label = match e.state.as_str() {
            "approved" => t.pick("Đã đồng ý", "Approved"),
            "refused" => t.pick("Không đồng ý", "Refused"),
            _ => {
                waiting = true;
                t.pick("Chờ ý kiến", "Waiting")
            }
        };
        s.extensions
            .push((who, t.date(&e.deadline), e.reason.clone(), label));
    }
    let open = r.done_on.is_none();
    s.can_decide = waiting && open && r.assigned_by == viewer.person_id;
    if let Ok(rights) = app.rights(viewer, &r).await {
        s.can_extend = rights.lead && open && !waiting;
        s.can_note = rights.handler;
        s.can_complete = rights.lead;
        s.can_ask = rights.handler && open;
        s.can_draft_reply = rights.lead && open && viewer.can_draft();
        if s.can_ask {
            let people = app.store.people(agency).await.unwrap_or_default();
            s.leaders = people
                .into_iter()
                .filter(|p| p.active && p.roles.contains(&Role::Leader))
                .map(|p| {
                    let first = p.id == r.assigned_by;
                    (first, p.id.to_string(), p.full_name)
                })
                .fold(Vec::new(), |mut v, (first, id, name)| {
                    // The assigning leader first: the usual one to ask.
                    if first {
                        v.insert(0, (id, name));
                    } else {
                        v.push((id, name));
                    }
                    v
                });
        }
        s.can_reassign = rights.reassign;
        if let (true, Some(unit)) = (rights.reassign, &rights.within) {
            let people = app.store.people(agency).await.unwrap_or_default();
            s.unit_people = people
                .into_iter()
                .filter(|p| p.active && p.unit_id.as_ref() == Some(unit))
                .map(|p| (p.id.to_string(), p.full_name))
                .collect();
        }
    }
    Some(s)
}

/// A posted form as its fields, repeated ones kept (co-handlers, to-know).
use super::form::{field, Fields};

use super::form::all;

use super::documents::refused_on_page;

fn back(id: &DocumentId) -> Response {
    Redirect::to(&format!("/documents/{id}")).into_response()
}

pub async fn assign(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let form = AssignForm {
        instruction: field(&f, "instruction").to_owned(),
        lead: field(&f, "lead").to_owned(),
        co: all(&f, "co"),
        info: all(&f, "info"),
        deadline: field(&f, "deadline").to_owned(),
        working_days: field(&f, "working_days").to_owned(),
    };
    match state.app.assign(&u.user.viewer, &id, &form).await {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "assign-form", f, e).await,
    }
}

pub async fn reassign(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let done = state
        .app
        .reassign(&u.user.viewer, &id, field(&f, "person_id"))
        .await;
    match done {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "reassign-form", f, e).await,
    }
}

pub async fn note(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let done = state
        .app
        .add_note(&u.user.viewer, &id, field(&f, "note"))
        .await;
    match done {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "note-form", f, e).await,
    }
}

pub async fn complete(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let form = CompleteForm {
        outcome: field(&f, "outcome").to_owned(),
        reply_document_id: field(&f, "reply_document_id").to_owned(),
    };
    if let Err(e) = state.app.complete(&u.user.viewer, &id, &form).await {
        return refused_on_page(state.clone(), u, &id, "complete-form", f, e).await;
    }
    // "Filed" may name the dossier it goes into (issue 10 §2), in the same form.
    let dossier = field(&f, "dossier").trim();
    if !dossier.is_empty() {
        let dossier = signet_core::ids::DossierId::new(dossier);
        state
            .app
            .file_into_dossier(&u.user.viewer, &dossier, &id)
            .await
            .map_err(|e| u.fail(e))?;
    }
    Ok(back(&id))
}

pub async fn extension(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let done = state
        .app
        .request_extension(
            &u.user.viewer,
            &id,
            field(&f, "deadline"),
            field(&f, "reason"),
        )
        .await;
    match done {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "extension-form", f, e).await,
    }
}

pub async fn decide(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .decide_extension(&u.user.viewer, &id, field(&f, "approve") == "1")
        .await
        .map_err(|e| u.fail(e))?;
    Ok(back(&id))
}

/// A note with files (a multipart form; `/notes` keeps taking plain forms).
pub async fn note_with_files(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))?;
        signet_core::document::check_text(
            "note",
            &f.get("note"),
            signet_app::processing::INSTRUCTION_MAX,
        )
        .map_err(AppError::from)
    };
    let (form, files) = match upload::read_keeping(app, v, mp, check).await {
        Ok(read) => read,
        Err((e, typed)) => {
            return refused_on_page(state.clone(), u, &id, "note-form", typed.pairs(), e).await
        }
    };
    match app
        .add_note_with_files(v, &id, &form.get("note"), files)
        .await
    {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "note-form", form.pairs(), e).await,
    }
}

pub async fn note_file(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, file_id)): Path<(DocumentId, FileId)>,
) -> Result<Response, WebError> {
    let (file, handle) = state
        .app
        .note_file(&u.user.viewer, &id, &file_id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(super::documents::file_response(&file, handle).await)
}

/// "Soạn văn bản trả lời": drafts the reply (with its file, when one is sent) and opens it.
pub async fn draft_reply(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))
    };
    let drafted = match upload::read(app, v, mp, check).await {
        Ok((_, files)) => app.draft_reply(v, &id, files).await,
        Err(e) => Err(e),
    };
    match drafted {
        Ok(reply) => Ok(Redirect::to(&format!("/documents/{}", reply.id)).into_response()),
        // The form is its file, which a refused form does not keep.
        Err(e) => refused_on_page(state.clone(), u, &id, "reply-form", vec![], e).await,
    }
}

/// The phiếu xử lý as a PDF download.
pub async fn slip(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
) -> Result<Response, WebError> {
    let pdf = state
        .app
        .processing_slip(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("inline; filename=\"phieu-xu-ly-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    l: Layout,
    /// Document id, deadline, subject, sender and notation, role, overdue.
    rows: Vec<(String, String, String, String, &'static str, bool)>,
    next: Option<String>,
    /// Requests for the viewer's opinion (leaders): document id, subject, who asked when.
    opinions: Vec<(String, String, String)>,
}

pub async fn queue(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let queue = state
        .app
        .work_queue(&u.user.viewer, q.after.as_deref(), 50)
        .await
        .map_err(|e| u.fail(e))?;
    let rows = queue
        .items
        .iter()
        .map(|i| {
            let d = &i.document;
            let from = format!(
                "{} · {}",
                d.author_name,
                d.notation.as_deref().unwrap_or_default()
            );
            (
                d.id.to_string(),
                t.date(&i.deadline),
                d.subject.clone(),
                from,
                role_label(t, i.role),
                i.deadline < queue.today,
            )
        })
        .collect();
    let waiting = state
        .app
        .opinions_waiting(&u.user.viewer, 50)
        .await
        .map_err(|e| u.fail(e))?;
    let mut opinions = Vec::new();
    for (o, d) in waiting {
        let who = name_of(
            &state,
            &u.user.viewer.agency_id,
            &Holder::Person(o.asked_by),
        )
        .await;
        opinions.push((
            d.id.to_string(),
            d.subject,
            format!("{who} · {}", format::datetime_ms(u.lang, o.at_ms)),
        ));
    }
    let page = QueuePage {
        opinions,
        rows,
        next: queue.next,
        l: Layout::of(&state, &u, "queue").await,
    };
    Ok(render(&page))
}
