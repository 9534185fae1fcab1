//! Contacts, lists, tags and import progress.

use crate::error::AppError;
use crate::imports::ImportJobStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;
use warmline::contact::{Contact, ContactList, ContactQuery, ContactSummary, ImportSummary, NewContact};
use warmline::{ContactId, Page};

/// Lists and tags for the filter bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    pub lists: Vec<ContactList>,
    pub tags: Vec<(String, i64)>,
    /// First-touch sources with their contact counts.
    pub sources: Vec<(String, i64)>,
}

/// Numbers for the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub contacts: i64,
    pub lists: i64,
    pub imports: i64,
    pub recent_imports: Vec<ImportSummary>,
}

/// JSON, not a URL-encoded form: a query with every filter empty encodes to an empty form
/// body, which the form decoder can't tell from a missing argument.
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn search_contacts(query: ContactQuery) -> Result<Page<ContactSummary>, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    warmline::store::contacts::search(&state.db, &query, state.config.default_region).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn get_contact(id: ContactId) -> Result<Contact, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    warmline::store::contacts::get_by_id(&state.db, id).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn add_contact(contact: NewContact) -> Result<ContactId, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    warmline::store::contacts::create(&state.db, &contact, state.config.default_region).await.map(|c| c.id).or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn contact_filters() -> Result<Filters, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    Ok(Filters {
        lists: warmline::store::lists::all(&state.db).await.or_fail()?,
        tags: warmline::store::contacts::all_tags(&state.db).await.or_fail()?,
        sources: warmline::store::contacts::sources(&state.db).await.or_fail()?,
    })
}

#[server(output = crate::api::codec::JsonText)]
pub async fn create_list(name: String) -> Result<ContactList, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    warmline::store::lists::create(&state.db, &name, warmline::contact::ListKind::Manual).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn get_overview() -> Result<Overview, AppError> {
    use super::ssr::*;
    require_user()?;
    let state = state()?;
    // Four independent reads, at once: the page waits for the slowest, not for all in turn.
    let db = &state.db;
    let (contacts, lists, imports, recent_imports) = tokio::try_join!(
        warmline::store::contacts::count(db),
        warmline::store::lists::all(db),
        warmline::store::imports::count(db),
        warmline::store::imports::recent(db, 5),
    )
    .or_fail()?;
    Ok(Overview { contacts, lists: lists.len() as i64, imports, recent_imports })
}

/// Progress of a browser import started by the signed-in user.
#[server(output = crate::api::codec::JsonText)]
pub async fn import_status(id: String) -> Result<ImportJobStatus, AppError> {
    use super::ssr::*;
    let user = require_user()?;
    let state = state()?;
    state.imports.status(&id, user.id).ok_or(AppError::NotFound)
}
