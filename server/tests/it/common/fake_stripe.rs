//! A fake Stripe API on loopback. It checks the form fields it receives as Stripe would
//! (required fields, the Checkout Session's 30 min – 24 h expiry, an Idempotency-Key on
//! creates, the secret key) and answers with whole objects taken from Stripe's published
//! fixtures (`tests/it/fixtures/stripe/`), so the client's parsing is tested against real shapes.
#![allow(dead_code)]

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SECRET_KEY: &str = "sk_test_fake_0123456789";

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/it/fixtures/stripe/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).expect("fixture JSON")
}

/// What the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    pub path: String,
    pub form: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
}

impl Call {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// Idempotency key → the session created under it.
    by_key: HashMap<String, Value>,
    sessions: HashMap<String, Value>,
    next: u64,
}

#[derive(Clone)]
pub struct FakeStripe {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeStripe {
    pub async fn start() -> FakeStripe {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/refunds", post(refund))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeStripe { base, inner }
    }

    pub fn calls(&self, path_prefix: &str) -> Vec<Call> {
        self.inner.lock().unwrap().calls.iter().filter(|c| c.path.starts_with(path_prefix)).cloned().collect()
    }

    /// Sessions created (not counting replays of an idempotency key).
    pub fn sessions_created(&self) -> usize {
        self.inner.lock().unwrap().sessions.len()
    }

    /// The stored session object, as a webhook's `data.object` would carry it.
    pub fn session(&self, id: &str) -> Value {
        self.inner.lock().unwrap().sessions.get(id).cloned().expect("session")
    }
}

fn error(status: StatusCode, param: &str, message: &str) -> Response {
    let mut e = fixture("error_invalid_request.json");
    e["error"]["param"] = param.into();
    e["error"]["message"] = message.into();
    (status, Json(e)).into_response()
}

fn authorized(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {SECRET_KEY}"))
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

async fn create_session(State(s): State<Arc<Mutex<Inner>>>, h: HeaderMap, body: axum::body::Bytes) -> Response {
    if !authorized(&h) {
        return error(StatusCode::UNAUTHORIZED, "", "Invalid API Key provided");
    }
    let f = form(&body);
    let key = h.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut inner = s.lock().unwrap();
    inner.calls.push(Call { path: "/v1/checkout/sessions".into(), form: f.clone(), idempotency_key: key.clone() });
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let Some(key) = key else { return error(StatusCode::BAD_REQUEST, "", "this fake requires an Idempotency-Key") };
    if let Some(prev) = inner.by_key.get(&key) {
        return Json(prev.clone()).into_response();
    }
    if get("mode").as_deref() != Some("payment") {
        return error(StatusCode::BAD_REQUEST, "mode", "Missing required param: mode.");
    }
    let Some(amount) = get("line_items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok()) else {
        return error(StatusCode::BAD_REQUEST, "line_items[0][price_data][unit_amount]", "Invalid integer");
    };
    let Some(currency) = get("line_items[0][price_data][currency]") else { return error(StatusCode::BAD_REQUEST, "line_items[0][price_data][currency]", "Missing currency") };
    if get("line_items[0][price_data][product_data][name]").is_none() || get("success_url").is_none() {
        return error(StatusCode::BAD_REQUEST, "line_items[0][price_data][product_data][name]", "Missing required param");
    }
    let now = chrono::Utc::now().timestamp();
    let Some(expires_at) = get("expires_at").and_then(|e| e.parse::<i64>().ok()) else { return error(StatusCode::BAD_REQUEST, "expires_at", "Missing expires_at") };
    if expires_at < now + 30 * 60 || expires_at > now + 24 * 3600 {
        return error(StatusCode::BAD_REQUEST, "expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.");
    }
    inner.next += 1;
    let id = format!("cs_test_fake{:04}", inner.next);
    let mut session = fixture("checkout_session.json");
    session["id"] = id.clone().into();
    session["url"] = format!("https://checkout.stripe.com/c/pay/{id}").into();
    session["amount_total"] = amount.into();
    session["amount_subtotal"] = amount.into();
    session["currency"] = currency.into();
    session["client_reference_id"] = get("client_reference_id").into();
    session["expires_at"] = expires_at.into();
    let metadata: serde_json::Map<String, Value> = f.iter().filter_map(|(k, v)| k.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')).map(|k| (k.to_string(), Value::from(v.clone())))).collect();
    session["metadata"] = Value::Object(metadata);
    inner.by_key.insert(key, session.clone());
    inner.sessions.insert(id, session.clone());
    Json(session).into_response()
}

async fn expire_session(State(s): State<Arc<Mutex<Inner>>>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&h) {
        return error(StatusCode::UNAUTHORIZED, "", "Invalid API Key provided");
    }
    let mut inner = s.lock().unwrap();
    inner.calls.push(Call { path: format!("/v1/checkout/sessions/{id}/expire"), form: vec![], idempotency_key: None });
    let Some(session) = inner.sessions.get_mut(&id) else { return error(StatusCode::NOT_FOUND, "session", "No such checkout.session") };
    if session["status"] != "open" {
        return error(StatusCode::BAD_REQUEST, "session", "Only Checkout Sessions with a status in [\"open\"] can be expired.");
    }
    session["status"] = "expired".into();
    Json(session.clone()).into_response()
}

async fn refund(State(s): State<Arc<Mutex<Inner>>>, h: HeaderMap, body: axum::body::Bytes) -> Response {
    if !authorized(&h) {
        return error(StatusCode::UNAUTHORIZED, "", "Invalid API Key provided");
    }
    let f = form(&body);
    let key = h.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut inner = s.lock().unwrap();
    inner.calls.push(Call { path: "/v1/refunds".into(), form: f.clone(), idempotency_key: key });
    let Some(pi) = f.iter().find(|(k, _)| k == "payment_intent").map(|(_, v)| v.clone()) else {
        return error(StatusCode::BAD_REQUEST, "payment_intent", "Missing required param: payment_intent.");
    };
    let mut r = fixture("refund.json");
    r["payment_intent"] = pi.into();
    inner.next += 1;
    r["id"] = format!("re_test_fake{:04}", inner.next).into();
    Json(r).into_response()
}
