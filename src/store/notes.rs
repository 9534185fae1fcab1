//! Notes on contacts.

use super::{get, Db, Result, StoreError};
use crate::crm::Note;
use crate::{now_millis, ContactId, UserId};

pub async fn add(db: &Db, contact: ContactId, body: &str, author: Option<UserId>) -> Result<Note> {
    let row = sqlx::query("INSERT INTO contact_notes (contact_id, body, author_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(contact.0)
        .bind(body)
        .bind(author.map(|a| a.0))
        .bind(now_millis())
        .fetch_one(db.pool())
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("foreign key") => StoreError::NotFound,
            other => other.into(),
        })?;
    let id: i64 = get(&row, "id")?;
    for_contact(db, contact).await?.into_iter().find(|n| n.id == id).ok_or(StoreError::NotFound)
}

/// A contact's notes, newest first.
pub async fn for_contact(db: &Db, contact: ContactId) -> Result<Vec<Note>> {
    let rows = sqlx::query(
        "SELECT n.id, n.contact_id, n.body, n.author_id, u.email, n.created_at FROM contact_notes n \
         LEFT JOIN users u ON u.id = n.author_id WHERE n.contact_id = $1 ORDER BY n.id DESC",
    )
    .bind(contact.0)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Note {
                id: get(r, "id")?,
                contact_id: ContactId(get(r, "contact_id")?),
                body: get(r, "body")?,
                author_id: get::<Option<i64>>(r, "author_id")?.map(UserId),
                author: get(r, "email")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

/// Deletes a note of this contact.
pub async fn delete(db: &Db, contact: ContactId, id: i64) -> Result<()> {
    let r = sqlx::query("DELETE FROM contact_notes WHERE id = $1 AND contact_id = $2").bind(id).bind(contact.0).execute(db.pool()).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
