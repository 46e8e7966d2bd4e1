//! The exchange on the pages: on an outgoing document, its recipients (before issue) and,
//! per recipient, the delivery and the timeline of statuses with their "verified" mark; the
//! clerk's page "Liên thông" with the received documents (register, return) and the send log
//! (filter by state, retry an undeliverable consignment); a status packet downloadable as a
//! delivery receipt (`signet edxml inspect` checks it).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_core::{Direction, DocumentId};
use signet_store::documents::Document;

use super::{render, Layout};
use crate::format;
use crate::session::PageUser;
use crate::{AppState, WebError};

use super::documents::refused_on_page;
use super::form::{self, field, Fields};

/// One recipient's delivery on the document page.
pub struct Delivery {
    pub consignment: String,
    pub code: String,
    pub name: String,
    pub state: String,
    pub error: String,
    pub undeliverable: bool,
    /// (code, meaning, time, verified, reason, consignment of the status packet)
    pub statuses: Vec<(String, String, String, bool, String, String)>,
}

/// The exchange section of a document's page: for an outgoing document, its recipients,
/// deliveries, recall and what it updates or replaces; for an incoming one that came through
/// the exchange, the received packet ([`Received`]).
pub struct Section {
    pub issued: bool,
    pub can_edit: bool,
    pub recipients: String,
    pub deliveries: Vec<Delivery>,
    /// The clerk may recall it (issued, sent, not recalled yet).
    pub can_recall: bool,
    /// (reason, when) once recalled.
    pub recall: Option<(String, String)>,
    /// (`update` or `replace`, the earlier document's notation, its id).
    pub supersedes: Option<(String, String, String)>,
    pub received: Option<Received>,
}

/// An incoming document's packet: who sent it, whether it was recalled, and the received
/// documents it is linked to.
pub struct Received {
    pub sender: String,
    pub state: String,
    pub reason: String,
    /// `new`, `update`, `replace`, with the earlier document's notation.
    pub business: String,
    pub original_notation: String,
    /// `updated` or `replaced` by a later document.
    pub superseded: String,
    pub links: Vec<Link>,
}

/// A received document linked to another.
pub struct Link {
    /// `original` (this one updates or replaces it), `update` or `replace` (it supersedes
    /// this one).
    pub how: String,
    pub notation: String,
    pub document: Option<String>,
}

/// The section for a document the viewer may read: outgoing ones, and incoming ones that
/// came through the exchange.
pub async fn section(state: &AppState, u: &PageUser, d: &Document) -> Option<Section> {
    if d.direction != Direction::Outgoing {
        return received_section(state, u, d).await;
    }
    let viewer = &u.user.viewer;
    let app = &state.app;
    let issued = d.notation.is_some();
    let recipients = app.recipients(viewer, &d.id).await.unwrap_or_default();
    let view = app.exchange_of(viewer, &d.id).await.ok()?;
    let lineage = app.lineage(viewer, &d.id).await.unwrap_or_default();
    let deliveries = view
        .consignments
        .iter()
        .map(|c| Delivery {
            consignment: c.id.clone(),
            code: c.peer_code.clone(),
            name: c.peer_name.clone(),
            state: c.state.clone(),
            error: c.last_error.clone().unwrap_or_default(),
            undeliverable: c.state == "undeliverable",
            statuses: view
                .statuses
                .iter()
                .filter(|s| s.recipient_code == c.peer_code)
                .map(|s| {
                    (
                        s.status_code.clone(),
                        signet_app::exchange::status_meaning(&s.status_code)
                            .unwrap_or("")
                            .to_owned(),
                        format::datetime_ms(u.lang, s.received_at_ms),
                        s.verified,
                        s.reason.clone(),
                        s.consignment_id.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    let sent = view.consignments.iter().any(|c| c.state != "undeliverable");
    Some(Section {
        issued,
        can_recall: issued && sent && lineage.recall.is_none() && viewer.can_register(),
        recall: lineage
            .recall
            .map(|r| (r.reason, format::datetime_ms(u.lang, r.recalled_at_ms))),
        supersedes: lineage
            .supersedes
            .map(|(s, notation)| (s.kind, notation, s.original_id.to_string())),
        received: None,
        can_edit: !issued && viewer.can_register() && !d.secrecy.is_secret(),
        recipients: recipients
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        deliveries,
    })
}

/// The section of an incoming document that came through the exchange.
async fn received_section(state: &AppState, u: &PageUser, d: &Document) -> Option<Section> {
    let copy = state
        .app
        .received_copy(&u.user.viewer, &d.id)
        .await
        .ok()??;
    let a = &copy.arrived;
    let links = copy
        .links
        .iter()
        .map(|l| Link {
            how: if a.original_id.as_deref() == Some(l.id.as_str()) {
                "original".into()
            } else {
                l.business.clone()
            },
            notation: l.notation.clone(),
            document: l.document_id.as_ref().map(ToString::to_string),
        })
        .collect();
    Some(Section {
        issued: false,
        can_edit: false,
        recipients: String::new(),
        deliveries: Vec::new(),
        can_recall: false,
        recall: None,
        supersedes: None,
        received: Some(Received {
            sender: format!("{} ({})", a.sender_name, a.sender_code),
            state: a.state.clone(),
            reason: a.reason.clone(),
            business: a.business.clone(),
            original_notation: a.original_notation.clone(),
            superseded: a.superseded.clone(),
            links,
        }),
    })
}

/// Adds "recalled" to the state of the listed documents that were recalled (by their sender,
/// or by this agency), so a list shows it as the page does.
pub async fn mark_recalled(state: &AppState, u: &PageUser, rows: &mut [super::documents::Row]) {
    let ids: Vec<DocumentId> = rows.iter().map(|r| DocumentId::new(&r.id)).collect();
    let recalled = state
        .app
        .recalled_among(&u.user.viewer, &ids)
        .await
        .unwrap_or_default();
    let word = crate::i18n::Tr(u.lang).pick("Đã bị thu hồi", "Recalled");
    for r in rows.iter_mut() {
        if recalled.iter().any(|d| d.as_str() == r.id) {
            r.state = format!("{} · {word}", r.state);
        }
    }
}

fn back(id: &DocumentId) -> Response {
    Redirect::to(&format!("/documents/{id}#exchange")).into_response()
}

/// The clerk sets the recipients (agency codes separated by spaces, commas or lines).
pub async fn set_recipients(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let codes: Vec<String> = field(&f, "recipients")
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    match state.app.set_recipients(&u.user.viewer, &id, &codes).await {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "recipients-form", f, e).await,
    }
}

/// The clerk recalls an issued document from its recipients, with a reason.
pub async fn recall(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let done = state
        .app
        .recall(&u.user.viewer, &id, field(&f, "reason"))
        .await;
    match done {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "recall-form", f, e).await,
    }
}

/// The clerk marks a draft as the update or the replacement of an issued document (by its
/// number and notation; empty: no link).
pub async fn supersedes(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let done = state
        .app
        .set_supersedes(
            &u.user.viewer,
            &id,
            field(&f, "kind"),
            field(&f, "original"),
        )
        .await;
    match done {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "supersedes-form", f, e).await,
    }
}

#[derive(Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    state: String,
}

/// A received document as listed.
pub struct InboxRow {
    pub id: String,
    pub sender: String,
    pub notation: String,
    pub subject: String,
    pub received: String,
    pub state: String,
    pub verdict: String,
    pub reason: String,
    pub document: Option<String>,
    pub arrived: bool,
    /// `new`, `update`, `replace`, with the earlier document's notation.
    pub business: String,
    pub original_notation: String,
    /// `updated` or `replaced` by a later document.
    pub superseded: String,
}

/// A consignment as listed.
pub struct LogRow {
    pub id: String,
    pub kind: String,
    pub peer: String,
    pub code: String,
    pub document: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub error: String,
    pub created: String,
    pub undeliverable: bool,
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    l: Layout,
    filter: String,
    inbox: Vec<InboxRow>,
    log: Vec<LogRow>,
    /// A return form refused: the page again, the reason typed kept in that row.
    refused: form::Refused,
}

/// "Liên thông": received documents and the send log.
pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<LogQuery>,
) -> Result<Response, WebError> {
    show_page(state, u, q.state.trim().to_owned(), form::Refused::none()).await
}

async fn show_page(
    state: AppState,
    u: PageUser,
    filter: String,
    refused: form::Refused,
) -> Result<Response, WebError> {
    let viewer = &u.user.viewer;
    let inbox = state
        .app
        .exchange_inbox(viewer, None)
        .await
        .map_err(|e| u.fail(e))?;
    let log = state
        .app
        .send_log(viewer, Some(filter.as_str()))
        .await
        .map_err(|e| u.fail(e))?;
    let page = ExchangePage {
        l: Layout::of(&state, &u, "exchange").await,
        filter,
        inbox: inbox
            .into_iter()
            .map(|a| InboxRow {
                arrived: a.state == "arrived",
                id: a.id,
                sender: format!("{} ({})", a.sender_name, a.sender_code),
                notation: a.notation,
                subject: a.subject,
                received: format::datetime_ms(u.lang, a.received_at_ms),
                state: a.state,
                verdict: a.verdict,
                reason: a.reason,
                document: a.document_id.map(|d| d.to_string()),
                business: a.business,
                original_notation: a.original_notation,
                superseded: a.superseded,
            })
            .collect(),
        log: log
            .into_iter()
            .map(|c| LogRow {
                undeliverable: c.state == "undeliverable",
                id: c.id,
                kind: c.kind,
                peer: format!("{} ({})", c.peer_name, c.peer_code),
                code: c.status_code.unwrap_or_default(),
                document: c.document_id.map(|d| d.to_string()),
                state: c.state,
                attempts: c.attempts,
                error: c.last_error.unwrap_or_default(),
                created: format::datetime_ms(u.lang, c.created_at_ms),
            })
            .collect(),
        refused,
    };
    Ok((page.refused.status(), render(&page)).into_response())
}

fn to_page() -> Response {
    Redirect::to("/exchange").into_response()
}

/// The clerk registers a received document (status 03).
pub async fn register(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let doc = state
        .app
        .register_arrived(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to(&format!("/documents/{}", doc.id)).into_response())
}

/// The clerk returns a received document with a reason (status 02).
pub async fn give_back(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let returned = state
        .app
        .return_arrived(&u.user.viewer, &id, field(&f, "reason"))
        .await;
    match returned {
        Ok(_) => Ok(to_page()),
        Err(e) if form::is_about_input(&e) => {
            let problem = form::problem(&e, u.lang, &[]);
            // The arrival's id tells the page which row's form was refused.
            let typed = vec![
                ("arrival".to_owned(), id),
                ("reason".to_owned(), field(&f, "reason").to_owned()),
            ];
            let refused = form::Refused::new("return-arrived-form", typed, problem);
            show_page(state.clone(), u, String::new(), refused).await
        }
        Err(e) => Err(u.fail(e)),
    }
}

/// The clerk retries an undeliverable consignment.
pub async fn retry(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .retry_consignment(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    let doc = field(&f, "document");
    if doc.is_empty() {
        Ok(to_page())
    } else {
        Ok(back(&DocumentId::new(doc)))
    }
}

/// A received status packet as evidence (a delivery receipt), as it arrived.
pub async fn receipt(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, consignment)): Path<(DocumentId, String)>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .status_receipt(&u.user.viewer, &id, &consignment)
        .await
        .map_err(|e| u.fail(e))?;
    let name = format!("attachment; filename=\"receipt-{consignment}.edxml\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response())
}
