//! Times the analytics page's queries on a large history.
//!
//!     cargo run --release --features ssr --example analytics_bench -- [MESSAGES] [CONTACTS] [DATABASE_URL…]
//!
//! Fills a fresh database with CONTACTS contacts (default 1,000,000) and MESSAGES outbound
//! messages (default 10,000,000) spread over the last 90 days: 20 drip campaigns of 4 steps
//! and every other kind, 3 sender numbers, 5 team members; 93% delivered, 3% undelivered (a
//! third of them filtered), 1% failed; 6% replied, 1% opted out, 1% warm. Then builds the
//! counters with `warmline analytics rebuild`'s code and times what the page asks for: the
//! whole report (figures, daily series, breakdowns, funnels, alarms) for 30 days, 7 days,
//! today, one campaign and one sender, plus the team days, the REST summary and the filter
//! choices; 30 runs each, p50 and p95. With no URL it uses a temporary SQLite file; a PostgreSQL URL gets a
//! fresh database created and dropped.

use std::time::Instant;
use warmline::analytics::service::Analytics;
use warmline::analytics::{CostRates, FilterInput};
use warmline::gate::decision::GateRules;
use warmline::messaging::{EventBus, SharedRules};
use warmline::store::{Backend, Db};
use warmline::store::scratch::Scratch;

const DAY: i64 = 86_400_000;

async fn fill(db: &Db, messages: i64, contacts: i64) -> Result<(), Box<dyn std::error::Error>> {
    let now = warmline::now_millis();
    let series = |n: &str| match db.backend() {
        Backend::Sqlite => format!("WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) SELECT i FROM seq"),
        Backend::Postgres => format!("SELECT generate_series(1, {n}::BIGINT) AS i"),
    };
    let phone = match db.backend() {
        Backend::Sqlite => "'+1415' || printf('%07d', i)",
        Backend::Postgres => "'+1415' || lpad(i::TEXT, 7, '0')",
    };
    for u in 1..=5 {
        sqlx::query("INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, 'x', 'member', $2)").bind(format!("member{u}@example.com")).bind(now).execute(db.pool()).await?;
    }
    for c in 1..=20 {
        sqlx::query("INSERT INTO campaigns (name, status, created_at, updated_at) VALUES ($1, 'active', $2, $2)").bind(format!("Drip {c}")).bind(now).execute(db.pool()).await?;
        for p in 0..4 {
            sqlx::query("INSERT INTO campaign_steps (campaign_id, position, delay, template) VALUES ($1, $2, '1d', 'Hi')").bind(c as i64).bind(p as i64).execute(db.pool()).await?;
        }
    }
    sqlx::query(&format!(
        "INSERT INTO contacts (phone, first_name, consent_source, created_at, updated_at) SELECT {phone}, 'Pat', 'web form', $1, $1 FROM ({}) s",
        series("$2")
    ))
    .bind(now)
    .bind(contacts)
    .execute(db.pool())
    .await?;
    // Spread over 90 days, in time order (ids grow with created_at as they do in real life).
    // Half the messages are drip steps; the rest cycle through the other kinds.
    let span = 90 * DAY;
    let kind = "CASE WHEN i % 2 = 0 THEN 'campaign' WHEN i % 10 = 1 THEN 'farming' WHEN i % 10 = 3 THEN 'approval' WHEN i % 10 = 5 THEN 'manual' \
                WHEN i % 10 = 7 THEN 'auto_reply' WHEN i % 20 = 9 THEN 'lead_offer' ELSE 'broadcast' END";
    let status = "CASE WHEN i % 100 < 93 THEN 'delivered' WHEN i % 100 < 96 THEN 'undelivered' WHEN i % 100 < 97 THEN 'failed' ELSE 'sent' END";
    let sql = format!(
        "INSERT INTO messages (contact_id, direction, body, status, status_rank, provider_sid, error_code, segments, kind, campaign_id, step, sender, sent_by, \
         created_at, updated_at, replied_at, opted_out_at, warm_at) \
         SELECT 1 + (i * 7919) % $1, 'out', 'Hi Pat, a note from Acme. Reply STOP to opt out.', {status}, 3, 'SM' || i, \
         CASE WHEN i % 100 = 93 THEN 30007 WHEN i % 100 BETWEEN 94 AND 96 THEN 30003 ELSE NULL END, \
         CASE WHEN i % 17 = 0 THEN 2 ELSE 1 END, {kind}, CASE WHEN i % 2 = 0 THEN 1 + (i / 2) % 20 ELSE NULL END, CASE WHEN i % 2 = 0 THEN (i / 40) % 4 ELSE NULL END, \
         CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN '+14155550101' ELSE '+14155550102' END, CASE WHEN i % 10 = 5 THEN 1 + i % 5 ELSE NULL END, \
         $2 + (i * $3) / $4, $2 + (i * $3) / $4, \
         CASE WHEN i % 100 IN (11, 23, 35, 47, 59, 71) THEN $2 + (i * $3) / $4 + 60000 ELSE NULL END, \
         CASE WHEN i % 100 = 11 THEN $2 + (i * $3) / $4 + 60000 ELSE NULL END, \
         CASE WHEN i % 100 = 23 THEN $2 + (i * $3) / $4 + 60000 ELSE NULL END \
         FROM (SELECT s.i + $6 AS i FROM ({}) s) t",
        series("$5")
    );
    // In chunks, so neither database holds one enormous statement's work at once.
    let chunk = 1_000_000i64;
    let mut done = 0;
    while done < messages {
        let n = chunk.min(messages - done);
        sqlx::query(&sql).bind(contacts).bind(now - span).bind(span).bind(messages.max(1)).bind(n).bind(done).execute(db.pool()).await?;
        done += n;
    }
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    Ok(())
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(url: &str, messages: i64, contacts: i64) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let t = Instant::now();
    fill(&db, messages, contacts).await?;
    let fill_s = t.elapsed().as_secs_f64();
    let zone: chrono_tz::Tz = "America/New_York".parse()?;
    let analytics = Analytics::new(db.clone(), SharedRules::new(GateRules { default_zone: zone, ..GateRules::default() }), EventBus::local(), CostRates::default());
    // The hourly counters recounted from the messages, then summed into the zone's days.
    let t = Instant::now();
    let rows = analytics.rebuild().await?;
    let rebuild_s = t.elapsed().as_secs_f64();
    let daily = warmline::store::stats::all_daily_rows(&db).await?.len();
    let cases: Vec<(&str, FilterInput)> = vec![
        ("report 30 days", FilterInput { last_days: Some(30), ..Default::default() }),
        ("report 7 days", FilterInput { last_days: Some(7), ..Default::default() }),
        ("report today", FilterInput { last_days: Some(1), ..Default::default() }),
        ("report 90 days, one campaign", FilterInput { last_days: Some(90), campaign_id: Some(7), ..Default::default() }),
        ("report 30 days, one sender", FilterInput { last_days: Some(30), sender: Some("+14155550101".into()), ..Default::default() }),
    ];
    let mut out = Vec::new();
    let runs = 30;
    for (label, input) in &cases {
        let f = analytics.filter(input)?;
        analytics.report(&f).await?; // warm the cache
        let mut ms = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let r = analytics.report(&f).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(r.summary.sent > 0, "{label}: nothing counted");
        }
        out.push(format!("{label}: p50 {:.1} ms, p95 {:.1} ms", pct(&mut ms, 0.5), pct(&mut ms, 0.95)));
    }
    let f = analytics.filter(&FilterInput { last_days: Some(30), ..Default::default() })?;
    let mut ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        analytics.team(&f).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    out.push(format!("team days 30 days: p50 {:.1} ms, p95 {:.1} ms", pct(&mut ms, 0.5), pct(&mut ms, 0.95)));
    let mut ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        analytics.summary(&f).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    out.push(format!("REST summary 30 days: p50 {:.1} ms, p95 {:.1} ms", pct(&mut ms, 0.5), pct(&mut ms, 0.95)));
    let mut ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        analytics.options().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    out.push(format!("filter choices: p50 {:.1} ms, p95 {:.1} ms", pct(&mut ms, 0.5), pct(&mut ms, 0.95)));
    println!("| {} | {messages} | {contacts} | {fill_s:.0} s | {rebuild_s:.0} s ({rows} hourly, {daily} daily counter rows) | {} |", db.backend().name(), out.join("; "));
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let messages: i64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10_000_000);
    let contacts: i64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let urls: Vec<String> = args.collect();
    println!("| database | messages | contacts | fill | rebuild | the page's queries (30 runs each) |");
    println!("|---|---|---|---|---|---|");
    let servers: Vec<Option<&str>> = if urls.is_empty() { vec![None] } else { urls.iter().map(|u| Some(u.as_str())).collect() };
    for server in servers {
        let scratch = Scratch::create("analytics_bench", server).await?;
        let result = run(&scratch.url, messages, contacts).await;
        scratch.drop_now().await?;
        result?;
    }
    Ok(())
}
