//! Lead unlock storage: providers, leads (client details sealed), offers with guarded state
//! transitions and their timeline, and Stripe events stored before they are acted on.

use super::{get, Arg, Args, Db, Result, StoreError};
use crate::unlock::{CityFigures, Lead, LeadId, LeadPublic, LeadSummary, Offer, OfferEvent, OfferId, OfferState, Provider, ProviderId, UnlockFigures};
use crate::{now_millis, ContactId, MessageId, Millis};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

fn list_col(r: &AnyRow, col: &str) -> Result<Vec<String>> {
    let s: String = get(r, col)?;
    Ok(serde_json::from_str(&s).unwrap_or_default())
}

const PROVIDER_COLS: &str = "id, contact_id, name, phone, cities, service_types, active, offers_opted_out, created_at";

fn provider(r: &AnyRow) -> Result<Provider> {
    Ok(Provider {
        id: ProviderId(get(r, "id")?),
        contact_id: ContactId(get(r, "contact_id")?),
        name: get(r, "name")?,
        phone: get(r, "phone")?,
        cities: list_col(r, "cities")?,
        service_types: list_col(r, "service_types")?,
        active: get::<i64>(r, "active")? != 0,
        offers_opted_out: get::<i64>(r, "offers_opted_out")? != 0,
        created_at: get(r, "created_at")?,
    })
}

/// The fields a provider row is written from.
pub struct ProviderRow<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub cities: &'a [String],
    pub service_types: &'a [String],
    pub active: bool,
    pub offers_opted_out: bool,
}

pub async fn insert_provider(conn: &mut AnyConnection, contact: ContactId, p: &ProviderRow<'_>) -> Result<Provider> {
    let now = now_millis();
    let r = sqlx::query(&format!(
        "INSERT INTO providers (contact_id, name, phone, cities, service_types, active, offers_opted_out, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {PROVIDER_COLS}"
    ))
    .bind(contact.0)
    .bind(p.name)
    .bind(p.phone)
    .bind(serde_json::to_string(p.cities).unwrap_or_default())
    .bind(serde_json::to_string(p.service_types).unwrap_or_default())
    .bind(i64::from(p.active))
    .bind(i64::from(p.offers_opted_out))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| super::conflict_on_unique(e, format!("a provider with the number {} already exists", p.phone)))?;
    provider(&r)
}

/// Names a provider's contact after the provider when the contact has no name yet (the inbox
/// and the thread then read "Bob Roofer", not "(no name)").
pub async fn name_contact(conn: &mut AnyConnection, contact: ContactId, name: &str) -> Result<()> {
    let (first, last) = name.split_once(' ').map(|(f, l)| (f, Some(l.trim()))).unwrap_or((name, None));
    sqlx::query("UPDATE contacts SET first_name = $1, last_name = $2 WHERE id = $3 AND first_name IS NULL AND last_name IS NULL")
        .bind(first)
        .bind(last)
        .bind(contact.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn update_provider(db: &Db, id: ProviderId, p: &ProviderRow<'_>) -> Result<Provider> {
    let r = sqlx::query(&format!(
        "UPDATE providers SET name = $1, cities = $2, service_types = $3, active = $4, offers_opted_out = $5, updated_at = $6 WHERE id = $7 RETURNING {PROVIDER_COLS}"
    ))
    .bind(p.name)
    .bind(serde_json::to_string(p.cities).unwrap_or_default())
    .bind(serde_json::to_string(p.service_types).unwrap_or_default())
    .bind(i64::from(p.active))
    .bind(i64::from(p.offers_opted_out))
    .bind(now_millis())
    .bind(id.0)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    provider(&r)
}

pub async fn get_provider(db: &Db, id: ProviderId) -> Result<Provider> {
    let r = sqlx::query(&format!("SELECT {PROVIDER_COLS} FROM providers WHERE id = $1")).bind(id.0).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    provider(&r)
}

pub async fn list_providers(db: &Db) -> Result<Vec<Provider>> {
    let rows = sqlx::query(&format!("SELECT {PROVIDER_COLS} FROM providers ORDER BY name, id")).fetch_all(db.pool()).await?;
    rows.iter().map(provider).collect()
}

/// The provider whose SMS thread this contact is.
pub async fn provider_by_contact(conn: &mut AnyConnection, contact: ContactId) -> Result<Option<Provider>> {
    let r = sqlx::query(&format!("SELECT {PROVIDER_COLS} FROM providers WHERE contact_id = $1")).bind(contact.0).fetch_optional(&mut *conn).await?;
    r.as_ref().map(provider).transpose()
}

pub async fn delete_provider(db: &Db, id: ProviderId) -> Result<()> {
    let r = sqlx::query("DELETE FROM providers WHERE id = $1").bind(id.0).execute(db.pool()).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_offers_opted_out(db: &Db, id: ProviderId, out: bool) -> Result<()> {
    sqlx::query("UPDATE providers SET offers_opted_out = $1, updated_at = $2 WHERE id = $3").bind(i64::from(out)).bind(now_millis()).bind(id.0).execute(db.pool()).await?;
    Ok(())
}

const LEAD_COLS: &str = "id, city, service_type, time_window, budget_range, notes_snippet, price_cents, currency, ttl_hours, max_buyers, created_by, created_at";

fn lead(r: &AnyRow) -> Result<Lead> {
    let id: String = get(r, "id")?;
    Ok(Lead {
        id: LeadId::parse(&id).map_err(StoreError::Invalid)?,
        public: LeadPublic {
            city: get(r, "city")?,
            service_type: get(r, "service_type")?,
            preferred_time_window: get(r, "time_window")?,
            budget_range: get(r, "budget_range")?,
            notes_snippet: get(r, "notes_snippet")?,
        },
        price_cents: get(r, "price_cents")?,
        currency: get(r, "currency")?,
        ttl_hours: get(r, "ttl_hours")?,
        max_buyers: get(r, "max_buyers")?,
        created_by: get(r, "created_by")?,
        created_at: get(r, "created_at")?,
    })
}

pub async fn insert_lead(db: &Db, l: &Lead, sealed: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO leads (id, city, service_type, time_window, budget_range, notes_snippet, locked, price_cents, currency, ttl_hours, max_buyers, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(l.id.as_str())
    .bind(&l.public.city)
    .bind(&l.public.service_type)
    .bind(&l.public.preferred_time_window)
    .bind(&l.public.budget_range)
    .bind(&l.public.notes_snippet)
    .bind(sealed)
    .bind(l.price_cents)
    .bind(&l.currency)
    .bind(l.ttl_hours)
    .bind(l.max_buyers)
    .bind(&l.created_by)
    .bind(l.created_at)
    .execute(db.pool())
    .await
    .map_err(|e| super::conflict_on_unique(e, "a lead with this id exists"))?;
    Ok(())
}

pub async fn get_lead(db: &Db, id: &LeadId) -> Result<Lead> {
    let r = sqlx::query(&format!("SELECT {LEAD_COLS} FROM leads WHERE id = $1")).bind(id.as_str()).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    lead(&r)
}

/// The sealed client details of a lead.
pub async fn sealed_details(db: &Db, id: &LeadId) -> Result<String> {
    let r = sqlx::query("SELECT locked FROM leads WHERE id = $1").bind(id.as_str()).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    get(&r, "locked")
}

/// Newest first, with counts of their offers by state.
pub async fn lead_summaries(db: &Db, limit: i64) -> Result<Vec<LeadSummary>> {
    let rows = sqlx::query(&format!(
        "SELECT {cols}, \
           (SELECT COUNT(*) FROM lead_offers o WHERE o.lead_id = l.id) AS n_offers, \
           (SELECT COUNT(*) FROM lead_offers o WHERE o.lead_id = l.id AND o.state IN ({open})) AS n_open, \
           (SELECT COUNT(*) FROM lead_offers o WHERE o.lead_id = l.id AND o.paid_at IS NOT NULL AND o.refunded_at IS NULL) AS n_paid, \
           (SELECT COUNT(*) FROM lead_offers o WHERE o.lead_id = l.id AND o.state IN ('EXPIRED', 'OPTED_OUT')) AS n_expired, \
           (SELECT COALESCE(SUM(o.amount_paid), 0) FROM lead_offers o WHERE o.lead_id = l.id AND o.paid_at IS NOT NULL AND o.refunded_at IS NULL) AS revenue, \
           (SELECT COUNT(*) FROM lead_offers o WHERE o.lead_id = l.id AND o.attention IS NOT NULL) AS n_attention \
         FROM leads l ORDER BY l.created_at DESC, l.id LIMIT $1",
        cols = LEAD_COLS.split(", ").map(|c| format!("l.{c}")).collect::<Vec<_>>().join(", "),
        open = open_states_sql(),
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LeadSummary {
                lead: lead(r)?,
                offers: get(r, "n_offers")?,
                open: get(r, "n_open")?,
                paid: get(r, "n_paid")?,
                expired: get(r, "n_expired")?,
                revenue_cents: get(r, "revenue")?,
                attention: get(r, "n_attention")?,
            })
        })
        .collect()
}

fn open_states_sql() -> String {
    OfferState::OPEN.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

/// Takes the lead's row lock for the rest of the transaction (buyer-limit checks).
pub async fn lock_lead(conn: &mut AnyConnection, id: &LeadId) -> Result<()> {
    sqlx::query("UPDATE leads SET created_at = created_at WHERE id = $1").bind(id.as_str()).execute(&mut *conn).await?;
    Ok(())
}

/// Offers of the lead bought (paid in time, not refunded): the buyers the limit counts.
pub async fn paid_count(conn: &mut AnyConnection, id: &LeadId) -> Result<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM lead_offers WHERE lead_id = $1 AND state IN ('PAID', 'REVEAL_DETAILS_SENT', 'DONE') AND refunded_at IS NULL").bind(id.as_str()).fetch_one(&mut *conn).await?;
    get(&r, "n")
}

const OFFER_COLS: &str = "o.id, o.lead_id, o.provider_id, p.name AS provider_name, p.contact_id AS provider_contact_id, o.state, o.reason, o.price_cents, o.currency, \
    o.expires_at, o.payment_url, o.checkout_session_id, o.payment_intent, o.amount_paid, o.paid_at, o.unlocked_at, o.responded_at, o.refund_id, o.refunded_at, \
    o.refund_reason, o.attention, o.reveal_attempts, o.created_at, o.updated_at";

fn offer(r: &AnyRow) -> Result<Offer> {
    let lead_id: String = get(r, "lead_id")?;
    let state: String = get(r, "state")?;
    Ok(Offer {
        id: OfferId(get(r, "id")?),
        lead_id: LeadId::parse(&lead_id).map_err(StoreError::Invalid)?,
        provider_id: ProviderId(get(r, "provider_id")?),
        provider_name: get(r, "provider_name")?,
        provider_contact_id: ContactId(get(r, "provider_contact_id")?),
        state: OfferState::parse(&state).ok_or_else(|| StoreError::Invalid(format!("unknown offer state '{state}'")))?,
        reason: get(r, "reason")?,
        price_cents: get(r, "price_cents")?,
        currency: get(r, "currency")?,
        expires_at: get(r, "expires_at")?,
        payment_url: get(r, "payment_url")?,
        checkout_session_id: get(r, "checkout_session_id")?,
        payment_intent: get(r, "payment_intent")?,
        amount_paid: get(r, "amount_paid")?,
        paid_at: get(r, "paid_at")?,
        unlocked_at: get(r, "unlocked_at")?,
        responded_at: get(r, "responded_at")?,
        refund_id: get(r, "refund_id")?,
        refunded_at: get(r, "refunded_at")?,
        refund_reason: get(r, "refund_reason")?,
        attention: get(r, "attention")?,
        reveal_attempts: get(r, "reveal_attempts")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

/// Creates the offer unless the provider already has one for this lead (`None` then).
pub async fn insert_offer(conn: &mut AnyConnection, lead: &LeadId, provider: ProviderId, price_cents: i64, currency: &str, expires_at: Millis, actor: &str) -> Result<Option<OfferId>> {
    let now = now_millis();
    let r = sqlx::query(
        "INSERT INTO lead_offers (lead_id, provider_id, state, price_cents, currency, expires_at, created_at, updated_at) \
         VALUES ($1, $2, 'NEW_LEAD', $3, $4, $5, $6, $6) ON CONFLICT (lead_id, provider_id) DO NOTHING RETURNING id",
    )
    .bind(lead.as_str())
    .bind(provider.0)
    .bind(price_cents)
    .bind(currency)
    .bind(expires_at)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let id = OfferId(get(&r, "id")?);
    add_event(conn, id, OfferState::NewLead.as_str(), None, actor).await?;
    Ok(Some(id))
}

pub async fn get_offer(db: &Db, id: OfferId) -> Result<Offer> {
    let r = sqlx::query(&format!("SELECT {OFFER_COLS} FROM lead_offers o JOIN providers p ON p.id = o.provider_id WHERE o.id = $1"))
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    offer(&r)
}

pub async fn offers_for_lead(db: &Db, lead: &LeadId) -> Result<Vec<Offer>> {
    let rows = sqlx::query(&format!("SELECT {OFFER_COLS} FROM lead_offers o JOIN providers p ON p.id = o.provider_id WHERE o.lead_id = $1 ORDER BY o.id"))
        .bind(lead.as_str())
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(offer).collect()
}

/// The provider's offers still waiting for an answer or a payment, oldest first.
pub async fn open_offers_for_provider(db: &Db, provider: ProviderId) -> Result<Vec<Offer>> {
    let rows = sqlx::query(&format!(
        "SELECT {OFFER_COLS} FROM lead_offers o JOIN providers p ON p.id = o.provider_id WHERE o.provider_id = $1 AND o.state IN ({}) ORDER BY o.id",
        open_states_sql()
    ))
    .bind(provider.0)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(offer).collect()
}

pub async fn offer_by_session(db: &Db, session: &str) -> Result<Option<Offer>> {
    let r = sqlx::query(&format!("SELECT {OFFER_COLS} FROM lead_offers o JOIN providers p ON p.id = o.provider_id WHERE o.checkout_session_id = $1"))
        .bind(session)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(offer).transpose()
}

/// A column an offer transition also sets.
pub enum Set {
    Int(&'static str, i64),
    Text(&'static str, String),
    /// Sets the column to now.
    Now(&'static str),
    /// Sets the column when it is still NULL (the first answer's time).
    NowIfNull(&'static str),
}

/// Moves an offer from one of `from` to `to` (and sets `sets`), recording the event, in one
/// statement guarded by the current state: `false` when the offer was no longer in `from`
/// (another event moved it first), and nothing is changed then.
pub async fn transition(conn: &mut AnyConnection, id: OfferId, from: &[OfferState], to: OfferState, mut sets: Vec<Set>, actor: &str, note: Option<&str>) -> Result<bool> {
    debug_assert!(!from.is_empty(), "a transition is guarded by the states it leaves");
    sets.push(Set::Text("state", to.as_str().into()));
    let (sql, args) = update_sql(id, sets, from);
    if args.bind(sqlx::query(&sql)).execute(&mut *conn).await?.rows_affected() == 0 {
        return Ok(false);
    }
    add_event(conn, id, to.as_str(), note, actor).await?;
    Ok(true)
}

/// `UPDATE lead_offers SET … WHERE id = … [AND state IN (from)]`, with `updated_at` set too.
fn update_sql(id: OfferId, sets: Vec<Set>, from: &[OfferState]) -> (String, Args) {
    let now = now_millis();
    let mut args = Args::default();
    let mut cols = vec![format!("updated_at = {}", args.push(Arg::Int(now)))];
    for s in sets {
        cols.push(match s {
            Set::Int(c, v) => format!("{c} = {}", args.push(Arg::Int(v))),
            Set::Text(c, v) => format!("{c} = {}", args.push(Arg::Text(v))),
            Set::Now(c) => format!("{c} = {}", args.push(Arg::Int(now))),
            Set::NowIfNull(c) => format!("{c} = COALESCE({c}, {})", args.push(Arg::Int(now))),
        });
    }
    let mut sql = format!("UPDATE lead_offers SET {} WHERE id = {}", cols.join(", "), args.push(Arg::Int(id.0)));
    if !from.is_empty() {
        let states = from.iter().map(|s| args.push(Arg::Text(s.as_str().into()))).collect::<Vec<_>>().join(", ");
        sql.push_str(&format!(" AND state IN ({states})"));
    }
    (sql, args)
}

/// Sets columns of an offer without a state change, with an event when `event` is given.
pub async fn update_offer(conn: &mut AnyConnection, id: OfferId, sets: Vec<Set>, event: Option<(&str, Option<&str>, &str)>) -> Result<()> {
    let (sql, args) = update_sql(id, sets, &[]);
    args.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    if let Some((kind, note, actor)) = event {
        add_event(conn, id, kind, note, actor).await?;
    }
    Ok(())
}

pub async fn add_event(conn: &mut AnyConnection, id: OfferId, kind: &str, note: Option<&str>, actor: &str) -> Result<()> {
    sqlx::query("INSERT INTO lead_offer_events (offer_id, kind, note, actor, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.0)
        .bind(kind)
        .bind(note)
        .bind(actor)
        .bind(now_millis())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The timeline of every offer of a lead, in order.
pub async fn events_for_lead(db: &Db, lead: &LeadId) -> Result<Vec<OfferEvent>> {
    let rows = sqlx::query(
        "SELECT e.offer_id, e.kind, e.note, e.actor, e.created_at FROM lead_offer_events e JOIN lead_offers o ON o.id = e.offer_id \
         WHERE o.lead_id = $1 ORDER BY e.id",
    )
    .bind(lead.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok(OfferEvent { offer_id: OfferId(get(r, "offer_id")?), kind: get(r, "kind")?, note: get(r, "note")?, actor: get(r, "actor")?, created_at: get(r, "created_at")? }))
        .collect()
}

/// Open offers whose time is up.
pub async fn expired_due(db: &Db, now: Millis, limit: i64) -> Result<Vec<OfferId>> {
    let rows = sqlx::query(&format!("SELECT id FROM lead_offers WHERE state IN ({}) AND expires_at <= $1 ORDER BY expires_at LIMIT $2", open_states_sql()))
        .bind(now)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok(OfferId(get(r, "id")?))).collect()
}

/// Claims paid offers whose reveal has not gone out (a lease: a stopped server's claim runs
/// out and another takes over).
pub async fn claim_reveals(db: &Db, owner: &str, now: Millis, until: Millis, limit: i64) -> Result<Vec<OfferId>> {
    let rows = sqlx::query("SELECT id FROM lead_offers WHERE state = 'PAID' AND attention IS NULL AND refunded_at IS NULL AND (lease_until IS NULL OR lease_until < $1) ORDER BY id LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let mut claimed = Vec::new();
    for r in rows {
        let id: i64 = get(&r, "id")?;
        let took = sqlx::query("UPDATE lead_offers SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND state = 'PAID' AND (lease_until IS NULL OR lease_until < $4)")
            .bind(owner)
            .bind(until)
            .bind(id)
            .bind(now)
            .execute(db.pool())
            .await?;
        if took.rows_affected() == 1 {
            claimed.push(OfferId(id));
        }
    }
    Ok(claimed)
}

pub async fn release(db: &Db, id: OfferId, owner: &str) -> Result<()> {
    sqlx::query("UPDATE lead_offers SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2").bind(id.0).bind(owner).execute(db.pool()).await?;
    Ok(())
}

/// Offers whose reveal went out, with its message's status now.
pub async fn reveals_in_flight(db: &Db, limit: i64) -> Result<Vec<(OfferId, String)>> {
    let rows = sqlx::query(
        "SELECT o.id, m.status FROM lead_offers o JOIN messages m ON m.id = o.reveal_message_id WHERE o.state = 'REVEAL_DETAILS_SENT' ORDER BY o.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((OfferId(get(r, "id")?), get(r, "status")?))).collect()
}

pub async fn set_reveal_message(db: &Db, id: OfferId, message: MessageId) -> Result<()> {
    sqlx::query("UPDATE lead_offers SET reveal_message_id = $1 WHERE id = $2").bind(message.0).bind(id.0).execute(db.pool()).await?;
    Ok(())
}

// Stripe events.

/// Stores an event under Stripe's id; `false` when it was stored before (a retry).
pub async fn store_stripe_event(db: &Db, id: &str, kind: &str, payload: &str) -> Result<bool> {
    let r = sqlx::query("INSERT INTO stripe_events (id, type, payload, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id")
        .bind(id)
        .bind(kind)
        .bind(payload)
        .bind(now_millis())
        .fetch_optional(db.pool())
        .await?;
    Ok(r.is_some())
}

/// Stored events not processed yet (their processing failed), oldest first.
pub async fn pending_stripe_events(db: &Db, limit: i64) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT id, payload FROM stripe_events WHERE processed_at IS NULL AND attempts < 20 ORDER BY received_at, id LIMIT $1").bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get(r, "id")?, get(r, "payload")?))).collect()
}

pub async fn mark_stripe_event(db: &Db, id: &str, error: Option<&str>) -> Result<()> {
    match error {
        None => sqlx::query("UPDATE stripe_events SET processed_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2").bind(now_millis()).bind(id).execute(db.pool()).await?,
        Some(e) => sqlx::query("UPDATE stripe_events SET attempts = attempts + 1, last_error = $1 WHERE id = $2").bind(e).bind(id).execute(db.pool()).await?,
    };
    Ok(())
}

pub async fn stripe_event_count(db: &Db) -> Result<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM stripe_events").fetch_one(db.pool()).await?;
    get(&r, "n")
}

// Figures.

pub async fn figures(db: &Db) -> Result<UnlockFigures> {
    let r = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM leads) AS leads, \
           (SELECT COUNT(*) FROM lead_offers WHERE teaser_message_id IS NOT NULL) AS teasers, \
           (SELECT COUNT(*) FROM lead_offer_events WHERE kind = 'CHECK_EXISTING_PAYMENT') AS confirmed, \
           (SELECT COUNT(*) FROM lead_offers WHERE checkout_session_id IS NOT NULL) AS checkouts, \
           (SELECT COUNT(*) FROM lead_offers WHERE paid_at IS NOT NULL) AS paid, \
           (SELECT COALESCE(SUM(amount_paid), 0) FROM lead_offers WHERE paid_at IS NOT NULL AND refunded_at IS NULL) AS revenue",
    )
    .fetch_one(db.pool())
    .await?;
    let times = sqlx::query("SELECT responded_at - created_at AS secs FROM lead_offers WHERE responded_at IS NOT NULL ORDER BY responded_at - created_at")
        .fetch_all(db.pool())
        .await?;
    let times: Vec<i64> = times.iter().map(|r| get::<i64>(r, "secs")).collect::<Result<_>>()?;
    let median_response_secs = (!times.is_empty()).then(|| times[times.len() / 2] / 1000);
    let cities = sqlx::query(
        "SELECT l.city AS city, COUNT(DISTINCT l.id) AS leads, COUNT(o.teaser_message_id) AS teasers, COUNT(o.paid_at) AS paid, \
           COALESCE(SUM(CASE WHEN o.paid_at IS NOT NULL AND o.refunded_at IS NULL THEN o.amount_paid ELSE 0 END), 0) AS revenue \
         FROM leads l LEFT JOIN lead_offers o ON o.lead_id = l.id GROUP BY l.city ORDER BY revenue DESC, l.city LIMIT 50",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(UnlockFigures {
        leads: get(&r, "leads")?,
        teasers: get(&r, "teasers")?,
        confirmed: get(&r, "confirmed")?,
        checkouts: get(&r, "checkouts")?,
        paid: get(&r, "paid")?,
        revenue_cents: get(&r, "revenue")?,
        median_response_secs,
        by_city: cities
            .iter()
            .map(|c| Ok(CityFigures { city: get(c, "city")?, leads: get(c, "leads")?, teasers: get(c, "teasers")?, paid: get(c, "paid")?, revenue_cents: get(c, "revenue")? }))
            .collect::<Result<_>>()?,
    })
}
