//! Named lists of contacts.

use super::{conflict_on_unique, get, Db, Result, StoreError};
use crate::contact::{ContactList, ListKind};
use crate::{now_millis, ListId};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

fn list(row: &AnyRow) -> Result<ContactList> {
    let kind: String = get(row, "kind")?;
    Ok(ContactList {
        id: ListId(get(row, "id")?),
        name: get(row, "name")?,
        kind: ListKind::parse(&kind),
        contact_count: get(row, "contact_count")?,
        created_at: get(row, "created_at")?,
    })
}

const SELECT: &str = "SELECT l.id, l.name, l.kind, l.created_at, \
    (SELECT COUNT(*) FROM contact_lists cl WHERE cl.list_id = l.id) AS contact_count FROM lists l";

pub fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("give the list a name".into()));
    }
    crate::limits::check("the list name", name, crate::limits::TITLE).map_err(StoreError::Invalid)?;
    Ok(name.to_string())
}

pub async fn all(db: &Db) -> Result<Vec<ContactList>> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY l.created_at DESC, l.id DESC")).fetch_all(db.pool()).await?;
    rows.iter().map(list).collect()
}

pub async fn get_by_id(db: &Db, id: ListId) -> Result<ContactList> {
    let row = sqlx::query(&format!("{SELECT} WHERE l.id = $1")).bind(id.0).fetch_optional(db.pool()).await?;
    list(&row.ok_or(StoreError::NotFound)?)
}

pub async fn find_by_name(db: &Db, name: &str) -> Result<Option<ContactList>> {
    let row = sqlx::query(&format!("{SELECT} WHERE l.name = $1")).bind(name.trim()).fetch_optional(db.pool()).await?;
    row.as_ref().map(list).transpose()
}

pub async fn create(db: &Db, name: &str, kind: ListKind) -> Result<ContactList> {
    let name = check_name(name)?;
    let row = sqlx::query("INSERT INTO lists (name, kind, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(&name)
        .bind(kind.as_str())
        .bind(now_millis())
        .fetch_one(db.pool())
        .await
        .map_err(|e| conflict_on_unique(e, format!("a list named '{name}' already exists")))?;
    get_by_id(db, ListId(get(&row, "id")?)).await
}

/// The list with this name, created when missing (inside the caller's transaction).
pub(crate) async fn get_or_create(conn: &mut AnyConnection, name: &str, kind: ListKind) -> Result<ListId> {
    let name = check_name(name)?;
    sqlx::query("INSERT INTO lists (name, kind, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
        .bind(&name)
        .bind(kind.as_str())
        .bind(now_millis())
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query("SELECT id FROM lists WHERE name = $1").bind(&name).fetch_one(&mut *conn).await?;
    Ok(ListId(get(&row, "id")?))
}
