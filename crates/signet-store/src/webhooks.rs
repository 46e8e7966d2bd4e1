//! Webhooks in storage: an agency's subscribers, and the outbox of deliveries to them.
//!
//! An event is written by [`emit`] inside the transaction of the action that causes it (the
//! issue, the delivery of a consignment, a status received, a seal request completed), as one
//! delivery row per subscriber that wants it: the event happens and is delivered, or neither.
//! Deliveries are claimed like the exchange's consignments, with a lease
//! (`claimed_until_ms`) and, on PostgreSQL, `FOR UPDATE SKIP LOCKED`, so several workers or
//! nodes never post the same delivery at once.

use serde::Serialize;
use signet_core::ids::AgencyId;
use sqlx::Row;

use crate::journal::details::{entry, Action};
use crate::journal::{append_and_commit, claim_head};
use crate::queue::{claim_due, Queue};
use crate::{Store, StoreError, Tx};

/// An outgoing document was issued (numbered, and sealed when the agency seals).
pub const DOCUMENT_ISSUED: &str = "document.issued";
/// A consignment of an issued document reached the next hop of the exchange.
pub const DOCUMENT_SENT: &str = "document.sent";
/// A status packet (01 arrived, 03 registered, …) came back for a sent document.
pub const STATUS_RECEIVED: &str = "status.received";
/// A sent document was recalled (status 13). Defined for subscribers; emitted by the recall
/// use case (issue 14 §3) where it records a recall.
pub const DOCUMENT_RECALLED: &str = "document.recalled";
/// A seal request from another system was sealed; its file can be fetched.
pub const SEAL_COMPLETED: &str = "seal.completed";
/// Every event a subscriber may ask for.
pub const EVENTS: &[&str] = &[
    DOCUMENT_ISSUED,
    DOCUMENT_SENT,
    STATUS_RECEIVED,
    DOCUMENT_RECALLED,
    SEAL_COMPLETED,
];

/// Delivery states.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// A subscriber as it is shown: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub id: String,
    pub agency_id: AgencyId,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at_ms: i64,
}

/// A subscriber to record.
#[derive(Debug, Clone)]
pub struct NewSubscriber<'a> {
    pub agency_id: &'a AgencyId,
    pub url: &'a str,
    pub events: &'a [String],
    pub secret: &'a str,
    pub actor: &'a str,
    pub at_ms: i64,
}

/// One event for one subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The idempotency key: the same on every attempt and on a replay.
    pub id: String,
    pub agency_id: AgencyId,
    pub subscriber_id: String,
    pub url: String,
    pub event_id: String,
    pub event: String,
    /// The JSON body, exactly as posted.
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
}

/// A claimed delivery and the secret to sign it with.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: Delivery,
    pub secret: String,
}

/// The body every delivery posts.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    id: &'a str,
    #[serde(rename = "type")]
    event: &'a str,
    created_at_ms: i64,
    agency_id: &'a str,
    data: &'a T,
}

/// Writes `event` with `data` for every active subscriber of the agency that wants it, in the
/// caller's transaction.
pub(crate) async fn emit<T: Serialize>(
    tx: &mut Tx,
    agency_id: &AgencyId,
    event: &str,
    data: &T,
    at_ms: i64,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT id, events FROM webhook_subscribers WHERE agency_id = $1 AND active = 1 ORDER BY id",
    )
    .bind(agency_id.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut wanted = Vec::new();
    for r in &rows {
        let events: String = r.try_get("events")?;
        if events.split_whitespace().any(|e| e == event) {
            wanted.push(r.try_get::<String, _>("id")?);
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let event_id = crate::new_id();
    let payload = serde_json::to_string(&Envelope {
        id: &event_id,
        event,
        created_at_ms: at_ms,
        agency_id: agency_id.as_str(),
        data,
    })
    .map_err(|e| StoreError::Corrupt(format!("webhook payload: {e}")))?;
    for subscriber in wanted {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, agency_id, subscriber_id, event_id, event, \
             payload, state, next_attempt_ms, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(crate::new_id())
        .bind(agency_id.as_str())
        .bind(&subscriber)
        .bind(&event_id)
        .bind(event)
        .bind(&payload)
        .bind(PENDING)
        .bind(at_ms)
        .bind(at_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Subscribed<'a> {
    subscriber: &'a str,
    url: &'a str,
    events: &'a [String],
}

impl Action for Subscribed<'_> {
    fn name(&self) -> String {
        "webhook.subscribed".to_owned()
    }
}

#[derive(Serialize)]
struct Unsubscribed<'a> {
    subscriber: &'a str,
}

impl Action for Unsubscribed<'_> {
    fn name(&self) -> String {
        "webhook.removed".to_owned()
    }
}

const DELIVERY_COLUMNS: &str = "d.id, d.agency_id, d.subscriber_id, s.url, d.event_id, d.event, \
    d.payload, d.state, d.attempts, d.next_attempt_ms, d.last_status, d.last_error, \
    d.created_at_ms, d.delivered_at_ms";

fn delivery(r: &sqlx::any::AnyRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: r.try_get("id")?,
        agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
        subscriber_id: r.try_get("subscriber_id")?,
        url: r.try_get("url")?,
        event_id: r.try_get("event_id")?,
        event: r.try_get("event")?,
        payload: r.try_get("payload")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_ms: r.try_get("next_attempt_ms")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        created_at_ms: r.try_get("created_at_ms")?,
        delivered_at_ms: r.try_get("delivered_at_ms")?,
    })
}

fn subscriber(r: &sqlx::any::AnyRow) -> Result<Subscriber, StoreError> {
    let events: String = r.try_get("events")?;
    Ok(Subscriber {
        id: r.try_get("id")?,
        agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
        url: r.try_get("url")?,
        events: events.split_whitespace().map(str::to_owned).collect(),
        active: r.try_get::<i64, _>("active")? != 0,
        created_at_ms: r.try_get("created_at_ms")?,
    })
}

/// The deliveries waiting for their subscriber.
const DELIVERIES: Queue = Queue {
    table: "webhook_deliveries",
    key: "id",
    waiting: PENDING,
};

impl Store {
    /// Records a subscriber (journaled); its secret is stored to sign with, never read back
    /// by [`Store::subscribers`].
    pub async fn create_subscriber(
        &self,
        new: &NewSubscriber<'_>,
    ) -> Result<Subscriber, StoreError> {
        let id = crate::new_id();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, new.agency_id).await?;
        sqlx::query(
            "INSERT INTO webhook_subscribers (id, agency_id, url, events, secret, active, \
             created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
        )
        .bind(&id)
        .bind(new.agency_id.as_str())
        .bind(new.url)
        .bind(new.events.join(" "))
        .bind(new.secret)
        .bind(new.actor)
        .bind(new.at_ms)
        .execute(&mut *tx)
        .await?;
        let action = Subscribed {
            subscriber: &id,
            url: new.url,
            events: new.events,
        };
        let e = entry(new.at_ms, new.actor, &id, &action)?;
        append_and_commit(tx, new.agency_id, &mut head, e).await?;
        Ok(Subscriber {
            id,
            agency_id: new.agency_id.clone(),
            url: new.url.to_owned(),
            events: new.events.to_vec(),
            active: true,
            created_at_ms: new.at_ms,
        })
    }

    /// The agency's subscribers, active first, newest first.
    pub async fn subscribers(&self, agency_id: &AgencyId) -> Result<Vec<Subscriber>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, agency_id, url, events, active, created_at_ms FROM webhook_subscribers \
             WHERE agency_id = $1 ORDER BY active DESC, created_at_ms DESC, id",
        )
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscriber).collect()
    }

    /// Stops a subscriber: no new events; its deliveries stay in the log.
    pub async fn remove_subscriber(
        &self,
        agency_id: &AgencyId,
        id: &str,
        actor: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query(
            "UPDATE webhook_subscribers SET active = 0 WHERE agency_id = $1 AND id = $2 AND active = 1",
        )
        .bind(agency_id.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let e = entry(at_ms, actor, id, &Unsubscribed { subscriber: id })?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// Claims up to `limit` deliveries due at `now_ms` for `lease_ms`, with their secrets.
    pub async fn claim_webhook_deliveries(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let mut tx = self.begin().await?;
        let claimed = claim_due(
            &mut tx,
            self.backend(),
            &DELIVERIES,
            now_ms,
            lease_ms,
            limit,
        )
        .await?;
        let mut out = Vec::with_capacity(claimed.len());
        for id in claimed {
            let r = sqlx::query(&format!(
                "SELECT {DELIVERY_COLUMNS}, s.secret FROM webhook_deliveries d \
                 JOIN webhook_subscribers s ON s.id = d.subscriber_id WHERE d.id = $1"
            ))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            out.push(Claimed {
                delivery: delivery(&r)?,
                secret: r.try_get("secret")?,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The subscriber answered 2xx.
    pub async fn webhook_delivered(
        &self,
        id: &str,
        status: i64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, last_status = $2, \
             last_error = NULL, delivered_at_ms = $3, claimed_until_ms = 0 \
             WHERE id = $4 AND state = $5",
        )
        .bind(DELIVERED)
        .bind(status)
        .bind(at_ms)
        .bind(id)
        .bind(PENDING)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An attempt failed: retry at `retry_at_ms`, or give up (`None`: failed, in the log for
    /// a replay).
    pub async fn webhook_failed(
        &self,
        id: &str,
        status: Option<i64>,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let (state, next) = match retry_at_ms {
            Some(t) => (PENDING, Some(t)),
            None => (FAILED, None),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, last_status = $2, \
             last_error = $3, next_attempt_ms = COALESCE($4, next_attempt_ms), \
             claimed_until_ms = 0 WHERE id = $5 AND state = $6",
        )
        .bind(state)
        .bind(status)
        .bind(error)
        .bind(next)
        .bind(id)
        .bind(PENDING)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The agency's delivery log, newest first, optionally one state only.
    pub async fn webhook_deliveries(
        &self,
        agency_id: &AgencyId,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN webhook_subscribers s ON s.id = d.subscriber_id WHERE d.agency_id = $1 \
             AND ($2 = '' OR d.state = $2) ORDER BY d.created_at_ms DESC, d.id LIMIT $3"
        ))
        .bind(agency_id.as_str())
        .bind(state.unwrap_or_default())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery).collect()
    }

    /// One delivery of the agency.
    pub async fn webhook_delivery(
        &self,
        agency_id: &AgencyId,
        id: &str,
    ) -> Result<Delivery, StoreError> {
        let r = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN webhook_subscribers s ON s.id = d.subscriber_id \
             WHERE d.agency_id = $1 AND d.id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        delivery(&r)
    }

    /// An administrator's replay: the delivery is due at once again, attempts from zero, the
    /// same body and idempotency key. A delivery of a removed subscriber is not replayed.
    pub async fn replay_webhook(
        &self,
        agency_id: &AgencyId,
        id: &str,
        at_ms: i64,
    ) -> Result<Delivery, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = 0, next_attempt_ms = $2, \
             claimed_until_ms = 0, delivered_at_ms = NULL WHERE agency_id = $3 AND id = $4 \
             AND subscriber_id IN (SELECT id FROM webhook_subscribers WHERE active = 1)",
        )
        .bind(PENDING)
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.webhook_delivery(agency_id, id).await
    }
}

/// The body of `document.issued`.
#[derive(Serialize)]
struct Issued<'a> {
    document_id: &'a str,
    notation: &'a str,
    issued_on: &'a str,
    document_type: &'a str,
    subject: &'a str,
    /// SHA-256 of the issued (sealed) file, when the agency seals.
    sha256: Option<&'a str>,
}

/// `document.issued` for `doc`, in the issue's transaction.
pub(crate) async fn document_issued(
    tx: &mut Tx,
    doc: &crate::documents::Document,
    notation: &str,
    issued_on: &str,
    sha256: Option<&str>,
    at_ms: i64,
) -> Result<(), StoreError> {
    let data = Issued {
        document_id: doc.id.as_str(),
        notation,
        issued_on,
        document_type: doc.doc_type.code(),
        subject: &doc.subject,
        sha256,
    };
    emit(tx, &doc.agency_id, DOCUMENT_ISSUED, &data, at_ms).await
}

/// The body of `document.sent`.
#[derive(Serialize)]
pub(crate) struct Sent<'a> {
    pub document_id: &'a str,
    pub consignment_id: &'a str,
    pub recipient_code: &'a str,
    pub recipient_name: &'a str,
}

/// The body of `status.received`.
#[derive(Serialize)]
pub(crate) struct StatusReceived<'a> {
    pub document_id: &'a str,
    pub consignment_id: &'a str,
    pub recipient_code: &'a str,
    pub status_code: &'a str,
    pub description: &'a str,
    pub verified: bool,
    pub reason: &'a str,
}
