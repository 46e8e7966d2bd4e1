//! Processing incoming documents: the leader's direction and assignments, re-assignment
//! within a unit, the work queue, notes and completion (issue 10 §1).

use signet_core::calendar::Holidays;
use signet_core::document::check_text;
use signet_core::ids::{DocumentId, PersonId, UnitId};
use signet_core::lifecycle::incoming::{Assigned, Presented, Processing};
use signet_core::lifecycle::{Incoming, IncomingState};
use signet_core::person::Viewer;
use signet_core::{Direction, Role};
use signet_store::documents::processing::{
    Completion, Direction as Directing, Holder, ProcessingRecord, QueueItem,
};
use signet_store::documents::{Document, DocumentFile, NewFile};

use crate::clock::{iso_date, parse_date};
use crate::{App, AppError, Invalid};

/// The longest direction and note.
pub const INSTRUCTION_MAX: usize = 2000;
/// The most handlers of one kind on one document.
pub const HANDLERS_MAX: usize = 50;
/// The longest deadline a leader may give in working days.
pub const WORKING_DAYS_MAX: u32 = 365;

/// What the leader fills in. Holders are written `person:ID` or `unit:ID`.
#[derive(Debug, Clone, Default)]
pub struct AssignForm {
    pub instruction: String,
    pub lead: String,
    pub co: Vec<String>,
    pub info: Vec<String>,
    /// `YYYY-MM-DD`; when empty, `working_days` from today, or else the document's due date.
    pub deadline: String,
    pub working_days: String,
}

/// How the handler ends the processing.
#[derive(Debug, Clone, Default)]
pub struct CompleteForm {
    /// `replied` (a reply document is linked) or `filed` (no reply needed).
    pub outcome: String,
    pub reply_document_id: String,
}

/// A page of the work queue and the cursor of the next one.
#[derive(Debug, Clone)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    /// `deadline,assignment id` of the last item when there may be more.
    pub next: Option<String>,
    /// Today (Vietnam): items with an earlier deadline are overdue.
    pub today: String,
}

/// What a person may do on a directed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rights {
    /// Holds the open lead (themselves or as head of the holding unit): completes.
    pub lead: bool,
    /// Holds the lead or a co-handling part: writes notes.
    pub handler: bool,
    /// Heads the unit that holds the lead, or assigned it: re-assigns within that unit.
    pub reassign: bool,
    /// The unit the lead is within, if any.
    pub within: Option<UnitId>,
}

fn invalid(e: Invalid) -> AppError {
    AppError::Invalid(e)
}

impl App {
    /// The holiday table as the calendar rules read it.
    pub async fn holiday_calendar(&self) -> Result<Holidays, AppError> {
        let days = self.store.holidays().await?;
        Ok(Holidays::new(
            days.iter().filter_map(|(d, _)| parse_date(d)),
        ))
    }

    /// A holder of the viewer's agency, or a refusal naming it: a person or unit of another
    /// agency (or none) cannot be assigned.
    async fn handler(&self, viewer: &Viewer, text: &str) -> Result<Holder, AppError> {
        let foreign = || {
            invalid(Invalid::ForeignHandler {
                holder: text.to_owned(),
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
            "unit" => {
                let u = self
                    .store
                    .unit(&viewer.agency_id, &UnitId::new(id))
                    .await
                    .map_err(|_| foreign())?;
                Ok(Holder::Unit(u.id))
            }
            _ => Err(foreign()),
        }
    }

    async fn handlers(&self, viewer: &Viewer, texts: &[String]) -> Result<Vec<Holder>, AppError> {
        let texts: Vec<&String> = texts.iter().filter(|t| !t.trim().is_empty()).collect();
        if texts.len() > HANDLERS_MAX {
            return Err(invalid(Invalid::TooManyHandlers { max: HANDLERS_MAX }));
        }
        let mut out: Vec<Holder> = Vec::new();
        for t in texts {
            let h = self.handler(viewer, t).await?;
            if !out.contains(&h) {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// The deadline of a direction: given, counted in working days from today, or the
    /// document's own due date; never in the past.
    async fn deadline(&self, form: &AssignForm, doc: &Document) -> Result<String, AppError> {
        let today = self.clock.today();
        let day = if !form.deadline.trim().is_empty() {
            parse_date(&form.deadline).ok_or_else(|| {
                invalid(Invalid::Date {
                    field: "deadline",
                    value: form.deadline.trim().to_owned(),
                })
            })?
        } else if !form.working_days.trim().is_empty() {
            let n = form
                .working_days
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=WORKING_DAYS_MAX).contains(n))
                .ok_or_else(|| {
                    invalid(Invalid::WorkingDays {
                        value: form.working_days.trim().to_owned(),
                        max: WORKING_DAYS_MAX,
                    })
                })?;
            self.holiday_calendar().await?.add_working_days(today, n)
        } else {
            doc.due_on
                .as_deref()
                .and_then(parse_date)
                .ok_or_else(|| invalid(Invalid::DeadlineRequired))?
        };
        if day < today {
            return Err(invalid(Invalid::DeadlineInPast {
                value: iso_date(day),
                today: iso_date(today),
            }));
        }
        Ok(iso_date(day))
    }

    /// An incoming document of the viewer's agency that they may read.
    pub(crate) async fn incoming(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Document, AppError> {
        let doc = self.document(viewer, id).await?;
        if doc.direction != Direction::Incoming {
            return Err(AppError::NotFound);
        }
        Ok(doc)
    }

    /// The leader directs a presented document (cho ý kiến chỉ đạo, phân công).
    pub async fn assign(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        form: &AssignForm,
    ) -> Result<Document, AppError> {
        if !viewer.has(Role::Leader) {
            return Err(AppError::Forbidden(
                "directing incoming documents: leaders only",
            ));
        }
        let doc = self.incoming(viewer, id).await?;
        self.ensure_not_recalled(viewer, id).await?;
        check_text("instruction", &form.instruction, INSTRUCTION_MAX)?;
        let step = Incoming::<Presented>::restore(id, doc.state)?.assign();
        let lead = self.handler(viewer, &form.lead).await?;
        let co = self.handlers(viewer, &form.co).await?;
        let info = self.handlers(viewer, &form.info).await?;
        let deadline = self.deadline(form, &doc).await?;
        let direction = Directing {
            agency_id: &viewer.agency_id,
            step: &step,
            instruction: form.instruction.trim(),
            deadline: &deadline,
            lead: &lead,
            co: &co,
            info: &info,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        let doc = self.store.assign_incoming(&direction).await?;
        self.tell_sender(viewer, id, &["04"]).await;
        Ok(doc)
    }

    /// Sends the exchange statuses of a step to the sender of a document that came through
    /// the exchange. The step is done already: a failure here is logged, not the step's.
    async fn tell_sender(&self, viewer: &Viewer, id: &DocumentId, codes: &[&str]) {
        for code in codes {
            if let Err(e) = self.exchange_progress(viewer, id, code).await {
                tracing::warn!(document = %id, code, "exchange status not queued: {e}");
            }
        }
    }

    /// The units the viewer heads: a leader placed in a unit heads it.
    pub(crate) async fn headed_unit(&self, viewer: &Viewer) -> Result<Option<UnitId>, AppError> {
        if !viewer.has(Role::Leader) {
            return Ok(None);
        }
        Ok(self.store.person(&viewer.person_id).await?.unit_id)
    }

    /// The directed document's record, once the viewer may read the document.
    pub async fn processing(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Option<ProcessingRecord>, AppError> {
        self.incoming(viewer, id).await?;
        Ok(self.store.processing(&viewer.agency_id, id).await?)
    }

    /// Whether the viewer holds the document's lead (or a co-handling part, `any_role`),
    /// themselves or as head of the holding unit.
    pub(crate) async fn holds(
        &self,
        viewer: &Viewer,
        record: &ProcessingRecord,
        any_role: bool,
    ) -> Result<bool, AppError> {
        use signet_store::documents::processing::HandlerRole;
        let unit = self.headed_unit(viewer).await?;
        Ok(record.assignments.iter().any(|a| {
            let role_ok = a.role == HandlerRole::Lead || (any_role && a.role == HandlerRole::Co);
            let mine = match &a.holder {
                Holder::Person(p) => *p == viewer.person_id,
                Holder::Unit(u) => unit.as_ref() == Some(u),
            };
            role_ok && mine && a.is_open
        }))
    }

    pub(crate) async fn record(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<ProcessingRecord, AppError> {
        self.processing(viewer, id).await?.ok_or(AppError::Rule(
            signet_core::CoreError::WrongState {
                expected: IncomingState::Assigned.code(),
                actual: IncomingState::Registered.code(),
            },
        ))
    }

    /// What the viewer may do on a directed document.
    pub async fn rights(
        &self,
        viewer: &Viewer,
        record: &ProcessingRecord,
    ) -> Result<Rights, AppError> {
        let lead = record.assignments.iter().find(|a| {
            a.is_open && a.role == signet_store::documents::processing::HandlerRole::Lead
        });
        let within = match lead.map(|a| &a.holder) {
            Some(Holder::Unit(u)) => Some(u.clone()),
            Some(Holder::Person(p)) => self.store.person(p).await?.unit_id,
            None => None,
        };
        let unit = self.headed_unit(viewer).await?;
        let heads_it = unit.is_some() && unit == within;
        Ok(Rights {
            lead: self.holds(viewer, record, false).await?,
            handler: self.holds(viewer, record, true).await?,
            reassign: lead.is_some() && (heads_it || record.assigned_by == viewer.person_id),
            within,
        })
    }

    /// A unit's head (or the leader who assigned it) gives the lead to a person of the unit.
    pub async fn reassign(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        to_person: &str,
    ) -> Result<(), AppError> {
        let record = self.record(viewer, id).await?;
        self.ensure_not_recalled(viewer, id).await?;
        let rights = self.rights(viewer, &record).await?;
        if !rights.reassign {
            return Err(AppError::Forbidden(
                "re-assigning: the unit's head or the assigner, while the lead is open",
            ));
        }
        let to = self
            .handler(viewer, &format!("person:{}", to_person.trim()))
            .await?;
        if let (Holder::Person(p), Some(u)) = (&to, &rights.within) {
            if self.store.person(p).await?.unit_id.as_ref() != Some(u) {
                return Err(invalid(Invalid::OutsideUnit));
            }
        }
        Ok(self
            .store
            .reassign_lead(
                &viewer.agency_id,
                id,
                &to,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// A processing note by a handler; the lead's first work takes the document into
    /// processing.
    pub async fn add_note(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        body: &str,
    ) -> Result<(), AppError> {
        self.add_note_with_files(viewer, id, body, Vec::new()).await
    }

    /// A processing note with files (stored in the blob store by the caller's upload); the
    /// files are downloaded by whoever may read the document.
    pub async fn add_note_with_files(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        body: &str,
        files: Vec<NewFile>,
    ) -> Result<(), AppError> {
        check_text("note", body, INSTRUCTION_MAX)?;
        let record = self.record(viewer, id).await?;
        if !self.holds(viewer, &record, true).await? {
            return Err(AppError::Forbidden("notes: the document's handlers only"));
        }
        let doc = self.incoming(viewer, id).await?;
        let start = match doc.state {
            s if s == IncomingState::Assigned.into() => {
                Some(Incoming::<Assigned>::restore(id, s)?.start())
            }
            _ => None,
        };
        Ok(self
            .store
            .add_note(
                &viewer.agency_id,
                id,
                start.as_ref(),
                body.trim(),
                &files,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// A file of a processing note, for whoever may read the document.
    pub async fn note_file(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        file_id: &signet_core::ids::FileId,
    ) -> Result<(DocumentFile, tokio::fs::File), AppError> {
        self.incoming(viewer, id).await?;
        let file = self.store.note_file(&viewer.agency_id, id, file_id).await?;
        let handle = self.blobs.open_blob(&file.sha256).await?;
        Ok((file, handle))
    }

    /// The lead completes the processing with its outcome.
    pub async fn complete(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        form: &CompleteForm,
    ) -> Result<Document, AppError> {
        let record = self.record(viewer, id).await?;
        if !self.holds(viewer, &record, false).await? {
            return Err(AppError::Forbidden("completing: the lead handler only"));
        }
        self.ensure_not_recalled(viewer, id).await?;
        let reply = match form.outcome.trim() {
            "filed" => None,
            "replied" => {
                // Left empty, the reply is the last one drafted from the document.
                let reply = match form.reply_document_id.trim() {
                    "" => self
                        .store
                        .replies_of(&viewer.agency_id, id)
                        .await?
                        .pop()
                        .ok_or(invalid(Invalid::ReplyUnknown))?,
                    given => DocumentId::new(given),
                };
                let d = self
                    .document(viewer, &reply)
                    .await
                    .map_err(|_| invalid(Invalid::ReplyUnknown))?;
                if d.direction != Direction::Outgoing {
                    return Err(invalid(Invalid::ReplyUnknown));
                }
                Some(reply)
            }
            _ => {
                return Err(invalid(Invalid::OneOf {
                    field: "outcome",
                    allowed: "replied, filed".into(),
                }))
            }
        };
        let doc = self.incoming(viewer, id).await?;
        let mut state = doc.state;
        let mut codes = vec!["06"];
        if state == IncomingState::Assigned.into() {
            codes.insert(0, "05");
            let start = Incoming::<Assigned>::restore(id, state)?.start();
            state = self
                .store
                .transition(
                    &viewer.agency_id,
                    &start,
                    &viewer.person_id,
                    self.clock.now_ms(),
                )
                .await?
                .state;
        }
        let step = Incoming::<Processing>::restore(id, state)?.complete();
        let done_on = iso_date(self.clock.today());
        let completion = Completion {
            agency_id: &viewer.agency_id,
            step: &step,
            outcome: form.outcome.trim(),
            reply: reply.as_ref(),
            done_on: &done_on,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        let doc = self.store.complete_incoming(&completion).await?;
        self.tell_sender(viewer, id, &codes).await;
        Ok(doc)
    }

    /// "Việc cần xử lý" of the viewer: their own assignments and those of the unit they head,
    /// overdue first, then by deadline. `after` is the `next` of the previous page.
    pub async fn work_queue(
        &self,
        viewer: &Viewer,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Queue, AppError> {
        let limit = limit.clamp(1, 200);
        let after = match after.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(
                a.split_once(',')
                    .filter(|(d, _)| parse_date(d).is_some())
                    .ok_or_else(|| invalid(Invalid::Cursor))?,
            ),
        };
        let unit = self.headed_unit(viewer).await?;
        let mut holders = vec![viewer.person_id.as_str()];
        if let Some(u) = &unit {
            holders.push(u.as_str());
        }
        let items = self
            .store
            .work_queue(&viewer.agency_id, &holders, after, limit)
            .await?;
        let items: Vec<QueueItem> = items
            .into_iter()
            .filter(|i| viewer.can_read(i.document.scope()))
            .collect();
        let next = (items.len() == limit as usize)
            .then(|| {
                items
                    .last()
                    .map(|i| format!("{},{}", i.deadline, i.assignment_id))
            })
            .flatten();
        Ok(Queue {
            items,
            next,
            today: iso_date(self.clock.today()),
        })
    }

    /// The lead asks the assigner for a later deadline, with the reason (xin gia hạn).
    pub async fn request_extension(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        deadline: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let record = self.record(viewer, id).await?;
        if record.done_on.is_some() || !self.holds(viewer, &record, false).await? {
            return Err(AppError::Forbidden(
                "extensions: the lead handler, before completion",
            ));
        }
        check_text("reason", reason, INSTRUCTION_MAX)?;
        let day = parse_date(deadline).ok_or_else(|| {
            invalid(Invalid::Date {
                field: "deadline",
                value: deadline.trim().to_owned(),
            })
        })?;
        let day = iso_date(day);
        if day <= record.deadline {
            return Err(invalid(Invalid::ExtensionNotLater {
                value: day,
                deadline: record.deadline,
            }));
        }
        Ok(self
            .store
            .request_extension(
                &viewer.agency_id,
                id,
                &day,
                reason.trim(),
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The leader who assigned the document approves or refuses the waiting request.
    pub async fn decide_extension(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        approve: bool,
    ) -> Result<(), AppError> {
        let record = self.record(viewer, id).await?;
        if record.assigned_by != viewer.person_id {
            return Err(AppError::Forbidden(
                "extensions: decided by the leader who assigned",
            ));
        }
        Ok(self
            .store
            .decide_extension(
                &viewer.agency_id,
                id,
                approve,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The administrator adds, renames or removes (`name` empty) a holiday.
    pub async fn set_holiday(
        &self,
        viewer: &Viewer,
        day: &str,
        name: &str,
    ) -> Result<(), AppError> {
        // One calendar serves every agency of the deployment: only the administrators of the
        // top agency (the province) change it, not a commune's.
        let top = self
            .store
            .agency(&viewer.agency_id)
            .await?
            .parent_id
            .is_none();
        if !viewer.can_administer() || !top {
            return Err(AppError::Forbidden(
                "editing holidays: administrators of the top agency only",
            ));
        }
        let d = parse_date(day).ok_or_else(|| {
            invalid(Invalid::Date {
                field: "day",
                value: day.trim().to_owned(),
            })
        })?;
        let name = name.trim();
        if !name.is_empty() {
            check_text("name", name, signet_core::document::limits::ORGAN_NAME)?;
        }
        Ok(self
            .store
            .set_holiday(
                &viewer.agency_id,
                &iso_date(d),
                (!name.is_empty()).then_some(name),
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }
}
