//! Page weight: the compressed bytes a visitor downloads for a page, images left out (they have
//! budgets of their own). Citizens reach these pages on cheap phones over metered data.

use std::fmt;

use reqwest::{Url, header};
use serde::Deserialize;

use super::{Browser, bounded};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    Document,
    Stylesheet,
    Script,
    Font,
}

/// One download counted in a page's weight.
#[derive(Debug, Clone)]
pub struct Asset {
    pub url: String,
    pub kind: AssetKind,
    /// The body as sent, compressed if the server compressed it.
    pub bytes: u64,
    /// The response's `Content-Encoding`, when the asset was fetched rather than measured by
    /// the browser (the Performance API does not say).
    pub encoding: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PageWeight {
    pub total: u64,
    pub assets: Vec<Asset>,
}

impl PageWeight {
    fn new(assets: Vec<Asset>) -> Self {
        Self { total: assets.iter().map(|a| a.bytes).sum(), assets }
    }
}

impl fmt::Display for PageWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} bytes:", self.total)?;
        for a in &self.assets {
            let encoding = a.encoding.as_deref().unwrap_or("-");
            writeln!(
                f,
                "  {:>8}  {:<10} {:<8} {}",
                a.bytes,
                format!("{:?}", a.kind),
                encoding,
                a.url
            )?;
        }
        Ok(())
    }
}

/// What the Performance API reports per entry, selected in the page.
#[derive(Debug, Deserialize)]
struct Entry {
    url: String,
    initiator: String,
    content_type: String,
    bytes: u64,
}

/// `encodedBodySize` is the body as it came over the wire (before decompression), and is
/// reported for cache hits too, unlike `transferSize`, so a page weighs the same on a second
/// visit. All entries are same-origin, so none is zeroed for lack of `Timing-Allow-Origin`.
const ENTRIES: &str = "return performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .map(e => ({ url: e.name, initiator: e.initiatorType, content_type: e.contentType || '',
                 bytes: e.encodedBodySize }));";

impl Browser {
    /// The current page's weight in compressed bytes: document, stylesheets, scripts, fonts.
    pub async fn page_weight(&self) -> u64 {
        self.weigh().await.total
    }

    /// The current page's weight, asset by asset: as the browser measured it when JavaScript
    /// is on, by fetching the page's assets again when it is off (Chromium then does not
    /// download scripts at all, and their entries say 0 bytes, while the budget is for the
    /// page as served).
    pub async fn weigh(&self) -> PageWeight {
        if self.javascript { self.weigh_in_browser().await } else { self.weigh_by_fetching().await }
    }

    /// Fails, listing every asset, when the current page weighs more than `max_bytes`.
    pub async fn assert_weight_under(&self, max_bytes: u64, label: &str) {
        let weight = self.weigh().await;
        assert!(
            weight.total <= max_bytes,
            "{label} weighs more than its budget of {max_bytes} bytes: {weight}"
        );
    }

    /// The weight from the browser's Performance API entries for this page.
    pub async fn weigh_in_browser(&self) -> PageWeight {
        let entries = self.run_js(ENTRIES, Vec::new()).await;
        let entries: Vec<Entry> = serde_json::from_value(entries.clone())
            .unwrap_or_else(|e| panic!("performance entries {entries}: {e}"));
        let assets = entries
            .into_iter()
            .filter_map(|e| {
                let kind = if e.initiator == "navigation" {
                    AssetKind::Document
                } else {
                    kind_of(&e.content_type, Url::parse(&e.url).ok()?.path())?
                };
                Some(Asset { url: e.url, kind, bytes: e.bytes, encoding: None })
            })
            .collect();
        PageWeight::new(assets)
    }

    /// The weight without page scripts: the current URL and the stylesheets, scripts and fonts
    /// the page links to, fetched again with the browser's cookies and with
    /// `Accept-Encoding: gzip, br`. This reqwest is built without decompression, so a body's
    /// length is what travelled.
    pub async fn weigh_by_fetching(&self) -> PageWeight {
        let cookie = self
            .cookies()
            .await
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let page = self.current_url().await;
        let mut assets = vec![self.fetch(&page, AssetKind::Document, &cookie).await.0];

        let mut linked = Vec::new();
        for (css, property, kind) in [
            ("link[rel~='stylesheet' i][href]", "href", AssetKind::Stylesheet),
            ("script[src]", "src", AssetKind::Script),
            ("link[rel~='preload' i][as='font' i][href]", "href", AssetKind::Font),
        ] {
            for element in self.find_all(css).await {
                // The property, unlike the attribute, is already resolved against the page.
                let url =
                    bounded(element.prop(property)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
                if let Some(url) = url.and_then(|u| Url::parse(&u).ok()) {
                    linked.push((url, kind));
                }
            }
        }
        let mut seen = vec![page];
        let mut i = 0;
        while let Some((url, kind)) = linked.get(i).cloned() {
            i += 1;
            if seen.contains(&url) {
                continue;
            }
            seen.push(url.clone());
            let (asset, plain) = self.fetch(&url, kind, &cookie).await;
            assets.push(asset);
            if kind == AssetKind::Stylesheet {
                let css = match plain {
                    Some(css) => css,
                    None => self.fetch_plain(&url, &cookie).await,
                };
                linked.extend(font_urls(&css, &url).into_iter().map(|u| (u, AssetKind::Font)));
            }
        }
        PageWeight::new(assets)
    }

    /// Fetches one asset compressed if the server will; also returns the body as text when it
    /// was not compressed, so a stylesheet need not be fetched twice.
    async fn fetch(&self, url: &Url, kind: AssetKind, cookie: &str) -> (Asset, Option<String>) {
        let answer = self
            .http
            .get(url.clone())
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .header(header::COOKIE, cookie)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .unwrap_or_else(|e| panic!("fetching {url} to weigh it: {e}"));
        let encoding = answer
            .headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .filter(|e| !e.eq_ignore_ascii_case("identity"));
        let body = answer.bytes().await.unwrap_or_else(|e| panic!("reading {url}: {e}"));
        let plain = encoding.is_none().then(|| String::from_utf8_lossy(&body).into_owned());
        let bytes = u64::try_from(body.len()).unwrap_or(u64::MAX);
        (Asset { url: url.to_string(), kind, bytes, encoding }, plain)
    }

    async fn fetch_plain(&self, url: &Url, cookie: &str) -> String {
        self.http
            .get(url.clone())
            .header(header::ACCEPT_ENCODING, "identity")
            .header(header::COOKIE, cookie)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .unwrap_or_else(|e| panic!("fetching {url}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("reading {url}: {e}"))
    }
}

/// Sorts a download by its MIME type, or by its file name when the type is unknown; `None` for
/// what a page weight leaves out (images, data fetched by scripts, media).
fn kind_of(content_type: &str, path: &str) -> Option<AssetKind> {
    let t = content_type.to_ascii_lowercase();
    if t.starts_with("text/css") {
        Some(AssetKind::Stylesheet)
    } else if t.contains("javascript") || t.contains("ecmascript") {
        Some(AssetKind::Script)
    } else if t.starts_with("font/") || t.contains("font-") || t.contains("woff") {
        Some(AssetKind::Font)
    } else if t.is_empty() {
        kind_by_name(path)
    } else {
        None
    }
}

fn kind_by_name(path: &str) -> Option<AssetKind> {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match extension.as_str() {
        "css" => Some(AssetKind::Stylesheet),
        "js" | "mjs" => Some(AssetKind::Script),
        "woff2" | "woff" | "ttf" | "otf" => Some(AssetKind::Font),
        _ => None,
    }
}

/// The fonts a stylesheet refers to with `url(…)`, resolved against the stylesheet.
fn font_urls(css: &str, stylesheet: &Url) -> Vec<Url> {
    css.split("url(")
        .skip(1)
        .filter_map(|rest| {
            let inner = rest.split(')').next()?.trim().trim_matches(['"', '\'']);
            let url = stylesheet.join(inner).ok()?;
            (kind_by_name(url.path()) == Some(AssetKind::Font)).then_some(url)
        })
        .collect()
}

#[test]
fn downloads_are_sorted_by_type_then_by_name() {
    assert_eq!(kind_of("text/css; charset=utf-8", "/x"), Some(AssetKind::Stylesheet));
    assert_eq!(kind_of("text/javascript", "/x"), Some(AssetKind::Script));
    assert_eq!(kind_of("font/woff2", "/x"), Some(AssetKind::Font));
    assert_eq!(kind_of("image/svg+xml", "/a.css"), None);
    assert_eq!(kind_of("application/json", "/api/openapi.json"), None);
    assert_eq!(kind_of("", "/static/app.JS"), Some(AssetKind::Script));
    assert_eq!(kind_of("", "/logo.png"), None);
}

#[test]
fn fonts_are_found_in_stylesheets() {
    let base =
        Url::parse("http://127.0.0.1:1/static/css/site.css").unwrap_or_else(|e| panic!("{e}"));
    let css = "@font-face{src:url(\"../fonts/a.woff2\") format('woff2'), url('/b.woff')}
               body{background:url(bg.png)}";
    let found: Vec<String> = font_urls(css, &base).iter().map(Url::to_string).collect();
    assert_eq!(found, ["http://127.0.0.1:1/static/fonts/a.woff2", "http://127.0.0.1:1/b.woff"]);
}
