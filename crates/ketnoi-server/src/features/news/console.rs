//! The console pages where officers write an account's articles, with a preview, as plain forms
//! that work without JavaScript. Broadcasts are sent from [`super::broadcast_console`].

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use ketnoi_core::{Account, ArticleId, ArticleState, Timestamp, policy::Action};
use ketnoi_store::Article;
use serde::Deserialize;

use crate::features::news::{
    api::draft_of,
    service::{NewsState, article_path},
    views::cover_path,
};
use crate::kernel::{
    auth::Caller,
    error::ApiError,
    pages::{FormError, Layout, Viewer, Who, account_for, console_form, console_sign_in},
};

/// The largest cover picture.
const MAX_COVER: usize = 5 * 1024 * 1024;
/// Room for the rest of the article form around it.
const MAX_ARTICLE_FORM: usize = MAX_COVER + 512 * 1024;

pub(crate) fn router() -> Router<NewsState> {
    Router::new()
        .route("/console/a/{slug}/tin", get(articles))
        .route(
            "/console/a/{slug}/tin/moi",
            get(new_article).post(create_article).layer(DefaultBodyLimit::max(MAX_ARTICLE_FORM)),
        )
        .route(
            "/console/a/{slug}/tin/{id}",
            get(edit_article).post(save_article).layer(DefaultBodyLimit::max(MAX_ARTICLE_FORM)),
        )
}

/// A page of the console that needs the account and the right to publish its news.
pub(crate) async fn publisher(
    viewer: &Viewer<NewsState>,
    slug: &str,
    section: &str,
) -> Result<Account, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(console_sign_in(slug, section));
    }
    account_for(viewer, slug, Action::PublishNews).await.map_err(|e| viewer.fail(e))
}

struct ArticleRow {
    title: String,
    state: String,
    when: String,
    edit: String,
    view: String,
}

#[derive(Template)]
#[template(path = "news_console.html")]
struct ArticlesPage {
    l: Layout,
    account_name: String,
    slug: String,
    rows: Vec<ArticleRow>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    pub(crate) done: Option<String>,
}

async fn articles(
    viewer: Viewer<NewsState>,
    Path(slug): Path<String>,
    done: Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let account = match publisher(&viewer, &slug, "tin").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let found = match viewer.state.store.account_articles(account.id, 200).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e.into()),
    };
    let t = viewer.t();
    let now = Timestamp::now();
    let rows = found
        .iter()
        .map(|a| ArticleRow {
            title: a.title.clone(),
            state: t.get(&format!("article-state-{}", a.state_at(now))),
            when: a.publish_at.unwrap_or(a.updated_at).display_vn(),
            edit: format!("/console/a/{}/tin/{}", account.slug, a.id.0),
            view: article_path(&account, a),
        })
        .collect();
    let notice = done
        .ok()
        .and_then(|Query(d)| d.done)
        .filter(|d| ["saved"].contains(&d.as_str()))
        .map(|d| t.get(&format!("news-done-{d}")));
    let page = ArticlesPage {
        l: viewer.layout(false),
        account_name: account.display_name.clone(),
        slug: account.slug.to_string(),
        rows,
        notice,
    };
    viewer.render(StatusCode::OK, &page)
}

/// The article editor as drawn.
#[derive(Template)]
#[template(path = "news_editor.html")]
struct EditorPage {
    l: Layout,
    account_name: String,
    slug: String,
    action: String,
    errors: Vec<FormError>,
    title: String,
    summary: String,
    body: String,
    publish_at: String,
    states: Vec<(String, String, bool)>,
    cover: Option<String>,
    preview: Option<String>,
    public: Option<String>,
}

impl EditorPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

/// What the editor form holds.
#[derive(Default)]
struct ArticleForm {
    csrf: Option<String>,
    title: String,
    summary: String,
    body: String,
    state: String,
    publish_at: String,
    action: String,
    cover: Option<(String, Vec<u8>)>,
}

async fn read_article_form(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<ArticleForm, ApiError> {
    let mut multipart = multipart.map_err(|r| ApiError::Malformed(r.body_text()))?;
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge { max_bytes: MAX_COVER }
        } else {
            ApiError::Malformed(e.body_text())
        }
    };
    let mut form = ArticleForm::default();
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "cover" {
            let declared = field.content_type().unwrap_or_default().to_owned();
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(too_large)?;
            if !bytes.is_empty() || !file_name.is_empty() {
                form.cover = Some((declared, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await.map_err(too_large)?;
        match name.as_str() {
            "csrf" => form.csrf = Some(value),
            "title" => form.title = value,
            "summary" => form.summary = value,
            "body" => form.body = value,
            "state" => form.state = value,
            "publish_at" => form.publish_at = value,
            "action" => form.action = value,
            _ => {}
        }
    }
    Ok(form)
}

fn editor(
    viewer: &Viewer<NewsState>,
    account: &Account,
    action: String,
    form: &ArticleForm,
    existing: Option<&Article>,
    errors: Vec<FormError>,
    preview: Option<String>,
) -> EditorPage {
    let t = viewer.t();
    let state = if form.state.is_empty() { "draft".to_owned() } else { form.state.clone() };
    let states = [
        ArticleState::Draft,
        ArticleState::Published,
        ArticleState::Scheduled,
        ArticleState::Withdrawn,
    ]
    .iter()
    .map(|s| (s.to_string(), t.get(&format!("article-state-{s}")), s.as_str() == state))
    .collect();
    EditorPage {
        l: viewer.layout(!errors.is_empty()),
        account_name: account.display_name.clone(),
        slug: account.slug.to_string(),
        action,
        errors,
        title: form.title.clone(),
        summary: form.summary.clone(),
        body: form.body.clone(),
        publish_at: form.publish_at.clone(),
        states,
        cover: existing.and_then(|a| a.cover.as_ref().map(|_| cover_path(account, a))),
        preview,
        public: existing.map(|a| article_path(account, a)),
    }
}

async fn new_article(viewer: Viewer<NewsState>, Path(slug): Path<String>) -> Response {
    let account = match publisher(&viewer, &slug, "tin").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let action = format!("/console/a/{}/tin/moi", account.slug);
    let page = editor(&viewer, &account, action, &ArticleForm::default(), None, Vec::new(), None);
    viewer.render(StatusCode::OK, &page)
}

async fn edit_article(
    viewer: Viewer<NewsState>,
    Path((slug, id)): Path<(String, i64)>,
) -> Response {
    let account = match publisher(&viewer, &slug, "tin").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let article = match own_article(&viewer, &account, id).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let form = ArticleForm {
        title: article.title.clone(),
        summary: article.summary.clone(),
        body: article.body.clone(),
        state: article.state.to_string(),
        publish_at: article
            .publish_at
            .filter(|_| article.state == ArticleState::Scheduled)
            .map(datetime_local)
            .unwrap_or_default(),
        ..ArticleForm::default()
    };
    let action = format!("/console/a/{}/tin/{}", account.slug, article.id.0);
    let page = editor(&viewer, &account, action, &form, Some(&article), Vec::new(), None);
    viewer.render(StatusCode::OK, &page)
}

async fn own_article(
    viewer: &Viewer<NewsState>,
    account: &Account,
    id: i64,
) -> Result<Article, ApiError> {
    let found = viewer.state.store.article(ArticleId(id)).await?;
    found.filter(|a| a.account == account.id).ok_or(ApiError::NotFound("article"))
}

/// `2026-12-08T08:00` in Vietnam time, as a `datetime-local` input shows it.
fn datetime_local(t: Timestamp) -> String {
    t.in_vietnam()
        .map(|v| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}",
                v.year(),
                u8::from(v.month()),
                v.day(),
                v.hour(),
                v.minute()
            )
        })
        .unwrap_or_default()
}

async fn create_article(
    viewer: Viewer<NewsState>,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    submit_article(viewer, slug, None, multipart).await
}

async fn save_article(
    viewer: Viewer<NewsState>,
    Path((slug, id)): Path<(String, i64)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    submit_article(viewer, slug, Some(id), multipart).await
}

/// The field an error of the article form belongs to.
fn field_of(e: &ApiError) -> &'static str {
    match e {
        ApiError::Invalid(i) => match i.field() {
            Some("title") => "title",
            Some("summary") => "summary",
            Some("state") => "state",
            _ => "body",
        },
        ApiError::BadField { field: "publish_at", .. } => "publish_at",
        ApiError::UploadTooLarge { .. } | ApiError::UploadRejected(_) => "cover",
        _ => "body",
    }
}

async fn submit_article(
    viewer: Viewer<NewsState>,
    slug: String,
    id: Option<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match read_article_form(multipart).await {
        Ok(f) => f,
        Err(e) => return viewer.fail(e),
    };
    let account = match console_form(
        &viewer,
        &slug,
        form.csrf.as_deref(),
        Action::PublishNews,
        "tin",
    )
    .await
    {
        Ok(a) => a,
        Err(r) => return r,
    };
    let existing = match id {
        Some(id) => match own_article(&viewer, &account, id).await {
            Ok(a) => Some(a),
            Err(e) => return viewer.fail(e),
        },
        None => None,
    };
    let action = match &existing {
        Some(a) => format!("/console/a/{}/tin/{}", account.slug, a.id.0),
        None => format!("/console/a/{}/tin/moi", account.slug),
    };
    let now = Timestamp::now();
    let state = match form.state.parse::<ArticleState>() {
        Ok(s) => s,
        Err(_) if form.state.is_empty() => ArticleState::Draft,
        Err(e) => {
            let e = ApiError::from(e);
            let errors = vec![FormError { field: "state", message: viewer.message(&e) }];
            let page = editor(&viewer, &account, action, &form, existing.as_ref(), errors, None);
            return viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let checked =
        draft_of(&form.title, &form.summary, &form.body, state, Some(&form.publish_at), now);
    let mut draft = match checked {
        Ok(d) => d,
        Err(e) => {
            let errors = vec![FormError { field: field_of(&e), message: viewer.message(&e) }];
            let page = editor(&viewer, &account, action, &form, existing.as_ref(), errors, None);
            return viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if form.action == "preview" {
        let preview = Some(draft.body_html.clone());
        let page = editor(&viewer, &account, action, &form, existing.as_ref(), Vec::new(), preview);
        return viewer.render(StatusCode::OK, &page);
    }
    if let Some((declared, bytes)) = &form.cover {
        match store_cover(&viewer, declared, bytes).await {
            Ok(cover) => draft.cover = Some(cover),
            Err(e) => {
                let errors = vec![FormError { field: "cover", message: viewer.message(&e) }];
                let page =
                    editor(&viewer, &account, action, &form, existing.as_ref(), errors, None);
                return viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    }
    let author = match &viewer.caller {
        Caller::Staff { staff, .. } => Some(staff.id),
        _ => None,
    };
    let saved = match &existing {
        Some(a) => viewer.state.store.update_article(a.id, &draft, now).await,
        None => {
            let slug = ketnoi_core::news::article_slug(&draft.title);
            viewer.state.store.create_article(account.id, &slug, &draft, author, now).await
        }
    };
    match saved {
        Ok(article) => {
            viewer.state.news.forget_article(&account, &article);
            Redirect::to(&format!("/console/a/{}/tin?done=saved", account.slug)).into_response()
        }
        Err(e) => viewer.fail(e.into()),
    }
}

/// Cleans and keeps a cover picture: pictures only, metadata stripped.
async fn store_cover(
    viewer: &Viewer<NewsState>,
    declared: &str,
    bytes: &[u8],
) -> Result<(String, String), ApiError> {
    let (sniffed, cleaned) = crate::kernel::media::clean(declared, bytes, MAX_COVER)?;
    if sniffed.kind != ketnoi_media::Kind::Image {
        return Err(ApiError::UploadRejected("upload-not-image"));
    }
    let key = crate::kernel::http::hex(&rand::random::<[u8; 16]>());
    viewer.state.blobs.put(&key, &cleaned).await?;
    Ok((key, sniffed.media_type.to_owned()))
}
