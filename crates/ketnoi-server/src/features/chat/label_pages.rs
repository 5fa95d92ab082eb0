//! The label forms of the officer's conversation page: add one label, remove one. Both work
//! without JavaScript (post, then back to the conversation with a notice); a refused label
//! shows the page again with the reason beside the field, and changes nothing.

use axum::{
    Router,
    extract::Path,
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use serde::Deserialize;

use crate::{
    features::chat::{
        assign, labels,
        pages::error_status,
        service::ChatState,
        staff_pages::{NoteDraft, staff_page},
    },
    kernel::pages::{PageForm, Viewer},
};

pub(crate) fn router() -> Router<ChatState> {
    Router::new()
        .route("/console/c/{id}/labels", post(add_label))
        .route("/console/c/{id}/labels/remove", post(remove_label))
}

/// A label posted to add or remove.
#[derive(Debug, Deserialize)]
struct LabelForm {
    csrf: Option<String>,
    #[serde(default)]
    label: String,
}

/// Adds a label, then goes back to the conversation with a notice.
async fn add_label(
    viewer: Viewer<ChatState>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<LabelForm>,
) -> Response {
    change(viewer, id, form, true).await
}

/// Removes a label, then goes back to the conversation with a notice.
async fn remove_label(
    viewer: Viewer<ChatState>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<LabelForm>,
) -> Response {
    change(viewer, id, form, false).await
}

async fn change(viewer: Viewer<ChatState>, id: i64, form: LabelForm, adding: bool) -> Response {
    if let Some(stop) = viewer.stop_form(true, &format!("/console/c/{id}"), form.csrf.as_deref()) {
        return stop;
    }
    let conversation = match assign::assign_access(&viewer.state, &viewer.caller, id).await {
        Ok((conversation, _)) => conversation,
        Err(e) => return viewer.fail(e),
    };
    let done = if adding {
        labels::add(&viewer.state, conversation.id, &form.label).await.map(|_| "label-added")
    } else {
        labels::remove(&viewer.state, conversation.id, &form.label).await.map(|_| "label-removed")
    };
    let e = match done {
        Ok(done) => {
            return Redirect::to(&format!("/console/c/{id}?done={done}#labels")).into_response();
        }
        Err(e) => e,
    };
    let Some(key) = labels::refusal_key(&e) else { return viewer.fail(e) };
    let message = viewer.t().get(key);
    let draft = NoteDraft { label: (form.label, Some(message), None), ..NoteDraft::default() };
    match staff_page(&viewer, id, None, String::new(), None, draft).await {
        Ok(mut page) => {
            page.l.has_errors = true;
            viewer.render(error_status(&e), &page)
        }
        Err(e) => viewer.fail(e),
    }
}
