//! The rate limit every server shares: per sender, the next free send slot.

use super::{get, Db, Result};

/// Takes the next send slot for `sender`: the later of `now_us` and the slot after the last one
/// taken, which moves on by `spacing_us`. Returns the slot's start (microseconds since the
/// epoch); the caller waits until then before calling the provider. One atomic statement, so
/// servers sharing the database never take the same slot.
pub async fn take(db: &Db, sender: &str, now_us: i64, spacing_us: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO send_slots (sender, next_at_us) VALUES ($1, $2 + $3) ON CONFLICT (sender) DO UPDATE \
         SET next_at_us = (CASE WHEN send_slots.next_at_us < $2 THEN $2 ELSE send_slots.next_at_us END) + $3 \
         RETURNING next_at_us - $3 AS slot",
    )
    .bind(sender)
    .bind(now_us)
    .bind(spacing_us)
    .fetch_one(db.pool())
    .await?;
    get(&row, "slot")
}
