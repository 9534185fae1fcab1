//! Warm-lead farming storage: campaigns, the selection query, batches, warm leads and the
//! inbound log. See `docs/farming.md` for why the selection is written the way it is.

use super::{conflict_on_unique, get, values_placeholders, Db, Result, StoreError};
use crate::farming::{BatchProgress, DryRunContact, Excluded, FarmingCampaign, InboundLogEntry, NewFarmingCampaign, Source, WarmLead};
use crate::{now_millis, ContactId, FarmingBatchId, FarmingCampaignId, ListId, MessageId, Millis, UserId};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLS: &str = "f.id, f.name, f.template, f.list_id, f.tag, f.daily_cap, f.cool_off_days, f.send_time, f.created_at, l.name AS list_name";

fn campaign(r: &AnyRow) -> Result<FarmingCampaign> {
    let list: Option<i64> = get(r, "list_id")?;
    let tag: Option<String> = get(r, "tag")?;
    let (source, source_label) = match (list, tag) {
        (Some(l), _) => (Source::List(ListId(l)), format!("list \"{}\"", get::<Option<String>>(r, "list_name")?.unwrap_or_else(|| l.to_string()))),
        (None, Some(t)) => (Source::Tag(t.clone()), format!("tag \"{t}\"")),
        (None, None) => (Source::List(ListId(0)), "a deleted list".into()),
    };
    Ok(FarmingCampaign {
        id: get(r, "id")?,
        name: get(r, "name")?,
        template: get(r, "template")?,
        source,
        source_label,
        daily_cap: get::<i64>(r, "daily_cap")? as u32,
        cool_off_days: get::<i64>(r, "cool_off_days")? as u32,
        send_time: get(r, "send_time")?,
        created_at: get(r, "created_at")?,
    })
}

pub async fn create(db: &Db, c: &NewFarmingCampaign, by: Option<UserId>) -> Result<FarmingCampaign> {
    let (list, tag) = match &c.source {
        Source::List(l) => (Some(l.0), None),
        Source::Tag(t) => (None, Some(crate::contact::normalize_tag(t).ok_or_else(|| StoreError::Invalid("that is not a valid tag".into()))?)),
    };
    let now = now_millis();
    let row = sqlx::query(
        "INSERT INTO farming_campaigns (name, template, list_id, tag, daily_cap, cool_off_days, send_time, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(c.name.trim())
    .bind(c.template.trim())
    .bind(list)
    .bind(tag)
    .bind(i64::from(c.daily_cap))
    .bind(i64::from(c.cool_off_days))
    .bind(c.send_time.as_deref().map(str::trim).filter(|s| !s.is_empty()))
    .bind(by.map(|u| u.0))
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    get_by_id(db, get(&row, "id")?).await
}

pub async fn get_by_id(db: &Db, id: FarmingCampaignId) -> Result<FarmingCampaign> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM farming_campaigns f LEFT JOIN lists l ON l.id = f.list_id WHERE f.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    campaign(&row)
}

pub async fn list(db: &Db) -> Result<Vec<FarmingCampaign>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM farming_campaigns f LEFT JOIN lists l ON l.id = f.list_id ORDER BY f.id DESC")).fetch_all(db.pool()).await?;
    rows.iter().map(campaign).collect()
}

/// `FROM … JOIN contacts c` over the campaign's source, driven by the membership index
/// (`contact_lists (list_id, contact_id)` / `contact_tags (tag, contact_id)`), with its bind value.
fn source_sql(c: &FarmingCampaign) -> (&'static str, SourceArg) {
    match &c.source {
        // CROSS JOIN: SQLite then always drives from the membership index in key order (with
        // STAT4 it otherwise sometimes scans contacts and sorts); PostgreSQL treats it as the
        // inner join it is.
        Source::List(l) => ("contact_lists s CROSS JOIN contacts c WHERE c.id = s.contact_id AND s.list_id = $1", SourceArg::Int(l.0)),
        Source::Tag(t) => ("contact_tags s CROSS JOIN contacts c WHERE c.id = s.contact_id AND s.tag = $1", SourceArg::Text(t.clone())),
    }
}

enum SourceArg {
    Int(i64),
    Text(String),
}

/// The eligibility conditions of the selection. `$2` is the cool-off cutoff and `$3` the
/// cursor: the repeated `> $3` bounds are implied by the join, but PostgreSQL does not derive
/// them, and without them its merge joins read every contact, send and warm lead before the
/// cursor.
const ELIGIBLE: &str = "c.id > $3 AND c.opted_out = 0 AND c.flagged = 0 AND c.number_status = 'ok' \
    AND NOT EXISTS (SELECT 1 FROM warm_leads w WHERE w.contact_id = c.id AND w.contact_id > $3) \
    AND NOT EXISTS (SELECT 1 FROM farming_sends fs WHERE fs.contact_id = c.id AND fs.contact_id > $3 AND fs.picked_at >= $2)";

/// The selection statement: `$1` the list or tag, `$2` the cool-off cutoff, `$3` the cursor,
/// `$4` how many, and with `upper` (the pass that wraps round) `$5` the last id to consider.
/// Public so `examples/farming_bench.rs` can print its plans.
pub fn selection_sql(c: &FarmingCampaign, upper: bool) -> String {
    let (from, _) = source_sql(c);
    let upper_sql = if upper { " AND s.contact_id <= $5" } else { "" };
    format!("SELECT c.id, c.consent_source FROM {from} AND s.contact_id > $3{upper_sql} AND {ELIGIBLE} ORDER BY s.contact_id LIMIT $4")
}

/// The next `n` eligible contacts after `cursor` in import order (contact id), wrapping round
/// to the start of the source when the end is reached.
pub async fn select(conn: &mut AnyConnection, c: &FarmingCampaign, cursor: i64, cutoff: Millis, n: i64) -> Result<Vec<(ContactId, bool)>> {
    if n <= 0 {
        return Ok(Vec::new());
    }
    let (_, arg) = source_sql(c);
    let run = |lower: i64, upper: Option<i64>, limit: i64| (selection_sql(c, upper.is_some()), lower, upper, limit);
    let mut out = Vec::new();
    let passes = [run(cursor, None, n), run(0, Some(cursor), n)];
    for (sql, lower, upper, _) in passes {
        let want = n - out.len() as i64;
        if want <= 0 || (upper.is_some() && cursor == 0) {
            break;
        }
        let mut q = sqlx::query(&sql);
        q = match &arg {
            SourceArg::Int(i) => q.bind(*i),
            SourceArg::Text(t) => q.bind(t.as_str()),
        };
        q = q.bind(cutoff).bind(lower).bind(want);
        if let Some(u) = upper {
            q = q.bind(u);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((ContactId(get(&r, "id")?), get::<Option<String>>(&r, "consent_source")?.is_some_and(|s| !s.trim().is_empty())));
        }
    }
    Ok(out)
}

/// How many contacts in the source each exclusion reason removes (first reason wins, in the
/// order opted out, flagged, invalid, warm lead, cool-off).
pub async fn excluded(db: &Db, c: &FarmingCampaign, cutoff: Millis) -> Result<Excluded> {
    let (from, arg) = source_sql(c);
    // Joins (not per-row EXISTS) so PostgreSQL can hash the warm-lead and recent-send sets
    // once; this query reads the whole source, unlike the selection.
    let (prefix, rest) = from.split_once(" WHERE ").expect("source has a WHERE");
    let sql = format!(
        "SELECT \
         SUM(CASE WHEN c.opted_out <> 0 THEN 1 ELSE 0 END) AS opted_out, \
         SUM(CASE WHEN c.opted_out = 0 AND c.flagged <> 0 THEN 1 ELSE 0 END) AS flagged, \
         SUM(CASE WHEN c.opted_out = 0 AND c.flagged = 0 AND c.number_status <> 'ok' THEN 1 ELSE 0 END) AS invalid, \
         SUM(CASE WHEN c.opted_out = 0 AND c.flagged = 0 AND c.number_status = 'ok' AND w.contact_id IS NOT NULL THEN 1 ELSE 0 END) AS warm_lead, \
         SUM(CASE WHEN c.opted_out = 0 AND c.flagged = 0 AND c.number_status = 'ok' AND w.contact_id IS NULL AND r.contact_id IS NOT NULL THEN 1 ELSE 0 END) AS cool_off \
         FROM {prefix} \
         LEFT JOIN warm_leads w ON w.contact_id = c.id \
         LEFT JOIN (SELECT DISTINCT contact_id FROM farming_sends WHERE picked_at >= $2) r ON r.contact_id = c.id \
         WHERE {rest}"
    );
    let mut q = sqlx::query(&sql);
    q = match &arg {
        SourceArg::Int(i) => q.bind(*i),
        SourceArg::Text(t) => q.bind(t.as_str()),
    };
    let r = q.bind(cutoff).fetch_one(db.pool()).await?;
    let n = |col: &str| -> Result<i64> { Ok(get::<Option<i64>>(&r, col)?.unwrap_or(0)) };
    Ok(Excluded { opted_out: n("opted_out")?, warm_lead: n("warm_lead")?, cool_off: n("cool_off")?, invalid: n("invalid")?, flagged: n("flagged")? })
}

pub async fn cursor(db: &Db, campaign: FarmingCampaignId) -> Result<i64> {
    let r = sqlx::query("SELECT cursor_contact_id FROM farming_campaigns WHERE id = $1").bind(campaign).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    get(&r, "cursor_contact_id")
}

/// Messages picked today (organisation's day) against the campaign's cap.
pub async fn picked_on(conn: &mut AnyConnection, campaign: FarmingCampaignId, day: &str) -> Result<i64> {
    let r = sqlx::query("SELECT CAST(COALESCE(SUM(selected), 0) AS BIGINT) AS n FROM farming_batches WHERE campaign_id = $1 AND day = $2")
        .bind(campaign)
        .bind(day)
        .fetch_one(&mut *conn)
        .await?;
    get(&r, "n")
}

pub async fn sample(db: &Db, ids: &[ContactId]) -> Result<Vec<DryRunContact>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, first_name, last_name, phone, consent_source FROM contacts WHERE id IN ({}) ORDER BY id",
        (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id.0);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            let name = super::contact_name(r)?;
            Ok(DryRunContact {
                id: ContactId(get(r, "id")?),
                name,
                phone: get(r, "phone")?,
                has_consent: get::<Option<String>>(r, "consent_source")?.is_some_and(|s| !s.trim().is_empty()),
            })
        })
        .collect()
}

/// A batch about to start.
pub struct NewBatch<'a> {
    pub campaign: &'a FarmingCampaign,
    pub day: &'a str,
    /// Most messages this batch may send (the cap, or less when overridden).
    pub max: i64,
    pub template: &'a str,
    pub triggered_by: &'a str,
    pub by: Option<UserId>,
    pub cutoff: Millis,
    /// The starting server's claim on the batch: (token, until).
    pub lease: Option<(&'a str, Millis)>,
}

/// Starts a batch: in one transaction, takes the campaign's one "running" slot (a unique
/// index), works out what is left of today's cap, picks the contacts and records them (they
/// count towards the cool-off from this moment), and moves the cursor. Returns the batch id
/// and how many were picked.
pub async fn start_batch(db: &Db, b: &NewBatch<'_>) -> Result<(FarmingBatchId, i64)> {
    let mut tx = db.begin().await?;
    if let Some(lock) = db.backend().farming_batch_lock() {
        sqlx::query(lock).execute(&mut *tx).await?;
    }
    let now = now_millis();
    let row = sqlx::query(
        "INSERT INTO farming_batches (campaign_id, day, status, requested, template, triggered_by, created_by, created_at, lease_owner, lease_until) \
         VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(b.campaign.id)
    .bind(b.day)
    .bind(b.max)
    .bind(b.template)
    .bind(b.triggered_by)
    .bind(b.by.map(|u| u.0))
    .bind(now)
    .bind(b.lease.map(|l| l.0))
    .bind(b.lease.map(|l| l.1))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| conflict_on_unique(e, "a batch of this campaign is already sending; wait for it to finish"))?;
    let batch: FarmingBatchId = get(&row, "id")?;
    let used = picked_on(&mut tx, b.campaign.id, b.day).await?;
    let left = i64::from(b.campaign.daily_cap) - used;
    if left <= 0 {
        return Err(StoreError::Conflict(format!("today's cap of {} messages is used up; the next batch can go out tomorrow", b.campaign.daily_cap)));
    }
    let n = b.max.min(left);
    let cur: i64 = get(&sqlx::query("SELECT cursor_contact_id FROM farming_campaigns WHERE id = $1").bind(b.campaign.id).fetch_one(&mut *tx).await?, "cursor_contact_id")?;
    let picked = select(&mut tx, b.campaign, cur, b.cutoff, n).await?;
    for chunk in picked.chunks(db.backend().bulk_params() / 4) {
        let sql = format!("INSERT INTO farming_sends (batch_id, contact_id, campaign_id, picked_at) VALUES {}", values_placeholders(chunk.len(), 4));
        let mut q = sqlx::query(&sql);
        for (id, _) in chunk {
            q = q.bind(batch).bind(id.0).bind(b.campaign.id).bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    let count = picked.len() as i64;
    sqlx::query("UPDATE farming_batches SET selected = $1 WHERE id = $2").bind(count).bind(batch).execute(&mut *tx).await?;
    if let Some((last, _)) = picked.last() {
        sqlx::query("UPDATE farming_campaigns SET cursor_contact_id = $1, updated_at = $2 WHERE id = $3").bind(last.0).bind(now).bind(b.campaign.id).execute(&mut *tx).await?;
    }
    if count == 0 {
        sqlx::query("UPDATE farming_batches SET status = 'done', finished_at = $1 WHERE id = $2").bind(now).bind(batch).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok((batch, count))
}

/// Contacts of a batch not yet handed to the send gate.
pub async fn pending_sends(db: &Db, batch: FarmingBatchId) -> Result<Vec<ContactId>> {
    let rows = sqlx::query("SELECT contact_id FROM farming_sends WHERE batch_id = $1 AND message_id IS NULL ORDER BY contact_id").bind(batch).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok(ContactId(get(r, "contact_id")?))).collect()
}

/// Records the message a batch sent to a contact (`None`: skipped, e.g. a template value
/// missing; stored as message id 0 so the contact is not picked up again).
pub async fn set_message(db: &Db, batch: FarmingBatchId, contact: ContactId, message: Option<MessageId>) -> Result<()> {
    sqlx::query("UPDATE farming_sends SET message_id = $1 WHERE batch_id = $2 AND contact_id = $3").bind(message.map_or(0, |m| m.0)).bind(batch).bind(contact.0).execute(db.pool()).await?;
    Ok(())
}

pub async fn finish_batch(db: &Db, batch: FarmingBatchId) -> Result<()> {
    sqlx::query("UPDATE farming_batches SET status = 'done', finished_at = $1, lease_owner = NULL, lease_until = NULL WHERE id = $2 AND status = 'running'").bind(now_millis()).bind(batch).execute(db.pool()).await?;
    Ok(())
}

/// Claims running batches nobody holds (their server stopped, or never claimed them) for
/// `token` until `until`: (batch, campaign, template). One server sends a batch at a time.
pub async fn claim_batches(db: &Db, token: &str, now: Millis, until: Millis) -> Result<Vec<(FarmingBatchId, FarmingCampaignId, String)>> {
    let rows = sqlx::query(
        "UPDATE farming_batches SET lease_owner = $1, lease_until = $2 WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $3) \
         RETURNING id, campaign_id, template",
    )
    .bind(token)
    .bind(until)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut out = rows.iter().map(|r| Ok((get(r, "id")?, get(r, "campaign_id")?, get(r, "template")?))).collect::<Result<Vec<(FarmingBatchId, FarmingCampaignId, String)>>>()?;
    out.sort_by_key(|b| b.0);
    Ok(out)
}

/// Extends `token`'s claim on a running batch: `false` when it was lost.
pub async fn renew_batch(db: &Db, batch: FarmingBatchId, token: &str, until: Millis) -> Result<bool> {
    let r = sqlx::query("UPDATE farming_batches SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'running'")
        .bind(until)
        .bind(batch)
        .bind(token)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether a batch already started for this campaign on `day` (the daily schedule starts one).
pub async fn has_batch_on(db: &Db, campaign: FarmingCampaignId, day: &str) -> Result<bool> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM farming_batches WHERE campaign_id = $1 AND day = $2").bind(campaign).bind(day).fetch_one(db.pool()).await?;
    Ok(get::<i64>(&r, "n")? > 0)
}

pub async fn progress(db: &Db, batch: FarmingBatchId) -> Result<BatchProgress> {
    let b = sqlx::query("SELECT id, campaign_id, status, requested, selected, created_at, finished_at FROM farming_batches WHERE id = $1")
        .bind(batch)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let c = sqlx::query(
        "SELECT SUM(CASE WHEN f.message_id IS NOT NULL THEN 1 ELSE 0 END) AS queued, \
         SUM(CASE WHEN m.provider_sid IS NOT NULL THEN 1 ELSE 0 END) AS sent, \
         SUM(CASE WHEN m.status IN ('delivered', 'read') THEN 1 ELSE 0 END) AS delivered, \
         SUM(CASE WHEN m.status = 'scheduled' THEN 1 ELSE 0 END) AS deferred, \
         SUM(CASE WHEN m.status IN ('failed', 'undelivered', 'canceled') OR f.message_id = 0 THEN 1 ELSE 0 END) AS failed \
         FROM farming_sends f LEFT JOIN messages m ON m.id = f.message_id WHERE f.batch_id = $1",
    )
    .bind(batch)
    .fetch_one(db.pool())
    .await?;
    let n = |col: &str| -> Result<i64> { Ok(get::<Option<i64>>(&c, col)?.unwrap_or(0)) };
    Ok(BatchProgress {
        id: get(&b, "id")?,
        campaign_id: get(&b, "campaign_id")?,
        status: get(&b, "status")?,
        requested: get(&b, "requested")?,
        selected: get(&b, "selected")?,
        queued: n("queued")?,
        sent: n("sent")?,
        delivered: n("delivered")?,
        deferred: n("deferred")?,
        failed: n("failed")?,
        created_at: get(&b, "created_at")?,
        finished_at: get(&b, "finished_at")?,
    })
}

/// A campaign's batches, newest first.
pub async fn batches(db: &Db, campaign: FarmingCampaignId, limit: i64) -> Result<Vec<BatchProgress>> {
    let rows = sqlx::query("SELECT id FROM farming_batches WHERE campaign_id = $1 ORDER BY id DESC LIMIT $2").bind(campaign).bind(limit).fetch_all(db.pool()).await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(progress(db, get(r, "id")?).await?);
    }
    Ok(out)
}

/// Makes the contact a warm lead if a farming message actually went to them (the provider took
/// it: not one the gate cancelled or deferred) and they aren't one yet (in the inbound
/// message's transaction). True when this reply created the warm lead.
pub async fn record_warm_lead(conn: &mut AnyConnection, contact: ContactId, message_id: MessageId, text: &str, at: Millis) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO warm_leads (contact_id, campaign_id, message_id, reply_text, replied_at) \
         SELECT $1, fs.campaign_id, $2, $3, $4 FROM farming_sends fs JOIN messages m ON m.id = fs.message_id \
         WHERE fs.contact_id = $1 AND m.provider_sid IS NOT NULL \
         ORDER BY fs.picked_at DESC LIMIT 1 \
         ON CONFLICT (contact_id) DO NOTHING",
    )
    .bind(contact.0)
    .bind(message_id)
    .bind(text)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn log_inbound(conn: &mut AnyConnection, contact: ContactId, message_id: MessageId, body: &str, intent: &str, action: &str) -> Result<()> {
    sqlx::query("INSERT INTO inbound_log (contact_id, message_id, body, intent, action, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(contact.0)
        .bind(message_id)
        .bind(body)
        .bind(intent)
        .bind(action)
        .bind(now_millis())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Warm leads since `since` (all when `None`), newest first.
pub async fn warm_leads(db: &Db, since: Option<Millis>, limit: i64) -> Result<Vec<WarmLead>> {
    let rows = sqlx::query(
        "SELECT w.contact_id, c.first_name, c.last_name, c.phone, c.opted_out, w.reply_text, w.replied_at, f.name AS campaign \
         FROM warm_leads w JOIN contacts c ON c.id = w.contact_id LEFT JOIN farming_campaigns f ON f.id = w.campaign_id \
         WHERE w.replied_at >= $1 ORDER BY w.replied_at DESC LIMIT $2",
    )
    .bind(since.unwrap_or(0))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let name = super::contact_name(r)?;
            Ok(WarmLead {
                contact_id: ContactId(get(r, "contact_id")?),
                name,
                phone: get(r, "phone")?,
                reply_text: get(r, "reply_text")?,
                replied_at: get(r, "replied_at")?,
                campaign: get(r, "campaign")?,
                opted_out: get::<i64>(r, "opted_out")? != 0,
            })
        })
        .collect()
}

/// Current warm leads who can still be messaged.
pub async fn messageable_warm_leads(db: &Db) -> Result<Vec<ContactId>> {
    let rows = sqlx::query("SELECT w.contact_id FROM warm_leads w JOIN contacts c ON c.id = w.contact_id WHERE c.opted_out = 0 AND c.flagged = 0 AND c.number_status = 'ok' ORDER BY w.contact_id")
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok(ContactId(get(r, "contact_id")?))).collect()
}

pub async fn inbound_log(db: &Db, limit: i64) -> Result<Vec<InboundLogEntry>> {
    let rows = sqlx::query(
        "SELECT i.contact_id, c.first_name, c.last_name, c.phone, i.body, i.intent, i.action, i.created_at \
         FROM inbound_log i JOIN contacts c ON c.id = i.contact_id ORDER BY i.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let name = super::contact_name(r)?;
            Ok(InboundLogEntry {
                contact_id: ContactId(get(r, "contact_id")?),
                name,
                phone: get(r, "phone")?,
                body: get(r, "body")?,
                intent: get(r, "intent")?,
                action: get(r, "action")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

/// Warm leads made in each of the spans `[bounds[i], bounds[i + 1])`, in one read.
pub async fn warm_lead_counts(db: &Db, bounds: &[Millis]) -> Result<Vec<i64>> {
    span_counts(db, "warm_leads", "replied_at", "", bounds).await
}

/// Farming messages the provider accepted, by `created_at`, in each of the spans
/// `[bounds[i], bounds[i + 1])`, in one read.
pub async fn farming_sends_counts(db: &Db, bounds: &[Millis]) -> Result<Vec<i64>> {
    span_counts(db, "messages", "created_at", " AND kind = 'farming' AND provider_sid IS NOT NULL", bounds).await
}

/// Rows of `table` whose `column` falls in each span between consecutive `bounds` (ascending).
async fn span_counts(db: &Db, table: &str, column: &str, and: &str, bounds: &[Millis]) -> Result<Vec<i64>> {
    let spans = bounds.len().saturating_sub(1);
    if spans == 0 {
        return Ok(Vec::new());
    }
    let cols: Vec<String> = (0..spans).map(|i| format!("COUNT(CASE WHEN {column} >= ${} AND {column} < ${} THEN 1 END) AS c{i}", i + 1, i + 2)).collect();
    let sql = format!("SELECT {} FROM {table} WHERE {column} >= $1 AND {column} < ${}{and}", cols.join(", "), bounds.len());
    let mut q = sqlx::query(&sql);
    for b in bounds {
        q = q.bind(*b);
    }
    let r = q.fetch_one(db.pool()).await?;
    (0..spans).map(|i| get(&r, &format!("c{i}"))).collect()
}
