//! The officers' inbox tools that are not messages: labels on conversations, and canned
//! replies (an account's own, and its agencies' templates) with their placeholders and search.

use crate::{AccountId, AgencyId, InvalidInput, Timestamp};

/// The most characters a label may hold.
pub const MAX_LABEL_CHARS: usize = 40;
/// The most labels one conversation may carry.
pub const MAX_LABELS: usize = 10;

/// A label officers put on a conversation ("CCCD", "cư trú", "khiếu nại"): NFC, trimmed, inner
/// runs of white space made one space, 1–[`MAX_LABEL_CHARS`] characters, no control
/// characters. Its [`key`](Label::key) (lowercase, no diacritics) is what makes two labels the
/// same: "Cư trú" and "cu tru" are one label on a conversation, and either finds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label(String);

impl Label {
    /// Checks a label.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let text = ketnoi_text::nfc(raw.trim());
        if text.chars().any(char::is_control) {
            return Err(InvalidInput::Label);
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !(1..=MAX_LABEL_CHARS).contains(&text.chars().count()) {
            return Err(InvalidInput::Label);
        }
        Ok(Self(text))
    }

    /// The form labels are matched on: lowercase, without diacritics.
    pub fn key(&self) -> String {
        ketnoi_text::fold(&self.0)
    }

    /// Parses a set of labels, keeping the first of any that share a key, in order; more than
    /// [`MAX_LABELS`] different ones is `Ok(Err(TooManyLabels))`. Every label is checked first,
    /// so a bad one is reported whatever the count.
    pub fn parse_set<S: AsRef<str>>(
        raw: &[S],
    ) -> Result<Result<Vec<Self>, TooManyLabels>, InvalidInput> {
        let parsed = raw.iter().map(|r| Self::parse(r.as_ref())).collect::<Result<Vec<_>, _>>()?;
        let mut keys: Vec<String> = Vec::with_capacity(MAX_LABELS);
        let mut out = Vec::with_capacity(MAX_LABELS);
        for label in parsed {
            let key = label.key();
            if keys.contains(&key) {
                continue;
            }
            if out.len() == MAX_LABELS {
                return Ok(Err(TooManyLabels));
            }
            keys.push(key);
            out.push(label);
        }
        Ok(Ok(out))
    }
}

/// More than [`MAX_LABELS`] different labels for one conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyLabels;

crate::error::string_newtype!(Label);

/// The most canned replies one owner (an account, or an agency's templates) may keep.
pub const MAX_CANNED_REPLIES: usize = 500;
/// The most characters a canned reply's body may hold.
pub const MAX_CANNED_BODY_CHARS: usize = 2000;

/// A canned reply's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct CannedReplyId(pub i64);

/// Whose a canned reply is: one account's, or an agency's template, which every account of the
/// agency and of the agencies below it inherits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CannedOwner {
    /// An account's own.
    Account(AccountId),
    /// An agency's template.
    Agency(AgencyId),
}

/// What an officer types after `/` to find a reply: 1–32 of `a-z 0-9 - _` (capitals are
/// lowered).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shortcut(String);

impl Shortcut {
    /// Checks a shortcut.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let text = raw.trim().to_ascii_lowercase();
        let ok = (1..=32).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok { Ok(Self(text)) } else { Err(InvalidInput::Shortcut) }
    }
}
crate::error::string_newtype!(Shortcut);

/// A canned reply's fields, checked: a shortcut, a title of 1–100 characters and a body of
/// 1–[`MAX_CANNED_BODY_CHARS`] (NFC, trimmed, line breaks kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedText {
    /// Its shortcut.
    pub shortcut: Shortcut,
    /// Its title.
    pub title: String,
    /// Its body, placeholders unexpanded.
    pub body: String,
}

impl CannedText {
    /// Checks the fields of a canned reply.
    pub fn parse(shortcut: &str, title: &str, body: &str) -> Result<Self, InvalidInput> {
        let shortcut = Shortcut::parse(shortcut)?;
        let title = crate::bounded_text(title, "title", 1, 100)?;
        if title.contains('\n') {
            return Err(InvalidInput::ControlCharacter { field: "title" });
        }
        let body = ketnoi_text::nfc(body.trim()).replace("\r\n", "\n").replace('\r', "\n");
        if !(1..=MAX_CANNED_BODY_CHARS).contains(&body.chars().count()) {
            return Err(InvalidInput::Length { field: "body", min: 1, max: MAX_CANNED_BODY_CHARS });
        }
        if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
            return Err(InvalidInput::ControlCharacter { field: "body" });
        }
        Ok(Self { shortcut, title, body })
    }
}

/// A stored canned reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    /// Its id.
    pub id: CannedReplyId,
    /// Whose it is.
    pub owner: CannedOwner,
    /// Its fields.
    pub text: CannedText,
    /// When it was last written.
    pub updated_at: Timestamp,
}

/// The replies an account may use, from its own and its agencies' (`ancestry`: its agency
/// first, then each one above): one per shortcut, the account's own before the nearest
/// agency's before a farther one's; other accounts' and agencies' are left out.
pub fn applicable(
    replies: Vec<CannedReply>,
    account: AccountId,
    ancestry: &[AgencyId],
) -> Vec<CannedReply> {
    let rank = |owner: CannedOwner| match owner {
        CannedOwner::Account(a) if a == account => Some(0),
        CannedOwner::Account(_) => None,
        CannedOwner::Agency(g) => ancestry.iter().position(|x| *x == g).map(|i| i + 1),
    };
    let mut ranked: Vec<(usize, CannedReply)> =
        replies.into_iter().filter_map(|r| rank(r.owner).map(|n| (n, r))).collect();
    ranked.sort_by(|a, b| (&a.1.text.shortcut, a.0).cmp(&(&b.1.text.shortcut, b.0)));
    ranked.dedup_by(|later, first| later.1.text.shortcut == first.1.text.shortcut);
    ranked.into_iter().map(|(_, r)| r).collect()
}

/// How well a reply matches a search, best first: its shortcut starts with the query, its
/// title holds every word, its body does; `None` when it does not match. Matching ignores
/// case and diacritics.
pub fn matches(reply: &CannedText, query: &str) -> Option<u8> {
    let q = ketnoi_text::search_key(query);
    if q.is_empty() {
        return Some(0);
    }
    let terms: Vec<&str> = q.split(' ').collect();
    let all = |hay: &str| terms.iter().all(|t| hay.contains(t));
    if ketnoi_text::search_key(reply.shortcut.as_str()).starts_with(&q)
        || reply.shortcut.as_str().starts_with(&query.trim().to_ascii_lowercase())
    {
        Some(0)
    } else if all(&ketnoi_text::search_key(&reply.title)) {
        Some(1)
    } else if all(&ketnoi_text::search_key(&reply.body)) {
        Some(2)
    } else {
        None
    }
}

/// What a reply's placeholders stand for in one conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// `{ten_cong_dan}`, `{citizen_name}`: the citizen's display name, else their masked number.
    pub citizen_name: String,
    /// `{gio_lam_viec}`, `{office_hours}`: the account's office hours.
    pub office_hours: String,
    /// `{ten_tai_khoan}`, `{account_name}`: the account's display name.
    pub account_name: String,
}

impl Placeholders {
    /// The body with every known placeholder replaced; anything else in braces, and any brace
    /// without its pair, is left as written.
    pub fn expand(&self, body: &str) -> String {
        let mut out = String::with_capacity(body.len());
        let mut rest = body;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            let value = after.find('}').and_then(|close| {
                let name = &after[1..close];
                let value = match name {
                    "ten_cong_dan" | "citizen_name" => &self.citizen_name,
                    "gio_lam_viec" | "office_hours" => &self.office_hours,
                    "ten_tai_khoan" | "account_name" => &self.account_name,
                    _ => return None,
                };
                Some((value, close))
            });
            match value {
                Some((value, close)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = &after[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_nfc_trimmed_one_spaced_and_one_to_forty_characters() {
        let nfd = "  Cu\u{31b} tru\u{301}  \t ";
        let label = Label::parse(nfd).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(label.as_str(), "Cư trú");
        assert_eq!(label.key(), "cu tru");
        assert_eq!(
            Label::parse("Khiếu   nại").map(|l| l.to_string()).ok().as_deref(),
            Some("Khiếu nại")
        );
        assert!(Label::parse(&"ư".repeat(MAX_LABEL_CHARS)).is_ok());
        for bad in ["", "   ", "a\u{7}b", "hai\ndòng", &"ư".repeat(MAX_LABEL_CHARS + 1)] {
            assert_eq!(Label::parse(bad), Err(InvalidInput::Label), "{bad:?}");
        }
    }

    #[test]
    fn a_set_keeps_the_first_of_labels_differing_only_by_case_or_marks() {
        let set = Label::parse_set(&["CCCD", "cccd", "Cư trú", "cu tru", "khiếu nại"]);
        let set = set.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|n| panic!("{n:?}"));
        assert_eq!(
            set.iter().map(Label::as_str).collect::<Vec<_>>(),
            vec!["CCCD", "Cư trú", "khiếu nại"]
        );
        let ten: Vec<String> = (0..10).map(|i| format!("nhãn {i}")).collect();
        assert!(matches!(Label::parse_set(&ten), Ok(Ok(v)) if v.len() == 10));
        let mut eleven = ten.clone();
        eleven.push("Nhãn 0".to_owned());
        assert!(matches!(Label::parse_set(&eleven), Ok(Ok(v)) if v.len() == 10));
        eleven.push("nhãn 10".to_owned());
        assert_eq!(Label::parse_set(&eleven), Ok(Err(TooManyLabels)));
        assert_eq!(Label::parse_set(&["tốt", ""]), Err(InvalidInput::Label));
    }

    fn reply(id: i64, owner: CannedOwner, shortcut: &str, title: &str, body: &str) -> CannedReply {
        CannedReply {
            id: CannedReplyId(id),
            owner,
            text: CannedText::parse(shortcut, title, body).unwrap_or_else(|e| panic!("{e}")),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn canned_fields_are_checked() {
        let ok = CannedText::parse(" Tam-Tru_2 ", " Đăng ký tạm trú ", "Chào {ten_cong_dan}\r\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (ok.shortcut.as_str(), ok.title.as_str(), ok.body.as_str()),
            ("tam-tru_2", "Đăng ký tạm trú", "Chào {ten_cong_dan}")
        );
        assert_eq!(CannedText::parse("tạm", "t", "b"), Err(InvalidInput::Shortcut));
        assert_eq!(CannedText::parse(&"a".repeat(33), "t", "b"), Err(InvalidInput::Shortcut));
        assert_eq!(CannedText::parse("", "t", "b"), Err(InvalidInput::Shortcut));
        assert!(CannedText::parse(&"a".repeat(32), &"t".repeat(100), &"b".repeat(2000)).is_ok());
        assert!(matches!(
            CannedText::parse("a", &"t".repeat(101), "b"),
            Err(InvalidInput::Length { field: "title", .. })
        ));
        assert!(matches!(
            CannedText::parse("a", "t", &"b".repeat(2001)),
            Err(InvalidInput::Length { field: "body", .. })
        ));
        assert!(matches!(
            CannedText::parse("a", "t", "  "),
            Err(InvalidInput::Length { field: "body", .. })
        ));
    }

    #[test]
    fn placeholders_expand_in_both_languages_and_unknown_braces_stay() {
        let p = Placeholders {
            citizen_name: "Anh Minh".into(),
            office_hours: "7h30–17h".into(),
            account_name: "Công an xã".into(),
        };
        assert_eq!(
            p.expand("Chào {ten_cong_dan}, {account_name} làm việc {gio_lam_viec} ({office_hours}); {ten_tai_khoan} – {citizen_name}"),
            "Chào Anh Minh, Công an xã làm việc 7h30–17h (7h30–17h); Công an xã – Anh Minh"
        );
        assert_eq!(p.expand("{la} { {ten_cong_dan {x}} }"), "{la} { {ten_cong_dan {x}} }");
        assert_eq!(p.expand("{{ten_cong_dan}}"), "{Anh Minh}");
        assert_eq!(p.expand("cuối {"), "cuối {");
    }

    #[test]
    fn the_account_overrides_the_nearest_agency_which_overrides_a_farther_one() {
        let (acc, commune, province) = (AccountId(1), AgencyId(10), AgencyId(20));
        let found = applicable(
            vec![
                reply(1, CannedOwner::Agency(province), "cccd", "Tỉnh", "x"),
                reply(2, CannedOwner::Agency(commune), "cccd", "Xã", "x"),
                reply(3, CannedOwner::Agency(province), "tam-tru", "Tỉnh", "x"),
                reply(4, CannedOwner::Account(acc), "tam-tru", "Riêng", "x"),
                reply(5, CannedOwner::Agency(AgencyId(99)), "khac", "Lạ", "x"),
                reply(6, CannedOwner::Account(AccountId(2)), "khac2", "Lạ", "x"),
            ],
            acc,
            &[commune, province],
        );
        assert_eq!(found.iter().map(|r| r.id.0).collect::<Vec<_>>(), vec![2, 4]);
    }

    #[test]
    fn search_ranks_shortcut_then_title_then_body_without_diacritics() {
        let t = |s: &str, title: &str, body: &str| {
            CannedText::parse(s, title, body).unwrap_or_else(|e| panic!("{e}"))
        };
        let short = t("tam-tru", "Hồ sơ", "x");
        let title = t("cu-tru", "Đăng ký tạm trú", "x");
        let body = t("ho-so", "Hồ sơ", "Mang giấy tạm trú");
        for q in ["tam", "tam tru", "TẠM TRÚ"] {
            assert_eq!(
                [&short, &title, &body].map(|r| matches(r, q)),
                [Some(0), Some(1), Some(2)],
                "{q}"
            );
        }
        assert_eq!(matches(&short, "tam-"), Some(0));
        assert_eq!(matches(&short, "khong co"), None);
        assert_eq!(matches(&short, " "), Some(0));
    }
}
