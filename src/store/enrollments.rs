//! Enrollments: who is in which campaign, and the drip runner's work queue.
//!
//! An active enrollment with `next_at <= now` is due. A runner claims due rows by writing its
//! name and a lease deadline in one atomic statement (PostgreSQL adds `FOR UPDATE SKIP LOCKED`
//! so concurrent runners pass over each other's rows; SQLite has one writer at a time). A lease
//! that outlives its runner (a crash) expires and the row is claimed again.

use super::campaigns::{record_event, Event};
use super::{get, like_pattern, Arg, Args, Db, Result, StoreError};
use crate::campaign::model::{Audience, EnrollOutcome, Enrollment, EnrollmentStatus};
use crate::{now_millis, CampaignId, ContactId, EnrollmentId, Millis, Page};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// A claimed enrollment: what the runner needs to send its next step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub id: EnrollmentId,
    pub campaign_id: CampaignId,
    pub contact_id: ContactId,
    pub generation: i64,
    pub next_step: i64,
    pub attempts: i64,
    /// When the previous step went out (or the enrollment time, before step 1).
    pub base_at: Millis,
}

/// The contact filter for an audience, as SQL over `contacts c`, with its bind values.
fn audience_sql(a: &Audience, args: &mut Args) -> Result<String> {
    Ok(match a {
        Audience::Contacts(ids) => {
            if ids.is_empty() {
                return Err(StoreError::Invalid("choose at least one contact".into()));
            }
            if ids.len() > 10_000 {
                return Err(StoreError::Invalid("enroll at most 10,000 contacts by id at once; use a list or a tag".into()));
            }
            let placeholders: Vec<String> = ids.iter().map(|id| args.push(Arg::Int(id.0))).collect();
            format!("c.id IN ({})", placeholders.join(","))
        }
        Audience::List(l) => format!("EXISTS (SELECT 1 FROM contact_lists cl WHERE cl.contact_id = c.id AND cl.list_id = {})", args.push(Arg::Int(l.0))),
        Audience::Tag(t) => {
            let tag = crate::contact::normalize_tag(t).ok_or_else(|| StoreError::Invalid("that is not a valid tag".into()))?;
            format!("EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag = {})", args.push(Arg::Text(tag)))
        }
        Audience::Search(q) => {
            let q = q.trim();
            if q.is_empty() {
                return Err(StoreError::Invalid("type something to search for".into()));
            }
            let like = args.push(Arg::Text(like_pattern(q)));
            let mut alts = vec![
                format!("LOWER(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')) LIKE {like} ESCAPE '\\'"),
                format!("LOWER(COALESCE(c.email, '')) LIKE {like} ESCAPE '\\'"),
            ];
            let digits = crate::phone::search_digits(q);
            if digits.len() >= 3 {
                alts.push(format!("c.phone LIKE {}", args.push(Arg::Text(format!("%{digits}%")))));
            }
            format!("({})", alts.join(" OR "))
        }
    })
}

/// Enrolls an audience. Opted-out contacts, flagged ones and known-bad numbers are skipped and
/// counted; contacts already in the campaign stay as they are unless `reenroll` is set, which
/// restarts them at step 1. `first_due` is when step 1 is due (enrollment time + its delay).
pub async fn enroll(db: &Db, campaign: CampaignId, audience: &Audience, reenroll: bool, first_due: Millis) -> Result<EnrollOutcome> {
    let mut args = Args::default();
    let filter = audience_sql(audience, &mut args)?;
    // The counts run with their own copy of the audience's arguments (the inserts add more).
    let mut count_args = Args::default();
    let count_filter = audience_sql(audience, &mut count_args)?;
    // The transaction's first statement writes: on SQLite a transaction that reads first and
    // writes later fails at once (SQLITE_BUSY) if another connection wrote in between.
    let mut tx = db.begin().await?;
    let counts_sql = format!(
        "SELECT COUNT(*) AS total, \
         SUM(CASE WHEN c.opted_out <> 0 THEN 1 ELSE 0 END) AS opted_out, \
         SUM(CASE WHEN c.opted_out = 0 AND (c.flagged <> 0 OR c.number_status <> 'ok') THEN 1 ELSE 0 END) AS unreachable \
         FROM contacts c WHERE {count_filter}"
    );
    let now = now_millis();
    let c = args.push(Arg::Int(campaign.0));
    let due = args.push(Arg::Int(first_due));
    let at = args.push(Arg::Int(now));
    let eligible = format!("{filter} AND c.opted_out = 0 AND c.flagged = 0 AND c.number_status = 'ok'");
    let on_conflict = if reenroll {
        "ON CONFLICT (campaign_id, contact_id) DO UPDATE SET status = 'active', generation = enrollments.generation + 1, next_step = 0, \
         next_at = excluded.next_at, last_sent_at = NULL, lease_owner = NULL, lease_until = NULL, attempts = 0, stop_reason = NULL, \
         enrolled_at = excluded.enrolled_at, updated_at = excluded.updated_at"
    } else {
        "ON CONFLICT (campaign_id, contact_id) DO NOTHING"
    };
    let insert = format!(
        "INSERT INTO enrollments (campaign_id, contact_id, status, next_step, next_at, enrolled_at, updated_at) \
         SELECT {c}, c.id, 'active', 0, {due}, {at}, {at} FROM contacts c WHERE {eligible} {on_conflict}"
    );
    let inserted = args.bind(sqlx::query(&insert)).execute(&mut *tx).await?.rows_affected() as i64;
    let event = format!(
        "INSERT INTO campaign_events (campaign_id, enrollment_id, contact_id, step, kind, detail, created_at) \
         SELECT e.campaign_id, e.id, e.contact_id, 0, 'enrolled', NULL, e.enrolled_at FROM enrollments e JOIN contacts c ON c.id = e.contact_id \
         WHERE e.campaign_id = {c} AND e.enrolled_at = {at} AND {eligible}"
    );
    args.bind(sqlx::query(&event)).execute(&mut *tx).await?;
    let counts = count_args.bind(sqlx::query(&counts_sql)).fetch_one(&mut *tx).await?;
    let total: i64 = get(&counts, "total")?;
    let opted_out = get::<Option<i64>>(&counts, "opted_out")?.unwrap_or(0);
    let unreachable = get::<Option<i64>>(&counts, "unreachable")?.unwrap_or(0);
    tx.commit().await?;
    let eligible_n = total - opted_out - unreachable;
    Ok(EnrollOutcome {
        enrolled: inserted,
        already_enrolled: (eligible_n - inserted).max(0),
        skipped_opted_out: opted_out,
        skipped_unreachable: unreachable,
    })
}

/// Stops active enrollments in a campaign (one contact, or everyone). Returns how many.
pub async fn unenroll(db: &Db, campaign: CampaignId, contact: Option<ContactId>) -> Result<u64> {
    let mut tx = db.begin().await?;
    let now = now_millis();
    let who = if contact.is_some() { " AND contact_id = $3" } else { "" };
    let ev = format!(
        "INSERT INTO campaign_events (campaign_id, enrollment_id, contact_id, step, kind, detail, created_at) \
         SELECT campaign_id, id, contact_id, next_step, 'stopped', 'unenrolled by a team member', $2 FROM enrollments WHERE campaign_id = $1 AND status = 'active'{who}"
    );
    let mut q = sqlx::query(&ev).bind(campaign.0).bind(now);
    if let Some(c) = contact {
        q = q.bind(c.0);
    }
    q.execute(&mut *tx).await?;
    let upd = format!(
        "UPDATE enrollments SET status = 'stopped', stop_reason = 'unenrolled', lease_owner = NULL, lease_until = NULL, updated_at = $2 \
         WHERE campaign_id = $1 AND status = 'active'{who}"
    );
    let mut q = sqlx::query(&upd).bind(campaign.0).bind(now);
    if let Some(c) = contact {
        q = q.bind(c.0);
    }
    let n = q.execute(&mut *tx).await?.rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Ends a contact's active enrollments when they reply (only campaigns with stop-on-reply) or
/// opt out (every campaign), with an event each. Returns the campaigns affected.
pub async fn stop_for_contact(conn: &mut AnyConnection, contact: ContactId, kind: &str, only_stop_on_reply: bool) -> Result<Vec<CampaignId>> {
    let scope = if only_stop_on_reply { " AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = e.campaign_id AND c.stop_on_reply = 1)" } else { "" };
    let rows = sqlx::query(&format!("SELECT e.id, e.campaign_id, e.next_step FROM enrollments e WHERE e.contact_id = $1 AND e.status = 'active'{scope}"))
        .bind(contact.0)
        .fetch_all(&mut *conn)
        .await?;
    let now = now_millis();
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let campaign = CampaignId(get(r, "campaign_id")?);
        let next_step: i64 = get(r, "next_step")?;
        sqlx::query("UPDATE enrollments SET status = 'stopped', stop_reason = $1, lease_owner = NULL, lease_until = NULL, updated_at = $2 WHERE id = $3 AND status = 'active'")
            .bind(kind)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        // Attributed to the last step the contact received.
        let step = (next_step - 1).max(0);
        record_event(conn, &Event { campaign, enrollment: Some(EnrollmentId(id)), contact: Some(contact), step: Some(step), kind, detail: None }).await?;
        out.push(campaign);
    }
    Ok(out)
}

/// Claims up to `limit` due enrollments of active campaigns for `owner` until `lease_until`.
pub async fn claim_due(db: &Db, owner: &str, now: Millis, lease_until: Millis, limit: i64) -> Result<Vec<Claimed>> {
    let sql = format!(
        "UPDATE enrollments SET lease_owner = $1, lease_until = $2 WHERE id IN (\
           SELECT e.id FROM enrollments e WHERE e.status = 'active' AND e.next_at <= $3 \
           AND (e.lease_until IS NULL OR e.lease_until < $3) \
           AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = e.campaign_id AND c.status = 'active' AND (c.starts_at IS NULL OR c.starts_at <= $3)) \
           ORDER BY e.next_at, e.id LIMIT $4{}) \
         RETURNING id, campaign_id, contact_id, generation, next_step, attempts, COALESCE(last_sent_at, enrolled_at) AS base_at",
        db.backend().skip_locked()
    );
    let rows = sqlx::query(&sql).bind(owner).bind(lease_until).bind(now).bind(limit).fetch_all(db.pool()).await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Claimed {
                id: EnrollmentId(get(r, "id")?),
                campaign_id: CampaignId(get(r, "campaign_id")?),
                contact_id: ContactId(get(r, "contact_id")?),
                generation: get(r, "generation")?,
                next_step: get(r, "next_step")?,
                attempts: get(r, "attempts")?,
                base_at: get(r, "base_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|c| c.id);
    Ok(out)
}

/// After step `step` went out: moves to the next step (due at `next_at`) or completes, and
/// gives up the lease. A no-op if the row moved on already (idempotent after a crash).
pub async fn advance(db: &Db, c: &Claimed, step: i64, sent_at: Millis, next_at: Option<Millis>) -> Result<bool> {
    let mut tx = db.begin().await?;
    let status = if next_at.is_some() { "active" } else { "completed" };
    let r = sqlx::query(
        "UPDATE enrollments SET next_step = $1, next_at = $2, last_sent_at = $3, status = CASE WHEN status = 'active' THEN $4 ELSE status END, \
         attempts = 0, lease_owner = NULL, lease_until = NULL, updated_at = $5 WHERE id = $6 AND next_step = $7 AND generation = $8",
    )
    .bind(step + 1)
    .bind(next_at)
    .bind(sent_at)
    .bind(status)
    .bind(now_millis())
    .bind(c.id.0)
    .bind(step)
    .bind(c.generation)
    .execute(&mut *tx)
    .await?;
    let moved = r.rows_affected() == 1;
    if moved {
        record_event(&mut tx, &Event { campaign: c.campaign_id, enrollment: Some(c.id), contact: Some(c.contact_id), step: Some(step), kind: "step_sent", detail: None }).await?;
        if next_at.is_none() {
            record_event(&mut tx, &Event { campaign: c.campaign_id, enrollment: Some(c.id), contact: Some(c.contact_id), step: Some(step), kind: "completed", detail: None }).await?;
        }
    }
    tx.commit().await?;
    Ok(moved)
}

/// Gives the row back to be claimed again at `next_at` (a deferral or a retry), optionally
/// logging why.
pub async fn release(db: &Db, c: &Claimed, owner: &str, next_at: Millis, retry: bool, event: Option<(&str, &str)>) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE enrollments SET next_at = $1, attempts = attempts + $2, lease_owner = NULL, lease_until = NULL, updated_at = $3 \
         WHERE id = $4 AND lease_owner = $5 AND generation = $6",
    )
    .bind(next_at)
    .bind(i64::from(retry))
    .bind(now_millis())
    .bind(c.id.0)
    .bind(owner)
    .bind(c.generation)
    .execute(&mut *tx)
    .await?;
    if let Some((kind, detail)) = event {
        record_event(&mut tx, &Event { campaign: c.campaign_id, enrollment: Some(c.id), contact: Some(c.contact_id), step: Some(c.next_step), kind, detail: Some(detail) }).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends an enrollment (`failed` or `stopped`) with a reason and an event.
pub async fn finish(db: &Db, c: &Claimed, status: EnrollmentStatus, reason: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("UPDATE enrollments SET status = $1, stop_reason = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3 WHERE id = $4 AND status = 'active' AND generation = $5")
        .bind(status.as_str())
        .bind(reason)
        .bind(now_millis())
        .bind(c.id.0)
        .bind(c.generation)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 1 {
        let kind = match status {
            EnrollmentStatus::Failed => "failed",
            EnrollmentStatus::Completed => "completed",
            _ => "stopped",
        };
        record_event(&mut tx, &Event { campaign: c.campaign_id, enrollment: Some(c.id), contact: Some(c.contact_id), step: Some(c.next_step), kind, detail: Some(reason) }).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Right before a provider call: extends this runner's lease on the step, if the step is still
/// its to send: the lease is still held, the enrollment still active on the same generation and
/// step, and the campaign still active. `false` means don't send.
pub async fn renew(db: &Db, c: &Claimed, owner: &str, lease_until: Millis) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE enrollments SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND generation = $4 AND next_step = $5 AND status = 'active' \
         AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = enrollments.campaign_id AND k.status = 'active')",
    )
    .bind(lease_until)
    .bind(c.id.0)
    .bind(owner)
    .bind(c.generation)
    .bind(c.next_step)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether this runner still holds the claim on `c` (same owner and generation).
pub async fn holds(db: &Db, c: &Claimed, owner: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 AS one FROM enrollments WHERE id = $1 AND lease_owner = $2 AND generation = $3").bind(c.id.0).bind(owner).bind(c.generation).fetch_optional(db.pool()).await?;
    Ok(row.is_some())
}

/// Whether the enrollment is still active on this generation (it may have been stopped by a
/// reply or an opt-out while claimed).
pub async fn still_active(db: &Db, c: &Claimed) -> Result<bool> {
    let row = sqlx::query("SELECT status, generation FROM enrollments WHERE id = $1").bind(c.id.0).fetch_optional(db.pool()).await?;
    Ok(match row {
        Some(r) => get::<String>(&r, "status")? == "active" && get::<i64>(&r, "generation")? == c.generation,
        None => false,
    })
}

fn enrollment(r: &AnyRow) -> Result<Enrollment> {
    let status: String = get(r, "status")?;
    let name = super::contact_name(r)?;
    Ok(Enrollment {
        id: EnrollmentId(get(r, "id")?),
        campaign_id: CampaignId(get(r, "campaign_id")?),
        contact_id: ContactId(get(r, "contact_id")?),
        contact_name: name,
        phone: get(r, "phone")?,
        status: EnrollmentStatus::parse(&status).ok_or_else(|| StoreError::Invalid(status.clone()))?,
        next_step: get(r, "next_step")?,
        next_at: get(r, "next_at")?,
        last_sent_at: get(r, "last_sent_at")?,
        stop_reason: get(r, "stop_reason")?,
        enrolled_at: get(r, "enrolled_at")?,
    })
}

/// A page of a campaign's enrollments, optionally by status, most recently changed first.
pub async fn list(db: &Db, campaign: CampaignId, status: Option<EnrollmentStatus>, page: i64, per_page: i64) -> Result<Page<Enrollment>> {
    let per_page = per_page.clamp(1, 200);
    // Bounded, so the offset below can't overflow whatever the page asked for.
    let page = page.clamp(1, 1_000_000);
    let filter = if status.is_some() { " AND e.status = $2" } else { "" };
    let count_sql = format!("SELECT COUNT(*) AS n FROM enrollments e WHERE e.campaign_id = $1{filter}");
    let mut cq = sqlx::query(&count_sql).bind(campaign.0);
    if let Some(s) = status {
        cq = cq.bind(s.as_str());
    }
    let total: i64 = get(&cq.fetch_one(db.pool()).await?, "n")?;
    let (lim, off) = if status.is_some() { ("$3", "$4") } else { ("$2", "$3") };
    let sql = format!(
        "SELECT e.id, e.campaign_id, e.contact_id, c.first_name, c.last_name, c.phone, e.status, e.next_step, e.next_at, e.last_sent_at, e.stop_reason, e.enrolled_at \
         FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE e.campaign_id = $1{filter} ORDER BY e.updated_at DESC, e.id DESC LIMIT {lim} OFFSET {off}"
    );
    let mut q = sqlx::query(&sql).bind(campaign.0);
    if let Some(s) = status {
        q = q.bind(s.as_str());
    }
    let rows = q.bind(per_page).bind((page - 1) * per_page).fetch_all(db.pool()).await?;
    Ok(Page { items: rows.iter().map(enrollment).collect::<Result<Vec<_>>>()?, total, total_capped: false, page, per_page, next: None, prev: None })
}

/// A contact's enrollments in every campaign (for the conversation panel).
pub async fn for_contact(db: &Db, contact: ContactId) -> Result<Vec<(String, Enrollment)>> {
    let rows = sqlx::query(
        "SELECT e.id, e.campaign_id, e.contact_id, c.first_name, c.last_name, c.phone, e.status, e.next_step, e.next_at, e.last_sent_at, e.stop_reason, e.enrolled_at, k.name AS campaign_name \
         FROM enrollments e JOIN contacts c ON c.id = e.contact_id JOIN campaigns k ON k.id = e.campaign_id WHERE e.contact_id = $1 ORDER BY e.id DESC",
    )
    .bind(contact.0)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get(r, "campaign_name")?, enrollment(r)?))).collect()
}

/// What the runner needs to gate and render one contact's step, in one query.
pub async fn send_target(db: &Db, contact: ContactId) -> Result<(super::recipients::RecipientRow, crate::campaign::template::Values)> {
    let row = sqlx::query("SELECT phone, first_name, last_name, email, timezone, attributes, opted_out, flagged, number_status FROM contacts WHERE id = $1")
        .bind(contact.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let phone: String = get(&row, "phone")?;
    let timezone: Option<String> = get(&row, "timezone")?;
    let mut values = crate::campaign::template::Values::new().with("phone", &phone);
    for f in ["first_name", "last_name", "email"] {
        if let Some(v) = get::<Option<String>>(&row, f)? {
            values = values.with(f, &v);
        }
    }
    if let Some(tz) = &timezone {
        values = values.with("timezone", tz);
    }
    let attributes: String = get(&row, "attributes")?;
    if let Ok(map) = serde_json::from_str::<std::collections::BTreeMap<String, String>>(&attributes) {
        for (k, v) in map {
            if !crate::campaign::template::CONTACT_FIELDS.contains(&k.as_str()) {
                values = values.with(&k, &v);
            }
        }
    }
    let r = super::recipients::RecipientRow {
        phone: crate::E164::parse(&phone).map_err(|e| StoreError::Invalid(e.to_string()))?,
        timezone,
        opted_out: get::<i64>(&row, "opted_out")? != 0,
        flagged: get::<i64>(&row, "flagged")? != 0,
        number_status: crate::message::NumberStatus::parse(&get::<String>(&row, "number_status")?),
    };
    Ok((r, values))
}

/// Takes one of today's `cap` sends for a campaign; false when the cap is reached. Runs in
/// the transaction that stores the step's message, so a rolled-back send gives it back.
pub async fn take_daily_slot(conn: &mut AnyConnection, campaign: CampaignId, day: &str, cap: i64) -> Result<bool> {
    let row = sqlx::query(
        "INSERT INTO campaign_daily_counts (campaign_id, day, sent) VALUES ($1, $2, 1) \
         ON CONFLICT (campaign_id, day) DO UPDATE SET sent = campaign_daily_counts.sent + 1 WHERE campaign_daily_counts.sent < $3 RETURNING sent",
    )
    .bind(campaign.0)
    .bind(day)
    .bind(cap)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// How many of a campaign's enrollments are in each state.
pub async fn counts(db: &Db, campaign: CampaignId) -> Result<crate::campaign::model::EnrollmentCounts> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM enrollments WHERE campaign_id = $1 GROUP BY status").bind(campaign.0).fetch_all(db.pool()).await?;
    let mut c = crate::campaign::model::EnrollmentCounts::default();
    for r in &rows {
        let n: i64 = get(r, "n")?;
        match get::<String>(r, "status")?.as_str() {
            "active" => c.active = n,
            "completed" => c.completed = n,
            "stopped" => c.stopped = n,
            _ => c.failed += n,
        }
    }
    Ok(c)
}

/// Active enrollments still waiting for step 1, and when the earliest of them is due.
pub async fn waiting_first_step(db: &Db, campaign: CampaignId) -> Result<(i64, Option<Millis>)> {
    let r = sqlx::query("SELECT COUNT(*) AS n, MIN(next_at) AS first_due FROM enrollments WHERE campaign_id = $1 AND status = 'active' AND next_step = 0")
        .bind(campaign.0)
        .fetch_one(db.pool())
        .await?;
    Ok((get(&r, "n")?, get(&r, "first_due")?))
}
