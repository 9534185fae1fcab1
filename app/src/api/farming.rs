//! Warm-lead farming: campaigns, dry runs, batches, warm leads, the inbound log and stats.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;
use warmline::contact::ContactList;
use warmline::farming::{BatchProgress, DryRun, FarmingCampaign, InboundLogEntry, NewFarmingCampaign, WarmLead, WarmLeadStats};
use warmline::FarmingCampaignId;

/// The farming page: campaigns, and what a new one can draw from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FarmingOverview {
    pub campaigns: Vec<FarmingCampaign>,
    pub lists: Vec<ContactList>,
    pub tags: Vec<(String, i64)>,
    pub default_cap: u32,
    /// The business name every farming message must name.
    pub business: String,
    /// The merge fields templates may use (the same list as drips).
    pub fields: warmline::campaign::fields::MergeFields,
}

/// One farming campaign's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FarmingDetail {
    pub campaign: FarmingCampaign,
    pub batches: Vec<BatchProgress>,
    pub org_timezone: String,
    /// Contacts today's batches already picked (counts against the daily cap).
    pub picked_today: i64,
}

/// Which warm leads to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Today,
    Week,
    All,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_farming() -> Result<FarmingOverview, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    let db = &state.db;
    let business = warmline::messaging::replies::business_name(db).await.or_fail()?;
    let fields = warmline::store::campaigns::merge_fields(db).await.or_fail()?;
    Ok(FarmingOverview {
        campaigns: warmline::store::farming::list(db).await.or_fail()?,
        lists: warmline::store::lists::all(db).await.or_fail()?,
        tags: warmline::store::contacts::all_tags(db).await.or_fail()?,
        default_cap: state.config.daily_batch_default,
        business,
        fields,
    })
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn create_farming(campaign: NewFarmingCampaign) -> Result<FarmingCampaignId, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.farm.create(&campaign, Some(me.id)).await.or_fail().map(|c| c.id)
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_farming_detail(id: FarmingCampaignId) -> Result<FarmingDetail, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    Ok(FarmingDetail {
        campaign: warmline::store::farming::get_by_id(&state.db, id).await.or_fail()?,
        batches: warmline::store::farming::batches(&state.db, id, 20).await.or_fail()?,
        org_timezone: state.messenger.rules.get().default_zone.name().to_string(),
        picked_today: state.farm.picked_today(id).await.or_fail()?,
    })
}

#[server(output = crate::api::codec::JsonText)]
pub async fn farming_dry_run(id: FarmingCampaignId, max: Option<i64>) -> Result<DryRun, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.farm.dry_run(id, max).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn start_farming_batch(id: FarmingCampaignId, max: Option<i64>, template: Option<String>) -> Result<BatchProgress, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.farm.start_batch(id, max, template.as_deref(), "browser", Some(me.id)).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn list_warm_leads(period: Period) -> Result<Vec<WarmLead>, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    let now = chrono::Utc::now();
    let since = match period {
        Period::Today => Some(state.farm.day_start(now, 0)),
        Period::Week => Some(state.farm.day_start(now, 6)),
        Period::All => None,
    };
    warmline::store::farming::warm_leads(&state.db, since, 1000).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn inbound_log() -> Result<Vec<InboundLogEntry>, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::store::farming::inbound_log(&state()?.db, 200).await.or_fail()
}

/// Sends `body` to every current warm lead; returns the broadcast key and how many were queued.
#[server(output = crate::api::codec::JsonText)]
pub async fn message_warm_leads(body: String) -> Result<(String, i64), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.farm.message_warm_leads(&body, Some(me.id)).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn warm_lead_broadcast(key: String) -> Result<(i64, i64), AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.farm.broadcast_progress(&key).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_warm_lead_stats() -> Result<WarmLeadStats, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.farm.stats(chrono::Utc::now()).await.or_fail()
}
