//! Lead unlock: leads, offers, providers, refunds and the message texts. Each server function
//! checks the session, calls one core use-case and maps its error.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;
use warmline::unlock::templates::Text;
use warmline::unlock::{LeadDetails, LeadPublic, LeadSummary, LeadView, OfferConfig, OfferEvent, OfferId, Provider, ProviderId, ProviderInput, UnlockFigures};

/// The leads list page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub leads: Vec<LeadSummary>,
    pub figures: UnlockFigures,
    /// Payments go through the built-in simulator.
    pub simulated: bool,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn unlock_overview() -> Result<Overview, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    Ok(Overview { leads: s.unlock.leads(200).await.or_fail()?, figures: s.unlock.figures().await.or_fail()?, simulated: s.unlock.simulated() })
}

/// One lead's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadPage {
    pub view: LeadView,
    pub timeline: Vec<OfferEvent>,
    /// Providers it could still be offered to.
    pub providers: Vec<Provider>,
    pub is_admin: bool,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_lead_page(id: String) -> Result<LeadPage, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    let s = state()?;
    let lead_id = warmline::unlock::LeadId::parse(&id).map_err(|_| AppError::NotFound).or_else(fail)?;
    let view = s.unlock.view(&lead_id).await.or_fail()?;
    let timeline = s.unlock.timeline(&lead_id).await.or_fail()?;
    let offered: Vec<ProviderId> = view.offers.iter().map(|o| o.provider_id).collect();
    let providers = s.unlock.providers().await.or_fail()?.into_iter().filter(|p| p.active && !p.offers_opted_out && !offered.contains(&p.id)).collect();
    Ok(LeadPage { view, timeline, providers, is_admin: me.is_admin() })
}

/// The client's details: admins only, on purpose (a click), and logged as opened.
#[server(output = crate::api::codec::JsonText)]
pub async fn open_lead_details(id: String) -> Result<LeadDetails, AppError> {
    use super::ssr::*;
    let me = require_admin()?;
    let lead_id = warmline::unlock::LeadId::parse(&id).map_err(|_| AppError::NotFound).or_else(fail)?;
    state()?.unlock.details(&lead_id, &format!("user:{}", me.id)).await.or_fail()
}

/// The new-lead form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadForm {
    pub public: LeadPublic,
    pub details: LeadDetails,
    pub config: OfferConfig,
    pub max_buyers: Option<i64>,
    pub provider_ids: Vec<ProviderId>,
}

/// Creates the lead and sends the teasers; returns its id.
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn create_lead(form: LeadForm) -> Result<String, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    if form.provider_ids.is_empty() {
        return fail(AppError::Invalid("choose at least one provider to offer the lead to".into()));
    }
    let new = warmline::unlock::NewLead { public: form.public, details: form.details, config: form.config, max_buyers: form.max_buyers };
    let view = state()?.unlock.create_lead(new, &form.provider_ids, &format!("user:{}", me.id)).await.or_fail()?;
    Ok(view.lead.id.to_string())
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn offer_lead(id: String, provider_ids: Vec<ProviderId>) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    if provider_ids.is_empty() {
        return fail(AppError::Invalid("choose at least one provider".into()));
    }
    let lead_id = warmline::unlock::LeadId::parse(&id).map_err(|_| AppError::NotFound).or_else(fail)?;
    state()?.unlock.offer(&lead_id, &provider_ids, None, &format!("user:{}", me.id)).await.or_fail().map(|_| ())
}

/// Refunds a paid offer (admins), with a reason the provider is told.
#[server(output = crate::api::codec::JsonText)]
pub async fn refund_offer(offer_id: OfferId, reason: String) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_admin()?;
    state()?.unlock.refund(offer_id, &reason, &format!("user:{}", me.id), true).await.or_fail().map(|_| ())
}

#[server(output = crate::api::codec::JsonText)]
pub async fn list_providers() -> Result<Vec<Provider>, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.unlock.providers().await.or_fail()
}

/// Adds a provider (`id` empty) or changes one.
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn save_provider(id: Option<ProviderId>, input: ProviderInput) -> Result<Provider, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    match id {
        None => s.unlock.add_provider(&input, s.config.default_region).await.or_fail(),
        Some(id) => s.unlock.update_provider(id, &input).await.or_fail(),
    }
}

#[server(output = crate::api::codec::JsonText)]
pub async fn delete_provider(id: ProviderId) -> Result<(), AppError> {
    use super::ssr::*;
    require_admin()?;
    state()?.unlock.delete_provider(id).await.or_fail()
}

/// Imports providers from CSV text (all rows or none); returns how many were added.
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn import_providers(csv: String) -> Result<usize, AppError> {
    use super::ssr::*;
    require_user()?;
    if csv.len() > 2 * 1024 * 1024 {
        return fail(AppError::Invalid("the file is larger than 2 MB".into()));
    }
    let s = state()?;
    s.unlock.import_providers(&csv, s.config.default_region).await.or_fail().map(|v| v.len())
}

#[server(output = crate::api::codec::JsonText)]
pub async fn unlock_templates() -> Result<Vec<(Text, String)>, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    let mut out = Vec::new();
    for t in Text::ALL {
        out.push((t, s.unlock.template(t).await.or_fail()?));
    }
    Ok(out)
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn save_unlock_template(text: Text, body: String) -> Result<(), AppError> {
    use super::ssr::*;
    require_admin()?;
    state()?.unlock.save_template(text, &body).await.or_fail()
}
