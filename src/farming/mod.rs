//! Warm-lead farming types shared by the server and the browser: farming campaigns, dry runs,
//! batches and their progress, warm leads, and the volume math behind the dashboard widget.

use crate::{ContactId, FarmingBatchId, FarmingCampaignId, ListId, Millis};

#[cfg(feature = "ssr")]
pub mod service;
use serde::{Deserialize, Serialize};

/// The daily batch size when neither the campaign nor `DAILY_BATCH_DEFAULT` says otherwise.
pub const DAILY_BATCH_DEFAULT: u32 = 450;
/// Days nobody is picked again after a farming message.
pub const COOL_OFF_DEFAULT: u32 = 7;
/// The team's goal: new warm leads per day.
pub const TARGET_LOW: i64 = 10;
pub const TARGET_HIGH: i64 = 16;

/// Where a farming campaign's contacts come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    List(ListId),
    Tag(String),
}

/// A farming campaign as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FarmingCampaign {
    pub id: FarmingCampaignId,
    pub name: String,
    pub template: String,
    pub source: Source,
    pub source_label: String,
    pub daily_cap: u32,
    pub cool_off_days: u32,
    /// "HH:MM" in the organisation's zone: a batch starts by itself at that time each day.
    pub send_time: Option<String>,
    pub created_at: Millis,
}

/// What a new farming campaign needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFarmingCampaign {
    pub name: String,
    pub template: String,
    pub source: Source,
    pub daily_cap: u32,
    pub cool_off_days: u32,
    pub send_time: Option<String>,
}

/// Why contacts in the source were not picked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    pub opted_out: i64,
    pub warm_lead: i64,
    pub cool_off: i64,
    /// Invalid numbers and landlines.
    pub invalid: i64,
    /// Flagged for review (a reply that read as an opt-out).
    pub flagged: i64,
}

/// Exactly who the next batch would message, and why others are left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    pub selected: i64,
    pub contact_ids: Vec<ContactId>,
    pub excluded: Excluded,
    /// Of the selected, how many have no recorded consent source (the UI warns before sending).
    pub without_consent: i64,
    /// Already sent today against the daily cap, and what is left.
    pub sent_today: i64,
    pub remaining_today: i64,
    /// The first few selected, for the screen.
    pub sample: Vec<DryRunContact>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRunContact {
    pub id: ContactId,
    pub name: String,
    pub phone: String,
    pub has_consent: bool,
}

/// A batch's progress, for the progress bar and `GET …/batches/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchProgress {
    pub id: FarmingBatchId,
    pub campaign_id: FarmingCampaignId,
    /// running | done
    pub status: String,
    pub requested: i64,
    pub selected: i64,
    /// Handed to the send gate.
    pub queued: i64,
    /// Accepted by the provider (sent or delivered).
    pub sent: i64,
    pub delivered: i64,
    /// Waiting for the recipient's quiet hours to end.
    pub deferred: i64,
    pub failed: i64,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
}

impl BatchProgress {
    /// Share of the batch handed to the gate, 0–100.
    pub fn percent(&self) -> i64 {
        if self.selected == 0 {
            100
        } else {
            (self.queued * 100 / self.selected).clamp(0, 100)
        }
    }
}

/// A warm lead: a contact who answered a farming message with interest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarmLead {
    pub contact_id: ContactId,
    pub name: String,
    pub phone: String,
    pub reply_text: String,
    pub replied_at: Millis,
    pub campaign: Option<String>,
    pub opted_out: bool,
}

/// One inbound message and what Warmline did about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundLogEntry {
    pub contact_id: ContactId,
    pub name: String,
    pub phone: String,
    pub body: String,
    pub intent: String,
    pub action: String,
    pub created_at: Millis,
}

/// The dashboard widget and `GET /api/v1/stats/warm-leads`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarmLeadStats {
    pub today: i64,
    pub last_7_days: i64,
    pub target_low: i64,
    pub target_high: i64,
    /// Farming messages sent today.
    pub sends_today: i64,
    /// Farming messages sent in the last 7 days (the rate's denominator).
    pub sends_7_days: i64,
    /// Warm leads per farming message over the last 7 days; `None` before any send.
    pub opt_in_rate: Option<f64>,
    /// The daily batch that rate suggests: the low and high ends land on the target band.
    pub suggested_batch: Option<(i64, i64)>,
    /// Warm leads per day for the last 7 days, oldest first (for the chart).
    pub per_day: Vec<(String, i64)>,
}

/// Batch sizes that land the expected warm leads in `[low, high]` at `rate` warm leads per
/// message: `(ceil(low / rate), floor(high / rate))`. `None` for a zero or unknown rate.
pub fn suggested_batch(rate: Option<f64>, low: i64, high: i64) -> Option<(i64, i64)> {
    let r = rate.filter(|r| *r > 0.0 && r.is_finite())?;
    let lo = (low as f64 / r).ceil() as i64;
    let hi = ((high as f64 / r).floor() as i64).max(lo);
    Some((lo, hi))
}

/// Footer added to marketing messages to warm leads that don't say how to opt out.
pub const OPT_OUT_FOOTER: &str = "Reply STOP to opt out.";

/// `body`, with "Reply STOP to opt out." appended when it doesn't already say how to opt out.
pub fn with_opt_out_footer(body: &str) -> String {
    let b = body.trim();
    if b.is_empty() || crate::campaign::template::has_opt_out_language(b) {
        b.to_string()
    } else {
        format!("{b} {OPT_OUT_FOOTER}")
    }
}

/// Parses "HH:MM" (24-hour) into minutes after midnight.
pub fn parse_send_time(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h < 24 && m < 60 && s.trim().len() == 5).then_some(h * 60 + m)
}

/// Checks a new farming campaign; every problem, for the form and the API.
/// The problem a campaign without a name has (forms hide it until the name field was used).
pub const NAME_MISSING: &str = "give the campaign a name";

/// `fields` is the one merge-field list every template is checked against.
pub fn validate(c: &NewFarmingCampaign, business: &str, fields: &crate::campaign::fields::MergeFields) -> Vec<String> {
    use crate::limits;
    let mut out = Vec::new();
    if c.name.trim().is_empty() {
        out.push(NAME_MISSING.to_string());
    } else if let Err(e) = limits::check("the name", c.name.trim(), limits::TITLE) {
        out.push(e);
    }
    let t = c.template.trim();
    if t.is_empty() {
        out.push("write the first message".into());
    } else if let Err(e) = limits::check("the message", t, limits::MESSAGE) {
        out.push(e);
    } else {
        if !crate::campaign::template::has_opt_out_language(t) {
            out.push("the message must say \"Reply STOP to opt out\"".into());
        }
        if !business.trim().is_empty() && !t.to_lowercase().contains(&business.trim().to_lowercase()) {
            out.push(format!("the message must name your business (\"{}\", set in Settings → Business)", business.trim()));
        }
        if let Err(e) = fields.parse(t) {
            out.extend(e.iter().map(ToString::to_string));
        }
    }
    if let Source::Tag(tag) = &c.source {
        if tag.trim().is_empty() {
            out.push("choose a tag".into());
        } else if let Err(e) = limits::check("the tag", tag, limits::TAG) {
            out.push(e);
        }
    }
    if c.daily_cap == 0 || c.daily_cap > 100_000 {
        out.push("the daily cap must be between 1 and 100,000".into());
    }
    if c.cool_off_days > 365 {
        out.push("the cool-off can be at most 365 days".into());
    }
    if let Some(t) = &c.send_time {
        if !t.trim().is_empty() && parse_send_time(t).is_none() {
            out.push("the send time must look like 10:30".into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_math_lands_in_the_band() {
        // 3% of people say YES: 334–533 messages a day give 10–16 warm leads.
        assert_eq!(suggested_batch(Some(0.03), 10, 16), Some((334, 533)));
        assert_eq!(suggested_batch(Some(0.0), 10, 16), None);
        assert_eq!(suggested_batch(None, 10, 16), None);
    }

    #[test]
    fn campaigns_need_brand_stop_and_sane_numbers() {
        let mut c = NewFarmingCampaign {
            name: "Roofs".into(),
            template: "Hi {{ first_name | default(\"there\") }}, Acme Roofing: free roof check? Reply YES for a quote. Reply STOP to opt out.".into(),
            source: Source::List(ListId(1)),
            daily_cap: 450,
            cool_off_days: 7,
            send_time: Some("10:30".into()),
        };
        let fields = crate::campaign::fields::MergeFields::default();
        assert!(validate(&c, "Acme Roofing", &fields).is_empty());
        assert_eq!(validate(&c, "Other Brand", &fields).len(), 1);
        c.template = "Reply YES for a quote".into();
        c.daily_cap = 0;
        c.send_time = Some("25:00".into());
        let p = validate(&c, "", &fields);
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(parse_send_time("09:05"), Some(545));
        assert_eq!(parse_send_time("9:05"), None);
    }

    #[test]
    fn farming_templates_know_the_same_fields_as_drips() {
        let c = NewFarmingCampaign {
            name: "Roofs".into(),
            template: "Hi from Acme in {{ city }}! Reply YES for a quote. Reply STOP to opt out.".into(),
            source: Source::List(ListId(1)),
            daily_cap: 10,
            cool_off_days: 7,
            send_time: None,
        };
        let with_city = crate::campaign::fields::MergeFields::new(vec!["city".into()]);
        assert!(validate(&c, "Acme", &with_city).is_empty());
        assert!(validate(&c, "Acme", &Default::default())[0].contains("unknown field 'city'"));
        let long = NewFarmingCampaign { name: "x".repeat(5000), ..c };
        assert!(validate(&long, "Acme", &with_city)[0].contains("too long"));
    }

    #[test]
    fn progress_percent() {
        let mut p = BatchProgress { id: crate::FarmingBatchId(1), campaign_id: crate::FarmingCampaignId(1), status: "running".into(), requested: 10, selected: 4, queued: 1, sent: 0, delivered: 0, deferred: 0, failed: 0, created_at: 0, finished_at: None };
        assert_eq!(p.percent(), 25);
        p.selected = 0;
        assert_eq!(p.percent(), 100);
    }
}
