//! Provider webhooks. Signed, stored before processing, deduplicated, answered at once.

pub mod stripe;
pub mod twilio;

use axum::routing::post;
use axum::Router;
use warmline_app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/twilio/sms", post(twilio::inbound)).route("/twilio/status", post(twilio::status)).route("/stripe", post(stripe::events))
}
