//! Recall, update and replace between agencies (issue 14 §3; statuses 13, 15, 16).
//!
//! The sender: a recall of an issued document it sent ([`Store::recall_document`]: one
//! recall consignment per recipient, in the transaction that records the recall), and the
//! link of a not yet issued document to the one it updates or replaces
//! ([`Store::set_supersedes`]), read when its packets are built.
//!
//! The receiver: a recall marks the received copy `recalled` and answers 13
//! ([`Store::recall_arrived`]); an update or a replacement is a new received document that
//! marks the earlier one `updated` / `replaced` and answers 15 / 16 about it, in the
//! transaction that records its arrival ([`supersede_in`]). Each answer is bound to the
//! SHA-256 of the earlier document, as every status is.

use serde::Serialize;
use signet_core::ids::{AgencyId, DocumentId};
use sqlx::Row;

use crate::exchange::{
    arrived, queue_status, Arrived, NewStatus, Receipt, INBOX_COLUMNS, KIND_DOCUMENT, KIND_RECALL,
    PENDING, UNDELIVERABLE,
};
use crate::journal::details::{entry, Action};
use crate::journal::{append, append_and_commit, claim_head};
use crate::{Store, StoreError, Tx};

/// What a received packet does to the receiver's register.
pub const BUSINESS_NEW: &str = "new";
pub const BUSINESS_UPDATE: &str = "update";
pub const BUSINESS_REPLACE: &str = "replace";

/// The sender's recall of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recall {
    pub document_id: DocumentId,
    pub reason: String,
    pub actor: String,
    pub recalled_at_ms: i64,
}

/// An outgoing document that updates or replaces an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supersedes {
    pub document_id: DocumentId,
    pub original_id: DocumentId,
    /// [`BUSINESS_UPDATE`] or [`BUSINESS_REPLACE`].
    pub kind: String,
}

/// A recall packet received for a document an agency of this node has.
#[derive(Debug, Clone)]
pub struct RecallReceived<'a> {
    pub agency_id: &'a AgencyId,
    /// The received packet recalled.
    pub inbox_id: &'a str,
    pub consignment_id: &'a str,
    pub reason: &'a str,
    /// SHA-256 of the recall packet as received (in the blob store).
    pub packet_sha256: &'a str,
    /// The description of the confirming status 13.
    pub confirmation: &'a str,
    pub at_ms: i64,
}

#[derive(Serialize)]
struct RecallQueued<'a> {
    recipients: Vec<&'a str>,
    reason: &'a str,
}

impl Action for RecallQueued<'_> {
    fn name(&self) -> String {
        "exchange.recall_queued".into()
    }
}

#[derive(Serialize)]
struct SupersedesSet<'a> {
    original: Option<&'a str>,
    kind: &'a str,
}

impl Action for SupersedesSet<'_> {
    fn name(&self) -> String {
        "exchange.supersedes".into()
    }
}

#[derive(Serialize)]
struct Recalled<'a> {
    consignment: &'a str,
    sender: &'a str,
    document: &'a str,
    reason: &'a str,
    packet_sha256: &'a str,
}

impl Action for Recalled<'_> {
    fn name(&self) -> String {
        "exchange.recalled".into()
    }
}

#[derive(Serialize)]
struct Superseded<'a> {
    by: &'a str,
    how: &'a str,
    document: &'a str,
}

impl Action for Superseded<'_> {
    fn name(&self) -> String {
        "exchange.superseded".into()
    }
}

#[derive(Serialize)]
struct Refused<'a> {
    consignment: &'a str,
    sender: &'a str,
    document: &'a str,
    reason: &'a str,
}

impl Action for Refused<'_> {
    fn name(&self) -> String {
        "exchange.refused".into()
    }
}

impl Store {
    /// Records the recall of an issued document and queues a recall packet to each recipient
    /// it was sent to (not to those it never reached: undeliverable), in one transaction.
    /// A document is recalled once; the recipients recalled are returned.
    pub async fn recall_document(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        reason: &str,
        actor: &str,
        at_ms: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM exchange_recalls WHERE agency_id = $1 AND document_id = $2",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if done > 0 {
            return Err(StoreError::Conflict(
                "the document is already recalled".into(),
            ));
        }
        let rows = sqlx::query(
            "SELECT peer_code, peer_name FROM consignments WHERE agency_id = $1 \
             AND document_id = $2 AND kind = $3 AND state <> $4 ORDER BY peer_code",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(KIND_DOCUMENT)
        .bind(UNDELIVERABLE)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::Conflict(
                "the document was not sent to any agency".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO exchange_recalls (document_id, agency_id, reason, actor, recalled_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(document_id.as_str())
        .bind(agency_id.as_str())
        .bind(reason)
        .bind(actor)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let mut codes = Vec::new();
        for r in &rows {
            let code: String = r.try_get("peer_code")?;
            let name: String = r.try_get("peer_name")?;
            sqlx::query(
                "INSERT INTO consignments (id, agency_id, kind, document_id, peer_code, \
                 peer_name, description, state, next_attempt_ms, created_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(crate::new_id())
            .bind(agency_id.as_str())
            .bind(KIND_RECALL)
            .bind(document_id.as_str())
            .bind(&code)
            .bind(&name)
            .bind(reason)
            .bind(PENDING)
            .bind(at_ms)
            .bind(at_ms)
            .execute(&mut *tx)
            .await?;
            codes.push(code);
        }
        let action = RecallQueued {
            recipients: codes.iter().map(String::as_str).collect(),
            reason,
        };
        let e = entry(at_ms, actor, document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await?;
        Ok(codes)
    }

    /// The recall of the agency's document, if recalled.
    pub async fn recall_of(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Option<Recall>, StoreError> {
        let row = sqlx::query(
            "SELECT document_id, reason, actor, recalled_at_ms FROM exchange_recalls \
             WHERE agency_id = $1 AND document_id = $2",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Recall {
                document_id: DocumentId::from(r.try_get::<String, _>("document_id")?),
                reason: r.try_get("reason")?,
                actor: r.try_get("actor")?,
                recalled_at_ms: r.try_get("recalled_at_ms")?,
            })
        })
        .transpose()
    }

    /// Links a not yet issued outgoing document to the one it updates or replaces (`None`
    /// removes the link). A document without recipients gets the original's: the ones it
    /// was sent to.
    pub async fn set_supersedes(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        link: Option<(&DocumentId, &str)>,
        actor: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        sqlx::query("DELETE FROM exchange_supersedes WHERE agency_id = $1 AND document_id = $2")
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .execute(&mut *tx)
            .await?;
        if let Some((original, kind)) = link {
            sqlx::query(
                "INSERT INTO exchange_supersedes (document_id, agency_id, original_id, kind) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(document_id.as_str())
            .bind(agency_id.as_str())
            .bind(original.as_str())
            .bind(kind)
            .execute(&mut *tx)
            .await?;
            copy_recipients(&mut tx, agency_id, document_id, original).await?;
        }
        let action = SupersedesSet {
            original: link.map(|(o, _)| o.as_str()),
            kind: link.map_or("", |(_, k)| k),
        };
        let e = entry(at_ms, actor, document_id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// What the agency's outgoing document updates or replaces, if anything.
    pub async fn supersedes(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Option<Supersedes>, StoreError> {
        let row = sqlx::query(
            "SELECT document_id, original_id, kind FROM exchange_supersedes \
             WHERE agency_id = $1 AND document_id = $2",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Supersedes {
                document_id: DocumentId::from(r.try_get::<String, _>("document_id")?),
                original_id: DocumentId::from(r.try_get::<String, _>("original_id")?),
                kind: r.try_get("kind")?,
            })
        })
        .transpose()
    }

    /// The agency's issued document with `notation` that went out through the exchange.
    pub async fn sent_by_notation(
        &self,
        agency_id: &AgencyId,
        notation: &str,
    ) -> Result<Option<DocumentId>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT d.id FROM documents d WHERE d.agency_id = $1 AND d.notation = $2 \
             AND EXISTS (SELECT 1 FROM consignments c WHERE c.document_id = d.id AND c.kind = $3)",
        )
        .bind(agency_id.as_str())
        .bind(notation.trim())
        .bind(KIND_DOCUMENT)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(DocumentId::from))
    }

    /// The document packet an agency received from `sender_code` under an edXML document id.
    pub async fn arrived_by_edxml(
        &self,
        agency_id: &AgencyId,
        sender_code: &str,
        edxml_document_id: &str,
    ) -> Result<Option<Arrived>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INBOX_COLUMNS} FROM exchange_inbox WHERE agency_id = $1 \
             AND sender_code = $2 AND edxml_document_id = $3"
        ))
        .bind(agency_id.as_str())
        .bind(sender_code)
        .bind(edxml_document_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(arrived).transpose()
    }

    /// Marks a received document recalled by its sender and confirms with status 13, in one
    /// transaction. A copy already recalled is a duplicate and changes nothing.
    pub async fn recall_arrived(&self, r: &RecallReceived<'_>) -> Result<Receipt, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, r.agency_id).await?;
        let confirm = NewStatus {
            agency_id: r.agency_id,
            inbox_id: r.inbox_id,
            code: "13",
            description: r.confirmation,
            actor: "system",
            at_ms: r.at_ms,
        };
        let mut a = crate::exchange::arrived_in(&mut tx, &confirm).await?;
        if a.state == "recalled" {
            return Ok(Receipt::Duplicate);
        }
        sqlx::query(
            "UPDATE exchange_inbox SET state = 'recalled', reason = $1, updated_at_ms = $2 \
             WHERE agency_id = $3 AND id = $4 AND state <> 'recalled'",
        )
        .bind(r.reason)
        .bind(r.at_ms)
        .bind(r.agency_id.as_str())
        .bind(r.inbox_id)
        .execute(&mut *tx)
        .await?;
        a.state = "recalled".into();
        let action = Recalled {
            consignment: r.consignment_id,
            sender: &a.sender_code,
            document: &a.edxml_document_id,
            reason: r.reason,
            packet_sha256: r.packet_sha256,
        };
        let e = entry(r.at_ms, "system", r.inbox_id, &action)?;
        append(&mut tx, r.agency_id, &mut head, e).await?;
        queue_status(&mut tx, &mut head, &confirm, &a).await?;
        tx.commit().await?;
        Ok(Receipt::New)
    }

    /// Journals a packet this node refused for one of its agencies (a recall of a document
    /// it does not have from that sender), so the refusal is on record, not only answered.
    pub async fn record_refusal(
        &self,
        agency_id: &AgencyId,
        consignment_id: &str,
        sender_code: &str,
        edxml_document_id: &str,
        reason: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let action = Refused {
            consignment: consignment_id,
            sender: sender_code,
            document: edxml_document_id,
            reason,
        };
        let e = entry(at_ms, "system", consignment_id, &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// Which of `ids` (documents of the agency) are recalled: its own documents it recalled,
    /// and received copies their sender recalled. For the marks on a page of a list.
    pub async fn recalled_among(
        &self,
        agency_id: &AgencyId,
        ids: &[DocumentId],
    ) -> Result<Vec<DocumentId>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = (0..ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT document_id FROM exchange_recalls WHERE agency_id = $1 \
             AND document_id IN ({list}) UNION SELECT document_id FROM exchange_inbox \
             WHERE agency_id = $1 AND state = 'recalled' AND document_id IN ({list})"
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql).bind(agency_id.as_str());
        for id in ids {
            q = q.bind(id.as_str());
        }
        let found = q.fetch_all(&self.pool).await?;
        Ok(found.into_iter().map(DocumentId::from).collect())
    }

    /// The received packets that updated or replaced `inbox_id`, and the one it supersedes.
    pub async fn arrived_links(
        &self,
        agency_id: &AgencyId,
        inbox_id: &str,
    ) -> Result<Vec<Arrived>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {INBOX_COLUMNS} FROM exchange_inbox WHERE agency_id = $1 \
             AND (original_id = $2 OR superseded_by = $2 OR id IN \
             (SELECT original_id FROM exchange_inbox WHERE agency_id = $1 AND id = $2)) \
             ORDER BY received_at_ms, id"
        ))
        .bind(agency_id.as_str())
        .bind(inbox_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(arrived).collect()
    }
}

/// Copies the original's recipients (those it was sent to) to a document that has none yet.
async fn copy_recipients(
    tx: &mut Tx,
    agency_id: &AgencyId,
    document_id: &DocumentId,
    original: &DocumentId,
) -> Result<(), StoreError> {
    let has: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM exchange_recipients WHERE agency_id = $1 AND document_id = $2",
    )
    .bind(agency_id.as_str())
    .bind(document_id.as_str())
    .fetch_one(&mut **tx)
    .await?;
    if has > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO exchange_recipients (agency_id, document_id, recipient_code, recipient_name) \
         SELECT DISTINCT agency_id, CAST($1 AS TEXT), peer_code, peer_name FROM consignments \
         WHERE agency_id = $2 AND document_id = $3 AND kind = $4",
    )
    .bind(document_id.as_str())
    .bind(agency_id.as_str())
    .bind(original.as_str())
    .bind(KIND_DOCUMENT)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inside the arrival of an update or a replacement that names an earlier received packet:
/// marks that one `updated` / `replaced` and answers 15 / 16 about it. Nothing for a new
/// document, or when the earlier one is not here.
pub(crate) async fn supersede_in(
    tx: &mut Tx,
    head: &mut signet_core::journal::Head,
    a: &Arrived,
) -> Result<(), StoreError> {
    let Some(original_id) = a.original_id.as_deref() else {
        return Ok(());
    };
    let (how, code, text) = match a.business.as_str() {
        BUSINESS_UPDATE => ("updated", "15", "Đã cập nhật bằng văn bản số"),
        BUSINESS_REPLACE => ("replaced", "16", "Đã thay thế bằng văn bản số"),
        _ => return Ok(()),
    };
    let description = format!("{text} {}", a.notation);
    let status = NewStatus {
        agency_id: &a.agency_id,
        inbox_id: original_id,
        code,
        description: &description,
        actor: "system",
        at_ms: a.received_at_ms,
    };
    let original = crate::exchange::arrived_in(tx, &status).await?;
    sqlx::query(
        "UPDATE exchange_inbox SET superseded = $1, superseded_by = $2, updated_at_ms = $3 \
         WHERE agency_id = $4 AND id = $5",
    )
    .bind(how)
    .bind(&a.id)
    .bind(a.received_at_ms)
    .bind(a.agency_id.as_str())
    .bind(original_id)
    .execute(&mut **tx)
    .await?;
    let action = Superseded {
        by: &a.id,
        how,
        document: &original.edxml_document_id,
    };
    let e = entry(a.received_at_ms, "system", original_id, &action)?;
    append(tx, &a.agency_id, head, e).await?;
    queue_status(tx, head, &status, &original).await
}
