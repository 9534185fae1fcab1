//! Segments as a use-case: check one, count it live, describe it, and hand its SQL filter to
//! whatever picks contacts with it (the approval queue's generator today).

use super::{Segment, SegmentCount};
use crate::error::{Error, Result};
use crate::store::segments::{self, Filter};
use crate::store::{lists, Db, StoreError};
use crate::now_millis;

/// Checks a segment (its list must exist) and compiles it, placeholders numbered from `first`.
pub async fn filter(db: &Db, seg: &Segment, first: usize) -> Result<Filter> {
    let values = checked(db, seg).await?;
    let now = now_millis();
    Ok(segments::compile(db.backend(), seg, &values, first, now, today(now)))
}

fn today(now: crate::Millis) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_millis(now).unwrap_or_default().date_naive()
}

/// The segment's typed values, once its conditions check out and its list exists.
async fn checked(db: &Db, seg: &Segment) -> Result<Vec<super::Value>> {
    let values = seg.check().map_err(Error::Invalid)?;
    if let Some(list) = seg.list_id {
        lists::get_by_id(db, list).await.map_err(|e| match e {
            StoreError::NotFound => Error::Invalid(format!("no list {list}")),
            other => other.into(),
        })?;
    }
    Ok(values)
}

/// How many contacts the segment matches now, and how many of them can be texted.
#[tracing::instrument(skip(db, seg), fields(conditions = seg.conditions.len()))]
pub async fn count(db: &Db, seg: &Segment) -> Result<SegmentCount> {
    let values = checked(db, seg).await?;
    let now = now_millis();
    Ok(segments::count(db, seg, &values, now, today(now)).await?)
}

/// The segment in words: "list Regulars, tag vip, where Days since they last replied more than 60".
pub async fn describe(db: &Db, seg: &Segment) -> Result<String> {
    let mut parts = Vec::new();
    if let Some(list) = seg.list_id {
        parts.push(format!("list {}", lists::get_by_id(db, list).await?.name));
    }
    if let Some(tag) = seg.tag() {
        parts.push(format!("tag {tag}"));
    }
    if parts.is_empty() {
        parts.push("all contacts".to_string());
    }
    let conditions = seg.describe_conditions();
    let mut s = parts.join(", ");
    if !conditions.is_empty() {
        s.push_str(", where ");
        s.push_str(&conditions);
    }
    Ok(s)
}

/// The custom attributes contacts have (imported CSV columns), for a builder's field list.
pub async fn attribute_names(db: &Db) -> Result<Vec<String>> {
    Ok(segments::attribute_names(db, 2000).await?)
}
