//! The province's other systems on the pages (issue 14 §5): the administrator's
//! "Kết nối hệ thống khác" (webhook subscribers, the secret shown once at creation, the
//! delivery log with replay, the document types sealed without a clerk) and the clerk's
//! "Yêu cầu đóng dấu" (approve or reject the PDFs other systems send to be sealed).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_core::document::DocumentType;
use signet_store::webhooks::EVENTS;

use super::certificates::attachment;
use super::{render, Layout};
use crate::format;
use crate::session::PageUser;
use crate::{AppState, WebError};

use super::form::{self, all, field, Fields};

#[derive(Deserialize)]
pub struct StateQuery {
    #[serde(default)]
    state: String,
}

/// A subscriber as listed (never its secret).
pub struct SubscriberRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub active: bool,
    pub created: String,
}

/// A delivery as listed.
pub struct DeliveryRow {
    pub id: String,
    pub event: String,
    pub url: String,
    pub state: String,
    pub attempts: i64,
    pub status: String,
    pub error: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "integrations.html")]
struct IntegrationsPage {
    l: Layout,
    filter: String,
    events: Vec<&'static str>,
    subscribers: Vec<SubscriberRow>,
    deliveries: Vec<DeliveryRow>,
    /// (code, name, sealed automatically)
    types: Vec<(&'static str, &'static str, bool)>,
    /// The subscriber just created and its secret: shown this once.
    created: Option<(String, String)>,
    /// The subscription form refused: shown again as typed, the problem beside its field.
    refused: form::Refused,
}

impl IntegrationsPage {
    /// Whether the event's box is ticked: all of them on a new form, as sent on a refused one.
    fn ticked(&self, event: &str) -> bool {
        !self.refused.is("webhook-form") || self.refused.chose("webhook-form", "events", event)
    }
}

async fn page(
    state: &AppState,
    u: &PageUser,
    filter: String,
    created: Option<(String, String)>,
    refused: form::Refused,
) -> Result<Response, WebError> {
    let viewer = &u.user.viewer;
    let app = &state.app;
    let subscribers = app
        .webhook_subscribers(viewer)
        .await
        .map_err(|e| u.fail(e))?;
    let log = app
        .webhook_log(viewer, Some(filter.as_str()))
        .await
        .map_err(|e| u.fail(e))?;
    let auto = app.auto_seal_types(viewer).await.map_err(|e| u.fail(e))?;
    let en = u.lang == crate::i18n::Lang::En;
    let page = IntegrationsPage {
        l: Layout::of(state, u, "admin").await,
        filter,
        events: EVENTS.to_vec(),
        subscribers: subscribers
            .into_iter()
            .map(|s| SubscriberRow {
                id: s.id,
                url: s.url,
                events: s.events.join(" "),
                active: s.active,
                created: format::datetime_ms(u.lang, s.created_at_ms),
            })
            .collect(),
        deliveries: log
            .into_iter()
            .map(|d| DeliveryRow {
                id: d.id,
                event: d.event,
                url: d.url,
                state: d.state,
                attempts: d.attempts,
                status: d.last_status.map(|s| s.to_string()).unwrap_or_default(),
                error: d.last_error.unwrap_or_default(),
                created: format::datetime_ms(u.lang, d.created_at_ms),
            })
            .collect(),
        types: DocumentType::ALL
            .iter()
            .map(|t| {
                let name = if en { t.name_en() } else { t.name_vi() };
                (t.code(), name, auto.contains(t))
            })
            .collect(),
        created,
        refused,
    };
    Ok((page.refused.status(), render(&page)).into_response())
}

/// "Kết nối hệ thống khác" (administrators).
pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<StateQuery>,
) -> Result<Response, WebError> {
    page(
        &state,
        &u,
        q.state.trim().to_owned(),
        None,
        form::Refused::none(),
    )
    .await
}

/// Subscribes a URL; the answer is the page with the secret, shown this once.
pub async fn subscribe(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let subscribed = state
        .app
        .subscribe_webhook(&u.user.viewer, field(&f, "url"), &all(&f, "events"))
        .await;
    match subscribed {
        Ok(created) => {
            let shown = (created.subscriber.url, created.secret);
            page(
                &state,
                &u,
                String::new(),
                Some(shown),
                form::Refused::none(),
            )
            .await
        }
        Err(e) if form::is_about_input(&e) => {
            let problem = form::problem(&e, u.lang, &[]);
            let refused = form::Refused::new("webhook-form", f, problem);
            page(&state, &u, String::new(), None, refused).await
        }
        Err(e) => Err(u.fail(e)),
    }
}

fn to_page() -> Response {
    Redirect::to("/admin/integrations").into_response()
}

pub async fn remove(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .remove_webhook(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(to_page())
}

pub async fn replay(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .replay_webhook(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/admin/integrations#webhook-log").into_response())
}

/// The document types sealed without a clerk's approval.
pub async fn set_auto_seal(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .set_auto_seal_types(&u.user.viewer, &all(&f, "types"))
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/admin/integrations#auto-seal").into_response())
}

/// A seal request as listed.
pub struct RequestRow {
    pub id: String,
    pub reference: String,
    pub doc_type: String,
    pub file_name: String,
    pub state: String,
    pub reason: String,
    pub created: String,
    pub open: bool,
    pub sealed: bool,
}

#[derive(Template)]
#[template(path = "seal_requests.html")]
struct SealRequestsPage {
    l: Layout,
    filter: String,
    requests: Vec<RequestRow>,
    /// A rejection refused: the reason typed kept in that request's row.
    refused: form::Refused,
}

/// "Yêu cầu đóng dấu" (clerks).
pub async fn seal_requests(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<StateQuery>,
) -> Result<Response, WebError> {
    requests_page(&state, &u, q.state.trim().to_owned(), form::Refused::none()).await
}

async fn requests_page(
    state: &AppState,
    u: &PageUser,
    filter: String,
    refused: form::Refused,
) -> Result<Response, WebError> {
    let list = state
        .app
        .seal_requests(&u.user.viewer, Some(filter.as_str()))
        .await
        .map_err(|e| u.fail(e))?;
    let en = u.lang == crate::i18n::Lang::En;
    let page = SealRequestsPage {
        l: Layout::of(state, u, "exchange").await,
        filter,
        requests: list
            .into_iter()
            .map(|r| RequestRow {
                open: r.state == "pending" || r.state == "failed",
                sealed: r.state == "sealed",
                doc_type: DocumentType::parse(&r.doc_type)
                    .map(|t| if en { t.name_en() } else { t.name_vi() })
                    .unwrap_or_default()
                    .to_owned(),
                id: r.id,
                reference: r.reference,
                file_name: r.file_name,
                state: r.state,
                reason: r.reason,
                created: format::datetime_ms(u.lang, r.created_at_ms),
            })
            .collect(),
        refused,
    };
    Ok((page.refused.status(), render(&page)).into_response())
}

fn to_requests() -> Response {
    Redirect::to("/seal-requests").into_response()
}

pub async fn approve(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .approve_seal_request(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(to_requests())
}

pub async fn reject(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let rejected = state
        .app
        .reject_seal_request(&u.user.viewer, &id, field(&f, "reason"))
        .await;
    match rejected {
        Ok(_) => Ok(to_requests()),
        Err(e) if form::is_about_input(&e) => {
            let problem = form::problem(&e, u.lang, &[]);
            let typed = vec![
                ("request".to_owned(), id),
                ("reason".to_owned(), field(&f, "reason").to_owned()),
            ];
            let refused = form::Refused::new("reject-form", typed, problem);
            requests_page(&state, &u, String::new(), refused).await
        }
        Err(e) => Err(u.fail(e)),
    }
}

/// The file as sent (`source`) or as sealed (`sealed`).
pub async fn file(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, which)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let viewer = &u.user.viewer;
    let (name, bytes) = match which.as_str() {
        "source" => app.seal_request_source(viewer, &id).await,
        "sealed" => app.sealed_file(viewer, &id).await,
        _ => Err(signet_app::AppError::NotFound),
    }
    .map_err(|e| u.fail(e))?;
    Ok(attachment("application/pdf", &ascii_name(&name), bytes))
}

/// A file name for Content-Disposition: ASCII, no quotes.
pub fn ascii_name(name: &str) -> String {
    signet_core::text::strip_diacritics(name)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
