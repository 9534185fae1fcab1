//! The lead-capture use-cases: making a form, and taking a submission from its public page or
//! a website (checks, rate limits, the contact and its consent, then the drip's first text).

use super::{CODE_DIGITS, check_fields, check_slug, check_submission, default_consent, default_fields, slugify, split_name, Attribution, FieldKind, Form, NewForm, SubmitOutcome, Submission, PER_IP_10_MIN, PER_PHONE_HOUR};
use crate::campaign::model::{Audience, CampaignStatus};
use crate::drip::Drip;
use crate::error::{Error, Result};
use crate::gate::decision::{recipient_zones, Decision};
use crate::message::{MessageKind, NumberStatus};
use crate::messaging::pipeline::OutboundRequest;
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
    /// Lead unlock, for forms that sell their leads.
    unlock: Option<crate::unlock::service::Unlock>,
}

/// Who sent a submission: the address and browser, as the web layer saw them.
#[derive(Clone, Debug, Default)]
pub struct Sender {
    pub ip: String,
    pub user_agent: String,
}

impl Forms {
    pub fn new(drip: Drip, region: Region) -> Forms {
        Forms { drip, region, unlock: None }
    }

    /// Lets forms sell their leads through lead unlock.
    pub fn with_unlock(mut self, unlock: crate::unlock::service::Unlock) -> Forms {
        self.unlock = Some(unlock);
        self
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
        if f.sell_leads {
            super::check_sellable(&fields).map_err(Error::Invalid)?;
            if self.unlock.is_none() {
                return Err(Error::Invalid("lead sales are not set up on this server".into()));
            }
        }
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
            &FormRow { name, slug: &slug, headline: &headline, benefits: &benefits, fields: &fields, consent_text: &consent, thank_you: &thank_you, list, tags: &f.tags, drip_campaign_id: f.drip_campaign_id, allowed_origins: &origins, confirm_sms: f.confirm_sms, sell_leads: f.sell_leads },
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
        let timezone = visitor_zone(fields);
        let stored = store::submit(
            self.db(),
            &NewSubmission {
                form: &form,
                phone: &phone,
                first_name: first.as_deref(),
                last_name: last.as_deref(),
                email: email.as_deref(),
                timezone: timezone.as_deref(),
                attributes: &attributes,
                answers: &answers.values,
                proof: Proof { consent_text: &form.consent_text, ip: &from.ip, user_agent: &from.user_agent },
                attribution: &attribution,
                pending: form.confirm_sms,
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
        // A number the carriers told us is a landline (or not a number) is flagged: the lead
        // is kept, but nobody tries to text it.
        let phone_flag = match crate::store::consent::state(self.db(), stored.contact).await?.number_status {
            NumberStatus::Ok => None,
            other => Some(other.as_str().to_string()),
        };
        if let Some(flag) = &phone_flag {
            tracing::info!(submission = stored.submission_id, flag = %flag, "the number can't take texts");
            store::flag_phone(self.db(), stored.submission_id, flag).await?;
        }
        if form.confirm_sms && !stored.opted_out && phone_flag.is_none() {
            let token = self.text_code(&form, stored.submission_id, stored.contact).await?;
            return Ok(SubmitOutcome {
                submission_id: stored.submission_id,
                contact_id: stored.contact,
                created: stored.created,
                opted_out: false,
                enrolled: false,
                expect_text: format!("We texted a {CODE_DIGITS}-digit code to your phone. Type it in to finish."),
                confirm_token: Some(token),
                phone_flag: None,
                lead_id: None,
            });
        }
        self.counts(&form, stored.submission_id, stored.contact, stored.created, stored.opted_out, phone_flag).await
    }

    /// Takes the code texted for a submission of the form at `slug`; the lead counts once it
    /// matches. A wrong code says so (five wrong tries, or fifteen minutes, end it).
    #[tracing::instrument(skip(self, token, code))]
    pub async fn confirm(&self, slug: &str, token: &str, code: &str) -> Result<SubmitOutcome> {
        let form = self.public(slug).await?;
        let gone = || Error::Invalid("this code has expired or was already used: please send the form again".into());
        let Some(p) = store::pending(self.db(), form.id, token.trim()).await? else { return Err(gone()) };
        if p.attempts >= super::CODE_ATTEMPTS || now_millis() > p.expires_at {
            return Err(gone());
        }
        if code_hash(token.trim(), code.trim()) != p.code_hash {
            store::wrong_code(self.db(), p.submission_id).await?;
            tracing::info!(submission = p.submission_id, "a wrong form code");
            return Err(Error::Invalid("that code is not the one we texted: please check it and try again".into()));
        }
        if !store::accept(self.db(), p.submission_id).await? {
            return Err(gone());
        }
        tracing::info!(submission = p.submission_id, contact = %p.contact, "form submission confirmed by its code");
        self.drip.messenger.events.publish(LiveEvent::Contact { contact_id: p.contact }).await;
        self.counts(&form, p.submission_id, p.contact, false, false, None).await
    }

    /// Texts a new code for a pending submission (through the pipeline, like every message);
    /// returns the token the confirm page names it by.
    async fn text_code(&self, form: &Form, submission: i64, contact: crate::ContactId) -> Result<String> {
        use rand::Rng;
        let (token, code) = {
            let mut rng = rand::thread_rng();
            let token: String = (0..24).map(|_| rng.sample(rand::distributions::Alphanumeric) as char).collect();
            let code = format!("{:0width$}", rng.gen_range(0..10u32.pow(CODE_DIGITS as u32)), width = CODE_DIGITS);
            (token, code)
        };
        store::set_code(self.db(), submission, &token, &code_hash(&token, &code), now_millis() + super::CODE_MINUTES * 60_000).await?;
        let business = crate::messaging::replies::business_name(self.db()).await?;
        let body = format!("{business}: your code is {code}. Type it on the form to finish your request “{}”.", form.name);
        let req = OutboundRequest::new(contact, body, MessageKind::Verification).key(format!("form-code-{submission}"));
        let sent = self.drip.messenger.submit(req).await.map_err(|e| Error::Invalid(format!("we could not text a code to this number: {e}")))?;
        if let crate::messaging::pipeline::Submitted::Blocked { reason, .. } = &sent {
            return Err(Error::Invalid(format!("we could not text a code to this number: {reason}")));
        }
        tracing::info!(submission, "form code texted");
        Ok(token)
    }

    /// What a lead that counts sets off: scoring and routing, then the drip's first text.
    async fn counts(&self, form: &Form, submission_id: i64, contact: crate::ContactId, created: bool, opted_out: bool, phone_flag: Option<String>) -> Result<SubmitOutcome> {
        // Scored and routed before the first text, so it lands with the right person.
        self.drip.messenger.contact_activity(contact, crate::messaging::Activity::FormSubmitted).await;
        // Speed to lead: the drip's first step is due at once, and the runner is woken for it.
        let mut enrolled = false;
        if let (Some(c), false, None) = (form.drip_campaign_id, opted_out, &phone_flag) {
            let campaign = crate::store::campaigns::get_by_id(self.db(), c).await?;
            if campaign.status == CampaignStatus::Active {
                let out = self.drip.enroll(c, &Audience::Contacts(vec![contact]), false).await?;
                enrolled = out.enrolled > 0;
            } else {
                tracing::warn!(campaign = %c, status = ?campaign.status, "the form's drip campaign is not active: the lead was not enrolled");
            }
        }
        let expect_text = if opted_out {
            "This number had asked us to stop texting, so we won't text it. Reply START to any of our messages to hear from us again.".to_string()
        } else if phone_flag.as_deref() == Some("landline") {
            "This number is a landline, so we can't text it; we'll be in touch another way.".to_string()
        } else if phone_flag.is_some() {
            "We couldn't text this number before; please check it.".to_string()
        } else if enrolled {
            self.when_to_expect(contact).await?
        } else {
            String::new()
        };
        let lead_id = if form.sell_leads { self.sell(form, submission_id, contact).await? } else { None };
        Ok(SubmitOutcome { submission_id, contact_id: contact, created, opted_out, enrolled, expect_text, confirm_token: None, phone_flag, lead_id })
    }

    /// Makes the submission a lead for lead unlock and offers it to every active provider who
    /// serves its city and service type (a provider who lists none serves all).
    async fn sell(&self, form: &Form, submission_id: i64, contact: crate::ContactId) -> Result<Option<String>> {
        use crate::unlock::{LeadDetails, LeadPublic, NewLead};
        let Some(unlock) = &self.unlock else { return Ok(None) };
        let answers = store::answers(self.db(), submission_id).await?;
        let by_kind = |kind: FieldKind| form.fields.iter().find(|f| f.kind == kind).and_then(|f| answers.get(&f.key)).cloned().unwrap_or_default();
        let c = crate::store::contacts::get_by_id(self.db(), contact).await?;
        let public = LeadPublic {
            city: by_kind(FieldKind::City),
            service_type: by_kind(FieldKind::ServiceType),
            preferred_time_window: by_kind(FieldKind::Timeline),
            budget_range: by_kind(FieldKind::Budget),
            notes_snippet: String::new(),
        };
        let details = LeadDetails {
            client_name: by_kind(FieldKind::Name),
            client_phone: c.phone.as_str().to_string(),
            client_email: by_kind(FieldKind::Email),
            exact_address: String::new(),
            notes: by_kind(FieldKind::Text),
        };
        let providers: Vec<crate::ProviderId> = unlock.providers().await?.into_iter().filter(|p| p.serves(&public.city, &public.service_type)).map(|p| p.id).collect();
        let view = unlock.create_lead(NewLead { public, details, config: Default::default(), max_buyers: None }, &providers, &format!("form /f/{}", form.slug)).await?;
        let id = view.lead.id.as_str().to_string();
        store::set_lead(self.db(), submission_id, &id).await?;
        tracing::info!(lead = %id, offered = view.offers.len(), "the form's lead is for sale");
        Ok(Some(id))
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

/// The stored form of a texted code: a hash bound to its submission's token.
fn code_hash(token: &str, code: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("{token}:{code}").as_bytes()))
}

/// The visitor's time zone as their browser reports it (the `timezone` field, an IANA name such
/// as `America/Chicago`; the public form page fills it in), when it is one. It says where the
/// lead is better than the phone's area code, which people keep when they move, and quiet hours
/// follow it.
fn visitor_zone(f: &BTreeMap<String, String>) -> Option<String> {
    let z = f.get("timezone").map(|v| v.trim()).filter(|v| !v.is_empty() && v.len() <= 64)?;
    z.parse::<chrono_tz::Tz>().is_ok().then(|| z.to_string())
}
