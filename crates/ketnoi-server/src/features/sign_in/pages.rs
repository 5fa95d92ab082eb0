//! Signing in and out from the pages: citizens by phone and one-time code, staff by password.

use askama::Template;
use axum::{
    Router,
    extract::Query,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{Actor, AuditAction, Phone};
use ketnoi_store::Subject;
use serde::Deserialize;

use crate::kernel::pages::{FormError, Layout, PageForm, Viewer, Who, encode, safe_next};
use crate::{
    features::sign_in::second_factor,
    features::sign_in::service::{self as signin, SignInState},
    kernel::{auth::Caller, client_ip::ClientIp, error::ApiError},
};

pub(crate) fn router() -> Router<SignInState> {
    Router::new()
        .route("/sign-in", get(phone_form).post(phone_submit))
        .route("/sign-in/code", get(code_form).post(code_submit))
        .route("/staff/sign-in", get(staff_form).post(staff_submit))
        .route("/staff/sign-in/code", get(staff_code_form).post(staff_code_submit))
        .route("/sign-out", post(sign_out))
}

/// Remembers, between the two sign-in pages, which phone a code was sent to (and in demo mode
/// the code, so the demo needs no phone). Only for the sign-in pages, ten minutes.
const PENDING_COOKIE: &str = "ketnoi_otp";

fn pending_cookie(value: &str, max_age: u32) -> HeaderValue {
    let v = format!(
        "{PENDING_COOKIE}={value}; Path=/sign-in; HttpOnly; SameSite=Lax; Max-Age={max_age}"
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn pending(viewer: &Viewer<SignInState>) -> Option<(Phone, Option<String>)> {
    let raw = crate::kernel::http::cookie(&viewer.headers, PENDING_COOKIE)?;
    let (phone, code) = match raw.split_once('.') {
        Some((p, c)) => (p, Some(c.to_owned())),
        None => (raw.as_str(), None),
    };
    Some((Phone::parse(phone).ok()?, code.filter(|c| crate::features::sign_in::otp::is_code(c))))
}

#[derive(Debug, Default, Deserialize)]
struct NextParam {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct PhonePage {
    l: Layout,
    errors: Vec<FormError>,
    phone: String,
    phone_error: Option<String>,
    next: String,
}

fn phone_page(
    viewer: &Viewer<SignInState>,
    phone: String,
    error: Option<String>,
    next: String,
) -> PhonePage {
    let errors: Vec<FormError> =
        error.iter().map(|m| FormError { field: "phone", message: m.clone() }).collect();
    PhonePage { l: viewer.layout(!errors.is_empty()), errors, phone, phone_error: error, next }
}

async fn phone_form(
    viewer: Viewer<SignInState>,
    q: Result<Query<NextParam>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = safe_next(q.ok().and_then(|Query(q)| q.next).as_deref());
    if matches!(viewer.caller, Caller::Citizen { .. }) {
        return Redirect::to(&next).into_response();
    }
    viewer.render(StatusCode::OK, &phone_page(&viewer, String::new(), None, next))
}

#[derive(Debug, Deserialize)]
struct PhoneForm {
    #[serde(default)]
    phone: String,
    next: Option<String>,
}

async fn phone_submit(
    viewer: Viewer<SignInState>,
    ClientIp(ip): ClientIp,
    PageForm(f): PageForm<PhoneForm>,
) -> Response {
    if let Err(e) = viewer.check_origin() {
        return viewer.fail(e);
    }
    let next = safe_next(f.next.as_deref());
    let typed: String = f.phone.chars().take(40).collect();
    let phone = match Phone::parse(&typed) {
        Ok(p) => p,
        Err(e) => {
            let page = phone_page(&viewer, typed, Some(viewer.message(&e.into())), next);
            return viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match signin::request_code(&viewer.state, ip, &phone).await {
        Ok(demo_code) => {
            let value = match demo_code {
                Some(code) => format!("{}.{code}", phone.e164()),
                None => phone.e164().to_owned(),
            };
            let mut response =
                Redirect::to(&format!("/sign-in/code?next={}", encode(&next))).into_response();
            response.headers_mut().append(header::SET_COOKIE, pending_cookie(&value, 600));
            response
        }
        Err(e @ (ApiError::TooManyRequests { .. } | ApiError::OtpSendFailed(_))) => {
            let status = e.problem().status;
            let page = phone_page(&viewer, typed, Some(viewer.message(&e)), next);
            viewer.render(status, &page)
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    l: Layout,
    errors: Vec<FormError>,
    sent_to: String,
    demo_code: Option<String>,
    code_error: Option<String>,
    next: String,
    next_encoded: String,
}

fn code_page(
    viewer: &Viewer<SignInState>,
    phone: &Phone,
    demo: Option<String>,
    error: Option<String>,
    next: String,
) -> CodePage {
    let errors: Vec<FormError> =
        error.iter().map(|m| FormError { field: "code", message: m.clone() }).collect();
    CodePage {
        l: viewer.layout(!errors.is_empty()),
        errors,
        sent_to: viewer.t().with("code-lead", "phone", &phone.masked()),
        demo_code: demo,
        code_error: error,
        next_encoded: encode(&next),
        next,
    }
}

async fn code_form(
    viewer: Viewer<SignInState>,
    q: Result<Query<NextParam>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = safe_next(q.ok().and_then(|Query(q)| q.next).as_deref());
    match pending(&viewer) {
        Some((phone, demo)) => {
            viewer.render(StatusCode::OK, &code_page(&viewer, &phone, demo, None, next))
        }
        None => Redirect::to(&format!("/sign-in?next={}", encode(&next))).into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

async fn code_submit(
    viewer: Viewer<SignInState>,
    ClientIp(ip): ClientIp,
    PageForm(f): PageForm<CodeForm>,
) -> Response {
    if let Err(e) = viewer.check_origin() {
        return viewer.fail(e);
    }
    let next = safe_next(f.next.as_deref());
    let Some((phone, demo)) = pending(&viewer) else {
        return Redirect::to(&format!("/sign-in?next={}", encode(&next))).into_response();
    };
    let citizen = match signin::verify_code(&viewer.state, ip, &phone, &f.code).await {
        Ok(c) => c,
        Err(e @ ApiError::Internal(_)) => return viewer.fail(e),
        Err(e) => {
            let status = e.problem().status;
            let page = code_page(&viewer, &phone, demo, Some(viewer.message(&e)), next);
            return viewer.render(status, &page);
        }
    };
    let mut response = signed_in(&viewer, Subject::Citizen(citizen.id), &next).await;
    response.headers_mut().append(header::SET_COOKIE, pending_cookie("", 0));
    response
}

/// Starts the new session (ending the one the browser held) and goes on to `next`.
async fn signed_in(viewer: &Viewer<SignInState>, subject: Subject, next: &str) -> Response {
    match signin::start_session(&viewer.state, subject, viewer.session_token.as_deref()).await {
        Ok((_, cookie)) => {
            let mut response = Redirect::to(next).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Template)]
#[template(path = "staff_sign_in.html")]
struct StaffPage {
    l: Layout,
    errors: Vec<FormError>,
    username: String,
}

async fn staff_form(viewer: Viewer<SignInState>) -> Response {
    if matches!(viewer.caller, Caller::Staff { .. }) {
        return Redirect::to("/console").into_response();
    }
    viewer.render(
        StatusCode::OK,
        &StaffPage { l: viewer.layout(false), errors: vec![], username: String::new() },
    )
}

#[derive(Debug, Deserialize)]
struct StaffForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn staff_submit(
    viewer: Viewer<SignInState>,
    ClientIp(ip): ClientIp,
    PageForm(f): PageForm<StaffForm>,
) -> Response {
    if let Err(e) = viewer.check_origin() {
        return viewer.fail(e);
    }
    let username: String = f.username.chars().take(64).collect();
    let checked =
        signin::check_staff(&viewer.state, ip, &viewer.request, &username, f.password).await;
    let staff = match checked {
        Ok(s) => s,
        Err(e @ ApiError::Internal(_)) => return viewer.fail(e),
        Err(e) => {
            let status = e.problem().status;
            let errors = vec![FormError { field: "username", message: viewer.message(&e) }];
            let page = StaffPage { l: viewer.layout(true), errors, username };
            return viewer.render(status, &page);
        }
    };
    let next = match f.next.as_deref() {
        Some(n) => safe_next(Some(n)),
        None => "/console".to_owned(),
    };
    match crate::kernel::second_factor::enrolled(&viewer.state, staff.id).await {
        Ok(false) => signed_in(&viewer, Subject::Staff(staff.id), &next).await,
        Ok(true) => {
            // The password was right; the code comes next. No session yet: only a signed,
            // five-minute note of who gave the right password.
            let expires = ketnoi_core::Timestamp::now().plus_millis(STAFF_PENDING_SECONDS * 1000);
            let token = crate::kernel::second_factor::pending_token(
                &viewer.state.config.secret_key,
                staff.id,
                expires,
            );
            let mut response = Redirect::to(&format!("/staff/sign-in/code?next={}", encode(&next)))
                .into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                staff_pending_cookie(&viewer, &token, STAFF_PENDING_SECONDS),
            );
            response
        }
        Err(e) => viewer.fail(e),
    }
}

/// Carries, between the password and the code, who gave the right password (signed, five
/// minutes, only for the code page).
const STAFF_PENDING_COOKIE: &str = "ketnoi_2fa";
const STAFF_PENDING_SECONDS: i64 = 300;

fn staff_pending_cookie(viewer: &Viewer<SignInState>, value: &str, max_age: i64) -> HeaderValue {
    let secure = if viewer.state.config.secure_cookies { "; Secure" } else { "" };
    let v = format!(
        "{STAFF_PENDING_COOKIE}={value}; Path=/staff/sign-in; HttpOnly; SameSite=Strict; \
         Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn staff_pending(viewer: &Viewer<SignInState>) -> Option<ketnoi_core::StaffId> {
    let raw = crate::kernel::http::cookie(&viewer.headers, STAFF_PENDING_COOKIE)?;
    crate::kernel::second_factor::open_pending(
        &viewer.state.config.secret_key,
        &raw,
        ketnoi_core::Timestamp::now(),
    )
}

#[derive(Template)]
#[template(path = "staff_sign_in_code.html")]
struct StaffCodePage {
    l: Layout,
    errors: Vec<FormError>,
    code_error: Option<String>,
    next: String,
}

async fn staff_code_form(
    viewer: Viewer<SignInState>,
    q: Result<Query<NextParam>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = safe_next(q.ok().and_then(|Query(q)| q.next).as_deref());
    if staff_pending(&viewer).is_none() {
        return Redirect::to("/staff/sign-in").into_response();
    }
    let page = StaffCodePage { l: viewer.layout(false), errors: vec![], code_error: None, next };
    viewer.render(StatusCode::OK, &page)
}

async fn staff_code_submit(
    viewer: Viewer<SignInState>,
    ClientIp(ip): ClientIp,
    PageForm(f): PageForm<CodeForm>,
) -> Response {
    if let Err(e) = viewer.check_origin() {
        return viewer.fail(e);
    }
    let next = match f.next.as_deref() {
        Some(n) => safe_next(Some(n)),
        None => "/console".to_owned(),
    };
    let Some(staff) = staff_pending(&viewer) else {
        let message = viewer.t().get("staff-code-expired");
        let errors = vec![FormError { field: "username", message }];
        let page = StaffPage { l: viewer.layout(true), errors, username: String::new() };
        return viewer.render(StatusCode::UNAUTHORIZED, &page);
    };
    let code: String = f.code.chars().take(64).collect();
    match second_factor::second_step(&viewer.state, ip, &viewer.request, staff, Some(&code)).await {
        Ok(()) => {
            let mut response = signed_in(&viewer, Subject::Staff(staff), &next).await;
            response.headers_mut().append(header::SET_COOKIE, staff_pending_cookie(&viewer, "", 0));
            response
        }
        Err(e @ ApiError::Internal(_)) => viewer.fail(e),
        Err(e) => {
            let status = e.problem().status;
            let message = viewer.message(&e);
            let errors = vec![FormError { field: "code", message: message.clone() }];
            let page =
                StaffCodePage { l: viewer.layout(true), errors, code_error: Some(message), next };
            viewer.render(status, &page)
        }
    }
}

#[derive(Debug, Deserialize)]
struct SignOutForm {
    csrf: Option<String>,
}

async fn sign_out(viewer: Viewer<SignInState>, PageForm(f): PageForm<SignOutForm>) -> Response {
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    if let Some(token) = &viewer.session_token
        && let Err(e) = crate::kernel::session::end_session(
            &viewer.state,
            &crate::kernel::auth::token_hash(token),
        )
        .await
    {
        return viewer.fail(e);
    }
    if let Caller::Staff { staff, .. } = &viewer.caller {
        let (actor, action) = (Actor::Staff(staff.id), AuditAction::SignOut);
        let audited =
            signin::audit_staff(&viewer.state, actor, &viewer.request, action, Some(staff.id));
        if let Err(e) = audited.await {
            return viewer.fail(e);
        }
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, signin::session_cookie(&viewer.state, "", 0));
    response
}
