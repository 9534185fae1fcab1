//! Analytics: delivery, replies, opt-outs, warm leads, cost and revenue over a date range, a
//! daily series, funnels, a timeline per contact, and the rate alarms.
//!
//! The figures come from hourly counters kept in step with the messages (see
//! `store::stats`), never from a scan of the messages table, so the page stays fast at
//! millions of messages. Replies, opt-outs and warm leads are credited to the last outbound
//! message the contact received before them.

pub mod alarms;

#[cfg(feature = "ssr")]
mod check;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// What to count: a period and optional filters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    /// Start, included (epoch ms).
    pub from: crate::Millis,
    /// End, excluded.
    pub to: crate::Millis,
    /// A message kind: `campaign` (drip), `farming`, `approval`, `lead_offer`, `manual`, …
    pub kind: Option<String>,
    pub campaign_id: Option<i64>,
    /// 0-based drip step.
    pub step: Option<i64>,
    /// Sender number; `""` is the default number.
    pub sender: Option<String>,
    pub member: Option<i64>,
}

/// A filter as typed: dates as `YYYY-MM-DD` in the organisation's zone, the rest optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct FilterInput {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<i64>,
    #[serde(default)]
    pub step: Option<i64>,
    #[serde(default)]
    pub sender: Option<String>,
    #[serde(default)]
    pub member: Option<i64>,
    /// Instead of `from`: the last this many days, today included (1 = today).
    #[serde(default)]
    pub last_days: Option<i64>,
}

/// What the page's filters offer: drip campaigns, sender numbers that have sent, team members
/// and message kinds, each as (value, label).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct FilterOptions {
    /// (id, name, number of steps), launched ones only.
    pub campaigns: Vec<(i64, String, i64)>,
    pub senders: Vec<(String, String)>,
    pub members: Vec<(i64, String)>,
    pub kinds: Vec<(String, String)>,
}

/// The price of a message when the provider does not say: per segment plus a carrier fee per
/// message, in millionths of a dollar. Defaults: Twilio's US list price, $0.0083 a segment,
/// and $0.003 of carrier fees a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRates {
    pub segment_micros: i64,
    pub carrier_fee_micros: i64,
}

impl Default for CostRates {
    fn default() -> Self {
        CostRates { segment_micros: 8_300, carrier_fee_micros: 3_000 }
    }
}

impl CostRates {
    /// The cost of what was sent, in millionths: the real price where known, the rates otherwise.
    pub fn cost_micros(&self, sent: i64, segments: i64, priced: i64, price_micros: i64, priced_segments: i64) -> i64 {
        price_micros + (segments - priced_segments).max(0) * self.segment_micros + (sent - priced).max(0) * self.carrier_fee_micros
    }
}

/// The headline figures of a period (the REST summary has the same fields).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub undelivered: i64,
    /// Of the failed and undelivered: carrier filtering (30007).
    pub filtered: i64,
    pub replied: i64,
    pub opted_out: i64,
    pub warm_leads: i64,
    pub segments: i64,
    pub cost_cents: f64,
    pub delivery_rate: Option<f64>,
    pub reply_rate: Option<f64>,
    pub opt_out_rate: Option<f64>,
    pub cost_per_delivered_cents: Option<f64>,
    pub cost_per_reply_cents: Option<f64>,
    pub cost_per_warm_lead_cents: Option<f64>,
    /// Lead unlocks paid in the period and their revenue (in the offers' currency, cents).
    pub paid_unlocks: i64,
    pub revenue_cents: i64,
    pub cost_per_paid_unlock_cents: Option<f64>,
}

pub fn rate(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

fn per(cost_cents: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| cost_cents / n as f64)
}

impl Summary {
    /// Figures out of summed counters.
    #[allow(clippy::too_many_arguments)]
    pub fn new(sent: i64, delivered: i64, failed: i64, undelivered: i64, filtered: i64, replied: i64, opted_out: i64, warm_leads: i64, segments: i64, cost_micros: i64, paid_unlocks: i64, revenue_cents: i64) -> Summary {
        let cost_cents = cost_micros as f64 / 10_000.0;
        Summary {
            sent,
            delivered,
            failed,
            undelivered,
            filtered,
            replied,
            opted_out,
            warm_leads,
            segments,
            cost_cents,
            delivery_rate: rate(delivered, sent),
            reply_rate: rate(replied, sent),
            opt_out_rate: rate(opted_out, sent),
            cost_per_delivered_cents: per(cost_cents, delivered),
            cost_per_reply_cents: per(cost_cents, replied),
            cost_per_warm_lead_cents: per(cost_cents, warm_leads),
            paid_unlocks,
            revenue_cents,
            cost_per_paid_unlock_cents: per(cost_cents, paid_unlocks),
        }
    }
}

/// One day of the series (in the organisation's zone).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPoint {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub replied: i64,
    pub opted_out: i64,
    pub warm_leads: i64,
}

/// A row of a breakdown (by kind, by campaign, by step, by sender, by team member).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub key: String,
    pub label: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub replied: i64,
    pub opted_out: i64,
    pub warm_leads: i64,
    pub cost_cents: f64,
}

/// A funnel: stages in order with their counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    pub name: String,
    pub stages: Vec<(String, i64)>,
}

/// Everything the analytics page shows for a filter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The period as days in the organisation's zone (`from`, `to` included).
    pub days: (String, String),
    pub summary: Summary,
    pub series: Vec<DayPoint>,
    pub by_kind: Vec<Breakdown>,
    pub by_campaign: Vec<Breakdown>,
    pub by_step: Vec<Breakdown>,
    pub by_member: Vec<Breakdown>,
    pub funnels: Vec<Funnel>,
    pub alarms: Vec<alarms::Alarm>,
    /// Form leads of the period by their source (the contact's first touch).
    #[serde(default)]
    pub by_source: Vec<SourceRow>,
}

/// The form leads of one source in a period, and what became of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    /// `google`, `facebook`, a referrer's host, `direct`, …
    pub source: String,
    /// Submissions that counted.
    pub submissions: i64,
    /// Contacts they came from.
    pub leads: i64,
    /// Of those, contacts who wrote back after submitting.
    pub replied: i64,
    pub warm_leads: i64,
    pub opted_out: i64,
    /// Submissions sold as leads (lead unlock).
    pub sold: i64,
}

/// A team member's day: messages they sent, conversations they handled (contacts they wrote
/// to) and how fast they answered (the median time from a contact's first waiting message to
/// their answer).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDay {
    /// `YYYY-MM-DD` in the organisation's zone.
    pub day: String,
    pub member_id: i64,
    pub member: String,
    pub messages: i64,
    pub conversations: i64,
    /// Messages that answered a waiting contact.
    pub responses: i64,
    pub median_response_secs: Option<i64>,
}

/// The median of some durations (the lower middle one of an even count), if any.
pub fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
}

/// One thing that happened to a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: crate::Millis,
    /// imported | consent | message_in | message_out | campaign | warm_lead | approval | lead_offer | note
    pub kind: String,
    pub title: String,
    pub detail: String,
}

/// A person's name for a message kind.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "campaign" => "Drip campaigns",
        "farming" => "Farming",
        "approval" => "Approval queue",
        "approval_test" => "Approval tests",
        "lead_offer" => "Lead offers",
        "lead_unlock" => "Lead details sent",
        "verification" => "Form codes",
        "broadcast" => "Broadcasts",
        "manual" => "One-off messages",
        "auto_reply" => "Automatic replies",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_uses_the_real_price_where_known() {
        let r = CostRates::default();
        // 10 sent, 12 segments, none priced: 12 × 8300 + 10 × 3000.
        assert_eq!(r.cost_micros(10, 12, 0, 0, 0), 129_600);
        // 2 of them priced at 7900 each (2 segments): the rest at the rates.
        assert_eq!(r.cost_micros(10, 12, 2, 15_800, 2), 15_800 + 10 * 8_300 + 8 * 3_000);
    }

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![30]), Some(30));
        assert_eq!(median(vec![90, 10, 3600]), Some(90));
        assert_eq!(median(vec![40, 10, 20, 30]), Some(20));
    }

    #[test]
    fn rates_are_empty_without_a_denominator() {
        let s = Summary::new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assert_eq!((s.delivery_rate, s.reply_rate, s.cost_per_reply_cents), (None, None, None));
        let s = Summary::new(200, 190, 4, 6, 1, 20, 2, 5, 220, 2_000_000, 3, 6000);
        assert_eq!(s.delivery_rate, Some(0.95));
        assert_eq!(s.reply_rate, Some(0.1));
        assert_eq!(s.opt_out_rate, Some(0.01));
        assert_eq!(s.cost_cents, 200.0);
        assert_eq!(s.cost_per_reply_cents, Some(10.0));
        assert_eq!(s.cost_per_warm_lead_cents, Some(40.0));
    }
}
