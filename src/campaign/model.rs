//! Campaign, step and enrollment types shared by the server and the browser, and the checks a
//! campaign must pass before it is saved.

use super::delay::Delay;
pub use super::fields::MergeFields;
use super::template::{has_opt_out_language, Template, TemplateError};
use crate::gate::window::Window;
use crate::{CampaignId, ContactId, EnrollmentId, Millis};
use serde::{Deserialize, Serialize};

/// Most steps in one campaign.
pub const MAX_STEPS: usize = 20;
/// Longest campaign name.
pub const MAX_NAME_CHARS: usize = 120;

/// Where a campaign is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being built: nothing sends.
    Draft,
    /// The runner sends due steps.
    Active,
    /// Nothing new sends; resuming continues where it stopped.
    Paused,
    /// Finished for good: never sends again.
    Archived,
}

impl CampaignStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Active => "active",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<CampaignStatus> {
        Some(match s {
            "draft" => CampaignStatus::Draft,
            "active" => CampaignStatus::Active,
            "paused" => CampaignStatus::Paused,
            "archived" => CampaignStatus::Archived,
            _ => return None,
        })
    }

    /// Steps and settings may change only while nothing is sending.
    pub fn editable(self) -> bool {
        matches!(self, CampaignStatus::Draft | CampaignStatus::Paused)
    }
}

/// One step: when it is due after the previous one, and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub delay: Delay,
    pub template: String,
}

/// How a step's delay reads in the builder; step 1 counts from enrollment.
pub fn delay_text(d: &Delay, first: bool) -> String {
    let text = d.describe();
    match (first, *d) {
        (true, Delay::After { minutes: 0 }) => "immediately after enrollment".into(),
        (true, _) => text.replace("after the previous step", "after enrollment"),
        (false, Delay::After { minutes: 0 }) => "right after the previous step".into(),
        (false, Delay::NextDayAt { .. }) => format!("{text} (contact's time)"),
        (false, _) => text,
    }
}

/// Everything that defines a campaign, as the builder and `POST /api/v1/campaigns` send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDraft {
    pub name: String,
    pub steps: Vec<Step>,
    /// End enrollments when the contact replies (default on).
    pub stop_on_reply: bool,
    /// After a permanent send failure: stop the enrollment (true) or move on to the next step.
    pub stop_on_failure: bool,
    /// A narrower sending window than the legal one, in the contact's local time.
    pub window: Option<Window>,
    /// Most messages this campaign sends per day (organisation's time zone).
    pub daily_cap: Option<u32>,
    /// The number the campaign sends from (E.164, one of the account's numbers). Empty: the
    /// configured sender (`TWILIO_FROM` or the Messaging Service).
    pub sender: Option<String>,
}

impl Default for CampaignDraft {
    fn default() -> Self {
        CampaignDraft { name: String::new(), steps: Vec::new(), stop_on_reply: true, stop_on_failure: true, window: None, daily_cap: None, sender: None }
    }
}

/// What is wrong with a draft, field by field, for the builder and the API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftProblems {
    pub name: Option<String>,
    pub window: Option<String>,
    pub daily_cap: Option<String>,
    pub sender: Option<String>,
    /// `(step index, message)` for each broken step.
    pub steps: Vec<(usize, String)>,
    /// Problems with the step list as a whole (none, too many).
    pub general: Vec<String>,
}

impl DraftProblems {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.window.is_none() && self.daily_cap.is_none() && self.sender.is_none() && self.steps.is_empty() && self.general.is_empty()
    }

    /// All problems as one sentence list.
    pub fn summary(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        out.extend(self.name.clone());
        out.extend(self.window.clone());
        out.extend(self.daily_cap.clone());
        out.extend(self.sender.clone());
        out.extend(self.general.iter().cloned());
        out.extend(self.steps.iter().map(|(i, m)| format!("step {}: {m}", i + 1)));
        out.join("; ")
    }
}

/// Parses a step's template against the one merge-field list.
pub fn check_template(src: &str, fields: &MergeFields) -> Result<Template, Vec<TemplateError>> {
    if src.trim().is_empty() {
        return Err(Vec::new());
    }
    fields.parse(src)
}

/// Validates a whole draft. The first step must carry opt-out language ("Reply STOP…") because
/// it may reach contacts with no earlier conversation.
pub fn validate(d: &CampaignDraft, fields: &MergeFields) -> DraftProblems {
    let mut p = DraftProblems::default();
    let name = d.name.trim();
    if name.is_empty() {
        p.name = Some("give the campaign a name".into());
    } else if name.chars().count() > MAX_NAME_CHARS {
        p.name = Some(format!("the name is longer than {MAX_NAME_CHARS} characters"));
    }
    if let Some(w) = d.window {
        if w.start_minute < Window::TCPA.start_minute || w.end_minute > Window::TCPA.end_minute || w.start_minute >= w.end_minute {
            p.window = Some("the sending window must lie within 08:00–21:00 and end after it starts".into());
        }
    }
    if d.daily_cap == Some(0) {
        p.daily_cap = Some("the daily cap must be at least 1 (leave it empty for no cap)".into());
    }
    if let Some(s) = d.sender.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if crate::E164::parse(s).is_err() {
            p.sender = Some(format!("'{s}' is not a phone number in E.164 form, like +14155550100"));
        }
    }
    if d.steps.is_empty() {
        p.general.push("add at least one step".into());
    }
    if d.steps.len() > MAX_STEPS {
        p.general.push(format!("a campaign can have at most {MAX_STEPS} steps"));
    }
    for (i, s) in d.steps.iter().enumerate() {
        if let Err(e) = s.delay.validate() {
            p.steps.push((i, e.to_string()));
        }
        match check_template(&s.template, fields) {
            Err(errs) if errs.is_empty() => p.steps.push((i, "the message is empty".into())),
            Err(errs) => p.steps.push((i, errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))),
            Ok(_) if s.template.chars().count() > 1600 => p.steps.push((i, "the message is longer than 1600 characters".into())),
            Ok(_) => {}
        }
        if i == 0 && !s.template.trim().is_empty() && !has_opt_out_language(&s.template) {
            p.steps.push((i, "the first message must tell people how to opt out (for example \"Reply STOP to opt out\")".into()))
        }
    }
    p
}

/// A stored campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub status: CampaignStatus,
    #[serde(flatten)]
    pub draft: CampaignDraft,
    /// Set by a launch at a chosen time: no step goes out before it.
    #[serde(default)]
    pub starts_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What launching a campaign would do, for the confirmation dialog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchPreview {
    /// Active enrollments that have not had step 1 yet: the people the first step texts.
    pub waiting_first_step: i64,
    /// When the earliest of them is due (before the gate's quiet hours).
    pub first_due: Option<Millis>,
}

/// A campaign in the list, with its enrollment counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: CampaignId,
    pub name: String,
    pub status: CampaignStatus,
    pub steps: i64,
    pub active: i64,
    pub enrolled: i64,
    pub sent: i64,
    pub updated_at: Millis,
}

/// Where one contact is in a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    Active,
    Completed,
    /// Ended early: a reply, an opt-out, a block by the gate, or a person.
    Stopped,
    /// Ended by a permanent send failure.
    Failed,
}

impl EnrollmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentStatus::Active => "active",
            EnrollmentStatus::Completed => "completed",
            EnrollmentStatus::Stopped => "stopped",
            EnrollmentStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<EnrollmentStatus> {
        Some(match s {
            "active" => EnrollmentStatus::Active,
            "completed" => EnrollmentStatus::Completed,
            "stopped" => EnrollmentStatus::Stopped,
            "failed" => EnrollmentStatus::Failed,
            _ => return None,
        })
    }
}

/// One contact's enrollment, as the campaign page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    pub id: EnrollmentId,
    pub campaign_id: CampaignId,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub phone: String,
    pub status: EnrollmentStatus,
    /// 0-based index of the next step to send (equal to the step count when done).
    pub next_step: i64,
    pub next_at: Option<Millis>,
    pub last_sent_at: Option<Millis>,
    pub stop_reason: Option<String>,
    pub enrolled_at: Millis,
}

/// Per-step counts for the campaign page and `GET /api/v1/campaigns/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFunnel {
    /// 1-based step number.
    pub step: i64,
    /// Active enrollments waiting to send this step.
    pub due: i64,
    pub sent: i64,
    pub delivered: i64,
    pub replied: i64,
    pub opted_out: i64,
    pub failed: i64,
}

/// How many enrollments are in each state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentCounts {
    pub active: i64,
    pub completed: i64,
    pub stopped: i64,
    pub failed: i64,
}

/// A campaign with its per-step funnel, as the campaign page and `GET /api/v1/campaigns/{id}` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDetail {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub funnel: Vec<StepFunnel>,
    pub enrollments: EnrollmentCounts,
}

/// What enrolling did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollOutcome {
    pub enrolled: i64,
    /// Already in this campaign (re-enrolling is an explicit action).
    pub already_enrolled: i64,
    pub skipped_opted_out: i64,
    /// Flagged for review, or a number known to be invalid or a landline.
    pub skipped_unreachable: i64,
}

/// Who to enroll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Contacts(Vec<ContactId>),
    List(crate::ListId),
    Tag(String),
    /// Contacts matching a search, as on the contacts page.
    Search(String),
}

/// Campaign events, as the events table stores them.
pub const EVENT_KINDS: &[&str] = &["enrolled", "step_sent", "delivered", "replied", "opted_out", "completed", "failed", "deferred", "stopped"];

#[cfg(test)]
mod tests {
    use super::*;

    fn step(t: &str) -> Step {
        Step { delay: Delay::After { minutes: 0 }, template: t.into() }
    }

    #[test]
    fn first_step_needs_opt_out_language() {
        let mut d = CampaignDraft { name: "Spring".into(), steps: vec![step("Hi {{ first_name | default(\"there\") }}")], ..Default::default() };
        let p = validate(&d, &MergeFields::default());
        assert_eq!(p.steps.len(), 1, "{p:?}");
        assert!(p.steps[0].1.contains("opt out"));
        d.steps[0].template.push_str(" Reply STOP to opt out.");
        assert!(validate(&d, &MergeFields::default()).is_empty());
        // Later steps need not repeat it.
        d.steps.push(step("Still interested?"));
        assert!(validate(&d, &MergeFields::default()).is_empty());
    }

    #[test]
    fn unknown_fields_and_bad_settings_are_reported() {
        let d = CampaignDraft {
            name: " ".into(),
            steps: vec![step("Hi {{ nickname }} Reply STOP to opt out"), step("  ")],
            window: Some(Window::hours(7, 12)),
            daily_cap: Some(0),
            sender: Some("555-0100".into()),
            ..Default::default()
        };
        let p = validate(&d, &MergeFields::default());
        assert!(p.name.is_some() && p.window.is_some() && p.daily_cap.is_some() && p.sender.is_some());
        assert!(p.steps[0].1.contains("nickname"), "{p:?}");
        assert_eq!(p.steps[1], (1, "the message is empty".into()));
        assert!(validate(&CampaignDraft { name: "x".into(), ..Default::default() }, &MergeFields::default()).general[0].contains("at least one step"));
        // A custom attribute makes the field known.
        let ok = CampaignDraft { name: "x".into(), steps: vec![step("Hi {{ nickname }} Reply STOP to opt out")], ..Default::default() };
        assert!(validate(&ok, &MergeFields::new(vec!["nickname".into()])).is_empty());
        // A sender is optional, and an E.164 number when given.
        let from = CampaignDraft { sender: Some(" +14155550100 ".into()), ..ok };
        assert!(validate(&from, &MergeFields::new(vec!["nickname".into()])).is_empty());
    }

    #[test]
    fn delays_read_well_in_the_builder() {
        assert_eq!(delay_text(&Delay::minutes(0), true), "immediately after enrollment");
        assert_eq!(delay_text(&Delay::days(2), false), "2 days after the previous step");
        assert_eq!(delay_text(&Delay::hours(1), true), "1 hour after enrollment");
        assert_eq!(delay_text(&Delay::NextDayAt { hour: 9, minute: 5 }, false), "next day at 09:05 (contact's time)");
    }
}
