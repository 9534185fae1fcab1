//! Length limits for every text a person or a client can enter, checked at the edge (server
//! functions, REST handlers, CSV import) and mirrored as `maxlength` in the browser forms.
//!
//! Counted in characters (Unicode scalar values), not bytes, so the same limit holds for
//! "José" and "Jose". The numbers are generous for real data and small enough that one value
//! can't break a page or a table.

/// First or last name.
pub const NAME: usize = 100;
/// An email address (RFC 5321's path limit).
pub const EMAIL: usize = 254;
/// A list, campaign, API key or business name.
pub const TITLE: usize = 120;
/// A tag, after normalisation.
pub const TAG: usize = 64;
/// A custom attribute's name.
pub const ATTRIBUTE_KEY: usize = 64;
/// A custom attribute's value, a consent source, a note line.
pub const ATTRIBUTE_VALUE: usize = 500;
/// One SMS body or template: 10 segments of GSM-7 (Twilio accepts up to 1,600 characters).
pub const MESSAGE: usize = 1_600;
/// A search box.
pub const SEARCH: usize = 200;
/// A password (argon2 hashes whatever it is given; a megabyte password would stall a worker).
pub const PASSWORD: usize = 128;
/// A contact note.
pub const NOTE: usize = 2_000;

/// `Err("first name is too long: 5000 characters, at most 100")` when `value` is over `max`.
pub fn check(field: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n > max {
        Err(format!("{field} is too long: {n} characters, at most {max}"))
    } else {
        Ok(())
    }
}

/// [`check`] for an optional value.
pub fn check_opt(field: &str, value: Option<&str>, max: usize) -> Result<(), String> {
    value.map_or(Ok(()), |v| check(field, v, max))
}

/// Shortens `value` to at most `max` characters for display, ending in "…" when cut.
pub fn ellipsize(value: &str, max: usize) -> String {
    if value.chars().count() <= max {
        value.to_string()
    } else {
        let mut s: String = value.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(check("first name", &"é".repeat(NAME), NAME).is_ok());
        assert_eq!(check("first name", &"a".repeat(5000), NAME).unwrap_err(), "first name is too long: 5000 characters, at most 100");
        assert!(check_opt("email", None, EMAIL).is_ok());
    }

    #[test]
    fn ellipsizes_long_values_only() {
        assert_eq!(ellipsize("short", 10), "short");
        assert_eq!(ellipsize("abcdefghijk", 5), "abcd…");
        assert_eq!(ellipsize("héllo wörld", 6).chars().count(), 6);
    }
}
