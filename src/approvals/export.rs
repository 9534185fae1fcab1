//! Reports over a date range (by campaign type and by batch) and the CSV exports of the audit
//! trail and of those reports.

use super::service::Approvals;
use super::{Reports, SuggestionBatchId};
use crate::error::{Error, Result};
use crate::store::suggestions::{self as store, iso};
use crate::Millis;

/// Audit events read per query while writing the export.
const PAGE: i64 = 1000;

/// A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@` or a control
/// character gets a leading `'` (CSV injection).
pub fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("could not write the CSV: {e}"))
}

fn checked(from: Millis, to: Millis) -> Result<()> {
    if from >= to {
        return Err(Error::Invalid("the report's start must be before its end".into()));
    }
    Ok(())
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.4}", r)).unwrap_or_default()
}

impl Approvals {
    /// How each campaign type and each batch did, for suggestions made in `[from, to)`.
    pub async fn reports(&self, from: Millis, to: Millis) -> Result<Reports> {
        checked(from, to)?;
        Ok(Reports { from, to, days: Default::default(), by_type: store::report_by_type(self.db(), from, to).await?, by_batch: store::report_by_batch(self.db(), from, to).await? })
    }

    /// The reports as CSV: one row per campaign type, then one per batch.
    pub async fn reports_csv(&self, from: Millis, to: Millis) -> Result<String> {
        let r = self.reports(from, to).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["group", "name", "suggested", "approved", "rejected", "cancelled", "sent", "failed", "replied_7d", "response_rate", "opted_out_7d", "opt_out_rate"]).map_err(csv_error)?;
        let rows = r.by_type.iter().map(|x| ("campaign type", x)).chain(r.by_batch.iter().map(|x| ("batch", x)));
        for (group, x) in rows {
            let n = |v: i64| v.to_string();
            w.write_record([
                group.to_string(),
                cell(&x.label).into_owned(),
                n(x.suggested),
                n(x.approved),
                n(x.rejected),
                n(x.cancelled),
                n(x.sent),
                n(x.failed),
                n(x.replied),
                rate(x.response_rate()),
                n(x.opted_out),
                rate(x.opt_out_rate()),
            ])
            .map_err(csv_error)?;
        }
        String::from_utf8(w.into_inner().map_err(csv_error)?).map_err(csv_error)
    }

    /// The audit trail as CSV: every event (of one batch, or all) made in `[from, to)`, oldest
    /// first, read page by page.
    #[tracing::instrument(skip(self))]
    pub async fn audit_csv(&self, batch: Option<SuggestionBatchId>, from: Millis, to: Millis) -> Result<String> {
        checked(from, to)?;
        if let Some(b) = batch {
            store::batch(self.db(), b).await?;
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["time", "suggestion_id", "batch_id", "batch", "campaign_type", "contact", "phone", "event", "by", "old_text", "new_text", "note"]).map_err(csv_error)?;
        let mut after = 0;
        loop {
            let page = store::audit_page(self.db(), batch, from, to, after, PAGE).await?;
            for row in &page {
                let e = &row.event;
                w.write_record([
                    iso(e.created_at),
                    e.suggestion_id.to_string(),
                    row.batch_id.to_string(),
                    cell(&row.batch_name).into_owned(),
                    cell(&row.campaign_type).into_owned(),
                    cell(&row.contact_name).into_owned(),
                    row.phone.clone(),
                    e.kind.clone(),
                    cell(&e.actor).into_owned(),
                    cell(e.old_text.as_deref().unwrap_or("")).into_owned(),
                    cell(e.new_text.as_deref().unwrap_or("")).into_owned(),
                    cell(e.note.as_deref().unwrap_or("")).into_owned(),
                ])
                .map_err(csv_error)?;
            }
            match page.last() {
                Some(last) if page.len() as i64 == PAGE => after = last.id,
                _ => break,
            }
        }
        String::from_utf8(w.into_inner().map_err(csv_error)?).map_err(csv_error)
    }
}


/// A report's range from dates typed as `YYYY-MM-DD` in `zone`, both days included: `[from
/// 00:00, the day after to 00:00)`. An empty `to` is today; an empty `from` is 29 days before
/// `to` (30 days in all).
pub fn range(zone: chrono_tz::Tz, from: &str, to: &str, today: chrono::NaiveDate) -> Result<(Millis, Millis)> {
    use chrono::{NaiveDate, TimeZone};
    let day = |field: &str, s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::Invalid(format!("{field} '{}' is not a date like 2026-12-01", crate::limits::ellipsize(s, 20))));
    let to = if to.trim().is_empty() { today } else { day("to", to)? };
    let from = if from.trim().is_empty() { to - chrono::Duration::days(29) } else { day("from", from)? };
    if from > to {
        return Err(Error::Invalid("the start date is after the end date".into()));
    }
    let midnight = |d: NaiveDate| zone.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")).earliest().map(|t| t.timestamp_millis());
    let start = midnight(from).ok_or_else(|| Error::Invalid("that start date has no midnight in the organisation's time zone".into()))?;
    let end = midnight(to + chrono::Duration::days(1)).ok_or_else(|| Error::Invalid("that end date has no midnight in the organisation's time zone".into()))?;
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_not_run_by_spreadsheets() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1 415"), "'+1 415");
        assert_eq!(cell("Hi Sam"), "Hi Sam");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn a_range_covers_whole_days_in_the_zone() {
        use chrono::NaiveDate;
        let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let (a, b) = super::range(ny, "2026-12-01", "2026-12-01", today).unwrap();
        assert_eq!(a, 1_796_101_200_000); // 2026-12-01 05:00 UTC
        assert_eq!(b - a, 86_400_000);
        let (a, b) = super::range(ny, "", "", today).unwrap();
        assert_eq!((b - a) / 86_400_000, 30);
        assert!(super::range(ny, "2026-12-02", "2026-12-01", today).is_err());
        assert!(super::range(ny, "yesterday", "", today).unwrap_err().to_string().contains("not a date"));
    }
}
