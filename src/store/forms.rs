//! Lead capture forms and their submissions. A submission is one transaction: the contact
//! created or merged, the proof of consent, the list and tags, the submission row.

use super::{get, lists, Db, Result, StoreError};
use crate::contact::ListKind;
use crate::forms::{Attribution, Form, FormField, Submission};
use crate::{now_millis, CampaignId, ContactId, FormId, ListId, Millis, E164};
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

const COLS: &str = "f.id, f.name, f.slug, f.headline, f.benefits, f.fields, f.consent_text, f.thank_you, f.list_id, f.tags, f.drip_campaign_id, \
     f.allowed_origins, f.confirm_sms, f.sell_leads, f.active, f.created_at, (SELECT COUNT(*) FROM form_submissions s WHERE s.form_id = f.id AND s.status = 'accepted') AS submissions";

fn lines(s: &str, sep: char) -> Vec<String> {
    s.split(sep).map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn form(r: &AnyRow) -> Result<Form> {
    let fields: String = get(r, "fields")?;
    Ok(Form {
        id: FormId(get(r, "id")?),
        name: get(r, "name")?,
        slug: get(r, "slug")?,
        headline: get(r, "headline")?,
        benefits: lines(&get::<String>(r, "benefits")?, '\n'),
        fields: serde_json::from_str::<Vec<FormField>>(&fields).map_err(|e| StoreError::Invalid(format!("stored form fields: {e}")))?,
        consent_text: get(r, "consent_text")?,
        thank_you: get(r, "thank_you")?,
        list_id: get::<Option<i64>>(r, "list_id")?.map(ListId),
        tags: lines(&get::<String>(r, "tags")?, ','),
        drip_campaign_id: get::<Option<i64>>(r, "drip_campaign_id")?.map(CampaignId),
        allowed_origins: lines(&get::<String>(r, "allowed_origins")?, '\n'),
        confirm_sms: get::<i64>(r, "confirm_sms")? != 0,
        sell_leads: get::<i64>(r, "sell_leads")? != 0,
        active: get::<i64>(r, "active")? != 0,
        submissions: get(r, "submissions")?,
        created_at: get(r, "created_at")?,
    })
}

/// A form ready to store: checked by the caller.
pub struct FormRow<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub headline: &'a str,
    pub benefits: &'a [String],
    pub fields: &'a [FormField],
    pub consent_text: &'a str,
    pub thank_you: &'a str,
    /// A list's name, created when missing.
    pub list: Option<&'a str>,
    pub tags: &'a [String],
    pub drip_campaign_id: Option<CampaignId>,
    pub allowed_origins: &'a [String],
    pub confirm_sms: bool,
    pub sell_leads: bool,
}

pub async fn create(db: &Db, f: &FormRow<'_>) -> Result<Form> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    let list = match f.list {
        Some(name) => Some(lists::get_or_create(&mut tx, name, ListKind::Manual).await?),
        None => None,
    };
    let fields = serde_json::to_string(f.fields).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let row = sqlx::query(
        "INSERT INTO forms (name, slug, headline, benefits, fields, consent_text, thank_you, list_id, tags, drip_campaign_id, allowed_origins, confirm_sms, sell_leads, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $14, 1, $12, $12) ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(f.name)
    .bind(f.slug)
    .bind(f.headline)
    .bind(f.benefits.join("\n"))
    .bind(fields)
    .bind(f.consent_text)
    .bind(f.thank_you)
    .bind(list.map(|l| l.0))
    .bind(f.tags.join(","))
    .bind(f.drip_campaign_id.map(|c| c.0))
    .bind(f.allowed_origins.join("\n"))
    .bind(now)
    .bind(i64::from(f.confirm_sms))
    .bind(i64::from(f.sell_leads))
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::Conflict(format!("another form already uses the address /f/{}", f.slug)))?;
    let id = FormId(get(&row, "id")?);
    tx.commit().await?;
    get_by_id(db, id).await
}

pub async fn get_by_id(db: &Db, id: FormId) -> Result<Form> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM forms f WHERE f.id = $1")).bind(id.0).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    form(&row)
}

pub async fn get_by_slug(db: &Db, slug: &str) -> Result<Option<Form>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM forms f WHERE f.slug = $1")).bind(slug).fetch_optional(db.pool()).await?;
    row.as_ref().map(form).transpose()
}

pub async fn list(db: &Db) -> Result<Vec<Form>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM forms f ORDER BY f.id DESC LIMIT 500")).fetch_all(db.pool()).await?;
    rows.iter().map(form).collect()
}

/// Submissions from one IP address, and for one phone number, since a time (rate limits).
pub async fn recent(db: &Db, ip: &str, phone: &E164, ip_since: Millis, phone_since: Millis) -> Result<(i64, i64)> {
    let by_ip = sqlx::query("SELECT COUNT(*) AS n FROM form_submissions WHERE ip = $1 AND created_at >= $2").bind(ip).bind(ip_since).fetch_one(db.pool()).await?;
    let by_phone = sqlx::query("SELECT COUNT(*) AS n FROM form_submissions WHERE phone = $1 AND created_at >= $2").bind(phone.as_str()).bind(phone_since).fetch_one(db.pool()).await?;
    Ok((get(&by_ip, "n")?, get(&by_phone, "n")?))
}

/// What the browser that sent a submission told us, and the proof of consent.
pub struct Proof<'a> {
    pub consent_text: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// A checked submission to store.
pub struct NewSubmission<'a> {
    pub form: &'a Form,
    pub phone: &'a E164,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    /// The visitor's time zone (a valid IANA name), kept unless the contact has one.
    pub timezone: Option<&'a str>,
    /// Answers that go into the contact's attributes (city, budget, custom fields…).
    pub attributes: &'a BTreeMap<String, String>,
    pub answers: &'a BTreeMap<String, String>,
    pub proof: Proof<'a>,
    pub attribution: &'a Attribution,
    /// Waits for the texted code (`pending`) instead of counting at once.
    pub pending: bool,
}

/// What storing a submission did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    pub submission_id: i64,
    pub contact: ContactId,
    pub created: bool,
    pub opted_out: bool,
}

/// Stores a submission: creates the contact or fills in what it lacks (never clearing an
/// opt-out), records the opt-in with its proof unless the contact opted out, adds the form's
/// list and tags, keeps the first and last touch, and writes the submission. All or nothing.
pub async fn submit(db: &Db, s: &NewSubmission<'_>) -> Result<Stored> {
    let now = now_millis();
    let touch = serde_json::to_string(&(s.attribution, &s.form.slug, now)).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let source = s.attribution.source();
    let mut tx = db.begin().await?;
    let created = sqlx::query(
        "INSERT INTO contacts (phone, first_name, last_name, email, attributes, first_touch, last_touch, source, created_at, updated_at, timezone) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $8, $9) ON CONFLICT (phone) DO NOTHING RETURNING id",
    )
    .bind(s.phone.as_str())
    .bind(s.first_name)
    .bind(s.last_name)
    .bind(s.email.map(str::to_lowercase))
    .bind(serde_json::to_string(s.attributes).unwrap_or_else(|_| "{}".into()))
    .bind(&touch)
    .bind(&source)
    .bind(now)
    .bind(s.timezone)
    .fetch_optional(&mut *tx)
    .await?;
    let contact = match &created {
        Some(r) => {
            let id = ContactId(get(r, "id")?);
            super::contacts::apply_suppression(&mut tx, id).await?;
            id
        }
        None => {
            // Lock the row first (PostgreSQL) / take the write lock (SQLite), then merge.
            let row = sqlx::query("UPDATE contacts SET updated_at = $1 WHERE phone = $2 RETURNING id, attributes")
                .bind(now)
                .bind(s.phone.as_str())
                .fetch_one(&mut *tx)
                .await?;
            let id = ContactId(get(&row, "id")?);
            let mut attrs: BTreeMap<String, String> = serde_json::from_str(&get::<String>(&row, "attributes")?).unwrap_or_default();
            for (k, v) in s.attributes {
                attrs.insert(k.clone(), v.clone());
            }
            sqlx::query(
                "UPDATE contacts SET first_name = COALESCE(first_name, $1), last_name = COALESCE(last_name, $2), email = COALESCE(email, $3), \
                 attributes = $4, first_touch = COALESCE(first_touch, $5), last_touch = $5, source = COALESCE(source, $6), timezone = COALESCE(timezone, $8) WHERE id = $7",
            )
            .bind(s.first_name)
            .bind(s.last_name)
            .bind(s.email.map(str::to_lowercase))
            .bind(serde_json::to_string(&attrs).unwrap_or_else(|_| "{}".into()))
            .bind(&touch)
            .bind(&source)
            .bind(id.0)
            .bind(s.timezone)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    let opted_out = super::consent::opted_out_in(&mut tx, contact).await?;
    if !opted_out {
        sqlx::query(
            "INSERT INTO consent_events (contact_id, kind, source, note, consent_text, page_url, ip, user_agent, created_at) \
             VALUES ($1, 'opt_in', 'form', $2, $3, $4, $5, $6, $7)",
        )
        .bind(contact.0)
        .bind(format!("form “{}” (/f/{})", s.form.name, s.form.slug))
        .bind(s.proof.consent_text)
        .bind(s.attribution.page_url.as_deref())
        .bind(s.proof.ip)
        .bind(s.proof.user_agent)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE contacts SET consent_source = $1, consent_at = $2 WHERE id = $3").bind(format!("form: {}", s.form.name)).bind(now).bind(contact.0).execute(&mut *tx).await?;
    }
    if let Some(list) = s.form.list_id {
        super::contacts::add_to_list(&mut tx, db.backend(), list, &[contact]).await?;
    }
    for tag in s.form.tags.iter().filter_map(|t| crate::contact::normalize_tag(t)) {
        sqlx::query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(contact.0).bind(tag).execute(&mut *tx).await?;
    }
    let a = s.attribution;
    let row = sqlx::query(
        "INSERT INTO form_submissions (form_id, contact_id, phone, answers, consent_text, ip, user_agent, page_url, referrer, \
         utm_source, utm_medium, utm_campaign, utm_term, utm_content, gclid, fbclid, created_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
    )
    .bind(s.form.id.0)
    .bind(contact.0)
    .bind(s.phone.as_str())
    .bind(serde_json::to_string(s.answers).unwrap_or_else(|_| "{}".into()))
    .bind(s.proof.consent_text)
    .bind(s.proof.ip)
    .bind(s.proof.user_agent)
    .bind(a.page_url.as_deref().unwrap_or_default())
    .bind(a.referrer.as_deref().unwrap_or_default())
    .bind(a.utm_source.as_deref())
    .bind(a.utm_medium.as_deref())
    .bind(a.utm_campaign.as_deref())
    .bind(a.utm_term.as_deref())
    .bind(a.utm_content.as_deref())
    .bind(a.gclid.as_deref())
    .bind(a.fbclid.as_deref())
    .bind(now)
    .bind(if s.pending { "pending" } else { "accepted" })
    .fetch_one(&mut *tx)
    .await?;
    let submission_id = get(&row, "id")?;
    tx.commit().await?;
    Ok(Stored { submission_id, contact, created: created.is_some(), opted_out })
}

/// A form's submissions, newest first.
pub async fn submissions(db: &Db, form: FormId, limit: i64) -> Result<Vec<Submission>> {
    let rows = sqlx::query(
        "SELECT id, form_id, contact_id, phone, answers, consent_text, ip, user_agent, page_url, referrer, utm_source, utm_medium, utm_campaign, \
         utm_term, utm_content, gclid, fbclid, status, phone_flag, lead_id, created_at FROM form_submissions WHERE form_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(form.0)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let text = |c: &str| -> Result<Option<String>> { Ok(get::<Option<String>>(r, c)?.filter(|v| !v.is_empty())) };
            Ok(Submission {
                id: get(r, "id")?,
                form_id: FormId(get(r, "form_id")?),
                contact_id: get::<Option<i64>>(r, "contact_id")?.map(ContactId),
                phone: get(r, "phone")?,
                answers: serde_json::from_str(&get::<String>(r, "answers")?).unwrap_or_default(),
                consent_text: get(r, "consent_text")?,
                ip: get(r, "ip")?,
                user_agent: get(r, "user_agent")?,
                attribution: Attribution {
                    utm_source: text("utm_source")?,
                    utm_medium: text("utm_medium")?,
                    utm_campaign: text("utm_campaign")?,
                    utm_term: text("utm_term")?,
                    utm_content: text("utm_content")?,
                    gclid: text("gclid")?,
                    fbclid: text("fbclid")?,
                    referrer: text("referrer")?,
                    page_url: text("page_url")?,
                },
                status: get(r, "status")?,
                phone_flag: text("phone_flag")?,
                lead_id: text("lead_id")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
}

/// Marks a submission's number as known not to take texts (`landline`, `invalid`).
pub async fn flag_phone(db: &Db, submission: i64, flag: &str) -> Result<()> {
    sqlx::query("UPDATE form_submissions SET phone_flag = $1 WHERE id = $2").bind(flag).bind(submission).execute(db.pool()).await?;
    Ok(())
}

/// Keeps the texted code of a pending submission (its hash) until `expires_at`.
pub async fn set_code(db: &Db, submission: i64, token: &str, code_hash: &str, expires_at: Millis) -> Result<()> {
    sqlx::query("UPDATE form_submissions SET confirm_token = $1, code_hash = $2, code_expires_at = $3, code_attempts = 0 WHERE id = $4 AND status = 'pending'")
        .bind(token)
        .bind(code_hash)
        .bind(expires_at)
        .bind(submission)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A submission waiting for its code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub submission_id: i64,
    pub contact: ContactId,
    pub code_hash: String,
    pub expires_at: Millis,
    pub attempts: i64,
}

pub async fn pending(db: &Db, form: FormId, token: &str) -> Result<Option<Pending>> {
    let row = sqlx::query(
        "SELECT id, contact_id, code_hash, code_expires_at, code_attempts FROM form_submissions \
         WHERE form_id = $1 AND confirm_token = $2 AND status = 'pending' AND code_hash IS NOT NULL",
    )
    .bind(form.0)
    .bind(token)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(Pending {
            submission_id: get(&r, "id")?,
            contact: ContactId(get::<Option<i64>>(&r, "contact_id")?.ok_or(StoreError::NotFound)?),
            code_hash: get(&r, "code_hash")?,
            expires_at: get(&r, "code_expires_at")?,
            attempts: get(&r, "code_attempts")?,
        })
    })
    .transpose()
}

/// Counts a wrong code.
pub async fn wrong_code(db: &Db, submission: i64) -> Result<()> {
    sqlx::query("UPDATE form_submissions SET code_attempts = code_attempts + 1 WHERE id = $1").bind(submission).execute(db.pool()).await?;
    Ok(())
}

/// Accepts a pending submission (once: whether this call did).
pub async fn accept(db: &Db, submission: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE form_submissions SET status = 'accepted', code_hash = NULL WHERE id = $1 AND status = 'pending'").bind(submission).execute(db.pool()).await?;
    Ok(r.rows_affected() == 1)
}

/// Records the lead for sale a submission became.
pub async fn set_lead(db: &Db, submission: i64, lead: &str) -> Result<()> {
    sqlx::query("UPDATE form_submissions SET lead_id = $1 WHERE id = $2").bind(lead).bind(submission).execute(db.pool()).await?;
    Ok(())
}

/// A submission's answers.
pub async fn answers(db: &Db, submission: i64) -> Result<BTreeMap<String, String>> {
    let r = sqlx::query("SELECT answers FROM form_submissions WHERE id = $1").bind(submission).fetch_optional(db.pool()).await?.ok_or(StoreError::NotFound)?;
    Ok(serde_json::from_str(&get::<String>(&r, "answers")?).unwrap_or_default())
}
