//! The analytics use-cases: the page's report, the REST summary and series, CSV exports, a
//! contact's timeline, the alarms, and rebuilding the counters.

use super::alarms::{Alarm, Scope};
pub use super::{FilterInput, FilterOptions};
use super::{kind_label, median, TeamDay, Breakdown, CostRates, DayPoint, Filter, Funnel, Report, Summary, TimelineEntry};
use crate::error::{Error, Result};
use crate::messaging::{EventBus, LiveEvent, SharedRules};
use crate::store::analytics::{self as store, By, Span};
use crate::store::stats::DayRange;
use crate::store::stats::Counters;
use crate::store::{alarms, Db};
use crate::{ContactId, UserId};
use std::collections::HashMap;

#[derive(Clone)]
pub struct Analytics {
    db: Db,
    rules: SharedRules,
    events: EventBus,
    pub costs: CostRates,
}

/// The message kinds the filter offers (what `kind` may be).
pub const KINDS: &[&str] = &["campaign", "farming", "approval", "lead_offer", "lead_unlock", "broadcast", "manual", "auto_reply", "approval_test", "verification"];

impl Analytics {
    pub fn new(db: Db, rules: SharedRules, events: EventBus, costs: CostRates) -> Analytics {
        Analytics { db, rules, events, costs }
    }

    fn zone(&self) -> chrono_tz::Tz {
        self.rules.get().default_zone
    }

    /// Checks a typed filter and turns its dates into instants (both days included).
    pub fn filter(&self, input: &FilterInput) -> Result<Filter> {
        let zone = self.zone();
        let today = chrono::Utc::now().with_timezone(&zone).date_naive();
        let from = match input.last_days {
            Some(n) if !(1..=400).contains(&n) => return Err(Error::Invalid("last_days must be between 1 and 400".into())),
            Some(n) if input.from.trim().is_empty() => {
                let to = if input.to.trim().is_empty() { today } else { chrono::NaiveDate::parse_from_str(input.to.trim(), "%Y-%m-%d").unwrap_or(today) };
                (to - chrono::Duration::days(n - 1)).format("%Y-%m-%d").to_string()
            }
            _ => input.from.clone(),
        };
        let (from, to) = crate::approvals::export::range(zone, &from, &input.to, today)?;
        if to - from > 400 * 86_400_000 {
            return Err(Error::Invalid("pick a period of at most 400 days".into()));
        }
        let kind = input.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(str::to_string);
        if let Some(k) = &kind {
            if !KINDS.contains(&k.as_str()) {
                return Err(Error::Invalid(format!("unknown kind '{}'; one of {}", crate::limits::ellipsize(k, 20), KINDS.join(", "))));
            }
        }
        let sender = input.sender.as_deref().map(str::trim).map(str::to_string);
        Ok(Filter { from, to, kind, campaign_id: input.campaign_id, step: input.step, sender, member: input.member })
    }

    fn summary_of(&self, c: &Counters, offers: &store::OfferFigures) -> Summary {
        let cost = self.costs.cost_micros(c.sent, c.segments, c.priced, c.price_micros, c.priced_segments);
        Summary::new(c.sent, c.delivered, c.failed, c.undelivered, c.filtered, c.replied, c.opted_out, c.warm, c.segments, cost, offers.payments, offers.revenue_cents)
    }

    /// Whether the filter still counts lead-unlock payments (they belong to no campaign, step,
    /// sender or member, and only to the lead-offer kind).
    fn counts_revenue(f: &Filter) -> bool {
        f.campaign_id.is_none() && f.step.is_none() && f.sender.is_none() && f.member.is_none() && f.kind.as_deref().is_none_or(|k| k == "lead_offer" || k == "lead_unlock")
    }

    /// Makes sure the day table is for the organisation's zone and reaches a month past today
    /// (setting it up, or again after a zone change, sums the hourly counters into days once),
    /// and returns its range. `from_first_hour` also stretches it back to the oldest counter
    /// (after a rebuild from old messages).
    async fn days(&self, from_first_hour: bool) -> Result<DayRange> {
        let zone = self.zone();
        let today = chrono::Utc::now().with_timezone(&zone).date_naive();
        let need_last = day_number(today) + 30;
        let current = crate::store::stats::current_days(&self.db).await?;
        // Never shrink: keep the days already covered (they may hold old counters).
        let mut want_first = current.as_ref().map_or(i64::MAX, |c| c.first).min(day_number(today) - 30);
        if from_first_hour || current.as_ref().is_none_or(|c| c.zone != zone.name()) {
            if let Some(h) = crate::store::stats::first_hour(&self.db).await? {
                want_first = want_first.min(day_number(local_date(zone, h * 3_600_000)));
            }
        }
        if let Some(c) = current.filter(|c| c.covers(zone.name(), want_first, need_last)) {
            return Ok(c);
        }
        let range = DayRange { zone: zone.name().to_string(), first: want_first, last: day_number(today) + 400 };
        tracing::info!(zone = zone.name(), first = range.first, last = range.last, "summing the hourly counters into the organisation's days");
        Ok(crate::store::stats::set_days(&self.db, &range, &day_rows(zone, range.first, range.last), (want_first, need_last)).await?)
    }

    /// Whether the daily counters answer a filter: its period must be whole days of the day
    /// table (a zone whose midnight is not on the hour never is).
    async fn span(&self, f: &Filter) -> Result<Span> {
        let range = self.days(false).await?;
        let zone = self.zone();
        let (d0, d1) = (day_number(local_date(zone, f.from)), day_number(local_date(zone, f.to)));
        let on_day_start = |d: i64, ms: i64| start_hour(zone, d) * 3_600_000 == ms;
        Ok(if d0 >= range.first && d1 <= range.last && on_day_start(d0, f.from) && on_day_start(d1, f.to) { Span::Days { from: d0, to: d1 } } else { Span::Hours })
    }

    #[tracing::instrument(skip(self))]
    pub async fn summary(&self, f: &Filter) -> Result<Summary> {
        let totals = store::totals(&self.db, f, self.span(f).await?).await?;
        let offers = if Self::counts_revenue(f) { store::offer_figures(&self.db, f.from, f.to).await? } else { Default::default() };
        Ok(self.summary_of(&totals, &offers))
    }

    /// One point per day of the period in the organisation's zone, days without messages as 0.
    #[tracing::instrument(skip(self))]
    pub async fn series(&self, f: &Filter) -> Result<Vec<DayPoint>> {
        let span = self.span(f).await?;
        self.series_in(f, span).await
    }

    async fn series_in(&self, f: &Filter, span: Span) -> Result<Vec<DayPoint>> {
        let zone = self.zone();
        let mut days: Vec<DayPoint> = Vec::new();
        let mut index = HashMap::new();
        let (first, last) = (day_number(local_date(zone, f.from)), day_number(local_date(zone, f.to - 1)));
        for d in first..=last {
            index.insert(d, days.len());
            days.push(DayPoint { day: date_of(d).format("%Y-%m-%d").to_string(), ..Default::default() });
        }
        for (t, c) in store::by_time(&self.db, f, span).await? {
            let day = match span {
                Span::Days { .. } => t,
                Span::Hours => day_number(local_date(zone, t * 3_600_000)),
            };
            if let Some(&i) = index.get(&day) {
                let p = &mut days[i];
                p.sent += c.sent;
                p.delivered += c.delivered;
                p.failed += c.failed + c.undelivered;
                p.replied += c.replied;
                p.opted_out += c.opted_out;
                p.warm_leads += c.warm;
            }
        }
        Ok(days)
    }

    async fn breakdown(&self, f: &Filter, span: Span, by: By, names: &HashMap<String, String>) -> Result<Vec<Breakdown>> {
        let rows = store::grouped(&self.db, f, span, by).await?;
        Ok(self.breakdown_of(rows, by, names))
    }

    fn breakdown_of(&self, rows: Vec<(String, Counters)>, by: By, names: &HashMap<String, String>) -> Vec<Breakdown> {
        rows
            .into_iter()
            .filter(|(_, c)| c.messages > 0)
            .map(|(key, c)| {
                let label = names.get(&key).cloned().unwrap_or_else(|| match (by, key.as_str()) {
                    (By::Campaign, "0") => "Not in a drip campaign".into(),
                    (By::Member, "0") => "Automatic".into(),
                    (By::Sender, "") => "Default number".into(),
                    (By::Step, s) => s.parse::<i64>().map(|n| if n < 0 { "No step".into() } else { format!("Step {}", n + 1) }).unwrap_or_default(),
                    (By::Kind, k) => kind_label(k).into(),
                    _ => key.clone(),
                });
                Breakdown {
                    key,
                    label,
                    sent: c.sent,
                    delivered: c.delivered,
                    failed: c.failed + c.undelivered,
                    replied: c.replied,
                    opted_out: c.opted_out,
                    warm_leads: c.warm,
                    cost_cents: self.costs.cost_micros(c.sent, c.segments, c.priced, c.price_micros, c.priced_segments) as f64 / 10_000.0,
                }
            })
            .collect()
    }

    /// The choices of the page's filters.
    pub async fn options(&self) -> Result<FilterOptions> {
        Ok(FilterOptions {
            campaigns: store::campaign_choices(&self.db).await?,
            senders: store::senders(&self.db, self.days(false).await.is_ok()).await?.into_iter().map(|s| (s.clone(), if s.is_empty() { "Default number".into() } else { s })).collect(),
            members: store::member_names(&self.db).await?,
            kinds: KINDS.iter().map(|k| (k.to_string(), kind_label(k).to_string())).collect(),
        })
    }

    /// Everything the analytics page shows.
    #[tracing::instrument(skip(self))]
    pub async fn report(&self, f: &Filter) -> Result<Report> {
        let span = self.span(f).await?;
        // One pass per breakdown; the totals and the farming funnel are sums of the kinds.
        let kinds = store::grouped(&self.db, f, span, By::Kind).await?;
        let totals = kinds.iter().fold(Counters::default(), |t, (_, c)| t.plus(c));
        let farming = kinds.iter().find(|(k, _)| k == "farming").map(|(_, c)| *c).unwrap_or_default();
        let revenue = if Self::counts_revenue(f) { store::offer_figures(&self.db, f.from, f.to).await? } else { Default::default() };
        let campaigns: HashMap<String, String> = store::campaign_names(&self.db).await?.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
        let members: HashMap<String, String> = store::member_names(&self.db).await?.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
        let none = HashMap::new();
        let by_kind = self.breakdown_of(kinds, By::Kind, &none);
        let by_campaign = self.breakdown(f, span, By::Campaign, &campaigns).await?;
        let by_step = match f.campaign_id {
            Some(_) => self.breakdown(f, span, By::Step, &none).await?,
            None => Vec::new(),
        };
        let by_member = self.breakdown(f, span, By::Member, &members).await?;
        // Each funnel only where the filter leaves it any messages.
        let mut funnels = Vec::new();
        if f.kind.as_deref().is_none_or(|k| k == "farming") && f.step.is_none() {
            funnels.push(Funnel { name: "Farming".into(), stages: vec![("Sent".into(), farming.sent), ("Replied".into(), farming.replied), ("Warm leads".into(), farming.warm)] });
        }
        if Self::counts_revenue(f) {
            funnels.push(Funnel {
                name: "Lead offers".into(),
                stages: vec![("Teasers".into(), revenue.teasers), ("Said Y".into(), revenue.said_yes), ("Paid".into(), revenue.paid), ("Details sent".into(), revenue.revealed)],
            });
        }
        if !by_step.is_empty() {
            let mut steps: Vec<&Breakdown> = by_step.iter().filter(|b| b.key.parse::<i64>().is_ok_and(|s| s >= 0)).collect();
            steps.sort_by_key(|b| b.key.parse::<i64>().unwrap_or(0));
            funnels.insert(0, Funnel { name: "Drip steps (sent)".into(), stages: steps.iter().map(|b| (b.label.clone(), b.sent)).collect() });
        }
        let zone = self.zone();
        let day = |ms: i64| {
            use chrono::TimeZone;
            zone.timestamp_millis_opt(ms).single().map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
        };
        Ok(Report {
            days: (day(f.from), day(f.to - 1)),
            summary: self.summary_of(&totals, &revenue),
            series: self.series_in(f, span).await?,
            by_kind,
            by_campaign,
            by_step,
            by_member,
            funnels,
            alarms: alarms::recent(&self.db, 20).await?,
            by_source: store::lead_sources(&self.db, f.from, f.to).await?,
        })
    }

    /// Per team member per day: messages sent, conversations handled and the median first
    /// response time, newest day first (only the period and the member filter apply: a
    /// person's messages are one-off messages).
    #[tracing::instrument(skip(self))]
    pub async fn team(&self, f: &Filter) -> Result<Vec<TeamDay>> {
        let zone = self.zone();
        let names: HashMap<i64, String> = store::member_names(&self.db).await?.into_iter().collect();
        let days = match self.span(f).await? {
            // Whole days: the members' day counters.
            Span::Days { from, to } => crate::store::team::days(&self.db, from, to, f.member).await?,
            // Otherwise the members' messages themselves.
            Span::Hours => {
                let mut days: std::collections::BTreeMap<(i64, i64), (crate::store::team::MemberDay, std::collections::HashSet<i64>)> = Default::default();
                for (member, at, contact, response) in crate::store::messages::by_members(&self.db, f.from, f.to, f.member).await? {
                    let day = day_number(local_date(zone, at));
                    let (d, contacts) = days.entry((day, member)).or_insert_with(|| (crate::store::team::MemberDay { day, member, messages: 0, conversations: 0, responses_ms: Vec::new() }, Default::default()));
                    d.messages += 1;
                    contacts.insert(contact);
                    d.conversations = contacts.len() as i64;
                    d.responses_ms.extend(response);
                }
                days.into_values().map(|(d, _)| d).collect()
            }
        };
        Ok(days
            .into_iter()
            .rev()
            .map(|d| TeamDay {
                day: date_of(d.day).format("%Y-%m-%d").to_string(),
                member_id: d.member,
                member: names.get(&d.member).cloned().unwrap_or_else(|| format!("member {}", d.member)),
                messages: d.messages,
                conversations: d.conversations,
                responses: d.responses_ms.len() as i64,
                median_response_secs: median(d.responses_ms).map(|ms| ms / 1000),
            })
            .collect())
    }

    /// The report's tables as one CSV file: the summary, the days, and each breakdown.
    pub async fn report_csv(&self, f: &Filter) -> Result<String> {
        use crate::approvals::export::cell;
        let r = self.report(f).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| Error::Invalid(format!("CSV: {e}"));
        let s = &r.summary;
        let pct = |x: Option<f64>| x.map(|x| format!("{:.4}", x)).unwrap_or_default();
        w.write_record(["section", "key", "sent", "delivered", "failed", "replied", "opted_out", "warm_leads", "cost_usd"]).map_err(err)?;
        w.write_record([
            "summary".into(),
            format!("{}..{}", r.days.0, r.days.1),
            s.sent.to_string(),
            s.delivered.to_string(),
            (s.failed + s.undelivered).to_string(),
            s.replied.to_string(),
            s.opted_out.to_string(),
            s.warm_leads.to_string(),
            format!("{:.2}", s.cost_cents / 100.0),
        ])
        .map_err(err)?;
        w.write_record(["rates".into(), "delivery/reply/opt-out".into(), String::new(), pct(s.delivery_rate), String::new(), pct(s.reply_rate), pct(s.opt_out_rate), String::new(), String::new()]).map_err(err)?;
        w.write_record(["revenue".into(), format!("{} paid unlocks", s.paid_unlocks), String::new(), String::new(), String::new(), String::new(), String::new(), String::new(), format!("{:.2}", s.revenue_cents as f64 / 100.0)]).map_err(err)?;
        for p in &r.series {
            w.write_record(["day".into(), p.day.clone(), p.sent.to_string(), p.delivered.to_string(), p.failed.to_string(), p.replied.to_string(), p.opted_out.to_string(), p.warm_leads.to_string(), String::new()]).map_err(err)?;
        }
        for (section, rows) in [("kind", &r.by_kind), ("campaign", &r.by_campaign), ("step", &r.by_step), ("member", &r.by_member)] {
            for b in rows {
                w.write_record([
                    section.to_string(),
                    cell(&b.label).into_owned(),
                    b.sent.to_string(),
                    b.delivered.to_string(),
                    b.failed.to_string(),
                    b.replied.to_string(),
                    b.opted_out.to_string(),
                    b.warm_leads.to_string(),
                    format!("{:.2}", b.cost_cents / 100.0),
                ])
                .map_err(err)?;
            }
        }
        w.write_record(["team_day", "member", "messages", "conversations", "responses", "median_response_secs", "", "", ""]).map_err(err)?;
        for t in self.team(f).await? {
            let median = t.median_response_secs.map(|s| s.to_string()).unwrap_or_default();
            w.write_record([t.day.clone(), cell(&t.member).into_owned(), t.messages.to_string(), t.conversations.to_string(), t.responses.to_string(), median, String::new(), String::new(), String::new()]).map_err(err)?;
        }
        String::from_utf8(w.into_inner().map_err(|e| Error::Invalid(format!("CSV: {e}")))?).map_err(|e| Error::Invalid(format!("CSV: {e}")))
    }

    /// Everything that happened to a contact, oldest first.
    pub async fn timeline(&self, contact: ContactId) -> Result<Vec<TimelineEntry>> {
        crate::store::contacts::get_by_id(&self.db, contact).await.map_err(|e| match e {
            crate::store::StoreError::NotFound => Error::NotFound(format!("no contact {}", contact.0)),
            e => e.into(),
        })?;
        Ok(store::timeline(&self.db, contact).await?)
    }

    /// Active alarms first, then recent ones.
    pub async fn alarms(&self, limit: i64) -> Result<Vec<Alarm>> {
        Ok(alarms::recent(&self.db, limit.clamp(1, 500)).await?)
    }

    /// The active alarms of one campaign (its banner).
    pub async fn campaign_alarms(&self, campaign: crate::CampaignId) -> Result<Vec<Alarm>> {
        Ok(alarms::active_for(&self.db, Scope::Campaign, &campaign.0.to_string()).await?)
    }

    /// A person acknowledges an alarm (a paused campaign is resumed on its own page).
    pub async fn acknowledge(&self, id: i64, by: Option<UserId>) -> Result<()> {
        if alarms::resolve_one(&self.db, id, by).await? == 0 {
            return Err(Error::NotFound(format!("no active alarm {id}")));
        }
        self.events.publish(LiveEvent::Alarm).await;
        Ok(())
    }

    /// Recounts every counter from the messages (`warmline analytics rebuild`).
    pub async fn rebuild(&self) -> Result<u64> {
        let rows = crate::store::stats::rebuild(&self.db).await?;
        // Old messages may reach back before the day table: stretch it (summing again).
        self.days(true).await?;
        Ok(rows)
    }
}

/// Days since 1970-01-01 of a date.
fn day_number(d: chrono::NaiveDate) -> i64 {
    (d - chrono::NaiveDate::default()).num_days()
}

fn date_of(day: i64) -> chrono::NaiveDate {
    chrono::NaiveDate::default() + chrono::Duration::days(day)
}

fn local_date(zone: chrono_tz::Tz, ms: i64) -> chrono::NaiveDate {
    use chrono::TimeZone;
    zone.timestamp_millis_opt(ms).single().map(|t| t.date_naive()).unwrap_or_default()
}

/// The epoch hour a local day starts in: its midnight's (or, where a clock change skips
/// midnight, the first hour it has).
fn start_hour(zone: chrono_tz::Tz, day: i64) -> i64 {
    use chrono::TimeZone;
    let d = date_of(day);
    (0..4)
        .find_map(|h| zone.from_local_datetime(&d.and_hms_opt(h, 0, 0).expect("a valid hour")).earliest())
        .map(|t| t.timestamp_millis().div_euclid(3_600_000))
        .unwrap_or(day * 24)
}

/// The day table of `first..=last` in `zone`: (day, start hour, end hour).
fn day_rows(zone: chrono_tz::Tz, first: i64, last: i64) -> Vec<(i64, i64, i64)> {
    (first..=last).map(|d| (d, start_hour(zone, d), start_hour(zone, d + 1))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_follow_the_zone_through_clock_changes() {
        let ny = chrono_tz::America::New_York;
        let day = |s: &str| day_number(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        assert_eq!(day("1970-01-02"), 1);
        assert_eq!(date_of(day("2026-03-08")).to_string(), "2026-03-08");
        // Winter: midnight in New York is 05:00 UTC; the spring-forward day has 23 hours and
        // the fall-back day 25; the table has no gap and no overlap.
        let rows = day_rows(ny, day("2026-03-07"), day("2026-11-02"));
        let winter = rows[0];
        assert_eq!(winter.1 % 24, 5);
        assert_eq!(winter.2 - winter.1, 24);
        assert_eq!(rows[1].2 - rows[1].1, 23, "2026-03-08");
        let fall = rows.iter().find(|r| r.0 == day("2026-11-01")).unwrap();
        assert_eq!(fall.2 - fall.1, 25);
        assert!(rows.windows(2).all(|w| w[0].2 == w[1].1));
        // A zone whose midnight is not on the hour still gets whole-hour days (the hour the
        // midnight falls in), so no counter is lost.
        let rows = day_rows(chrono_tz::Asia::Kolkata, 20000, 20010);
        assert!(rows.windows(2).all(|w| w[0].2 == w[1].1));
    }
}
