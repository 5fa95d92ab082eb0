//! The security page (`/console/bao-mat`): a staff member turns two-factor sign-in on (QR code
//! drawn on the server, the secret also as text, a first code to confirm, recovery codes shown
//! once), makes new recovery codes or turns it off; an administrator sets "required for all
//! staff" on the agencies they manage and resets a member's second factor.

use askama::Template;
use axum::{
    Router,
    extract::Query,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use fluent_bundle::FluentValue;
use ketnoi_core::Action;
use serde::Deserialize;

use crate::{
    features::sign_in::{
        second_factor::{self as sf, Enrolment},
        service::SignInState,
    },
    kernel::{
        auth::Caller,
        client_ip::ClientIp,
        error::ApiError,
        extract::Path,
        pages::{FormError, Layout, PageForm, Viewer, Who},
        second_factor::SECURITY_PAGE,
    },
};

pub(crate) fn router() -> Router<SignInState> {
    Router::new()
        .route("/console/bao-mat", get(show))
        .route("/console/bao-mat/bat-dau", post(start))
        .route("/console/bao-mat/xac-nhan", post(confirm))
        .route("/console/bao-mat/ma-du-phong", post(regenerate))
        .route("/console/bao-mat/tat", post(disable))
        .route("/console/bao-mat/co-quan/{code}", post(set_required))
        .route("/console/bao-mat/dat-lai", post(reset))
}

struct AgencyRow {
    code: String,
    label: String,
    required: bool,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    l: Layout,
    errors: Vec<FormError>,
    required_notice: bool,
    notice: Option<String>,
    obliged: bool,
    on_text: Option<String>,
    enrolment: Option<Enrolment>,
    recovery_codes: Option<Vec<String>>,
    agencies: Vec<AgencyRow>,
}

#[derive(Debug, Default, Deserialize)]
struct Params {
    #[serde(rename = "bat-buoc")]
    required: Option<String>,
    #[serde(rename = "luu")]
    saved: Option<String>,
    #[serde(rename = "dat-lai")]
    reset: Option<String>,
}

/// What the page shows besides the member's own state.
#[derive(Default)]
struct Extras {
    errors: Vec<FormError>,
    required_notice: bool,
    notice: Option<String>,
    recovery_codes: Option<Vec<String>>,
}

/// The agencies whose staff the member manages, with their setting.
async fn managed(viewer: &Viewer<SignInState>) -> Result<Vec<AgencyRow>, ApiError> {
    let Caller::Staff { grants, .. } = &viewer.caller else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for g in grants {
        let ancestry = viewer.state.store.agency_ancestry(g.agency).await?;
        if !viewer.caller.may(Action::ManageStaff, Some(&ancestry)) {
            continue;
        }
        let Some(agency) = viewer.state.store.agency(g.agency).await? else { continue };
        out.push(AgencyRow {
            code: agency.code.to_string(),
            label: viewer.t().with("security-agency-required", "agency", &agency.name),
            required: viewer.state.store.second_factor_required(agency.id).await?,
        });
    }
    Ok(out)
}

async fn page(viewer: &Viewer<SignInState>, status: StatusCode, extras: Extras) -> Response {
    let built = async {
        let s = sf::status(&viewer.state, &viewer.caller).await?;
        let enrolment = if s.confirmed_at.is_none() && s.pending {
            sf::pending(&viewer.state, &viewer.caller).await?
        } else {
            None
        };
        let on_text = s.confirmed_at.map(|since| {
            let args = [
                ("since", FluentValue::from(since.display_vn())),
                ("left", FluentValue::from(s.recovery_left)),
            ];
            viewer.state.messages.get(viewer.lang, "security-on", &args)
        });
        Ok::<_, ApiError>(SecurityPage {
            l: viewer.layout(!extras.errors.is_empty()),
            errors: extras.errors,
            required_notice: extras.required_notice,
            notice: extras.notice,
            obliged: s.required,
            on_text,
            enrolment,
            recovery_codes: extras.recovery_codes,
            agencies: managed(viewer).await?,
        })
    }
    .await;
    match built {
        Ok(p) => {
            let mut response = viewer.render(status, &p);
            // The page can carry a secret or recovery codes: never kept by a cache.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => viewer.fail(e),
    }
}

/// A signed-in staff member, or the way to sign in.
fn staff_only(viewer: &Viewer<SignInState>) -> Result<(), Box<Response>> {
    match viewer.caller {
        Caller::Staff { .. } => Ok(()),
        Caller::Anonymous => Err(Box::new(viewer.to_sign_in_then(true, SECURITY_PAGE))),
        _ => Err(Box::new(viewer.fail(ApiError::Forbidden))),
    }
}

async fn show(
    viewer: Viewer<SignInState>,
    q: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = staff_only(&viewer) {
        return *r;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let t = viewer.t();
    let notice = if q.saved.is_some() {
        Some(t.get("security-saved"))
    } else if q.reset.is_some() {
        Some(t.get("security-reset-done"))
    } else {
        None
    };
    let extras = Extras { required_notice: q.required.is_some(), notice, ..Extras::default() };
    page(&viewer, StatusCode::OK, extras).await
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn start(viewer: Viewer<SignInState>, PageForm(f): PageForm<CsrfForm>) -> Response {
    if let Err(r) = staff_only(&viewer) {
        return *r;
    }
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    match sf::start(&viewer.state, &viewer.caller).await {
        Ok(_) => Redirect::to(SECURITY_PAGE).into_response(),
        Err(e @ ApiError::Conflict(_)) => {
            let errors = vec![FormError { field: "code", message: viewer.message(&e) }];
            page(&viewer, StatusCode::CONFLICT, Extras { errors, ..Extras::default() }).await
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    csrf: Option<String>,
    #[serde(default)]
    code: String,
}

/// A refusal shown on the page, beside the code field; our own failures get the error page.
async fn refused(viewer: &Viewer<SignInState>, e: ApiError) -> Response {
    if matches!(e, ApiError::Internal(_)) {
        return viewer.fail(e);
    }
    let status = e.problem().status;
    let errors = vec![FormError { field: "code", message: viewer.message(&e) }];
    page(viewer, status, Extras { errors, ..Extras::default() }).await
}

async fn confirm(
    viewer: Viewer<SignInState>,
    ClientIp(ip): ClientIp,
    PageForm(f): PageForm<CodeForm>,
) -> Response {
    if let Err(r) = staff_only(&viewer) {
        return *r;
    }
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    match sf::confirm(&viewer.state, ip, &viewer.caller, &viewer.request, &f.code).await {
        Ok(codes) => {
            let extras = Extras { recovery_codes: Some(codes), ..Extras::default() };
            page(&viewer, StatusCode::OK, extras).await
        }
        Err(e) => refused(&viewer, e).await,
    }
}

async fn regenerate(
    viewer: Viewer<SignInState>,
    ClientIp(ip): ClientIp,
    PageForm(f): PageForm<CodeForm>,
) -> Response {
    if let Err(r) = staff_only(&viewer) {
        return *r;
    }
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    match sf::regenerate(&viewer.state, ip, &viewer.caller, &f.code).await {
        Ok(codes) => {
            let extras = Extras { recovery_codes: Some(codes), ..Extras::default() };
            page(&viewer, StatusCode::OK, extras).await
        }
        Err(e) => refused(&viewer, e).await,
    }
}

async fn disable(
    viewer: Viewer<SignInState>,
    ClientIp(ip): ClientIp,
    PageForm(f): PageForm<CodeForm>,
) -> Response {
    if let Err(r) = staff_only(&viewer) {
        return *r;
    }
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    match sf::disable(&viewer.state, ip, &viewer.caller, &viewer.request, &f.code).await {
        Ok(()) => Redirect::to(SECURITY_PAGE).into_response(),
        Err(e) => refused(&viewer, e).await,
    }
}

#[derive(Debug, Deserialize)]
struct RequiredForm {
    csrf: Option<String>,
    required: Option<String>,
}

async fn set_required(
    viewer: Viewer<SignInState>,
    Path(code): Path<String>,
    PageForm(f): PageForm<RequiredForm>,
) -> Response {
    if let Err(r) = staff_only(&viewer) {
        return *r;
    }
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let required = f.required.is_some();
    match sf::set_required(&viewer.state, &viewer.caller, &viewer.request, &code, required).await {
        Ok(_) => Redirect::to(&format!("{SECURITY_PAGE}?luu=1")).into_response(),
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct ResetForm {
    csrf: Option<String>,
    #[serde(default)]
    username: String,
}

async fn reset(viewer: Viewer<SignInState>, PageForm(f): PageForm<ResetForm>) -> Response {
    if let Err(r) = staff_only(&viewer) {
        return *r;
    }
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let username: String = f.username.trim().chars().take(64).collect();
    match sf::reset(&viewer.state, &viewer.caller, &viewer.request, &username).await {
        Ok(true) => Redirect::to(&format!("{SECURITY_PAGE}?dat-lai=1")).into_response(),
        Ok(false) => refused(&viewer, ApiError::NotFound("second-factor")).await,
        Err(e @ ApiError::NotFound(_)) => refused(&viewer, e).await,
        Err(e) => viewer.fail(e),
    }
}
