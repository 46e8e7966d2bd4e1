//! `signet hub`: store and forward between nodes (the role of the provincial platform, LGSP,
//! and of the national document axis). A packet is accepted only when signed by the agency it
//! comes from (see [`crate::exchange::trust`]) and addressed to an agency the hub has a route
//! for; it is made durable (the packet fsynced in the blob store, then its queue row
//! committed) before the hub answers 200, and forwarded to the next hop — a node or another
//! hub — with retries, back-off and a cap. A consignment the hub has seen is a duplicate:
//! answered 200 again, queued once.

use std::sync::Arc;

use signet_edxml::{Kind, Limits, Packet};
use signet_store::exchange::{HubPacket, Receipt};
use signet_store::{BlobStore, Store};

use crate::exchange::{exchange_error, Courier, Outcome, Setup};
use crate::group_commit::GroupCommit;
use crate::{AppError, Clock};

/// A hub: its queue's database, its packet files, its routes and trust.
#[derive(Clone)]
pub struct Hub {
    pub store: Store,
    pub blobs: BlobStore,
    pub clock: Arc<dyn Clock>,
    pub setup: Arc<Setup>,
    /// The queue rows of concurrent posts, committed together.
    commits: Arc<GroupCommit<HubPacket, Receipt>>,
}

impl Hub {
    pub fn new(store: Store, blobs: BlobStore, clock: Arc<dyn Clock>, setup: Arc<Setup>) -> Self {
        Self {
            store,
            blobs,
            clock,
            setup,
            commits: Arc::new(GroupCommit::new("packets")),
        }
    }

    /// Takes a packet posted for the agency `to` under `consignment`.
    pub async fn accept(
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
        let packet = tokio::task::spawn_blocking(move || {
            signet_edxml::inspect_bytes(&owned, &Limits::default())
        })
        .await
        .map_err(|e| AppError::Ca(format!("packet task: {e}")))?
        .map_err(|e| exchange_error(e.to_string()))?;
        check_addressed(&packet, to)?;
        self.setup
            .trust
            .check(&packet.signature, &packet.from.organ_id, self.clock.now())
            .map_err(exchange_error)?;
        if self.setup.routes.next_hop(to).is_none() {
            return Err(exchange_error(format!("no route to the agency {to}")));
        }
        let mut w = self.blobs.writer().await?;
        w.write(bytes).await?;
        let blob = w.finish().await?;
        let p = HubPacket {
            consignment_id: consignment.to_owned(),
            recipient_code: to.to_owned(),
            sender_code: packet.from.organ_id,
            packet_sha256: blob.sha256,
            size: i64::try_from(blob.size).unwrap_or(i64::MAX),
            at_ms: self.clock.now_ms(),
        };
        let store = self.store.clone();
        let queued = self.commits.commit(p, |packets| async move {
            Ok(store
                .hub_accept(&packets)
                .await?
                .into_iter()
                .map(Ok)
                .collect())
        });
        Ok(queued.await?)
    }

    /// Forwards the packets due now (at most `limit`); how many were tried.
    pub async fn forward_due(
        &self,
        courier: Arc<dyn Courier>,
        limit: i64,
    ) -> Result<usize, AppError> {
        let due = self
            .store
            .hub_claim(self.clock.now_ms(), 60_000, limit)
            .await?;
        let n = due.len();
        let mut running = Vec::new();
        // Each packet on its own blocking thread: a slow next hop does not hold the others.
        for item in due {
            let hub = self.clone();
            let courier = Arc::clone(&courier);
            running.push(tokio::spawn(
                async move { hub.forward(courier, item).await },
            ));
        }
        for r in running {
            match r.await {
                Ok(Err(e)) => tracing::warn!("hub forwarding: {e}"),
                Err(e) => tracing::warn!("hub forwarding task: {e}"),
                Ok(Ok(())) => {}
            }
        }
        Ok(n)
    }

    async fn forward(
        &self,
        courier: Arc<dyn Courier>,
        item: signet_store::exchange::HubItem,
    ) -> Result<(), AppError> {
        let outcome = match self.setup.routes.next_hop(&item.recipient_code) {
            None => Outcome::Refused(format!("no route to the agency {}", item.recipient_code)),
            Some(url) => {
                let packet = self.read(&item.packet_sha256).await?;
                let (url, id, to) = (
                    url.to_owned(),
                    item.consignment_id.clone(),
                    item.recipient_code.clone(),
                );
                tokio::task::spawn_blocking(move || courier.deliver(&url, &id, &to, &packet))
                    .await
                    .unwrap_or_else(|e| Outcome::Failed(format!("forwarding task: {e}")))
            }
        };
        let now = self.clock.now_ms();
        match outcome {
            Outcome::Accepted => self.store.hub_forwarded(&item.consignment_id, now).await?,
            Outcome::Refused(why) => {
                tracing::warn!(consignment = %item.consignment_id, "refused by the next hop: {why}");
                self.store
                    .hub_failed(&item.consignment_id, &why, None)
                    .await?
            }
            Outcome::Failed(why) => {
                let retry = self.setup.retry_at(item.attempts + 1, now);
                self.store
                    .hub_failed(&item.consignment_id, &why, retry)
                    .await?
            }
        }
        Ok(())
    }

    async fn read(&self, sha256: &str) -> Result<Vec<u8>, AppError> {
        use tokio::io::AsyncReadExt;
        let mut f = self.blobs.open_blob(sha256).await?;
        let mut out = Vec::new();
        f.read_to_end(&mut out)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(out)
    }

    /// Forwards due packets until `shutdown`, pausing `every` when there is nothing to do.
    pub async fn forward_loop(
        self,
        courier: Arc<dyn Courier>,
        every: std::time::Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            let busy = match self.forward_due(Arc::clone(&courier), 64).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!("hub forwarding: {e}");
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

/// The packet must name `to`: among its recipients (a document), or as the agency whose
/// document it answers (a status).
fn check_addressed(packet: &Packet, to: &str) -> Result<(), AppError> {
    let named = match packet.kind {
        Kind::Document => packet.to.iter().any(|o| o.organ_id == to),
        Kind::Status => packet
            .status
            .as_ref()
            .is_some_and(|s| s.response_for.organ_id == to),
    };
    if named {
        Ok(())
    } else {
        Err(exchange_error(format!(
            "the packet is addressed to another agency, not to {to}"
        )))
    }
}
