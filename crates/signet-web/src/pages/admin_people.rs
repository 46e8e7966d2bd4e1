//! An administrator's pages for one person (particulars, roles, unit, password, sessions)
//! and one unit (name, place in the agency's tree). A refused form comes back with what
//! was typed and the problem beside its field.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::people_admin::PersonEditForm;
use signet_app::AppError;
use signet_core::{PersonId, Role, UnitId};
use signet_store::directory::Person;

use super::admin::form_pairs;
use super::form::{self, Problem, Values};
use super::{render, Choice, Layout};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

pub struct SessionRow {
    pub id: String,
    pub started: String,
    pub ends: String,
    pub client: String,
}

#[derive(Template)]
#[template(path = "admin_person.html")]
struct PersonPage {
    l: Layout,
    id: String,
    username: String,
    active: bool,
    is_self: bool,
    must_change: bool,
    f: Values,
    /// (code, label, checked)
    roles: Vec<(&'static str, &'static str, bool)>,
    units: Vec<Choice>,
    sessions: Vec<SessionRow>,
    problem: Option<Problem>,
    saved: bool,
    /// A temporary password just made, and how many sessions it ended: shown once.
    temporary: Option<(String, u64)>,
    /// The person's signature image (issue 9 §1), as on their own profile page.
    image: Option<super::profile::ImageView>,
    image_done: String,
    image_problem: Option<Problem>,
    max_kib: usize,
    sides: (u32, u32),
}

/// What a refused edit form sent: the typed values and roles, and the problem.
struct Refused {
    values: Values,
    roles: Vec<String>,
    problem: Problem,
}

fn values_of(p: &Person) -> Values {
    let mut f = Values::default();
    f.set("full_name", &p.full_name);
    f.set("title", &p.title);
    f.set("email", &p.email);
    f.set("phone", &p.phone);
    f.set("unit_id", p.unit_id.as_ref().map_or("", UnitId::as_str));
    f
}

/// The administrator's page of a person, with a note on their signature image.
pub(crate) async fn person_page_noting(
    state: &AppState,
    u: &PageUser,
    id: &PersonId,
    note: super::profile::ImageNote,
) -> Result<Response, WebError> {
    person_page(state, u, id, None, false, None, note).await
}

async fn person_page(
    state: &AppState,
    u: &PageUser,
    id: &PersonId,
    refused: Option<Refused>,
    saved: bool,
    temporary: Option<(String, u64)>,
    image_note: super::profile::ImageNote,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let app = &state.app;
    let p = app.person_for_admin(v, id).await.map_err(|e| u.fail(e))?;
    let sessions = app.sessions_of(v, id).await.map_err(|e| u.fail(e))?;
    let units = app.units(v).await.map_err(|e| u.fail(e))?;
    let image = super::profile::section(state, u, id, image_note).await?;
    let (f, checked, problem) = match refused {
        Some(r) => (r.values, r.roles, Some(r.problem)),
        None => (
            values_of(&p),
            p.roles.iter().map(|r| r.code().to_owned()).collect(),
            None,
        ),
    };
    let status = problem
        .as_ref()
        .or(image.image_problem.as_ref())
        .map_or(StatusCode::OK, Problem::status);
    let page = PersonPage {
        l: Layout::of(state, u, "admin").await,
        id: p.id.to_string(),
        username: p.username.clone(),
        active: p.active,
        is_self: p.id == v.person_id,
        must_change: p.must_change_password,
        roles: Role::ALL
            .iter()
            .map(|r| {
                (
                    r.code(),
                    t.pick(r.label_vi(), r.label_en()),
                    checked.iter().any(|c| c == r.code()),
                )
            })
            .collect(),
        units: units
            .iter()
            .map(|x| Choice::new(x.id.as_str(), &x.name, f.get("unit_id")))
            .collect(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                id: s.id,
                started: format::datetime_ms(u.lang, s.created_at_ms),
                ends: format::datetime_ms(u.lang, s.expires_at_ms),
                client: s.client,
            })
            .collect(),
        f,
        problem,
        saved,
        temporary,
        image: image.image,
        image_done: image.image_done,
        image_problem: image.image_problem,
        max_kib: image.max_kib,
        sides: image.sides,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
    /// After a signature-image action: `saved` or `removed`.
    #[serde(default)]
    done: Option<String>,
}

pub async fn person(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<PersonId>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let note = super::profile::ImageNote::done(q.done);
    person_page(&state, &u, &id, None, q.saved == "1", None, note).await
}

/// Saves a person's particulars; the form repeats `roles`, so it is read from raw pairs.
pub async fn save_person(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<PersonId>,
    body: String,
) -> Result<Response, WebError> {
    let pairs = form_pairs(&body);
    let values = Values::from_pairs(&pairs);
    u.check_csrf(values.get("csrf"))?;
    let roles: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "roles")
        .map(|(_, v)| v.clone())
        .collect();
    let edit = PersonEditForm {
        full_name: values.get("full_name").to_owned(),
        title: values.get("title").to_owned(),
        email: values.get("email").to_owned(),
        phone: values.get("phone").to_owned(),
        unit_id: values.get("unit_id").to_owned(),
        roles: roles.clone(),
    };
    match state.app.edit_person(&u.user.viewer, &id, &edit).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/people/{id}?saved=1")).into_response()),
        Err(e) if form::is_about_input(&e) => {
            let problem = form::problem(&e, u.lang, &[]);
            let refused = Refused {
                values,
                roles,
                problem,
            };
            person_page(
                &state,
                &u,
                &id,
                Some(refused),
                false,
                None,
                Default::default(),
            )
            .await
        }
        Err(e) => Err(u.fail(e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Makes a temporary password and shows it, once, on the person's page.
pub async fn reset_password(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<PersonId>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let made = state
        .app
        .reset_password(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    let temporary = Some((made.password, made.sessions_ended));
    person_page(&state, &u, &id, None, false, temporary, Default::default()).await
}

#[derive(Deserialize)]
pub struct EndSessionsForm {
    #[serde(default)]
    csrf: String,
    /// One session's id; empty: every session.
    #[serde(default)]
    session: String,
}

pub async fn end_sessions(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<PersonId>,
    Form(f): Form<EndSessionsForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let one = Some(f.session.trim()).filter(|s| !s.is_empty());
    state
        .app
        .end_sessions(&u.user.viewer, &id, one)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to(&format!("/admin/people/{id}#sessions")).into_response())
}

#[derive(Template)]
#[template(path = "admin_unit.html")]
struct UnitPage {
    l: Layout,
    id: String,
    f: Values,
    parents: Vec<Choice>,
    problem: Option<Problem>,
    /// The default route's level boxes: level number and every active person, marked when
    /// on that level.
    route_levels: Vec<(usize, Vec<Choice>)>,
    signers: Vec<Choice>,
    /// The route form refused: its choices kept above, the problem here.
    route_problem: Option<Problem>,
}

/// A refused form of the unit's page: the unit's own, or its default route.
enum UnitRefusal {
    Unit(Values, Problem),
    Route(form::Fields, Problem),
}

async fn unit_page(
    state: &AppState,
    u: &PageUser,
    id: &UnitId,
    refused: Option<UnitRefusal>,
) -> Result<Response, WebError> {
    let v = &u.user.viewer;
    if !v.can_administer() {
        return Err(u.fail(AppError::Forbidden("administration: administrators only")));
    }
    let unit = state
        .app
        .store
        .unit(&v.agency_id, id)
        .await
        .map_err(|e| u.fail(e.into()))?;
    let units = state.app.units(v).await.map_err(|e| u.fail(e))?;
    let (unit_refused, route_refused) = match refused {
        Some(UnitRefusal::Unit(f, p)) => (Some((f, p)), None),
        Some(UnitRefusal::Route(f, p)) => (None, Some((f, p))),
        None => (None, None),
    };
    let (f, problem) = match unit_refused {
        Some((f, p)) => (f, Some(p)),
        None => {
            let mut f = Values::default();
            f.set("name", &unit.name);
            f.set("abbreviation", &unit.abbreviation);
            f.set(
                "parent_id",
                unit.parent_id.as_ref().map_or("", UnitId::as_str),
            );
            (f, None)
        }
    };
    let status = problem
        .as_ref()
        .or(route_refused.as_ref().map(|r| &r.1))
        .map_or(StatusCode::OK, Problem::status);
    let mut route = state.app.unit_route(v, id).await.map_err(|e| u.fail(e))?;
    // A refused route form shows what was chosen, not what is stored.
    if let Some((typed, _)) = &route_refused {
        route.levels = (1..=3)
            .map(|n| form::all(typed, &format!("level{n}")))
            .collect();
        route.signer_id = form::field(typed, "signer_id").to_owned();
    }
    let people = state
        .app
        .colleagues(v, Some(id))
        .await
        .map_err(|e| u.fail(e))?;
    let choice = |p: &signet_store::directory::Person, on: bool| Choice {
        value: p.id.to_string(),
        label: p.full_name.clone(),
        selected: on,
    };
    let route_levels = (1..=3)
        .map(|n| {
            let level = route.levels.get(n - 1).cloned().unwrap_or_default();
            let options = people
                .iter()
                .map(|p| choice(p, level.contains(&p.id.to_string())))
                .collect();
            (n, options)
        })
        .collect();
    let signers = people
        .iter()
        .filter(|p| p.roles.contains(&signet_core::Role::Leader))
        .map(|p| choice(p, route.signer_id == p.id.as_str()))
        .collect();
    let page = UnitPage {
        route_levels,
        signers,
        route_problem: route_refused.map(|r| r.1),
        l: Layout::of(state, u, "admin").await,
        id: unit.id.to_string(),
        parents: units
            .iter()
            .filter(|x| x.id != unit.id)
            .map(|x| {
                Choice::new(
                    x.id.as_str(),
                    &format!("{} ({})", x.name, x.abbreviation),
                    f.get("parent_id"),
                )
            })
            .collect(),
        f,
        problem,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn unit(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<UnitId>,
) -> Result<Response, WebError> {
    unit_page(&state, &u, &id, None).await
}

#[derive(Deserialize)]
pub struct UnitEditData {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    parent_id: String,
}

pub async fn save_unit(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<UnitId>,
    Form(f): Form<UnitEditData>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let saved = state
        .app
        .edit_unit(&u.user.viewer, &id, &f.name, &f.abbreviation, &f.parent_id)
        .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/admin#unit-tree").into_response()),
        Err(e) if form::is_about_input(&e) => {
            let mut typed = Values::default();
            typed.set("name", &f.name);
            typed.set("abbreviation", &f.abbreviation);
            typed.set("parent_id", &f.parent_id);
            let problem = form::problem(&e, u.lang, &[]);
            unit_page(&state, &u, &id, Some(UnitRefusal::Unit(typed, problem))).await
        }
        Err(e) => Err(u.fail(e)),
    }
}

/// `POST /admin/units/{id}/route`: the unit's default route (levels `level1`…, `signer_id`).
pub async fn save_unit_route(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<UnitId>,
    Form(f): Form<super::form::Fields>,
) -> Result<Response, WebError> {
    use super::form::{all, field};
    u.check_csrf(field(&f, "csrf"))?;
    let form = signet_app::drafting::RouteForm {
        levels: (1..=signet_core::review::MAX_LEVELS)
            .map(|n| all(&f, &format!("level{n}")))
            .collect(),
        signer_id: field(&f, "signer_id").to_owned(),
    };
    match state.app.set_unit_route(&u.user.viewer, &id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/units/{id}#unit-route")).into_response()),
        Err(e) if form::is_about_input(&e) => {
            let problem = form::problem(&e, u.lang, &[]);
            unit_page(&state, &u, &id, Some(UnitRefusal::Route(f, problem))).await
        }
        Err(e) => Err(u.fail(e)),
    }
}
