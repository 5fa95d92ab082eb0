//! What storage keeps of the front desk: legal documents, procedure guides and forms (each an
//! agency's, offered down its subtree when marked as a template), what each account changes of
//! the guides it shows, and menus with every published version.
//!
//! Who sees what is decided when it is read, from the reader's agency ancestry (its own agency
//! first, then each one above): an account sees its own agency's guides and every template of an
//! agency above it, and where two share a code the nearest wins. So a change at a template
//! reaches every account below at its next read, and marking one document replaced is one
//! update of the guides that cite it, wherever they sit in the tree.

use async_trait::async_trait;
use ketnoi_core::{
    AccountId, AgencyId, StaffId, Timestamp,
    desk::{Day, FormDoc, FormId, LegalDocId, LegalRef, Menu, Override, ProcedureDoc, ProcedureId},
};

use crate::Result;

/// Whose a menu is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MenuOwner {
    /// One account's own menu.
    Account(AccountId),
    /// An agency's template for the accounts of its subtree that have none of their own.
    Agency(AgencyId),
}

/// One published version of a menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuVersion {
    /// Whose.
    pub owner: MenuOwner,
    /// 1, 2, 3… per owner.
    pub version: i64,
    /// The menu.
    pub menu: Menu,
    /// Who published it.
    pub author: Option<StaffId>,
    /// When.
    pub created_at: Timestamp,
}

/// A legal document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalDoc {
    /// Its id.
    pub id: LegalDocId,
    /// Its details, with the number of the document that replaces it.
    pub doc: LegalRef,
    /// The agency that entered it, which may mark it replaced.
    pub agency: AgencyId,
}

/// A procedure guide as its owner wrote it, its legal basis as the documents stand now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// Its id.
    pub id: ProcedureId,
    /// The agency it belongs to.
    pub agency: AgencyId,
    /// The guide.
    pub doc: ProcedureDoc,
    /// When an officer last saved or reviewed it.
    pub reviewed_at: Timestamp,
    /// Since when it needs review because a document it rests on was replaced or lapsed.
    pub stale_since: Option<Timestamp>,
    /// The number of that document.
    pub stale_doc: Option<String>,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A guide as one account shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownProcedure {
    /// The guide as written.
    pub procedure: Procedure,
    /// What the account changes of it, if anything.
    pub over: Option<Override>,
    /// Whether it comes from an agency above the account's.
    pub inherited: bool,
}

impl ShownProcedure {
    /// Whether the account hides the guide from its readers.
    pub fn hidden(&self) -> bool {
        self.over.as_ref().is_some_and(|o| o.hidden)
    }

    /// The guide with the account's changes applied.
    pub fn effective(&self) -> ProcedureDoc {
        match &self.over {
            Some(o) => self.procedure.doc.with_override(o),
            None => self.procedure.doc.clone(),
        }
    }
}

/// One line of an account's catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureLine {
    /// The guide's id.
    pub id: ProcedureId,
    /// The agency it belongs to.
    pub agency: AgencyId,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Offered down the owner's subtree.
    pub template: bool,
    /// From an agency above the reader's.
    pub inherited: bool,
    /// The reader overrides some of its fields.
    pub overridden: bool,
    /// The reader hides it.
    pub hidden: bool,
    /// Since when it needs review, if it does.
    pub stale_since: Option<Timestamp>,
    /// When an officer last saved or reviewed it.
    pub reviewed_at: Timestamp,
}

/// A form of an agency's library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Its id.
    pub id: FormId,
    /// The agency it belongs to.
    pub agency: AgencyId,
    /// Its description.
    pub doc: FormDoc,
    /// Its file in the blob store.
    pub blob_key: String,
    /// The file's checked type.
    pub content_type: String,
    /// The name it downloads as.
    pub file_name: String,
    /// Bytes.
    pub size: i64,
    /// When an officer last saved it.
    pub reviewed_at: Timestamp,
    /// Whether a guide that uses it needs review (as its reader sees the guides).
    pub stale: bool,
}

/// A form to store (its file already in the blob store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewForm {
    /// The agency whose library it joins.
    pub agency: AgencyId,
    /// Its description.
    pub doc: FormDoc,
    /// Its file in the blob store.
    pub blob_key: String,
    /// The file's checked type.
    pub content_type: String,
    /// The name it downloads as.
    pub file_name: String,
    /// Bytes.
    pub size: i64,
}

/// Why a batch of guides (or one legal document change) was refused; nothing was stored.
/// `index` is the position in the batch of the guide at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskRefusal {
    /// Two guides of the batch share a code.
    DuplicateCode {
        /// The later one.
        index: usize,
        /// The code.
        code: String,
    },
    /// A guide names a form no agency of its owner's line has.
    UnknownForm {
        /// The guide.
        index: usize,
        /// The form's code.
        code: String,
    },
    /// A document is said to be replaced by one nobody entered.
    UnknownDocument {
        /// The guide that said so, if the change came in a batch.
        index: Option<usize>,
        /// The missing number.
        number: String,
    },
    /// Documents would replace each other in a circle.
    Cycle {
        /// The guide that closed it, if the change came in a batch.
        index: Option<usize>,
        /// A document on the circle.
        number: String,
    },
    /// The document was entered by another agency, which alone may mark it replaced.
    NotOwner {
        /// Its number.
        number: String,
    },
}

/// The front desk's storage.
#[async_trait]
pub trait DeskStore {
    /// Publishes a new version of a menu; returns its number.
    async fn publish_menu(
        &self,
        owner: MenuOwner,
        menu: &Menu,
        author: Option<StaffId>,
        at: Timestamp,
    ) -> Result<i64>;
    /// A menu's versions, newest first.
    async fn menu_versions(&self, owner: MenuOwner, limit: i64) -> Result<Vec<MenuVersion>>;
    /// Drops an account's own menu, every version, so that it shows its agencies' again.
    /// `Ok(false)` if it had none.
    async fn drop_account_menu(&self, account: AccountId) -> Result<bool>;
    /// The menu an account shows: its own newest version, else the newest template of the
    /// nearest agency in `ancestry` (the account's agency first) that has one.
    async fn menu_for(
        &self,
        account: AccountId,
        ancestry: &[AgencyId],
    ) -> Result<Option<MenuVersion>>;

    /// Stores guides of one agency, all or none: new codes are added, known ones replaced
    /// (their overrides kept), the legal documents they cite added or, where the agency entered
    /// them, updated. Each guide counts as reviewed now unless it cites a document that is
    /// replaced or lapsed by `today`; a document newly marked replaced flags every guide that
    /// cites it, anywhere.
    async fn save_procedures(
        &self,
        agency: AgencyId,
        ancestry: &[AgencyId],
        docs: &[ProcedureDoc],
        today: &Day,
        at: Timestamp,
    ) -> Result<Result<Vec<ProcedureId>, DeskRefusal>>;
    /// One guide.
    async fn procedure(&self, id: ProcedureId) -> Result<Option<Procedure>>;
    /// Deletes a guide (its overrides go with it). `Ok(false)` if there was none.
    async fn delete_procedure(&self, id: ProcedureId) -> Result<bool>;
    /// The guides of one agency, as written, by name: what it exports.
    async fn agency_procedures(&self, agency: AgencyId) -> Result<Vec<Procedure>>;
    /// An account's catalogue: its agency's guides and the templates above, the nearest winning
    /// a shared code, by name. `query` keeps those whose folded name or code holds every folded
    /// word; hidden guides are kept only when `with_hidden`.
    async fn procedures_for(
        &self,
        account: AccountId,
        ancestry: &[AgencyId],
        query: Option<&str>,
        with_hidden: bool,
    ) -> Result<Vec<ProcedureLine>>;
    /// One guide of an account's catalogue by code, with the account's changes.
    async fn procedure_for(
        &self,
        account: AccountId,
        ancestry: &[AgencyId],
        code: &str,
    ) -> Result<Option<ShownProcedure>>;
    /// The guides of an account's catalogue that name a form, by name (hidden ones left out).
    async fn guides_using_form(
        &self,
        account: AccountId,
        ancestry: &[AgencyId],
        form_code: &str,
    ) -> Result<Vec<ProcedureLine>>;
    /// Stores what an account changes of a guide (an empty override removes it).
    async fn set_override(
        &self,
        procedure: ProcedureId,
        account: AccountId,
        over: &Override,
        at: Timestamp,
    ) -> Result<()>;
    /// Every account's changes to a guide.
    async fn overrides_of(&self, procedure: ProcedureId) -> Result<Vec<(AccountId, Override)>>;
    /// Marks a guide reviewed and clears its flag, unless it still cites a document replaced
    /// or lapsed by `today`: then `Ok(Err(number))`.
    async fn review_procedure(
        &self,
        id: ProcedureId,
        today: &Day,
        at: Timestamp,
    ) -> Result<Result<(), String>>;

    /// One legal document by number.
    async fn legal_doc(&self, number: &str) -> Result<Option<LegalDoc>>;
    /// The legal documents an agency's guides cite, by number.
    async fn legal_docs_cited(&self, agency: AgencyId) -> Result<Vec<LegalDoc>>;
    /// Marks a document replaced on `on` (by `by`, a known number, or by nothing when it is
    /// simply repealed) on behalf of `agency`, and flags every guide that cites it: returns how
    /// many were flagged.
    async fn supersede_legal(
        &self,
        number: &str,
        by: Option<&str>,
        on: &Day,
        agency: AgencyId,
        at: Timestamp,
    ) -> Result<Result<u64, DeskRefusal>>;
    /// The flagged guides of the agencies below `agency` (not its own): each agency's name, the
    /// guide's code and name, by agency and name, at most `limit`. What an agency sees of the
    /// review its units owe.
    async fn stale_below(
        &self,
        agency: AgencyId,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>>;
    /// Flags the guides citing a document that lapsed by `today` (housekeeping); returns how
    /// many.
    async fn flag_lapsed(&self, today: &Day, at: Timestamp) -> Result<u64>;

    /// Adds a form to an agency's library, or replaces the one with its code.
    async fn save_form(&self, form: &NewForm, at: Timestamp) -> Result<FormId>;
    /// One form by id.
    async fn form(&self, id: FormId) -> Result<Option<Form>>;
    /// The forms an account's agency line offers (its own and every agency's above), the
    /// nearest winning a shared code, by title; `query` as for guides.
    async fn forms_for(&self, ancestry: &[AgencyId], query: Option<&str>) -> Result<Vec<Form>>;
    /// Deletes a form. `Ok(false)` if there was none.
    async fn delete_form(&self, id: FormId) -> Result<bool>;
}
