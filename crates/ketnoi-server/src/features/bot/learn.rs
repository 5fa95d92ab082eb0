//! What an officer does with a question the bot handed off, in one post each: attach it to an
//! intent as an example, make a new intent of it (the citizen's question, answered as the
//! officer answered it), or dismiss it. A mistake brings the overview back with the message
//! beside that hand-off's field, and nothing changed.
//!
//! Each action writes the knowledge base first and resolves the hand-off last. If resolving
//! fails, the hand-off stays listed and posting again is harmless: an intent already holding the
//! example takes nothing more, and an intent already made exactly so from this hand-off is taken
//! as made. The other order could lose a question: resolved, then not added.

use axum::{Router, extract::Path, response::Response, routing::post};
use ketnoi_core::{Account, Intent, IntentId, Timestamp};
use ketnoi_store::{Handoff, HandoffId};
use serde::Deserialize;

use crate::{
    features::bot::{
        handoffs::{Acted, NewIntent},
        intents::{IntentFields, add_new, unclashed},
        pages::{Entered, Fail, base, done, form_error, guard, invalid, overview_failed},
        service::BotsState,
    },
    kernel::pages::{PageForm, Viewer},
};

pub(crate) fn router() -> Router<BotsState> {
    Router::new()
        .route("/console/a/{slug}/bot/handoffs/{id}/example", post(handoff_to_example))
        .route("/console/a/{slug}/bot/handoffs/{id}/intent", post(handoff_to_intent))
        .route("/console/a/{slug}/bot/handoffs/{id}/dismiss", post(dismiss_handoff))
}

/// The account's hand-off, if no officer has dealt with it yet.
async fn unresolved(
    viewer: &Viewer<BotsState>,
    account: &Account,
    id: HandoffId,
) -> Result<Handoff, Fail> {
    viewer
        .state
        .store
        .bot_handoff(account.id, id)
        .await?
        .filter(|h| !h.resolved)
        .ok_or_else(|| form_error(viewer, "handoffs", "bot-error-handoff-gone"))
}

/// Sends the overview back with a mistake about one hand-off.
async fn failed(
    viewer: &Viewer<BotsState>,
    account: &Account,
    fail: Fail,
    acted: Acted,
) -> Response {
    let mut entered = Entered::default();
    entered.handoff = Some(acted);
    overview_failed(viewer, account, fail, entered).await
}

#[derive(Debug, Deserialize)]
struct ExampleForm {
    csrf: Option<String>,
    intent: Option<String>,
}

async fn handoff_to_example(
    viewer: Viewer<BotsState>,
    Path((slug, id)): Path<(String, i64)>,
    PageForm(f): PageForm<ExampleForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = HandoffId(id);
    match teach(&viewer, &account, id, f.intent.as_deref().unwrap_or_default()).await {
        Ok(()) => done(&base(&account), "example", "handoffs"),
        Err(fail) => {
            let acted = Acted { handoff: id, intent: f.intent, new: None };
            failed(&viewer, &account, fail, acted).await
        }
    }
}

/// Adds a handed-off question to an intent's examples and marks the hand-off dealt with.
async fn teach(
    viewer: &Viewer<BotsState>,
    account: &Account,
    id: HandoffId,
    intent: &str,
) -> Result<(), Fail> {
    let store = &viewer.state.store;
    let handoff = unresolved(viewer, account, id).await?;
    let no_intent = || form_error(viewer, "intent", "bot-error-no-intent");
    let intent_id = IntentId::parse(intent).map_err(|_| no_intent())?;
    let intent = store.bot_intent(account.id, &intent_id).await?.ok_or_else(no_intent)?;
    // The example is checked as `Intent::new` checks it, by building the intent with it.
    let mut examples = intent.examples.clone();
    examples.push(handoff.question.clone());
    let taught =
        Intent::new(intent.id.as_str(), &intent.topic, &intent.question, &intent.answer, &examples)
            .map_err(|e| Fail::Form(invalid(viewer, "intent", &e)))?;
    // A question another intent answers is not taught to this one too.
    unclashed(viewer, account, &taught, Some("intent")).await?;
    store
        .add_bot_example(account.id, &intent.id, &handoff.question, Timestamp::now())
        .await?
        .ok_or_else(no_intent)?;
    store.resolve_handoff(account.id, id).await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct NewIntentForm {
    csrf: Option<String>,
    #[serde(default)]
    id: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    answer: String,
}

async fn handoff_to_intent(
    viewer: Viewer<BotsState>,
    Path((slug, id)): Path<(String, i64)>,
    PageForm(f): PageForm<NewIntentForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = HandoffId(id);
    let new = NewIntent { id: f.id, topic: f.topic, answer: f.answer };
    match create(&viewer, &account, id, &new).await {
        Ok(()) => done(&base(&account), "handoff-intent", "handoffs"),
        Err(fail) => {
            let acted = Acted { handoff: id, intent: None, new: Some(new) };
            failed(&viewer, &account, fail, acted).await
        }
    }
}

/// Makes a new intent of a handed-off question, answered as the officer wrote, checked as the
/// intent editor checks one, and marks the hand-off dealt with.
async fn create(
    viewer: &Viewer<BotsState>,
    account: &Account,
    id: HandoffId,
    new: &NewIntent,
) -> Result<(), Fail> {
    let handoff = unresolved(viewer, account, id).await?;
    let fields = IntentFields {
        id: new.id.clone(),
        topic: new.topic.clone(),
        question: handoff.question,
        answer: new.answer.clone(),
        ..IntentFields::default()
    };
    let intent = fields.intent(viewer)?;
    let store = &viewer.state.store;
    // Sent again after resolving failed, the form finds the intent made exactly so: only the
    // resolving is left to do.
    if store.bot_intent(account.id, &intent.id).await?.as_ref() != Some(&intent) {
        // The question is the citizen's: if another intent has it, attaching is the way.
        add_new(viewer, account, &intent, Some("intent")).await?;
    }
    store.resolve_handoff(account.id, id).await?;
    Ok(())
}

async fn dismiss_handoff(
    viewer: Viewer<BotsState>,
    Path((slug, id)): Path<(String, i64)>,
    PageForm(f): PageForm<crate::kernel::pages::forms::CsrfForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    // Already dismissed (another officer, a second click) is the same result.
    match viewer.state.store.resolve_handoff(account.id, HandoffId(id)).await {
        Ok(_) => done(&base(&account), "dismissed", "handoffs"),
        Err(e) => viewer.fail(e.into()),
    }
}
