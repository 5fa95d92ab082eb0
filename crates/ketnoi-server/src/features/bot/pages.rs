//! The console pages where officers curate an account's bot: its settings and figures, a box to
//! try questions, the questions it handed off (listed by [`super::handoffs`], each turned into
//! an example or a new intent in one post by [`super::learn`]) and keyword rules. The knowledge
//! base itself (import, export, intents one by one) is in [`super::intents`], which shares this
//! page's helpers.
//!
//! Like every page, these work as plain forms: each change is a post answered with a redirect
//! back (and a short notice), and an officer's mistake re-renders the page with the message
//! beside the field, changing nothing.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use fluent_bundle::FluentValue;
use ketnoi_core::{
    Account, InvalidInput, NewKeywordRule, RuleId, RuleMatch, Timestamp, policy::Action,
};
use ketnoi_store::BotSettingsUpdate;
use serde::Deserialize;

use crate::features::bot::handoffs::{Acted, HandoffRow, handoffs};
use crate::kernel::pages::{FormError, Layout, PageForm, Viewer, Who};
use crate::{features::bot::service::BotsState, kernel::auth::Caller, kernel::error::ApiError};

/// Days of figures on the overview.
const STAT_DAYS: i64 = 7;
/// The largest knowledge-base file accepted (the default one is about 50 KB).
pub(crate) const MAX_IMPORT: usize = 8 * 1024 * 1024;

pub(crate) fn router() -> Router<BotsState> {
    Router::new()
        .route("/console/a/{slug}/bot", get(overview))
        .route("/console/a/{slug}/bot/settings", post(save_settings))
        .route("/console/a/{slug}/bot/rules", post(add_rule))
        .route("/console/a/{slug}/bot/rules/{id}/delete", post(delete_rule))
}

/// The notices a redirect may ask for with `?done=`; anything else shows nothing.
const NOTICES: &[&str] = &[
    "settings",
    "example",
    "handoff-intent",
    "dismissed",
    "rule-added",
    "rule-deleted",
    "imported",
    "intent-created",
    "intent-saved",
    "intent-deleted",
];

pub(crate) fn notice(viewer: &Viewer<BotsState>, done: Option<&str>) -> Option<String> {
    let done = done?;
    NOTICES.contains(&done).then(|| viewer.t().get(&format!("bot-done-{done}")))
}

/// Why a form post did not go through.
pub(crate) enum Fail {
    /// The officer's mistake, shown on the form.
    Form(FormError),
    /// Anything else, shown as an error page.
    Page(ApiError),
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Self::Page(e)
    }
}

impl From<ketnoi_store::StoreError> for Fail {
    fn from(e: ketnoi_store::StoreError) -> Self {
        Self::Page(e.into())
    }
}

/// The field labels used in messages about a field.
fn field_label(viewer: &Viewer<BotsState>, field: &str) -> String {
    match field {
        "topic" | "question" | "answer" | "example" | "examples" | "keyword" | "welcome"
        | "away_message" => viewer.t().get(&format!("bot-field-{field}")),
        other => other.to_owned(),
    }
}

/// A value's mistake as a form error on `field`, worded with the page's field names.
pub(crate) fn invalid(
    viewer: &Viewer<BotsState>,
    field: &'static str,
    e: &InvalidInput,
) -> FormError {
    let messages = &viewer.state.messages;
    let message = match e {
        InvalidInput::IntentId => viewer.t().get("bot-error-intent-id"),
        InvalidInput::Length { field, min, max } => messages.get(
            viewer.lang,
            "invalid-length",
            &[
                ("field", FluentValue::from(field_label(viewer, field))),
                ("min", FluentValue::from(*min as i64)),
                ("max", FluentValue::from(*max as i64)),
            ],
        ),
        InvalidInput::ControlCharacter { field } => messages.get(
            viewer.lang,
            "invalid-control-character",
            &[("field", FluentValue::from(field_label(viewer, field)))],
        ),
        other => viewer.message(&ApiError::Invalid(other.clone())),
    };
    FormError { field, message }
}

/// An intent's mistake, on the form field it is about.
pub(crate) fn intent_invalid(viewer: &Viewer<BotsState>, e: &InvalidInput) -> Fail {
    let field = match e {
        InvalidInput::IntentId => "id",
        InvalidInput::CatalogueCode => "procedure",
        InvalidInput::Length { field, .. } | InvalidInput::ControlCharacter { field } => {
            match *field {
                "topic" => "topic",
                "question" => "question",
                "answer" => "answer",
                _ => "examples",
            }
        }
        _ => "id",
    };
    Fail::Form(invalid(viewer, field, e))
}

pub(crate) fn form_error(viewer: &Viewer<BotsState>, field: &'static str, key: &str) -> Fail {
    Fail::Form(FormError { field, message: viewer.t().get(key) })
}

/// The account at `slug`, if the visitor may manage its bot.
pub(crate) async fn managed(viewer: &Viewer<BotsState>, slug: &str) -> Result<Account, ApiError> {
    crate::kernel::pages::account_for(viewer, slug, Action::ManageBot).await
}

/// Sends a signed-out visitor to staff sign-in, coming back to the bot page.
pub(crate) fn sign_in(slug: &str) -> Response {
    crate::kernel::pages::console_sign_in(slug, "bot")
}

/// What every form post checks first: a signed-in officer, the form token, the permission.
pub(crate) async fn guard(
    viewer: &Viewer<BotsState>,
    slug: &str,
    csrf: Option<&str>,
) -> Result<Account, Response> {
    crate::kernel::pages::console_form(viewer, slug, csrf, Action::ManageBot, "bot").await
}

pub(crate) fn base(account: &Account) -> String {
    format!("/console/a/{}/bot", account.slug)
}

fn percent(x: f32) -> String {
    format!("{:.0}%", f64::from(x) * 100.0)
}

// ---------------------------------------------------------------------------------------------
// The overview.

/// The calibration figures.
struct CalibrationView {
    threshold: String,
    accuracy: String,
    answered: String,
    held_out: String,
    rejected: String,
    out_of_scope: String,
}

/// One day of figures.
struct DayRow {
    day: String,
    answered: i64,
    handed_off: i64,
    helpful: i64,
    unhelpful: i64,
}

/// A keyword rule.
struct RuleRow {
    id: i64,
    keyword: String,
    matching: String,
    answer: String,
}

/// What the bot would do with a question typed in the try box.
struct Tried {
    /// `rule`, `answer`, `handoff` or `empty-kb`.
    kind: &'static str,
    /// What matched: the rule's keyword, or the intent's id and question.
    matched: String,
    answer: String,
    confidence: String,
    threshold: String,
    reason: String,
    suggestions: Vec<String>,
}

/// What the officer typed into the overview's forms, kept when one is sent back with a mistake.
#[derive(Default)]
pub(crate) struct Entered {
    settings: Option<SettingsForm>,
    rule: Option<RuleForm>,
    /// What was posted about one hand-off.
    pub(crate) handoff: Option<Acted>,
}

#[derive(Template)]
#[template(path = "bot.html")]
struct OverviewPage {
    l: Layout,
    base: String,
    account_name: String,
    inbox: String,
    notice: Option<String>,
    errors: Vec<FormError>,
    enabled: bool,
    shared: bool,
    welcome: String,
    away_message: String,
    intent_count: i64,
    calibration: Option<CalibrationView>,
    stats: Vec<DayRow>,
    q: String,
    tried: Option<Tried>,
    /// Hand-offs an officer has answered: proposed examples.
    answered: Vec<HandoffRow>,
    /// Hand-offs no officer has answered yet.
    waiting: Vec<HandoffRow>,
    rules: Vec<RuleRow>,
    rule_keyword: String,
    rule_answer: String,
    rule_exact: bool,
}

impl OverviewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// A mistake about one hand-off's field, shown on that hand-off only.
    fn error_at(&self, h: &HandoffRow, field: &str) -> Option<&str> {
        if h.acted { self.error_for(field) } else { None }
    }
}

#[derive(Debug, Default, Deserialize)]
struct OverviewParams {
    q: Option<String>,
    done: Option<String>,
}

async fn overview(
    viewer: Viewer<BotsState>,
    Path(slug): Path<String>,
    params: Result<Query<OverviewParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let account = match managed(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let notice = notice(&viewer, p.done.as_deref());
    let q = p.q.unwrap_or_default();
    match overview_page(&viewer, &account, q, Entered::default(), Vec::new()).await {
        Ok(mut page) => {
            page.notice = notice;
            viewer.render(StatusCode::OK, &page)
        }
        Err(e) => viewer.fail(e),
    }
}

async fn overview_page(
    viewer: &Viewer<BotsState>,
    account: &Account,
    q: String,
    entered: Entered,
    errors: Vec<FormError>,
) -> Result<OverviewPage, ApiError> {
    let t = viewer.t();
    let store = &viewer.state.store;
    let settings = store.bot_settings(account.id).await?;
    let intent_count = store.bot_intent_count(account.id).await?;
    let engine = viewer.state.bots.engine(account.id).await?;
    let calibration = engine.as_ref().map(|bot| {
        let c = bot.calibration();
        CalibrationView {
            threshold: format!("{:.2}", c.threshold),
            accuracy: percent(c.held_out_accuracy),
            answered: percent(c.held_out_answered),
            held_out: t.count("bot-questions", c.held_out as i64),
            rejected: percent(c.out_of_scope_rejected),
            out_of_scope: t.count("bot-questions", c.out_of_scope as i64),
        }
    });

    let today = crate::kernel::time::vietnam_day(Timestamp::now());
    let from = today - (STAT_DAYS - 1);
    let counted = store.bot_stats(account.id, from).await?;
    let stats = (from..=today)
        .rev()
        .map(|day| {
            let s = counted.iter().find(|s| s.day == day).copied().unwrap_or_default();
            // Noon of the day in UTC is the same date in Vietnam.
            let noon = Timestamp(day * 86_400_000 + 12 * 3_600_000).display_vn();
            DayRow {
                day: noon.split(' ').next().unwrap_or_default().to_owned(),
                answered: s.answered,
                handed_off: s.handed_off,
                helpful: s.helpful,
                unhelpful: s.unhelpful,
            }
        })
        .collect();

    let rules = store.bot_rules(account.id).await?;
    let tried = if q.trim().is_empty() {
        None
    } else {
        Some(try_question(viewer, engine.as_deref(), &rules, &q))
    };

    let lists = handoffs(viewer, account, engine.as_deref(), entered.handoff.as_ref()).await?;

    let rule_rows = rules
        .into_iter()
        .map(|r| RuleRow {
            id: r.id.0,
            keyword: r.keyword,
            matching: t.get(&format!("bot-rule-{}", r.matching)),
            answer: r.answer,
        })
        .collect();
    let (enabled, shared, welcome, away_message) = match entered.settings {
        Some(s) => (s.enabled.is_some(), s.shared.is_some(), s.welcome, s.away_message),
        None => (settings.enabled, settings.shared, settings.welcome, settings.away_message),
    };
    let rule = entered.rule.unwrap_or_default();
    Ok(OverviewPage {
        l: viewer.layout(!errors.is_empty()),
        base: base(account),
        account_name: account.display_name.clone(),
        inbox: format!("/console/a/{}/inbox", account.slug),
        notice: None,
        errors,
        enabled,
        shared,
        welcome,
        away_message,
        intent_count,
        calibration,
        stats,
        q,
        tried,
        answered: lists.answered,
        waiting: lists.waiting,
        rules: rule_rows,
        rule_keyword: rule.keyword,
        rule_answer: rule.answer,
        rule_exact: rule.matching.as_deref() == Some("exact"),
    })
}

/// What the bot would answer, in the order it decides: keyword rules, then the engine.
fn try_question(
    viewer: &Viewer<BotsState>,
    engine: Option<&ketnoi_bot::Bot>,
    rules: &[ketnoi_core::KeywordRule],
    q: &str,
) -> Tried {
    let t = viewer.t();
    let mut tried = Tried {
        kind: "empty-kb",
        matched: String::new(),
        answer: String::new(),
        confidence: String::new(),
        threshold: String::new(),
        reason: String::new(),
        suggestions: Vec::new(),
    };
    if let Some(rule) = crate::features::bot::service::matching_rule(rules, q) {
        tried.kind = "rule";
        tried.matched = rule.keyword.clone();
        tried.answer = rule.answer.clone();
        return tried;
    }
    let Some(bot) = engine else { return tried };
    let reply = bot.answer(q);
    tried.confidence = format!("{:.2}", reply.confidence);
    tried.threshold = format!("{:.2}", bot.calibration().threshold);
    tried.suggestions = reply
        .suggestions
        .iter()
        .map(|r| {
            let i = bot.intent(r.intent);
            format!("{} – {} ({:.2})", i.id, i.question, r.score)
        })
        .collect();
    match reply.answer {
        Some(i) => {
            let intent = bot.intent(i);
            tried.kind = "answer";
            tried.matched = format!("{} – {}", intent.id, intent.question);
            tried.answer = intent.answer.clone();
        }
        None => {
            tried.kind = "handoff";
            let reason = match reply.reason {
                ketnoi_bot::Reason::Unknown => "unknown",
                ketnoi_bot::Reason::Empty => "empty",
                _ => "unsure",
            };
            tried.reason = t.get(&format!("bot-try-reason-{reason}"));
        }
    }
    tried
}

/// Redirects back to a page after a change, with its notice and the section to show.
pub(crate) fn done(to: &str, what: &str, anchor: &str) -> Response {
    Redirect::to(&format!("{to}?done={what}#{anchor}")).into_response()
}

/// Sends the overview back with the officer's mistake, or an error page.
pub(crate) async fn overview_failed(
    viewer: &Viewer<BotsState>,
    account: &Account,
    fail: Fail,
    entered: Entered,
) -> Response {
    match fail {
        Fail::Page(e) => viewer.fail(e),
        Fail::Form(e) => {
            match overview_page(viewer, account, String::new(), entered, vec![e]).await {
                Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => viewer.fail(e),
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct SettingsForm {
    csrf: Option<String>,
    enabled: Option<String>,
    /// Offer the knowledge base to the accounts of the agencies below.
    shared: Option<String>,
    #[serde(default)]
    welcome: String,
    #[serde(default)]
    away_message: String,
}

async fn save_settings(
    viewer: Viewer<BotsState>,
    Path(slug): Path<String>,
    PageForm(f): PageForm<SettingsForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let fail = match settings_update(&viewer, &f) {
        Err(fail) => fail,
        Ok(update) => {
            let at = Timestamp::now();
            let store = &viewer.state.store;
            let saved = match store.save_bot_settings(account.id, &update, at).await {
                Ok(()) => store.set_bot_shared(account.id, f.shared.is_some(), at).await,
                Err(e) => Err(e),
            };
            match saved {
                Ok(()) => return done(&base(&account), "settings", "settings"),
                Err(e) => e.into(),
            }
        }
    };
    overview_failed(&viewer, &account, fail, Entered { settings: Some(f), ..Entered::default() })
        .await
}

/// Checks the settings form: the messages are sent as chat messages, so they are held to a
/// message's limits (or left empty).
fn settings_update(
    viewer: &Viewer<BotsState>,
    f: &SettingsForm,
) -> Result<BotSettingsUpdate, Fail> {
    let max = ketnoi_core::chat::MAX_TEXT_CHARS;
    for (field, text) in [("welcome", &f.welcome), ("away_message", &f.away_message)] {
        if text.trim().chars().count() > max {
            let e = InvalidInput::Length { field, min: 0, max };
            return Err(Fail::Form(invalid(viewer, field, &e)));
        }
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            let e = InvalidInput::ControlCharacter { field };
            return Err(Fail::Form(invalid(viewer, field, &e)));
        }
    }
    Ok(BotSettingsUpdate {
        enabled: f.enabled.is_some(),
        welcome: f.welcome.trim().to_owned(),
        away_message: f.away_message.trim().to_owned(),
    })
}

#[derive(Debug, Default, Deserialize)]
struct RuleForm {
    csrf: Option<String>,
    #[serde(default)]
    keyword: String,
    matching: Option<String>,
    #[serde(default)]
    answer: String,
}

async fn add_rule(
    viewer: Viewer<BotsState>,
    Path(slug): Path<String>,
    PageForm(f): PageForm<RuleForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let matching = match f.matching.as_deref().unwrap_or("contains").parse::<RuleMatch>() {
        Ok(m) => m,
        Err(e) => {
            let fail = Fail::Form(invalid(&viewer, "matching", &e));
            return overview_failed(
                &viewer,
                &account,
                fail,
                Entered { rule: Some(f), ..Entered::default() },
            )
            .await;
        }
    };
    let rule = match NewKeywordRule::new(&f.keyword, matching, &f.answer) {
        Ok(r) => r,
        Err(e) => {
            let field = match e.field() {
                Some("answer") => "rule-answer",
                _ => "keyword",
            };
            let fail = Fail::Form(invalid(&viewer, field, &e));
            return overview_failed(
                &viewer,
                &account,
                fail,
                Entered { rule: Some(f), ..Entered::default() },
            )
            .await;
        }
    };
    match viewer.state.store.add_bot_rule(account.id, &rule, Timestamp::now()).await {
        Ok(_) => done(&base(&account), "rule-added", "rules"),
        Err(e) => viewer.fail(e.into()),
    }
}

async fn delete_rule(
    viewer: Viewer<BotsState>,
    Path((slug, id)): Path<(String, i64)>,
    PageForm(f): PageForm<crate::kernel::pages::forms::CsrfForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match viewer.state.store.delete_bot_rule(account.id, RuleId(id)).await {
        Ok(_) => done(&base(&account), "rule-deleted", "rules"),
        Err(e) => viewer.fail(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_questions_are_shortened_in_drop_downs() {
        use crate::kernel::text::shorten;
        assert_eq!(shorten("ngắn", 70), "ngắn");
        let cut = shorten(&"á".repeat(100), 70);
        assert_eq!(cut.chars().count(), 70);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn confidences_read_as_percentages() {
        assert_eq!(percent(0.875), "88%");
        assert_eq!(percent(0.0), "0%");
    }
}
