//! Group commit: the rows of concurrent calls go to the database in one transaction, instead
//! of one transaction each queueing on the database's write lock and paying its own fsync
//! (SQLite has one writer; a commit is a disk flush on either engine).
//!
//! No task runs in the background. A call queues its item and waits for its turn; whoever
//! gets the turn commits everything queued by then, its own item and the others', and
//! answers each. A call that finds its item answered when its turn comes just returns.
//! Used for the "hashes used" marks of remote signatures (nothing signed leaves unjournaled,
//! a hash is never returned twice) and for the hub's queue rows (a packet is answered 200
//! only once its row is committed).

use std::future::Future;
use std::sync::{Arc, Mutex};

use signet_store::StoreError;
use tokio::sync::oneshot;

/// One item's outcome, as the batch's writer gives it.
pub(crate) type Outcome<O> = Result<O, StoreError>;

type Waiting<T, O> = Vec<(T, oneshot::Sender<Outcome<O>>)>;

/// The queue of items waiting to be committed, and the turn to commit them.
#[derive(Debug)]
pub(crate) struct GroupCommit<T, O> {
    queue: Mutex<Waiting<T, O>>,
    turn: Arc<tokio::sync::Mutex<()>>,
    /// What the items are, for the error when a batch fails ("signatures", "packets").
    what: &'static str,
}

impl<T: Send + 'static, O: Send + 'static> GroupCommit<T, O> {
    pub(crate) fn new(what: &'static str) -> Self {
        Self {
            queue: Mutex::new(Vec::new()),
            turn: Arc::default(),
            what,
        }
    }

    /// Commits `item` with whatever else is queued, by `write` (one transaction for the
    /// batch, an outcome per item in order): the item's outcome, or the transaction's error
    /// (then nothing of the batch was committed).
    pub(crate) async fn commit<W, F>(&self, item: T, write: W) -> Outcome<O>
    where
        W: FnOnce(Vec<T>) -> F,
        F: Future<Output = Result<Vec<Outcome<O>>, StoreError>> + Send + 'static,
    {
        let (tx, mut rx) = oneshot::channel();
        self.lock_queue().push((item, tx));
        // Answered by the turn that takes our item, or given the turn: a caller whose item
        // an earlier turn committed leaves at once instead of waiting in line for a turn it
        // would only hand on (fifty callers queued behind one batch were woken one by one).
        let turn = tokio::select! {
            biased;
            outcome = &mut rx => {
                return outcome.unwrap_or_else(|_| Err(self.not_committed()));
            }
            turn = Arc::clone(&self.turn).lock_owned() => turn,
        };
        // The turn before ours may have taken our item as it ended.
        match rx.try_recv() {
            Ok(outcome) => return outcome,
            Err(oneshot::error::TryRecvError::Closed) => return Err(self.not_committed()),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let (items, answers): (Vec<T>, Vec<_>) =
            std::mem::take(&mut *self.lock_queue()).into_iter().unzip();
        let written = write(items);
        let what = self.what;
        // Committed in a task of its own, holding the turn: a caller that goes away (its
        // client hung up) cancels neither the others' answers nor the transaction midway.
        tokio::spawn(async move {
            answer(what, written.await, answers);
            drop(turn);
        });
        rx.await.unwrap_or_else(|_| Err(self.not_committed()))
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Waiting<T, O>> {
        // The queue holds plain data; a poisoned lock changes nothing in it.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer when the committing task ended without answering.
    fn not_committed(&self) -> StoreError {
        StoreError::Corrupt(format!("{} not committed", self.what))
    }
}

/// Each caller gets its own outcome, or the batch's error.
fn answer<O>(
    what: &str,
    written: Result<Vec<Outcome<O>>, StoreError>,
    answers: Vec<oneshot::Sender<Outcome<O>>>,
) {
    match written {
        Ok(outcomes) => {
            // A caller that went away has nobody to tell (a signature is dropped; a packet's
            // sender posts it again and finds it a duplicate).
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                let _ = answer.send(outcome);
            }
        }
        Err(e) => {
            let cause = e.to_string();
            for answer in answers {
                let _ = answer.send(Err(StoreError::Corrupt(format!(
                    "{what} not committed, none taken: {cause}"
                ))));
            }
        }
    }
}
