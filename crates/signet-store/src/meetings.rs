//! Paperless meetings (issue 10 §4): the invitation (giấy mời) is an outgoing draft; the
//! meeting adds its time, place, chair, participants (people and units, each answering
//! yes or no) and materials, which only participants see.

use signet_core::ids::{AgencyId, DocumentId, FileId, PersonId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::documents::processing::Holder;
use crate::documents::{
    document_from_row, fetch, file_details, file_from_row, insert_draft_in, journal_and_commit,
    keep_blob, Document, DocumentFile, NewDocument, NewFile,
};
use crate::journal::details::{entry, MaterialsAdded, MeetingAnswered, MeetingScheduled};
use crate::journal::{append, append_and_commit, claim_head};
use crate::{new_id, Store, StoreError, Tx};

/// A meeting to schedule with its invitation.
#[derive(Debug, Clone)]
pub struct NewMeeting<'a> {
    /// The invitation: an outgoing draft (its own files are the invitation's).
    pub invitation: &'a NewDocument,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub place: &'a str,
    pub chair: Option<&'a PersonId>,
    pub participants: &'a [Holder],
    pub materials: &'a [NewFile],
}

/// An invited person or unit and their answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: String,
    pub holder: Holder,
    /// `None` until answered; then whether they attend.
    pub attends: Option<bool>,
    /// Why not, when they do not.
    pub reason: String,
    pub answered_by: Option<PersonId>,
    pub answered_at_ms: Option<i64>,
}

/// A meeting as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub document_id: DocumentId,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub place: String,
    pub chair_id: Option<PersonId>,
    pub created_by: PersonId,
    pub participants: Vec<Participant>,
}

impl Meeting {
    /// Whether `person` (who heads `unit`, or belongs to `member_of`) is invited: as the
    /// chair, by name, or through a unit.
    pub fn invites(&self, person: &PersonId, member_of: Option<&signet_core::ids::UnitId>) -> bool {
        self.chair_id.as_ref() == Some(person)
            || self.participants.iter().any(|p| match &p.holder {
                Holder::Person(id) => id == person,
                Holder::Unit(u) => member_of == Some(u),
            })
    }
}

const MEETING_COLUMNS: &str = "m.document_id AS meeting_document, m.starts_at_ms, m.ends_at_ms, \
     m.place, m.chair_id, m.created_by AS meeting_creator";

fn meeting_from_row(r: &AnyRow) -> Result<Meeting, StoreError> {
    Ok(Meeting {
        document_id: DocumentId::new(r.try_get::<String, _>("meeting_document")?),
        starts_at_ms: r.try_get("starts_at_ms")?,
        ends_at_ms: r.try_get("ends_at_ms")?,
        place: r.try_get("place")?,
        chair_id: r
            .try_get::<Option<String>, _>("chair_id")?
            .map(PersonId::new),
        created_by: PersonId::new(r.try_get::<String, _>("meeting_creator")?),
        participants: Vec::new(),
    })
}

fn participant_from_row(r: &AnyRow) -> Result<Participant, StoreError> {
    let kind: String = r.try_get("holder_kind")?;
    let answer: Option<String> = r.try_get("answer")?;
    Ok(Participant {
        id: r.try_get("id")?,
        holder: Holder::from_parts(&kind, r.try_get("holder")?)?,
        attends: answer.map(|a| a == "yes"),
        reason: r.try_get("reason")?,
        answered_by: r
            .try_get::<Option<String>, _>("answered_by")?
            .map(PersonId::new),
        answered_at_ms: r.try_get("answered_at_ms")?,
    })
}

async fn insert_materials(
    tx: &mut Tx,
    agency_id: &AgencyId,
    document_id: &DocumentId,
    files: &[NewFile],
    actor: &PersonId,
    at_ms: i64,
) -> Result<(), StoreError> {
    for f in files {
        keep_blob(tx, &f.blob, at_ms).await?;
        sqlx::query(
            "INSERT INTO meeting_materials (id, agency_id, document_id, sha256, file_name, \
             content_type, size, created_by, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(&f.blob.sha256)
        .bind(&f.file_name)
        .bind(&f.content_type)
        .bind(f.blob.size as i64)
        .bind(actor.as_str())
        .bind(at_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

const MATERIALS: &str = "SELECT f.id, f.document_id, f.sha256, f.file_name, f.content_type, \
     f.size, 'material' AS kind, f.created_at_ms, CAST(1 AS BIGINT) AS version FROM meeting_materials f \
     JOIN documents d ON d.id = f.document_id WHERE d.agency_id = $1 AND f.document_id = $2";

impl Store {
    /// The invitation draft and its meeting, participants and materials, journaled as
    /// `document.drafted` then `meeting.scheduled`, in one transaction.
    pub async fn schedule_meeting(
        &self,
        m: &NewMeeting<'_>,
        at_ms: i64,
    ) -> Result<Document, StoreError> {
        let agency_id = &m.invitation.agency_id;
        let actor = &m.invitation.created_by;
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let (id, drafted) = insert_draft_in(&mut tx, m.invitation, at_ms).await?;
        append(&mut tx, agency_id, &mut head, drafted).await?;
        sqlx::query(
            "INSERT INTO meetings (document_id, agency_id, starts_at_ms, ends_at_ms, place, \
             chair_id, created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.as_str())
        .bind(agency_id.as_str())
        .bind(m.starts_at_ms)
        .bind(m.ends_at_ms)
        .bind(m.place)
        .bind(m.chair.map(PersonId::as_str))
        .bind(actor.as_str())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        for h in m.participants {
            sqlx::query(
                "INSERT INTO meeting_participants (id, agency_id, document_id, holder, \
                 holder_kind, reason) VALUES ($1, $2, $3, $4, $5, '')",
            )
            .bind(new_id())
            .bind(agency_id.as_str())
            .bind(id.as_str())
            .bind(h.id())
            .bind(h.kind())
            .execute(&mut *tx)
            .await?;
        }
        insert_materials(&mut tx, agency_id, &id, m.materials, actor, at_ms).await?;
        let action = MeetingScheduled {
            starts_at_ms: m.starts_at_ms,
            ends_at_ms: m.ends_at_ms,
            place: m.place,
            chair: m.chair.map(PersonId::as_str),
            participants: m.participants.iter().map(Holder::id).collect(),
            materials: file_details(m.materials),
        };
        let e = entry(at_ms, actor.as_str(), id.as_str(), &action)?;
        journal_and_commit(tx, agency_id, &mut head, e, &id).await
    }

    /// The meeting an invitation announces, with its participants; `None` for any other
    /// document.
    pub async fn meeting(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Option<Meeting>, StoreError> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.agency_id = $1 AND m.document_id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let mut m = meeting_from_row(&row)?;
        m.participants = self.participants(agency_id, document_id).await?;
        Ok(Some(m))
    }

    async fn participants(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<Participant>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, holder, holder_kind, answer, reason, answered_by, answered_at_ms \
             FROM meeting_participants WHERE agency_id = $1 AND document_id = $2 ORDER BY id",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(participant_from_row).collect()
    }

    /// A participant's answer (a later answer replaces an earlier one).
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_invitation(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        participant_id: &str,
        attends: bool,
        reason: &str,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query(
            "UPDATE meeting_participants SET answer = $1, reason = $2, answered_by = $3, \
             answered_at_ms = $4 WHERE id = $5 AND agency_id = $6 AND document_id = $7",
        )
        .bind(if attends { "yes" } else { "no" })
        .bind(reason)
        .bind(actor.as_str())
        .bind(at_ms)
        .bind(participant_id)
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::NotFound);
        }
        let action = MeetingAnswered {
            participant: participant_id,
            attends,
            reason,
        };
        let e = entry(at_ms, actor.as_str(), document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// Adds materials to a scheduled meeting.
    pub async fn add_materials(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        files: &[NewFile],
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        fetch(&mut tx, agency_id, document_id).await?;
        insert_materials(&mut tx, agency_id, document_id, files, actor, at_ms).await?;
        let action = MaterialsAdded {
            materials: file_details(files),
        };
        let e = entry(at_ms, actor.as_str(), document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// The materials of a meeting, oldest first (`kind` is `material`).
    pub async fn meeting_materials(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<DocumentFile>, StoreError> {
        let rows = sqlx::query(&format!("{MATERIALS} ORDER BY f.created_at_ms, f.id"))
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(file_from_row).collect()
    }

    /// One material of a meeting, or `NotFound`.
    pub async fn meeting_material(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        file_id: &FileId,
    ) -> Result<DocumentFile, StoreError> {
        let row = sqlx::query(&format!("{MATERIALS} AND f.id = $3"))
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .bind(file_id.as_str())
            .fetch_one(&self.pool)
            .await?;
        file_from_row(&row)
    }

    /// The agency's meetings starting in `[from_ms, to_ms)`, in time order, each with its
    /// invitation and participants (a week of an agency's meetings is a short list).
    pub async fn meetings_between(
        &self,
        agency_id: &AgencyId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Meeting, Document)>, StoreError> {
        let columns: Vec<String> = crate::documents::COLUMNS
            .split(',')
            .map(|c| format!("d.{}", c.trim()))
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT {MEETING_COLUMNS}, {} FROM meetings m JOIN documents d ON d.id = m.document_id \
             WHERE m.agency_id = $1 AND m.starts_at_ms >= $2 AND m.starts_at_ms < $3 \
             ORDER BY m.starts_at_ms, m.document_id LIMIT 1000",
            columns.join(", ")
        ))
        .bind(agency_id.as_str())
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut m = meeting_from_row(r)?;
            m.participants = self.participants(agency_id, &m.document_id).await?;
            out.push((m, document_from_row(r)?));
        }
        Ok(out)
    }

    /// The unanswered invitations of `holders` (a person and the unit they head) to
    /// meetings starting after `now_ms`, soonest first, with the participant row to answer.
    pub async fn invitations_waiting(
        &self,
        agency_id: &AgencyId,
        holders: &[&str],
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<(Meeting, Document, String)>, StoreError> {
        let columns: Vec<String> = crate::documents::COLUMNS
            .split(',')
            .map(|c| format!("d.{}", c.trim()))
            .collect();
        let mut out = Vec::new();
        for holder in holders {
            let rows = sqlx::query(&format!(
                "SELECT p.id AS participant_id, {MEETING_COLUMNS}, {} FROM meeting_participants p \
                 JOIN meetings m ON m.document_id = p.document_id \
                 JOIN documents d ON d.id = p.document_id \
                 WHERE p.holder = $1 AND p.answer IS NULL AND p.agency_id = $2 \
                 AND m.starts_at_ms > $3 ORDER BY m.starts_at_ms, p.id LIMIT $4",
                columns.join(", ")
            ))
            .bind(*holder)
            .bind(agency_id.as_str())
            .bind(now_ms)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                out.push((
                    meeting_from_row(r)?,
                    document_from_row(r)?,
                    r.try_get("participant_id")?,
                ));
            }
        }
        out.sort_by_key(|(m, _, _)| m.starts_at_ms);
        out.truncate(limit as usize);
        Ok(out)
    }
}
