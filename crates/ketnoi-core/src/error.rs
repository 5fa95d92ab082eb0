/// Why a value from outside was refused. Every variant is the user's fault, never ours: the
/// server answers each with 422 and a message in the caller's language, keyed by [`code`].
///
/// [`code`]: InvalidInput::code
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    /// Not a Vietnamese mobile number.
    #[error("not a Vietnamese mobile phone number")]
    Phone,
    /// A slug must be 3–64 characters of `a-z`, `0-9` and single inner hyphens.
    #[error("slug must be 3-64 lowercase letters, digits or single inner hyphens")]
    Slug,
    /// An area code is 1–16 ASCII letters or digits.
    #[error("area code must be 1-16 ASCII letters or digits")]
    AreaCode,
    /// An agency code is 2–64 lowercase ASCII letters, digits, '-' or '.'.
    #[error("agency code must be 2-64 lowercase letters, digits, '-' or '.'")]
    AgencyCode,
    /// A username is 3–32 lowercase ASCII letters, digits, '.', '_' or '-'.
    #[error("username must be 3-32 lowercase letters, digits, '.', '_' or '-'")]
    Username,
    /// A text field is too short or too long.
    #[error("{field} must be between {min} and {max} characters")]
    Length {
        /// The field's name.
        field: &'static str,
        /// The fewest characters allowed.
        min: usize,
        /// The most characters allowed.
        max: usize,
    },
    /// A text field holds a control character.
    #[error("{field} contains a control character")]
    ControlCharacter {
        /// The field's name.
        field: &'static str,
    },
    /// A message's client id is 1–64 ASCII letters, digits, '-' or '_'.
    #[error("client_msg_id must be 1-64 ASCII letters, digits, '-' or '_'")]
    ClientMsgId,
    /// A knowledge-base intent id is 1–64 lowercase ASCII letters, digits, '.', '_' or '-'.
    #[error("intent id must be 1-64 lowercase letters, digits, '.', '_' or '-'")]
    IntentId,
    /// A button's link is not an https URL or a path on this site.
    #[error("a button link must be an https:// URL or a path starting with /")]
    ButtonUrl,
    /// A tag holds a comma or a line break.
    #[error("a tag may not contain a comma or a line break")]
    Tag,
    /// A day is `yyyy-mm-dd` or `dd/mm/yyyy`, and must exist.
    #[error("a day must be yyyy-mm-dd or dd/mm/yyyy and exist")]
    Day,
    /// Office hours are days then working intervals, e.g. `T2-T6 07:30-11:30, 13:30-17:00`.
    #[error(
        "office hours must be days then hours, e.g. T2-T6 07:30-11:30, 13:30-17:00; T7 07:30-11:30"
    )]
    OfficeHours,
    /// A catalogue code is 1–64 ASCII letters, digits, '.', '_' or '-'.
    #[error("a code must be 1-64 ASCII letters, digits, '.', '_' or '-'")]
    CatalogueCode,
    /// A web address must be absolute http or https.
    #[error("a web address must start with http:// or https://")]
    WebUrl,
    /// A document (or form) would replace itself, directly or through others.
    #[error("a document cannot replace itself, directly or through others")]
    SupersedeCycle,
    /// A conversation label is 1–40 characters without control characters.
    #[error("a label must be 1-40 characters without control characters")]
    Label,
    /// A canned reply's shortcut is 1–32 of `a-z 0-9 - _`.
    #[error("a shortcut must be 1-32 lowercase letters, digits, '-' or '_'")]
    Shortcut,
    /// A word that names one of a fixed set of choices was none of them.
    #[error("{field} must be one of: {choices}")]
    Choice {
        /// The field's name.
        field: &'static str,
        /// The accepted words, comma-separated.
        choices: &'static str,
    },
}

impl InvalidInput {
    /// A stable, machine-readable code for the error, used as the problem type and as the key of
    /// its translated message.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Phone => "invalid-phone",
            Self::Slug => "invalid-slug",
            Self::AreaCode => "invalid-area-code",
            Self::AgencyCode => "invalid-agency-code",
            Self::Username => "invalid-username",
            Self::Length { .. } => "invalid-length",
            Self::ControlCharacter { .. } => "invalid-control-character",
            Self::Choice { .. } => "invalid-choice",
            Self::ClientMsgId => "invalid-client-msg-id",
            Self::IntentId => "invalid-intent-id",
            Self::ButtonUrl => "invalid-button-url",
            Self::Tag => "invalid-tag",
            Self::Day => "invalid-day",
            Self::OfficeHours => "invalid-office-hours",
            Self::CatalogueCode => "invalid-catalogue-code",
            Self::WebUrl => "invalid-web-url",
            Self::SupersedeCycle => "supersede-cycle",
            Self::Label => "label-invalid",
            Self::Shortcut => "invalid-shortcut",
        }
    }

    /// The field the error is about, where there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Length { field, .. }
            | Self::ControlCharacter { field }
            | Self::Choice { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Writes a fixed-choice enum as its wire word and parses it back; every such enum in the domain
/// goes through this so that the API, the database and the command line spell it the same.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::InvalidInput;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::InvalidInput::Choice {
                        field: $field,
                        choices: concat!($($word, ", "),+),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

/// Implements the plumbing every string newtype shares: `as_str`, `Display`, `AsRef<str>`,
/// `FromStr` through its `parse` constructor, and serde through that same constructor.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::str::FromStr for $name {
            type Err = $crate::InvalidInput;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_newtype;
