//! Warmline core: typed models and pure rules shared by the server and the browser.
//!
//! Everything outside the `ssr` feature compiles to `wasm32-unknown-unknown` and is used by
//! the browser app. Server-only parts (storage, password hashing, phone-number metadata,
//! time-zone data) sit behind the `ssr` feature so the WASM bundle never carries them.

pub mod analytics;
pub mod approvals;
pub mod campaign;
pub mod contact;
pub mod crm;
pub mod csv_import;
pub mod farming;
pub mod forms;
pub mod gate;
pub mod ids;
pub mod limits;
pub mod live;
pub mod message;
pub mod phone;
pub mod routing;
pub mod scoring;
pub mod segment;
pub mod sms;
pub mod unlock;
pub mod url;
pub mod user;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod drip;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod import_service;
#[cfg(feature = "ssr")]
pub mod messaging;
pub mod org;
#[cfg(feature = "ssr")]
pub mod providers;
#[cfg(feature = "ssr")]
pub mod store;

pub use ids::{ApiKeyId, CampaignId, ContactId, EnrollmentId, FarmingBatchId, FarmingCampaignId, FormId, ImportId, ListId, MessageId, OfferId, ProviderId, UserId};
pub use phone::E164;

/// Milliseconds since the Unix epoch; the one time representation stored in the database.
pub type Millis = i64;

/// Current time as epoch milliseconds.
pub fn now_millis() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// A page of results with the total number of matches.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// `total` is a floor: counting stopped there, and more match (see
    /// `store::contacts::COUNT_CAP`).
    #[serde(default)]
    pub total_capped: bool,
    pub page: i64,
    pub per_page: i64,
    /// Keyset cursors of the pages after and before this one, where the list supports them.
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub prev: Option<String>,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 {
            return 1;
        }
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}
