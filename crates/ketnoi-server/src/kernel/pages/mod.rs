//! The web pages: server-rendered, Vietnamese first, working fully before (and without) their
//! one small script.
//!
//! Every page is an askama template extending `base.html`, handed a [`Layout`] with the
//! translator, the asset URLs, who is signed in and the form token. State-changing requests are
//! plain form posts, checked twice against cross-site forgery: the browser's `Sec-Fetch-Site`
//! / `Origin` headers, and for signed-in forms a token tied to the session.

use askama::Template;
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{Html, IntoResponse, Redirect, Response},
};
use fluent_bundle::FluentValue;
use ketnoi_core::{Account, AccountKind};

use crate::kernel::{
    auth::{self, Caller},
    error::ApiError,
    http::{cookie, cross_site},
    i18n::{LANG_COOKIE, Lang, Messages, request_lang},
    session::resolve_caller,
    state::{HasKernel, Kernel},
};

pub(crate) mod assets;
pub(crate) mod forms;

/// The Content-Security-Policy of every page: no inline script or style anywhere, everything
/// from our own files.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// Security and caching headers for every page.
pub(crate) async fn page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    secure_page(&mut response);
    response
}

/// Adds the page headers to a response (also used by the not-found page, which the fallback
/// serves outside the page router's middleware).
fn secure_page(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-cache, private"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
}

/// A path on this site to return to: relative, not protocol-relative, so a link cannot send
/// people elsewhere after they sign in.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Percent-encodes a value for a query string.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /lang/{vi|en}?next=…`: remembers the choice for a year and goes back.
pub(crate) async fn switch_language(
    axum::extract::Path(tag): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let lang = Lang::from_tag(&tag).unwrap_or_default();
    let cookie = format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.tag());
    let mut response = Redirect::to(&safe_next(q.get("next").map(String::as_str))).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// Looks messages up in the page's language.
#[derive(Clone)]
pub(crate) struct Tr {
    messages: Messages,
    lang: Lang,
}

impl Tr {
    /// A message.
    pub(crate) fn get(&self, key: &str) -> String {
        self.messages.text(self.lang, key)
    }

    /// A message with one text argument.
    pub(crate) fn with(&self, key: &str, name: &str, value: &str) -> String {
        self.messages.get(self.lang, key, &[(name, FluentValue::from(value))])
    }

    /// A message with a count, for plural forms.
    pub(crate) fn count(&self, key: &str, n: i64) -> String {
        self.messages.get(self.lang, key, &[("count", FluentValue::from(n))])
    }

    /// A message with one text argument and a count.
    pub(crate) fn with_count(&self, key: &str, name: &str, value: &str, n: i64) -> String {
        let args = [(name, FluentValue::from(value)), ("count", FluentValue::from(n))];
        self.messages.get(self.lang, key, &args)
    }

    /// A message with several numbers.
    pub(crate) fn numbers(&self, key: &str, numbers: &[(&str, i64)]) -> String {
        let args: Vec<(&str, FluentValue<'_>)> =
            numbers.iter().map(|(name, n)| (*name, FluentValue::from(*n))).collect();
        self.messages.get(self.lang, key, &args)
    }

    /// The label of an account kind.
    pub(crate) fn kind(&self, kind: AccountKind) -> String {
        self.get(&format!("kind-{kind}"))
    }
}

/// Who the header shows as signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    Nobody,
    Citizen,
    Staff,
}

/// What every page template needs.
pub(crate) struct Layout {
    pub(crate) t: Tr,
    pub(crate) lang: &'static str,
    pub(crate) other_lang: &'static str,
    pub(crate) lang_switch: String,
    pub(crate) css: String,
    pub(crate) js: String,
    pub(crate) who: Who,
    pub(crate) csrf: String,
    pub(crate) has_errors: bool,
}

impl Layout {
    pub(crate) fn signed_in(&self) -> bool {
        self.who != Who::Nobody
    }
}

/// The request as a page sees it: who is signed in, in which language, from where, and the
/// state of the feature that draws the page (the kernel, or a feature's state over it).
pub(crate) struct Viewer<S = Kernel> {
    pub(crate) caller: Caller,
    pub(crate) lang: Lang,
    pub(crate) path_and_query: String,
    pub(crate) session_token: Option<String>,
    pub(crate) state: S,
    /// The request's id, for the audit entries the page causes.
    pub(crate) request: crate::kernel::audit::RequestId,
    method: Method,
    pub(crate) headers: HeaderMap,
}

impl<S: HasKernel> FromRequestParts<S> for Viewer<S> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // A stale or unknown cookie just means nobody is signed in: pages never answer 401.
        let caller = match resolve_caller(state.kernel(), &parts.headers).await {
            Ok(caller) => caller,
            Err(ApiError::Unauthenticated) => Caller::Anonymous,
            Err(e) => {
                tracing::warn!(error = ?e, "could not look up the session; showing the page signed out");
                Caller::Anonymous
            }
        };
        Ok(Self {
            caller,
            lang: request_lang(&parts.headers),
            path_and_query: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            session_token: cookie(&parts.headers, auth::SESSION_COOKIE),
            state: state.clone(),
            request: crate::kernel::audit::request_id_of(parts),
            method: parts.method.clone(),
            headers: parts.headers.clone(),
        })
    }
}

impl<S: HasKernel> Viewer<S> {
    /// A viewer for a page drawn for nobody in particular: no session looked up, the given
    /// language, and `headers` as the caller passes them (without cookies, for the tip pages).
    pub(crate) fn for_nobody(state: S, lang: Lang, parts: &Parts, headers: HeaderMap) -> Self {
        Self {
            caller: Caller::Anonymous,
            lang,
            path_and_query: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            session_token: None,
            state,
            request: crate::kernel::audit::request_id_of(parts),
            method: parts.method.clone(),
            headers,
        }
    }

    /// The translator.
    pub(crate) fn t(&self) -> Tr {
        Tr { messages: self.state.kernel().messages.clone(), lang: self.lang }
    }

    /// The session's form token, empty when nobody is signed in.
    pub(crate) fn csrf(&self) -> String {
        match &self.caller {
            Caller::Citizen { token_hash, .. } | Caller::Staff { token_hash, .. } => {
                auth::csrf_token(&self.state.kernel().config.secret_key, token_hash)
            }
            _ => String::new(),
        }
    }

    /// The layout for a page; `has_errors` prefixes the title with "Lỗi:".
    pub(crate) fn layout(&self, has_errors: bool) -> Layout {
        let other = match self.lang {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        };
        Layout {
            t: self.t(),
            lang: self.lang.tag(),
            other_lang: other.tag(),
            lang_switch: format!("/lang/{}?next={}", other.tag(), encode(&self.path_and_query)),
            css: assets::css_url(),
            js: assets::js_url(),
            who: match self.caller {
                Caller::Citizen { .. } => Who::Citizen,
                Caller::Staff { .. } => Who::Staff,
                _ => Who::Nobody,
            },
            csrf: self.csrf(),
            has_errors,
        }
    }

    /// Refuses a form post that another site could have forged, judged by the browser's own
    /// `Sec-Fetch-Site` / `Origin` headers. Enough for the sign-in forms, which act for nobody.
    pub(crate) fn check_origin(&self) -> Result<(), ApiError> {
        if cross_site(&self.method, &self.headers) {
            return Err(ApiError::CsrfRejected);
        }
        Ok(())
    }

    /// [`Self::check_origin`], and for a signed-in visitor the session's form token too.
    pub(crate) fn check_form(&self, csrf: Option<&str>) -> Result<(), ApiError> {
        self.check_origin()?;
        let expected = self.csrf();
        if !expected.is_empty() && csrf != Some(expected.as_str()) {
            return Err(ApiError::CsrfRejected);
        }
        Ok(())
    }

    /// Sends someone who must sign in to the right sign-in page, coming back here afterwards.
    pub(crate) fn to_sign_in(&self, staff: bool) -> Response {
        self.to_sign_in_then(staff, &self.path_and_query)
    }

    /// The sign-in page, coming back to `next` afterwards: for a form whose own address takes
    /// no GET, `next` is the page the form is on.
    pub(crate) fn to_sign_in_then(&self, staff: bool, next: &str) -> Response {
        let page = if staff { "/staff/sign-in" } else { "/sign-in" };
        Redirect::to(&format!("{page}?next={}", encode(next))).into_response()
    }

    /// The start of every handler of a posted form: nobody signed in goes to sign in (coming back
    /// to `back`, the page the form is on), a form without this session's token is refused;
    /// `None` when the handler may go on.
    pub(crate) fn stop_form(
        &self,
        staff: bool,
        back: &str,
        csrf: Option<&str>,
    ) -> Option<Response> {
        if matches!(self.caller, Caller::Anonymous) {
            return Some(self.to_sign_in_then(staff, back));
        }
        self.check_form(csrf).err().map(|e| self.fail(e))
    }

    /// Renders a template, or the error page if rendering fails.
    pub(crate) fn render(&self, status: StatusCode, page: &impl Template) -> Response {
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => self.fail(ApiError::Internal(anyhow::anyhow!("template: {e}"))),
        }
    }

    /// An error as a page: the user's mistakes explained, ours apologised for.
    pub(crate) fn fail(&self, e: ApiError) -> Response {
        let t = self.t();
        let problem = e.problem();
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = ?cause, "page failed");
        }
        let (title, lead) = match problem.status {
            StatusCode::NOT_FOUND => (t.get("not-found-title"), t.get("not-found-lead")),
            StatusCode::FORBIDDEN => (t.get("forbidden-title"), self.message(&e)),
            s if s.is_server_error() => (t.get("error-title"), t.get("error-lead")),
            _ => (t.get("error-title"), self.message(&e)),
        };
        // A member who must turn two-factor sign-in on is shown the way to it.
        let link = (problem.code == "second-factor-required").then(|| {
            (crate::kernel::second_factor::SECURITY_PAGE.to_owned(), t.get("security-go"))
        });
        let page = MessagePage { l: self.layout(false), title, lead, link };
        match page.render() {
            Ok(html) => (problem.status, Html(html)).into_response(),
            Err(_) => problem.status.into_response(),
        }
    }

    /// The message for an API error, in the page's language (for inline form errors).
    pub(crate) fn message(&self, e: &ApiError) -> String {
        e.problem().body(&self.state.kernel().messages, self.lang)["title"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A posted form; a body that is not a well-formed form gets an error page, not plain text.
pub(crate) struct PageForm<T>(pub(crate) T);

impl<S: HasKernel, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<S>
    for PageForm<T>
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let viewer = match Viewer::<S>::from_request_parts(&mut parts, state).await {
            Ok(v) => v,
            Err(never) => match never {},
        };
        let request = Request::from_parts(parts, body);
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(rejection) => Err(viewer.fail(ApiError::Malformed(rejection.body_text()))),
        }
    }
}

/// A page that only says something.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) l: Layout,
    pub(crate) title: String,
    pub(crate) lead: String,
    /// A way on, `(href, label)`, shown above the way home.
    pub(crate) link: Option<(String, String)>,
}

/// An error shown in a form's summary and beside its field.
pub(crate) struct FormError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

/// The fallback for unknown addresses: a problem for API clients, a page for people.
pub(crate) async fn not_found(State(state): State<Kernel>, request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        return ApiError::NotFound("page").into_response();
    }
    let (mut parts, _) = request.into_parts();
    let viewer = match Viewer::<Kernel>::from_request_parts(&mut parts, &state).await {
        Ok(v) => v,
        Err(never) => match never {},
    };
    let mut response = viewer.fail(ApiError::NotFound("page"));
    secure_page(&mut response);
    response
}

/// The account at `slug`, if the visitor is staff allowed `action` on it: 401 for a visitor who
/// is not signed in, 403 for a citizen or staff without the right, 404 for no such account.
pub(crate) async fn account_for<S: HasKernel>(
    viewer: &Viewer<S>,
    slug: &str,
    action: ketnoi_core::Action,
) -> Result<Account, ApiError> {
    if !matches!(viewer.caller, Caller::Staff { .. }) {
        return Err(match viewer.caller {
            Caller::Anonymous => ApiError::Unauthenticated,
            _ => ApiError::Forbidden,
        });
    }
    let account = viewer.state.kernel().account(slug).await?;
    let ancestry = viewer.state.kernel().store.agency_ancestry(account.agency).await?;
    if !viewer.caller.may(action, Some(&ancestry)) {
        return Err(ApiError::Forbidden);
    }
    Ok(account)
}

/// Sends a signed-out visitor of a console form to staff sign-in, coming back to the page of
/// `section` (`bot`, `lookups`) of the account at `slug`: a form's own address would not open
/// with a GET.
pub(crate) fn console_sign_in(slug: &str, section: &str) -> Response {
    let back = format!("/console/a/{}/{section}", encode(slug));
    Redirect::to(&format!("/staff/sign-in?next={}", encode(&back))).into_response()
}

/// What every console form post checks first: a signed-in officer (see [`console_sign_in`]), the
/// form token, and the permission `action` on the account at `slug`.
pub(crate) async fn console_form<S: HasKernel>(
    viewer: &Viewer<S>,
    slug: &str,
    csrf: Option<&str>,
    action: ketnoi_core::Action,
    section: &str,
) -> Result<Account, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(console_sign_in(slug, section));
    }
    viewer.check_form(csrf).map_err(|e| viewer.fail(e))?;
    account_for(viewer, slug, action).await.map_err(|e| viewer.fail(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/a/ca-vi-xuyen")), "/a/ca-vi-xuyen");
        for evil in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:x"] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("/accounts?q=công an"), "/accounts%3Fq%3Dc%C3%B4ng%20an");
    }
}
