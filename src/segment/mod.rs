//! Segments: who a message is for. A list or a tag (or everyone), narrowed by conditions on
//! contact fields, custom attributes (imported CSV columns) and engagement, all of which must
//! hold. The model and its checks are shared with the browser; the store turns a checked
//! segment into SQL that runs unchanged on SQLite and PostgreSQL (`store::segments`).

use crate::ListId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;

/// Most conditions one segment may have.
pub const MAX_CONDITIONS: usize = 20;
/// Longest value or attribute name, in characters.
pub const MAX_VALUE_CHARS: usize = 200;

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Field {
    FirstName,
    LastName,
    Email,
    Phone,
    Timezone,
    /// A custom attribute, by its (imported column) name.
    Attribute(String),
    /// Days since the contact last wrote to us.
    DaysSinceInbound,
    /// Days since we last texted the contact (accepted by the provider).
    DaysSinceOutbound,
    /// Whether the contact is a warm lead.
    WarmLead,
}

/// Which operators a field takes, and what its value means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Text (fields and attributes; attributes also compare as numbers and dates).
    Text,
    /// A number of days since an event that may never have happened.
    Days,
    /// Yes or no.
    Flag,
}

impl Field {
    /// The fixed fields, in the order a builder offers them.
    pub const FIXED: [Field; 8] = [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Timezone,
        Field::DaysSinceInbound,
        Field::DaysSinceOutbound,
        Field::WarmLead,
    ];

    pub fn key(&self) -> String {
        match self {
            Field::FirstName => "first_name".into(),
            Field::LastName => "last_name".into(),
            Field::Email => "email".into(),
            Field::Phone => "phone".into(),
            Field::Timezone => "timezone".into(),
            Field::Attribute(name) => format!("attr:{name}"),
            Field::DaysSinceInbound => "days_since_inbound".into(),
            Field::DaysSinceOutbound => "days_since_outbound".into(),
            Field::WarmLead => "warm_lead".into(),
        }
    }

    pub fn parse(key: &str) -> Result<Field, String> {
        Ok(match key {
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "email" => Field::Email,
            "phone" => Field::Phone,
            "timezone" => Field::Timezone,
            "days_since_inbound" => Field::DaysSinceInbound,
            "days_since_outbound" => Field::DaysSinceOutbound,
            "warm_lead" => Field::WarmLead,
            other => match other.strip_prefix("attr:") {
                Some(name) => {
                    let name = name.trim();
                    if name.is_empty() || name.chars().count() > 60 || name.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
                        return Err(format!("'{}' is not an attribute name", crate::limits::ellipsize(name, 60)));
                    }
                    Field::Attribute(name.to_string())
                }
                None => return Err(format!("unknown field '{}'", crate::limits::ellipsize(other, 40))),
            },
        })
    }

    pub fn label(&self) -> String {
        match self {
            Field::FirstName => "First name".into(),
            Field::LastName => "Last name".into(),
            Field::Email => "Email".into(),
            Field::Phone => "Phone".into(),
            Field::Timezone => "Time zone".into(),
            Field::Attribute(name) => name.clone(),
            Field::DaysSinceInbound => "Days since they last replied".into(),
            Field::DaysSinceOutbound => "Days since we last texted".into(),
            Field::WarmLead => "Warm lead".into(),
        }
    }

    pub fn kind(&self) -> FieldKind {
        match self {
            Field::DaysSinceInbound | Field::DaysSinceOutbound => FieldKind::Days,
            Field::WarmLead => FieldKind::Flag,
            _ => FieldKind::Text,
        }
    }

    /// The operators this field takes, the first being the default.
    pub fn ops(&self) -> &'static [Op] {
        use Op::*;
        match self {
            Field::Attribute(_) => &[Equals, NotEquals, Contains, NotContains, IsSet, IsEmpty, Gt, Lt, Before, After, OlderThanDays, WithinDays],
            f if f.kind() == FieldKind::Text => &[Equals, NotEquals, Contains, NotContains, IsSet, IsEmpty],
            f if f.kind() == FieldKind::Days => &[Gt, Lt, IsEmpty, IsSet],
            _ => &[IsSet, IsEmpty],
        }
    }
}

impl TryFrom<String> for Field {
    type Error = String;
    fn try_from(s: String) -> Result<Field, String> {
        Field::parse(&s)
    }
}

impl From<Field> for String {
    fn from(f: Field) -> String {
        f.key()
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal, ignoring case and surrounding spaces.
    Equals,
    NotEquals,
    /// Contains the text, ignoring case.
    Contains,
    NotContains,
    /// Has a value (for days: it ever happened; for a flag: yes).
    IsSet,
    /// Has no value (for days: never; for a flag: no).
    IsEmpty,
    /// Greater than a number (for days: more than N days ago, or never).
    Gt,
    /// Less than a number (for days: within the last N days).
    Lt,
    /// A date (YYYY-MM-DD) before the given one.
    Before,
    /// A date on or after the given one.
    After,
    /// A date more than N days ago.
    OlderThanDays,
    /// A date within the last N days.
    WithinDays,
}

impl Op {
    pub const ALL: [Op; 12] = [
        Op::Equals,
        Op::NotEquals,
        Op::Contains,
        Op::NotContains,
        Op::IsSet,
        Op::IsEmpty,
        Op::Gt,
        Op::Lt,
        Op::Before,
        Op::After,
        Op::OlderThanDays,
        Op::WithinDays,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::NotEquals => "not_equals",
            Op::Contains => "contains",
            Op::NotContains => "not_contains",
            Op::IsSet => "is_set",
            Op::IsEmpty => "is_empty",
            Op::Gt => "gt",
            Op::Lt => "lt",
            Op::Before => "before",
            Op::After => "after",
            Op::OlderThanDays => "older_than_days",
            Op::WithinDays => "within_days",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.key() == s)
    }

    /// How a builder words this operator for a field of `kind`.
    pub fn label(self, kind: FieldKind) -> &'static str {
        match (kind, self) {
            (FieldKind::Days, Op::Gt) => "more than (days, or never)",
            (FieldKind::Days, Op::Lt) => "within the last (days)",
            (FieldKind::Days, Op::IsEmpty) => "never",
            (FieldKind::Days, Op::IsSet) => "ever",
            (FieldKind::Flag, Op::IsSet) => "yes",
            (FieldKind::Flag, Op::IsEmpty) => "no",
            (_, Op::Equals) => "is",
            (_, Op::NotEquals) => "is not",
            (_, Op::Contains) => "contains",
            (_, Op::NotContains) => "does not contain",
            (_, Op::IsSet) => "is set",
            (_, Op::IsEmpty) => "is empty",
            (_, Op::Gt) => "greater than",
            (_, Op::Lt) => "less than",
            (_, Op::Before) => "date before",
            (_, Op::After) => "date on or after",
            (_, Op::OlderThanDays) => "date more than N days ago",
            (_, Op::WithinDays) => "date within N days",
        }
    }

    /// Whether the operator needs a value typed in.
    pub fn takes_value(self) -> bool {
        !matches!(self, Op::IsSet | Op::IsEmpty)
    }
}

/// One condition: `field op value`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Condition {
    pub field: Field,
    pub op: Op,
    #[serde(default)]
    pub value: String,
}

/// A condition's value, checked and typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Text(String),
    Number(f64),
    Days(i64),
    Date(NaiveDate),
}

impl Condition {
    /// Checks the operator against the field and types the value.
    pub fn check(&self) -> Result<Value, String> {
        let name = self.field.label();
        if !self.field.ops().contains(&self.op) {
            return Err(format!("'{name}' can't be compared with '{}'", self.op.label(self.field.kind())));
        }
        let v = self.value.trim();
        if v.chars().count() > MAX_VALUE_CHARS {
            return Err(format!("the value for '{name}' is longer than {MAX_VALUE_CHARS} characters"));
        }
        let days = || -> Result<Value, String> {
            match v.parse::<i64>() {
                Ok(n) if (0..=36_500).contains(&n) => Ok(Value::Days(n)),
                _ => Err(format!("'{name}': give a whole number of days (0 to 36500), not '{}'", crate::limits::ellipsize(v, 20))),
            }
        };
        Ok(match self.op {
            Op::IsSet | Op::IsEmpty => Value::None,
            Op::Equals | Op::NotEquals | Op::Contains | Op::NotContains => {
                if v.is_empty() && matches!(self.op, Op::Contains | Op::NotContains) {
                    return Err(format!("'{name}': give the text to look for"));
                }
                Value::Text(v.to_string())
            }
            Op::Gt | Op::Lt if self.field.kind() == FieldKind::Days => days()?,
            Op::Gt | Op::Lt => match v.parse::<f64>() {
                Ok(n) if n.is_finite() => Value::Number(n),
                _ => return Err(format!("'{name}': give a number, not '{}'", crate::limits::ellipsize(v, 20))),
            },
            Op::Before | Op::After => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => Value::Date(d),
                Err(_) => return Err(format!("'{name}': give a date as YYYY-MM-DD, not '{}'", crate::limits::ellipsize(v, 20))),
            },
            Op::OlderThanDays | Op::WithinDays => days()?,
        })
    }

    /// "Days since they last replied more than (days, or never) 60".
    pub fn describe(&self) -> String {
        let op = self.op.label(self.field.kind());
        if self.op.takes_value() {
            format!("{} {} {}", self.field.label(), op, self.value.trim())
        } else {
            format!("{} {}", self.field.label(), op)
        }
    }
}

/// A segment: a list or a tag (or every contact), narrowed by conditions that must all hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Segment {
    #[serde(default)]
    pub list_id: Option<ListId>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

impl Segment {
    pub fn of_list(list: ListId) -> Segment {
        Segment { list_id: Some(list), ..Segment::default() }
    }

    /// Checks every condition; the typed values come back in order. A blank tag counts as none.
    pub fn check(&self) -> Result<Vec<Value>, String> {
        if self.conditions.len() > MAX_CONDITIONS {
            return Err(format!("a segment has at most {MAX_CONDITIONS} conditions"));
        }
        if let Some(t) = &self.tag {
            if t.chars().count() > 60 {
                return Err("a tag has at most 60 characters".into());
            }
        }
        self.conditions.iter().enumerate().map(|(i, c)| c.check().map_err(|e| format!("condition {}: {e}", i + 1))).collect()
    }

    /// The tag, trimmed, if one is given.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }

    /// The conditions in words, joined with "and" (empty without conditions).
    pub fn describe_conditions(&self) -> String {
        self.conditions.iter().map(Condition::describe).collect::<Vec<_>>().join(" and ")
    }
}

/// A live count of a segment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    /// Contacts matching the segment.
    pub matching: i64,
    /// Of those, contacts that can be texted (not opted out, flagged or unreachable).
    pub textable: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(field: &str, op: Op, value: &str) -> Condition {
        Condition { field: Field::parse(field).unwrap(), op, value: value.into() }
    }

    #[test]
    fn fields_round_trip_through_their_keys_and_json() {
        for f in Field::FIXED.into_iter().chain([Field::Attribute("preferred category".into())]) {
            assert_eq!(Field::parse(&f.key()), Ok(f.clone()));
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), f);
        }
        assert!(Field::parse("attr:  ").is_err());
        assert!(Field::parse("salary").is_err());
        for o in Op::ALL {
            assert_eq!(Op::parse(o.key()), Some(o));
        }
        let s: Segment = serde_json::from_str(r#"{"tag":"vip","conditions":[{"field":"attr:avg_spend","op":"gt","value":"40"}]}"#).unwrap();
        assert_eq!(s.conditions[0].field, Field::Attribute("avg_spend".into()));
    }

    #[test]
    fn values_are_typed_by_the_operator_and_bad_ones_named() {
        assert_eq!(cond("attr:avg_spend", Op::Gt, " 42.5 ").check(), Ok(Value::Number(42.5)));
        assert_eq!(cond("days_since_inbound", Op::Gt, "60").check(), Ok(Value::Days(60)));
        assert_eq!(cond("attr:last_visit", Op::Before, "2026-09-01").check(), Ok(Value::Date(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap())));
        assert_eq!(cond("warm_lead", Op::IsSet, "ignored").check(), Ok(Value::None));
        let e = cond("attr:avg_spend", Op::Gt, "lots").check().unwrap_err();
        assert!(e.contains("give a number") && e.contains("avg_spend"), "{e}");
        assert!(cond("days_since_inbound", Op::Gt, "-3").check().is_err());
        assert!(cond("attr:last_visit", Op::Before, "09/01/2026").check().unwrap_err().contains("YYYY-MM-DD"));
        assert!(cond("first_name", Op::Gt, "3").check().unwrap_err().contains("can't be compared"));
        assert!(cond("email", Op::Contains, " ").check().is_err());
        let many = Segment { conditions: vec![cond("email", Op::IsSet, ""); MAX_CONDITIONS + 1], ..Segment::default() };
        assert!(many.check().is_err());
        let bad_second = Segment { conditions: vec![cond("email", Op::IsSet, ""), cond("attr:x", Op::Lt, "y")], ..Segment::default() };
        assert!(bad_second.check().unwrap_err().starts_with("condition 2:"));
    }

    #[test]
    fn conditions_read_as_words() {
        let s = Segment { conditions: vec![cond("days_since_inbound", Op::Gt, "60"), cond("attr:category", Op::Equals, "Flower")], ..Segment::default() };
        assert_eq!(s.describe_conditions(), "Days since they last replied more than (days, or never) 60 and category is Flower");
    }
}
