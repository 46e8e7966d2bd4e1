//! Document writes: new drafts, registered arrivals, lifecycle transitions and issuing.
//!
//! A state changes only through a [`Transition`] made by `signet-core`'s typestate, and the
//! update is guarded by `state = <from>`, so neither a skipped state nor a concurrent change
//! can be written.

use signet_core::document::Direction;
use signet_core::ids::{AgencyId, DocumentId, PersonId};
use signet_core::lifecycle::{
    DocumentState, IncomingState, Issued, Moved, Outgoing, OutgoingState, PlainStep, Transition,
};
use signet_core::register::{Notation, Series};
use signet_core::CoreError;

use super::numbering::next_number;
use super::terms::{index_document, search_text};
use super::{fetch, journal_and_commit, Arrival, Document, NewDocument, NewFile};
use crate::error::corrupt;
use crate::journal::details::{
    entry, DocumentDrafted, DocumentIssued, DocumentMoved, DocumentRegistered, FileDetails,
};
use crate::journal::{append, claim_head};
use crate::statistics::{bump, month_of, Counters};
use crate::{new_id, Store, StoreError, Tx};

/// Who issues which document, when, in which year's register.
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    pub agency_id: &'a AgencyId,
    /// The lifecycle's step from signed to issued.
    pub step: &'a Moved<Outgoing<Issued>>,
    pub year: i32,
    /// `YYYY-MM-DD`.
    pub issued_on: &'a str,
    pub actor: &'a PersonId,
    pub at_ms: i64,
}

async fn insert_files(
    tx: &mut Tx,
    doc_id: &DocumentId,
    actor: &PersonId,
    at_ms: i64,
    files: &[NewFile],
) -> Result<(), StoreError> {
    insert_files_of_version(tx, doc_id, actor, at_ms, files, 1).await
}

/// Stores files added to a document in draft version `version`.
pub(crate) async fn insert_files_of_version(
    tx: &mut Tx,
    doc_id: &DocumentId,
    actor: &PersonId,
    at_ms: i64,
    files: &[NewFile],
    version: i64,
) -> Result<(), StoreError> {
    for f in files {
        keep_blob(tx, &f.blob, at_ms).await?;
        sqlx::query(
            "INSERT INTO document_files (id, document_id, sha256, file_name, content_type, size, kind, created_by, created_at_ms, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new_id())
        .bind(doc_id.as_str())
        .bind(&f.blob.sha256)
        .bind(&f.file_name)
        .bind(&f.content_type)
        .bind(f.blob.size as i64)
        .bind(&f.kind)
        .bind(actor.as_str())
        .bind(at_ms)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Writes a new outgoing draft inside a transaction that has claimed the agency's head;
/// gives its id and the `document.drafted` entry for the caller to journal (a reply or an
/// invitation journals more in the same transaction).
pub(crate) async fn insert_draft_in(
    tx: &mut Tx,
    d: &NewDocument,
    at_ms: i64,
) -> Result<(DocumentId, signet_core::journal::NewEntry), StoreError> {
    let id = DocumentId::new(new_id());
    let state = DocumentState::Outgoing(OutgoingState::Draft);
    insert_document(tx, &id, d, state, None, at_ms).await?;
    insert_files(tx, &id, &d.created_by, at_ms, &d.files).await?;
    let action = DocumentDrafted {
        subject: &d.subject,
        doc_type: d.doc_type.code(),
        files: file_details(&d.files),
        secrecy: d.secrecy.code(),
    };
    let entry = entry(at_ms, d.created_by.as_str(), id.as_str(), &action)?;
    Ok((id, entry))
}

/// Records a stored blob (once per content) so file rows may refer to it.
pub(crate) async fn keep_blob(
    tx: &mut Tx,
    blob: &crate::StoredBlob,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size, created_at_ms) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&blob.sha256)
    .bind(blob.size as i64)
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) fn file_details(files: &[NewFile]) -> Vec<FileDetails<'_>> {
    files
        .iter()
        .map(|f| FileDetails {
            sha256: &f.blob.sha256,
            name: &f.file_name,
            size: f.blob.size,
        })
        .collect()
}

/// The state the current row is in, for the error of a guarded update that matched nothing.
async fn wrong_state(
    tx: &mut Tx,
    agency_id: &AgencyId,
    id: &DocumentId,
    expected: DocumentState,
) -> StoreError {
    match fetch(tx, agency_id, id).await {
        Ok(current) => CoreError::WrongState {
            expected: expected.code(),
            actual: current.state.code(),
        }
        .into(),
        Err(e) => e,
    }
}

impl Store {
    /// Stores a new outgoing draft with its files.
    pub async fn insert_draft(&self, d: &NewDocument, at_ms: i64) -> Result<Document, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &d.agency_id).await?;
        let (id, entry) = insert_draft_in(&mut tx, d, at_ms).await?;
        journal_and_commit(tx, &d.agency_id, &mut head, entry, &id).await
    }

    /// Registers an incoming document: it takes the next số đến of the year, in order of
    /// receipt (Nghị định 30 Điều 22.2).
    pub async fn register_incoming(
        &self,
        d: &NewDocument,
        arrival: &Arrival,
        at_ms: i64,
    ) -> Result<Document, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &d.agency_id).await?;
        let id = register_incoming_in(&mut tx, &mut head, d, arrival, at_ms).await?;
        let doc = fetch(&mut tx, &d.agency_id, &id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Stores one step of a document's lifecycle. The step comes from `signet-core`'s
    /// typestate, so it is one the lifecycle allows; the `WHERE state = <from>` guard catches
    /// a concurrent change (the error then names the state the document is really in).
    pub async fn transition<D: PlainStep>(
        &self,
        agency_id: &AgencyId,
        step: &Moved<D>,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<Document, StoreError> {
        let t: &Transition = step.transition();
        let id = t.document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let entry = move_state(&mut tx, agency_id, t, actor, at_ms).await?;
        journal_and_commit(tx, agency_id, &mut head, entry, id).await
    }

    /// Issues a signed outgoing document: takes the next number of its series for the year,
    /// writes number and notation (built by `notation` from the number), and journals it.
    pub async fn issue(
        &self,
        req: &Issue<'_>,
        notation: impl FnOnce(u32, &Document) -> Result<Notation, CoreError>,
    ) -> Result<Document, StoreError> {
        let Issue {
            agency_id,
            step,
            year,
            issued_on,
            actor,
            at_ms,
        } = *req;
        let t = step.transition();
        let id = t.document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let doc = fetch(&mut tx, agency_id, id).await?;
        if doc.state != t.from() {
            return Err(CoreError::WrongState {
                expected: t.from().code(),
                actual: doc.state.code(),
            }
            .into());
        }
        let series = Series::for_outgoing(doc.doc_type, doc.secrecy).key();
        let number = next_number(&mut tx, agency_id, &series, year).await?;
        let n = u32::try_from(number).map_err(|_| corrupt("counter", number))?;
        let notation = notation(n, &doc)?.to_string();
        let done = sqlx::query(
            "UPDATE documents SET state = $1, series = $2, year = $3, number = $4, notation = $5, \
             issued_on = $6, search_text = $7, updated_at_ms = $8 \
             WHERE agency_id = $9 AND id = $10 AND state = $11",
        )
        .bind(t.to().code())
        .bind(&series)
        .bind(i64::from(year))
        .bind(number)
        .bind(&notation)
        .bind(issued_on)
        .bind(search_text(&doc.subject, Some(&notation), &doc.author_name))
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .bind(t.from().code())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(wrong_state(&mut tx, agency_id, id, t.from()).await);
        }
        index_document(&mut tx, agency_id, id, doc.created_at_ms, &notation).await?;
        let issued = Counters {
            issued: 1,
            ..Counters::default()
        };
        bump(&mut tx, agency_id, &month_of(issued_on)?, &issued).await?;
        let action = DocumentIssued {
            number,
            notation: &notation,
            series: &series,
            issued_on,
        };
        let entry = entry(at_ms, actor.as_str(), id.as_str(), &action)?;
        crate::webhooks::document_issued(&mut tx, &doc, &notation, issued_on, None, at_ms).await?;
        journal_and_commit(tx, agency_id, &mut head, entry, id).await
    }
}

/// The guarded state change of a transition inside the caller's transaction, with the
/// statistics it moves (a document returned to its sender is no longer in progress); returns
/// the journal entry to append.
pub(crate) async fn move_state(
    tx: &mut Tx,
    agency_id: &AgencyId,
    t: &Transition,
    actor: &PersonId,
    at_ms: i64,
) -> Result<signet_core::journal::NewEntry, StoreError> {
    let id = t.document();
    let done = sqlx::query("UPDATE documents SET state = $1, updated_at_ms = $2 WHERE agency_id = $3 AND id = $4 AND state = $5")
        .bind(t.to().code())
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .bind(t.from().code())
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(wrong_state(tx, agency_id, id, t.from()).await);
    }
    if t.to() == DocumentState::Outgoing(OutgoingState::Signed) {
        record_signer(tx, agency_id, id, actor).await?;
    }
    if t.to() == DocumentState::Incoming(IncomingState::Returned) {
        let doc = fetch(tx, agency_id, id).await?;
        if let Some(arrived) = &doc.arrived_on {
            let delta = Counters {
                in_progress: -1,
                ..Counters::default()
            };
            bump(tx, agency_id, &month_of(arrived)?, &delta).await?;
        }
    }
    let action = DocumentMoved {
        from: t.from().code(),
        to: t.to().code(),
    };
    entry(at_ms, actor.as_str(), id.as_str(), &action)
}

/// The register's "người ký" is the person who signed (issue 13 §2), never what was typed
/// on the draft: their name and title as the directory holds them when they sign.
pub(crate) async fn record_signer(
    tx: &mut Tx,
    agency_id: &AgencyId,
    id: &DocumentId,
    signer: &PersonId,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE documents SET signer_name = (SELECT full_name FROM people WHERE id = $1), \
         signer_position = (SELECT title FROM people WHERE id = $1) \
         WHERE agency_id = $2 AND id = $3 AND EXISTS (SELECT 1 FROM people WHERE id = $1)",
    )
    .bind(signer.as_str())
    .bind(agency_id.as_str())
    .bind(id.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_document(
    tx: &mut Tx,
    id: &DocumentId,
    d: &NewDocument,
    state: DocumentState,
    arrival: Option<&Arrival>,
    at_ms: i64,
) -> Result<(), StoreError> {
    let direction: Direction = state.direction();
    let author_name = arrival.map_or("", |a| a.author_name.as_str());
    let author_code = arrival
        .and_then(|a| a.author_code.as_ref())
        .map_or("", |c| c.as_str());
    let notation = arrival.map(|a| a.notation.as_str());
    let text = search_text(&d.subject, notation, author_name);
    sqlx::query(
        "INSERT INTO documents (id, agency_id, direction, state, doc_type, subject, search_text, urgency, secrecy, \
         notation, issued_on, author_name, author_code, signer_name, signer_position, pages, recipients, due_on, \
         drafting_unit_id, arrived_on, created_by, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)",
    )
    .bind(id.as_str())
    .bind(d.agency_id.as_str())
    .bind(direction.as_str())
    .bind(state.code())
    .bind(d.doc_type.code())
    .bind(&d.subject)
    .bind(&text)
    .bind(d.urgency.code())
    .bind(d.secrecy.code())
    .bind(notation)
    .bind(arrival.and_then(|a| a.issued_on.as_deref()))
    .bind(author_name)
    .bind(author_code)
    .bind(&d.signer_name)
    .bind(&d.signer_position)
    .bind(d.pages)
    .bind(&d.recipients)
    .bind(d.due_on.as_deref())
    .bind(d.drafting_unit_id.as_ref().map(|u| u.as_str()))
    .bind(arrival.map(|a| a.arrived_on.as_str()))
    .bind(d.created_by.as_str())
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    index_document(tx, &d.agency_id, id, at_ms, &text).await
}

/// Registers an incoming document inside `tx` (numbered, files, counters, journal); the
/// caller commits. Also used where the registration must share a transaction with more.
pub(crate) async fn register_incoming_in(
    tx: &mut Tx,
    head: &mut signet_core::journal::Head,
    d: &NewDocument,
    arrival: &Arrival,
    at_ms: i64,
) -> Result<DocumentId, StoreError> {
    let id = DocumentId::new(new_id());
    let series = Series::for_incoming(d.secrecy).key();
    let number = next_number(tx, &d.agency_id, &series, arrival.year).await?;
    let state = DocumentState::Incoming(IncomingState::Registered);
    insert_document(tx, &id, d, state, Some(arrival), at_ms).await?;
    sqlx::query("UPDATE documents SET series = $1, year = $2, number = $3 WHERE id = $4")
        .bind(&series)
        .bind(i64::from(arrival.year))
        .bind(number)
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    insert_files(tx, &id, &d.created_by, at_ms, &d.files).await?;
    let arrived = Counters {
        incoming: 1,
        in_progress: 1,
        ..Counters::default()
    };
    bump(tx, &d.agency_id, &month_of(&arrival.arrived_on)?, &arrived).await?;
    let action = DocumentRegistered {
        arrival_number: number,
        notation: &arrival.notation,
        from: &arrival.author_name,
        files: file_details(&d.files),
        subject: &d.subject,
        secrecy: d.secrecy.code(),
    };
    let entry = entry(at_ms, d.created_by.as_str(), id.as_str(), &action)?;
    append(tx, &d.agency_id, head, entry).await?;
    Ok(id)
}
