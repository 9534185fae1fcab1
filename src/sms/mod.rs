//! SMS rules: inbound keyword classification, message segments and cost, and (server-only)
//! Twilio webhook signatures.

pub mod keywords;
pub mod segments;
#[cfg(feature = "ssr")]
pub mod twilio_signature;
