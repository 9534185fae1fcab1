//! Drip campaigns: the list, the builder, the campaign page, enrollment.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;
use warmline::campaign::model::{Audience, Campaign, CampaignDetail, CampaignDraft, CampaignSummary, EnrollOutcome, Enrollment, EnrollmentStatus, LaunchPreview};
use warmline::campaign::fields::MergeFields;
use warmline::campaign::template::Values;
use warmline::contact::ContactList;
use warmline::{CampaignId, ContactId, Page};

/// A contact the builder can preview a template against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleContact {
    pub id: ContactId,
    pub label: String,
    pub values: Values,
}

/// What the builder needs: the campaign (when editing), the merge fields templates may use,
/// contacts to preview with, and the business name for the first step's sample text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuilderData {
    pub campaign: Option<Campaign>,
    pub fields: MergeFields,
    pub samples: Vec<SampleContact>,
    pub business: String,
}

/// The campaign page: the campaign with its funnel, a page of enrollments, and what can be
/// enrolled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignView {
    pub detail: CampaignDetail,
    pub enrollments: Page<Enrollment>,
    pub lists: Vec<ContactList>,
    pub tags: Vec<(String, i64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Activate,
    Pause,
    Archive,
}

/// One contact's campaigns (for the contact page): what they are in, and what they could join.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactCampaignList {
    /// (campaign name, enrollment), newest first.
    pub enrollments: Vec<(String, Enrollment)>,
    /// Campaigns that are not archived.
    pub campaigns: Vec<CampaignSummary>,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn contact_campaigns(contact_id: ContactId) -> Result<ContactCampaignList, AppError> {
    use super::ssr::*;
    require_user()?;
    let db = &state()?.db;
    Ok(ContactCampaignList {
        enrollments: warmline::store::enrollments::for_contact(db, contact_id).await.or_fail()?,
        campaigns: warmline::store::campaigns::list(db)
            .await
            .or_fail()?
            .into_iter()
            .filter(|c| c.status != warmline::campaign::model::CampaignStatus::Archived)
            .collect(),
    })
}

#[server(output = crate::api::codec::JsonText)]
pub async fn list_campaigns() -> Result<Vec<CampaignSummary>, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::store::campaigns::list(&state()?.db).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_builder(id: Option<CampaignId>) -> Result<BuilderData, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    let db = &state.db;
    let campaign = match id {
        Some(id) => Some(warmline::store::campaigns::get_by_id(db, id).await.or_fail()?),
        None => None,
    };
    let fields = warmline::store::campaigns::merge_fields(db).await.or_fail()?;
    let business = warmline::messaging::replies::business_name(db).await.or_fail()?;
    let q = warmline::contact::ContactQuery { per_page: Some(25), ..Default::default() };
    let page = warmline::store::contacts::search(db, &q, state.config.default_region).await.or_fail()?;
    let mut samples = Vec::new();
    for c in page.items {
        let (_, values) = warmline::store::enrollments::send_target(db, c.id).await.or_fail()?;
        let name = warmline::contact::display_name(c.first_name.as_deref(), c.last_name.as_deref());
        let label = format!("{} · {}", warmline::limits::ellipsize(&name, 40), c.phone.display());
        samples.push(SampleContact { id: c.id, label, values });
    }
    Ok(BuilderData { campaign, fields, samples, business })
}

/// Creates (no id) or updates a campaign; returns its id.
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn save_campaign(id: Option<CampaignId>, draft: CampaignDraft) -> Result<CampaignId, AppError> {
    use super::ssr::*;
    let me = require_user()?;
    let state = state()?;
    match id {
        None => state.drip.create_campaign(&draft, Some(me.id)).await.or_fail().map(|c| c.id),
        Some(id) => state.drip.update_campaign(id, &draft).await.or_fail().map(|c| c.id),
    }
}

#[server(output = crate::api::codec::JsonText)]
pub async fn load_campaign(id: CampaignId, status: Option<EnrollmentStatus>, page: i64) -> Result<CampaignView, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    let detail = state.drip.detail(id).await.or_fail()?;
    let enrollments = warmline::store::enrollments::list(&state.db, id, status, page, 50).await.or_fail()?;
    let lists = warmline::store::lists::all(&state.db).await.or_fail()?;
    let tags = warmline::store::contacts::all_tags(&state.db).await.or_fail()?;
    Ok(CampaignView { detail, enrollments, lists, tags })
}

/// What launching would do, for the confirmation dialog.
#[server(output = crate::api::codec::JsonText)]
pub async fn load_launch_preview(id: CampaignId) -> Result<LaunchPreview, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.drip.launch_preview(id).await.or_fail()
}

/// Launches (or resumes) a campaign now, or from `starts_at` (epoch ms).
#[server(output = crate::api::codec::JsonText)]
pub async fn launch_campaign(id: CampaignId, starts_at: Option<i64>) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.drip.launch(id, starts_at).await.or_fail().map(|_| ())
}

#[server(output = crate::api::codec::JsonText)]
pub async fn campaign_command(id: CampaignId, command: Command) -> Result<(), AppError> {
    use super::ssr::*;
    require_user()?;
    let drip = state()?.drip;
    match command {
        Command::Activate => drip.activate(id).await,
        Command::Pause => drip.pause(id).await,
        Command::Archive => drip.archive(id).await,
    }
    .or_fail()
    .map(|_| ())
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn enroll_audience(id: CampaignId, audience: Audience, reenroll: bool) -> Result<EnrollOutcome, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.drip.enroll(id, &audience, reenroll).await.or_fail()
}

/// Stops one contact's enrollment, or everyone's when `contact_id` is empty.
#[server(output = crate::api::codec::JsonText)]
pub async fn unenroll_contacts(id: CampaignId, contact_id: Option<ContactId>) -> Result<u64, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.drip.unenroll(id, contact_id).await.or_fail()
}
