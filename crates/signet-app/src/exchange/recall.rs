//! Recall, update and replace (issue 14 §3; statuses 13, 15, 16).
//!
//! A recall is a document packet of business type "recall" (QCVN 102 `Bussiness`,
//! `BussinessDocType` 1) naming the document by its own edXML id, with the reason and no
//! file; it goes to each recipient through the outbox like any packet. The recipient marks
//! its copy recalled — its processing stops — and confirms with status 13.
//!
//! An update (2) or a replacement (3) is a newly issued document whose packet names the
//! earlier one (`ReplacementInfo`); the recipient receives it as a new document linked to
//! the earlier one, marks that one updated / replaced and answers 15 / 16 about it. Every
//! answer is signed and bound to the SHA-256 of the document it is about, as every status.

use signet_core::document::Direction;
use signet_core::ids::DocumentId;
use signet_core::person::Viewer;
use signet_edxml::{BusinessKind, Packet};
use signet_store::exchange::{Arrived, Receipt};
use signet_store::exchange_recall::{
    Recall, RecallReceived, Supersedes, BUSINESS_NEW, BUSINESS_REPLACE, BUSINESS_UPDATE,
};

use super::exchange_error;
use crate::{App, AppError, Invalid};

/// How long a recall's reason may be.
const REASON_MAX: usize = 1000;

/// What an outgoing document does to earlier ones, and what was done to it.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// Its recall, if recalled.
    pub recall: Option<Recall>,
    /// The document it updates or replaces, with that one's notation.
    pub supersedes: Option<(Supersedes, String)>,
}

/// A received document as its page shows it: the packet, and the received packets linked
/// to it (the one it updates or replaces, the ones that updated or replaced it).
#[derive(Debug, Clone)]
pub struct ReceivedCopy {
    pub arrived: Arrived,
    pub links: Vec<Arrived>,
}

impl App {
    /// The sender's clerk recalls an issued document sent through the exchange: a recall
    /// packet goes to each recipient it reached or may still reach. Returns those recipients.
    pub async fn recall(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        reason: &str,
    ) -> Result<Vec<String>, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden(
                "recalling documents sent to other agencies",
            ));
        }
        let doc = self.document(viewer, id).await?;
        if doc.direction != Direction::Outgoing || doc.notation.is_none() {
            return Err(exchange_error(
                "only an issued outgoing document can be recalled",
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(exchange_error("a reason is required to recall a document"));
        }
        signet_core::document::check_text("reason", reason, REASON_MAX)?;
        Ok(self
            .store
            .recall_document(
                &viewer.agency_id,
                id,
                reason,
                viewer.person_id.as_str(),
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The clerk marks a not yet issued outgoing document as the update (`update`) or the
    /// replacement (`replace`) of one the agency issued and sent, named by its number and
    /// notation; an empty notation removes the link. Recipients default to the original's.
    pub async fn set_supersedes(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        kind: &str,
        original_notation: &str,
    ) -> Result<(), AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("sending documents to other agencies"));
        }
        let doc = self.document(viewer, id).await?;
        if doc.direction != Direction::Outgoing || doc.notation.is_some() {
            return Err(exchange_error(
                "only an outgoing document not yet issued can update or replace another",
            ));
        }
        if doc.secrecy.is_secret() {
            return Err(AppError::Invalid(Invalid::ExchangeSecret));
        }
        let at = self.clock.now_ms();
        let actor = viewer.person_id.as_str();
        let notation = original_notation.trim();
        if notation.is_empty() {
            self.store
                .set_supersedes(&viewer.agency_id, id, None, actor, at)
                .await?;
            return Ok(());
        }
        let kind = match kind {
            BUSINESS_UPDATE | BUSINESS_REPLACE => kind,
            _ => return Err(exchange_error("the link is \"update\" or \"replace\"")),
        };
        let original = self
            .store
            .sent_by_notation(&viewer.agency_id, notation)
            .await?
            .ok_or_else(|| {
                exchange_error(format!(
                    "no document {notation} of this agency was sent through the exchange"
                ))
            })?;
        self.store
            .set_supersedes(&viewer.agency_id, id, Some((&original, kind)), actor, at)
            .await?;
        Ok(())
    }

    /// What an outgoing document of the viewer's agency does to earlier ones, and its recall.
    pub async fn lineage(&self, viewer: &Viewer, id: &DocumentId) -> Result<Lineage, AppError> {
        self.document(viewer, id).await?;
        let agency = &viewer.agency_id;
        let supersedes = match self.store.supersedes(agency, id).await? {
            Some(s) => {
                let original = self.store.document(agency, &s.original_id).await?;
                Some((s, original.notation.unwrap_or_default()))
            }
            None => None,
        };
        Ok(Lineage {
            recall: self.store.recall_of(agency, id).await?,
            supersedes,
        })
    }

    /// The received packet a registered incoming document came from, with its links; none
    /// for a document that did not come through the exchange.
    pub async fn received_copy(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Option<ReceivedCopy>, AppError> {
        self.document(viewer, id).await?;
        let Some(arrived) = self
            .store
            .arrived_for_document(&viewer.agency_id, id)
            .await?
        else {
            return Ok(None);
        };
        let links = self
            .store
            .arrived_links(&viewer.agency_id, &arrived.id)
            .await?;
        Ok(Some(ReceivedCopy { arrived, links }))
    }

    /// Which of the listed documents (the viewer's agency's) are recalled, by their sender
    /// or by this agency.
    pub async fn recalled_among(
        &self,
        viewer: &Viewer,
        ids: &[DocumentId],
    ) -> Result<Vec<DocumentId>, AppError> {
        Ok(self.store.recalled_among(&viewer.agency_id, ids).await?)
    }

    /// Refuses a step of the processing of an incoming document its sender recalled.
    pub(crate) async fn ensure_not_recalled(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<(), AppError> {
        match self
            .store
            .arrived_for_document(&viewer.agency_id, id)
            .await?
        {
            Some(a) if a.state == "recalled" => Err(AppError::Invalid(Invalid::ExchangeRecalled {
                reason: a.reason,
            })),
            _ => Ok(()),
        }
    }

    /// A recall packet for `agency` (its signature already checked): the copy it names,
    /// from that sender, is marked recalled and 13 goes back. A recall of a document the
    /// agency does not have from that sender is refused, and the refusal journaled.
    pub(crate) async fn receive_recall(
        &self,
        consignment: &str,
        agency: &signet_store::directory::Agency,
        packet: &Packet,
        bytes: &[u8],
    ) -> Result<Receipt, AppError> {
        let sender = packet.from.organ_id.as_str();
        let original = self
            .store
            .arrived_by_edxml(&agency.id, sender, &packet.document_id)
            .await?;
        let Some(original) = original else {
            let why = format!(
                "no document {} from {sender} was received by {} to recall",
                packet.document_id,
                agency.code.as_str()
            );
            self.store
                .record_refusal(
                    &agency.id,
                    consignment,
                    sender,
                    &packet.document_id,
                    &why,
                    self.clock.now_ms(),
                )
                .await?;
            return Err(exchange_error(why));
        };
        let blob = self.write_blob(bytes).await?;
        let reason = packet.business.reason.trim();
        let confirmation = if reason.is_empty() {
            "Đã thu hồi".to_owned()
        } else {
            format!("Đã thu hồi: {reason}")
        };
        let r = RecallReceived {
            agency_id: &agency.id,
            inbox_id: &original.id,
            consignment_id: consignment,
            reason,
            packet_sha256: &blob.sha256,
            confirmation: &confirmation,
            at_ms: self.clock.now_ms(),
        };
        Ok(self.store.recall_arrived(&r).await?)
    }

    /// For a received update or replacement: its business and the earlier received packet
    /// it names (the first one this agency has from that sender), with that one's notation.
    pub(crate) async fn supersedes_received(
        &self,
        agency: &signet_store::directory::Agency,
        packet: &Packet,
    ) -> Result<(String, Option<String>, String), AppError> {
        let business = match packet.business.kind {
            BusinessKind::Update => BUSINESS_UPDATE,
            BusinessKind::Replace => BUSINESS_REPLACE,
            BusinessKind::New | BusinessKind::Recall => {
                return Ok((BUSINESS_NEW.into(), None, String::new()))
            }
        };
        for named in &packet.business.replaces {
            let found = self
                .store
                .arrived_by_edxml(&agency.id, &packet.from.organ_id, named)
                .await?;
            if let Some(a) = found {
                return Ok((business.into(), Some(a.id), a.notation));
            }
        }
        // Not here (never received, or sent elsewhere): the link is kept as the sender wrote
        // it, the notation being the edXML id's last part.
        let named = packet
            .business
            .replaces
            .first()
            .cloned()
            .unwrap_or_default();
        let notation = named.splitn(3, ',').nth(2).unwrap_or(&named).to_owned();
        Ok((business.into(), None, notation))
    }
}
