//! Document pages: lists, new draft, incoming registration, detail, lifecycle steps,
//! file download.

use askama::Template;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::clock::iso_date;
use signet_app::documents::{ArrivalForm, DocumentForm};
use signet_app::{App, AppError};
use signet_core::document::{DocumentType, Secrecy, Urgency};
use signet_core::journal::Entry;
use signet_core::lifecycle::{DocumentState, IncomingState, OutgoingState, Step};
use signet_core::person::Viewer;
use signet_core::Direction;
use signet_core::{DocumentId, FileId};
use signet_store::directory::Unit;
use signet_store::documents::{Cursor, Document, ListFilter};

use super::form::{self, Problem, Values};
use super::{render, Choice, CsrfForm, Layout};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{upload, AppState, WebError};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default, rename = "type")]
    pub doc_type: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub after: String,
}

impl ListQuery {
    /// The store's filter; unknown values are refused rather than silently ignored.
    pub fn filter(&self, direction: Direction, limit: u32) -> Result<ListFilter, AppError> {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(ListFilter {
            text: opt(&self.q),
            created_by: None,
            doc_type: opt(&self.doc_type)
                .map(|t| DocumentType::parse(&t))
                .transpose()?,
            state: opt(&self.state)
                .map(|s| DocumentState::parse(direction, &s))
                .transpose()?,
            urgency: opt(&self.urgency).map(|u| Urgency::parse(&u)).transpose()?,
            year: opt(&self.year)
                .map(|y| {
                    y.parse().map_err(|_| {
                        AppError::Invalid(signet_app::Invalid::Year { value: y.clone() })
                    })
                })
                .transpose()?,
            after: opt(&self.after)
                .map(|c| {
                    Cursor::decode(&c).ok_or_else(|| AppError::Invalid(signet_app::Invalid::Cursor))
                })
                .transpose()?,
            limit,
        })
    }

    fn href(&self, base: &str, after: Option<&str>) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("type", &self.doc_type),
            ("state", &self.state),
            ("urgency", &self.urgency),
            ("year", &self.year),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", url_encode(v)));
            }
        }
        if let Some(a) = after {
            parts.push(format!("after={}", url_encode(a)));
        }
        if parts.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", parts.join("&"))
        }
    }
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub struct Row {
    pub id: String,
    pub notation: String,
    pub subject: String,
    pub doc_type: String,
    pub state: String,
    pub urgency: String,
    pub urgent: bool,
    pub secrecy: String,
    pub secret: bool,
    pub author: String,
    pub created: String,
}

fn state_label(t: Tr, d: &Document) -> String {
    t.pick(d.state.label_vi(), d.state.label_en()).to_owned()
}

pub(crate) fn row(t: Tr, d: &Document) -> Row {
    let notation = match (d.direction, &d.notation, d.number) {
        (Direction::Incoming, n, Some(num)) => format!(
            "{} {num} · {}",
            t.s("arrival_number"),
            n.clone().unwrap_or_default()
        ),
        (_, Some(n), _) => n.clone(),
        _ => "—".to_owned(),
    };
    Row {
        id: d.id.to_string(),
        notation,
        subject: d.subject.clone(),
        doc_type: t
            .pick(d.doc_type.name_vi(), d.doc_type.name_en())
            .to_owned(),
        state: state_label(t, d),
        urgency: t
            .pick(d.urgency.label_vi(), d.urgency.label_en())
            .to_owned(),
        urgent: d.urgency.is_urgent(),
        secrecy: t
            .pick(d.secrecy.label_vi(), d.secrecy.label_en())
            .to_owned(),
        secret: d.secrecy.is_secret(),
        author: d.author_name.clone(),
        created: match (&d.direction, &d.arrived_on) {
            (Direction::Incoming, Some(day)) => t.date(day),
            _ => t.when(&d.created_at_ms),
        },
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    l: Layout,
    heading: &'static str,
    base: &'static str,
    new_href: Option<&'static str>,
    new_label: &'static str,
    q: String,
    types: Vec<Choice>,
    states: Vec<Choice>,
    urgencies: Vec<Choice>,
    rows: Vec<Row>,
    date_label: &'static str,
    has_cursor: bool,
    first_href: String,
    next_href: Option<String>,
}

pub fn type_choices(t: Tr, current: &str) -> Vec<Choice> {
    DocumentType::ALL
        .iter()
        .map(|d| Choice::new(d.code(), t.pick(d.name_vi(), d.name_en()), current))
        .collect()
}

fn urgency_choices(t: Tr, current: &str) -> Vec<Choice> {
    Urgency::ALL
        .iter()
        .map(|u| Choice::new(u.code(), t.pick(u.label_vi(), u.label_en()), current))
        .collect()
}

async fn list(
    state: AppState,
    u: PageUser,
    q: ListQuery,
    direction: Direction,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let page = state
        .app
        .list(
            &u.user.viewer,
            direction,
            &q.filter(direction, 50).map_err(|e| u.fail(e))?,
        )
        .await
        .map_err(|e| u.fail(e))?;
    let (heading, base, nav) = match direction {
        Direction::Outgoing => (t.s("outgoing"), "/outgoing", "outgoing"),
        Direction::Incoming => (t.s("incoming"), "/incoming", "incoming"),
    };
    let states: Vec<Choice> = match direction {
        Direction::Outgoing => OutgoingState::ALL
            .iter()
            .map(|s| Choice::new(s.code(), t.pick(s.label_vi(), s.label_en()), &q.state))
            .collect(),
        Direction::Incoming => IncomingState::ALL
            .iter()
            .map(|s| Choice::new(s.code(), t.pick(s.label_vi(), s.label_en()), &q.state))
            .collect(),
    };
    let v = &u.user.viewer;
    let (new_href, new_label) = match direction {
        Direction::Outgoing if v.can_draft() => (Some("/outgoing/new"), t.s("new_draft")),
        Direction::Incoming if v.can_register() => (Some("/incoming/new"), t.s("new_incoming")),
        _ => (None, ""),
    };
    let next_href = page.next.as_ref().map(|c| q.href(base, Some(&c.encode())));
    let mut rows: Vec<Row> = page.documents.iter().map(|d| row(t, d)).collect();
    super::exchange::mark_recalled(&state, &u, &mut rows).await;
    let view = ListPage {
        l: Layout::of(&state, &u, nav).await,
        heading,
        base,
        new_href,
        new_label,
        types: type_choices(t, &q.doc_type),
        states,
        urgencies: urgency_choices(t, &q.urgency),
        rows,
        date_label: if direction == Direction::Incoming {
            t.s("arrived_on")
        } else {
            t.s("created")
        },
        has_cursor: !q.after.is_empty(),
        first_href: q.href(base, None),
        next_href,
        q: q.q,
    };
    Ok(render(&view))
}

pub async fn outgoing(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list(state, u, q, Direction::Outgoing).await
}

pub async fn incoming(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list(state, u, q, Direction::Incoming).await
}

#[derive(Template)]
#[template(path = "new_document.html")]
struct NewDocumentPage {
    l: Layout,
    heading: String,
    action: String,
    incoming: bool,
    /// A new version of an existing draft: its files are kept, new ones optional.
    editing: bool,
    types: Vec<Choice>,
    urgencies: Vec<Choice>,
    secrecies: Vec<Choice>,
    units: Vec<Choice>,
    max_mb: u64,
    /// What was typed (a refused form comes back with it).
    f: Values,
    problem: Option<Problem>,
}

/// The drafting unit is `drafting_unit_id` on this form; the use cases say `unit_id`.
const DOCUMENT_FIELDS: &[(&str, &str)] = &[("unit_id", "drafting_unit_id")];

async fn new_document(
    state: AppState,
    u: PageUser,
    incoming: bool,
    refused: Option<(Values, Problem)>,
) -> Result<Response, WebError> {
    document_form_page(state, u, incoming, None, refused).await
}

/// The values a draft's form starts from when revising it.
fn draft_values(d: &Document) -> Values {
    let mut f = Values::default();
    f.set("doc_type", d.doc_type.code());
    f.set("subject", &d.subject);
    f.set("urgency", d.urgency.code());
    f.set("secrecy", d.secrecy.code());
    f.set(
        "drafting_unit_id",
        d.drafting_unit_id.as_ref().map_or("", |x| x.as_str()),
    );
    f.set("pages", &d.pages.map(|p| p.to_string()).unwrap_or_default());
    f.set("recipients", &d.recipients);
    f.set("due_on", d.due_on.as_deref().unwrap_or(""));
    f
}

/// The form of a new document, or of a new version of the draft `editing`.
async fn document_form_page(
    state: AppState,
    u: PageUser,
    incoming: bool,
    editing: Option<&Document>,
    refused: Option<(Values, Problem)>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    if (incoming && !v.can_register()) || (!incoming && !v.can_draft()) {
        return Err(u.fail(AppError::Forbidden("this form")));
    }
    let units = state.app.units(v).await.map_err(|e| u.fail(e))?;
    let (f, problem) = match (refused, editing) {
        (Some((f, p)), _) => (f, Some(p)),
        (None, Some(d)) => (draft_values(d), None),
        (None, None) => {
            let mut f = Values::default();
            f.set("doc_type", DocumentType::CongVan.code());
            f.set("arrived_on", &iso_date(state.app.clock.today()));
            let own_unit = u.user.person.unit_id.as_ref().map_or("", |x| x.as_str());
            f.set("drafting_unit_id", own_unit);
            (f, None)
        }
    };
    let status = problem
        .as_ref()
        .map_or(axum::http::StatusCode::OK, Problem::status);
    let page = NewDocumentPage {
        l: Layout::of(&state, &u, if incoming { "incoming" } else { "outgoing" }).await,
        heading: match editing {
            Some(d) => format!(
                "{} — {} {}",
                t.pick("Sửa dự thảo", "Revise the draft"),
                t.pick("phiên bản", "version"),
                d.version + 1
            ),
            None if incoming => t.s("new_incoming").to_owned(),
            None => t.s("new_draft").to_owned(),
        },
        action: match editing {
            Some(d) => format!("/documents/{}/edit", d.id),
            None if incoming => "/incoming".to_owned(),
            None => "/outgoing".to_owned(),
        },
        incoming,
        editing: editing.is_some(),
        types: type_choices(t, f.get("doc_type")),
        urgencies: urgency_choices(t, f.get("urgency")),
        secrecies: Secrecy::ALL
            .iter()
            .map(|s| {
                Choice::new(
                    s.code(),
                    t.pick(s.label_vi(), s.label_en()),
                    f.get("secrecy"),
                )
            })
            .collect(),
        units: units
            .iter()
            .map(|x| {
                Choice::new(
                    x.id.as_str(),
                    &format!("{} ({})", x.name, x.abbreviation),
                    f.get("drafting_unit_id"),
                )
            })
            .collect(),
        max_mb: state.app.blobs.max_size() / (1024 * 1024),
        f,
        problem,
    };
    Ok((status, render(&page)).into_response())
}

/// A refused document form: the form again with what was typed, or an error page when
/// the refusal is not about the input (the session's token, the person's role).
async fn refused_form(
    state: AppState,
    u: PageUser,
    incoming: bool,
    e: AppError,
    typed: &upload::Form,
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, DOCUMENT_FIELDS) else {
        return Err(u.fail(e));
    };
    new_document(state, u, incoming, Some((typed.values(), problem))).await
}

/// `GET /documents/{id}/edit`: a returned (or not yet submitted) draft's form, to make a
/// new version.
pub async fn edit_draft(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
) -> Result<Response, WebError> {
    let doc = state
        .app
        .document(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    // Refused before the form is shown: someone else's draft, or one no longer a draft.
    state
        .app
        .check_revision(&u.user.viewer, &id, &typed_form(&doc))
        .await
        .map_err(|e| u.fail(e))?;
    document_form_page(state.clone(), u, false, Some(&doc), None).await
}

/// The form a draft as stored would give (to check a revision may start).
/// The draft's fields as they are now, as a form would send them.
pub(crate) fn typed_form(d: &Document) -> DocumentForm {
    let f = draft_values(d);
    DocumentForm {
        doc_type: f.get("doc_type").to_owned(),
        subject: f.get("subject").to_owned(),
        urgency: f.get("urgency").to_owned(),
        secrecy: f.get("secrecy").to_owned(),
        signer_name: String::new(),
        signer_position: String::new(),
        pages: f.get("pages").to_owned(),
        recipients: f.get("recipients").to_owned(),
        due_on: f.get("due_on").to_owned(),
        drafting_unit_id: f.get("drafting_unit_id").to_owned(),
    }
}

/// `POST /documents/{id}/edit`: the new version (metadata, and optionally a new main file
/// and appendices).
pub async fn revise_draft(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let doc = app.document(v, &id).await.map_err(|e| u.fail(e))?;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))?;
        app.check_document_form(v, &document_form(f))
    };
    let (form, files) = match upload::read_keeping(app, v, mp, check).await {
        Ok(read) => read,
        Err((e, typed)) => return refused_revision(state.clone(), u, &doc, e, &typed).await,
    };
    match app.revise_draft(v, &id, &document_form(&form), files).await {
        Ok(doc) => Ok(Redirect::to(&format!("/documents/{}#drafting", doc.id)).into_response()),
        Err(e) => refused_revision(state.clone(), u, &doc, e, &form).await,
    }
}

async fn refused_revision(
    state: AppState,
    u: PageUser,
    doc: &Document,
    e: AppError,
    typed: &upload::Form,
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, DOCUMENT_FIELDS) else {
        return Err(u.fail(e));
    };
    document_form_page(state, u, false, Some(doc), Some((typed.values(), problem))).await
}

pub async fn new_draft(State(state): State<AppState>, u: PageUser) -> Result<Response, WebError> {
    new_document(state, u, false, None).await
}

pub async fn new_incoming(
    State(state): State<AppState>,
    u: PageUser,
) -> Result<Response, WebError> {
    new_document(state, u, true, None).await
}

pub fn document_form(f: &upload::Form) -> DocumentForm {
    DocumentForm {
        doc_type: f.get("doc_type"),
        subject: f.get("subject"),
        urgency: f.get("urgency"),
        secrecy: f.get("secrecy"),
        signer_name: f.get("signer_name"),
        signer_position: f.get("signer_position"),
        pages: f.get("pages"),
        recipients: f.get("recipients"),
        due_on: f.get("due_on"),
        drafting_unit_id: f.get("drafting_unit_id"),
    }
}

pub fn arrival_form(f: &upload::Form) -> ArrivalForm {
    ArrivalForm {
        author_name: f.get("author_name"),
        author_code: f.get("author_code"),
        notation: f.get("notation"),
        issued_on: f.get("issued_on"),
        arrived_on: f.get("arrived_on"),
    }
}

/// Everything about a draft that can be known before its file is stored: who drafts, the
/// form, and the drafting unit (one of `units`, the agency's). `create_draft` checks it all
/// again; checking it first means a refused draft leaves no file behind.
pub fn check_draft(
    app: &App,
    viewer: &Viewer,
    units: &[Unit],
    f: &upload::Form,
) -> Result<(), AppError> {
    if !viewer.can_draft() {
        return Err(AppError::Forbidden("drafting documents"));
    }
    let form = document_form(f);
    app.check_document_form(viewer, &form)?;
    let unit = form.drafting_unit_id.trim();
    if !unit.is_empty() && !units.iter().any(|x| x.id == unit) {
        return Err(AppError::Invalid(signet_app::Invalid::UnknownUnit));
    }
    Ok(())
}

pub async fn create_draft(
    State(state): State<AppState>,
    u: PageUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let units = app.units(v).await.map_err(|e| u.fail(e))?;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))?;
        check_draft(app, v, &units, f)
    };
    let (form, files) = match upload::read_keeping(app, v, mp, check).await {
        Ok(read) => read,
        Err((e, typed)) => return refused_form(state.clone(), u, false, e, &typed).await,
    };
    if files.is_empty() {
        let e = AppError::Invalid(signet_app::Invalid::FileRequired);
        return refused_form(state.clone(), u, false, e, &form).await;
    }
    match app.create_draft(v, &document_form(&form), files).await {
        Ok(doc) => Ok(Redirect::to(&format!("/documents/{}", doc.id)).into_response()),
        Err(e) => refused_form(state.clone(), u, false, e, &form).await,
    }
}

pub async fn register_incoming(
    State(state): State<AppState>,
    u: PageUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))?;
        if !v.can_register() {
            return Err(AppError::Forbidden("registering incoming documents"));
        }
        app.check_document_form(v, &document_form(f))?;
        app.check_arrival_form(&arrival_form(f))
    };
    let (form, files) = match upload::read_keeping(app, v, mp, check).await {
        Ok(read) => read,
        Err((e, typed)) => return refused_form(state.clone(), u, true, e, &typed).await,
    };
    match app
        .register_incoming(v, &document_form(&form), &arrival_form(&form), files)
        .await
    {
        Ok(doc) => Ok(Redirect::to(&format!("/documents/{}", doc.id)).into_response()),
        Err(e) => refused_form(state.clone(), u, true, e, &form).await,
    }
}

pub struct FileRow {
    pub id: String,
    pub name: String,
    pub size: String,
    pub sha256: String,
    /// A PDF: its signatures can be checked (`/documents/{id}/files/{file}/verify`).
    pub is_pdf: bool,
}

pub struct HistoryRow {
    pub when: String,
    pub action: String,
    pub who: String,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    l: Layout,
    /// The document's labels, as its row in a list shows them.
    d: Row,
    direction: &'static str,
    meta: Vec<(&'static str, String)>,
    steps: Vec<(&'static str, &'static str)>,
    files: Vec<FileRow>,
    history: Vec<HistoryRow>,
    s: super::signing::SigningView,
    /// Incoming documents: the processing section (direction, handlers, notes, forms).
    p: Option<super::incoming::Section>,
    /// Outgoing documents: recipients, deliveries and the statuses received.
    x: Option<super::exchange::Section>,
    /// The dossiers the document is filed in, and the form to file it.
    k: super::dossiers::DossierBox,
    /// Invitations: the meeting (time, place, participants, materials).
    m: Option<super::meetings::Section>,
    /// A reply: the incoming document it answers (id, label).
    answers: Option<(String, String)>,
    /// The copies made of it, and the clerk's form to make one.
    c: super::copies::Section,
    /// Outgoing documents: the route, the reviews, the versions.
    dc: Option<super::drafting::Section>,
    /// A form of the page refused: shown again filled, with its problem (and its notice at
    /// the top of the page).
    refused: form::Refused,
}

pub fn human_size(n: i64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

fn action_label(t: Tr, action: &str) -> String {
    let (vi, en) = match action {
        "document.drafted" => ("Tạo dự thảo", "Draft created"),
        "document.submitted" => ("Trình ký", "Submitted for signing"),
        "document.signed" => ("Ký duyệt", "Signed"),
        "document.draft" => ("Trả lại dự thảo", "Returned to draft"),
        "document.reviewed" => ("Cho ý kiến duyệt", "Reviewed"),
        "document.revised" => ("Sửa dự thảo (phiên bản mới)", "Revised (new version)"),
        "document.issued" => ("Cấp số, ban hành", "Numbered and issued"),
        "document.numbered" => ("Lấy số, chờ đóng dấu", "Numbered, waiting for the seal"),
        "document.registered" => ("Vào sổ văn bản đến", "Registered as incoming"),
        "document.presented" => ("Trình lãnh đạo", "Presented to the leader"),
        "document.assigned" => ("Phân công xử lý", "Assigned"),
        "document.reassigned" => ("Giao lại trong đơn vị", "Re-assigned"),
        "document.processing" => ("Bắt đầu xử lý", "Processing started"),
        "document.note" => ("Ghi ý kiến xử lý", "Processing note"),
        "document.done" => ("Hoàn thành xử lý", "Processing completed"),
        "document.verdicts" => ("Ghi kết quả kiểm tra chữ ký", "Signature verdicts recorded"),
        "document.extension_requested" => ("Xin gia hạn", "Extension requested"),
        "document.extension_decided" => ("Cho ý kiến gia hạn", "Extension decided"),
        "copy.numbered" => ("Lấy số bản sao", "Copy numbered"),
        "copy.sealed" => ("Ký số bản sao", "Copy sealed"),
        "copy.failed" => ("Không ký được bản sao", "Copy seal failed"),
        "copy.retried" => ("Ký lại bản sao", "Copy sealed again"),
        other => (other, other),
    };
    t.pick(vi, en).to_owned()
}

/// The buttons of the document page: the steps `App::allowed_steps` gives this viewer.
fn steps(t: Tr, app: &App, u: &PageUser, d: &Document) -> Vec<(&'static str, &'static str)> {
    app.allowed_steps(&u.user.viewer, d)
        .into_iter()
        // The leader signs with a device (the signing panel), not with a bare button; a
        // draft is submitted and returned through the drafting section's forms (a route,
        // a reason).
        .filter(|s| !matches!(s, Step::Sign | Step::Submit | Step::Return))
        .map(|s| (s.code(), t.s(s.code())))
        .collect()
}

fn meta(t: Tr, d: &Document) -> Vec<(&'static str, String)> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".to_owned());
    let date = |s: &Option<String>| s.as_deref().map_or_else(|| "—".to_owned(), |x| t.date(x));
    let mut m = vec![
        (
            t.s("type"),
            t.pick(d.doc_type.name_vi(), d.doc_type.name_en())
                .to_owned(),
        ),
        (t.s("notation"), opt(&d.notation)),
    ];
    if d.direction == Direction::Incoming {
        m.push((
            t.s("arrival_number"),
            d.number.map(|n| n.to_string()).unwrap_or_default(),
        ));
        m.push((t.s("arrived_on"), date(&d.arrived_on)));
        m.push((
            t.s("author"),
            format!("{} {}", d.author_name, d.author_code_text())
                .trim()
                .to_owned(),
        ));
    }
    m.extend([
        (t.s("issued_on"), date(&d.issued_on)),
        (
            t.s("signer"),
            format!("{} {}", d.signer_position, d.signer_name)
                .trim()
                .to_owned(),
        ),
        (
            t.s("urgency"),
            t.pick(d.urgency.label_vi(), d.urgency.label_en())
                .to_owned(),
        ),
        (
            t.s("secrecy"),
            t.pick(d.secrecy.label_vi(), d.secrecy.label_en())
                .to_owned(),
        ),
        (
            t.s("pages"),
            d.pages.map(|p| p.to_string()).unwrap_or_default(),
        ),
        (t.s("recipients"), d.recipients.clone()),
        (t.s("due_on"), date(&d.due_on)),
        (t.s("created"), t.when(&d.created_at_ms)),
    ]);
    m
}

async fn history(state: &AppState, t: Tr, entries: &[Entry]) -> Vec<HistoryRow> {
    let mut out = Vec::new();
    for e in entries {
        let who = match state.app.store.person(&e.actor.as_str().into()).await {
            Ok(p) => p.full_name,
            Err(_) => e.actor.clone(),
        };
        out.push(HistoryRow {
            when: format::datetime_ms(t.0, e.at_ms),
            action: action_label(t, &e.action),
            who,
        });
    }
    out
}

/// The incoming document an outgoing reply answers, as its link's id and label.
async fn answered(state: &AppState, u: &PageUser, d: &Document) -> Option<(String, String)> {
    if d.direction != Direction::Outgoing {
        return None;
    }
    let a = state
        .app
        .answered_document(&u.user.viewer, &d.id)
        .await
        .ok()
        .flatten()?;
    let label = match &a.notation {
        Some(n) => format!("{n} · {}", a.subject),
        None => a.subject.clone(),
    };
    Some((a.id.to_string(), label))
}

pub async fn detail(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
) -> Result<Response, WebError> {
    detail_page(state, u, &id, form::Refused::none()).await
}

/// A form of the document page refused with `e`: the page again, the form filled with what
/// was `typed` and the problem beside its field — or an error page, when the refusal is not
/// about what was typed (who asks, the document's state).
pub(crate) async fn refused_on_page(
    state: AppState,
    u: PageUser,
    id: &DocumentId,
    form_id: &'static str,
    typed: form::Fields,
    e: AppError,
) -> Result<Response, WebError> {
    refused_with_aliases(state, u, id, form_id, typed, e, &[]).await
}

/// [`refused_on_page`] for a form whose inputs are named otherwise than the use case's
/// fields (`scan` for `file`).
pub(crate) async fn refused_with_aliases(
    state: AppState,
    u: PageUser,
    id: &DocumentId,
    form_id: &'static str,
    typed: form::Fields,
    e: AppError,
    aliases: &[(&'static str, &'static str)],
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, aliases) else {
        return Err(u.fail(e));
    };
    detail_page(state, u, id, form::Refused::new(form_id, typed, problem)).await
}

async fn detail_page(
    state: AppState,
    u: PageUser,
    id: &DocumentId,
    r: form::Refused,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let view = state
        .app
        .document_view(&u.user.viewer, id)
        .await
        .map_err(|e| u.fail(e))?;
    let d = &view.document;
    let status = r.status();
    let page = DetailPage {
        refused: r,
        d: row(t, d),
        direction: if d.direction == Direction::Incoming {
            t.s("incoming")
        } else {
            t.s("outgoing")
        },
        meta: meta(t, d),
        steps: steps(t, &state.app, &u, d),
        files: view
            .files
            .iter()
            .map(|f| FileRow {
                id: f.id.to_string(),
                name: f.file_name.clone(),
                size: human_size(f.size),
                sha256: f.sha256.clone(),
                is_pdf: f.content_type == "application/pdf",
            })
            .collect(),
        history: history(&state, t, &view.history).await,
        s: super::signing::view(&state, &u, d).await,
        p: super::incoming::section(&state, &u, d).await,
        x: super::exchange::section(&state, &u, d).await,
        k: super::dossiers::dossier_box(&state, &u, &d.id).await,
        m: super::meetings::section(&state, &u, d).await,
        answers: answered(&state, &u, d).await,
        c: super::copies::section(&state, &u, d).await,
        dc: super::drafting::section(&state, &u, d).await,
        l: Layout::of(
            &state,
            &u,
            if d.direction == Direction::Incoming {
                "incoming"
            } else {
                "outgoing"
            },
        )
        .await,
    };
    let mut response = super::signing::with_signing_csp(render(&page));
    *response.status_mut() = status;
    Ok(response)
}

pub async fn step(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, step)): Path<(DocumentId, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let step = Step::parse(&step).ok_or_else(|| u.fail(AppError::NotFound))?;
    state
        .app
        .take_step(&u.user.viewer, &id, step)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to(&format!("/documents/{id}")).into_response())
}

/// Streams a stored file back, in chunks, with its original name.
pub async fn file_response(
    file: &signet_store::documents::DocumentFile,
    handle: tokio::fs::File,
) -> Response {
    file_response_ranged(file, handle, None).await
}

/// [`file_response`], serving the one byte range a `Range` header asks for (206), or 416
/// when it lies outside the file (see [`crate::ranges`]).
pub async fn file_response_ranged(
    file: &signet_store::documents::DocumentFile,
    mut handle: tokio::fs::File,
    range: Option<&str>,
) -> Response {
    use axum::http::header::{ACCEPT_RANGES, CONTENT_RANGE};
    use axum::http::StatusCode;
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let size = u64::try_from(file.size).unwrap_or(0);
    let (status, start, len) = match crate::ranges::wanted(range, size) {
        crate::ranges::Wanted::Whole => (StatusCode::OK, 0, size),
        crate::ranges::Wanted::Part { start, end } => {
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        crate::ranges::Wanted::Unsatisfiable => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response();
        }
    };
    if start > 0 && handle.seek(std::io::SeekFrom::Start(start)).await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let stream = futures_util::stream::unfold(handle.take(len), |mut h| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match h.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), h))
            }
            Err(e) => Some((Err(e), h)),
        }
    });
    let ascii: String = signet_core::text::strip_diacritics(&file.file_name)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        url_encode(&file.file_name)
    );
    let mut response = (
        status,
        [
            (CONTENT_TYPE, file.content_type.clone()),
            (CONTENT_LENGTH, len.to_string()),
            (CONTENT_DISPOSITION, disposition),
            (ACCEPT_RANGES, "bytes".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response();
    if status == StatusCode::PARTIAL_CONTENT {
        let value = format!("bytes {start}-{}/{size}", start + len - 1);
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(CONTENT_RANGE, v);
        }
    }
    response
}

pub async fn download(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, file_id)): Path<(DocumentId, FileId)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let (file, handle) = state
        .app
        .document_download(&u.user.viewer, &id, &file_id)
        .await
        .map_err(|e| u.fail(e))?;
    let range = headers
        .get(axum::http::header::RANGE)
        .and_then(|v| v.to_str().ok());
    Ok(file_response_ranged(&file, handle, range).await)
}
