//! Processing an incoming document (Nghị định 30 Điều 24): the leader's direction and
//! assignments, the work queue, processing notes, completion — and the holiday table the
//! deadlines are counted with.
//!
//! Every write claims the agency's journal head first and journals what it did, and the
//! counters of [`crate::statistics`] move in the same transaction.

use signet_core::ids::{AgencyId, DocumentId, PersonId, UnitId};
use signet_core::lifecycle::incoming::{Assigned, Done, Processing};
use signet_core::lifecycle::{Incoming, Moved};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::write::{file_details, keep_blob, move_state};
use super::{fetch, journal_and_commit, Document, DocumentFile, NewFile};
use crate::error::corrupt;
use crate::journal::details::{
    entry, ExtensionDecided, ExtensionRequested, HolidaySet, IncomingAssigned, IncomingCompleted,
    LeadReassigned, NoteAdded,
};
use crate::journal::{append, append_and_commit, claim_head};
use crate::statistics::{bump, month_of, Counters};
use crate::{new_id, Store, StoreError, Tx};

/// The part a handler takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerRole {
    /// Chủ trì: answers for the result.
    Lead,
    /// Phối hợp: contributes.
    Co,
    /// Để biết: informed only; never in a work queue.
    Info,
}

impl HandlerRole {
    pub fn code(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Co => "co",
            Self::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Lead, Self::Co, Self::Info]
            .into_iter()
            .find(|r| r.code() == s)
    }
}

/// Who holds an assignment: a person, or a unit until its head gives it to someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Person(PersonId),
    Unit(UnitId),
}

impl Holder {
    pub fn id(&self) -> &str {
        match self {
            Self::Person(p) => p.as_str(),
            Self::Unit(u) => u.as_str(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::Unit(_) => "unit",
        }
    }

    pub(crate) fn from_parts(kind: &str, id: String) -> Result<Self, StoreError> {
        match kind {
            "person" => Ok(Self::Person(PersonId::new(id))),
            "unit" => Ok(Self::Unit(UnitId::new(id))),
            other => Err(corrupt("holder kind", other)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: String,
    pub document_id: DocumentId,
    pub role: HandlerRole,
    pub holder: Holder,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    pub is_open: bool,
    pub assigned_by: PersonId,
    pub assigned_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: String,
    pub author_id: PersonId,
    pub body: String,
    pub at_ms: i64,
    /// The files attached to it (`kind` is `note`).
    pub files: Vec<DocumentFile>,
}

/// A request to move the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub id: String,
    pub requested_by: PersonId,
    /// The deadline asked for.
    pub deadline: String,
    pub reason: String,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub at_ms: i64,
}

/// Everything recorded about a directed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingRecord {
    pub instruction: String,
    pub deadline: String,
    pub assigned_by: PersonId,
    pub assigned_at_ms: i64,
    /// `replied` or `filed`, once done.
    pub outcome: Option<String>,
    pub reply_document_id: Option<DocumentId>,
    pub done_on: Option<String>,
    pub assignments: Vec<Assignment>,
    pub notes: Vec<Note>,
    pub extensions: Vec<Extension>,
}

/// The leader's direction: what to do, who, by when.
#[derive(Debug, Clone)]
pub struct Direction<'a> {
    pub agency_id: &'a AgencyId,
    pub step: &'a Moved<Incoming<Assigned>>,
    pub instruction: &'a str,
    /// `YYYY-MM-DD`.
    pub deadline: &'a str,
    pub lead: &'a Holder,
    pub co: &'a [Holder],
    pub info: &'a [Holder],
    pub actor: &'a PersonId,
    pub at_ms: i64,
}

/// How a document's processing ends.
#[derive(Debug, Clone)]
pub struct Completion<'a> {
    pub agency_id: &'a AgencyId,
    pub step: &'a Moved<Incoming<Done>>,
    /// `replied` (with the reply document) or `filed` (no reply needed).
    pub outcome: &'a str,
    pub reply: Option<&'a DocumentId>,
    /// `YYYY-MM-DD`, the day it was completed (Vietnam time).
    pub done_on: &'a str,
    pub actor: &'a PersonId,
    pub at_ms: i64,
}

/// One line of a work queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub assignment_id: String,
    pub role: HandlerRole,
    pub deadline: String,
    pub document: Document,
}

const ASSIGNMENT_COLUMNS: &str =
    "id, document_id, role, holder, holder_kind, deadline, is_open, assigned_by, assigned_at_ms";

fn assignment_from_row(r: &AnyRow) -> Result<Assignment, StoreError> {
    let role: String = r.try_get("role")?;
    let kind: String = r.try_get("holder_kind")?;
    Ok(Assignment {
        id: r.try_get("id")?,
        document_id: DocumentId::new(r.try_get::<String, _>("document_id")?),
        role: HandlerRole::parse(&role).ok_or_else(|| corrupt("handler role", &role))?,
        holder: Holder::from_parts(&kind, r.try_get("holder")?)?,
        deadline: r.try_get("deadline")?,
        is_open: r.try_get::<i64, _>("is_open")? != 0,
        assigned_by: PersonId::new(r.try_get::<String, _>("assigned_by")?),
        assigned_at_ms: r.try_get("assigned_at_ms")?,
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_assignment(
    tx: &mut Tx,
    agency_id: &AgencyId,
    document_id: &DocumentId,
    role: HandlerRole,
    holder: &Holder,
    deadline: &str,
    actor: &PersonId,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO assignments (id, agency_id, document_id, role, holder, holder_kind, deadline, \
         is_open, assigned_by, assigned_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(agency_id.as_str())
    .bind(document_id.as_str())
    .bind(role.code())
    .bind(holder.id())
    .bind(holder.kind())
    .bind(deadline)
    .bind(i64::from(role != HandlerRole::Info))
    .bind(actor.as_str())
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The leader directs a presented document: the direction, the deadline and the
    /// assignments, with the step presented → assigned, in one transaction.
    pub async fn assign_incoming(&self, d: &Direction<'_>) -> Result<Document, StoreError> {
        let t = d.step.transition();
        let id = t.document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, d.agency_id).await?;
        // The plain step's entry is replaced by the richer one below.
        let _moved = move_state(&mut tx, d.agency_id, t, d.actor, d.at_ms).await?;
        sqlx::query(
            "INSERT INTO incoming_processing (document_id, agency_id, instruction, deadline, \
             assigned_by, assigned_at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_str())
        .bind(d.agency_id.as_str())
        .bind(d.instruction)
        .bind(d.deadline)
        .bind(d.actor.as_str())
        .bind(d.at_ms)
        .execute(&mut *tx)
        .await?;
        let roles = [
            (HandlerRole::Lead, std::slice::from_ref(d.lead)),
            (HandlerRole::Co, d.co),
            (HandlerRole::Info, d.info),
        ];
        for (role, holders) in roles {
            for h in holders {
                insert_assignment(
                    &mut tx,
                    d.agency_id,
                    id,
                    role,
                    h,
                    d.deadline,
                    d.actor,
                    d.at_ms,
                )
                .await?;
            }
        }
        let action = IncomingAssigned {
            from: t.from().code(),
            to: t.to().code(),
            instruction: d.instruction,
            deadline: d.deadline,
            lead: d.lead.id(),
            co: d.co.iter().map(Holder::id).collect(),
            info: d.info.iter().map(Holder::id).collect(),
        };
        let entry = entry(d.at_ms, d.actor.as_str(), id.as_str(), &action)?;
        journal_and_commit(tx, d.agency_id, &mut head, entry, id).await
    }

    /// Gives the open lead assignment of a document to `to` (a unit's head re-assigning
    /// within the unit).
    pub async fn reassign_lead(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        to: &Holder,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let lead = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE agency_id = $1 AND document_id = $2 \
             AND role = 'lead' AND is_open = 1"
        ))
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let lead = assignment_from_row(&lead)?;
        sqlx::query("UPDATE assignments SET holder = $1, holder_kind = $2 WHERE id = $3")
            .bind(to.id())
            .bind(to.kind())
            .bind(&lead.id)
            .execute(&mut *tx)
            .await?;
        let action = LeadReassigned {
            from: lead.holder.id(),
            to: to.id(),
        };
        let entry = entry(at_ms, actor.as_str(), document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await
    }

    /// A processing note with its files (kept in the blob store already); `start` is the
    /// step assigned → processing when the note is the first work on the document.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_note(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        start: Option<&Moved<Incoming<Processing>>>,
        body: &str,
        files: &[NewFile],
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        if let Some(step) = start {
            let moved = move_state(&mut tx, agency_id, step.transition(), actor, at_ms).await?;
            append(&mut tx, agency_id, &mut head, moved).await?;
        }
        fetch(&mut tx, agency_id, document_id).await?;
        let note_id = new_id();
        sqlx::query(
            "INSERT INTO processing_notes (id, agency_id, document_id, author_id, body, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&note_id)
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(actor.as_str())
        .bind(body)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        for f in files {
            keep_blob(&mut tx, &f.blob, at_ms).await?;
            sqlx::query(
                "INSERT INTO note_files (id, agency_id, document_id, note_id, sha256, file_name, \
                 content_type, size, created_by, created_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(new_id())
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .bind(&note_id)
            .bind(&f.blob.sha256)
            .bind(&f.file_name)
            .bind(&f.content_type)
            .bind(f.blob.size as i64)
            .bind(actor.as_str())
            .bind(at_ms)
            .execute(&mut *tx)
            .await?;
        }
        let note = NoteAdded {
            note: body,
            files: file_details(files),
        };
        let entry = entry(at_ms, actor.as_str(), document_id.as_str(), &note)?;
        append_and_commit(tx, agency_id, &mut head, entry).await
    }

    /// Completes processing: processing → done, the outcome recorded, every assignment
    /// closed, and the document counted done on time or late in its month of arrival.
    pub async fn complete_incoming(&self, c: &Completion<'_>) -> Result<Document, StoreError> {
        let t = c.step.transition();
        let id = t.document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, c.agency_id).await?;
        let _moved = move_state(&mut tx, c.agency_id, t, c.actor, c.at_ms).await?;
        let doc = fetch(&mut tx, c.agency_id, id).await?;
        let row = sqlx::query("SELECT deadline FROM incoming_processing WHERE document_id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let deadline: String = row.try_get(0)?;
        let on_time = c.done_on <= deadline.as_str();
        sqlx::query(
            "UPDATE incoming_processing SET outcome = $1, reply_document_id = $2, done_on = $3, \
             done_at_ms = $4 WHERE document_id = $5",
        )
        .bind(c.outcome)
        .bind(c.reply.map(DocumentId::as_str))
        .bind(c.done_on)
        .bind(c.at_ms)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE assignments SET is_open = 0 WHERE document_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if let Some(arrived) = &doc.arrived_on {
            let delta = Counters {
                in_progress: -1,
                done_on_time: i64::from(on_time),
                overdue: i64::from(!on_time),
                ..Counters::default()
            };
            bump(&mut tx, c.agency_id, &month_of(arrived)?, &delta).await?;
        }
        let action = IncomingCompleted {
            from: t.from().code(),
            to: t.to().code(),
            outcome: c.outcome,
            reply: c.reply.map(DocumentId::as_str),
            done_on: c.done_on,
            on_time,
        };
        let entry = entry(c.at_ms, c.actor.as_str(), id.as_str(), &action)?;
        journal_and_commit(tx, c.agency_id, &mut head, entry, id).await
    }

    /// The direction, assignments and notes of a document, if it has been directed.
    pub async fn processing(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Option<ProcessingRecord>, StoreError> {
        let Some(p) = sqlx::query(
            "SELECT instruction, deadline, assigned_by, assigned_at_ms, outcome, reply_document_id, \
             done_on FROM incoming_processing WHERE agency_id = $1 AND document_id = $2",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let assignments = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE agency_id = $1 AND document_id = $2 \
             ORDER BY assigned_at_ms, role, id"
        ))
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let files = self.note_files(agency_id, document_id).await?;
        let notes = sqlx::query(
            "SELECT id, author_id, body, at_ms FROM processing_notes WHERE agency_id = $1 \
             AND document_id = $2 ORDER BY at_ms, id",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let extensions = sqlx::query(
            "SELECT id, requested_by, deadline, reason, state, at_ms FROM deadline_extensions \
             WHERE agency_id = $1 AND document_id = $2 ORDER BY at_ms, id",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(ProcessingRecord {
            extensions: extensions
                .iter()
                .map(|r| {
                    Ok(Extension {
                        id: r.try_get("id")?,
                        requested_by: PersonId::new(r.try_get::<String, _>("requested_by")?),
                        deadline: r.try_get("deadline")?,
                        reason: r.try_get("reason")?,
                        state: r.try_get("state")?,
                        at_ms: r.try_get("at_ms")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            instruction: p.try_get("instruction")?,
            deadline: p.try_get("deadline")?,
            assigned_by: PersonId::new(p.try_get::<String, _>("assigned_by")?),
            assigned_at_ms: p.try_get("assigned_at_ms")?,
            outcome: p.try_get("outcome")?,
            reply_document_id: p
                .try_get::<Option<String>, _>("reply_document_id")?
                .map(DocumentId::new),
            done_on: p.try_get("done_on")?,
            assignments: assignments
                .iter()
                .map(assignment_from_row)
                .collect::<Result<_, _>>()?,
            notes: notes
                .iter()
                .map(|r| {
                    let id: String = r.try_get("id")?;
                    Ok(Note {
                        files: files
                            .iter()
                            .filter(|(n, _)| *n == id)
                            .map(|(_, f)| f.clone())
                            .collect(),
                        id,
                        author_id: PersonId::new(r.try_get::<String, _>("author_id")?),
                        body: r.try_get("body")?,
                        at_ms: r.try_get("at_ms")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        }))
    }

    /// "Việc cần xử lý": the open lead and co-handler assignments held by any of `holders`
    /// (a person, and the units they head), earliest deadline first — so the overdue ones
    /// lead — then by assignment id; keyset paging after `(deadline, assignment id)`.
    pub async fn work_queue(
        &self,
        agency_id: &AgencyId,
        holders: &[&str],
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<QueueItem>, StoreError> {
        let columns: Vec<String> = super::COLUMNS
            .split(',')
            .map(|c| format!("d.{}", c.trim()))
            .collect();
        let mut items = Vec::new();
        // One indexed range per holder, merged: each reads at most `limit` rows.
        for holder in holders {
            let mut b = crate::sql::Builder::new(&format!(
                "SELECT a.id AS assignment_id, a.role, a.deadline, {} FROM assignments a \
                 JOIN documents d ON d.id = a.document_id WHERE a.holder = ",
                columns.join(", ")
            ));
            b.text(holder).push(" AND a.is_open = 1");
            if let Some((deadline, id)) = after {
                // The plain bound lets both planners seek the index; the OR orders ties.
                b.push(" AND a.deadline >= ")
                    .text(deadline)
                    .push(" AND (a.deadline > ")
                    .text(deadline)
                    .push(" OR a.id > ")
                    .text(id)
                    .push(")");
            }
            b.push(" AND a.agency_id = ")
                .text(agency_id.as_str())
                .push(" ORDER BY a.deadline, a.id LIMIT ")
                .int(i64::from(limit));
            for r in b.query().fetch_all(&self.pool).await? {
                let role: String = r.try_get("role")?;
                items.push(QueueItem {
                    assignment_id: r.try_get("assignment_id")?,
                    role: HandlerRole::parse(&role)
                        .ok_or_else(|| corrupt("handler role", &role))?,
                    deadline: r.try_get("deadline")?,
                    document: super::document_from_row(&r)?,
                });
            }
        }
        items.sort_by(|a, b| (&a.deadline, &a.assignment_id).cmp(&(&b.deadline, &b.assignment_id)));
        items.truncate(limit as usize);
        Ok(items)
    }

    /// Asks for a new deadline; refused (`Conflict`) while another request waits.
    pub async fn request_extension(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        deadline: &str,
        reason: &str,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deadline_extensions WHERE document_id = $1 AND state = 'pending'",
        )
        .bind(document_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if waiting > 0 {
            return Err(StoreError::Conflict(
                "an extension request is waiting".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO deadline_extensions (id, agency_id, document_id, requested_by, deadline, \
             reason, state, at_ms) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
        )
        .bind(new_id())
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(actor.as_str())
        .bind(deadline)
        .bind(reason)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let action = ExtensionRequested { deadline, reason };
        let entry = entry(at_ms, actor.as_str(), document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await
    }

    /// Approves (the deadline of the document and its open assignments moves) or refuses
    /// the waiting extension request; `NotFound` when none waits.
    pub async fn decide_extension(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        approve: bool,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let row = sqlx::query(
            "SELECT id, deadline FROM deadline_extensions WHERE agency_id = $1 AND document_id = $2 \
             AND state = 'pending'",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let (id, deadline): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        sqlx::query(
            "UPDATE deadline_extensions SET state = $1, decided_by = $2, decided_at_ms = $3 WHERE id = $4",
        )
        .bind(if approve { "approved" } else { "refused" })
        .bind(actor.as_str())
        .bind(at_ms)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if approve {
            sqlx::query("UPDATE incoming_processing SET deadline = $1 WHERE document_id = $2")
                .bind(&deadline)
                .bind(document_id.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE assignments SET deadline = $1 WHERE document_id = $2 AND is_open = 1",
            )
            .bind(&deadline)
            .bind(document_id.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let action = ExtensionDecided {
            deadline: &deadline,
            approved: approve,
        };
        let entry = entry(at_ms, actor.as_str(), document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await
    }

    /// The holiday table: `(day, name)` in date order.
    pub async fn holidays(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT day, name FROM holidays ORDER BY day")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("day")?, r.try_get("name")?)))
            .collect()
    }

    /// Adds or renames a holiday (`name` given) or removes it (`None`); journalled in the
    /// administrator's agency.
    pub async fn set_holiday(
        &self,
        agency_id: &AgencyId,
        day: &str,
        name: Option<&str>,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        sqlx::query("DELETE FROM holidays WHERE day = $1")
            .bind(day)
            .execute(&mut *tx)
            .await?;
        if let Some(name) = name {
            sqlx::query("INSERT INTO holidays (day, name) VALUES ($1, $2)")
                .bind(day)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        let entry = entry(at_ms, actor.as_str(), day, &HolidaySet { name })?;
        append_and_commit(tx, agency_id, &mut head, entry).await
    }
}
