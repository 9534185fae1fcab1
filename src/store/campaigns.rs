//! Drip campaigns and their steps, the per-step funnel and the campaign event log.

use super::{get, Db, Result, StoreError};
use crate::campaign::delay::Delay;
use crate::campaign::model::{Campaign, CampaignDraft, CampaignStatus, CampaignSummary, Step, StepFunnel};
use crate::gate::window::Window;
use crate::{now_millis, CampaignId, ContactId, EnrollmentId, Millis, UserId};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::BTreeSet;

const COLS: &str = "id, name, status, stop_on_reply, stop_on_failure, window_start, window_end, daily_cap, sender, starts_at, created_at, updated_at";

fn campaign(row: &AnyRow, steps: Vec<Step>) -> Result<Campaign> {
    let status: String = get(row, "status")?;
    let window = match (get::<Option<i64>>(row, "window_start")?, get::<Option<i64>>(row, "window_end")?) {
        (Some(s), Some(e)) => Some(Window { start_minute: s as u32, end_minute: e as u32 }),
        _ => None,
    };
    Ok(Campaign {
        id: CampaignId(get(row, "id")?),
        status: CampaignStatus::parse(&status).ok_or_else(|| StoreError::Invalid(format!("unknown campaign status {status}")))?,
        draft: CampaignDraft {
            name: get(row, "name")?,
            steps,
            stop_on_reply: get::<i64>(row, "stop_on_reply")? != 0,
            stop_on_failure: get::<i64>(row, "stop_on_failure")? != 0,
            window,
            daily_cap: get::<Option<i64>>(row, "daily_cap")?.map(|c| c as u32),
            sender: get(row, "sender")?,
        },
        starts_at: get(row, "starts_at")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

async fn write_steps(conn: &mut AnyConnection, id: CampaignId, steps: &[Step]) -> Result<()> {
    sqlx::query("DELETE FROM campaign_steps WHERE campaign_id = $1").bind(id.0).execute(&mut *conn).await?;
    for (i, s) in steps.iter().enumerate() {
        sqlx::query("INSERT INTO campaign_steps (campaign_id, position, delay, template) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(i as i64)
            .bind(serde_json::to_string(&s.delay).map_err(|e| StoreError::Invalid(e.to_string()))?)
            .bind(s.template.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn window_cols(d: &CampaignDraft) -> (Option<i64>, Option<i64>) {
    match d.window {
        Some(w) => (Some(w.start_minute.into()), Some(w.end_minute.into())),
        None => (None, None),
    }
}

/// Stores a new draft campaign with its steps (the caller validated it).
pub async fn create(db: &Db, d: &CampaignDraft, by: Option<UserId>) -> Result<Campaign> {
    let mut tx = db.begin().await?;
    let now = now_millis();
    let (ws, we) = window_cols(d);
    let row = sqlx::query(
        "INSERT INTO campaigns (name, status, stop_on_reply, stop_on_failure, window_start, window_end, daily_cap, sender, created_by, created_at, updated_at) \
         VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(d.name.trim())
    .bind(i64::from(d.stop_on_reply))
    .bind(i64::from(d.stop_on_failure))
    .bind(ws)
    .bind(we)
    .bind(d.daily_cap.map(i64::from))
    .bind(d.sender.as_deref().map(str::trim).filter(|s| !s.is_empty()))
    .bind(by.map(|u| u.0))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id = CampaignId(get(&row, "id")?);
    write_steps(&mut tx, id, &d.steps).await?;
    tx.commit().await?;
    get_by_id(db, id).await
}

/// Replaces a campaign's settings and steps; only while it is a draft or paused.
pub async fn update(db: &Db, id: CampaignId, d: &CampaignDraft) -> Result<Campaign> {
    let mut tx = db.begin().await?;
    let (ws, we) = window_cols(d);
    let r = sqlx::query(
        "UPDATE campaigns SET name = $1, stop_on_reply = $2, stop_on_failure = $3, window_start = $4, window_end = $5, daily_cap = $6, sender = $7, updated_at = $8 \
         WHERE id = $9 AND status IN ('draft', 'paused')",
    )
    .bind(d.name.trim())
    .bind(i64::from(d.stop_on_reply))
    .bind(i64::from(d.stop_on_failure))
    .bind(ws)
    .bind(we)
    .bind(d.daily_cap.map(i64::from))
    .bind(d.sender.as_deref().map(str::trim).filter(|s| !s.is_empty()))
    .bind(now_millis())
    .bind(id.0)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        let exists = sqlx::query("SELECT status FROM campaigns WHERE id = $1").bind(id.0).fetch_optional(&mut *tx).await?;
        return Err(match exists {
            None => StoreError::NotFound,
            Some(_) => StoreError::Conflict("pause the campaign before editing it".into()),
        });
    }
    write_steps(&mut tx, id, &d.steps).await?;
    tx.commit().await?;
    get_by_id(db, id).await
}

pub async fn steps(db: &Db, id: CampaignId) -> Result<Vec<Step>> {
    let rows = sqlx::query("SELECT delay, template FROM campaign_steps WHERE campaign_id = $1 ORDER BY position").bind(id.0).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            let delay: String = get(r, "delay")?;
            Ok(Step { delay: serde_json::from_str::<Delay>(&delay).map_err(|e| StoreError::Invalid(format!("bad stored delay: {e}")))?, template: get(r, "template")? })
        })
        .collect()
}

pub async fn get_by_id(db: &Db, id: CampaignId) -> Result<Campaign> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM campaigns WHERE id = $1")).bind(id.0).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    campaign(&row, steps(db, id).await?)
}

/// The current status only (the runner checks it before each send).
pub async fn status(db: &Db, id: CampaignId) -> Result<CampaignStatus> {
    let row = sqlx::query("SELECT status FROM campaigns WHERE id = $1").bind(id.0).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    let s: String = get(&row, "status")?;
    CampaignStatus::parse(&s).ok_or_else(|| StoreError::Invalid(s))
}

/// All campaigns, newest first, with enrollment and send counts.
pub async fn list(db: &Db) -> Result<Vec<CampaignSummary>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.status, c.updated_at, \
         (SELECT COUNT(*) FROM campaign_steps s WHERE s.campaign_id = c.id) AS steps, \
         (SELECT COUNT(*) FROM enrollments e WHERE e.campaign_id = c.id) AS enrolled, \
         (SELECT COUNT(*) FROM enrollments e WHERE e.campaign_id = c.id AND e.status = 'active') AS active, \
         (SELECT COUNT(*) FROM messages m WHERE m.campaign_id = c.id AND m.provider_sid IS NOT NULL) AS sent \
         FROM campaigns c ORDER BY c.id DESC",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let status: String = get(r, "status")?;
            Ok(CampaignSummary {
                id: CampaignId(get(r, "id")?),
                name: get(r, "name")?,
                status: CampaignStatus::parse(&status).unwrap_or(CampaignStatus::Draft),
                steps: get(r, "steps")?,
                active: get(r, "active")?,
                enrolled: get(r, "enrolled")?,
                sent: get(r, "sent")?,
                updated_at: get(r, "updated_at")?,
            })
        })
        .collect()
}

/// Moves a campaign to `to` if its status is one of `from`; otherwise a conflict naming it.
pub async fn transition(db: &Db, id: CampaignId, from: &[CampaignStatus], to: CampaignStatus) -> Result<Campaign> {
    let list = from.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(",");
    let r = sqlx::query(&format!("UPDATE campaigns SET status = $1, updated_at = $2 WHERE id = $3 AND status IN ({list})"))
        .bind(to.as_str())
        .bind(now_millis())
        .bind(id.0)
        .execute(db.pool())
        .await?;
    if r.rows_affected() == 0 {
        let current = status(db, id).await?;
        return Err(StoreError::Conflict(format!("the campaign is {}; it can't become {}", current.as_str(), to.as_str())));
    }
    get_by_id(db, id).await
}

/// Launches (or resumes) a draft or paused campaign; with `starts_at`, nothing of it is claimed
/// before then (a resume without a time keeps no delay).
pub async fn launch(db: &Db, id: CampaignId, starts_at: Option<Millis>) -> Result<Campaign> {
    let r = sqlx::query("UPDATE campaigns SET status = 'active', starts_at = $1, updated_at = $2 WHERE id = $3 AND status IN ('draft', 'paused')")
        .bind(starts_at)
        .bind(now_millis())
        .bind(id.0)
        .execute(db.pool())
        .await?;
    if r.rows_affected() == 0 {
        let current = status(db, id).await?;
        return Err(StoreError::Conflict(format!("the campaign is {}; it can't be launched", current.as_str())));
    }
    get_by_id(db, id).await
}

/// One entry for the campaign event log.
pub struct Event<'a> {
    pub campaign: CampaignId,
    pub enrollment: Option<EnrollmentId>,
    pub contact: Option<ContactId>,
    /// 0-based step index.
    pub step: Option<i64>,
    pub kind: &'a str,
    pub detail: Option<&'a str>,
}

pub async fn record_event(conn: &mut AnyConnection, e: &Event<'_>) -> Result<()> {
    sqlx::query("INSERT INTO campaign_events (campaign_id, enrollment_id, contact_id, step, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(e.campaign.0)
        .bind(e.enrollment.map(|x| x.0))
        .bind(e.contact.map(|x| x.0))
        .bind(e.step)
        .bind(e.kind)
        .bind(e.detail)
        .bind(now_millis())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Logs `delivered` / `failed` for a campaign message whose carrier status just became final.
pub async fn record_delivery(db: &Db, message_id: crate::MessageId, kind: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO campaign_events (campaign_id, enrollment_id, contact_id, step, kind, detail, created_at) \
         SELECT campaign_id, enrollment_id, contact_id, step, $1, provider_sid, $2 FROM messages WHERE id = $3 AND campaign_id IS NOT NULL",
    )
    .bind(kind)
    .bind(now_millis())
    .bind(message_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A recent event, for the campaign page and the conversation panel.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventRow {
    pub campaign_id: CampaignId,
    pub campaign_name: String,
    pub contact_id: Option<ContactId>,
    pub step: Option<i64>,
    pub kind: String,
    pub detail: Option<String>,
    pub created_at: Millis,
}

fn event_row(r: &AnyRow) -> Result<EventRow> {
    Ok(EventRow {
        campaign_id: CampaignId(get(r, "campaign_id")?),
        campaign_name: get(r, "name")?,
        contact_id: get::<Option<i64>>(r, "contact_id")?.map(ContactId),
        step: get(r, "step")?,
        kind: get(r, "kind")?,
        detail: get(r, "detail")?,
        created_at: get(r, "created_at")?,
    })
}

/// A contact's campaign events of the given kinds, newest first.
pub async fn events_for_contact(db: &Db, contact: ContactId, kinds: &[&str], limit: i64) -> Result<Vec<EventRow>> {
    let list = kinds.iter().map(|k| format!("'{}'", k.replace('\'', ""))).collect::<Vec<_>>().join(",");
    let rows = sqlx::query(&format!(
        "SELECT e.campaign_id, c.name, e.contact_id, e.step, e.kind, e.detail, e.created_at FROM campaign_events e JOIN campaigns c ON c.id = e.campaign_id \
         WHERE e.contact_id = $1 AND e.kind IN ({list}) ORDER BY e.id DESC LIMIT $2"
    ))
    .bind(contact.0)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(event_row).collect()
}

/// Per-step funnel: due from enrollments, sent/delivered/failed from the campaign's messages,
/// replied/opted out from the event log (attributed to the last step sent).
pub async fn funnel(db: &Db, id: CampaignId, steps: usize) -> Result<Vec<StepFunnel>> {
    let mut out: Vec<StepFunnel> = (0..steps).map(|i| StepFunnel { step: i as i64 + 1, ..Default::default() }).collect();
    let due = sqlx::query("SELECT next_step AS step, COUNT(*) AS n FROM enrollments WHERE campaign_id = $1 AND status = 'active' GROUP BY next_step")
        .bind(id.0)
        .fetch_all(db.pool())
        .await?;
    for r in &due {
        if let Some(f) = out.get_mut(get::<i64>(r, "step")? as usize) {
            f.due = get(r, "n")?;
        }
    }
    let sent = sqlx::query(
        "SELECT step, \
         SUM(CASE WHEN provider_sid IS NOT NULL THEN 1 ELSE 0 END) AS sent, \
         SUM(CASE WHEN status = 'delivered' OR status = 'read' THEN 1 ELSE 0 END) AS delivered, \
         SUM(CASE WHEN status IN ('failed', 'undelivered') THEN 1 ELSE 0 END) AS failed \
         FROM messages WHERE campaign_id = $1 AND step IS NOT NULL GROUP BY step",
    )
    .bind(id.0)
    .fetch_all(db.pool())
    .await?;
    for r in &sent {
        if let Some(f) = out.get_mut(get::<i64>(r, "step")? as usize) {
            f.sent = get::<Option<i64>>(r, "sent")?.unwrap_or(0);
            f.delivered = get::<Option<i64>>(r, "delivered")?.unwrap_or(0);
            f.failed = get::<Option<i64>>(r, "failed")?.unwrap_or(0);
        }
    }
    let ev = sqlx::query("SELECT step, kind, COUNT(*) AS n FROM campaign_events WHERE campaign_id = $1 AND kind IN ('replied', 'opted_out') AND step IS NOT NULL GROUP BY step, kind")
        .bind(id.0)
        .fetch_all(db.pool())
        .await?;
    for r in &ev {
        if let Some(f) = out.get_mut(get::<i64>(r, "step")? as usize) {
            let n: i64 = get(r, "n")?;
            match get::<String>(r, "kind")?.as_str() {
                "replied" => f.replied = n,
                _ => f.opted_out = n,
            }
        }
    }
    Ok(out)
}

/// Custom attribute keys seen on recent contacts (the fields a template may use besides the
/// built-in ones).
pub async fn custom_keys(db: &Db) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT attributes FROM contacts WHERE attributes <> '{}' ORDER BY id DESC LIMIT 2000").fetch_all(db.pool()).await?;
    let mut keys = BTreeSet::new();
    for r in &rows {
        let a: String = get(r, "attributes")?;
        if let Ok(map) = serde_json::from_str::<std::collections::BTreeMap<String, String>>(&a) {
            keys.extend(map.into_keys());
        }
    }
    Ok(keys.into_iter().collect())
}

/// The merge fields every template is checked against (see [`crate::campaign::fields`]).
pub async fn merge_fields(db: &Db) -> Result<crate::campaign::fields::MergeFields> {
    Ok(crate::campaign::fields::MergeFields::new(custom_keys(db).await?))
}
