//! Times the warm-lead farming selection on a large list.
//!
//!     cargo run --release --features ssr --example farming_bench -- [CONTACTS] [DATABASE_URL…]
//!
//! Fills a fresh database with CONTACTS contacts (default 1,000,000) in one list: 5% opted out,
//! 1% flagged, 1% invalid, 2% warm leads and 20% picked by a farming batch inside the cool-off,
//! spread through the list. Then times picking the next 450 (from the start, from the middle,
//! and near the end so the pick wraps round), the dry run's exclusion counts, and a whole batch
//! start (pick + record + cursor). With no URL it uses a temporary SQLite file; a PostgreSQL URL
//! gets a fresh database created and dropped. With `BENCH_PLANS=1` it also prints the
//! selection's query plans (to stderr).

use std::time::Instant;
use warmline::farming::{NewFarmingCampaign, Source};
use warmline::store::{farming, Backend, Db};
use warmline::store::scratch::Scratch;
use warmline::ListId;

/// Bulk-fills the tables with set-based SQL (bench setup only: the two dialects differ here).
async fn fill(db: &Db, n: i64) -> Result<(), Box<dyn std::error::Error>> {
    let now = warmline::now_millis();
    let series = match db.backend() {
        Backend::Sqlite => "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $1) SELECT i FROM seq",
        Backend::Postgres => "SELECT generate_series(1, $1::BIGINT) AS i",
    };
    let phone = match db.backend() {
        Backend::Sqlite => "'+1415' || printf('%07d', 2000000 + i)",
        Backend::Postgres => "'+1415' || lpad((2000000 + i)::TEXT, 7, '0')",
    };
    sqlx::query("INSERT INTO lists (name, kind, created_at) VALUES ('bench', 'import', $1)").bind(now).execute(db.pool()).await?;
    sqlx::query(&format!(
        "INSERT INTO contacts (phone, first_name, consent_source, opted_out, flagged, number_status, created_at, updated_at) \
         SELECT {phone}, 'Pat', 'web form', CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END, CASE WHEN i % 100 = 1 THEN 1 ELSE 0 END, \
         CASE WHEN i % 100 = 2 THEN 'invalid' ELSE 'ok' END, $2, $2 FROM ({series}) s"
    ))
    .bind(n)
    .bind(now)
    .execute(db.pool())
    .await?;
    sqlx::query("INSERT INTO contact_lists (list_id, contact_id, added_at) SELECT 1, id, $1 FROM contacts").bind(now).execute(db.pool()).await?;
    let c = farming::create(
        db,
        &NewFarmingCampaign { name: "bench".into(), template: "Acme: reply YES. Reply STOP to opt out.".into(), source: Source::List(ListId(1)), daily_cap: 450, cool_off_days: 7, send_time: None },
        None,
    )
    .await?;
    sqlx::query("INSERT INTO warm_leads (contact_id, campaign_id, reply_text, replied_at) SELECT id, $1, 'YES', $2 FROM contacts WHERE id % 50 = 3")
        .bind(c.id)
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query("INSERT INTO farming_batches (campaign_id, day, status, requested, selected, template, triggered_by, created_at) VALUES ($1, '2000-01-01', 'done', 0, 0, 'x', 'bench', $2)")
        .bind(c.id)
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query("INSERT INTO farming_sends (batch_id, contact_id, campaign_id, message_id, picked_at) SELECT 1, id, $1, 0, $2 FROM contacts WHERE id % 5 = 4")
        .bind(c.id)
        .bind(now - 86_400_000)
        .execute(db.pool())
        .await?;
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    Ok(())
}

/// Prints the selection's plan at the start and the middle of the list (to stderr).
async fn print_plans(db: &Db, c: &warmline::farming::FarmingCampaign, cutoff: i64, n: i64) -> Result<(), Box<dyn std::error::Error>> {
    use sqlx::Row;
    let explain = match db.backend() {
        Backend::Sqlite => "EXPLAIN QUERY PLAN ",
        Backend::Postgres => "EXPLAIN (ANALYZE, COSTS OFF) ",
    };
    for cursor in [0, n / 2] {
        eprintln!("  {} plan, cursor {cursor}:", db.backend().name());
        let sql = format!("{explain}{}", farming::selection_sql(c, false));
        let rows = sqlx::query(&sql).bind(1i64).bind(cutoff).bind(cursor).bind(450i64).fetch_all(db.pool()).await?;
        for r in rows {
            // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
            let line: String = r.try_get(r.columns().len() - 1)?;
            eprintln!("    {line}");
        }
    }
    Ok(())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

async fn run(url: &str, n: i64) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let t = Instant::now();
    fill(&db, n).await?;
    let fill_s = t.elapsed().as_secs_f64();
    let c = farming::get_by_id(&db, warmline::FarmingCampaignId(1)).await?;
    let cutoff = warmline::now_millis() - 7 * 86_400_000;
    if std::env::var_os("BENCH_PLANS").is_some() {
        print_plans(&db, &c, cutoff, n).await?;
    }
    let mut conn = db.pool().acquire().await?;
    // Warm up the cache once, then time each case as the best of 3.
    farming::select(&mut conn, &c, 0, cutoff, 450).await?;
    let mut timings = Vec::new();
    for (label, cursor) in [("start", 0), ("middle", n / 2), ("wrap", n - 100)] {
        let mut best = f64::MAX;
        let mut got = 0;
        for _ in 0..3 {
            let t = Instant::now();
            got = farming::select(&mut conn, &c, cursor, cutoff, 450).await?.len();
            best = best.min(ms(t));
        }
        assert_eq!(got, 450);
        timings.push(format!("{label} {best:.1} ms"));
    }
    drop(conn);
    let t = Instant::now();
    let ex = farming::excluded(&db, &c, cutoff).await?;
    let excluded_ms = ms(t);
    let t = Instant::now();
    let day = "2099-01-01";
    let (_, picked) = farming::start_batch(&db, &farming::NewBatch { campaign: &c, day, max: 450, template: &c.template, triggered_by: "bench", by: None, cutoff, lease: None }).await?;
    let batch_ms = ms(t);
    assert_eq!(picked, 450);
    println!(
        "| {} | {n} | {:.0} s | {} | {excluded_ms:.0} ms | {batch_ms:.1} ms |",
        db.backend().name(),
        fill_s,
        timings.join(", "),
    );
    eprintln!("  excluded: {ex:?}");
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: i64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let urls: Vec<String> = args.collect();
    println!("| database | contacts | fill | pick next 450 (best of 3) | dry-run exclusion counts | start a batch |");
    println!("|---|---|---|---|---|---|");
    let servers: Vec<Option<&str>> = if urls.is_empty() { vec![None] } else { urls.iter().map(|u| Some(u.as_str())).collect() };
    for server in servers {
        let scratch = Scratch::create("farming_bench", server).await?;
        let result = run(&scratch.url, n).await;
        scratch.drop_now().await?;
        result?;
    }
    Ok(())
}
