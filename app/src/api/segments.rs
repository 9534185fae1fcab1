//! The segment builder's server side: what it can choose from, and a live count.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;
use warmline::contact::ContactList;
use warmline::segment::{Segment, SegmentCount};

/// The lists, tags and custom attributes a segment can use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentChoices {
    pub lists: Vec<ContactList>,
    /// Tags with how many contacts carry each.
    pub tags: Vec<(String, i64)>,
    /// Custom attribute names (imported CSV columns).
    pub attributes: Vec<String>,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn segment_options() -> Result<SegmentChoices, AppError> {
    use super::ssr::*;
    require_user()?;
    let db = &state()?.db;
    Ok(SegmentChoices {
        lists: warmline::store::lists::all(db).await.or_fail()?,
        tags: warmline::store::contacts::all_tags(db).await.or_fail()?,
        attributes: warmline::segment::service::attribute_names(db).await.or_fail()?,
    })
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn count_segment(segment: Segment) -> Result<SegmentCount, AppError> {
    use super::ssr::*;
    require_user()?;
    warmline::segment::service::count(&state()?.db, &segment).await.or_fail()
}
