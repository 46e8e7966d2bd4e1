//! The drafting cycle on the document page (issue 13 §2): the route a draft is submitted
//! along, the reviewers' decisions, the reason a draft came back, its versions — and the
//! forms to submit, review, return and revise.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use signet_app::drafting::{ReviewForm, RouteForm};
use signet_core::lifecycle::{OutgoingState, Step};
use signet_core::person::Role;
use signet_core::review::{Decision, MAX_LEVELS};
use signet_core::{Direction, DocumentId};
use signet_store::documents::Document;

use super::documents::refused_on_page;
use super::form::{all, field, Fields};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

/// How many level boxes the submit form offers (a route may have up to `MAX_LEVELS`).
const FORM_LEVELS: usize = 3;

/// One stop of the route as the page shows it.
pub struct Stop {
    pub level: i64,
    pub name: String,
    /// "Đã đồng ý" / "Đang chờ" / "Chưa đến lượt".
    pub state: &'static str,
    pub done: bool,
}

/// One file of one version.
pub struct VersionFile {
    pub id: String,
    pub name: String,
    pub appendix: bool,
}

pub struct Version {
    pub number: i64,
    pub current: bool,
    pub files: Vec<VersionFile>,
    /// The metadata this version changed, in the page's words.
    pub changes: String,
}

/// The section, for outgoing documents only.
pub struct Section {
    pub state: &'static str,
    pub version: i64,
    /// Who returned the draft, when, and why.
    pub returned: Option<(String, String, String)>,
    pub can_submit: bool,
    pub can_revise: bool,
    /// Active people (id, "name — title"), for levels and forwarding.
    pub people: Vec<(String, String)>,
    pub leaders: Vec<(String, String)>,
    pub levels: Vec<usize>,
    pub route: Vec<Stop>,
    /// The chosen signer's name, or "any leader".
    pub signer: String,
    pub my_turn: bool,
    /// The reviewer may initial with a key held by the server (the agency allows it).
    pub server_key: bool,
    /// The reviewer may initial from their phone (a remote-signing credential of theirs).
    pub phone: bool,
    pub can_return: bool,
    /// When, who, decision, reason or whom it went to.
    pub reviews: Vec<(String, String, String, String)>,
    pub versions: Vec<Version>,
}

fn stop_state(t: Tr, doc: &Document, level: i64, approved: bool) -> (&'static str, bool) {
    if approved {
        (t.pick("Đã đồng ý", "Approved"), true)
    } else if doc.in_review() && level == doc.review_level {
        (t.pick("Đang chờ duyệt", "Reviewing now"), false)
    } else {
        (t.pick("Chưa đến lượt", "Not yet"), false)
    }
}

fn field_label(t: Tr, code: &str) -> String {
    match code {
        "file" => t.pick("tệp chính", "main file").to_owned(),
        "appendices" => t.pick("phụ lục", "appendices").to_owned(),
        "drafting_unit_id" => t.s("drafting_unit").to_lowercase(),
        "doc_type" => t.s("type").to_lowercase(),
        other => t.s(other).to_lowercase(),
    }
}

/// The section of an outgoing document; `None` for incoming ones.
pub async fn section(state: &AppState, u: &PageUser, d: &Document) -> Option<Section> {
    if d.direction != Direction::Outgoing {
        return None;
    }
    let t = Tr(u.lang);
    let app = &state.app;
    let v = &u.user.viewer;
    let cycle = app.draft_cycle(v, &d.id).await.ok()?;
    let steps = app.allowed_steps(v, d);
    let is_draft = d.state.outgoing() == Some(OutgoingState::Draft);
    let people = if is_draft || cycle.my_turn {
        let unit = d
            .drafting_unit_id
            .as_ref()
            .or(u.user.person.unit_id.as_ref());
        app.colleagues(v, unit).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let label = |p: &signet_store::directory::Person| {
        if p.title.is_empty() {
            p.full_name.clone()
        } else {
            format!("{} — {}", p.full_name, p.title)
        }
    };
    let signer = match &d.signer_id {
        Some(id) => app
            .store
            .person(id)
            .await
            .map(|p| p.full_name)
            .unwrap_or_default(),
        None => t.pick("Lãnh đạo bất kỳ", "Any leader").to_owned(),
    };
    let versions = cycle
        .versions
        .iter()
        .map(|(n, files)| Version {
            number: *n,
            current: *n == d.version,
            files: files
                .iter()
                .map(|f| VersionFile {
                    id: f.id.to_string(),
                    name: f.file_name.clone(),
                    appendix: f.kind != "main",
                })
                .collect(),
            changes: cycle
                .changes
                .iter()
                .find(|(v, _)| v == n)
                .map(|(_, c)| {
                    c.iter()
                        .map(|x| field_label(t, x))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        })
        .collect();
    Some(Section {
        state: d.state.code(),
        version: d.version,
        returned: cycle.returned.as_ref().map(|r| {
            (
                r.person_name.clone(),
                format::datetime_ms(u.lang, r.at_ms),
                r.reason.clone(),
            )
        }),
        can_submit: is_draft && steps.contains(&Step::Submit),
        can_revise: is_draft && steps.contains(&Step::Submit),
        leaders: people
            .iter()
            .filter(|p| p.roles.contains(&Role::Leader))
            .map(|p| (p.id.to_string(), label(p)))
            .collect(),
        people: people
            .iter()
            .filter(|p| p.id != v.person_id)
            .map(|p| (p.id.to_string(), label(p)))
            .collect(),
        levels: (1..=FORM_LEVELS.min(MAX_LEVELS)).collect(),
        route: cycle
            .route
            .iter()
            .map(|s| {
                let (state, done) = stop_state(t, d, s.level, s.approved);
                Stop {
                    level: s.level,
                    name: s.full_name.clone(),
                    state,
                    done,
                }
            })
            .collect(),
        signer,
        server_key: cycle.my_turn && app.server_keys_enabled(v).await.unwrap_or(false),
        phone: cycle.my_turn && app.has_phone(v).await,
        my_turn: cycle.my_turn,
        can_return: steps.contains(&Step::Return),
        reviews: cycle
            .reviews
            .iter()
            .map(|r| {
                let what = match (&r.forwarded_to, r.reason.is_empty()) {
                    (Some(to), _) => format!("→ {to}"),
                    (None, false) => r.reason.clone(),
                    (None, true) => String::new(),
                };
                (
                    format::datetime_ms(u.lang, r.at_ms),
                    r.person_name.clone(),
                    t.pick(
                        Decision::label_vi(&r.decision),
                        Decision::label_en(&r.decision),
                    )
                    .to_owned(),
                    what,
                )
            })
            .collect(),
        versions,
    })
}

fn back(id: &DocumentId) -> Response {
    Redirect::to(&format!("/documents/{id}#drafting")).into_response()
}

/// `POST /documents/{id}/route`: submit along the route chosen (levels `level1`…, each a
/// multiple select; `signer_id`), or the unit's default when nothing is chosen.
pub async fn submit(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let form = RouteForm {
        levels: (1..=MAX_LEVELS)
            .map(|n| all(&f, &format!("level{n}")))
            .collect(),
        signer_id: field(&f, "signer_id").to_owned(),
    };
    match state.app.submit_along(&u.user.viewer, &id, &form).await {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "route-form", f, e).await,
    }
}

/// `POST /documents/{id}/review`: approve, return (with `reason`) or forward (`forward_to`).
pub async fn review(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let form = ReviewForm {
        decision: field(&f, "decision").to_owned(),
        reason: field(&f, "reason").to_owned(),
        forward_to: field(&f, "forward_to").to_owned(),
    };
    let form_id = match form.decision.as_str() {
        "return" => "review-return-form",
        "forward" => "forward-form",
        _ => "approve-form",
    };
    match state.app.review(&u.user.viewer, &id, &form).await {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, form_id, f, e).await,
    }
}

/// `POST /documents/{id}/return-draft`: the signer returns the draft with a reason.
pub async fn return_draft(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let reason = field(&f, "reason");
    let done = if reason.trim().is_empty() {
        Err(signet_app::AppError::Invalid(
            signet_app::Invalid::ReturnReason {
                max: signet_core::review::MAX_REASON,
            },
        ))
    } else {
        state
            .app
            .return_with_reason(&u.user.viewer, &id, reason)
            .await
            .map(|_| ())
    };
    match done {
        Ok(()) => Ok(back(&id)),
        Err(e) => refused_on_page(state.clone(), u, &id, "return-form", f, e).await,
    }
}

/// `POST /documents/{id}/initial-server`: approve and initial with the reviewer's key held
/// by the server, after their PIN.
pub async fn initial_with_server_key(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let initialled = state
        .app
        .initial_with_server_key(&u.user.viewer, &id, field(&f, "pin"))
        .await;
    match initialled {
        Ok(_) => Ok(back(&id)),
        // The PIN is never shown again.
        Err(e) => refused_on_page(state.clone(), u, &id, "initial-server-form", vec![], e).await,
    }
}
