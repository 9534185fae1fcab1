//! Lead unlock's use-cases: creating leads and offering them, the provider's replies, payments
//! (through Stripe's signed webhooks), the reveal, refunds and expiry. Every SMS goes through
//! the one outbound pipeline; every offer transition is guarded by the state it leaves, so two
//! events racing for one offer move it once.

use super::crypto::{self, LeadKey};
use super::reply::{self, Answer};
use super::stripe::{CheckoutRequest, PaymentError, PaymentGateway};
use super::templates::{self, Text, Vars};
use super::{Lead, LeadDetails, LeadId, LeadSummary, LeadView, NewLead, Offer, OfferConfig, OfferEvent, OfferId, OfferState, Provider, ProviderId, UnlockFigures};
use crate::error::{Error, NameMissing, Result};
use crate::message::{MessageKind, MessageStatus};
use crate::messaging::inbound::InboundSms;
use crate::messaging::pipeline::{OutboundRequest, Submitted};
use crate::messaging::{LiveEvent, Messenger, MessagingError};
use crate::store::unlock::{self as store, Set};
use crate::store::{settings, Db};
use crate::now_millis;
use std::sync::Arc;
use std::time::Duration;

/// Reveal attempts before the offer is flagged for a person and refunded.
pub const MAX_REVEAL_ATTEMPTS: i64 = 3;
/// Attempts at creating a Checkout Session (same idempotency key each time).
const CHECKOUT_ATTEMPTS: u32 = 3;
/// How long the background task's claim on an offer lasts.
const LEASE: Duration = Duration::from_secs(60);

/// Lead unlock, cheap to clone.
#[derive(Clone)]
pub struct Unlock {
    messenger: Messenger,
    gateway: Arc<dyn PaymentGateway>,
    key: LeadKey,
    public_url: Arc<str>,
    webhook_secret: Arc<str>,
}

/// What the webhook endpoint answers.
#[derive(Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// Stored and processed (or stored, its processing to be retried).
    Accepted,
    /// This event id was stored before: nothing done.
    Duplicate,
}

impl Unlock {
    pub fn new(messenger: Messenger, gateway: Arc<dyn PaymentGateway>, key: LeadKey, public_url: &str, webhook_secret: &str) -> Unlock {
        Unlock { messenger, gateway, key, public_url: public_url.trim_end_matches('/').into(), webhook_secret: webhook_secret.into() }
    }

    pub(crate) fn db(&self) -> &Db {
        &self.messenger.db
    }

    pub(super) fn messenger(&self) -> &Messenger {
        &self.messenger
    }

    pub(super) fn gateway(&self) -> &dyn PaymentGateway {
        &*self.gateway
    }

    pub(super) fn webhook_secret(&self) -> &str {
        &self.webhook_secret
    }

    /// Whether payments go through the built-in simulator.
    pub fn simulated(&self) -> bool {
        self.gateway.simulated()
    }

    async fn changed(&self) {
        self.messenger.events.publish(LiveEvent::Leads).await;
    }

    // Templates.

    /// The saved text (or its default).
    pub async fn template(&self, text: Text) -> Result<String> {
        Ok(settings::get_value(self.db(), text.key()).await?.unwrap_or_else(|| text.default_text().to_string()))
    }

    pub async fn save_template(&self, text: Text, body: &str) -> Result<()> {
        templates::check(text, body).map_err(Error::Invalid)?;
        settings::set_value(self.db(), text.key(), body.trim()).await?;
        Ok(())
    }

    pub(super) async fn vars(&self, lead: &Lead, provider_name: &str, price_cents: i64, currency: &str) -> Result<Vars> {
        let mut v = Vars::new();
        v.insert("provider_first_name", provider_name.split_whitespace().next().unwrap_or("Hi").to_string());
        v.insert("city", lead.public.city.clone());
        v.insert("service_type", lead.public.service_type.clone());
        v.insert("time_window", or_dash(&lead.public.preferred_time_window));
        v.insert("budget", or_dash(&lead.public.budget_range));
        v.insert("price", super::format_price(price_cents, currency));
        v.insert("lead_id", lead.id.to_string());
        v.insert("business", crate::messaging::replies::business_name(self.db()).await?);
        Ok(v)
    }

    // Leads.

    /// Creates a lead (its details sealed) and offers it to `providers`.
    #[tracing::instrument(skip(self, new), fields(lead))]
    pub async fn create_lead(&self, new: NewLead, providers: &[ProviderId], by: &str) -> Result<LeadView> {
        let public = check_public(new.public)?;
        let details = check_details(new.details)?;
        let config = new.config.check().map_err(Error::Invalid)?;
        if let Some(n) = new.max_buyers {
            if n < 1 {
                return Err(Error::Invalid("the buyer limit must be at least 1 (1 makes the lead exclusive); leave it empty for no limit".into()));
            }
        }
        let lead = Lead {
            id: LeadId::random(),
            public,
            price_cents: config.price_cents,
            currency: config.currency.clone(),
            ttl_hours: config.ttl_hours,
            max_buyers: new.max_buyers,
            created_by: by.to_string(),
            created_at: now_millis(),
        };
        tracing::Span::current().record("lead", lead.id.as_str());
        let sealed = crypto::seal(&self.key, &lead.id, &details);
        store::insert_lead(self.db(), &lead, &sealed).await?;
        tracing::info!(lead = %lead.id, "lead created");
        self.offer(&lead.id, providers, None, by).await
    }

    /// Offers a lead to more providers (with their own price and TTL when `config` is given).
    /// A provider who already has an offer for this lead is skipped.
    pub async fn offer(&self, lead_id: &LeadId, providers: &[ProviderId], config: Option<OfferConfig>, by: &str) -> Result<LeadView> {
        let lead = self.lead(lead_id).await?;
        let config = match config {
            Some(c) => c.check().map_err(Error::Invalid)?,
            None => OfferConfig { price_cents: lead.price_cents, currency: lead.currency.clone(), ttl_hours: lead.ttl_hours },
        };
        let mut chosen: Vec<Provider> = Vec::new();
        for id in providers {
            let p = store::get_provider(self.db(), *id).await.missing(|| format!("no provider {id}"))?;
            if !p.active {
                return Err(Error::Invalid(format!("{} is not active", p.name)));
            }
            if p.offers_opted_out {
                return Err(Error::Invalid(format!("{} opted out of lead offers", p.name)));
            }
            if !chosen.iter().any(|c| c.id == p.id) {
                chosen.push(p);
            }
        }
        let expires_at = now_millis() + config.ttl_hours * 3_600_000;
        for p in chosen {
            let mut conn = self.db().pool().acquire().await?;
            let Some(offer_id) = store::insert_offer(&mut conn, &lead.id, p.id, config.price_cents, &config.currency, expires_at, by).await? else { continue };
            drop(conn);
            if let Err(e) = self.send_teaser(&lead, offer_id).await {
                tracing::warn!(offer = %offer_id, error = %e, "teaser not sent");
            }
        }
        self.changed().await;
        self.view(lead_id).await
    }

    async fn send_teaser(&self, lead: &Lead, id: OfferId) -> Result<()> {
        let offer = store::get_offer(self.db(), id).await?;
        let vars = self.vars(lead, &offer.provider_name, offer.price_cents, &offer.currency).await?;
        let body = templates::render(&self.template(Text::Teaser).await?, &vars);
        let req = OutboundRequest::new(offer.provider_contact_id, body, MessageKind::LeadOffer).key(format!("offer-{id}-teaser"));
        let outcome = self.messenger.submit(req).await?;
        let mut conn = self.db().pool().acquire().await?;
        match &outcome {
            Submitted::Blocked { reason, .. } => {
                let to = if *reason == crate::gate::decision::BlockReason::OptedOut { OfferState::OptedOut } else { OfferState::Expired };
                store::transition(&mut conn, id, &[OfferState::NewLead], to, vec![Set::Text("reason", format!("teaser not sent: {reason}"))], "system", Some(&reason.to_string())).await?;
            }
            Submitted::Failed(_, e) => {
                store::transition(&mut conn, id, &[OfferState::NewLead], OfferState::Expired, vec![Set::Text("reason", format!("teaser failed: {e}"))], "system", None).await?;
            }
            other => {
                let note = match other.message() {
                    Some(m) if m.status == MessageStatus::Scheduled => Some("held for quiet hours; goes out in the morning".to_string()),
                    _ => None,
                };
                let mut sets = Vec::new();
                if let Some(m) = other.message() {
                    sets.push(Set::Int("teaser_message_id", m.id.0));
                }
                if store::transition(&mut conn, id, &[OfferState::NewLead], OfferState::TeaserSent, sets, "system", note.as_deref()).await? {
                    store::transition(&mut conn, id, &[OfferState::TeaserSent], OfferState::AwaitConfirm, vec![], "system", None).await?;
                }
            }
        }
        Ok(())
    }

    pub async fn lead(&self, id: &LeadId) -> Result<Lead> {
        store::get_lead(self.db(), id).await.missing(|| format!("no lead {id}"))
    }

    /// The lead and its offers, without the client's details.
    pub async fn view(&self, id: &LeadId) -> Result<LeadView> {
        let lead = self.lead(id).await?;
        let offers = store::offers_for_lead(self.db(), id).await?;
        let revenue_cents = offers.iter().filter(|o| o.paid_at.is_some() && o.refunded_at.is_none()).filter_map(|o| o.amount_paid).sum();
        Ok(LeadView { lead, offers, revenue_cents })
    }

    /// The client's details: only for an admin who asked for them (the caller checks the role;
    /// this records that they were opened).
    pub async fn details(&self, id: &LeadId, by: &str) -> Result<LeadDetails> {
        let sealed = store::sealed_details(self.db(), id).await.missing(|| format!("no lead {id}"))?;
        let details = crypto::open(&self.key, id, &sealed).map_err(|e| Error::Invalid(e.to_string()))?;
        tracing::info!(lead = %id, by, "lead details opened by an admin");
        Ok(details)
    }

    pub async fn timeline(&self, id: &LeadId) -> Result<Vec<OfferEvent>> {
        Ok(store::events_for_lead(self.db(), id).await?)
    }

    pub async fn leads(&self, limit: i64) -> Result<Vec<LeadSummary>> {
        Ok(store::lead_summaries(self.db(), limit.clamp(1, 500)).await?)
    }

    pub async fn figures(&self) -> Result<UnlockFigures> {
        Ok(store::figures(self.db()).await?)
    }

    pub async fn get_offer(&self, id: OfferId) -> Result<Offer> {
        store::get_offer(self.db(), id).await.missing(|| format!("no offer {id}"))
    }

    // Replies.

    /// A provider's message: STOP opts them out of offers; a lead reply answers one.
    pub async fn on_reply(&self, provider: ProviderId, sms: &InboundSms, opted_out: bool, lead_reply: bool) -> Result<()> {
        if opted_out {
            return self.provider_opted_out(provider).await;
        }
        if !lead_reply {
            return Ok(());
        }
        let parsed = reply::parse(&sms.body);
        let open = store::open_offers_for_provider(self.db(), provider).await?;
        let p = store::get_provider(self.db(), provider).await?;
        let ids = || open.iter().map(|o| o.lead_id.to_string()).collect::<Vec<_>>().join(", ");
        let target = match (&parsed.lead, open.len()) {
            (Some(lead), _) => match open.iter().find(|o| &o.lead_id == lead) {
                Some(o) => o.clone(),
                None => {
                    if !open.is_empty() {
                        let mut v = Vars::new();
                        v.insert("lead_ids", ids());
                        self.notice(p.contact_id, templates::render(templates::UNKNOWN_LEAD, &v), format!("reply-{}-unknown-lead", sms.sid)).await?;
                    }
                    return Ok(());
                }
            },
            (None, 0) => {
                tracing::info!(provider = %provider, "a lead reply from a provider without open offers");
                return Ok(());
            }
            (None, 1) => open[0].clone(),
            (None, n) => {
                let mut v = Vars::new();
                v.insert("count", n.to_string());
                v.insert("lead_ids", ids());
                v.insert("first_lead_id", open[0].lead_id.to_string());
                self.notice(p.contact_id, templates::render(templates::WHICH_LEAD, &v), format!("reply-{}-which", sms.sid)).await?;
                return Ok(());
            }
        };
        let mut conn = self.db().pool().acquire().await?;
        store::update_offer(&mut conn, target.id, vec![Set::NowIfNull("responded_at")], None).await?;
        drop(conn);
        match parsed.answer {
            Some(Answer::Yes) => self.accept(target.id, &sms.sid).await,
            Some(Answer::No) => self.decline(target.id, &sms.sid).await,
            None => Ok(()),
        }
    }

    /// An auto-reply to a provider (answers their own message: never held).
    async fn notice(&self, contact: crate::ContactId, body: String, key: String) -> Result<()> {
        self.messenger.submit(OutboundRequest::new(contact, body, MessageKind::AutoReply).key(key)).await?;
        Ok(())
    }

    /// Y: the payment link (created once per offer), or the reveal when already paid.
    #[tracing::instrument(skip(self))]
    pub async fn accept(&self, id: OfferId, inbound_sid: &str) -> Result<()> {
        let offer = self.get_offer(id).await?;
        match offer.state {
            // A second Y while the link is out: the same link again, no new session.
            OfferState::PaymentLinkSent | OfferState::AwaitingPayment => return self.send_link(&offer, &format!("offer-{id}-link-again-{inbound_sid}")).await,
            s if !s.awaits_confirm() => return Ok(()),
            _ => {}
        }
        let mut conn = self.db().pool().acquire().await?;
        if !store::transition(&mut conn, id, &[OfferState::TeaserSent, OfferState::AwaitConfirm], OfferState::CheckExistingPayment, vec![], "provider", Some("replied Y")).await? {
            return Ok(()); // another reply moved it first
        }
        // Never charge twice: a payment already recorded for this offer goes to the reveal.
        let offer = self.get_offer(id).await?;
        if offer.paid_at.is_some() {
            store::transition(&mut conn, id, &[OfferState::CheckExistingPayment], OfferState::Paid, vec![], "system", Some("already paid")).await?;
            drop(conn);
            self.changed().await;
            return self.reveal(id).await;
        }
        store::transition(&mut conn, id, &[OfferState::CheckExistingPayment], OfferState::CreatePaymentLink, vec![], "system", None).await?;
        drop(conn);
        self.changed().await;
        let session = match self.create_checkout(&offer).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(offer = %id, error = %e, "could not create the payment link");
                let mut conn = self.db().pool().acquire().await?;
                store::transition(&mut conn, id, &[OfferState::CreatePaymentLink], OfferState::AwaitConfirm, vec![], "system", Some(&format!("payment link failed: {e}"))).await?;
                drop(conn);
                self.notice(offer.provider_contact_id, format!("Sorry, the payment link for lead {} could not be created just now. Reply Y again in a few minutes.", offer.lead_id), format!("reply-{inbound_sid}-link-failed")).await?;
                self.changed().await;
                return Ok(());
            }
        };
        let Some(url) = session.url.clone() else {
            return Err(Error::Invalid("Stripe returned a Checkout Session without a URL".into()));
        };
        let mut conn = self.db().pool().acquire().await?;
        store::update_offer(&mut conn, id, vec![Set::Text("checkout_session_id", session.id.clone()), Set::Text("payment_url", url)], Some(("checkout_session_created", Some(&session.id), "system"))).await?;
        drop(conn);
        let offer = self.get_offer(id).await?;
        self.send_link(&offer, &format!("offer-{id}-link")).await
    }

    async fn create_checkout(&self, offer: &Offer) -> std::result::Result<super::stripe::CheckoutSession, PaymentError> {
        let now_s = now_millis() / 1000;
        // Stripe accepts 30 minutes to 24 hours from now; the offer's own TTL expires it earlier
        // when that comes first.
        let expires_at = (offer.expires_at / 1000).clamp(now_s + 31 * 60, now_s + 24 * 3600 - 60);
        let req = CheckoutRequest {
            offer_id: offer.id.0,
            lead_id: offer.lead_id.to_string(),
            provider_id: offer.provider_id.0,
            amount_cents: offer.price_cents,
            currency: offer.currency.clone(),
            product_name: format!("Client inquiry {}", offer.lead_id),
            expires_at,
            success_url: format!("{}/sim/checkout/done?offer={}", self.public_url, offer.id),
            cancel_url: format!("{}/sim/checkout/done?offer={}&canceled=1", self.public_url, offer.id),
            idempotency_key: format!("warmline-offer-{}-checkout", offer.id),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.gateway.create_checkout(&req).await {
                Ok(s) => return Ok(s),
                // The same key again: Stripe answers with the session the lost call created.
                Err(e) if e.retryable() && attempt < CHECKOUT_ATTEMPTS => {
                    tracing::warn!(offer = %offer.id, error = %e, attempt, "retrying the Checkout Session with the same idempotency key");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn send_link(&self, offer: &Offer, key: &str) -> Result<()> {
        let Some(url) = offer.payment_url.clone() else { return Ok(()) };
        let lead = self.lead(&offer.lead_id).await?;
        let mut vars = self.vars(&lead, &offer.provider_name, offer.price_cents, &offer.currency).await?;
        vars.insert("payment_url", url);
        let body = templates::render(&self.template(Text::PaymentLink).await?, &vars);
        let outcome = self.messenger.submit(OutboundRequest::new(offer.provider_contact_id, body, MessageKind::LeadUnlock).key(key.to_string())).await?;
        let mut conn = self.db().pool().acquire().await?;
        match outcome {
            Submitted::Blocked { reason, .. } => {
                store::add_event(&mut conn, offer.id, "payment_link_not_sent", Some(&reason.to_string()), "system").await?;
            }
            _ => {
                if store::transition(&mut conn, offer.id, &[OfferState::CreatePaymentLink], OfferState::PaymentLinkSent, vec![], "system", None).await? {
                    store::transition(&mut conn, offer.id, &[OfferState::PaymentLinkSent], OfferState::AwaitingPayment, vec![], "system", None).await?;
                }
            }
        }
        drop(conn);
        self.changed().await;
        Ok(())
    }

    /// N: the offer expires (declined) and its open payment link with it.
    pub async fn decline(&self, id: OfferId, inbound_sid: &str) -> Result<()> {
        let offer = self.get_offer(id).await?;
        if self.expire(&offer, "declined (replied N)", "provider").await? {
            let mut v = Vars::new();
            v.insert("lead_id", offer.lead_id.to_string());
            self.notice(offer.provider_contact_id, templates::render(templates::DECLINED, &v), format!("reply-{inbound_sid}-declined")).await?;
        }
        Ok(())
    }

    /// Moves an open offer to EXPIRED with `reason` and expires its Checkout Session.
    async fn expire(&self, offer: &Offer, reason: &str, actor: &str) -> Result<bool> {
        let mut conn = self.db().pool().acquire().await?;
        let moved = store::transition(&mut conn, offer.id, &OfferState::OPEN, OfferState::Expired, vec![Set::Text("reason", reason.to_string())], actor, Some(reason)).await?;
        drop(conn);
        if moved {
            self.expire_session(offer).await;
            self.changed().await;
        }
        Ok(moved)
    }

    pub(super) async fn expire_session(&self, offer: &Offer) {
        let Some(session) = &offer.checkout_session_id else { return };
        if let Err(e) = self.gateway.expire_checkout(session).await {
            // A payment on it anyway is refunded when its webhook arrives.
            tracing::warn!(offer = %offer.id, error = %e, "could not expire the Checkout Session");
        }
    }

    /// STOP from a provider: no more offers, and every open one ends.
    async fn provider_opted_out(&self, provider: ProviderId) -> Result<()> {
        store::set_offers_opted_out(self.db(), provider, true).await?;
        for offer in store::open_offers_for_provider(self.db(), provider).await? {
            let mut conn = self.db().pool().acquire().await?;
            if store::transition(&mut conn, offer.id, &OfferState::OPEN, OfferState::OptedOut, vec![Set::Text("reason", "replied STOP".into())], "provider", Some("replied STOP")).await? {
                drop(conn);
                self.expire_session(&offer).await;
            }
        }
        tracing::info!(provider = %provider, "provider opted out of lead offers");
        self.changed().await;
        Ok(())
    }

    // Payment and reveal.

    /// Sends the client's details for a paid offer through the pipeline (not held for quiet
    /// hours: the provider asked and paid). Called right after the payment and by the
    /// background task for reveals that could not go out yet.
    pub async fn reveal(&self, id: OfferId) -> Result<()> {
        let offer = self.get_offer(id).await?;
        if offer.state != OfferState::Paid || offer.refunded_at.is_some() {
            return Ok(());
        }
        let lead = self.lead(&offer.lead_id).await?;
        let details = crypto::open(&self.key, &lead.id, &store::sealed_details(self.db(), &lead.id).await?).map_err(|e| Error::Invalid(e.to_string()))?;
        let mut vars = self.vars(&lead, &offer.provider_name, offer.price_cents, &offer.currency).await?;
        vars.insert("client_name", details.client_name.clone());
        vars.insert("client_phone", crate::phone::display(&details.client_phone));
        vars.insert("client_email", or_dash(&details.client_email));
        vars.insert("address", or_dash(&details.exact_address));
        vars.insert("notes", or_dash(if details.notes.is_empty() { &lead.public.notes_snippet } else { &details.notes }));
        let body = templates::render(&self.template(Text::Reveal).await?, &vars);
        // One key per attempt: a failed attempt's row is final, the next is a new message; an
        // attempt whose outcome is unknown is resumed under its own key (the provider is asked
        // before any resend).
        let key = format!("offer-{id}-reveal-{}", offer.reveal_attempts);
        let outcome = self.messenger.submit(OutboundRequest::new(offer.provider_contact_id, body, MessageKind::LeadUnlock).key(key).wait()).await?;
        let mut conn = self.db().pool().acquire().await?;
        match outcome {
            Submitted::Accepted(m) => {
                store::transition(&mut conn, id, &[OfferState::Paid], OfferState::RevealDetailsSent, vec![Set::Int("reveal_message_id", m.id.0), Set::Now("unlocked_at")], "system", None).await?;
            }
            Submitted::Pending(_, e) => {
                store::add_event(&mut conn, id, "reveal_pending", Some(&e.to_string()), "system").await?;
            }
            Submitted::Busy(_) | Submitted::Queued(_) | Submitted::Scheduled(..) => {}
            other => {
                let why = match &other {
                    Submitted::Failed(_, e) => e.to_string(),
                    Submitted::Blocked { reason, .. } => format!("blocked: {reason}"),
                    o => o.name().to_string(),
                };
                drop(conn);
                self.reveal_failed(&offer, &why).await?;
            }
        }
        self.changed().await;
        Ok(())
    }

    /// A reveal attempt failed: try again, or after [`MAX_REVEAL_ATTEMPTS`] flag the offer for
    /// a person and refund it (the provider paid for details they did not get).
    async fn reveal_failed(&self, offer: &Offer, why: &str) -> Result<()> {
        let attempts = offer.reveal_attempts + 1;
        let mut conn = self.db().pool().acquire().await?;
        store::update_offer(&mut conn, offer.id, vec![Set::Int("reveal_attempts", attempts)], Some(("reveal_failed", Some(why), "system"))).await?;
        if attempts >= MAX_REVEAL_ATTEMPTS {
            let note = format!("the client's details could not be sent after {attempts} attempts ({why}); refunded");
            store::update_offer(&mut conn, offer.id, vec![Set::Text("attention", note.clone())], Some(("needs_attention", Some(&note), "system"))).await?;
            drop(conn);
            self.refund(offer.id, "the client's details could not be delivered", "system", false).await?;
        }
        Ok(())
    }

    /// Refunds a paid offer (an admin with a reason, or a policy), and tells the provider.
    pub async fn refund(&self, id: OfferId, reason: &str, by: &str, notify: bool) -> Result<Offer> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("give a reason for the refund".into()));
        }
        let offer = self.get_offer(id).await?;
        let Some(pi) = offer.payment_intent.clone() else {
            return Err(Error::Conflict("this offer has no payment to refund".into()));
        };
        if offer.refunded_at.is_some() {
            return Err(Error::Conflict("this offer was already refunded".into()));
        }
        let refund = self.gateway.refund(&pi, reason, &format!("warmline-offer-{id}-refund")).await.map_err(|e| Error::Conflict(format!("the refund failed: {e}")))?;
        let mut conn = self.db().pool().acquire().await?;
        store::update_offer(
            &mut conn,
            id,
            vec![Set::Text("refund_id", refund.id.clone()), Set::Now("refunded_at"), Set::Text("refund_reason", reason.to_string())],
            Some(("refunded", Some(&format!("{reason} ({})", refund.id)), by)),
        )
        .await?;
        drop(conn);
        tracing::info!(offer = %id, refund = %refund.id, "payment refunded");
        if notify || by == "system" {
            let lead = self.lead(&offer.lead_id).await?;
            let mut v = self.vars(&lead, &offer.provider_name, offer.amount_paid.unwrap_or(offer.price_cents), &offer.currency).await?;
            v.insert("reason", reason.to_string());
            let body = templates::render(templates::REFUNDED, &v);
            self.messenger.submit(OutboundRequest::new(offer.provider_contact_id, body, MessageKind::LeadUnlock).key(format!("offer-{id}-refunded"))).await?;
        }
        self.changed().await;
        self.get_offer(id).await
    }

    // The background task.

    /// One pass: Stripe events whose processing failed, offers whose time is up, reveals that
    /// could not go out yet, and reveals whose delivery is known.
    pub async fn tick(&self) -> Result<()> {
        for (id, payload) in store::pending_stripe_events(self.db(), 50).await? {
            if let Err(e) = self.process_stripe_event(&payload).await {
                tracing::warn!(event = %id, error = %e, "Stripe event still fails; retried later");
                store::mark_stripe_event(self.db(), &id, Some(&e.to_string())).await?;
            } else {
                store::mark_stripe_event(self.db(), &id, None).await?;
            }
        }
        for id in store::expired_due(self.db(), now_millis(), 100).await? {
            let offer = self.get_offer(id).await?;
            self.expire(&offer, "no answer or payment before the offer expired (TTL)", "system").await?;
        }
        let owner = self.messenger.owner().to_string();
        let now = now_millis();
        for id in store::claim_reveals(self.db(), &owner, now, now + LEASE.as_millis() as i64, 20).await? {
            let r = self.reveal(id).await;
            store::release(self.db(), id, &owner).await?;
            r?;
        }
        for (id, status) in store::reveals_in_flight(self.db(), 100).await? {
            match MessageStatus::parse(&status) {
                Some(MessageStatus::Delivered) => {
                    let mut conn = self.db().pool().acquire().await?;
                    store::transition(&mut conn, id, &[OfferState::RevealDetailsSent], OfferState::Done, vec![], "system", Some("the client's details were delivered")).await?;
                    drop(conn);
                    self.changed().await;
                }
                Some(MessageStatus::Failed | MessageStatus::Undelivered | MessageStatus::Canceled) => {
                    let offer = self.get_offer(id).await?;
                    let mut conn = self.db().pool().acquire().await?;
                    if store::transition(&mut conn, id, &[OfferState::RevealDetailsSent], OfferState::Paid, vec![], "system", Some(&format!("the reveal was {status}"))).await? {
                        drop(conn);
                        self.reveal_failed(&offer, &format!("the carrier reported {status}")).await?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Runs [`Unlock::tick`] every `every` until the task is stopped.
    pub async fn run(self, every: Duration) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "lead unlock pass failed");
            }
            tokio::time::sleep(every).await;
        }
    }
}

#[async_trait::async_trait]
impl crate::messaging::ProviderReplies for Unlock {
    async fn on_provider_message(&self, provider: ProviderId, sms: &InboundSms, opted_out: bool, lead_reply: bool) -> std::result::Result<(), MessagingError> {
        self.on_reply(provider, sms, opted_out, lead_reply).await
    }
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "-".into()
    } else {
        s.trim().to_string()
    }
}

fn field(value: String, what: &str, max: usize, required: bool) -> Result<String> {
    let v = value.trim().to_string();
    if required && v.is_empty() {
        return Err(Error::Invalid(format!("{what} is required")));
    }
    if v.chars().count() > max {
        return Err(Error::Invalid(format!("{what} is longer than {max} characters")));
    }
    Ok(v)
}

fn check_public(p: super::LeadPublic) -> Result<super::LeadPublic> {
    Ok(super::LeadPublic {
        city: field(p.city, "the city", 80, true)?,
        service_type: field(p.service_type, "the service type", 80, true)?,
        preferred_time_window: field(p.preferred_time_window, "the time window", 80, false)?,
        budget_range: field(p.budget_range, "the budget range", 80, false)?,
        notes_snippet: field(p.notes_snippet, "the notes snippet", 200, false)?,
    })
}

fn check_details(d: LeadDetails) -> Result<LeadDetails> {
    let phone = crate::phone::normalize(&d.client_phone, crate::phone::Region::US).map_err(|e| Error::Invalid(format!("the client's phone: {e}")))?;
    let email = field(d.client_email, "the client's email", 200, false)?;
    if !email.is_empty() && crate::user::normalize_email(&email).is_err() {
        return Err(Error::Invalid("the client's email is not a valid address".into()));
    }
    Ok(LeadDetails {
        client_name: field(d.client_name, "the client's name", 120, true)?,
        client_phone: phone.as_str().to_string(),
        client_email: email,
        exact_address: field(d.exact_address, "the address", 300, false)?,
        notes: field(d.notes, "the notes", 1000, false)?,
    })
}

