//! What storage keeps for confidential police tips: each unit's keys and who holds copies of
//! them, officers' personal keys, the sealed tips themselves and the messages that follow them.
//!
//! A police unit is an agency. Everything secret arrives sealed and leaves as it came: the
//! envelope, officers' keys, wrapped unit keys and messages are opaque JSON strings here, whose
//! formats the sealing code owns. Storage sees only what routes and counts a tip (its account,
//! category, area, date and mode) and never anything that identifies the sender's device or
//! connection, nor the receipt code itself: only a lookup value derived from it and a hash.
//!
//! The integrity rules that keep tips readable are the database's, not the caller's: a unit has
//! at most one current key; a key copy always names its holder's current officer key, so a
//! replaced officer key takes the copies wrapped to it along; and an anonymous tip never names
//! a citizen.

use async_trait::async_trait;
use ketnoi_core::{AccountId, AgencyId, AreaCode, CitizenId, StaffId, Timestamp};

use crate::Result;

/// A tip's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct TipId(pub i64);

/// Where a tip stands as a case (defined with the domain's words, with the workflow's rules).
/// The database does not constrain the word, so adding one needs no migration.
pub use ketnoi_core::TipStatus;

/// A unit's key pair, as storage has it: the public half only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitKey {
    /// Its row id, in creation order.
    pub id: i64,
    /// The unit.
    pub agency: AgencyId,
    /// The key's id inside envelopes and copies, derived from the public key.
    pub kid: String,
    /// The public key, base64url.
    pub public_key: String,
    /// Who created it, while that staff member exists.
    pub created_by: Option<StaffId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When a newer key replaced it; `None` for the unit's current key.
    pub retired_at: Option<Timestamp>,
}

/// An officer's personal key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerKey {
    /// Its holder.
    pub staff: StaffId,
    /// The key's id, derived from its public key.
    pub kid: String,
    /// The sealed officer key JSON: the public key and the private key encrypted under the
    /// officer's passphrase.
    pub sealed: String,
    /// When it was put.
    pub created_at: Timestamp,
}

/// A unit key's private half wrapped to one officer's key: what lets that officer read the
/// unit's tips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCopy {
    /// The unit key it is a copy of.
    pub unit_kid: String,
    /// The officer who holds it.
    pub staff: StaffId,
    /// The officer key it is wrapped to, which must be the officer's current one.
    pub officer_kid: String,
    /// The Wrapped JSON.
    pub wrapped: String,
    /// Who granted it, while that staff member exists.
    pub granted_by: Option<StaffId>,
    /// When it was granted.
    pub created_at: Timestamp,
}

/// An attachment of a tip to store: its ciphertext is already in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTipAttachment {
    /// Where the ciphertext is in the blob store.
    pub blob_key: String,
    /// The ciphertext's size in bytes.
    pub size: i64,
}

/// A tip to store, as the citizen's browser sealed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTip {
    /// The account it was sent from.
    pub account: AccountId,
    /// The receiving units, the primary one first. At least one; a unit named twice receives it
    /// once, at its first place.
    pub units: Vec<AgencyId>,
    /// The clear category.
    pub category: String,
    /// The clear area where it happened.
    pub area: AreaCode,
    /// When it happened, as the citizen gave it: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, local time.
    pub occurred: String,
    /// Whether it was sent anonymously; an anonymous tip names no citizen.
    pub anonymous: bool,
    /// The citizen, for an identified tip only.
    pub citizen: Option<CitizenId>,
    /// The sealed envelope JSON.
    pub envelope: String,
    /// The encrypted attachments, in the order of the sealed body's list.
    pub attachments: Vec<NewTipAttachment>,
    /// The value derived from the receipt code that finds the tip, base64url; unique.
    pub receipt_lookup: String,
    /// The PHC hash of the value derived from the receipt code that proves its holder.
    pub receipt_hash: String,
    /// When it was received.
    pub at: Timestamp,
    /// When the units must have dealt with it, from the configured period.
    pub deadline_at: Timestamp,
}

/// What a unit's list of tips shows of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipSummary {
    /// Its id.
    pub id: TipId,
    /// The account it was sent from.
    pub account: AccountId,
    /// The clear category.
    pub category: String,
    /// The clear area.
    pub area: AreaCode,
    /// When it happened, as the citizen gave it.
    pub occurred: String,
    /// Whether it was sent anonymously.
    pub anonymous: bool,
    /// Where it stands.
    pub status: TipStatus,
    /// The officer in charge, if one is assigned.
    pub assignee: Option<StaffId>,
    /// When the units must have dealt with it; moved only by approved extensions.
    pub deadline_at: Timestamp,
    /// Why it was closed, once it is.
    pub closing: Option<ketnoi_core::TipClosing>,
    /// When it was closed, once it is.
    pub closed_at: Option<Timestamp>,
    /// When it was received.
    pub created_at: Timestamp,
    /// When it last changed: a message or a change of status.
    pub updated_at: Timestamp,
    /// How many messages follow it.
    pub messages: i64,
    /// How many attachments it has.
    pub attachments: i64,
}

impl TipSummary {
    /// Whether the case is open and its deadline has passed at `now`.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.status.is_open() && self.deadline_at < now
    }
}

/// Which of a unit's tips a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipFilter {
    /// Every tip.
    All,
    /// Those in one status.
    Status(TipStatus),
    /// Those not closed.
    Open,
    /// Those open whose deadline passed before the given time.
    Overdue(Timestamp),
    /// Those open and assigned to one officer.
    AssignedTo(StaffId),
}

/// A stored attachment of a tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipAttachment {
    /// Its place in the sealed body's list, from 0.
    pub index: i64,
    /// Where the ciphertext is in the blob store.
    pub blob_key: String,
    /// The ciphertext's size in bytes.
    pub size: i64,
}

/// A tip with all that storage holds of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    /// What lists show.
    pub summary: TipSummary,
    /// The receiving units, the primary one first.
    pub units: Vec<AgencyId>,
    /// The citizen of an identified tip, while that citizen exists.
    pub citizen: Option<CitizenId>,
    /// The sealed envelope JSON.
    pub envelope: String,
    /// The encrypted attachments, in order.
    pub attachments: Vec<TipAttachment>,
    /// The PHC hash that proves a receipt code's holder.
    pub receipt_hash: String,
}

/// A message following a tip, sealed under the receipt's reply key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipMessage {
    /// Its id, in the order messages were added.
    pub id: i64,
    /// The tip.
    pub tip: TipId,
    /// Whether the unit wrote it (else the reporter did).
    pub from_unit: bool,
    /// The officer who wrote it, while that staff member exists; `None` for the reporter.
    pub staff: Option<StaffId>,
    /// The sealed message JSON.
    pub sealed: String,
    /// When it was added.
    pub created_at: Timestamp,
}

/// A unit's tip settings. A unit that never changed them has the default: no copy to the
/// parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipSettings {
    /// The unit.
    pub agency: AgencyId,
    /// Whether tips sent to the unit go to its parent agency as well.
    pub copy_parent: bool,
}

/// Tips, the keys that seal them, and their messages.
#[async_trait]
pub trait TipStore {
    /// Puts an officer's key, replacing the one they had. Replacing it with a key of another
    /// kid deletes the officer's key copies in the same transaction: they were wrapped to the
    /// old key. `MissingReference` if the staff member does not exist.
    async fn put_officer_key(&self, key: &OfficerKey) -> Result<()>;
    /// An officer's key.
    async fn officer_key(&self, staff: StaffId) -> Result<Option<OfficerKey>>;
    /// Rotates a unit's key in one transaction: the current key, if any, is retired at `at`,
    /// the new one becomes current, and `copies` (normally the new key wrapped to each officer
    /// who may read) are inserted. `Conflict` if the kid exists or a copy is repeated;
    /// `MissingReference` if the unit, the creator, or a copy's officer key does not exist.
    async fn add_unit_key(
        &self,
        agency: AgencyId,
        kid: &str,
        public_key: &str,
        created_by: Option<StaffId>,
        copies: &[KeyCopy],
        at: Timestamp,
    ) -> Result<UnitKey>;
    /// A unit's keys, newest first, retired ones included.
    async fn unit_keys(&self, agency: AgencyId) -> Result<Vec<UnitKey>>;
    /// The key citizens seal a unit's tips to, if it has one.
    async fn current_unit_key(&self, agency: AgencyId) -> Result<Option<UnitKey>>;
    /// Grants key copies in one transaction, replacing any copy of the same unit key held by the
    /// same officer. `MissingReference` if a unit key does not exist, or the officer does not
    /// exist or has no key of that kid.
    async fn put_key_copies(&self, copies: &[KeyCopy]) -> Result<()>;
    /// Revokes: deletes every copy of the unit's keys, current and retired, that the officer
    /// holds. Returns how many went.
    async fn delete_key_copies(&self, agency: AgencyId, staff: StaffId) -> Result<u64>;
    /// Every copy of the unit's keys, whoever holds it: newest key first, then by officer.
    async fn key_copies(&self, agency: AgencyId) -> Result<Vec<KeyCopy>>;
    /// A unit's tip settings, the default if it never changed them.
    async fn tip_settings(&self, agency: AgencyId) -> Result<TipSettings>;
    /// Stores a unit's tip settings. `MissingReference` if the unit does not exist.
    async fn set_tip_settings(&self, settings: &TipSettings) -> Result<()>;
    /// Stores a tip with its units and attachments in one transaction, status new. `Conflict` if
    /// the receipt lookup is taken; `MissingReference` if there is no unit, or a unit, the
    /// account, the area or the citizen does not exist. A failed call writes nothing.
    async fn create_tip(&self, tip: &NewTip) -> Result<TipId>;
    /// A page of the tips a unit holds, newest first, those the filter keeps: up to `limit`
    /// tips older than `before`.
    async fn tips_for_unit(
        &self,
        agency: AgencyId,
        filter: TipFilter,
        before: Option<TipId>,
        limit: i64,
    ) -> Result<Vec<TipSummary>>;
    /// One tip.
    async fn tip(&self, id: TipId) -> Result<Option<Tip>>;
    /// The tip a receipt's lookup value finds. The caller still checks the receipt's hash.
    async fn tip_by_receipt(&self, lookup: &str) -> Result<Option<Tip>>;
    /// Adds a message to a tip and moves the tip's `updated_at` to `at`, in one transaction.
    /// `NotFound` if there is no such tip; `MissingReference` if the officer does not exist.
    async fn add_tip_message(
        &self,
        tip: TipId,
        from_unit: bool,
        staff: Option<StaffId>,
        sealed: &str,
        at: Timestamp,
    ) -> Result<TipMessage>;
    /// A tip's messages, oldest first.
    async fn tip_messages(&self, tip: TipId) -> Result<Vec<TipMessage>>;
    /// How many tips a unit holds that nobody has started on (received): the unit's badge.
    async fn count_new_tips(&self, agency: AgencyId) -> Result<i64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_as_the_word_it_is_written_as() {
        for status in TipStatus::ALL {
            assert_eq!(status.as_str().parse::<TipStatus>().ok(), Some(*status));
            assert_eq!(
                serde_json::to_string(status).ok(),
                Some(format!("\"{}\"", status.as_str()))
            );
        }
        assert!(matches!(
            "handled".parse::<TipStatus>(),
            Err(ketnoi_core::InvalidInput::Choice { .. })
        ));
    }
}
