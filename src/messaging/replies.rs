//! Wording of automatic replies, editable in Settings; defaults here.

use crate::store::{settings, Db, Result};

/// The business name (one name for it everywhere: "Business name"). Asked at setup; replies,
/// sample texts and the farming check use it. Stored under its historical key.
pub const BRAND: &str = "brand_name";
/// The organisation's IANA time zone, asked at setup (overrides `ORG_TIMEZONE` once set).
pub const ORG_TIMEZONE: &str = "org_timezone";
pub const OPT_OUT_REPLY: &str = "reply_opt_out";
pub const OPT_IN_REPLY: &str = "reply_opt_in";
pub const HELP_REPLY: &str = "reply_help";
pub const WARM_LEAD_REPLY: &str = "reply_warm_lead";
/// Comma-separated words that make a reply to a farming message a warm lead.
pub const INTEREST_KEYWORDS: &str = "interest_keywords";

pub const ALL: [&str; 6] = [BRAND, OPT_OUT_REPLY, OPT_IN_REPLY, HELP_REPLY, WARM_LEAD_REPLY, INTEREST_KEYWORDS];

pub fn default_for(key: &str) -> &'static str {
    match key {
        BRAND => "Warmline",
        OPT_OUT_REPLY => "{brand}: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
        OPT_IN_REPLY => "{brand}: You are resubscribed. Reply STOP to unsubscribe, HELP for help.",
        HELP_REPLY => "{brand}: Reply STOP to unsubscribe. Msg&data rates may apply.",
        WARM_LEAD_REPLY => "Thanks! We'll call you shortly.",
        INTEREST_KEYWORDS => "YES, Y, INTERESTED, QUOTE",
        _ => "",
    }
}

/// The configured text for `key` (or its default), with `{brand}` filled in.
pub async fn text(db: &Db, key: &str) -> Result<String> {
    let brand = settings::get_value(db, BRAND).await?.unwrap_or_else(|| default_for(BRAND).to_string());
    let raw = settings::get_value(db, key).await?.unwrap_or_else(|| default_for(key).to_string());
    Ok(raw.replace("{brand}", &brand))
}

/// The business name, or "Warmline" on an installation that never set one.
pub async fn business_name(db: &Db) -> Result<String> {
    Ok(settings::get_value(db, BRAND).await?.unwrap_or_else(|| default_for(BRAND).to_string()))
}

/// Checks a business name: 1 to [`crate::limits::TITLE`] characters, trimmed.
pub fn check_business_name(name: &str) -> std::result::Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("give your business name: messages and STOP/HELP replies name it".into());
    }
    crate::limits::check("the business name", name, crate::limits::TITLE)?;
    Ok(name.to_string())
}

/// The organisation's zone as saved in Settings, if it was.
pub async fn org_timezone(db: &Db) -> Result<Option<chrono_tz::Tz>> {
    Ok(settings::get_value(db, ORG_TIMEZONE).await?.and_then(|z| z.parse().ok()))
}

/// Checks an IANA zone name such as `America/Chicago`.
pub fn check_timezone(zone: &str) -> std::result::Result<chrono_tz::Tz, String> {
    zone.trim().parse::<chrono_tz::Tz>().map_err(|_| format!("unknown time zone '{}' (use a name like America/Chicago)", crate::limits::ellipsize(zone.trim(), 60)))
}

/// The configured interest keywords.
pub async fn keywords(db: &Db) -> Result<crate::sms::keywords::Keywords> {
    let raw = settings::get_value(db, INTEREST_KEYWORDS).await?.unwrap_or_else(|| default_for(INTEREST_KEYWORDS).to_string());
    let interest: Vec<String> = raw.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
    Ok(if interest.is_empty() { crate::sms::keywords::Keywords::default() } else { crate::sms::keywords::Keywords { interest } })
}

/// The editable reply texts and interest keywords, as (key, value): saved values, else defaults.
pub async fn reply_settings(db: &Db) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for key in ALL.into_iter().filter(|k| *k != BRAND) {
        let v = settings::get_value(db, key).await?.unwrap_or_else(|| default_for(key).to_string());
        out.push((key.to_string(), v));
    }
    Ok(out)
}

/// What an admin saves under Settings → Replies.
pub struct ReplySettings<'a> {
    pub opt_out: &'a str,
    pub opt_in: &'a str,
    pub help: &'a str,
    pub warm_lead: &'a str,
    /// Comma-separated; none may be a STOP, START or HELP word.
    pub interest_keywords: &'a str,
}

/// Checks every field, then saves them all: a bad field saves nothing.
pub async fn save_reply_settings(db: &Db, r: &ReplySettings<'_>) -> Result<()> {
    use crate::sms::keywords::{classify, Intent};
    use crate::store::StoreError;
    let words: Vec<String> = r.interest_keywords.split(',').map(|w| w.trim().to_uppercase()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Err(StoreError::Invalid("give at least one interest keyword, e.g. YES".into()));
    }
    if let Some(w) = words.iter().find(|w| !matches!(classify(w), Intent::Interest | Intent::Other)) {
        return Err(StoreError::Invalid(format!("'{w}' is a STOP, START or HELP word and can't mean interest")));
    }
    let keywords = words.join(", ");
    let values = [(OPT_OUT_REPLY, r.opt_out), (OPT_IN_REPLY, r.opt_in), (HELP_REPLY, r.help), (WARM_LEAD_REPLY, r.warm_lead), (INTEREST_KEYWORDS, keywords.as_str())];
    for (key, value) in &values {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > 320 {
            return Err(StoreError::Invalid(format!("{key} needs 1 to 320 characters")));
        }
    }
    for (key, value) in values {
        settings::set_value(db, key, value.trim()).await?;
    }
    Ok(())
}
