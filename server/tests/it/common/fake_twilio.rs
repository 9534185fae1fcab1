//! A fake Twilio REST API on loopback: records every Messages.json request and answers from a
//! script (success by default), in Twilio's wire format.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Reply {
    Ok { sid: String },
    Error { http: u16, code: i64, message: &'static str },
    /// Answer only after this long (to trigger client timeouts).
    Hang(Duration),
}

#[derive(Clone, Debug)]
pub struct Request {
    pub account: String,
    pub authorized: bool,
    pub form: Vec<(String, String)>,
}

impl Request {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A message the fake accepted, as `GET Messages.json` lists it.
#[derive(Clone, Debug)]
pub struct Accepted {
    pub sid: String,
    pub to: String,
    pub body: String,
    pub created: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Default)]
struct Shared {
    requests: Arc<Mutex<Vec<Request>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
    counter: Arc<Mutex<u64>>,
    accepted: Arc<Mutex<Vec<Accepted>>>,
    /// Accepted sends are answered only after this long (a client that gives up or dies in
    /// the meantime leaves a message the provider has but the client never heard about).
    latency: Arc<Mutex<Duration>>,
    lists: Arc<Mutex<usize>>,
}

pub struct FakeTwilio {
    pub base: String,
    shared: Shared,
}

impl FakeTwilio {
    pub async fn start() -> FakeTwilio {
        let shared = Shared::default();
        let app = Router::new().route("/2010-04-01/Accounts/{account}/Messages.json", post(messages).get(list)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeTwilio { base, shared }
    }

    /// Queues replies for the next requests (then success again).
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.script.lock().unwrap().extend(replies);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Every message the fake accepted (what would have reached phones).
    pub fn accepted(&self) -> Vec<Accepted> {
        self.shared.accepted.lock().unwrap().clone()
    }

    pub fn set_latency(&self, d: Duration) {
        *self.shared.latency.lock().unwrap() = d;
    }

    /// How many times the message log was listed.
    pub fn list_calls(&self) -> usize {
        *self.shared.lists.lock().unwrap()
    }
}

#[derive(serde::Deserialize)]
struct ListQuery {
    #[serde(rename = "To")]
    to: Option<String>,
    #[serde(rename = "PageSize")]
    page_size: Option<usize>,
}

/// `GET Messages.json?To=…&PageSize=n`: newest first, in Twilio's list format.
async fn list(State(s): State<Shared>, Path(account): Path<String>, axum::extract::Query(q): axum::extract::Query<ListQuery>) -> Response {
    *s.lists.lock().unwrap() += 1;
    let all = s.accepted.lock().unwrap().clone();
    let messages: Vec<serde_json::Value> = all
        .iter()
        .rev()
        .filter(|m| q.to.as_deref().is_none_or(|t| t == m.to))
        .take(q.page_size.unwrap_or(50))
        .map(|m| json!({"sid": m.sid, "account_sid": account, "to": m.to, "from": "+14155550100", "body": m.body, "status": "sent", "date_created": m.created.to_rfc2822()}))
        .collect();
    Json(json!({"messages": messages, "page": 0, "page_size": q.page_size.unwrap_or(50)})).into_response()
}

async fn messages(State(s): State<Shared>, Path(account): Path<String>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let form = warmline::sms::twilio_signature::parse_form(&body);
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("Basic "));
    s.requests.lock().unwrap().push(Request { account: account.clone(), authorized, form: form.clone() });
    let reply = s.script.lock().unwrap().pop_front();
    let reply = match reply {
        Some(r) => r,
        None => {
            let mut n = s.counter.lock().unwrap();
            *n += 1;
            Reply::Ok { sid: format!("SMfake{:026}", *n) }
        }
    };
    match reply {
        Reply::Ok { sid } => {
            let to = form.iter().find(|(k, _)| k == "To").map(|(_, v)| v.clone()).unwrap_or_default();
            let body = form.iter().find(|(k, _)| k == "Body").map(|(_, v)| v.clone()).unwrap_or_default();
            s.accepted.lock().unwrap().push(Accepted { sid: sid.clone(), to: to.clone(), body, created: chrono::Utc::now() });
            let latency = *s.latency.lock().unwrap();
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            (StatusCode::CREATED, Json(json!({"sid": sid, "status": "queued", "to": to, "account_sid": account, "error_code": null}))).into_response()
        }
        Reply::Error { http, code, message } => (
            StatusCode::from_u16(http).unwrap(),
            Json(json!({"code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": http})),
        )
            .into_response(),
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            (StatusCode::CREATED, Json(json!({"sid": "SMlate", "status": "queued"}))).into_response()
        }
    }
}
