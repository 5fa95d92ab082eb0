//! The words of the audit log: what happened ([`AuditAction`]) and who did it ([`Actor`]).
//!
//! An entry names an actor, an action, an object (a short typed reference such as `tip:42`) and
//! a request id; never what a tip says, a phone number, or a username typed at a failed sign-in.
//! How entries are chained and verified lives with their storage (`ketnoi-store`'s `audit`).

use crate::{AccountId, IntegrationId, InvalidInput, StaffId, error::wire_enum};

wire_enum!(
    /// What an audit entry records.
    AuditAction, "action" {
        /// A staff member signed in.
        SignIn => "sign-in",
        /// A staff sign-in was refused (wrong password, unknown name, second factor).
        SignInFailed => "sign-in-failed",
        /// A staff member signed out.
        SignOut => "sign-out",
        /// A second factor was enrolled.
        SecondFactorEnrolled => "second-factor-enrolled",
        /// A second factor was turned off by its owner.
        SecondFactorDisabled => "second-factor-disabled",
        /// A second factor was reset by an administrator.
        SecondFactorReset => "second-factor-reset",
        /// A recovery code was spent.
        RecoveryCodeUsed => "recovery-code-used",
        /// A role was granted on an agency.
        RoleGranted => "role-granted",
        /// A role was revoked on an agency.
        RoleRevoked => "role-revoked",
        /// A tip unit key was created (a rotation is a new key).
        UnitKeyCreated => "unit-key-created",
        /// A copy of a unit key was given to an officer.
        KeyGranted => "key-granted",
        /// An officer's copy of a unit key was taken away.
        KeyRevoked => "key-revoked",
        /// An officer set their own key pair.
        OfficerKeySet => "officer-key-set",
        /// A tip was opened (its sealed content served to a key holder).
        TipOpened => "tip-opened",
        /// A tip's attachment was opened.
        TipAttachmentOpened => "tip-attachment-opened",
        /// A tip was exported.
        TipExported => "tip-exported",
        /// A tip's status changed.
        TipStatusChanged => "tip-status-changed",
        /// A tip was assigned to an officer.
        TipAssigned => "tip-assigned",
        /// An internal note was written on a tip.
        TipNoteWritten => "tip-note-written",
        /// An extension of a tip's deadline was asked for.
        TipExtensionRequested => "tip-extension-requested",
        /// An extension was approved.
        TipExtensionApproved => "tip-extension-approved",
        /// An extension was refused.
        TipExtensionRefused => "tip-extension-refused",
        /// A tip was transferred to another unit.
        TipTransferred => "tip-transferred",
        /// The unit replied to a tip's reporter.
        TipReplied => "tip-replied",
        /// A unit's tip settings changed.
        TipSettingsChanged => "tip-settings-changed",
        /// An agency's security settings changed.
        SecuritySettingsChanged => "security-settings-changed",
        /// A broadcast was sent.
        BroadcastSent => "broadcast-sent",
        /// A knowledge base was imported.
        KbImported => "kb-imported",
        /// A lookup dataset version was published.
        LookupPublished => "lookup-published",
        /// An API token was created.
        ApiTokenCreated => "api-token-created",
        /// An API token was revoked.
        ApiTokenRevoked => "api-token-revoked",
        /// An integration was created.
        IntegrationCreated => "integration-created",
        /// An integration's secret was rotated.
        IntegrationRotated => "integration-rotated",
        /// An integration was revoked.
        IntegrationRevoked => "integration-revoked",
        /// An agency's audit log was exported.
        AuditExported => "audit-exported",
    }
);

/// Who did what an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A staff member, by id (the only personal datum an entry holds).
    Staff(StaffId),
    /// An integration, acting for its account with its own token.
    Integration(IntegrationId),
    /// A program holding an official account's own API token.
    Account(AccountId),
    /// The server itself (scheduled work).
    System,
    /// An operator at the command line.
    Cli,
    /// Someone not known: a failed sign-in under a name that does not exist. The name typed is
    /// never kept.
    Unknown,
}

impl Actor {
    /// The actor as stored: `staff:7`, `integration:3`, `account:5`, `system`, `cli` or
    /// `unknown`.
    pub fn to_wire(self) -> String {
        match self {
            Self::Staff(id) => format!("staff:{}", id.0),
            Self::Integration(id) => format!("integration:{}", id.0),
            Self::Account(id) => format!("account:{}", id.0),
            Self::System => "system".into(),
            Self::Cli => "cli".into(),
            Self::Unknown => "unknown".into(),
        }
    }

    /// Parses the stored form back.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let choice = InvalidInput::Choice {
            field: "actor",
            choices: "staff:ID, integration:ID, account:ID, system, cli, unknown",
        };
        match raw.trim() {
            "system" => Ok(Self::System),
            "cli" => Ok(Self::Cli),
            "unknown" => Ok(Self::Unknown),
            other => {
                let (kind, id) = other.split_once(':').ok_or(choice.clone())?;
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(choice);
                }
                let id: i64 = id.parse().map_err(|_| choice.clone())?;
                match kind {
                    "staff" => Ok(Self::Staff(StaffId(id))),
                    "integration" => Ok(Self::Integration(IntegrationId(id))),
                    "account" => Ok(Self::Account(AccountId(id))),
                    _ => Err(choice),
                }
            }
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl std::str::FromStr for Actor {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The longest object reference an entry keeps.
pub const MAX_OBJECT_LEN: usize = 200;

/// Checks an object reference: `kind:id` with a lowercase kind and an id of printable ASCII, at
/// most [`MAX_OBJECT_LEN`] bytes. It names a thing; it never describes it.
pub fn object_ref(raw: &str) -> Result<&str, InvalidInput> {
    let bad = InvalidInput::Choice { field: "object", choices: "kind:id, e.g. tip:42" };
    let (kind, id) = raw.split_once(':').ok_or(bad.clone())?;
    let kind_ok = !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    let id_ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic());
    if raw.len() > MAX_OBJECT_LEN || !kind_ok || !id_ok {
        return Err(bad);
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_through_their_stored_form() {
        for actor in [
            Actor::Staff(StaffId(7)),
            Actor::Integration(IntegrationId(3)),
            Actor::Account(AccountId(5)),
            Actor::System,
            Actor::Cli,
            Actor::Unknown,
        ] {
            assert_eq!(Actor::parse(&actor.to_wire()), Ok(actor));
        }
        for bad in ["staff:", "staff:x", "staff:-1", "root", "", "staff:7:8", "citizen:4"] {
            assert!(Actor::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn actions_are_kebab_case_words_that_parse_back() {
        for action in AuditAction::ALL {
            let word = action.as_str();
            assert!(word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{word}");
            assert_eq!(word.parse::<AuditAction>(), Ok(*action));
        }
        assert!("tip-read".parse::<AuditAction>().is_err());
    }

    #[test]
    fn object_references_are_kind_colon_id() {
        assert!(object_ref("tip:42").is_ok());
        assert!(object_ref("key:ab12-cd").is_ok());
        assert!(object_ref("account:cong-an-ha-giang").is_ok());
        for bad in ["tip", ":42", "tip:", "Tip:1", "tip:a b", &format!("tip:{}", "9".repeat(300))] {
            assert!(object_ref(bad).is_err(), "{bad:?}");
        }
    }
}
