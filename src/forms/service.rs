//! The lead-capture use-cases: making a form, and taking a submission from its public page or
//! a website (checks, rate limits, the contact and its consent, then the drip's first text).

use super::{check_fields, check_slug, check_submission, default_consent, default_fields, slugify, split_name, Attribution, FieldKind, Form, NewForm, SubmitOutcome, Submission, PER_IP_10_MIN, PER_PHONE_HOUR};
use crate::campaign::model::{Audience, CampaignStatus};
use crate::drip::Drip;
use crate::error::{Error, Result};
use crate::gate::decision::{recipient_zones, Decision};
use crate::messaging::LiveEvent;
use crate::phone::Region;
use crate::store::forms::{self as store, FormRow, NewSubmission, Proof};
use crate::store::StoreError;
use crate::{now_millis, FormId};
use std::collections::BTreeMap;

#[derive(Clone)]
pub struct Forms {
    drip: Drip,
    region: Region,
}

/// Who sent a submission: the address and browser, as the web layer saw them.
#[derive(Clone, Debug, Default)]
pub struct Sender {
    pub ip: String,
    pub user_agent: String,
}

impl Forms {
    pub fn new(drip: Drip, region: Region) -> Forms {
        Forms { drip, region }
    }

    fn db(&self) -> &crate::store::Db {
        &self.drip.messenger.db
    }

    /// Makes a form; the address comes from the name unless given. Fields default to name,
    /// phone and email, the consent text to one naming the business.
    #[tracing::instrument(skip(self, f), fields(name = %f.name))]
    pub async fn create(&self, f: &NewForm) -> Result<Form> {
        let name = f.name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a form needs a name".into()));
        }
        crate::limits::check("name", name, 120).map_err(Error::Invalid)?;
        let slug = f.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| slugify(name));
        check_slug(&slug).map_err(Error::Invalid)?;
        let fields = f.fields.clone().unwrap_or_else(default_fields);
        check_fields(&fields).map_err(Error::Invalid)?;
        let business = crate::messaging::replies::business_name(self.db()).await?;
        let consent = f.consent_text.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| default_consent(&business));
        crate::limits::check("consent text", &consent, super::MAX_CONSENT_CHARS).map_err(Error::Invalid)?;
        let headline = f.headline.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(name).to_string();
        crate::limits::check("headline", &headline, 200).map_err(Error::Invalid)?;
        let thank_you = f.thank_you.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("Thanks! We got your request.").to_string();
        crate::limits::check("thank-you message", &thank_you, 500).map_err(Error::Invalid)?;
        let benefits: Vec<String> = f.benefits.iter().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect();
        if benefits.len() > 6 || benefits.iter().any(|b| b.chars().count() > 200) {
            return Err(Error::Invalid("at most 6 benefits of at most 200 characters".into()));
        }
        let origins: Vec<String> = f.allowed_origins.iter().map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect();
        if let Some(bad) = origins.iter().find(|o| !(o.starts_with("https://") || o.starts_with("http://")) || o.len() > 200) {
            return Err(Error::Invalid(format!("'{}' is not an origin like https://example.com", crate::limits::ellipsize(bad, 60))));
        }
        if let Some(c) = f.drip_campaign_id {
            crate::store::campaigns::get_by_id(self.db(), c).await.map_err(|e| match e {
                StoreError::NotFound => Error::Invalid(format!("no drip campaign {}", c.0)),
                e => e.into(),
            })?;
        }
        let list = f.list.as_deref().map(str::trim).filter(|l| !l.is_empty());
        let form = store::create(
            self.db(),
            &FormRow { name, slug: &slug, headline: &headline, benefits: &benefits, fields: &fields, consent_text: &consent, thank_you: &thank_you, list, tags: &f.tags, drip_campaign_id: f.drip_campaign_id, allowed_origins: &origins },
        )
        .await?;
        tracing::info!(form = %form.id, slug = %form.slug, "form created");
        Ok(form)
    }

    /// The active drip campaigns a form can enroll its leads in: (id, name).
    pub async fn campaign_choices(&self) -> Result<Vec<(i64, String)>> {
        let all = crate::store::campaigns::list(self.db()).await?;
        Ok(all.into_iter().filter(|c| c.status == CampaignStatus::Active).map(|c| (c.id.0, c.name)).collect())
    }

    /// The consent wording a new form starts with.
    pub async fn default_consent(&self) -> Result<String> {
        Ok(default_consent(&crate::messaging::replies::business_name(self.db()).await?))
    }

    pub async fn list(&self) -> Result<Vec<Form>> {
        Ok(store::list(self.db()).await?)
    }

    pub async fn get(&self, id: FormId) -> Result<Form> {
        store::get_by_id(self.db(), id).await.map_err(|e| match e {
            StoreError::NotFound => Error::NotFound(format!("no form {}", id.0)),
            e => e.into(),
        })
    }

    /// The active form at `/f/{slug}`.
    pub async fn public(&self, slug: &str) -> Result<Form> {
        match store::get_by_slug(self.db(), slug).await? {
            Some(f) if f.active => Ok(f),
            _ => Err(Error::NotFound(format!("no form at /f/{}", crate::limits::ellipsize(slug, 60)))),
        }
    }

    pub async fn submissions(&self, id: FormId, limit: i64) -> Result<Vec<Submission>> {
        self.get(id).await?;
        Ok(store::submissions(self.db(), id, limit.clamp(1, 1000)).await?)
    }

    /// Takes a submission of the form at `slug`. A rejected one creates nothing and says why.
    #[tracing::instrument(skip(self, fields, from), fields(ip = %from.ip))]
    pub async fn submit(&self, slug: &str, fields: &BTreeMap<String, String>, from: &Sender) -> Result<SubmitOutcome> {
        let form = self.public(slug).await?;
        let answers = check_submission(&form, fields).map_err(Error::Invalid)?;
        let phone = crate::phone::normalize(&answers.phone, self.region).map_err(|e| Error::Invalid(format!("{e}: please give a mobile number we can text")))?;
        let now = now_millis();
        let (by_ip, by_phone) = store::recent(self.db(), &from.ip, &phone, now - 10 * 60_000, now - 60 * 60_000).await?;
        if by_ip >= PER_IP_10_MIN || by_phone >= PER_PHONE_HOUR {
            tracing::warn!(by_ip, by_phone, "form submission refused by the rate limit");
            return Err(Error::Invalid("too many requests from here just now; please try again in a few minutes".into()));
        }
        let kind_of = |k: &str| form.fields.iter().find(|f| f.key == k).map(|f| f.kind);
        let (mut first, mut last, mut email) = (None, None, None);
        let mut attributes = BTreeMap::new();
        for (k, v) in &answers.values {
            match kind_of(k) {
                Some(FieldKind::Name) => (first, last) = split_name(v),
                Some(FieldKind::Email) => email = Some(v.clone()),
                Some(FieldKind::Phone) => {}
                _ => {
                    attributes.insert(k.clone(), v.chars().take(500).collect());
                }
            }
        }
        let attribution = Attribution::from_fields(fields);
        let stored = store::submit(
            self.db(),
            &NewSubmission {
                form: &form,
                phone: &phone,
                first_name: first.as_deref(),
                last_name: last.as_deref(),
                email: email.as_deref(),
                attributes: &attributes,
                answers: &answers.values,
                proof: Proof { consent_text: &form.consent_text, ip: &from.ip, user_agent: &from.user_agent },
                attribution: &attribution,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Invalid(m) => Error::Invalid(m),
            e => e.into(),
        })?;
        tracing::info!(submission = stored.submission_id, contact = %stored.contact, created = stored.created, source = %attribution.source(), "form submitted");
        let events = &self.drip.messenger.events;
        events.publish(LiveEvent::Contact { contact_id: stored.contact }).await;
        events.publish(LiveEvent::Consent { contact_id: stored.contact }).await;
        // Scored and routed before the first text, so it lands with the right person.
        self.drip.messenger.contact_activity(stored.contact, crate::messaging::Activity::FormSubmitted).await;
        // Speed to lead: the drip's first step is due at once, and the runner is woken for it.
        let mut enrolled = false;
        if let (Some(c), false) = (form.drip_campaign_id, stored.opted_out) {
            let campaign = crate::store::campaigns::get_by_id(self.db(), c).await?;
            if campaign.status == CampaignStatus::Active {
                let out = self.drip.enroll(c, &Audience::Contacts(vec![stored.contact]), false).await?;
                enrolled = out.enrolled > 0;
            } else {
                tracing::warn!(campaign = %c, status = ?campaign.status, "the form's drip campaign is not active: the lead was not enrolled");
            }
        }
        let expect_text = if stored.opted_out {
            "This number had asked us to stop texting, so we won't text it. Reply START to any of our messages to hear from us again.".to_string()
        } else if enrolled {
            self.when_to_expect(stored.contact).await?
        } else {
            String::new()
        };
        Ok(SubmitOutcome { submission_id: stored.submission_id, contact_id: stored.contact, created: stored.created, opted_out: stored.opted_out, enrolled, expect_text })
    }

    /// "Expect a text in a minute", or when quiet hours end in the contact's zone (the
    /// pipeline's own preview of the gate: nothing is sent or stored here).
    async fn when_to_expect(&self, contact: crate::ContactId) -> Result<String> {
        use chrono::TimeZone;
        let m = &self.drip.messenger;
        Ok(match m.preview(contact, true, m.now()).await? {
            Decision::Send => "Expect a text from us in a minute.".into(),
            Decision::DeferUntil { until_ms, .. } => {
                let row = crate::store::recipients::recipient(self.db(), contact).await?;
                let rules = m.rules.get();
                let zone = recipient_zones(&rules, &row.as_recipient(&[])).0.first().copied().unwrap_or(rules.default_zone);
                let at = zone.timestamp_millis_opt(until_ms).single().map(|t| t.format("%-I:%M %p on %A").to_string()).unwrap_or_default();
                format!("We don't text at night: expect our text at {at} (your time).")
            }
            Decision::Block { reason } => format!("We can't text this number ({reason})."),
        })
    }
}
