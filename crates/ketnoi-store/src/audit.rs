//! The audit log: an append-only, hash-chained record of who did what.
//!
//! Every entry holds the SHA-256 of its own content and of the entry before it, so that
//! changing, removing or inserting one entry breaks the chain at that entry unless every later
//! entry is rewritten too; anchors (an entry's `seq` and hash written somewhere else) catch that
//! rewrite and a cut tail. The database refuses `UPDATE` and `DELETE` on the table (triggers on
//! both backends); the chain is what still tells the truth when someone with the database's
//! own rights drops those triggers.
//!
//! # Canonical encoding (version 1)
//!
//! An entry's hash is the lowercase hex SHA-256 of the bytes
//!
//! ```text
//! ketnoi-audit-v1\n
//! netstring(seq) netstring(at) netstring(actor) netstring(action) netstring(object)
//! netstring(agency) netstring(request_id) netstring(prev_hash)
//! ```
//!
//! where `netstring(x)` is the byte length of `x` in decimal, `:`, the UTF-8 bytes of `x`, and
//! `,` (so no field can run into the next), `seq` and `at` (Unix milliseconds) are decimal,
//! `agency` is the agency's id in decimal or the empty string when the entry concerns none, and
//! `prev_hash` is the previous entry's hash, or 64 zeros for entry 1.
//!
//! # Anchors
//!
//! An anchor is one line, `SEQ HASH TIME`: the head entry's seq, its hash, and when the anchor
//! was taken (RFC 3339), separated by single spaces. Lines that are empty or start with `#` are
//! ignored. The log of an empty chain anchors as `0` and 64 zeros.

use std::collections::BTreeMap;

use async_trait::async_trait;
use ketnoi_core::{Actor, AgencyId, AuditAction, Timestamp};
use sha2::{Digest as _, Sha256};

use crate::Result;

/// The hash that entry 1 follows.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append; the store gives it its `seq`, `prev_hash` and `hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// When it happened.
    pub at: Timestamp,
    /// Who did it.
    pub actor: Actor,
    /// What they did.
    pub action: AuditAction,
    /// What they did it to: `tip:42`, `staff:7`, `agency:12`, `account:slug`, `key:KID`.
    pub object: String,
    /// The agency it concerns, for that agency's view of the log.
    pub agency: Option<AgencyId>,
    /// The request it was done in (or `cli-…`, `system-…` outside requests).
    pub request_id: String,
}

/// An entry as stored. Actor and action are kept as the words stored, so that an entry someone
/// tampered with can still be read and named.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Its place in the chain: 1, 2, 3… with no gaps.
    pub seq: i64,
    /// When it happened, Unix milliseconds.
    pub at: i64,
    /// Who did it (`staff:7`, `system`, `cli`, `unknown`).
    pub actor: String,
    /// What they did (an [`AuditAction`] word).
    pub action: String,
    /// What they did it to.
    pub object: String,
    /// The agency it concerns.
    pub agency: Option<i64>,
    /// The request it was done in.
    pub request_id: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry's content and `prev_hash` call for (see the module's documentation).
    pub fn expected_hash(&self) -> String {
        entry_hash(
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            &self.object,
            self.agency,
            &self.request_id,
            &self.prev_hash,
        )
    }
}

/// The hash of an entry's fields, by the canonical encoding v1.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    object: &str,
    agency: Option<i64>,
    request_id: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"ketnoi-audit-v1\n");
    let agency = agency.map(|a| a.to_string()).unwrap_or_default();
    for field in
        [&seq.to_string(), &at.to_string(), actor, action, object, &agency, request_id, prev_hash]
    {
        h.update(field.len().to_string().as_bytes());
        h.update(b":");
        h.update(field.as_bytes());
        h.update(b",");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a page of an agency's log is filtered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// The agency whose entries are read.
    pub agency: AgencyId,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only this actor.
    pub actor: Option<Actor>,
    /// Only entries at or after this time.
    pub from: Option<Timestamp>,
    /// Only entries before this time.
    pub until: Option<Timestamp>,
    /// Only entries older than this seq (the cursor: the last seq of the previous page).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

/// The newest entry: what an anchor records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// Its seq (0 for an empty log).
    pub seq: i64,
    /// Its hash ([`GENESIS_HASH`] for an empty log).
    pub hash: String,
}

/// The audit log's storage.
#[async_trait]
pub trait AuditStore {
    /// Appends an entry at the head of the chain. Appends are serialised across every node, so
    /// the chain never forks and `seq` never skips.
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry>;
    /// An agency's entries, newest first, filtered.
    async fn audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>>;
    /// Up to `limit` entries with a seq above `after`, in seq order: verification reads the
    /// whole log this way, a page at a time.
    async fn audit_after(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>>;
    /// The newest entry's seq and hash.
    async fn audit_head(&self) -> Result<AuditHead>;
}

/// An anchor: an entry's seq and hash, kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The entry's seq (0: the empty log).
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// When the anchor was taken, as written.
    pub time: String,
}

impl Anchor {
    /// An anchor of a head, taken now.
    pub fn of(head: &AuditHead, at: Timestamp) -> Self {
        let time = at.rfc3339();
        Self { seq: head.seq, hash: head.hash.clone(), time }
    }

    /// The anchor's line, without its newline.
    pub fn line(&self) -> String {
        format!("{} {} {}", self.seq, self.hash, self.time)
    }

    /// Parses one line.
    pub fn parse(line: &str) -> Option<Self> {
        let mut parts = line.trim().split(' ');
        let seq = parts.next()?.parse::<i64>().ok().filter(|s| *s >= 0)?;
        let hash = parts.next()?;
        let time = parts.next().filter(|t| !t.is_empty())?;
        let hex = hash.len() == 64
            && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex || parts.next().is_some() {
            return None;
        }
        Some(Self { seq, hash: hash.to_owned(), time: time.to_owned() })
    }

    /// Parses a file of anchors, naming the first bad line (counted from 1).
    pub fn parse_file(text: &str) -> Result<Vec<Self>, usize> {
        let mut anchors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            anchors.push(Self::parse(line).ok_or(i + 1)?);
        }
        Ok(anchors)
    }
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainFault {
    /// An entry's hash does not match its own content.
    #[error("entry {seq} was altered (its hash does not match its content)")]
    Altered {
        /// The entry.
        seq: i64,
    },
    /// An entry's content is intact but it does not name the entry before it.
    #[error(
        "entry {seq} does not follow entry {} (prev_hash mismatch: an entry was removed or \
         inserted before it)", seq - 1
    )]
    Unlinked {
        /// The entry.
        seq: i64,
    },
    /// Seqs skip: the entries between were removed.
    #[error("{}", removed_message(*last, *next))]
    Removed {
        /// The last seq before the gap (0 if the log does not start at 1).
        last: i64,
        /// The first seq after it.
        next: i64,
    },
    /// The entries after one were renumbered to hide its removal.
    #[error("entry {seq} was removed (the entries after it were renumbered to close the gap)")]
    RemovedRenumbered {
        /// The seq the removed entry had.
        seq: i64,
    },
    /// An entry was inserted, and the ones after it renumbered.
    #[error("an entry was inserted at {seq} (entry {} is the former entry {seq}, renumbered)", seq + 1)]
    Inserted {
        /// The seq the inserted entry took.
        seq: i64,
    },
    /// A seq repeats or goes back.
    #[error("an entry was inserted at {seq} (its seq repeats or goes back)")]
    OutOfOrder {
        /// The seq found.
        seq: i64,
    },
    /// An anchored entry no longer has the anchored hash.
    #[error(
        "entry {seq} does not match the anchor of {time} (the log was rewritten at or before \
         entry {seq})"
    )]
    AnchorMismatch {
        /// The entry.
        seq: i64,
        /// The anchor's time.
        time: String,
    },
    /// The log is shorter than an anchor says it was.
    #[error(
        "the log ends at entry {last} but the anchor of {time} names entry {anchored}: {}",
        removed_range(*last + 1, *anchored)
    )]
    Truncated {
        /// The last entry in the log.
        last: i64,
        /// The anchored seq.
        anchored: i64,
        /// The anchor's time.
        time: String,
    },
}

fn removed_range(first: i64, last: i64) -> String {
    if first == last {
        format!("entry {first} was removed")
    } else {
        format!("entries {first}–{last} were removed")
    }
}

fn removed_message(last: i64, next: i64) -> String {
    format!("seq jumps from {last} to {next}: {}", removed_range(last + 1, next - 1))
}

impl ChainFault {
    /// The seq of the entry the fault is found at.
    pub fn seq(&self) -> i64 {
        match self {
            Self::Altered { seq }
            | Self::Unlinked { seq }
            | Self::RemovedRenumbered { seq }
            | Self::Inserted { seq }
            | Self::OutOfOrder { seq }
            | Self::AnchorMismatch { seq, .. } => *seq,
            Self::Removed { last, .. } => last + 1,
            Self::Truncated { last, .. } => last + 1,
        }
    }
}

/// What a verified chain holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    /// How many entries.
    pub entries: i64,
    /// The head.
    pub head: AuditHead,
    /// How many anchors were checked.
    pub anchors: usize,
}

/// Walks a chain in seq order and stops at the first fault.
#[derive(Debug)]
pub struct ChainCheck {
    next: i64,
    prev: String,
    before_prev: String,
    anchors: BTreeMap<i64, Vec<Anchor>>,
    anchor_count: usize,
}

impl ChainCheck {
    /// A check of a chain from entry 1, against these anchors.
    pub fn new(anchors: &[Anchor]) -> Self {
        let mut by_seq: BTreeMap<i64, Vec<Anchor>> = BTreeMap::new();
        for a in anchors {
            by_seq.entry(a.seq).or_default().push(a.clone());
        }
        Self {
            next: 1,
            prev: GENESIS_HASH.into(),
            before_prev: GENESIS_HASH.into(),
            anchors: by_seq,
            anchor_count: anchors.len(),
        }
    }

    /// Checks the next entry.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainFault> {
        if e.seq < self.next {
            return Err(ChainFault::OutOfOrder { seq: e.seq });
        }
        if e.seq > self.next {
            return Err(ChainFault::Removed { last: self.next - 1, next: e.seq });
        }
        if e.expected_hash() != e.hash {
            // A renumbered entry is intact at its former seq: say what the renumbering hid.
            let at = |seq: i64| AuditEntry { seq, ..e.clone() }.expected_hash() == e.hash;
            if e.seq > 1 && at(e.seq - 1) && e.prev_hash == self.before_prev {
                return Err(ChainFault::Inserted { seq: e.seq - 1 });
            }
            if at(e.seq + 1) && e.prev_hash != self.prev {
                return Err(ChainFault::RemovedRenumbered { seq: e.seq });
            }
            return Err(ChainFault::Altered { seq: e.seq });
        }
        if e.prev_hash != self.prev {
            return Err(ChainFault::Unlinked { seq: e.seq });
        }
        if let Some(anchors) = self.anchors.get(&e.seq)
            && let Some(a) = anchors.iter().find(|a| a.hash != e.hash)
        {
            return Err(ChainFault::AnchorMismatch { seq: e.seq, time: a.time.clone() });
        }
        self.before_prev = std::mem::replace(&mut self.prev, e.hash.clone());
        self.next += 1;
        Ok(())
    }

    /// Ends the walk: the log must reach every anchor.
    pub fn finish(self) -> Result<ChainSummary, ChainFault> {
        let last = self.next - 1;
        if let Some((&seq, anchors)) = self.anchors.range(last + 1..).next_back() {
            let time = anchors.first().map(|a| a.time.clone()).unwrap_or_default();
            return Err(ChainFault::Truncated { last, anchored: seq, time });
        }
        if let Some(a) = self.anchors.get(&0).into_iter().flatten().find(|a| a.hash != GENESIS_HASH)
        {
            return Err(ChainFault::AnchorMismatch { seq: 0, time: a.time.clone() });
        }
        Ok(ChainSummary {
            entries: last,
            head: AuditHead { seq: last, hash: self.prev },
            anchors: self.anchor_count,
        })
    }
}

/// How a whole log failed to verify: a fault in the chain, or storage that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The chain is broken.
    #[error(transparent)]
    Fault(#[from] ChainFault),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

/// Reads the whole log from storage, a page at a time, and verifies it against `anchors`.
pub async fn verify_log(
    store: &(impl AuditStore + ?Sized),
    anchors: &[Anchor],
) -> Result<ChainSummary, VerifyError> {
    const PAGE: i64 = 1000;
    let mut check = ChainCheck::new(anchors);
    let mut after = 0;
    loop {
        let page = store.audit_after(after, PAGE).await?;
        for e in &page {
            check.push(e)?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    Ok(check.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: 1_700_000_000_000 + seq,
                    actor: format!("staff:{seq}"),
                    action: "tip-opened".into(),
                    object: format!("tip:{}", seq * 10),
                    agency: (seq % 2 == 0).then_some(3),
                    request_id: format!("req-{seq}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.expected_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn check(entries: &[AuditEntry], anchors: &[Anchor]) -> Result<ChainSummary, ChainFault> {
        let mut c = ChainCheck::new(anchors);
        for e in entries {
            c.push(e)?;
        }
        c.finish()
    }

    fn anchor(e: &AuditEntry) -> Anchor {
        Anchor { seq: e.seq, hash: e.hash.clone(), time: "2025-01-01T00:00:00+07:00".into() }
    }

    #[test]
    fn an_untouched_chain_verifies_and_reports_its_head() {
        let log = chain(5);
        let summary = check(&log, &[anchor(&log[2])]);
        assert_eq!(summary.as_ref().map(|s| s.entries), Ok(5));
        assert_eq!(summary.map(|s| s.head.hash), Ok(log[4].hash.clone()));
        assert_eq!(check(&[], &[]).map(|s| s.head.hash), Ok(GENESIS_HASH.to_owned()));
    }

    #[test]
    fn the_encoding_keeps_fields_apart() {
        let a = entry_hash(1, 2, "staff:1", "sign-in", "staff:1", None, "r", GENESIS_HASH);
        let b = entry_hash(1, 2, "staff:1", "sign-in", "staff:1", Some(1), "r", GENESIS_HASH);
        let c = entry_hash(1, 2, "staff:1s", "ign-in", "staff:1", None, "r", GENESIS_HASH);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn one_altered_byte_is_named() {
        let mut log = chain(5);
        log[2].object = "tip:31".into();
        assert_eq!(check(&log, &[]).err(), Some(ChainFault::Altered { seq: 3 }));
        let mut log = chain(5);
        log[3].actor = "staff:5".into();
        let fault = check(&log, &[]).err();
        assert_eq!(
            fault.as_ref().map(ToString::to_string).as_deref(),
            Some("entry 4 was altered (its hash does not match its content)")
        );
    }

    #[test]
    fn a_removed_entry_is_named_with_or_without_renumbering() {
        let mut log = chain(5);
        log.remove(2);
        let fault = check(&log, &[]).err();
        assert_eq!(fault, Some(ChainFault::Removed { last: 2, next: 4 }));
        assert_eq!(
            fault.map(|f| f.to_string()).as_deref(),
            Some("seq jumps from 2 to 4: entry 3 was removed")
        );
        let mut log = chain(5);
        log.remove(2);
        for e in &mut log[2..] {
            e.seq -= 1;
        }
        assert_eq!(check(&log, &[]).err(), Some(ChainFault::RemovedRenumbered { seq: 3 }));
    }

    #[test]
    fn an_inserted_entry_is_named_with_or_without_a_recomputed_hash() {
        let log = chain(5);
        let mut forged = log[1].clone();
        forged.seq = 3;
        forged.object = "tip:999".into();
        forged.prev_hash = log[1].hash.clone();
        // Without a recomputed hash the forged entry is itself the fault.
        let mut tampered = log.clone();
        tampered.insert(2, forged.clone());
        for e in &mut tampered[3..] {
            e.seq += 1;
        }
        assert_eq!(check(&tampered, &[]).err(), Some(ChainFault::Altered { seq: 3 }));
        // With one, the entry it pushed along shows the insertion.
        forged.hash = forged.expected_hash();
        tampered[2] = forged;
        let fault = check(&tampered, &[]).err();
        assert_eq!(fault, Some(ChainFault::Inserted { seq: 3 }));
        assert_eq!(
            fault.map(|f| f.to_string()).as_deref(),
            Some("an entry was inserted at 3 (entry 4 is the former entry 3, renumbered)")
        );
    }

    #[test]
    fn a_broken_link_is_named() {
        let mut log = chain(4);
        log[2].prev_hash = log[0].hash.clone();
        log[2].hash = log[2].expected_hash();
        assert_eq!(check(&log, &[]).err(), Some(ChainFault::Unlinked { seq: 3 }));
    }

    #[test]
    fn anchors_catch_a_rewritten_chain_and_a_cut_tail() {
        let log = chain(6);
        let anchors = [anchor(&log[5])];
        let fault = check(&log[..4], &anchors).err();
        assert_eq!(
            fault.map(|f| f.to_string()).as_deref(),
            Some(
                "the log ends at entry 4 but the anchor of 2025-01-01T00:00:00+07:00 names \
                 entry 6: entries 5–6 were removed"
            )
        );
        let rewritten = {
            let mut log = chain(6);
            log[1].object = "tip:0".into();
            let mut prev = log[0].hash.clone();
            for e in &mut log[1..] {
                e.prev_hash = prev;
                e.hash = e.expected_hash();
                prev = e.hash.clone();
            }
            log
        };
        assert_eq!(check(&rewritten, &[]).map(|s| s.entries), Ok(6));
        assert_eq!(
            check(&rewritten, &[anchor(&log[3])]).err(),
            Some(ChainFault::AnchorMismatch { seq: 4, time: "2025-01-01T00:00:00+07:00".into() })
        );
    }

    #[test]
    fn anchor_lines_round_trip_and_bad_lines_are_numbered() {
        let a = anchor(&chain(1)[0]);
        assert_eq!(Anchor::parse(&a.line()), Some(a.clone()));
        let file = format!("# anchors\n\n{}\n0 {GENESIS_HASH} t\n", a.line());
        assert_eq!(Anchor::parse_file(&file).map(|v| v.len()), Ok(2));
        assert_eq!(Anchor::parse_file("1 abc t\n"), Err(1));
        assert_eq!(Anchor::parse_file(&format!("{}\n-1 {GENESIS_HASH} t", a.line())), Err(2));
    }
}
