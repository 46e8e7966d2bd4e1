//! Administration pages: people, units and agencies.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::admin::{AgencyForm, PersonForm};
use signet_app::AppError;
use signet_core::Role;

use super::form::{self, Problem, Values};
use super::{render, Layout};
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub username: String,
    pub unit: String,
    pub title: String,
    pub roles: String,
    pub active: bool,
    pub is_self: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    l: Layout,
    agency: String,
    people: Vec<PersonRow>,
    q: String,
    people_total: usize,
    page: usize,
    pages: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
    units: Vec<(String, String, String)>,
    unit_tree: Vec<UnitRow>,
    agencies: Vec<AgencyRow>,
    /// (code, label, checked on the new-person form)
    roles: Vec<(&'static str, &'static str, bool)>,
    /// What was typed in a refused new-person or new-unit form, and the problem.
    np: Values,
    np_problem: Option<Problem>,
    nu: Values,
    nu_problem: Option<Problem>,
    /// "Đã cấp N: …" and the number expiring within 30 days.
    cert_totals: String,
    cert_expiring: String,
    /// The public holidays deadlines skip: (ISO day, shown day, name).
    holidays: Vec<(String, String, String)>,
    /// The built-in trust lists: (id, name, certificates, on).
    trust_lists: Vec<(&'static str, String, String, bool)>,
    /// Whether leaders may sign with server-held keys; `None` when this server has no HSM.
    server_keys: Option<bool>,
    /// A refused new-agency or holiday form (`new-agency`, `new-holiday`).
    refused: form::Refused,
}

/// A unit in the agency's tree: `depth` 0 at the top.
pub struct UnitRow {
    pub id: String,
    pub name: String,
    pub abbreviation: String,
    pub depth: usize,
}

/// An agency in the tree of the administrator's agency and those below it.
pub struct AgencyRow {
    pub code: String,
    pub name: String,
    pub abbreviation: String,
    pub parent: String,
    pub depth: usize,
}

/// `items` in tree order (each after its parent, children by the order given), with their
/// depth. An item whose parent is not among them is a root; an item caught in a cycle
/// (which the store refuses to make) is shown at the end rather than lost.
pub fn tree_order<T, K: PartialEq>(
    items: &[T],
    id: impl Fn(&T) -> &K,
    parent: impl Fn(&T) -> Option<&K>,
) -> Vec<(usize, &T)> {
    let is_root = |x: &T| parent(x).is_none_or(|p| !items.iter().any(|y| id(y) == p));
    let mut out: Vec<(usize, &T)> = Vec::with_capacity(items.len());
    let mut stack: Vec<(usize, &T)> = items
        .iter()
        .filter(|x| is_root(x))
        .rev()
        .map(|x| (0, x))
        .collect();
    while let Some((depth, x)) = stack.pop() {
        if out.len() >= items.len() {
            break;
        }
        out.push((depth, x));
        let children = items.iter().filter(|c| parent(c) == Some(id(x))).rev();
        stack.extend(children.map(|c| (depth + 1, c)));
    }
    for x in items {
        if !out.iter().any(|(_, y)| id(y) == id(x)) {
            out.push((0, x));
        }
    }
    out
}

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

fn people_href(q: &str, page: usize) -> String {
    format!(
        "/admin?q={}&page={page}#people",
        super::documents::url_encode(q)
    )
}

pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    axum::extract::Query(pq): axum::extract::Query<PeopleQuery>,
) -> Result<Response, WebError> {
    admin_page(&state, &u, &pq, Refused::default()).await
}

/// A refused creation form of the administration page: which, what was typed, the problem.
#[derive(Default)]
struct Refused {
    person: Option<(Values, Vec<String>, Problem)>,
    unit: Option<(Values, Problem)>,
    other: form::Refused,
}

/// A refused form of the page other than the new person and unit ones: the page again with
/// what was typed, or an error page when the refusal is not about the input.
async fn refused_on_admin(
    state: &AppState,
    u: &PageUser,
    form_id: &'static str,
    typed: form::Fields,
    e: AppError,
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, &[]) else {
        return Err(u.fail(e));
    };
    let refused = Refused {
        other: form::Refused::new(form_id, typed, problem),
        ..Refused::default()
    };
    admin_page(state, u, &PeopleQuery::default(), refused).await
}

async fn admin_page(
    state: &AppState,
    u: &PageUser,
    pq: &PeopleQuery,
    refused: Refused,
) -> Result<Response, WebError> {
    let status = refused
        .person
        .as_ref()
        .map(|r| r.2.status())
        .or(refused.unit.as_ref().map(|r| r.1.status()))
        .unwrap_or_else(|| refused.other.status());
    let (np, np_roles, np_problem) = match refused.person {
        Some((v, r, p)) => (v, r, Some(p)),
        None => Default::default(),
    };
    let (nu, nu_problem) = match refused.unit {
        Some((v, p)) => (v, Some(p)),
        None => Default::default(),
    };
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let app = &state.app;
    let wanted = pq.page.trim().parse::<usize>().unwrap_or(1);
    let listing = app
        .people_page(v, &pq.q, wanted)
        .await
        .map_err(|e| u.fail(e))?;
    let people = &listing.people;
    let units = app.units(v).await.map_err(|e| u.fail(e))?;
    let agencies = app.agencies(v).await.map_err(|e| u.fail(e))?;
    let totals = app.certificate_totals(v).await.map_err(|e| u.fail(e))?;
    let holidays = app.store.holidays().await.map_err(|e| u.fail(e.into()))?;
    let trust_lists = app.trust_list_states(v).map_err(|e| u.fail(e))?;
    let server_keys = if app.remote.enabled() {
        Some(app.server_keys_enabled(v).await.map_err(|e| u.fail(e))?)
    } else {
        None
    };
    let name_of = |id: &Option<signet_core::AgencyId>| {
        id.as_ref()
            .and_then(|id| agencies.iter().find(|a| &a.id == id))
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let unit_name = |id: &Option<signet_core::UnitId>| {
        id.as_ref()
            .and_then(|id| units.iter().find(|x| &x.id == id))
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let page = AdminPage {
        q: pq.q.clone(),
        people_total: listing.total,
        page: listing.page,
        pages: listing.pages,
        prev_href: (listing.page > 1).then(|| people_href(&pq.q, listing.page - 1)),
        next_href: (listing.page < listing.pages).then(|| people_href(&pq.q, listing.page + 1)),
        unit_tree: tree_order(&units, |x| &x.id, |x| x.parent_id.as_ref())
            .into_iter()
            .map(|(depth, x)| UnitRow {
                id: x.id.to_string(),
                name: x.name.clone(),
                abbreviation: x.abbreviation.clone(),
                depth,
            })
            .collect(),
        agency: agencies
            .iter()
            .find(|a| a.id == v.agency_id)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        people: people
            .iter()
            .map(|p| PersonRow {
                id: p.id.to_string(),
                name: p.full_name.clone(),
                username: p.username.clone(),
                unit: unit_name(&p.unit_id),
                title: p.title.clone(),
                roles: p
                    .roles
                    .iter()
                    .map(|r| t.pick(r.label_vi(), r.label_en()))
                    .collect::<Vec<_>>()
                    .join(", "),
                active: p.active,
                is_self: p.id == v.person_id,
            })
            .collect(),
        units: units
            .iter()
            .map(|x| (x.id.to_string(), x.name.clone(), x.abbreviation.clone()))
            .collect(),
        agencies: tree_order(&agencies, |a| &a.id, |a| a.parent_id.as_ref())
            .into_iter()
            .map(|(depth, a)| AgencyRow {
                code: a.code.to_string(),
                name: a.name.clone(),
                abbreviation: a.abbreviation.clone(),
                parent: name_of(&a.parent_id),
                depth,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| {
                let checked = np_roles.iter().any(|c| c == r.code());
                (r.code(), t.pick(r.label_vi(), r.label_en()), checked)
            })
            .collect(),
        np,
        np_problem,
        nu,
        nu_problem,
        refused: refused.other,
        cert_totals: super::certificates::totals_line(&totals, u.lang),
        cert_expiring: super::certificates::group_thousands(totals.expiring, u.lang),
        holidays: holidays
            .into_iter()
            .map(|(day, name)| {
                let shown = crate::format::iso_date(u.lang, &day);
                (day, shown, name)
            })
            .collect(),
        trust_lists: trust_lists
            .iter()
            .map(|s| {
                let l = s.list;
                (
                    l.id,
                    t.pick(l.name_vi, l.name_en).to_owned(),
                    format!(
                        "{} + {} · {}",
                        l.roots.len(),
                        l.intermediates.len(),
                        signet_app::trust_lists::VERSION
                    ),
                    s.enabled,
                )
            })
            .collect(),
        server_keys,
        l: Layout::of(state, u, "admin").await,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct ServerKeysForm {
    #[serde(default)]
    csrf: String,
    /// `on` when the box is checked; absent otherwise.
    #[serde(default)]
    enabled: String,
}

/// Allows or forbids server-held personal keys in the administrator's agency.
pub async fn set_server_keys(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<ServerKeysForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    state
        .app
        .set_server_keys(&u.user.viewer, f.enabled == "on")
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Deserialize)]
pub struct HolidayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    day: String,
    /// Empty: the day is no longer a holiday.
    #[serde(default)]
    name: String,
}

/// Adds, renames or (empty name) removes a public holiday.
pub async fn set_holiday(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<HolidayForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    match state.app.set_holiday(&u.user.viewer, &f.day, &f.name).await {
        Ok(_) => Ok(Redirect::to("/admin#holidays").into_response()),
        Err(e) => {
            let typed = vec![("day".to_owned(), f.day), ("name".to_owned(), f.name)];
            refused_on_admin(&state, &u, "new-holiday", typed, e).await
        }
    }
}

#[derive(Deserialize)]
pub struct TrustListForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    enabled: String,
}

/// Turns a built-in trust list on (`enabled=1`) or off.
pub async fn set_trust_list(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<TrustListForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    state
        .app
        .set_trust_list(&u.user.viewer, &f.list, f.enabled == "1")
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/admin#trust-lists").into_response())
}

#[derive(Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    abbreviation: String,
}

pub async fn create_unit(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<UnitForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    match state
        .app
        .create_unit(&u.user.viewer, &f.name, &f.abbreviation)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin").into_response()),
        Err(e) if form::is_about_input(&e) => {
            let mut typed = Values::default();
            typed.set("name", &f.name);
            typed.set("abbreviation", &f.abbreviation);
            let refused = Refused {
                unit: Some((typed, form::problem(&e, u.lang, &[]))),
                ..Refused::default()
            };
            admin_page(&state, &u, &PeopleQuery::default(), refused).await
        }
        Err(e) => Err(u.fail(e)),
    }
}

/// Person form as sent by the browser: `roles` repeats, so it is read from raw pairs.
pub async fn create_person(
    State(state): State<AppState>,
    u: PageUser,
    body: String,
) -> Result<Response, WebError> {
    let pairs: Vec<(String, String)> = form_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    u.check_csrf(&get("csrf"))?;
    let form = PersonForm {
        username: get("username"),
        full_name: get("full_name"),
        title: get("title"),
        email: get("email"),
        unit_id: get("unit_id"),
        roles: pairs
            .iter()
            .filter(|(n, _)| n == "roles")
            .map(|(_, v)| v.clone())
            .collect(),
        password: get("password"),
    };
    match state.app.create_person(&u.user.viewer, &form).await {
        Ok(_) => Ok(Redirect::to("/admin").into_response()),
        Err(e) if form::is_about_input(&e) => {
            // Everything but the password comes back.
            let mut typed = Values::from_pairs(&pairs);
            typed.set("password", "");
            let problem = form::problem(&e, u.lang, &[]);
            let refused = Refused {
                person: Some((typed, form.roles, problem)),
                ..Refused::default()
            };
            admin_page(&state, &u, &PeopleQuery::default(), refused).await
        }
        Err(e) => Err(u.fail(e)),
    }
}

/// Decodes `application/x-www-form-urlencoded` into ordered pairs (repeated keys kept).
pub(crate) fn form_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Deserialize)]
pub struct AgencyFormData {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    address: String,
}

pub async fn create_agency(
    State(state): State<AppState>,
    u: PageUser,
    Form(f): Form<AgencyFormData>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let form = AgencyForm {
        code: f.code,
        name: f.name,
        abbreviation: f.abbreviation,
        address: f.address,
    };
    match state.app.create_agency(&u.user.viewer, &form).await {
        Ok(_) => Ok(Redirect::to("/admin").into_response()),
        Err(e) => {
            let typed = vec![
                ("code".to_owned(), form.code),
                ("name".to_owned(), form.name),
                ("abbreviation".to_owned(), form.abbreviation),
                ("address".to_owned(), form.address),
            ];
            refused_on_admin(&state, &u, "new-agency", typed, e).await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, action)): Path<(signet_core::PersonId, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let active = match action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => return Err(u.fail(AppError::NotFound)),
    };
    state
        .app
        .set_person_active(&u.user.viewer, &id, active)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/admin").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_repeated_form_keys() {
        let p =
            super::form_pairs("roles=clerk&roles=leader&full_name=Nguy%E1%BB%85n+V%C4%83n+A&x=%ZZ");
        assert_eq!(p[0], ("roles".into(), "clerk".into()));
        assert_eq!(p[1], ("roles".into(), "leader".into()));
        assert_eq!(p[2].1, "Nguyễn Văn A");
        assert_eq!(p[3].1, "%ZZ");
    }
}

#[derive(Template)]
#[template(path = "archive_report.html")]
struct ArchivePage {
    l: Layout,
    /// Document id, label, reason, attempts, last attempt.
    failures: Vec<(String, String, String, i64, String)>,
    /// Started, examined, renewed, failed.
    runs: Vec<(String, i64, i64, i64)>,
}

/// `GET /admin/archive`: the archive renewal's runs and the agency's documents it could not
/// renew yet (issue 11 §4).
pub async fn archive(State(state): State<AppState>, u: PageUser) -> Result<Response, WebError> {
    let report = state
        .app
        .archive_report(&u.user.viewer)
        .await
        .map_err(|e| u.fail(e))?;
    let when = |ms: i64| crate::format::datetime_ms(u.lang, ms);
    let page = ArchivePage {
        failures: report
            .failures
            .iter()
            .map(|f| {
                (
                    f.document_id.to_string(),
                    f.notation
                        .clone()
                        .unwrap_or_else(|| f.document_id.to_string()),
                    f.reason.clone(),
                    f.attempts,
                    when(f.last_failed_at_ms),
                )
            })
            .collect(),
        runs: report
            .runs
            .iter()
            .map(|r| (when(r.started_at_ms), r.examined, r.renewed, r.failed))
            .collect(),
        l: Layout::of(&state, &u, "admin").await,
    };
    Ok(render(&page))
}
