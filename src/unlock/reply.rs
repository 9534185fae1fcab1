//! What a provider's reply means for lead offers. Pure, so the routing rules are tested on
//! their own: "Y", "Yes", "N", "No", optionally with a lead id ("Y lead_abc23456"), and any
//! message that mentions `lead_` at all.

use super::LeadId;

/// The provider's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
}

/// A reply as the lead-offer router reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadReply {
    pub answer: Option<Answer>,
    /// The lead the reply names, when it names a valid one.
    pub lead: Option<LeadId>,
    /// The text contains `lead_` (even a mistyped id): it is a lead response.
    pub mentions_lead: bool,
}

impl LeadReply {
    /// Whether the lead-offer router takes this message (before warm-lead handling).
    pub fn is_lead_response(&self) -> bool {
        self.answer.is_some() || self.mentions_lead
    }
}

/// Reads a reply. The answer is a word of its own: "Y", "yes", "N", "no" (any case, with
/// trailing punctuation), so "Yesterday" or "Nope, call me" are not answers.
pub fn parse(body: &str) -> LeadReply {
    let lower = body.to_lowercase();
    let mentions_lead = lower.contains("lead_");
    let words: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == ':').filter(|w| !w.is_empty()).collect();
    let mut answer = None;
    let mut lead = None;
    for w in &words {
        let w = w.trim_matches(|c: char| matches!(c, '.' | '!' | '?' | '"' | '\'' | '(' | ')'));
        match w {
            "y" | "yes" if answer.is_none() => answer = Some(Answer::Yes),
            "n" | "no" if answer.is_none() => answer = Some(Answer::No),
            _ if w.starts_with("lead_") && lead.is_none() => lead = LeadId::parse(w).ok(),
            _ => {}
        }
    }
    // A long message that merely contains "no" somewhere is not an answer: an answer is the
    // reply's first word, or the reply is only an answer and a lead id.
    let first = words.first().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')).unwrap_or("");
    let short = words.len() <= 2 + usize::from(lead.is_some());
    if !(matches!(first, "y" | "yes" | "n" | "no") || (short && words.iter().any(|w| w.starts_with("lead_")))) {
        answer = None;
    }
    LeadReply { answer, lead, mentions_lead }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_lead_ids() {
        assert_eq!(parse("Y").answer, Some(Answer::Yes));
        assert_eq!(parse("yes!").answer, Some(Answer::Yes));
        assert_eq!(parse(" No. ").answer, Some(Answer::No));
        assert_eq!(parse("n").answer, Some(Answer::No));
        let r = parse("Y lead_abc23456");
        assert_eq!((r.answer, r.lead.as_ref().map(LeadId::as_str)), (Some(Answer::Yes), Some("lead_abc23456")));
        let r = parse("lead_abc23456 yes");
        assert_eq!((r.answer, r.lead.as_ref().map(LeadId::as_str)), (Some(Answer::Yes), Some("lead_abc23456")));
        let r = parse("N, Lead_ABC23456");
        assert_eq!((r.answer, r.lead.as_ref().map(LeadId::as_str)), (Some(Answer::No), Some("lead_abc23456")));
    }

    #[test]
    fn other_texts_are_not_answers() {
        for text in ["Yesterday works", "Nope", "I have no idea what this is", "Is this still available? y or n?", "ok"] {
            assert_eq!(parse(text).answer, None, "{text}");
        }
        assert!(!parse("hello").is_lead_response());
        let typo = parse("what is lead_xyz?");
        assert!(typo.is_lead_response() && typo.lead.is_none() && typo.answer.is_none());
    }
}
