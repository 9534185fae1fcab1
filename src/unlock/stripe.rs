//! Payments: one trait, a thin typed Stripe client over reqwest (four endpoints), and the
//! built-in simulator. Why not async-stripe: see `docs/lead-unlock.md`.
//!
//! Every call that creates something carries an `Idempotency-Key` derived from the offer, so a
//! retry after a timeout ("outcome unknown") returns the object the first call created.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

pub const DEFAULT_STRIPE_API_BASE: &str = "https://api.stripe.com";

/// What a Checkout Session is created with.
#[derive(Clone, Debug)]
pub struct CheckoutRequest {
    pub offer_id: i64,
    pub lead_id: String,
    pub provider_id: i64,
    pub amount_cents: i64,
    pub currency: String,
    pub product_name: String,
    /// Unix seconds, within Stripe's 30 min – 24 h from now.
    pub expires_at: i64,
    pub success_url: String,
    pub cancel_url: String,
    pub idempotency_key: String,
}

/// `payment_intent` is an id, or the object when expanded.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Expandable {
    Id(String),
    Object { id: String },
}

impl Expandable {
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) | Expandable::Object { id } => id,
        }
    }
}

/// The fields of a `checkout.session` Warmline reads (Stripe sends many more).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CheckoutSession {
    pub id: String,
    pub object: String,
    pub url: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    pub payment_intent: Option<Expandable>,
    pub payment_status: String,
    pub status: Option<String>,
    pub livemode: bool,
    pub expires_at: i64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Refund {
    pub id: String,
    pub object: String,
    pub amount: i64,
    pub currency: String,
    pub status: Option<String>,
    pub payment_intent: Option<Expandable>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Stripe refused the request (a bad parameter, an expired session, a refunded charge).
    #[error("Stripe refused: {message}")]
    Rejected { code: Option<String>, message: String },
    /// Worth retrying with the same idempotency key: 429, 5xx, no connection.
    #[error("Stripe is unavailable: {0}")]
    Transient(String),
    /// The request may have reached Stripe and its answer was lost; retry with the same key.
    #[error("outcome unknown: {0}")]
    Unknown(String),
}

impl PaymentError {
    pub fn retryable(&self) -> bool {
        !matches!(self, PaymentError::Rejected { .. })
    }
}

#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync {
    async fn create_checkout(&self, req: &CheckoutRequest) -> Result<CheckoutSession, PaymentError>;
    /// Expires an open session (a no-op answer for one already complete or expired).
    async fn expire_checkout(&self, session_id: &str) -> Result<(), PaymentError>;
    async fn refund(&self, payment_intent: &str, reason: &str, idempotency_key: &str) -> Result<Refund, PaymentError>;
    /// Whether payments are live (a test-mode or simulated event never pays for a live offer).
    fn livemode(&self) -> bool;
    /// The built-in simulator (its payment page is Warmline's own).
    fn simulated(&self) -> bool {
        false
    }
}

/// The thin Stripe client.
pub struct StripeClient {
    http: reqwest::Client,
    api_base: String,
    secret_key: String,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

impl StripeClient {
    pub fn new(api_base: &str, secret_key: &str, timeout: Duration) -> StripeClient {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build().expect("reqwest client");
        StripeClient { http, api_base: api_base.trim_end_matches('/').to_string(), secret_key: secret_key.to_string() }
    }

    async fn post<T: serde::de::DeserializeOwned>(&self, path: &str, form: &[(String, String)], idempotency_key: Option<&str>) -> Result<T, PaymentError> {
        let mut req = self.http.post(format!("{}{path}", self.api_base)).bearer_auth(&self.secret_key).form(form);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_connect() => return Err(PaymentError::Transient(format!("cannot connect to Stripe: {e}"))),
            Err(e) => return Err(PaymentError::Unknown(format!("no answer from Stripe: {e}"))),
        };
        let status = resp.status();
        let text = resp.text().await.map_err(|e| PaymentError::Unknown(format!("the answer from Stripe was cut off: {e}")))?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| PaymentError::Rejected { code: None, message: format!("unexpected answer from Stripe: {e}") });
        }
        let detail = serde_json::from_str::<ErrorBody>(&text).ok().map(|b| b.error);
        let message = detail.as_ref().and_then(|d| d.message.clone()).unwrap_or_else(|| format!("HTTP {status}"));
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(PaymentError::Transient(message));
        }
        let code = detail.and_then(|d| d.code.or(d.kind));
        Err(PaymentError::Rejected { code, message })
    }
}

/// The form fields of a Checkout Session for one offer.
pub fn checkout_form(req: &CheckoutRequest) -> Vec<(String, String)> {
    let f = |k: &str, v: String| (k.to_string(), v);
    vec![
        f("mode", "payment".into()),
        f("line_items[0][quantity]", "1".into()),
        f("line_items[0][price_data][currency]", req.currency.clone()),
        f("line_items[0][price_data][unit_amount]", req.amount_cents.to_string()),
        f("line_items[0][price_data][product_data][name]", req.product_name.clone()),
        f("metadata[lead_id]", req.lead_id.clone()),
        f("metadata[offer_id]", req.offer_id.to_string()),
        f("metadata[provider_id]", req.provider_id.to_string()),
        f("payment_intent_data[metadata][offer_id]", req.offer_id.to_string()),
        f("client_reference_id", req.offer_id.to_string()),
        f("expires_at", req.expires_at.to_string()),
        f("success_url", req.success_url.clone()),
        f("cancel_url", req.cancel_url.clone()),
    ]
}

#[async_trait::async_trait]
impl PaymentGateway for StripeClient {
    async fn create_checkout(&self, req: &CheckoutRequest) -> Result<CheckoutSession, PaymentError> {
        self.post("/v1/checkout/sessions", &checkout_form(req), Some(&req.idempotency_key)).await
    }

    async fn expire_checkout(&self, session_id: &str) -> Result<(), PaymentError> {
        match self.post::<CheckoutSession>(&format!("/v1/checkout/sessions/{session_id}/expire"), &[], None).await {
            Ok(_) => Ok(()),
            // Already complete or expired: nothing left to expire.
            Err(PaymentError::Rejected { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn refund(&self, payment_intent: &str, reason: &str, idempotency_key: &str) -> Result<Refund, PaymentError> {
        let form = vec![("payment_intent".to_string(), payment_intent.to_string()), ("metadata[reason]".to_string(), reason.chars().take(400).collect())];
        self.post("/v1/refunds", &form, Some(idempotency_key)).await
    }

    fn livemode(&self) -> bool {
        self.secret_key.starts_with("sk_live_") || self.secret_key.starts_with("rk_live_")
    }
}

/// The built-in payment simulator: sessions live in the offers table (the checkout page at
/// `/sim/checkout/{id}` reads the amount from there) and Pay sends a signed event through the
/// real webhook path.
#[derive(Debug)]
pub struct SimulatedPayments {
    public_url: String,
}

impl SimulatedPayments {
    pub fn new(public_url: &str) -> SimulatedPayments {
        SimulatedPayments { public_url: public_url.trim_end_matches('/').to_string() }
    }
}

/// A stable id from an idempotency key (the same key gives the same session, as with Stripe).
fn sim_id(prefix: &str, key: &str) -> String {
    use sha2::Digest;
    format!("{prefix}_sim_{}", &hex::encode(sha2::Sha256::digest(key.as_bytes()))[..24])
}

#[async_trait::async_trait]
impl PaymentGateway for SimulatedPayments {
    async fn create_checkout(&self, req: &CheckoutRequest) -> Result<CheckoutSession, PaymentError> {
        let id = sim_id("cs", &req.idempotency_key);
        let metadata = [("lead_id", req.lead_id.clone()), ("offer_id", req.offer_id.to_string()), ("provider_id", req.provider_id.to_string())].into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        Ok(CheckoutSession {
            url: Some(format!("{}/sim/checkout/{id}", self.public_url)),
            id,
            object: "checkout.session".into(),
            amount_total: Some(req.amount_cents),
            currency: Some(req.currency.clone()),
            client_reference_id: Some(req.offer_id.to_string()),
            metadata,
            payment_intent: None,
            payment_status: "unpaid".into(),
            status: Some("open".into()),
            livemode: false,
            expires_at: req.expires_at,
        })
    }

    async fn expire_checkout(&self, _session_id: &str) -> Result<(), PaymentError> {
        Ok(())
    }

    async fn refund(&self, payment_intent: &str, _reason: &str, idempotency_key: &str) -> Result<Refund, PaymentError> {
        Ok(Refund { id: sim_id("re", idempotency_key), object: "refund".into(), amount: 0, currency: String::new(), status: Some("succeeded".into()), payment_intent: Some(Expandable::Id(payment_intent.into())) })
    }

    fn livemode(&self) -> bool {
        false
    }

    fn simulated(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_carries_price_metadata_and_expiry() {
        let req = CheckoutRequest {
            offer_id: 7,
            lead_id: "lead_abc23456".into(),
            provider_id: 3,
            amount_cents: 2000,
            currency: "usd".into(),
            product_name: "Lead lead_abc23456".into(),
            expires_at: 1_900_000_000,
            success_url: "http://x/s".into(),
            cancel_url: "http://x/c".into(),
            idempotency_key: "k".into(),
        };
        let form = checkout_form(&req);
        let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("mode"), Some("payment"));
        assert_eq!(get("line_items[0][price_data][unit_amount]"), Some("2000"));
        assert_eq!(get("metadata[offer_id]"), Some("7"));
        assert_eq!(get("client_reference_id"), Some("7"));
        assert_eq!(get("expires_at"), Some("1900000000"));
    }

    #[test]
    fn payment_intent_reads_as_id_or_object() {
        let a: Expandable = serde_json::from_str("\"pi_1\"").unwrap();
        let b: Expandable = serde_json::from_str("{\"id\":\"pi_1\",\"object\":\"payment_intent\"}").unwrap();
        assert_eq!(a.id(), b.id());
    }
}
