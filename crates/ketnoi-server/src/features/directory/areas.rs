//! The area tree and the agency tree.

use axum::{Json, Router, extract::State, routing::get};
use ketnoi_core::{AgencyCode, AreaCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::kernel::views::{AgencyNode, AreaView, ProblemView};
use crate::{
    features::directory::service::DirectoryState,
    kernel::error::ApiError,
    kernel::extract::{Path, Query},
};

pub(crate) fn router() -> Router<DirectoryState> {
    Router::new()
        .route("/areas", get(list_areas))
        .route("/areas/{code}", get(area_detail))
        .route("/agencies", get(agency_tree))
}

/// Which areas to list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct AreaListQuery {
    /// List the areas directly below this one; without it, the roots.
    parent: Option<String>,
}

/// Lists one level of the area tree.
#[utoipa::path(get, path = "/api/v1/areas", tag = "directory", params(AreaListQuery),
    responses(
        (status = 200, body = Vec<AreaView>),
        (status = 404, description = "No such parent area", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Malformed area code", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list_areas(
    State(state): State<DirectoryState>,
    Query(q): Query<AreaListQuery>,
) -> Result<Json<Vec<AreaView>>, ApiError> {
    let parent = q.parent.as_deref().map(AreaCode::parse).transpose()?;
    if let Some(p) = &parent {
        state.store.area(p).await?.ok_or(ApiError::NotFound("area"))?;
    }
    let areas = state.store.area_children(parent.as_ref()).await?;
    Ok(Json(areas.iter().map(AreaView::from).collect()))
}

/// An area with the path above it and the areas below it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AreaDetail {
    /// The area.
    area: AreaView,
    /// Its ancestors, nearest first.
    ancestors: Vec<AreaView>,
    /// The areas directly below it.
    children: Vec<AreaView>,
}

/// One area, its ancestors and its children.
#[utoipa::path(get, path = "/api/v1/areas/{code}", tag = "directory",
    params(("code" = String, Path, description = "Area code, e.g. `02` or `00001`")),
    responses(
        (status = 200, body = AreaDetail),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn area_detail(
    State(state): State<DirectoryState>,
    Path(code): Path<String>,
) -> Result<Json<AreaDetail>, ApiError> {
    let code = AreaCode::parse(&code).map_err(|_| ApiError::NotFound("area"))?;
    let mut path = state.store.area_ancestry(&code).await?;
    if path.is_empty() {
        return Err(ApiError::NotFound("area"));
    }
    let area = path.remove(0);
    let children = state.store.area_children(Some(&code)).await?;
    Ok(Json(AreaDetail {
        area: (&area).into(),
        ancestors: path.iter().map(AreaView::from).collect(),
        children: children.iter().map(AreaView::from).collect(),
    }))
}

/// Which part of the agency tree to show.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct AgencyTreeQuery {
    /// Only this agency (by code) and those below it.
    root: Option<String>,
}

/// The agency tree, or one subtree of it.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "directory", params(AgencyTreeQuery),
    responses(
        (status = 200, body = Vec<AgencyNode>),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn agency_tree(
    State(state): State<DirectoryState>,
    Query(q): Query<AgencyTreeQuery>,
) -> Result<Json<Vec<AgencyNode>>, ApiError> {
    let agencies = match q.root.as_deref() {
        Some(code) => {
            let code = AgencyCode::parse(code).map_err(|_| ApiError::NotFound("agency"))?;
            let root =
                state.store.agency_by_code(&code).await?.ok_or(ApiError::NotFound("agency"))?;
            state.store.agency_subtree(root.id).await?
        }
        None => state.store.agencies().await?,
    };
    Ok(Json(AgencyNode::forest(&agencies)))
}
