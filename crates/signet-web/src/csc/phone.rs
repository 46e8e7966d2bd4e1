//! The holder's phone page, `/sign-requests`: their pending signing requests (what is
//! signed, by which application, how many hashes), approved with the credential's PIN or
//! rejected. New requests are announced by server-sent events (`/sign-requests/events`);
//! a small script served from `/static` reloads the list, and a web manifest makes the page
//! installable on a phone's home screen.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use futures_util::Stream;
use serde::Deserialize;
use signet_app::remote_signing::PendingRequest;
use tokio::sync::broadcast::error::RecvError;

use crate::pages::{render, Layout};
use crate::session::PageUser;
use crate::{AppState, WebError};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-requests", get(show))
        .route("/sign-requests/events", get(events))
        .route("/sign-requests/{id}/approve", post(approve))
        .route("/sign-requests/{id}/reject", post(reject))
        .route("/static/sign-requests.js", get(script))
        .route("/static/manifest.webmanifest", get(manifest))
        .route("/static/signet-icon.svg", get(icon))
        // Browsers ask for /favicon.ico whatever the page says: the same icon, not a 404.
        .route("/favicon.ico", get(icon))
}

struct Row {
    id: String,
    label: String,
    application: String,
    credential: String,
    hashes: usize,
    expires: String,
}

impl Row {
    fn of(r: PendingRequest, lang: crate::i18n::Lang) -> Self {
        Self {
            expires: crate::format::datetime_ms(lang, r.expires_at_ms),
            id: r.id,
            label: r.label,
            application: r.application,
            credential: r.credential_label,
            hashes: r.hashes,
        }
    }
}

#[derive(Template)]
#[template(path = "sign_requests.html")]
struct Page {
    l: Layout,
    requests: Vec<Row>,
    message: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: String,
}

async fn page(
    state: &AppState,
    u: &PageUser,
    message: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let requests = state
        .app
        .pending_sign_requests(&u.user.viewer)
        .await
        .map_err(|e| u.fail(e))?;
    let l = Layout::of(state, u, "sign-requests").await;
    Ok(render(&Page {
        l,
        requests: requests.into_iter().map(|r| Row::of(r, u.lang)).collect(),
        message,
        error,
    }))
}

async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let t = crate::i18n::Tr(u.lang);
    let message = match done.done.as_str() {
        "approved" => Some(t.pick("Đã ký.", "Signed.")),
        "rejected" => Some(t.pick("Đã từ chối.", "Rejected.")),
        _ => None,
    };
    page(&state, &u, message, None).await
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pin: String,
}

async fn approve(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ApproveForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    match state
        .app
        .approve_sign_request(&u.user.viewer, &id, &f.pin)
        .await
    {
        Ok(()) => Ok(Redirect::to("/sign-requests?done=approved").into_response()),
        // A wrong PIN, a locked credential, a request answered meanwhile: the list again,
        // with why.
        Err(e @ signet_app::AppError::Invalid(_)) => {
            let message = crate::error::page_message(&e, u.lang);
            let mut r = page(&state, &u, None, Some(message)).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(u.fail(e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn reject(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    state
        .app
        .reject_sign_request(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/sign-requests?done=rejected").into_response())
}

/// How long one event stream stays open: the browser reconnects by itself, and a server
/// shutting down waits for open streams, so none lives long.
const STREAM_FOR: Duration = Duration::from_secs(20);

/// `changed` whenever the signed-in person's requests change.
async fn events(
    State(state): State<AppState>,
    u: PageUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let me = u.user.viewer.person_id;
    let deadline = tokio::time::Instant::now() + STREAM_FOR;
    let rx = state.app.remote.subscribe();
    let stream = futures_util::stream::unfold(rx, move |mut rx| {
        let me = me.clone();
        async move {
            loop {
                let next = tokio::time::timeout_at(deadline, rx.recv()).await;
                match next {
                    Ok(Ok(p)) if p != me => continue,
                    Ok(Ok(_) | Err(RecvError::Lagged(_))) => {
                        let e = Event::default().event("changed").data("1");
                        return Some((Ok(e), rx));
                    }
                    Ok(Err(RecvError::Closed)) | Err(_) => return None,
                }
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/sign-requests.js"),
    )
}

async fn manifest() -> Response {
    asset(
        "application/manifest+json",
        include_str!("../../static/manifest.webmanifest"),
    )
}

async fn icon() -> Response {
    asset(
        "image/svg+xml",
        include_str!("../../static/signet-icon.svg"),
    )
}

#[derive(Template)]
#[template(path = "remote_credentials.html")]
struct LockedPage {
    l: Layout,
    locked: Vec<(String, String)>,
}

/// The administrator's list of the agency's locked credentials, each with an unlock button.
pub(crate) async fn locked(
    State(state): State<AppState>,
    u: PageUser,
) -> Result<Response, WebError> {
    let locked = state
        .app
        .locked_remote_credentials(&u.user.viewer)
        .await
        .map_err(|e| u.fail(e))?;
    let l = Layout::of(&state, &u, "admin").await;
    Ok(render(&LockedPage {
        l,
        locked: locked.into_iter().map(|c| (c.id, c.label)).collect(),
    }))
}

pub(crate) async fn unlock(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    state
        .app
        .unlock_remote_credential(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/admin/remote-credentials").into_response())
}
