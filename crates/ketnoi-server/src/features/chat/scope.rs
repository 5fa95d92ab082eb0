//! Who may see and act in which conversations, decided from the policy table.

use std::collections::{HashMap, HashSet};

use ketnoi_core::{Account, AccountId, AgencyId, Author, CitizenId, Conversation, policy::Action};

use crate::kernel::state::Kernel;
use crate::kernel::{auth::Caller, error::ApiError};

/// The conversations a connection or request may reach.
#[derive(Debug, Clone)]
pub(crate) enum ChatScope {
    /// A citizen: their own conversations.
    Citizen(CitizenId),
    /// Officers (or an account's integration): the inboxes of these accounts, replying in
    /// those of `reply`.
    Staff {
        /// Accounts whose conversations may be read.
        read: Vec<AccountId>,
        /// Accounts whose conversations may be answered.
        reply: HashSet<AccountId>,
        /// The staff member, who also hears what is meant for them alone (a new tip for a
        /// unit whose key they hold); `None` for an account's integration.
        me: Option<ketnoi_core::StaffId>,
    },
}

/// What a caller may do in one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// It is the caller's own conversation.
    Citizen(CitizenId),
    /// An officer or integration of the account.
    Staff {
        /// Whether they may answer, mark read, close and reopen.
        reply: bool,
        /// Who they write as.
        author: Author,
        /// The name kept with their messages.
        name: String,
    },
}

impl Access {
    /// Refuses callers who may only read.
    pub(crate) fn require_reply(&self) -> Result<(), ApiError> {
        match self {
            Self::Staff { reply: false, .. } => Err(ApiError::Forbidden),
            _ => Ok(()),
        }
    }
}

/// The scope of a signed-in caller.
pub(crate) async fn of(state: &Kernel, caller: &Caller) -> Result<ChatScope, ApiError> {
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthenticated),
        Caller::Citizen { citizen, .. } => Ok(ChatScope::Citizen(citizen.id)),
        Caller::Account { account, .. } => Ok(ChatScope::Staff {
            read: vec![account.id],
            reply: HashSet::from([account.id]),
            me: None,
        }),
        Caller::Staff { staff, .. } => {
            let accounts = staff_accounts(state, caller).await?;
            Ok(ChatScope::Staff {
                read: accounts.iter().map(|(a, _)| a.id).collect(),
                reply: accounts.iter().filter(|(_, r)| *r).map(|(a, _)| a.id).collect(),
                me: Some(staff.id),
            })
        }
    }
}

/// The accounts whose conversations a staff member may read, each with whether they may reply.
pub(crate) async fn staff_accounts(
    state: &Kernel,
    caller: &Caller,
) -> Result<Vec<(Account, bool)>, ApiError> {
    let Caller::Staff { staff, grants, .. } = caller else {
        return Ok(Vec::new());
    };
    let (_, accounts) =
        crate::features::directory::me::console_scope(state, staff.platform_admin, grants).await?;
    let mut ancestry: HashMap<AgencyId, Vec<AgencyId>> = HashMap::new();
    let mut out = Vec::new();
    for account in accounts {
        if let std::collections::hash_map::Entry::Vacant(slot) = ancestry.entry(account.agency) {
            slot.insert(state.store.agency_ancestry(account.agency).await?);
        }
        let up = ancestry.get(&account.agency).map(Vec::as_slice);
        if caller.may(Action::ReadConversations, up) {
            let reply = caller.may(Action::ReplyConversations, up);
            out.push((account, reply));
        }
    }
    Ok(out)
}

/// What the caller may do to an account's conversations, if anything: `None` for citizens and
/// strangers.
pub(crate) async fn account_access(
    state: &Kernel,
    caller: &Caller,
    account: &Account,
) -> Result<Option<Access>, ApiError> {
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthenticated),
        Caller::Citizen { .. } => Ok(None),
        // An integration writes under its own name, and only with the scope to send.
        Caller::Account { account: own, via, .. } => {
            Ok((own.id == account.id).then(|| Access::Staff {
                reply: via.as_ref().is_none_or(|v| v.scopes.has(ketnoi_core::Scope::Message)),
                author: Author::Account(own.id),
                name: via.as_ref().map_or_else(|| own.display_name.clone(), |v| v.name.clone()),
            }))
        }
        Caller::Staff { staff, .. } => {
            let up = state.store.agency_ancestry(account.agency).await?;
            if !caller.may(Action::ReadConversations, Some(&up)) {
                return Ok(None);
            }
            Ok(Some(Access::Staff {
                reply: caller.may(Action::ReplyConversations, Some(&up)),
                author: Author::Staff(staff.id),
                name: staff.display_name.to_string(),
            }))
        }
    }
}

/// What the caller may do in a conversation. A citizen asking for someone else's conversation
/// is told it does not exist; an officer without a role on the account whose inbox holds it is
/// refused, unless an account they may read handed it over keeping read access: they then read
/// it without acting.
pub(crate) async fn conversation_access(
    state: &Kernel,
    caller: &Caller,
    conversation: &Conversation,
) -> Result<Access, ApiError> {
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthenticated),
        Caller::Citizen { citizen, .. } => {
            if citizen.id == conversation.citizen {
                Ok(Access::Citizen(citizen.id))
            } else {
                Err(ApiError::NotFound("conversation"))
            }
        }
        _ => {
            let handler = state
                .store
                .account(conversation.handler)
                .await?
                .ok_or(ApiError::NotFound("conversation"))?;
            if let Some(access) = account_access(state, caller, &handler).await? {
                return Ok(access);
            }
            if conversation.handler != conversation.account {
                for from in kept_readers(state, conversation).await? {
                    let Some(account) = state.store.account(from).await? else { continue };
                    if let Some(Access::Staff { author, name, .. }) =
                        account_access(state, caller, &account).await?
                    {
                        return Ok(Access::Staff { reply: false, author, name });
                    }
                }
            }
            Err(ApiError::Forbidden)
        }
    }
}

/// The accounts that handed a conversation over keeping read access, each once.
async fn kept_readers(
    state: &Kernel,
    conversation: &Conversation,
) -> Result<Vec<AccountId>, ApiError> {
    let mut out: Vec<AccountId> = Vec::new();
    for t in state.store.transfers(conversation.id).await? {
        if t.keep_read && t.from != conversation.handler && !out.contains(&t.from) {
            out.push(t.from);
        }
    }
    Ok(out)
}

/// The conversation `id` and who the caller writes as there, if they may handle (reply in)
/// it: 401 for nobody signed in; for everyone else who may not, the same 404 as for a
/// conversation that does not exist.
pub(crate) async fn handled_conversation(
    state: &Kernel,
    caller: &Caller,
    id: i64,
) -> Result<(Conversation, Author), ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let hidden = || ApiError::NotFound("conversation");
    let conversation =
        state.store.conversation(ketnoi_core::ConversationId(id)).await?.ok_or_else(hidden)?;
    match conversation_access(state, caller, &conversation).await {
        Ok(Access::Staff { reply: true, author, .. }) => Ok((conversation, author)),
        Ok(_) | Err(ApiError::Forbidden | ApiError::NotFound(_)) => Err(hidden()),
        Err(e) => Err(e),
    }
}
