//! Integrations: programs that drive an official account from outside (an agency's ticketing
//! system, an e-government portal), with credentials of their own and the scopes they were
//! given.

use crate::{InvalidInput, error::wire_enum};

/// An integration's id in storage.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct IntegrationId(pub i64);

wire_enum!(
    /// Something an integration may do for its account.
    Scope, "scopes" {
        /// Send messages in the account's conversations.
        Message => "message",
        /// Read the account's followers and the people who wrote to it.
        Followers => "followers",
        /// Put tags on followers and remove them.
        Tags => "tags",
        /// Receive events at a webhook.
        Webhooks => "webhooks",
        /// Send broadcasts to followers.
        Broadcast => "broadcast",
    }
);

/// The set of scopes an integration holds, kept in declaration order without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Every scope.
    pub fn all() -> Self {
        Self(Scope::ALL.to_vec())
    }

    /// The scopes named in a list separated by commas or spaces; at least one, each known.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let mut held = Vec::new();
        for word in raw.split([',', ' ', '\n', '\t']).map(str::trim).filter(|w| !w.is_empty()) {
            held.push(word.parse::<Scope>()?);
        }
        Self::of(held)
    }

    /// The scopes given, at least one.
    pub fn of(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, InvalidInput> {
        let mut held: Vec<Scope> = scopes.into_iter().collect();
        held.sort();
        held.dedup();
        if held.is_empty() {
            return Err(InvalidInput::Length { field: "scopes", min: 1, max: Scope::ALL.len() });
        }
        Ok(Self(held))
    }

    /// Whether the set holds `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// The scopes, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// The stored form: words joined by commas.
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// An integration's name as officers see it in the inbox ("Hệ thống một cửa"): NFC, trimmed,
/// 1–80 characters, no control characters.
pub fn integration_name(raw: &str) -> Result<String, InvalidInput> {
    crate::bounded_text(raw, "name", 1, 80).and_then(|name| {
        if name.contains('\n') {
            Err(InvalidInput::ControlCharacter { field: "name" })
        } else {
            Ok(name)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_from_a_list_and_refuse_unknown_words_or_nothing() {
        let s = Scopes::parse("webhooks, message message").unwrap_or_default();
        assert_eq!(s.to_stored(), "message,webhooks");
        assert!(s.has(Scope::Message) && !s.has(Scope::Tags));
        assert!(Scopes::parse("message, admin").is_err());
        assert!(Scopes::parse(" , ").is_err());
        assert_eq!(Scopes::all().iter().count(), Scope::ALL.len());
    }

    #[test]
    fn names_are_one_line_of_at_most_eighty_characters() {
        assert_eq!(
            integration_name("  Hệ thống một cửa ").ok().as_deref(),
            Some("Hệ thống một cửa")
        );
        assert!(integration_name("").is_err());
        assert!(integration_name("a\nb").is_err());
        assert!(integration_name(&"x".repeat(81)).is_err());
    }
}
