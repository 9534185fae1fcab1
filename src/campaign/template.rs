//! Drip-campaign message templates.
//!
//! A template is literal text with placeholders:
//!
//! * `{{ field }}` — the contact's value for `field`;
//! * `{{ field | default("fallback") }}` — the value, or `fallback` when the contact has none.
//!
//! Whitespace inside the braces is free (`{{first_name}}`, `{{  first_name|default('there')  }}`).
//! The fallback is a single- or double-quoted string in which `\"`, `\'` and `\\` are escapes;
//! anything inside it (including `{{` and `}}`) is literal. Literal text outside placeholders is
//! kept byte for byte; a lone `{`, `}` or `}}` is literal text. In a run of three or more `{`
//! the placeholder opens at the last two (`{{{x}}}` renders as `{`, the value, `}`).
//!
//! Templates are **strict**: [`Template::parse`] rejects any field that is neither one of
//! [`CONTACT_FIELDS`] nor a custom attribute key the caller declares, and
//! [`Template::render`] fails with [`TemplateError::Missing`] rather than leave a blank hole
//! when a field without a default has no value for the contact.
//!
//! This module is pure (std + serde + thiserror): the browser uses it for the live preview
//! and the server for sending, so both produce identical text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The built-in contact fields a template may use, besides the caller's custom attribute keys.
///
/// `full_name` is derived: first name and last name joined by a space, trimmed.
pub const CONTACT_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "email",
    "timezone",
];

/// A parsed, checked message template.
///
/// Built by [`Template::parse`], which guarantees every field is known and every placeholder
/// well formed; rendered against a contact's [`Values`] by [`Template::render`].
/// (A `Template` deserialized from elsewhere is trusted as is; re-parse its [`Template::source`]
/// to check it against the current custom attribute keys.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// One piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Part {
    /// Literal text, copied as is.
    Text(String),
    /// A placeholder: the lower-case field name and its fallback, if any.
    Field {
        name: String,
        default: Option<String>,
    },
}

/// Why a template failed to parse or to render.
///
/// Every parse error carries `at`, the 0-based character (not byte) offset of the `{{` that
/// opens the offending placeholder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TemplateError {
    /// `{{` with no matching `}}` (before the end of the text or the next `{{`).
    #[error("unclosed {{{{ at character {at}")]
    Unclosed {
        /// Character offset of the `{{`.
        at: usize,
    },
    /// A placeholder with no field name, such as `{{ }}`.
    #[error("empty placeholder at character {at}")]
    Empty {
        /// Character offset of the `{{`.
        at: usize,
    },
    /// A field that is neither a contact field nor a declared custom attribute key (or is not
    /// a valid `[a-z0-9_]+` name at all). `field` is the name as written.
    #[error("unknown field '{field}' at character {at}")]
    UnknownField {
        /// The field name as written in the template (trimmed).
        field: String,
        /// Character offset of the `{{`.
        at: usize,
    },
    /// A filter other than `default`, such as `| upper`. `filter` is the name as written.
    #[error("unknown filter '{filter}' at character {at}; only default(\"…\") is supported")]
    UnknownFilter {
        /// The filter name as written in the template.
        filter: String,
        /// Character offset of the `{{`.
        at: usize,
    },
    /// A malformed `default(...)`: missing parentheses or quotes, an unterminated string, an
    /// unknown escape, an empty fallback, a repeated default, or trailing text.
    #[error("bad default(...) at character {at}: {reason}")]
    BadDefault {
        /// Character offset of the `{{`.
        at: usize,
        /// What is wrong, for the editor.
        reason: String,
    },
    /// Rendering only: the contact has no value for `field` and the placeholder has no default.
    #[error("'{field}' is empty for this contact and has no default")]
    Missing {
        /// The (lower-case) field name.
        field: String,
    },
}

/// The values a template is rendered against (a contact's fields and custom attributes).
///
/// Keys are lower-case field names (`first_name`, `phone`, a custom attribute key, …);
/// [`Values::with`] and [`Values::get`] lower-case the key they are given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Values {
    /// Field name (lower case) to value.
    pub fields: BTreeMap<String, String>,
}

impl Values {
    /// No values at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (lower-cased) to `value`, replacing any earlier value; for chaining.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.fields.insert(key.to_lowercase(), value.to_string());
        self
    }

    /// The value for `key` (lower-cased), trimmed; `None` when absent, empty or whitespace-only.
    ///
    /// This is the stored value only: `full_name` is composed by [`Template::render`], not here.
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = key.to_lowercase();
        self.fields
            .get(&key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value a placeholder renders for `field`: like [`Values::get`], except `full_name`
    /// is first name + " " + last name (trimmed), falling back to a stored `full_name` only
    /// when the contact has neither a first nor a last name.
    fn resolve(&self, field: &str) -> Option<String> {
        if field == "full_name" {
            let composed = format!(
                "{} {}",
                self.get("first_name").unwrap_or(""),
                self.get("last_name").unwrap_or("")
            );
            let composed = composed.trim();
            if !composed.is_empty() {
                return Some(composed.to_string());
            }
        }
        self.get(field).map(str::to_string)
    }
}

impl Template {
    /// Parses and checks every field against the contact fields plus `custom_keys`; returns ALL
    /// errors found (not just the first), each with its character position.
    ///
    /// Field names are case-insensitive and normalized to lower case; `custom_keys` are compared
    /// case-insensitively too. The filter name `default` is also case-insensitive.
    /// A fallback must not be empty or whitespace-only (that would be the blank hole the strict
    /// rules exist to prevent); drop the `default(...)` to make the field required instead.
    pub fn parse(src: &str, custom_keys: &[&str]) -> Result<Template, Vec<TemplateError>> {
        let chars: Vec<char> = src.chars().collect();
        let n = chars.len();
        let custom: Vec<String> = custom_keys.iter().map(|k| k.to_lowercase()).collect();
        let mut parts: Vec<Part> = Vec::new();
        let mut errors: Vec<TemplateError> = Vec::new();
        let mut text = String::new();
        let mut i = 0;

        while i < n {
            if !(chars[i] == '{' && i + 1 < n && chars[i + 1] == '{') {
                text.push(chars[i]);
                i += 1;
                continue;
            }
            // A run of `{`: all but the last two are literal.
            let mut j = i;
            while j < n && chars[j] == '{' {
                j += 1;
            }
            text.extend(&chars[i..j - 2]);
            let open = j - 2;
            let body_start = j;

            match find_close(&chars, body_start) {
                Close::At(close) => {
                    match parse_placeholder(&chars[body_start..close], open, &custom) {
                        Ok(part) => {
                            if !text.is_empty() {
                                parts.push(Part::Text(std::mem::take(&mut text)));
                            }
                            parts.push(part);
                        }
                        Err(mut errs) => errors.append(&mut errs),
                    }
                    i = close + 2;
                }
                Close::Nested(next) => {
                    errors.push(TemplateError::Unclosed { at: open });
                    i = next;
                }
                Close::None => {
                    errors.push(TemplateError::Unclosed { at: open });
                    break;
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template {
            source: src.to_string(),
            parts,
        })
    }

    /// Renders the template for one contact.
    ///
    /// Each placeholder renders the contact's value (see [`Values::get`]; `full_name` is
    /// composed from first and last name), else its default; with neither, rendering fails
    /// with [`TemplateError::Missing`] naming the first such field, so no message ever goes
    /// out with a blank hole.
    pub fn render(&self, values: &Values) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field { name, default } => match (values.resolve(name), default) {
                    (Some(v), _) => out.push_str(&v),
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => {
                        return Err(TemplateError::Missing {
                            field: name.clone(),
                        })
                    }
                },
            }
        }
        Ok(out)
    }

    /// Field names the template uses (for the editor): lower case, each once, in order of
    /// first use.
    pub fn fields(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for part in &self.parts {
            if let Part::Field { name, .. } = part {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
        }
        out
    }

    /// The template text exactly as given to [`Template::parse`].
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Where a placeholder whose body starts at `from` ends.
enum Close {
    /// The closing `}}` starts at this index.
    At(usize),
    /// Another `{{` (outside a quoted string) starts at this index before any `}}`.
    Nested(usize),
    /// No `}}` before the end of the text.
    None,
}

/// Finds the `}}` closing a placeholder body. Quotes open strings only after a `|` (field
/// names cannot contain them), so `}}` and `{{` inside a fallback do not count. If a string is
/// left unterminated, the first `}}` after `from` is taken instead, so the body reports a bad
/// default rather than swallowing the rest of the text.
fn find_close(chars: &[char], from: usize) -> Close {
    let n = chars.len();
    let pair = |k: usize, c: char| chars[k] == c && k + 1 < n && chars[k + 1] == c;
    let mut seen_pipe = false;
    let mut quote: Option<char> = None;
    let mut k = from;
    while k < n {
        let c = chars[k];
        match quote {
            Some(q) => {
                if c == '\\' {
                    k += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None => {
                if pair(k, '}') {
                    return Close::At(k);
                }
                if pair(k, '{') {
                    return Close::Nested(k);
                }
                if c == '|' {
                    seen_pipe = true;
                } else if seen_pipe && (c == '"' || c == '\'') {
                    quote = Some(c);
                }
            }
        }
        k += 1;
    }
    if quote.is_some() {
        if let Some(k) = (from..n).find(|&k| pair(k, '}')) {
            return Close::At(k);
        }
    }
    Close::None
}

/// Parses the text between `{{` (at character `at`) and its `}}`.
fn parse_placeholder(
    body: &[char],
    at: usize,
    custom: &[String],
) -> Result<Part, Vec<TemplateError>> {
    let mut errors = Vec::new();
    let pipe = body.iter().position(|&c| c == '|');
    let raw: String = body[..pipe.unwrap_or(body.len())].iter().collect();
    let raw = raw.trim();
    let name = raw.to_lowercase();

    if raw.is_empty() {
        errors.push(TemplateError::Empty { at });
    } else {
        let valid = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let known = CONTACT_FIELDS.contains(&name.as_str()) || custom.iter().any(|k| *k == name);
        if !valid || !known {
            errors.push(TemplateError::UnknownField {
                field: raw.to_string(),
                at,
            });
        }
    }

    let default = match pipe {
        None => None,
        Some(p) => match parse_filters(&body[p + 1..], at) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };

    if errors.is_empty() {
        Ok(Part::Field { name, default })
    } else {
        Err(errors)
    }
}

/// Parses the filter chain after the first `|`: exactly one `default("…")`. Returns the
/// unescaped fallback.
fn parse_filters(s: &[char], at: usize) -> Result<String, TemplateError> {
    let bad = |reason: &str| TemplateError::BadDefault {
        at,
        reason: reason.to_string(),
    };
    let n = s.len();
    let mut k = 0;
    let skip_ws = |k: &mut usize| {
        while *k < n && s[*k].is_whitespace() {
            *k += 1;
        }
    };
    let mut fallback: Option<String> = None;

    loop {
        skip_ws(&mut k);
        let start = k;
        while k < n && !s[k].is_whitespace() && !matches!(s[k], '(' | '|' | '"' | '\'') {
            k += 1;
        }
        let filter: String = s[start..k].iter().collect();
        if filter.is_empty() {
            return Err(bad("expected default(\"…\") after '|'"));
        }
        if !filter.eq_ignore_ascii_case("default") {
            return Err(TemplateError::UnknownFilter { filter, at });
        }
        if fallback.is_some() {
            return Err(bad("default(...) is given more than once"));
        }

        skip_ws(&mut k);
        if k >= n || s[k] != '(' {
            return Err(bad("expected '(' after default"));
        }
        k += 1;
        skip_ws(&mut k);
        let quote = match s.get(k) {
            Some(&q @ ('"' | '\'')) => q,
            Some(')') => return Err(bad("missing fallback text, e.g. default(\"there\")")),
            _ => {
                return Err(bad(
                    "the fallback must be a quoted string, e.g. default(\"there\")",
                ))
            }
        };
        k += 1;
        let mut text = String::new();
        loop {
            match s.get(k) {
                None => return Err(bad(&format!("missing closing {quote} in the fallback"))),
                Some('\\') => match s.get(k + 1) {
                    Some(&e @ ('"' | '\'' | '\\')) => {
                        text.push(e);
                        k += 2;
                    }
                    Some(e) => {
                        return Err(bad(&format!(
                            "unknown escape '\\{e}' in the fallback; only \\\", \\' and \\\\ are allowed"
                        )))
                    }
                    None => return Err(bad(&format!("missing closing {quote} in the fallback"))),
                },
                Some(&c) if c == quote => {
                    k += 1;
                    break;
                }
                Some(&c) => {
                    text.push(c);
                    k += 1;
                }
            }
        }
        if text.trim().is_empty() {
            return Err(bad("the fallback text is empty; give some text or remove default(...) to require the field"));
        }
        skip_ws(&mut k);
        if k >= n || s[k] != ')' {
            return Err(bad("expected ')' after the fallback string"));
        }
        k += 1;
        fallback = Some(text);
        skip_ws(&mut k);
        if k >= n {
            break;
        }
        if s[k] != '|' {
            return Err(bad("unexpected text after default(...)"));
        }
        k += 1;
    }
    Ok(fallback.unwrap_or_default())
}

/// Whether the text contains opt-out language (a STOP instruction): case-insensitive word "STOP"
/// (e.g. "Reply STOP to opt out", "Txt stop to end"). Used by the builder to warn on a first step
/// without it.
///
/// "STOP" counts only as a whole word: a letter, digit or `_` on either side disqualifies it, so
/// "STOPPED" and "nonstop" do not count, while "STOP.", "(STOP)" and "'stop'" do.
pub fn has_opt_out_language(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: &char| c.is_alphanumeric() || *c == '_';
    chars.windows(4).enumerate().any(|(i, w)| {
        w.iter()
            .zip("stop".chars())
            .all(|(a, b)| a.eq_ignore_ascii_case(&b))
            && !(i > 0 && word(&chars[i - 1]))
            && !chars.get(i + 4).is_some_and(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use TemplateError::*;

    const CUSTOM: &[&str] = &["plan", "renewal_date", "store_2"];

    fn parse(src: &str) -> Result<Template, Vec<TemplateError>> {
        Template::parse(src, CUSTOM)
    }

    fn ana() -> Values {
        Values::new()
            .with("first_name", "Ana")
            .with("last_name", "Silva")
            .with("phone", "+14155550100")
            .with("email", "ana@example.com")
            .with("timezone", "America/Los_Angeles")
            .with("plan", "Gold")
    }

    fn bad(at: usize, reason_part: &str) -> (usize, String) {
        (at, reason_part.to_string())
    }

    #[test]
    fn renders_valid_templates() {
        let none = Values::new();
        let only_last = Values::new().with("last_name", "Silva");
        let blank_first = Values::new()
            .with("first_name", "   ")
            .with("last_name", "\t");
        let cases: &[(&str, &Values, &str)] = &[
            // plain text, byte for byte
            ("Hello there!", &none, "Hello there!"),
            ("", &none, ""),
            (
                "line one\nline two\r\n\ttabbed  ",
                &none,
                "line one\nline two\r\n\ttabbed  ",
            ),
            ("Hi 👋🏽 café — ünïcödé", &none, "Hi 👋🏽 café — ünïcödé"),
            // lone braces are literal
            ("a } b { c }} d", &none, "a } b { c }} d"),
            ("}}{{first_name}}}}", &ana(), "}}Ana}}"),
            ("{{{first_name}}}", &ana(), "{Ana}"),
            ("{ {first_name} }", &none, "{ {first_name} }"),
            // single and multiple placeholders
            ("Hi {{first_name}}", &ana(), "Hi Ana"),
            (
                "{{first_name}} {{last_name}} <{{email}}> {{phone}} {{timezone}}",
                &ana(),
                "Ana Silva <ana@example.com> +14155550100 America/Los_Angeles",
            ),
            ("{{first_name}}{{first_name}}", &ana(), "AnaAna"),
            // whitespace variants
            ("Hi {{ first_name }}!", &ana(), "Hi Ana!"),
            ("Hi {{   first_name\t}}!", &ana(), "Hi Ana!"),
            ("Hi {{\nfirst_name\n}}!", &ana(), "Hi Ana!"),
            ("Hi {{first_name|default(\"x\")}}!", &ana(), "Hi Ana!"),
            (
                "Hi {{  first_name  |  default ( 'x' )  }}!",
                &ana(),
                "Hi Ana!",
            ),
            // present value ignores default
            ("Hi {{ first_name | default(\"there\") }}", &ana(), "Hi Ana"),
            // missing value uses default (double and single quotes)
            (
                "Hi {{ first_name | default(\"there\") }}",
                &none,
                "Hi there",
            ),
            ("Hi {{  first_name|default('there')  }}", &none, "Hi there"),
            ("Hi {{first_name|DEFAULT('there')}}", &none, "Hi there"),
            // escaped quotes and backslashes in the fallback
            (
                r#"{{ first_name | default("the \"boss\"") }}"#,
                &none,
                r#"the "boss""#,
            ),
            (
                r#"{{ first_name | default('it\'s you') }}"#,
                &none,
                "it's you",
            ),
            (
                r#"{{ first_name | default("it's you") }}"#,
                &none,
                "it's you",
            ),
            (
                r#"{{ first_name | default('say "hi"') }}"#,
                &none,
                r#"say "hi""#,
            ),
            (r#"{{ first_name | default("a\\b") }}"#, &none, r"a\b"),
            (r#"{{ first_name | default("end\\") }}"#, &none, r"end\"),
            // emoji in literals and defaults
            (
                "🎉 {{ first_name | default(\"friend 🌟\") }} 🎉",
                &none,
                "🎉 friend 🌟 🎉",
            ),
            (
                "🎉 {{ first_name | default(\"friend 🌟\") }} 🎉",
                &ana(),
                "🎉 Ana 🎉",
            ),
            // braces inside a fallback are literal
            ("{{ first_name | default(\"{{x}}\") }}", &none, "{{x}}"),
            ("{{ first_name | default('}}') }}!", &none, "}}!"),
            ("{{ first_name | default(\"a | b\") }}", &none, "a | b"),
            // whitespace-only value counts as missing; values are trimmed
            (
                "Hi {{ first_name | default(\"there\") }}",
                &blank_first,
                "Hi there",
            ),
            (
                "Hi {{ first_name }}!",
                &Values::new().with("first_name", "  Ana "),
                "Hi Ana!",
            ),
            // case-insensitive field names
            ("Hi {{ First_Name }} {{LAST_NAME}}", &ana(), "Hi Ana Silva"),
            ("{{ PLAN }}", &ana(), "Gold"),
            // full_name composition
            ("{{ full_name }}", &ana(), "Ana Silva"),
            (
                "{{ full_name }}",
                &Values::new().with("first_name", "Ana"),
                "Ana",
            ),
            ("{{ full_name }}", &only_last, "Silva"),
            (
                "{{ full_name | default(\"friend\") }}",
                &blank_first,
                "friend",
            ),
            (
                "{{ full_name }}",
                &Values::new().with("full_name", "Ana Maria Silva"),
                "Ana Maria Silva",
            ),
            // custom attributes
            (
                "Your {{ plan }} plan renews {{ renewal_date | default(\"soon\") }}",
                &ana(),
                "Your Gold plan renews soon",
            ),
            (
                "{{store_2}}",
                &Values::new().with("store_2", "Oak St"),
                "Oak St",
            ),
        ];
        for (src, values, want) in cases {
            let t = parse(src).unwrap_or_else(|e| panic!("{src:?} failed to parse: {e:?}"));
            assert_eq!(t.render(values).as_deref(), Ok(*want), "rendering {src:?}");
            assert_eq!(t.source(), *src);
        }
    }

    #[test]
    fn missing_values_without_default_fail() {
        let cases: &[(&str, Values, &str)] = &[
            ("Hi {{ first_name }}", Values::new(), "first_name"),
            (
                "Hi {{ first_name }}",
                Values::new().with("first_name", "  \t "),
                "first_name",
            ),
            (
                "Hi {{ first_name }}",
                Values::new().with("first_name", ""),
                "first_name",
            ),
            (
                "{{ FULL_NAME }}",
                Values::new().with("first_name", " "),
                "full_name",
            ),
            ("{{ plan }}", ana().with("plan", ""), "plan"),
            (
                "{{ first_name }} {{ email }} {{ plan }}",
                Values::new().with("first_name", "Ana"),
                "email",
            ),
            ("{{ renewal_date }}", ana(), "renewal_date"),
        ];
        for (src, values, field) in cases {
            let t = parse(src).unwrap();
            let err = t.render(values).unwrap_err();
            assert_eq!(
                err,
                Missing {
                    field: field.to_string()
                },
                "rendering {src:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("'{field}' is empty for this contact and has no default")
            );
        }
    }

    #[test]
    fn reports_parse_errors_with_positions() {
        let unknown = |field: &str, at: usize| UnknownField {
            field: field.into(),
            at,
        };
        let filter = |filter: &str, at: usize| UnknownFilter {
            filter: filter.into(),
            at,
        };
        let cases: Vec<(&str, Vec<TemplateError>)> = vec![
            ("Hi {{ frist_name }}", vec![unknown("frist_name", 3)]),
            ("Hi {{ Frist_Name }}", vec![unknown("Frist_Name", 3)]),
            ("Hi {{ first name }}", vec![unknown("first name", 3)]),
            ("{{ first-name }}", vec![unknown("first-name", 0)]),
            ("{{ {first_name} }}", vec![unknown("{first_name}", 0)]),
            // positions are characters, not bytes
            ("👋🏽é {{ nope }}", vec![unknown("nope", 4)]),
            // custom attribute known vs unknown
            ("{{ tier }}", vec![unknown("tier", 0)]),
            // several errors at once, in order
            (
                "{{ a }} and {{ first_name }} and {{ b | default(\"x\") }} {{ }} {{ c | upper }}",
                vec![
                    unknown("a", 0),
                    unknown("b", 33),
                    Empty { at: 56 },
                    unknown("c", 62),
                    filter("upper", 62),
                ],
            ),
            // empty placeholders
            ("{{}}", vec![Empty { at: 0 }]),
            ("x {{   }}", vec![Empty { at: 2 }]),
            ("{{ | default(\"x\") }}", vec![Empty { at: 0 }]),
            // unknown filters
            ("{{ first_name | upper }}", vec![filter("upper", 0)]),
            ("{{ first_name | Upper() }}", vec![filter("Upper", 0)]),
            (
                "{{ first_name | default(\"x\") | upper }}",
                vec![filter("upper", 0)],
            ),
            (
                "{{ first_name | defaults(\"x\") }}",
                vec![filter("defaults", 0)],
            ),
            // unclosed braces
            ("Hi {{ first_name", vec![Unclosed { at: 3 }]),
            ("Hi {{", vec![Unclosed { at: 3 }]),
            ("Hi {{ first_name } there", vec![Unclosed { at: 3 }]),
            (
                "Hi {{ first_name, see {{ last_name }} {{ nope }}",
                vec![Unclosed { at: 3 }, unknown("nope", 38)],
            ),
            (
                "{{ x }} {{ first_name | default(\"abc",
                vec![unknown("x", 0), Unclosed { at: 8 }],
            ),
        ];
        for (src, want) in cases {
            assert_eq!(parse(src).unwrap_err(), want, "parsing {src:?}");
        }
    }

    #[test]
    fn reports_bad_defaults() {
        let cases: Vec<(&str, (usize, String))> = vec![
            ("{{ first_name | }}", bad(0, "expected default")),
            ("{{ first_name | default }}", bad(0, "expected '('")),
            ("{{ first_name | default(there) }}", bad(0, "quoted string")),
            ("{{ first_name | default() }}", bad(0, "missing fallback")),
            ("{{ first_name | default(\"\") }}", bad(0, "empty")),
            ("{{ first_name | default('  ') }}", bad(0, "empty")),
            (
                "{{ first_name | default(\"there\" }}",
                bad(0, "expected ')'"),
            ),
            (
                "{{ first_name | default(\"there') }}",
                bad(0, "missing closing \""),
            ),
            (
                "ab {{ first_name | default('there) }} {{ last_name }}",
                bad(3, "missing closing '"),
            ),
            (
                r#"{{ first_name | default("a\nb") }}"#,
                bad(0, "unknown escape '\\n'"),
            ),
            (
                "{{ first_name | default(\"a\") default(\"b\") }}",
                bad(0, "unexpected text"),
            ),
            (
                "{{ first_name | default(\"a\") | default(\"b\") }}",
                bad(0, "more than once"),
            ),
        ];
        for (src, (at, reason_part)) in cases {
            let errs = parse(src).unwrap_err();
            assert_eq!(errs.len(), 1, "parsing {src:?}: {errs:?}");
            match &errs[0] {
                BadDefault { at: got, reason } => {
                    assert_eq!(*got, at, "parsing {src:?}");
                    assert!(reason.contains(&reason_part), "parsing {src:?}: {reason}");
                }
                other => panic!("parsing {src:?}: expected BadDefault, got {other:?}"),
            }
        }
        // An unknown field and a bad default in the same placeholder are both reported.
        let errs = parse("{{ nope | default( }}").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(
            errs[0],
            UnknownField {
                field: "nope".into(),
                at: 0
            }
        );
        assert!(matches!(errs[1], BadDefault { at: 0, .. }));
    }

    #[test]
    fn error_messages_read_well() {
        let cases: Vec<(TemplateError, &str)> = vec![
            (Unclosed { at: 3 }, "unclosed {{ at character 3"),
            (Empty { at: 0 }, "empty placeholder at character 0"),
            (
                UnknownField {
                    field: "tier".into(),
                    at: 5,
                },
                "unknown field 'tier' at character 5",
            ),
            (
                UnknownFilter {
                    filter: "upper".into(),
                    at: 1,
                },
                "unknown filter 'upper' at character 1; only default(\"…\") is supported",
            ),
            (
                BadDefault {
                    at: 2,
                    reason: "oops".into(),
                },
                "bad default(...) at character 2: oops",
            ),
            (
                Missing {
                    field: "plan".into(),
                },
                "'plan' is empty for this contact and has no default",
            ),
        ];
        for (err, want) in cases {
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn custom_keys_are_checked_per_call() {
        assert!(Template::parse("{{ tier }}", &[]).is_err());
        assert!(Template::parse("{{ tier }}", &["tier"]).is_ok());
        assert!(Template::parse("{{ Tier }}", &["TIER"]).is_ok());
        assert!(Template::parse("{{ plan }}", &["tier"]).is_err());
        for field in CONTACT_FIELDS {
            assert!(
                Template::parse(&format!("{{{{ {field} }}}}"), &[]).is_ok(),
                "{field}"
            );
        }
    }

    #[test]
    fn lists_fields_once_in_order() {
        let t = parse("{{ PLAN }} {{ first_name }} {{ plan | default(\"x\") }} {{ full_name }} {{First_Name}}").unwrap();
        assert_eq!(t.fields(), vec!["plan", "first_name", "full_name"]);
        assert!(parse("no placeholders").unwrap().fields().is_empty());
    }

    #[test]
    fn values_get_treats_blank_as_missing() {
        let v = Values::new()
            .with("First_Name", " Ana ")
            .with("last_name", " ")
            .with("email", "");
        assert_eq!(v.get("first_name"), Some("Ana"));
        assert_eq!(v.get("FIRST_NAME"), Some("Ana"));
        assert_eq!(v.get("last_name"), None);
        assert_eq!(v.get("email"), None);
        assert_eq!(v.get("phone"), None);
        assert_eq!(v.with("phone", "+1").get("phone"), Some("+1"));
    }

    #[test]
    fn template_round_trips_through_serde() {
        let t = parse("Hi {{ first_name | default(\"there\") }} 👋 Reply STOP to opt out").unwrap();
        let json = serde_json::to_string(&t).unwrap();
        let back: Template = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(
            back.render(&Values::new()).unwrap(),
            "Hi there 👋 Reply STOP to opt out"
        );
        let err = UnknownField {
            field: "x".into(),
            at: 1,
        };
        assert_eq!(
            serde_json::from_str::<TemplateError>(&serde_json::to_string(&err).unwrap()).unwrap(),
            err
        );
    }

    #[test]
    fn detects_opt_out_language() {
        let cases: &[(&str, bool)] = &[
            ("Reply STOP to opt out", true),
            ("Txt stop to end", true),
            ("STOP", true),
            ("stop", true),
            ("Reply Stop.", true),
            ("Reply \"STOP\" to unsubscribe", true),
            ("(STOP to end)", true),
            ("Msg&data rates may apply.\nSTOP=end", true),
            ("Reply STOP, HELP for help", true),
            ("🎉STOP🎉", true),
            ("STOPPED", false),
            ("nonstop deals", false),
            ("unstoppable", false),
            ("stops", false),
            ("STOP2END", false),
            ("S T O P", false),
            ("Hello there", false),
            ("", false),
            ("sto", false),
        ];
        for (text, want) in cases {
            assert_eq!(has_opt_out_language(text), *want, "{text:?}");
        }
    }
}
