//! Messages after the report: the unit's replies and the reporter's additions, sealed under the
//! receipt's reply key. The unit learns that key from the report body; the reporter derives it
//! from the receipt code; the server never has it.

use serde::{Deserialize, Serialize};

use crate::{Result, SealError, Sealed, primitives::nfc};

/// Who wrote a message; part of the associated data, so a reply cannot pass for the
/// reporter's words or the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    /// The receiving unit (an officer).
    Unit,
    /// The person who sent the tip.
    Reporter,
}

impl Author {
    /// The wire name: `unit` or `reporter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unit => "unit",
            Self::Reporter => "reporter",
        }
    }

    fn aad(self) -> String {
        format!("ketnoi/v1/message/{}", self.as_str())
    }
}

/// The plaintext of a message: `{"text": "..."}`, an object so fields can be added later.
#[derive(Serialize, Deserialize)]
struct Plain {
    text: String,
}

/// Seals a message from `author` under the reply key; the text is normalized to NFC.
pub fn seal_message(reply_key: &[u8; 32], author: Author, text: &str) -> Result<Sealed> {
    let plain = serde_json::to_vec(&Plain { text: nfc(text) })
        .map_err(|_| SealError::Internal("message json"))?;
    let plain = zeroize::Zeroizing::new(plain);
    Sealed::seal(reply_key, &plain, author.aad().as_bytes())
}

/// Opens a message from `author` sealed under the reply key.
pub fn open_message(reply_key: &[u8; 32], author: Author, sealed: &Sealed) -> Result<String> {
    let plain = sealed.open(reply_key, author.aad().as_bytes())?;
    let Plain { text } =
        serde_json::from_slice(&plain).map_err(|_| SealError::BadEncoding("message"))?;
    Ok(text)
}
