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
//! With no URL it uses a temporary SQLite file; for PostgreSQL a fresh database is created on
//! the given server and dropped afterwards.

use axum::routing::post;
use axum::{Json, Router};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use warmline::gate::decision::GateRules;
use warmline::message::MessageKind;
use warmline::messaging::pipeline::{OutboundRequest, Submitted};
use warmline::messaging::{EventBus, Messenger, RateLimiter};
use warmline::providers::twilio::{Sender, TwilioClient};
use warmline::store::Db;
use warmline::ContactId;

/// Twilio's `POST Messages.json`, answered at once with a new SID.
async fn fake_twilio() -> String {
    let counter = Arc::new(AtomicU64::new(0));
    let app = Router::new().route(
        "/2010-04-01/Accounts/{account}/Messages.json",
        post(move || {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            async move { (axum::http::StatusCode::CREATED, Json(serde_json::json!({"sid": format!("SMbench{n:026}"), "status": "queued", "error_code": null}))) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    base
}

/// An IANA zone where it is about midday now, so quiet hours never defer a bench message.
fn midday_zone() -> String {
    let offset = 12 - chrono::Timelike::hour(&chrono::Utc::now()) as i32;
    if offset >= 0 { format!("Etc/GMT-{offset}") } else { format!("Etc/GMT+{}", -offset) }
}

async fn contacts(db: &Db, n: usize) -> Result<Vec<ContactId>, Box<dyn std::error::Error>> {
    let zone = midday_zone();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let new = warmline::contact::NewContact { phone: format!("+1415{:07}", 2_000_000 + i), first_name: Some(format!("Pat{i}")), timezone: Some(zone.clone()), ..Default::default() };
        ids.push(warmline::store::contacts::create(db, &new, warmline::phone::Region::US).await?.id);
    }
    Ok(ids)
}

async fn messenger(db: &Db, twilio: &str) -> Messenger {
    let provider = Arc::new(TwilioClient::new(twilio, "ACbench000000000000000000000000000", "token", Sender::From(warmline::E164::parse("+14155550100").unwrap()), "http://127.0.0.1/cb", Duration::from_secs(15)));
    Messenger::new(db.clone(), provider, RateLimiter::for_db(db, 1_000_000.0), GateRules::default(), EventBus::local())
}

async fn recorded(db: &Db) -> Result<i64, Box<dyn std::error::Error>> {
    let row = sqlx::query("SELECT COUNT(*) FROM messages WHERE provider_sid IS NOT NULL").fetch_one(db.pool()).await?;
    Ok(sqlx::Row::get::<i64, _>(&row, 0))
}

async fn run(url: &str, n: usize, twilio: &str) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let ids = contacts(&db, n).await?;
    let m = messenger(&db, twilio).await;

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

    let t = Instant::now();
    for c in &ids {
        let r = m.submit(OutboundRequest::new(*c, "Bench: see you tomorrow at 9. Reply STOP to opt out.", MessageKind::Manual).key(format!("bench-q{}", c.0))).await?;
        assert!(matches!(r, Submitted::Queued(_)), "queued");
    }
    while recorded(&db).await? < 2 * n as i64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let queued = t.elapsed().as_secs_f64();
    println!("| {} | {n} | {:.2} s | {:.0} /s | {:.2} s | {:.0} /s |", db.backend().name(), waited, n as f64 / waited, queued, n as f64 / queued);
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2000);
    let urls: Vec<String> = args.collect();
    let twilio = fake_twilio().await;
    println!("| database | messages | waited (16 at once) | waited rate | queued | queued rate |");
    println!("|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("warmline-pipeline-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    if urls.is_empty() {
        run(&format!("sqlite:{}", dir.join("bench.db").display()), n, &twilio).await?;
    }
    for url in &urls {
        if url.starts_with("postgres") {
            let name = format!("warmline_pipeline_bench_{}", std::process::id());
            let admin = Db::connect(url).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await?;
            let bench_url = format!("{}/{name}", url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url));
            let result = run(&bench_url, n, &twilio).await;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin.pool()).await?;
            result?;
        } else {
            run(url, n, &twilio).await?;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
