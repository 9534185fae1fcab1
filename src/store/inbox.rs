//! The conversation inbox: conversations newest first, filtered, and searched by contact (name,
//! email, phone digits) and by the text of every message.
//!
//! A search of three characters or more goes through the trigram indexes (`contact_search`
//! and `message_search` on SQLite, `pg_trgm` on PostgreSQL), so its cost follows what it finds,
//! not how many messages there are:
//! - **Contacts.** When few contacts match , their conversations are looked
//!   up by id. When many do (more than [`SearchTuning::gather`]), the term is common, and reading conversations newest first finds
//!   enough of them quickly.
//! - **Messages.** Matching messages are read newest first from the index, a page at a time,
//!   until enough conversations are found or the rest are older than the ones found already.
//!
//! A conversation found by its contact ranks by its latest message; one found by a message,
//! by the newest message that matched (as in a mail search).

use super::{get, like_pattern, Arg, Args, Backend, Db, Result, StoreError};
use crate::message::{ConversationStatus, ConversationSummary, Direction};
use crate::{now_millis, ContactId, Millis, UserId, E164};
use std::collections::HashMap;

/// Which conversations the inbox shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxFilter {
    All,
    Mine,
    Unassigned,
}

/// Where a search switches from one way of reading to another. The defaults suit a large
/// inbox; tests shrink them to take every path with a few rows.
#[derive(Clone, Copy, Debug)]
pub struct SearchTuning {
    /// Up to this many matching contacts are looked up by id; more, and conversations are
    /// read newest first instead.
    pub gather: i64,
    /// Matching messages read from the index per round trip, at most. (On SQLite the first
    /// round trip asks for a little more than the conversations wanted, each after it for
    /// four times as many as the one before.)
    pub page: i64,
    /// Matching messages read at most before the search looks in each conversation instead
    /// (a term this common, under a filter this narrow).
    pub max_messages: usize,
    /// PostgreSQL: the newest messages (by id) a search first walks, testing each.
    pub walk: i64,
    /// PostgreSQL: when the messages walked say no more than this many matches are left, the
    /// rest are read from the text index instead.
    pub index_at: i64,
}

/// How PostgreSQL reads the next matching messages.
#[derive(Clone, Copy, Debug)]
enum PgRead {
    /// Messages newest first, each tested, within `window` ids below where the last read
    /// stopped. A common term fills a page quickly this way. A window read to its end without
    /// filling the page tells how common the term is: if few matches are left below it, they
    /// are read from the index; if many, the next window is as wide as the conversations still
    /// wanted need at the rate this one found them (half as much again, at most four times wider).
    Walk { window: i64 },
    /// The text index's matches within `window` ids below where the last read stopped, newest
    /// first: PostgreSQL intersects the index's matches with the primary key's range
    /// (`BitmapAnd`) and reads only those rows from the table. The window is as wide as the
    /// conversations still wanted need at the rate matches were seen so far (half as much
    /// again); after `rounds` more windows the rest is read from the index whole.
    Range { window: i64, rounds: u8 },
    /// Every match below from the text index, newest first (a rare term: its cost follows the
    /// matches, one heap read each).
    Index,
}

impl Default for SearchTuning {
    fn default() -> Self {
        SearchTuning { gather: 20_000, page: 1_000, max_messages: 50_000, walk: 5_000, index_at: 50_000 }
    }
}

impl SearchTuning {
    /// The defaults, for this database. PostgreSQL gathers more contacts by id before it walks
    /// conversations instead: each conversation the walk tests costs a random read of its
    /// contact (5 to 25 µs at 1,000,000 contacts, by what is cached), each gathered id about
    /// 1 µs, so the two meet at about 50,000 matches of 1,000,000. SQLite's walk is cheaper.
    pub fn for_backend(backend: Backend) -> SearchTuning {
        match backend {
            Backend::Sqlite => SearchTuning::default(),
            Backend::Postgres => SearchTuning { gather: 50_000, ..SearchTuning::default() },
        }
    }
}

/// Conversations, latest first (or, searched, best match first), optionally filtered.
pub async fn inbox(db: &Db, filter: InboxFilter, status: Option<ConversationStatus>, me: UserId, search: Option<&str>, limit: i64) -> Result<Vec<ConversationSummary>> {
    inbox_tuned(db, filter, status, me, search, limit, SearchTuning::for_backend(db.backend())).await
}

/// [`inbox`] with its search's switch points given.
#[tracing::instrument(skip(db, me), fields(search = search.is_some()))]
pub async fn inbox_tuned(db: &Db, filter: InboxFilter, status: Option<ConversationStatus>, me: UserId, search: Option<&str>, limit: i64, tuning: SearchTuning) -> Result<Vec<ConversationSummary>> {
    let search = search.map(str::trim).filter(|q| !q.is_empty());
    if let Some(q) = search {
        crate::limits::check("the search", q, crate::limits::SEARCH).map_err(StoreError::Invalid)?;
    }
    let Some(q) = search.filter(|q| q.chars().count() >= 3) else {
        // No search, or one shorter than a trigram: read names, newest first.
        let mut scope = Scope::new(filter, status, me);
        if let Some(q) = search {
            let like = scope.args.push(Arg::Text(like_pattern(q)));
            scope.wheres.push(format!("LOWER(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')) LIKE {like} ESCAPE '\\'"));
        }
        return summaries(db, scope, limit).await;
    };
    let mut found: HashMap<i64, Millis> = HashMap::new();
    let scope = || Scope::new(filter, status, me);
    by_contact(db, &scope, q, limit, tuning, &mut found).await?;
    if !by_message(db, &scope, q, limit, tuning, &mut found).await? {
        // Too common under this filter to read match by match: look in each conversation.
        let mut scope = Scope::new(filter, status, me);
        let like = scope.args.push(Arg::Text(like_pattern(q)));
        scope.wheres.push(format!("EXISTS (SELECT 1 FROM messages s WHERE s.contact_id = v.contact_id AND LOWER(s.body) LIKE {like} ESCAPE '\\')"));
        let sql = scope.ranked_sql("FROM conversations v", limit);
        collect(scope.args.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?, &mut found)?;
    }
    let mut ranked: Vec<(i64, Millis)> = found.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    ranked.truncate(usize::try_from(limit).unwrap_or(0));
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = ranked.iter().map(|(id, _)| id.to_string()).collect();
    let mut scope = Scope::new(filter, status, me);
    scope.wheres.push(format!("v.contact_id IN ({})", ids.join(", ")));
    let mut rows = summaries(db, scope, limit).await?;
    let rank: HashMap<i64, usize> = ranked.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    rows.sort_by_key(|r| rank.get(&r.contact_id.0).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// The inbox's filter as SQL conditions on `v` (conversations) and its arguments.
struct Scope {
    args: Args,
    wheres: Vec<String>,
}

impl Scope {
    fn new(filter: InboxFilter, status: Option<ConversationStatus>, me: UserId) -> Scope {
        let mut args = Args::default();
        let mut wheres = Vec::new();
        if let Some(s) = status {
            let now = args.push(Arg::Int(now_millis()));
            wheres.push(match s {
                ConversationStatus::Open => format!("(v.status = 'open' OR (v.status = 'snoozed' AND v.snoozed_until <= {now}))"),
                ConversationStatus::Snoozed => format!("(v.status = 'snoozed' AND v.snoozed_until > {now})"),
                ConversationStatus::Closed => "v.status = 'closed'".into(),
            });
        }
        match filter {
            InboxFilter::All => {}
            InboxFilter::Mine => wheres.push(format!("v.assigned_to = {}", args.push(Arg::Int(me.0)))),
            InboxFilter::Unassigned => wheres.push("v.assigned_to IS NULL".into()),
        }
        Scope { args, wheres }
    }

    fn where_sql(&self) -> String {
        if self.wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.wheres.join(" AND "))
        }
    }

    /// `contact_id` and `at` (the latest message) of the conversations `from` reaches, newest
    /// first.
    fn ranked_sql(&mut self, from: &str, limit: i64) -> String {
        let lim = self.args.push(Arg::Int(limit));
        format!("SELECT v.contact_id, v.last_message_at AS at {from}{} ORDER BY v.last_message_at DESC, v.contact_id DESC LIMIT {lim}", self.where_sql())
    }
}

/// Adds `(contact_id, at)` rows to what was found, keeping the later time of each.
fn collect(rows: Vec<sqlx::any::AnyRow>, found: &mut HashMap<i64, Millis>) -> Result<()> {
    for r in rows {
        let (id, at): (i64, Millis) = (get(&r, "contact_id")?, get(&r, "at")?);
        let e = found.entry(id).or_insert(at);
        *e = (*e).max(at);
    }
    Ok(())
}

/// Conversations whose contact's name, email or phone digits hold the search.
async fn by_contact(db: &Db, scope: impl Fn() -> Scope, q: &str, limit: i64, tuning: SearchTuning, found: &mut HashMap<i64, Millis>) -> Result<()> {
    let backend = db.backend();
    let digits = crate::phone::search_digits(q);
    // "(415) 555-01" is a phone number: its digits say it all; "call 415 555" looks for both.
    let phone_like = digits.len() >= 3 && q.chars().all(|c| c.is_ascii_digit() || " ()+-.".contains(c));
    let mut terms = Vec::new();
    if !phone_like {
        terms.push(q.to_string());
    }
    if digits.len() >= 3 {
        terms.push(digits);
    }
    // How many contacts match, up to the gather limit; on PostgreSQL, also which.
    let mut common = false;
    let mut ids: Vec<i64> = Vec::new();
    for t in &terms {
        let cols = match backend {
            Backend::Sqlite => "COUNT(*) AS n",
            Backend::Postgres => "COUNT(*) AS n, CAST(array_agg(id) AS TEXT) AS ids",
        };
        let mut args = Args::default();
        let sql = format!("SELECT {cols} FROM ({} LIMIT {}) s", backend.contact_ids(&mut args, t), tuning.gather + 1);
        let row = args.bind(sqlx::query(&sql)).fetch_one(db.pool()).await?;
        let n: i64 = get(&row, "n")?;
        common |= n > tuning.gather;
        if backend == Backend::Postgres && !common {
            ids.extend(id_array(get::<Option<String>>(&row, "ids")?.as_deref())?);
        }
    }
    let mut scope = scope();
    if common {
        // Many match: conversations newest first, each contact tested, find enough soon.
        let doc = match backend {
            Backend::Sqlite => "LOWER(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '') || ' ' || COALESCE(c.email, '') || ' ' || REPLACE(c.phone, '+', ''))",
            Backend::Postgres => "c.search_doc",
        };
        let likes: Vec<String> = terms.iter().map(|t| format!("{doc} LIKE {} ESCAPE '\\'", scope.args.push(Arg::Text(like_pattern(t))))).collect();
        scope.wheres.push(format!("({})", likes.join(" OR ")));
        let sql = scope.ranked_sql("FROM conversations v JOIN contacts c ON c.id = v.contact_id", limit);
        let rows = match backend {
            Backend::Sqlite => scope.args.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?,
            Backend::Postgres => {
                // The walk stops after `limit` conversations; parallel workers would each read
                // ahead far past that (five times the rows at 1,000,000 conversations).
                let mut tx = db.begin().await?;
                sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0").execute(&mut *tx).await?;
                let rows = scope.args.bind(sqlx::query(&sql)).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            }
        };
        return collect(rows, found);
    }
    let sql = match backend {
        // Few match: look their conversations up (SQLite keeps a CROSS JOIN's order).
        Backend::Sqlite => {
            let ids: Vec<String> = terms.iter().map(|t| backend.contact_ids(&mut scope.args, t)).collect();
            scope.wheres.insert(0, "v.contact_id = s.id".into());
            scope.ranked_sql(&format!("FROM ({}) s CROSS JOIN conversations v", ids.join(" UNION ")), limit)
        }
        // PostgreSQL estimates a trigram match badly, and by the estimate either probes every
        // matching contact or walks every conversation testing each contact. With the ids
        // written out as a constant array it knows how many there are, probes a few, and for
        // many walks conversations newest first (an index-only scan) testing each against a
        // hash of the ids.
        Backend::Postgres => {
            if ids.is_empty() {
                return Ok(());
            }
            ids.sort_unstable();
            ids.dedup();
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            scope.wheres.insert(0, format!("v.contact_id = ANY(CAST('{{{}}}' AS BIGINT[]))", list.join(",")));
            scope.ranked_sql("FROM conversations v", limit)
        }
    };
    // Not kept as a prepared statement: with the ids written out, no two are alike.
    collect(scope.args.bind(sqlx::query(&sql)).persistent(backend == Backend::Sqlite).fetch_all(db.pool()).await?, found)
}

/// The ids in PostgreSQL's text form of an array (`{1,2,3}`); none for `NULL`.
fn id_array(text: Option<&str>) -> Result<Vec<i64>> {
    let Some(text) = text else { return Ok(Vec::new()) };
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    inner
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim().parse::<i64>().map_err(|e| StoreError::Db(sqlx::Error::Decode(format!("contact id '{s}' in an id list: {e}").into()))))
        .collect()
}

/// Conversations with a message that holds the search, read newest match first. `false` when
/// the term is too common under this filter to read match by match.
async fn by_message(db: &Db, scope: impl Fn() -> Scope, q: &str, limit: i64, tuning: SearchTuning, found: &mut HashMap<i64, Millis>) -> Result<bool> {
    let backend = db.backend();
    let (from, id) = match backend {
        Backend::Sqlite => ("FROM message_search f JOIN messages m ON m.id = f.rowid JOIN conversations v ON v.contact_id = m.contact_id", "f.rowid"),
        Backend::Postgres => ("FROM messages m JOIN conversations v ON v.contact_id = m.contact_id", "m.id"),
    };
    let limit = usize::try_from(limit).unwrap_or(0);
    let mut mine: HashMap<i64, Millis> = HashMap::new();
    let mut read = 0;
    // On SQLite the first page asks for little more than the conversations wanted: often it
    // has them all (a common word under a narrow filter is read match by match, and each
    // costs). Each page after that is four times larger, up to `tuning.page`.
    let mut page = match backend {
        Backend::Sqlite => tuning.page.min(i64::try_from(limit + limit / 4).unwrap_or(i64::MAX).max(1)),
        Backend::Postgres => tuning.page,
    };
    // PostgreSQL chooses between walking messages newest first (testing each) and sorting
    // what the text index finds by how many matches it expects, and it misjudges trigram
    // matches both ways: a word in 1 of 1,000 messages, walked, took 1.4 s. So the search
    // chooses, from what it has seen: see `PgRead`.
    let mut how = PgRead::Walk { window: tuning.walk };
    // Ids read to the end of their window, and the matches among them: how common the term is.
    let (mut seen_ids, mut seen_matches) = (0i64, 0i64);
    let mut before = match backend {
        Backend::Sqlite => i64::MAX,
        Backend::Postgres => get::<Option<i64>>(&sqlx::query("SELECT MAX(id) AS id FROM messages").fetch_one(db.pool()).await?, "id")?.map_or(0, |m| m + 1),
    };
    while before > 0 {
        let mut scope = scope();
        let found_by = match backend {
            Backend::Sqlite => format!("message_search MATCH {}", scope.args.push(Arg::Text(backend.contains_arg(q)))),
            Backend::Postgres => Backend::pg_message_contains(&mut scope.args, q),
        };
        let b = scope.args.push(Arg::Int(before));
        let (range, order) = match (backend, how) {
            (Backend::Sqlite, _) => (format!("{id} < {b}"), format!("{id} DESC")),
            (Backend::Postgres, PgRead::Walk { window }) => (format!("{id} < {b} AND {id} >= {}", scope.args.push(Arg::Int(before.saturating_sub(window)))), format!("{id} DESC")),
            // `+ 0`: not the primary key's order, so it cannot walk.
            (Backend::Postgres, PgRead::Range { window, .. }) => (format!("{id} < {b} AND {id} >= {}", scope.args.push(Arg::Int(before.saturating_sub(window)))), format!("{id} + 0 DESC")),
            (Backend::Postgres, PgRead::Index) => (format!("{id} < {b}"), format!("{id} + 0 DESC")),
        };
        scope.wheres.insert(0, format!("{found_by} AND {range}"));
        let lim = scope.args.push(Arg::Int(page));
        let sql = format!("SELECT {id} AS id, m.contact_id, m.created_at AS at {from}{} ORDER BY {order} LIMIT {lim}", scope.where_sql());
        let rows = scope.args.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?;
        let (from_id, known) = (before, mine.len());
        let mut oldest = Millis::MAX;
        for r in &rows {
            let (message, contact, at): (i64, i64, Millis) = (get(r, "id")?, get(r, "contact_id")?, get(r, "at")?);
            before = message;
            oldest = oldest.min(at);
            mine.entry(contact).or_insert(at);
        }
        read += rows.len();
        let full = rows.len() as i64 >= page;
        if let (Backend::Postgres, PgRead::Walk { window } | PgRead::Range { window, .. }) = (backend, how) {
            // A full page covered the ids down to its last match; otherwise the whole window.
            let end = if full { before } else { from_id.saturating_sub(window) };
            seen_ids = seen_ids.saturating_add(from_id.saturating_sub(end));
            seen_matches = seen_matches.saturating_add(i64::try_from(rows.len()).unwrap_or(i64::MAX));
        }
        match (backend, how) {
            (Backend::Postgres, PgRead::Walk { window }) if !full => {
                // The window is read: go on below it, walking a wider one, or, if the
                // matches it held say few are left, from the index.
                let below = from_id.saturating_sub(window);
                before = below;
                let held = i64::try_from(rows.len()).unwrap_or(i64::MAX);
                let expected = held.saturating_mul(below) / window.max(1);
                // Wide enough for the conversations still wanted, at the rate this one found
                // them (and half as much again), up to four times as wide.
                let new = i64::try_from(mine.len() - known).unwrap_or(i64::MAX);
                let wanted = i64::try_from(limit.saturating_sub(mine.len())).unwrap_or(i64::MAX);
                let next = if new == 0 { window.saturating_mul(4) } else { (window.saturating_mul(wanted) / new).saturating_mul(3) / 2 };
                how = if expected <= tuning.index_at { pg_index_read(seen_ids, seen_matches, wanted, None) } else { PgRead::Walk { window: next.clamp(1, window.saturating_mul(4)) } };
            }
            (Backend::Postgres, PgRead::Range { window, rounds }) if !full => {
                before = from_id.saturating_sub(window);
                let wanted = i64::try_from(limit.saturating_sub(mine.len())).unwrap_or(i64::MAX);
                how = match rounds.checked_sub(1) {
                    Some(rounds) => pg_index_read(seen_ids, seen_matches, wanted, Some((window, rounds))),
                    None => PgRead::Index,
                };
            }
            (Backend::Postgres, PgRead::Walk { .. } | PgRead::Range { .. }) => {}
            _ if !full => break,
            _ => {}
        }
        if backend == Backend::Sqlite {
            page = tuning.page.min(page.saturating_mul(4));
        }
        // Whatever matches further down is older than `oldest`: done once `limit` conversations
        // rank above it.
        let above = mine.len() + found.iter().filter(|(k, t)| **t >= oldest && !mine.contains_key(k)).count();
        if above >= limit {
            break;
        }
        if read >= tuning.max_messages {
            return Ok(false);
        }
    }
    for (contact, at) in mine {
        let e = found.entry(contact).or_insert(at);
        *e = (*e).max(at);
    }
    Ok(true)
}

/// How PostgreSQL reads matches from the text index next, from how many it has seen among how
/// many ids: in a window of ids just wide enough for `wanted` more (half as much again, and at
/// most four times the last window), or, with none seen yet, everything below at once.
fn pg_index_read(seen_ids: i64, seen_matches: i64, wanted: i64, last: Option<(i64, u8)>) -> PgRead {
    if seen_matches <= 0 {
        return PgRead::Index;
    }
    let window = (seen_ids.saturating_mul(wanted.max(1)) / seen_matches).saturating_mul(3) / 2;
    match last {
        Some((last, rounds)) => PgRead::Range { window: window.clamp(1, last.saturating_mul(4)), rounds },
        None => PgRead::Range { window: window.max(1), rounds: 2 },
    }
}

/// The inbox rows for a scope, latest first.
async fn summaries(db: &Db, mut scope: Scope, limit: i64) -> Result<Vec<ConversationSummary>> {
    let lim = scope.args.push(Arg::Int(limit));
    let sql = format!(
        "SELECT c.id AS contact_id, c.phone, c.first_name, c.last_name, c.opted_out, v.unread, v.assigned_to, v.last_message_at, v.status, v.snoozed_until, \
         m.body AS last_body, m.direction AS last_direction \
         FROM conversations v JOIN contacts c ON c.id = v.contact_id LEFT JOIN messages m ON m.id = v.last_message_id\
         {} ORDER BY v.last_message_at DESC, v.contact_id DESC LIMIT {lim}",
        scope.where_sql()
    );
    let rows = scope.args.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            let phone: String = get(r, "phone")?;
            let name = super::contact_name(r)?;
            Ok(ConversationSummary {
                contact_id: ContactId(get(r, "contact_id")?),
                phone: E164::parse(&phone).map_err(|e| StoreError::Invalid(e.to_string()))?,
                name,
                last_body: get::<Option<String>>(r, "last_body")?.unwrap_or_default(),
                last_direction: Direction::parse(&get::<Option<String>>(r, "last_direction")?.unwrap_or_default()),
                last_message_at: get(r, "last_message_at")?,
                unread: get(r, "unread")?,
                assigned_to: get::<Option<i64>>(r, "assigned_to")?.map(UserId),
                opted_out: get::<i64>(r, "opted_out")? != 0,
                status: ConversationStatus::parse(&get::<String>(r, "status")?).unwrap_or_default().at(get(r, "snoozed_until")?, now_millis()),
                snoozed_until: get(r, "snoozed_until")?,
            })
        })
        .collect()
}
