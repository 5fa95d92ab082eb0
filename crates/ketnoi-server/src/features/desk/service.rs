//! The front desk's rules over storage: who may change what (the `manage-desk` action on the
//! agency that owns a guide, a form, a document or a template menu, or on the account whose own
//! menu or overrides change), menus checked against the operator's limits, imports refused
//! with their lines, and the menu as other features draw it.

use std::sync::Arc;

use askama::Template;
use ketnoi_core::{
    Account, AgencyId, Button, Timestamp,
    desk::{Day, Menu, MenuAction, MenuLimits, Override, OverrideError, RawMenu},
    policy::Action,
};
use ketnoi_store::{DeskRefusal, MenuOwner, MenuVersion, ShownProcedure, Store};

use crate::features::desk::import::{self, Format};
use crate::kernel::{
    auth::Caller,
    error::ApiError,
    pages::{Tr, encode},
    state::{Kernel, feature_state},
    text::shorten,
};

/// What the desk's routes and pages hold.
#[derive(Clone)]
pub struct DeskState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The desk service.
    pub desk: Arc<Desk>,
}
feature_state!(DeskState);

/// The front desk service.
pub struct Desk {
    /// How large a menu may be.
    pub limits: MenuLimits,
}

/// Where a menu is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuTarget {
    /// The account's own menu.
    Account,
    /// A template for the accounts below the account's agency.
    Agency,
}

impl Desk {
    /// A desk with the operator's menu limits.
    pub fn new(limits: MenuLimits) -> Self {
        Self { limits }
    }

    /// Checks a menu against the limits.
    pub fn check_menu(&self, raw: RawMenu) -> Result<Menu, ApiError> {
        Menu::check(raw, self.limits).map_err(|e| ApiError::BrokenRule {
            code: e.rule,
            at: e.at,
            limit: e.limit.map(|n| n as i64),
        })
    }

    /// Publishes a menu for an account, or as a template of its agency.
    pub async fn publish_menu(
        &self,
        kernel: &Kernel,
        caller: &Caller,
        account: &Account,
        target: MenuTarget,
        raw: RawMenu,
    ) -> Result<i64, ApiError> {
        let line = kernel.store.agency_ancestry(account.agency).await?;
        caller.require(Action::ManageDesk, Some(&line))?;
        let menu = self.check_menu(raw)?;
        let owner = match target {
            MenuTarget::Account => MenuOwner::Account(account.id),
            MenuTarget::Agency => MenuOwner::Agency(account.agency),
        };
        Ok(kernel.store.publish_menu(owner, &menu, caller.staff_id(), Timestamp::now()).await?)
    }
}

/// The agency line of an account's agency: the agency first, then each one above.
pub async fn line_of(kernel: &Kernel, agency: AgencyId) -> Result<Vec<AgencyId>, ApiError> {
    Ok(kernel.store.agency_ancestry(agency).await?)
}

/// Requires the desk permission on an agency (its line decides).
pub async fn require_desk(
    kernel: &Kernel,
    caller: &Caller,
    agency: AgencyId,
) -> Result<Vec<AgencyId>, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let line = line_of(kernel, agency).await?;
    caller.require(Action::ManageDesk, Some(&line))?;
    Ok(line)
}

/// Reads a catalogue file and stores its guides for an agency, all or nothing; returns how many.
pub async fn import_guides(
    kernel: &Kernel,
    caller: &Caller,
    agency: AgencyId,
    format: Format,
    bytes: &[u8],
) -> Result<usize, ApiError> {
    let line = require_desk(kernel, caller, agency).await?;
    let parsed = import::read(format, bytes).map_err(ApiError::ImportRefused)?;
    let now = Timestamp::now();
    match kernel.store.save_procedures(agency, &line, &parsed.docs, &Day::today(now), now).await? {
        Ok(ids) => Ok(ids.len()),
        Err(refusal) => Err(ApiError::ImportRefused(vec![parsed.refusal(&refusal)])),
    }
}

/// Storage's refusal of a single change (not a file) as an error.
pub fn refusal(r: &DeskRefusal) -> ApiError {
    let (_, code, detail) = import::explain(r);
    ApiError::BrokenRule { code, at: detail, limit: None }
}

/// Stores what an account changes of a guide of its catalogue, by the guide's code.
pub async fn set_override(
    kernel: &Kernel,
    caller: &Caller,
    account: &Account,
    code: &str,
    over: Override,
) -> Result<(), ApiError> {
    let line = require_desk(kernel, caller, account.agency).await?;
    let shown = kernel
        .store
        .procedure_for(account.id, &line, code)
        .await?
        .ok_or(ApiError::NotFound("procedure"))?;
    if !shown.inherited {
        return Err(ApiError::BadField { code: "override-own-guide", field: "code" });
    }
    let over = over.checked(&shown.procedure.doc.locked).map_err(|e| match e {
        OverrideError::Locked(field) => ApiError::BrokenRule {
            code: "override-locked",
            at: field.as_str().to_owned(),
            limit: None,
        },
        OverrideError::Invalid(e) => ApiError::Invalid(e),
    })?;
    kernel.store.set_override(shown.procedure.id, account.id, &over, Timestamp::now()).await?;
    Ok(())
}

/// The address of a guide on an account's pages.
pub fn guide_path(slug: &str, code: &str) -> String {
    format!("/a/{slug}/thu-tuc/{}", encode(code))
}

/// The address of a form's page.
pub fn form_path(slug: &str, code: &str) -> String {
    format!("/a/{slug}/bieu-mau/{}", encode(code))
}

/// One menu button as drawn: its label and where it leads.
pub struct MenuLink {
    /// What it says.
    pub label: String,
    /// Where it leads.
    pub href: String,
    /// Whether it leaves the site.
    pub external: bool,
}

/// A top-level entry of a drawn menu.
pub struct MenuEntry {
    /// What it says.
    pub label: String,
    /// Where it leads, for a button; `None` for a group.
    pub link: Option<MenuLink>,
    /// A group's buttons.
    pub children: Vec<MenuLink>,
}

/// Where a button leads from an account's pages.
pub fn href(slug: &str, action: MenuAction, value: &str) -> (String, bool) {
    let v = encode(value);
    match action {
        MenuAction::Article => (format!("/a/{slug}/tin/{v}"), false),
        MenuAction::Url => (value.to_owned(), true),
        MenuAction::Keyword => (format!("/a/{slug}/chat?text={v}"), false),
        MenuAction::Lookup => (format!("/a/{slug}/tra-cuu/{v}"), false),
        MenuAction::Tip => (format!("/a/{slug}/tin-bao"), false),
        MenuAction::Form => (format!("/a/{slug}/bieu-mau/{v}"), false),
        MenuAction::Procedure => (format!("/a/{slug}/thu-tuc/{v}"), false),
        MenuAction::Procedures => (format!("/a/{slug}/thu-tuc"), false),
        MenuAction::Forms => (format!("/a/{slug}/bieu-mau"), false),
        MenuAction::Phone => {
            let digits: String =
                value.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            (format!("tel:{digits}"), false)
        }
    }
}

/// A menu laid out for a page.
pub fn entries(slug: &str, menu: &Menu) -> Vec<MenuEntry> {
    let link = |b: &ketnoi_core::desk::MenuButton| {
        b.action.map(|a| {
            let (href, external) = href(slug, a, &b.value);
            MenuLink { label: b.label.clone(), href, external }
        })
    };
    menu.buttons
        .iter()
        .map(|b| MenuEntry {
            label: b.label.clone(),
            link: link(b),
            children: b.buttons.iter().filter_map(link).collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "desk_menu.html")]
struct MenuBlock<'a> {
    t: &'a Tr,
    entries: Vec<MenuEntry>,
    id: &'a str,
}

/// Draws a menu as the HTML block the account page and the chat show: plain links, groups as
/// `<details>`, so it works without JavaScript and by keyboard.
pub(crate) fn menu_block_of(t: &Tr, slug: &str, menu: &Menu, id: &str) -> String {
    if menu.buttons.is_empty() {
        return String::new();
    }
    MenuBlock { t, entries: entries(slug, menu), id }.render().unwrap_or_default()
}

/// The menu an account shows, if any.
pub async fn menu_of(kernel: &Kernel, account: &Account) -> Result<Option<MenuVersion>, ApiError> {
    let line = line_of(kernel, account.agency).await?;
    Ok(kernel.store.menu_for(account.id, &line).await?)
}

/// The menu block of an account's pages, empty when it has none (or storage fails: the page is
/// still worth showing without it).
pub(crate) async fn menu_block(kernel: &Kernel, t: &Tr, account: &Account, id: &str) -> String {
    match menu_of(kernel, account).await {
        Ok(Some(m)) => menu_block_of(t, account.slug.as_str(), &m.menu, id),
        Ok(None) => String::new(),
        Err(e) => {
            tracing::warn!(error = %e, "menu not read");
            String::new()
        }
    }
}

/// A guide an account shows its readers, by code along the account's agency `line`: in its
/// catalogue and not hidden by it.
pub async fn visible(
    store: &dyn Store,
    account: &Account,
    line: &[AgencyId],
    code: &str,
) -> Result<Option<ShownProcedure>, ApiError> {
    let shown = store.procedure_for(account.id, line, code).await?;
    Ok(shown.filter(|s| !s.hidden()))
}

/// The label of the link from a bot answer to the guide it comes from.
const GUIDE_BUTTON: &str = "Xem hướng dẫn đầy đủ";

/// What a bot answer taken from the guide `code` carries: a link to the guide as the account
/// shows it, then its forms (two at most) as files to download. Nothing when the account does
/// not show the guide (hidden, or gone).
pub async fn answer_links(
    store: &dyn Store,
    account: &Account,
    code: &str,
) -> Result<Vec<Button>, ApiError> {
    let slug = account.slug.as_str();
    let line = store.agency_ancestry(account.agency).await?;
    let Some(shown) = visible(store, account, &line, code).await? else { return Ok(vec![]) };
    let mut links =
        vec![Button::Link { label: GUIDE_BUTTON.to_owned(), url: guide_path(slug, code) }];
    let wanted = &shown.procedure.doc.forms;
    if !wanted.is_empty() {
        let library = store.forms_for(&line, None).await?;
        let forms = wanted.iter().filter_map(|c| library.iter().find(|f| &f.doc.code == c));
        for form in forms.take(2) {
            links.push(Button::Link {
                label: shorten(&format!("📄 {}", form.doc.title), 80),
                url: format!("{}/tai-ve", form_path(slug, &form.doc.code)),
            });
        }
    }
    Ok(links)
}

/// Flags the guides citing documents that lapsed today (housekeeping, safe on every node).
pub async fn flag_lapsed(kernel: &Kernel) -> Result<u64, ApiError> {
    let now = Timestamp::now();
    Ok(kernel.store.flag_lapsed(&Day::today(now), now).await?)
}
