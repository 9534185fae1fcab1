//! Speed to lead, and the lead-score recompute at scale.
//!
//!     cargo run --release --features ssr --example lead_bench -- [LEADS] [CONTACTS] [DATABASE_URL…]
//!
//! *Speed to lead*: LEADS form submissions (default 200), one after another, each timed from
//! the call to `Forms::submit` to the moment a fake Twilio on loopback (speaking Twilio's wire
//! format) receives the drip's first text for that number. The path is the server's: checks,
//! the one-transaction submission, scoring and routing, the enrollment, the drip runner woken
//! in the background, the send gate, the pipeline and the HTTP call. The gate judges by a clock
//! pinned to a US afternoon, so quiet hours never defer a bench lead.
//!
//! *Recompute*: CONTACTS contacts (default 1,000,000; a tenth with a form submission, a
//! twentieth with a reply, every third with a budget) scored again by the background job after
//! a rule change, batch by batch under its lease, as the server runs it.
//!
//! With no URL it uses a temporary SQLite file; a PostgreSQL URL gets a fresh database created
//! and dropped.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warmline::campaign::model::{CampaignDraft, Step};
use warmline::drip::{Drip, DripOptions};
use warmline::forms::service::{Forms, Sender};
use warmline::forms::NewForm;
use warmline::gate::decision::GateRules;
use warmline::messaging::{EventBus, Messenger, RateLimiter};
use warmline::providers::twilio::TwilioClient;
use warmline::scoring::service::Scoring;
use warmline::store::{Backend, Db};
use warmline::store::scratch::Scratch;

/// When the fake Twilio saw the first message to each number.
type Seen = Arc<Mutex<HashMap<String, Instant>>>;

async fn fake_twilio(seen: Seen) -> String {
    async fn messages(State(seen): State<Seen>, body: String) -> (axum::http::StatusCode, Json<serde_json::Value>) {
        let at = Instant::now();
        let to = warmline::sms::twilio_signature::parse_form(body.as_bytes()).into_iter().find(|(k, _)| k == "To").map(|(_, v)| v).unwrap_or_default();
        let mut seen = seen.lock().unwrap();
        let n = seen.len();
        seen.entry(to).or_insert(at);
        (axum::http::StatusCode::CREATED, Json(serde_json::json!({"sid": format!("SMlead{n:028}"), "status": "queued", "error_code": null})))
    }
    let app = Router::new().route("/2010-04-01/Accounts/{account}/Messages.json", post(messages)).with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    base
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Submission → provider call, LEADS times; (p50, p99, max) in ms.
async fn speed_to_lead(db: &Db, leads: usize) -> Result<(f64, f64, f64), Box<dyn std::error::Error>> {
    let seen: Seen = Arc::default();
    let twilio = fake_twilio(seen.clone()).await;
    let provider = Arc::new(TwilioClient::new(
        &twilio,
        "ACbench000000000000000000000000000",
        "token",
        warmline::providers::twilio::Sender::From(warmline::E164::parse("+14155550100").unwrap()),
        "http://127.0.0.1/cb",
        Duration::from_secs(15),
    ));
    // A US afternoon for the gate, whatever the time here.
    let afternoon = chrono::Utc::now().date_naive().and_hms_opt(20, 0, 0).unwrap().and_utc();
    let messenger = Messenger::new(db.clone(), provider, RateLimiter::for_db(db, 1_000_000.0), GateRules::default(), EventBus::local()).with_clock(Arc::new(move || afternoon));
    let drip = Drip::new(messenger.clone(), DripOptions::default());
    let scoring = Scoring::new(drip.clone());
    messenger.set_contact_hooks(Arc::new(scoring.clone()));
    let campaign = drip
        .create_campaign(&CampaignDraft { name: "Speed to lead".into(), steps: vec![Step { delay: warmline::campaign::delay::Delay::After { minutes: 0 }, template: "Hi {{ first_name }}, thanks for asking! When suits you? Reply STOP to opt out.".into() }], ..CampaignDraft::default() }, None)
        .await?;
    drip.activate(campaign.id).await?;
    let runner = tokio::spawn(drip.clone().run());
    let forms = Forms::new(drip.clone(), warmline::phone::Region::US);
    forms.create(&NewForm { name: "Quote".into(), slug: Some("quote".into()), drip_campaign_id: Some(campaign.id), ..NewForm::default() }).await?;
    let mut times = Vec::with_capacity(leads);
    for i in 0..leads {
        let phone = format!("+1415{:07}", 3_000_000 + i);
        let fields: BTreeMap<String, String> = [("name", format!("Lee {i}")), ("phone", phone.clone()), ("consent", "yes".into())].into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        // Distinct addresses: the per-IP limit is for people, not for the bench.
        let from = Sender { ip: format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256), user_agent: "bench".into() };
        let start = Instant::now();
        forms.submit("quote", &fields, &from).await.map_err(|e| format!("lead {i}: {e}"))?;
        let deadline = start + Duration::from_secs(30);
        let arrived = loop {
            if let Some(at) = seen.lock().unwrap().get(&phone).copied() {
                break at;
            }
            if Instant::now() > deadline {
                return Err(format!("lead {i} was not texted within 30 s").into());
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        times.push(arrived.duration_since(start).as_secs_f64() * 1000.0);
    }
    // The recompute is measured alone.
    runner.abort();
    let _ = runner.await;
    times.sort_by(f64::total_cmp);
    Ok((percentile(&times, 0.50), percentile(&times, 0.99), *times.last().unwrap_or(&0.0)))
}

/// Fills CONTACTS contacts with set-based SQL (bench setup only: the dialects differ here).
async fn fill(db: &Db, n: i64) -> Result<(), Box<dyn std::error::Error>> {
    let now = warmline::now_millis();
    let series = match db.backend() {
        Backend::Sqlite => "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $1) SELECT i FROM seq",
        Backend::Postgres => "SELECT generate_series(1, $1::BIGINT) AS i",
    };
    let (phone, budget) = match db.backend() {
        Backend::Sqlite => ("'+1510' || printf('%07d', 2000000 + i)", "'{\"budget\":\"' || (i % 2000) || '\"}'"),
        Backend::Postgres => ("'+1510' || lpad((2000000 + i)::TEXT, 7, '0')", "'{\"budget\":\"' || (i % 2000)::TEXT || '\"}'"),
    };
    sqlx::query(&format!(
        "INSERT INTO contacts (phone, first_name, attributes, source, created_at, updated_at) \
         SELECT {phone}, 'Pat', CASE WHEN i % 3 = 0 THEN {budget} ELSE '{{}}' END, CASE WHEN i % 10 = 0 THEN 'google' ELSE NULL END, $2, $2 FROM ({series}) s"
    ))
    .bind(n)
    .bind(now - 40 * 86_400_000)
    .execute(db.pool())
    .await
    .map_err(|e| format!("fill contacts: {e}"))?;
    sqlx::query(
        "INSERT INTO forms (name, slug, headline, benefits, fields, consent_text, thank_you, tags, allowed_origins, active, created_at, updated_at) \
         VALUES ('Bench', 'bench', 'Bench', '', '[]', 'I agree', 'Thanks', '', '', 1, $1, $1)",
    )
    .bind(now)
    .execute(db.pool())
    .await
    .map_err(|e| format!("fill form: {e}"))?;
    sqlx::query(
        "INSERT INTO form_submissions (form_id, contact_id, phone, answers, consent_text, ip, user_agent, page_url, referrer, created_at) \
         SELECT (SELECT id FROM forms WHERE slug = 'bench'), id, phone, '{}', 'I agree', '10.0.0.1', 'bench', '', '', $1 FROM contacts WHERE id % 10 = 0",
    )
    .bind(now - 3 * 86_400_000)
    .execute(db.pool())
    .await
    .map_err(|e| format!("fill submissions: {e}"))?;
    sqlx::query(
        "INSERT INTO messages (contact_id, direction, body, status, status_rank, kind, created_at, updated_at) \
         SELECT id, 'in', 'Sounds good', 'received', 0, 'inbound', $1, $1 FROM contacts WHERE id % 20 = 0",
    )
    .bind(now - 86_400_000)
    .execute(db.pool())
    .await
    .map_err(|e| format!("fill replies: {e}"))?;
    if db.backend() == Backend::Postgres {
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    Ok(())
}

/// The recompute after a rule change: (seconds, contacts changed).
async fn recompute(db: &Db) -> Result<(f64, i64), Box<dyn std::error::Error>> {
    // Nothing is sent here: a provider nobody calls.
    let provider = Arc::new(TwilioClient::new("http://127.0.0.1:9", "ACbench000000000000000000000000000", "token", warmline::providers::twilio::Sender::From(warmline::E164::parse("+14155550100").unwrap()), "http://127.0.0.1/cb", Duration::from_secs(1)));
    let messenger = Messenger::new(db.clone(), provider, RateLimiter::for_db(db, 100.0), GateRules::default(), EventBus::local());
    let scoring = Scoring::new(Drip::new(messenger, DripOptions::default()));
    let t = Instant::now();
    // Saving the rules queues the recompute; the runner's job does the work.
    scoring.save(&warmline::scoring::ScoringSettings::default()).await.map_err(|e| format!("save the rules: {e}"))?;
    let job = scoring.run_next_job().await.map_err(|e| format!("recompute: {e}"))?.ok_or("no recompute was queued")?;
    Ok((t.elapsed().as_secs_f64(), job.changed))
}

async fn run(url: &str, leads: usize, contacts: i64) -> Result<(), Box<dyn std::error::Error>> {
    let label = if url.starts_with("postgres") { "postgres" } else { "sqlite" };
    // Speed to lead on an empty database, then the recompute on a filled one.
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let (p50, p99, max) = speed_to_lead(&db, leads).await?;
    sqlx::query("DELETE FROM form_submissions").execute(db.pool()).await.map_err(|e| format!("clear submissions: {e}"))?;
    sqlx::query("DELETE FROM forms").execute(db.pool()).await.map_err(|e| format!("clear forms: {e}"))?;
    let t = Instant::now();
    fill(&db, contacts).await?;
    let fill_s = t.elapsed().as_secs_f64();
    let (secs, changed) = recompute(&db).await?;
    println!("| {label} | {leads} | {p50:.1} ms | {p99:.1} ms | {max:.1} ms | {contacts} | {fill_s:.0} s | {secs:.1} s | {changed} | {:.0} contacts/s |", contacts as f64 / secs);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Quiet unless RUST_LOG asks.
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "off".into())).with_writer(std::io::stderr).init();
    let mut args = std::env::args().skip(1);
    let leads: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(200);
    let contacts: i64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let urls: Vec<String> = args.collect();
    println!("| database | leads | speed to lead p50 | p99 | max | contacts | fill | recompute every score | changed | rate |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let servers: Vec<Option<&str>> = if urls.is_empty() { vec![None] } else { urls.iter().map(|u| Some(u.as_str())).collect() };
    for server in servers {
        let scratch = Scratch::create("lead_bench", server).await?;
        let result = run(&scratch.url, leads, contacts).await;
        scratch.drop_now().await?;
        result?;
    }
    Ok(())
}
