//! The web pages over plain HTTP, the way a browser without JavaScript uses them: GET pages,
//! POST forms, follow redirects, keep cookies.

use std::collections::BTreeMap;

use reqwest::{Response, StatusCode, header};

use crate::helpers::{TestApp, spawn_app};

/// A browser without JavaScript: keeps cookies by hand, sends the headers a browser sends.
/// A browser without JavaScript: keeps cookies by hand, sends the headers a browser sends.
pub(crate) struct Visitor<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) cookies: BTreeMap<String, String>,
    lang: &'static str,
}

impl<'a> Visitor<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self { app, cookies: BTreeMap::new(), lang: "vi" }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep_cookies(&mut self, response: &Response) {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let Some((pair, attrs)) =
                value.to_str().ok().map(|v| v.split_once(';').unwrap_or((v, "")))
            else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else { continue };
            if value.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> (StatusCode, String, header::HeaderMap) {
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, self.lang)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        self.keep_cookies(&response);
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        (status, body, headers)
    }

    /// Posts a form as a same-origin browser page would.
    pub(crate) async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        self.post_from(path, form, Some("same-origin")).await
    }

    async fn post_from(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        fetch_site: Option<&str>,
    ) -> (StatusCode, String, Option<String>) {
        let mut request = self
            .app
            .client
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, self.lang)
            .form(form);
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.finish(response).await
    }

    /// Posts a form of text fields as `multipart/form-data` (as the chat composer is sent), as
    /// a same-origin browser page would.
    pub(crate) async fn post_multipart(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let boundary = "ketnoi-test-boundary-7d1f";
        let mut body = String::new();
        for (name, value) in form {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, self.lang)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header("sec-fetch-site", "same-origin")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.finish(response).await
    }

    /// Keeps a form answer's cookies; gives its status, body and redirect.
    pub(crate) async fn finish(
        &mut self,
        response: Response,
    ) -> (StatusCode, String, Option<String>) {
        self.keep_cookies(&response);
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (status, response.text().await.unwrap_or_default(), location)
    }
}

/// The value of a hidden input in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn pages_speak_vietnamese_by_default_and_english_when_chosen() {
    let app = spawn_app(true).await;
    let mut v = Visitor::new(&app);
    let (status, home, _) = v.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("<html lang=\"vi\">") && home.contains("Tìm cơ quan nhà nước"), "{home}");
    let (status, _, response) = v.get("/lang/en?next=/accounts%3Fq%3Dcong").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        response.get(header::LOCATION).and_then(|l| l.to_str().ok()),
        Some("/accounts?q=cong")
    );
    assert_eq!(v.cookies.get("ketnoi_lang").map(String::as_str), Some("en"));
    let (_, english, _) = v.get("/accounts?q=cong").await;
    assert!(
        english.contains("<html lang=\"en\">")
            && english.contains("Directory of official accounts")
    );
    // The chosen language wins over the browser's, and problems follow it too.
    let (_, problem) = {
        let r = app
            .client
            .get(app.url("/api/v1/accounts?limit=0"))
            .header(header::COOKIE, "ketnoi_lang=en")
            .header(header::ACCEPT_LANGUAGE, "vi")
            .send()
            .await;
        crate::helpers::answer(r).await
    };
    assert!(problem["title"].as_str().is_some_and(|t| t.starts_with("limit must")), "{problem}");
    let (_, _, back) = v.get("/lang/vi?next=//evil.example").await;
    assert_eq!(back.get(header::LOCATION).and_then(|l| l.to_str().ok()), Some("/"));
    assert_eq!(v.cookies.get("ketnoi_lang").map(String::as_str), Some("vi"));
}

#[tokio::test]
async fn pages_forbid_inline_code_and_assets_are_fingerprinted_and_cached() {
    let app = spawn_app(true).await;
    let mut v = Visitor::new(&app);
    for path in ["/", "/accounts", "/a/ca-vi-xuyen", "/sign-in", "/staff/sign-in", "/nope"] {
        let (_, html, response) = v.get(path).await;
        let csp = response
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|c| c.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{path}: the full page policy, 404 included"
        );
        assert!(!html.contains("<script>") && !html.contains("style="), "{path} has inline code");
    }
    let (_, home, _) = v.get("/").await;
    let css =
        home.split("href=\"/static/").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
    assert!(
        css.starts_with("app.")
            && css.ends_with(".css")
            && css.len() == "app.123456789abc.css".len(),
        "{css}"
    );
    let (status, _, response) = v.get(&format!("/static/{css}")).await;
    assert_eq!(status, 200);
    let cache = response.get(header::CACHE_CONTROL).and_then(|c| c.to_str().ok());
    assert_eq!(cache, Some("public, max-age=31536000, immutable"));
    assert_eq!(v.get("/static/app.000000000000.css").await.0, 404);
}

#[tokio::test]
async fn a_citizen_signs_in_and_follows_with_plain_form_posts() {
    let app = spawn_app(true).await;
    let mut v = Visitor::new(&app);
    // Someone planted a session cookie in this browser before sign-in; it must not survive.
    let planted = ketnoi_server::kernel::auth::issue_token(
        app.store.as_ref(),
        ketnoi_store::Subject::Citizen(ketnoi_core::CitizenId(1)),
        ketnoi_store::SessionKind::Cookie,
        "planted",
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    v.cookies.insert("ketnoi_session".into(), planted.token.clone());

    let (_, account, _) = v.get("/a/tinh-doan-tuyen-quang").await;
    assert!(account.contains("Tỉnh Đoàn Tuyên Quang"));

    let (status, _, to) = v
        .post("/sign-in", &[("phone", "0356 777 888"), ("next", "/a/tinh-doan-tuyen-quang")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/sign-in/code?next=/a/tinh-doan-tuyen-quang"));
    let (_, code_page, _) = v.get("/sign-in/code?next=/a/tinh-doan-tuyen-quang").await;
    assert!(code_page.contains("035****888"), "the phone is shown masked");
    let code = code_page
        .split("mã của bạn là ")
        .nth(1)
        .map(|r| r.chars().take(6).collect::<String>())
        .unwrap_or_default();
    assert_eq!(code.len(), 6, "{code_page}");

    let (status, _, to) =
        v.post("/sign-in/code", &[("code", &code), ("next", "/a/tinh-doan-tuyen-quang")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/a/tinh-doan-tuyen-quang"));
    let session = v.cookies.get("ketnoi_session").cloned().unwrap_or_default();
    assert!(
        session.starts_with("ketnoi_s_") && session != planted.token,
        "a new session is issued"
    );
    let old = app
        .store
        .session(
            &ketnoi_server::kernel::auth::token_hash(&planted.token),
            ketnoi_core::Timestamp::now(),
        )
        .await;
    assert!(matches!(old, Ok(None)), "the session held before sign-in is ended");
    assert!(!v.cookies.contains_key("ketnoi_otp"), "the pending code cookie is cleared");

    let (_, account, _) = v.get("/a/tinh-doan-tuyen-quang").await;
    let csrf = hidden(&account, "csrf");
    assert_eq!(csrf.len(), 32, "{account}");
    assert!(account.contains("action=\"/a/tinh-doan-tuyen-quang/follow\""));

    // Without the form's token, or from another site, nothing happens.
    let (status, _, _) = v.post("/a/tinh-doan-tuyen-quang/follow", &[("csrf", "wrong")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = v
        .post_from("/a/tinh-doan-tuyen-quang/follow", &[("csrf", &csrf)], Some("cross-site"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, mine, _) = v.get("/me/accounts").await;
    assert!(mine.contains("Bạn chưa theo dõi tài khoản nào"), "{mine}");

    let (status, _, to) = v.post("/a/tinh-doan-tuyen-quang/follow", &[("csrf", &csrf)]).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/a/tinh-doan-tuyen-quang?done=followed"))
    );
    let (_, done, _) = v.get("/a/tinh-doan-tuyen-quang?done=followed").await;
    assert!(
        done.contains("Bạn đã theo dõi Tỉnh Đoàn Tuyên Quang") && done.contains("Bỏ theo dõi"),
        "{done}"
    );
    let (_, mine, _) = v.get("/me/accounts").await;
    assert!(mine.contains("/a/tinh-doan-tuyen-quang"));

    let (status, _, to) = v.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    assert!(!v.cookies.contains_key("ketnoi_session"));
    let (status, _, response) = v.get("/me/accounts").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out: my accounts asks to sign in");
    let to = response.get(header::LOCATION).and_then(|l| l.to_str().ok());
    assert_eq!(to, Some("/sign-in?next=/me/accounts"));
}

#[tokio::test]
async fn form_mistakes_are_summarised_and_explained_beside_the_field() {
    let app = spawn_app(true).await;
    let mut v = Visitor::new(&app);
    let (status, page, _) = v.post("/sign-in", &[("phone", "024 3823 4567")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<title>Lỗi: "), "the title says there is an error");
    assert!(page.contains("class=\"error-summary\"") && page.contains("href=\"#phone\""));
    assert!(
        page.contains("aria-invalid=\"true\"") && page.contains("value=\"024 3823 4567\""),
        "what was typed is kept"
    );

    v.post("/sign-in", &[("phone", "0912000001")]).await;
    let (status, page, _) = v.post("/sign-in/code", &[("code", "12")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Mã xác thực gồm đúng 6 chữ số"), "{page}");
    let (_, code_page, _) = v.get("/sign-in/code").await;
    let code = code_page
        .split("mã của bạn là ")
        .nth(1)
        .map(|r| r.chars().take(6).collect::<String>())
        .unwrap_or_default();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, page, _) = v.post("/sign-in/code", &[("code", wrong)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Bạn còn 4 lần thử"), "{page}");

    let (status, page, _) =
        v.post("/staff/sign-in", &[("username", "quantri"), ("password", "sai mat khau")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        page.contains("Tên đăng nhập hoặc mật khẩu không đúng")
            && page.contains("value=\"quantri\"")
    );
    assert!(!page.contains("sai mat khau"), "a password is never echoed back");

    let (status, _, _) =
        v.post_from("/sign-in", &[("phone", "0912000001")], Some("cross-site")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a forged sign-in form is refused");
}

#[tokio::test]
async fn staff_see_the_console_for_what_they_manage_and_redirects_stay_on_site() {
    let app = spawn_app(true).await;
    let mut v = Visitor::new(&app);
    let (status, _, response) = v.get("/console").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        response.get(header::LOCATION).and_then(|l| l.to_str().ok()),
        Some("/staff/sign-in?next=/console")
    );
    let password = app.staff_password("catinh.admin");
    let (status, _, to) = v
        .post(
            "/staff/sign-in",
            &[("username", "catinh.admin"), ("password", &password), ("next", "//evil.example/x")],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/")),
        "an off-site next is dropped"
    );
    let (status, console, _) = v.get("/console").await;
    assert_eq!(status, 200);
    for name in [
        "Công an tỉnh Tuyên Quang",
        "Công an xã Vị Xuyên",
        "Công an xã Thanh Thủy",
        "Công an phường Hà Giang 1",
    ] {
        assert!(console.contains(name), "{name} missing");
    }
    assert!(!console.contains("Tỉnh Đoàn Tuyên Quang"), "nothing outside the grant's reach");
    assert!(console.contains("Hộp thư") && console.contains("Tin báo"), "room for the later tools");
}

#[tokio::test]
async fn every_citizen_page_fits_the_weight_budget_compressed() {
    let app = spawn_app(true).await;
    let budget = 60 * 1024;
    let compressed = |path: String| {
        let request = app.client.get(app.url(&path)).header(header::ACCEPT_ENCODING, "gzip").send();
        async move {
            let response = request.await.unwrap_or_else(|e| panic!("{e}"));
            let encoding = response
                .headers()
                .get(header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response.bytes().await.unwrap_or_default();
            (encoding, bytes.len())
        }
    };
    let (_, home) = {
        let r = app.client.get(app.url("/")).send().await;
        (0, r.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default())
    };
    let assets: Vec<String> = home
        .split("/static/")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(|a| format!("/static/{a}"))
        .collect();
    assert_eq!(assets.len(), 2, "one stylesheet, one script");
    let mut asset_bytes = 0;
    for a in &assets {
        let (encoding, n) = compressed(a.clone()).await;
        assert_eq!(encoding.as_deref(), Some("gzip"), "{a} is served compressed");
        asset_bytes += n;
    }
    for path in ["/", "/accounts", "/accounts?q=cong+an&province=08", "/a/ca-vi-xuyen", "/sign-in"]
    {
        let (_, n) = compressed(path.to_owned()).await;
        assert!(n + asset_bytes <= budget, "{path}: {} bytes", n + asset_bytes);
        assert!(n > 500, "{path}: {n} bytes is not a page");
    }
}
