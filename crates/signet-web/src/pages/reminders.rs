//! `/reminders`: the signed-in person's deadline reminders (the bell in the menu leads here).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use signet_core::Role;
use signet_store::reminders::ReminderKind;

use super::{render, CsrfForm, Layout};
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

pub struct ReminderRow {
    pub kind: &'static str,
    pub overdue: bool,
    pub deadline: String,
    pub document_id: String,
    pub subject: String,
    pub read: bool,
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    l: Layout,
    rows: Vec<ReminderRow>,
}

pub async fn show(State(state): State<AppState>, u: PageUser) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    // Who may read every secret document of the agency (Viewer::can_read's rule).
    let reads_secrets = v.has(Role::Leader) || v.has(Role::Clerk);
    let list = state
        .app
        .reminders(&u.user.viewer)
        .await
        .map_err(|e| u.fail(e))?;
    let rows = list
        .into_iter()
        .map(|r| ReminderRow {
            kind: match r.kind {
                ReminderKind::Overdue => t.s("overdue"),
                ReminderKind::DueSoon => t.s("due_soon"),
            },
            overdue: r.kind == ReminderKind::Overdue,
            deadline: t.date(&r.deadline),
            document_id: r.document_id.to_string(),
            subject: if r.secrecy.is_secret() && !reads_secrets {
                t.pick("(Văn bản mật)", "(Secret document)").to_owned()
            } else {
                r.subject
            },
            read: r.read,
        })
        .collect();
    let view = RemindersPage {
        l: Layout::of(&state, &u, "reminders").await,
        rows,
    };
    Ok(render(&view))
}

pub async fn read(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    state
        .app
        .read_reminders(&u.user.viewer)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/reminders").into_response())
}
