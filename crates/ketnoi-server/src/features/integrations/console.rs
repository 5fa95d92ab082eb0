//! The "Tích hợp" console page of an account: its integrations (name, app id, scopes, state),
//! a form to create one, and rotating or revoking each. A new integration's secret key and
//! tokens, or new ones after rotating, are shown once on the page the form answers with, never
//! again. Plain forms, usable without JavaScript; a refused form shows the page again with the
//! reason beside the field and changes nothing.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{Account, AuditAction, InvalidInput, Scope, Scopes, policy::Action};
use serde::Deserialize;

use crate::{
    features::integrations::{
        api::standard_webhooks_secret,
        service::{self, Created, IntegrationsState},
    },
    kernel::{
        audit::record,
        auth::Caller,
        error::ApiError,
        pages::{FormError, Layout, PageForm, Viewer, Who, account_for, encode},
    },
};

pub(crate) fn router() -> Router<IntegrationsState> {
    Router::new()
        .route("/console/a/{slug}/integrations", get(integrations_page).post(create))
        .route("/console/a/{slug}/integrations/{app_id}/rotate", post(rotate))
        .route("/console/a/{slug}/integrations/{app_id}/revoke", post(revoke))
}

/// One integration on the page.
struct Row {
    app_id: String,
    name: String,
    scopes: String,
    created: String,
    revoked: Option<String>,
}

/// Credentials shown once.
struct Shown {
    app_id: String,
    secret_key: String,
    webhook_secret: String,
    access_token: String,
    refresh_token: String,
    expires_hours: i64,
}

#[derive(Template)]
#[template(path = "integrations.html")]
struct IntegrationsPage {
    l: Layout,
    account_name: String,
    base: String,
    rows: Vec<Row>,
    /// Every scope: (word, label, ticked on the form).
    scopes: Vec<(String, String, bool)>,
    name: String,
    notice: Option<String>,
    error: Option<FormError>,
    shown: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct PageParams {
    done: Option<String>,
}

async fn integrations_page(
    viewer: Viewer<IntegrationsState>,
    Path(slug): Path<String>,
    params: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let done = params.ok().and_then(|Query(p)| p.done);
    let account = match account_for(&viewer, &slug, Action::IssueAccountToken).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let notice = match done.as_deref() {
        Some("revoked") => Some(viewer.t().get("integrations-revoked")),
        _ => None,
    };
    let draft = Draft { name: String::new(), scopes: vec![Scope::Message, Scope::Followers] };
    match page(&viewer, &account, &draft, notice, None, None).await {
        Ok(p) => viewer.render(StatusCode::OK, &p),
        Err(e) => viewer.fail(e),
    }
}

/// What the create form held.
struct Draft {
    name: String,
    scopes: Vec<Scope>,
}

async fn page(
    viewer: &Viewer<IntegrationsState>,
    account: &Account,
    draft: &Draft,
    notice: Option<String>,
    error: Option<FormError>,
    created: Option<&Created>,
) -> Result<IntegrationsPage, ApiError> {
    let t = viewer.t();
    let all = viewer.state.store.integrations_of(account.id).await?;
    let rows = all
        .iter()
        .map(|i| Row {
            app_id: i.app_id.clone(),
            name: i.name.clone(),
            scopes: i
                .scopes
                .iter()
                .map(|s| t.get(&format!("integration-scope-{s}")))
                .collect::<Vec<_>>()
                .join(", "),
            created: i.created_at.display_vn(),
            revoked: i.revoked_at.map(|r| r.display_vn()),
        })
        .collect();
    let scopes = Scope::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_owned(),
                t.get(&format!("integration-scope-{s}")),
                draft.scopes.contains(s),
            )
        })
        .collect();
    let shown = created.map(|c| Shown {
        app_id: c.integration.app_id.clone(),
        webhook_secret: standard_webhooks_secret(&c.secret_key),
        secret_key: c.secret_key.clone(),
        access_token: c.credentials.access_token.clone(),
        refresh_token: c.credentials.refresh_token.clone(),
        expires_hours: c.credentials.expires_in / 3600,
    });
    Ok(IntegrationsPage {
        l: viewer.layout(error.is_some()),
        account_name: account.display_name.clone(),
        base: format!("/console/a/{}/integrations", encode(account.slug.as_str())),
        rows,
        scopes,
        name: draft.name.clone(),
        notice,
        error,
        shown,
    })
}

/// The create form as posted: the name, and one `scopes` field per ticked box.
struct CreateForm {
    csrf: Option<String>,
    name: String,
    scopes: String,
}

impl CreateForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self { csrf: None, name: String::new(), scopes: String::new() };
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => form.csrf = Some(value),
                "name" => form.name = value,
                "scopes" => {
                    form.scopes.push(',');
                    form.scopes.push_str(&value);
                }
                _ => {}
            }
        }
        form
    }
}

/// The account at `slug` after the form token, for someone who may manage its integrations.
async fn form_account(
    viewer: &Viewer<IntegrationsState>,
    slug: &str,
    csrf: Option<&str>,
) -> Result<Account, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(
            viewer.to_sign_in_then(true, &format!("/console/a/{}/integrations", encode(slug)))
        );
    }
    viewer.check_form(csrf).map_err(|e| viewer.fail(e))?;
    account_for(viewer, slug, Action::IssueAccountToken).await.map_err(|e| viewer.fail(e))
}

async fn create(
    viewer: Viewer<IntegrationsState>,
    Path(slug): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let form = CreateForm::from_pairs(pairs);
    let account = match form_account(&viewer, &slug, form.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let t = viewer.t();
    let parsed = Scopes::parse(&form.scopes);
    let draft = Draft {
        name: form.name.clone(),
        scopes: parsed.as_ref().map(|s| s.iter().collect()).unwrap_or_default(),
    };
    let outcome = match parsed {
        Ok(scopes) => {
            service::create(
                viewer.state.store.as_ref(),
                &viewer.state.config.secret_key,
                &account,
                &form.name,
                scopes,
                viewer.caller.staff_id(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    let outcome = match outcome {
        Ok(created) => {
            let object = format!("integration:{}", created.integration.app_id);
            let action = AuditAction::IntegrationCreated;
            let agency = Some(account.agency);
            record(&viewer.state, &viewer.caller, &viewer.request, action, &object, agency)
                .await
                .map(|()| created)
        }
        Err(e) => Err(e),
    };
    let result = match outcome {
        Ok(created) => {
            let notice = Some(t.get("integrations-created"));
            page(
                &viewer,
                &account,
                &Draft { name: String::new(), scopes: draft.scopes.clone() },
                notice,
                None,
                Some(&created),
            )
            .await
        }
        Err(ApiError::Invalid(
            InvalidInput::Length { field: "scopes", .. }
            | InvalidInput::Choice { field: "scopes", .. },
        )) => {
            let error = FormError { field: "scopes", message: t.get("integrations-error-scopes") };
            page(&viewer, &account, &draft, None, Some(error), None).await
        }
        Err(ApiError::Invalid(
            InvalidInput::Length { field: "name", .. }
            | InvalidInput::ControlCharacter { field: "name" },
        )) => {
            let error = FormError { field: "name", message: t.get("integrations-error-name") };
            page(&viewer, &account, &draft, None, Some(error), None).await
        }
        Err(e) => return viewer.fail(e),
    };
    unstored(&viewer, result)
}

/// The page a form answers with, which may carry credentials: never cached, never kept by the
/// browser; 422 when it shows a refusal.
fn unstored(
    viewer: &Viewer<IntegrationsState>,
    page: Result<IntegrationsPage, ApiError>,
) -> Response {
    match page {
        Ok(p) => {
            let status =
                if p.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            let mut response = viewer.render(status, &p);
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    csrf: Option<String>,
}

/// The integration `app_id` of the account at `slug`; 404 for another account's.
async fn integration_of(
    viewer: &Viewer<IntegrationsState>,
    account: &Account,
    app_id: &str,
) -> Result<ketnoi_store::Integration, ApiError> {
    viewer
        .state
        .store
        .integration_by_app_id(app_id)
        .await?
        .filter(|i| i.account == account.id)
        .ok_or(ApiError::NotFound("integration"))
}

async fn rotate(
    viewer: Viewer<IntegrationsState>,
    Path((slug, app_id)): Path<(String, String)>,
    PageForm(form): PageForm<TokenForm>,
) -> Response {
    let account = match form_account(&viewer, &slug, form.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let rotated = match integration_of(&viewer, &account, &app_id).await {
        Ok(i) => {
            service::rotate(viewer.state.store.as_ref(), &viewer.state.config.secret_key, &i).await
        }
        Err(e) => Err(e),
    };
    let created = match rotated {
        Ok(c) => c,
        Err(e) => return viewer.fail(e),
    };
    let object = format!("integration:{app_id}");
    let action = AuditAction::IntegrationRotated;
    let agency = Some(account.agency);
    if let Err(e) =
        record(&viewer.state, &viewer.caller, &viewer.request, action, &object, agency).await
    {
        return viewer.fail(e);
    }
    let draft = Draft { name: String::new(), scopes: vec![Scope::Message, Scope::Followers] };
    let notice = Some(viewer.t().get("integrations-rotated"));
    unstored(&viewer, page(&viewer, &account, &draft, notice, None, Some(&created)).await)
}

async fn revoke(
    viewer: Viewer<IntegrationsState>,
    Path((slug, app_id)): Path<(String, String)>,
    PageForm(form): PageForm<TokenForm>,
) -> Response {
    let account = match form_account(&viewer, &slug, form.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let revoked = match integration_of(&viewer, &account, &app_id).await {
        Ok(i) => service::revoke(viewer.state.store.as_ref(), &i).await,
        Err(e) => Err(e),
    };
    let revoked = match revoked {
        Ok(true) => {
            let object = format!("integration:{app_id}");
            let action = AuditAction::IntegrationRevoked;
            let agency = Some(account.agency);
            record(&viewer.state, &viewer.caller, &viewer.request, action, &object, agency).await
        }
        Ok(false) => Ok(()),
        Err(e) => Err(e),
    };
    match revoked {
        Ok(()) => Redirect::to(&format!(
            "/console/a/{}/integrations?done=revoked",
            encode(account.slug.as_str())
        ))
        .into_response(),
        Err(e) => viewer.fail(e),
    }
}
