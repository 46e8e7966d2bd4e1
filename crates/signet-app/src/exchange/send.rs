//! The delivery worker: claims due consignments, builds each packet (a document from the
//! register and its issued PDF, or a status bound to the SHA-256 of the document it answers),
//! signs it with the agency's seal key and hands it to the next hop. The packet is built
//! again on every attempt (same content, same consignment id); the next hop recognises a
//! retry by that id.

use std::sync::Arc;

use signet_edxml::{
    Business, BusinessKind, Code, DocumentType, FileIn, Kind, Organ, Promulgation, ResponseFor,
    Spec,
};
use signet_store::exchange::{Consignment, KIND_DOCUMENT, KIND_RECALL};
use signet_store::exchange_recall::BUSINESS_UPDATE;

use super::{Setup, CONSIGNMENT_HEADER, PACKETS_PATH, TO_HEADER};
use crate::clock::VIETNAM;
use crate::{App, AppError};

/// What the next hop said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It has the packet (new, or a duplicate of one it had).
    Accepted,
    /// It refuses the packet for good, with its reason.
    Refused(String),
    /// Not now (network, 5xx): try again later.
    Failed(String),
}

/// How packets reach the next hop. Blocking: run off the async workers.
pub trait Courier: Send + Sync {
    fn deliver(&self, url: &str, consignment: &str, to: &str, packet: &[u8]) -> Outcome;
}

/// HTTP to the next hop's [`PACKETS_PATH`].
#[derive(Debug, Clone, Default)]
pub struct HttpCourier {
    pub client: signet_net::HttpClient,
}

impl Courier for HttpCourier {
    fn deliver(&self, url: &str, consignment: &str, to: &str, packet: &[u8]) -> Outcome {
        let url = format!("{url}{PACKETS_PATH}");
        let headers = [(CONSIGNMENT_HEADER, consignment), (TO_HEADER, to)];
        match self
            .client
            .post_with_headers(&url, "application/xml", packet, &headers)
        {
            Ok(r) if r.status == 200 => Outcome::Accepted,
            Ok(r) if (400..500).contains(&r.status) && r.status != 429 => {
                let body = String::from_utf8_lossy(&r.body);
                Outcome::Refused(format!("{} {}", r.status, body.trim()))
            }
            Ok(r) => Outcome::Failed(format!("HTTP {}", r.status)),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// The suffix that binds a status to the document it answers, inside its signed
/// Description: `[sha256:HEX]`.
pub fn binding(sha256: &str) -> String {
    format!("[sha256:{sha256}]")
}

/// The edXML document id: `ORGAN,YYYY/MM/DD,NOTATION`.
pub fn edxml_document_id(organ: &str, issued_on: &str, notation: &str) -> String {
    format!("{organ},{},{notation}", issued_on.replace('-', "/"))
}

pub(crate) struct Built {
    pub(crate) packet: Vec<u8>,
}

impl App {
    /// Delivers the consignments due now (at most `limit`), each once; how many were tried.
    pub async fn deliver_due(
        &self,
        courier: Arc<dyn Courier>,
        limit: i64,
    ) -> Result<usize, AppError> {
        let setup = Arc::clone(&self.exchange);
        let now = self.clock.now_ms();
        let due = self.store.claim_consignments(now, 60_000, limit).await?;
        let n = due.len();
        for c in due {
            self.deliver_one(&setup, Arc::clone(&courier), &c).await?;
        }
        Ok(n)
    }

    async fn deliver_one(
        &self,
        setup: &Setup,
        courier: Arc<dyn Courier>,
        c: &Consignment,
    ) -> Result<(), AppError> {
        let outcome = match (
            self.build_packet(c).await,
            setup.routes.next_hop(&c.peer_code),
        ) {
            (Err(e), _) => Outcome::Failed(format!("packet: {e}")),
            (_, None) => Outcome::Refused(format!("no route to the agency {}", c.peer_code)),
            (Ok(b), Some(url)) => {
                let (url, id, to) = (url.to_owned(), c.id.clone(), c.peer_code.clone());
                tokio::task::spawn_blocking(move || courier.deliver(&url, &id, &to, &b.packet))
                    .await
                    .unwrap_or_else(|e| Outcome::Failed(format!("delivery task: {e}")))
            }
        };
        let now = self.clock.now_ms();
        match outcome {
            Outcome::Accepted => self.store.consignment_delivered(c, now).await?,
            Outcome::Refused(why) => self.store.consignment_failed(c, &why, None, now).await?,
            Outcome::Failed(why) => {
                let retry = setup.retry_at(c.attempts + 1, now);
                tracing::info!(consignment = %c.id, attempts = c.attempts + 1, "delivery failed: {why}");
                self.store.consignment_failed(c, &why, retry, now).await?;
            }
        }
        Ok(())
    }

    /// Delivers due consignments every `every` until `shutdown` (started by `serve`).
    pub async fn delivery_loop(
        self,
        courier: Arc<dyn Courier>,
        every: std::time::Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            let busy = match self.deliver_due(Arc::clone(&courier), 50).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!("exchange delivery: {e}");
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

    /// The signed packet of a consignment.
    async fn build_packet(&self, c: &Consignment) -> Result<Built, AppError> {
        let agency = self.store.agency(&c.agency_id).await?;
        let from = Organ {
            organ_id: agency.code.as_str().to_owned(),
            organ_name: agency.name.clone(),
        };
        let (spec, files) = if c.kind == KIND_DOCUMENT || c.kind == KIND_RECALL {
            let to = Organ {
                organ_id: c.peer_code.clone(),
                organ_name: c.peer_name.clone(),
            };
            let id = c
                .document_id
                .clone()
                .ok_or_else(|| super::exchange_error("a document consignment without document"))?;
            let doc = self.store.document(&c.agency_id, &id).await?;
            let mut spec = document_spec(&doc, from, to, &agency.address);
            if c.kind == KIND_RECALL {
                // The document named by its own id, the reason, and no file.
                spec.business = Business {
                    kind: BusinessKind::Recall,
                    reason: c.description.clone(),
                    replaces: Vec::new(),
                };
                (spec, Vec::new())
            } else {
                spec.business = self.business_of(&c.agency_id, &id, &spec.from).await?;
                let (file, pdf) = self.current_pdf(&doc).await?;
                (spec, vec![(file.file_name, pdf)])
            }
        } else {
            let inbox_id = c.inbox_id.as_deref().unwrap_or_default();
            let a = self.store.arrived(&c.agency_id, inbox_id).await?;
            let now = self.clock.now().to_offset(VIETNAM);
            let spec = status_spec(c, &a, from, now)?;
            (spec, Vec::new())
        };
        self.seal_packet(&c.agency_id, spec, files).await
    }

    /// A packet built from `spec` and `files` (PDFs), signed with the agency's seal key.
    pub(crate) async fn seal_packet(
        &self,
        agency_id: &signet_core::ids::AgencyId,
        spec: Spec,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Built, AppError> {
        let (key, _) = self.load_seal_of(agency_id).await?;
        let now = self.clock.now();
        tokio::task::spawn_blocking(move || {
            let ins: Vec<FileIn<'_>> = files
                .iter()
                .map(|(name, bytes)| FileIn {
                    name,
                    content_type: "application/pdf",
                    bytes,
                })
                .collect();
            let cert = key.certs.first().cloned().unwrap_or_default();
            let signer = SealSigner(&key.key);
            signet_edxml::build_signed(&spec, &ins, now, &signer, &cert)
                .map(|packet| Built { packet })
                .map_err(|e| super::exchange_error(e.to_string()))
        })
        .await
        .map_err(|e| AppError::Ca(format!("packet task: {e}")))?
    }
}

impl App {
    /// A document's business: new, or the update / replacement of an earlier document
    /// (named by its edXML id).
    async fn business_of(
        &self,
        agency_id: &signet_core::ids::AgencyId,
        id: &signet_core::ids::DocumentId,
        from: &Organ,
    ) -> Result<Business, AppError> {
        let Some(s) = self.store.supersedes(agency_id, id).await? else {
            return Ok(Business::default());
        };
        let original = self.store.document(agency_id, &s.original_id).await?;
        let replaces = edxml_document_id(
            &from.organ_id,
            original.issued_on.as_deref().unwrap_or_default(),
            original.notation.as_deref().unwrap_or_default(),
        );
        Ok(Business {
            kind: if s.kind == BUSINESS_UPDATE {
                BusinessKind::Update
            } else {
                BusinessKind::Replace
            },
            reason: String::new(),
            replaces: vec![replaces],
        })
    }
}

fn document_spec(
    doc: &signet_store::documents::Document,
    from: Organ,
    to: Organ,
    place: &str,
) -> Spec {
    let notation = doc.notation.clone().unwrap_or_default();
    let issued_on = doc.issued_on.clone().unwrap_or_default();
    let (number, short) = match notation.split_once('/') {
        Some((n, s)) => (n.to_owned(), s.to_owned()),
        None => (String::new(), notation.clone()),
    };
    Spec {
        kind: Kind::Document,
        document_id: edxml_document_id(&from.organ_id, &issued_on, &notation),
        from,
        to: vec![to],
        code: Code {
            number,
            notation: short,
        },
        promulgation: Promulgation {
            place: place.to_owned(),
            date: issued_on,
        },
        document_type: DocumentType {
            kind: "1".into(),
            type_detail: doc.doc_type.code().to_owned(),
            name: doc.doc_type.name_vi().to_owned(),
        },
        subject: doc.subject.clone(),
        priority: doc.urgency.edxml_priority().to_string(),
        due_date: doc.due_on.clone(),
        signer: signet_edxml::SignerInfo {
            position: doc.signer_position.clone(),
            full_name: doc.signer_name.clone(),
        },
        status: None,
        business: Business::default(),
    }
}

fn status_spec(
    c: &Consignment,
    a: &signet_store::exchange::Arrived,
    from: Organ,
    now: time::OffsetDateTime,
) -> Result<Spec, AppError> {
    let code = c.status_code.clone().unwrap_or_default();
    let meaning = signet_edxml::status_meaning(&code).unwrap_or("");
    let text = if c.description.is_empty() {
        meaning.to_owned()
    } else {
        c.description.clone()
    };
    let timestamp = now
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    Ok(Spec {
        // A status packet names only its sender; the document it answers names the other.
        kind: Kind::Status,
        from,
        status: Some(signet_edxml::Status {
            code,
            description: format!("{text} {}", binding(&a.document_sha256)),
            timestamp,
            response_for: ResponseFor {
                organ_id: a.sender_code.clone(),
                code: a.notation.clone(),
                document_id: a.edxml_document_id.clone(),
                promulgation_date: a.promulgation_date.clone(),
            },
        }),
        ..Spec::default()
    })
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct KeyError(String);

/// The seal key as the edXML signer.
struct SealSigner<'a>(&'a crate::signing::SigningKey);

impl signet_pki::RawSigner for SealSigner<'_> {
    type Error = KeyError;

    fn algorithm(&self) -> signet_pki::SignatureAlgorithm {
        self.0.algorithm()
    }

    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.0.sign(to_be_signed).map_err(KeyError)
    }
}
