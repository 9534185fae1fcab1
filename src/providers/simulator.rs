//! The built-in simulator: accepts every message and hands out Twilio-like SIDs. The
//! messaging service then plays the carrier, driving `queued → sent → delivered` through the
//! same status-handling code as real callbacks.

use super::{Accepted, SendError, SmsProvider};
use crate::message::MessageStatus;
use crate::E164;
use rand::RngCore;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many recent sends the simulator remembers for [`SmsProvider::find_sent`].
const REMEMBERED: usize = 50_000;

/// The simulator remembers recent sends in memory (like the provider's message log) so the
/// drip runner's reconciliation works the same way; a restart forgets them.
#[derive(Clone, Debug, Default)]
pub struct Simulator {
    sent: Arc<Mutex<VecDeque<(String, String, String, i64)>>>,
}

/// A fresh `SM` + 32 hex characters id.
pub fn new_sid() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("SM{}", hex::encode(b))
}

#[async_trait::async_trait]
impl SmsProvider for Simulator {
    fn name(&self) -> &'static str {
        "simulator"
    }

    async fn send(&self, to: &E164, from: Option<&E164>, body: &str) -> Result<Accepted, SendError> {
        tracing::debug!(to = %to, from = from.map(E164::as_str).unwrap_or("default"), "simulator accepted a message");
        let sid = new_sid();
        let mut log = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() >= REMEMBERED {
            log.pop_front();
        }
        log.push_back((to.as_str().to_string(), body.to_string(), sid.clone(), crate::now_millis()));
        Ok(Accepted { sid, status: MessageStatus::Queued })
    }

    async fn find_sent(&self, to: &E164, body: &str, since_ms: i64) -> Result<Option<Accepted>, SendError> {
        let log = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        Ok(log
            .iter()
            .rev()
            .find(|(t, b, _, at)| t == to.as_str() && b == body && *at >= since_ms)
            .map(|(_, _, sid, _)| Accepted { sid: sid.clone(), status: MessageStatus::Queued }))
    }

    fn simulates_callbacks(&self) -> bool {
        true
    }
}
