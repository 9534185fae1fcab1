//! Lead scoring: the page's rules and figures, saving the rules (which queues a recompute),
//! and one contact's score with the rules that produced it.

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::codec::Json;
use warmline::scoring::{RecomputeProgress, Score, ScoringOverview, ScoringSettings};
use warmline::ContactId;

#[server(output = crate::api::codec::JsonText)]
pub async fn scoring_page() -> Result<ScoringOverview, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.scoring.overview().await.or_fail()
}

/// Saves the rules (admins only: they change every contact's score) and queues a recompute.
#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn save_scoring(settings: ScoringSettings) -> Result<RecomputeProgress, AppError> {
    use super::ssr::*;
    require_admin()?;
    state()?.scoring.save(&settings).await.map(Into::into).or_fail()
}

#[server(output = crate::api::codec::JsonText)]
pub async fn contact_score(id: ContactId) -> Result<Score, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.scoring.of(id).await.or_fail()
}
