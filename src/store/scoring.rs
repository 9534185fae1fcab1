//! Lead scores: what the rules look at for a range of contacts (read in a few range queries,
//! never one per contact), the scores written back in multi-row updates, and the recompute
//! jobs (claimed with a lease, resumable from the last contact done).

use super::{get, Db, Result};
use crate::scoring::{Band, Facts, Reason, Score};
use crate::{ContactId, Millis};
use std::collections::{BTreeMap, HashMap};

/// A contact's facts, with the score it holds now.
#[derive(Clone, Debug)]
pub struct Scored {
    pub contact: ContactId,
    pub facts: Facts,
    pub score: i32,
    pub band: Band,
    pub reasons: String,
}

/// Contacts after `after` (by id, at most `limit`), with their facts.
pub async fn facts_after(db: &Db, after: i64, limit: i64) -> Result<Vec<Scored>> {
    let rows = sqlx::query(
        "SELECT id, first_name, last_name, email, attributes, source, opted_out, created_at, score, score_band, score_reasons \
         FROM contacts WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut fields: BTreeMap<String, String> = serde_json::from_str(&get::<String>(r, "attributes")?).unwrap_or_default();
        for key in ["first_name", "last_name", "email", "source"] {
            if let Some(v) = get::<Option<String>>(r, key)? {
                fields.insert(key.into(), v);
            }
        }
        out.push(Scored {
            contact: ContactId(get(r, "id")?),
            facts: Facts { opted_out: get::<i64>(r, "opted_out")? != 0, fields, last_activity: get(r, "created_at")?, ..Facts::default() },
            score: get::<i64>(r, "score")? as i32,
            band: Band::from_key(&get::<String>(r, "score_band")?).unwrap_or(Band::Unqualified),
            reasons: get(r, "score_reasons")?,
        });
    }
    let (Some(lo), Some(hi)) = (out.first().map(|s| s.contact.0), out.last().map(|s| s.contact.0)) else { return Ok(out) };
    let at: HashMap<i64, usize> = out.iter().enumerate().map(|(i, s)| (s.contact.0, i)).collect();
    // One range read per table for the whole batch.
    let counted = |sql: &'static str| sqlx::query(sql).bind(lo).bind(hi).fetch_all(db.pool());
    for r in counted("SELECT contact_id, COUNT(*) AS n, MAX(created_at) AS last FROM messages WHERE contact_id BETWEEN $1 AND $2 AND direction = 'in' GROUP BY contact_id").await? {
        if let Some(&i) = at.get(&get::<i64>(&r, "contact_id")?) {
            let f = &mut out[i].facts;
            f.replies = get::<i64>(&r, "n")? as u32;
            f.last_activity = f.last_activity.max(get::<Option<i64>>(&r, "last")?.unwrap_or(0));
        }
    }
    for r in counted("SELECT contact_id, COUNT(*) AS n, MAX(created_at) AS last FROM form_submissions WHERE contact_id BETWEEN $1 AND $2 AND status = 'accepted' GROUP BY contact_id").await? {
        if let Some(&i) = at.get(&get::<i64>(&r, "contact_id")?) {
            let f = &mut out[i].facts;
            f.submissions = get::<i64>(&r, "n")? as u32;
            f.last_activity = f.last_activity.max(get::<Option<i64>>(&r, "last")?.unwrap_or(0));
        }
    }
    for r in counted("SELECT contact_id FROM warm_leads WHERE contact_id BETWEEN $1 AND $2").await? {
        if let Some(&i) = at.get(&get::<i64>(&r, "contact_id")?) {
            out[i].facts.warm_lead = true;
        }
    }
    Ok(out)
}

/// One contact's facts (`None` when it doesn't exist).
pub async fn facts_of(db: &Db, contact: ContactId) -> Result<Option<Scored>> {
    Ok(facts_after(db, contact.0 - 1, 1).await?.into_iter().find(|s| s.contact == contact))
}

/// Rows per multi-row update (4 values each).
const WRITE_ROWS: usize = 250;

/// Stores new scores, in one transaction.
pub async fn write(db: &Db, scores: &[(ContactId, Score)]) -> Result<()> {
    if scores.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for chunk in scores.chunks(WRITE_ROWS) {
        // `UPDATE … FROM (VALUES …)`: the same statement on SQLite (3.33+) and PostgreSQL,
        // whose VALUES columns are both named column1, column2, …
        let sql = format!(
            "UPDATE contacts SET score = v.column2, score_band = v.column3, score_reasons = v.column4 FROM (VALUES {}) AS v WHERE contacts.id = v.column1",
            super::values_placeholders(chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (id, s) in chunk {
            q = q.bind(id.0).bind(i64::from(s.value)).bind(s.band.key()).bind(reasons_json(&s.reasons));
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub fn reasons_json(reasons: &[Reason]) -> String {
    serde_json::to_string(reasons).unwrap_or_else(|_| "[]".into())
}

/// A contact's stored score and its explanation.
pub async fn get_score(db: &Db, contact: ContactId) -> Result<Option<Score>> {
    let row = sqlx::query("SELECT score, score_band, score_reasons FROM contacts WHERE id = $1").bind(contact.0).fetch_optional(db.pool()).await?;
    row.map(|r| {
        Ok(Score {
            value: get::<i64>(&r, "score")? as i32,
            band: Band::from_key(&get::<String>(&r, "score_band")?).unwrap_or(Band::Unqualified),
            reasons: serde_json::from_str(&get::<String>(&r, "score_reasons")?).unwrap_or_default(),
        })
    })
    .transpose()
}

/// How many contacts are in each band.
pub async fn band_counts(db: &Db) -> Result<Vec<(Band, i64)>> {
    let rows = sqlx::query("SELECT score_band, COUNT(*) AS n FROM contacts GROUP BY score_band").fetch_all(db.pool()).await?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(b) = Band::from_key(&get::<String>(&r, "score_band")?) {
            out.push((b, get(&r, "n")?));
        }
    }
    out.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(out)
}

/// A recompute of every contact's score.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScoreJob {
    pub id: i64,
    pub state: String,
    pub total: i64,
    pub done: i64,
    pub changed: i64,
    pub last_contact_id: i64,
    pub as_of: Millis,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
}

impl From<ScoreJob> for crate::scoring::RecomputeProgress {
    fn from(j: ScoreJob) -> Self {
        crate::scoring::RecomputeProgress { state: j.state, total: j.total, done: j.done, changed: j.changed, created_at: j.created_at, finished_at: j.finished_at }
    }
}

const JOB_COLS: &str = "id, state, total, done, changed, last_contact_id, as_of, created_at, finished_at";

fn job(r: &sqlx::any::AnyRow) -> Result<ScoreJob> {
    Ok(ScoreJob {
        id: get(r, "id")?,
        state: get(r, "state")?,
        total: get(r, "total")?,
        done: get(r, "done")?,
        changed: get(r, "changed")?,
        last_contact_id: get(r, "last_contact_id")?,
        as_of: get(r, "as_of")?,
        created_at: get(r, "created_at")?,
        finished_at: get(r, "finished_at")?,
    })
}

/// Queues a recompute judged at `as_of`; one still queued or running is cancelled (the new
/// one covers it).
pub async fn queue_job(db: &Db, as_of: Millis, now: Millis) -> Result<ScoreJob> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE score_jobs SET state = 'cancelled', finished_at = $1 WHERE state IN ('queued', 'running')").bind(now).execute(&mut *tx).await?;
    let total: i64 = get(&sqlx::query("SELECT COUNT(*) AS n FROM contacts").fetch_one(&mut *tx).await?, "n")?;
    let row = sqlx::query(&format!("INSERT INTO score_jobs (state, total, as_of, created_at) VALUES ('queued', $1, $2, $3) RETURNING {JOB_COLS}"))
        .bind(total)
        .bind(as_of)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    job(&row)
}

/// Claims the oldest job that is queued, or running under an expired lease (its worker died).
pub async fn claim_job(db: &Db, now: Millis, lease_until: Millis) -> Result<Option<ScoreJob>> {
    let row = sqlx::query(&format!(
        "UPDATE score_jobs SET state = 'running', lease_until = $1 \
         WHERE id = (SELECT id FROM score_jobs WHERE state IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT 1) \
         AND (lease_until IS NULL OR lease_until < $2) RETURNING {JOB_COLS}"
    ))
    .bind(lease_until)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(job).transpose()
}

/// Records a batch done and renews the lease; false when the job was cancelled meanwhile.
pub async fn progress(db: &Db, id: i64, last_contact_id: i64, done: i64, changed: i64, lease_until: Millis) -> Result<bool> {
    let r = sqlx::query("UPDATE score_jobs SET last_contact_id = $1, done = $2, changed = $3, lease_until = $4 WHERE id = $5 AND state = 'running'")
        .bind(last_contact_id)
        .bind(done)
        .bind(changed)
        .bind(lease_until)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn finish(db: &Db, id: i64, now: Millis) -> Result<()> {
    sqlx::query("UPDATE score_jobs SET state = 'done', finished_at = $1, lease_until = NULL WHERE id = $2 AND state = 'running'").bind(now).bind(id).execute(db.pool()).await?;
    Ok(())
}

/// The newest job.
pub async fn latest_job(db: &Db) -> Result<Option<ScoreJob>> {
    let row = sqlx::query(&format!("SELECT {JOB_COLS} FROM score_jobs ORDER BY id DESC LIMIT 1")).fetch_optional(db.pool()).await?;
    row.as_ref().map(job).transpose()
}
