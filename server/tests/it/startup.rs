//! `Application`: the whole server built the way the binary builds it, with the builder's
//! overrides (provider, send rate, background tasks), and its orderly stop.

use crate::common;

use common::{eventually, TestApp};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use warmline::providers::{Accepted, SendError, SmsProvider};
use warmline::E164;
use warmline_server::Application;

/// A provider that records what it was asked to send.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, String)>>);

#[async_trait::async_trait]
impl SmsProvider for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }
    async fn send(&self, to: &E164, _from: Option<&E164>, body: &str) -> Result<Accepted, SendError> {
        let mut sent = self.0.lock().unwrap();
        sent.push((to.to_string(), body.to_string()));
        Ok(Accepted { sid: format!("SMrec{}", sent.len()), status: warmline::message::MessageStatus::Queued })
    }
}

impl Recorder {
    fn sent(&self) -> Vec<(String, String)> {
        self.0.lock().unwrap().clone()
    }
}

both!(
    the_built_application_serves_sends_through_the_given_provider_and_runs_its_tasks,
    stopping_the_application_ends_it_and_frees_its_port,
    the_send_gate_judges_quiet_hours_by_the_given_clock
);

/// Built with a provider and a rate, with its background tasks on: it answers on the port it
/// chose, sends through that provider at that rate, and its recovery sweep processes a stored
/// inbound webhook that nobody processed (no test code calls the sweep).
async fn the_built_application_serves_sends_through_the_given_provider_and_runs_its_tasks(app: TestApp) {
    let recorder = Arc::new(Recorder::default());
    let config = common::config(&common::database_url(&app), &[("RECOVERY_EVERY_MS", "100")]);
    let server = Application::builder(config).provider(recorder.clone()).send_rate(25.0).build().await.expect("build");
    assert_ne!(server.addr().port(), 0, "port 0 is resolved to the real port");
    assert_eq!(server.state().config.send_rate_mps, 25.0);
    let base = format!("http://{}", server.addr());
    let state = server.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));

    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);

    let contact = app.sendable_contact("+14155550111").await;
    let key = app.api_key().await;
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/messages"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"to": "+14155550111", "body": "Warmline Roofing: your estimate is ready."}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{:?}", resp.text().await);
    eventually("the message reaches the given provider", || async { recorder.sent().len() == 1 }).await;
    assert_eq!(recorder.sent()[0].0, "+14155550111");

    // An inbound STOP stored but never processed: the application's own sweep applies it.
    let payload = "MessageSid=SMstartup1&From=%2B14155550111&To=%2B14155550100&Body=STOP";
    warmline::store::webhooks::store(&state.db, warmline::message::WebhookKind::TwilioSms, "sms:SMstartup1", Some("SMstartup1"), payload).await.unwrap();
    eventually("the background recovery sweep applies the STOP", || async { warmline::store::consent::state(&state.db, contact).await.unwrap().opted_out }).await;

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), running).await.expect("stops").unwrap().expect("clean stop");
}

/// Its stop signal ends `run_until`, closes its database pool and frees its port.
async fn stopping_the_application_ends_it_and_frees_its_port(app: TestApp) {
    let config = common::config(&common::database_url(&app), &[]);
    let server = Application::builder(config).background_tasks(false).build().await.expect("build");
    let addr = server.addr();
    let state = server.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));
    assert_eq!(reqwest::get(format!("http://{addr}/healthz")).await.unwrap().status(), 200);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), running).await.expect("stops").unwrap().expect("clean stop");
    assert!(state.db.ping().await.is_err(), "the pool is closed");
    assert!(tokio::net::TcpListener::bind(addr).await.is_ok(), "the port is free again");
}

/// With the clock pinned to 22:00 in New York, a text to a New York contact waits for 08:00
/// there; pinned to 10:00, it goes at once. Whatever the real time of day.
async fn the_send_gate_judges_quiet_hours_by_the_given_clock(app: TestApp) {
    use chrono::TimeZone;
    let new_york = warmline::contact::NewContact { phone: "+12125550142".into(), first_name: Some("Ny".into()), timezone: Some("America/New_York".into()), ..Default::default() };
    let contact = warmline::store::contacts::create(&app.state.db, &new_york, app.state.config.default_region).await.unwrap().id;
    let send = warmline::messaging::manual::ManualSend { body: "Warmline Roofing: your estimate is ready.", marketing: false, by: None, idempotency_key: None };
    for (utc_hour, deferred_to) in [(3, Some(chrono::Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0).unwrap())), (15, None)] {
        // 03:00 UTC on 7 December is 22:00 on the 6th in New York; 15:00 UTC is 10:00.
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 7, utc_hour, 0, 0).unwrap();
        let config = common::config(&common::database_url(&app), &[]);
        let server = Application::builder(config).background_tasks(false).clock(Arc::new(move || at)).build().await.expect("build");
        let result = server.state().messenger.send_to_contact(contact, &send).await.unwrap();
        let m = result.message;
        match deferred_to {
            Some(t) => {
                assert_eq!(m.status, warmline::message::MessageStatus::Scheduled, "held for the morning");
                assert_eq!(m.send_at, Some(t.timestamp_millis()));
            }
            None => assert_ne!(m.status, warmline::message::MessageStatus::Scheduled, "sent at once in the daytime"),
        }
    }
}
