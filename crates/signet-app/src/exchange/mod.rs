//! Exchange of documents between agencies (edXML, QCVN 102): the recipients of an outgoing
//! document, the delivery worker that empties the outbox ([`send`]), what a node does with a
//! packet it receives ([`receive`]), and who may be believed ([`trust`]).
//!
//! The wire: `POST {next hop}/exchange/v1/packets` with the signed packet as the body and two
//! headers, `X-Signet-Consignment` (the consignment id, the same on every retry) and
//! `X-Signet-To` (the recipient agency's code). 200 means the next hop has the packet durably
//! (new or a duplicate it already had); 4xx is a refusal for good (the consignment becomes
//! undeliverable with the reason); anything else is retried with back-off.

pub mod recall;
pub mod receive;
pub mod send;
pub mod trust;

use signet_core::ids::DocumentId;
use signet_core::person::Viewer;
use signet_store::exchange::Recipient;

use crate::{App, AppError, Invalid};

pub use recall::{Lineage, ReceivedCopy};
pub use send::{Courier, HttpCourier, Outcome};
pub use signet_edxml::status_meaning;

/// The consignment header.
pub const CONSIGNMENT_HEADER: &str = "x-signet-consignment";
/// The recipient header.
pub const TO_HEADER: &str = "x-signet-to";
/// The path packets are posted to, on a hub or a node.
pub const PACKETS_PATH: &str = "/exchange/v1/packets";

/// Where packets go: the next hop for an agency code (longest matching prefix; an empty
/// prefix is the default, usually the province hub).
#[derive(Debug, Clone, Default)]
pub struct Routes {
    routes: Vec<(String, String)>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Packets for agency codes starting with `prefix` go to `url` (a node or a hub).
    pub fn add(&mut self, prefix: &str, url: &str) {
        self.routes.push((
            prefix.trim().to_owned(),
            url.trim_end_matches('/').to_owned(),
        ));
        // Longest prefix first, so the first match is the most specific.
        self.routes.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
    }

    /// The base URL of the next hop for `code`.
    pub fn next_hop(&self, code: &str) -> Option<&str> {
        self.routes
            .iter()
            .find(|(p, _)| code.starts_with(p.as_str()))
            .map(|(_, u)| u.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

/// The exchange settings of a node (`[exchange]` in the configuration).
#[derive(Debug, Clone)]
pub struct Setup {
    pub routes: Routes,
    /// Attempts before a consignment is undeliverable.
    pub max_attempts: i64,
    /// Wait before the first retry, doubled each time up to `max_retry_ms`.
    pub retry_base_ms: i64,
    pub max_retry_ms: i64,
    /// Who may sign packets: certificates chaining to these anchors (with `intermediates`).
    pub trust: trust::PacketTrust,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            routes: Routes::new(),
            max_attempts: 10,
            retry_base_ms: 2_000,
            max_retry_ms: 300_000,
            trust: trust::PacketTrust::default(),
        }
    }
}

impl Setup {
    /// When to try a consignment again after `attempts` failed ones; `None`: give up.
    pub fn retry_at(&self, attempts: i64, now_ms: i64) -> Option<i64> {
        (attempts < self.max_attempts).then(|| {
            let shift = (attempts - 1).clamp(0, 20) as u32;
            now_ms + (self.retry_base_ms << shift).min(self.max_retry_ms)
        })
    }
}

impl App {
    /// The clerk addresses a not yet issued outgoing document to agencies of the directory
    /// (any level, by identifier code). Secret documents are refused: they never travel
    /// through the exchange.
    pub async fn set_recipients(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        codes: &[String],
    ) -> Result<Vec<Recipient>, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("sending documents to other agencies"));
        }
        let doc = self.document(viewer, id).await?;
        if doc.direction != signet_core::document::Direction::Outgoing || doc.notation.is_some() {
            return Err(exchange_error(
                "only an outgoing document not yet issued can be addressed",
            ));
        }
        if doc.secrecy.is_secret() && !codes.is_empty() {
            return Err(AppError::Invalid(Invalid::ExchangeSecret));
        }
        let own = self.store.agency(&viewer.agency_id).await?;
        let mut recipients: Vec<Recipient> = Vec::new();
        for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            let agency = match signet_core::AgencyCode::parse(code) {
                Ok(c) => self.store.agency_by_code(&c).await.ok(),
                Err(_) => None,
            }
            .ok_or_else(|| {
                AppError::Invalid(Invalid::ExchangeRecipient {
                    code: code.to_owned(),
                })
            })?;
            if agency.id == own.id {
                return Err(exchange_error("an agency does not send to itself"));
            }
            if !recipients.iter().any(|r| r.code == code) {
                recipients.push(Recipient {
                    code: code.to_owned(),
                    name: agency.name,
                });
            }
        }
        self.store
            .set_recipients(&viewer.agency_id, id, &recipients)
            .await?;
        Ok(recipients)
    }

    /// The recipients chosen for an outgoing document.
    pub async fn recipients(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Vec<Recipient>, AppError> {
        self.document(viewer, id).await?;
        Ok(self.store.recipients(&viewer.agency_id, id).await?)
    }

    /// The sender's view of an outgoing document: each consignment and the statuses received.
    pub async fn exchange_of(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<ExchangeView, AppError> {
        self.document(viewer, id).await?;
        Ok(ExchangeView {
            consignments: self
                .store
                .document_consignments(&viewer.agency_id, id)
                .await?,
            statuses: self.store.document_statuses(&viewer.agency_id, id).await?,
        })
    }

    /// A status packet received for the viewer's document, as it arrived: the delivery
    /// receipt a clerk keeps as evidence.
    pub async fn status_receipt(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        consignment: &str,
    ) -> Result<Vec<u8>, AppError> {
        self.document(viewer, id).await?;
        let sha = self
            .store
            .status_packet(&viewer.agency_id, id, consignment)
            .await?;
        self.read_blob(&sha).await
    }

    /// The clerk's send log (optionally one state: pending, delivered, undeliverable).
    pub async fn send_log(
        &self,
        viewer: &Viewer,
        state: Option<&str>,
    ) -> Result<Vec<signet_store::exchange::Consignment>, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("the exchange log"));
        }
        Ok(self
            .store
            .consignment_log(&viewer.agency_id, state.filter(|s| !s.is_empty()), 500)
            .await?)
    }

    /// The clerk retries an undeliverable consignment.
    pub async fn retry_consignment(&self, viewer: &Viewer, id: &str) -> Result<(), AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("the exchange log"));
        }
        Ok(self
            .store
            .retry_consignment(&viewer.agency_id, id, self.clock.now_ms())
            .await?)
    }
}

/// An outgoing document's exchange.
#[derive(Debug, Clone)]
pub struct ExchangeView {
    pub consignments: Vec<signet_store::exchange::Consignment>,
    pub statuses: Vec<signet_store::exchange::ReceivedStatus>,
}

pub(crate) fn exchange_error(detail: impl Into<String>) -> AppError {
    AppError::Invalid(Invalid::Exchange {
        detail: detail.into(),
    })
}
