//! Reply documents (văn bản trả lời): an outgoing draft written from an incoming document,
//! linked both ways.

use signet_core::ids::{AgencyId, DocumentId, PersonId};
use sqlx::Row;

use super::write::insert_draft_in;
use super::{fetch, Document, NewDocument};
use crate::journal::details::{entry, ReplyDrafted};
use crate::journal::{append, claim_head};
use crate::{Store, StoreError};

impl Store {
    /// Drafts `reply` as the answer to `incoming`: the draft, its link and both journal
    /// entries (`document.drafted` on the reply, `document.reply_drafted` on the incoming
    /// document) in one transaction.
    pub async fn draft_reply(
        &self,
        incoming: &DocumentId,
        reply: &NewDocument,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<Document, StoreError> {
        let agency_id = &reply.agency_id;
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        fetch(&mut tx, agency_id, incoming).await?;
        let (id, drafted) = insert_draft_in(&mut tx, reply, at_ms).await?;
        sqlx::query(
            "INSERT INTO document_replies (reply_id, incoming_id, agency_id, created_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id.as_str())
        .bind(incoming.as_str())
        .bind(agency_id.as_str())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, agency_id, &mut head, drafted).await?;
        let link = ReplyDrafted { reply: id.as_str() };
        let e = entry(at_ms, actor.as_str(), incoming.as_str(), &link)?;
        append(&mut tx, agency_id, &mut head, e).await?;
        let doc = fetch(&mut tx, agency_id, &id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// The replies drafted from an incoming document, oldest first.
    pub async fn replies_of(
        &self,
        agency_id: &AgencyId,
        incoming: &DocumentId,
    ) -> Result<Vec<DocumentId>, StoreError> {
        let rows = sqlx::query(
            "SELECT reply_id FROM document_replies WHERE agency_id = $1 AND incoming_id = $2 \
             ORDER BY created_at_ms, reply_id",
        )
        .bind(agency_id.as_str())
        .bind(incoming.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(DocumentId::new(r.try_get::<String, _>(0)?)))
            .collect()
    }

    /// The incoming document a reply answers, if it was drafted as one.
    pub async fn answered_by(
        &self,
        agency_id: &AgencyId,
        reply: &DocumentId,
    ) -> Result<Option<DocumentId>, StoreError> {
        let row = sqlx::query(
            "SELECT incoming_id FROM document_replies WHERE agency_id = $1 AND reply_id = $2",
        )
        .bind(agency_id.as_str())
        .bind(reply.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(DocumentId::new(r.try_get::<String, _>(0)?)))
            .transpose()
    }
}
