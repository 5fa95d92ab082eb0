//! Who may do what, decided in one place.
//!
//! A staff member holds [`Grant`]s: a [`Role`] on an agency. The [`TABLE`] says, for each role and
//! [`Action`], how far the grant reaches: the agency itself (and its accounts), or the agency and
//! every agency below it. Platform administrators hold [`Role::PlatformAdmin`], which reaches
//! everywhere and adds the platform-wide actions (verifying accounts, loading areas).
//!
//! Later capabilities add actions (broadcasts, forms) by adding rows here, never by
//! writing `if role == …` elsewhere.

use crate::{AgencyId, InvalidInput, error::wire_enum};

wire_enum!(
    /// A role held on an agency, or on the whole platform.
    Role, "role" {
        /// Runs the whole platform.
        PlatformAdmin => "platform-admin",
        /// Manages an agency, its accounts, its staff and its child agencies.
        Administrator => "administrator",
        /// Answers citizens for an agency's accounts.
        Officer => "officer",
        /// Reads an agency's accounts and conversations without acting.
        Viewer => "viewer",
        /// Reads an agency's audit log (and those of the agencies below it), and nothing else:
        /// no conversations, no tips.
        Auditor => "auditor",
    }
);

impl Role {
    /// Roles that can be granted on an agency (everything but platform administration, which is
    /// a property of the staff member).
    pub const AGENCY_ROLES: &'static [Role] =
        &[Role::Administrator, Role::Officer, Role::Viewer, Role::Auditor];
}

wire_enum!(
    /// Something a staff member may want to do to an agency or one of its accounts.
    Action, "action" {
        /// See the agency and its accounts in the console.
        ViewConsole => "view-console",
        /// Read the agency's accounts' conversations.
        ReadConversations => "read-conversations",
        /// Reply to citizens on the agency's accounts.
        ReplyConversations => "reply-conversations",
        /// Hand a conversation over to another account of the same agency.
        TransferConversations => "transfer-conversations",
        /// Send a conversation up to an account of an agency above (province, ministry).
        EscalateConversations => "escalate-conversations",
        /// Send a conversation down to an account of an agency below.
        ReturnConversations => "return-conversations",
        /// Change an account's profile, office hours, contacts.
        EditAccount => "edit-account",
        /// Curate an account's bot: its knowledge base, keyword rules, welcome message, and the
        /// questions it handed off.
        ManageBot => "manage-bot",
        /// Import an account's lookup datasets, publish, schedule and restore their versions.
        ManageLookups => "manage-lookups",
        /// Read and answer the tips sent to a police unit, and hold and share its tip keys.
        /// Only the unit's own officers and administrators: not viewers, not the agencies
        /// above it, not platform administrators (see docs/SECURITY.md).
        HandleTips => "handle-tips",
        /// Write and publish an account's articles and send its broadcasts, and tag its followers.
        PublishNews => "publish-news",
        /// Send a broadcast as an emergency alert: it skips the weekly quota, is shown above
        /// everything and is published in the Common Alerting Protocol. Administrators only.
        SendEmergency => "send-emergency",
        /// Keep the front desk: the account's menu, the agency's procedure guides, forms and
        /// legal documents (templates for the agencies below), and an account's overrides.
        ManageDesk => "manage-desk",
        /// Create an official account for the agency.
        CreateAccount => "create-account",
        /// Create an agency below this one.
        CreateChildAgency => "create-child-agency",
        /// Grant or revoke roles on the agency.
        ManageStaff => "manage-staff",
        /// Issue API tokens for the agency's accounts (integrations).
        IssueAccountToken => "issue-account-token",
        /// Mark an account as verified.
        VerifyAccount => "verify-account",
        /// Load and edit administrative areas, create root agencies.
        ManagePlatform => "manage-platform",
        /// Read and export an agency's audit log.
        ReadAudit => "read-audit",
    }
);

/// How far a grant reaches from the agency it is held on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The agency and its own accounts.
    Agency,
    /// The agency, its accounts, and every agency below it with theirs.
    Subtree,
    /// Anywhere on the platform.
    Platform,
}

use Action::*;
use Reach::*;
use Role::*;

/// The policy table: every permission ketnoi grants. A pair that is not here is refused.
pub const TABLE: &[(Role, Action, Reach)] = &[
    (PlatformAdmin, ViewConsole, Platform),
    (PlatformAdmin, ReadConversations, Platform),
    (PlatformAdmin, ReplyConversations, Platform),
    (PlatformAdmin, TransferConversations, Platform),
    (PlatformAdmin, EscalateConversations, Platform),
    (PlatformAdmin, ReturnConversations, Platform),
    (PlatformAdmin, EditAccount, Platform),
    (PlatformAdmin, ManageBot, Platform),
    (PlatformAdmin, ManageLookups, Platform),
    (PlatformAdmin, PublishNews, Platform),
    (PlatformAdmin, SendEmergency, Platform),
    (PlatformAdmin, ManageDesk, Platform),
    (PlatformAdmin, CreateAccount, Platform),
    (PlatformAdmin, CreateChildAgency, Platform),
    (PlatformAdmin, ManageStaff, Platform),
    (PlatformAdmin, IssueAccountToken, Platform),
    (PlatformAdmin, VerifyAccount, Platform),
    (PlatformAdmin, ManagePlatform, Platform),
    (PlatformAdmin, ReadAudit, Platform),
    (Administrator, ViewConsole, Subtree),
    (Administrator, ReadConversations, Subtree),
    (Administrator, ReplyConversations, Subtree),
    (Administrator, TransferConversations, Subtree),
    (Administrator, EscalateConversations, Subtree),
    (Administrator, ReturnConversations, Subtree),
    (Administrator, EditAccount, Subtree),
    (Administrator, ManageBot, Subtree),
    (Administrator, ManageLookups, Subtree),
    (Administrator, HandleTips, Agency),
    (Administrator, PublishNews, Subtree),
    (Administrator, SendEmergency, Subtree),
    (Administrator, ManageDesk, Subtree),
    (Administrator, CreateAccount, Subtree),
    (Administrator, CreateChildAgency, Subtree),
    (Administrator, ManageStaff, Subtree),
    (Administrator, IssueAccountToken, Subtree),
    (Administrator, ReadAudit, Subtree),
    (Officer, ViewConsole, Agency),
    (Officer, ReadConversations, Agency),
    (Officer, ReplyConversations, Agency),
    (Officer, TransferConversations, Agency),
    (Officer, EscalateConversations, Agency),
    (Officer, ReturnConversations, Agency),
    (Officer, ManageBot, Agency),
    (Officer, ManageLookups, Agency),
    (Officer, HandleTips, Agency),
    (Officer, PublishNews, Agency),
    (Officer, ManageDesk, Agency),
    (Viewer, ViewConsole, Agency),
    (Viewer, ReadConversations, Agency),
    (Auditor, ViewConsole, Agency),
    (Auditor, ReadAudit, Subtree),
];

/// A role held by a staff member on an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    /// The agency.
    pub agency: AgencyId,
    /// The role.
    pub role: Role,
}

/// How far `role` reaches for `action`, or `None` if the table does not allow it at all.
pub fn reach(role: Role, action: Action) -> Option<Reach> {
    TABLE.iter().find(|(r, a, _)| *r == role && *a == action).map(|(_, _, reach)| *reach)
}

/// Decides whether someone holding `grants` (and, if `platform_admin`, the platform role) may do
/// `action` to something owned by an agency whose `ancestry` is given: that agency first, then its
/// parent, up to the root. `None` as ancestry means a platform-wide target with no agency.
pub fn permits(
    platform_admin: bool,
    grants: &[Grant],
    action: Action,
    ancestry: Option<&[AgencyId]>,
) -> bool {
    if platform_admin && reach(PlatformAdmin, action).is_some() {
        return true;
    }
    let Some(ancestry) = ancestry else {
        return false;
    };
    let Some((own, above)) = ancestry.split_first() else {
        return false;
    };
    grants.iter().any(|g| match reach(g.role, action) {
        Some(Platform) => true,
        Some(Subtree) => g.agency == *own || above.contains(&g.agency),
        Some(Agency) => g.agency == *own,
        None => false,
    })
}

/// Parses a role that may be granted on an agency.
pub fn agency_role(raw: &str) -> Result<Role, InvalidInput> {
    match raw.parse()? {
        PlatformAdmin => Err(InvalidInput::Choice {
            field: "role",
            choices: "administrator, officer, viewer, auditor",
        }),
        role => Ok(role),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expected matrix, written out by hand and independently of [`TABLE`]: `S` reaches the
    /// subtree, `A` the agency only, `P` the platform, `-` nothing.
    const EXPECTED: &[(Role, &str)] = &[
        // view read reply transfer escalate return edit bot lookups tips news emergency desk
        // create child staff token verify platform audit
        (PlatformAdmin, "P P P P P P P P P - P P P P P P P P P P"),
        (Administrator, "S S S S S S S S S A S S S S S S S - - S"),
        (Officer, "A A A A A A - A A A A - A - - - - - - -"),
        (Viewer, "A A - - - - - - - - - - - - - - - - - -"),
        (Auditor, "A - - - - - - - - - - - - - - - - - - S"),
    ];

    /// A three-level tree: province police (1) → district police (2) → commune police (3), and a
    /// separate youth union (9).
    fn ancestry(agency: i64) -> Vec<AgencyId> {
        match agency {
            1 => vec![AgencyId(1)],
            2 => vec![AgencyId(2), AgencyId(1)],
            3 => vec![AgencyId(3), AgencyId(2), AgencyId(1)],
            _ => vec![AgencyId(agency)],
        }
    }

    #[test]
    fn policy_table_walk_matches_the_expected_matrix_on_a_tree() {
        for (role, row) in EXPECTED {
            let cells: Vec<&str> = row.split(' ').collect();
            assert_eq!(cells.len(), Action::ALL.len(), "matrix row for {role}");
            for (action, cell) in Action::ALL.iter().zip(cells) {
                // The grant is held on the district (2); targets are above, at, below and beside.
                let (platform_admin, grants) = if *role == PlatformAdmin {
                    (true, vec![])
                } else {
                    (false, vec![Grant { agency: AgencyId(2), role: *role }])
                };
                let may = |target: i64| {
                    permits(platform_admin, &grants, *action, Some(&ancestry(target)))
                };
                let (at, below, above, beside) = (may(2), may(3), may(1), may(9));
                let expected = match cell {
                    "P" => (true, true, true, true),
                    "S" => (true, true, false, false),
                    "A" => (true, false, false, false),
                    "-" => (false, false, false, false),
                    other => panic!("bad cell {other}"),
                };
                assert_eq!((at, below, above, beside), expected, "{role} {action}");
                let platform_wide = permits(platform_admin, &grants, *action, None);
                assert_eq!(platform_wide, cell == "P", "{role} {action} platform-wide");
            }
        }
    }

    #[test]
    fn no_grants_means_no_access_and_platform_admin_is_not_grantable() {
        for action in Action::ALL {
            assert!(!permits(false, &[], *action, Some(&ancestry(3))));
        }
        assert!(agency_role("platform-admin").is_err());
        assert_eq!(agency_role("officer"), Ok(Officer));
        assert_eq!(agency_role("auditor"), Ok(Auditor));
        assert!(Role::AGENCY_ROLES.contains(&Auditor));
    }
}
