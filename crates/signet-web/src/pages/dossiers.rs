//! Work dossier pages (issue 10 §2): the list with its filters and the form to open one, a
//! dossier with its documents, closing and handing to the archive, and the box on a document
//! page that files the document into a dossier.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use signet_app::dossiers::{DossierForm, DossierQuery, RETENTION_YEARS};
use signet_app::AppError;
use signet_core::ids::DossierId;
use signet_core::DocumentId;
use signet_store::dossiers::{Dossier, DossierState};

use super::documents::{row, Row};
use super::{render, Choice, Layout};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

use super::form::{self, field, Fields};

pub struct DossierRow {
    pub id: String,
    pub year: i64,
    pub code: String,
    pub title: String,
    pub retention: String,
    pub keeper: String,
    pub state: String,
}

fn retention_label(t: Tr, years: i64) -> String {
    if years == 0 {
        t.s("permanent").to_owned()
    } else {
        format!("{years} {}", t.s("years_suffix"))
    }
}

fn state_label(t: Tr, s: DossierState) -> String {
    t.pick(s.label_vi(), s.label_en()).to_owned()
}

fn dossier_row(t: Tr, d: &Dossier, names: &[(signet_core::ids::PersonId, String)]) -> DossierRow {
    DossierRow {
        id: d.id.to_string(),
        year: d.year,
        code: d.code.clone(),
        title: d.title.clone(),
        retention: retention_label(t, d.retention_years),
        keeper: names
            .iter()
            .find(|(id, _)| *id == d.keeper_id)
            .map_or_else(String::new, |(_, n)| n.clone()),
        state: state_label(t, d.state),
    }
}

#[derive(Template)]
#[template(path = "dossiers.html")]
struct ListPage {
    l: Layout,
    q: DossierQuery,
    rows: Vec<DossierRow>,
    states: Vec<Choice>,
    keepers: Vec<Choice>,
    units: Vec<Choice>,
    retentions: Vec<Choice>,
    /// The year in the form to open a dossier, and in the one to archive a year.
    open_year: String,
    archive_year: String,
    can_archive: bool,
    /// The form to open a dossier, or to archive a year, when it comes back refused.
    refused: form::Refused,
}

pub async fn list(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<DossierQuery>,
) -> Result<Response, WebError> {
    list_page(state, u, q, form::Refused::none()).await
}

/// A refused form of the dossiers page (`open-dossier`, `archive-year`): the page again
/// with what was typed, or an error page when the refusal is not about the input.
async fn refused_on_list(
    state: AppState,
    u: PageUser,
    form_id: &'static str,
    typed: Fields,
    e: AppError,
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, &[("unit_id", "unit")]) else {
        return Err(u.fail(e));
    };
    let refused = form::Refused::new(form_id, typed, problem);
    list_page(state, u, DossierQuery::default(), refused).await
}

async fn list_page(
    state: AppState,
    u: PageUser,
    q: DossierQuery,
    refused: form::Refused,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let dossiers = state.app.dossiers(v, &q).await.map_err(|e| u.fail(e))?;
    let choices = state.app.search_choices(v).await.map_err(|e| u.fail(e))?;
    let this_year = state.app.clock.today().year().to_string();
    // The forms' values: as typed when one came back refused, else the defaults.
    let typed = |form: &str, name: &str, default: &str| {
        if refused.is(form) {
            refused.value(form, name).to_owned()
        } else {
            default.to_owned()
        }
    };
    let (open_year, archive_year) = (
        typed("open-dossier", "year", &this_year),
        typed("archive-year", "year", &this_year),
    );
    let (retention, unit) = (
        typed("open-dossier", "retention_years", "10"),
        typed("open-dossier", "unit", ""),
    );
    let view = ListPage {
        l: Layout::of(&state, &u, "dossiers").await,
        rows: dossiers
            .iter()
            .map(|d| dossier_row(t, d, &choices.people))
            .collect(),
        states: DossierState::ALL
            .iter()
            .map(|s| Choice::new(s.code(), &state_label(t, *s), &q.state))
            .collect(),
        keepers: choices
            .people
            .iter()
            .map(|(id, n)| Choice::new(id.as_str(), n, &q.keeper))
            .collect(),
        units: choices
            .units
            .iter()
            .map(|(id, n)| Choice::new(id.as_str(), n, &unit))
            .collect(),
        retentions: RETENTION_YEARS
            .iter()
            .map(|y| Choice::new(&y.to_string(), &retention_label(t, *y), &retention))
            .collect(),
        open_year,
        archive_year,
        can_archive: v.can_register(),
        q,
        refused,
    };
    Ok((view.refused.status(), render(&view)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let form = DossierForm {
        year: field(&f, "year").to_owned(),
        code: field(&f, "code").to_owned(),
        title: field(&f, "title").to_owned(),
        retention_years: field(&f, "retention_years").to_owned(),
        unit: field(&f, "unit").to_owned(),
    };
    match state.app.open_dossier(&u.user.viewer, &form).await {
        Ok(d) => Ok(Redirect::to(&format!("/dossiers/{}", d.id)).into_response()),
        Err(e) => refused_on_list(state.clone(), u, "open-dossier", f, e).await,
    }
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DetailPage {
    l: Layout,
    d: DossierRow,
    unit: String,
    opened: String,
    documents: Vec<Row>,
    can_close: bool,
    can_archive: bool,
}

pub async fn detail(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DossierId>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let (dossier, documents) = state.app.dossier(v, &id).await.map_err(|e| u.fail(e))?;
    let choices = state.app.search_choices(v).await.map_err(|e| u.fail(e))?;
    let keeps = dossier.keeper_id == v.person_id || v.can_register();
    let view = DetailPage {
        l: Layout::of(&state, &u, "dossiers").await,
        d: dossier_row(t, &dossier, &choices.people),
        unit: choices
            .units
            .iter()
            .find(|(uid, _)| Some(uid) == dossier.unit_id.as_ref())
            .map_or_else(String::new, |(_, n)| n.clone()),
        opened: format::datetime_ms(u.lang, dossier.opened_at_ms),
        documents: documents.iter().map(|d| row(t, d)).collect(),
        can_close: keeps && dossier.state == DossierState::Open,
        can_archive: v.can_register() && dossier.state == DossierState::Closed,
    };
    Ok(render(&view))
}

pub async fn close(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DossierId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .close_dossier(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to(&format!("/dossiers/{id}")).into_response())
}

pub async fn archive(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DossierId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    state
        .app
        .archive_dossier(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to(&format!("/dossiers/{id}")).into_response())
}

pub async fn archive_year(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let year = field(&f, "year").trim().to_owned();
    match state.app.archive_year(&u.user.viewer, &year).await {
        Ok(_) => Ok(Redirect::to(&format!("/dossiers?year={year}&state=archived")).into_response()),
        Err(e) => refused_on_list(state.clone(), u, "archive-year", f, e).await,
    }
}

/// `POST /documents/{id}/dossier`: files the document into the chosen dossier.
pub async fn file_document(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let dossier = DossierId::new(field(&f, "dossier"));
    match state
        .app
        .file_into_dossier(&u.user.viewer, &dossier, &id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(e) => super::documents::refused_on_page(state.clone(), u, &id, "file-form", f, e).await,
    }
}

/// The dossier box of a document page: where the document is filed, and where it can be.
pub struct DossierBox {
    pub filed_in: Vec<(String, String)>,
    pub open: Vec<Choice>,
}

pub async fn dossier_box(state: &AppState, u: &PageUser, id: &DocumentId) -> DossierBox {
    let v = &u.user.viewer;
    // The document page shows without the box rather than fail on it.
    let filed = state.app.dossiers_of(v, id).await.unwrap_or_default();
    let open = state
        .app
        .dossiers_to_file_into(v)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| !filed.iter().any(|f| f.id == d.id))
        .map(|d| Choice::new(d.id.as_str(), &format!("{} · {}", d.code, d.title), ""))
        .collect();
    DossierBox {
        filed_in: filed
            .into_iter()
            .map(|d| (d.id.to_string(), format!("{} · {}", d.code, d.title)))
            .collect(),
        open,
    }
}
