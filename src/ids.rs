//! Typed ids: a contact id can never be passed where a list id is wanted.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        // Binds and reads as the integer column it is stored in.
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<i64>().map($name)
            }
        }
    };
}

id_type!(
    /// A contact's id.
    ContactId
);
id_type!(
    /// A list's id.
    ListId
);
id_type!(
    /// A team member's id.
    UserId
);
id_type!(
    /// An API key's id.
    ApiKeyId
);
id_type!(
    /// A CSV import's id.
    ImportId
);
id_type!(
    /// A drip campaign's id.
    CampaignId
);
id_type!(
    /// An enrollment's id (one contact in one campaign).
    EnrollmentId
);
id_type!(
    /// A warm-lead farming campaign's id.
    FarmingCampaignId
);
id_type!(
    /// One farming batch's id (one day's send of a farming campaign).
    FarmingBatchId
);
id_type!(
    /// A message's id (either direction).
    MessageId
);
id_type!(
    /// One suggestion's id (the approval queue).
    SuggestionId
);
id_type!(
    /// A batch of suggestions (one generation).
    SuggestionBatchId
);
id_type!(
    /// A service provider who buys leads.
    ProviderId
);
id_type!(
    /// One offer of one lead to one provider.
    OfferId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print() {
        let id: ContactId = " 42 ".parse().unwrap();
        assert_eq!(id, ContactId(42));
        assert_eq!(id.to_string(), "42");
        assert!("x".parse::<ListId>().is_err());
        assert_eq!(serde_json::to_string(&ListId(7)).unwrap(), "7");
    }
}
id_type!(
    /// A lead capture form's id.
    FormId
);
