//! Two-way SMS through the real router: the Twilio client against a fake Twilio API, signed
//! webhooks, keywords and consent, forward-only status, live events. Both databases.

use crate::common;
use common::fake_twilio::{FakeTwilio, Reply};
use common::{eventually, Backend, TestApp, PUBLIC_URL};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use warmline::message::MessageStatus;

both!(
    simulator_sends_and_delivers,
    twilio_send_success_and_out_of_order_status,
    carrier_opt_out_21610_is_recorded_and_never_retried,
    invalid_number_21211_marks_the_number,
    too_many_requests_is_retried_then_sent,
    unsigned_or_tampered_webhooks_are_refused,
    inbound_keywords_drive_consent_and_replies,
    duplicate_inbound_webhooks_are_processed_once,
    free_text_opt_out_flags_and_suppresses,
    status_for_an_unknown_message_is_kept_until_it_appears,
    terminal_status_and_first_error_code_stick,
    live_events_are_pushed_to_open_panels,
    the_marketing_cap_counts_when_messages_went_out,
    an_answer_after_the_timeout_is_adopted_not_resent,
    an_accepted_message_is_never_rescheduled,
);

/// A marketing message written a day ago but deferred until an hour ago went out an hour ago:
/// it counts against the 3-per-24 h cap (it once counted from when it was written).
async fn the_marketing_cap_counts_when_messages_went_out(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = common::spawn_with(backend, &[("MARKETING_CAP_ALL", "true"), ("SEND_RATE_MPS", "100000")]).await.unwrap();
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    let now = chrono::Utc::now().timestamp_millis();
    for i in 0..3 {
        let r = app.client().post(app.url("/api/v1/messages")).bearer_auth(&key).json(&json!({"to": TO, "body": format!("Offer {i}"), "marketing": true})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    eventually("the three are sent", || async { app.messages(contact).await.iter().filter(|m| m.provider_sid.is_some()).count() == 3 }).await;
    // Written 25 h ago, sent (after a deferral) 1 h ago.
    sqlx::query("UPDATE messages SET created_at = $1, send_at = $2 WHERE contact_id = $3")
        .bind(now - 25 * 3_600_000)
        .bind(now - 3_600_000)
        .bind(contact.0)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let decision = app.state.messenger.preview(contact, true, chrono::Utc::now()).await.unwrap();
    assert!(matches!(decision, warmline::gate::decision::Decision::DeferUntil { .. }), "a fourth within 24 h of sending waits: {decision:?}");
}

/// Twilio creates the message but answers after the client's timeout: the outcome is unknown,
/// so the provider is asked before any resend, and its message is adopted. Exactly one
/// message reaches the provider (there were 2–4 copies before).
async fn an_answer_after_the_timeout_is_adopted_not_resent(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let app = common::spawn_with(
        backend,
        &[
            ("SMS_PROVIDER", "twilio"),
            ("TWILIO_API_BASE", fake.base.as_str()),
            ("TWILIO_ACCOUNT_SID", "ACtest0000000000000000000000000000"),
            ("TWILIO_FROM", "+14155550100"),
            ("SEND_RATE_MPS", "50"),
            ("TWILIO_TIMEOUT_MS", "300"),
        ],
    )
    .await
    .unwrap();
    fake.set_latency(Duration::from_millis(1200));
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "Exactly once, please").await;
    eventually("the provider's message is adopted", || async { app.messages(contact).await.iter().any(|m| m.provider_sid.is_some()) }).await;
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 1, "one message at the provider");
    let m = app.messages(contact).await.into_iter().find(|m| m.provider_sid.is_some()).unwrap();
    assert_eq!(m.provider_sid.as_deref(), Some(accepted[0].sid.as_str()));
    assert!(fake.list_calls() >= 1, "the provider was asked before anything was resent");
    assert_ne!(m.status, MessageStatus::Failed);
}

/// `reschedule` (the gate deferring again) can't turn a message the provider accepted back
/// into one that will be sent again.
async fn an_accepted_message_is_never_rescheduled(app: TestApp) {
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "Just once").await;
    eventually("accepted", || async { app.messages(contact).await.iter().any(|m| m.provider_sid.is_some()) }).await;
    let m = app.messages(contact).await.into_iter().next().unwrap();
    let moved = warmline::store::messages::reschedule(&app.state.db, m.id, chrono::Utc::now().timestamp_millis(), "{}").await.unwrap();
    assert!(!moved);
    let after = app.messages(contact).await.into_iter().next().unwrap();
    assert_ne!(after.status, MessageStatus::Scheduled);
    assert_eq!(after.provider_sid, m.provider_sid);
}

const TO: &str = "+14155552671";

/// Replaces a simulator app with one on the same backend that talks to a fresh fake Twilio.
async fn with_fake_twilio(app: TestApp) -> Option<(TestApp, FakeTwilio)> {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let app = twilio_app(backend, &fake).await?;
    Some((app, fake))
}

async fn twilio_app(backend: Backend, fake: &FakeTwilio) -> Option<TestApp> {
    common::spawn_with(
        backend,
        &[
            ("SMS_PROVIDER", "twilio"),
            ("TWILIO_API_BASE", fake.base.as_str()),
            ("TWILIO_ACCOUNT_SID", "ACtest0000000000000000000000000000"),
            ("TWILIO_FROM", "+14155550100"),
            ("SEND_RATE_MPS", "50"),
        ],
    )
    .await
}

async fn status_of(app: &TestApp, contact: warmline::ContactId, nth: usize) -> Option<MessageStatus> {
    app.messages(contact).await.iter().filter(|m| m.direction == warmline::message::Direction::Out).nth(nth).map(|m| m.status)
}

async fn api_send(app: &TestApp, key: &str, to: &str, body: &str) -> Value {
    let r = app.client().post(app.url("/api/v1/messages")).bearer_auth(key).json(&json!({"to": to, "body": body})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn simulator_sends_and_delivers(app: TestApp) {
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    let sent = api_send(&app, &key, TO, "Hello from Warmline").await;
    assert_eq!(sent["decision"]["decision"], "send");
    assert_eq!(sent["message"]["status"], "queued");
    eventually("the simulator delivers", || async { status_of(&app, contact, 0).await == Some(MessageStatus::Delivered) }).await;
    let listed: Vec<Value> = app.client().get(app.url(&format!("/api/v1/messages?contact_id={contact}"))).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0]["provider_sid"].as_str().unwrap().starts_with("SM"));
}

async fn twilio_send_success_and_out_of_order_status(app: TestApp) {
    let Some((app, fake)) = with_fake_twilio(app).await else { return };
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "Your quote is ready").await;
    eventually("Twilio accepts", || async { app.messages(contact).await[0].provider_sid.is_some() }).await;
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert!(r.authorized, "basic auth");
    assert_eq!(r.account, "ACtest0000000000000000000000000000");
    assert_eq!(r.field("To"), Some(TO));
    assert_eq!(r.field("From"), Some("+14155550100"));
    assert_eq!(r.field("Body"), Some("Your quote is ready"));
    assert_eq!(r.field("StatusCallback"), Some(format!("{PUBLIC_URL}/webhooks/twilio/status").as_str()));

    let sid = app.messages(contact).await[0].provider_sid.clone().unwrap();
    let cb = |status: &'static str| {
        let sid = sid.clone();
        let app = &app;
        async move { app.twilio_webhook("/webhooks/twilio/status", &[("MessageSid", &sid), ("MessageStatus", status), ("AccountSid", "ACtest")]).await }
    };
    assert_eq!(cb("delivered").await.status(), StatusCode::NO_CONTENT);
    eventually("delivered", || async { status_of(&app, contact, 0).await == Some(MessageStatus::Delivered) }).await;
    // a late "sent" must not move it back
    assert_eq!(cb("sent").await.status(), StatusCode::NO_CONTENT);
    eventually("the late callback is processed", || async {
        warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().is_empty()
    })
    .await;
    assert_eq!(status_of(&app, contact, 0).await, Some(MessageStatus::Delivered));
}

async fn carrier_opt_out_21610_is_recorded_and_never_retried(app: TestApp) {
    let Some((app, fake)) = with_fake_twilio(app).await else { return };
    fake.script([Reply::Error { http: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" }]);
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "hello").await;
    eventually("failed with 21610", || async { app.messages(contact).await[0].error_code == Some(21610) }).await;
    assert_eq!(status_of(&app, contact, 0).await, Some(MessageStatus::Failed));
    let detail: Value = app.client().get(app.url(&format!("/api/v1/contacts/{contact}"))).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert_eq!(detail["opted_out"], true);
    assert_eq!(detail["consent_history"][0]["source"], "carrier");
    let by_phone: Vec<Value> = app.client().get(app.url("/api/v1/contacts?phone=(415)%20555-2671")).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert_eq!(by_phone[0]["opted_out"], true);
    assert_eq!(by_phone[0]["consent_history"][0]["kind"], "opt_out");
    // the next send is blocked by the gate and never reaches Twilio
    let again = api_send(&app, &key, TO, "hello again").await;
    assert_eq!(again["decision"]["decision"], "block");
    assert_eq!(again["decision"]["reason"], "opted_out");
    assert_eq!(again["message"]["status"], "canceled");
    assert_eq!(fake.requests().len(), 1);
}

async fn invalid_number_21211_marks_the_number(app: TestApp) {
    let Some((app, fake)) = with_fake_twilio(app).await else { return };
    fake.script([Reply::Error { http: 400, code: 21211, message: "The 'To' number is not a valid phone number." }]);
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "hello").await;
    eventually("number marked invalid", || async { warmline::store::consent::state(&app.state.db, contact).await.unwrap().number_status == warmline::message::NumberStatus::Invalid }).await;
    let again = api_send(&app, &key, TO, "hello again").await;
    assert_eq!(again["decision"]["reason"], "invalid_number");
    assert_eq!(fake.requests().len(), 1, "permanent errors are not retried");
}

async fn too_many_requests_is_retried_then_sent(app: TestApp) {
    let Some((app, fake)) = with_fake_twilio(app).await else { return };
    fake.script([Reply::Error { http: 429, code: 20429, message: "Too Many Requests" }]);
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "hello").await;
    eventually("sent after a retry", || async { app.messages(contact).await[0].provider_sid.is_some() }).await;
    assert_eq!(fake.requests().len(), 2);
    assert_eq!(app.messages(contact).await[0].error_code, None);
}

#[tokio::test]
async fn twilio_client_reports_timeouts_as_unknown() {
    use warmline::providers::twilio::{Sender, TwilioClient};
    use warmline::providers::SmsProvider;
    let fake = FakeTwilio::start().await;
    fake.script([Reply::Hang(Duration::from_secs(3))]);
    let client = TwilioClient::new(&fake.base, "ACx", "token", Sender::MessagingService("MG1".into()), "http://x/cb", Duration::from_millis(200));
    let err = client.send(&warmline::E164::parse(TO).unwrap(), None, "hi").await.unwrap_err();
    // The request went out: whether Twilio created the message is unknown, not a failure.
    assert!(err.is_unknown(), "{err:?}");
    assert_eq!(fake.requests()[0].field("MessagingServiceSid"), Some("MG1"));
    assert_eq!(fake.requests()[0].field("From"), None);
}

#[tokio::test]
async fn a_campaign_number_overrides_the_configured_sender() {
    use warmline::providers::twilio::{Sender, TwilioClient};
    use warmline::providers::SmsProvider;
    let fake = FakeTwilio::start().await;
    let client = TwilioClient::new(&fake.base, "ACx", "token", Sender::MessagingService("MG1".into()), "http://x/cb", Duration::from_secs(5));
    let from = warmline::E164::parse("+14155550177").unwrap();
    client.send(&warmline::E164::parse(TO).unwrap(), Some(&from), "hi").await.unwrap();
    let r = &fake.requests()[0];
    assert_eq!((r.field("From"), r.field("MessagingServiceSid"), r.field("To")), (Some("+14155550177"), None, Some(TO)));
}

async fn unsigned_or_tampered_webhooks_are_refused(app: TestApp) {
    let c = app.client();
    let params = [("MessageSid", "SM1"), ("From", TO), ("To", "+14155550100"), ("Body", "hi")];
    let r = c.post(app.url("/webhooks/twilio/sms")).form(&params).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let sig = warmline::sms::twilio_signature::compute(common::AUTH_TOKEN, &format!("{PUBLIC_URL}/webhooks/twilio/sms"), &owned);
    let tampered = [("MessageSid", "SM1"), ("From", TO), ("To", "+14155550100"), ("Body", "hi!")];
    let r = c.post(app.url("/webhooks/twilio/sms")).header("X-Twilio-Signature", &sig).form(&tampered).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // signed for another host: the Host header is never trusted
    let wrong_url = warmline::sms::twilio_signature::compute(common::AUTH_TOKEN, &format!("{}/webhooks/twilio/sms", app.base), &owned);
    let r = c.post(app.url("/webhooks/twilio/sms")).header("X-Twilio-Signature", &wrong_url).form(&params).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().is_empty());
    assert_eq!(app.contact_count().await, 0);
    // the genuine one, from a Messaging Service with a parameter Twilio added later, is taken
    let r = app
        .twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", "SM1"), ("From", TO), ("To", "+14155550100"), ("Body", "hi"), ("MessagingServiceSid", "MG9"), ("BrandNewTwilioParam", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("<Response>"));
    eventually("inbound stored", || async { app.contact_count().await == 1 }).await;
}

async fn inbound(app: &TestApp, sid: &str, body: &str) {
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", sid), ("From", TO), ("To", "+14155550100"), ("Body", body)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn contact_by_phone(app: &TestApp) -> Option<warmline::ContactId> {
    warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse(TO).unwrap()).await.unwrap().map(|c| c.id)
}

async fn outbound_bodies(app: &TestApp, contact: warmline::ContactId) -> Vec<String> {
    app.messages(contact).await.into_iter().filter(|m| m.direction == warmline::message::Direction::Out).map(|m| m.body).collect()
}

async fn inbound_keywords_drive_consent_and_replies(app: TestApp) {
    let contact = app.sendable_contact(TO).await;
    inbound(&app, "SMin1", "Hi there").await;
    eventually("message stored", || async { app.messages(contact).await.len() == 1 }).await;

    inbound(&app, "SMin2", "Stop.").await;
    eventually("opted out", || async { warmline::store::consent::state(&app.state.db, contact).await.unwrap().opted_out }).await;
    eventually("one confirmation", || async { outbound_bodies(&app, contact).await.len() == 1 }).await;
    assert!(outbound_bodies(&app, contact).await[0].contains("unsubscribed"));
    let state = warmline::store::consent::state(&app.state.db, contact).await.unwrap();
    assert_eq!(state.history[0].message_sid.as_deref(), Some("SMin2"));
    assert_eq!(state.history[0].source, "keyword");
    let blocked = app.state.messenger.preview(contact, false, chrono::Utc::now()).await.unwrap();
    assert!(matches!(blocked, warmline::gate::decision::Decision::Block { .. }));
    // a second STOP (a new message, not a retry) is logged but not confirmed again
    inbound(&app, "SMin2b", "STOP").await;
    eventually("second STOP logged", || async { warmline::store::consent::state(&app.state.db, contact).await.unwrap().history.len() == 2 }).await;
    eventually("all events processed", || async { warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().is_empty() }).await;
    assert_eq!(outbound_bodies(&app, contact).await.len(), 1, "one confirmation per opt-out");

    inbound(&app, "SMin3", "help").await;
    eventually("help reply", || async { outbound_bodies(&app, contact).await.len() == 2 }).await;
    assert!(outbound_bodies(&app, contact).await[1].contains("Reply STOP"));
    assert!(warmline::store::consent::state(&app.state.db, contact).await.unwrap().opted_out, "HELP leaves consent as it was");

    inbound(&app, "SMin4", "START").await;
    eventually("opted in", || async { !warmline::store::consent::state(&app.state.db, contact).await.unwrap().opted_out }).await;
    eventually("opt-in confirmation", || async { outbound_bodies(&app, contact).await.len() == 3 }).await;
    let state = warmline::store::consent::state(&app.state.db, contact).await.unwrap();
    let kinds: Vec<_> = state.history.iter().map(|e| e.kind).collect();
    use warmline::message::ConsentKind::{OptIn, OptOut};
    assert_eq!(kinds, vec![OptOut, OptOut, OptIn]);
}

async fn duplicate_inbound_webhooks_are_processed_once(app: TestApp) {
    app.sendable_contact(TO).await;
    for _ in 0..3 {
        inbound(&app, "SMdup", "STOP").await;
    }
    let contact = contact_by_phone(&app).await.unwrap();
    eventually("confirmation sent", || async { outbound_bodies(&app, contact).await.len() == 1 }).await;
    // give any (wrong) second processing a chance to show, by waiting for all work to settle
    eventually("all events processed", || async { warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().is_empty() }).await;
    let all = app.messages(contact).await;
    assert_eq!(all.iter().filter(|m| m.direction == warmline::message::Direction::In).count(), 1);
    assert_eq!(outbound_bodies(&app, contact).await.len(), 1, "no second auto-reply");
    assert_eq!(warmline::store::consent::state(&app.state.db, contact).await.unwrap().history.len(), 1);
}

async fn free_text_opt_out_flags_and_suppresses(app: TestApp) {
    let contact = app.sendable_contact(TO).await;
    inbound(&app, "SMsoft", "please stop texting me").await;
    eventually("flagged", || async { warmline::store::consent::state(&app.state.db, contact).await.unwrap().flagged }).await;
    let key = app.api_key().await;
    let r = api_send(&app, &key, TO, "are you sure?").await;
    assert_eq!(r["decision"]["reason"], "flagged");
    assert!(outbound_bodies(&app, contact).await.len() == 1, "no auto-reply to free text, only the blocked attempt");

    // A person reviews the flag and clears it: messages may flow again, and the ledger says who.
    let admin = app.setup_admin("admin@example.com", "correct horse battery").await;
    let r = app.server_fn::<warmline_app::api::conversations::ClearFlag>(&admin, &[("contact_id", contact.to_string().as_str())]).await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let state = warmline::store::consent::state(&app.state.db, contact).await.unwrap();
    assert!(!state.flagged);
    assert_eq!(state.history.last().unwrap().kind, warmline::message::ConsentKind::Unflagged);
    let r = api_send(&app, &key, TO, "Thanks for clarifying!").await;
    assert_eq!(r["decision"]["decision"], "send");
}

async fn status_for_an_unknown_message_is_kept_until_it_appears(app: TestApp) {
    let Some((app, fake)) = with_fake_twilio(app).await else { return };
    let r = app.twilio_webhook("/webhooks/twilio/status", &[("MessageSid", "SMearly0000000000000000000000000"), ("MessageStatus", "delivered")]).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    eventually("callback waits", || async {
        warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().iter().any(|e| e.attempts > 0)
    })
    .await;
    fake.script([Reply::Ok { sid: "SMearly0000000000000000000000000".into() }]);
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "hello").await;
    eventually("the early callback is applied", || async { status_of(&app, contact, 0).await == Some(MessageStatus::Delivered) }).await;
}

async fn terminal_status_and_first_error_code_stick(app: TestApp) {
    let Some((app, _fake)) = with_fake_twilio(app).await else { return };
    let contact = app.sendable_contact(TO).await;
    let key = app.api_key().await;
    api_send(&app, &key, TO, "hello").await;
    eventually("accepted", || async { app.messages(contact).await[0].provider_sid.is_some() }).await;
    let sid = app.messages(contact).await[0].provider_sid.clone().unwrap();
    for (status, code) in [("undelivered", "30003"), ("delivered", ""), ("failed", "30005")] {
        let r = app.twilio_webhook("/webhooks/twilio/status", &[("MessageSid", &sid), ("MessageStatus", status), ("ErrorCode", code)]).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        // Webhooks are processed in the background; apply them in this order.
        eventually("callback processed", || async { warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().is_empty() }).await;
    }
    let m = &app.messages(contact).await[0];
    assert_eq!(m.status, MessageStatus::Undelivered);
    assert_eq!(m.error_code, Some(30003));
}

async fn live_events_are_pushed_to_open_panels(app: TestApp) {
    use futures_util::StreamExt;
    let contact = app.sendable_contact(TO).await;
    let c = app.setup_admin("admin@example.com", "correct horse battery").await;
    // On PostgreSQL the event crosses instances: the panel is open on a second instance.
    let second = if app.backend == Backend::Postgres { Some(common::another_instance(&app, &[]).await) } else { None };
    let panel_base = second.as_ref().map(|s| s.base.clone()).unwrap_or_else(|| app.base.clone());
    let resp = c.get(format!("{panel_base}/app/events")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut stream = resp.bytes_stream();
    let mut seen = String::new();
    // The first event tells the page to load everything.
    while !seen.contains("event: resync") {
        seen.push_str(&String::from_utf8_lossy(&tokio::time::timeout(Duration::from_secs(5), stream.next()).await.unwrap().unwrap().unwrap()));
    }
    inbound(&app, "SMlive", "Is this live?").await;
    let wanted = format!("\"contact_id\":{contact}");
    tokio::time::timeout(Duration::from_secs(5), async {
        while !(seen.contains("event: change") && seen.contains(&wanted)) {
            let chunk = stream.next().await.unwrap().unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no live event; got {seen}"));
    // without a session the stream is refused
    let anon = app.client().get(app.url("/app/events")).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}
