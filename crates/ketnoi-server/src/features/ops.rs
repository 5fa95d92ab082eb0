//! Liveness and readiness.

use axum::{Json, Router, extract::State, routing::get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{kernel::error::ApiError, kernel::state::Kernel};

pub(crate) fn router() -> Router<Kernel> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// `ok`.
    status: &'static str,
    /// The storage backend, on `/readyz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
}

/// 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", database: None })
}

/// 200 only while the database answers; 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses(
    (status = 200, body = Health),
    (status = 503, body = crate::kernel::views::ProblemView, content_type = "application/problem+json")
))]
pub(crate) async fn readyz(State(state): State<Kernel>) -> Result<Json<Health>, ApiError> {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(3), state.store.ping()).await;
    match ping {
        Ok(Ok(())) => Ok(Json(Health { status: "ok", database: Some(state.store.backend()) })),
        Ok(Err(e)) => {
            tracing::warn!(error = ?e, "readiness: database did not answer");
            Err(ApiError::NotReady)
        }
        Err(_) => Err(ApiError::NotReady),
    }
}
