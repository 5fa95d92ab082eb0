//! Two-factor sign-in for staff: each member's TOTP secret (wrapped by the server before it gets
//! here), its replay guard, recovery codes (keyed hashes), and the agencies that require a second
//! factor of all their staff.
//!
//! Every check that must not pass twice is one statement: accepting a time step moves
//! `last_step` forward only if it is behind, and using a recovery code marks it used only if it
//! was not, so two concurrent uses of one code cannot both succeed, on either backend.

use async_trait::async_trait;
use ketnoi_core::{AgencyId, StaffId, Timestamp};

use crate::Result;

/// A member's second factor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// The TOTP secret, wrapped under the server's key and bound to the member.
    pub secret_wrapped: String,
    /// When a first code confirmed it; `None` while enrolment is pending.
    pub confirmed_at: Option<Timestamp>,
    /// The last accepted time step: codes for it and earlier steps are refused.
    pub last_step: i64,
    /// When the secret was made.
    pub created_at: Timestamp,
}

/// Second factors of staff members and agencies' security settings.
#[async_trait]
pub trait SecondFactorStore {
    /// The member's second factor, confirmed or pending.
    async fn second_factor(&self, staff: StaffId) -> Result<Option<SecondFactor>>;
    /// Starts (or restarts) an enrolment with a new wrapped secret. `Ok(false)`, changing
    /// nothing, if the member already has a confirmed one.
    async fn begin_second_factor(
        &self,
        staff: StaffId,
        secret_wrapped: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Confirms a pending enrolment with the step of its first code, and stores its recovery
    /// codes (replacing any). `Ok(false)` if nothing was pending.
    async fn confirm_second_factor(
        &self,
        staff: StaffId,
        step: i64,
        recovery_hashes: &[String],
        at: Timestamp,
    ) -> Result<bool>;
    /// Accepts a code's time step for a confirmed second factor, if it is later than the last
    /// accepted one; `Ok(false)` (a replay, or nothing confirmed) changes nothing.
    async fn accept_second_factor_step(&self, staff: StaffId, step: i64) -> Result<bool>;
    /// Uses a recovery code, once: `Ok(false)` for an unknown or used one.
    async fn use_recovery_code(&self, staff: StaffId, hash: &str, at: Timestamp) -> Result<bool>;
    /// Replaces the member's recovery codes.
    async fn replace_recovery_codes(&self, staff: StaffId, hashes: &[String]) -> Result<()>;
    /// How many of the member's recovery codes are unused.
    async fn recovery_codes_left(&self, staff: StaffId) -> Result<i64>;
    /// Removes the member's second factor and recovery codes. `Ok(false)` if there was none.
    async fn delete_second_factor(&self, staff: StaffId) -> Result<bool>;
    /// Ends every session of the member but `keep` (a token hash), returning how many.
    async fn end_staff_sessions(&self, staff: StaffId, keep: Option<&str>) -> Result<u64>;
    /// Whether the agency requires a second factor of all its staff.
    async fn second_factor_required(&self, agency: AgencyId) -> Result<bool>;
    /// Sets that.
    async fn set_second_factor_required(
        &self,
        agency: AgencyId,
        required: bool,
        at: Timestamp,
    ) -> Result<()>;
    /// Whether an agency the member holds a grant on, or one above it, requires a second factor
    /// of all staff.
    async fn second_factor_required_for(&self, staff: StaffId) -> Result<bool>;
    /// Whether the member holds a copy of any unit's tip key.
    async fn holds_tip_key(&self, staff: StaffId) -> Result<bool>;
}
