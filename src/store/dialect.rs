//! The few places SQLite and PostgreSQL must be told apart. Everything else is shared SQL.

/// How many trailing digits of a long digit search PostgreSQL looks up in its trigram index
/// (see [`Backend::contact_contains`]).
pub(crate) const DIGIT_TAIL: usize = 6;

/// Which database a `Db` talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// SQLite files are created on first start.
    pub(crate) fn prepare_url(self, url: &str) -> String {
        match self {
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        }
    }

    /// Contacts (`alias`) whose name, email or phone digits contain `text` (three characters
    /// or more, matched ignoring case): the trigram index of each database. Pushes its
    /// arguments onto `args`.
    ///
    /// A run of more than [`DIGIT_TAIL`] digits is looked up in the index by its last
    /// [`DIGIT_TAIL`] digits, and the whole run is checked on the rows found. The leading
    /// digits of phone numbers (country code, area code, exchange) are shared by most
    /// contacts, so their trigrams each list most of the index: on PostgreSQL `2000550123`
    /// read 6 MB of posting lists (15–20 ms at 1,000,000 contacts), its last six digits under
    /// 1 ms; on SQLite it took 15–22 ms.
    pub(crate) fn contact_contains(self, args: &mut super::Args, alias: &str, text: &str) -> String {
        let text = text.trim().to_lowercase();
        match self {
            Backend::Sqlite if text.len() > DIGIT_TAIL && text.bytes().all(|b| b.is_ascii_digit()) => {
                let tail = self.contact_ids(args, &text[text.len() - DIGIT_TAIL..]);
                let whole = args.push(super::Arg::Text(text.clone()));
                // The search document as migrations/sqlite/0015_search.sql writes it.
                let doc = format!("COALESCE({alias}.first_name, '') || ' ' || COALESCE({alias}.last_name, '') || ' ' || COALESCE({alias}.email, '') || ' ' || REPLACE({alias}.phone, '+', '')");
                format!("({alias}.id IN ({tail}) AND instr({doc}, {whole}) > 0)")
            }
            Backend::Sqlite => format!("{alias}.id IN ({})", self.contact_ids(args, &text)),
            Backend::Postgres => {
                let digits = text.bytes().all(|b| b.is_ascii_digit());
                pg_contains(args, &format!("{alias}.search_doc"), &text, digits.then_some(text.as_str()))
            }
        }
    }

    /// PostgreSQL: messages (`m`) whose text contains `text` (three characters or more, any
    /// case), through the trigram index on `LOWER(body)`. A run of five digits or more in the
    /// text (an estimate or order number, a phone number) is what the index is asked for, and
    /// the whole text is checked on the rows found: `estimate #4321968` as a whole made the
    /// index read the posting lists of `estimate`'s trigrams, which list every eighth message.
    pub(crate) fn pg_message_contains(args: &mut super::Args, text: &str) -> String {
        let text = text.trim().to_lowercase();
        let run = text.split(|c: char| !c.is_ascii_digit()).max_by_key(|r| r.len()).filter(|r| r.len() >= 5);
        pg_contains(args, "LOWER(m.body)", &text, run)
    }

    /// The argument that finds `text` (lower-cased) anywhere in an indexed text: an FTS5 phrase
    /// (SQLite) or a `LIKE` pattern (PostgreSQL).
    pub(crate) fn contains_arg(self, text: &str) -> String {
        let text = text.trim().to_lowercase();
        match self {
            Backend::Sqlite => format!("\"{}\"", text.replace('"', "\"\"")),
            Backend::Postgres => super::like_pattern(&text),
        }
    }

    /// `SELECT id …` of the contacts whose search document contains `text` (see
    /// [`Backend::contact_contains`]).
    pub(crate) fn contact_ids(self, args: &mut super::Args, text: &str) -> String {
        match self {
            Backend::Sqlite => {
                let phrase = args.push(super::Arg::Text(self.contains_arg(text)));
                format!("SELECT rowid AS id FROM contact_search WHERE contact_search MATCH {phrase}")
            }
            Backend::Postgres => format!("SELECT s.id FROM contacts s WHERE {}", self.contact_contains(args, "s", text)),
        }
    }

    /// A text value out of a JSON object held as text (`attributes`), `''` when absent. `key` is
    /// a placeholder bound to the JSON path `$."name"` (SQLite) or the bare name (PostgreSQL).
    pub(crate) fn json_text(self, column: &str, key: &str) -> String {
        match self {
            Backend::Sqlite => format!("COALESCE(CAST(json_extract({column}, {key}) AS TEXT), '')"),
            Backend::Postgres => format!("COALESCE(CAST({column} AS JSONB) ->> CAST({key} AS TEXT), '')"),
        }
    }

    /// A number read out of text ("42.5", " $1,200 "), NULL when the text is not one, so a
    /// comparison with it is simply false (PostgreSQL would fail the whole query on a bad cast).
    pub(crate) fn number_in(self, expr: &str) -> String {
        let t = format!("REPLACE(REPLACE(TRIM({expr}), '$', ''), ',', '')");
        match self {
            Backend::Sqlite => format!("(CASE WHEN {t} <> '' AND {t} NOT GLOB '*[^0-9.+-]*' THEN CAST({t} AS REAL) END)"),
            Backend::Postgres => format!("(CASE WHEN {t} ~ '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)$' THEN CAST({t} AS DOUBLE PRECISION) END)"),
        }
    }

    /// The `YYYY-MM-DD` a text starts with, NULL when it does not start with a date; compared as
    /// text, which orders ISO dates correctly.
    pub(crate) fn date_in(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("(CASE WHEN TRIM({expr}) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN SUBSTR(TRIM({expr}), 1, 10) END)"),
            Backend::Postgres => format!("(CASE WHEN TRIM({expr}) ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}' THEN SUBSTR(TRIM({expr}), 1, 10) END)"),
        }
    }

    pub(crate) fn max_connections(self) -> u32 {
        match self {
            // One writer at a time either way; a few connections serve concurrent readers in WAL mode.
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        }
    }

    /// Bind parameters per multi-row statement. SQLite slows down more than linearly with very
    /// wide statements, while PostgreSQL pays a round trip per statement, so they differ
    /// (see docs/benchmarks.md).
    pub(crate) fn bulk_params(self) -> usize {
        match self {
            Backend::Sqlite => 800,
            Backend::Postgres => 6000,
        }
    }

    /// Appended to the drip runner's claim subquery. PostgreSQL runners skip rows another
    /// runner is claiming right now instead of waiting for them; SQLite has a single writer,
    /// so its `UPDATE … WHERE id IN (SELECT …) RETURNING` claim is atomic as it stands.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Run first in a farming batch's transaction: batches of *different* campaigns over the
    /// same contacts must not pick concurrently, or each would miss the other's uncommitted
    /// cool-off rows and text the same person twice. PostgreSQL takes a transaction-scoped
    /// advisory lock; SQLite's single writer already serialises the transactions.
    pub(crate) fn farming_batch_lock(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("SELECT pg_advisory_xact_lock(7310001)"),
        }
    }

    /// Run first in a transaction that removes or demotes a user: two admins removing each
    /// other at once must not both see the other still there and leave no admin. SQLite's
    /// single writer already serialises them.
    pub(crate) fn team_change_lock(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("SELECT pg_advisory_xact_lock(7310002)"),
        }
    }

    /// Statements run on every new connection.
    pub(crate) fn connection_setup(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => Some(
                // The busy timeout first: the journal-mode pragma of a connection opened while
                // another one writes must wait for the lock, not fail at once.
                "PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            ),
            Backend::Postgres => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite:warmline.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://localhost/x"), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("mysql://x"), None);
        assert_eq!(Backend::Sqlite.prepare_url("sqlite:a.db"), "sqlite:a.db?mode=rwc");
        assert_eq!(Backend::Sqlite.prepare_url("sqlite:a.db?mode=ro"), "sqlite:a.db?mode=ro");
    }
}

/// `column` contains `text` (lower-cased), through a trigram index. With `digits` (a run of
/// digits in `text`) longer than [`DIGIT_TAIL`], or shorter than the text, the index is asked
/// for the run's last [`DIGIT_TAIL`] digits only, and the whole text is checked with `strpos`
/// on what it finds.
fn pg_contains(args: &mut super::Args, column: &str, text: &str, digits: Option<&str>) -> String {
    let piece = digits.map(|d| &d[d.len().saturating_sub(DIGIT_TAIL)..]).filter(|p| p.len() >= 3 && p.len() < text.len());
    match piece {
        Some(piece) => {
            let piece = args.push(super::Arg::Text(format!("%{piece}%")));
            let whole = args.push(super::Arg::Text(text.to_string()));
            format!("({column} LIKE {piece} AND strpos({column}, {whole}) > 0)")
        }
        None => {
            let pattern = args.push(super::Arg::Text(super::like_pattern(text)));
            format!("{column} LIKE {pattern} ESCAPE '\\'")
        }
    }
}
