use ketnoi_core::{Account, AccountId, AccountKind, AreaCode, CitizenId, StaffId, Timestamp};

/// A directory search.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    /// Free text, matched word by word against names, with or without diacritics.
    pub text: Option<String>,
    /// Only accounts serving this area or any area below it.
    pub area: Option<AreaCode>,
    /// Only accounts of this kind.
    pub kind: Option<AccountKind>,
    /// Only verified accounts.
    pub verified_only: bool,
    /// Page size, 1–100.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// A page of directory results.
#[derive(Debug, Clone)]
pub struct DirectoryPage {
    /// The accounts on this page, best first.
    pub accounts: Vec<Account>,
    /// Whether another page follows.
    pub has_more: bool,
}

/// What a one-time code check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpOutcome {
    /// The code was right, and is now used up.
    Accepted,
    /// The code was wrong; this many tries remain.
    Wrong {
        /// Tries left before the code dies.
        remaining: i64,
    },
    /// Too many wrong tries: the code is dead and a new one must be requested.
    Locked,
    /// The code expired.
    Expired,
    /// No code was requested for this phone (or it was already used).
    Missing,
}

/// Who a session or token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A citizen.
    Citizen(CitizenId),
    /// A staff member.
    Staff(StaffId),
    /// An official account, for integrations driving it through the API.
    Account(AccountId),
}

impl Subject {
    pub(crate) fn parts(self) -> (&'static str, i64) {
        match self {
            Self::Citizen(id) => ("citizen", id.0),
            Self::Staff(id) => ("staff", id.0),
            Self::Account(id) => ("account", id.0),
        }
    }

    pub(crate) fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "citizen" => Some(Self::Citizen(CitizenId(id))),
            "staff" => Some(Self::Staff(StaffId(id))),
            "account" => Some(Self::Account(AccountId(id))),
            _ => None,
        }
    }
}

/// A browser session (cookie) or an API token (bearer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Held in an HTTP-only cookie by a browser.
    Cookie,
    /// Sent as `Authorization: Bearer …` by a program.
    Api,
}

impl SessionKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Cookie => "cookie",
            Self::Api => "api",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "cookie" => Some(Self::Cookie),
            "api" => Some(Self::Api),
            _ => None,
        }
    }
}

/// A session to store.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Who it speaks for.
    pub subject: Subject,
    /// Cookie or API token.
    pub kind: SessionKind,
    /// A human label ("CI integration", "Chrome on Android").
    pub label: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// When it stops working; `None` for API tokens that live until revoked.
    pub expires_at: Option<Timestamp>,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who it speaks for.
    pub subject: Subject,
    /// Cookie or API token.
    pub kind: SessionKind,
    /// Its label.
    pub label: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
}

/// A job's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its time.
    Ready,
    /// Held by a worker until its lease expires.
    Leased,
    /// Done.
    Done,
    /// Failed every attempt; kept for an operator.
    Dead,
}

impl JobState {
    /// The state's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Leased => "leased",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "ready" => Some(Self::Ready),
            "leased" => Some(Self::Leased),
            "done" => Some(Self::Done),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The queue's name: `webhook`, `publish`, `broadcast`…
    pub queue: String,
    /// What the worker needs, as JSON.
    pub payload: serde_json::Value,
    /// Not before this time.
    pub run_at: Timestamp,
    /// How many attempts before dead-lettering (at least 1).
    pub max_attempts: i64,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Its id.
    pub id: JobId,
    /// Its queue.
    pub queue: String,
    /// Its payload.
    pub payload: serde_json::Value,
    /// Its state.
    pub state: JobState,
    /// Attempts so far, counting a current lease: the fencing number for `complete` and `fail`.
    pub attempt: i64,
    /// The attempt limit.
    pub max_attempts: i64,
    /// When it is due.
    pub run_at: Timestamp,
    /// When the current lease ends.
    pub lease_expires_at: Option<Timestamp>,
    /// The last failure's message.
    pub last_error: Option<String>,
}

/// A staff member with their roles on some agencies, and whether they are on duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyStaff {
    /// The member.
    pub member: ketnoi_core::StaffMember,
    /// Their roles on the agencies asked about.
    pub grants: Vec<ketnoi_core::Grant>,
    /// They set themselves away (not on duty).
    pub away: bool,
}
