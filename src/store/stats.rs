//! The analytics counters: one row per UTC hour and (kind, campaign, step, sender, team member),
//! kept in step with the messages table in the same transaction as every change to a message,
//! and rebuildable from the messages alone (`warmline analytics rebuild`).
//!
//! A message's contribution is a pure function of its row ([`contribution`]); every store
//! function that changes a message reads the row before and after and shifts the difference.
//! [`REBUILD_SELECT`] is the same rule in SQL; a test compares the two after a random mix of
//! sends, callbacks, replies and opt-outs.

use super::{get, Arg, Db, Result};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Twilio's error for a message the carrier filtered (spam filtering): named in the alarms.
pub const CARRIER_FILTERED: i64 = 30007;

/// The message columns the counters depend on.
pub(crate) const STAT_COLS: &str =
    "id AS stat_id, direction AS stat_direction, status AS stat_status, provider_sid AS stat_sid, error_code AS stat_error, segments AS stat_segments, kind AS stat_kind, \
     campaign_id AS stat_campaign, step AS stat_step, sender AS stat_sender, sent_by AS stat_member, created_at AS stat_created, \
     replied_at AS stat_replied, opted_out_at AS stat_opted_out, warm_at AS stat_warm, price_micros AS stat_price";

/// Where a message's counts go.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatKey {
    pub hour: i64,
    pub kind: String,
    pub campaign_id: i64,
    pub step: i64,
    pub sender: String,
    pub member: i64,
}

/// What one message (or a sum of them) counts for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Outbound messages stored (including scheduled and canceled ones).
    pub messages: i64,
    /// Handed to the provider: accepted by it, or failed there.
    pub sent: i64,
    pub delivered: i64,
    pub undelivered: i64,
    pub failed: i64,
    /// Failed or undelivered with Twilio 30007 (carrier filtering).
    pub filtered: i64,
    pub segments: i64,
    /// Sent messages whose real price the provider told us, and that price.
    pub priced: i64,
    pub price_micros: i64,
    pub priced_segments: i64,
    /// The contact's next message was a reply / an opt-out / made them a warm lead.
    pub replied: i64,
    pub opted_out: i64,
    pub warm: i64,
}

macro_rules! counter_fields {
    ($m:ident) => {
        $m!(messages, sent, delivered, undelivered, failed, filtered, segments, priced, price_micros, priced_segments, replied, opted_out, warm)
    };
}

impl Counters {
    pub fn is_zero(&self) -> bool {
        *self == Counters::default()
    }

    pub fn minus(&self, o: &Counters) -> Counters {
        macro_rules! sub {
            ($($f:ident),*) => { Counters { $($f: self.$f - o.$f),* } };
        }
        counter_fields!(sub)
    }

    pub fn plus(&self, o: &Counters) -> Counters {
        macro_rules! add {
            ($($f:ident),*) => { Counters { $($f: self.$f + o.$f),* } };
        }
        counter_fields!(add)
    }

    /// Reads summed counters out of a row (columns named like the fields; NULL sums are 0).
    pub(crate) fn from_row(row: &AnyRow) -> Result<Counters> {
        macro_rules! read {
            ($($f:ident),*) => { Counters { $($f: get::<Option<i64>>(row, stringify!($f))?.unwrap_or(0)),* } };
        }
        Ok(counter_fields!(read))
    }

    /// `SUM(messages) AS messages, …` for a query over `message_stats`.
    pub(crate) fn sum_sql() -> String {
        macro_rules! names {
            ($($f:ident),*) => { [$(stringify!($f)),*] };
        }
        counter_fields!(names).iter().map(|f| format!("CAST(SUM({f}) AS BIGINT) AS {f}")).collect::<Vec<_>>().join(", ")
    }
}

/// A message's state as far as the counters care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatRow {
    pub id: i64,
    pub outbound: bool,
    pub status: String,
    pub provider_sid: bool,
    pub error_code: Option<i64>,
    pub segments: i64,
    pub key: StatKey,
    pub replied: bool,
    pub opted_out: bool,
    pub warm: bool,
    pub price_micros: Option<i64>,
}

pub(crate) fn stat_row(row: &AnyRow) -> Result<StatRow> {
    let created: i64 = get(row, "stat_created")?;
    Ok(StatRow {
        id: get(row, "stat_id")?,
        outbound: get::<String>(row, "stat_direction")? == "out",
        status: get(row, "stat_status")?,
        provider_sid: get::<Option<String>>(row, "stat_sid")?.is_some(),
        error_code: get(row, "stat_error")?,
        segments: get(row, "stat_segments")?,
        key: StatKey {
            hour: created.div_euclid(3_600_000),
            kind: get(row, "stat_kind")?,
            campaign_id: get::<Option<i64>>(row, "stat_campaign")?.unwrap_or(0),
            step: get::<Option<i64>>(row, "stat_step")?.unwrap_or(-1),
            sender: get::<Option<String>>(row, "stat_sender")?.unwrap_or_default(),
            member: get::<Option<i64>>(row, "stat_member")?.unwrap_or(0),
        },
        replied: get::<Option<i64>>(row, "stat_replied")?.is_some(),
        opted_out: get::<Option<i64>>(row, "stat_opted_out")?.is_some(),
        warm: get::<Option<i64>>(row, "stat_warm")?.is_some(),
        price_micros: get(row, "stat_price")?,
    })
}

/// What a message counts for; inbound messages count for nothing (their effect is the
/// `replied`/`opted_out`/`warm` mark on the outbound message before them).
pub fn contribution(r: &StatRow) -> Counters {
    if !r.outbound {
        return Counters::default();
    }
    let failed = r.status == "failed";
    let undelivered = r.status == "undelivered";
    let sent = r.provider_sid || failed || undelivered;
    let priced = sent && r.price_micros.is_some();
    let b = i64::from;
    Counters {
        messages: 1,
        sent: b(sent),
        delivered: b(r.status == "delivered" || r.status == "read"),
        undelivered: b(undelivered),
        failed: b(failed),
        filtered: b((failed || undelivered) && r.error_code == Some(CARRIER_FILTERED)),
        segments: if sent { r.segments } else { 0 },
        priced: b(priced),
        price_micros: if priced { r.price_micros.unwrap_or(0) } else { 0 },
        priced_segments: if priced { r.segments } else { 0 },
        replied: b(r.replied),
        opted_out: b(r.opted_out),
        warm: b(r.warm),
    }
}

/// The same rule as [`contribution`], in SQL over `messages`, grouped by the key.
const REBUILD_SELECT: &str = "SELECT created_at / 3600000 AS hour, kind, COALESCE(campaign_id, 0) AS campaign_id, COALESCE(step, -1) AS step, \
     COALESCE(sender, '') AS sender, COALESCE(sent_by, 0) AS member, \
     COUNT(*), \
     SUM(CASE WHEN provider_sid IS NOT NULL OR status IN ('failed', 'undelivered') THEN 1 ELSE 0 END), \
     SUM(CASE WHEN status IN ('delivered', 'read') THEN 1 ELSE 0 END), \
     SUM(CASE WHEN status = 'undelivered' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN status IN ('failed', 'undelivered') AND error_code = 30007 THEN 1 ELSE 0 END), \
     SUM(CASE WHEN provider_sid IS NOT NULL OR status IN ('failed', 'undelivered') THEN segments ELSE 0 END), \
     SUM(CASE WHEN (provider_sid IS NOT NULL OR status IN ('failed', 'undelivered')) AND price_micros IS NOT NULL THEN 1 ELSE 0 END), \
     SUM(CASE WHEN (provider_sid IS NOT NULL OR status IN ('failed', 'undelivered')) AND price_micros IS NOT NULL THEN price_micros ELSE 0 END), \
     SUM(CASE WHEN (provider_sid IS NOT NULL OR status IN ('failed', 'undelivered')) AND price_micros IS NOT NULL THEN segments ELSE 0 END), \
     SUM(CASE WHEN replied_at IS NOT NULL THEN 1 ELSE 0 END), \
     SUM(CASE WHEN opted_out_at IS NOT NULL THEN 1 ELSE 0 END), \
     SUM(CASE WHEN warm_at IS NOT NULL THEN 1 ELSE 0 END) \
     FROM messages WHERE direction = 'out' \
     GROUP BY created_at / 3600000, kind, COALESCE(campaign_id, 0), COALESCE(step, -1), COALESCE(sender, ''), COALESCE(sent_by, 0)";

const INSERT_COLS: &str = "hour, kind, campaign_id, step, sender, member, messages, sent, delivered, undelivered, failed, filtered, segments, priced, price_micros, priced_segments, replied, opted_out, warm";

const COUNTER_COLS: &str = "messages, sent, delivered, undelivered, failed, filtered, segments, priced, price_micros, priced_segments, replied, opted_out, warm";
const KEY_COLS: &str = "kind, campaign_id, step, sender, member";

/// `messages = t.messages + excluded.messages, …` for an upsert into `table`.
fn add_set(table: &str) -> String {
    COUNTER_COLS.split(", ").map(|c| format!("{c} = {table}.{c} + excluded.{c}")).collect::<Vec<_>>().join(", ")
}

/// Adds `delta` to the hourly row of `key` and to the daily row of its day (when the day table
/// covers that hour).
async fn add(conn: &mut AnyConnection, key: &StatKey, d: &Counters) -> Result<()> {
    if d.is_zero() {
        return Ok(());
    }
    let values = "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19";
    let hourly = format!(
        "INSERT INTO message_stats ({INSERT_COLS}) VALUES ($1, {values}) ON CONFLICT (hour, {KEY_COLS}) DO UPDATE SET {}",
        add_set("message_stats")
    );
    // The day whose start is the latest at or before the hour (a day is at most 25 hours).
    let daily = format!(
        "INSERT INTO message_stats_daily (day, {KEY_COLS}, {COUNTER_COLS}) SELECT d.day, {values} \
         FROM (SELECT day FROM stat_days WHERE start_hour <= $1 AND end_hour > $1) d WHERE 1 = 1 \
         ON CONFLICT (day, {KEY_COLS}) DO UPDATE SET {}",
        add_set("message_stats_daily")
    );
    for sql in [hourly, daily] {
        sqlx::query(&sql)
            .bind(key.hour)
            .bind(key.kind.as_str())
            .bind(key.campaign_id)
            .bind(key.step)
            .bind(key.sender.as_str())
            .bind(key.member)
            .bind(d.messages)
            .bind(d.sent)
            .bind(d.delivered)
            .bind(d.undelivered)
            .bind(d.failed)
            .bind(d.filtered)
            .bind(d.segments)
            .bind(d.priced)
            .bind(d.price_micros)
            .bind(d.priced_segments)
            .bind(d.replied)
            .bind(d.opted_out)
            .bind(d.warm)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Moves a message's contribution from its state `before` (None: it did not exist) to `after`.
pub(crate) async fn shift(conn: &mut AnyConnection, before: Option<&StatRow>, after: &StatRow) -> Result<()> {
    let new = contribution(after);
    match before {
        Some(b) if b.key == after.key => add(conn, &after.key, &new.minus(&contribution(b))).await,
        Some(b) => {
            add(conn, &b.key, &Counters::default().minus(&contribution(b))).await?;
            add(conn, &after.key, &new).await
        }
        None => add(conn, &after.key, &new).await,
    }
}

/// Locks the messages matching `filter` (a WHERE clause with one parameter, `$1`) for the rest
/// of the transaction and returns their counter state, so the caller can update them and
/// [`shift`] the difference. The first statement of the transaction is a write, so SQLite takes
/// its write lock before reading and PostgreSQL locks the rows.
pub(crate) async fn lock(conn: &mut AnyConnection, filter: &str, key: Arg) -> Result<HashMap<i64, StatRow>> {
    let sql = format!("UPDATE messages SET updated_at = updated_at WHERE {filter} RETURNING {STAT_COLS}");
    let q = sqlx::query(&sql);
    let q = match &key {
        Arg::Int(i) => q.bind(*i),
        Arg::Text(s) => q.bind(s.as_str()),
    };
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(|r| stat_row(r).map(|s| (s.id, s))).collect()
}

/// Shifts every row returned by an UPDATE … RETURNING {STAT_COLS} against the states `lock`
/// returned before it.
pub(crate) async fn shift_all(conn: &mut AnyConnection, before: &HashMap<i64, StatRow>, after: &[AnyRow]) -> Result<()> {
    for row in after {
        let a = stat_row(row)?;
        shift(conn, before.get(&a.id), &a).await?;
    }
    Ok(())
}

/// Replaces every counter with a fresh count over the messages, in one transaction. On
/// PostgreSQL writers to `messages` wait meanwhile, so no change falls between the count and
/// the swap; SQLite's single writer does the same by itself.
pub async fn rebuild(db: &Db) -> Result<u64> {
    let mut tx = db.begin().await?;
    if db.backend() == super::Backend::Postgres {
        sqlx::query("LOCK TABLE messages IN SHARE MODE").execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM message_stats").execute(&mut *tx).await?;
    let r = sqlx::query(&format!("INSERT INTO message_stats ({INSERT_COLS}) {REBUILD_SELECT}")).execute(&mut *tx).await?;
    rebuild_daily(&mut tx).await?;
    super::team::rebuild(&mut tx).await?;
    tx.commit().await?;
    Ok(r.rows_affected())
}

/// Sums the hourly counters into the days of `stat_days` (hours outside it get no daily row).
async fn rebuild_daily(conn: &mut AnyConnection) -> Result<u64> {
    sqlx::query("DELETE FROM message_stats_daily").execute(&mut *conn).await?;
    let sums = COUNTER_COLS.split(", ").map(|c| format!("SUM(s.{c})")).collect::<Vec<_>>().join(", ");
    let keys = KEY_COLS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ");
    let r = sqlx::query(&format!(
        "INSERT INTO message_stats_daily (day, {KEY_COLS}, {COUNTER_COLS}) SELECT d.day, {keys}, {sums} \
         FROM stat_days d JOIN message_stats s ON s.hour >= d.start_hour AND s.hour < d.end_hour GROUP BY d.day, {keys}"
    ))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected())
}

/// The organisation's days the daily counters cover: `first..=last` (days since 1970-01-01 of
/// the local date) in `zone`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayRange {
    pub zone: String,
    pub first: i64,
    pub last: i64,
}

const DAYS_SETTING: &str = "analytics.days";

impl DayRange {
    fn parse(s: &str) -> Option<DayRange> {
        let mut it = s.split('|');
        let zone = it.next()?.to_string();
        let first = it.next()?.parse().ok()?;
        let last = it.next()?.parse().ok()?;
        Some(DayRange { zone, first, last })
    }
    fn encode(&self) -> String {
        format!("{}|{}|{}", self.zone, self.first, self.last)
    }
    pub fn covers(&self, zone: &str, first: i64, last: i64) -> bool {
        self.zone == zone && self.first <= first && self.last >= last
    }
}

async fn day_range(conn: &mut AnyConnection) -> Result<Option<DayRange>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(DAYS_SETTING).fetch_optional(&mut *conn).await?;
    Ok(row.map(|r| get::<String>(&r, "value")).transpose()?.as_deref().and_then(DayRange::parse))
}

/// The day range the daily counters cover now, if they were ever set up.
pub async fn current_days(db: &Db) -> Result<Option<DayRange>> {
    let mut conn = db.pool().acquire().await?;
    day_range(&mut conn).await
}

/// The first hour of the counters, if any (the oldest day the day table must cover).
pub async fn first_hour(db: &Db) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT MIN(hour) AS h FROM message_stats").fetch_one(db.pool()).await?;
    get(&row, "h")
}

/// Replaces the day table with `days` ((day, start hour, end hour), in order) and sums the
/// hourly counters into them, in one transaction that writers of counters wait for; unless
/// another server did it meanwhile (`want` is checked again under the lock). Returns the range
/// now in force.
pub async fn set_days(db: &Db, range: &DayRange, days: &[(i64, i64, i64)], want: (i64, i64)) -> Result<DayRange> {
    let mut tx = db.begin().await?;
    if db.backend() == super::Backend::Postgres {
        sqlx::query("LOCK TABLE message_stats IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
    } else {
        // SQLite: take the write lock first, so the check below and the swap see one state.
        sqlx::query("DELETE FROM settings WHERE key = 'analytics.lock'").execute(&mut *tx).await?;
    }
    if let Some(now) = day_range(&mut tx).await? {
        if now.covers(&range.zone, want.0, want.1) {
            tx.commit().await?;
            return Ok(now);
        }
    }
    sqlx::query("DELETE FROM stat_days").execute(&mut *tx).await?;
    for chunk in days.chunks(200) {
        let mut sql = String::from("INSERT INTO stat_days (day, start_hour, end_hour) VALUES ");
        let rows: Vec<String> = chunk.iter().map(|(d, s, e)| format!("({d}, {s}, {e})")).collect();
        sql.push_str(&rows.join(", "));
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    rebuild_daily(&mut tx).await?;
    super::team::rebuild(&mut tx).await?;
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(DAYS_SETTING)
        .bind(range.encode())
        .bind(crate::now_millis())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(range.clone())
}

/// Every daily counter row (day first), in key order, without rows that went back to zero.
pub async fn all_daily_rows(db: &Db) -> Result<Vec<(StatKey, Counters)>> {
    let rows = sqlx::query(&format!("SELECT day AS hour, {KEY_COLS}, {COUNTER_COLS} FROM message_stats_daily ORDER BY day, {KEY_COLS}")).fetch_all(db.pool()).await?;
    keyed(&rows)
}

/// Every counter row, in key order (the rebuild test compares live and rebuilt counters).
pub async fn all_rows(db: &Db) -> Result<Vec<(StatKey, Counters)>> {
    let rows = sqlx::query(&format!("SELECT {INSERT_COLS} FROM message_stats ORDER BY hour, kind, campaign_id, step, sender, member"))
        .fetch_all(db.pool())
        .await?;
    keyed(&rows)
}

fn keyed(rows: &[AnyRow]) -> Result<Vec<(StatKey, Counters)>> {
    rows.iter()
        .map(|r| {
            let key = StatKey {
                hour: get(r, "hour")?,
                kind: get(r, "kind")?,
                campaign_id: get(r, "campaign_id")?,
                step: get(r, "step")?,
                sender: get(r, "sender")?,
                member: get(r, "member")?,
            };
            Ok((key, Counters::from_row(r)?))
        })
        // A row whose counts all went back to zero (a message moved hours) says nothing.
        .filter(|r: &Result<(StatKey, Counters)>| r.as_ref().map_or(true, |(_, c)| !c.is_zero()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, sid: bool) -> StatRow {
        StatRow {
            id: 1,
            outbound: true,
            status: status.into(),
            provider_sid: sid,
            error_code: None,
            segments: 2,
            key: StatKey { hour: 1, kind: "campaign".into(), campaign_id: 3, step: 0, sender: String::new(), member: 0 },
            replied: false,
            opted_out: false,
            warm: false,
            price_micros: None,
        }
    }

    #[test]
    fn a_message_counts_as_sent_once_the_provider_has_it() {
        assert_eq!(contribution(&row("scheduled", false)).sent, 0);
        assert_eq!(contribution(&row("scheduled", false)).messages, 1);
        assert_eq!(contribution(&row("queued", false)).segments, 0);
        let c = contribution(&row("sent", true));
        assert_eq!((c.sent, c.segments, c.delivered), (1, 2, 0));
        let c = contribution(&row("delivered", true));
        assert_eq!((c.sent, c.delivered), (1, 1));
        // Refused by the provider's API: never got a SID, still an attempt that failed.
        let c = contribution(&row("failed", false));
        assert_eq!((c.sent, c.failed), (1, 1));
        assert!(contribution(&StatRow { outbound: false, ..row("received", true) }).is_zero());
    }

    #[test]
    fn carrier_filtering_and_real_prices_are_counted() {
        let filtered = StatRow { error_code: Some(CARRIER_FILTERED), ..row("undelivered", true) };
        assert_eq!(contribution(&filtered).filtered, 1);
        let priced = StatRow { price_micros: Some(7900), ..row("delivered", true) };
        let c = contribution(&priced);
        assert_eq!((c.priced, c.price_micros, c.priced_segments), (1, 7900, 2));
    }

    #[test]
    fn shifting_is_the_difference() {
        let a = contribution(&row("sent", true));
        let b = contribution(&row("delivered", true));
        assert_eq!(a.plus(&b.minus(&a)), b);
    }
}
