//! The shapes the API answers with. They are the API's own types, described in the OpenAPI
//! document, and built from domain values; nothing here knows about storage.

use std::collections::{HashMap, HashSet};

use ketnoi_core::{Account, Agency, Area, Citizen, StaffMember};
use serde::Serialize;
use utoipa::ToSchema;

/// An official account as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    /// URL name, e.g. `ca-vi-xuyen`.
    pub slug: String,
    /// Shown name.
    pub display_name: String,
    /// What it offers.
    pub description: String,
    /// Avatar image, if any.
    pub avatar_url: Option<String>,
    /// `police`, `e-government`, `youth`, `public-service` or `other`.
    pub kind: String,
    /// Confirmed by the platform as belonging to the agency it names.
    pub verified: bool,
    /// Code of the area it serves.
    pub area_code: String,
    /// The owning agency's id.
    pub agency_id: i64,
    /// Office hours, as the agency writes them.
    pub office_hours: String,
    /// Public contact number.
    pub contact_phone: String,
    /// Street address.
    pub address: String,
    /// How many citizens follow it.
    pub follower_count: i64,
    /// Creation time, RFC 3339 in Vietnam's offset.
    pub created_at: String,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            slug: a.slug.to_string(),
            display_name: a.display_name.clone(),
            description: a.description.clone(),
            avatar_url: a.avatar_url.clone(),
            kind: a.kind.to_string(),
            verified: a.verified,
            area_code: a.area.to_string(),
            agency_id: a.agency.0,
            office_hours: a.office_hours.clone(),
            contact_phone: a.contact_phone.clone(),
            address: a.address.clone(),
            follower_count: a.follower_count,
            created_at: a.created_at.rfc3339(),
        }
    }
}

/// An administrative area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaView {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// `country`, `province`, `district` or `commune`.
    pub level: String,
    /// Its legal kind: "xã", "phường"…
    pub division_type: String,
    /// Parent area's code.
    pub parent_code: Option<String>,
}

impl From<&Area> for AreaView {
    fn from(a: &Area) -> Self {
        Self {
            code: a.code.to_string(),
            name: a.name.clone(),
            level: a.level.to_string(),
            division_type: a.division_type.clone(),
            parent_code: a.parent.as_ref().map(ToString::to_string),
        }
    }
}

/// An agency, with the agencies below it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyNode {
    /// Its id.
    pub id: i64,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// The area it serves.
    pub area_code: String,
    /// The agencies directly below.
    #[schema(no_recursion)]
    pub children: Vec<AgencyNode>,
}

impl AgencyNode {
    /// A node without children.
    pub fn leaf(a: &Agency) -> Self {
        Self {
            id: a.id.0,
            code: a.code.to_string(),
            name: a.name.clone(),
            kind: a.kind.to_string(),
            area_code: a.area.to_string(),
            children: Vec::new(),
        }
    }

    /// Builds the forest of agencies: each agency whose parent is not in the list is a root.
    pub fn forest(agencies: &[Agency]) -> Vec<AgencyNode> {
        let ids: HashSet<i64> = agencies.iter().map(|a| a.id.0).collect();
        let mut children: HashMap<i64, Vec<&Agency>> = HashMap::new();
        let mut roots = Vec::new();
        for a in agencies {
            match a.parent.filter(|p| ids.contains(&p.0)) {
                Some(parent) => children.entry(parent.0).or_default().push(a),
                None => roots.push(a),
            }
        }
        fn build(a: &Agency, children: &HashMap<i64, Vec<&Agency>>) -> AgencyNode {
            let mut node = AgencyNode::leaf(a);
            if let Some(below) = children.get(&a.id.0) {
                node.children = below.iter().map(|c| build(c, children)).collect();
            }
            node
        }
        roots.into_iter().map(|r| build(r, &children)).collect()
    }
}

/// A citizen, as they see themselves.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitizenView {
    /// Their id.
    pub id: i64,
    /// Their phone, masked: `091****678`.
    pub phone_masked: String,
    /// Their chosen name.
    pub display_name: Option<String>,
}

impl From<&Citizen> for CitizenView {
    fn from(c: &Citizen) -> Self {
        Self { id: c.id.0, phone_masked: c.phone.masked(), display_name: c.display_name.clone() }
    }
}

/// A staff member, as they see themselves.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    /// Their id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Platform administrator?
    pub platform_admin: bool,
}

impl From<&StaffMember> for StaffView {
    fn from(s: &StaffMember) -> Self {
        Self {
            id: s.id.0,
            username: s.username.to_string(),
            display_name: s.display_name.to_string(),
            platform_admin: s.platform_admin,
        }
    }
}

/// A role held on an agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    /// The agency's id.
    pub agency_id: i64,
    /// `administrator`, `officer` or `viewer`.
    pub role: String,
}

/// A problem+json body (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemView {
    /// `/problems/CODE`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The message, in the caller's language.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// A stable machine-readable code.
    pub code: String,
}
