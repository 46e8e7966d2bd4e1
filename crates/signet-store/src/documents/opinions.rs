//! Asking a leader for an opinion on an incoming document (xin ý kiến lãnh đạo): the
//! handler's question, the leader's answer, and the leader's queue of open requests.

use signet_core::ids::{AgencyId, DocumentId, PersonId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{document_from_row, fetch, Document, COLUMNS};
use crate::journal::details::{entry, OpinionAsked, OpinionGiven};
use crate::journal::{append_and_commit, claim_head};
use crate::{new_id, Store, StoreError};

/// A question to a leader and, once given, the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionRequest {
    pub id: String,
    pub document_id: DocumentId,
    pub asked_by: PersonId,
    pub leader_id: PersonId,
    pub question: String,
    pub answer: Option<String>,
    pub at_ms: i64,
    pub answered_at_ms: Option<i64>,
}

const REQUEST_COLUMNS: &str = "r.id AS request_id, r.document_id AS request_document, r.asked_by, \
     r.leader_id, r.question, r.answer, r.at_ms, r.answered_at_ms";

fn request_from_row(r: &AnyRow) -> Result<OpinionRequest, StoreError> {
    Ok(OpinionRequest {
        id: r.try_get("request_id")?,
        document_id: DocumentId::new(r.try_get::<String, _>("request_document")?),
        asked_by: PersonId::new(r.try_get::<String, _>("asked_by")?),
        leader_id: PersonId::new(r.try_get::<String, _>("leader_id")?),
        question: r.try_get("question")?,
        answer: r.try_get("answer")?,
        at_ms: r.try_get("at_ms")?,
        answered_at_ms: r.try_get("answered_at_ms")?,
    })
}

impl Store {
    /// Records a question to `leader`; gives the request's id.
    pub async fn ask_opinion(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        leader: &PersonId,
        question: &str,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        fetch(&mut tx, agency_id, document_id).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO opinion_requests (id, agency_id, document_id, asked_by, leader_id, \
             question, is_open, at_ms) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
        )
        .bind(&id)
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(actor.as_str())
        .bind(leader.as_str())
        .bind(question)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let action = OpinionAsked {
            request: &id,
            leader: leader.as_str(),
            question,
        };
        let e = entry(at_ms, actor.as_str(), document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await?;
        Ok(id)
    }

    /// The leader's answer to an open request of theirs; `Conflict` once answered (the
    /// guard is in the update, so two answers at once cannot both land).
    pub async fn answer_opinion(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        request_id: &str,
        answer: &str,
        leader: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query(
            "UPDATE opinion_requests SET answer = $1, is_open = 0, answered_at_ms = $2 \
             WHERE id = $3 AND agency_id = $4 AND document_id = $5 AND leader_id = $6 \
             AND is_open = 1",
        )
        .bind(answer)
        .bind(at_ms)
        .bind(request_id)
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(leader.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::Conflict(
                "the request is answered already, or not yours".into(),
            ));
        }
        let action = OpinionGiven {
            request: request_id,
            answer,
        };
        let e = entry(at_ms, leader.as_str(), document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// Every request on a document, oldest first.
    pub async fn opinion_requests(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<OpinionRequest>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM opinion_requests r WHERE r.agency_id = $1 \
             AND r.document_id = $2 ORDER BY r.at_ms, r.id"
        ))
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_from_row).collect()
    }

    /// The open requests waiting for `leader`, oldest first, with their documents.
    pub async fn opinions_waiting(
        &self,
        agency_id: &AgencyId,
        leader: &PersonId,
        limit: u32,
    ) -> Result<Vec<(OpinionRequest, Document)>, StoreError> {
        let columns: Vec<String> = COLUMNS
            .split(',')
            .map(|c| format!("d.{}", c.trim()))
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS}, {} FROM opinion_requests r \
             JOIN documents d ON d.id = r.document_id \
             WHERE r.leader_id = $1 AND r.is_open = 1 AND r.agency_id = $2 \
             ORDER BY r.at_ms, r.id LIMIT $3",
            columns.join(", ")
        ))
        .bind(leader.as_str())
        .bind(agency_id.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((request_from_row(r)?, document_from_row(r)?)))
            .collect()
    }
}
