//! CSV import: reading a header, guessing what each column holds, previewing the first rows,
//! and (server-only) validating every row into contacts or per-row errors.
//!
//! Row numbers are the file's line numbers as a spreadsheet shows them: the header is row 1,
//! the first contact is row 2.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
mod validate;
#[cfg(feature = "ssr")]
pub use validate::{validate, ImportOptions, ImportRow, Validated};

/// What a CSV column is imported as.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Phone,
    FirstName,
    LastName,
    Email,
    Tags,
    Timezone,
    ConsentSource,
    ConsentAt,
    /// Kept as a custom attribute named after the column.
    Custom,
    /// Not imported.
    Ignore,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Phone,
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Tags,
        Field::Timezone,
        Field::ConsentSource,
        Field::ConsentAt,
        Field::Custom,
        Field::Ignore,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            Field::Phone => "phone",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Email => "email",
            Field::Tags => "tags",
            Field::Timezone => "timezone",
            Field::ConsentSource => "consent_source",
            Field::ConsentAt => "consent_at",
            Field::Custom => "custom",
            Field::Ignore => "ignore",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Field::Phone => "Phone",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::Email => "Email",
            Field::Tags => "Tags",
            Field::Timezone => "Time zone",
            Field::ConsentSource => "Consent source",
            Field::ConsentAt => "Consent date",
            Field::Custom => "Custom attribute",
            Field::Ignore => "Don't import",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Guesses a column's meaning from its header; unknown headers become custom attributes.
    pub fn guess(header: &str) -> Field {
        let h: String = header.trim().to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        match h.as_str() {
            "phone" | "phonenumber" | "mobile" | "mobilephone" | "mobilenumber" | "cell" | "cellphone" | "number"
            | "tel" | "telephone" | "msisdn" | "e164" => Field::Phone,
            "firstname" | "first" | "fname" | "givenname" | "name" => Field::FirstName,
            "lastname" | "last" | "lname" | "surname" | "familyname" => Field::LastName,
            "email" | "emailaddress" | "mail" => Field::Email,
            "tags" | "tag" | "labels" => Field::Tags,
            "timezone" | "tz" | "zone" => Field::Timezone,
            "consentsource" | "source" | "optinsource" => Field::ConsentSource,
            "consentat" | "consentdate" | "optinat" | "optindate" | "consenttime" => Field::ConsentAt,
            "" => Field::Ignore,
            _ => Field::Custom,
        }
    }
}

/// A per-row problem found while importing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: u64,
    pub reason: String,
}

/// Problems with the file as a whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CsvError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not valid CSV text: {0}")]
    NotCsv(String),
    #[error("no column holds phone numbers: map one column to Phone")]
    NoPhoneColumn,
    #[error("the column mapping has {got} entries but the file has {want} columns")]
    MappingMismatch { got: usize, want: usize },
    #[error("the column '{0}' is mapped to {1} more than once")]
    DuplicateMapping(String, String),
}

/// The header, the guessed mapping and the first rows of a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub headers: Vec<String>,
    pub mapping: Vec<Field>,
    pub rows: Vec<Vec<String>>,
    /// Whole data rows in `text` (all of them when the text is the whole file).
    pub counted: u64,
    /// `text` was only the head of the file.
    pub truncated: bool,
}

pub(crate) fn reader(text: &[u8]) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(text);
    csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text)
}

/// Reads the header and up to `max_rows` rows. `text` may be a truncated prefix of the file:
/// a cut-off last line is dropped rather than shown half.
pub fn preview(text: &[u8], max_rows: usize, truncated: bool) -> Result<Preview, CsvError> {
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CsvError::Empty);
    }
    check_text(text)?;
    let mut rdr = reader(text);
    let headers: Vec<String> = rdr.headers().map_err(|e| CsvError::NotCsv(e.to_string()))?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    let mut counted = 0u64;
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            // A cut-off last line of a truncated head may not parse; it isn't counted.
            Err(_) if truncated && counted > 0 => break,
            Err(e) => return Err(CsvError::NotCsv(e.to_string())),
        };
        counted += 1;
        if rows.len() <= max_rows {
            rows.push(rec.iter().map(str::to_string).collect::<Vec<_>>());
        }
    }
    if truncated {
        // The last record of a truncated head may be cut off.
        counted = counted.saturating_sub(1);
        if rows.len() <= max_rows {
            rows.pop();
        }
    }
    rows.truncate(max_rows);
    let mapping = guess_mapping(&headers);
    Ok(Preview { headers, mapping, rows, counted, truncated })
}

/// Guesses every column, keeping only the first column for each single-valued field.
pub fn guess_mapping(headers: &[String]) -> Vec<Field> {
    let mut seen = std::collections::HashSet::new();
    headers
        .iter()
        .map(|h| {
            let f = Field::guess(h);
            match f {
                Field::Custom | Field::Ignore => f,
                _ if seen.insert(f.clone()) => f,
                _ => Field::Custom,
            }
        })
        .collect()
}

/// Checks a mapping against a header row: one phone column, no field twice.
pub fn check_mapping(headers: &[String], mapping: &[Field]) -> Result<(), CsvError> {
    if headers.len() != mapping.len() {
        return Err(CsvError::MappingMismatch { got: mapping.len(), want: headers.len() });
    }
    let mut seen = std::collections::HashSet::new();
    for (h, f) in headers.iter().zip(mapping) {
        if !matches!(f, Field::Custom | Field::Ignore) && !seen.insert(f.clone()) {
            return Err(CsvError::DuplicateMapping(h.clone(), f.label().to_string()));
        }
    }
    if !mapping.contains(&Field::Phone) {
        return Err(CsvError::NoPhoneColumn);
    }
    Ok(())
}

/// Rejects binary files (spreadsheets, images) with a clear message instead of garbage rows.
pub(crate) fn check_text(text: &[u8]) -> Result<(), CsvError> {
    let sample = &text[..text.len().min(8192)];
    if sample.contains(&0) {
        return Err(CsvError::NotCsv("it contains binary data (is it an Excel file? save it as CSV first)".into()));
    }
    if sample.starts_with(b"PK\x03\x04") || sample.starts_with(b"%PDF") {
        return Err(CsvError::NotCsv("it looks like a spreadsheet or PDF, not CSV (save it as CSV first)".into()));
    }
    if let Err(e) = std::str::from_utf8(sample) {
        // A cut at the end of the sample may split a character; anything earlier is real.
        if e.error_len().is_some() {
            return Err(CsvError::NotCsv("it is not UTF-8 text".into()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_common_headers() {
        assert_eq!(Field::guess("Phone Number"), Field::Phone);
        assert_eq!(Field::guess("mobile"), Field::Phone);
        assert_eq!(Field::guess("First Name"), Field::FirstName);
        assert_eq!(Field::guess("last_name"), Field::LastName);
        assert_eq!(Field::guess("E-mail"), Field::Email);
        assert_eq!(Field::guess("consent_at"), Field::ConsentAt);
        assert_eq!(Field::guess("Roof Age"), Field::Custom);
    }

    #[test]
    fn mapping_keeps_first_of_each_field() {
        let h: Vec<String> = ["phone", "mobile", "name"].map(String::from).to_vec();
        assert_eq!(guess_mapping(&h), vec![Field::Phone, Field::Custom, Field::FirstName]);
    }

    #[test]
    fn preview_reads_header_and_rows_and_drops_cut_line() {
        let text = b"\xEF\xBB\xBFphone,first_name\n4155552671,Ann\n4155552672,Bo\n41555";
        let p = preview(text, 10, true).unwrap();
        assert_eq!(p.headers, vec!["phone", "first_name"]);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.mapping, vec![Field::Phone, Field::FirstName]);
        assert_eq!(p.counted, 2, "the cut-off line is not counted");
        let p = preview(text, 1, false).unwrap();
        assert_eq!(p.rows, vec![vec!["4155552671".to_string(), "Ann".to_string()]]);
        assert_eq!(p.counted, 3, "the whole file: every row is counted, not only those shown");
    }

    #[test]
    fn rejects_binary_and_empty_files() {
        assert_eq!(preview(b"  \n", 5, false), Err(CsvError::Empty));
        assert!(matches!(preview(b"PK\x03\x04\x00\x00", 5, false), Err(CsvError::NotCsv(_))));
        assert!(matches!(preview(b"a,b\n\xff\xfe,x\n", 5, false), Err(CsvError::NotCsv(_))));
    }

    #[test]
    fn mapping_needs_one_phone_column() {
        let h: Vec<String> = ["a", "b"].map(String::from).to_vec();
        assert_eq!(check_mapping(&h, &[Field::Custom, Field::Ignore]), Err(CsvError::NoPhoneColumn));
        assert!(matches!(check_mapping(&h, &[Field::Phone, Field::Phone]), Err(CsvError::DuplicateMapping(..))));
        assert!(matches!(check_mapping(&h, &[Field::Phone]), Err(CsvError::MappingMismatch { .. })));
        assert!(check_mapping(&h, &[Field::Phone, Field::Custom]).is_ok());
    }

    #[test]
    fn fields_round_trip_keys() {
        for f in Field::ALL {
            assert_eq!(Field::from_key(f.key()), Some(f.clone()));
        }
    }
}
