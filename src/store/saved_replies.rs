//! Saved replies.

use super::{conflict_on_unique, get, Db, Result, StoreError};
use crate::crm::SavedReply;
use crate::{now_millis, UserId};

pub async fn list(db: &Db) -> Result<Vec<SavedReply>> {
    let rows = sqlx::query("SELECT id, name, body FROM saved_replies ORDER BY name").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok(SavedReply { id: get(r, "id")?, name: get(r, "name")?, body: get(r, "body")? })).collect()
}

pub async fn get_by_id(db: &Db, id: i64) -> Result<SavedReply> {
    let r = sqlx::query("SELECT id, name, body FROM saved_replies WHERE id = $1").bind(id).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    Ok(SavedReply { id: get(&r, "id")?, name: get(&r, "name")?, body: get(&r, "body")? })
}

pub async fn create(db: &Db, name: &str, body: &str, by: Option<UserId>) -> Result<SavedReply> {
    let r = sqlx::query("INSERT INTO saved_replies (name, body, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(body)
        .bind(by.map(|u| u.0))
        .bind(now_millis())
        .fetch_one(db.pool())
        .await
        .map_err(|e| conflict_on_unique(e, format!("a saved reply is already called '{name}'")))?;
    Ok(SavedReply { id: get(&r, "id")?, name: name.into(), body: body.into() })
}

pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let r = sqlx::query("DELETE FROM saved_replies WHERE id = $1").bind(id).execute(db.pool()).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
