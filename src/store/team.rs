//! Team members' days: messages they sent, conversations they handled and how fast they
//! answered, per day of the organisation's zone (the days of `stat_days`). Kept in the same
//! transaction as each message a member sends, and summed again from the messages whenever the
//! day table changes.

use super::{get, Db, Result};
use crate::{ContactId, Millis};
use sqlx::AnyConnection;

/// The day of `stat_days` an instant falls in, as a subquery over `$1` (epoch ms).
const DAY_OF: &str = "(SELECT day FROM stat_days WHERE start_hour <= $1 / 3600000 AND end_hour > $1 / 3600000)";

/// Counts a message a member sent at `at` to `contact` (and its response time, when it
/// answered them). A time outside the day table counts nowhere until the days are set up again.
pub(crate) async fn record(conn: &mut AnyConnection, member: i64, contact: ContactId, at: Millis, response_ms: Option<i64>) -> Result<()> {
    let new_contact = sqlx::query(&format!("INSERT INTO member_day_contacts (day, member, contact_id) SELECT d.day, $2, $3 FROM {DAY_OF} d WHERE 1 = 1 ON CONFLICT DO NOTHING"))
        .bind(at)
        .bind(member)
        .bind(contact.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query(&format!(
        "INSERT INTO member_days (day, member, messages, conversations) SELECT d.day, $2, 1, $3 FROM {DAY_OF} d WHERE 1 = 1 \
         ON CONFLICT (day, member) DO UPDATE SET messages = member_days.messages + 1, conversations = member_days.conversations + excluded.conversations"
    ))
    .bind(at)
    .bind(member)
    .bind(new_contact as i64)
    .execute(&mut *conn)
    .await?;
    if let Some(ms) = response_ms {
        sqlx::query(&format!("INSERT INTO member_responses (day, member, response_ms) SELECT d.day, $2, $3 FROM {DAY_OF} d WHERE 1 = 1"))
            .bind(at)
            .bind(member)
            .bind(ms)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Sums the members' messages into the days of `stat_days` again (the caller holds the lock
/// that keeps writers out).
pub(crate) async fn rebuild(conn: &mut AnyConnection) -> Result<()> {
    for t in ["member_days", "member_day_contacts", "member_responses"] {
        sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *conn).await?;
    }
    // Day by day, each reading its range of the members' messages through their index.
    let join = "FROM stat_days d JOIN messages m ON m.created_at >= d.start_hour * 3600000 AND m.created_at < d.end_hour * 3600000 \
                WHERE m.sent_by IS NOT NULL AND m.direction = 'out'";
    sqlx::query(&format!("INSERT INTO member_day_contacts (day, member, contact_id) SELECT DISTINCT d.day, m.sent_by, m.contact_id {join}")).execute(&mut *conn).await?;
    sqlx::query(&format!("INSERT INTO member_responses (day, member, response_ms) SELECT d.day, m.sent_by, m.response_ms {join} AND m.response_ms IS NOT NULL"))
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO member_days (day, member, messages, conversations) SELECT d.day, m.sent_by, COUNT(*), \
         (SELECT COUNT(*) FROM member_day_contacts c WHERE c.day = d.day AND c.member = m.sent_by) {join} GROUP BY d.day, m.sent_by"
    ))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One member's day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDay {
    pub day: i64,
    pub member: i64,
    pub messages: i64,
    pub conversations: i64,
    pub responses_ms: Vec<i64>,
}

/// The members' days `from..to` (days of the day table), one member's or everyone's, in
/// (day, member) order.
pub async fn days(db: &Db, from: i64, to: i64, member: Option<i64>) -> Result<Vec<MemberDay>> {
    let m = member.unwrap_or(0);
    let rows = sqlx::query("SELECT day, member, messages, conversations FROM member_days WHERE day >= $1 AND day < $2 AND ($3 = 0 OR member = $3) ORDER BY day, member")
        .bind(from)
        .bind(to)
        .bind(m)
        .fetch_all(db.pool())
        .await?;
    let mut out: Vec<MemberDay> = rows
        .iter()
        .map(|r| Ok(MemberDay { day: get(r, "day")?, member: get(r, "member")?, messages: get(r, "messages")?, conversations: get(r, "conversations")?, responses_ms: Vec::new() }))
        .collect::<Result<_>>()?;
    let rows = sqlx::query("SELECT day, member, response_ms FROM member_responses WHERE day >= $1 AND day < $2 AND ($3 = 0 OR member = $3)")
        .bind(from)
        .bind(to)
        .bind(m)
        .fetch_all(db.pool())
        .await?;
    for r in &rows {
        let key: (i64, i64) = (get(r, "day")?, get(r, "member")?);
        if let Ok(i) = out.binary_search_by_key(&key, |d| (d.day, d.member)) {
            out[i].responses_ms.push(get(r, "response_ms")?);
        }
    }
    Ok(out)
}
