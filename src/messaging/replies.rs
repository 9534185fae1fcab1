//! Wording of automatic replies, editable in Settings; defaults here.

use crate::store::{settings, Db, Result};

pub const BRAND: &str = "brand_name";
pub const OPT_OUT_REPLY: &str = "reply_opt_out";
pub const OPT_IN_REPLY: &str = "reply_opt_in";
pub const HELP_REPLY: &str = "reply_help";

pub const ALL: [&str; 4] = [BRAND, OPT_OUT_REPLY, OPT_IN_REPLY, HELP_REPLY];

pub fn default_for(key: &str) -> &'static str {
    match key {
        BRAND => "Warmline",
        OPT_OUT_REPLY => "{brand}: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
        OPT_IN_REPLY => "{brand}: You are resubscribed. Reply STOP to unsubscribe, HELP for help.",
        HELP_REPLY => "{brand}: Reply STOP to unsubscribe. Msg&data rates may apply.",
        _ => "",
    }
}

/// The configured text for `key` (or its default), with `{brand}` filled in.
pub async fn text(db: &Db, key: &str) -> Result<String> {
    let brand = settings::get_value(db, BRAND).await?.unwrap_or_else(|| default_for(BRAND).to_string());
    let raw = settings::get_value(db, key).await?.unwrap_or_else(|| default_for(key).to_string());
    Ok(raw.replace("{brand}", &brand))
}
