//! The one error type of the crate.

/// What went wrong sealing or opening. Messages name the part at fault, never its content: no
/// plaintext, key, code or passphrase ever appears in an error.
///
/// Most variants are faults of the input (a wrong key, a changed ciphertext, a mistyped receipt
/// code); [`SealError::Internal`] is ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// None of the given keys is a recipient of this report.
    #[error("none of the given keys can open this report")]
    WrongKey,
    /// A wrapped key was wrapped to another public key (its `kid` differs).
    #[error("this was wrapped for another key")]
    NotForThisKey,
    /// Authentication failed: the ciphertext, its nonce or its associated data (such as a clear
    /// field) was changed, or the key is not the one it was sealed with.
    #[error("authentication failed: the data was changed or the key is wrong")]
    Tampered,
    /// An attachment stream is shorter or longer than it was sealed, or has a piece missing.
    #[error("the attachment is truncated or its chunks are out of order")]
    Truncated,
    /// A field is not in the expected form (bad base64url, wrong length, bad JSON); the value
    /// names the field.
    #[error("malformed {0}")]
    BadEncoding(&'static str),
    /// A clear field contains a line break or another control character; the value names it.
    #[error("the clear field `{0}` contains a control character")]
    BadClearField(&'static str),
    /// A public key is not a point of P-256, or a private scalar is out of range.
    #[error("not a valid P-256 key")]
    BadKey,
    /// A report needs at least one recipient, or nobody could ever read it.
    #[error("a report needs at least one recipient")]
    NoRecipients,
    /// The envelope or export has a version this crate does not read.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u32),
    /// The passphrase does not open this sealed key (or the sealed key was changed).
    #[error("wrong passphrase")]
    BadPassphrase,
    /// A sealed key asks for a PBKDF2 iteration count outside the accepted range.
    #[error("the key derivation parameters are outside the accepted range")]
    WeakParameters,
    /// A receipt code is not 16 characters of the Crockford base32 alphabet.
    #[error("not a valid receipt code")]
    BadReceipt,
    /// Something that cannot fail with valid input failed (hashing, random numbers).
    #[error("internal error in {0}")]
    Internal(&'static str),
}

/// The result of every fallible function of this crate.
pub type Result<T, E = SealError> = std::result::Result<T, E>;
