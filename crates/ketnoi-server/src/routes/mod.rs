//! The routes, one module per area of the API, each exposing a `router()`.

use std::net::{IpAddr, SocketAddr};

use axum::{
    Router,
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use utoipa::OpenApi as _;
use utoipa_swagger_ui::SwaggerUi;

use crate::{AppState, error::ApiError};

mod accounts;
mod areas;
mod auth;
pub(crate) mod chat_scope;
pub(crate) mod conversations;
mod health;
mod me;
pub(crate) use me::console_scope;
pub(crate) mod views;

/// The OpenAPI document: every route under `/api/v1`, its parameters, answers and problems.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ketnoi API",
        description = "Official accounts through which state agencies talk with citizens. \
            Errors are application/problem+json, in Vietnamese or English per Accept-Language.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        health::healthz,
        health::readyz,
        auth::otp_request,
        auth::otp_verify,
        auth::staff_sign_in,
        auth::sign_out,
        me::me,
        me::my_follows,
        areas::list_areas,
        areas::area_detail,
        areas::agency_tree,
        accounts::directory,
        accounts::account_detail,
        accounts::follow,
        accounts::unfollow,
        accounts::set_verified,
        conversations::send_to_account,
        conversations::send_in_conversation,
        conversations::conversation_detail,
        conversations::history,
        conversations::mark_read,
        conversations::close,
        conversations::reopen,
        conversations::my_conversations,
        conversations::inbox,
        conversations::upload_to_account,
        conversations::upload_to_conversation,
        conversations::download,
    ),
    components(schemas(views::ProblemView)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "directory", description = "Areas, agencies and official accounts"),
        (name = "me", description = "The signed-in caller"),
        (name = "conversations", description = "Messages between citizens and accounts; live events on the WebSocket at /api/v1/ws"),
        (name = "ops", description = "Health checks")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as JSON.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Every route.
pub(crate) fn router(max_upload: usize) -> Router<AppState> {
    let api = Router::new()
        .merge(auth::router())
        .merge(me::router())
        .merge(areas::router())
        .merge(accounts::router())
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        // After the general limit, so that upload routes keep their own larger one.
        .merge(conversations::router(max_upload));
    Router::new()
        .merge(health::router())
        .nest("/api/v1", api)
        // The viewer's files are compiled into the binary: nothing is fetched at run time.
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .merge(crate::web::router(max_upload))
        .fallback(crate::web::not_found)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
}

/// The client's address: the peer, or the first `X-Forwarded-For` hop when the server is
/// configured to trust its proxy. Used as a rate-limit key, never logged.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|ip| ip.trim().parse().ok());
            if let Some(ip) = forwarded {
                return Ok(Self(ip));
            }
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(Self(peer.unwrap_or(IpAddr::from([0, 0, 0, 0]))))
    }
}
