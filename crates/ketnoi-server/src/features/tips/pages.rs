//! Tip pages for citizens: the form and the follow-up by receipt code. The unit's pages are in
//! [`super::unit_pages`].
//!
//! With JavaScript and WebCrypto, `tips.js` seals in the browser and talks to the API; these
//! handlers then only draw the pages. Without them, the form and the follow-up post here and
//! the server seals or opens in memory ([`super::service::seal_on_server`]). Those posts
//! never look at a cookie unless the citizen chose to be identified: the page they answer with is drawn for
//! nobody in particular, in the language the form carried.

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::Response,
    routing::get,
};
use ketnoi_core::{Account, Timestamp, TipCategory, TipStatus};
use ketnoi_seal::Mode;

use crate::{
    features::tips::{
        api,
        service::{self as tips, Clear, PlainFile, PlainTip, TipsState},
        wire,
    },
    kernel::{
        auth::Caller,
        client_ip::ClientIp,
        error::ApiError,
        i18n::Lang,
        pages::{Layout, Viewer, Who, assets},
    },
};

pub(crate) fn router(max_upload: usize) -> Router<TipsState> {
    let limit = tips::MAX_ATTACHMENTS * max_upload + 1024 * 1024;
    Router::new()
        .route("/a/{slug}/tin-bao", get(form).post(fallback).layer(DefaultBodyLimit::max(limit)))
        .route("/tin-bao/theo-doi", get(follow).post(follow_posted))
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
pub(crate) fn category_label(t: &crate::kernel::pages::Tr, category: &str) -> String {
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
    errors: Vec<crate::kernel::pages::forms::Summary>,
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
    viewer: &Viewer<TipsState>,
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
        page.errors.push(crate::kernel::pages::forms::Summary { field: id.to_owned(), message });
    }
    Ok(page)
}

/// `GET /a/{slug}/tin-bao`: the form.
async fn form(viewer: Viewer<TipsState>, Path(slug): Path<String>) -> Response {
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

pub(crate) fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page drawn for nobody in particular: no session looked up, whatever cookie came. A post
/// is drawn in the language its form carried (else the browser's); a page that is only read
/// keeps the visitor's language choice, which says nothing about who they are.
fn anonymous_viewer(state: &TipsState, parts: &Parts, lang: &str) -> Viewer<TipsState> {
    let chosen = if parts.method == axum::http::Method::GET {
        crate::kernel::i18n::request_lang(&parts.headers)
    } else {
        let mut bare = parts.headers.clone();
        bare.remove(header::COOKIE);
        crate::kernel::i18n::request_lang(&bare)
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
    State(state): State<TipsState>,
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
    if let Err(e) = state.guard.submission(ip) {
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
        if crate::kernel::http::cross_site(&parts.method, &parts.headers) {
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
    state: &TipsState,
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
    case: Option<ShownCase>,
    messages: Vec<ShownMessage>,
    /// What the page's script needs to show a case in the page's language: each status's
    /// line, each closing reason, and the history's sentences with `{…}` to fill in.
    labels: Vec<(String, String)>,
}

/// Where a case stands, as its reporter sees it.
pub(crate) struct ShownCase {
    deadline: String,
    overdue: bool,
    closing: Option<String>,
    history: Vec<(String, String)>,
}

/// A step of the case for its reporter, in the page's language.
fn reporter_line(
    t: &crate::kernel::pages::Tr,
    e: &crate::features::tips::case::ReporterEvent,
) -> String {
    use ketnoi_store::TipEventKind as K;
    match e.kind {
        K::Status => {
            let status = e.status.as_deref().unwrap_or_default();
            let line =
                t.with("tip-event-status", "status", &t.get(&format!("tip-status-{status}")));
            match &e.closing {
                Some(c) => format!("{line} — {}", t.get(&format!("tip-closing-{c}"))),
                None => line,
            }
        }
        K::ExtensionApproved => t.with(
            "tip-event-extension-approved",
            "deadline",
            &e.deadline_at
                .as_deref()
                .and_then(Timestamp::parse_moment)
                .map_or_else(String::new, Timestamp::display_vn),
        ),
        K::Transferred => {
            t.with("tip-event-moved", "unit", e.to_unit.as_deref().unwrap_or_default())
        }
        _ => String::new(),
    }
}

fn follow_page(viewer: &Viewer<TipsState>) -> FollowPage {
    let t = viewer.t();
    let mut labels: Vec<(String, String)> = TipStatus::ALL
        .iter()
        .map(|s| {
            let line = t.with("tip-status-line", "status", &t.get(&format!("tip-status-{s}")));
            (format!("status-{s}"), line)
        })
        .collect();
    labels.extend(
        ketnoi_core::TipClosing::ALL
            .iter()
            .map(|c| (format!("closing-{c}"), t.get(&format!("tip-closing-{c}")))),
    );
    for s in TipStatus::ALL {
        labels.push((
            format!("event-status-{s}"),
            t.with("tip-event-status", "status", &t.get(&format!("tip-status-{s}"))),
        ));
    }
    labels.push((
        "event-extended".into(),
        t.with("tip-event-extension-approved", "deadline", "{deadline}"),
    ));
    labels.push(("event-moved".into(), t.with("tip-event-moved", "unit", "{unit}")));
    labels.push(("deadline".into(), t.with("tip-deadline-line", "deadline", "{deadline}")));
    labels.push(("overdue".into(), t.get("tip-overdue")));
    FollowPage {
        labels,
        l: viewer.layout(false),
        seal_js: assets::seal_js_url(),
        tips_js: assets::tips_js_url(),
        code: String::new(),
        error: None,
        status: None,
        case: None,
        messages: Vec::new(),
    }
}

/// `GET /tin-bao/theo-doi`.
async fn follow(State(state): State<TipsState>, parts: Parts) -> Response {
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
    State(state): State<TipsState>,
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
        Ok((status, case, messages)) => {
            page.status = Some(status);
            page.case = Some(case);
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
    state: &TipsState,
    viewer: &Viewer<TipsState>,
    ip: std::net::IpAddr,
    f: &FollowForm,
) -> Result<(String, ShownCase, Vec<ShownMessage>), ApiError> {
    let t = viewer.t();
    let Ok(receipt) = ketnoi_seal::receipt::derive(&f.code) else {
        // A code that cannot be one still costs a try.
        state.guard.receipt_try(ip)?;
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
    let s = &tip.summary;
    let status = t.with("tip-status-line", "status", &t.get(&format!("tip-status-{}", s.status)));
    let events = state.store.tip_events(s.id).await?;
    let history = crate::features::tips::case::reporter_events(state, &events)
        .await?
        .iter()
        .map(|e| {
            let at = Timestamp::parse_moment(&e.at).map_or_else(String::new, Timestamp::display_vn);
            (at, reporter_line(&t, e))
        })
        .collect();
    let case = ShownCase {
        deadline: t.with("tip-deadline-line", "deadline", &s.deadline_at.display_vn()),
        overdue: s.overdue(Timestamp::now()),
        closing: s.closing.map(|c| t.get(&format!("tip-closing-{c}"))),
        history,
    };
    Ok((status, case, shown))
}
