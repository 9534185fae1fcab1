//! The lead-offer texts: the teaser, the payment link and the reveal are editable (Settings →
//! Lead unlock); the short notices are fixed. Placeholders are `{{name}}`; a template may only
//! use the placeholders its message has, checked when it is saved.

use std::collections::BTreeMap;

/// Which editable text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Text {
    Teaser,
    PaymentLink,
    Reveal,
}

impl Text {
    pub const ALL: [Text; 3] = [Text::Teaser, Text::PaymentLink, Text::Reveal];

    /// The settings key it is saved under.
    pub fn key(self) -> &'static str {
        match self {
            Text::Teaser => "unlock_template_teaser",
            Text::PaymentLink => "unlock_template_payment_link",
            Text::Reveal => "unlock_template_reveal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Text::Teaser => "Teaser",
            Text::PaymentLink => "Payment link",
            Text::Reveal => "Reveal (after payment)",
        }
    }

    pub fn default_text(self) -> &'static str {
        match self {
            Text::Teaser => DEFAULT_TEASER,
            Text::PaymentLink => DEFAULT_PAYMENT_LINK,
            Text::Reveal => DEFAULT_REVEAL,
        }
    }

    /// The placeholders this text may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        const PUBLIC: &[&str] = &["provider_first_name", "city", "service_type", "time_window", "budget", "price", "lead_id", "business"];
        const LINK: &[&str] = &["provider_first_name", "city", "service_type", "time_window", "budget", "price", "lead_id", "business", "payment_url"];
        const REVEAL: &[&str] = &["provider_first_name", "city", "service_type", "time_window", "budget", "price", "lead_id", "business", "client_name", "client_phone", "client_email", "address", "notes"];
        match self {
            Text::Teaser => PUBLIC,
            Text::PaymentLink => LINK,
            Text::Reveal => REVEAL,
        }
    }

    /// Must appear in the text (a payment-link message without the link is useless).
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Text::Teaser => &["lead_id"],
            Text::PaymentLink => &["payment_url"],
            Text::Reveal => &["client_phone"],
        }
    }
}

pub const DEFAULT_TEASER: &str = "{{provider_first_name}}, new client inquiry in {{city}}. Type: {{service_type}}. Time window: {{time_window}}. Budget: {{budget}}. Reply Y to unlock contact details for {{price}}. Reply N to skip. Lead {{lead_id}}.";
pub const DEFAULT_PAYMENT_LINK: &str = "{{provider_first_name}}, complete your {{price}} payment to unlock client details: {{payment_url}} (Lead {{lead_id}})";
pub const DEFAULT_REVEAL: &str = "{{provider_first_name}}, client details for lead {{lead_id}}: {{client_name}}, {{client_phone}}, {{client_email}}, {{address}}. Notes: {{notes}}. {{business}} provides advertising access to client inquiries. We do not arrange or guarantee appointments.";

/// Fixed notices.
pub const TAKEN: &str = "{{provider_first_name}}, lead {{lead_id}} in {{city}} has been taken. No payment is needed. Thanks!";
pub const REFUNDED: &str = "{{provider_first_name}}, your {{price}} payment for lead {{lead_id}} was refunded: {{reason}}.";
pub const WHICH_LEAD: &str = "You have {{count}} open leads: {{lead_ids}}. Reply Y or N with the lead, e.g. \"Y {{first_lead_id}}\".";
pub const UNKNOWN_LEAD: &str = "We could not find an open lead with that id. Your open leads: {{lead_ids}}.";
pub const DECLINED: &str = "OK, lead {{lead_id}} skipped. Thanks!";

/// Placeholder values.
pub type Vars = BTreeMap<&'static str, String>;

/// Replaces each `{{name}}` (spaces inside the braces allowed) with its value; an unknown
/// placeholder is left as written (templates are checked when saved).
pub fn render(template: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks a template before it is saved: every placeholder known, the required ones present.
pub fn check(text: Text, template: &str) -> Result<(), String> {
    if template.trim().is_empty() {
        return Err(format!("the {} text is empty", text.label().to_lowercase()));
    }
    let mut rest = template;
    let mut used = Vec::new();
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { return Err("a {{ is not closed with }}".into()) };
        let name = after[..end].trim();
        if !text.placeholders().contains(&name) {
            return Err(format!("unknown placeholder {{{{{name}}}}}; this text may use: {}", text.placeholders().join(", ")));
        }
        used.push(name.to_string());
        rest = &after[end + 2..];
    }
    for req in text.required() {
        if !used.iter().any(|u| u == req) {
            return Err(format!("the {} text must contain {{{{{req}}}}}", text.label().to_lowercase()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_default_teaser() {
        let mut v = Vars::new();
        for (k, val) in [("provider_first_name", "Bob"), ("city", "Austin"), ("service_type", "roofing"), ("time_window", "this week"), ("budget", "$5-10k"), ("price", "$20"), ("lead_id", "lead_abc23456")] {
            v.insert(k, val.into());
        }
        assert_eq!(
            render(DEFAULT_TEASER, &v),
            "Bob, new client inquiry in Austin. Type: roofing. Time window: this week. Budget: $5-10k. Reply Y to unlock contact details for $20. Reply N to skip. Lead lead_abc23456."
        );
        assert_eq!(render("{{ city }} {{unknown}} {{", &v), "Austin {{unknown}} {{");
    }

    #[test]
    fn checks_placeholders() {
        for t in Text::ALL {
            check(t, t.default_text()).unwrap();
        }
        assert!(check(Text::Teaser, "Hi {{client_phone}} {{lead_id}}").is_err(), "a teaser can't reveal the client");
        assert!(check(Text::PaymentLink, "Pay now").is_err(), "the link is required");
        assert!(check(Text::Reveal, "{{client_name").is_err());
    }
}
