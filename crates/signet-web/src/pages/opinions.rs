//! Asking a leader for an opinion on an incoming document, and the leader's answer, from
//! the document's page (issue 10 §1).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_core::DocumentId;

use super::documents::refused_on_page;
use crate::session::PageUser;
use crate::{AppState, WebError};

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    question: String,
}

pub async fn ask(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<AskForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let done = state
        .app
        .ask_opinion(&u.user.viewer, &id, &f.leader, &f.question)
        .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}#opinions")).into_response()),
        Err(e) => {
            let typed = vec![
                ("leader".to_owned(), f.leader.clone()),
                ("question".to_owned(), f.question.clone()),
            ];
            refused_on_page(state.clone(), u, &id, "ask-form", typed, e).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, request)): Path<(DocumentId, String)>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let answered = state
        .app
        .answer_opinion(&u.user.viewer, &id, &request, &f.answer)
        .await;
    match answered {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}#opinions")).into_response()),
        Err(e) => {
            // The request's id tells the page which of the answer forms was refused.
            let typed = vec![
                ("request".to_owned(), request),
                ("answer".to_owned(), f.answer),
            ];
            refused_on_page(state.clone(), u, &id, "answer-form", typed, e).await
        }
    }
}
