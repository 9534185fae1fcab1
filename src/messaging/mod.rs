//! Two-way messaging: the one outbound pipeline every message goes through, inbound handling
//! (keywords, consent, auto-replies), status callbacks, and live events for open panels.

pub mod events;
pub mod inbound;
pub mod limiter;
pub mod manual;
pub mod pipeline;
pub mod policy;
mod queue;
pub mod recovery;
pub mod replies;
pub mod status;

use crate::gate::decision::GateRules;
use crate::providers::SmsProvider;
use crate::store::Db;
use std::sync::Arc;
use std::time::Duration;

pub use events::{EventBus, LiveEvent};
pub use limiter::RateLimiter;
pub use pipeline::{OutboundRequest, SendResult, Submitted};

/// Retry policy for transient provider errors.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 4, base: Duration::from_millis(500), cap: Duration::from_secs(30) }
    }
}

/// Delays the simulator waits before each status it plays.
#[derive(Clone, Copy, Debug)]
pub struct SimulatorTiming {
    pub to_sent: Duration,
    pub to_delivered: Duration,
}

impl Default for SimulatorTiming {
    fn default() -> Self {
        SimulatorTiming { to_sent: Duration::from_millis(400), to_delivered: Duration::from_millis(900) }
    }
}

/// Everything the messaging code needs, cheap to clone. The provider, the rate limiter and the
/// send queue are private to this module: the only way to send is [`Messenger::submit`].
#[derive(Clone)]
pub struct Messenger {
    pub db: Db,
    pub rules: SharedRules,
    pub events: EventBus,
    provider: Arc<dyn SmsProvider>,
    limiter: RateLimiter,
    retry: RetryPolicy,
    simulator: SimulatorTiming,
    queue: queue::SendQueue,
    /// This server's name in the claims (leases) it takes.
    owner: Arc<str>,
    /// How long a claim on a message lasts without being renewed.
    lease: Duration,
    /// A sender's inbound messages are processed one at a time, in arrival order; different
    /// senders' messages in parallel. One lock per stripe of senders (by a hash of the number).
    inbound_order: Arc<[tokio::sync::Mutex<()>]>,
    /// The time the send gate judges quiet hours and caps by.
    clock: Clock,
    /// Lead unlock, told about every message from a service provider (registered at startup;
    /// shared by every clone).
    provider_replies: Arc<std::sync::OnceLock<Arc<dyn ProviderReplies>>>,
    /// Scoring and routing, told when a contact replies, submits a form or is edited.
    contact_hooks: Arc<std::sync::OnceLock<Arc<dyn ContactHooks>>>,
    /// When the opt-out and error rates of a campaign or sender raise an alarm or a pause.
    pub alarm_rules: crate::analytics::alarms::AlarmRules,
}

/// Receives messages from service providers (lead unlock implements it): a STOP, or a reply
/// to a lead offer ("Y", "N lead_abc23456").
#[async_trait::async_trait]
pub trait ProviderReplies: Send + Sync {
    async fn on_provider_message(&self, provider: crate::ProviderId, sms: &inbound::InboundSms, opted_out: bool, lead_reply: bool) -> Result<(), MessagingError>;
}

/// What happened to a contact, for the parts that react to activity (lead scoring, routing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// An inbound message was stored and acted on.
    Inbound,
    /// A lead form was submitted (the contact may be new).
    FormSubmitted,
    /// A person edited the contact's fields.
    Edited,
}

/// Reacts to a contact's activity after it is stored; failures are the hook's to log (the
/// activity itself already happened).
#[async_trait::async_trait]
pub trait ContactHooks: Send + Sync {
    async fn on_activity(&self, contact: crate::ContactId, activity: Activity);
}

/// Where the send gate reads the time: the system clock, or a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// Stripes of the per-sender inbound lock: enough that 32 concurrent senders rarely share one.
const INBOUND_STRIPES: usize = 256;

impl Messenger {
    /// Waits for this sender's turn to process an inbound message (see `inbound_order`).
    pub(crate) async fn inbound_turn(&self, sender: Option<&str>) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        sender.hash(&mut h);
        self.inbound_order[(h.finish() % self.inbound_order.len() as u64) as usize].lock().await
    }

    pub fn new(db: Db, provider: Arc<dyn SmsProvider>, limiter: RateLimiter, rules: GateRules, events: EventBus) -> Messenger {
        Messenger {
            db,
            provider,
            limiter,
            rules: SharedRules::new(rules),
            events,
            retry: RetryPolicy::default(),
            simulator: SimulatorTiming::default(),
            queue: queue::SendQueue::default(),
            owner: server_name().into(),
            lease: Duration::from_secs(60),
            inbound_order: (0..INBOUND_STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            clock: Arc::new(chrono::Utc::now),
            provider_replies: Arc::default(),
            contact_hooks: Arc::default(),
            alarm_rules: Default::default(),
        }
    }

    /// The thresholds and window of the rate alarms.
    pub fn with_alarm_rules(mut self, rules: crate::analytics::alarms::AlarmRules) -> Messenger {
        self.alarm_rules = rules;
        self
    }

    /// Registers what reacts to contacts' activity (once; later calls are ignored).
    pub fn set_contact_hooks(&self, hooks: Arc<dyn ContactHooks>) {
        let _ = self.contact_hooks.set(hooks);
    }

    /// Tells scoring and routing that `contact` did something (after it is stored).
    pub async fn contact_activity(&self, contact: crate::ContactId, activity: Activity) {
        if let Some(h) = self.contact_hooks.get() {
            h.on_activity(contact, activity).await;
        }
    }

    /// Registers the handler for providers' messages (once; later calls are ignored).
    pub fn set_provider_replies(&self, handler: Arc<dyn ProviderReplies>) {
        let _ = self.provider_replies.set(handler);
    }

    /// Judges quiet hours and caps by `clock` instead of the system clock (tests pin the time
    /// of day this way). Claims, leases and stored times keep the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Messenger {
        self.clock = clock;
        self
    }

    /// The time the send gate judges by.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.clock)()
    }

    /// How long this server's claims on messages (and farming batches) last without renewal.
    pub fn with_lease(mut self, lease: Duration) -> Messenger {
        self.lease = lease;
        self
    }

    /// The claim duration.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// This server's name in the claims it takes: host, process and a random part.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Messages waiting in this server's send queue.
    /// A person reviewed a free-text opt-out flag and found it was not an opt-out: the flag is
    /// cleared in the consent ledger (with who did it) and open panels are told.
    #[tracing::instrument(skip(self))]
    pub async fn clear_flag(&self, contact: crate::ContactId, by: crate::UserId) -> Result<(), MessagingError> {
        let mut conn = self.db.pool().acquire().await.map_err(crate::store::StoreError::from)?;
        let change = crate::store::consent::Change { contact, kind: crate::message::ConsentKind::Unflagged, source: "user", message_sid: None, note: Some("reviewed: not an opt-out"), by: Some(by) };
        crate::store::consent::record(&mut conn, &change).await?;
        self.events.publish(LiveEvent::Consent { contact_id: contact }).await;
        Ok(())
    }

    /// At shutdown: gives back the claims of messages waiting in this server's send queue, so
    /// any server's recovery sweep sends them at once, then waits (at most `limit`) for the
    /// messages the senders are in the middle of. Returns how many claims were given back.
    pub async fn release_queued(&self, limit: Duration) -> Result<usize, MessagingError> {
        let claims = self.queue.drain();
        let now = crate::now_millis();
        for (id, token) in &claims {
            crate::store::messages::release_lease(&self.db, *id, token, now).await?;
        }
        if !self.queue.settle(limit).await {
            tracing::warn!("messages still being sent at shutdown; their claims run out on their own");
        }
        Ok(claims.len())
    }

    pub fn send_queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Whether the provider is the built-in simulator (the UI offers "simulate reply").
    pub fn simulated(&self) -> bool {
        self.provider.simulates_callbacks()
    }
}

/// A name for this server process, unique across restarts.
pub fn server_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "warmline".into());
    format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// The gate rules every sender reads, shared so that a change (the organisation's time zone,
/// set at setup or in Settings) applies to the next decision without a restart.
#[derive(Clone, Debug)]
pub struct SharedRules(Arc<std::sync::RwLock<GateRules>>);

impl SharedRules {
    pub fn new(rules: GateRules) -> SharedRules {
        SharedRules(Arc::new(std::sync::RwLock::new(rules)))
    }

    /// A copy of the current rules.
    pub fn get(&self) -> GateRules {
        *self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The zone used when a recipient's zone is unknown, and for the organisation's days.
    pub fn set_default_zone(&self, zone: chrono_tz::Tz) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).default_zone = zone;
    }
}

/// Errors of the messaging use-cases: the core's one domain error.
pub type MessagingError = crate::error::Error;
