//! A person changes their own password; after an administrator's reset they must, before
//! any other page opens.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::form::{self, Problem};
use super::{render, Layout};
use crate::session::PageUser;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    must_change: bool,
    done: bool,
    problem: Option<Problem>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn page(state: &AppState, u: &PageUser, done: bool, problem: Option<Problem>) -> Response {
    let status = problem.as_ref().map_or(StatusCode::OK, Problem::status);
    let page = PasswordPage {
        l: Layout::of(state, u, "").await,
        must_change: u.user.person.must_change_password,
        done,
        problem,
    };
    (status, render(&page)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<DoneQuery>,
) -> Response {
    page(&state, &u, q.done == "1", None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// Passwords are never shown back: a refused form comes back empty, the problem beside
/// the field it is about.
pub async fn change(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let changed = state
        .app
        .change_own_password(&u.user, &u.token, &f.current, &f.new, &f.repeat)
        .await;
    match changed {
        Ok(()) if u.user.person.must_change_password => Ok(Redirect::to("/").into_response()),
        Ok(()) => Ok(Redirect::to("/password?done=1").into_response()),
        Err(e) if form::is_about_input(&e) => {
            let problem = form::problem(&e, u.lang, &[("password", "new")]);
            Ok(page(&state, &u, false, Some(problem)).await)
        }
        Err(e) => Err(u.fail(e)),
    }
}
