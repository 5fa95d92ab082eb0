//! A tiny site for testing the harness itself, sent with the strict Content-Security-Policy the
//! real pages will have: scripts only from the page's own origin, nothing inline, no eval.

use axum::{
    Form, Router,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The probe page. Its external script and its inline script each write into a paragraph, so a
/// test can see which of them ran; its form posts a name and is answered with a redirect and a
/// cookie, the shape of the real sign-in flows.
pub const PROBE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Probe</title>
<link rel="stylesheet" href="/style.css">
<script src="/probe.js" defer></script>
</head>
<body>
<main>
<h1>Probe</h1>
<p id="external">untouched</p>
<p id="inline">untouched</p>
<script>document.getElementById("inline").textContent = "inline ran";</script>
<img src="/pixel.svg" alt="A blue square" width="8" height="8">
<form id="greet" method="post" action="/greet">
<label for="name">Name</label>
<input id="name" name="name" autocomplete="name">
<button type="submit">Greet</button>
</form>
</main>
</body>
</html>
"#;

pub const SCRIPT: &str = "document.getElementById('external').textContent = 'external ran';\n";

pub const STYLE: &str = "body { font: 16px/1.5 sans-serif; color: #111; background: #fff; }\n";

/// An image, which page weight leaves out.
const PIXEL: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#00f"/></svg>"##;

/// A page with one critical violation (an image without a text alternative).
pub const BROKEN: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title></head>
<body><main><h1>Broken</h1><img id="nameless" src="/pixel.svg"></main></body>
</html>
"#;

/// What the probe page weighs: the site does not compress, so bodies travel as they are.
pub fn probe_weight() -> u64 {
    [PROBE, SCRIPT, STYLE].iter().map(|s| u64::try_from(s.len()).unwrap_or(u64::MAX)).sum()
}

/// The site, served on a free port until dropped.
pub struct Site {
    pub base: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub async fn serve() -> Site {
    let app = Router::new()
        .route("/", get(|| async { Html(PROBE) }))
        .route("/probe.js", get(|| async { typed("text/javascript", SCRIPT) }))
        .route("/style.css", get(|| async { typed("text/css", STYLE) }))
        .route("/pixel.svg", get(|| async { typed("image/svg+xml", PIXEL) }))
        .route("/broken", get(|| async { Html(BROKEN) }))
        .route("/greet", post(greet))
        .route("/greeted", get(greeted))
        .layer(axum::middleware::map_response(|mut response: Response| async move {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
            response
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("binding the fixture site: {e}"));
    let port = listener.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    Site { base: format!("http://127.0.0.1:{port}"), _stop: stop }
}

fn typed(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[derive(Deserialize)]
struct Greeting {
    name: String,
}

async fn greet(Form(greeting): Form<Greeting>) -> Response {
    let name: String = greeting.name.chars().filter(char::is_ascii_alphanumeric).collect();
    let cookie = format!("greeted_as={name}; Path=/; HttpOnly; SameSite=Lax");
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/greeted".to_owned()), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}

async fn greeted(headers: HeaderMap) -> Html<String> {
    let name = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("greeted_as="))
        .unwrap_or("stranger")
        .to_owned();
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Greeted</title>\
         </head><body><main><h1 id=\"greeting\">Hello, {name}</h1>\
         <a id=\"again\" href=\"/\">Again</a></main></body></html>\n"
    ))
}
