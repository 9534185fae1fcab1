//! Contacts: search, detail, and single creation. Bulk import lives in `imports`.

use super::{get, like_pattern, list_placeholders, lists, Arg, Args, Backend, Db, Result, StoreError};
use crate::contact::{Contact, ContactQuery, ContactSummary, ListKind, ListRef, NewContact};
use crate::phone::{normalize, search_digits, Region};
use crate::{now_millis, ContactId, ListId, Page, E164};
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

const SUMMARY_COLS: &str = "c.id, c.phone, c.first_name, c.last_name, c.email, c.opted_out, c.flagged, c.created_at, c.score, c.score_band, c.source";

fn phone(row: &AnyRow) -> Result<E164> {
    let p: String = get(row, "phone")?;
    E164::parse(&p).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn summary(row: &AnyRow) -> Result<ContactSummary> {
    Ok(ContactSummary {
        id: ContactId(get(row, "id")?),
        phone: phone(row)?,
        first_name: get(row, "first_name")?,
        last_name: get(row, "last_name")?,
        email: get(row, "email")?,
        tags: Vec::new(),
        opted_out: get::<i64>(row, "opted_out")? != 0,
        flagged: get::<i64>(row, "flagged")? != 0,
        created_at: get(row, "created_at")?,
        score: get::<i64>(row, "score")? as i32,
        band: crate::scoring::Band::from_key(&get::<String>(row, "score_band")?).unwrap_or(crate::scoring::Band::Unqualified),
        source: get(row, "source")?,
    })
}

/// How far a search counts its matches: past this, the page's total is this many and
/// `total_capped` says there are more ("1–50 of 1,000+").
pub const COUNT_CAP: i64 = 1_000;

/// PostgreSQL: how many of the newest contacts a text search's page walks before it reads the
/// index instead (see `search_counting_to`).
const PG_WALK: i64 = 5_000;

/// Searches contacts by free text, exact phone, list and tag, newest first.
pub async fn search(db: &Db, q: &ContactQuery, region: Region) -> Result<Page<ContactSummary>> {
    search_counting_to(db, q, region, COUNT_CAP).await
}

/// [`search`], counting the matches up to `cap` (tests use a small one).
pub async fn search_counting_to(db: &Db, q: &ContactQuery, region: Region, cap: i64) -> Result<Page<ContactSummary>> {
    crate::limits::check_opt("the search", q.q.as_deref(), crate::limits::SEARCH).map_err(StoreError::Invalid)?;
    crate::limits::check_opt("the phone filter", q.phone.as_deref(), 40).map_err(StoreError::Invalid)?;
    let mut wheres: Vec<String> = Vec::new();
    let mut args = Args::default();
    if let Some(p) = q.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        let e164 = E164::parse(p).or_else(|_| normalize(p, region)).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let ph = args.push(Arg::Text(e164.to_string()));
        wheres.push(format!("c.phone = {ph}"));
    }
    // SQLite: a text search is an FTS5 query that drives the search (`fts`): the index hands
    // out its rows newest first, so a page stops after 50 and a capped count after the cap.
    // Written as `c.id IN (…)` it read every match first (7 ms for `martinez`, against 1.3).
    // Not for a phone number: it matches a few contacts, and `Backend::contact_contains`
    // looks it up by its last digits and sorts the few found.
    let backend = db.backend();
    let mut fts: Vec<String> = Vec::new();
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let digits = search_digits(text);
        // "(415) 555-01" is a phone number: its digits say it all (and its punctuation would
        // only match more).
        let phone_like = digits.len() >= 3 && text.chars().all(|c| c.is_ascii_digit() || " ()+-.".contains(c));
        if phone_like {
            fts.push(digits);
        } else if text.chars().count() >= 3 {
            // Three characters or more: the trigram index (name, email and phone digits);
            // "call 415 555" also looks for the digits together.
            fts.push(text.to_string());
            if digits.len() >= 3 {
                fts.push(digits);
            }
        }
        if fts.is_empty() {
            // Shorter than a trigram: read the names and emails.
            let like = args.push(Arg::Text(like_pattern(text)));
            wheres.push(format!("(LOWER(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')) LIKE {like} ESCAPE '\\' OR LOWER(COALESCE(c.email, '')) LIKE {like} ESCAPE '\\')"));
        } else if backend == super::Backend::Sqlite && !phone_like {
            let any_of = fts.iter().map(|t| backend.contains_arg(t)).collect::<Vec<_>>().join(" OR ");
            wheres.push(format!("contact_search MATCH {}", args.push(Arg::Text(any_of))));
        } else {
            let alts: Vec<String> = std::mem::take(&mut fts).iter().map(|t| backend.contact_contains(&mut args, "c", t)).collect();
            wheres.push(format!("({})", alts.join(" OR ")));
        }
    }
    if let Some(list) = q.list_id {
        let l = args.push(Arg::Int(list.0));
        wheres.push(format!("EXISTS (SELECT 1 FROM contact_lists cl WHERE cl.contact_id = c.id AND cl.list_id = {l})"));
    }
    if let Some(tag) = q.tag.as_deref().and_then(crate::contact::normalize_tag) {
        let t = args.push(Arg::Text(tag));
        wheres.push(format!("EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag = {t})"));
    }
    if let Some(band) = q.band.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        let band = crate::scoring::Band::from_key(band).ok_or_else(|| StoreError::Invalid(format!("'{}' is not a band (hot, warm, qualified, cold, unqualified)", crate::limits::ellipsize(band, 30))))?;
        wheres.push(format!("c.score_band = {}", args.push(Arg::Text(band.key().into()))));
    }
    if let Some(source) = q.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        crate::limits::check("the source filter", source, 200).map_err(StoreError::Invalid)?;
        wheres.push(format!("c.source = {}", args.push(Arg::Text(source.into()))));
    }
    let by_score = match q.sort.as_deref() {
        Some("score") => true,
        None | Some("") | Some("newest") => false,
        Some(other) => return Err(StoreError::Invalid(format!("'{}' is not a sort order (score or newest)", crate::limits::ellipsize(other, 30)))),
    };
    let where_sql = if wheres.is_empty() { String::new() } else { format!(" WHERE {}", wheres.join(" AND ")) };
    let (from, id) = if fts.is_empty() { ("contacts c", "c.id") } else { ("contact_search s JOIN contacts c ON c.id = s.rowid", "s.rowid") };
    let mut count_args = args.clone();
    let over_cap = count_args.push(Arg::Int(cap.saturating_add(1)));

    // Past a cursor the page is read through the index from there (keyset); otherwise, for the
    // first pages, by OFFSET.
    let cursor = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| crate::contact::Cursor::parse(s, by_score).map_err(StoreError::Invalid)).transpose();
    let (after, before) = (cursor(&q.after)?, cursor(&q.before)?);
    let mut keyset = wheres.clone();
    let backwards = before.is_some();
    if let Some(c) = after.or(before) {
        let op = if backwards { ">" } else { "<" };
        keyset.push(match c.score {
            Some(s) => {
                let s = args.push(Arg::Int(s));
                let at = args.push(Arg::Int(c.id));
                format!("(c.score {op} {s} OR (c.score = {s} AND c.id {op} {at}))")
            }
            None => format!("{id} {op} {}", args.push(Arg::Int(c.id))),
        });
    }
    let keyset_sql = if keyset.is_empty() { String::new() } else { format!(" WHERE {}", keyset.join(" AND ")) };
    let order = match (by_score, backwards) {
        (true, false) => "c.score DESC, c.id DESC".to_string(),
        (true, true) => "c.score ASC, c.id ASC".to_string(),
        (false, false) => format!("{id} DESC"),
        (false, true) => format!("{id} ASC"),
    };
    let limit = args.push(Arg::Int(q.per_page()));
    let cursor_sql = if after.is_some() || before.is_some() { keyset.last().map(|c| format!(" WHERE {c}")).unwrap_or_default() } else { String::new() };
    let offset_sql = if after.is_some() || before.is_some() { String::new() } else { format!(" OFFSET {}", args.push(Arg::Int(q.offset()))) };
    let filter_sql = if cursor_sql.is_empty() { &where_sql } else { &keyset_sql };
    let page_sql = format!("SELECT {SUMMARY_COLS} FROM {from}{filter_sql} ORDER BY {order} LIMIT {limit}{offset_sql}");
    let walk = (backend == super::Backend::Postgres && q.q.as_deref().is_some_and(|t| !t.trim().is_empty()) && !by_score && !backwards).then(|| {
        let newest = format!("SELECT * FROM contacts c{cursor_sql} ORDER BY c.id DESC LIMIT {PG_WALK}");
        let walked = format!("SELECT {SUMMARY_COLS} FROM ({newest}) c{where_sql} ORDER BY c.id DESC LIMIT {limit}{offset_sql}");
        let indexed = format!("SELECT {SUMMARY_COLS} FROM {from}{filter_sql} ORDER BY c.id + 0 DESC LIMIT {limit}{offset_sql}");
        (walked, indexed)
    });
    let counted = async {
        if wheres.is_empty() {
            return count(db).await;
        }
        // Counting stops past the cap: a broad search ("artin": 25,080 of 1,000,000) would
        // otherwise spend most of its time counting matches nobody pages through.
        let count_sql = format!("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {from}{where_sql} LIMIT {over_cap}) matched");
        if backend == super::Backend::Sqlite {
            return get(&count_args.bind(sqlx::query(&count_sql)).fetch_one(db.pool()).await?, "n");
        }
        // PostgreSQL: with the LIMIT, a high guess of the matches makes a scan of the table
        // (or of its primary key) that stops after 1,001 look cheap; for `martinez` it reads
        // 80,000 rows (57–101 ms) where the index takes 7. Only the index's plan is allowed.
        let mut tx = db.begin().await?;
        sqlx::query("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)").fetch_one(&mut *tx).await?;
        let n = get(&count_args.bind(sqlx::query(&count_sql)).fetch_one(&mut *tx).await?, "n");
        tx.rollback().await?;
        n
    };
    let page = async {
        let rows = match &walk {
            None => args.bind(sqlx::query(&page_sql)).fetch_all(db.pool()).await?,
            Some((walked, indexed)) => {
                let rows = args.bind(sqlx::query(walked)).fetch_all(db.pool()).await?;
                if i64::try_from(rows.len()).unwrap_or(i64::MAX) >= q.per_page() {
                    rows
                } else {
                    args.bind(sqlx::query(indexed)).fetch_all(db.pool()).await?
                }
            }
        };
        let mut items = rows.iter().map(summary).collect::<Result<Vec<_>>>()?;
        if backwards {
            items.reverse();
        }
        let ids: Vec<ContactId> = items.iter().map(|c| c.id).collect();
        let mut tags = tags_for(db, &ids).await?;
        for c in &mut items {
            c.tags = tags.remove(&c.id).unwrap_or_default();
        }
        Ok(items)
    };
    // The count (a pass over every match) and the page at once, on two connections: the
    // search waits for the slower, not for both in turn.
    let (counted, items) = tokio::try_join!(counted, page)?;
    // A numbered page that is not full is the last one: it tells the total itself, in step
    // with the rows it shows.
    let numbered = after.is_none() && before.is_none();
    let (total, total_capped) = match i64::try_from(items.len()).unwrap_or(i64::MAX) {
        n if numbered && n < q.per_page() && (n > 0 || q.offset() == 0) => (q.offset() + n, false),
        _ if counted > cap => (cap, true),
        _ => (counted, false),
    };
    let at = |c: &ContactSummary| crate::contact::Cursor { score: by_score.then_some(i64::from(c.score)), id: c.id.0 }.encode();
    let (next, prev) = (items.last().map(at), items.first().map(at));
    Ok(Page { items, total, total_capped, page: q.page(), per_page: q.per_page(), next, prev })
}

async fn tags_for(db: &Db, ids: &[ContactId]) -> Result<HashMap<ContactId, Vec<String>>> {
    let mut out: HashMap<ContactId, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT contact_id, tag FROM contact_tags WHERE contact_id IN ({}) ORDER BY tag",
        list_placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.0);
    }
    for row in query.fetch_all(db.pool()).await? {
        out.entry(ContactId(get(&row, "contact_id")?)).or_default().push(get(&row, "tag")?);
    }
    Ok(out)
}

/// The first-touch sources in use, most contacts first (for the filter's choices).
pub async fn sources(db: &Db) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT source, COUNT(*) AS n FROM contacts WHERE source IS NOT NULL GROUP BY source ORDER BY n DESC, source LIMIT 100").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get(r, "source")?, get(r, "n")?))).collect()
}

/// Adds a tag (already normalised) to a contact; a tag it has is kept.
pub async fn add_tag(db: &Db, contact: ContactId, tag: &str) -> Result<()> {
    sqlx::query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(contact.0).bind(tag).execute(db.pool()).await?;
    Ok(())
}

/// Every tag in use, with how many contacts carry it.
pub async fn all_tags(db: &Db) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT tag, COUNT(*) AS n FROM contact_tags GROUP BY tag ORDER BY tag").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get(r, "tag")?, get(r, "n")?))).collect()
}

/// How many contacts there are. PostgreSQL sums the changes its triggers recorded
/// (`migrations/postgres/0019_contact_count.sql`) instead of counting every contact.
pub async fn count(db: &Db) -> Result<i64> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM contacts",
        Backend::Postgres => "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) AS n FROM contact_count",
    };
    get(&sqlx::query(sql).fetch_one(db.pool()).await?, "n")
}

/// Folds PostgreSQL's recorded contact count changes into one row (see [`count`]); how many
/// rows were folded. Nothing to do on SQLite.
pub async fn compact_count(db: &Db) -> Result<u64> {
    if db.backend() == Backend::Sqlite {
        return Ok(0);
    }
    let rows: i64 = get(&sqlx::query("SELECT COUNT(*) AS n FROM contact_count").fetch_one(db.pool()).await?, "n")?;
    if rows < 2 {
        return Ok(0);
    }
    // One statement: the rows it deletes are the rows it sums, and a change committed
    // meanwhile is neither deleted nor lost.
    sqlx::query("WITH gone AS (DELETE FROM contact_count RETURNING delta) INSERT INTO contact_count (delta) SELECT COALESCE(SUM(delta), 0) FROM gone")
        .execute(db.pool())
        .await?;
    Ok(u64::try_from(rows).unwrap_or(0))
}

pub async fn get_by_id(db: &Db, id: ContactId) -> Result<Contact> {
    let row = sqlx::query(
        "SELECT id, phone, first_name, last_name, email, timezone, consent_source, consent_at, attributes, created_at, updated_at \
         FROM contacts WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let attributes: String = get(&row, "attributes")?;
    let lists = sqlx::query("SELECT l.id, l.name FROM lists l JOIN contact_lists cl ON cl.list_id = l.id WHERE cl.contact_id = $1 ORDER BY l.name")
        .bind(id.0)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok(ListRef { id: ListId(get(r, "id")?), name: get(r, "name")? }))
        .collect::<Result<Vec<_>>>()?;
    Ok(Contact {
        id,
        phone: phone(&row)?,
        first_name: get(&row, "first_name")?,
        last_name: get(&row, "last_name")?,
        email: get(&row, "email")?,
        timezone: get(&row, "timezone")?,
        consent_source: get(&row, "consent_source")?,
        consent_at: get(&row, "consent_at")?,
        attributes: serde_json::from_str::<BTreeMap<String, String>>(&attributes).unwrap_or_default(),
        tags: tags_for(db, &[id]).await?.remove(&id).unwrap_or_default(),
        lists,
        created_at: get(&row, "created_at")?,
        updated_at: get(&row, "updated_at")?,
    })
}

pub async fn find_by_phone(db: &Db, phone: &E164) -> Result<Option<Contact>> {
    let row = sqlx::query("SELECT id FROM contacts WHERE phone = $1").bind(phone.as_str()).fetch_optional(db.pool()).await?;
    match row {
        Some(r) => Ok(Some(get_by_id(db, ContactId(get(&r, "id")?)).await?)),
        None => Ok(None),
    }
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Creates one contact; `Conflict` when the phone already exists.
pub async fn create(db: &Db, new: &NewContact, region: Region) -> Result<Contact> {
    new.check_lengths().map_err(StoreError::Invalid)?;
    let phone = normalize(&new.phone, region).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if let Some(tz) = clean(&new.timezone) {
        if tz.parse::<chrono_tz::Tz>().is_err() {
            return Err(StoreError::Invalid(format!("unknown time zone '{tz}'")));
        }
    }
    let email = clean(&new.email).map(|e| e.to_lowercase());
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(StoreError::Invalid("invalid email".into()));
    }
    let now = now_millis();
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "INSERT INTO contacts (phone, first_name, last_name, email, timezone, consent_source, consent_at, attributes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (phone) DO NOTHING RETURNING id",
    )
    .bind(phone.as_str())
    .bind(clean(&new.first_name))
    .bind(clean(&new.last_name))
    .bind(email)
    .bind(clean(&new.timezone))
    .bind(clean(&new.consent_source))
    .bind(clean(&new.consent_source).map(|_| now))
    .bind(serde_json::to_string(&new.attributes).unwrap_or_else(|_| "{}".into()))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::Conflict(format!("a contact with phone {phone} already exists")))?;
    let id = ContactId(get(&row, "id")?);
    for tag in new.tags.iter().filter_map(|t| crate::contact::normalize_tag(t)) {
        sqlx::query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id.0)
            .bind(tag)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(name) = clean(&new.list) {
        let list = lists::get_or_create(&mut tx, &name, ListKind::Manual).await?;
        add_to_list(&mut tx, db.backend(), list, &[id]).await?;
    }
    apply_suppression(&mut tx, id).await?;
    tx.commit().await?;
    get_by_id(db, id).await
}

/// Adds contacts to a list (already-members are left as they are).
pub(crate) async fn add_to_list(conn: &mut sqlx::AnyConnection, backend: super::Backend, list: ListId, ids: &[ContactId]) -> Result<()> {
    let now = now_millis();
    for chunk in ids.chunks(backend.bulk_params() / 3) {
        let sql = format!(
            "INSERT INTO contact_lists (list_id, contact_id, added_at) VALUES {} ON CONFLICT DO NOTHING",
            super::values_placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(list.0).bind(id.0).bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The contact with this phone, created (with no name) when new.
pub async fn get_or_create_by_phone(db: &Db, phone: &E164) -> Result<ContactId> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    let created = sqlx::query("INSERT INTO contacts (phone, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (phone) DO NOTHING RETURNING id")
        .bind(phone.as_str())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(r) = created {
        apply_suppression(&mut tx, ContactId(get(&r, "id")?)).await?;
    }
    tx.commit().await?;
    let row = sqlx::query("SELECT id FROM contacts WHERE phone = $1").bind(phone.as_str()).fetch_one(db.pool()).await?;
    Ok(ContactId(get(&row, "id")?))
}

/// A contact just created with a suppressed number (a deleted contact that had opted out)
/// starts opted out, through the consent ledger. Run only for contacts the caller's
/// transaction created: an existing contact's consent is its own (a START since then stands).
pub(crate) async fn apply_suppression(conn: &mut sqlx::AnyConnection, id: ContactId) -> Result<()> {
    let row = sqlx::query("SELECT s.reason FROM suppressions s JOIN contacts c ON c.phone = s.phone WHERE c.id = $1").bind(id.0).fetch_optional(&mut *conn).await?;
    if let Some(r) = row {
        let reason: String = get(&r, "reason")?;
        let change = super::consent::Change { contact: id, kind: crate::message::ConsentKind::OptOut, source: "suppression list", message_sid: None, note: Some(&reason), by: None };
        super::consent::record(conn, &change).await?;
    }
    Ok(())
}

/// [`apply_suppression`] for the contacts an import created.
pub(crate) async fn apply_suppressions_for_import(conn: &mut sqlx::AnyConnection, import: crate::ImportId) -> Result<()> {
    let rows = sqlx::query("SELECT c.id FROM contacts c JOIN suppressions s ON s.phone = c.phone WHERE c.source_import_id = $1 AND c.opted_out = 0")
        .bind(import.0)
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        apply_suppression(conn, ContactId(get(r, "id")?)).await?;
    }
    Ok(())
}

/// Applies a patch; checks lengths, the email, the zone and every list first.
pub async fn update(db: &Db, id: ContactId, patch: &crate::crm::ContactPatch) -> Result<Contact> {
    patch.check().map_err(StoreError::Invalid)?;
    if let Some(tz) = patch.timezone.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if tz.parse::<chrono_tz::Tz>().is_err() {
            return Err(StoreError::Invalid(format!("unknown time zone '{}'", crate::limits::ellipsize(tz, 60))));
        }
    }
    let mut tx = db.begin().await?;
    let exists = sqlx::query("SELECT id FROM contacts WHERE id = $1").bind(id.0).fetch_optional(&mut *tx).await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    let text = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_string()).map(|s| (!s.is_empty()).then_some(s));
    for (col, value) in [("first_name", text(&patch.first_name)), ("last_name", text(&patch.last_name)), ("email", text(&patch.email).map(|e| e.map(|e| e.to_lowercase()))), ("timezone", text(&patch.timezone))] {
        if let Some(v) = value {
            sqlx::query(&format!("UPDATE contacts SET {col} = $1 WHERE id = $2")).bind(v).bind(id.0).execute(&mut *tx).await?;
        }
    }
    if let Some(attrs) = &patch.attributes {
        let clean: BTreeMap<String, String> = attrs.iter().map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string())).filter(|(_, v)| !v.is_empty()).collect();
        sqlx::query("UPDATE contacts SET attributes = $1 WHERE id = $2").bind(serde_json::to_string(&clean).unwrap_or_else(|_| "{}".into())).bind(id.0).execute(&mut *tx).await?;
    }
    if let Some(tags) = &patch.tags {
        sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1").bind(id.0).execute(&mut *tx).await?;
        for tag in tags.iter().filter_map(|t| crate::contact::normalize_tag(t)) {
            sqlx::query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(id.0).bind(tag).execute(&mut *tx).await?;
        }
    }
    if let Some(list_ids) = &patch.list_ids {
        for l in list_ids {
            let found = sqlx::query("SELECT id FROM lists WHERE id = $1").bind(l.0).fetch_optional(&mut *tx).await?;
            if found.is_none() {
                return Err(StoreError::Invalid(format!("there is no list {l}")));
            }
        }
        sqlx::query("DELETE FROM contact_lists WHERE contact_id = $1").bind(id.0).execute(&mut *tx).await?;
        for l in list_ids {
            add_to_list(&mut tx, db.backend(), *l, &[id]).await?;
        }
    }
    sqlx::query("UPDATE contacts SET updated_at = $1 WHERE id = $2").bind(now_millis()).bind(id.0).execute(&mut *tx).await?;
    tx.commit().await?;
    get_by_id(db, id).await
}

/// What [`delete`] would remove.
pub async fn delete_impact(db: &Db, id: ContactId) -> Result<crate::crm::DeleteImpact> {
    let row = sqlx::query(
        "SELECT c.opted_out, c.flagged, \
         (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id) AS messages, \
         (SELECT COUNT(*) FROM contact_notes n WHERE n.contact_id = c.id) AS notes, \
         (SELECT COUNT(*) FROM enrollments e WHERE e.contact_id = c.id) AS enrollments, \
         (SELECT COUNT(*) FROM contact_lists l WHERE l.contact_id = c.id) AS lists \
         FROM contacts c WHERE c.id = $1",
    )
    .bind(id.0)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(crate::crm::DeleteImpact {
        messages: get(&row, "messages")?,
        notes: get(&row, "notes")?,
        enrollments: get(&row, "enrollments")?,
        lists: get(&row, "lists")?,
        keeps_opt_out: get::<i64>(&row, "opted_out")? != 0 || get::<i64>(&row, "flagged")? != 0,
    })
}

/// Deletes a contact with its messages, notes, enrollments, tags and list memberships. An
/// opted-out number is kept in `suppressions`, so a re-import or a new contact with it starts
/// opted out. Returns what was removed.
pub async fn delete(db: &Db, id: ContactId) -> Result<crate::crm::DeleteImpact> {
    let mut impact = delete_impact(db, id).await?;
    let mut tx = db.begin().await?;
    // Decided inside the transaction, so a STOP that lands meanwhile is not lost; a flagged
    // "please don't text me" counts as an opt-out here.
    let kept = sqlx::query(
        "INSERT INTO suppressions (phone, reason, created_at) \
         SELECT phone, CASE WHEN opted_out <> 0 THEN 'opted out; contact deleted' ELSE 'asked not to be texted (flagged); contact deleted' END, $1 \
         FROM contacts WHERE id = $2 AND (opted_out <> 0 OR flagged <> 0) ON CONFLICT (phone) DO NOTHING",
    )
    .bind(now_millis())
    .bind(id.0)
    .execute(&mut *tx)
    .await?;
    impact.keeps_opt_out = impact.keeps_opt_out || kept.rows_affected() > 0;
    let r = sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(impact)
}

/// The contact with this phone number, created (and checked against the suppression list) when
/// a stranger texts in first.
pub async fn ensure_for_inbound(conn: &mut sqlx::AnyConnection, phone: &E164, now: crate::Millis) -> Result<ContactId> {
    let created = sqlx::query("INSERT INTO contacts (phone, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (phone) DO NOTHING RETURNING id")
        .bind(phone.as_str())
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = created {
        apply_suppression(conn, ContactId(get(&r, "id")?)).await?;
    }
    let row = sqlx::query("SELECT id FROM contacts WHERE phone = $1").bind(phone.as_str()).fetch_one(&mut *conn).await?;
    Ok(ContactId(get(&row, "id")?))
}
