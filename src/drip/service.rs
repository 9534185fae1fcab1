//! What the REST API and the browser do with campaigns: every rule in one place.

use super::Drip;
use crate::campaign::delay::Delay;
use crate::campaign::model::{self, Audience, Campaign, CampaignDetail, CampaignDraft, CampaignStatus, EnrollOutcome, LaunchPreview};
use crate::messaging::LiveEvent;
use crate::store::{campaigns, enrollments, StoreError};
use crate::{now_millis, CampaignId, ContactId, UserId};

type Result<T> = std::result::Result<T, StoreError>;

impl Drip {
    async fn check(&self, d: &CampaignDraft) -> Result<()> {
        let fields = campaigns::merge_fields(&self.messenger.db).await?;
        let problems = model::validate(d, &fields);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(problems.summary()))
        }
    }

    #[tracing::instrument(skip(self, d), fields(name = %d.name))]
    pub async fn create_campaign(&self, d: &CampaignDraft, by: Option<UserId>) -> Result<Campaign> {
        self.check(d).await?;
        campaigns::create(&self.messenger.db, d, by).await
    }

    #[tracing::instrument(skip(self, d))]
    pub async fn update_campaign(&self, id: CampaignId, d: &CampaignDraft) -> Result<Campaign> {
        self.check(d).await?;
        campaigns::update(&self.messenger.db, id, d).await
    }

    /// Starts (or resumes) sending now.
    pub async fn activate(&self, id: CampaignId) -> Result<Campaign> {
        self.launch(id, None).await
    }

    /// Starts (or resumes) sending, now or at `starts_at` (a time in the past means now).
    #[tracing::instrument(skip(self))]
    pub async fn launch(&self, id: CampaignId, starts_at: Option<crate::Millis>) -> Result<Campaign> {
        let c = campaigns::get_by_id(&self.messenger.db, id).await?;
        self.check(&c.draft).await?;
        let now = now_millis();
        if let Some(t) = starts_at {
            if t > now + 366 * 86_400_000 {
                return Err(StoreError::Invalid("the start time must be within a year".into()));
            }
        }
        let resuming = c.status == CampaignStatus::Paused;
        let c = campaigns::launch(&self.messenger.db, id, starts_at.filter(|t| *t > now)).await?;
        if resuming {
            // A person resumed it: its alarms end, and its rate window starts again from here.
            crate::store::alarms::resolve(&self.messenger.db, crate::analytics::alarms::Scope::Campaign, &id.0.to_string(), None).await?;
        }
        self.changed(id).await;
        Ok(c)
    }

    /// What a launch would do: how many people are waiting for their first step, and how many
    /// are in the campaign in all.
    pub async fn launch_preview(&self, id: CampaignId) -> Result<LaunchPreview> {
        let (waiting, first_due) = enrollments::waiting_first_step(&self.messenger.db, id).await?;
        Ok(LaunchPreview { waiting_first_step: waiting, first_due })
    }

    /// Stops new sends within one runner tick; resuming continues where it stopped.
    #[tracing::instrument(skip(self))]
    pub async fn pause(&self, id: CampaignId) -> Result<Campaign> {
        let c = campaigns::transition(&self.messenger.db, id, &[CampaignStatus::Active], CampaignStatus::Paused).await?;
        self.changed(id).await;
        Ok(c)
    }

    /// Ends the campaign for good: it never sends again.
    #[tracing::instrument(skip(self))]
    pub async fn archive(&self, id: CampaignId) -> Result<Campaign> {
        let c = campaigns::transition(&self.messenger.db, id, &[CampaignStatus::Draft, CampaignStatus::Active, CampaignStatus::Paused], CampaignStatus::Archived).await?;
        self.changed(id).await;
        Ok(c)
    }

    /// Enrolls an audience; `reenroll` restarts contacts already in the campaign at step 1.
    #[tracing::instrument(skip(self, audience))]
    pub async fn enroll(&self, id: CampaignId, audience: &Audience, reenroll: bool) -> Result<EnrollOutcome> {
        let c = campaigns::get_by_id(&self.messenger.db, id).await?;
        if c.status == CampaignStatus::Archived {
            return Err(StoreError::Conflict("the campaign is archived".into()));
        }
        let now = now_millis();
        // A "next day at" first step needs each contact's zone: the runner works it out when it
        // first claims the enrollment.
        let first_due = match c.draft.steps.first().map(|s| s.delay) {
            Some(Delay::After { minutes }) => now + i64::from(minutes) * 60_000,
            _ => now,
        };
        let out = enrollments::enroll(&self.messenger.db, id, audience, reenroll, first_due).await?;
        tracing::info!(?out, "enrolled");
        self.changed(id).await;
        Ok(out)
    }

    pub async fn unenroll(&self, id: CampaignId, contact: Option<ContactId>) -> Result<u64> {
        let n = enrollments::unenroll(&self.messenger.db, id, contact).await?;
        self.changed(id).await;
        Ok(n)
    }

    pub async fn detail(&self, id: CampaignId) -> Result<CampaignDetail> {
        let db = &self.messenger.db;
        let campaign = campaigns::get_by_id(db, id).await?;
        let funnel = campaigns::funnel(db, id, campaign.draft.steps.len()).await?;
        let enrollments = enrollments::counts(db, id).await?;
        Ok(CampaignDetail { campaign, funnel, enrollments })
    }

    async fn changed(&self, id: CampaignId) {
        self.messenger.events.publish(LiveEvent::Campaign { campaign_id: id }).await;
        self.wake();
    }
}
