//! Signing and issuing in batches (issue 9 §4): the leader's list of documents waiting for
//! their signature and the clerk's list of signed documents waiting to be issued, each with
//! check boxes and one action. Works without script: the server-held key takes the PIN in
//! the form. With script (`/static/signing.js`), the page also offers the leader's devices:
//! the USB token (every document prepared, the N digests signed by the local agent after one
//! PIN, each document completed) and the phone (one request of N hashes, approved once on
//! `/sign-requests`), through `/api/v1/signatures/prepare-batch` and `/signatures/remote`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use signet_app::AppError;
use signet_core::lifecycle::{DocumentState, OutgoingState, Step};
use signet_core::Direction;
use signet_core::DocumentId;
use signet_store::documents::ListFilter;

use super::admin::form_pairs;
use super::{form, render, Layout};
use crate::format;
use crate::session::PageUser;
use crate::{AppState, WebError};

/// One selectable document.
pub struct BatchRow {
    pub id: String,
    pub subject: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    l: Layout,
    to_sign: Vec<BatchRow>,
    to_issue: Vec<BatchRow>,
    /// The server-held key is allowed in the agency and this server has an HSM.
    server_key: bool,
    /// After an action: how many documents it completed.
    done: Option<usize>,
    /// A batch form refused: the selection kept (the PIN never), the problem beside it.
    refused: form::Refused,
}

impl BatchPage {
    /// Whether a document's box is ticked in `form`: all of them at first, as sent when
    /// that form was refused.
    fn ticked(&self, form: &str, id: &str) -> bool {
        !self.refused.is(form) || self.refused.chose(form, "document_ids", id)
    }
}

#[derive(Debug, Deserialize)]
pub struct BatchQuery {
    #[serde(default)]
    pub done: Option<usize>,
}

/// The documents in `state` on which the viewer may take `step`, oldest first.
async fn waiting(
    state: &AppState,
    u: &PageUser,
    outgoing: OutgoingState,
    step: Step,
) -> Result<Vec<BatchRow>, WebError> {
    let v = &u.user.viewer;
    let filter = ListFilter {
        state: Some(DocumentState::Outgoing(outgoing)),
        limit: signet_app::web_signing::MAX_BATCH as u32,
        ..Default::default()
    };
    let page = state
        .app
        .list(v, Direction::Outgoing, &filter)
        .await
        .map_err(|e| u.fail(e))?;
    let mut rows: Vec<BatchRow> = page
        .documents
        .iter()
        .filter(|d| state.app.allowed_steps(v, d).contains(&step))
        .map(|d| BatchRow {
            id: d.id.to_string(),
            subject: d.subject.clone(),
            created: format::datetime_ms(u.lang, d.created_at_ms),
        })
        .collect();
    rows.reverse();
    Ok(rows)
}

/// `GET /signing-batch`.
pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<BatchQuery>,
) -> Result<Response, WebError> {
    batch_page(state, u, q.done, form::Refused::none()).await
}

async fn batch_page(
    state: AppState,
    u: PageUser,
    done: Option<usize>,
    refused: form::Refused,
) -> Result<Response, WebError> {
    let to_sign = waiting(&state, &u, OutgoingState::Submitted, Step::Sign).await?;
    let to_issue = waiting(&state, &u, OutgoingState::Signed, Step::Issue).await?;
    let server_key = state
        .app
        .server_keys_enabled(&u.user.viewer)
        .await
        .map_err(|e| u.fail(e))?;
    let page = BatchPage {
        l: Layout::of(&state, &u, "signing-batch").await,
        to_sign,
        to_issue,
        server_key,
        done,
        refused,
    };
    let status = page.refused.status();
    Ok((status, super::signing::with_signing_csp(render(&page))).into_response())
}

/// A batch form's selection: the repeated `document_ids` (checked for the CSRF token) and
/// the PIN.
struct Selection {
    ids: Vec<DocumentId>,
    pin: String,
}

impl Selection {
    fn read(u: &PageUser, body: &str) -> Result<Self, WebError> {
        let pairs = form_pairs(body);
        u.check_csrf(form::field(&pairs, "csrf"))?;
        Ok(Self {
            ids: form::all(&pairs, "document_ids")
                .into_iter()
                .map(DocumentId::new)
                .collect(),
            pin: form::field(&pairs, "pin").to_owned(),
        })
    }

    /// Refused when nothing is chosen, or more than a batch.
    fn check(&self) -> Result<(), AppError> {
        let max = signet_app::web_signing::MAX_BATCH;
        if self.ids.is_empty() || self.ids.len() > max {
            return Err(AppError::Invalid(signet_app::Invalid::Body {
                detail: format!("chọn từ 1 đến {max} văn bản (select 1 to {max} documents)"),
            }));
        }
        Ok(())
    }

    /// What the refused form is shown again with: the documents chosen, never the PIN.
    fn typed(&self) -> form::Fields {
        self.ids
            .iter()
            .map(|id| ("document_ids".to_owned(), id.to_string()))
            .collect()
    }
}

/// A batch form refused: the page again with the selection kept, or an error page when the
/// refusal is not about what was chosen or typed.
async fn refused_batch(
    state: AppState,
    u: PageUser,
    form_id: &'static str,
    chosen: &Selection,
    e: AppError,
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, &[]) else {
        return Err(u.fail(e));
    };
    let refused = form::Refused::new(form_id, chosen.typed(), problem);
    batch_page(state, u, None, refused).await
}

/// `POST /signing-batch`: the leader signs the selection with the server-held key.
pub async fn sign(
    State(state): State<AppState>,
    u: PageUser,
    body: String,
) -> Result<Response, WebError> {
    let chosen = Selection::read(&u, &body)?;
    let signed = match chosen.check() {
        Ok(()) => {
            let app = &state.app;
            app.sign_with_server_key(&u.user.viewer, &chosen.ids, &chosen.pin)
                .await
        }
        Err(e) => Err(e),
    };
    match signed {
        Ok(docs) => {
            Ok(Redirect::to(&format!("/signing-batch?done={}", docs.len())).into_response())
        }
        Err(e) => refused_batch(state.clone(), u, "batch-sign-form", &chosen, e).await,
    }
}

/// `POST /issue-batch`: the clerk issues the selection (each numbered and sealed; stops at
/// the first refusal, the ones before it issued).
pub async fn issue(
    State(state): State<AppState>,
    u: PageUser,
    body: String,
) -> Result<Response, WebError> {
    let chosen = Selection::read(&u, &body)?;
    if let Err(e) = chosen.check() {
        return refused_batch(state.clone(), u, "batch-issue-form", &chosen, e).await;
    }
    for id in &chosen.ids {
        state
            .app
            .issue_step(&u.user.viewer, id)
            .await
            .map_err(|e| u.fail(e))?;
    }
    Ok(Redirect::to(&format!("/signing-batch?done={}", chosen.ids.len())).into_response())
}

/// `POST /documents/{id}/sign-server`: one document, from its page.
pub async fn sign_one(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    body: String,
) -> Result<Response, WebError> {
    let pairs = form_pairs(&body);
    u.check_csrf(form::field(&pairs, "csrf"))?;
    let pin = form::field(&pairs, "pin");
    let signed = state
        .app
        .sign_with_server_key(&u.user.viewer, std::slice::from_ref(&id), pin)
        .await;
    match signed {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        // A wrong PIN: the page again with the problem beside the PIN (never the PIN).
        Err(e) => {
            super::documents::refused_on_page(state.clone(), u, &id, "server-sign-form", vec![], e)
                .await
        }
    }
}
