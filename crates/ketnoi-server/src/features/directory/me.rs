//! The signed-in caller: who they are, what they follow, what they may manage.

use std::collections::BTreeSet;

use axum::{Json, Router, extract::State, routing::get};
use ketnoi_core::{AgencyId, policy};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::state::Kernel;
use crate::kernel::views::{
    AccountView, AgencyNode, CitizenView, GrantView, ProblemView, StaffView,
};
use crate::{
    features::directory::service::DirectoryState, kernel::auth::Caller, kernel::error::ApiError,
};

pub(crate) fn router() -> Router<DirectoryState> {
    Router::new()
        .route("/me", get(me))
        .route("/me/follows", get(my_follows))
        .route("/me/console", get(console))
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Me {
    /// `citizen`, `staff` or `account`.
    kind: &'static str,
    /// For a citizen.
    #[serde(skip_serializing_if = "Option::is_none")]
    citizen: Option<CitizenView>,
    /// For a staff member.
    #[serde(skip_serializing_if = "Option::is_none")]
    staff: Option<StaffView>,
    /// A staff member's roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    grants: Option<Vec<GrantView>>,
    /// For an account's API token.
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<AccountView>,
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, body = Me),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn me(caller: Caller) -> Result<Json<Me>, ApiError> {
    let none = Me { kind: "", citizen: None, staff: None, grants: None, account: None };
    Ok(Json(match &caller {
        Caller::Anonymous => return Err(ApiError::Unauthenticated),
        Caller::Citizen { citizen, .. } => {
            Me { kind: "citizen", citizen: Some(citizen.into()), ..none }
        }
        Caller::Staff { staff, grants, .. } => Me {
            kind: "staff",
            staff: Some(staff.into()),
            grants: Some(
                grants
                    .iter()
                    .map(|g| GrantView { agency_id: g.agency.0, role: g.role.to_string() })
                    .collect(),
            ),
            ..none
        },
        Caller::Account { account, .. } => {
            Me { kind: "account", account: Some(account.into()), ..none }
        }
    }))
}

/// The accounts the signed-in citizen follows, most recent first.
#[utoipa::path(get, path = "/api/v1/me/follows", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<AccountView>),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Not a citizen", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn my_follows(
    State(state): State<DirectoryState>,
    caller: Caller,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    let citizen = caller.citizen()?;
    let accounts = state.store.followed_accounts(citizen.id).await?;
    Ok(Json(accounts.iter().map(AccountView::from).collect()))
}

/// What a staff member may manage.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Console {
    /// The agencies whose console they may open, as a forest.
    agencies: Vec<AgencyNode>,
    /// Those agencies' accounts.
    accounts: Vec<AccountView>,
}

/// The agencies and accounts whose console the signed-in staff member may open.
#[utoipa::path(get, path = "/api/v1/me/console", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, body = Console),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn console(
    State(state): State<DirectoryState>,
    caller: Caller,
) -> Result<Json<Console>, ApiError> {
    let Caller::Staff { staff, grants, .. } = &caller else {
        return Err(match caller {
            Caller::Anonymous => ApiError::Unauthenticated,
            _ => ApiError::Forbidden,
        });
    };
    let (agencies, accounts) = console_scope(&state, staff.platform_admin, grants).await?;
    Ok(Json(Console {
        agencies: AgencyNode::forest(&agencies),
        accounts: accounts.iter().map(AccountView::from).collect(),
    }))
}

/// The agencies (parents first) and accounts whose console a staff member may open.
pub(crate) async fn console_scope(
    state: &Kernel,
    platform_admin: bool,
    grants: &[policy::Grant],
) -> Result<(Vec<ketnoi_core::Agency>, Vec<ketnoi_core::Account>), ApiError> {
    let visible = visible_agencies(state, platform_admin, grants).await?;
    let agencies: Vec<_> =
        state.store.agencies().await?.into_iter().filter(|a| visible.contains(&a.id)).collect();
    let ids: Vec<AgencyId> = agencies.iter().map(|a| a.id).collect();
    let accounts = state.store.accounts_of_agencies(&ids).await?;
    Ok((agencies, accounts))
}

/// The agencies the policy lets this member view in the console: each grant's agency, and the
/// subtree below it where the role's reach is the subtree.
async fn visible_agencies(
    state: &Kernel,
    platform_admin: bool,
    grants: &[policy::Grant],
) -> Result<BTreeSet<AgencyId>, ApiError> {
    if platform_admin {
        return Ok(state.store.agencies().await?.iter().map(|a| a.id).collect());
    }
    let mut visible = BTreeSet::new();
    for grant in grants {
        match policy::reach(grant.role, policy::Action::ViewConsole) {
            Some(policy::Reach::Agency) => {
                visible.insert(grant.agency);
            }
            Some(policy::Reach::Subtree | policy::Reach::Platform) => {
                visible
                    .extend(state.store.agency_subtree(grant.agency).await?.iter().map(|a| a.id));
            }
            None => {}
        }
    }
    Ok(visible)
}
