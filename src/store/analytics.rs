//! Read queries of the analytics page: sums over the hourly counters (never a scan of the
//! messages), lead-unlock revenue, and a contact's timeline.

use super::stats::Counters;
use super::{get, Arg, Args, Db, Result};
use crate::analytics::{Filter, TimelineEntry};
use crate::{ContactId, Millis};

/// Which counters answer a filter: the daily ones when its period is whole days of the day
/// table (`from..to`, days since 1970-01-01, `to` excluded), else the hourly ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Days { from: i64, to: i64 },
    Hours,
}

/// `FROM … WHERE …` of a filter over the counters.
fn filter_sql(f: &Filter, span: Span, args: &mut Args) -> String {
    let mut w = match span {
        Span::Days { from, to } => vec![format!("day >= {}", args.push(Arg::Int(from))), format!("day < {}", args.push(Arg::Int(to)))],
        Span::Hours => vec![
            format!("hour >= {}", args.push(Arg::Int(f.from.div_euclid(3_600_000)))),
            // `to` is excluded: the hour that starts at `to` is out.
            format!("hour < {}", args.push(Arg::Int((f.to + 3_599_999).div_euclid(3_600_000)))),
        ],
    };
    if let Some(k) = &f.kind {
        w.push(format!("kind = {}", args.push(Arg::Text(k.clone()))));
    }
    if let Some(c) = f.campaign_id {
        w.push(format!("campaign_id = {}", args.push(Arg::Int(c))));
    }
    if let Some(s) = f.step {
        w.push(format!("step = {}", args.push(Arg::Int(s))));
    }
    if let Some(s) = &f.sender {
        w.push(format!("sender = {}", args.push(Arg::Text(s.clone()))));
    }
    if let Some(m) = f.member {
        w.push(format!("member = {}", args.push(Arg::Int(m))));
    }
    let table = match span {
        Span::Days { .. } => "message_stats_daily",
        Span::Hours => "message_stats",
    };
    format!("FROM {table} WHERE {}", w.join(" AND "))
}

/// The counters of a filter, summed.
pub async fn totals(db: &Db, f: &Filter, span: Span) -> Result<Counters> {
    let mut args = Args::default();
    let sql = format!("SELECT {} {}", Counters::sum_sql(), filter_sql(f, span, &mut args));
    let r = args.bind(sqlx::query(&sql)).fetch_one(db.pool()).await?;
    Counters::from_row(&r)
}

/// The counters per time unit of the span (days since 1970-01-01, or epoch hours), in order;
/// units without messages are absent.
pub async fn by_time(db: &Db, f: &Filter, span: Span) -> Result<Vec<(i64, Counters)>> {
    let mut args = Args::default();
    let unit = match span {
        Span::Days { .. } => "day",
        Span::Hours => "hour",
    };
    let sql = format!("SELECT {unit} AS t, {} {} GROUP BY {unit} ORDER BY {unit}", Counters::sum_sql(), filter_sql(f, span, &mut args));
    let rows = args.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get(r, "t")?, Counters::from_row(r)?))).collect()
}

/// A dimension to break the counters down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Kind,
    Campaign,
    Step,
    Sender,
    Member,
}

impl By {
    fn column(self) -> &'static str {
        match self {
            By::Kind => "kind",
            By::Campaign => "campaign_id",
            By::Step => "step",
            By::Sender => "sender",
            By::Member => "member",
        }
    }
}

/// The counters per value of one dimension (as text), largest `messages` first.
pub async fn grouped(db: &Db, f: &Filter, span: Span, by: By) -> Result<Vec<(String, Counters)>> {
    let mut args = Args::default();
    let col = by.column();
    let sql = format!(
        "SELECT CAST({col} AS TEXT) AS k, {} {} GROUP BY {col} ORDER BY SUM(messages) DESC, {col} LIMIT 200",
        Counters::sum_sql(),
        filter_sql(f, span, &mut args)
    );
    let rows = args.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get(r, "k")?, Counters::from_row(r)?))).collect()
}

/// Names for ids: drip campaigns.
pub async fn campaign_names(db: &Db) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT id, name FROM campaigns ORDER BY id").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get(r, "id")?, get(r, "name")?))).collect()
}

/// The sender numbers that have sent (`""`: the default number).
pub async fn senders(db: &Db, daily: bool) -> Result<Vec<String>> {
    // The daily counters hold every sender of the covered days at a 24th of the rows.
    let table = if daily { "message_stats_daily" } else { "message_stats" };
    let rows = sqlx::query(&format!("SELECT DISTINCT sender FROM {table} ORDER BY sender LIMIT 100")).fetch_all(db.pool()).await?;
    rows.iter().map(|r| get(r, "sender")).collect()
}

/// The drip campaigns with their number of steps (for the filters).
pub async fn campaign_choices(db: &Db) -> Result<Vec<(i64, String, i64)>> {
    let rows = sqlx::query("SELECT c.id, c.name, (SELECT COUNT(*) FROM campaign_steps s WHERE s.campaign_id = c.id) AS steps FROM campaigns c WHERE c.status <> 'draft' ORDER BY c.id DESC LIMIT 500")
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok((get(r, "id")?, get(r, "name")?, get(r, "steps")?))).collect()
}

/// Names for ids: team members.
pub async fn member_names(db: &Db) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT id, email FROM users ORDER BY id").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get(r, "id")?, get(r, "email")?))).collect()
}

/// Lead offers made in the period, through their stages: teaser sent, answered Y (a payment
/// link was made), paid, details revealed. Plus payments received in the period (not refunded)
/// and their sum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OfferFigures {
    pub teasers: i64,
    pub said_yes: i64,
    pub paid: i64,
    pub revealed: i64,
    pub payments: i64,
    pub revenue_cents: i64,
}

pub async fn offer_figures(db: &Db, from: Millis, to: Millis) -> Result<OfferFigures> {
    let r = sqlx::query(
        "SELECT CAST(SUM(CASE WHEN teaser_message_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS teasers, \
         CAST(SUM(CASE WHEN checkout_session_id IS NOT NULL OR paid_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS said_yes, \
         CAST(SUM(CASE WHEN paid_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS paid, \
         CAST(SUM(CASE WHEN unlocked_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS revealed \
         FROM lead_offers WHERE created_at >= $1 AND created_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await?;
    let p = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(SUM(COALESCE(amount_paid, price_cents)) AS BIGINT) AS cents FROM lead_offers \
         WHERE paid_at >= $1 AND paid_at < $2 AND refunded_at IS NULL",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await?;
    let n = |r: &sqlx::any::AnyRow, c: &str| get::<Option<i64>>(r, c).map(|v| v.unwrap_or(0));
    Ok(OfferFigures {
        teasers: n(&r, "teasers")?,
        said_yes: n(&r, "said_yes")?,
        paid: n(&r, "paid")?,
        revealed: n(&r, "revealed")?,
        payments: n(&p, "n")?,
        revenue_cents: n(&p, "cents")?,
    })
}

/// Everything that happened to a contact, oldest first (the last 1,000 events).
pub async fn timeline(db: &Db, contact: ContactId) -> Result<Vec<TimelineEntry>> {
    let c = contact.0;
    let mut out = Vec::new();
    let mut push = |at: Millis, kind: &str, title: String, detail: String| out.push(TimelineEntry { at, kind: kind.into(), title, detail });

    let rows = sqlx::query(
        "SELECT c.created_at, c.consent_source, i.filename FROM contacts c LEFT JOIN imports i ON i.id = c.source_import_id WHERE c.id = $1",
    )
    .bind(c)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let file: Option<String> = get(r, "filename")?;
        let title = match file {
            Some(f) => format!("Imported from {f}"),
            None => "Added".to_string(),
        };
        push(get(r, "created_at")?, "imported", title, get::<Option<String>>(r, "consent_source")?.map(|s| format!("consent source: {s}")).unwrap_or_default());
    }
    let rows = sqlx::query("SELECT l.name, cl.added_at FROM contact_lists cl JOIN lists l ON l.id = cl.list_id WHERE cl.contact_id = $1").bind(c).fetch_all(db.pool()).await?;
    for r in &rows {
        push(get(r, "added_at")?, "list", format!("Added to list {}", get::<String>(r, "name")?), String::new());
    }
    let rows = sqlx::query("SELECT kind, source, note, consent_text, ip, created_at FROM consent_events WHERE contact_id = $1 ORDER BY id DESC LIMIT 200").bind(c).fetch_all(db.pool()).await?;
    for r in &rows {
        let kind: String = get(r, "kind")?;
        let note = get::<Option<String>>(r, "note")?.map(|n| format!(" — {n}")).unwrap_or_default();
        // A form's opt-in carries its proof: the words agreed to and the address they came from.
        let proof = match (get::<Option<String>>(r, "consent_text")?, get::<Option<String>>(r, "ip")?) {
            (Some(t), ip) => format!(" — agreed to “{}”{}", crate::limits::ellipsize(&t, 120), ip.map(|ip| format!(" from {ip}")).unwrap_or_default()),
            _ => String::new(),
        };
        push(get(r, "created_at")?, "consent", format!("Consent: {}", kind.replace('_', " ")), format!("source: {}{note}{proof}", get::<String>(r, "source")?));
    }
    let rows = sqlx::query("SELECT direction, body, status, kind, error_code, created_at FROM messages WHERE contact_id = $1 ORDER BY id DESC LIMIT 500")
        .bind(c)
        .fetch_all(db.pool())
        .await?;
    for r in &rows {
        let out_dir = get::<String>(r, "direction")? == "out";
        let status: String = get(r, "status")?;
        let kind: String = get(r, "kind")?;
        let code = get::<Option<i64>>(r, "error_code")?.map(|c| format!(", error {c}")).unwrap_or_default();
        let (k, title) = if out_dir { ("message_out", format!("Sent ({}): {status}{code}", kind.replace('_', " "))) } else { ("message_in", "Received".to_string()) };
        push(get(r, "created_at")?, k, title, crate::limits::ellipsize(&get::<String>(r, "body")?, 160).to_string());
    }
    let rows = sqlx::query(
        "SELECT e.kind, e.step, e.detail, e.created_at, c.name FROM campaign_events e JOIN campaigns c ON c.id = e.campaign_id WHERE e.contact_id = $1 ORDER BY e.id DESC LIMIT 200",
    )
    .bind(c)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let step = get::<Option<i64>>(r, "step")?.map(|s| format!(" step {}", s + 1)).unwrap_or_default();
        push(get(r, "created_at")?, "campaign", format!("Campaign {}{step}: {}", get::<String>(r, "name")?, get::<String>(r, "kind")?.replace('_', " ")), get::<Option<String>>(r, "detail")?.unwrap_or_default());
    }
    let rows = sqlx::query("SELECT reply_text, replied_at FROM warm_leads WHERE contact_id = $1").bind(c).fetch_all(db.pool()).await?;
    for r in &rows {
        push(get(r, "replied_at")?, "warm_lead", "Became a warm lead".into(), get(r, "reply_text")?);
    }
    let rows = sqlx::query(
        "SELECT e.kind, e.actor, e.note, e.created_at FROM suggestion_events e JOIN suggestions s ON s.id = e.suggestion_id WHERE s.contact_id = $1 ORDER BY e.id DESC LIMIT 200",
    )
    .bind(c)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        push(get(r, "created_at")?, "approval", format!("Approval queue: {}", get::<String>(r, "kind")?.replace('_', " ")), format!("by {}{}", get::<String>(r, "actor")?, get::<Option<String>>(r, "note")?.map(|n| format!(" — {n}")).unwrap_or_default()));
    }
    let rows = sqlx::query(
        "SELECT e.kind, e.note, e.created_at, o.lead_id FROM lead_offer_events e JOIN lead_offers o ON o.id = e.offer_id JOIN providers p ON p.id = o.provider_id \
         WHERE p.contact_id = $1 ORDER BY e.id DESC LIMIT 200",
    )
    .bind(c)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        push(get(r, "created_at")?, "lead_offer", format!("Lead {}: {}", get::<String>(r, "lead_id")?, get::<String>(r, "kind")?.replace('_', " ").to_lowercase()), get::<Option<String>>(r, "note")?.unwrap_or_default());
    }
    out.sort_by_key(|e| e.at);
    Ok(out)
}

/// Form leads per source (the contact's first touch) submitted in `from..to`, most first: the
/// submissions that counted, their contacts, and how many of those wrote back, became warm
/// leads, opted out or were sold.
pub async fn lead_sources(db: &Db, from: Millis, to: Millis) -> Result<Vec<crate::analytics::SourceRow>> {
    let rows = sqlx::query(
        "SELECT COALESCE(c.source, 'direct') AS source, COUNT(*) AS submissions, COUNT(DISTINCT s.contact_id) AS leads, \
         COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = s.contact_id AND m.direction = 'in' AND m.created_at >= s.created_at) THEN s.contact_id END) AS replied, \
         COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM warm_leads w WHERE w.contact_id = s.contact_id) THEN s.contact_id END) AS warm, \
         COUNT(DISTINCT CASE WHEN c.opted_out <> 0 THEN s.contact_id END) AS opted_out, COUNT(s.lead_id) AS sold \
         FROM form_submissions s JOIN contacts c ON c.id = s.contact_id \
         WHERE s.status = 'accepted' AND s.created_at >= $1 AND s.created_at < $2 \
         GROUP BY COALESCE(c.source, 'direct') ORDER BY leads DESC, source LIMIT 50",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(crate::analytics::SourceRow {
                source: get(r, "source")?,
                submissions: get(r, "submissions")?,
                leads: get(r, "leads")?,
                replied: get(r, "replied")?,
                warm_leads: get(r, "warm")?,
                opted_out: get(r, "opted_out")?,
                sold: get(r, "sold")?,
            })
        })
        .collect()
}
