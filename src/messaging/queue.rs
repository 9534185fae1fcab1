//! The bounded send queue: messages the pipeline stored and claimed, waiting for one of a fixed
//! number of background senders. A full queue refuses the message (the caller then gives up its
//! claim and the recovery sweep sends it), so bursts cost memory in the database, not here.
//!
//! A message may wait here longer than a claim lasts (500 messages at one a second), so a
//! heartbeat renews the claims of the messages waiting, every third of the claim's length. If
//! this server stops, the heartbeat stops with it and the claims run out: another server's
//! recovery sweep takes the messages over.

use super::Messenger;
use crate::message::Message;
use crate::E164;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, Weak};
use tokio::sync::{mpsc, Mutex};

/// How many messages may wait in the queue.
pub const CAPACITY: usize = 1024;
/// Background senders (each still waits for the rate limiter).
pub const SENDERS: usize = 4;

/// One claimed message to send.
pub struct Job {
    pub message: Message,
    pub to: E164,
    pub token: String,
}

/// The queue's sending end; the senders start on first use.
#[derive(Clone, Default)]
pub struct SendQueue {
    tx: Arc<OnceLock<mpsc::Sender<Job>>>,
    /// The claims (message id → token) of the messages waiting, kept alive by the heartbeat.
    waiting: Arc<std::sync::Mutex<HashMap<crate::MessageId, String>>>,
    /// Messages a sender is working on right now.
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
}

impl SendQueue {
    /// Queues `job`, or gives it back when the queue is full (or the senders stopped).
    pub fn push(&self, messenger: &Messenger, job: Job) -> Result<(), Job> {
        let tx = self.tx.get_or_init(|| start(messenger, Arc::downgrade(&self.waiting), self.in_flight.clone()));
        let (id, token) = (job.message.id, job.token.clone());
        lock(&self.waiting).insert(id, token);
        tx.try_send(job).map_err(|e| {
            lock(&self.waiting).remove(&id);
            match e {
                mpsc::error::TrySendError::Full(j) | mpsc::error::TrySendError::Closed(j) => j,
            }
        })
    }

    /// Stops taking jobs and returns the claims of the messages still waiting (at shutdown).
    pub(super) fn drain(&self) -> Vec<(crate::MessageId, String)> {
        lock(&self.waiting).drain().collect()
    }

    /// Waits (at most `limit`) until no sender is in the middle of a message.
    pub(super) async fn settle(&self, limit: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        true
    }

    /// Messages waiting right now.
    pub fn len(&self) -> usize {
        self.tx.get().map(|tx| CAPACITY - tx.capacity()).unwrap_or(0)
    }
}

fn lock(m: &std::sync::Mutex<HashMap<crate::MessageId, String>>) -> std::sync::MutexGuard<'_, HashMap<crate::MessageId, String>> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn start(messenger: &Messenger, waiting: Weak<std::sync::Mutex<HashMap<crate::MessageId, String>>>, in_flight: Arc<std::sync::atomic::AtomicUsize>) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>(CAPACITY);
    let rx = Arc::new(Mutex::new(rx));
    // The senders hold a messenger without this queue, so the channel closes (and they stop)
    // once every other clone of the messenger is gone.
    let mut worker = messenger.clone();
    worker.queue = SendQueue::default();
    for _ in 0..SENDERS {
        let rx = rx.clone();
        let worker = worker.clone();
        let waiting = waiting.clone();
        let in_flight = in_flight.clone();
        tokio::spawn(async move {
            loop {
                let job = rx.lock().await.recv().await;
                let Some(job) = job else { break };
                // From here on the sender renews the claim itself, right before the call. A job
                // whose claim was given back (shutdown) is skipped: it is no longer ours.
                let ours = match waiting.upgrade() {
                    Some(w) => {
                        let mut w = lock(&w);
                        let ours = w.get(&job.message.id) == Some(&job.token);
                        if ours {
                            w.remove(&job.message.id);
                            in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        ours
                    }
                    None => false,
                };
                if !ours {
                    continue;
                }
                worker.send_queued(job).await;
                in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
    }
    tokio::spawn(heartbeat(worker, waiting));
    tx
}

/// Renews the claims of the messages waiting in the queue until the queue is gone.
async fn heartbeat(messenger: Messenger, waiting: Weak<std::sync::Mutex<HashMap<crate::MessageId, String>>>) {
    let every = messenger.lease() / 3;
    loop {
        tokio::time::sleep(every).await;
        let Some(w) = waiting.upgrade() else { return };
        let claims: Vec<(crate::MessageId, String)> = lock(&w).iter().map(|(id, t)| (*id, t.clone())).collect();
        drop(w);
        if claims.is_empty() {
            continue;
        }
        let until = crate::now_millis() + messenger.lease().as_millis() as i64;
        match crate::store::messages::renew_leases(&messenger.db, &claims, until).await {
            Ok(n) => tracing::debug!(waiting = claims.len(), renewed = n, "renewed the claims of queued messages"),
            Err(e) => tracing::warn!(error = %e, "could not renew the claims of queued messages; they may be taken over"),
        }
    }
}
