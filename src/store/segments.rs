//! Segments as SQL: a checked [`Segment`] becomes one `WHERE` fragment over `contacts c`, with
//! its values bound as parameters (never spliced into the text), the same on SQLite and
//! PostgreSQL except for the three expressions [`Backend`] supplies (an attribute's value, a
//! number and a date read out of text).

use super::{get, Backend, Db, Result};
use crate::segment::{Field, FieldKind, Op, Segment, SegmentCount, Value};
use crate::Millis;
use chrono::{Duration, NaiveDate};

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
}

/// A `WHERE` fragment over `contacts c` and its binds, numbered from the `first` given.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl Filter {
    /// Binds the values in order onto a query whose other placeholders come before them.
    pub fn bind<'q>(&self, mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for b in &self.binds {
            q = match b {
                Bind::Text(s) => q.bind(s.clone()),
                Bind::Int(i) => q.bind(*i),
                Bind::Float(f) => q.bind(*f),
            };
        }
        q
    }
}

/// Contacts that can be texted at all: not opted out, not flagged, a working mobile number.
pub const TEXTABLE: &str = "c.opted_out = 0 AND c.flagged = 0 AND c.number_status = 'ok'";

struct Builder {
    next: usize,
    binds: Vec<Bind>,
    parts: Vec<String>,
}

impl Builder {
    fn param(&mut self, b: Bind) -> String {
        self.binds.push(b);
        let p = format!("${}", self.next);
        self.next += 1;
        p
    }
}

/// `LIKE` pattern for "contains", with the wildcards in the text escaped (`\` is the escape).
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// Compiles a segment whose conditions were checked into `values` (see [`Segment::check`]).
/// `now` decides "days since" and `today` the date comparisons.
pub fn compile(backend: Backend, seg: &Segment, values: &[Value], first: usize, now: Millis, today: NaiveDate) -> Filter {
    let mut b = Builder { next: first, binds: Vec::new(), parts: Vec::new() };
    if let Some(list) = seg.list_id {
        let p = b.param(Bind::Int(list.0));
        b.parts.push(format!("EXISTS (SELECT 1 FROM contact_lists l WHERE l.contact_id = c.id AND l.list_id = {p})"));
    }
    if let Some(tag) = seg.tag().and_then(crate::contact::normalize_tag) {
        let p = b.param(Bind::Text(tag));
        b.parts.push(format!("EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = {p})"));
    }
    for (cond, value) in seg.conditions.iter().zip(values) {
        let part = match cond.field.kind() {
            FieldKind::Flag => {
                let warm = "EXISTS (SELECT 1 FROM warm_leads w WHERE w.contact_id = c.id)";
                if cond.op == Op::IsSet { warm.to_string() } else { format!("NOT {warm}") }
            }
            FieldKind::Days => {
                let inbound = cond.field == Field::DaysSinceInbound;
                let which = if inbound { "m.direction = 'in'" } else { "m.direction = 'out' AND m.provider_sid IS NOT NULL" };
                let since = match value {
                    Value::Days(n) => Some(b.param(Bind::Int(now - n * 86_400_000))),
                    _ => None,
                };
                let exists = |since: Option<&str>| {
                    let when = since.map(|p| format!(" AND m.created_at >= {p}")).unwrap_or_default();
                    format!("EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = c.id AND {which}{when})")
                };
                match cond.op {
                    Op::Gt => format!("NOT {}", exists(since.as_deref())),
                    Op::Lt => exists(since.as_deref()),
                    Op::IsSet => exists(None),
                    _ => format!("NOT {}", exists(None)),
                }
            }
            FieldKind::Text => {
                let expr = match &cond.field {
                    Field::FirstName => "COALESCE(c.first_name, '')".to_string(),
                    Field::LastName => "COALESCE(c.last_name, '')".to_string(),
                    Field::Email => "COALESCE(c.email, '')".to_string(),
                    Field::Phone => "c.phone".to_string(),
                    Field::Timezone => "COALESCE(c.timezone, '')".to_string(),
                    Field::Attribute(name) => {
                        let key = match backend {
                            Backend::Sqlite => b.param(Bind::Text(format!("$.\"{name}\""))),
                            Backend::Postgres => b.param(Bind::Text(name.clone())),
                        };
                        backend.json_text("c.attributes", &key)
                    }
                    _ => unreachable!("fields of other kinds are handled above"),
                };
                match (cond.op, value) {
                    (Op::Equals, Value::Text(t)) => format!("LOWER(TRIM({expr})) = {}", b.param(Bind::Text(t.to_lowercase()))),
                    (Op::NotEquals, Value::Text(t)) => format!("LOWER(TRIM({expr})) <> {}", b.param(Bind::Text(t.to_lowercase()))),
                    (Op::Contains, Value::Text(t)) => format!("LOWER({expr}) LIKE {} ESCAPE '\\'", b.param(Bind::Text(like_pattern(t)))),
                    (Op::NotContains, Value::Text(t)) => format!("LOWER({expr}) NOT LIKE {} ESCAPE '\\'", b.param(Bind::Text(like_pattern(t)))),
                    (Op::IsSet, _) => format!("TRIM({expr}) <> ''"),
                    (Op::IsEmpty, _) => format!("TRIM({expr}) = ''"),
                    (Op::Gt, Value::Number(n)) => format!("{} > {}", backend.number_in(&expr), b.param(Bind::Float(*n))),
                    (Op::Lt, Value::Number(n)) => format!("{} < {}", backend.number_in(&expr), b.param(Bind::Float(*n))),
                    (op, v) => {
                        let (cmp, day) = match (op, v) {
                            (Op::Before, Value::Date(d)) => ("<", *d),
                            (Op::After, Value::Date(d)) => (">=", *d),
                            (Op::OlderThanDays, Value::Days(n)) => ("<", today - Duration::days(*n)),
                            (Op::WithinDays, Value::Days(n)) => (">=", today - Duration::days(*n)),
                            // `Segment::check` pairs every operator with its value's type.
                            _ => ("=", NaiveDate::MIN),
                        };
                        let p = b.param(Bind::Text(day.format("%Y-%m-%d").to_string()));
                        format!("{} {cmp} {p}", backend.date_in(&expr))
                    }
                }
            }
        };
        b.parts.push(format!("({part})"));
    }
    let sql = if b.parts.is_empty() { "1 = 1".to_string() } else { b.parts.join(" AND ") };
    Filter { sql, binds: b.binds }
}

/// How many contacts a checked segment matches, and how many of them can be texted.
pub async fn count(db: &Db, seg: &Segment, values: &[Value], now: Millis, today: NaiveDate) -> Result<SegmentCount> {
    let f = compile(db.backend(), seg, values, 1, now, today);
    let sql = format!("SELECT COUNT(*) AS matching, COALESCE(SUM(CASE WHEN {TEXTABLE} THEN 1 ELSE 0 END), 0) AS textable FROM contacts c WHERE {}", f.sql);
    let row = f.bind(sqlx::query(&sql)).fetch_one(db.pool()).await?;
    Ok(SegmentCount { matching: get(&row, "matching")?, textable: get(&row, "textable")? })
}

/// The attribute names in use (imported CSV columns), sorted, for a builder's field list.
/// Reads at most `sample` contacts, newest first.
pub async fn attribute_names(db: &Db, sample: i64) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT attributes FROM contacts WHERE attributes <> '{}' ORDER BY id DESC LIMIT $1").bind(sample).fetch_all(db.pool()).await?;
    let mut names = std::collections::BTreeSet::new();
    for r in &rows {
        let json: String = get(r, "attributes")?;
        if let Ok(map) = serde_json::from_str::<std::collections::BTreeMap<String, String>>(&json) {
            names.extend(map.into_keys());
        }
    }
    Ok(names.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::Condition;

    #[test]
    fn values_are_bound_never_spliced_and_numbered_from_the_first() {
        let seg = Segment {
            list_id: Some(crate::ListId(7)),
            tag: Some(" VIP ".into()),
            conditions: vec![Condition { field: Field::Attribute("note".into()), op: Op::Contains, value: "50%'; DROP TABLE contacts; --".into() }],
        };
        let values = seg.check().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let f = compile(backend, &seg, &values, 3, 0, today);
            assert!(!f.sql.contains("DROP"), "{}", f.sql);
            assert!(f.sql.contains("$3") && f.sql.contains("$6") && !f.sql.contains("$7"), "{}", f.sql);
            assert_eq!(f.binds[0], Bind::Int(7));
            assert_eq!(f.binds[1], Bind::Text("vip".into()));
            assert_eq!(f.binds[3], Bind::Text("%50\\%'; drop table contacts; --%".into()));
        }
    }
}
