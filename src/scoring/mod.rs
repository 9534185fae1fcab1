//! Lead scoring: rules that add or remove points on events (a reply, a warm lead, a form
//! submission, an opt-out) and on field conditions (budget, timeline, city, any attribute),
//! decay for inactivity, and bands. The rules are pure and shared with the browser (which
//! previews them); the service that stores scores and runs the recompute job is server-only.

use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
pub mod service;

pub const MAX_RULES: usize = 50;
pub const DAY_MS: Millis = 86_400_000;

/// What a rule reacts to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Trigger {
    /// Any inbound message other than STOP (each one, when repeatable).
    Replied,
    /// The contact replied YES (or another interest keyword) and became a warm lead.
    WarmLead,
    /// A lead form was submitted (each submission, when repeatable).
    FormSubmitted,
    /// The contact opted out.
    OptedOut,
    /// A field or custom attribute meets a condition.
    Field { key: String, op: FieldOp, value: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldOp {
    /// Equal, ignoring case and surrounding spaces.
    Is,
    /// Contains the text, ignoring case.
    Contains,
    /// The first number in the field is at least the value ("$1,200" counts as 1200).
    AtLeast,
    /// The first number in the field is at most the value.
    AtMost,
    /// The field has any value.
    Present,
}

impl FieldOp {
    pub const ALL: [FieldOp; 5] = [FieldOp::Is, FieldOp::Contains, FieldOp::AtLeast, FieldOp::AtMost, FieldOp::Present];
    pub fn key(self) -> &'static str {
        match self {
            FieldOp::Is => "is",
            FieldOp::Contains => "contains",
            FieldOp::AtLeast => "at_least",
            FieldOp::AtMost => "at_most",
            FieldOp::Present => "present",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FieldOp::Is => "is",
            FieldOp::Contains => "contains",
            FieldOp::AtLeast => "is at least",
            FieldOp::AtMost => "is at most",
            FieldOp::Present => "is filled in",
        }
    }
    pub fn from_key(k: &str) -> Option<FieldOp> {
        FieldOp::ALL.into_iter().find(|o| o.key() == k)
    }
}

impl Trigger {
    /// The event names a person picks from (`field` is the condition on a field).
    pub const EVENTS: [(&'static str, &'static str); 5] =
        [("replied", "Replied"), ("warm_lead", "Replied YES (warm lead)"), ("form_submitted", "Submitted a form"), ("opted_out", "Opted out"), ("field", "A field meets a condition")];

    /// Whether "each time" makes sense (an event that can happen more than once).
    pub fn can_repeat(&self) -> bool {
        matches!(self, Trigger::Replied | Trigger::FormSubmitted)
    }

    /// How the rule reads in a score's explanation: "replied YES", "timeline: this week".
    pub fn describe(&self) -> String {
        match self {
            Trigger::Replied => "replied".into(),
            Trigger::WarmLead => "replied YES".into(),
            Trigger::FormSubmitted => "submitted a form".into(),
            Trigger::OptedOut => "opted out".into(),
            Trigger::Field { key, op: FieldOp::Present, .. } => format!("{} given", field_label(key)),
            Trigger::Field { key, op: FieldOp::Is | FieldOp::Contains, value } => format!("{}: {}", field_label(key), value.trim()),
            Trigger::Field { key, op: FieldOp::AtLeast, value } => format!("{} ≥ {}", field_label(key), value.trim()),
            Trigger::Field { key, op: FieldOp::AtMost, value } => format!("{} ≤ {}", field_label(key), value.trim()),
        }
    }
}

/// "service_type" → "service type".
pub fn field_label(key: &str) -> String {
    key.trim().replace('_', " ")
}

/// One scoring rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    #[serde(flatten)]
    pub trigger: Trigger,
    /// Points added (negative: removed), −100 to 100.
    pub points: i32,
    /// Counted for every occurrence (replies, submissions) instead of once per contact.
    #[serde(default)]
    pub repeatable: bool,
}

/// Minus `points` for every `after_days` days without activity (0 turns decay off).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decay {
    pub points: i32,
    pub after_days: u32,
}

/// The lowest score of each band; below `cold` a contact is unqualified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bands {
    pub hot: i32,
    pub warm: i32,
    pub qualified: i32,
    pub cold: i32,
}

impl Default for Bands {
    fn default() -> Bands {
        Bands { hot: 80, warm: 60, qualified: 40, cold: 20 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Unqualified,
    Cold,
    Qualified,
    Warm,
    Hot,
}

impl Band {
    /// Best first.
    pub const ALL: [Band; 5] = [Band::Hot, Band::Warm, Band::Qualified, Band::Cold, Band::Unqualified];
    pub fn key(self) -> &'static str {
        match self {
            Band::Hot => "hot",
            Band::Warm => "warm",
            Band::Qualified => "qualified",
            Band::Cold => "cold",
            Band::Unqualified => "unqualified",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Band::Hot => "Hot",
            Band::Warm => "Warm",
            Band::Qualified => "Qualified",
            Band::Cold => "Cold",
            Band::Unqualified => "Unqualified",
        }
    }
    pub fn from_key(k: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.key() == k)
    }
}

/// What happens when a contact enters a band.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandAction {
    pub band: Option<Band>,
    /// Adds this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Assigns the contact's conversation to this member.
    #[serde(default)]
    pub assign_to: Option<crate::UserId>,
    /// Enrolls the contact in this (active) drip campaign.
    #[serde(default)]
    pub enroll: Option<crate::CampaignId>,
}

/// Everything a person sets on the Lead scoring page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringSettings {
    pub rules: Vec<Rule>,
    pub decay: Decay,
    #[serde(default)]
    pub bands: Bands,
    #[serde(default)]
    pub actions: Vec<BandAction>,
}

impl Default for ScoringSettings {
    /// A starting set a small team can use as is.
    fn default() -> ScoringSettings {
        let field = |key: &str, op, value: &str, points| Rule { trigger: Trigger::Field { key: key.into(), op, value: value.into() }, points, repeatable: false };
        ScoringSettings {
            rules: vec![
                Rule { trigger: Trigger::FormSubmitted, points: 30, repeatable: false },
                Rule { trigger: Trigger::Replied, points: 10, repeatable: false },
                Rule { trigger: Trigger::WarmLead, points: 20, repeatable: false },
                field("timeline", FieldOp::Contains, "week", 15),
                field("budget", FieldOp::AtLeast, "500", 10),
                Rule { trigger: Trigger::OptedOut, points: -100, repeatable: false },
            ],
            decay: Decay { points: 10, after_days: 30 },
            bands: Bands::default(),
            actions: Vec::new(),
        }
    }
}

impl ScoringSettings {
    /// Checks what a person entered; the message says what to fix.
    pub fn check(&self) -> Result<(), String> {
        if self.rules.len() > MAX_RULES {
            return Err(format!("at most {MAX_RULES} rules"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            let n = i + 1;
            if !(-100..=100).contains(&r.points) || r.points == 0 {
                return Err(format!("rule {n}: points must be between −100 and 100, and not 0"));
            }
            if r.repeatable && !r.trigger.can_repeat() {
                return Err(format!("rule {n}: only replies and form submissions can count each time"));
            }
            if let Trigger::Field { key, op, value } = &r.trigger {
                if key.trim().is_empty() || key.len() > 60 {
                    return Err(format!("rule {n}: name the field (at most 60 characters)"));
                }
                if value.len() > 200 {
                    return Err(format!("rule {n}: the value is too long"));
                }
                match op {
                    FieldOp::AtLeast | FieldOp::AtMost if first_number(value).is_none() => return Err(format!("rule {n}: '{}' is not a number", value.trim())),
                    FieldOp::Is | FieldOp::Contains if value.trim().is_empty() => return Err(format!("rule {n}: give the value to look for")),
                    _ => {}
                }
            }
        }
        if self.decay.after_days > 3650 || !(0..=100).contains(&self.decay.points) {
            return Err("decay: at most 100 points after at most 3650 days".into());
        }
        let b = self.bands;
        if !(b.hot > b.warm && b.warm > b.qualified && b.qualified > b.cold && b.cold > 0 && b.hot <= 100) {
            return Err("bands: hot > warm > qualified > cold > 0, and hot at most 100".into());
        }
        for a in &self.actions {
            if a.band.is_none() {
                return Err("a band action needs its band".into());
            }
            if let Some(t) = &a.tag {
                if crate::contact::normalize_tag(t).is_none() {
                    return Err(format!("'{t}' is not a tag"));
                }
            }
        }
        Ok(())
    }

    pub fn band(&self, score: i32) -> Band {
        let b = self.bands;
        match score {
            s if s >= b.hot => Band::Hot,
            s if s >= b.warm => Band::Warm,
            s if s >= b.qualified => Band::Qualified,
            s if s >= b.cold => Band::Cold,
            _ => Band::Unqualified,
        }
    }
}

/// What the rules look at for one contact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Inbound messages other than opt-outs.
    pub replies: u32,
    pub warm_lead: bool,
    pub submissions: u32,
    pub opted_out: bool,
    /// Fields and custom attributes by key (`first_name`, `email`, `source`, `budget`, …).
    pub fields: BTreeMap<String, String>,
    /// The last reply or submission, else when the contact was created.
    pub last_activity: Millis,
}

/// One line of a score's explanation: "+20 replied YES".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub points: i32,
    pub label: String,
}

impl Reason {
    pub fn text(&self) -> String {
        let sign = if self.points < 0 { "−" } else { "+" };
        format!("{sign}{} {}", self.points.abs(), self.label)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// 0 to 100.
    pub value: i32,
    pub band: Band,
    pub reasons: Vec<Reason>,
}

/// How far the newest recompute of every score has got, for the progress bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecomputeProgress {
    /// `queued`, `running`, `done` or `cancelled` (a newer one replaced it).
    pub state: String,
    pub total: i64,
    pub done: i64,
    /// Contacts whose score or explanation changed.
    pub changed: i64,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
}

impl RecomputeProgress {
    /// 0 to 100.
    pub fn percent(&self) -> i64 {
        if self.state == "done" || self.total <= 0 {
            100
        } else {
            (self.done * 100 / self.total).clamp(0, 100)
        }
    }

    pub fn finished(&self) -> bool {
        matches!(self.state.as_str(), "done" | "cancelled")
    }
}

/// Everything the Lead scoring page shows and offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoringOverview {
    pub settings: ScoringSettings,
    pub progress: Option<RecomputeProgress>,
    /// Contacts per band, best first (every band, zeros included).
    pub bands: Vec<(Band, i64)>,
    /// Drip campaigns a band can enroll in: (id, name).
    pub campaigns: Vec<(i64, String)>,
    /// Team members a band can assign to: (id, email).
    pub members: Vec<(i64, String)>,
}

/// The first number in a text: "$1,200/mo" → 1200, "3-4k" → 3.
pub fn first_number(s: &str) -> Option<f64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let digits: String = s[start..].chars().take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.').filter(|c| *c != ',').collect();
    digits.trim_end_matches('.').parse().ok()
}

/// Whether a contact's field or attribute `key` (any case) meets the condition.
pub fn field_matches(fields: &BTreeMap<String, String>, key: &str, op: FieldOp, value: &str) -> bool {
    let key = key.trim().to_lowercase();
    let Some(have) = fields.iter().find(|(k, _)| k.to_lowercase() == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()) else {
        return false;
    };
    let want = value.trim().to_lowercase();
    match op {
        FieldOp::Present => true,
        FieldOp::Is => have.to_lowercase() == want,
        FieldOp::Contains => have.to_lowercase().contains(&want),
        FieldOp::AtLeast => matches!((first_number(have), first_number(value)), (Some(h), Some(w)) if h >= w),
        FieldOp::AtMost => matches!((first_number(have), first_number(value)), (Some(h), Some(w)) if h <= w),
    }
}

/// A contact's score at `now`: each rule's points (once, or per occurrence when repeatable),
/// minus the decay for every `after_days` days since the last activity, clamped to 0–100.
pub fn score(settings: &ScoringSettings, facts: &Facts, now: Millis) -> Score {
    let mut reasons = Vec::new();
    for rule in &settings.rules {
        let times = match &rule.trigger {
            Trigger::Replied => facts.replies,
            Trigger::FormSubmitted => facts.submissions,
            Trigger::WarmLead => u32::from(facts.warm_lead),
            Trigger::OptedOut => u32::from(facts.opted_out),
            Trigger::Field { key, op, value } => u32::from(field_matches(&facts.fields, key, *op, value)),
        };
        let times = if rule.repeatable { times.min(100) } else { times.min(1) };
        if times == 0 {
            continue;
        }
        let label = if times > 1 { format!("{} ×{times}", rule.trigger.describe()) } else { rule.trigger.describe() };
        reasons.push(Reason { points: rule.points * times as i32, label });
    }
    let d = settings.decay;
    if d.after_days > 0 && d.points > 0 {
        let idle_days = (now - facts.last_activity).max(0) / DAY_MS;
        let periods = idle_days / i64::from(d.after_days);
        if periods > 0 {
            let days = periods * i64::from(d.after_days);
            reasons.push(Reason { points: -(d.points * periods.min(100) as i32), label: format!("inactive {days} days") });
        }
    }
    let value = reasons.iter().map(|r| r.points).sum::<i32>().clamp(0, 100);
    Score { value, band: settings.band(value), reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(rules: Vec<Rule>) -> ScoringSettings {
        ScoringSettings { rules, decay: Decay { points: 10, after_days: 30 }, bands: Bands::default(), actions: Vec::new() }
    }
    fn on(trigger: Trigger, points: i32, repeatable: bool) -> Rule {
        Rule { trigger, points, repeatable }
    }
    fn field(key: &str, op: FieldOp, value: &str, points: i32) -> Rule {
        on(Trigger::Field { key: key.into(), op, value: value.into() }, points, false)
    }
    const NOW: Millis = 1_800_000_000_000;

    #[test]
    fn a_rule_counts_once_unless_it_repeats() {
        let facts = Facts { replies: 3, submissions: 2, last_activity: NOW, ..Facts::default() };
        let once = score(&rules(vec![on(Trigger::Replied, 10, false), on(Trigger::FormSubmitted, 15, false)]), &facts, NOW);
        assert_eq!(once.value, 25);
        let each = score(&rules(vec![on(Trigger::Replied, 10, true), on(Trigger::FormSubmitted, 15, true)]), &facts, NOW);
        assert_eq!(each.value, 60);
        assert_eq!(each.reasons.iter().map(Reason::text).collect::<Vec<_>>(), ["+30 replied ×3", "+30 submitted a form ×2"]);
    }

    #[test]
    fn field_conditions_read_numbers_and_ignore_case() {
        let mut facts = Facts { last_activity: NOW, ..Facts::default() };
        facts.fields.insert("budget".into(), "$1,200 a month".into());
        facts.fields.insert("Timeline".into(), "This week".into());
        facts.fields.insert("city".into(), " Oakland ".into());
        let s = rules(vec![
            field("budget", FieldOp::AtLeast, "1000", 10),
            field("budget", FieldOp::AtMost, "500", 50),
            field("timeline", FieldOp::Contains, "week", 15),
            field("city", FieldOp::Is, "oakland", 5),
            field("email", FieldOp::Present, "", 40),
        ]);
        let got = score(&s, &facts, NOW);
        assert_eq!(got.reasons.iter().map(Reason::text).collect::<Vec<_>>(), ["+10 budget ≥ 1000", "+15 timeline: week", "+5 city: oakland"]);
        assert_eq!(got.value, 30);
        assert_eq!(first_number("3-4k"), Some(3.0));
        assert_eq!(first_number("no idea"), None);
    }

    #[test]
    fn decay_takes_points_for_each_idle_period_by_the_given_clock() {
        let s = rules(vec![on(Trigger::FormSubmitted, 50, false)]);
        let facts = Facts { submissions: 1, last_activity: NOW, ..Facts::default() };
        assert_eq!(score(&s, &facts, NOW + 29 * DAY_MS).value, 50);
        let month = score(&s, &facts, NOW + 30 * DAY_MS);
        assert_eq!(month.value, 40);
        assert_eq!(month.reasons.last().unwrap().text(), "−10 inactive 30 days");
        assert_eq!(score(&s, &facts, NOW + 95 * DAY_MS).value, 20);
        // Never below 0.
        assert_eq!(score(&s, &facts, NOW + 3000 * DAY_MS).value, 0);
        let off = ScoringSettings { decay: Decay { points: 10, after_days: 0 }, ..s };
        assert_eq!(score(&off, &facts, NOW + 300 * DAY_MS).value, 50);
    }

    #[test]
    fn the_score_is_clamped_and_banded() {
        let s = rules(vec![on(Trigger::Replied, 30, true), on(Trigger::OptedOut, -100, false)]);
        let many = Facts { replies: 5, last_activity: NOW, ..Facts::default() };
        assert_eq!(score(&s, &many, NOW), Score { value: 100, band: Band::Hot, reasons: vec![Reason { points: 150, label: "replied ×5".into() }] });
        let gone = Facts { opted_out: true, ..many };
        assert_eq!(score(&s, &gone, NOW).value, 50);
        let bands = |v| s.band(v);
        assert_eq!([bands(80), bands(79), bands(60), bands(40), bands(20), bands(19), bands(0)], [Band::Hot, Band::Warm, Band::Warm, Band::Qualified, Band::Cold, Band::Unqualified, Band::Unqualified]);
        let edited = ScoringSettings { bands: Bands { hot: 90, warm: 70, qualified: 50, cold: 10 }, ..s.clone() };
        assert_eq!(edited.band(80), Band::Warm);
        assert_eq!(edited.band(10), Band::Cold);
    }

    #[test]
    fn bad_settings_say_what_to_fix() {
        let mut s = ScoringSettings::default();
        assert_eq!(s.check(), Ok(()));
        s.rules.push(on(Trigger::WarmLead, 10, true));
        assert!(s.check().unwrap_err().contains("only replies and form submissions"));
        s.rules.pop();
        s.rules.push(field("budget", FieldOp::AtLeast, "lots", 10));
        assert!(s.check().unwrap_err().contains("not a number"));
        s.rules.pop();
        s.bands.warm = 85;
        assert!(s.check().unwrap_err().starts_with("bands"));
    }

    #[test]
    fn settings_read_back_from_json() {
        let s = ScoringSettings::default();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""on":"field","key":"timeline""#), "{json}");
        assert_eq!(serde_json::from_str::<ScoringSettings>(&json).unwrap(), s);
    }
}
