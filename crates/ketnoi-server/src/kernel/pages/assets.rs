//! Static files, compiled into the binary and served under names that carry a fingerprint of
//! their content (`app.3f9c2a1b7d0e.css`), so browsers may cache them for a year and still never
//! run a stale copy after an upgrade.

use std::sync::OnceLock;

use axum::{
    extract::Path,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest as _, Sha256};

use crate::kernel::error::ApiError;

struct Asset {
    name: String,
    body: &'static [u8],
    content_type: &'static str,
}

fn assets() -> &'static [Asset; 4] {
    static ASSETS: OnceLock<[Asset; 4]> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let named = |stem: &str, ext: &str, body: &'static [u8], content_type| Asset {
            name: format!(
                "{stem}.{}.{ext}",
                &crate::kernel::http::hex(&Sha256::digest(body))[..12]
            ),
            body,
            content_type,
        };
        [
            named(
                "app",
                "css",
                include_bytes!("../../../static/app.css"),
                "text/css; charset=utf-8",
            ),
            named(
                "app",
                "js",
                include_bytes!("../../../static/app.js"),
                "text/javascript; charset=utf-8",
            ),
            named(
                "seal",
                "js",
                include_bytes!("../../../static/seal.js"),
                "text/javascript; charset=utf-8",
            ),
            named(
                "tips",
                "js",
                include_bytes!("../../../static/tips.js"),
                "text/javascript; charset=utf-8",
            ),
        ]
    })
}

/// The stylesheet's URL.
pub(crate) fn css_url() -> String {
    format!("/static/{}", assets()[0].name)
}

/// The script's URL.
pub(crate) fn js_url() -> String {
    format!("/static/{}", assets()[1].name)
}

/// The sealing script's URL (tip pages only).
pub(crate) fn seal_js_url() -> String {
    format!("/static/{}", assets()[2].name)
}

/// The tip pages' script's URL.
pub(crate) fn tips_js_url() -> String {
    format!("/static/{}", assets()[3].name)
}

/// `GET /static/{name}`: only the current fingerprinted names exist.
pub(crate) async fn serve(Path(name): Path<String>) -> Response {
    let Some(asset) = assets().iter().find(|a| a.name == name) else {
        return ApiError::NotFound("page").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.body,
    )
        .into_response()
}

/// `GET /sw.js`: the service worker that shows pushed notifications. It lives at the root so
/// that its scope is the whole site, and is never cached for long, so a new version takes over
/// at the next visit.
pub(crate) async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        include_bytes!("../../../static/sw.js").as_slice(),
    )
        .into_response()
}
