//! Server-side validation of a whole CSV file, before anything is written.

use super::{check_mapping, check_text, reader, CsvError, Field, RowError};
use crate::contact::split_tags;
use crate::phone::{normalize, PhoneError, Region};
use crate::{Millis, E164};
use std::collections::{BTreeMap, HashMap};

/// Longest value kept in one cell.
const MAX_CELL: usize = 1000;

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub region: Region,
    /// One entry per column; guessed from the header when absent.
    pub mapping: Option<Vec<Field>>,
}

/// A row that passed validation, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    pub row: u64,
    pub phone: E164,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub timezone: Option<String>,
    pub consent_source: Option<String>,
    pub consent_at: Option<Millis>,
    pub tags: Vec<String>,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default)]
pub struct Validated {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<RowError>,
    /// Data rows read (good and bad).
    pub total: u64,
}

/// Reads and checks every row. File-level problems are an `Err`; row problems are collected.
pub fn validate(text: &[u8], opts: &ImportOptions) -> Result<Validated, CsvError> {
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CsvError::Empty);
    }
    check_text(text)?;
    if std::str::from_utf8(text).is_err() {
        return Err(CsvError::NotCsv("it is not UTF-8 text".into()));
    }
    let mut rdr = reader(text);
    let headers: Vec<String> = rdr.headers().map_err(|e| CsvError::NotCsv(e.to_string()))?.iter().map(str::to_string).collect();
    let mapping = opts.mapping.clone().unwrap_or_else(|| super::guess_mapping(&headers));
    check_mapping(&headers, &mapping)?;
    let attr_names: Vec<String> = headers.iter().map(|h| attribute_key(h)).collect();

    let mut out = Validated::default();
    let mut seen: HashMap<E164, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let row = e.position().map(|p| p.line()).unwrap_or(out.total + 2);
                return Err(CsvError::NotCsv(format!("row {row}: {e}")));
            }
        }
        let row = record.position().map(|p| p.line()).unwrap_or(out.total + 2);
        out.total += 1;
        match parse_row(row, &record, &mapping, &attr_names, opts.region) {
            Ok(r) => {
                if let Some(first) = seen.get(&r.phone) {
                    out.errors.push(RowError { row, reason: format!("duplicate phone {} (same as row {first})", r.phone) });
                } else {
                    seen.insert(r.phone.clone(), row);
                    out.rows.push(r);
                }
            }
            Err(reason) => out.errors.push(RowError { row, reason }),
        }
    }
    Ok(out)
}

/// Custom attribute names are the header, trimmed and lower-snake-cased.
fn attribute_key(header: &str) -> String {
    let mut key = String::new();
    for c in header.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') {
            key.push('_');
        }
    }
    key.trim_matches('_').to_string()
}

fn parse_row(row: u64, rec: &csv::StringRecord, mapping: &[Field], attr_names: &[String], region: Region) -> Result<ImportRow, String> {
    let phone_col = mapping.iter().position(|f| *f == Field::Phone).unwrap_or(0);
    let phone_cell = rec.get(phone_col).unwrap_or("").trim();
    let phone = match normalize(phone_cell, region) {
        Ok(p) => p,
        Err(PhoneError::Missing) => return Err("missing phone number".into()),
        Err(_) => return Err(format!("invalid phone number '{phone_cell}'")),
    };
    let mut r = ImportRow {
        row,
        phone,
        first_name: None,
        last_name: None,
        email: None,
        timezone: None,
        consent_source: None,
        consent_at: None,
        tags: Vec::new(),
        attributes: BTreeMap::new(),
    };
    for (i, field) in mapping.iter().enumerate() {
        let cell = rec.get(i).unwrap_or("").trim();
        if cell.len() > MAX_CELL {
            return Err(format!("column {} is longer than {MAX_CELL} characters", i + 1));
        }
        let value = (!cell.is_empty()).then(|| cell.to_string());
        match field {
            Field::Phone | Field::Ignore => {}
            Field::FirstName => r.first_name = value,
            Field::LastName => r.last_name = value,
            Field::Email => {
                if let Some(e) = &value {
                    if !e.contains('@') || e.contains(char::is_whitespace) {
                        return Err(format!("invalid email '{e}'"));
                    }
                }
                r.email = value.map(|e| e.to_lowercase());
            }
            Field::Tags => r.tags = split_tags(cell),
            Field::Timezone => {
                if let Some(tz) = &value {
                    if tz.parse::<chrono_tz::Tz>().is_err() {
                        return Err(format!("unknown time zone '{tz}' (use a name like America/Chicago)"));
                    }
                }
                r.timezone = value;
            }
            Field::ConsentSource => r.consent_source = value,
            Field::ConsentAt => {
                r.consent_at = match &value {
                    None => None,
                    Some(v) => Some(parse_time(v).ok_or_else(|| format!("invalid consent date '{v}' (use YYYY-MM-DD or RFC 3339)"))?),
                }
            }
            Field::Custom => {
                if let Some(v) = value {
                    if !attr_names[i].is_empty() {
                        r.attributes.insert(attr_names[i].clone(), v);
                    }
                }
            }
        }
    }
    r.check_lengths()?;
    Ok(r)
}

impl ImportRow {
    /// The same length limits a contact entered by hand has.
    fn check_lengths(&self) -> Result<(), String> {
        use crate::limits::{self, check_opt};
        check_opt("first name", self.first_name.as_deref(), limits::NAME)?;
        check_opt("last name", self.last_name.as_deref(), limits::NAME)?;
        check_opt("email", self.email.as_deref(), limits::EMAIL)?;
        check_opt("consent source", self.consent_source.as_deref(), limits::ATTRIBUTE_VALUE)?;
        for (k, v) in &self.attributes {
            limits::check(&format!("column '{}'", limits::ellipsize(k, 40)), v, limits::ATTRIBUTE_VALUE)?;
        }
        Ok(())
    }
}

/// Accepts RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (UTC) and `YYYY-MM-DD`.
pub fn parse_time(v: &str) -> Option<Millis> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.timestamp_millis());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Validated {
        validate(text.as_bytes(), &ImportOptions::default()).unwrap()
    }

    #[test]
    fn good_rows_are_normalized() {
        let v = run("Phone,First Name,Last Name,Email,Tags,Timezone,consent_source,consent_at,Roof Age\n\
                     (415) 555-2671,Ann,Lee,ANN@X.COM,\"vip;roof\",America/Chicago,web form,2025-01-02,12\n");
        assert!(v.errors.is_empty(), "{:?}", v.errors);
        let r = &v.rows[0];
        assert_eq!(r.row, 2);
        assert_eq!(r.phone.as_str(), "+14155552671");
        assert_eq!(r.first_name.as_deref(), Some("Ann"));
        assert_eq!(r.email.as_deref(), Some("ann@x.com"));
        assert_eq!(r.tags, vec!["roof", "vip"]);
        assert_eq!(r.timezone.as_deref(), Some("America/Chicago"));
        assert_eq!(r.consent_at, Some(1_735_776_000_000));
        assert_eq!(r.attributes.get("roof_age").map(String::as_str), Some("12"));
    }

    #[test]
    fn bad_rows_are_reported_with_their_row_numbers() {
        let v = run("phone,first_name\n4155552671,Ann\nnot a phone,Bo\n,Cy\n415-555-2671,Dup\n4155552672,Ed\n");
        assert_eq!(v.total, 5);
        assert_eq!(v.rows.len(), 2);
        let rows: Vec<u64> = v.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![3, 4, 5]);
        assert!(v.errors[0].reason.contains("invalid phone number"));
        assert_eq!(v.errors[1].reason, "missing phone number");
        assert!(v.errors[2].reason.contains("same as row 2"));
    }

    #[test]
    fn row_numbers_count_quoted_newlines() {
        let v = run("phone,notes\n4155552671,\"two\nlines\"\nbad,x\n");
        assert_eq!(v.errors[0].row, 4);
    }

    #[test]
    fn bad_timezone_email_and_date_are_row_errors() {
        let v = run("phone,timezone,email,consent_at\n4155552671,Mars/Base,,\n4155552672,,nope,\n4155552673,,,yesterday\n");
        assert_eq!(v.errors.len(), 3);
        assert!(v.errors[0].reason.contains("time zone"));
        assert!(v.errors[1].reason.contains("email"));
        assert!(v.errors[2].reason.contains("consent date"));
    }

    #[test]
    fn file_level_problems_are_errors() {
        let o = ImportOptions::default();
        assert_eq!(validate(b"name\nAnn\n", &o).unwrap_err(), CsvError::NoPhoneColumn);
        assert_eq!(validate(b"", &o).unwrap_err(), CsvError::Empty);
        assert!(matches!(validate(b"phone\n\xff\xfe\n", &o), Err(CsvError::NotCsv(_))));
    }

    #[test]
    fn explicit_mapping_wins() {
        let o = ImportOptions { mapping: Some(vec![Field::Ignore, Field::Phone]), ..Default::default() };
        let v = validate(b"phone,other\nxx,4155552671\n", &o).unwrap();
        assert_eq!(v.rows[0].phone.as_str(), "+14155552671");
    }

    #[test]
    fn parses_time_formats() {
        assert_eq!(parse_time("2025-01-02T00:00:00Z"), Some(1_735_776_000_000));
        assert_eq!(parse_time("2025-01-02 00:00"), Some(1_735_776_000_000));
        assert_eq!(parse_time("01/02/2025"), None);
    }
}
