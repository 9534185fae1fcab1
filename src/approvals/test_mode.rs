//! Test mode: before a batch goes out, its messages can be sent to the team's own test numbers
//! (Settings → Business), marked as a test, without changing the items' state. An option
//! requires such a test before a batch can be approved.

use super::service::Approvals;
use super::{SuggestionBatchId, SuggestionId, SuggestionStatus, TestMode, TestSent};
use crate::error::{Error, Result};
use crate::gate::decision::Decision;
use crate::message::MessageKind;
use crate::messaging::pipeline::{OutboundRequest, Submitted};
use crate::phone::Region;
use crate::store::{contacts, settings, suggestions as store};
use crate::now_millis;

/// Most test numbers.
pub const MAX_TEST_NUMBERS: usize = 5;
/// Items sent as a test when none are chosen: the batch's first few still waiting.
pub const DEFAULT_TEST_ITEMS: usize = 3;
/// Most items one test may send.
pub const MAX_TEST_ITEMS: usize = 10;
const TEST_NUMBERS: &str = "approvals_test_numbers";
const REQUIRE_TEST: &str = "approvals_require_test";
/// What a test message starts with, so whoever holds the test phone knows.
pub const TEST_PREFIX: &str = "[Test] ";

impl Approvals {
    /// The test numbers and whether a batch needs a test before approval.
    pub async fn test_mode(&self) -> Result<TestMode> {
        let numbers = settings::get_value(self.db(), TEST_NUMBERS).await?.unwrap_or_default();
        let require = settings::get_value(self.db(), REQUIRE_TEST).await?.is_some_and(|v| v == "1");
        Ok(TestMode { numbers: numbers.split(',').filter(|n| !n.is_empty()).map(str::to_string).collect(), require_test: require })
    }

    /// Saves the test numbers (one per line or comma-separated, in any usual format) and the
    /// option. Every number is checked; a bad one is an error naming it and nothing is saved.
    #[tracing::instrument(skip(self, numbers))]
    pub async fn set_test_mode(&self, numbers: &str, require_test: bool, region: Region) -> Result<TestMode> {
        let mut parsed: Vec<String> = Vec::new();
        for raw in numbers.split([',', '\n', ';']).map(str::trim).filter(|n| !n.is_empty()) {
            let n = crate::phone::normalize(raw, region).map_err(|e| Error::Invalid(format!("test number '{}': {e}", crate::limits::ellipsize(raw, 30))))?;
            if !parsed.contains(&n.to_string()) {
                parsed.push(n.to_string());
            }
        }
        if parsed.len() > MAX_TEST_NUMBERS {
            return Err(Error::Invalid(format!("at most {MAX_TEST_NUMBERS} test numbers")));
        }
        if require_test && parsed.is_empty() {
            return Err(Error::Invalid("add a test number before requiring a test send".into()));
        }
        settings::set_value(self.db(), TEST_NUMBERS, &parsed.join(",")).await?;
        settings::set_value(self.db(), REQUIRE_TEST, if require_test { "1" } else { "0" }).await?;
        Ok(TestMode { numbers: parsed, require_test })
    }

    /// Whether a batch has had a test send.
    pub async fn tested(&self, batch: SuggestionBatchId) -> Result<bool> {
        Ok(store::batch_tested(self.db(), batch).await?)
    }

    /// Refuses to schedule a batch that needs a test send and has had none.
    pub(super) async fn check_tested(&self, batch: SuggestionBatchId) -> Result<()> {
        if self.test_mode().await?.require_test && !self.tested(batch).await? {
            return Err(Error::Conflict("send a test of this batch to the test numbers first (required in Settings → Business)".into()));
        }
        Ok(())
    }

    /// Sends `items` of a batch (none: its first few still waiting) to every test number,
    /// through the one pipeline, as test messages: the items keep their state, and each gets a
    /// `test_sent` event in its audit trail.
    #[tracing::instrument(skip(self))]
    pub async fn send_test(&self, batch: SuggestionBatchId, items: &[SuggestionId], actor: &str) -> Result<TestSent> {
        store::batch(self.db(), batch).await?;
        let mode = self.test_mode().await?;
        if mode.numbers.is_empty() {
            return Err(Error::Invalid("add a test number first (Settings → Business → Test numbers)".into()));
        }
        if items.len() > MAX_TEST_ITEMS {
            return Err(Error::Invalid(format!("at most {MAX_TEST_ITEMS} items per test")));
        }
        let mut chosen = Vec::new();
        if items.is_empty() {
            let all = store::list(self.db(), None, Some(batch), None, None, super::service::MAX_BATCH as i64).await?;
            chosen.extend(all.into_iter().filter(|s| matches!(s.status, SuggestionStatus::Suggested | SuggestionStatus::Approved)).take(DEFAULT_TEST_ITEMS));
        } else {
            for id in items {
                let s = store::get_by_id(self.db(), *id).await?;
                if s.batch_id != batch {
                    return Err(Error::Invalid(format!("suggestion {id} is not in this batch")));
                }
                chosen.push(s);
            }
        }
        if chosen.is_empty() {
            return Err(Error::Conflict("nothing in this batch is waiting to be tested".into()));
        }
        // Each test is its own send: a second click sends again, on purpose.
        let run = self.messenger().claim_token();
        let mut out = TestSent::default();
        for number in &mode.numbers {
            let phone = crate::E164::parse(number).map_err(|e| Error::Invalid(e.to_string()))?;
            let contact = contacts::get_or_create_by_phone(self.db(), &phone).await?;
            for s in &chosen {
                let mut req = OutboundRequest::new(contact, format!("{TEST_PREFIX}{}", s.text), MessageKind::ApprovalTest);
                req.key = Some(format!("approval-test:{}:{number}:{run}", s.id));
                match self.messenger().submit(req).await? {
                    Submitted::Accepted(_) | Submitted::Queued(_) | Submitted::Pending(..) | Submitted::Busy(_) => out.sent += 1,
                    Submitted::Scheduled(_, d) => {
                        out.sent += 1;
                        if let Decision::DeferUntil { reason, .. } = d {
                            out.notes.push(format!("{number} waits: {reason}"));
                        }
                    }
                    Submitted::Blocked { reason, .. } => out.notes.push(format!("{number}: not sent: {reason}")),
                    Submitted::Failed(_, e) => out.notes.push(format!("{number}: {e}")),
                    other => out.notes.push(format!("{number}: {}", other.name())),
                }
            }
        }
        let ids: Vec<SuggestionId> = chosen.iter().map(|s| s.id).collect();
        store::record_test(self.db(), &ids, actor, &format!("to {}", mode.numbers.join(", ")), now_millis()).await?;
        out.items = ids;
        out.numbers = mode.numbers;
        self.messenger().events.publish(crate::messaging::LiveEvent::Approvals).await;
        Ok(out)
    }
}
