//! A packet arriving at a node: a document for one of its agencies (kept in the exchange
//! inbox as "arrived", answered with status 01 in the same transaction), or a status about a
//! document one of its agencies sent (kept in that document's timeline, verified or not).
//! Then the clerk registers (03) or returns (02) an arrived document; processing sends
//! 04/05/06 ([`App::exchange_progress`]).

use sha2::{Digest, Sha256};
use signet_core::document::{DocumentType, Secrecy, Urgency};
use signet_core::ids::DocumentId;
use signet_core::person::Viewer;
use signet_edxml::{Kind, Limits, Packet};
use signet_store::documents::{Arrival, NewDocument, NewFile};
use signet_store::exchange::{Arrived, NewStatus, Receipt, ReceivedStatus};

use super::send::binding;
use super::{exchange_error, Setup};
use crate::{App, AppError, Invalid};

/// The description of the automatic status 01.
const ARRIVED: &str = "Đã đến";

impl App {
    /// Receives a packet posted for the agency `to` under `consignment`. A packet this node
    /// already has is a [`Receipt::Duplicate`] (and changes nothing); a packet it must not
    /// take (unreadable, not for `to`, not signed by its sender) is refused.
    pub async fn receive_packet(
        &self,
        consignment: &str,
        to: &str,
        bytes: &[u8],
    ) -> Result<Receipt, AppError> {
        if consignment.is_empty() || consignment.len() > 64 {
            return Err(exchange_error(
                "a consignment id of 1 to 64 characters is required",
            ));
        }
        let owned = bytes.to_vec();
        let (packet, files) = tokio::task::spawn_blocking(move || {
            signet_edxml::read(owned.as_slice(), &Limits::default())
        })
        .await
        .map_err(|e| AppError::Ca(format!("packet task: {e}")))?
        .map_err(|e| exchange_error(e.to_string()))?;
        let agency = match signet_core::AgencyCode::parse(to) {
            Ok(code) => self.store.agency_by_code(&code).await.ok(),
            Err(_) => None,
        }
        .ok_or_else(|| exchange_error(format!("the agency {to} is not served by this node")))?;
        match packet.kind {
            Kind::Document => {
                self.receive_document(&self.exchange, consignment, &agency, &packet, files, bytes)
                    .await
            }
            Kind::Status => {
                self.receive_status(&self.exchange, consignment, &agency, &packet, bytes)
                    .await
            }
        }
    }

    async fn receive_document(
        &self,
        setup: &Setup,
        consignment: &str,
        agency: &signet_store::directory::Agency,
        packet: &Packet,
        files: Vec<signet_edxml::File>,
        bytes: &[u8],
    ) -> Result<Receipt, AppError> {
        let code = agency.code.as_str();
        if !packet.to.iter().any(|o| o.organ_id == code) {
            return Err(exchange_error(format!(
                "the packet is addressed to another agency, not to {code}"
            )));
        }
        let now = self.clock.now();
        setup
            .trust
            .check(&packet.signature, &packet.from.organ_id, now)
            .map_err(exchange_error)?;
        if packet.business.kind == signet_edxml::BusinessKind::Recall {
            return self
                .receive_recall(consignment, agency, packet, bytes)
                .await;
        }
        let (business, original_id, original_notation) =
            self.supersedes_received(agency, packet).await?;
        let pdf = files
            .iter()
            .find(|f| f.bytes.starts_with(b"%PDF-"))
            .ok_or_else(|| exchange_error("the packet carries no PDF document"))?;
        let verdict = self.pdf_verdict(&pdf.bytes).await;
        let blob = self.write_blob(bytes).await?;
        let at_ms = self.clock.now_ms();
        let a = Arrived {
            id: signet_store::new_id(),
            agency_id: agency.id.clone(),
            consignment_id: consignment.to_owned(),
            sender_code: packet.from.organ_id.clone(),
            sender_name: packet.from.organ_name.clone(),
            edxml_document_id: packet.document_id.clone(),
            notation: notation(packet),
            subject: packet.subject.clone(),
            promulgation_date: packet.promulgation.date.clone(),
            document_sha256: hex::encode(Sha256::digest(&pdf.bytes)),
            packet_sha256: blob.sha256,
            packet_valid: true,
            verdict,
            state: "arrived".into(),
            reason: String::new(),
            document_id: None,
            received_at_ms: at_ms,
            business,
            original_id,
            original_notation,
            superseded: String::new(),
            superseded_by: None,
        };
        Ok(self.store.receive_document(&a, ARRIVED).await?)
    }

    /// The PDF signatures' verdict, in one line for the clerk.
    async fn pdf_verdict(&self, pdf: &[u8]) -> String {
        let verifier = std::sync::Arc::clone(&self.verifier);
        let (owned, now) = (pdf.to_vec(), self.clock.now());
        let report = tokio::task::spawn_blocking(move || verifier.verify(&owned, now)).await;
        match report {
            Ok(Ok(r)) if r.signatures.is_empty() => "PDF: no signature".into(),
            Ok(Ok(r)) => {
                let each: Vec<String> = r
                    .signatures
                    .iter()
                    .map(|s| format!("{:?}", s.indication))
                    .collect();
                format!("PDF: {} signature(s): {}", each.len(), each.join(", "))
            }
            Ok(Err(e)) => format!("PDF unreadable: {e}"),
            Err(e) => format!("PDF not verified: {e}"),
        }
    }

    async fn receive_status(
        &self,
        setup: &Setup,
        consignment: &str,
        agency: &signet_store::directory::Agency,
        packet: &Packet,
        bytes: &[u8],
    ) -> Result<Receipt, AppError> {
        let status = packet
            .status
            .as_ref()
            .ok_or_else(|| exchange_error("a status packet without status"))?;
        let answering = packet.from.organ_id.as_str();
        if status.response_for.organ_id != agency.code.as_str() {
            return Err(exchange_error(format!(
                "the status answers a document of {}, not of {}",
                status.response_for.organ_id,
                agency.code.as_str()
            )));
        }
        let doc_id = self
            .store
            .sent_document(&agency.id, &status.response_for.code, answering)
            .await?
            .ok_or_else(|| {
                exchange_error(format!(
                    "no document {} was sent to {answering}",
                    status.response_for.code
                ))
            })?;
        let doc = self.store.document(&agency.id, &doc_id).await?;
        let sent_sha = self
            .store
            .current_file(&agency.id, &doc.id)
            .await?
            .map(|f| f.sha256)
            .unwrap_or_default();
        let now = self.clock.now();
        let judged = setup
            .trust
            .check(&packet.signature, answering, now)
            .and_then(|()| {
                if status.description.contains(&binding(&sent_sha)) {
                    Ok(())
                } else {
                    Err("the status is bound to another document (SHA-256)".into())
                }
            });
        let blob = self.write_blob(bytes).await?;
        let s = ReceivedStatus {
            consignment_id: consignment.to_owned(),
            agency_id: agency.id.clone(),
            document_id: doc_id,
            recipient_code: answering.to_owned(),
            status_code: status.code.clone(),
            description: status.description.clone(),
            status_time: status.timestamp.clone(),
            verified: judged.is_ok(),
            reason: judged.err().unwrap_or_default(),
            packet_sha256: blob.sha256,
            received_at_ms: self.clock.now_ms(),
        };
        Ok(self.store.receive_status(&s).await?)
    }

    /// The agency's received documents (optionally in one state).
    pub async fn exchange_inbox(
        &self,
        viewer: &Viewer,
        state: Option<&str>,
    ) -> Result<Vec<Arrived>, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("the exchange inbox"));
        }
        Ok(self
            .store
            .inbox(&viewer.agency_id, state.filter(|s| !s.is_empty()), 500)
            .await?)
    }

    /// The clerk registers an arrived document: it becomes an incoming document (số đến)
    /// with the packet's files, and status 03 goes back.
    pub async fn register_arrived(
        &self,
        viewer: &Viewer,
        inbox_id: &str,
    ) -> Result<signet_store::documents::Document, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("registering incoming documents"));
        }
        let a = self.store.arrived(&viewer.agency_id, inbox_id).await?;
        if a.state == "recalled" {
            return Err(AppError::Invalid(Invalid::ExchangeRecalled {
                reason: a.reason,
            }));
        }
        if a.state != "arrived" {
            return Err(exchange_error(format!("the document is {}", a.state)));
        }
        let bytes = self.read_blob(&a.packet_sha256).await?;
        let (packet, files) = tokio::task::spawn_blocking(move || {
            signet_edxml::read(bytes.as_slice(), &Limits::default())
        })
        .await
        .map_err(|e| AppError::Ca(format!("packet task: {e}")))?
        .map_err(|e| exchange_error(e.to_string()))?;
        let mut new_files = Vec::new();
        for (i, f) in files.iter().enumerate() {
            new_files.push(NewFile {
                blob: self.write_blob(&f.bytes).await?,
                file_name: f.name.clone(),
                content_type: f.content_type.clone(),
                kind: if i == 0 { "main" } else { "attachment" }.into(),
            });
        }
        let new = NewDocument {
            agency_id: viewer.agency_id.clone(),
            doc_type: document_type(&packet),
            subject: packet.subject.clone(),
            urgency: Urgency::Normal,
            secrecy: Secrecy::None,
            signer_name: packet.signer.full_name.clone(),
            signer_position: packet.signer.position.clone(),
            pages: None,
            recipients: String::new(),
            due_on: None,
            drafting_unit_id: None,
            created_by: viewer.person_id.clone(),
            files: new_files,
        };
        let today = crate::clock::iso_date(self.clock.today());
        let arrival = Arrival {
            author_name: a.sender_name.clone(),
            author_code: signet_core::AgencyCode::parse(&a.sender_code).ok(),
            notation: a.notation.clone(),
            issued_on: Some(a.promulgation_date.clone()).filter(|d| !d.is_empty()),
            arrived_on: today,
            year: self.clock.today().year(),
        };
        let at_ms = self.clock.now_ms();
        let status = NewStatus {
            agency_id: &viewer.agency_id,
            inbox_id,
            code: "03",
            description: "Đã vào sổ",
            actor: viewer.person_id.as_str(),
            at_ms,
        };
        let (doc, _) = self.store.register_arrived(&new, &arrival, &status).await?;
        Ok(doc)
    }

    /// The clerk returns an arrived document to its sender with a reason (status 02).
    pub async fn return_arrived(
        &self,
        viewer: &Viewer,
        inbox_id: &str,
        reason: &str,
    ) -> Result<Arrived, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("returning incoming documents"));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(exchange_error("a reason is required to return a document"));
        }
        let status = NewStatus {
            agency_id: &viewer.agency_id,
            inbox_id,
            code: "02",
            description: reason,
            actor: viewer.person_id.as_str(),
            at_ms: self.clock.now_ms(),
        };
        Ok(self
            .store
            .answer_arrived(&status, &["arrived"], "returned", None)
            .await?)
    }

    /// Tells the sender of a registered incoming document how its processing goes (04
    /// assigned, 05 processing, 06 done); nothing for a document that did not come through
    /// the exchange.
    pub async fn exchange_progress(
        &self,
        viewer: &Viewer,
        document_id: &DocumentId,
        code: &str,
    ) -> Result<(), AppError> {
        let Some(a) = self
            .store
            .arrived_for_document(&viewer.agency_id, document_id)
            .await?
        else {
            return Ok(());
        };
        let description = signet_edxml::status_meaning(code).unwrap_or_default();
        let status = NewStatus {
            agency_id: &viewer.agency_id,
            inbox_id: &a.id,
            code,
            description,
            actor: viewer.person_id.as_str(),
            at_ms: self.clock.now_ms(),
        };
        Ok(self.store.queue_status(&status).await?)
    }
}

/// `NUMBER/NOTATION` as the sender wrote it.
fn notation(p: &Packet) -> String {
    match (p.code.number.trim(), p.code.notation.trim()) {
        ("", n) => n.to_owned(),
        (num, n) => format!("{num}/{n}"),
    }
}

/// The document type the sender gave (its Signet code in TypeDetail), else an official
/// letter.
fn document_type(p: &Packet) -> DocumentType {
    DocumentType::parse(&p.document_type.type_detail).unwrap_or(DocumentType::CongVan)
}
