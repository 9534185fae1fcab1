//! Bulk CSV import: all valid rows in one transaction, so a failure leaves nothing behind.

use super::{contacts::add_to_list, get, lists, values_placeholders, Db, Result};
use crate::contact::{ImportReport, ImportSummary, ListKind};
use crate::csv_import::{ImportRow, RowError};
use crate::{now_millis, ContactId, ImportId, ListId, UserId};

/// Columns written per contact row.
const CONTACT_COLS: usize = 11;

/// What gets written for one import.
pub struct ImportBatch<'a> {
    pub list_name: &'a str,
    pub filename: Option<&'a str>,
    pub rows: &'a [ImportRow],
    /// Bad rows the user chose to skip.
    pub skipped: &'a [RowError],
    pub total_rows: u64,
    pub created_by: Option<UserId>,
}

/// Writes the batch in one transaction; `progress(rows_done)` is called after each chunk.
pub async fn import(db: &Db, batch: ImportBatch<'_>, progress: &(dyn Fn(usize) + Send + Sync)) -> Result<ImportReport> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    let import_row = sqlx::query("INSERT INTO imports (filename, total_rows, skipped, errors, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(batch.filename)
        .bind(batch.total_rows as i64)
        .bind(batch.skipped.len() as i64)
        .bind(serde_json::to_string(batch.skipped).unwrap_or_else(|_| "[]".into()))
        .bind(batch.created_by.map(|u| u.0))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    let import_id = ImportId(get(&import_row, "id")?);
    let list_id = lists::get_or_create(&mut tx, batch.list_name, ListKind::Import).await?;

    let (mut created, mut updated) = (0i64, 0i64);
    let mut done = 0usize;
    let rows_per_statement = (db.backend().bulk_params() / CONTACT_COLS).max(1);
    for chunk in batch.rows.chunks(rows_per_statement) {
        let sql = format!(
            "INSERT INTO contacts (phone, first_name, last_name, email, timezone, consent_source, consent_at, attributes, source_import_id, created_at, updated_at) \
             VALUES {} \
             ON CONFLICT (phone) DO UPDATE SET \
               first_name = COALESCE(contacts.first_name, excluded.first_name), \
               last_name = COALESCE(contacts.last_name, excluded.last_name), \
               email = COALESCE(contacts.email, excluded.email), \
               timezone = COALESCE(contacts.timezone, excluded.timezone), \
               consent_source = COALESCE(contacts.consent_source, excluded.consent_source), \
               consent_at = COALESCE(contacts.consent_at, excluded.consent_at), \
               attributes = CASE WHEN contacts.attributes = '{{}}' THEN excluded.attributes ELSE contacts.attributes END, \
               updated_at = excluded.updated_at \
             RETURNING id, phone, source_import_id",
            values_placeholders(chunk.len(), CONTACT_COLS)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(r.phone.as_str())
                .bind(r.first_name.as_deref())
                .bind(r.last_name.as_deref())
                .bind(r.email.as_deref())
                .bind(r.timezone.as_deref())
                .bind(r.consent_source.as_deref())
                .bind(r.consent_at)
                .bind(serde_json::to_string(&r.attributes).unwrap_or_else(|_| "{}".into()))
                .bind(import_id.0)
                .bind(now)
                .bind(now);
        }
        let returned = q.fetch_all(&mut *tx).await?;
        let mut ids = Vec::with_capacity(returned.len());
        let mut by_phone = std::collections::HashMap::with_capacity(returned.len());
        for row in &returned {
            let id: i64 = get(row, "id")?;
            ids.push(ContactId(id));
            by_phone.insert(get::<String>(row, "phone")?, id);
            let source: Option<i64> = get(row, "source_import_id")?;
            if source == Some(import_id.0) {
                created += 1;
            } else {
                updated += 1;
            }
        }
        add_to_list(&mut tx, db.backend(), list_id, &ids).await?;

        let pairs: Vec<(i64, &str)> = chunk
            .iter()
            .filter_map(|r| by_phone.get(r.phone.as_str()).map(|id| (*id, r)))
            .flat_map(|(id, r)| r.tags.iter().map(move |t| (id, t.as_str())))
            .collect();
        for part in pairs.chunks(db.backend().bulk_params() / 2) {
            let sql = format!("INSERT INTO contact_tags (contact_id, tag) VALUES {} ON CONFLICT DO NOTHING", values_placeholders(part.len(), 2));
            let mut q = sqlx::query(&sql);
            for (id, tag) in part {
                q = q.bind(*id).bind(*tag);
            }
            q.execute(&mut *tx).await?;
        }
        done += chunk.len();
        progress(done);
    }

    let imported = created + updated;
    sqlx::query("UPDATE imports SET list_id = $1, imported = $2, created = $3, updated = $4 WHERE id = $5")
        .bind(list_id.0)
        .bind(imported)
        .bind(created)
        .bind(updated)
        .bind(import_id.0)
        .execute(&mut *tx)
        .await?;
    // A number whose contact was deleted after opting out comes back opted out.
    super::contacts::apply_suppressions_for_import(&mut tx, import_id).await?;
    tx.commit().await?;
    Ok(ImportReport {
        import_id: Some(import_id),
        list_id: Some(list_id),
        imported,
        created,
        updated,
        skipped: batch.skipped.len() as i64,
        errors: batch.skipped.to_vec(),
    })
}

/// The latest imports, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<ImportSummary>> {
    let rows = sqlx::query(
        "SELECT i.id, i.list_id, l.name AS list_name, i.filename, i.total_rows, i.imported, i.created, i.updated, i.skipped, i.created_at \
         FROM imports i LEFT JOIN lists l ON l.id = i.list_id ORDER BY i.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ImportSummary {
                id: ImportId(get(r, "id")?),
                list_id: get::<Option<i64>>(r, "list_id")?.map(ListId),
                list_name: get(r, "list_name")?,
                filename: get(r, "filename")?,
                total_rows: get(r, "total_rows")?,
                imported: get(r, "imported")?,
                created: get(r, "created")?,
                updated: get(r, "updated")?,
                skipped: get(r, "skipped")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

pub async fn count(db: &Db) -> Result<i64> {
    get(&sqlx::query("SELECT COUNT(*) AS n FROM imports").fetch_one(db.pool()).await?, "n")
}
