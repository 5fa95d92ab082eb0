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
pub(crate) mod lookups;
mod me;
pub(crate) mod tips;
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
        lookups::list,
        lookups::describe,
        lookups::record,
        lookups::search,
        tips::recipients,
        tips::submit,
        tips::receipt,
        tips::receipt_message,
        tips::list,
        tips::detail,
        tips::attachment,
        tips::export,
        tips::unit_message,
        tips::set_status,
        tips::keys,
        tips::put_my_key,
        tips::new_unit_key,
        tips::grant,
        tips::revoke,
        tips::put_settings,
    ),
    components(schemas(views::ProblemView)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "directory", description = "Areas, agencies and official accounts"),
        (name = "me", description = "The signed-in caller"),
        (name = "conversations", description = "Messages between citizens and accounts; live events on the WebSocket at /api/v1/ws"),
        (name = "tips", description = "Tips to police units, sealed in the browser; follow-up by receipt code; the unit's inbox and keys"),
        (name = "lookups", description = "Records an account publishes: looked up by key with a second factor, or searched by name"),
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
        .merge(lookups::router())
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        // After the general limit, so that upload routes keep their own larger one.
        .merge(conversations::router(max_upload))
        .merge(tips::router(max_upload));
    Router::new()
        .merge(health::router())
        .nest("/api/v1", api)
        // The viewer's files are compiled into the binary: nothing is fetched at run time.
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .merge(crate::web::router(max_upload))
        .fallback(crate::web::not_found)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
}

/// The client's address, used as a rate-limit key and never logged.
///
/// The peer's address, unless the peer is a trusted proxy (`trusted_proxies`, or any peer with
/// `trust_forwarded_for`): then `X-Forwarded-For` is read from the right, skipping trusted
/// proxies, and the first address that is not one is the client. Addresses a client wrote into
/// the header itself sit to the left of what the proxies appended, so they are never reached
/// while a proxy's entry is there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Ok(Self(client_ip(&state.config, peer, &parts.headers)))
    }
}

/// See [`ClientIp`].
pub(crate) fn client_ip(
    config: &crate::ServerConfig,
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
) -> IpAddr {
    let trusted = |ip: IpAddr| {
        config.trust_forwarded_for || config.trusted_proxies.iter().any(|n| n.contains(ip))
    };
    if !trusted(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|ip| ip.trim().parse().ok())
        .collect();
    if config.trust_forwarded_for {
        // Every peer is a proxy that overwrote the header: its first address is the client.
        return hops.first().copied().unwrap_or(peer);
    }
    hops.iter().rev().copied().find(|ip| !trusted(*ip)).or(hops.first().copied()).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn headers(xff: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap_or_else(|e| panic!("{e}")));
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let mut config = crate::ServerConfig::local(
            "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
            crate::Secret::new("k"),
        );
        // No proxy configured: the header is the client's own words.
        assert_eq!(client_ip(&config, ip("203.0.113.5"), &headers("1.2.3.4")), ip("203.0.113.5"));
        config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"))];
        // From an untrusted peer, still ignored.
        assert_eq!(client_ip(&config, ip("203.0.113.5"), &headers("1.2.3.4")), ip("203.0.113.5"));
        // From the proxy: the address it appended, not the one the client forged before it.
        let forged = headers("6.6.6.6, 198.51.100.7");
        assert_eq!(client_ip(&config, ip("10.0.0.2"), &forged), ip("198.51.100.7"));
        // Two proxies in a row are both skipped.
        let chain = headers("198.51.100.7, 10.1.1.1");
        assert_eq!(client_ip(&config, ip("10.0.0.2"), &chain), ip("198.51.100.7"));
        // A proxy that sent no header: the proxy itself.
        assert_eq!(
            client_ip(&config, ip("10.0.0.2"), &axum::http::HeaderMap::new()),
            ip("10.0.0.2")
        );
    }
}
