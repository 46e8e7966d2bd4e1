//! Paperless meetings (issue 10 §4): the invitation form (`/meetings/new`), the meeting's
//! section on the invitation's page (time, place, participants and their answers, the
//! materials for participants), attendance answers, and the week's calendar (lịch công tác,
//! `/calendar`), printable.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::clock::iso_date;
use signet_app::meetings::{week_param, MeetingForm};
use signet_app::AppError;
use signet_core::ids::FileId;
use signet_core::DocumentId;
use signet_store::documents::processing::Holder;
use signet_store::documents::Document;
use time::Duration;

use super::documents::{refused_on_page, refused_with_aliases};
use super::form::{self, field, Fields, Problem};
use super::{render, Layout};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::upload;
use crate::{AppState, WebError};

/// A participant line: who, the answer's label, the reason, and the row's id when the
/// viewer answers for it.
pub struct ParticipantRow {
    pub name: String,
    pub answer: &'static str,
    pub reason: String,
    pub answerable: Option<String>,
}

/// The meeting's section of its invitation's page.
pub struct Section {
    pub starts: String,
    pub ends: String,
    pub place: String,
    pub chair: String,
    pub participants: Vec<ParticipantRow>,
    /// `None` when the viewer is no participant (the materials are theirs only).
    pub materials: Option<Vec<(String, String)>>,
    pub can_add_materials: bool,
}

async fn holder_name(state: &AppState, agency: &signet_core::AgencyId, h: &Holder) -> String {
    match h {
        Holder::Person(p) => state
            .app
            .store
            .person(p)
            .await
            .map_or_else(|_| p.to_string(), |p| p.full_name),
        Holder::Unit(u) => state
            .app
            .store
            .unit(agency, u)
            .await
            .map_or_else(|_| u.to_string(), |u| u.name),
    }
}

fn answer_label(t: Tr, attends: Option<bool>) -> &'static str {
    match attends {
        None => t.pick("Chưa xác nhận", "Not answered"),
        Some(true) => t.pick("Tham dự", "Attends"),
        Some(false) => t.pick("Không tham dự", "Does not attend"),
    }
}

/// The section for an invitation, or none for any other document (or one that cannot be
/// read: the page still shows the rest).
pub async fn section(state: &AppState, u: &PageUser, d: &Document) -> Option<Section> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let view = state.app.meeting(v, &d.id).await.ok().flatten()?;
    let m = &view.meeting;
    let mut participants = Vec::new();
    for p in &m.participants {
        participants.push(ParticipantRow {
            name: holder_name(state, &v.agency_id, &p.holder).await,
            answer: answer_label(t, p.attends),
            reason: p.reason.clone(),
            answerable: view.answerable.contains(&p.id).then(|| p.id.clone()),
        });
    }
    let chair = match &m.chair_id {
        Some(c) => holder_name(state, &v.agency_id, &Holder::Person(c.clone())).await,
        None => String::new(),
    };
    Some(Section {
        starts: format::datetime_ms(u.lang, m.starts_at_ms),
        ends: format::datetime_ms(u.lang, m.ends_at_ms),
        place: m.place.clone(),
        chair,
        participants,
        materials: view.materials.as_ref().map(|files| {
            files
                .iter()
                .map(|f| (f.id.to_string(), f.file_name.clone()))
                .collect()
        }),
        can_add_materials: m.created_by == v.person_id,
    })
}

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct NewMeetingPage {
    l: Layout,
    /// `person:ID` / `unit:ID` and the name.
    invitees: Vec<(String, String)>,
    /// Leaders who may chair: id and name.
    chairs: Vec<(String, String)>,
    /// What was typed and chosen, when the form comes back refused.
    typed: Fields,
    problem: Option<Problem>,
}

impl NewMeetingPage {
    /// What was typed in `name` (nothing on a new form).
    fn value(&self, name: &str) -> &str {
        form::field(&self.typed, name)
    }

    /// Whether `value` was chosen in `name` (the participants, the chair).
    fn chose(&self, name: &str, value: &str) -> bool {
        self.typed.iter().any(|(k, v)| k == name && v == value)
    }
}

pub async fn new_form(State(state): State<AppState>, u: PageUser) -> Result<Response, WebError> {
    meeting_form_page(state, u, None).await
}

/// The invitation form, empty or as a refused one was sent (the files must be chosen
/// again: a refused form stores none).
async fn meeting_form_page(
    state: AppState,
    u: PageUser,
    refused: Option<(Fields, Problem)>,
) -> Result<Response, WebError> {
    let v = &u.user.viewer;
    let store = &state.app.store;
    let units = store.units(&v.agency_id).await.unwrap_or_default();
    let people: Vec<_> = store
        .people(&v.agency_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.active)
        .collect();
    let invitees = units
        .into_iter()
        .map(|x| (format!("unit:{}", x.id), x.name))
        .chain(
            people
                .iter()
                .map(|p| (format!("person:{}", p.id), p.full_name.clone())),
        )
        .collect();
    let chairs = people
        .iter()
        .filter(|p| p.roles.contains(&signet_core::Role::Leader))
        .map(|p| (p.id.to_string(), p.full_name.clone()))
        .collect();
    let (typed, problem) = refused.map_or((Fields::new(), None), |(f, p)| (f, Some(p)));
    let status = problem
        .as_ref()
        .map_or(axum::http::StatusCode::OK, Problem::status);
    let page = NewMeetingPage {
        invitees,
        chairs,
        l: Layout::of(&state, &u, "calendar").await,
        typed,
        problem,
    };
    Ok((status, render(&page)).into_response())
}

/// A refused invitation: the form again with what was typed, or an error page when the
/// refusal is not about the input.
async fn refused_meeting(
    state: AppState,
    u: PageUser,
    e: AppError,
    typed: &upload::Form,
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, &[("co", "participants")]) else {
        return Err(u.fail(e));
    };
    meeting_form_page(state, u, Some((typed.pairs(), problem))).await
}

fn meeting_form(f: &upload::Form) -> MeetingForm {
    MeetingForm {
        subject: f.get("subject"),
        starts_at: f.get("starts_at"),
        ends_at: f.get("ends_at"),
        place: f.get("place"),
        chair: f.get("chair"),
        participants: f.all("participants"),
        urgency: f.get("urgency"),
    }
}

/// Schedules the meeting; the invitation's draft page follows.
pub async fn create(
    State(state): State<AppState>,
    u: PageUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))?;
        app.check_meeting(v, &meeting_form(f))
    };
    let (form, files) = match upload::read_keeping(app, v, mp, check).await {
        Ok(read) => read,
        Err((e, typed)) => return refused_meeting(state.clone(), u, e, &typed).await,
    };
    match app.create_meeting(v, &meeting_form(&form), files).await {
        Ok(doc) => Ok(Redirect::to(&format!("/documents/{}", doc.id)).into_response()),
        Err(e) => refused_meeting(state.clone(), u, e, &form).await,
    }
}

/// An answer to the invitation (attend, or decline with a reason); refused, the page comes
/// back with the answer as it was sent, in the row of the participant it was for.
pub async fn attendance(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    u.check_csrf(field(&f, "csrf"))?;
    let answered = state
        .app
        .answer_invitation(
            &u.user.viewer,
            &id,
            field(&f, "participant"),
            field(&f, "attends"),
            field(&f, "reason"),
        )
        .await;
    match answered {
        Ok(()) => Ok(Redirect::to(&format!("/documents/{id}#meeting")).into_response()),
        Err(e) => refused_on_page(state.clone(), u, &id, "attendance-form", f, e).await,
    }
}

pub async fn add_materials(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))
    };
    let added = match upload::read(app, v, mp, check).await {
        Ok((_, files)) => app.add_materials(v, &id, files).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(()) => Ok(Redirect::to(&format!("/documents/{id}#meeting")).into_response()),
        // Nothing typed to keep: the form is its files, which a refused form does not store.
        Err(e) => {
            refused_with_aliases(
                state.clone(),
                u,
                &id,
                "materials-form",
                vec![],
                e,
                MATERIALS,
            )
            .await
        }
    }
}

/// The materials form's file input is `materials`; the use cases say `file`.
const MATERIALS: &[(&str, &str)] = &[("file", "materials")];

pub async fn material(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, file_id)): Path<(DocumentId, FileId)>,
) -> Result<Response, WebError> {
    let (file, handle) = state
        .app
        .meeting_material(&u.user.viewer, &id, &file_id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(super::documents::file_response(&file, handle).await)
}

#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    #[serde(default)]
    week: String,
    #[serde(default)]
    person: String,
}

/// One meeting of the week as the calendar prints it.
pub struct CalendarRow {
    pub id: String,
    pub time: String,
    pub subject: String,
    pub place: String,
    pub chair: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    l: Layout,
    person_id: String,
    person_name: String,
    /// The week's first and last day, and the Mondays before and after.
    from: String,
    to: String,
    previous: String,
    next: String,
    /// Day label and its meetings.
    days: Vec<(String, Vec<CalendarRow>)>,
    /// Whose calendar may be shown: id, name, selected.
    people: Vec<(String, String, bool)>,
}

fn weekday_vi(t: Tr, i: usize) -> &'static str {
    const VI: [&str; 7] = [
        "Thứ Hai",
        "Thứ Ba",
        "Thứ Tư",
        "Thứ Năm",
        "Thứ Sáu",
        "Thứ Bảy",
        "Chủ Nhật",
    ];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    t.pick(VI[i % 7], EN[i % 7])
}

pub async fn calendar(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let cal = state
        .app
        .calendar(v, &q.person, &q.week)
        .await
        .map_err(|e| u.fail(e))?;
    let mut days = Vec::new();
    for (i, (day, meetings)) in cal.days.iter().enumerate() {
        let mut rows = Vec::new();
        for (m, d) in meetings {
            let chair = match &m.chair_id {
                Some(c) => holder_name(&state, &v.agency_id, &Holder::Person(c.clone())).await,
                None => String::new(),
            };
            let (from, to) = (
                format::datetime_ms(u.lang, m.starts_at_ms),
                format::datetime_ms(u.lang, m.ends_at_ms),
            );
            rows.push(CalendarRow {
                id: d.id.to_string(),
                time: format!(
                    "{} – {}",
                    from.split(' ').nth(1).unwrap_or_default(),
                    to.split(' ').nth(1).unwrap_or_default()
                ),
                subject: d.subject.clone(),
                place: m.place.clone(),
                chair,
            });
        }
        days.push((
            format!("{} {}", weekday_vi(t, i), format::date(u.lang, *day)),
            rows,
        ));
    }
    let people = state
        .app
        .store
        .people(&v.agency_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            p.active && p.roles.contains(&signet_core::Role::Leader) || p.id == cal.person.id
        })
        .map(|p| {
            let selected = p.id == cal.person.id;
            (p.id.to_string(), p.full_name, selected)
        })
        .collect();
    let page = CalendarPage {
        person_id: cal.person.id.to_string(),
        person_name: cal.person.full_name.clone(),
        from: iso_date(cal.monday),
        to: iso_date(cal.monday + Duration::days(6)),
        previous: week_param(cal.monday - Duration::days(7)),
        next: week_param(cal.monday + Duration::days(7)),
        days,
        people,
        l: Layout::of(&state, &u, "calendar").await,
    };
    Ok(render(&page))
}
