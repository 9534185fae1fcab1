//! Which rules apply to which kind of outbound message: the one table the pipeline reads.
//!
//! | kind        | consent, flags, number state | quiet hours, caps | deferred message waits   | after the last transient error | blocked message is stored |
//! |-------------|------------------------------|-------------------|--------------------------|--------------------------------|---------------------------|
//! | manual      | block                        | defer             | as `scheduled`           | marked failed                  | yes (canceled, with why)  |
//! | campaign    | block                        | defer             | in its enrollment        | the runner's next round        | no (the enrollment ends)  |
//! | farming     | block                        | defer             | as `scheduled`           | marked failed                  | yes                       |
//! | broadcast   | block                        | defer             | as `scheduled`           | marked failed                  | yes                       |
//! | approval    | block                        | defer             | as `scheduled`           | marked failed                  | yes                       |
//! | approval test | block                      | defer             | as `scheduled`           | marked failed                  | yes                       |
//! | lead offer  | block                        | defer             | as `scheduled`           | marked failed                  | yes                       |
//! | lead unlock | block                        | never (asked for) | never deferred           | marked failed                  | yes                       |
//! | verification | block                       | never (asked for) | never deferred           | marked failed                  | yes                       |
//! | auto-reply  | never                        | never             | never deferred           | marked failed                  | never blocked             |
//!
//! Auto-replies are the keyword confirmations (STOP, START, HELP) and the warm-lead thank-you:
//! carriers require the STOP confirmation even though the contact has just opted out, so they
//! only wait for the rate limit. The frequency cap counts only messages marked marketing (a
//! manual send chooses; drips, farming, broadcasts and approved suggestions always are; a test
//! send to the team's own numbers never is). Lead offers go to service providers, businesses
//! rather than consumers: not marketing for the cap, but quiet hours apply to a teaser. The
//! payment link and the client's details answer the provider's own Y and payment, so only
//! consent (a STOP) can hold them.

use crate::message::MessageKind;

/// The rules for one kind of message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindPolicy {
    /// The send gate applies: consent, flags and number state block; quiet hours and caps defer.
    pub gated: bool,
    /// A deferred message is stored as `scheduled` for the scheduler (otherwise nothing is
    /// stored and the caller keeps the work: a drip step waits in its enrollment).
    pub store_deferred: bool,
    /// A blocked message is stored as canceled, so the conversation shows why.
    pub store_blocked: bool,
    /// After the last provider attempt fails transiently the caller tries again in a later round
    /// (the message stays queued); otherwise it is marked failed.
    pub caller_retries: bool,
    /// Marketing unless the request says otherwise.
    pub marketing: bool,
    /// Quiet hours and the frequency cap defer it (when gated). Off: only consent and the
    /// number's state can stop it.
    pub quiet_hours: bool,
}

/// The table above, as code. `None` for kinds that are never sent (inbound).
pub fn policy(kind: MessageKind) -> Option<KindPolicy> {
    let stored = KindPolicy { gated: true, store_deferred: true, store_blocked: true, caller_retries: false, marketing: true, quiet_hours: true };
    Some(match kind {
        MessageKind::Manual | MessageKind::ApprovalTest | MessageKind::LeadOffer => KindPolicy { marketing: false, ..stored },
        MessageKind::LeadUnlock | MessageKind::Verification => KindPolicy { marketing: false, quiet_hours: false, ..stored },
        MessageKind::Campaign => KindPolicy { store_deferred: false, store_blocked: false, caller_retries: true, ..stored },
        MessageKind::Farming | MessageKind::Broadcast | MessageKind::Approval => stored,
        MessageKind::AutoReply => KindPolicy { gated: false, store_deferred: false, store_blocked: false, caller_retries: false, marketing: false, quiet_hours: false },
        MessageKind::Inbound => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations_are_never_gated_and_drips_wait_in_their_enrollment() {
        assert!(!policy(MessageKind::AutoReply).unwrap().gated);
        let drip = policy(MessageKind::Campaign).unwrap();
        assert!(drip.gated && !drip.store_deferred && drip.caller_retries && drip.marketing);
        for k in [MessageKind::Manual, MessageKind::Farming, MessageKind::Broadcast, MessageKind::Approval, MessageKind::ApprovalTest] {
            let p = policy(k).unwrap();
            assert!(p.gated && p.store_deferred && p.store_blocked && !p.caller_retries);
        }
        assert!(!policy(MessageKind::Manual).unwrap().marketing);
        assert!(!policy(MessageKind::ApprovalTest).unwrap().marketing, "a test to the team is not marketing");
        assert!(policy(MessageKind::Inbound).is_none());
        let unlock = policy(MessageKind::LeadUnlock).unwrap();
        assert!(unlock.gated && !unlock.quiet_hours && !unlock.marketing, "a paid reveal checks consent but not the clock");
        assert!(policy(MessageKind::LeadOffer).unwrap().quiet_hours);
    }
}
