//! The inbox's text search and the server-rendered pages at scale: 1,000,000 contacts and
//! 10,000,000 messages, against the real `warmline` binary (a release build, started as a
//! child process on loopback).
//!
//! ```text
//! cargo build --release -p warmline-server --bin warmline --example scale_bench
//! target/release/examples/scale_bench [CONTACTS] [MESSAGES] [postgres://…]   # no URL: SQLite
//! ```
//!
//! The server starts on a fresh database and its first admin is created (as a person would,
//! through the setup page's server function). Then the database is filled: CONTACTS contacts
//! (default 1,000,000) named from lists of 60 first and 80 last names, and MESSAGES messages
//! (default 10,000,000) over the last 90 days, both ways, from a handful of roofing-business
//! texts (each with its own estimate number; about one in a thousand asks about gutters), one
//! conversation per contact, every tenth assigned to the admin; then the analytics counters
//! are rebuilt, as `warmline analytics rebuild` does. Then:
//! - *inbox search*: `store::messages::inbox` (the conversations page's search), 20 runs per
//!   query, median and p95; side by side, one run of the search before the index (the same
//!   conditions read conversation by conversation with `LIKE`);
//! - *pages*: the dashboard, contacts and conversations pages fetched as the signed-in admin,
//!   30 runs each after 3 to warm up, median and p95 of the whole response.
//!
//! `BENCH_SERVER_BIN` names the binary (default `target/release/warmline`).

use std::time::{Duration, Instant};
use warmline::store::messages::{inbox, InboxFilter};
use warmline::store::scratch::{Scratch, FIRST_NAMES as FIRST, LAST_NAMES as LAST};
use warmline::store::{Backend, Db};
use warmline::UserId;

mod support;
use support::{client, pct, server_bin, sign_in, BoxError, Server, EMAIL, PASSWORD};

const DAY: i64 = 86_400_000;

/// `(SELECT 0 AS k, 'Ana' AS name UNION ALL SELECT 1, 'Ben' …)`: a name list as a table.
fn names(list: &[&str]) -> String {
    let rows: Vec<String> = list.iter().enumerate().map(|(k, n)| if k == 0 { format!("SELECT {k} AS k, '{n}' AS name") } else { format!("SELECT {k}, '{n}'") }).collect();
    format!("({})", rows.join(" UNION ALL "))
}

async fn fill(db: &Db, contacts: i64, messages: i64) -> Result<(), BoxError> {
    let now = warmline::now_millis();
    let series = |n: &str| match db.backend() {
        Backend::Sqlite => format!("(WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) SELECT i FROM seq)"),
        Backend::Postgres => format!("(SELECT generate_series(1, {n}::BIGINT) AS i)"),
    };
    let (phone, text) = match db.backend() {
        Backend::Sqlite => ("'+1200' || printf('%07d', i)", "CAST(i AS TEXT)"),
        Backend::Postgres => ("'+1200' || lpad(i::TEXT, 7, '0')", "i::TEXT"),
    };
    sqlx::query(&format!(
        "INSERT INTO contacts (phone, first_name, last_name, email, consent_source, created_at, updated_at) \
         SELECT {phone}, f.name, l.name, LOWER(f.name) || '.' || LOWER(l.name) || {text} || '@example.com', 'web form', $1, $1 \
         FROM {} s JOIN {} f ON f.k = s.i % 60 JOIN {} l ON l.k = (s.i / 60) % 80",
        series("$2"),
        names(&FIRST),
        names(&LAST)
    ))
    .bind(now)
    .bind(contacts)
    .execute(db.pool())
    .await?;
    // In time order (ids grow with created_at, as they do in real life), spread over 90 days.
    let body = format!(
        "CASE WHEN i % 997 = 0 THEN 'Also, could you check the gutters on the garage while you are up there?' ELSE CASE (i / 7) % 8 \
         WHEN 0 THEN 'Hi, this is Acme Roofing. Your free estimate #' || {text} || ' is ready to review.' \
         WHEN 1 THEN 'Thanks! Can someone come by on Tuesday afternoon?' \
         WHEN 2 THEN 'Sure, we have a crew near you on Tuesday. Does 2pm work?' \
         WHEN 3 THEN 'Yes that works. Is the inspection free?' \
         WHEN 4 THEN 'It is, and it takes about an hour. See you then.' \
         WHEN 5 THEN 'Reminder: your roof inspection is tomorrow at 2pm. Reply C to cancel.' \
         WHEN 6 THEN 'Great, thank you so much!' \
         ELSE 'How did we do? Reply with a number from 1 to 5.' END END"
    );
    let inbound = "(i / 7) % 8 IN (1, 3, 6) OR i % 997 = 0";
    let span = 90 * DAY;
    let sql = format!(
        "INSERT INTO messages (contact_id, direction, body, status, status_rank, provider_sid, kind, created_at, updated_at) \
         SELECT 1 + (i * 7919) % $1, CASE WHEN {inbound} THEN 'in' ELSE 'out' END, {body}, CASE WHEN {inbound} THEN 'received' ELSE 'delivered' END, 3, 'SM' || {text}, \
         CASE WHEN {inbound} THEN 'inbound' ELSE 'manual' END, $2 + (i * $3) / $4, $2 + (i * $3) / $4 \
         FROM (SELECT s.i + $6 AS i FROM {} s) t",
        series("$5")
    );
    // PostgreSQL builds the text index faster in one go than row by row: the same index,
    // made after the rows.
    if db.backend() == Backend::Postgres {
        sqlx::query("DROP INDEX messages_body_search").execute(db.pool()).await?;
    }
    // In chunks, so neither database holds one enormous statement's work at once.
    let chunk = 1_000_000i64;
    let mut done = 0;
    while done < messages {
        let n = chunk.min(messages - done);
        sqlx::query(&sql).bind(contacts).bind(now - span).bind(span).bind(messages.max(1)).bind(n).bind(done).execute(db.pool()).await?;
        done += n;
    }
    if db.backend() == Backend::Postgres {
        let mut conn = db.pool().acquire().await?;
        sqlx::query("SET maintenance_work_mem = '256MB'").execute(&mut *conn).await?;
        sqlx::query("CREATE INDEX messages_body_search ON messages USING gin (LOWER(body) gin_trgm_ops)").execute(&mut *conn).await?;
    }
    sqlx::query(
        "INSERT INTO conversations (contact_id, last_message_id, last_message_at, unread, assigned_to) \
         SELECT contact_id, MAX(id), MAX(created_at), 0, CASE WHEN contact_id % 10 = 0 THEN 1 ELSE NULL END FROM messages GROUP BY contact_id",
    )
    .execute(db.pool())
    .await?;
    // A database that has been running a while has been vacuumed (autovacuum): the visibility
    // map lets PostgreSQL answer from an index alone. Right after a bulk load it has not yet.
    let settle = match db.backend() {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE",
    };
    sqlx::query(settle).execute(db.pool()).await?;
    Ok(())
}

fn stats(mut ms: Vec<Duration>) -> (f64, f64) {
    ms.sort();
    (pct(&ms, 0.5), pct(&ms, 0.95))
}

/// The inbox search before the indexes: the same conditions, conversation by conversation.
async fn scan(db: &Db, q: &str) -> Result<f64, BoxError> {
    let like = format!("%{}%", q.to_lowercase());
    let digits = warmline::phone::search_digits(q);
    let digits = if digits.len() >= 3 { format!("%{digits}%") } else { "-".into() };
    let t = Instant::now();
    sqlx::query(
        "SELECT v.contact_id FROM conversations v JOIN contacts c ON c.id = v.contact_id \
         WHERE LOWER(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')) LIKE $1 \
         OR EXISTS (SELECT 1 FROM messages s WHERE s.contact_id = c.id AND LOWER(s.body) LIKE $1) OR c.phone LIKE $2 \
         ORDER BY v.last_message_at DESC, v.contact_id DESC LIMIT 200",
    )
    .bind(&like)
    .bind(&digits)
    .fetch_all(db.pool())
    .await?;
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

async fn run(bin: &std::path::Path, server_url: Option<&str>, contacts: i64, messages: i64) -> Result<(), BoxError> {
    let scratch = Scratch::create("scale_bench", server_url).await?;
    let label = scratch.label();
    let dir = std::env::temp_dir().join(format!("warmline-scale-bench-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let server = Server::start(bin, &scratch.url, &dir).await?;
        let http = client();
        sign_in(&server, &http).await?;
        let db = Db::connect(&scratch.url).await?;
        let t = Instant::now();
        fill(&db, contacts, messages).await?;
        let fill_s = t.elapsed().as_secs_f64();
        let zone: chrono_tz::Tz = "America/New_York".parse()?;
        let analytics = warmline::analytics::service::Analytics::new(
            db.clone(),
            warmline::messaging::SharedRules::new(warmline::gate::decision::GateRules { default_zone: zone, ..Default::default() }),
            warmline::messaging::EventBus::local(),
            warmline::analytics::CostRates::default(),
        );
        let t = Instant::now();
        analytics.rebuild().await?;
        let rebuild_s = t.elapsed().as_secs_f64();
        println!("| {label} | fill | {contacts} contacts, {messages} messages | {fill_s:.0} s, then {rebuild_s:.0} s to rebuild the analytics counters | |");

        let me = UserId(1);
        let queries = [
            ("a last name", "martinez", InboxFilter::All),
            ("a name fragment (25,000 contacts)", "artin", InboxFilter::All),
            ("phone digits", "(200) 055-0123", InboxFilter::All),
            ("one message's estimate number", "estimate #4321968", InboxFilter::All),
            ("a word in 1 of 1,000 messages", "gutters", InboxFilter::All),
            ("a word in 1 of 4 messages", "inspection", InboxFilter::All),
            ("the same, in my conversations", "inspection", InboxFilter::Mine),
            ("a word in none", "skylight", InboxFilter::All),
        ];
        for (what, q, filter) in queries {
            let mut times = Vec::new();
            let mut found = 0;
            for _ in 0..20 {
                let t = Instant::now();
                found = inbox(&db, filter, None, me, Some(q), 200).await?.len();
                times.push(t.elapsed());
            }
            let (p50, p95) = stats(times);
            let before = if filter == InboxFilter::All { format!("{:.0} ms", scan(&db, q).await?) } else { "".into() };
            println!("| {label} | inbox search: {what} `{q}` | {found} shown | median {p50:.1} ms, p95 {p95:.1} ms; before the index {before} | p95 ≤ 50 ms |");
        }

        let some_contact: i64 = sqlx::query_scalar("SELECT contact_id FROM conversations ORDER BY last_message_at DESC LIMIT 1").fetch_one(db.pool()).await?;
        for (what, path) in [
            ("dashboard", "/".to_string()),
            ("contacts", "/contacts".to_string()),
            ("contacts, searched", "/contacts?q=martinez".to_string()),
            ("conversations", "/conversations".to_string()),
            ("a conversation", format!("/conversations/{some_contact}")),
        ] {
            let mut times = Vec::new();
            let mut bytes = 0;
            for i in 0..33 {
                let t = Instant::now();
                let resp = http.get(server.url(&path)).send().await?;
                if !resp.status().is_success() {
                    return Err(format!("GET {path}: {}", resp.status()).into());
                }
                bytes = resp.bytes().await?.len();
                if i >= 3 {
                    times.push(t.elapsed());
                }
            }
            let (p50, p95) = stats(times);
            println!("| {label} | page: {what} `{path}` | {:.0} kB of HTML | median {p50:.1} ms, p95 {p95:.1} ms | p95 ≤ 30 ms |", bytes as f64 / 1024.0);
        }
        db.close().await;
        // Time to interactive in Chromium (the release bundle in target/site).
        let tti = std::process::Command::new("node").args(["scripts/tti.mjs", &server.base, EMAIL, PASSWORD, "/contacts", "10"]).output();
        match tti {
            Ok(out) if out.status.success() => {
                println!();
                for (i, line) in String::from_utf8_lossy(&out.stdout).lines().enumerate() {
                    println!("{}{line}", ["| database ", "|---"].get(i).map(|s| s.to_string()).unwrap_or(format!("| {label} ")));
                }
                println!();
            }
            Ok(out) => {
                // Node ends its report with its version: the error is the line that names one.
                let err = String::from_utf8_lossy(&out.stderr).into_owned();
                let why = err.lines().find(|l| l.contains("Error")).or_else(|| err.lines().find(|l| !l.trim().is_empty())).unwrap_or("node failed").trim().to_string();
                println!("| {label} | time to interactive | | not measured: {why} | |")
            }
            Err(e) => println!("| {label} | time to interactive | | not measured: node: {e} | |"),
        }
        drop(server);
        Ok::<_, BoxError>(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    scratch.drop_now().await?;
    result
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let bin = server_bin()?;
    let mut args = std::env::args().skip(1);
    let contacts: i64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let messages: i64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10_000_000);
    let urls: Vec<String> = args.collect();
    println!("| database | what | size | measured | target |");
    println!("|---|---|---|---|---|");
    if urls.is_empty() {
        run(&bin, None, contacts, messages).await?;
    }
    for url in &urls {
        run(&bin, Some(url), contacts, messages).await?;
    }
    Ok(())
}
