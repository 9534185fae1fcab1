//! Stripe's webhook events: verified, stored under their id before anything is done (a retry
//! of a stored event answers 200 and does nothing), then applied to the offer they name.
//! Events arrive out of order and are retried for days, so each one only moves an offer from
//! the states it applies to: an `expired` after a `completed` changes nothing.

use super::service::{Unlock, WebhookOutcome};
use super::signature;
use super::stripe::CheckoutSession;
use super::templates;
use super::{Offer, OfferId, OfferState};
use crate::error::{Error, Result};
use crate::message::MessageKind;
use crate::messaging::pipeline::OutboundRequest;
use crate::messaging::LiveEvent;
use crate::now_millis;
use crate::store::unlock::{self as store, Set};
use serde::Deserialize;

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

impl Unlock {
    /// `POST /webhooks/stripe`: checks the signature over the raw body, stores the event, and
    /// processes it. A bad signature or body is `Unreadable` (answered 400); a storage failure
    /// is an error (answered 500, so Stripe retries). A processing failure leaves the event
    /// stored for the background task to retry: Stripe gets 200.
    #[tracing::instrument(skip_all, fields(event))]
    pub async fn accept_webhook(&self, payload: &[u8], signature_header: Option<&str>) -> Result<WebhookOutcome> {
        signature::verify(payload, signature_header, self.webhook_secret(), now_millis() / 1000).map_err(|e| Error::Unreadable(format!("Stripe signature: {e}")))?;
        let text = std::str::from_utf8(payload).map_err(|_| Error::Unreadable("the event is not UTF-8".into()))?;
        let event: Event = serde_json::from_str(text).map_err(|e| Error::Unreadable(format!("not a Stripe event: {e}")))?;
        tracing::Span::current().record("event", event.id.as_str());
        if !store::store_stripe_event(self.db(), &event.id, &event.kind, text).await? {
            tracing::info!(event = %event.id, "Stripe event seen before; nothing to do");
            return Ok(WebhookOutcome::Duplicate);
        }
        match self.process_stripe_event(text).await {
            Ok(()) => store::mark_stripe_event(self.db(), &event.id, None).await?,
            Err(e) => {
                tracing::error!(event = %event.id, error = %e, "Stripe event processing failed; retried by the background task");
                store::mark_stripe_event(self.db(), &event.id, Some(&e.to_string())).await?;
            }
        }
        Ok(WebhookOutcome::Accepted)
    }

    /// Applies one stored event.
    pub(super) async fn process_stripe_event(&self, payload: &str) -> Result<()> {
        let event: Event = serde_json::from_str(payload).map_err(|e| Error::Invalid(format!("stored Stripe event unreadable: {e}")))?;
        let session = || serde_json::from_value::<CheckoutSession>(event.data.object.clone()).map_err(|e| Error::Invalid(format!("{}: not a checkout session: {e}", event.kind)));
        match event.kind.as_str() {
            "checkout.session.completed" => {
                let s = session()?;
                if s.payment_status == "paid" {
                    self.paid(&s, &event.id).await
                } else {
                    // Delayed methods: `async_payment_succeeded` follows.
                    self.note_session(&s, "payment_pending", &format!("checkout completed, payment {}", s.payment_status)).await
                }
            }
            "checkout.session.async_payment_succeeded" => self.paid(&session()?, &event.id).await,
            "checkout.session.async_payment_failed" => self.note_session(&session()?, "payment_failed", "the payment failed").await,
            "checkout.session.expired" => {
                let s = session()?;
                let Some(offer) = store::offer_by_session(self.db(), &s.id).await? else { return Ok(()) };
                let waiting = [OfferState::CreatePaymentLink, OfferState::PaymentLinkSent, OfferState::AwaitingPayment];
                let mut conn = self.db().pool().acquire().await?;
                if store::transition(&mut conn, offer.id, &waiting, OfferState::Expired, vec![Set::Text("reason", "the payment link expired".into())], "stripe", Some(&event.id)).await? {
                    drop(conn);
                    self.messenger().events.publish(LiveEvent::Leads).await;
                }
                Ok(())
            }
            other => {
                tracing::debug!(kind = other, "Stripe event not used");
                Ok(())
            }
        }
    }

    async fn note_session(&self, s: &CheckoutSession, kind: &str, note: &str) -> Result<()> {
        if let Some(offer) = store::offer_by_session(self.db(), &s.id).await? {
            let mut conn = self.db().pool().acquire().await?;
            store::add_event(&mut conn, offer.id, kind, Some(note), "stripe").await?;
            drop(conn);
            self.messenger().events.publish(LiveEvent::Leads).await;
        }
        Ok(())
    }

    /// A confirmed payment. It must match the offer it names (session, lead, amount, currency,
    /// mode) or nothing is revealed and a person is alerted. A payment for an offer that is no
    /// longer open, or beyond the lead's buyer limit, is refunded.
    async fn paid(&self, s: &CheckoutSession, event_id: &str) -> Result<()> {
        let offer_id = s.metadata.get("offer_id").or(s.client_reference_id.as_ref()).and_then(|v| v.parse::<i64>().ok()).map(OfferId);
        let Some(offer_id) = offer_id else {
            tracing::warn!(session = %s.id, "a paid Checkout Session without an offer id; not Warmline's");
            return Ok(());
        };
        let offer = match store::get_offer(self.db(), offer_id).await {
            Ok(o) => o,
            Err(crate::store::StoreError::NotFound) => {
                tracing::warn!(session = %s.id, offer = %offer_id, "a payment for an unknown offer");
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        if offer.paid_at.is_some() {
            return Ok(()); // this payment is recorded (another event about it)
        }
        if let Some(problem) = self.mismatch(&offer, s) {
            let note = format!("payment did not match the offer: {problem}; details not sent");
            tracing::warn!(offer = %offer.id, %problem, "payment mismatch");
            let mut conn = self.db().pool().acquire().await?;
            store::update_offer(&mut conn, offer.id, vec![Set::Text("attention", note.clone())], Some(("payment_mismatch", Some(&note), "stripe"))).await?;
            drop(conn);
            self.messenger().events.publish(LiveEvent::Leads).await;
            return Ok(());
        }
        let pi = s.payment_intent.as_ref().map(|p| p.id().to_string()).unwrap_or_default();
        let amount = s.amount_total.unwrap_or_default();
        let lead = self.lead(&offer.lead_id).await?;
        let mut tx = self.db().begin().await?;
        store::lock_lead(&mut tx, &lead.id).await?;
        let bought = store::paid_count(&mut tx, &lead.id).await?;
        let room = lead.max_buyers.is_none_or(|max| bought < max);
        let payment = vec![Set::Text("payment_intent", pi.clone()), Set::Int("amount_paid", amount), Set::Now("paid_at")];
        let moved = room && store::transition(&mut tx, offer.id, &OfferState::OPEN, OfferState::Paid, payment, "stripe", Some(event_id)).await?;
        if !moved {
            let why = if room { "the offer had expired" } else { "the lead was taken by another provider" };
            let payment = vec![Set::Text("payment_intent", pi), Set::Int("amount_paid", amount), Set::Now("paid_at")];
            store::update_offer(&mut tx, offer.id, payment, Some(("payment_after_close", Some(why), "stripe"))).await?;
            tx.commit().await?;
            if let Err(e) = self.refund(offer.id, why, "system", true).await {
                let mut conn = self.db().pool().acquire().await?;
                let note = format!("a payment arrived after the offer closed and the automatic refund failed: {e}");
                store::update_offer(&mut conn, offer.id, vec![Set::Text("attention", note.clone())], Some(("needs_attention", Some(&note), "system"))).await?;
            }
            self.messenger().events.publish(LiveEvent::Leads).await;
            return Ok(());
        }
        let full = lead.max_buyers.is_some_and(|max| bought + 1 >= max);
        tx.commit().await?;
        tracing::info!(offer = %offer.id, lead = %lead.id, "lead paid");
        self.messenger().events.publish(LiveEvent::Leads).await;
        if full {
            self.close_lead(&offer).await?;
        }
        self.reveal(offer.id).await
    }

    fn mismatch(&self, offer: &Offer, s: &CheckoutSession) -> Option<String> {
        if offer.checkout_session_id.as_deref() != Some(s.id.as_str()) {
            return Some(format!("session {} is not this offer's", s.id));
        }
        if s.metadata.get("lead_id").map(String::as_str) != Some(offer.lead_id.as_str()) {
            return Some("the lead in the metadata differs".into());
        }
        if s.amount_total != Some(offer.price_cents) {
            return Some(format!("amount {} instead of {}", s.amount_total.unwrap_or_default(), offer.price_cents));
        }
        if s.currency.as_deref().map(str::to_ascii_lowercase).as_deref() != Some(offer.currency.as_str()) {
            return Some(format!("currency {} instead of {}", s.currency.as_deref().unwrap_or("none"), offer.currency));
        }
        if s.livemode != self.gateway().livemode() {
            return Some(if s.livemode { "a live payment for a test-mode installation".into() } else { "a test-mode payment for a live installation".into() });
        }
        if s.payment_intent.is_none() {
            return Some("no payment intent".into());
        }
        None
    }

    /// The lead reached its buyer limit: every other open offer expires with a short notice.
    async fn close_lead(&self, bought: &Offer) -> Result<()> {
        let lead = self.lead(&bought.lead_id).await?;
        for other in store::offers_for_lead(self.db(), &lead.id).await? {
            if other.id == bought.id || !other.state.is_open() {
                continue;
            }
            let mut conn = self.db().pool().acquire().await?;
            if store::transition(&mut conn, other.id, &OfferState::OPEN, OfferState::Expired, vec![Set::Text("reason", "taken: the lead reached its buyer limit".into())], "system", Some("taken")).await? {
                drop(conn);
                self.expire_session(&other).await;
                let vars = self.vars(&lead, &other.provider_name, other.price_cents, &other.currency).await?;
                let body = templates::render(templates::TAKEN, &vars);
                self.messenger().submit(OutboundRequest::new(other.provider_contact_id, body, MessageKind::LeadOffer).key(format!("offer-{}-taken", other.id))).await?;
            }
        }
        Ok(())
    }

    /// The simulator's Pay button: a `checkout.session.completed` event for the session, signed
    /// with the webhook secret and sent through [`Unlock::accept_webhook`], as Stripe would.
    pub async fn simulate_payment(&self, session_id: &str) -> Result<OfferId> {
        if !self.simulated() {
            return Err(Error::Forbidden);
        }
        let offer = store::offer_by_session(self.db(), session_id).await?.ok_or_else(|| Error::NotFound(format!("no checkout session {session_id}")))?;
        let now_s = now_millis() / 1000;
        let event = serde_json::json!({
            "id": format!("evt_sim_{:016x}", rand::random::<u64>()),
            "object": "event",
            "api_version": "2024-06-20",
            "created": now_s,
            "livemode": false,
            "pending_webhooks": 1,
            "request": {"id": null, "idempotency_key": null},
            "type": "checkout.session.completed",
            "data": {"object": {
                "id": session_id,
                "object": "checkout.session",
                "amount_subtotal": offer.price_cents,
                "amount_total": offer.price_cents,
                "client_reference_id": offer.id.to_string(),
                "currency": offer.currency,
                "expires_at": offer.expires_at / 1000,
                "livemode": false,
                "metadata": {"lead_id": offer.lead_id.to_string(), "offer_id": offer.id.to_string(), "provider_id": offer.provider_id.to_string()},
                "mode": "payment",
                "payment_intent": format!("pi_sim_{}", offer.id),
                "payment_status": "paid",
                "status": "complete",
                "url": null
            }}
        });
        let body = event.to_string();
        let header = signature::sign(body.as_bytes(), self.webhook_secret(), now_s);
        self.accept_webhook(body.as_bytes(), Some(&header)).await?;
        Ok(offer.id)
    }

    /// The offer behind a simulated checkout page.
    pub async fn simulated_checkout(&self, session_id: &str) -> Result<Offer> {
        if !self.simulated() {
            return Err(Error::Forbidden);
        }
        store::offer_by_session(self.db(), session_id).await?.ok_or_else(|| Error::NotFound(format!("no checkout session {session_id}")))
    }
}
