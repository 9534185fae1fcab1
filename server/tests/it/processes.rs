//! Real `warmline` server processes against a fake Twilio on loopback: killed with SIGKILL in
//! the middle of a broadcast and of a farming batch and started again, and two of them on one
//! PostgreSQL database running the same drip campaign and farming batch. Every message reaches
//! the provider exactly once, none is left queued, and the rate limit holds across servers.

use crate::common;
use common::fake_twilio::FakeTwilio;
use common::{eventually_within, Backend, TestApp, AUTH_TOKEN, PUBLIC_URL};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

both!(killed_mid_broadcast_sends_each_message_once, killed_mid_farming_batch_sends_each_message_once, stopped_mid_broadcast_hands_the_rest_over_at_once);

const FROM: &str = "+14155550100";

/// One `warmline serve` process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts a server on `database_url` sending through `fake`, and waits until it answers.
    async fn start(database_url: &str, fake: &FakeTwilio, extra: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_warmline"));
        cmd.arg("serve")
            .env_clear()
            .env("DATABASE_URL", database_url)
            .env("WARMLINE_ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_URL", PUBLIC_URL)
            .env("LEAD_SECRET_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
            .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
            .env("SMS_PROVIDER", "twilio")
            .env("TWILIO_API_BASE", &fake.base)
            .env("TWILIO_ACCOUNT_SID", "ACtest0000000000000000000000000000")
            .env("TWILIO_FROM", FROM)
            .env("SEND_LEASE_MS", "1000")
            .env("RECOVERY_EVERY_MS", "200")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start warmline");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let url = format!("{base}/healthz");
        eventually_within("the server answers", Duration::from_secs(60), || {
            let (client, url) = (client.clone(), url.clone());
            async move { client.get(&url).send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await;
        Server { child, base }
    }

    /// SIGTERM, as a deploy stops it; waits until it has exited.
    async fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while self.child.try_wait().expect("wait").is_none() {
            assert!(std::time::Instant::now() < deadline, "the server did not stop on SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no shutdown, no cleanup, whatever was in flight.
    fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn phone(i: usize) -> String {
    format!("+1415{:07}", 5_000_000 + i)
}

async fn import(app: &TestApp, key: &str, list: &str, n: usize, first: usize) -> i64 {
    let zone = common::midday_zone();
    let mut csv = String::from("phone,first_name,timezone,consent_source\n");
    for i in first..first + n {
        csv.push_str(&format!("{},Pat{i},{zone},web form\n", phone(i)));
    }
    let r = app.client().post(app.url(&format!("/api/v1/contacts/import?list={list}"))).bearer_auth(key).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["imported"], n);
    v["list_id"].as_i64().unwrap()
}

async fn post(base: &str, key: &str, path: &str, body: Value) -> Value {
    let r = reqwest::Client::new().post(format!("{base}{path}")).bearer_auth(key).json(&body).send().await.unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::Row::get::<i64, _>(&sqlx::query(sql).fetch_one(app.state.db.pool()).await.unwrap(), 0)
}

/// What reached phones: `expected` messages, no (number, text) twice.
fn assert_each_once(fake: &FakeTwilio, prefix: &str, expected: usize) {
    let accepted: Vec<_> = fake.accepted().into_iter().filter(|a| a.body.starts_with(prefix)).collect();
    let unique: HashSet<(String, String)> = accepted.iter().map(|a| (a.to.clone(), a.body.clone())).collect();
    assert_eq!(unique.len(), expected, "distinct messages at the provider");
    assert_eq!(accepted.len(), expected, "messages at the provider (a duplicate shows here)");
}

/// The busiest one-second window of the messages the fake accepted.
fn busiest_second(fake: &FakeTwilio) -> usize {
    let mut t: Vec<i64> = fake.accepted().iter().map(|a| a.created.timestamp_micros()).collect();
    t.sort();
    (0..t.len()).map(|i| t[i..].iter().take_while(|x| **x < t[i] + 1_000_000).count()).max().unwrap_or(0)
}

async fn make_farming_campaign(base: &str, key: &str, list: i64, cap: i64) -> i64 {
    let template = "Hi {{ first_name }}, Warmline Roofing: free roof check? Reply YES. Reply STOP to opt out.";
    post(base, key, "/api/v1/farming-campaigns", json!({"name": "Farm", "template": template, "list_id": list, "daily_cap": cap})).await["id"].as_i64().unwrap()
}

/// `n` warm leads and an admin, and a server (with `env`) that has started a broadcast to them.
async fn broadcasting(app: &TestApp, fake: &FakeTwilio, n: usize, env: &[(&str, &str)]) -> Server {
    let key = app.api_key().await;
    let list = import(app, &key, "leads", n, 0).await;
    let farm = make_farming_campaign(&app.base, &key, list, 10).await;
    sqlx::query("INSERT INTO warm_leads (contact_id, campaign_id, reply_text, replied_at) SELECT id, $1, 'YES', $2 FROM contacts")
        .bind(farm)
        .bind(warmline::now_millis())
        .execute(app.state.db.pool())
        .await
        .unwrap();
    drop(app.setup_admin("boss@example.com", "correct horse battery").await);
    let server = Server::start(&app.state.config.database_url, fake, env).await;
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.post(format!("{}{}", server.base, <warmline_app::api::auth::Login as leptos::server_fn::ServerFn>::PATH)).form(&[("email", "boss@example.com"), ("password", "correct horse battery")]).send().await.unwrap();
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let path = <warmline_app::api::farming::MessageWarmLeads as leptos::server_fn::ServerFn>::PATH;
    let r = client.post(format!("{}{path}", server.base)).form(&[("body", "Spring special for our warm leads")]).send().await.unwrap();
    assert!(r.status().is_success(), "{} {:?}", r.status(), r.text().await);
    server
}

/// 500 warm leads, a broadcast sent by a server that is killed part-way; a new server finishes
/// it from the database alone.
async fn killed_mid_broadcast_sends_each_message_once(app: TestApp) {
    let fake = FakeTwilio::start().await;
    // Slow answers keep sends in flight when the kill lands.
    fake.set_latency(Duration::from_millis(20));
    let server = broadcasting(&app, &fake, 500, &[("SEND_RATE_MPS", "100")]).await;
    eventually_within("the broadcast is part-way", Duration::from_secs(60), || async { fake.accepted().len() >= 150 }).await;
    server.kill();
    let at_kill = fake.accepted().len();
    assert!(at_kill < 500, "killed before the end ({at_kill})");

    let _again = Server::start(&app.state.config.database_url, &fake, &[("SEND_RATE_MPS", "100")]).await;
    eventually_within("the new server finishes the broadcast", Duration::from_secs(90), || async {
        scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'broadcast' AND provider_sid IS NOT NULL").await == 500
    })
    .await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'broadcast'").await, 500);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE status = 'queued' AND provider_sid IS NULL").await, 0, "none left queued");
    assert_each_once(&fake, "Spring special", 500);
}

/// A server stopped with SIGTERM in the middle of a broadcast finishes what it is sending and
/// gives back the claims of the rest: with claims of 10 minutes, the next server still sends
/// them at once, and nothing twice.
async fn stopped_mid_broadcast_hands_the_rest_over_at_once(app: TestApp) {
    let fake = FakeTwilio::start().await;
    fake.set_latency(Duration::from_millis(20));
    // 300 at 20 a second: 15 s, so the stop lands part-way even on a busy machine.
    let env = [("SEND_RATE_MPS", "20"), ("SEND_LEASE_MS", "600000")];
    let server = broadcasting(&app, &fake, 300, &env).await;
    eventually_within("the broadcast is part-way", Duration::from_secs(60), || async { fake.accepted().len() >= 20 }).await;
    let (before, t) = (fake.accepted().len(), std::time::Instant::now());
    server.stop().await;
    let at_stop = fake.accepted().len();
    eprintln!("SIGTERM at {before} sent; stopped after {:?} at {at_stop}", t.elapsed());
    assert!(at_stop < 300, "stopped before the end ({at_stop})");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'broadcast' AND provider_sid IS NULL AND lease_owner IS NOT NULL").await, 0, "every claim was given back");

    let _again = Server::start(&app.state.config.database_url, &fake, &env).await;
    eventually_within("the next server sends the rest", Duration::from_secs(90), || async {
        scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'broadcast' AND provider_sid IS NOT NULL").await == 300
    })
    .await;
    assert_each_once(&fake, "Spring special", 300);
}

/// A farming batch of 300, its server killed part-way: the next server takes the batch over
/// once its claim runs out and finishes it without a second copy of anything.
async fn killed_mid_farming_batch_sends_each_message_once(app: TestApp) {
    let fake = FakeTwilio::start().await;
    fake.set_latency(Duration::from_millis(20));
    let key = app.api_key().await;
    let list = import(&app, &key, "cold", 300, 0).await;
    let db = app.state.config.database_url.clone();
    let server = Server::start(&db, &fake, &[("SEND_RATE_MPS", "100")]).await;
    let farm = make_farming_campaign(&server.base, &key, list, 300).await;
    let batch = post(&server.base, &key, &format!("/api/v1/farming-campaigns/{farm}/batches"), json!({})).await;
    assert_eq!(batch["selected"], 300, "{batch}");

    eventually_within("the batch is part-way", Duration::from_secs(60), || async { fake.accepted().len() >= 100 }).await;
    server.kill();
    let at_kill = fake.accepted().len();
    assert!(at_kill < 300, "killed before the end ({at_kill})");

    let _again = Server::start(&db, &fake, &[("SEND_RATE_MPS", "100")]).await;
    eventually_within("the new server finishes the batch", Duration::from_secs(90), || async {
        scalar(&app, "SELECT COUNT(*) FROM farming_batches WHERE status = 'running'").await == 0
            && scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming' AND provider_sid IS NOT NULL").await == 300
    })
    .await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE kind = 'farming'").await, 300);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE status = 'queued' AND provider_sid IS NULL").await, 0, "none left queued");
    assert_each_once(&fake, "Hi Pat", 300);
}

/// Two servers on one PostgreSQL database, both running the drip runner and the farming
/// schedule: a 2-step drip to 1,000 contacts and a farming batch of 200 go out once each, and
/// with `SEND_RATE_MPS=50` no second at the provider holds more than 50.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_postgres_send_once_within_one_rate() {
    let Some(app) = common::spawn(Backend::Postgres).await else {
        return eprintln!("skipped: PostgreSQL disabled");
    };
    let fake = FakeTwilio::start().await;
    let key = app.api_key().await;
    let drip_list = import(&app, &key, "drip", 1000, 0).await;
    let farm_list = import(&app, &key, "farm", 200, 1000).await;
    let db = app.state.config.database_url.clone();
    let rate = [("SEND_RATE_MPS", "50"), ("SEND_LEASE_MS", "60000")];
    let (a, b) = (Server::start(&db, &fake, &rate).await, Server::start(&db, &fake, &rate).await);

    let steps = json!([
        {"delay_minutes": 0, "template": "Step one for {{ first_name }}. Reply STOP to opt out."},
        {"delay_minutes": 0, "template": "Step two for {{ first_name }}"}
    ]);
    let id = post(&a.base, &key, "/api/v1/campaigns", json!({"name": "Pair", "steps": steps})).await["id"].as_i64().unwrap();
    post(&b.base, &key, &format!("/api/v1/campaigns/{id}/activate"), json!({})).await;
    post(&a.base, &key, &format!("/api/v1/campaigns/{id}/enrollments"), json!({"list_id": drip_list})).await;
    let farm = make_farming_campaign(&b.base, &key, farm_list, 200).await;
    post(&b.base, &key, &format!("/api/v1/farming-campaigns/{farm}/batches"), json!({})).await;

    eventually_within("everything is sent", Duration::from_secs(180), || async { fake.accepted().len() >= 2200 }).await;
    eventually_within("everything is recorded", Duration::from_secs(30), || async {
        scalar(&app, "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND provider_sid IS NOT NULL").await == 2200
    })
    .await;
    assert_each_once(&fake, "Step one for", 1000);
    assert_each_once(&fake, "Step two for", 1000);
    assert_each_once(&fake, "Hi Pat", 200);
    let busiest = busiest_second(&fake);
    eprintln!("busiest second at the provider: {busiest} messages");
    assert!(busiest <= 50, "{busiest} messages reached the provider in one second");
    drop((a, b));
}
