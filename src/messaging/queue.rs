//! The bounded send queue: messages the pipeline stored and claimed, waiting for one of a fixed
//! number of background senders. A full queue refuses the message (the caller then gives up its
//! claim and the recovery sweep sends it), so bursts cost memory in the database, not here.

use super::Messenger;
use crate::message::Message;
use crate::E164;
use std::sync::{Arc, OnceLock};
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
}

impl SendQueue {
    /// Queues `job`, or gives it back when the queue is full (or the senders stopped).
    pub fn push(&self, messenger: &Messenger, job: Job) -> Result<(), Job> {
        let tx = self.tx.get_or_init(|| start(messenger));
        tx.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(j) | mpsc::error::TrySendError::Closed(j) => j,
        })
    }

    /// Messages waiting right now.
    pub fn len(&self) -> usize {
        self.tx.get().map(|tx| CAPACITY - tx.capacity()).unwrap_or(0)
    }

}

fn start(messenger: &Messenger) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(CAPACITY);
    let rx = Arc::new(Mutex::new(rx));
    // The senders hold a messenger without this queue, so the channel closes (and they stop)
    // once every other clone of the messenger is gone.
    let mut worker = messenger.clone();
    worker.queue = SendQueue::default();
    for _ in 0..SENDERS {
        let rx = rx.clone();
        let worker = worker.clone();
        tokio::spawn(async move {
            loop {
                let job = rx.lock().await.recv().await;
                let Some(job) = job else { break };
                worker.send_queued(job).await;
            }
        });
    }
    tx
}
