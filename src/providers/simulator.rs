//! The built-in simulator: accepts every message and hands out Twilio-like SIDs. The
//! messaging service then plays the carrier, driving `queued → sent → delivered` through the
//! same status-handling code as real callbacks.

use super::{Accepted, SendError, SmsProvider};
use crate::message::MessageStatus;
use crate::E164;
use rand::RngCore;

#[derive(Clone, Debug, Default)]
pub struct Simulator;

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

    async fn send(&self, to: &E164, _body: &str) -> Result<Accepted, SendError> {
        tracing::debug!(to = %to, "simulator accepted a message");
        Ok(Accepted { sid: new_sid(), status: MessageStatus::Queued })
    }

    fn simulates_callbacks(&self) -> bool {
        true
    }
}
