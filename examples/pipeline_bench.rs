//! Sends messages through the one outbound pipeline (`Messenger::submit`) against a fake Twilio
//! on loopback speaking Twilio's wire format, and reports sends per second.
//!
//!     cargo run --release --features ssr --example pipeline_bench -- [MESSAGES] [DATABASE_URL…]
//!
//! Each message is a full trip: the gate (consent, quiet hours), the row written in its
//! transaction under the contact's lock with a claim, the rate-limit slot (set far above the
//! load, so it never waits), the claim renewed, consent re-read, the HTTP call to the fake
//! Twilio, the answer recorded. *Waited* submits with 16 callers at once, each waiting for the
//! provider's answer (how drips and farming send); *queued* submits without waiting and times
//! until the background senders have recorded every answer (manual, REST, broadcasts).
//! The fake Twilio counts what it receives: a second request for the same number and text is
//! a duplicate. *Peak RSS* is this process's high-water mark (the pipeline, its database pool
//! and the fake Twilio together).
//! With no URL it uses a temporary SQLite file; for PostgreSQL a fresh database is created on
//! the given server and dropped afterwards.

use axum::extract::Form;
use axum::routing::post;
use axum::{Json, Router};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warmline::gate::decision::GateRules;
use warmline::message::MessageKind;
use warmline::messaging::pipeline::{OutboundRequest, Submitted};
use warmline::messaging::{EventBus, Messenger, RateLimiter};
use warmline::providers::twilio::{Sender, TwilioClient};
use warmline::store::scratch::Scratch;
use warmline::store::Db;
use warmline::ContactId;

/// What the fake Twilio received: every request, and the distinct (To, Body) pairs (kept as
/// hashes, so the count costs this process little memory).
#[derive(Default)]
struct Received {
    requests: AtomicU64,
    distinct: Mutex<HashSet<u64>>,
}

/// Twilio's `POST Messages.json`, answered at once with a new SID.
async fn fake_twilio(received: Arc<Received>) -> String {
    let app = Router::new().route(
        "/2010-04-01/Accounts/{account}/Messages.json",
        post(move |Form(form): Form<HashMap<String, String>>| {
            let n = received.requests.fetch_add(1, Ordering::Relaxed);
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (form.get("To"), form.get("Body")).hash(&mut hasher);
            received.distinct.lock().expect("lock").insert(hasher.finish());
            async move { (axum::http::StatusCode::CREATED, Json(serde_json::json!({"sid": format!("SMbench{n:026}"), "status": "queued", "error_code": null}))) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    base
}

/// This process's peak resident memory (`VmHWM`), in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kb.unwrap_or(0.0) / 1024.0
}

/// An IANA zone where it is about midday now, so quiet hours never defer a bench message.
fn midday_zone() -> String {
    let offset = 12 - chrono::Timelike::hour(&chrono::Utc::now()) as i32;
    if offset >= 0 { format!("Etc/GMT-{offset}") } else { format!("Etc/GMT+{}", -offset) }
}

/// `n` contacts in one list, imported as a CSV would be, all in a zone where it is midday.
async fn contacts(db: &Db, n: usize) -> Result<Vec<ContactId>, Box<dyn std::error::Error>> {
    let mut csv = String::from("phone,first_name\n");
    for i in 0..n {
        // (415) 2xx-xxxx: valid US numbers, unique per row.
        csv.push_str(&format!("(415) {}-{:04},Pat{i}\n", 200 + i / 10_000, i % 10_000));
    }
    let v = warmline::csv_import::validate(csv.as_bytes(), &warmline::csv_import::ImportOptions::default())?;
    assert!(v.errors.is_empty(), "bench rows must be valid");
    let batch = warmline::store::imports::ImportBatch { list_name: "bench", filename: None, rows: &v.rows, skipped: &[], total_rows: v.total, created_by: None };
    warmline::store::imports::import(db, batch, &|_| {}).await?;
    sqlx::query(&format!("UPDATE contacts SET timezone = '{}'", midday_zone())).execute(db.pool()).await?;
    let rows = sqlx::query("SELECT id FROM contacts ORDER BY id").fetch_all(db.pool()).await?;
    Ok(rows.iter().map(|r| ContactId(sqlx::Row::get::<i64, _>(r, 0))).collect())
}

async fn messenger(db: &Db, twilio: &str) -> Messenger {
    let provider = Arc::new(TwilioClient::new(twilio, "ACbench000000000000000000000000000", "token", Sender::From(warmline::E164::parse("+14155550100").unwrap()), "http://127.0.0.1/cb", Duration::from_secs(15)));
    Messenger::new(db.clone(), provider, RateLimiter::for_db(db, 1_000_000.0), GateRules::default(), EventBus::local())
}

async fn recorded(db: &Db) -> Result<i64, Box<dyn std::error::Error>> {
    let row = sqlx::query("SELECT COUNT(*) FROM messages WHERE provider_sid IS NOT NULL").fetch_one(db.pool()).await?;
    Ok(sqlx::Row::get::<i64, _>(&row, 0))
}

async fn run(url: &str, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let received = Arc::new(Received::default());
    let twilio = fake_twilio(received.clone()).await;
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let t = Instant::now();
    let ids = contacts(&db, n).await?;
    let fill = t.elapsed().as_secs_f64();
    let m = messenger(&db, &twilio).await;

    let t = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(ids.iter().copied())
        .map(|c| {
            let m = m.clone();
            async move { m.submit(OutboundRequest::new(c, "Bench: your roof check is booked. Reply STOP to opt out.", MessageKind::Manual).key(format!("bench-w{}", c.0)).wait()).await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let waited = t.elapsed().as_secs_f64();
    let accepted = results.iter().filter(|r| matches!(r, Ok(Submitted::Accepted(_)))).count();
    assert_eq!(accepted, n, "every waited send accepted");
    drop(results);

    let t = Instant::now();
    for c in &ids {
        let r = m.submit(OutboundRequest::new(*c, "Bench: see you tomorrow at 9. Reply STOP to opt out.", MessageKind::Manual).key(format!("bench-q{}", c.0))).await?;
        assert!(matches!(r, Submitted::Queued(_)), "queued");
    }
    while recorded(&db).await? < 2 * n as i64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let queued = t.elapsed().as_secs_f64();
    let requests = received.requests.load(Ordering::Relaxed);
    let duplicates = requests - received.distinct.lock().expect("lock").len() as u64;
    println!(
        "| {} | {n} | {fill:.0} s | {:.1} s | {:.0} /s | {:.1} s | {:.0} /s | {requests} | {duplicates} | {:.0} MB |",
        db.backend().name(),
        waited,
        n as f64 / waited,
        queued,
        n as f64 / queued,
        peak_rss_mb()
    );
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let urls: Vec<String> = args.collect();
    println!("| database | messages | fill | waited (16 at once) | waited rate | queued | queued rate | requests at Twilio | duplicates | peak RSS |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let servers: Vec<Option<&str>> = if urls.is_empty() { vec![None] } else { urls.iter().map(|u| Some(u.as_str())).collect() };
    for server in servers {
        let scratch = Scratch::create("pipeline_bench", server).await?;
        let result = run(&scratch.url, n).await;
        scratch.drop_now().await?;
        result?;
    }
    Ok(())
}
