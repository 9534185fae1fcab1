//! The one outbound pipeline's guarantees, against a fake Twilio on loopback, on both
//! databases: a STOP stops what is still waiting, the frequency cap is counted inside the
//! transaction that writes the row, unfinished sends and failed webhooks are recovered by the
//! periodic sweep (not only at start), claims keep a second server off work in progress, an
//! idempotency key never sends twice, and on PostgreSQL the rate limit is shared by servers.

use crate::common;
use common::fake_twilio::FakeTwilio;
use common::{eventually, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use warmline::message::{Direction, MessageKind, MessageStatus};
use warmline::ContactId;

both!(
    a_stop_during_a_broadcast_stops_the_rest_to_that_contact,
    two_drip_steps_in_one_pass_share_the_marketing_cap,
    the_sweep_sends_what_a_stopped_server_left_queued_once,
    a_failed_webhook_is_retried_by_the_sweep_without_a_restart,
    an_idempotency_key_sends_once,
    a_farming_batch_claimed_by_a_live_server_is_not_taken_over,
);

const FROM: &str = "+14155550100";

fn twilio_env(fake: &FakeTwilio, rate: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SMS_PROVIDER", "twilio".into()),
        ("TWILIO_API_BASE", fake.base.clone()),
        ("TWILIO_ACCOUNT_SID", "ACtest0000000000000000000000000000".into()),
        ("TWILIO_FROM", FROM.into()),
        ("SEND_RATE_MPS", rate.into()),
        ("SEND_LEASE_MS", "1000".into()),
        ("MARKETING_CAP_ALL", "true".into()),
    ]
}

async fn twilio_app(backend: Backend, fake: &FakeTwilio, rate: &str) -> TestApp {
    let env = twilio_env(fake, rate);
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    common::spawn_with(backend, &extra).await.expect("app")
}

fn phone(i: usize) -> String {
    format!("+1415{:07}", 4_000_000 + i)
}

/// `n` sendable contacts (midday in their zone), in one list; returns (list id, contact ids).
async fn import(app: &TestApp, key: &str, n: usize) -> (i64, Vec<ContactId>) {
    let zone = common::midday_zone();
    let mut csv = String::from("phone,first_name,timezone,consent_source\n");
    for i in 0..n {
        csv.push_str(&format!("{},Pat{i},{zone},web form\n", phone(i)));
    }
    let r = app.client().post(app.url("/api/v1/contacts/import?list=pipeline")).bearer_auth(key).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list = r.json::<Value>().await.unwrap()["list_id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse(&phone(i)).unwrap()).await.unwrap().unwrap().id);
    }
    (list, ids)
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    let r = app.client().post(app.url(path)).bearer_auth(key).json(&body).send().await.unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

async fn scalar(app: &TestApp, sql: &str, arg: i64) -> i64 {
    let row = sqlx::query(sql).bind(arg).fetch_one(app.state.db.pool()).await.unwrap();
    sqlx::Row::get::<i64, _>(&row, 0)
}

async fn inbound(app: &TestApp, sid: &str, from: &str, body: &str) {
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", sid), ("From", from), ("To", FROM), ("Body", body)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// Every contact of the list is a warm lead of a farming campaign.
async fn make_warm(app: &TestApp, key: &str, list: i64, contacts: &[ContactId]) {
    let template = "Hi {{ first_name }}, Warmline Roofing: free roof check? Reply YES. Reply STOP to opt out.";
    let camp = post(app, key, "/api/v1/farming-campaigns", json!({"name": "Farm", "template": template, "list_id": list})).await["id"].as_i64().unwrap();
    for c in contacts {
        sqlx::query("INSERT INTO warm_leads (contact_id, campaign_id, reply_text, replied_at) VALUES ($1, $2, 'YES', $3)")
            .bind(c.0)
            .bind(camp)
            .bind(warmline::now_millis())
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
}

/// A broadcast to three warm leads at one message every four seconds: once the first has
/// gone, one of the two still waiting for the rate limiter texts STOP. Its message is
/// canceled, never sent; the other goes out. (Which contact the queue sends first is not
/// fixed, so the STOP goes to one that has not been sent yet.)
async fn a_stop_during_a_broadcast_stops_the_rest_to_that_contact(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let app = twilio_app(backend, &fake, "0.25").await;
    let key = app.api_key().await;
    let (list, c) = import(&app, &key, 3).await;
    make_warm(&app, &key, list, &c).await;

    let spring = |fake: &FakeTwilio| -> Vec<String> { fake.accepted().into_iter().filter(|a| a.body.starts_with("Spring special")).map(|a| a.to).collect() };
    let (broadcast, queued) = app.state.farm.message_warm_leads("Spring special for warm leads only", None).await.unwrap();
    assert_eq!(queued, 3);
    eventually("the first broadcast message leaves", || async { !spring(&fake).is_empty() }).await;
    let first = spring(&fake);
    assert_eq!(first.len(), 1, "the rate limit let more than one leave at once: {first:?}");
    // The next can leave no sooner than four seconds after the first; the STOP is processed now.
    let stopped = (0..3).find(|i| !first.contains(&phone(*i))).unwrap();
    inbound(&app, "SMstop1", &phone(stopped), "STOP").await;
    common::eventually_within("the broadcast settles", std::time::Duration::from_secs(30), || async {
        scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'broadcast' AND status = 'queued' AND provider_sid IS NULL AND contact_id > $1", 0).await == 0
    })
    .await;
    let to = spring(&fake);
    assert_eq!(to.len(), 2, "{to:?}");
    assert!(!to.contains(&phone(stopped)), "the contact who said STOP got the broadcast: {to:?}");
    let last = app.messages(c[stopped]).await.into_iter().find(|m| m.kind == MessageKind::Broadcast).unwrap();
    assert_eq!(last.status, MessageStatus::Canceled, "{last:?}");
    assert_eq!(app.state.farm.broadcast_progress(&broadcast).await.unwrap(), (3, 2));
}

/// Two campaigns' first steps for one contact, due in the same runner pass, with two
/// marketing messages already sent today: the cap (3 a day) lets exactly one through. Each
/// step counted the cap before the other's row existed, and both sent (4 in 24 h).
async fn two_drip_steps_in_one_pass_share_the_marketing_cap(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let app = twilio_app(backend, &fake, "100000").await;
    let key = app.api_key().await;
    let (list, c) = import(&app, &key, 1).await;
    for i in 0..2 {
        let v = post(&app, &key, "/api/v1/messages", json!({"to": phone(0), "body": format!("Offer {i}"), "marketing": true})).await;
        assert_eq!(v["decision"]["decision"], "send", "{v}");
    }
    eventually("the two offers are sent", || async { fake.accepted().len() == 2 }).await;
    let mut campaigns = Vec::new();
    for name in ["Spring", "Summer"] {
        let steps = json!([{"delay_minutes": 0, "template": format!("{name} deal for {{{{ first_name }}}}. Reply STOP to opt out.")}]);
        let id = post(&app, &key, "/api/v1/campaigns", json!({"name": name, "steps": steps})).await["id"].as_i64().unwrap();
        post(&app, &key, &format!("/api/v1/campaigns/{id}/activate"), json!({})).await;
        post(&app, &key, &format!("/api/v1/campaigns/{id}/enrollments"), json!({"list_id": list})).await;
        campaigns.push(id);
    }
    let drip = warmline::drip::Drip::new(app.state.messenger.clone(), warmline::drip::DripOptions::default());
    drip.run_once().await.unwrap();
    let deals: Vec<_> = fake.accepted().into_iter().filter(|a| a.body.contains(" deal for ")).collect();
    assert_eq!(deals.len(), 1, "one step sent, the other waits for the cap: {deals:?}");
    let sent = warmline::store::messages::marketing_sent_since(&app.state.db, c[0], warmline::now_millis() - 86_400_000).await.unwrap();
    assert_eq!(sent.len(), 3);
    let waiting = scalar(&app, "SELECT COUNT(*) FROM enrollments WHERE contact_id = $1 AND status = 'active'", c[0].0).await;
    assert_eq!(waiting, 1, "the other step is still due later, not dropped");
}

/// What a server left behind when it stopped: one queued message it had already handed to
/// Twilio (the answer was lost with it) and one it never sent. Once their claims run out the
/// sweep, not a restart, finishes both: the first is adopted, the second sent, once each.
async fn the_sweep_sends_what_a_stopped_server_left_queued_once(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let app = twilio_app(backend, &fake, "100000").await;
    let key = app.api_key().await;
    let (_, c) = import(&app, &key, 2).await;
    let dead_until = warmline::now_millis() + 300;
    for (i, contact) in c.iter().enumerate() {
        let body = format!("Your quote is ready ({i})");
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let m = warmline::store::messages::NewMessage {
            contact_id: *contact, direction: Direction::Out, body: &body, status: MessageStatus::Queued, provider_sid: None, kind: MessageKind::Manual,
            marketing: false, decision: None, send_at: None, sent_by: None, outbox: None, outbox_key: None, sender: None, lease: Some(("dead-server:1", dead_until)),
        };
        warmline::store::messages::insert(&mut conn, &m).await.unwrap();
    }
    // The stopped server's first call reached Twilio.
    let twilio = warmline::providers::twilio::TwilioClient::new(&fake.base, "ACtest0000000000000000000000000000", "t", warmline::providers::twilio::Sender::From(warmline::E164::parse(FROM).unwrap()), "http://x/cb", Duration::from_secs(5));
    warmline::providers::SmsProvider::send(&twilio, &warmline::E164::parse(&phone(0)).unwrap(), None, "Your quote is ready (0)").await.unwrap();

    // While the claim holds, nobody else touches them.
    let sweep = app.state.messenger.recover_once().await.unwrap();
    assert_eq!(sweep.messages_recovered, 0);
    eventually("the claims run out and the sweep takes over", || async {
        app.state.messenger.recover_once().await.unwrap();
        scalar(&app, "SELECT COUNT(*) FROM messages WHERE status = 'queued' AND provider_sid IS NULL AND id > $1", 0).await == 0
    })
    .await;
    eventually("both recorded", || async { scalar(&app, "SELECT COUNT(*) FROM messages WHERE provider_sid IS NOT NULL AND id > $1", 0).await == 2 }).await;
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 2, "one copy each at the provider: {accepted:?}");
    assert!(fake.list_calls() >= 2, "the provider was asked before any resend");
}

/// An inbound STOP stored but not processed (the database failed mid-way) is processed by the
/// periodic sweep: an opt-out never waits for a restart.
async fn a_failed_webhook_is_retried_by_the_sweep_without_a_restart(app: TestApp) {
    let contact = app.sendable_contact(&phone(0)).await;
    let payload = format!("MessageSid=SMlost1&From={}&To={}&Body=STOP", phone(0).replace('+', "%2B"), FROM.replace('+', "%2B"));
    let id = warmline::store::webhooks::store(&app.state.db, warmline::message::WebhookKind::TwilioSms, "sms:SMlost1", Some("SMlost1"), &payload).await.unwrap();
    assert!(id.is_some());
    warmline::store::webhooks::mark_waiting(&app.state.db, id.unwrap(), "database unavailable").await.unwrap();
    assert!(!warmline::store::consent::state(&app.state.db, contact).await.unwrap().opted_out);
    eventually("the sweep applies the STOP once its backoff passes", || async {
        app.state.messenger.recover_once().await.unwrap();
        warmline::store::consent::state(&app.state.db, contact).await.unwrap().opted_out
    })
    .await;
    assert!(warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().is_empty());
}

/// A client that retries `POST /api/v1/messages` with the same `Idempotency-Key` (its first
/// answer was lost) gets the first message back; one text goes out.
async fn an_idempotency_key_sends_once(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let app = twilio_app(backend, &fake, "100000").await;
    let key = app.api_key().await;
    app.sendable_contact(&phone(0)).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = app.client().post(app.url("/api/v1/messages")).bearer_auth(&key).header("Idempotency-Key", "order-42").json(&json!({"to": phone(0), "body": "Your order shipped"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        ids.push(r.json::<Value>().await.unwrap()["message"]["id"].as_i64().unwrap());
    }
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    eventually("sent", || async { scalar(&app, "SELECT COUNT(*) FROM messages WHERE provider_sid IS NOT NULL AND id = $1", ids[0]).await == 1 }).await;
    assert_eq!(fake.accepted().len(), 1);
    // Another key is another message.
    let r = app.client().post(app.url("/api/v1/messages")).bearer_auth(&key).header("Idempotency-Key", "order-43").json(&json!({"to": phone(0), "body": "Your order shipped"})).send().await.unwrap();
    assert_ne!(r.json::<Value>().await.unwrap()["message"]["id"].as_i64().unwrap(), ids[0]);
}

/// A running batch whose claim is live belongs to its server: a second server's take-over
/// finds nothing; once the claim has run out it takes the batch.
async fn a_farming_batch_claimed_by_a_live_server_is_not_taken_over(app: TestApp) {
    let key = app.api_key().await;
    let (list, _) = import(&app, &key, 2).await;
    let template = "Hi {{ first_name }}, Warmline Roofing: free roof check? Reply YES. Reply STOP to opt out.";
    let id = post(&app, &key, "/api/v1/farming-campaigns", json!({"name": "Farm", "template": template, "list_id": list})).await["id"].as_i64().unwrap();
    let db = &app.state.db;
    let camp = warmline::store::farming::get_by_id(db, warmline::FarmingCampaignId(id)).await.unwrap();
    let now = chrono::Utc::now();
    let day = app.state.farm.day(now);
    let until = warmline::now_millis() + 60_000;
    let nb = warmline::store::farming::NewBatch { campaign: &camp, day: &day, max: 2, template: &camp.template, triggered_by: "test", by: None, cutoff: now.timestamp_millis() - 7 * 86_400_000, lease: Some(("live-server:1", until)) };
    let (batch, _) = warmline::store::farming::start_batch(db, &nb).await.unwrap();
    let other = common::another_instance(&app, &[]).await;
    assert_eq!(other.state.farm.resume().await.unwrap(), 0, "a live claim is respected");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming' AND id > $1", 0).await, 0);
    sqlx::query("UPDATE farming_batches SET lease_until = $1 WHERE id = $2").bind(warmline::now_millis() - 1).bind(batch).execute(db.pool()).await.unwrap();
    assert_eq!(other.state.farm.resume().await.unwrap(), 1, "an expired claim is taken over");
    eventually("the batch finishes", || async { scalar(&app, "SELECT COUNT(*) FROM farming_batches WHERE status = 'running' AND id = $1", batch.0).await == 0 }).await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming' AND provider_sid IS NOT NULL AND id > $1", 0).await, 2);
}

/// Two servers on one PostgreSQL database, 50 messages a second allowed: whatever each sends,
/// no one-second window at the provider holds more than 50.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_share_one_rate_limit_on_postgres() {
    let fake = FakeTwilio::start().await;
    let Some(app) = ({
        let env = twilio_env(&fake, "50");
        let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        common::spawn_with(Backend::Postgres, &extra).await
    }) else {
        return eprintln!("skipped: PostgreSQL disabled");
    };
    let env = twilio_env(&fake, "50");
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let other = common::another_instance(&app, &extra).await;
    let key = app.api_key().await;
    let (_, c) = import(&app, &key, 150).await;
    let servers = [&app, &other];
    let mut sends = Vec::new();
    for (i, contact) in c.iter().enumerate() {
        let m = servers[i % 2].state.messenger.clone();
        let contact = *contact;
        sends.push(tokio::spawn(async move { m.send_to_contact(contact, &warmline::messaging::manual::ManualSend { body: "Rate test", marketing: false, by: None, idempotency_key: None }).await }));
    }
    for s in sends {
        s.await.unwrap().unwrap();
    }
    eventually("all sent", || async { fake.accepted().len() == 150 }).await;
    let mut times: Vec<i64> = fake.accepted().iter().map(|a| a.created.timestamp_micros()).collect();
    times.sort();
    let busiest = (0..times.len()).map(|i| times[i..].iter().take_while(|t| **t < times[i] + 1_000_000).count()).max().unwrap();
    assert!(busiest <= 50, "{busiest} messages in one second");
}
