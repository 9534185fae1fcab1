//! Drip campaigns' pure rules: message templates (rendered identically in the browser preview
//! and on the server) and step scheduling.

pub mod delay;
pub mod fields;
pub mod model;
#[cfg(feature = "ssr")]
pub mod schedule;
pub mod template;
