//! Group commit of signatures: the "hashes used" marks and journal entries of concurrent
//! signHash calls go to the database in one transaction, instead of one transaction each
//! queueing on the database's write lock (SQLite has one writer; every call also claims its
//! agency's journal head).
//!
//! No task runs in the background. A call queues its use and waits for its turn; whoever
//! gets the turn commits everything queued by then, its own use and the others', and
//! answers each. A call that finds its use answered when its turn comes just returns.
//! Signatures are returned only after the answer says committed: nothing signed leaves
//! unjournaled, and a hash is never returned twice (the batch marks it once, in order).

use std::sync::{Arc, Mutex};

use signet_store::remote_signing::SadUse;
use signet_store::{Store, StoreError};
use tokio::sync::oneshot;

type Outcome = Result<(), StoreError>;

/// The queue of uses waiting to be committed, and the turn to commit them.
#[derive(Debug, Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Vec<(SadUse, oneshot::Sender<Outcome>)>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl GroupCommit {
    /// Marks `u`'s hashes used and journals its signature, with whatever else is queued:
    /// `Ok` once committed, a `Conflict` when a hash was used already, or the error of the
    /// transaction (then nothing of it was committed).
    pub(crate) async fn commit(&self, store: &Store, u: SadUse) -> Outcome {
        let (tx, mut rx) = oneshot::channel();
        self.lock_queue().push((u, tx));
        let turn = Arc::clone(&self.turn).lock_owned().await;
        // The turn before ours may have taken our use too.
        match rx.try_recv() {
            Ok(outcome) => return outcome,
            Err(oneshot::error::TryRecvError::Closed) => return Err(not_committed()),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let batch = std::mem::take(&mut *self.lock_queue());
        // Committed in a task of its own, holding the turn: a caller that goes away (its
        // client hung up) cancels neither the others' answers nor the transaction midway.
        let store = store.clone();
        tokio::spawn(async move {
            commit_batch(&store, batch).await;
            drop(turn);
        });
        rx.await.unwrap_or_else(|_| Err(not_committed()))
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<(SadUse, oneshot::Sender<Outcome>)>> {
        // The queue holds plain data; a poisoned lock changes nothing in it.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One transaction for the batch; each caller gets its own outcome.
async fn commit_batch(store: &Store, batch: Vec<(SadUse, oneshot::Sender<Outcome>)>) {
    let (uses, answers): (Vec<SadUse>, Vec<_>) = batch.into_iter().unzip();
    match store.use_sads(&uses).await {
        Ok(outcomes) => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                // A caller that went away has nobody to tell; its signature is dropped.
                let _ = answer.send(outcome);
            }
        }
        Err(e) => {
            let cause = e.to_string();
            for answer in answers {
                let _ = answer.send(Err(StoreError::Corrupt(format!(
                    "signatures not journaled, none returned: {cause}"
                ))));
            }
        }
    }
}

/// The answer when the committing task ended without answering.
fn not_committed() -> StoreError {
    StoreError::Corrupt("signature not journaled, not returned".into())
}
