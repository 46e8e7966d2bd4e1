//! Paperless meetings (issue 10 §4): the invitation (giấy mời) is an outgoing document with
//! a time, a place, a chair, participants (people and units of the agency) and materials;
//! participants answer whether they attend (a refusal gives its reason); the materials are
//! shown to the participants only; a person's week of meetings is the lịch công tác.

use signet_core::document::{check_optional_text, check_text, limits, DocumentType};
use signet_core::ids::{DocumentId, FileId, PersonId, UnitId};
use signet_core::person::Viewer;
use signet_store::directory::Person;
use signet_store::documents::processing::Holder;
use signet_store::documents::{Document, DocumentFile, NewDocument, NewFile};
use signet_store::meetings::{Meeting, NewMeeting};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

use crate::clock::{iso_date, parse_date, VIETNAM};
use crate::processing::{HANDLERS_MAX, INSTRUCTION_MAX};
use crate::{App, AppError, Invalid};

/// The longest place name.
pub const PLACE_MAX: usize = 500;
/// A meeting without an end time lasts this long.
pub const DEFAULT_LENGTH_MS: i64 = 2 * 3600 * 1000;
/// The file kind `upload::read` gives files sent in the `materials` field.
pub const MATERIAL: &str = "material";

/// What the organizer fills in. Participants are written `person:ID` or `unit:ID`; times
/// `YYYY-MM-DDTHH:MM` in Vietnam time (what a `datetime-local` input sends).
#[derive(Debug, Clone, Default)]
pub struct MeetingForm {
    pub subject: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub chair: String,
    pub participants: Vec<String>,
    pub urgency: String,
}

/// A meeting as its invitation's page shows it to the viewer.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: Meeting,
    /// `None` when the viewer is not a participant: the materials are theirs only.
    pub materials: Option<Vec<DocumentFile>>,
    /// The participant rows the viewer answers (their own, their unit's as its head),
    /// while the meeting has not started.
    pub answerable: Vec<String>,
}

/// A person's week: Monday, and each day's meetings.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub person: Person,
    pub monday: Date,
    /// Seven days from Monday, each with its meetings in time order.
    pub days: Vec<(Date, Vec<(Meeting, Document)>)>,
}

fn invalid(e: Invalid) -> AppError {
    AppError::Invalid(e)
}

/// Parses a local Vietnam time `YYYY-MM-DDTHH:MM` (a space or `:SS` accepted) to Unix ms.
pub fn parse_local_ms(field: &'static str, text: &str) -> Result<i64, AppError> {
    let t = text.trim().replacen(' ', "T", 1);
    let t = if t.len() == 19 { &t[..16] } else { t.as_str() };
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(t, &format)
        .map(|p| (p.assume_offset(VIETNAM).unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| {
            invalid(Invalid::DateTime {
                field,
                value: text.trim().to_owned(),
            })
        })
}

/// A Unix-ms time as `YYYY-MM-DD HH:MM` in Vietnam time.
fn shown(ms: i64) -> String {
    crate::clock::display_ms(ms)
}

/// The checks that need no database, run before any file of the form is stored.
pub fn check_meeting_form(form: &MeetingForm, now_ms: i64) -> Result<(i64, i64), AppError> {
    check_text("subject", &form.subject, limits::SUBJECT)?;
    check_text("place", &form.place, PLACE_MAX)?;
    let starts = parse_local_ms("starts_at", &form.starts_at)?;
    let ends = match form.ends_at.trim() {
        "" => starts + DEFAULT_LENGTH_MS,
        e => parse_local_ms("ends_at", e)?,
    };
    if starts < now_ms {
        return Err(invalid(Invalid::MeetingInPast {
            value: shown(starts),
            now: shown(now_ms),
        }));
    }
    if ends <= starts {
        return Err(invalid(Invalid::MeetingEnds {
            starts: shown(starts),
            ends: shown(ends),
        }));
    }
    let named = form.participants.iter().filter(|p| !p.trim().is_empty());
    match named.count() {
        0 => Err(invalid(Invalid::ParticipantRequired)),
        n if n > HANDLERS_MAX * 4 => Err(invalid(Invalid::TooManyHandlers {
            max: HANDLERS_MAX * 4,
        })),
        _ => Ok((starts, ends)),
    }
}

/// The Monday of the week `day` falls in.
pub fn monday_of(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

fn local_midnight_ms(day: Date) -> i64 {
    (day.midnight().assume_offset(VIETNAM).unix_timestamp_nanos() / 1_000_000) as i64
}

impl App {
    /// A participant of the viewer's agency, or a refusal naming it.
    async fn participant(&self, viewer: &Viewer, text: &str) -> Result<Holder, AppError> {
        let foreign = || {
            invalid(Invalid::ForeignParticipant {
                holder: text.trim().to_owned(),
            })
        };
        let (kind, id) = text.trim().split_once(':').ok_or_else(foreign)?;
        match kind {
            "person" => {
                let p = self
                    .store
                    .person(&PersonId::new(id))
                    .await
                    .map_err(|_| foreign())?;
                if p.agency_id != viewer.agency_id || !p.active {
                    return Err(foreign());
                }
                Ok(Holder::Person(p.id))
            }
            "unit" => Ok(Holder::Unit(
                self.store
                    .unit(&viewer.agency_id, &UnitId::new(id))
                    .await
                    .map_err(|_| foreign())?
                    .id,
            )),
            _ => Err(foreign()),
        }
    }

    /// Checks a meeting form before its files are received (the upload's early check).
    pub fn check_meeting(&self, viewer: &Viewer, form: &MeetingForm) -> Result<(), AppError> {
        if !viewer.can_draft() {
            return Err(AppError::Forbidden("inviting to meetings"));
        }
        check_meeting_form(form, self.clock.now_ms()).map(|_| ())
    }

    /// Schedules a meeting: its invitation is a new outgoing draft. Files of kind
    /// [`MATERIAL`] are the meeting's materials; the others are the invitation's own.
    pub async fn create_meeting(
        &self,
        viewer: &Viewer,
        form: &MeetingForm,
        files: Vec<NewFile>,
    ) -> Result<Document, AppError> {
        self.check_meeting(viewer, form)?;
        let (starts, ends) = check_meeting_form(form, self.clock.now_ms())?;
        let mut participants: Vec<Holder> = Vec::new();
        for p in form.participants.iter().filter(|p| !p.trim().is_empty()) {
            let h = self.participant(viewer, p).await?;
            if !participants.contains(&h) {
                participants.push(h);
            }
        }
        let chair = match form.chair.trim() {
            "" => None,
            c => match self.participant(viewer, &format!("person:{c}")).await? {
                Holder::Person(p) => Some(p),
                Holder::Unit(_) => None,
            },
        };
        let (materials, own): (Vec<NewFile>, Vec<NewFile>) =
            files.into_iter().partition(|f| f.kind == MATERIAL);
        let own = own
            .into_iter()
            .map(|f| NewFile {
                kind: "main".into(),
                ..f
            })
            .collect();
        let urgency = match form.urgency.trim() {
            "" => Default::default(),
            u => signet_core::document::Urgency::parse(u)?,
        };
        let unit = self.store.person(&viewer.person_id).await?.unit_id;
        let invitation = NewDocument {
            agency_id: viewer.agency_id.clone(),
            doc_type: DocumentType::GiayMoi,
            subject: form.subject.trim().to_owned(),
            urgency,
            secrecy: Default::default(),
            signer_name: String::new(),
            signer_position: String::new(),
            pages: None,
            recipients: String::new(),
            due_on: None,
            drafting_unit_id: unit,
            created_by: viewer.person_id.clone(),
            files: own,
        };
        let place = form.place.trim();
        let meeting = NewMeeting {
            invitation: &invitation,
            starts_at_ms: starts,
            ends_at_ms: ends,
            place,
            chair: chair.as_ref(),
            participants: &participants,
            materials: &materials,
        };
        Ok(self
            .store
            .schedule_meeting(&meeting, self.clock.now_ms())
            .await?)
    }

    /// Whether the viewer takes part: organizer, chair, invited by name or through their
    /// unit.
    async fn takes_part(&self, viewer: &Viewer, m: &Meeting) -> Result<bool, AppError> {
        if m.created_by == viewer.person_id {
            return Ok(true);
        }
        let unit = self.store.person(&viewer.person_id).await?.unit_id;
        Ok(m.invites(&viewer.person_id, unit.as_ref()))
    }

    /// The meeting of an invitation the viewer may read, if it is one.
    pub async fn meeting(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Option<MeetingView>, AppError> {
        self.document(viewer, id).await?;
        let Some(meeting) = self.store.meeting(&viewer.agency_id, id).await? else {
            return Ok(None);
        };
        let materials = if self.takes_part(viewer, &meeting).await? {
            Some(self.store.meeting_materials(&viewer.agency_id, id).await?)
        } else {
            None
        };
        let headed = self.headed_unit(viewer).await?;
        let open = self.clock.now_ms() < meeting.starts_at_ms;
        let answerable = meeting
            .participants
            .iter()
            .filter(|p| open && answers_for(viewer, headed.as_ref(), &p.holder))
            .map(|p| p.id.clone())
            .collect();
        Ok(Some(MeetingView {
            meeting,
            materials,
            answerable,
        }))
    }

    async fn meeting_of(&self, viewer: &Viewer, id: &DocumentId) -> Result<Meeting, AppError> {
        self.document(viewer, id).await?;
        self.store
            .meeting(&viewer.agency_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// A participant answers: `attends` is `yes` or `no`; a `no` needs its reason.
    pub async fn answer_invitation(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        participant_id: &str,
        attends: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let meeting = self.meeting_of(viewer, id).await?;
        let row = meeting
            .participants
            .iter()
            .find(|p| p.id == participant_id.trim())
            .ok_or(AppError::NotFound)?;
        let headed = self.headed_unit(viewer).await?;
        if !answers_for(viewer, headed.as_ref(), &row.holder) {
            return Err(AppError::Forbidden(
                "answering an invitation: the person invited, or the head of the unit invited",
            ));
        }
        let attends = match attends.trim() {
            "yes" => true,
            "no" => false,
            _ => {
                return Err(invalid(Invalid::OneOf {
                    field: "attends",
                    allowed: "yes, no".into(),
                }))
            }
        };
        if attends {
            check_optional_text("reason", reason, INSTRUCTION_MAX)?;
        } else {
            check_text("reason", reason, INSTRUCTION_MAX)?;
        }
        if self.clock.now_ms() >= meeting.starts_at_ms {
            return Err(invalid(Invalid::MeetingStarted));
        }
        Ok(self
            .store
            .answer_invitation(
                &viewer.agency_id,
                id,
                &row.id,
                attends,
                reason.trim(),
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The organizer adds materials to the meeting.
    pub async fn add_materials(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        files: Vec<NewFile>,
    ) -> Result<(), AppError> {
        let meeting = self.meeting_of(viewer, id).await?;
        if meeting.created_by != viewer.person_id {
            return Err(AppError::Forbidden("adding materials: the organizer only"));
        }
        if files.is_empty() {
            return Err(invalid(Invalid::FileRequired));
        }
        Ok(self
            .store
            .add_materials(
                &viewer.agency_id,
                id,
                &files,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// A material to download, for the meeting's participants only (`NotFound` to anyone
    /// else: a reader of the invitation learns nothing of the materials).
    pub async fn meeting_material(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        file_id: &FileId,
    ) -> Result<(DocumentFile, tokio::fs::File), AppError> {
        let meeting = self.meeting_of(viewer, id).await?;
        if !self.takes_part(viewer, &meeting).await? {
            return Err(AppError::NotFound);
        }
        let file = self
            .store
            .meeting_material(&viewer.agency_id, id, file_id)
            .await?;
        let handle = self.blobs.open_blob(&file.sha256).await?;
        Ok((file, handle))
    }

    /// The lịch công tác of `person` (the viewer when empty; a person of the viewer's
    /// agency) for the week of `day` (`YYYY-MM-DD`, this week when empty).
    pub async fn calendar(
        &self,
        viewer: &Viewer,
        person: &str,
        day: &str,
    ) -> Result<Calendar, AppError> {
        let person = match person.trim() {
            "" => self.store.person(&viewer.person_id).await?,
            p => self.store.person(&PersonId::new(p)).await?,
        };
        if person.agency_id != viewer.agency_id {
            return Err(AppError::NotFound);
        }
        let day = match day.trim() {
            "" => self.clock.today(),
            d => parse_date(d).ok_or_else(|| {
                invalid(Invalid::Date {
                    field: "week",
                    value: d.to_owned(),
                })
            })?,
        };
        let monday = monday_of(day);
        let from = local_midnight_ms(monday);
        let to = local_midnight_ms(monday + Duration::days(7));
        let meetings = self
            .store
            .meetings_between(&viewer.agency_id, from, to)
            .await?;
        let mut days: Vec<(Date, Vec<(Meeting, Document)>)> = (0..7)
            .map(|i| (monday + Duration::days(i), Vec::new()))
            .collect();
        for (m, d) in meetings {
            let mine = m.invites(&person.id, person.unit_id.as_ref());
            if !mine || !viewer.can_read(d.scope()) {
                continue;
            }
            let Ok(t) =
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(m.starts_at_ms) * 1_000_000)
            else {
                continue;
            };
            let index = (t.to_offset(VIETNAM).date() - monday).whole_days();
            if let Some((_, list)) = usize::try_from(index).ok().and_then(|i| days.get_mut(i)) {
                list.push((m, d));
            }
        }
        Ok(Calendar {
            person,
            monday,
            days,
        })
    }

    /// Invitations waiting for the viewer's answer (their own, and their unit's when they
    /// head it), soonest first.
    pub async fn invitations_waiting(
        &self,
        viewer: &Viewer,
        limit: u32,
    ) -> Result<Vec<(Meeting, Document, String)>, AppError> {
        let headed = self.headed_unit(viewer).await?;
        let mut holders = vec![viewer.person_id.as_str()];
        if let Some(u) = &headed {
            holders.push(u.as_str());
        }
        let waiting = self
            .store
            .invitations_waiting(&viewer.agency_id, &holders, self.clock.now_ms(), limit)
            .await?;
        Ok(waiting
            .into_iter()
            .filter(|(_, d, _)| viewer.can_read(d.scope()))
            .collect())
    }
}

/// Whether the viewer answers for `holder`: themselves, or the unit they head.
fn answers_for(viewer: &Viewer, headed: Option<&UnitId>, holder: &Holder) -> bool {
    match holder {
        Holder::Person(p) => *p == viewer.person_id,
        Holder::Unit(u) => headed == Some(u),
    }
}

/// Today's date as the calendar's links write it.
pub fn week_param(day: Date) -> String {
    iso_date(day)
}
