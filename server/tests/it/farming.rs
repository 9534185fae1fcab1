//! Warm-lead farming through the real router: selection and its exclusions, the cool-off
//! edge, the daily cap under concurrent triggers, resuming, warm leads from YES, STOP, the
//! inbound log and the stats endpoint. Both databases.

use crate::common;
use common::fake_twilio::FakeTwilio;
use common::{eventually, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

both!(
    dry_run_excludes_every_reason_and_the_cool_off_edge,
    the_cap_holds_under_concurrent_triggers,
    batches_resume_where_the_last_one_stopped,
    yes_makes_one_warm_lead_stop_opts_out_and_stats_count_them,
    the_daily_schedule_starts_one_batch_after_its_time,
    a_batch_a_restart_interrupted_finishes_without_a_resend,
    farming_templates_know_imported_columns_like_drips,
);

/// `{{ city }}`, a column of an imported CSV, works in farming as it does in drips: one
/// merge-field list for every template.
async fn farming_templates_know_imported_columns_like_drips(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = fast(backend).await;
    let key = app.api_key().await;
    let zone = common::midday_zone();
    let csv = format!("phone,first_name,timezone,consent_source,City\n{},Pat,{zone},web form,Austin\n", phone(0));
    let r = app.client().post(app.url("/api/v1/contacts/import?list=cities")).bearer_auth(&key).header("content-type", "text/csv").body(csv).send().await.unwrap();
    let list = r.json::<Value>().await.unwrap()["list_id"].as_i64().unwrap();
    let template = "Hi {{ first_name }} in {{ city }}! Warmline Roofing: free roof check? Reply YES. Reply STOP to opt out.";
    let (s, v) = api(&app, &key, Method::POST, "/api/v1/farming-campaigns", Some(json!({"name": "Cities", "template": template, "list_id": list}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A field nobody has is still refused, naming it.
    let (s, v) = api(&app, &key, Method::POST, "/api/v1/farming-campaigns", Some(json!({"name": "Bad", "template": "{{ county }} Warmline. Reply STOP to opt out.", "list_id": list}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v.to_string().contains("unknown field 'county'"), "{v}");

    let id = v_id(&app, &key).await;
    let (s, v) = api(&app, &key, Method::POST, &format!("/api/v1/farming-campaigns/{id}/batches"), None).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    wait_done(&app, &key, id, v["id"].as_i64().unwrap()).await;
    let body = sqlx::query("SELECT body FROM messages WHERE kind = 'farming'").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(sqlx::Row::get::<String, _>(&body, 0), "Hi Pat in Austin! Warmline Roofing: free roof check? Reply YES. Reply STOP to opt out.");
}

/// The id of the only farming campaign.
async fn v_id(app: &TestApp, key: &str) -> i64 {
    let (_, v) = api(app, key, Method::GET, "/api/v1/farming-campaigns", None).await;
    v[0]["id"].as_i64().unwrap()
}

async fn fast(backend: Backend) -> TestApp {
    common::spawn_with(backend, &[("SEND_RATE_MPS", "100000"), ("DAILY_BATCH_DEFAULT", "450")]).await.unwrap()
}

async fn api(app: &TestApp, key: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client().request(method, app.url(path)).bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn phone(i: usize) -> String {
    format!("+1415{:07}", 3_000_000 + i)
}

/// Imports `n` contacts (in a zone where it is midday) into list `name`; returns the list id
/// and the contact ids in import order.
async fn import(app: &TestApp, key: &str, name: &str, n: usize) -> (i64, Vec<i64>) {
    let zone = common::midday_zone();
    let mut csv = String::from("phone,first_name,timezone,consent_source\n");
    for i in 0..n {
        csv.push_str(&format!("{},Pat{i},{zone},web form\n", phone(i)));
    }
    let r = app.client().post(app.url(&format!("/api/v1/contacts/import?list={name}"))).bearer_auth(key).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let c = warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse(&phone(i)).unwrap()).await.unwrap().unwrap();
        ids.push(c.id.0);
    }
    (v["list_id"].as_i64().unwrap(), ids)
}

const TEMPLATE: &str = "Hi {{ first_name | default(\"there\") }}, Warmline Roofing here: free roof check this month? Reply YES for a quote. Reply STOP to opt out.";

async fn campaign(app: &TestApp, key: &str, list: i64, extra: Value) -> i64 {
    let mut body = json!({"name": "Roof farm", "template": TEMPLATE, "list_id": list});
    if let Value::Object(m) = extra {
        body.as_object_mut().unwrap().extend(m);
    }
    let (s, v) = api(app, key, Method::POST, "/api/v1/farming-campaigns", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

async fn exec(app: &TestApp, sql: &str, args: &[i64]) {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(*a);
    }
    q.execute(app.state.db.pool()).await.unwrap();
}

async fn scalar(app: &TestApp, sql: &str, args: &[i64]) -> i64 {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(*a);
    }
    sqlx::Row::get::<i64, _>(&q.fetch_one(app.state.db.pool()).await.unwrap(), 0)
}

async fn wait_done(app: &TestApp, key: &str, id: i64, batch: i64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, v) = api(app, key, Method::GET, &format!("/api/v1/farming-campaigns/{id}/batches/{batch}"), None).await;
        if v["status"] == "done" && v["queued"] == v["selected"] {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "the batch never finished: {v}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v["contact_ids"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

async fn dry_run_excludes_every_reason_and_the_cool_off_edge(app: TestApp) {
    let key = app.api_key().await;
    let (list, c) = import(&app, &key, "farm", 10).await;
    let id = campaign(&app, &key, list, json!({"cool_off_days": 7})).await;
    let now = chrono::Utc::now().timestamp_millis();
    let week = 7 * 86_400_000;
    exec(&app, "UPDATE contacts SET opted_out = 1 WHERE id = $1", &[c[0]]).await;
    exec(&app, "UPDATE contacts SET flagged = 1 WHERE id = $1", &[c[1]]).await;
    exec(&app, "UPDATE contacts SET number_status = 'landline' WHERE id = $1", &[c[2]]).await;
    exec(&app, "INSERT INTO warm_leads (contact_id, campaign_id, reply_text, replied_at) VALUES ($1, $2, 'YES', $3)", &[c[3], id, now]).await;
    // A past batch: one contact picked just inside the cool-off, one just outside it.
    exec(&app, "INSERT INTO farming_batches (campaign_id, day, status, requested, selected, template, triggered_by, created_at) VALUES ($1, '2000-01-01', 'done', 2, 2, 'x', 'test', $2)", &[id, now]).await;
    let batch = scalar(&app, "SELECT MAX(id) FROM farming_batches WHERE campaign_id = $1", &[id]).await;
    exec(&app, "INSERT INTO farming_sends (batch_id, contact_id, campaign_id, message_id, picked_at) VALUES ($1, $2, $3, 0, $4)", &[batch, c[4], id, now - week + 60_000]).await;
    exec(&app, "INSERT INTO farming_sends (batch_id, contact_id, campaign_id, message_id, picked_at) VALUES ($1, $2, $3, 0, $4)", &[batch, c[5], id, now - week - 60_000]).await;
    // One eligible contact has no consent record.
    exec(&app, "UPDATE contacts SET consent_source = NULL WHERE id = $1", &[c[9]]).await;

    let (s, v) = api(&app, &key, Method::POST, &format!("/api/v1/farming-campaigns/{id}/dry-run"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["selected"], 5, "{v}");
    assert_eq!(ids(&v), c[5..].to_vec(), "import order, the one just outside the cool-off included");
    assert_eq!(v["excluded"], json!({"opted_out": 1, "warm_lead": 1, "cool_off": 1, "invalid": 1, "flagged": 1}));
    assert_eq!(v["without_consent"], 1);
    // A smaller batch shows exactly that many.
    let (_, v) = api(&app, &key, Method::POST, &format!("/api/v1/farming-campaigns/{id}/dry-run"), Some(json!({"max": 2}))).await;
    assert_eq!(ids(&v), c[5..7].to_vec());
    // A dry run sends nothing and picks nothing.
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming'", &[]).await, 0);
    // Bad input gets a clear error.
    let (s, v) = api(&app, &key, Method::POST, "/api/v1/farming-campaigns", Some(json!({"name": "x", "template": "Reply YES", "list_id": list}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("STOP"), "{v}");
    let (s, _) = api(&app, &key, Method::POST, "/api/v1/farming-campaigns/999/dry-run", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn the_cap_holds_under_concurrent_triggers(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = fast(backend).await;
    let key = app.api_key().await;
    let (list, _) = import(&app, &key, "capped", 30).await;
    let id = campaign(&app, &key, list, json!({"daily_cap": 10})).await;
    let path = format!("/api/v1/farming-campaigns/{id}/batches");
    // Five clicks at once: one batch starts, the others are refused.
    let tries = (0..5).map(|_| api(&app, &key, Method::POST, &path, None));
    let results = futures_util::future::join_all(tries).await;
    let started: Vec<&Value> = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, v)| v).collect();
    assert_eq!(started.len(), 1, "{results:?}");
    for (s, v) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*s, StatusCode::CONFLICT, "{v}");
    }
    let batch = started[0]["id"].as_i64().unwrap();
    let done = wait_done(&app, &key, id, batch).await;
    assert_eq!(done["selected"], 10);
    // The cap is used up for today: another trigger is refused with the reason.
    let (s, v) = api(&app, &key, Method::POST, &path, None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(v["error"].as_str().unwrap().contains("cap"), "{v}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming'", &[]).await, 10);
    eventually("the simulator sends them", || async { scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming' AND provider_sid IS NOT NULL", &[]).await == 10 }).await;
}

async fn batches_resume_where_the_last_one_stopped(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = fast(backend).await;
    let key = app.api_key().await;
    let (list, c) = import(&app, &key, "resume", 25).await;
    // No cool-off, so the cursor (not the cool-off) decides who is next.
    let id = campaign(&app, &key, list, json!({"cool_off_days": 0})).await;
    let path = format!("/api/v1/farming-campaigns/{id}/batches");
    let mut picked: Vec<Vec<i64>> = Vec::new();
    for _ in 0..3 {
        let (s, v) = api(&app, &key, Method::POST, &path, Some(json!({"max": 10}))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let batch = v["id"].as_i64().unwrap();
        wait_done(&app, &key, id, batch).await;
        let rows = sqlx::query("SELECT contact_id FROM farming_sends WHERE batch_id = $1 ORDER BY contact_id").bind(batch).fetch_all(app.state.db.pool()).await.unwrap();
        picked.push(rows.iter().map(|r| sqlx::Row::get::<i64, _>(r, 0)).collect());
    }
    assert_eq!(picked[0], c[0..10].to_vec());
    assert_eq!(picked[1], c[10..20].to_vec());
    // The third reaches the end of the list and wraps round to the start.
    let mut expected: Vec<i64> = c[20..25].iter().chain(c[0..5].iter()).copied().collect();
    expected.sort();
    assert_eq!(picked[2], expected);
    // Each message was stored once, under its own key.
    assert_eq!(scalar(&app, "SELECT COUNT(DISTINCT outbox_key) FROM messages WHERE kind = 'farming'", &[]).await, 30);
}

async fn inbound(app: &TestApp, from: &str, body: &str) {
    let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", &sid), ("From", from), ("To", "+14155550100"), ("Body", body)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn yes_makes_one_warm_lead_stop_opts_out_and_stats_count_them(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = fast(backend).await;
    let key = app.api_key().await;
    let (list, c) = import(&app, &key, "leads", 5).await;
    let id = campaign(&app, &key, list, json!({"daily_cap": 3})).await;
    let (s, v) = api(&app, &key, Method::POST, &format!("/api/v1/farming-campaigns/{id}/batches"), None).await;
    assert_eq!(s, StatusCode::CREATED);
    wait_done(&app, &key, id, v["id"].as_i64().unwrap()).await;

    inbound(&app, &phone(0), "YES").await;
    // Webhooks are processed in the background: let the first land before the repeat.
    eventually("the first YES is processed", || async { scalar(&app, "SELECT COUNT(*) FROM inbound_log", &[]).await == 1 }).await;
    inbound(&app, &phone(0), "yes!!").await;
    inbound(&app, &phone(1), "Interested, call me").await;
    inbound(&app, &phone(2), "STOP").await;
    // Someone never farmed saying YES is not a warm lead.
    inbound(&app, &phone(4), "Yes").await;
    eventually("replies processed", || async { scalar(&app, "SELECT COUNT(*) FROM inbound_log", &[]).await == 5 }).await;

    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM warm_leads", &[]).await, 2);
    let reply_to_first = "SELECT COUNT(*) FROM messages WHERE contact_id = $1 AND kind = 'auto_reply' AND body = 'Thanks! We''ll call you shortly.'";
    eventually("auto-replies sent", || async { scalar(&app, reply_to_first, &[c[0]]).await == 1 && scalar(&app, reply_to_first, &[c[1]]).await == 1 }).await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'auto_reply' AND body LIKE 'Thanks!%'", &[]).await, 2, "one auto-reply per warm lead");
    let warm_text = sqlx::query("SELECT reply_text FROM warm_leads WHERE contact_id = $1").bind(c[0]).fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(sqlx::Row::get::<String, _>(&warm_text, 0), "YES", "the first reply is kept");
    let actions: HashSet<String> = sqlx::query("SELECT action FROM inbound_log").fetch_all(app.state.db.pool()).await.unwrap().iter().map(|r| sqlx::Row::get(r, 0)).collect();
    assert_eq!(actions, ["warm_lead", "none", "opt_out"].into_iter().map(String::from).collect());

    let (s, v) = api(&app, &key, Method::GET, "/api/v1/stats/warm-leads", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((v["today"].as_i64(), v["last_7_days"].as_i64(), v["target_low"].as_i64(), v["target_high"].as_i64()), (Some(2), Some(2), Some(10), Some(16)), "{v}");
    assert_eq!(v["sends_today"], 3);

    // The next dry run leaves all three out, each for its reason.
    let (_, v) = api(&app, &key, Method::POST, &format!("/api/v1/farming-campaigns/{id}/dry-run"), None).await;
    assert_eq!(v["excluded"]["warm_lead"], 2, "{v}");
    assert_eq!(v["excluded"]["opted_out"], 1, "{v}");
    let spec: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for p in ["/farming-campaigns", "/farming-campaigns/{id}/dry-run", "/farming-campaigns/{id}/batches", "/farming-campaigns/{id}/batches/{batch_id}", "/stats/warm-leads"] {
        assert!(spec["paths"][p].is_object(), "{p} in the OpenAPI document");
    }

    // Each day counts its own: the first warm lead three days back, a send two days back,
    // another past the week.
    let day = 86_400_000;
    let now = warmline::now_millis();
    exec(&app, "UPDATE warm_leads SET replied_at = $1 WHERE contact_id = $2", &[now - 3 * day, c[0]]).await;
    let sends: Vec<i64> = sqlx::query("SELECT id FROM messages WHERE kind = 'farming' ORDER BY id").fetch_all(app.state.db.pool()).await.unwrap().iter().map(|r| sqlx::Row::get(r, 0)).collect();
    exec(&app, "UPDATE messages SET created_at = $1 WHERE id = $2", &[now - 2 * day, sends[0]]).await;
    exec(&app, "UPDATE messages SET created_at = $1 WHERE id = $2", &[now - 10 * day, sends[1]]).await;
    let (_, v) = api(&app, &key, Method::GET, "/api/v1/stats/warm-leads", None).await;
    assert_eq!((v["today"].as_i64(), v["last_7_days"].as_i64(), v["sends_today"].as_i64(), v["sends_7_days"].as_i64()), (Some(1), Some(2), Some(1), Some(2)), "{v}");
    let per_day: Vec<i64> = v["per_day"].as_array().unwrap().iter().map(|d| d[1].as_i64().unwrap()).collect();
    assert_eq!(per_day, [0, 0, 0, 1, 0, 0, 1], "oldest day first: {v}");
}

async fn the_daily_schedule_starts_one_batch_after_its_time(app: TestApp) {
    use chrono::TimeZone;
    let backend = app.backend;
    drop(app);
    let app = fast(backend).await;
    let key = app.api_key().await;
    let (list, _) = import(&app, &key, "scheduled", 5).await;
    let id = campaign(&app, &key, list, json!({"send_time": "09:30", "daily_cap": 3})).await;
    // A manual campaign over the same list is never started by the schedule.
    campaign(&app, &key, list, json!({"name": "Manual farm"})).await;
    let farm = &app.state.farm;
    let today = chrono::Utc::now().with_timezone(&farm.zone()).date_naive();
    let at = |h: u32, m: u32| farm.zone().from_local_datetime(&today.and_hms_opt(h, m, 0).unwrap()).earliest().unwrap().with_timezone(&chrono::Utc);
    let batches = || scalar(&app, "SELECT COUNT(*) FROM farming_batches", &[]);

    assert_eq!(farm.scheduled(at(9, 29)).await.unwrap(), 0, "not before its time");
    assert_eq!(batches().await, 0);
    assert_eq!(farm.scheduled(at(9, 31)).await.unwrap(), 1);
    let rows = sqlx::query("SELECT campaign_id, selected, triggered_by FROM farming_batches").fetch_all(app.state.db.pool()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(sqlx::Row::get::<i64, _>(&rows[0], 0), id);
    assert_eq!(sqlx::Row::get::<i64, _>(&rows[0], 1), 3, "the daily cap");
    assert_eq!(sqlx::Row::get::<String, _>(&rows[0], 2), "schedule");
    // Later checks the same day start nothing more.
    assert_eq!(farm.scheduled(at(9, 45)).await.unwrap(), 0);
    assert_eq!(farm.scheduled(at(23, 59)).await.unwrap(), 0);
    assert_eq!(batches().await, 1);
}

/// The server stopped mid-batch: one message had reached the provider without its answer being
/// saved, one was stored but never sent, one was not stored yet. Resuming adopts the first,
/// sends the second once (through the gate again), and sends the third.
async fn a_batch_a_restart_interrupted_finishes_without_a_resend(app: TestApp) {
    use warmline::message::{Direction, MessageKind, MessageStatus};
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let env = [
        ("SMS_PROVIDER", "twilio".to_string()),
        ("TWILIO_API_BASE", fake.base.clone()),
        ("TWILIO_ACCOUNT_SID", "ACtest0000000000000000000000000000".into()),
        ("TWILIO_FROM", "+14155550100".into()),
        ("SEND_RATE_MPS", "100000".into()),
    ];
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = common::spawn_with(backend, &extra).await.unwrap();
    let key = app.api_key().await;
    let (list, c) = import(&app, &key, "restart", 3).await;
    let id = campaign(&app, &key, list, json!({"daily_cap": 3})).await;
    let db = &app.state.db;
    // The batch as the stopped server left it: picked, running.
    let camp = warmline::store::farming::get_by_id(db, warmline::FarmingCampaignId(id)).await.unwrap();
    let now = chrono::Utc::now();
    let day = app.state.farm.day(now);
    let nb = warmline::store::farming::NewBatch { campaign: &camp, day: &day, max: 3, template: &camp.template, triggered_by: "test", by: None, cutoff: now.timestamp_millis() - 7 * 86_400_000, lease: None };
    let (batch, picked) = warmline::store::farming::start_batch(db, &nb).await.unwrap();
    assert_eq!(picked, 3);
    let store = |contact: i64, body: String| async move {
        let key = format!("farm-b{batch}-c{contact}");
        let mut conn = db.pool().acquire().await.unwrap();
        let m = warmline::store::messages::NewMessage {
            contact_id: warmline::ContactId(contact), direction: Direction::Out, body: &body, status: MessageStatus::Queued, provider_sid: None,
            kind: MessageKind::Farming, marketing: true, decision: None, send_at: None, sent_by: None, outbox: None, outbox_key: Some(&key), sender: None, lease: None,
        };
        warmline::store::messages::insert(&mut conn, &m).await.unwrap();
    };
    let body0 = "Hi Pat0, Warmline Roofing: free roof check? Reply YES for a quote. Reply STOP to opt out.".to_string();
    store(c[0], body0.clone()).await;
    // The stopped server's call that reached Twilio before it died.
    let twilio = warmline::providers::twilio::TwilioClient::new(&fake.base, "ACtest0000000000000000000000000000", "token", warmline::providers::twilio::Sender::From(warmline::E164::parse("+14155550100").unwrap()), "http://x/cb", std::time::Duration::from_secs(5));
    warmline::providers::SmsProvider::send(&twilio, &warmline::E164::parse(&phone(0)).unwrap(), None, &body0).await.unwrap();
    store(c[1], "Hi Pat1, Warmline Roofing: free roof check? Reply YES for a quote. Reply STOP to opt out.".into()).await;
    assert_eq!(fake.accepted().len(), 1);

    assert_eq!(app.state.farm.resume().await.unwrap(), 1);
    wait_done(&app, &key, id, batch.0).await;
    // The one stored but never sent is back with the scheduler, which asks the gate again.
    app.state.messenger.send_due().await.unwrap();
    eventually("all three are recorded as sent", || async {
        scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming' AND provider_sid IS NOT NULL", &[]).await == 3
    })
    .await;
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 3, "one message per contact reached the provider");
    let to: HashSet<String> = accepted.iter().map(|a| a.to.clone()).collect();
    assert_eq!(to.len(), 3);
    assert!(fake.list_calls() >= 2, "both unfinished sends were checked with the provider first");
}
