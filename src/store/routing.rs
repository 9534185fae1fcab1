//! Routing's storage: members' availability, and each pool's turn.

use super::{get, Db, Result, StoreError};
use crate::routing::{next_in_turn, Member};
use crate::UserId;
use std::collections::BTreeSet;

/// Members who take new leads now.
pub async fn available(db: &Db) -> Result<BTreeSet<UserId>> {
    let rows = sqlx::query("SELECT id FROM users WHERE available = 1").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok(UserId(get(r, "id")?))).collect()
}

pub async fn set_available(db: &Db, user: UserId, available: bool) -> Result<()> {
    let r = sqlx::query("UPDATE users SET available = $1 WHERE id = $2").bind(i64::from(available)).bind(user.0).execute(db.pool()).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Every member with their availability and open conversations, by email.
pub async fn members(db: &Db) -> Result<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT u.id, u.email, u.available, (SELECT COUNT(*) FROM conversations v WHERE v.assigned_to = u.id AND v.status = 'open') AS open \
         FROM users u ORDER BY u.email",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok(Member { id: UserId(get(r, "id")?), email: get(r, "email")?, available: get::<i64>(r, "available")? != 0, open: get(r, "open")? }))
        .collect()
}

/// Takes the next turn in `pool` among `members` (id order): reads whose turn was last and
/// moves it on only if nobody else did meanwhile, so two servers routing at once give two
/// different members a turn.
pub async fn take_turn(db: &Db, pool: &str, members: &[UserId]) -> Result<UserId> {
    for _ in 0..16 {
        let last = sqlx::query("SELECT last_user FROM routing_turns WHERE pool = $1").bind(pool).fetch_optional(db.pool()).await?;
        let last = match last {
            Some(r) => Some(UserId(get(&r, "last_user")?)),
            None => None,
        };
        let next = next_in_turn(members, last);
        let moved = match last {
            None => sqlx::query("INSERT INTO routing_turns (pool, last_user) VALUES ($1, $2) ON CONFLICT (pool) DO NOTHING").bind(pool).bind(next.0).execute(db.pool()).await?,
            Some(l) => sqlx::query("UPDATE routing_turns SET last_user = $1 WHERE pool = $2 AND last_user = $3").bind(next.0).bind(pool).bind(l.0).execute(db.pool()).await?,
        };
        if moved.rows_affected() == 1 {
            return Ok(next);
        }
    }
    Err(StoreError::Conflict(format!("the turn in '{pool}' kept changing; try again")))
}
