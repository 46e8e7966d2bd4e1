//! `GET /my-work` ("Việc của tôi", issue 13 §1): the first page after sign-in, with what
//! waits for the person in each of their roles.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use signet_store::documents::Document;

use super::{render, Layout};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

/// One line: the document, what it is, and a note (deadline, date, role).
pub struct WorkRow {
    pub id: String,
    pub subject: String,
    pub note: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    l: Layout,
    to_sign: Vec<WorkRow>,
    /// Drafts waiting for the person's review.
    to_review: Vec<WorkRow>,
    to_process: Vec<WorkRow>,
    drafts: Vec<WorkRow>,
    to_issue: Vec<WorkRow>,
    /// Requests for the leader's opinion.
    opinions: Vec<WorkRow>,
    /// Meeting invitations to answer.
    invitations: Vec<WorkRow>,
    /// Which parts the person's roles can have at all.
    leader: bool,
    clerk: bool,
}

fn row(d: &Document, note: String) -> WorkRow {
    WorkRow {
        id: d.id.to_string(),
        subject: d.subject.clone(),
        note,
        overdue: false,
    }
}

pub async fn show(State(state): State<AppState>, u: PageUser) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let work = state.app.my_work(v).await.map_err(|e| u.fail(e))?;
    let dated = |d: &Document| row(d, format::datetime_ms(u.lang, d.updated_at_ms));
    let to_process = work
        .to_process
        .items
        .iter()
        .map(|i| WorkRow {
            overdue: i.deadline < work.to_process.today,
            ..row(
                &i.document,
                format!(
                    "{}: {} · {}",
                    t.pick("Hạn", "Due"),
                    t.date(&i.deadline),
                    super::incoming::role_label(t, i.role)
                ),
            )
        })
        .collect();
    let opinions = work
        .opinions
        .iter()
        .map(|(o, d)| {
            row(
                d,
                format!(
                    "{}: {}",
                    t.pick("Xin ý kiến", "Asked"),
                    format::datetime_ms(u.lang, o.at_ms)
                ),
            )
        })
        .collect();
    let invitations = work
        .invitations
        .iter()
        .map(|(m, d, _)| {
            row(
                d,
                format!(
                    "{} · {}",
                    format::datetime_ms(u.lang, m.starts_at_ms),
                    m.place
                ),
            )
        })
        .collect();
    let page = MyWorkPage {
        opinions,
        invitations,
        to_sign: work.to_sign.iter().map(dated).collect(),
        to_process,
        drafts: work
            .drafts
            .iter()
            .map(|d| match work.returns.iter().find(|r| r.0 == d.id) {
                Some((_, who, reason)) => WorkRow {
                    overdue: false,
                    ..row(
                        d,
                        format!(
                            "{} {who}: {reason}",
                            t.pick("Bị trả lại bởi", "Returned by")
                        ),
                    )
                },
                None => dated(d),
            })
            .collect(),
        to_review: work.to_review.iter().map(dated).collect(),
        to_issue: work.to_issue.iter().map(dated).collect(),
        leader: v.has(signet_core::person::Role::Leader),
        clerk: v.has(signet_core::person::Role::Clerk),
        l: Layout::of(&state, &u, "my-work").await,
    };
    Ok(render(&page))
}
