//! Server-side state handed to every server function through Leptos context.

use crate::imports::ImportJobs;
use crate::throttle::LoginThrottle;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use warmline::analytics::service::Analytics;
use warmline::approvals::service::Approvals;
use warmline::unlock::service::Unlock;
use warmline::config::Config;
use warmline::drip::{Drip, DripOptions};
use warmline::farming::service::Farm;
use warmline::forms::service::Forms;
use warmline::routing::service::Routing;
use warmline::scoring::service::Scoring;
use warmline::messaging::Messenger;
use warmline::store::Db;
use warmline::user::User;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub messenger: Messenger,
    /// Drip campaigns: the service and its runner.
    pub drip: Drip,
    /// Warm-lead farming.
    pub farm: Farm,
    /// The approval queue: suggestions, decisions, plans and its scheduler.
    pub approvals: Approvals,
    /// Lead unlock: providers, leads, offers, payments.
    pub unlock: Unlock,
    /// Figures, charts, timelines and the rate alarms.
    pub analytics: Analytics,
    /// Lead capture forms and their submissions.
    pub forms: Forms,
    /// Lead scoring: rules, scores and the recompute job.
    pub scoring: Scoring,
    /// Routing: who takes new leads and conversations; presence in a conversation.
    pub routing: Routing,
    pub leptos_options: LeptosOptions,
    pub imports: ImportJobs,
    pub throttle: LoginThrottle,
    setup_done: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(db: Db, config: Config, leptos_options: LeptosOptions, messenger: Messenger) -> AppState {
        let farm = Farm::new(messenger.clone());
        let drip = Drip::new(messenger.clone(), DripOptions { tick: config.drip_tick, ..DripOptions::default() });
        let approvals = Approvals::new(messenger.clone(), config.approval_limits).with_writer(config.ai.clone().map(warmline::approvals::writer::AiWriter::new));
        let unlock = unlock_service(&config, messenger.clone());
        let analytics = Analytics::new(db.clone(), messenger.rules.clone(), messenger.events.clone(), config.costs);
        let forms = Forms::new(drip.clone(), config.default_region).with_unlock(unlock.clone());
        let scoring = Scoring::new(drip.clone());
        let routing = Routing::new(messenger.clone());
        // Scored first, then routed (a rule can look at the score).
        scoring.then(Arc::new(routing.clone()));
        messenger.set_contact_hooks(Arc::new(scoring.clone()));
        AppState {
            forms,
            scoring,
            routing,
            unlock,
            analytics,
            db,
            config: Arc::new(config),
            messenger,
            drip,
            farm,
            approvals,
            leptos_options,
            imports: ImportJobs::default(),
            throttle: LoginThrottle::default(),
            setup_done: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether the first admin exists (cached once true: users are never all removed).
    pub async fn setup_done(&self) -> Result<bool, warmline::store::StoreError> {
        if self.setup_done.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let done = warmline::store::users::count(&self.db).await? > 0;
        if done {
            self.setup_done.store(true, Ordering::Relaxed);
        }
        Ok(done)
    }

    pub fn mark_setup_done(&self) {
        self.setup_done.store(true, Ordering::Relaxed);
    }
}

/// Lead unlock over the configured payment provider; it also receives providers' replies.
fn unlock_service(config: &Config, messenger: Messenger) -> Unlock {
    use warmline::config::PaymentProvider;
    use warmline::unlock::stripe::{SimulatedPayments, StripeClient};
    let s = &config.stripe;
    let gateway: Arc<dyn warmline::unlock::stripe::PaymentGateway> = match s.provider {
        PaymentProvider::Simulator => Arc::new(SimulatedPayments::new(&config.public_url)),
        PaymentProvider::Stripe => Arc::new(StripeClient::new(&s.api_base, s.secret_key.as_deref().unwrap_or_default(), s.timeout)),
    };
    // The simulator signs its events like Stripe; without a configured secret it uses one
    // derived from the lead key (the same on every server of the installation).
    let secret = s.webhook_secret.clone().unwrap_or_else(|| format!("whsec_sim_{}", config.lead_key.derive("stripe-simulator-webhook")));
    let unlock = Unlock::new(messenger.clone(), gateway, config.lead_key.clone(), &config.public_url, &secret);
    messenger.set_provider_replies(Arc::new(unlock.clone()));
    unlock
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        s.leptos_options.clone()
    }
}

/// The signed-in user (if any), put in request extensions by the server's session middleware.
#[derive(Clone, Debug, Default)]
pub struct CurrentUser(pub Option<User>);

/// The caller's address as the server sees it, for login throttling.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "warmline_session";
