//! Rate alarms: the rolling window of a campaign's or a sender's latest sends, and the alarms
//! raised from it.

use super::{get, Db, Result};
use crate::analytics::alarms::{Alarm, AlarmLevel, Metric, Scope, Window};
use crate::{now_millis, CampaignId, Millis, UserId};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLS: &str = "id, scope, scope_key, label, level, metric, sends, opt_outs, errors, filtered, rate, threshold, active, created_at, resolved_at";

fn alarm(r: &AnyRow) -> Result<Alarm> {
    Ok(Alarm {
        id: get(r, "id")?,
        scope: Scope::parse(&get::<String>(r, "scope")?),
        scope_key: get(r, "scope_key")?,
        label: get(r, "label")?,
        level: AlarmLevel::parse(&get::<String>(r, "level")?),
        metric: Metric::parse(&get::<String>(r, "metric")?),
        window: Window { sends: get(r, "sends")?, opt_outs: get(r, "opt_outs")?, errors: get(r, "errors")?, filtered: get(r, "filtered")? },
        rate: get(r, "rate")?,
        threshold: get(r, "threshold")?,
        active: get::<i64>(r, "active")? != 0,
        created_at: get(r, "created_at")?,
        resolved_at: get(r, "resolved_at")?,
    })
}

/// The latest `limit` sends (handed to the provider) of a campaign or sender since `since`.
/// A sender of `""` is the default number.
pub async fn window(db: &Db, scope: Scope, key: &str, since: Millis, limit: i64) -> Result<Window> {
    let filter = match scope {
        Scope::Campaign => "campaign_id = $1",
        Scope::Sender if key.is_empty() => "sender IS NULL AND $1 = ''",
        Scope::Sender => "sender = $1",
    };
    let sql = format!(
        "SELECT COUNT(*) AS sends, \
         CAST(SUM(CASE WHEN opted_out_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS opt_outs, \
         CAST(SUM(CASE WHEN status IN ('failed', 'undelivered') THEN 1 ELSE 0 END) AS BIGINT) AS errors, \
         CAST(SUM(CASE WHEN status IN ('failed', 'undelivered') AND error_code = 30007 THEN 1 ELSE 0 END) AS BIGINT) AS filtered \
         FROM (SELECT opted_out_at, status, error_code FROM messages WHERE {filter} AND direction = 'out' \
         AND (provider_sid IS NOT NULL OR status IN ('failed', 'undelivered')) AND created_at >= $2 ORDER BY id DESC LIMIT $3) w"
    );
    let q = sqlx::query(&sql);
    let q = match scope {
        Scope::Campaign => q.bind(key.parse::<i64>().unwrap_or(-1)),
        Scope::Sender => q.bind(key),
    };
    let r = q.bind(since).bind(limit).fetch_one(db.pool()).await?;
    Ok(Window {
        sends: get(&r, "sends")?,
        opt_outs: get::<Option<i64>>(&r, "opt_outs")?.unwrap_or(0),
        errors: get::<Option<i64>>(&r, "errors")?.unwrap_or(0),
        filtered: get::<Option<i64>>(&r, "filtered")?.unwrap_or(0),
    })
}

/// When a person last resumed or acknowledged this scope: its window starts after that.
pub async fn last_resolved(db: &Db, scope: Scope, key: &str) -> Result<Option<Millis>> {
    let r = sqlx::query("SELECT MAX(resolved_at) AS at FROM alarms WHERE scope = $1 AND scope_key = $2")
        .bind(scope.as_str())
        .bind(key)
        .fetch_one(db.pool())
        .await?;
    get(&r, "at")
}

/// The active alarms of a scope.
pub async fn active_for(db: &Db, scope: Scope, key: &str) -> Result<Vec<Alarm>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM alarms WHERE scope = $1 AND scope_key = $2 AND active = 1 ORDER BY id"))
        .bind(scope.as_str())
        .bind(key)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(alarm).collect()
}

/// Stores a new alarm; an active warning of the same scope is superseded by a pause.
pub async fn raise(conn: &mut AnyConnection, a: &Alarm) -> Result<Alarm> {
    if a.level == AlarmLevel::Pause {
        sqlx::query("UPDATE alarms SET active = 0, resolved_at = $1 WHERE scope = $2 AND scope_key = $3 AND active = 1 AND level = 'warn'")
            .bind(a.created_at)
            .bind(a.scope.as_str())
            .bind(a.scope_key.as_str())
            .execute(&mut *conn)
            .await?;
    }
    let r = sqlx::query(&format!(
        "INSERT INTO alarms (scope, scope_key, label, level, metric, sends, opt_outs, errors, filtered, rate, threshold, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12) RETURNING {COLS}"
    ))
    .bind(a.scope.as_str())
    .bind(a.scope_key.as_str())
    .bind(a.label.as_str())
    .bind(a.level.as_str())
    .bind(a.metric.as_str())
    .bind(a.window.sends)
    .bind(a.window.opt_outs)
    .bind(a.window.errors)
    .bind(a.window.filtered)
    .bind(a.rate)
    .bind(a.threshold)
    .bind(a.created_at)
    .fetch_one(&mut *conn)
    .await?;
    alarm(&r)
}

/// Ends the active alarms of a scope (a person resumed the campaign or acknowledged them).
pub async fn resolve(db: &Db, scope: Scope, key: &str, by: Option<UserId>) -> Result<u64> {
    let r = sqlx::query("UPDATE alarms SET active = 0, resolved_at = $1, resolved_by = $2 WHERE scope = $3 AND scope_key = $4 AND active = 1")
        .bind(now_millis())
        .bind(by.map(|u| u.0))
        .bind(scope.as_str())
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected())
}

/// Ends one alarm.
pub async fn resolve_one(db: &Db, id: i64, by: Option<UserId>) -> Result<u64> {
    let r = sqlx::query("UPDATE alarms SET active = 0, resolved_at = $1, resolved_by = $2 WHERE id = $3 AND active = 1")
        .bind(now_millis())
        .bind(by.map(|u| u.0))
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected())
}

/// Active alarms first, then the most recent ones.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Alarm>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM alarms ORDER BY active DESC, id DESC LIMIT $1")).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(alarm).collect()
}

/// The active drip campaigns that send from `sender` (`""`: the default number).
pub async fn active_campaigns_of_sender(db: &Db, sender: &str) -> Result<Vec<CampaignId>> {
    let rows = sqlx::query("SELECT id FROM campaigns WHERE status = 'active' AND COALESCE(sender, '') = $1")
        .bind(sender)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| get(r, "id").map(CampaignId)).collect()
}

/// The campaign and sender of a message.
pub async fn message_scope(db: &Db, id: crate::MessageId) -> Result<Option<(Option<CampaignId>, String)>> {
    let r = sqlx::query("SELECT campaign_id, sender FROM messages WHERE id = $1 AND direction = 'out'").bind(id).fetch_optional(db.pool()).await?;
    r.map(|r| Ok((get::<Option<i64>>(&r, "campaign_id")?.map(CampaignId), get::<Option<String>>(&r, "sender")?.unwrap_or_default())))
        .transpose()
}
