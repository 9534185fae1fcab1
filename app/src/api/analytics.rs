//! Analytics: the page's report and filter choices, a contact's timeline, and the alarms
//! (banners and acknowledging). Each server function checks the session, calls one core
//! use-case and maps its error.

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::codec::Json;
use warmline::analytics::alarms::Alarm;
use warmline::analytics::{FilterInput, FilterOptions, Report, TeamDay, TimelineEntry};
use warmline::{CampaignId, ContactId};

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn analytics_report(filter: FilterInput) -> Result<Report, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    let f = s.analytics.filter(&filter).or_fail()?;
    s.analytics.report(&f).await.or_fail()
}

/// Per team member per day (asked for apart from the report: it reads the members' messages).
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn team_activity(filter: FilterInput) -> Result<Vec<TeamDay>, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    let f = s.analytics.filter(&filter).or_fail()?;
    s.analytics.team(&f).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn analytics_options() -> Result<FilterOptions, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.analytics.options().await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn contact_timeline(id: ContactId) -> Result<Vec<TimelineEntry>, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.analytics.timeline(id).await.or_fail()
}

/// The alarms still active: all of them, or one campaign's.
#[server(output = crate::api::codec::JsonText)]
pub async fn active_alarms(campaign: Option<CampaignId>) -> Result<Vec<Alarm>, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    match campaign {
        Some(c) => s.analytics.campaign_alarms(c).await.or_fail(),
        None => Ok(s.analytics.alarms(50).await.or_fail()?.into_iter().filter(|a| a.active).collect()),
    }
}

/// A person has seen a warning (a pause ends when the campaign is resumed).
#[server(output = crate::api::codec::JsonText)]
pub async fn acknowledge_alarm(id: i64) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.analytics.acknowledge(id, Some(me.id)).await.or_fail()
}
