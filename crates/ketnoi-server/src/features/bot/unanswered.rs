//! The questions the bot could not answer lately, similar ones grouped (see
//! [`ketnoi_bot::group_similar`]), biggest group first: where the knowledge base's author
//! looks for the intents and phrasings to write next. Read only; the hand-offs themselves are
//! dealt with on the overview.

use askama::Template;
use axum::{Router, extract::Path, http::StatusCode, response::Response, routing::get};
use ketnoi_core::{Account, Timestamp};
use ketnoi_store::MAX_OPEN_HANDOFFS;

use crate::{
    features::bot::{
        pages::{base, managed},
        service::BotsState,
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        pages::{Layout, Viewer, Who},
    },
};

/// How many days back questions are grouped.
const DAYS: i64 = 30;
/// How many groups the page lists.
const GROUPS: usize = 30;
/// How many of a group's other questions are shown beside its representative.
const OTHERS: usize = 3;

pub(crate) fn router() -> Router<BotsState> {
    Router::new().route("/console/a/{slug}/bot/unanswered", get(unanswered))
}

/// A group of similar questions.
struct GroupRow {
    /// "12 questions".
    count: String,
    /// The most typical question.
    question: String,
    /// A few others.
    others: Vec<String>,
    /// The intent the bot ranks first for them, "id – question".
    intent: Option<String>,
}

#[derive(Template)]
#[template(path = "bot_unanswered.html")]
struct UnansweredPage {
    l: Layout,
    base: String,
    account_name: String,
    /// "240 questions in the last 30 days".
    total: String,
    groups: Vec<GroupRow>,
}

async fn unanswered(viewer: Viewer<BotsState>, Path(slug): Path<String>) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let account = match managed(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    match page(&viewer, &account).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn page(viewer: &Viewer<BotsState>, account: &Account) -> Result<UnansweredPage, ApiError> {
    let t = viewer.t();
    let since = Timestamp(Timestamp::now().millis() - DAYS * 86_400_000);
    let questions: Vec<String> = viewer
        .state
        .store
        .open_handoffs(account.id, since, MAX_OPEN_HANDOFFS)
        .await?
        .into_iter()
        .map(|o| o.handoff.question)
        .collect();
    let engine = viewer.state.bots.engine(account.id).await?;
    // A few thousand questions take a while to compare: off the async threads.
    let (questions, engine, groups) = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = questions.iter().map(String::as_str).collect();
        let groups = ketnoi_bot::group_similar(engine.as_deref(), &refs, GROUPS);
        (questions, engine, groups)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("grouping questions failed: {e}")))?;
    let rows = groups
        .into_iter()
        .map(|g| GroupRow {
            count: t.count("bot-questions", g.members.len() as i64),
            question: questions[g.members[0]].clone(),
            others: g.members[1..].iter().take(OTHERS).map(|&m| questions[m].clone()).collect(),
            intent: g.intent.zip(engine.as_deref()).map(|(i, bot)| {
                let intent = bot.intent(i);
                format!("{} – {}", intent.id, intent.question)
            }),
        })
        .collect();
    Ok(UnansweredPage {
        l: viewer.layout(false),
        base: base(account),
        account_name: account.display_name.clone(),
        total: t.with_count(
            "bot-unanswered-total",
            "days",
            &DAYS.to_string(),
            questions.len() as i64,
        ),
        groups: rows,
    })
}
