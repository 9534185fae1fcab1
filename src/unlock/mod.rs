//! Lead unlock: a business sells client inquiries (leads) to service providers over SMS.
//!
//! A provider gets a teaser with the lead's public facts, replies Y, receives a Stripe payment
//! link, pays, and only once Stripe's signed webhook confirms the payment receives the client's
//! details. The client's details are encrypted at rest and never leave Warmline before that.
//!
//! ```text
//! NEW_LEAD ─▶ TEASER_SENT ─▶ AWAIT_CONFIRM ─(Y)▶ CHECK_EXISTING_PAYMENT ─▶ CREATE_PAYMENT_LINK
//!   ─▶ PAYMENT_LINK_SENT ─▶ AWAITING_PAYMENT ─(Stripe)▶ PAID ─▶ REVEAL_DETAILS_SENT ─▶ DONE
//! N, the TTL, the buyer limit ─▶ EXPIRED (with the reason)      STOP ─▶ OPTED_OUT
//! ```
//!
//! The models, the state machine, reply parsing and the templates are shared with the browser;
//! encryption, Stripe, storage and the service are server-only.

pub mod reply;
pub mod templates;

#[cfg(feature = "ssr")]
pub mod crypto;
#[cfg(feature = "ssr")]
pub mod providers;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
pub mod stripe;
#[cfg(feature = "ssr")]
mod webhook;

pub use crate::ids::{OfferId, ProviderId};
use crate::{ContactId, Millis};
use serde::{Deserialize, Serialize};

/// The default price of a lead: $20.00.
pub const DEFAULT_PRICE_CENTS: i64 = 2000;
pub const DEFAULT_CURRENCY: &str = "usd";
pub const DEFAULT_TTL_HOURS: i64 = 24;
/// Stripe lets a Checkout Session live between 30 minutes and 24 hours.
pub const MIN_TTL_MINUTES: i64 = 30;
pub const MAX_TTL_HOURS: i64 = 24;

/// A lead's id: `lead_` and eight characters from an alphabet without look-alikes (no 0/o,
/// 1/l/i), so it survives being read aloud or typed on a phone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadId(String);

/// The characters of a lead id after `lead_`.
pub const LEAD_ID_ALPHABET: &str = "23456789abcdefghjkmnpqrstuvwxyz";

impl LeadId {
    /// Checks a lead id as written by a person ("Lead_ABC23456" is accepted and lower-cased).
    pub fn parse(s: &str) -> Result<LeadId, String> {
        let s = s.trim().to_ascii_lowercase();
        let rest = s.strip_prefix("lead_").ok_or_else(|| format!("'{s}' is not a lead id like lead_abc23456"))?;
        if rest.len() != 8 || !rest.chars().all(|c| LEAD_ID_ALPHABET.contains(c)) {
            return Err(format!("'{s}' is not a lead id like lead_abc23456"));
        }
        Ok(LeadId(s))
    }

    /// A new random id.
    #[cfg(feature = "ssr")]
    pub fn random() -> LeadId {
        use rand::Rng;
        let alphabet = LEAD_ID_ALPHABET.as_bytes();
        let mut rng = rand::thread_rng();
        let rest: String = (0..8).map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char).collect();
        LeadId(format!("lead_{rest}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LeadId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an offer is. Stored and shown in Stripe-like SCREAMING_CASE, as the spec names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OfferState {
    NewLead,
    TeaserSent,
    AwaitConfirm,
    CheckExistingPayment,
    CreatePaymentLink,
    PaymentLinkSent,
    AwaitingPayment,
    Paid,
    RevealDetailsSent,
    Done,
    Expired,
    OptedOut,
}

impl OfferState {
    pub const ALL: [OfferState; 12] = [
        OfferState::NewLead,
        OfferState::TeaserSent,
        OfferState::AwaitConfirm,
        OfferState::CheckExistingPayment,
        OfferState::CreatePaymentLink,
        OfferState::PaymentLinkSent,
        OfferState::AwaitingPayment,
        OfferState::Paid,
        OfferState::RevealDetailsSent,
        OfferState::Done,
        OfferState::Expired,
        OfferState::OptedOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfferState::NewLead => "NEW_LEAD",
            OfferState::TeaserSent => "TEASER_SENT",
            OfferState::AwaitConfirm => "AWAIT_CONFIRM",
            OfferState::CheckExistingPayment => "CHECK_EXISTING_PAYMENT",
            OfferState::CreatePaymentLink => "CREATE_PAYMENT_LINK",
            OfferState::PaymentLinkSent => "PAYMENT_LINK_SENT",
            OfferState::AwaitingPayment => "AWAITING_PAYMENT",
            OfferState::Paid => "PAID",
            OfferState::RevealDetailsSent => "REVEAL_DETAILS_SENT",
            OfferState::Done => "DONE",
            OfferState::Expired => "EXPIRED",
            OfferState::OptedOut => "OPTED_OUT",
        }
    }

    /// The states still waiting for the provider (an answer or a payment): [`OfferState::is_open`].
    pub const OPEN: [OfferState; 7] = [
        OfferState::NewLead,
        OfferState::TeaserSent,
        OfferState::AwaitConfirm,
        OfferState::CheckExistingPayment,
        OfferState::CreatePaymentLink,
        OfferState::PaymentLinkSent,
        OfferState::AwaitingPayment,
    ];

    pub fn parse(s: &str) -> Option<OfferState> {
        OfferState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A person-friendly label.
    pub fn label(self) -> &'static str {
        match self {
            OfferState::NewLead => "New",
            OfferState::TeaserSent => "Teaser sent",
            OfferState::AwaitConfirm => "Waiting for Y/N",
            OfferState::CheckExistingPayment => "Checking payment",
            OfferState::CreatePaymentLink => "Creating payment link",
            OfferState::PaymentLinkSent => "Payment link sent",
            OfferState::AwaitingPayment => "Awaiting payment",
            OfferState::Paid => "Paid",
            OfferState::RevealDetailsSent => "Details sent",
            OfferState::Done => "Done",
            OfferState::Expired => "Expired",
            OfferState::OptedOut => "Opted out",
        }
    }

    /// Still waiting for the provider (an answer or a payment): it can expire.
    pub fn is_open(self) -> bool {
        OfferState::OPEN.contains(&self)
    }

    /// The provider paid (whatever happened to the reveal since).
    pub fn is_paid(self) -> bool {
        matches!(self, OfferState::Paid | OfferState::RevealDetailsSent | OfferState::Done)
    }

    /// A Y to an offer in this state starts the payment.
    pub fn awaits_confirm(self) -> bool {
        matches!(self, OfferState::TeaserSent | OfferState::AwaitConfirm)
    }

    /// The states an offer may move to from this one (the state machine, as data).
    pub fn next(self) -> &'static [OfferState] {
        use OfferState::*;
        match self {
            NewLead => &[TeaserSent, Expired, OptedOut],
            TeaserSent => &[AwaitConfirm, Expired, OptedOut],
            AwaitConfirm => &[CheckExistingPayment, Expired, OptedOut],
            CheckExistingPayment => &[CreatePaymentLink, Paid, Expired, OptedOut],
            CreatePaymentLink => &[PaymentLinkSent, AwaitConfirm, Expired, OptedOut],
            PaymentLinkSent => &[AwaitingPayment, Paid, Expired, OptedOut],
            AwaitingPayment => &[Paid, Expired, OptedOut],
            Paid => &[RevealDetailsSent],
            RevealDetailsSent => &[Done, Paid],
            Done | Expired | OptedOut => &[],
        }
    }

    pub fn can_move_to(self, to: OfferState) -> bool {
        self.next().contains(&to)
    }
}

/// A service provider who buys leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    pub id: ProviderId,
    pub contact_id: ContactId,
    pub name: String,
    pub phone: String,
    pub cities: Vec<String>,
    pub service_types: Vec<String>,
    pub active: bool,
    /// Replied STOP: gets no more offers.
    pub offers_opted_out: bool,
    pub created_at: Millis,
}

impl Provider {
    /// Whether they take leads for `city` and `service` now: active, not opted out of offers,
    /// and listing the city and the service (ignoring case), or listing none (they serve all).
    pub fn serves(&self, city: &str, service: &str) -> bool {
        let has = |list: &[String], want: &str| list.is_empty() || list.iter().any(|x| x.trim().eq_ignore_ascii_case(want.trim()));
        self.active && !self.offers_opted_out && has(&self.cities, city) && has(&self.service_types, service)
    }

    /// The first word of the name, for the templates.
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or("there")
    }
}

/// A new provider, or the fields a change sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub cities: Option<Vec<String>>,
    pub service_types: Option<Vec<String>>,
    pub active: Option<bool>,
    pub offers_opted_out: Option<bool>,
}

/// The price, currency and lifetime of offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfferConfig {
    pub price_cents: i64,
    pub currency: String,
    pub ttl_hours: i64,
}

impl Default for OfferConfig {
    fn default() -> Self {
        OfferConfig { price_cents: DEFAULT_PRICE_CENTS, currency: DEFAULT_CURRENCY.into(), ttl_hours: DEFAULT_TTL_HOURS }
    }
}

impl OfferConfig {
    /// Checks the price (50 cents to $10,000, Stripe's card minimum and a sane maximum), the
    /// currency (three letters) and the TTL (1 to 24 hours: a Checkout Session lives at most 24 h).
    pub fn check(mut self) -> Result<OfferConfig, String> {
        self.currency = self.currency.trim().to_ascii_lowercase();
        if !(50..=1_000_000).contains(&self.price_cents) {
            return Err("the price must be between 50 cents and 10,000 (in cents: 50 to 1000000)".into());
        }
        if self.currency.len() != 3 || !self.currency.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(format!("'{}' is not a three-letter currency code like usd", self.currency));
        }
        if !(1..=MAX_TTL_HOURS).contains(&self.ttl_hours) {
            return Err(format!("the offer must last between 1 and {MAX_TTL_HOURS} hours (Stripe's payment links last at most 24 h)"));
        }
        Ok(self)
    }
}

/// A lead's public facts: what a teaser may say.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadPublic {
    pub city: String,
    pub service_type: String,
    pub preferred_time_window: String,
    pub budget_range: String,
    pub notes_snippet: String,
}

/// The client's details, encrypted at rest and revealed only after payment.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadDetails {
    pub client_name: String,
    pub client_phone: String,
    pub client_email: String,
    pub exact_address: String,
    #[serde(default)]
    pub notes: String,
}

/// Never prints the client's details (a `{:?}` in a log line shows nothing private).
impl std::fmt::Debug for LeadDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LeadDetails(locked)")
    }
}

/// A lead without its locked fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: LeadId,
    #[serde(flatten)]
    pub public: LeadPublic,
    pub price_cents: i64,
    pub currency: String,
    pub ttl_hours: i64,
    /// `None`: any number of providers may buy it; `Some(1)`: exclusive.
    pub max_buyers: Option<i64>,
    pub created_by: String,
    pub created_at: Millis,
}

/// A new lead as the form or the API gives it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewLead {
    pub public: LeadPublic,
    pub details: LeadDetails,
    pub config: OfferConfig,
    pub max_buyers: Option<i64>,
}

/// One offer of a lead to one provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: OfferId,
    pub lead_id: LeadId,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub provider_contact_id: ContactId,
    pub state: OfferState,
    pub reason: Option<String>,
    pub price_cents: i64,
    pub currency: String,
    pub expires_at: Millis,
    pub payment_url: Option<String>,
    pub checkout_session_id: Option<String>,
    pub payment_intent: Option<String>,
    pub amount_paid: Option<i64>,
    pub paid_at: Option<Millis>,
    pub unlocked_at: Option<Millis>,
    pub responded_at: Option<Millis>,
    pub refund_id: Option<String>,
    pub refunded_at: Option<Millis>,
    pub refund_reason: Option<String>,
    /// Something a person must look at.
    pub attention: Option<String>,
    pub reveal_attempts: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One entry of an offer's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferEvent {
    pub offer_id: OfferId,
    /// A state name (`PAID`) or an event (`payment_mismatch`, `refunded`, `reveal_failed`).
    pub kind: String,
    pub note: Option<String>,
    pub actor: String,
    pub created_at: Millis,
}

/// A lead with its offers (and, for an admin who asked, its details).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadView {
    pub lead: Lead,
    pub offers: Vec<Offer>,
    /// Revenue: what was paid and not refunded, in the lead's currency's minor unit.
    pub revenue_cents: i64,
}

/// A row of the leads list: the lead and how many of its offers are in each state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadSummary {
    pub lead: Lead,
    pub offers: i64,
    pub open: i64,
    pub paid: i64,
    pub expired: i64,
    pub revenue_cents: i64,
    pub attention: i64,
}

/// Conversion figures over all leads (and by city).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnlockFigures {
    pub teasers: i64,
    pub confirmed: i64,
    pub paid: i64,
    pub checkouts: i64,
    pub revenue_cents: i64,
    pub leads: i64,
    /// Median time from teaser to the provider's first answer, in seconds.
    pub median_response_secs: Option<i64>,
    pub by_city: Vec<CityFigures>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CityFigures {
    pub city: String,
    pub leads: i64,
    pub teasers: i64,
    pub paid: i64,
    pub revenue_cents: i64,
}

impl UnlockFigures {
    /// Share of a part, as a percentage with one decimal ("—" when there is no whole).
    pub fn pct(part: i64, whole: i64) -> String {
        if whole <= 0 {
            "—".into()
        } else {
            format!("{:.1}%", part as f64 * 100.0 / whole as f64)
        }
    }
}

/// "$20", "$20.50", "€15", "30.00 SEK".
pub fn format_price(cents: i64, currency: &str) -> String {
    let symbol = match currency.to_ascii_lowercase().as_str() {
        "usd" | "cad" | "aud" | "nzd" => Some("$"),
        "eur" => Some("€"),
        "gbp" => Some("£"),
        _ => None,
    };
    let amount = if cents % 100 == 0 { format!("{}", cents / 100) } else { format!("{}.{:02}", cents / 100, (cents % 100).abs()) };
    match symbol {
        Some(s) => format!("{s}{amount}"),
        None => format!("{amount} {}", currency.to_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_of_client_details_shows_none_of_them() {
        let details = LeadDetails {
            client_name: "Ann Client".into(),
            client_phone: "+14155550177".into(),
            client_email: "ann@example.com".into(),
            exact_address: "12 Elm Street".into(),
            notes: "gate code 4411".into(),
        };
        let printed = format!("{details:?} {details:#?} {:?}", Some(&details));
        for secret in ["Ann", "4155550177", "example.com", "Elm", "4411"] {
            assert!(!printed.contains(secret), "{printed}");
        }
    }

    #[test]
    fn lead_ids_are_short_and_unambiguous() {
        assert!(LeadId::parse("lead_abc23456").is_ok());
        assert_eq!(LeadId::parse(" Lead_ABC23456 ").unwrap().as_str(), "lead_abc23456");
        for bad in ["lead_abc2345", "lead_abc234567", "lead_abc2345o", "lead_abc2345l", "abc23456", "lead_abc 2345"] {
            assert!(LeadId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn states_round_trip_and_the_machine_only_moves_forward() {
        for s in OfferState::ALL {
            assert_eq!(OfferState::parse(s.as_str()), Some(s));
            assert!(!s.can_move_to(OfferState::NewLead));
        }
        assert!(OfferState::AwaitConfirm.can_move_to(OfferState::CheckExistingPayment));
        assert!(!OfferState::AwaitConfirm.can_move_to(OfferState::Paid), "no payment without a link");
        assert!(OfferState::AwaitingPayment.can_move_to(OfferState::Paid));
        assert!(!OfferState::Expired.can_move_to(OfferState::Paid), "a payment after expiry is refunded, the offer stays expired");
        assert!(OfferState::Done.next().is_empty());
        assert_eq!(serde_json::to_string(&OfferState::AwaitingPayment).unwrap(), "\"AWAITING_PAYMENT\"");
    }

    #[test]
    fn offer_config_is_checked() {
        assert!(OfferConfig::default().check().is_ok());
        assert!(OfferConfig { ttl_hours: 25, ..OfferConfig::default() }.check().is_err());
        assert!(OfferConfig { price_cents: 10, ..OfferConfig::default() }.check().is_err());
        assert_eq!(OfferConfig { currency: "USD".into(), ..OfferConfig::default() }.check().unwrap().currency, "usd");
    }

    #[test]
    fn prices_read_naturally() {
        assert_eq!(format_price(2000, "usd"), "$20");
        assert_eq!(format_price(2050, "usd"), "$20.50");
        assert_eq!(format_price(1500, "eur"), "€15");
        assert_eq!(format_price(3000, "sek"), "30 SEK");
    }

    #[test]
    fn details_never_print() {
        let d = LeadDetails { client_name: "Ann Client".into(), client_phone: "+14155550111".into(), ..LeadDetails::default() };
        assert!(!format!("{d:?}").contains("Ann"));
    }
}
