//! Exchange between agencies in storage: the recipients chosen before issue, the outbox of
//! consignments (written in the issue's transaction, see [`enqueue_issue`]), the inbox of
//! received document packets, the statuses received back, and a hub's durable queue.
//!
//! Work is claimed by a lease (`claimed_until_ms`) so that several delivery workers — in one
//! process or on several nodes of one PostgreSQL — never send the same consignment at once;
//! on PostgreSQL the claim's selection also skips rows another worker has locked
//! (`FOR UPDATE SKIP LOCKED`), the one place this module tells the engines apart.

use serde::Serialize;
use signet_core::ids::{AgencyId, DocumentId};
use sqlx::Row;

use crate::journal::details::{entry, Action};
use crate::journal::{append, append_and_commit, claim_head};
use crate::queue::{claim_due, Queue};
use crate::{Store, StoreError, Tx};

macro_rules! named_action {
    ($ty:ident, $name:literal) => {
        impl Action for $ty<'_> {
            fn name(&self) -> String {
                $name.to_owned()
            }
        }
    };
}

/// What a consignment carries.
pub const KIND_DOCUMENT: &str = "document";
pub const KIND_STATUS: &str = "status";
/// The recall of a document sent earlier (a document packet of business type "recall").
pub const KIND_RECALL: &str = "recall";
/// Consignment states.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const UNDELIVERABLE: &str = "undeliverable";

/// A recipient agency of an outgoing document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub code: String,
    pub name: String,
}

/// One packet to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consignment {
    pub id: String,
    pub agency_id: AgencyId,
    pub kind: String,
    /// The outgoing document (kind `document`), or the incoming one a status is about once
    /// registered.
    pub document_id: Option<DocumentId>,
    /// For a status: the received packet it answers.
    pub inbox_id: Option<String>,
    /// The recipient (document) or the original sender (status).
    pub peer_code: String,
    pub peer_name: String,
    pub status_code: Option<String>,
    pub description: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
}

const CONSIGNMENT_COLUMNS: &str = "id, agency_id, kind, document_id, inbox_id, peer_code, \
    peer_name, status_code, description, state, attempts, next_attempt_ms, last_error, \
    created_at_ms, delivered_at_ms";

fn consignment(r: &sqlx::any::AnyRow) -> Result<Consignment, StoreError> {
    Ok(Consignment {
        id: r.try_get("id")?,
        agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
        kind: r.try_get("kind")?,
        document_id: r
            .try_get::<Option<String>, _>("document_id")?
            .map(DocumentId::from),
        inbox_id: r.try_get("inbox_id")?,
        peer_code: r.try_get("peer_code")?,
        peer_name: r.try_get("peer_name")?,
        status_code: r.try_get("status_code")?,
        description: r.try_get("description")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_ms: r.try_get("next_attempt_ms")?,
        last_error: r.try_get("last_error")?,
        created_at_ms: r.try_get("created_at_ms")?,
        delivered_at_ms: r.try_get("delivered_at_ms")?,
    })
}

/// A status to send back to the sender of a received packet.
#[derive(Debug, Clone)]
pub struct NewStatus<'a> {
    pub agency_id: &'a AgencyId,
    pub inbox_id: &'a str,
    pub code: &'a str,
    pub description: &'a str,
    pub actor: &'a str,
    pub at_ms: i64,
}

/// A document packet received for an agency of this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrived {
    pub id: String,
    pub agency_id: AgencyId,
    pub consignment_id: String,
    pub sender_code: String,
    pub sender_name: String,
    pub edxml_document_id: String,
    pub notation: String,
    pub subject: String,
    pub promulgation_date: String,
    /// SHA-256 of the issued PDF, which statuses are bound to.
    pub document_sha256: String,
    /// SHA-256 of the packet as received (in the blob store).
    pub packet_sha256: String,
    pub packet_valid: bool,
    /// The verification verdict shown to the clerk.
    pub verdict: String,
    /// `arrived`, `registered`, `returned`, `recalled`.
    pub state: String,
    pub reason: String,
    pub document_id: Option<DocumentId>,
    pub received_at_ms: i64,
    /// What the packet does: `new`, `update` (a corrected version) or `replace`.
    pub business: String,
    /// The earlier received packet it updates or replaces, when this node has it.
    pub original_id: Option<String>,
    /// That document's number and notation as the sender wrote it (also when unknown here).
    pub original_notation: String,
    /// What a later packet did to this one: empty, `updated` or `replaced`.
    pub superseded: String,
    /// The received packet that did it.
    pub superseded_by: Option<String>,
}

pub(crate) const INBOX_COLUMNS: &str = "id, agency_id, consignment_id, sender_code, \
    sender_name, edxml_document_id, notation, subject, promulgation_date, document_sha256, \
    packet_sha256, packet_valid, verdict, state, reason, document_id, received_at_ms, business, \
    original_id, original_notation, superseded, superseded_by";

pub(crate) fn arrived(r: &sqlx::any::AnyRow) -> Result<Arrived, StoreError> {
    Ok(Arrived {
        id: r.try_get("id")?,
        agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
        consignment_id: r.try_get("consignment_id")?,
        sender_code: r.try_get("sender_code")?,
        sender_name: r.try_get("sender_name")?,
        edxml_document_id: r.try_get("edxml_document_id")?,
        notation: r.try_get("notation")?,
        subject: r.try_get("subject")?,
        promulgation_date: r.try_get("promulgation_date")?,
        document_sha256: r.try_get("document_sha256")?,
        packet_sha256: r.try_get("packet_sha256")?,
        packet_valid: r.try_get::<i64, _>("packet_valid")? != 0,
        verdict: r.try_get("verdict")?,
        state: r.try_get("state")?,
        reason: r.try_get("reason")?,
        document_id: r
            .try_get::<Option<String>, _>("document_id")?
            .map(DocumentId::from),
        received_at_ms: r.try_get("received_at_ms")?,
        business: r.try_get("business")?,
        original_id: r.try_get("original_id")?,
        original_notation: r.try_get("original_notation")?,
        superseded: r.try_get("superseded")?,
        superseded_by: r.try_get("superseded_by")?,
    })
}

/// A status received for a document this node sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedStatus {
    pub consignment_id: String,
    pub agency_id: AgencyId,
    pub document_id: DocumentId,
    pub recipient_code: String,
    pub status_code: String,
    pub description: String,
    pub status_time: String,
    pub verified: bool,
    /// Why it is not verified (empty when it is).
    pub reason: String,
    pub packet_sha256: String,
    pub received_at_ms: i64,
}

/// Whether a received packet was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    New,
    Duplicate,
}

#[derive(Serialize)]
struct ConsignmentsQueued<'a> {
    recipients: Vec<&'a str>,
}
named_action!(ConsignmentsQueued, "exchange.queued");

#[derive(Serialize)]
struct ConsignmentEnded<'a> {
    consignment: &'a str,
    recipient: &'a str,
    state: &'a str,
    reason: &'a str,
}
named_action!(ConsignmentEnded, "exchange.delivery");

#[derive(Serialize)]
struct PacketArrived<'a> {
    consignment: &'a str,
    sender: &'a str,
    document: &'a str,
    packet_sha256: &'a str,
    valid: bool,
}
named_action!(PacketArrived, "exchange.arrived");

#[derive(Serialize)]
struct StatusQueued<'a> {
    consignment: &'a str,
    code: &'a str,
    to: &'a str,
    description: &'a str,
}
named_action!(StatusQueued, "exchange.status_sent");

#[derive(Serialize)]
struct StatusReceived<'a> {
    consignment: &'a str,
    from: &'a str,
    code: &'a str,
    verified: bool,
    reason: &'a str,
}
named_action!(StatusReceived, "exchange.status_received");

/// Copies the document's recipients into the outbox: called by the issue's transaction, so a
/// document is issued with its consignments or not at all.
pub(crate) async fn enqueue_issue(
    tx: &mut Tx,
    agency_id: &AgencyId,
    document_id: &DocumentId,
    actor: &str,
    head: &mut signet_core::journal::Head,
    at_ms: i64,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT recipient_code, recipient_name FROM exchange_recipients \
         WHERE agency_id = $1 AND document_id = $2 ORDER BY recipient_code",
    )
    .bind(agency_id.as_str())
    .bind(document_id.as_str())
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut codes = Vec::new();
    for r in &rows {
        let code: String = r.try_get("recipient_code")?;
        let name: String = r.try_get("recipient_name")?;
        sqlx::query(
            "INSERT INTO consignments (id, agency_id, kind, document_id, peer_code, peer_name, \
             state, next_attempt_ms, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(crate::new_id())
        .bind(agency_id.as_str())
        .bind(KIND_DOCUMENT)
        .bind(document_id.as_str())
        .bind(&code)
        .bind(&name)
        .bind(PENDING)
        .bind(at_ms)
        .bind(at_ms)
        .execute(&mut **tx)
        .await?;
        codes.push(code);
    }
    let action = ConsignmentsQueued {
        recipients: codes.iter().map(String::as_str).collect(),
    };
    let e = entry(at_ms, actor, document_id.as_str(), &action)?;
    append(tx, agency_id, head, e).await?;
    Ok(())
}

/// The consignments waiting to be delivered (documents and statuses).
const OUTBOX: Queue = Queue {
    table: "consignments",
    key: "id",
    waiting: PENDING,
};

/// The packets a hub holds for their next hop.
const HUB_QUEUE: Queue = Queue {
    table: "hub_queue",
    key: "consignment_id",
    waiting: HUB_QUEUED,
};

impl Store {
    /// Sets the recipients of a not yet issued outgoing document (replacing earlier ones).
    pub async fn set_recipients(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        recipients: &[Recipient],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM exchange_recipients WHERE agency_id = $1 AND document_id = $2")
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .execute(&mut *tx)
            .await?;
        for r in recipients {
            sqlx::query(
                "INSERT INTO exchange_recipients (agency_id, document_id, recipient_code, recipient_name) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .bind(&r.code)
            .bind(&r.name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn recipients(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<Recipient>, StoreError> {
        let rows = sqlx::query(
            "SELECT recipient_code, recipient_name FROM exchange_recipients \
             WHERE agency_id = $1 AND document_id = $2 ORDER BY recipient_code",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Recipient {
                    code: r.try_get("recipient_code")?,
                    name: r.try_get("recipient_name")?,
                })
            })
            .collect()
    }

    /// Claims up to `limit` consignments due at `now_ms` for `lease_ms`.
    pub async fn claim_consignments(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Consignment>, StoreError> {
        let mut tx = self.begin().await?;
        let claimed = claim_due(&mut tx, self.backend(), &OUTBOX, now_ms, lease_ms, limit).await?;
        let mut out = Vec::with_capacity(claimed.len());
        for id in claimed {
            let r = sqlx::query(&format!(
                "SELECT {CONSIGNMENT_COLUMNS} FROM consignments WHERE id = $1"
            ))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            out.push(consignment(&r)?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The consignment was accepted by the next hop.
    pub async fn consignment_delivered(
        &self,
        c: &Consignment,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.end_consignment(c, DELIVERED, "", at_ms).await
    }

    /// An attempt failed: retry at `retry_at_ms`, or give up (`None`) with `error` shown.
    pub async fn consignment_failed(
        &self,
        c: &Consignment,
        error: &str,
        retry_at_ms: Option<i64>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        match retry_at_ms {
            Some(t) => {
                sqlx::query(
                    "UPDATE consignments SET attempts = attempts + 1, last_error = $1, \
                     next_attempt_ms = $2, claimed_until_ms = 0 WHERE id = $3 AND state = $4",
                )
                .bind(error)
                .bind(t)
                .bind(&c.id)
                .bind(PENDING)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
            None => self.end_consignment(c, UNDELIVERABLE, error, at_ms).await,
        }
    }

    async fn end_consignment(
        &self,
        c: &Consignment,
        state: &str,
        error: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &c.agency_id).await?;
        let done = sqlx::query(
            "UPDATE consignments SET state = $1, attempts = attempts + 1, last_error = $2, \
             delivered_at_ms = $3, claimed_until_ms = 0 WHERE id = $4 AND state = $5",
        )
        .bind(state)
        .bind((!error.is_empty()).then_some(error))
        .bind((state == DELIVERED).then_some(at_ms))
        .bind(&c.id)
        .bind(PENDING)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(());
        }
        let subject = c
            .document_id
            .as_ref()
            .map_or(c.id.as_str(), DocumentId::as_str);
        let action = ConsignmentEnded {
            consignment: &c.id,
            recipient: &c.peer_code,
            state,
            reason: error,
        };
        let e = entry(at_ms, "system", subject, &action)?;
        if let (DELIVERED, KIND_DOCUMENT, Some(doc)) = (state, c.kind.as_str(), &c.document_id) {
            let sent = crate::webhooks::Sent {
                document_id: doc.as_str(),
                consignment_id: &c.id,
                recipient_code: &c.peer_code,
                recipient_name: &c.peer_name,
            };
            let event = crate::webhooks::DOCUMENT_SENT;
            crate::webhooks::emit(&mut tx, &c.agency_id, event, &sent, at_ms).await?;
        }
        append_and_commit(tx, &c.agency_id, &mut head, e).await
    }

    /// A clerk's retry of an undeliverable consignment of their agency: due at once again.
    pub async fn retry_consignment(
        &self,
        agency_id: &AgencyId,
        id: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let r = sqlx::query(
            "UPDATE consignments SET state = $1, attempts = 0, next_attempt_ms = $2, \
             claimed_until_ms = 0 WHERE agency_id = $3 AND id = $4 AND state = $5",
        )
        .bind(PENDING)
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id)
        .bind(UNDELIVERABLE)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The consignments of one outgoing document.
    pub async fn document_consignments(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<Consignment>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CONSIGNMENT_COLUMNS} FROM consignments WHERE agency_id = $1 \
             AND document_id = $2 AND kind = $3 ORDER BY peer_code"
        ))
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(KIND_DOCUMENT)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(consignment).collect()
    }

    /// The agency's send log, newest first, optionally one state only.
    pub async fn consignment_log(
        &self,
        agency_id: &AgencyId,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Consignment>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CONSIGNMENT_COLUMNS} FROM consignments WHERE agency_id = $1 \
             AND ($2 = '' OR state = $2) ORDER BY created_at_ms DESC, id LIMIT $3"
        ))
        .bind(agency_id.as_str())
        .bind(state.unwrap_or_default())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(consignment).collect()
    }

    /// Records a received document packet; a duplicate (same consignment, or the same
    /// document from the same sender) changes nothing. A new one is journaled and answered
    /// with status 01 in the same transaction.
    pub async fn receive_document(
        &self,
        a: &Arrived,
        arrived_description: &str,
    ) -> Result<Receipt, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &a.agency_id).await?;
        let seen: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM exchange_inbox WHERE consignment_id = $1 \
             OR (agency_id = $2 AND sender_code = $3 AND edxml_document_id = $4)",
        )
        .bind(&a.consignment_id)
        .bind(a.agency_id.as_str())
        .bind(&a.sender_code)
        .bind(&a.edxml_document_id)
        .fetch_one(&mut *tx)
        .await?;
        if seen > 0 {
            return Ok(Receipt::Duplicate);
        }
        sqlx::query(&format!(
            "INSERT INTO exchange_inbox ({INBOX_COLUMNS}, updated_at_ms) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
             $19, $20, $21, $22, $23)"
        ))
        .bind(&a.id)
        .bind(a.agency_id.as_str())
        .bind(&a.consignment_id)
        .bind(&a.sender_code)
        .bind(&a.sender_name)
        .bind(&a.edxml_document_id)
        .bind(&a.notation)
        .bind(&a.subject)
        .bind(&a.promulgation_date)
        .bind(&a.document_sha256)
        .bind(&a.packet_sha256)
        .bind(i64::from(a.packet_valid))
        .bind(&a.verdict)
        .bind(&a.state)
        .bind(&a.reason)
        .bind(a.document_id.as_ref().map(DocumentId::as_str))
        .bind(a.received_at_ms)
        .bind(&a.business)
        .bind(a.original_id.as_deref())
        .bind(&a.original_notation)
        .bind(&a.superseded)
        .bind(a.superseded_by.as_deref())
        .bind(a.received_at_ms)
        .execute(&mut *tx)
        .await?;
        let action = PacketArrived {
            consignment: &a.consignment_id,
            sender: &a.sender_code,
            document: &a.edxml_document_id,
            packet_sha256: &a.packet_sha256,
            valid: a.packet_valid,
        };
        let e = entry(a.received_at_ms, "system", &a.id, &action)?;
        append(&mut tx, &a.agency_id, &mut head, e).await?;
        let status = NewStatus {
            agency_id: &a.agency_id,
            inbox_id: &a.id,
            code: "01",
            description: arrived_description,
            actor: "system",
            at_ms: a.received_at_ms,
        };
        queue_status(&mut tx, &mut head, &status, a).await?;
        crate::exchange_recall::supersede_in(&mut tx, &mut head, a).await?;
        tx.commit().await?;
        Ok(Receipt::New)
    }

    /// One received packet of the agency.
    pub async fn arrived(&self, agency_id: &AgencyId, id: &str) -> Result<Arrived, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INBOX_COLUMNS} FROM exchange_inbox WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        arrived(&row)
    }

    /// The received packet that became `document_id` when registered.
    pub async fn arrived_for_document(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Option<Arrived>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INBOX_COLUMNS} FROM exchange_inbox WHERE agency_id = $1 AND document_id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(arrived).transpose()
    }

    /// The agency's received packets, newest first, optionally in one state.
    pub async fn inbox(
        &self,
        agency_id: &AgencyId,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Arrived>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {INBOX_COLUMNS} FROM exchange_inbox WHERE agency_id = $1 \
             AND ($2 = '' OR state = $2) ORDER BY received_at_ms DESC, id LIMIT $3"
        ))
        .bind(agency_id.as_str())
        .bind(state.unwrap_or_default())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(arrived).collect()
    }

    /// Moves a received packet to `state` (from one of `from`), linking the registered
    /// document, and queues the status that tells the sender.
    pub async fn answer_arrived(
        &self,
        status: &NewStatus<'_>,
        from: &[&str],
        state: &str,
        document_id: Option<&DocumentId>,
    ) -> Result<Arrived, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, status.agency_id).await?;
        let mut a = arrived_in(&mut tx, status).await?;
        if !from.contains(&a.state.as_str()) {
            return Err(StoreError::Conflict(format!(
                "the received document is {}, not {}",
                a.state,
                from.join(" or ")
            )));
        }
        sqlx::query(
            "UPDATE exchange_inbox SET state = $1, reason = $2, \
             document_id = COALESCE($3, document_id), updated_at_ms = $4 \
             WHERE agency_id = $5 AND id = $6",
        )
        .bind(state)
        .bind(status.description)
        .bind(document_id.map(DocumentId::as_str))
        .bind(status.at_ms)
        .bind(status.agency_id.as_str())
        .bind(status.inbox_id)
        .execute(&mut *tx)
        .await?;
        a.state = state.to_owned();
        a.reason = status.description.to_owned();
        if let Some(d) = document_id {
            a.document_id = Some(d.clone());
        }
        queue_status(&mut tx, &mut head, status, &a).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Registers a received packet's document and answers its sender (03) in one
    /// transaction: a crash leaves either the packet still arrived and no document, or
    /// both done, so registering again can never make a second document.
    pub async fn register_arrived(
        &self,
        d: &crate::documents::NewDocument,
        arrival: &crate::documents::Arrival,
        status: &NewStatus<'_>,
    ) -> Result<(crate::documents::Document, Arrived), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, status.agency_id).await?;
        let mut a = arrived_in(&mut tx, status).await?;
        if a.state != "arrived" {
            return Err(StoreError::Conflict(format!(
                "the received document is {}, not arrived",
                a.state
            )));
        }
        let id = crate::documents::write::register_incoming_in(
            &mut tx,
            &mut head,
            d,
            arrival,
            status.at_ms,
        )
        .await?;
        sqlx::query(
            "UPDATE exchange_inbox SET state = 'registered', reason = $1, document_id = $2, \
             updated_at_ms = $3 WHERE agency_id = $4 AND id = $5 AND state = 'arrived'",
        )
        .bind(status.description)
        .bind(id.as_str())
        .bind(status.at_ms)
        .bind(status.agency_id.as_str())
        .bind(status.inbox_id)
        .execute(&mut *tx)
        .await?;
        a.state = "registered".to_owned();
        a.reason = status.description.to_owned();
        a.document_id = Some(id.clone());
        queue_status(&mut tx, &mut head, status, &a).await?;
        let doc = crate::documents::fetch(&mut tx, status.agency_id, &id).await?;
        tx.commit().await?;
        Ok((doc, a))
    }

    /// Queues a status about a received packet without changing its state (04/05/06, and
    /// the confirmation of a recall).
    pub async fn queue_status(&self, status: &NewStatus<'_>) -> Result<(), StoreError> {
        let a = self.arrived(status.agency_id, status.inbox_id).await?;
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, status.agency_id).await?;
        queue_status(&mut tx, &mut head, status, &a).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a status received for a document this node sent; a duplicate (same
    /// consignment) changes nothing.
    pub async fn receive_status(&self, s: &ReceivedStatus) -> Result<Receipt, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &s.agency_id).await?;
        let seen: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM exchange_statuses WHERE consignment_id = $1")
                .bind(&s.consignment_id)
                .fetch_one(&mut *tx)
                .await?;
        if seen > 0 {
            return Ok(Receipt::Duplicate);
        }
        sqlx::query(
            "INSERT INTO exchange_statuses (consignment_id, agency_id, document_id, \
             recipient_code, status_code, description, status_time, verified, reason, \
             packet_sha256, received_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&s.consignment_id)
        .bind(s.agency_id.as_str())
        .bind(s.document_id.as_str())
        .bind(&s.recipient_code)
        .bind(&s.status_code)
        .bind(&s.description)
        .bind(&s.status_time)
        .bind(i64::from(s.verified))
        .bind(&s.reason)
        .bind(&s.packet_sha256)
        .bind(s.received_at_ms)
        .execute(&mut *tx)
        .await?;
        let action = StatusReceived {
            consignment: &s.consignment_id,
            from: &s.recipient_code,
            code: &s.status_code,
            verified: s.verified,
            reason: &s.reason,
        };
        let e = entry(s.received_at_ms, "system", s.document_id.as_str(), &action)?;
        let received = crate::webhooks::StatusReceived {
            document_id: s.document_id.as_str(),
            consignment_id: &s.consignment_id,
            recipient_code: &s.recipient_code,
            status_code: &s.status_code,
            description: &s.description,
            verified: s.verified,
            reason: &s.reason,
        };
        let event = crate::webhooks::STATUS_RECEIVED;
        crate::webhooks::emit(&mut tx, &s.agency_id, event, &received, s.received_at_ms).await?;
        append_and_commit(tx, &s.agency_id, &mut head, e).await?;
        Ok(Receipt::New)
    }

    /// The statuses received for an outgoing document, in the order they came.
    pub async fn document_statuses(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<ReceivedStatus>, StoreError> {
        let rows = sqlx::query(
            "SELECT consignment_id, agency_id, document_id, recipient_code, status_code, \
             description, status_time, verified, reason, packet_sha256, received_at_ms \
             FROM exchange_statuses WHERE agency_id = $1 AND document_id = $2 \
             ORDER BY received_at_ms, status_code, consignment_id",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReceivedStatus {
                    consignment_id: r.try_get("consignment_id")?,
                    agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
                    document_id: DocumentId::from(r.try_get::<String, _>("document_id")?),
                    recipient_code: r.try_get("recipient_code")?,
                    status_code: r.try_get("status_code")?,
                    description: r.try_get("description")?,
                    status_time: r.try_get("status_time")?,
                    verified: r.try_get::<i64, _>("verified")? != 0,
                    reason: r.try_get("reason")?,
                    packet_sha256: r.try_get("packet_sha256")?,
                    received_at_ms: r.try_get("received_at_ms")?,
                })
            })
            .collect()
    }

    /// The stored packet (SHA-256) of a status received for the agency's document.
    pub async fn status_packet(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        consignment_id: &str,
    ) -> Result<String, StoreError> {
        sqlx::query_scalar(
            "SELECT packet_sha256 FROM exchange_statuses WHERE agency_id = $1 \
             AND document_id = $2 AND consignment_id = $3",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .bind(consignment_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Finds the outgoing document a status answers: issued by `agency_code`'s agency with
    /// `notation` and sent to `recipient_code`.
    pub async fn sent_document(
        &self,
        agency_id: &AgencyId,
        notation: &str,
        recipient_code: &str,
    ) -> Result<Option<DocumentId>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT d.id FROM documents d JOIN consignments c ON c.document_id = d.id \
             WHERE d.agency_id = $1 AND d.notation = $2 AND c.peer_code = $3 AND c.kind = $4",
        )
        .bind(agency_id.as_str())
        .bind(notation)
        .bind(recipient_code)
        .bind(KIND_DOCUMENT)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(DocumentId::from))
    }
}

pub(crate) async fn queue_status(
    tx: &mut Tx,
    head: &mut signet_core::journal::Head,
    s: &NewStatus<'_>,
    a: &Arrived,
) -> Result<(), StoreError> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO consignments (id, agency_id, kind, document_id, inbox_id, peer_code, \
         peer_name, status_code, description, state, next_attempt_ms, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(s.agency_id.as_str())
    .bind(KIND_STATUS)
    .bind(a.document_id.as_ref().map(DocumentId::as_str))
    .bind(s.inbox_id)
    .bind(&a.sender_code)
    .bind(&a.sender_name)
    .bind(s.code)
    .bind(s.description)
    .bind(PENDING)
    .bind(s.at_ms)
    .bind(s.at_ms)
    .execute(&mut **tx)
    .await?;
    let action = StatusQueued {
        consignment: &id,
        code: s.code,
        to: &a.sender_code,
        description: s.description,
    };
    let e = entry(s.at_ms, s.actor, s.inbox_id, &action)?;
    append(tx, s.agency_id, head, e).await?;
    Ok(())
}

/// A packet in a hub's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubItem {
    pub consignment_id: String,
    pub recipient_code: String,
    pub sender_code: String,
    pub packet_sha256: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

const HUB_COLUMNS: &str =
    "consignment_id, recipient_code, sender_code, packet_sha256, state, attempts, last_error";

fn hub_item(r: &sqlx::any::AnyRow) -> Result<HubItem, StoreError> {
    Ok(HubItem {
        consignment_id: r.try_get("consignment_id")?,
        recipient_code: r.try_get("recipient_code")?,
        sender_code: r.try_get("sender_code")?,
        packet_sha256: r.try_get("packet_sha256")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
    })
}

/// A hub's queue states.
pub const HUB_QUEUED: &str = "queued";
pub const HUB_FORWARDED: &str = "forwarded";
pub const HUB_UNDELIVERABLE: &str = "undeliverable";

/// A packet a hub accepted (its bytes already durable in the blob store).
#[derive(Debug, Clone)]
pub struct HubPacket {
    pub consignment_id: String,
    pub recipient_code: String,
    pub sender_code: String,
    pub packet_sha256: String,
    pub size: i64,
    pub at_ms: i64,
}

impl Store {
    /// Queues packets at a hub, in one transaction (the hub's group commit: one flush for
    /// the packets of concurrent posts); a consignment it has seen (queued or forwarded, or
    /// earlier in `packets`) is a duplicate and changes nothing. A receipt per packet, in
    /// order.
    pub async fn hub_accept(&self, packets: &[HubPacket]) -> Result<Vec<Receipt>, StoreError> {
        // Inserted in consignment order: two hub nodes' batches on one PostgreSQL then
        // never wait on each other's rows in opposite orders (a deadlock).
        let mut order: Vec<usize> = (0..packets.len()).collect();
        order.sort_by(|a, b| packets[*a].consignment_id.cmp(&packets[*b].consignment_id));
        let mut receipts = vec![Receipt::Duplicate; packets.len()];
        let mut tx = self.begin().await?;
        for i in order {
            let p = &packets[i];
            let r = sqlx::query(
                "INSERT INTO hub_queue (consignment_id, recipient_code, sender_code, \
                 packet_sha256, size, state, next_attempt_ms, received_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (consignment_id) DO NOTHING",
            )
            .bind(&p.consignment_id)
            .bind(&p.recipient_code)
            .bind(&p.sender_code)
            .bind(&p.packet_sha256)
            .bind(p.size)
            .bind(HUB_QUEUED)
            .bind(p.at_ms)
            .bind(p.at_ms)
            .execute(&mut *tx)
            .await?;
            if r.rows_affected() != 0 {
                receipts[i] = Receipt::New;
            }
        }
        tx.commit().await?;
        Ok(receipts)
    }

    /// Claims up to `limit` queued packets due at `now_ms` for `lease_ms` (several hub nodes
    /// on one PostgreSQL skip each other's claims).
    pub async fn hub_claim(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<HubItem>, StoreError> {
        let mut tx = self.begin().await?;
        let claimed =
            claim_due(&mut tx, self.backend(), &HUB_QUEUE, now_ms, lease_ms, limit).await?;
        let mut out = Vec::with_capacity(claimed.len());
        for id in claimed {
            let r = sqlx::query(&format!(
                "SELECT {HUB_COLUMNS} FROM hub_queue WHERE consignment_id = $1"
            ))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            out.push(hub_item(&r)?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The next hop has the packet.
    pub async fn hub_forwarded(&self, id: &str, at_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE hub_queue SET state = $1, attempts = attempts + 1, forwarded_at_ms = $2, \
             claimed_until_ms = 0, last_error = NULL WHERE consignment_id = $3 AND state = $4",
        )
        .bind(HUB_FORWARDED)
        .bind(at_ms)
        .bind(id)
        .bind(HUB_QUEUED)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A forwarding attempt failed: retry at `retry_at_ms`, or give up (`None`).
    pub async fn hub_failed(
        &self,
        id: &str,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let (state, next) = match retry_at_ms {
            Some(t) => (HUB_QUEUED, t),
            None => (HUB_UNDELIVERABLE, 0),
        };
        sqlx::query(
            "UPDATE hub_queue SET state = $1, attempts = attempts + 1, last_error = $2, \
             next_attempt_ms = $3, claimed_until_ms = 0 WHERE consignment_id = $4 AND state = $5",
        )
        .bind(state)
        .bind(error)
        .bind(next)
        .bind(id)
        .bind(HUB_QUEUED)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many packets the hub holds in each state.
    pub async fn hub_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows =
            sqlx::query("SELECT state, COUNT(*) AS n FROM hub_queue GROUP BY state ORDER BY state")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("state")?, r.try_get("n")?)))
            .collect()
    }

    /// The hub's packets in `state` (the operator's view), oldest first.
    pub async fn hub_items(&self, state: &str, limit: i64) -> Result<Vec<HubItem>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {HUB_COLUMNS} FROM hub_queue WHERE state = $1 \
             ORDER BY received_at_ms, consignment_id LIMIT $2"
        ))
        .bind(state)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(hub_item).collect()
    }
}

/// The received packet a status answers, read inside the transaction that answers it.
pub(crate) async fn arrived_in(tx: &mut Tx, status: &NewStatus<'_>) -> Result<Arrived, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {INBOX_COLUMNS} FROM exchange_inbox WHERE agency_id = $1 AND id = $2"
    ))
    .bind(status.agency_id.as_str())
    .bind(status.inbox_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    arrived(&row)
}
