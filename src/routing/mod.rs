//! Routing: who takes a new lead or conversation. Rules in priority order, each a condition on
//! the contact's fields, source or score and a target: a member, or a group whose available
//! members take turns. When no rule matches, the default round robin among every available
//! member (when it is on). The rules are pure and shared with the browser; the service that
//! assigns (and keeps each pool's turn in the database) is server-only.

use crate::scoring::{field_label, field_matches, FieldOp};
use crate::UserId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[cfg(feature = "ssr")]
pub mod service;

pub const MAX_RULES: usize = 30;
pub const MAX_GROUPS: usize = 20;
/// The pool key of the default round robin (groups use their name).
pub const EVERYONE: &str = "*";

/// What a rule looks at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "if", rename_all = "snake_case")]
pub enum Condition {
    /// Every contact.
    Always,
    /// A field or custom attribute (city, service type, budget, …) meets a condition.
    Field { key: String, op: FieldOp, value: String },
    /// The lead's source (utm_source, or google, facebook, a referrer's host, direct).
    Source { value: String },
    /// The lead score is at least this.
    ScoreAtLeast { score: i32 },
}

impl Condition {
    pub const KINDS: [(&'static str, &'static str); 4] = [("always", "Any contact"), ("field", "A field"), ("source", "Source is"), ("score_at_least", "Score is at least")];

    pub fn kind(&self) -> &'static str {
        match self {
            Condition::Always => "always",
            Condition::Field { .. } => "field",
            Condition::Source { .. } => "source",
            Condition::ScoreAtLeast { .. } => "score_at_least",
        }
    }

    /// How the rule reads: "city is Oakland", "source is google", "score ≥ 60".
    pub fn describe(&self) -> String {
        match self {
            Condition::Always => "any contact".into(),
            Condition::Field { key, op, value } if *op == FieldOp::Present => format!("{} {}", field_label(key), op.label()),
            Condition::Field { key, op, value } => format!("{} {} {}", field_label(key), op.label(), value.trim()),
            Condition::Source { value } => format!("source is {}", value.trim().to_lowercase()),
            Condition::ScoreAtLeast { score } => format!("score ≥ {score}"),
        }
    }

    pub fn matches(&self, c: &Candidate) -> bool {
        match self {
            Condition::Always => true,
            Condition::Field { key, op, value } => field_matches(&c.fields, key, *op, value),
            Condition::Source { value } => c.source.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(value.trim())),
            Condition::ScoreAtLeast { score } => c.score >= *score,
        }
    }
}

/// Who a rule gives the contact to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Target {
    Member { user_id: UserId },
    /// The group's available members, in turn.
    Group { group: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    pub when: Condition,
    pub to: Target,
}

/// A named set of members who take turns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub members: Vec<UserId>,
}

/// Everything on the Routing page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingSettings {
    /// First match wins.
    pub rules: Vec<RoutingRule>,
    #[serde(default)]
    pub groups: Vec<Group>,
    /// When no rule matches: every available member in turn. Off, such a contact stays
    /// unassigned (the inbox's Unassigned view).
    #[serde(default)]
    pub round_robin: bool,
}

/// What routing knows about the contact being routed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    pub fields: BTreeMap<String, String>,
    pub source: Option<String>,
    pub score: i32,
}

/// Where a contact goes: one member, or whoever's turn it is in a pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    Member(UserId),
    /// `members` in id order, all available; `pool` keys the turn ("*" or the group's name).
    Turn { pool: String, members: Vec<UserId> },
}

/// The decision with its reason, for the log and the tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The rule that matched (0-based), `None` for the default round robin.
    pub rule: Option<usize>,
    pub pick: Pick,
}

impl RoutingSettings {
    /// Checks what a person entered (the service also checks that members exist).
    pub fn check(&self) -> Result<(), String> {
        if self.rules.len() > MAX_RULES {
            return Err(format!("at most {MAX_RULES} rules"));
        }
        if self.groups.len() > MAX_GROUPS {
            return Err(format!("at most {MAX_GROUPS} groups"));
        }
        let mut names = BTreeSet::new();
        for g in &self.groups {
            let name = g.name.trim();
            if name.is_empty() || name.chars().count() > 60 {
                return Err("a group needs a name of at most 60 characters".into());
            }
            if name == EVERYONE {
                return Err("'*' is not a group name".into());
            }
            if !names.insert(name.to_lowercase()) {
                return Err(format!("two groups are called '{name}'"));
            }
            if g.members.is_empty() {
                return Err(format!("the group '{name}' has no members"));
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            let n = i + 1;
            match &r.when {
                Condition::Always => {}
                Condition::Field { key, op, value } => {
                    if key.trim().is_empty() || key.len() > 60 {
                        return Err(format!("rule {n}: name the field (at most 60 characters)"));
                    }
                    if value.len() > 200 {
                        return Err(format!("rule {n}: the value is too long"));
                    }
                    match op {
                        FieldOp::AtLeast | FieldOp::AtMost if crate::scoring::first_number(value).is_none() => return Err(format!("rule {n}: '{}' is not a number", value.trim())),
                        FieldOp::Is | FieldOp::Contains if value.trim().is_empty() => return Err(format!("rule {n}: give the value to look for")),
                        _ => {}
                    }
                }
                Condition::Source { value } => {
                    if value.trim().is_empty() || value.len() > 100 {
                        return Err(format!("rule {n}: give the source, such as google or facebook"));
                    }
                }
                Condition::ScoreAtLeast { score } => {
                    if !(0..=100).contains(score) {
                        return Err(format!("rule {n}: a score is 0 to 100"));
                    }
                }
            }
            if let Target::Group { group } = &r.to {
                if !names.contains(&group.trim().to_lowercase()) {
                    return Err(format!("rule {n}: there is no group '{}'", group.trim()));
                }
            }
        }
        Ok(())
    }

    /// Where `c` goes, given who is available now. A rule whose member is away, or whose
    /// group has nobody available, is passed over for the next one.
    pub fn route(&self, c: &Candidate, available: &BTreeSet<UserId>) -> Option<Route> {
        for (i, r) in self.rules.iter().enumerate() {
            if !r.when.matches(c) {
                continue;
            }
            let pick = match &r.to {
                Target::Member { user_id } => available.contains(user_id).then_some(Pick::Member(*user_id)),
                Target::Group { group } => self.groups.iter().find(|g| g.name.trim().eq_ignore_ascii_case(group.trim())).and_then(|g| {
                    let members: BTreeSet<UserId> = g.members.iter().copied().filter(|m| available.contains(m)).collect();
                    (!members.is_empty()).then(|| Pick::Turn { pool: g.name.trim().to_lowercase(), members: members.into_iter().collect() })
                }),
            };
            if let Some(pick) = pick {
                return Some(Route { rule: Some(i), pick });
            }
        }
        (self.round_robin && !available.is_empty()).then(|| Route { rule: None, pick: Pick::Turn { pool: EVERYONE.into(), members: available.iter().copied().collect() } })
    }
}

/// Whose turn it is: the first member after `last` (by id), wrapping round. `members` is in id
/// order and not empty.
pub fn next_in_turn(members: &[UserId], last: Option<UserId>) -> UserId {
    last.and_then(|l| members.iter().find(|m| m.0 > l.0)).or(members.first()).copied().expect("a turn needs members")
}

/// A member as the Routing page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: UserId,
    pub email: String,
    pub available: bool,
    /// Open conversations assigned to them.
    pub open: i64,
}

/// The Routing page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingOverview {
    pub settings: RoutingSettings,
    pub members: Vec<Member>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(ids: &[i64]) -> BTreeSet<UserId> {
        ids.iter().map(|i| UserId(*i)).collect()
    }

    fn settings() -> RoutingSettings {
        RoutingSettings {
            rules: vec![
                RoutingRule { when: Condition::ScoreAtLeast { score: 80 }, to: Target::Member { user_id: UserId(1) } },
                RoutingRule { when: Condition::Field { key: "city".into(), op: FieldOp::Is, value: "Oakland".into() }, to: Target::Group { group: "East Bay".into() } },
                RoutingRule { when: Condition::Source { value: "Google".into() }, to: Target::Member { user_id: UserId(4) } },
            ],
            groups: vec![Group { name: "East Bay".into(), members: vec![UserId(3), UserId(2)] }],
            round_robin: true,
        }
    }

    fn lead(city: &str, source: &str, score: i32) -> Candidate {
        Candidate { fields: [("City".to_string(), city.to_string())].into(), source: Some(source.into()), score }
    }

    #[test]
    fn the_first_matching_rule_with_someone_available_wins() {
        let s = settings();
        assert_eq!(s.check(), Ok(()));
        let all = u(&[1, 2, 3, 4]);
        // Hot and from Oakland: the first rule.
        assert_eq!(s.route(&lead("Oakland", "google", 90), &all), Some(Route { rule: Some(0), pick: Pick::Member(UserId(1)) }));
        // Member 1 away: the next rule that matches, the group, in id order.
        assert_eq!(
            s.route(&lead("oakland", "google", 90), &u(&[2, 3, 4])),
            Some(Route { rule: Some(1), pick: Pick::Turn { pool: "east bay".into(), members: vec![UserId(2), UserId(3)] } })
        );
        // The group's members both away: the source rule.
        assert_eq!(s.route(&lead("Oakland", "GOOGLE", 10), &u(&[1, 4])).map(|r| r.rule), Some(Some(2)));
        // Nothing matches: everyone available, in turn.
        assert_eq!(s.route(&lead("Fresno", "direct", 10), &u(&[4, 2])), Some(Route { rule: None, pick: Pick::Turn { pool: "*".into(), members: vec![UserId(2), UserId(4)] } }));
        // Round robin off, or nobody available: unassigned.
        let off = RoutingSettings { round_robin: false, ..settings() };
        assert_eq!(off.route(&lead("Fresno", "direct", 10), &all), None);
        assert_eq!(s.route(&lead("Fresno", "direct", 10), &u(&[])), None);
    }

    #[test]
    fn turns_go_round_in_id_order() {
        let m = [UserId(2), UserId(5), UserId(9)];
        assert_eq!(next_in_turn(&m, None), UserId(2));
        assert_eq!(next_in_turn(&m, Some(UserId(2))), UserId(5));
        assert_eq!(next_in_turn(&m, Some(UserId(5))), UserId(9));
        assert_eq!(next_in_turn(&m, Some(UserId(9))), UserId(2));
        // The last one left the pool: the next after them still.
        assert_eq!(next_in_turn(&m, Some(UserId(6))), UserId(9));
    }

    #[test]
    fn bad_settings_say_what_to_fix() {
        let mut s = settings();
        s.rules[1].to = Target::Group { group: "West".into() };
        assert_eq!(s.check(), Err("rule 2: there is no group 'West'".into()));
        let mut s = settings();
        s.groups.push(Group { name: "east bay".into(), members: vec![UserId(1)] });
        assert_eq!(s.check(), Err("two groups are called 'east bay'".into()));
        let mut s = settings();
        s.rules[0].when = Condition::ScoreAtLeast { score: 140 };
        assert_eq!(s.check(), Err("rule 1: a score is 0 to 100".into()));
        let mut s = settings();
        s.groups[0].members.clear();
        assert!(s.check().unwrap_err().contains("no members"));
    }
}
