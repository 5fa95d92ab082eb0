//! The staff console shell: the agencies and accounts a member may manage, with room for the
//! inbox, the bot, lookups, tips and content that later capabilities add.

use askama::Template;
use axum::{Router, http::StatusCode, response::Response, routing::get};

use crate::{
    features::directory::{
        pages::{AccountCard, cards},
        service::DirectoryState,
    },
    kernel::{
        auth::Caller,
        pages::{Layout, Viewer, Who},
        views::AgencyNode,
    },
};

pub(crate) fn router() -> Router<DirectoryState> {
    Router::new().route("/console", get(console))
}

/// An agency in the tree, flattened with its depth for an indented list.
struct AgencyRow {
    name: String,
    depth: usize,
    /// The agency's audit log, for those who may read it.
    audit_href: Option<String>,
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage {
    l: Layout,
    welcome: String,
    roles: String,
    agencies: Vec<AgencyRow>,
    accounts: Vec<ConsoleAccount>,
    /// The units whose tips the member handles: inbox link and notice of new tips.
    tip_units: Vec<TipUnit>,
}

/// A unit whose tips the member handles, with its notice ("3 new tips in unit X"): the only
/// notification of a tip, and it names the unit, never the tip.
struct TipUnit {
    href: String,
    notice: String,
    fresh: bool,
}

/// An account the member reaches, and whether they may curate its bot, publish its lookups and
/// its news (officers and administrators may; viewers only read the inbox).
struct ConsoleAccount {
    card: AccountCard,
    bot: bool,
    lookups: bool,
    news: bool,
    desk: bool,
    integrations: bool,
}

fn flatten(nodes: &[AgencyNode], depth: usize, out: &mut Vec<AgencyRow>) {
    for n in nodes {
        let audit_href = Some(crate::features::audit::pages::log_path(&n.code));
        out.push(AgencyRow { name: n.name.clone(), depth, audit_href });
        flatten(&n.children, depth + 1, out);
    }
}

/// The ids of a forest in the order [`flatten`] lists it.
fn flat_ids(nodes: &[AgencyNode]) -> Vec<i64> {
    nodes.iter().flat_map(|n| std::iter::once(n.id).chain(flat_ids(&n.children))).collect()
}

async fn console(viewer: Viewer<DirectoryState>) -> Response {
    let Caller::Staff { staff, grants, .. } = &viewer.caller else {
        return viewer.to_sign_in(true);
    };
    let t = viewer.t();
    let scope =
        crate::features::directory::me::console_scope(&viewer.state, staff.platform_admin, grants)
            .await;
    let (agencies, accounts) = match scope {
        Ok(s) => s,
        Err(e) => return viewer.fail(e),
    };
    let mut rows = Vec::new();
    flatten(&AgencyNode::forest(&agencies), 0, &mut rows);
    // The audit link only where the policy lets the viewer read the log.
    for (row, agency) in rows.iter_mut().zip(flat_ids(&AgencyNode::forest(&agencies))) {
        let ancestry = match viewer.state.store.agency_ancestry(ketnoi_core::AgencyId(agency)).await
        {
            Ok(a) => a,
            Err(e) => return viewer.fail(e.into()),
        };
        if !viewer.caller.may(ketnoi_core::Action::ReadAudit, Some(&ancestry)) {
            row.audit_href = None;
        }
    }
    let mut roles: Vec<String> =
        grants.iter().map(|g| t.get(&format!("console-role-{}", g.role))).collect();
    if staff.platform_admin {
        roles.insert(0, t.get("console-role-platform-admin"));
    }
    roles.dedup();
    let card_list = match cards(&viewer, &accounts).await {
        Ok(c) => c,
        Err(e) => return viewer.fail(e),
    };
    let mut listed = Vec::with_capacity(card_list.len());
    for (card, account) in card_list.into_iter().zip(&accounts) {
        let ancestry = match viewer.state.store.agency_ancestry(account.agency).await {
            Ok(ancestry) => ancestry,
            Err(e) => return viewer.fail(e.into()),
        };
        let bot = viewer.caller.may(ketnoi_core::Action::ManageBot, Some(&ancestry));
        let lookups = viewer.caller.may(ketnoi_core::Action::ManageLookups, Some(&ancestry));
        let news = viewer.caller.may(ketnoi_core::Action::PublishNews, Some(&ancestry));
        let desk = viewer.caller.may(ketnoi_core::Action::ManageDesk, Some(&ancestry));
        let integrations =
            viewer.caller.may(ketnoi_core::Action::IssueAccountToken, Some(&ancestry));
        listed.push(ConsoleAccount { card, bot, lookups, news, desk, integrations });
    }
    let tip_units = match crate::features::tips::unit_pages::units_for_console(&viewer).await {
        Ok(units) => units
            .into_iter()
            .map(|(code, name, new)| TipUnit {
                href: crate::features::tips::pages::inbox_path(&code),
                notice: if new > 0 {
                    t.with_count("console-tips-new", "unit", &name, new)
                } else {
                    t.with("console-tips-none", "unit", &name)
                },
                fresh: new > 0,
            })
            .collect(),
        Err(e) => return viewer.fail(e),
    };
    let page = ConsolePage {
        l: viewer.layout(false),
        welcome: t.with("console-welcome", "name", staff.display_name.as_str()),
        roles: roles.join(", "),
        agencies: rows,
        accounts: listed,
        tip_units,
    };
    viewer.render(StatusCode::OK, &page)
}
