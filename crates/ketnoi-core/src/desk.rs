//! The front desk of an account: its menu, the procedure guides it offers (thủ tục hành chính),
//! the forms citizens download (biểu mẫu) and the legal documents those guides rest on.
//!
//! Guides and forms belong to an agency. One marked as a template is offered to every account
//! of the agency's subtree; an account may override the fields its template leaves open (the
//! office, its address and hours, a phone, an extra step) or hide the guide, and a change at the
//! template reaches every account that did not override that field. The merge is
//! [`ProcedureDoc::with_override`]; who sees what is decided by storage when it is read.

use std::collections::BTreeMap;

use crate::{InvalidInput, bounded_text, error::wire_enum};

macro_rules! id_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);
    };
}

id_newtype!(
    /// A procedure guide's database identifier.
    ProcedureId
);
id_newtype!(
    /// A downloadable form's database identifier.
    FormId
);
id_newtype!(
    /// A legal document's database identifier.
    LegalDocId
);

/// How large a menu may be. The operator may change both; the defaults are the commercial
/// platforms' (three buttons, five under each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuLimits {
    /// Top-level buttons.
    pub buttons: usize,
    /// Buttons under one top-level button.
    pub sub_buttons: usize,
}

impl Default for MenuLimits {
    fn default() -> Self {
        Self { buttons: 3, sub_buttons: 5 }
    }
}

/// The longest button label.
pub const MAX_MENU_LABEL_CHARS: usize = 40;
/// The longest value a button carries (a URL, a keyword, a code).
pub const MAX_MENU_VALUE_CHARS: usize = 500;

wire_enum!(
    /// What tapping a menu button does. Targets are the showing account's own (its article, its
    /// lookup, its catalogue), so a menu inherited from a parent agency works on every child.
    MenuAction, "action" {
        /// Opens an article of the account, by its slug.
        Article => "article",
        /// Opens a web address (http or https).
        Url => "url",
        /// Opens the conversation with a keyword ready to send to the bot.
        Keyword => "keyword",
        /// Opens a lookup of the account, by its dataset slug.
        Lookup => "lookup",
        /// Opens the tip form.
        Tip => "tip",
        /// Opens a form of the catalogue, by its code.
        Form => "form",
        /// Opens a procedure guide of the catalogue, by its code.
        Procedure => "procedure",
        /// Opens the account's procedure catalogue.
        Procedures => "procedures",
        /// Opens the account's forms library.
        Forms => "forms",
        /// Calls a phone number.
        Phone => "phone",
    }
);

impl MenuAction {
    /// Whether the action needs a value (a URL, a slug, a code, a number).
    pub fn needs_value(self) -> bool {
        !matches!(self, Self::Tip | Self::Procedures | Self::Forms)
    }
}

/// One button of a menu: either an action or, at the top level only, a group of sub-buttons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MenuButton {
    /// What the button says.
    pub label: String,
    /// What it does; `None` for a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<MenuAction>,
    /// The action's target; empty for actions that need none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// The buttons under a top-level group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<MenuButton>,
}

/// An account's menu, checked against the limits it was published under.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Menu {
    /// The top-level buttons, left to right.
    pub buttons: Vec<MenuButton>,
}

/// A menu as it arrives (JSON or a form), before any check. The action is a word, so that an
/// unknown one is reported as a broken rule with its place rather than as a parse error.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMenu {
    /// The top-level buttons.
    #[serde(default)]
    pub buttons: Vec<RawButton>,
}

/// One button as it arrives.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawButton {
    /// The label.
    #[serde(default)]
    pub label: String,
    /// The action's word, or empty for a group.
    #[serde(default)]
    pub action: Option<String>,
    /// The target.
    #[serde(default)]
    pub value: String,
    /// Sub-buttons.
    #[serde(default)]
    pub buttons: Vec<RawButton>,
}

/// The rule a menu broke, and where: `at` is a path such as `buttons[2].buttons[0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuError {
    /// The rule's code (`menu-too-many-buttons`, `menu-unknown-action`, …), also its message key.
    pub rule: &'static str,
    /// The button at fault.
    pub at: String,
    /// The limit the rule sets, where it has one.
    pub limit: Option<usize>,
}

impl Menu {
    /// Checks a menu against the limits: sizes, labels, known actions with the values they
    /// need, web addresses that are http(s), phone numbers made of digits. Text is NFC.
    pub fn check(raw: RawMenu, limits: MenuLimits) -> Result<Self, MenuError> {
        let fail = |rule, at: String, limit| Err(MenuError { rule, at, limit });
        if raw.buttons.len() > limits.buttons {
            return fail("menu-too-many-buttons", "buttons".into(), Some(limits.buttons));
        }
        let mut buttons = Vec::with_capacity(raw.buttons.len());
        for (i, top) in raw.buttons.into_iter().enumerate() {
            let at = format!("buttons[{i}]");
            if top.buttons.len() > limits.sub_buttons {
                return fail("menu-too-many-sub-buttons", at, Some(limits.sub_buttons));
            }
            let has_action = top.action.as_deref().is_some_and(|a| !a.trim().is_empty());
            if !top.buttons.is_empty() && has_action {
                return fail("menu-group-with-action", at, None);
            }
            let mut top = top;
            let subs = std::mem::take(&mut top.buttons);
            let mut children = Vec::with_capacity(subs.len());
            for (j, sub) in subs.into_iter().enumerate() {
                let sub_at = format!("{at}.buttons[{j}]");
                if !sub.buttons.is_empty() {
                    return fail("menu-too-deep", sub_at, None);
                }
                children.push(Self::check_button(sub, &sub_at)?);
            }
            if children.is_empty() {
                buttons.push(Self::check_button(top, &at)?);
            } else {
                let label = Self::check_label(&top.label, &at)?;
                buttons.push(MenuButton {
                    label,
                    action: None,
                    value: String::new(),
                    buttons: children,
                });
            }
        }
        Ok(Self { buttons })
    }

    fn check_label(raw: &str, at: &str) -> Result<String, MenuError> {
        bounded_text(raw, "label", 1, MAX_MENU_LABEL_CHARS).map_err(|_| MenuError {
            rule: "menu-label",
            at: at.to_owned(),
            limit: Some(MAX_MENU_LABEL_CHARS),
        })
    }

    fn check_button(raw: RawButton, at: &str) -> Result<MenuButton, MenuError> {
        let fail = |rule, limit| Err(MenuError { rule, at: at.to_owned(), limit });
        let label = Self::check_label(&raw.label, at)?;
        let word = raw.action.unwrap_or_default();
        if word.trim().is_empty() {
            return fail("menu-no-action", None);
        }
        let Ok(action) = word.parse::<MenuAction>() else {
            return fail("menu-unknown-action", None);
        };
        let value = crate::nfc_trimmed(&raw.value);
        if !action.needs_value() {
            return Ok(MenuButton {
                label,
                action: Some(action),
                value: String::new(),
                buttons: vec![],
            });
        }
        if value.is_empty() {
            return fail("menu-missing-value", None);
        }
        if value.chars().count() > MAX_MENU_VALUE_CHARS || value.chars().any(char::is_control) {
            return fail("menu-value", Some(MAX_MENU_VALUE_CHARS));
        }
        match action {
            MenuAction::Url if !is_web_url(&value) => return fail("menu-url-scheme", None),
            MenuAction::Phone if !is_phone_number(&value) => return fail("menu-phone", None),
            _ => {}
        }
        Ok(MenuButton { label, action: Some(action), value, buttons: vec![] })
    }
}

/// Whether a text is an absolute http or https address with a host and no spaces.
pub fn is_web_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.contains(char::is_whitespace) && !host.contains('@')
    })
}

/// Whether a text is a phone number to call: 3–20 digits, with an optional leading `+` and
/// spaces, dots or hyphens between groups.
pub fn is_phone_number(text: &str) -> bool {
    let body = text.strip_prefix('+').unwrap_or(text);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (3..=20).contains(&digits) && body.chars().all(|c| c.is_ascii_digit() || " .-".contains(c))
}

/// A calendar day, kept as `yyyy-mm-dd` so that days compare as text; accepts `dd/mm/yyyy` too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(String);

impl Day {
    /// Parses `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let raw = raw.trim();
        let (y, m, d) = if let Some((d, rest)) = raw.split_once('/') {
            let (m, y) = rest.split_once('/').ok_or(InvalidInput::Day)?;
            (y, m, d)
        } else {
            let mut parts = raw.splitn(3, '-');
            let y = parts.next().unwrap_or("");
            let m = parts.next().ok_or(InvalidInput::Day)?;
            let d = parts.next().ok_or(InvalidInput::Day)?;
            (y, m, d)
        };
        let num = |s: &str, len: std::ops::RangeInclusive<usize>| -> Result<u16, InvalidInput> {
            if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InvalidInput::Day);
            }
            s.parse().map_err(|_| InvalidInput::Day)
        };
        let (y, m, d) = (num(y, 4..=4)?, num(m, 1..=2)?, num(d, 1..=2)?);
        let month = time::Month::try_from(m as u8).map_err(|_| InvalidInput::Day)?;
        time::Date::from_calendar_date(i32::from(y), month, d as u8)
            .map_err(|_| InvalidInput::Day)?;
        Ok(Self(format!("{y:04}-{m:02}-{d:02}")))
    }

    /// Today in Vietnam.
    pub fn today(now: crate::Timestamp) -> Self {
        let date = now.in_vietnam().map(|t| t.date()).unwrap_or(time::Date::MIN);
        Self(format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()))
    }

    /// `dd/mm/yyyy`, as Vietnamese readers write it.
    pub fn display_vn(&self) -> String {
        let mut parts = self.0.split('-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        format!("{}/{}/{}", d.unwrap_or(""), m.unwrap_or(""), y.unwrap_or(""))
    }
}
crate::error::string_newtype!(Day);

wire_enum!(
    /// The level of government a procedure is settled at.
    ProcedureLevel, "level" {
        /// A ministry or central body.
        Central => "central",
        /// The province.
        Province => "province",
        /// The commune or ward.
        Commune => "commune",
    }
);

wire_enum!(
    /// The fields of a procedure guide an account may override. Everything else (name, steps,
    /// documents, legal basis, forms) is the template's.
    DeskField, "field" {
        /// The office that receives applications.
        Office => "office",
        /// Its address.
        Address => "address",
        /// Its opening hours.
        Hours => "hours",
        /// A phone number to ask.
        Phone => "phone",
        /// Where to apply online.
        OnlineUrl => "online_url",
        /// The fee.
        Fee => "fee",
        /// How long it takes.
        ProcessingTime => "processing_time",
        /// A local note (the officer on duty, say).
        Notes => "notes",
        /// Steps added after the template's.
        ExtraSteps => "extra_steps",
    }
);

/// A legal document a guide rests on, as a guide cites it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalRef {
    /// Its number ("26/2023/QH15").
    pub number: String,
    /// Its title.
    pub title: String,
    /// Who issued it.
    pub issuer: String,
    /// When it took effect.
    pub effective: Day,
    /// When it stops having effect, if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Day>,
    /// The number of the document that replaces it, once one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// From when the replacement applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_on: Option<Day>,
}

impl LegalRef {
    /// Checks the text fields.
    pub fn checked(mut self) -> Result<Self, InvalidInput> {
        self.number = legal_number(&self.number)?;
        self.title = bounded_text(&self.title, "legal_basis.title", 1, 500)?;
        self.issuer = bounded_text(&self.issuer, "legal_basis.issuer", 1, 200)?;
        self.superseded_by = self.superseded_by.as_deref().map(legal_number).transpose()?;
        if self.superseded_by.as_ref() == Some(&self.number) {
            return Err(InvalidInput::SupersedeCycle);
        }
        Ok(self)
    }

    /// Whether the document no longer holds on `today`: replaced, or past its expiry.
    pub fn lapsed(&self, today: &Day) -> bool {
        self.superseded_by.is_some()
            || self.superseded_on.is_some()
            || self.expires.as_ref().is_some_and(|e| e <= today)
    }
}

/// Checks a legal document's number: 1–64 characters, no spaces at the ends.
pub fn legal_number(raw: &str) -> Result<String, InvalidInput> {
    bounded_text(raw, "legal_basis.number", 1, 64)
}

/// The longest list of steps or documents in a guide.
pub const MAX_LIST_ITEMS: usize = 60;

/// A procedure guide's content, as written by its owner (or imported).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureDoc {
    /// Its code: the National Public Service Portal's code as text, or the agency's own.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Where it is settled.
    pub level: ProcedureLevel,
    /// Who may apply.
    #[serde(default)]
    pub applicants: String,
    /// What to do, in order.
    #[serde(default)]
    pub steps: Vec<String>,
    /// What to bring.
    #[serde(default)]
    pub documents: Vec<String>,
    /// The fee.
    #[serde(default)]
    pub fee: String,
    /// How long it takes.
    #[serde(default)]
    pub processing_time: String,
    /// The office that receives applications; empty for the showing account's own.
    #[serde(default)]
    pub office: String,
    /// Its address; empty for the showing account's own.
    #[serde(default)]
    pub address: String,
    /// Its opening hours; empty for the showing account's own.
    #[serde(default)]
    pub hours: String,
    /// A phone number to ask; empty for the showing account's own.
    #[serde(default)]
    pub phone: String,
    /// Where to apply online.
    #[serde(default)]
    pub online_url: String,
    /// Anything else.
    #[serde(default)]
    pub notes: String,
    /// The documents it rests on.
    #[serde(default)]
    pub legal_basis: Vec<LegalRef>,
    /// The codes of its forms.
    #[serde(default)]
    pub forms: Vec<String>,
    /// The fields accounts below may not override.
    #[serde(default)]
    pub locked: Vec<DeskField>,
    /// Offered to every account of the owner's subtree.
    #[serde(default)]
    pub template: bool,
    /// Written for the demonstration: shown with a notice that it is not an official guide.
    #[serde(default)]
    pub demo: bool,
}

/// Checks a catalogue code (a procedure's or a form's): 1–64 ASCII letters, digits, `.`, `_`
/// or `-`, as the National Public Service Portal writes its codes ("1.001234.000.00.00.H12").
pub fn catalogue_code(raw: &str) -> Result<String, InvalidInput> {
    let code = raw.trim();
    let ok = (1..=64).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok { Ok(code.to_owned()) } else { Err(InvalidInput::CatalogueCode) }
}

fn list(items: Vec<String>, field: &'static str) -> Result<Vec<String>, InvalidInput> {
    let items: Vec<String> = items
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| bounded_text(s, field, 1, 2000))
        .collect::<Result<_, _>>()?;
    if items.len() > MAX_LIST_ITEMS {
        return Err(InvalidInput::Length { field, min: 0, max: MAX_LIST_ITEMS });
    }
    Ok(items)
}

fn optional(raw: &str, field: &'static str, max: usize) -> Result<String, InvalidInput> {
    bounded_text(raw, field, 0, max)
}

impl ProcedureDoc {
    /// Checks every field and puts text in NFC; repeats in `forms` and `locked` are dropped.
    pub fn checked(mut self) -> Result<Self, InvalidInput> {
        self.code = catalogue_code(&self.code)?;
        self.name = bounded_text(&self.name, "name", 3, 300)?;
        self.applicants = optional(&self.applicants, "applicants", 2000)?;
        self.steps = list(self.steps, "steps")?;
        self.documents = list(self.documents, "documents")?;
        self.fee = optional(&self.fee, "fee", 500)?;
        self.processing_time = optional(&self.processing_time, "processing_time", 300)?;
        self.office = optional(&self.office, "office", 300)?;
        self.address = optional(&self.address, "address", 500)?;
        self.hours = optional(&self.hours, "hours", 300)?;
        self.phone = optional(&self.phone, "phone", 40)?;
        self.notes = optional(&self.notes, "notes", 4000)?;
        self.online_url = self.online_url.trim().to_owned();
        if !self.online_url.is_empty() && !is_web_url(&self.online_url) {
            return Err(InvalidInput::WebUrl);
        }
        let mut seen = Vec::new();
        let mut basis = Vec::with_capacity(self.legal_basis.len());
        for doc in self.legal_basis {
            let doc = doc.checked()?;
            if !seen.contains(&doc.number) {
                seen.push(doc.number.clone());
                basis.push(doc);
            }
        }
        self.legal_basis = basis;
        let mut forms = Vec::with_capacity(self.forms.len());
        for code in &self.forms {
            let code = catalogue_code(code)?;
            if !forms.contains(&code) {
                forms.push(code);
            }
        }
        self.forms = forms;
        self.locked.sort();
        self.locked.dedup();
        Ok(self)
    }

    /// The guide as an account shows it: each field the override sets replaces the template's,
    /// extra steps follow the template's. Locked fields are never replaced (storage refuses to
    /// keep such an override, and this keeps a template locked after the fact safe too).
    pub fn with_override(&self, o: &Override) -> Self {
        let mut doc = self.clone();
        for (field, value) in &o.fields {
            if self.locked.contains(field) {
                continue;
            }
            let slot = match field {
                DeskField::Office => &mut doc.office,
                DeskField::Address => &mut doc.address,
                DeskField::Hours => &mut doc.hours,
                DeskField::Phone => &mut doc.phone,
                DeskField::OnlineUrl => &mut doc.online_url,
                DeskField::Fee => &mut doc.fee,
                DeskField::ProcessingTime => &mut doc.processing_time,
                DeskField::Notes => &mut doc.notes,
                DeskField::ExtraSteps => continue,
            };
            *slot = value.clone();
        }
        if !self.locked.contains(&DeskField::ExtraSteps) {
            doc.steps.extend(o.extra_steps.iter().cloned());
        }
        doc
    }
}

/// What one account changes of a guide it inherits.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Replaced fields (never [`DeskField::ExtraSteps`], which is `extra_steps`).
    #[serde(default)]
    pub fields: BTreeMap<DeskField, String>,
    /// Steps added after the template's.
    #[serde(default)]
    pub extra_steps: Vec<String>,
    /// Whether the account hides the guide.
    #[serde(default)]
    pub hidden: bool,
}

impl Override {
    /// Checks the values and refuses any field the template locks (`Err` names it). Empty
    /// values are dropped: an empty field means "as the template says".
    pub fn checked(mut self, locked: &[DeskField]) -> Result<Self, OverrideError> {
        self.fields.retain(|_, v| !v.trim().is_empty());
        self.fields.remove(&DeskField::ExtraSteps);
        for (field, value) in &mut self.fields {
            if locked.contains(field) {
                return Err(OverrideError::Locked(*field));
            }
            let max = if *field == DeskField::Notes { 4000 } else { 500 };
            *value = bounded_text(value, field.as_str(), 1, max).map_err(OverrideError::Invalid)?;
            if *field == DeskField::OnlineUrl && !is_web_url(value) {
                return Err(OverrideError::Invalid(InvalidInput::WebUrl));
            }
        }
        self.extra_steps = list(self.extra_steps, "extra_steps").map_err(OverrideError::Invalid)?;
        if !self.extra_steps.is_empty() && locked.contains(&DeskField::ExtraSteps) {
            return Err(OverrideError::Locked(DeskField::ExtraSteps));
        }
        Ok(self)
    }

    /// Whether it changes nothing and hides nothing.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.extra_steps.is_empty() && !self.hidden
    }
}

/// Why an override was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideError {
    /// The template does not let accounts change this field.
    Locked(DeskField),
    /// A value is malformed.
    Invalid(InvalidInput),
}

/// A downloadable form's description (its file travels beside it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDoc {
    /// Its code in the catalogue ("CT01").
    pub code: String,
    /// Its title.
    pub title: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Its version as the issuer writes it.
    #[serde(default)]
    pub version: String,
    /// When this version took effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Day>,
    /// The code of the form that replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
}

impl FormDoc {
    /// Checks every field.
    pub fn checked(mut self) -> Result<Self, InvalidInput> {
        self.code = catalogue_code(&self.code)?;
        self.title = bounded_text(&self.title, "title", 3, 300)?;
        self.description = optional(&self.description, "description", 2000)?;
        self.version = optional(&self.version, "version", 60)?;
        self.superseded_by = self.superseded_by.as_deref().map(catalogue_code).transpose()?;
        if self.superseded_by.as_ref() == Some(&self.code) {
            return Err(InvalidInput::SupersedeCycle);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> RawMenu {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn broken(json: &str, limits: MenuLimits) -> MenuError {
        match Menu::check(raw(json), limits) {
            Ok(m) => panic!("accepted: {m:?}"),
            Err(e) => e,
        }
    }

    fn rule(json: &str) -> (&'static str, String) {
        let e = broken(json, MenuLimits::default());
        (e.rule, e.at)
    }

    #[test]
    fn a_menu_within_the_limits_is_kept_in_nfc() {
        let menu = Menu::check(
            raw(r#"{"buttons":[{"label":"Thu\u0309 tu\u0323c","buttons":[
                {"label":"Căn cước","action":"procedure","value":"DEMO-CA-01"},
                {"label":"Tất cả","action":"procedures"}]},
                {"label":"DVC","action":"url","value":"https://dichvucong.gov.vn/p/home"},
                {"label":"Gọi","action":"phone","value":"069 2591 111"}]}"#),
            MenuLimits::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(menu.buttons.len(), 3);
        assert_eq!(menu.buttons[0].label, "Thủ tục");
        assert_eq!(menu.buttons[0].buttons[1].value, "");
    }

    #[test]
    fn each_rule_is_named_with_its_place() {
        let four = r#"{"buttons":[{"label":"a","action":"tip"},{"label":"b","action":"tip"},
            {"label":"c","action":"tip"},{"label":"d","action":"tip"}]}"#;
        assert_eq!(rule(four), ("menu-too-many-buttons", "buttons".into()));
        let six = format!(
            r#"{{"buttons":[{{"label":"g","buttons":[{}]}}]}}"#,
            [r#"{"label":"x","action":"tip"}"#; 6].join(",")
        );
        assert_eq!(rule(&six).0, "menu-too-many-sub-buttons");
        assert_eq!(
            rule(r#"{"buttons":[{"label":"a","action":"explode","value":"x"}]}"#),
            ("menu-unknown-action", "buttons[0]".into())
        );
        assert_eq!(
            rule(
                r#"{"buttons":[{"label":"g","buttons":[{"label":"a","action":"url","value":"javascript:alert(1)"}]}]}"#
            ),
            ("menu-url-scheme", "buttons[0].buttons[0]".into())
        );
        assert_eq!(
            rule(r#"{"buttons":[{"label":"a","action":"url","value":"ftp://x.vn"}]}"#).0,
            "menu-url-scheme"
        );
        assert_eq!(
            rule(r#"{"buttons":[{"label":"a","action":"phone","value":"gọi đi"}]}"#).0,
            "menu-phone"
        );
        assert_eq!(rule(r#"{"buttons":[{"label":"","action":"tip"}]}"#).0, "menu-label");
        assert_eq!(rule(r#"{"buttons":[{"label":"a"}]}"#).0, "menu-no-action");
        assert_eq!(rule(r#"{"buttons":[{"label":"a","action":"form"}]}"#).0, "menu-missing-value");
        assert_eq!(
            rule(r#"{"buttons":[{"label":"g","action":"tip","buttons":[{"label":"a","action":"tip"}]}]}"#).0,
            "menu-group-with-action"
        );
        assert_eq!(
            rule(r#"{"buttons":[{"label":"g","buttons":[{"label":"a","buttons":[{"label":"b","action":"tip"}]}]}]}"#).0,
            "menu-too-deep"
        );
    }

    #[test]
    fn limits_are_the_operators() {
        let two = r#"{"buttons":[{"label":"a","action":"tip"},{"label":"b","action":"tip"}]}"#;
        let e = broken(two, MenuLimits { buttons: 1, sub_buttons: 5 });
        assert_eq!((e.rule, e.limit), ("menu-too-many-buttons", Some(1)));
    }

    #[test]
    fn days_read_both_ways_and_refuse_impossible_dates() {
        assert_eq!(Day::parse("01/07/2024").map(|d| d.to_string()), Ok("2024-07-01".to_owned()));
        assert_eq!(Day::parse("2024-7-1").map(|d| d.display_vn()), Ok("01/07/2024".to_owned()));
        assert!(Day::parse("31/02/2024").is_err());
        assert!(Day::parse("2024/01").is_err());
        assert!(Day::parse("").is_err());
    }

    fn doc() -> ProcedureDoc {
        ProcedureDoc {
            code: "DEMO-01".into(),
            name: "Cấp thẻ căn cước".into(),
            level: ProcedureLevel::Commune,
            applicants: String::new(),
            steps: vec!["Nộp hồ sơ".into()],
            documents: vec![],
            fee: "Miễn phí".into(),
            processing_time: String::new(),
            office: String::new(),
            address: String::new(),
            hours: "7:30–17:00".into(),
            phone: String::new(),
            online_url: String::new(),
            notes: String::new(),
            legal_basis: vec![],
            forms: vec![],
            locked: vec![DeskField::Fee],
            template: true,
            demo: false,
        }
    }

    #[test]
    fn an_override_replaces_only_open_fields() {
        let mut o = Override::default();
        o.fields.insert(DeskField::Hours, "Sáng thứ Bảy".into());
        o.extra_steps.push("Mang theo ảnh".into());
        let o = o.checked(&doc().locked).unwrap_or_else(|e| panic!("{e:?}"));
        let shown = doc().with_override(&o);
        assert_eq!(shown.hours, "Sáng thứ Bảy");
        assert_eq!(shown.steps, vec!["Nộp hồ sơ".to_owned(), "Mang theo ảnh".to_owned()]);
        assert_eq!(shown.fee, "Miễn phí");

        let mut locked = Override::default();
        locked.fields.insert(DeskField::Fee, "50.000 đồng".into());
        assert_eq!(locked.checked(&doc().locked), Err(OverrideError::Locked(DeskField::Fee)));
    }

    #[test]
    fn a_guide_refuses_a_bad_code_or_address() {
        assert_eq!(
            ProcedureDoc { code: "có dấu".into(), ..doc() }.checked(),
            Err(InvalidInput::CatalogueCode)
        );
        assert_eq!(
            ProcedureDoc { online_url: "javascript:x".into(), ..doc() }.checked(),
            Err(InvalidInput::WebUrl)
        );
        assert!(ProcedureDoc { code: "1.001234.000.00.00.H12".into(), ..doc() }.checked().is_ok());
    }
}
