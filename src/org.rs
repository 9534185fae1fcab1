//! The organisation's own settings: its business name and time zone. Asked once at setup,
//! editable in Settings → Business; every message, reply and sample text reads them from here.

#[cfg(feature = "ssr")]
use crate::messaging::{replies, Messenger};
#[cfg(feature = "ssr")]
use crate::store::{settings, StoreError};
use serde::{Deserialize, Serialize};

/// What Settings → Business shows and saves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    pub name: String,
    /// IANA zone, e.g. `America/Chicago`.
    pub timezone: String,
}

/// Zones offered at setup and in Settings (any IANA name is accepted through the API).
pub const COMMON_ZONES: &[(&str, &str)] = &[
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Mountain, no DST (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
    ("America/Toronto", "Eastern (Toronto)"),
    ("America/Vancouver", "Pacific (Vancouver)"),
    ("Europe/London", "UK (London)"),
    ("UTC", "UTC"),
];

/// The saved settings, falling back to "Warmline" and the zone the gate uses now.
#[cfg(feature = "ssr")]
pub async fn business(m: &Messenger) -> Result<Business, StoreError> {
    Ok(Business { name: replies::business_name(&m.db).await?, timezone: m.rules.get().default_zone.name().to_string() })
}

/// Checks both values first (a bad one saves nothing), saves them, and points the send gate
/// at the new zone at once.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip(m))]
pub async fn save_business(m: &Messenger, name: &str, timezone: &str) -> Result<Business, StoreError> {
    let name = replies::check_business_name(name).map_err(StoreError::Invalid)?;
    let zone = replies::check_timezone(timezone).map_err(StoreError::Invalid)?;
    settings::set_value(&m.db, replies::BRAND, &name).await?;
    settings::set_value(&m.db, replies::ORG_TIMEZONE, zone.name()).await?;
    m.rules.set_default_zone(zone);
    tracing::info!(zone = zone.name(), "business settings saved");
    // Other servers on the same PostgreSQL hear it through the event bus and reload.
    m.events.publish(crate::messaging::LiveEvent::Settings).await;
    Ok(Business { name, timezone: zone.name().to_string() })
}

/// Keeps this server's gate rules in step with settings saved on any server: on every
/// `Settings` event (and after a lagged receiver) it reloads the organisation's zone.
#[cfg(feature = "ssr")]
pub async fn follow_settings(m: Messenger) {
    use tokio::sync::broadcast::error::RecvError;
    let mut rx = m.events.subscribe();
    loop {
        match rx.recv().await {
            Ok(crate::messaging::LiveEvent::Settings) | Err(RecvError::Lagged(_)) => match replies::org_timezone(&m.db).await {
                Ok(Some(zone)) => m.rules.set_default_zone(zone),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not reload the organisation's time zone"),
            },
            Ok(_) => {}
            Err(RecvError::Closed) => return,
        }
    }
}
