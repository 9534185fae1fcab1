//! Routing: the page's rules, groups and members; saving them (admins); a member's
//! availability; and presence in a conversation (viewing, typing, left).

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::codec::Json;
use warmline::live::PresenceState;
use warmline::routing::{RoutingOverview, RoutingSettings};
use warmline::{ContactId, UserId};

#[server(output = crate::api::codec::JsonText)]
pub async fn routing_page() -> Result<RoutingOverview, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.routing.overview().await.or_fail()
}

/// Saves the rules and groups (admins only: they decide who gets every new lead).
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn save_routing(settings: RoutingSettings) -> Result<(), AppError> {
    use super::ssr::*;
    require_admin()?;
    state()?.routing.save(&settings).await.or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn set_availability(user_id: UserId, available: bool) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.routing.set_available(&me, user_id, available).await.or_fail()
}

/// Tells the others with this conversation open where the caller is in it.
#[server(output = crate::api::codec::JsonText)]
pub async fn thread_presence(contact_id: ContactId, presence: PresenceState, hello: bool) -> Result<(), AppError> {
    use super::ssr::*;
    let me = require_user()?;
    state()?.routing.presence(&me, contact_id, presence, hello).await;
    Ok(())
}
