//! A tip as a case: its workflow, the officer in charge, its deadline and the extensions a
//! second officer approves, officers' sealed notes, transfers between units, and the history of
//! all of it.
//!
//! Storage enforces what must hold whoever calls it: a status moves only from the status the
//! caller saw (two officers acting at once cannot both move it), one extension may be pending
//! per tip and is never decided by the officer who asked for it, and a transfer adds the
//! receiving unit, drops the sending one when asked, and replaces the envelope in one
//! transaction. The workflow's rules themselves ([`ketnoi_core::TipStatus::may_move_to`]) and
//! who may act are the caller's.

use async_trait::async_trait;
use ketnoi_core::{AgencyId, ExtensionReason, StaffId, Timestamp, TipClosing, TipStatus};

use crate::{Result, TipId};

/// What kind of step a [`TipEvent`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TipEventKind {
    /// The status changed.
    Status,
    /// The officer in charge changed.
    Assigned,
    /// An extension was asked for.
    ExtensionRequested,
    /// An extension was approved; the deadline moved.
    ExtensionApproved,
    /// An extension was refused.
    ExtensionRefused,
    /// The tip went to another unit.
    Transferred,
}

impl TipEventKind {
    /// The word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Assigned => "assigned",
            Self::ExtensionRequested => "extension-requested",
            Self::ExtensionApproved => "extension-approved",
            Self::ExtensionRefused => "extension-refused",
            Self::Transferred => "transferred",
        }
    }

    /// The kind a stored word names.
    pub fn parse(word: &str) -> Option<Self> {
        [
            Self::Status,
            Self::Assigned,
            Self::ExtensionRequested,
            Self::ExtensionApproved,
            Self::ExtensionRefused,
            Self::Transferred,
        ]
        .into_iter()
        .find(|k| k.as_str() == word)
    }

    /// Whether the reporter sees steps of this kind (by receipt code): the status, the deadline
    /// moving and the tip moving to another unit; not who is in charge, nor requests still
    /// being decided or refused.
    pub fn shown_to_reporter(self) -> bool {
        matches!(self, Self::Status | Self::ExtensionApproved | Self::Transferred)
    }
}

/// One step in a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipEvent {
    /// Its id, in order.
    pub id: i64,
    /// The tip.
    pub tip: TipId,
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub kind: TipEventKind,
    /// The unit that acted, while it exists.
    pub agency: Option<AgencyId>,
    /// The officer who acted, while that staff member exists. Never shown to the reporter.
    pub staff: Option<StaffId>,
    /// Clear facts of the step, as a JSON object: `from`/`to` statuses and `closing`; the
    /// `assignee`; `reason`, `days` and `deadline_at`; `to_unit` and `kept`.
    pub detail: serde_json::Value,
}

/// An officer's note on a case, sealed in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipNote {
    /// Its id, in order.
    pub id: i64,
    /// The tip.
    pub tip: TipId,
    /// The unit the officer wrote it for.
    pub agency: Option<AgencyId>,
    /// The officer, while that staff member exists.
    pub staff: Option<StaffId>,
    /// The sealed note JSON.
    pub sealed: String,
    /// When it was written.
    pub created_at: Timestamp,
}

/// Where a request for an extension stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionState {
    /// Waiting for a second officer.
    Pending,
    /// Approved: the deadline moved.
    Approved,
    /// Refused: the deadline stayed.
    Refused,
}

impl ExtensionState {
    /// The word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Refused => "refused",
        }
    }
}

/// A request to extend a case's deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipExtension {
    /// Its id.
    pub id: i64,
    /// The tip.
    pub tip: TipId,
    /// Its grounds.
    pub reason: ExtensionReason,
    /// How many days it adds.
    pub days: u32,
    /// Who asked, while that staff member exists.
    pub requested_by: Option<StaffId>,
    /// When.
    pub requested_at: Timestamp,
    /// Where it stands.
    pub state: ExtensionState,
    /// Who decided, once decided.
    pub decided_by: Option<StaffId>,
    /// When, once decided.
    pub decided_at: Option<Timestamp>,
}

/// Who acts on a case, and when: every write names them, for the case's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseActor {
    /// The unit the officer acts for.
    pub unit: AgencyId,
    /// The officer.
    pub staff: StaffId,
    /// When.
    pub at: Timestamp,
}

/// A move of a tip to another unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipTransfer {
    /// The tip.
    pub tip: TipId,
    /// The receiving unit.
    pub to: AgencyId,
    /// Whether the sending unit keeps access.
    pub keep: bool,
    /// The envelope with the report key wrapped to the receiving unit's key added (and the
    /// sending unit's wraps removed when it does not keep access).
    pub envelope: String,
}

/// Tips as cases.
#[async_trait]
pub trait TipCaseStore {
    /// Moves a case from `from` to `to` (with `closing` when `to` is closed), recording the
    /// step. `NotFound` if there is no such tip; `Conflict("tip status")` if its status is no
    /// longer `from`. Nothing changes on failure.
    async fn change_tip_status(
        &self,
        tip: TipId,
        from: TipStatus,
        to: TipStatus,
        closing: Option<TipClosing>,
        by: CaseActor,
    ) -> Result<()>;
    /// Puts an officer in charge of a case, or nobody, recording the step. `NotFound` if there
    /// is no such tip; `MissingReference` if the officer does not exist.
    async fn assign_tip(&self, tip: TipId, assignee: Option<StaffId>, by: CaseActor) -> Result<()>;
    /// Adds a sealed note to a case. `NotFound` if there is no such tip.
    async fn add_tip_note(&self, tip: TipId, sealed: &str, by: CaseActor) -> Result<TipNote>;
    /// A case's notes, oldest first.
    async fn tip_notes(&self, tip: TipId) -> Result<Vec<TipNote>>;
    /// Asks for an extension, recording the step. `NotFound` if there is no such tip;
    /// `Conflict("extension")` if one is already pending.
    async fn request_tip_extension(
        &self,
        tip: TipId,
        reason: ExtensionReason,
        days: u32,
        by: CaseActor,
    ) -> Result<TipExtension>;
    /// Approves or refuses the pending extension `id` of `tip`; an approval moves the deadline
    /// by its days. `NotFound` if there is no such pending request; `Conflict("approver")` if
    /// `by` is the officer who asked.
    async fn decide_tip_extension(
        &self,
        tip: TipId,
        id: i64,
        approve: bool,
        by: CaseActor,
    ) -> Result<TipExtension>;
    /// A case's extension requests, oldest first.
    async fn tip_extensions(&self, tip: TipId) -> Result<Vec<TipExtension>>;
    /// A case's history, oldest first.
    async fn tip_events(&self, tip: TipId) -> Result<Vec<TipEvent>>;
    /// Moves a tip to another unit in one transaction: the receiving unit is added, the sending
    /// unit (`by.unit`) removed unless it keeps access, the envelope replaced, the officer in
    /// charge cleared (the receiving unit assigns its own), and the step recorded.
    /// `NotFound` if the tip is not the sending unit's; `Conflict("unit")` if the receiving
    /// unit already has it; `MissingReference` if the receiving unit does not exist.
    async fn transfer_tip(&self, transfer: &TipTransfer, by: CaseActor) -> Result<()>;
    /// How many open cases a unit holds whose deadline passed before `now`.
    async fn count_overdue_tips(&self, agency: AgencyId, now: Timestamp) -> Result<i64>;
}
