//! Contacts, lists and the queries the contacts page runs.

use crate::{ContactId, ImportId, ListId, Millis, E164};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A contact as shown in lists and tables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub id: ContactId,
    pub phone: E164,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub tags: Vec<String>,
    pub opted_out: bool,
    pub flagged: bool,
    pub created_at: Millis,
    /// Lead score, 0 to 100, and its band.
    #[serde(default)]
    pub score: i32,
    #[serde(default = "unqualified")]
    pub band: crate::scoring::Band,
    /// Where the contact first came from (a form's utm_source or referrer host).
    #[serde(default)]
    pub source: Option<String>,
}

fn unqualified() -> crate::scoring::Band {
    crate::scoring::Band::Unqualified
}

impl ContactSummary {
    pub fn display_name(&self) -> String {
        display_name(self.first_name.as_deref(), self.last_name.as_deref())
    }
}

/// A contact with everything the detail page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub phone: E164,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub timezone: Option<String>,
    pub consent_source: Option<String>,
    pub consent_at: Option<Millis>,
    pub attributes: BTreeMap<String, String>,
    pub tags: Vec<String>,
    pub lists: Vec<ListRef>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Contact {
    pub fn display_name(&self) -> String {
        display_name(self.first_name.as_deref(), self.last_name.as_deref())
    }
}

pub fn display_name(first: Option<&str>, last: Option<&str>) -> String {
    let name = [first, last].into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        "(no name)".into()
    } else {
        name
    }
}

/// A list's id and name, as attached to a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRef {
    pub id: ListId,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Created by a CSV import.
    Import,
    /// Created by hand.
    Manual,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Import => "import",
            ListKind::Manual => "manual",
        }
    }
    pub fn parse(s: &str) -> ListKind {
        if s == "import" {
            ListKind::Import
        } else {
            ListKind::Manual
        }
    }
}

/// A named list of contacts with its size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactList {
    pub id: ListId,
    pub name: String,
    pub kind: ListKind,
    pub contact_count: i64,
    pub created_at: Millis,
}

/// A new contact entered by hand or through the API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewContact {
    pub phone: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub consent_source: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Name of a list to add the contact to; created when missing.
    #[serde(default)]
    pub list: Option<String>,
}

impl NewContact {
    /// Every text field within [`crate::limits`]; the first one over is the error.
    pub fn check_lengths(&self) -> Result<(), String> {
        use crate::limits::{self, check, check_opt};
        check("phone", &self.phone, 40)?;
        check_opt("consent source", self.consent_source.as_deref(), limits::ATTRIBUTE_VALUE)?;
        check_opt("list name", self.list.as_deref(), limits::TITLE)?;
        check_person_fields(self.first_name.as_deref(), self.last_name.as_deref(), self.email.as_deref(), self.timezone.as_deref(), &self.tags, &self.attributes)
    }
}

/// The length limits of the fields a new contact and an edit share.
pub(crate) fn check_person_fields(
    first: Option<&str>,
    last: Option<&str>,
    email: Option<&str>,
    timezone: Option<&str>,
    tags: &[String],
    attributes: &BTreeMap<String, String>,
) -> Result<(), String> {
    use crate::limits::{self, check, check_opt};
    check_opt("first name", first, limits::NAME)?;
    check_opt("last name", last, limits::NAME)?;
    check_opt("email", email, limits::EMAIL)?;
    check_opt("time zone", timezone, 64)?;
    for t in tags {
        check("a tag", t, limits::TAG)?;
    }
    for (k, v) in attributes {
        check("an attribute name", k, limits::ATTRIBUTE_KEY)?;
        check(&format!("attribute '{}'", limits::ellipsize(k, 40)), v, limits::ATTRIBUTE_VALUE)?;
    }
    Ok(())
}

/// Filters for the contacts page and `GET /api/v1/contacts`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactQuery {
    /// Free text: matches names, email and phone digits.
    #[serde(default)]
    pub q: Option<String>,
    /// Exact phone, any format the default region understands.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub list_id: Option<ListId>,
    #[serde(default)]
    pub tag: Option<String>,
    /// A score band: `hot`, `warm`, `qualified`, `cold` or `unqualified`.
    #[serde(default)]
    pub band: Option<String>,
    /// The first-touch source (`google`, `facebook`, a referrer host), exactly.
    #[serde(default)]
    pub source: Option<String>,
    /// `score` for the highest score first; newest first otherwise.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
    /// Keyset pagination: the page after this contact (a cursor from [`Page::next`]), read
    /// through the index instead of skipping rows with `OFFSET`. `page` then only numbers it.
    #[serde(default)]
    pub after: Option<String>,
    /// The page before this contact (a cursor from [`Page::prev`]).
    #[serde(default)]
    pub before: Option<String>,
}

/// Where a list of contacts continues: the newest-first order is by id, the score order by
/// score then id (`"72:1234"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub score: Option<i64>,
    pub id: i64,
}

impl Cursor {
    pub fn parse(s: &str, by_score: bool) -> Result<Cursor, String> {
        let bad = || format!("'{}' is not a page cursor", crate::limits::ellipsize(s, 40));
        if by_score {
            let (score, id) = s.split_once(':').ok_or_else(bad)?;
            Ok(Cursor { score: Some(score.parse().map_err(|_| bad())?), id: id.parse().map_err(|_| bad())? })
        } else {
            Ok(Cursor { score: None, id: s.parse().map_err(|_| bad())? })
        }
    }

    pub fn encode(&self) -> String {
        match self.score {
            Some(s) => format!("{s}:{}", self.id),
            None => self.id.to_string(),
        }
    }
}

impl ContactQuery {
    pub const DEFAULT_PER_PAGE: i64 = 50;
    pub const MAX_PER_PAGE: i64 = 500;

    pub fn page(&self) -> i64 {
        // Bounded both ways, so `offset()` can't overflow whatever `?page=` says.
        self.page.unwrap_or(1).clamp(1, 1_000_000)
    }
    pub fn per_page(&self) -> i64 {
        self.per_page.unwrap_or(Self::DEFAULT_PER_PAGE).clamp(1, Self::MAX_PER_PAGE)
    }
    pub fn offset(&self) -> i64 {
        (self.page() - 1) * self.per_page()
    }
}

/// The outcome of one CSV import, as the UI and the REST API report it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub import_id: Option<ImportId>,
    pub list_id: Option<ListId>,
    /// Rows written: new contacts plus existing contacts added to the list.
    pub imported: i64,
    /// Of `imported`, contacts that did not exist before.
    pub created: i64,
    /// Of `imported`, contacts that already existed (their empty fields were filled in).
    pub updated: i64,
    /// Bad rows left out (only with "skip bad rows").
    pub skipped: i64,
    pub errors: Vec<crate::csv_import::RowError>,
}

/// An import as the history shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: ImportId,
    pub list_id: Option<ListId>,
    pub list_name: Option<String>,
    pub filename: Option<String>,
    pub total_rows: i64,
    pub imported: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub created_at: Millis,
}

/// Normalises a tag: trimmed, lower-case, inner whitespace collapsed to '-'.
pub fn normalize_tag(raw: &str) -> Option<String> {
    let t = raw.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
    if t.is_empty() || t.len() > 64 {
        None
    } else {
        Some(t)
    }
}

/// Splits a tags cell ("vip; roofing, 2024") into normalised tags without repeats.
pub fn split_tags(cell: &str) -> Vec<String> {
    let mut tags: Vec<String> = cell.split([',', ';', '|']).filter_map(normalize_tag).collect();
    tags.sort();
    tags.dedup();
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_split_and_normalized() {
        assert_eq!(split_tags(" VIP; roofing ,vip|Big  Job"), vec!["big-job", "roofing", "vip"]);
        assert!(split_tags(" ; ,").is_empty());
    }

    #[test]
    fn names_display_sensibly() {
        assert_eq!(display_name(Some("Ann"), Some("Lee")), "Ann Lee");
        assert_eq!(display_name(None, Some(" Lee ")), "Lee");
        assert_eq!(display_name(Some(""), None), "(no name)");
    }

    #[test]
    fn query_paging_is_bounded() {
        assert_eq!(Cursor::parse("72:1234", true), Ok(Cursor { score: Some(72), id: 1234 }));
        assert_eq!(Cursor::parse("1234", false).map(|c| c.encode()), Ok("1234".into()));
        assert!(Cursor::parse("1234", true).is_err() && Cursor::parse("x", false).is_err());
        let q = ContactQuery { page: Some(0), per_page: Some(10_000), ..Default::default() };
        assert_eq!(q.page(), 1);
        assert_eq!(q.per_page(), ContactQuery::MAX_PER_PAGE);
        let q = ContactQuery { page: Some(3), per_page: Some(20), ..Default::default() };
        assert_eq!(q.offset(), 40);
        // `?page=` from a URL can be anything: the offset never overflows.
        let q = ContactQuery { page: Some(i64::MAX), per_page: Some(500), ..Default::default() };
        assert_eq!(q.offset(), 999_999 * 500);
    }
}
