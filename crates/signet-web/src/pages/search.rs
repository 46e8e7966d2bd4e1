//! The search page (`/search`): incoming and outgoing documents together, found by words as
//! typed (diacritics optional, the last word a prefix), narrowed by filters, a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use signet_app::search::SearchForm;
use signet_core::lifecycle::{IncomingState, OutgoingState};
use signet_core::Direction;

use super::documents::{row, url_encode, Row};
use super::{render, Choice, Layout};
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

pub struct ResultRow {
    pub direction: &'static str,
    pub row: Row,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    f: SearchForm,
    directions: Vec<Choice>,
    states: Vec<Choice>,
    units: Vec<Choice>,
    handlers: Vec<Choice>,
    rows: Vec<ResultRow>,
    first_href: String,
    next_href: Option<String>,
}

/// The page's own address with the same search, at the page after `after`.
fn href(f: &SearchForm, after: Option<&str>) -> String {
    let fields = [
        ("q", f.q.as_str()),
        ("direction", &f.direction),
        ("state", &f.state),
        ("from", &f.from),
        ("to", &f.to),
        ("unit", &f.unit),
        ("handler", &f.handler),
        ("after", after.unwrap_or("")),
    ];
    let parts: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    format!("/search?{}", parts.join("&"))
}

fn state_choices(t: Tr, current: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    let outgoing = OutgoingState::ALL
        .iter()
        .map(|s| (s.code(), t.pick(s.label_vi(), s.label_en())));
    let incoming = IncomingState::ALL
        .iter()
        .map(|s| (s.code(), t.pick(s.label_vi(), s.label_en())));
    for (code, label) in outgoing.chain(incoming) {
        if !out.iter().any(|c| c.value == code) {
            out.push(Choice::new(code, label, current));
        }
    }
    out
}

pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(f): Query<SearchForm>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let page = state.app.search(v, &f, 50).await.map_err(|e| u.fail(e))?;
    let choices = state.app.search_choices(v).await.map_err(|e| u.fail(e))?;
    let rows = page
        .documents
        .iter()
        .map(|d| ResultRow {
            direction: match d.direction {
                Direction::Incoming => t.s("incoming"),
                Direction::Outgoing => t.s("outgoing"),
            },
            row: row(t, d),
        })
        .collect();
    let view = SearchPage {
        l: Layout::of(&state, &u, "search").await,
        directions: [Direction::Incoming, Direction::Outgoing]
            .iter()
            .map(|d| Choice::new(d.as_str(), t.s(d.as_str()), &f.direction))
            .collect(),
        states: state_choices(t, &f.state),
        units: choices
            .units
            .iter()
            .map(|(id, name)| Choice::new(id.as_str(), name, &f.unit))
            .collect(),
        handlers: choices
            .people
            .iter()
            .map(|(id, name)| Choice::new(id.as_str(), name, &f.handler))
            .collect(),
        rows,
        first_href: href(&f, None),
        next_href: page.next.map(|c| href(&f, Some(&c.encode()))),
        f,
    };
    Ok(render(&view))
}
