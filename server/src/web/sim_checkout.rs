//! The payment simulator's checkout page (`STRIPE_PROVIDER=simulator`): what Stripe's hosted
//! page would show, with Pay and Cancel. Pay sends a signed `checkout.session.completed`
//! through the real webhook path, so the whole lead-unlock flow runs without credentials.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use warmline::error::Error;
use warmline::unlock::format_price;
use warmline_app::state::AppState;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f1f5f9;margin:0;color:#0f172a}}\
         main{{max-width:420px;margin:8vh auto;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002;padding:28px}}\
         .tag{{display:inline-block;background:#fef3c7;color:#92400e;font-size:12px;padding:2px 8px;border-radius:999px}}\
         h1{{font-size:20px;margin:12px 0 4px}} .amount{{font-size:34px;font-weight:700;margin:16px 0}} .muted{{color:#64748b;font-size:14px}}\
         form{{display:inline}} button{{font-size:16px;padding:10px 18px;border-radius:8px;border:1px solid #cbd5e1;background:#fff;cursor:pointer;margin-right:8px}}\
         button.pay{{background:#4f46e5;color:#fff;border-color:#4f46e5}} .row{{margin-top:24px}}</style></head><body><main>{body}</main></body></html>"
    ))
}

fn error(e: Error) -> Response {
    let (status, text) = match e {
        Error::NotFound(m) => (StatusCode::NOT_FOUND, m),
        Error::Forbidden => (StatusCode::NOT_FOUND, "the payment simulator is off (STRIPE_PROVIDER=stripe)".to_string()),
        other => {
            tracing::error!(error = %other, "simulated checkout failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong".to_string())
        }
    };
    (status, page("Checkout", &format!("<h1>Checkout</h1><p>{}</p>", esc(&text)))).into_response()
}

/// `GET /sim/checkout/{session}`.
pub async fn show(State(state): State<AppState>, Path(session): Path<String>) -> Response {
    let offer = match state.unlock.simulated_checkout(&session).await {
        Ok(o) => o,
        Err(e) => return error(e),
    };
    let business = warmline::messaging::replies::business_name(&state.db).await.unwrap_or_else(|_| "Warmline".into());
    let open = offer.state.is_open();
    let actions = if open {
        format!(
            "<div class=\"row\"><form method=\"post\" action=\"/sim/checkout/{s}/pay\"><button class=\"pay\" type=\"submit\">Pay {price}</button></form>\
             <form method=\"get\" action=\"/sim/checkout/done\"><input type=\"hidden\" name=\"offer\" value=\"{id}\"><input type=\"hidden\" name=\"canceled\" value=\"1\"><button type=\"submit\">Cancel</button></form></div>",
            s = esc(&session),
            price = esc(&format_price(offer.price_cents, &offer.currency)),
            id = offer.id
        )
    } else {
        format!("<p class=\"muted\">This checkout is closed ({}).</p>", esc(offer.state.label()))
    };
    page(
        "Checkout",
        &format!(
            "<span class=\"tag\">Payment simulator: no real money</span><h1>{business}</h1><p class=\"muted\">Client inquiry {lead}</p>\
             <div class=\"amount\">{price}</div><p class=\"muted\">Paid by {provider}. After payment the client's contact details arrive by SMS.</p>{actions}",
            business = esc(&business),
            lead = esc(offer.lead_id.as_str()),
            price = esc(&format_price(offer.price_cents, &offer.currency)),
            provider = esc(&offer.provider_name),
        ),
    )
    .into_response()
}

/// `POST /sim/checkout/{session}/pay`: Pay.
pub async fn pay(State(state): State<AppState>, Path(session): Path<String>) -> Response {
    match state.unlock.simulate_payment(&session).await {
        Ok(offer) => Redirect::to(&format!("/sim/checkout/done?offer={offer}")).into_response(),
        Err(e) => error(e),
    }
}

#[derive(serde::Deserialize)]
pub struct Done {
    offer: Option<i64>,
    canceled: Option<String>,
}

/// `GET /sim/checkout/done`: where Stripe's success and cancel URLs lead.
pub async fn done(State(state): State<AppState>, Query(q): Query<Done>) -> Response {
    let paid = match q.offer {
        Some(id) => state.unlock.get_offer(warmline::OfferId(id)).await.map(|o| o.paid_at.is_some()).unwrap_or(false),
        None => false,
    };
    let text = if q.canceled.is_some() && !paid {
        "<h1>Payment canceled</h1><p class=\"muted\">Nothing was charged. The link in your SMS works until the offer expires.</p>"
    } else if paid {
        "<h1>Payment received</h1><p class=\"muted\">Thank you. The client's contact details are on their way to your phone by SMS.</p>"
    } else {
        "<h1>Payment pending</h1><p class=\"muted\">We have not received the payment confirmation yet.</p>"
    };
    page("Checkout", text).into_response()
}
