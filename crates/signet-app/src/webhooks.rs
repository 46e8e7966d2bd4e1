//! Webhooks for the province's other systems (issue 14 §5): an administrator subscribes a
//! URL to some of the agency's events; each event is written to an outbox in the transaction
//! of the action that causes it (`signet_store::webhooks`) and posted by [`App::webhook_loop`].
//!
//! A delivery is `POST url` with the event as a JSON body and these headers:
//!
//! - `Signet-Event`: the event's name (`document.issued`, …);
//! - `Signet-Timestamp`: Unix seconds when this attempt was signed;
//! - `Idempotency-Key`: the delivery's id, the same on every retry and on a replay;
//! - `Signet-Signature`: `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
//!
//! A 2xx answer is delivered; anything else (or no answer) is retried after
//! `retry_base_ms`·2^(n−1), capped at `max_retry_ms`, until `max_attempts`, then the delivery
//! is `failed` in the log, where an administrator may replay it.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use signet_core::person::Viewer;
use signet_store::webhooks::{Claimed, Delivery, NewSubscriber, Subscriber, EVENTS};

use crate::{App, AppError, Invalid};

pub const EVENT_HEADER: &str = "signet-event";
pub const TIMESTAMP_HEADER: &str = "signet-timestamp";
pub const SIGNATURE_HEADER: &str = "signet-signature";
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// How long a worker holds a delivery it is posting.
const LEASE_MS: i64 = 60_000;

/// Retries of webhook deliveries (`[webhooks]` in the configuration).
#[derive(Debug, Clone)]
pub struct Setup {
    /// Attempts before a delivery is `failed`.
    pub max_attempts: i64,
    /// Wait before the first retry, doubled each time up to `max_retry_ms`.
    pub retry_base_ms: i64,
    pub max_retry_ms: i64,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base_ms: 10_000,
            max_retry_ms: 3_600_000,
        }
    }
}

impl Setup {
    /// When to try again after `attempts` failed ones; `None`: give up.
    pub fn retry_at(&self, attempts: i64, now_ms: i64) -> Option<i64> {
        (attempts < self.max_attempts).then(|| {
            let shift = (attempts - 1).clamp(0, 20) as u32;
            now_ms + (self.retry_base_ms << shift).min(self.max_retry_ms)
        })
    }
}

/// The `Signet-Signature` value of `body` signed at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let v1 = keyed(secret, timestamp, body)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("t={timestamp},v1={v1}")
}

/// HMAC-SHA256 keyed with `secret` over `timestamp "." body` (HMAC takes a key of any
/// length, so this is always `Some`).
fn keyed(secret: &str, timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).ok()?;
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    Some(m)
}

/// What a receiver checks: a `v1` signature of `body` with `secret` at the header's `t`
/// (compared in constant time). Returns the timestamp when it verifies; the receiver then
/// refuses timestamps too far from its clock (replays of old deliveries).
pub fn verify_signature(secret: &str, header: &str, body: &[u8]) -> Option<i64> {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let t = t?;
    let m = keyed(secret, t, body)?;
    v1.iter()
        .any(|sig| m.clone().verify_slice(sig).is_ok())
        .then_some(t)
}

/// What the subscriber said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An HTTP status (2xx: delivered).
    Status(u16),
    /// No answer: the network, a time limit.
    Failed(String),
}

/// How deliveries reach subscribers. Blocking: run off the async workers.
pub trait Poster: Send + Sync {
    fn post(&self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer;
}

/// HTTP with the workspace's client (`signet_net`: no redirects on POST, time and size limits).
#[derive(Debug, Clone, Default)]
pub struct HttpPoster {
    pub client: signet_net::HttpClient,
}

impl Poster for HttpPoster {
    fn post(&self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        match self
            .client
            .post_with_headers(url, "application/json", body, headers)
        {
            Ok(r) => Answer::Status(r.status),
            Err(e) => Answer::Failed(e.to_string()),
        }
    }
}

/// A subscriber just created, with its secret: the only time it is shown.
#[derive(Debug, Clone)]
pub struct Created {
    pub subscriber: Subscriber,
    pub secret: String,
}

/// Longest subscriber URL.
const MAX_URL: usize = 2000;

fn check_url(url: &str) -> Result<(), AppError> {
    let bad = || {
        AppError::Invalid(Invalid::WebhookUrl {
            url: url.chars().take(200).collect(),
        })
    };
    let rest = url.strip_prefix("http://").ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.len() > MAX_URL || url.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok(())
}

fn check_events(events: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for e in events.iter().flat_map(|e| e.split([' ', ','])) {
        let e = e.trim();
        if e.is_empty() || out.iter().any(|o| o == e) {
            continue;
        }
        if !EVENTS.contains(&e) {
            out.clear();
            break;
        }
        out.push(e.to_owned());
    }
    if out.is_empty() {
        return Err(AppError::Invalid(Invalid::WebhookEvents {
            known: EVENTS.join(", "),
        }));
    }
    Ok(out)
}

fn admin_only(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.can_administer() {
        Ok(())
    } else {
        Err(AppError::Forbidden("webhooks"))
    }
}

impl App {
    /// An administrator subscribes `url` to `events` of their agency. The secret is made
    /// here and returned once.
    pub async fn subscribe_webhook(
        &self,
        viewer: &Viewer,
        url: &str,
        events: &[String],
    ) -> Result<Created, AppError> {
        admin_only(viewer)?;
        let url = url.trim();
        check_url(url)?;
        let events = check_events(events)?;
        let secret = format!("whsec_{}", signet_store::random_hex::<24>());
        let subscriber = self
            .store
            .create_subscriber(&NewSubscriber {
                agency_id: &viewer.agency_id,
                url,
                events: &events,
                secret: &secret,
                actor: viewer.person_id.as_str(),
                at_ms: self.clock.now_ms(),
            })
            .await?;
        Ok(Created { subscriber, secret })
    }

    pub async fn webhook_subscribers(&self, viewer: &Viewer) -> Result<Vec<Subscriber>, AppError> {
        admin_only(viewer)?;
        Ok(self.store.subscribers(&viewer.agency_id).await?)
    }

    /// Stops a subscriber (its log stays).
    pub async fn remove_webhook(&self, viewer: &Viewer, id: &str) -> Result<(), AppError> {
        admin_only(viewer)?;
        let now = self.clock.now_ms();
        Ok(self
            .store
            .remove_subscriber(&viewer.agency_id, id, viewer.person_id.as_str(), now)
            .await?)
    }

    /// The delivery log (optionally one state: pending, delivered, failed), newest first.
    pub async fn webhook_log(
        &self,
        viewer: &Viewer,
        state: Option<&str>,
    ) -> Result<Vec<Delivery>, AppError> {
        admin_only(viewer)?;
        let state = state.filter(|s| !s.is_empty());
        Ok(self
            .store
            .webhook_deliveries(&viewer.agency_id, state, 200)
            .await?)
    }

    /// An administrator sends a delivery again (same body, same idempotency key).
    pub async fn replay_webhook(&self, viewer: &Viewer, id: &str) -> Result<Delivery, AppError> {
        admin_only(viewer)?;
        let now = self.clock.now_ms();
        Ok(self
            .store
            .replay_webhook(&viewer.agency_id, id, now)
            .await?)
    }

    /// Posts the deliveries due now (at most `limit`), each once; how many were tried.
    pub async fn deliver_webhooks_due(
        &self,
        poster: Arc<dyn Poster>,
        limit: i64,
    ) -> Result<usize, AppError> {
        let now = self.clock.now_ms();
        let due = self
            .store
            .claim_webhook_deliveries(now, LEASE_MS, limit)
            .await?;
        let n = due.len();
        for c in due {
            self.post_one(Arc::clone(&poster), c).await?;
        }
        Ok(n)
    }

    async fn post_one(&self, poster: Arc<dyn Poster>, c: Claimed) -> Result<(), AppError> {
        let d = c.delivery;
        let timestamp = self.clock.now().unix_timestamp();
        let signed = signature(&c.secret, timestamp, d.payload.as_bytes());
        let (url, id, event, body) = (d.url.clone(), d.id.clone(), d.event.clone(), d.payload);
        let answer = tokio::task::spawn_blocking(move || {
            let t = timestamp.to_string();
            let headers = [
                (EVENT_HEADER, event.as_str()),
                (TIMESTAMP_HEADER, t.as_str()),
                (IDEMPOTENCY_HEADER, id.as_str()),
                (SIGNATURE_HEADER, signed.as_str()),
            ];
            poster.post(&url, &headers, body.as_bytes())
        })
        .await
        .unwrap_or_else(|e| Answer::Failed(format!("delivery task: {e}")));
        let now = self.clock.now_ms();
        let (status, why) = match answer {
            Answer::Status(s) if (200..300).contains(&s) => {
                return Ok(self
                    .store
                    .webhook_delivered(&d.id, i64::from(s), now)
                    .await?)
            }
            Answer::Status(s) => (Some(i64::from(s)), format!("HTTP {s}")),
            Answer::Failed(e) => (None, e),
        };
        let retry = self.webhooks.retry_at(d.attempts + 1, now);
        tracing::info!(delivery = %d.id, attempts = d.attempts + 1, "webhook delivery failed: {why}");
        Ok(self
            .store
            .webhook_failed(&d.id, status, &why, retry)
            .await?)
    }

    /// Posts due deliveries every `every` until `shutdown` (started by `serve`).
    pub async fn webhook_loop(
        self,
        poster: Arc<dyn Poster>,
        every: std::time::Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            let busy = match self.deliver_webhooks_due(Arc::clone(&poster), 50).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!("webhook delivery: {e}");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_changed_body_or_secret_does_not() {
        let s = signature("whsec_a", 1_700_000_000, b"{\"x\":1}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_eq!(
            verify_signature("whsec_a", &s, b"{\"x\":1}"),
            Some(1_700_000_000)
        );
        assert_eq!(verify_signature("whsec_a", &s, b"{\"x\":2}"), None);
        assert_eq!(verify_signature("whsec_b", &s, b"{\"x\":1}"), None);
        // The timestamp is signed: moving it breaks the signature.
        let moved = s.replace("t=1700000000", "t=1700000001");
        assert_eq!(verify_signature("whsec_a", &moved, b"{\"x\":1}"), None);
    }

    #[test]
    fn urls_and_events_are_checked() {
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("https://example.org/hook").is_err());
        assert!(check_url("http:///x").is_err());
        assert!(check_url("http://a b").is_err());
        assert_eq!(
            check_events(&["document.issued seal.completed".into()]).unwrap(),
            vec!["document.issued", "seal.completed"]
        );
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["document.eaten".into()]).is_err());
    }
}
