//! Reading followers and conversations, and tagging followers, on the compatible surface:
//! `/v3.0/oa/user/detail`, `/v3.0/oa/user/getlist`, the tag endpoints, `/v2.0/oa/listrecentchat`
//! and `/v2.0/oa/conversation`.
//!
//! Users are known by the account's own opaque ids ([`service::user_id`]); nothing here carries
//! a phone number (ketnoi has no way for a citizen to share theirs with an account yet).

use std::collections::HashMap;

use axum::{
    Json,
    body::Bytes,
    extract::{Query, State, rejection::BytesRejection},
};
use ketnoi_core::{CitizenId, Conversation, Message, MessageKind, Scope, Side, Tag};
use ketnoi_store::MessageRange;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::features::integrations::{
    oa::{INVALID_PARAM, NOT_FOLLOWING, OVER_LIMIT, Oa, OaError, absolute, data_param, success},
    oa_messages::json_body,
    service::{self, IntegrationsState},
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserParam {
    user_id: Value,
}

fn user_id_of(v: &Value) -> Result<String, OaError> {
    match v {
        Value::String(s) => Ok(s.trim().to_owned()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(OaError::invalid("user_id")),
    }
}

/// The citizen a user id names for this account; an id of another account is unknown here.
async fn known(state: &IntegrationsState, oa: &Oa, user_id: &str) -> Result<CitizenId, OaError> {
    service::citizen_of(state, oa.account.id, user_id)
        .await?
        .ok_or_else(|| OaError::invalid("user_id"))
}

/// `GET /v3.0/oa/user/detail?data={"user_id":"…"}`.
pub(crate) async fn detail(
    State(state): State<IntegrationsState>,
    oa: Oa,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, OaError> {
    oa.require(Scope::Followers)?;
    let param: UserParam = data_param(&query)?;
    let user_id = user_id_of(&param.user_id)?;
    let citizen = known(&state, &oa, &user_id).await?;
    let person = state.store.citizen(citizen).await?.ok_or_else(|| OaError::invalid("user_id"))?;
    let follows = state.store.is_following(citizen, oa.account.id).await?;
    let tags =
        if follows { state.store.follower_tags(oa.account.id, citizen).await? } else { Vec::new() };
    let conversation = state.store.conversation_between(oa.account.id, citizen).await?;
    let last = conversation
        .as_ref()
        .filter(|c| c.last_seq > 0)
        .and_then(|c| c.last_message_at.in_vietnam())
        .map(|t| format!("{:02}/{:02}/{}", t.day(), u8::from(t.month()), t.year()))
        .unwrap_or_default();
    let name = person.display_name.clone().unwrap_or_else(|| "Người dân".to_owned());
    Ok(success(json!({
        "user_id": user_id,
        "user_id_by_app": user_id,
        "display_name": name,
        "user_alias": "",
        "is_sensitive": false,
        "user_is_follower": follows,
        "user_last_interaction_date": last,
        "avatar": "",
        "avatars": { "120": "", "240": "" },
        "tags_and_notes_info": {
            "tag_names": tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
            "notes": [],
        },
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParam {
    #[serde(default)]
    offset: i64,
    #[serde(default = "default_count")]
    count: i64,
    #[serde(default)]
    tag_name: Option<String>,
    /// The platform filters by "last interaction"; ketnoi lists followers newest first only.
    #[serde(default)]
    last_interaction_period: Option<String>,
    /// The platform's `is_follower`: ketnoi's list is its followers.
    #[serde(default)]
    is_follower: Option<bool>,
}

fn default_count() -> i64 {
    50
}

/// `GET /v3.0/oa/user/getlist?data={"offset":0,"count":50}`: the account's followers, newest
/// first (at most 50 a page), optionally those with a tag.
pub(crate) async fn list(
    State(state): State<IntegrationsState>,
    oa: Oa,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, OaError> {
    oa.require(Scope::Followers)?;
    let param: ListParam = data_param(&query)?;
    if param.last_interaction_period.is_some() {
        return Err(OaError::unsupported("last_interaction_period"));
    }
    if param.is_follower == Some(false) {
        return Err(OaError::unsupported("is_follower"));
    }
    if param.offset < 0 {
        return Err(OaError::invalid("offset"));
    }
    if !(1..=50).contains(&param.count) {
        return Err(OaError::new(OVER_LIMIT, "count must be between 1 and 50"));
    }
    let tag = param.tag_name.as_deref().map(Tag::parse).transpose()?;
    let (total, page) =
        state.store.followers_page(oa.account.id, tag.as_ref(), param.offset, param.count).await?;
    let mut users = Vec::with_capacity(page.len());
    for (citizen, _) in page {
        users.push(json!({ "user_id": service::user_id(&state, oa.account.id, citizen).await? }));
    }
    Ok(success(json!({
        "total": total,
        "count": users.len(),
        "offset": param.offset,
        "users": users,
    })))
}

/// `GET /v2.0/oa/tag/gettagsofoa`: the tags the account uses.
pub(crate) async fn tags(
    State(state): State<IntegrationsState>,
    oa: Oa,
) -> Result<Json<Value>, OaError> {
    oa.require(Scope::Tags)?;
    let tags = state.store.account_tags(oa.account.id).await?;
    Ok(success(json!(tags.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>())))
}

/// A tag and a follower from a JSON body.
async fn tag_body(
    state: &IntegrationsState,
    oa: &Oa,
    body: Result<Bytes, BytesRejection>,
    with_user: bool,
) -> Result<(Tag, Option<CitizenId>), OaError> {
    oa.require(Scope::Tags)?;
    let body = json_body(body)?;
    let known_keys: &[&str] = if with_user { &["user_id", "tag_name"] } else { &["tag_name"] };
    if let Some(k) = body.keys().find(|k| !known_keys.contains(&k.as_str())) {
        return Err(OaError::unsupported(k));
    }
    let tag = body
        .get("tag_name")
        .and_then(Value::as_str)
        .ok_or_else(|| OaError::invalid("tag_name"))
        .and_then(|t| {
            Tag::parse(t).map_err(|e| OaError::new(INVALID_PARAM, format!("tag_name: {e}")))
        })?;
    if !with_user {
        return Ok((tag, None));
    }
    let user_id = user_id_of(body.get("user_id").unwrap_or(&Value::Null))?;
    let citizen = known(state, oa, &user_id).await?;
    if !state.store.is_following(citizen, oa.account.id).await? {
        return Err(OaError::new(NOT_FOLLOWING, "User has not followed OA"));
    }
    Ok((tag, Some(citizen)))
}

/// `POST /v2.0/oa/tag/tagfollower {"user_id","tag_name"}`.
pub(crate) async fn tag_follower(
    State(state): State<IntegrationsState>,
    oa: Oa,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, OaError> {
    let (tag, citizen) = tag_body(&state, &oa, body, true).await?;
    let citizen = citizen.ok_or_else(|| OaError::invalid("user_id"))?;
    let mut tags = state.store.follower_tags(oa.account.id, citizen).await?;
    if !tags.contains(&tag) {
        if tags.len() >= 20 {
            return Err(OaError::new(OVER_LIMIT, "a follower carries at most 20 tags"));
        }
        tags.push(tag);
        state.store.set_follower_tags(oa.account.id, citizen, &tags).await?;
    }
    Ok(success(json!({})))
}

/// `POST /v2.0/oa/tag/rmfollowerfromtag {"user_id","tag_name"}`.
pub(crate) async fn untag_follower(
    State(state): State<IntegrationsState>,
    oa: Oa,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, OaError> {
    let (tag, citizen) = tag_body(&state, &oa, body, true).await?;
    let citizen = citizen.ok_or_else(|| OaError::invalid("user_id"))?;
    let tags = state.store.follower_tags(oa.account.id, citizen).await?;
    if tags.contains(&tag) {
        let kept: Vec<Tag> = tags.into_iter().filter(|t| *t != tag).collect();
        state.store.set_follower_tags(oa.account.id, citizen, &kept).await?;
    }
    Ok(success(json!({})))
}

/// `POST /v2.0/oa/tag/rmtag {"tag_name"}`: the tag comes off every follower.
pub(crate) async fn remove_tag(
    State(state): State<IntegrationsState>,
    oa: Oa,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, OaError> {
    let (tag, _) = tag_body(&state, &oa, body, false).await?;
    state.store.remove_account_tag(oa.account.id, &tag).await?;
    Ok(success(json!({})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageParam {
    #[serde(default)]
    offset: i64,
    #[serde(default = "default_page")]
    count: i64,
    #[serde(default)]
    user_id: Option<Value>,
}

fn default_page() -> i64 {
    5
}

fn page_bounds(p: &PageParam) -> Result<(), OaError> {
    if p.offset < 0 {
        return Err(OaError::invalid("offset"));
    }
    if !(1..=10).contains(&p.count) {
        return Err(OaError::new(OVER_LIMIT, "count must be between 1 and 10"));
    }
    Ok(())
}

/// A message as the platform's conversation reads show it.
async fn chat_item(
    state: &IntegrationsState,
    oa: &Oa,
    conversation: &Conversation,
    m: &Message,
) -> Result<Value, OaError> {
    let user_id = service::user_id(state, oa.account.id, conversation.citizen).await?;
    let oa_id = oa.account.id.0.to_string();
    let from_user = m.author.side() == Side::Citizen;
    let (from, to) = if from_user { (&user_id, &oa_id) } else { (&oa_id, &user_id) };
    let kind = match m.content.kind() {
        MessageKind::Image => "photo",
        MessageKind::File => "file",
        _ => "text",
    };
    let url = m
        .content
        .attachment_id()
        .map(|id| absolute(state, &format!("/api/v1/attachments/{}", id.0)));
    Ok(json!({
        "src": if from_user { 1 } else { 0 },
        "time": m.created_at.millis(),
        "sent_time": m.created_at.display_vn(),
        "from_id": from,
        "from_display_name": if from_user { "Người dân".to_owned() } else { oa.account.display_name.clone() },
        "from_avatar": "",
        "to_id": to,
        "to_display_name": if from_user { oa.account.display_name.clone() } else { "Người dân".to_owned() },
        "to_avatar": "",
        "message_id": service::msg_id(conversation.id, m.seq),
        "type": kind,
        "message": m.content.body(),
        "url": url,
    }))
}

/// `GET /v2.0/oa/listrecentchat?data={"offset":0,"count":5}`: the newest message of each of the
/// account's most recent conversations.
pub(crate) async fn recent_chats(
    State(state): State<IntegrationsState>,
    oa: Oa,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, OaError> {
    oa.require(Scope::Followers)?;
    let param: PageParam = data_param(&query)?;
    page_bounds(&param)?;
    if param.user_id.is_some() {
        return Err(OaError::unsupported("user_id"));
    }
    let listed = state
        .store
        .inbox(&ketnoi_store::InboxQuery {
            account: oa.account.id,
            status: ketnoi_core::ConversationStatus::Open,
            text: None,
            bot: None,
            assignee: None,
            waiting_before: None,
            label: None,
            before: None,
            limit: param.offset + param.count,
        })
        .await?;
    let mut out = Vec::new();
    for c in listed.iter().skip(param.offset as usize).filter(|c| c.account == oa.account.id) {
        let newest = state.store.messages(c.id, MessageRange::Latest { limit: 1 }).await?;
        if let Some(m) = newest.last() {
            out.push(chat_item(&state, &oa, c, m).await?);
        }
    }
    Ok(success(json!(out)))
}

/// `GET /v2.0/oa/conversation?data={"user_id":…,"offset":0,"count":5}`: a citizen's messages
/// with the account, newest first.
pub(crate) async fn conversation(
    State(state): State<IntegrationsState>,
    oa: Oa,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, OaError> {
    oa.require(Scope::Followers)?;
    let param: PageParam = data_param(&query)?;
    page_bounds(&param)?;
    let user_id = user_id_of(param.user_id.as_ref().unwrap_or(&Value::Null))?;
    let citizen = known(&state, &oa, &user_id).await?;
    let Some(c) = state.store.conversation_between(oa.account.id, citizen).await? else {
        return Ok(success(json!([])));
    };
    let newest = state
        .store
        .messages(c.id, MessageRange::Latest { limit: param.offset + param.count })
        .await?;
    let mut out = Vec::new();
    for m in newest.iter().rev().skip(param.offset as usize) {
        out.push(chat_item(&state, &oa, &c, m).await?);
    }
    Ok(success(json!(out)))
}
