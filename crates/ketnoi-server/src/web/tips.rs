//! Tip pages: the citizen's form and receipt follow-up, and the unit's inbox, tip and keys in the
//! console.
//!
//! With JavaScript and WebCrypto, `tips.js` seals in the browser and talks to the API; these
//! handlers then only draw the pages. Without them, the form and the follow-up post here and
//! the server seals or opens in memory ([`crate::tips::seal_on_server`]). Those posts never look
//! at a cookie unless the citizen chose to be identified: the page they answer with is drawn for
//! nobody in particular, in the language the form carried.

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, Query, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{Account, Agency, Timestamp, TipCategory, TipStatus};
use ketnoi_seal::Mode;

use super::{Layout, PageForm, Viewer, Who, assets};
use crate::{
    AppState,
    auth::Caller,
    error::ApiError,
    i18n::Lang,
    routes::{ClientIp, tips as api},
    tips::{self, Clear, PlainFile, PlainTip, wire},
};

pub(super) fn router(max_upload: usize) -> Router<AppState> {
    let limit = tips::MAX_ATTACHMENTS * max_upload + 1024 * 1024;
    Router::new()
        .route("/a/{slug}/tin-bao", get(form).post(fallback).layer(DefaultBodyLimit::max(limit)))
        .route("/tin-bao/theo-doi", get(follow).post(follow_posted))
        .route("/console/don-vi/{code}/tin-bao", get(inbox))
        .route("/console/don-vi/{code}/tin-bao/{id}", get(tip_page))
        .route("/console/don-vi/{code}/tin-bao/{id}/trang-thai", post(set_status))
        .route("/console/don-vi/{code}/khoa-tin-bao", get(keys_page))
        .route("/console/don-vi/{code}/khoa-tin-bao/cai-dat", post(save_settings))
}

/// The address of a unit's tips inbox.
pub(crate) fn inbox_path(code: &str) -> String {
    format!("/console/don-vi/{code}/tin-bao")
}

/// A choice in a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The label of a category, in the page's language.
fn category_label(t: &super::Tr, category: &str) -> String {
    t.get(&format!("tip-category-{category}"))
}

// ---------------------------------------------------------------------------------------------
// The citizen's form.

#[derive(Template)]
#[template(path = "tip_form.html")]
struct FormPage {
    l: Layout,
    seal_js: String,
    tips_js: String,
    account_name: String,
    account_href: String,
    slug: String,
    action: String,
    errors: Vec<super::lookup::Summary>,
    categories: Vec<Choice>,
    areas: Vec<Choice>,
    occurred_date: String,
    occurred_time: String,
    description: String,
    place: String,
    files_hint: String,
    identified: bool,
    citizen: bool,
    /// Said at the top when no unit that would receive a tip from here holds a key yet.
    closed: Option<String>,
    err_category: Option<String>,
    err_area: Option<String>,
    err_occurred: Option<String>,
    err_description: Option<String>,
    err_files: Option<String>,
}

/// What the form held, to draw it again.
#[derive(Default)]
struct Entered {
    category: String,
    area: String,
    occurred_date: String,
    occurred_time: String,
    description: String,
    place: String,
    mode: String,
    lang: String,
}

impl Entered {
    fn occurred(&self) -> String {
        match self.occurred_time.trim() {
            "" => self.occurred_date.trim().to_owned(),
            time => format!("{}T{time}", self.occurred_date.trim()),
        }
    }
}

async fn form_page(
    viewer: &Viewer,
    account: &Account,
    entered: &Entered,
    error: Option<ApiError>,
) -> Result<FormPage, ApiError> {
    let t = viewer.t();
    let places = tips::places(viewer.state.store.as_ref(), account).await?;
    let areas = places
        .into_iter()
        .map(|a| Choice {
            selected: a.code.as_str() == entered.area,
            value: a.code.to_string(),
            label: a.name,
        })
        .collect();
    let categories = TipCategory::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().to_owned(),
            label: category_label(&t, c.as_str()),
            selected: c.as_str() == entered.category,
        })
        .collect();
    let mb = (viewer.state.config.max_upload_bytes / (1024 * 1024)) as i64;
    let mut page = FormPage {
        l: viewer.layout(error.is_some()),
        seal_js: assets::seal_js_url(),
        tips_js: assets::tips_js_url(),
        account_name: account.display_name.clone(),
        account_href: format!("/a/{}", account.slug),
        slug: account.slug.to_string(),
        action: format!("/a/{}/tin-bao", account.slug),
        errors: Vec::new(),
        categories,
        areas,
        occurred_date: entered.occurred_date.clone(),
        occurred_time: entered.occurred_time.clone(),
        description: entered.description.clone(),
        place: entered.place.clone(),
        files_hint: t.count("tip-files-hint", mb),
        identified: entered.mode == "identified",
        citizen: matches!(viewer.caller, Caller::Citizen { .. }),
        closed: None,
        err_category: None,
        err_area: None,
        err_occurred: None,
        err_description: None,
        err_files: None,
    };
    if let Some(e) = error {
        let message = viewer.message(&e);
        let field = match &e {
            ApiError::BadTip { field, .. } => *field,
            ApiError::UploadTooLarge { .. } | ApiError::PayloadTooLarge => "attachment",
            _ => "description",
        };
        let (slot, id) = match field {
            "category" => (&mut page.err_category, "category"),
            "area" => (&mut page.err_area, "area"),
            "occurred" => (&mut page.err_occurred, "occurred-date"),
            "attachment" => (&mut page.err_files, "attachment"),
            _ => (&mut page.err_description, "description"),
        };
        *slot = Some(message.clone());
        page.errors.push(super::lookup::Summary { field: id.to_owned(), message });
    }
    Ok(page)
}

/// `GET /a/{slug}/tin-bao`: the form.
async fn form(viewer: Viewer, Path(slug): Path<String>) -> Response {
    let account = match tips::police_account(&viewer.state, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let entered =
        Entered { occurred_date: today(), mode: "anonymous".into(), ..Entered::default() };
    let page = async {
        let mut page = form_page(&viewer, &account, &entered, None).await?;
        let store = viewer.state.store.as_ref();
        let agency = store.agency(account.agency).await?.ok_or(ApiError::NotFound("agency"))?;
        if let Err(ApiError::TipsClosed) = tips::recipients(store, &account, &agency.area).await {
            page.closed = Some(viewer.message(&ApiError::TipsClosed));
        }
        Ok::<_, ApiError>(page)
    };
    match page.await {
        Ok(page) => no_store(viewer.render(StatusCode::OK, &page)),
        Err(e) => viewer.fail(e),
    }
}

/// Today in Vietnam, `YYYY-MM-DD`, the form's default for when it happened.
fn today() -> String {
    Timestamp::now()
        .in_vietnam()
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page drawn for nobody in particular: no session looked up, whatever cookie came. A post
/// is drawn in the language its form carried (else the browser's); a page that is only read
/// keeps the visitor's language choice, which says nothing about who they are.
fn anonymous_viewer(state: &AppState, parts: &Parts, lang: &str) -> Viewer {
    let chosen = if parts.method == axum::http::Method::GET {
        super::request_lang(&parts.headers)
    } else {
        let mut bare = parts.headers.clone();
        bare.remove(header::COOKIE);
        super::request_lang(&bare)
    };
    let mut headers = parts.headers.clone();
    headers.remove(header::COOKIE);
    headers.remove(header::AUTHORIZATION);
    Viewer::for_nobody(state.clone(), Lang::from_tag(lang).unwrap_or(chosen), parts, headers)
}

#[derive(Template)]
#[template(path = "tip_sent.html")]
struct SentPage {
    l: Layout,
    units: String,
    code: String,
}

/// `POST /a/{slug}/tin-bao`: the form, without JavaScript or WebCrypto. The server seals it in
/// memory and shows the receipt code once.
async fn fallback(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let request = axum::extract::Request::from_parts(parts.clone(), body);
    let multipart = Multipart::from_request(request, &state).await;
    let nobody = anonymous_viewer(&state, &parts, "");
    let mut form = match multipart {
        Ok(m) => m,
        Err(e) => return nobody.fail(ApiError::Malformed(e.body_text())),
    };
    let account = match tips::police_account(&state, &slug).await {
        Ok(a) => a,
        Err(e) => return nobody.fail(e),
    };
    // The allowance is taken before megabytes of plaintext are read into memory.
    if let Err(e) = state.tip_guard.submission(ip) {
        return nobody.fail(e);
    }
    let (entered, files) = match read_form(&mut form, state.config.max_upload_bytes).await {
        Ok(read) => read,
        Err(e) => return nobody.fail(e),
    };
    let mut viewer = anonymous_viewer(&state, &parts, &entered.lang);
    let identified = entered.mode == Mode::Identified.as_str();
    let citizen = if identified {
        // Only for a tip the citizen chose to sign: the session, and the origin check that
        // stands for a form token (which an anonymous form must not carry).
        if crate::auth::cross_site(&parts.method, &parts.headers) {
            return viewer.fail(ApiError::CsrfRejected);
        }
        match Caller::from_request_parts(&mut parts, &state).await {
            Ok(caller @ Caller::Citizen { .. }) => {
                let id = caller.citizen().map(|c| c.id).ok();
                viewer.caller = caller;
                id
            }
            // The session ended while the form was open: say so, keeping what was typed.
            _ => {
                let error = ApiError::BadTip { code: "tip-identify-sign-in", field: "mode" };
                return match form_page(&viewer, &account, &entered, Some(error)).await {
                    Ok(page) => no_store(viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page)),
                    Err(e) => viewer.fail(e),
                };
            }
        }
    } else {
        None
    };
    match send_fallback(&state, &account, &entered, files, citizen).await {
        Ok((code, units)) => {
            let t = viewer.t();
            let page = SentPage {
                l: viewer.layout(false),
                units: t.with("tip-sent-units", "units", &units.join(", ")),
                code,
            };
            no_store(viewer.render(StatusCode::CREATED, &page))
        }
        Err(e) => {
            let status = e.problem().status;
            match form_page(&viewer, &account, &entered, Some(e)).await {
                Ok(page) => no_store(viewer.render(status, &page)),
                Err(e) => viewer.fail(e),
            }
        }
    }
}

async fn send_fallback(
    state: &AppState,
    account: &Account,
    entered: &Entered,
    files: Vec<PlainFile>,
    citizen: Option<ketnoi_core::CitizenId>,
) -> Result<(String, Vec<String>), ApiError> {
    let mode = if entered.mode == "identified" { Mode::Identified } else { Mode::Anonymous };
    let clear = Clear {
        account: account.slug.to_string(),
        category: entered.category.clone(),
        area: entered.area.clone(),
        occurred: entered.occurred(),
        mode,
    };
    tips::check_clear(account, &clear)?;
    let description = ketnoi_text::nfc(entered.description.trim());
    if description.is_empty() {
        return Err(ApiError::BadTip { code: "tip-no-description", field: "description" });
    }
    if description.chars().count() > tips::MAX_DESCRIPTION {
        return Err(ApiError::BadTip { code: "tip-description-too-long", field: "description" });
    }
    let area = ketnoi_core::AreaCode::parse(&clear.area)?;
    let units = tips::recipients(state.store.as_ref(), account, &area).await?;
    let plain =
        PlainTip { clear, description, place: ketnoi_text::nfc(entered.place.trim()), files };
    let (sealed, code) = tips::seal_on_server(plain, &units).await?;
    tips::accept(state, account, &units, sealed, citizen).await?;
    Ok((code, units.into_iter().map(|r| r.unit.name).collect()))
}

/// Reads the posted form into memory; files over the limit, or too many, are refused.
async fn read_form(
    form: &mut Multipart,
    max: usize,
) -> Result<(Entered, Vec<PlainFile>), ApiError> {
    let mut e = Entered::default();
    let mut files = Vec::new();
    let malformed = |err: axum::extract::multipart::MultipartError| {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge { max_bytes: max }
        } else {
            ApiError::Malformed(err.body_text())
        }
    };
    while let Some(field) = form.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "attachment" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let content_type =
                field.content_type().unwrap_or("application/octet-stream").to_owned();
            let bytes = field.bytes().await.map_err(malformed)?;
            // An empty file input posts one nameless, empty part.
            if bytes.is_empty() && file_name.is_empty() {
                continue;
            }
            if files.len() == tips::MAX_ATTACHMENTS {
                return Err(ApiError::BadTip { code: "tip-too-many-files", field: "attachment" });
            }
            if bytes.len() > max {
                return Err(ApiError::UploadTooLarge { max_bytes: max });
            }
            files.push(PlainFile {
                name: ketnoi_text::nfc(&file_name),
                content_type,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let value = field.text().await.map_err(malformed)?;
        match name.as_str() {
            "category" => e.category = value,
            "area" => e.area = value,
            "occurred_date" => e.occurred_date = value,
            "occurred_time" => e.occurred_time = value,
            "description" => e.description = value,
            "place" => e.place = value,
            "mode" => e.mode = value,
            "lang" => e.lang = value,
            _ => {}
        }
    }
    Ok((e, files))
}

// ---------------------------------------------------------------------------------------------
// Following a tip by receipt code.

/// A message as the follow-up page shows it.
pub(crate) struct ShownMessage {
    class: &'static str,
    who: String,
    at: String,
    text: String,
}

#[derive(Template)]
#[template(path = "tip_receipt.html")]
struct FollowPage {
    l: Layout,
    seal_js: String,
    tips_js: String,
    code: String,
    error: Option<String>,
    status: Option<String>,
    messages: Vec<ShownMessage>,
    status_new: String,
    status_handled: String,
}

fn follow_page(viewer: &Viewer) -> FollowPage {
    let t = viewer.t();
    let line =
        |s: TipStatus| t.with("tip-status-line", "status", &t.get(&format!("tip-status-{s}")));
    FollowPage {
        status_new: line(TipStatus::New),
        status_handled: line(TipStatus::Handled),
        l: viewer.layout(false),
        seal_js: assets::seal_js_url(),
        tips_js: assets::tips_js_url(),
        code: String::new(),
        error: None,
        status: None,
        messages: Vec::new(),
    }
}

/// `GET /tin-bao/theo-doi`.
async fn follow(State(state): State<AppState>, parts: Parts) -> Response {
    let viewer = anonymous_viewer(&state, &parts, "");
    no_store(viewer.render(StatusCode::OK, &follow_page(&viewer)))
}

/// The follow-up form: no `Debug`, so that a code or a message can never be printed by
/// accident.
#[derive(serde::Deserialize)]
struct FollowForm {
    code: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    lang: String,
}

/// `POST /tin-bao/theo-doi`: without JavaScript, the server derives the receipt's values from
/// the code in memory, shows the status and the messages opened, and adds a message if one was
/// written.
async fn follow_posted(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    parts: Parts,
    body: axum::body::Bytes,
) -> Response {
    let nobody = anonymous_viewer(&state, &parts, "");
    let Ok(f) = serde_urlencoded::from_bytes::<FollowForm>(&body) else {
        return nobody.fail(ApiError::Malformed("form".into()));
    };
    let viewer = anonymous_viewer(&state, &parts, &f.lang);
    if let Err(e) = viewer.check_origin() {
        return viewer.fail(e);
    }
    let mut page = follow_page(&viewer);
    page.code = f.code.trim().to_owned();
    match follow_now(&state, &viewer, ip, &f).await {
        Ok((status, messages)) => {
            page.status = Some(status);
            page.messages = messages;
            no_store(viewer.render(StatusCode::OK, &page))
        }
        Err(e) => {
            let status = e.problem().status;
            page.error = Some(viewer.message(&e));
            page.l = viewer.layout(true);
            let mut response = no_store(viewer.render(status, &page));
            if let ApiError::TooManyRequests { retry_after } = e
                && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

async fn follow_now(
    state: &AppState,
    viewer: &Viewer,
    ip: std::net::IpAddr,
    f: &FollowForm,
) -> Result<(String, Vec<ShownMessage>), ApiError> {
    let t = viewer.t();
    let Ok(receipt) = ketnoi_seal::receipt::derive(&f.code) else {
        // A code that cannot be one still costs a try.
        state.tip_guard.receipt_try(ip)?;
        return Err(ApiError::BadTip { code: "tip-bad-code", field: "code" });
    };
    let proof = wire::ReceiptProof { lookup: receipt.lookup.clone(), auth: receipt.auth.clone() };
    let tip = api::open_receipt(state, ip, &proof).await.map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::BadTip { code: "tip-wrong-code", field: "code" },
        other => other,
    })?;
    let text = ketnoi_text::nfc(f.text.trim());
    if !text.is_empty() {
        if text.chars().count() > 4000 {
            return Err(ApiError::BadTip { code: "tip-message-too-long", field: "text" });
        }
        let sealed =
            ketnoi_seal::seal_message(&receipt.reply_key, ketnoi_seal::Author::Reporter, &text)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("sealing: {e}")))?;
        let sealed = serde_json::to_string(&sealed).map_err(|e| ApiError::Internal(e.into()))?;
        state.store.add_tip_message(tip.summary.id, false, None, &sealed, Timestamp::now()).await?;
    }
    let messages = state.store.tip_messages(tip.summary.id).await?;
    let shown = messages
        .iter()
        .map(|m| {
            let author =
                if m.from_unit { ketnoi_seal::Author::Unit } else { ketnoi_seal::Author::Reporter };
            let text = serde_json::from_str(&m.sealed)
                .ok()
                .and_then(|s| ketnoi_seal::open_message(&receipt.reply_key, author, &s).ok())
                .unwrap_or_else(|| t.get("tip-message-unreadable"));
            ShownMessage {
                class: if m.from_unit { "theirs" } else { "mine" },
                who: t.get(if m.from_unit { "tip-from-unit" } else { "tip-from-you" }),
                at: m.created_at.display_vn(),
                text,
            }
        })
        .collect();
    let status =
        t.with("tip-status-line", "status", &t.get(&format!("tip-status-{}", tip.summary.status)));
    Ok((status, shown))
}

// ---------------------------------------------------------------------------------------------
// The unit's console.

/// The unit at `code` for a console page: sign-in for nobody, 403 for anyone who does not
/// handle its tips.
async fn unit_page(viewer: &Viewer, code: &str) -> Result<Agency, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(viewer.to_sign_in(true));
    }
    api::unit_for(&viewer.state, &viewer.caller, code).await.map_err(|e| viewer.fail(e))
}

struct Tab {
    href: String,
    label: String,
    current: bool,
}

struct InboxRow {
    id: i64,
    href: String,
    category: String,
    area: String,
    occurred: String,
    received: String,
    status: String,
    anonymous: bool,
}

#[derive(Template)]
#[template(path = "tips_inbox.html")]
struct InboxPage {
    l: Layout,
    unit_name: String,
    keys_href: String,
    has_key: bool,
    tabs: Vec<Tab>,
    rows: Vec<InboxRow>,
    more_href: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct InboxParams {
    status: Option<String>,
    before: Option<i64>,
}

/// How many tips a page of the inbox lists.
const PAGE: i64 = 50;

/// `GET /console/don-vi/{code}/tin-bao?status=&before=`.
async fn inbox(viewer: Viewer, Path(code): Path<String>, Query(q): Query<InboxParams>) -> Response {
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let t = viewer.t();
    let status = match q.status.as_deref() {
        None | Some("") => Some(TipStatus::New),
        Some("all") => None,
        Some(s) => match s.parse::<TipStatus>() {
            Ok(s) => Some(s),
            Err(e) => return viewer.fail(e.into()),
        },
    };
    let store = &viewer.state.store;
    let found = store.tips_for_unit(unit.id, status, q.before.map(ketnoi_store::TipId), PAGE).await;
    let has_key = store.current_unit_key(unit.id).await;
    let (found, has_key) = match (found, has_key) {
        (Ok(f), Ok(k)) => (f, k.is_some()),
        (Err(e), _) | (_, Err(e)) => return viewer.fail(e.into()),
    };
    let base = inbox_path(unit.code.as_str());
    let filter = status.map_or("all", TipStatus::as_str);
    let tabs = [("new", "tips-tab-new"), ("handled", "tips-tab-handled"), ("all", "tips-tab-all")]
        .into_iter()
        .map(|(value, key)| Tab {
            href: format!("{base}?status={value}"),
            label: t.get(key),
            current: value == filter,
        })
        .collect();
    let more_href = (found.len() as i64 == PAGE)
        .then(|| found.last().map(|s| format!("{base}?status={filter}&before={}", s.id.0)))
        .flatten();
    let mut rows = Vec::with_capacity(found.len());
    let mut names = std::collections::HashMap::new();
    for s in &found {
        if !names.contains_key(&s.area) {
            names.insert(s.area.clone(), area_name(&viewer.state, &s.area).await);
        }
        rows.push(InboxRow {
            id: s.id.0,
            href: format!("{base}/{}", s.id.0),
            category: category_label(&t, &s.category),
            area: names.get(&s.area).cloned().unwrap_or_default(),
            occurred: s.occurred.replace('T', " "),
            received: s.created_at.display_vn(),
            status: t.get(&format!("tip-status-{}", s.status)),
            anonymous: s.anonymous,
        });
    }
    let page = InboxPage {
        l: viewer.layout(false),
        unit_name: unit.name.clone(),
        keys_href: format!("/console/don-vi/{}/khoa-tin-bao", unit.code),
        has_key,
        tabs,
        rows,
        more_href,
    };
    no_store(viewer.render(StatusCode::OK, &page))
}

async fn area_name(state: &AppState, code: &ketnoi_core::AreaCode) -> String {
    match state.store.area(code).await {
        Ok(Some(a)) => a.name,
        _ => code.to_string(),
    }
}

#[derive(Template)]
#[template(path = "tip_view.html")]
struct TipPage {
    l: Layout,
    seal_js: String,
    tips_js: String,
    id: i64,
    unit_name: String,
    unit_code: String,
    me: i64,
    inbox_href: String,
    category: String,
    area: String,
    occurred: String,
    received: String,
    status: String,
    reporter: String,
    status_action: String,
    next_status: String,
    next_status_label: String,
    export_href: String,
}

/// `GET /console/don-vi/{code}/tin-bao/{id}`: the clear fields; the rest opens in the browser.
async fn tip_page(viewer: Viewer, Path((code, id)): Path<(String, i64)>) -> Response {
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let tip = match api::unit_tip(&viewer.state, &unit, id).await {
        Ok(t) => t,
        Err(e) => return viewer.fail(e),
    };
    let t = viewer.t();
    let s = &tip.summary;
    let reporter = match tip.citizen {
        None => t.get("tip-mode-anonymous"),
        Some(c) => match viewer.state.store.citizen(c).await {
            Ok(Some(c)) => t.with(
                "tip-reporter",
                "who",
                &match &c.display_name {
                    Some(n) => format!("{n} · {}", c.phone.national()),
                    None => c.phone.national(),
                },
            ),
            _ => t.get("tip-mode-identified"),
        },
    };
    let (next, label) = match s.status {
        TipStatus::New => (TipStatus::Handled, "tips-mark-handled"),
        TipStatus::Handled => (TipStatus::New, "tips-mark-new"),
    };
    let base = inbox_path(unit.code.as_str());
    let me = match &viewer.caller {
        Caller::Staff { staff, .. } => staff.id.0,
        _ => 0,
    };
    let page = TipPage {
        l: viewer.layout(false),
        seal_js: assets::seal_js_url(),
        tips_js: assets::tips_js_url(),
        id,
        unit_name: unit.name.clone(),
        unit_code: unit.code.to_string(),
        me,
        inbox_href: base.clone(),
        category: category_label(&t, &s.category),
        area: area_name(&viewer.state, &s.area).await,
        occurred: s.occurred.replace('T', " "),
        received: s.created_at.display_vn(),
        status: t.get(&format!("tip-status-{}", s.status)),
        reporter,
        status_action: format!("{base}/{id}/trang-thai"),
        next_status: next.as_str().to_owned(),
        next_status_label: t.get(label),
        export_href: format!("/api/v1/units/{}/tips/{id}/export", unit.code),
    };
    no_store(viewer.render(StatusCode::OK, &page))
}

#[derive(Debug, serde::Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: Option<String>,
    status: String,
}

/// `POST …/tin-bao/{id}/trang-thai`: marks a tip handled (or new again); works without
/// JavaScript.
async fn set_status(
    viewer: Viewer,
    Path((code, id)): Path<(String, i64)>,
    PageForm(f): PageForm<StatusForm>,
) -> Response {
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let done = async {
        let tip = api::unit_tip(&viewer.state, &unit, id).await?;
        let status: TipStatus = f.status.parse()?;
        viewer.state.store.set_tip_status(tip.summary.id, status, Timestamp::now()).await?;
        Ok::<_, ApiError>(())
    };
    match done.await {
        Ok(()) => Redirect::to(&format!("{}/{id}", inbox_path(unit.code.as_str()))).into_response(),
        Err(e) => viewer.fail(e),
    }
}

struct KeyRow {
    kid: String,
    state: String,
}

struct OfficerRow {
    staff: i64,
    name: String,
    /// Their personal key's id, to compare in person before giving them the unit key.
    kid: String,
    state: String,
    can_grant: bool,
    can_revoke: bool,
}

#[derive(Template)]
#[template(path = "tip_keys.html")]
struct KeysPage {
    l: Layout,
    seal_js: String,
    tips_js: String,
    unit_name: String,
    unit_code: String,
    me: i64,
    inbox_href: String,
    notice: Option<String>,
    my_key_state: String,
    my_key_action: String,
    keys: Vec<KeyRow>,
    has_key: bool,
    officers: Vec<OfficerRow>,
    settings_action: String,
    copy_parent: bool,
}

#[derive(Debug, serde::Deserialize)]
struct KeysParams {
    saved: Option<String>,
    revoked: Option<String>,
}

/// `GET /console/don-vi/{code}/khoa-tin-bao`: keys, holders and settings. Making, granting,
/// revoking and rotating keys happen in the browser (`tips.js`).
async fn keys_page(
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<KeysParams>,
) -> Response {
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Caller::Staff { staff, .. } = &viewer.caller else {
        return viewer.fail(ApiError::Forbidden);
    };
    let me = staff.id;
    let view = match api::keys_view(&viewer.state, &unit, me).await {
        Ok(v) => v,
        Err(e) => return viewer.fail(e),
    };
    let t = viewer.t();
    let current = view.current();
    let keys = view
        .keys
        .iter()
        .map(|k| KeyRow {
            kid: k.kid.clone(),
            state: t.get(if k.retired_at.is_none() {
                "tips-key-current"
            } else {
                "tips-key-retired"
            }),
        })
        .collect();
    let i_hold = !view.me.copies.is_empty();
    let officers = view
        .officers
        .iter()
        .map(|o| {
            let holds_current = current.is_some_and(|c| o.holds.iter().any(|k| k == c));
            let state = if o.former {
                t.get("tips-officer-former")
            } else if holds_current {
                t.get("tips-officer-holds")
            } else if o.kid.is_some() {
                t.get("tips-officer-ready")
            } else {
                t.get("tips-officer-no-key")
            };
            OfficerRow {
                staff: o.staff,
                name: o.name.clone(),
                kid: o.kid.clone().unwrap_or_default(),
                state,
                can_grant: i_hold && o.kid.is_some() && !holds_current,
                can_revoke: !o.holds.is_empty() && o.staff != me.0,
            }
        })
        .collect();
    let my_kid = view.me.key.as_ref().and_then(|k| k["kid"].as_str());
    let page = KeysPage {
        l: viewer.layout(false),
        seal_js: assets::seal_js_url(),
        tips_js: assets::tips_js_url(),
        unit_name: unit.name.clone(),
        unit_code: unit.code.to_string(),
        me: me.0,
        inbox_href: inbox_path(unit.code.as_str()),
        notice: match (q.saved, q.revoked) {
            (Some(_), _) => Some(t.get("tips-settings-saved")),
            (_, Some(_)) => Some(t.get("tips-revoked-rotate")),
            _ => None,
        },
        my_key_state: match my_kid {
            Some(kid) => t.with("tips-my-key-yes", "kid", kid),
            None => t.get("tips-my-key-no"),
        },
        my_key_action: t.get(if my_kid.is_some() {
            "tips-my-key-replace"
        } else {
            "tips-my-key-create"
        }),
        has_key: current.is_some(),
        keys,
        officers,
        settings_action: format!("/console/don-vi/{}/khoa-tin-bao/cai-dat", unit.code),
        copy_parent: view.settings.copy_parent,
    };
    no_store(viewer.render(StatusCode::OK, &page))
}

#[derive(Debug, serde::Deserialize)]
struct SettingsForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    copy_parent: Option<String>,
}

/// `POST …/khoa-tin-bao/cai-dat`: whether the unit above receives a copy.
async fn save_settings(
    viewer: Viewer,
    Path(code): Path<String>,
    PageForm(f): PageForm<SettingsForm>,
) -> Response {
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let settings =
        ketnoi_store::TipSettings { agency: unit.id, copy_parent: f.copy_parent.is_some() };
    let me = match &viewer.caller {
        Caller::Staff { staff, .. } => staff.id,
        _ => return viewer.fail(ApiError::Forbidden),
    };
    if let Err(e) = api::require_holder(&viewer.state, &unit, me).await {
        return viewer.fail(e);
    }
    match viewer.state.store.set_tip_settings(&settings).await {
        Ok(()) => Redirect::to(&format!("/console/don-vi/{}/khoa-tin-bao?saved=1", unit.code))
            .into_response(),
        Err(e) => viewer.fail(e.into()),
    }
}

/// The units whose tips the member handles, each with its count of new tips: the console's
/// notice, which names the unit and never a tip's content.
pub(crate) async fn units_for_console(
    viewer: &Viewer,
) -> Result<Vec<(String, String, i64)>, ApiError> {
    let Caller::Staff { grants, .. } = &viewer.caller else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for g in grants {
        let Some(unit) = viewer.state.store.agency(g.agency).await? else { continue };
        if unit.kind != ketnoi_core::AgencyKind::Police {
            continue;
        }
        let ancestry = viewer.state.store.agency_ancestry(unit.id).await?;
        if !viewer.caller.may(ketnoi_core::Action::HandleTips, Some(&ancestry)) {
            continue;
        }
        let new = viewer.state.store.count_new_tips(unit.id).await?;
        out.push((unit.code.to_string(), unit.name, new));
    }
    Ok(out)
}
