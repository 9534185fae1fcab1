//! The warm-lead pipeline: editable stages, and each contact's stage.

use super::{conflict_on_unique, get, Db, Result, StoreError};
use crate::crm::{Board, PipelineCard, Stage};
use crate::{now_millis, ContactId};

pub async fn stages(db: &Db) -> Result<Vec<Stage>> {
    let rows = sqlx::query("SELECT id, name, position FROM pipeline_stages ORDER BY position, id").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok(Stage { id: get(r, "id")?, name: get(r, "name")?, position: get(r, "position")? })).collect()
}

/// Adds a stage at the end.
pub async fn create(db: &Db, name: &str) -> Result<Stage> {
    let next: i64 = get(&sqlx::query("SELECT COALESCE(MAX(position), -1) + 1 AS p FROM pipeline_stages").fetch_one(db.pool()).await?, "p")?;
    let row = sqlx::query("INSERT INTO pipeline_stages (name, position, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(name)
        .bind(next)
        .bind(now_millis())
        .fetch_one(db.pool())
        .await
        .map_err(|e| conflict_on_unique(e, format!("there is already a stage named '{name}'")))?;
    Ok(Stage { id: get(&row, "id")?, name: name.to_string(), position: next })
}

pub async fn rename(db: &Db, id: i64, name: &str) -> Result<()> {
    let r = sqlx::query("UPDATE pipeline_stages SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(db.pool())
        .await
        .map_err(|e| conflict_on_unique(e, format!("there is already a stage named '{name}'")))?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a stage; its contacts move to the first remaining stage.
pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let first = sqlx::query("SELECT id FROM pipeline_stages WHERE id <> $1 ORDER BY position, id LIMIT 1").bind(id).fetch_optional(&mut *tx).await?;
    let Some(first) = first else {
        return Err(StoreError::Conflict("the pipeline needs at least one stage".into()));
    };
    let first: i64 = get(&first, "id")?;
    sqlx::query("UPDATE contacts SET stage_id = $1 WHERE stage_id = $2").bind(first).bind(id).execute(&mut *tx).await?;
    let r = sqlx::query("DELETE FROM pipeline_stages WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Puts a contact in a stage (`None`: no stage).
pub async fn set_stage(db: &Db, contact: ContactId, stage: Option<i64>) -> Result<()> {
    if let Some(s) = stage {
        let exists = sqlx::query("SELECT id FROM pipeline_stages WHERE id = $1").bind(s).fetch_optional(db.pool()).await?;
        if exists.is_none() {
            return Err(StoreError::Invalid(format!("there is no stage {s}")));
        }
    }
    let r = sqlx::query("UPDATE contacts SET stage_id = $1, updated_at = $2 WHERE id = $3").bind(stage).bind(now_millis()).bind(contact.0).execute(db.pool()).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A contact's stage.
pub async fn stage_of(db: &Db, contact: ContactId) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT stage_id FROM contacts WHERE id = $1").bind(contact.0).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    get(&row, "stage_id")
}

/// The board: every warm lead and every contact put in a stage, newest first (at most 500).
pub async fn board(db: &Db) -> Result<Board> {
    let rows = sqlx::query(
        "SELECT c.id, c.phone, c.first_name, c.last_name, c.stage_id, w.reply_text, COALESCE(w.replied_at, c.updated_at) AS since \
         FROM contacts c LEFT JOIN warm_leads w ON w.contact_id = c.id \
         WHERE w.contact_id IS NOT NULL OR c.stage_id IS NOT NULL \
         ORDER BY since DESC, c.id DESC LIMIT 500",
    )
    .fetch_all(db.pool())
    .await?;
    let cards = rows
        .iter()
        .map(|r| {
            Ok(PipelineCard {
                contact_id: ContactId(get(r, "id")?),
                name: super::contact_name(r)?,
                phone: get(r, "phone")?,
                stage_id: get(r, "stage_id")?,
                reply: get(r, "reply_text")?,
                since: get(r, "since")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Board { stages: stages(db).await?, cards })
}
