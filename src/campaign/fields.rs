//! The one list of merge fields every template uses: drips, farming, warm-lead broadcasts and
//! whatever sends templated text next. Built-in contact fields first, then the custom attributes
//! that imports brought in (a CSV column such as `city`).

use super::template::{Template, TemplateError, CONTACT_FIELDS};
use serde::{Deserialize, Serialize};

/// The fields a template may name. The server builds it from the database
/// (`store::campaigns::merge_fields`); pages get it from there, so the list a person sees is
/// the list the server checks against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeFields {
    /// Custom attribute keys, sorted.
    pub custom: Vec<String>,
}

impl MergeFields {
    pub fn new(custom: Vec<String>) -> MergeFields {
        MergeFields { custom }
    }

    /// Every field, built-in first.
    pub fn all(&self) -> Vec<String> {
        CONTACT_FIELDS.iter().map(|f| f.to_string()).chain(self.custom.iter().cloned()).collect()
    }

    /// Parses `src`, checking every field against this list.
    pub fn parse(&self, src: &str) -> Result<Template, Vec<TemplateError>> {
        let refs: Vec<&str> = self.custom.iter().map(String::as_str).collect();
        Template::parse(src, &refs)
    }

    /// For sending a template that was checked when it was saved: when a field has since
    /// dropped out of the list (no recent contact has that column any more), it still parses,
    /// and a contact without the value fails alone instead of the whole batch or campaign.
    pub fn parse_saved(&self, src: &str) -> Result<Template, Vec<TemplateError>> {
        self.parse(src).or_else(|_| Template::parse(src, &fields_named_in(src)))
    }
}

/// The field names a template mentions, checked or not.
pub fn fields_named_in(src: &str) -> Vec<&str> {
    src.split("{{")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(|inner| inner.split('|').next().unwrap_or("").trim())
        .filter(|f| !f.is_empty())
        .collect()
}

impl MergeFields {
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_attributes_are_fields_like_the_built_in_ones() {
        let f = MergeFields::new(vec!["city".into()]);
        assert!(f.parse("Hi {{ first_name }} in {{ city }}").is_ok());
        assert!(MergeFields::default().parse("Hi {{ city }}").is_err());
        assert_eq!(f.all().last().map(String::as_str), Some("city"));
        assert!(f.all().contains(&"first_name".to_string()));
    }

    #[test]
    fn a_saved_template_still_parses_when_a_field_dropped_out() {
        let none = MergeFields::default();
        assert!(none.parse("Hi {{ city }}").is_err());
        assert!(none.parse_saved("Hi {{ city }}").is_ok());
        assert_eq!(fields_named_in("Hi {{ First_Name | default(\"x\") }}, {{roof}}!"), vec!["First_Name", "roof"]);
    }
}
