//! The scoring use-cases: the settings, one contact's score after its activity, and the
//! recompute job a rule change queues (a background task claims it with a lease and works
//! through the contacts in id order, so a restart resumes where it stopped).

use super::{score, Band, BandAction, Score, ScoringOverview, ScoringSettings};
use crate::campaign::model::Audience;
use crate::drip::Drip;
use crate::error::{Error, Result};
use crate::messaging::{Activity, ContactHooks, LiveEvent};
use crate::store::scoring::{self as store, ScoreJob, Scored};
use crate::store::Db;
use crate::{now_millis, ContactId, Millis};
use std::sync::Arc;
use std::time::Duration;

const SETTINGS_KEY: &str = "scoring";
/// Contacts read and written per step of a recompute.
const BATCH: i64 = 2000;
/// How long a claim on a job lasts without progress.
const LEASE_MS: Millis = 60_000;

#[derive(Clone)]
pub struct Scoring {
    drip: Drip,
    wake: Arc<tokio::sync::Notify>,
    /// Runs scoring's own reactions after routing's, when both are registered.
    after: Arc<std::sync::OnceLock<Arc<dyn ContactHooks>>>,
}

impl Scoring {
    pub fn new(drip: Drip) -> Scoring {
        Scoring { drip, wake: Arc::default(), after: Arc::default() }
    }

    fn db(&self) -> &Db {
        &self.drip.messenger.db
    }

    /// Another reaction to run once the score is up to date (routing reads the score).
    pub fn then(&self, next: Arc<dyn ContactHooks>) {
        let _ = self.after.set(next);
    }

    pub async fn settings(&self) -> Result<ScoringSettings> {
        Ok(match crate::store::settings::get_value(self.db(), SETTINGS_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::error!(error = %e, "the stored scoring settings do not read; using the defaults");
                ScoringSettings::default()
            }),
            None => ScoringSettings::default(),
        })
    }

    /// Saves the rules, bands and actions, and queues a recompute of every score.
    #[tracing::instrument(skip(self, s), fields(rules = s.rules.len()))]
    pub async fn save(&self, s: &ScoringSettings) -> Result<ScoreJob> {
        s.check().map_err(Error::Invalid)?;
        for a in &s.actions {
            if let Some(c) = a.enroll {
                crate::store::campaigns::get_by_id(self.db(), c).await.map_err(|_| Error::Invalid(format!("no drip campaign {}", c.0)))?;
            }
        }
        let json = serde_json::to_string(s).map_err(|e| Error::Invalid(e.to_string()))?;
        crate::store::settings::set_value(self.db(), SETTINGS_KEY, &json).await?;
        tracing::info!("scoring rules saved");
        self.recompute(now_millis()).await
    }

    /// Queues a recompute of every contact's score judged at `as_of`, and wakes the runner.
    pub async fn recompute(&self, as_of: Millis) -> Result<ScoreJob> {
        let job = store::queue_job(self.db(), as_of, now_millis()).await?;
        self.wake.notify_one();
        self.drip.messenger.events.publish(LiveEvent::Scores).await;
        Ok(job)
    }

    /// The newest recompute, for the progress bar.
    pub async fn job(&self) -> Result<Option<ScoreJob>> {
        Ok(store::latest_job(self.db()).await?)
    }

    pub async fn band_counts(&self) -> Result<Vec<(Band, i64)>> {
        Ok(store::band_counts(self.db()).await?)
    }

    /// The Lead scoring page: the rules, how the last recompute went, contacts per band, and
    /// the campaigns and members a band's action can use.
    pub async fn overview(&self) -> Result<ScoringOverview> {
        let counts = self.band_counts().await?;
        let bands = Band::ALL.into_iter().map(|b| (b, counts.iter().find(|(c, _)| *c == b).map_or(0, |(_, n)| *n))).collect();
        let campaigns = crate::store::campaigns::list(self.db()).await?;
        let members = crate::store::users::list(self.db()).await?;
        Ok(ScoringOverview {
            settings: self.settings().await?,
            progress: self.job().await?.map(Into::into),
            bands,
            campaigns: campaigns.into_iter().filter(|c| c.status == crate::campaign::model::CampaignStatus::Active).map(|c| (c.id.0, c.name)).collect(),
            members: members.into_iter().map(|u| (u.id.0, u.email)).collect(),
        })
    }

    /// A contact's stored score with the rules that produced it.
    pub async fn of(&self, contact: ContactId) -> Result<Score> {
        store::get_score(self.db(), contact).await?.ok_or_else(|| Error::NotFound(format!("no contact {}", contact.0)))
    }

    /// Scores one contact again at `now` (after its activity), and runs the actions of a band
    /// it enters.
    #[tracing::instrument(skip(self))]
    pub async fn rescore(&self, contact: ContactId, now: Millis) -> Result<Score> {
        let settings = self.settings().await?;
        let Some(current) = store::facts_of(self.db(), contact).await? else {
            return Err(Error::NotFound(format!("no contact {}", contact.0)));
        };
        let new = score(&settings, &current.facts, now);
        if changed(&current, &new) {
            store::write(self.db(), &[(contact, new.clone())]).await?;
            if new.band != current.band {
                tracing::info!(contact = %contact, from = ?current.band, to = ?new.band, score = new.value, "band changed");
                self.band_actions(&settings, contact, new.band).await;
            }
            self.drip.messenger.events.publish(LiveEvent::Contact { contact_id: contact }).await;
        }
        Ok(new)
    }

    /// The configured actions of the band a contact just entered. One that fails is logged
    /// and the others still run.
    async fn band_actions(&self, settings: &ScoringSettings, contact: ContactId, band: Band) {
        for a in settings.actions.iter().filter(|a| a.band == Some(band)) {
            if let Err(e) = self.band_action(a, contact).await {
                tracing::warn!(error = %e, contact = %contact, band = band.key(), "a band action failed");
            }
        }
    }

    async fn band_action(&self, a: &BandAction, contact: ContactId) -> Result<()> {
        if let Some(tag) = a.tag.as_deref().and_then(crate::contact::normalize_tag) {
            crate::store::contacts::add_tag(self.db(), contact, &tag).await?;
        }
        if let Some(user) = a.assign_to {
            crate::store::messages::assign_opening(self.db(), contact, user, now_millis()).await?;
            let name = crate::store::contacts::get_by_id(self.db(), contact).await?.display_name();
            self.drip.messenger.events.publish(LiveEvent::Assigned { contact_id: contact, user_id: user, name }).await;
        }
        if let Some(c) = a.enroll {
            let campaign = crate::store::campaigns::get_by_id(self.db(), c).await?;
            if campaign.status == crate::campaign::model::CampaignStatus::Active {
                self.drip.enroll(c, &Audience::Contacts(vec![contact]), false).await?;
            }
        }
        Ok(())
    }

    /// Claims the next queued recompute (or one whose worker died) and runs it to the end.
    /// Returns the finished job, or `None` when there was nothing to do.
    pub async fn run_next_job(&self) -> Result<Option<ScoreJob>> {
        let now = now_millis();
        let Some(mut job) = store::claim_job(self.db(), now, now + LEASE_MS).await? else { return Ok(None) };
        let span = tracing::info_span!("score_recompute", job = job.id, total = job.total);
        let _enter = span.enter();
        let settings = self.settings().await?;
        let mut last_event = std::time::Instant::now();
        loop {
            let batch = store::facts_after(self.db(), job.last_contact_id, BATCH).await?;
            let Some(last) = batch.last().map(|s| s.contact.0) else { break };
            let mut writes = Vec::new();
            let mut entered = Vec::new();
            for s in &batch {
                let new = score(&settings, &s.facts, job.as_of);
                if changed(s, &new) {
                    if new.band != s.band && settings.actions.iter().any(|a| a.band == Some(new.band)) {
                        entered.push((s.contact, new.band));
                    }
                    writes.push((s.contact, new));
                }
            }
            store::write(self.db(), &writes).await?;
            for (contact, band) in entered {
                self.band_actions(&settings, contact, band).await;
            }
            job.done += batch.len() as i64;
            job.changed += writes.len() as i64;
            job.last_contact_id = last;
            if !store::progress(self.db(), job.id, last, job.done, job.changed, now_millis() + LEASE_MS).await? {
                tracing::info!(done = job.done, "recompute cancelled by a newer one");
                return Ok(Some(job));
            }
            if last_event.elapsed() > Duration::from_millis(500) {
                self.drip.messenger.events.publish(LiveEvent::Scores).await;
                last_event = std::time::Instant::now();
            }
        }
        store::finish(self.db(), job.id, now_millis()).await?;
        job.state = "done".into();
        tracing::info!(done = job.done, changed = job.changed, "scores recomputed");
        self.drip.messenger.events.publish(LiveEvent::Scores).await;
        Ok(Some(job))
    }

    /// The background runner: works through queued recomputes as they come, and queues one a
    /// day so inactivity decay applies to contacts nobody touched.
    pub async fn run(self) {
        loop {
            match self.run_next_job().await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "score recompute failed; it is retried"),
            }
            if let Err(e) = self.daily().await {
                tracing::warn!(error = %e, "could not queue the daily score recompute");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
        }
    }

    async fn daily(&self) -> Result<()> {
        let now = now_millis();
        match store::latest_job(self.db()).await? {
            Some(j) if j.created_at > now - super::DAY_MS => {}
            _ => {
                self.recompute(now).await?;
            }
        }
        Ok(())
    }
}

fn changed(current: &Scored, new: &Score) -> bool {
    current.score != new.value || current.band != new.band || current.reasons != store::reasons_json(&new.reasons)
}

#[async_trait::async_trait]
impl ContactHooks for Scoring {
    async fn on_activity(&self, contact: ContactId, activity: Activity) {
        if let Err(e) = self.rescore(contact, now_millis()).await {
            tracing::warn!(error = %e, contact = %contact, ?activity, "could not score the contact again");
        }
        if let Some(next) = self.after.get() {
            next.on_activity(contact, activity).await;
        }
    }
}
