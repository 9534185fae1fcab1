//! Lead capture forms: what a form asks, the checks on a form and on a submission, and where a
//! lead came from. Pure rules, shared with the browser; storage and the use-cases are behind
//! the `ssr` feature.

#[cfg(feature = "ssr")]
pub mod service;

use crate::{CampaignId, ContactId, FormId, ListId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest value of one answer, and of the consent text.
pub const MAX_ANSWER_CHARS: usize = 2_000;
pub const MAX_CONSENT_CHARS: usize = 2_000;
/// A form's fields, at most.
pub const MAX_FIELDS: usize = 20;
/// Submissions from one IP address in 10 minutes, and for one phone number in an hour.
pub const PER_IP_10_MIN: i64 = 5;
pub const PER_PHONE_HOUR: i64 = 3;

/// What a field holds. `Custom` answers go into the contact's attributes under the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Name,
    Phone,
    Email,
    City,
    ServiceType,
    Budget,
    Timeline,
    Text,
    Custom,
}

impl FieldKind {
    pub const ALL: [FieldKind; 9] = [FieldKind::Name, FieldKind::Phone, FieldKind::Email, FieldKind::City, FieldKind::ServiceType, FieldKind::Budget, FieldKind::Timeline, FieldKind::Text, FieldKind::Custom];

    /// The field's key in a submission (a custom field has its own).
    pub fn key(self) -> &'static str {
        match self {
            FieldKind::Name => "name",
            FieldKind::Phone => "phone",
            FieldKind::Email => "email",
            FieldKind::City => "city",
            FieldKind::ServiceType => "service_type",
            FieldKind::Budget => "budget",
            FieldKind::Timeline => "timeline",
            FieldKind::Text => "message",
            FieldKind::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Name => "Your name",
            FieldKind::Phone => "Mobile number",
            FieldKind::Email => "Email",
            FieldKind::City => "City",
            FieldKind::ServiceType => "What do you need?",
            FieldKind::Budget => "Budget",
            FieldKind::Timeline => "When?",
            FieldKind::Text => "Anything else?",
            FieldKind::Custom => "Question",
        }
    }
}

/// One field of a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
}

impl FormField {
    pub fn standard(kind: FieldKind, required: bool) -> FormField {
        FormField { key: kind.key().into(), label: kind.label().into(), kind, required }
    }
}

/// Name, phone and email, the phone required (the REST default).
pub fn default_fields() -> Vec<FormField> {
    vec![FormField::standard(FieldKind::Name, false), FormField::standard(FieldKind::Phone, true), FormField::standard(FieldKind::Email, false)]
}

/// The wording a form starts with when none is given.
pub fn default_consent(business: &str) -> String {
    format!("I agree to receive text messages from {business} about my request at the number above. Message and data rates may apply. Reply STOP to opt out, HELP for help.")
}

/// A form as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    pub id: FormId,
    pub name: String,
    pub slug: String,
    pub headline: String,
    pub benefits: Vec<String>,
    pub fields: Vec<FormField>,
    pub consent_text: String,
    pub thank_you: String,
    pub list_id: Option<ListId>,
    pub tags: Vec<String>,
    pub drip_campaign_id: Option<CampaignId>,
    pub allowed_origins: Vec<String>,
    /// A lead counts only once they type the code texted to their number.
    #[serde(default)]
    pub confirm_sms: bool,
    /// Each lead that counts is sold through lead unlock: offered to the providers who serve
    /// its city and service type.
    #[serde(default)]
    pub sell_leads: bool,
    pub active: bool,
    pub submissions: i64,
    pub created_at: crate::Millis,
}

/// A form as a person or the API describes it. Everything but the name may be left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewForm {
    pub name: String,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub headline: Option<String>,
    #[serde(default)]
    pub benefits: Vec<String>,
    #[serde(default)]
    pub fields: Option<Vec<FormField>>,
    #[serde(default)]
    pub consent_text: Option<String>,
    #[serde(default)]
    pub thank_you: Option<String>,
    /// A list's name: created when missing.
    #[serde(default)]
    pub list: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub drip_campaign_id: Option<CampaignId>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Text a code to the number; the lead counts once it is typed in.
    #[serde(default)]
    pub confirm_sms: bool,
    /// Sell each lead through lead unlock (the form needs a city and a service type field).
    #[serde(default)]
    pub sell_leads: bool,
}

/// A slug from a name: lower-case letters, digits and single dashes.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect::<String>().trim_end_matches('-').to_string()
}

/// A slug must be 3–60 of `a-z`, `0-9` and `-`, not starting or ending with a dash.
pub fn check_slug(slug: &str) -> Result<(), String> {
    let ok = (3..=60).contains(&slug.len()) && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !slug.starts_with('-') && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!("the address '{}' must be 3 to 60 lower-case letters, digits and dashes", crate::limits::ellipsize(slug, 40)))
    }
}

/// A form's fields must include a required phone, have unique keys, and be at most 20.
pub fn check_fields(fields: &[FormField]) -> Result<(), String> {
    if fields.is_empty() || fields.len() > MAX_FIELDS {
        return Err(format!("a form has 1 to {MAX_FIELDS} fields"));
    }
    if !fields.iter().any(|f| f.kind == FieldKind::Phone && f.required) {
        return Err("a form needs a required mobile number field: the lead is texted there".into());
    }
    let mut seen = std::collections::HashSet::new();
    for f in fields {
        if f.label.trim().is_empty() {
            return Err("every field needs a label".into());
        }
        crate::limits::check("field label", &f.label, 120)?;
        let key = f.key.trim();
        if key.is_empty() || key.len() > 40 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("the field key '{}' must be 1 to 40 letters, digits or underscores", crate::limits::ellipsize(key, 40)));
        }
        if RESERVED.contains(&key) {
            return Err(format!("'{key}' is reserved for the form's own use"));
        }
        if !seen.insert(key.to_string()) {
            return Err(format!("two fields have the key '{key}'"));
        }
    }
    Ok(())
}

/// Keys a submission uses for itself: consent, the honeypot, the visitor's time zone and the
/// source fields.
pub const RESERVED: &[&str] = &["consent", "website", "timezone", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "referrer", "page_url"];

/// Where a lead came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub gclid: Option<String>,
    pub fbclid: Option<String>,
    pub referrer: Option<String>,
    pub page_url: Option<String>,
}

impl Attribution {
    /// Reads the source fields of a submission (each trimmed, at most 500 characters).
    pub fn from_fields(f: &BTreeMap<String, String>) -> Attribution {
        let take = |k: &str| f.get(k).map(|v| v.trim()).filter(|v| !v.is_empty()).map(|v| v.chars().take(500).collect::<String>());
        Attribution {
            utm_source: take("utm_source"),
            utm_medium: take("utm_medium"),
            utm_campaign: take("utm_campaign"),
            utm_term: take("utm_term"),
            utm_content: take("utm_content"),
            gclid: take("gclid"),
            fbclid: take("fbclid"),
            referrer: take("referrer"),
            page_url: take("page_url"),
        }
    }

    /// One word for the source: `utm_source`, else Google or Facebook ads by their click id,
    /// else the referrer's host, else "direct".
    pub fn source(&self) -> String {
        if let Some(s) = &self.utm_source {
            return s.to_lowercase();
        }
        if self.gclid.is_some() {
            return "google".into();
        }
        if self.fbclid.is_some() {
            return "facebook".into();
        }
        match self.referrer.as_deref().and_then(host_of) {
            Some(h) => h,
            None => "direct".into(),
        }
    }
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?.split(':').next()?.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// A submission's answers after the checks: the phone as typed, every field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answers {
    pub phone: String,
    pub values: BTreeMap<String, String>,
}

/// Checks a submission against the form: the honeypot is empty, consent was given, every
/// required field is there, nothing is too long. The phone's number itself is checked by the
/// caller (it needs the region).
pub fn check_submission(form: &Form, fields: &BTreeMap<String, String>) -> Result<Answers, String> {
    if fields.get("website").is_some_and(|v| !v.trim().is_empty()) {
        return Err("this submission looks automated and was not accepted".into());
    }
    let consent = fields.get("consent").map(|v| v.trim().to_lowercase()).unwrap_or_default();
    if !matches!(consent.as_str(), "yes" | "true" | "on" | "1") {
        return Err("please tick the box to agree to receive text messages".into());
    }
    let mut values = BTreeMap::new();
    for f in &form.fields {
        let v = fields.get(&f.key).map(|v| v.trim()).unwrap_or_default();
        if v.is_empty() {
            if f.required {
                return Err(format!("{} is required", f.label.trim_end_matches('?')));
            }
            continue;
        }
        if v.chars().count() > MAX_ANSWER_CHARS {
            return Err(format!("{} is too long (at most {MAX_ANSWER_CHARS} characters)", f.label.trim_end_matches('?')));
        }
        if f.kind == FieldKind::Email && (!v.contains('@') || v.contains(char::is_whitespace)) {
            return Err(format!("'{}' is not an email address", crate::limits::ellipsize(v, 40)));
        }
        values.insert(f.key.clone(), v.to_string());
    }
    let phone_key = form.fields.iter().find(|f| f.kind == FieldKind::Phone).map(|f| f.key.clone()).unwrap_or_else(|| "phone".into());
    let phone = values.get(&phone_key).cloned().ok_or("Mobile number is required")?;
    Ok(Answers { phone, values })
}

/// A form that sells its leads needs the fields a lead's teaser names: a required city and
/// service type, and the client's name.
pub fn check_sellable(fields: &[FormField]) -> Result<(), String> {
    for kind in [FieldKind::Name, FieldKind::City, FieldKind::ServiceType] {
        if !fields.iter().any(|f| f.kind == kind && f.required) {
            return Err(format!("a form that sells its leads needs a required “{}” field", kind.label().trim_end_matches('?')));
        }
    }
    Ok(())
}

/// Splits a full name into first and last.
pub fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let mut parts = name.split_whitespace();
    let first = parts.next().map(str::to_string);
    let rest: Vec<&str> = parts.collect();
    (first, (!rest.is_empty()).then(|| rest.join(" ")))
}

/// What a submission led to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitOutcome {
    pub submission_id: i64,
    pub contact_id: ContactId,
    pub created: bool,
    /// The contact had opted out: kept that way, and not texted.
    pub opted_out: bool,
    pub enrolled: bool,
    /// For the thank-you page: when to expect the first text.
    pub expect_text: String,
    /// The form asks for the code texted to the number: this names the submission on the
    /// confirm page, and nothing else happens until the code is typed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_token: Option<String>,
    /// The number is known not to take texts: `landline` or `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_flag: Option<String>,
    /// The lead for sale it became (a form that sells its leads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<String>,
}

/// A stored submission, as the API and the browser list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub id: i64,
    pub form_id: FormId,
    pub contact_id: Option<ContactId>,
    pub phone: String,
    pub answers: BTreeMap<String, String>,
    pub consent_text: String,
    pub ip: String,
    pub user_agent: String,
    pub attribution: Attribution,
    /// `accepted`, or `pending` while the texted code has not been typed in.
    #[serde(default = "accepted")]
    pub status: String,
    /// `landline` or `invalid` when the number is known not to take texts.
    #[serde(default)]
    pub phone_flag: Option<String>,
    /// The lead for sale it became.
    #[serde(default)]
    pub lead_id: Option<String>,
    pub created_at: crate::Millis,
}

fn accepted() -> String {
    "accepted".into()
}

/// How long a texted code works, and how many wrong tries it takes.
pub const CODE_MINUTES: i64 = 15;
pub const CODE_DIGITS: usize = 6;
pub const CODE_ATTEMPTS: i64 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form {
            id: FormId(1),
            name: "Roof".into(),
            slug: "roof".into(),
            headline: "Free roof check".into(),
            benefits: vec![],
            fields: default_fields(),
            consent_text: default_consent("Acme"),
            thank_you: "Thanks".into(),
            list_id: None,
            tags: vec![],
            drip_campaign_id: None,
            allowed_origins: vec![],
            confirm_sms: false,
            sell_leads: false,
            active: true,
            submissions: 0,
            created_at: 0,
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("  Free Roof Check — Spring 2027! "), "free-roof-check-spring-2027");
        assert!(check_slug("roof-check").is_ok());
        assert!(check_slug("Roof").is_err());
        assert!(check_slug("-roof").is_err());
        assert!(check_slug("ro").is_err());
    }

    #[test]
    fn a_form_needs_a_required_phone_and_unique_keys() {
        assert!(check_fields(&default_fields()).is_ok());
        assert!(check_fields(&[FormField::standard(FieldKind::Phone, false)]).unwrap_err().contains("required mobile"));
        let twice = vec![FormField::standard(FieldKind::Phone, true), FormField::standard(FieldKind::Phone, true)];
        assert!(check_fields(&twice).unwrap_err().contains("two fields"));
        let reserved = vec![FormField::standard(FieldKind::Phone, true), FormField { key: "website".into(), label: "Site".into(), kind: FieldKind::Custom, required: false }];
        assert!(check_fields(&reserved).unwrap_err().contains("reserved"));
    }

    #[test]
    fn submissions_are_checked() {
        let f = form();
        let ok = check_submission(&f, &fields(&[("name", " Ana Lee "), ("phone", "415 555 0100"), ("consent", "yes")])).unwrap();
        assert_eq!(ok.phone, "415 555 0100");
        assert_eq!(ok.values["name"], "Ana Lee");
        assert!(check_submission(&f, &fields(&[("phone", "4155550100"), ("consent", "true"), ("website", "http://spam")])).unwrap_err().contains("automated"));
        assert!(check_submission(&f, &fields(&[("phone", "4155550100")])).unwrap_err().contains("tick the box"));
        assert!(check_submission(&f, &fields(&[("consent", "yes")])).unwrap_err().contains("Mobile number is required"));
        assert!(check_submission(&f, &fields(&[("phone", "4155550100"), ("consent", "on"), ("email", "nope")])).unwrap_err().contains("not an email"));
        let long = "x".repeat(MAX_ANSWER_CHARS + 1);
        assert!(check_submission(&f, &fields(&[("phone", "4155550100"), ("consent", "1"), ("name", &long)])).unwrap_err().contains("too long"));
    }

    #[test]
    fn the_source_is_named() {
        let a = Attribution::from_fields(&fields(&[("utm_source", " Google "), ("utm_medium", "cpc")]));
        assert_eq!(a.source(), "google");
        assert_eq!(a.utm_medium.as_deref(), Some("cpc"));
        assert_eq!(Attribution::from_fields(&fields(&[("fbclid", "x")])).source(), "facebook");
        assert_eq!(Attribution::from_fields(&fields(&[("referrer", "https://www.Nextdoor.com/p/1?x")])).source(), "nextdoor.com");
        assert_eq!(Attribution::default().source(), "direct");
        assert_eq!(split_name("Ana  de la Cruz"), (Some("Ana".into()), Some("de la Cruz".into())));
    }
}
