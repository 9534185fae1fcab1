//! CRM basics on top of contacts: editing a contact, notes, and the warm-lead pipeline.
//! The models are shared with the browser; the use-cases (server only) live in
//! [`service`].

use crate::{ContactId, ListId, Millis, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
pub mod service;

/// Changes to a contact: each field present is replaced, each absent one is kept. The phone
/// number is the contact's key and can't be changed (delete and re-create instead).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// The whole set of custom attributes (a key left out is removed).
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
    /// The whole set of tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The whole set of lists the contact is on.
    #[serde(default)]
    pub list_ids: Option<Vec<ListId>>,
}

impl ContactPatch {
    /// Every text within [`crate::limits`]; an empty string clears a field.
    pub fn check(&self) -> Result<(), String> {
        let empty = BTreeMap::new();
        let attributes = self.attributes.as_ref().unwrap_or(&empty);
        if attributes.keys().any(|k| k.trim().is_empty()) {
            return Err("an attribute needs a name".into());
        }
        crate::contact::check_person_fields(
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.email.as_deref(),
            self.timezone.as_deref(),
            self.tags.as_deref().unwrap_or_default(),
            attributes,
        )?;
        if let Some(e) = self.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            if !e.contains('@') || e.contains(char::is_whitespace) {
                return Err(format!("'{}' is not an email address", crate::limits::ellipsize(e, 60)));
            }
        }
        Ok(())
    }
}

/// A note a team member left on a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: i64,
    pub contact_id: ContactId,
    pub body: String,
    pub author_id: Option<UserId>,
    pub author: Option<String>,
    pub created_at: Millis,
}

/// A text a member can pick in a conversation; `{{ first_name }}` and the other template
/// fields are filled in for the contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReply {
    pub id: i64,
    pub name: String,
    pub body: String,
}

/// Checks a saved reply: a name, a text within a message's length, and well-formed `{{ }}`
/// fields (any field name: custom attributes differ between contacts).
pub fn check_saved_reply(name: &str, body: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.trim().chars().count() > 60 {
        return Err("a saved reply needs a name of at most 60 characters".into());
    }
    if body.trim().is_empty() {
        return Err("the saved reply is empty".into());
    }
    crate::limits::check("the saved reply", body, crate::limits::MESSAGE)?;
    let keys = template_keys(body);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    crate::campaign::template::Template::parse(body, &keys).map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
    Ok(())
}

/// The field names written between `{{` and `}}` (lower-cased, before any `|`).
pub fn template_keys(body: &str) -> Vec<String> {
    body.split("{{").skip(1).filter_map(|p| p.split_once("}}")).map(|(inner, _)| inner.split('|').next().unwrap_or("").trim().to_lowercase()).filter(|k| !k.is_empty()).collect()
}

/// What deleting a contact removes, shown before it happens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteImpact {
    pub messages: i64,
    pub notes: i64,
    pub enrollments: i64,
    pub lists: i64,
    /// The number opted out: its opt-out is kept so it can't be messaged again.
    pub keeps_opt_out: bool,
}

/// A stage of the warm-lead pipeline (New, Contacted, Quoted, Won, Lost by default).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stage {
    pub id: i64,
    pub name: String,
    pub position: i64,
}

/// A contact on the pipeline board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineCard {
    pub contact_id: ContactId,
    pub name: String,
    pub phone: String,
    pub stage_id: Option<i64>,
    /// The warm lead's reply, when the contact is one.
    pub reply: Option<String>,
    pub since: Millis,
}

/// The board: stages in order, and the warm leads and staged contacts on it. Contacts with no
/// stage show under the first stage ("New").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub stages: Vec<Stage>,
    pub cards: Vec<PipelineCard>,
}

impl Board {
    /// The cards in `stage`; unstaged cards belong to the first stage.
    pub fn in_stage(&self, stage: i64) -> impl Iterator<Item = &PipelineCard> {
        let first = self.stages.first().map(|s| s.id);
        self.cards.iter().filter(move |c| c.stage_id.or(first) == Some(stage))
    }
}

#[cfg(test)]
mod saved_reply_tests {
    use super::*;

    #[test]
    fn saved_replies_are_checked() {
        assert_eq!(check_saved_reply("Hello", "Hi {{ first_name | default('there') }}, it's {{city}}!"), Ok(()));
        assert_eq!(template_keys("Hi {{ first_name | default('x') }} {{City}}"), ["first_name", "city"]);
        assert!(check_saved_reply(" ", "Hi").is_err());
        assert!(check_saved_reply("Hello", "Hi {{ first_name").unwrap_err().contains("unclosed"));
        assert!(check_saved_reply("Hello", &"x".repeat(2000)).is_err());
    }
}

/// Checks a stage name.
pub fn check_stage_name(name: &str) -> Result<String, String> {
    let n = name.trim();
    if n.is_empty() {
        return Err("give the stage a name".into());
    }
    crate::limits::check("the stage name", n, 40)?;
    Ok(n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_checked() {
        assert!(ContactPatch { first_name: Some("Ann".into()), ..Default::default() }.check().is_ok());
        assert!(ContactPatch { first_name: Some("x".repeat(101)), ..Default::default() }.check().unwrap_err().contains("too long"));
        assert!(ContactPatch { email: Some("nope".into()), ..Default::default() }.check().is_err());
        assert!(ContactPatch { email: Some(String::new()), ..Default::default() }.check().is_ok(), "empty clears");
        let attrs = BTreeMap::from([(" ".to_string(), "x".to_string())]);
        assert!(ContactPatch { attributes: Some(attrs), ..Default::default() }.check().is_err());
    }

    #[test]
    fn unstaged_cards_sit_in_the_first_stage() {
        let card = |id: i64, stage: Option<i64>| PipelineCard { contact_id: ContactId(id), name: String::new(), phone: String::new(), stage_id: stage, reply: None, since: 0 };
        let board = Board {
            stages: vec![Stage { id: 1, name: "New".into(), position: 0 }, Stage { id: 2, name: "Won".into(), position: 1 }],
            cards: vec![card(1, None), card(2, Some(2)), card(3, Some(1))],
        };
        assert_eq!(board.in_stage(1).map(|c| c.contact_id.0).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(board.in_stage(2).count(), 1);
        assert!(check_stage_name("  ").is_err());
    }
}
