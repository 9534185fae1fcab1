//! The routing use-cases: the rules, members' availability, assigning a contact that arrives
//! (a form submission, a first reply) and assigning by hand. Every assignment tells the
//! assignee live.

use super::{Candidate, Pick, RoutingOverview, RoutingSettings, Target};
use crate::error::{Error, Result};
use crate::messaging::{Activity, ContactHooks, LiveEvent, Messenger};
use crate::store::routing as store;
use crate::store::{Db, StoreError};
use crate::user::User;
use crate::{now_millis, ContactId, UserId};

const SETTINGS_KEY: &str = "routing";

#[derive(Clone)]
pub struct Routing {
    messenger: Messenger,
}

impl Routing {
    pub fn new(messenger: Messenger) -> Routing {
        Routing { messenger }
    }

    fn db(&self) -> &Db {
        &self.messenger.db
    }

    pub async fn settings(&self) -> Result<RoutingSettings> {
        Ok(match crate::store::settings::get_value(self.db(), SETTINGS_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::error!(error = %e, "the stored routing rules do not read; routing nothing until they are saved again");
                RoutingSettings::default()
            }),
            None => RoutingSettings::default(),
        })
    }

    /// Saves the rules and groups (every member named must exist).
    #[tracing::instrument(skip(self, s), fields(rules = s.rules.len(), groups = s.groups.len()))]
    pub async fn save(&self, s: &RoutingSettings) -> Result<()> {
        s.check().map_err(Error::Invalid)?;
        let members: Vec<UserId> = store::members(self.db()).await?.into_iter().map(|m| m.id).collect();
        let named = s.rules.iter().filter_map(|r| match r.to {
            Target::Member { user_id } => Some(user_id),
            Target::Group { .. } => None,
        });
        if let Some(u) = named.chain(s.groups.iter().flat_map(|g| g.members.iter().copied())).find(|u| !members.contains(u)) {
            return Err(Error::Invalid(format!("there is no team member {}", u.0)));
        }
        let json = serde_json::to_string(s).map_err(|e| Error::Invalid(e.to_string()))?;
        crate::store::settings::set_value(self.db(), SETTINGS_KEY, &json).await?;
        tracing::info!("routing rules saved");
        self.messenger.events.publish(LiveEvent::Routing).await;
        Ok(())
    }

    pub async fn overview(&self) -> Result<RoutingOverview> {
        Ok(RoutingOverview { settings: self.settings().await?, members: store::members(self.db()).await? })
    }

    /// Marks a member available for new leads or away. Members set their own; admins anyone's.
    #[tracing::instrument(skip(self, by), fields(by = %by.id))]
    pub async fn set_available(&self, by: &User, member: UserId, available: bool) -> Result<()> {
        if member != by.id && !by.is_admin() {
            return Err(Error::Forbidden);
        }
        store::set_available(self.db(), member, available).await.map_err(|e| match e {
            StoreError::NotFound => Error::NotFound(format!("no team member {}", member.0)),
            e => e.into(),
        })?;
        tracing::info!(member = %member, available, "availability changed");
        self.messenger.events.publish(LiveEvent::Routing).await;
        Ok(())
    }

    /// Assigns a contact that arrived to whoever the rules pick, unless someone has its
    /// conversation already or it opted out. Who got it, if anyone.
    #[tracing::instrument(skip(self))]
    pub async fn route(&self, contact: ContactId) -> Result<Option<UserId>> {
        if crate::store::messages::assigned_to(self.db(), contact).await?.is_some() {
            return Ok(None);
        }
        let Some(scored) = crate::store::scoring::facts_of(self.db(), contact).await? else {
            return Err(Error::NotFound(format!("no contact {}", contact.0)));
        };
        if scored.facts.opted_out {
            return Ok(None);
        }
        let settings = self.settings().await?;
        let candidate = Candidate { source: scored.facts.fields.get("source").cloned(), fields: scored.facts.fields, score: scored.score };
        let available = store::available(self.db()).await?;
        let Some(route) = settings.route(&candidate, &available) else {
            tracing::debug!("no rule matched and round robin is off: left unassigned");
            return Ok(None);
        };
        let user = match &route.pick {
            Pick::Member(u) => *u,
            Pick::Turn { pool, members } => store::take_turn(self.db(), pool, members).await?,
        };
        if !crate::store::messages::assign_if_unassigned(self.db(), contact, user, now_millis()).await? {
            return Ok(None);
        }
        tracing::info!(user = %user, rule = ?route.rule.map(|r| r + 1), "routed");
        self.announce(contact, user).await?;
        Ok(Some(user))
    }

    /// Assigns (or with `None` unassigns) a conversation by hand. The assignee hears of it
    /// unless they did it themselves.
    #[tracing::instrument(skip(self, by), fields(by = %by.id))]
    pub async fn assign(&self, by: &User, contact: ContactId, user: Option<UserId>) -> Result<()> {
        if let Some(u) = user {
            crate::store::users::get_by_id(self.db(), u).await.map_err(|_| Error::Invalid(format!("there is no team member {}", u.0)))?;
        }
        crate::store::messages::assign(self.db(), contact, user).await.map_err(|e| match e {
            StoreError::NotFound => Error::NotFound(format!("no conversation with contact {}", contact.0)),
            e => e.into(),
        })?;
        match user {
            Some(u) if u != by.id => self.announce(contact, u).await?,
            _ => self.messenger.events.publish(LiveEvent::Conversation { contact_id: contact }).await,
        }
        Ok(())
    }

    /// Tells the others with the conversation open that `by` is viewing it, typing in it, or
    /// left it (nothing is stored). `hello` asks them to answer with their own presence.
    pub async fn presence(&self, by: &User, contact: ContactId, state: crate::live::PresenceState, hello: bool) {
        let name = by.email.split('@').next().unwrap_or(&by.email).to_string();
        self.messenger.events.publish(LiveEvent::Presence { contact_id: contact, user_id: by.id, name, state, hello }).await;
    }

    async fn announce(&self, contact: ContactId, user: UserId) -> Result<()> {
        let name = crate::store::contacts::get_by_id(self.db(), contact).await?.display_name();
        self.messenger.events.publish(LiveEvent::Assigned { contact_id: contact, user_id: user, name }).await;
        Ok(())
    }
}

/// A contact who submits a form or writes in is routed once its score is up to date.
#[async_trait::async_trait]
impl ContactHooks for Routing {
    async fn on_activity(&self, contact: ContactId, activity: Activity) {
        if matches!(activity, Activity::Edited) {
            return;
        }
        if let Err(e) = self.route(contact).await {
            tracing::warn!(error = %e, contact = %contact, ?activity, "could not route the contact");
        }
    }
}
