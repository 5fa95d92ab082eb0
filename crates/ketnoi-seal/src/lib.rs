//! Sealed tips, envelope v1: a citizen's confidential tip is encrypted in the browser to the
//! keys of the police units that receive it, so that the server stores, routes and counts it
//! without ever being able to read it.
//!
//! This crate is the Rust half of the format; `static/seal.js` in `ketnoi-server` is the browser
//! half, and the two agree byte for byte (a browser test checks both directions, and a report
//! sealed in Chromium is committed as a fixture that the tests of this crate open). The format
//! itself is specified in `docs/SECURITY.md`, section "Envelope v1".
//!
//! The pieces, from the bottom up:
//!
//! - [`KeyPair`], [`kid`], [`wrap`] and [`unwrap`]: P-256 keys and ECDH key wrapping. A unit key
//!   wraps each report key; an officer key wraps a copy of the unit key.
//! - [`seal_report`] and [`open_report`]: the [`Envelope`] (clear routing fields bound as
//!   associated data, the report key wrapped to each recipient, the sealed [`Body`]), and
//!   [`open_attachment`] for the attachments, which travel as separate chunked streams.
//! - [`receipt`]: the code a reporter keeps for anonymous follow-up, and what it derives.
//! - [`seal_message`] and [`open_message`]: replies between the unit and the reporter, under the
//!   receipt's reply key.
//! - [`seal_with_passphrase`] and [`open_with_passphrase`]: an officer's key at rest.
//! - [`UnitKeyFile`], [`Export`] and [`decrypt_export`]: reading a tip offline.
//!
//! Nothing here does I/O; randomness comes from the operating system. Secrets are zeroized when
//! dropped; no error message shows plaintext or key material, and the `Debug` output of keys,
//! receipts and bodies leaves their secrets out.
//!
//! ```
//! use std::collections::BTreeMap;
//! use ketnoi_seal::{Clear, Draft, KeyPair, Mode, SealedBy, open_report, receipt, seal_report};
//!
//! let unit = KeyPair::generate();
//! let code = receipt::new_code(); // shown to the reporter, never stored
//! let receipt = receipt::derive(&code)?;
//! let clear = Clear {
//!     account: "cong-an-tinh-tuyen-quang".into(),
//!     category: "ma-tuy".into(),
//!     area: "08".into(),
//!     occurred: "2026-11-28".into(),
//!     mode: Mode::Anonymous,
//! };
//! let (envelope, _streams) = seal_report(&Draft {
//!     clear: &clear,
//!     recipients: &[unit.public()],
//!     description: "Có người bán ma tuý ở đầu ngõ.",
//!     details: &BTreeMap::new(),
//!     files: &[],
//!     reply_key: &receipt.reply_key,
//!     sealed_by: SealedBy::Server,
//! })?;
//! let (body, _report_key) = open_report(&envelope, &unit)?;
//! assert_eq!(body.description, "Có người bán ma tuý ở đầu ngõ.");
//! assert_eq!(*body.reply_key()?, *receipt.reply_key);
//! # Ok::<(), ketnoi_seal::SealError>(())
//! ```
#![deny(missing_docs)]

mod b64;
mod error;
mod export;
mod keys;
mod message;
mod officer;
mod primitives;
pub mod receipt;
mod report;
mod stream;

pub use b64::{b64u, unb64u};
pub use error::{Result, SealError};
pub use export::{
    DecryptedTip, Export, ExportMessage, Message, UnitKeyEntry, UnitKeyFile, decrypt_export,
};
pub use keys::{KeyPair, Label, PUBLIC_LEN, SECRET_LEN, Wrapped, kid, unwrap, wrap};
pub use message::{Author, open_message, seal_message};
pub use officer::{
    MAX_ITERATIONS, MIN_ITERATIONS, SealedKey, open_with_passphrase, seal_with_passphrase,
};
pub use report::{
    AttachmentEntry, Body, Clear, Draft, Envelope, Mode, PlainFile, ReportKey, Sealed, SealedBy,
    VERSION, open_attachment, open_note, open_report, rewrap_report, seal_note, seal_report,
};
pub use stream::{CHUNK, SEGMENT};
