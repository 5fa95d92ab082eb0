//! Sending and uploading on the compatible surface: `POST /v3.0/oa/message/{cs,transaction,
//! promotion}` and `POST /v2.0/oa/upload/{image,file}`.
//!
//! A message is written by the account (author `account`, under the integration's name, so
//! officers see which system wrote it) through the same group-commit writer as an officer's
//! reply, and pauses the bot as an officer's reply does. What ketnoi cannot render is refused
//! with the field named; nothing is dropped.

use axum::{
    Json,
    body::Bytes,
    extract::{Multipart, State, multipart::MultipartRejection, rejection::BytesRejection},
};
use ketnoi_core::{Author, Button, CitizenId, ClientMsgId, Content, MessageKind, Scope, Timestamp};
use ketnoi_media::Kind;
use ketnoi_store::{ChatApplied, ChatWrite, IntegrationUpload, NewAttachment, Recipient};
use serde_json::{Map, Value, json};

use crate::features::integrations::{
    oa::{INVALID_PARAM, NOT_FOLLOWING, OVER_LIMIT, Oa, OaError, success},
    service::{self, IntegrationsState},
};

/// The largest JSON body a message call takes.
pub const MAX_MESSAGE_BODY: usize = 64 * 1024;

/// The message kinds of the platform ketnoi maps: all are written the same way.
#[derive(Debug, Clone, Copy)]
enum Purpose {
    Consultation,
    Transaction,
    Promotion,
}

pub(crate) async fn send_cs(
    State(state): State<IntegrationsState>,
    oa: Oa,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, OaError> {
    send(&state, &oa, body, Purpose::Consultation).await
}

pub(crate) async fn send_transaction(
    State(state): State<IntegrationsState>,
    oa: Oa,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, OaError> {
    send(&state, &oa, body, Purpose::Transaction).await
}

pub(crate) async fn send_promotion(
    State(state): State<IntegrationsState>,
    oa: Oa,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, OaError> {
    send(&state, &oa, body, Purpose::Promotion).await
}

/// A JSON body, or the platform's error for a missing, malformed or oversized one.
pub(crate) fn json_body(
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, OaError> {
    let bytes = body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            OaError::new(OVER_LIMIT, "body is larger than the limit")
        } else {
            OaError::invalid("body")
        }
    })?;
    if bytes.len() > MAX_MESSAGE_BODY {
        return Err(OaError::new(OVER_LIMIT, "body is larger than the limit"));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(OaError::new(INVALID_PARAM, "body must be a JSON object")),
    }
}

/// Refuses keys ketnoi does not know in an object, naming the first.
fn only_keys(obj: &Map<String, Value>, path: &str, known: &[&str]) -> Result<(), OaError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(OaError::unsupported(&format!("{path}.{k}"))),
        None => Ok(()),
    }
}

fn object<'a>(v: Option<&'a Value>, path: &str) -> Result<&'a Map<String, Value>, OaError> {
    v.and_then(Value::as_object).ok_or_else(|| OaError::invalid(path))
}

fn string<'a>(v: Option<&'a Value>, path: &str) -> Result<&'a str, OaError> {
    v.and_then(Value::as_str).ok_or_else(|| OaError::invalid(path))
}

/// The citizen a recipient names, if the account may write to them: they follow it, or have
/// written to it.
pub(crate) async fn recipient(
    state: &IntegrationsState,
    oa: &Oa,
    user_id: &str,
) -> Result<CitizenId, OaError> {
    let citizen = service::citizen_of(state, oa.account.id, user_id)
        .await?
        .ok_or_else(|| OaError::invalid("user_id"))?;
    let follows = state.store.is_following(citizen, oa.account.id).await?;
    if !follows && state.store.conversation_between(oa.account.id, citizen).await?.is_none() {
        return Err(OaError::new(NOT_FOLLOWING, "User has not followed OA"));
    }
    Ok(citizen)
}

async fn send(
    state: &IntegrationsState,
    oa: &Oa,
    body: Result<Bytes, BytesRejection>,
    purpose: Purpose,
) -> Result<Json<Value>, OaError> {
    oa.require(Scope::Message)?;
    let body = json_body(body)?;
    only_keys(&body, "body", &["recipient", "message"])?;
    let to = object(body.get("recipient"), "recipient")?;
    only_keys(to, "recipient", &["user_id"])?;
    let user_id = string(to.get("user_id"), "recipient.user_id")?;
    let message = object(body.get("message"), "message")?;
    only_keys(message, "message", &["text", "attachment", "quote_message_id"])?;
    let citizen = recipient(state, oa, user_id).await?;
    let existing = state.store.conversation_between(oa.account.id, citizen).await?;

    let mut text = match message.get("text") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(OaError::invalid("message.text")),
    };
    if let Some(quote) = message.get("quote_message_id") {
        let quote = quote.as_str().ok_or_else(|| OaError::invalid("message.quote_message_id"))?;
        let quoted = quoted_line(state, existing.as_ref(), quote).await?;
        text = format!("{quoted}\n{text}");
    }
    let content = match message.get("attachment") {
        None | Some(Value::Null) => Content::text(&text)?,
        Some(a) => {
            attachment_content(state, oa, citizen, object(Some(a), "message.attachment")?, &text)
                .await?
        }
    };
    let citizen_row =
        state.store.citizen(citizen).await?.ok_or_else(|| OaError::invalid("user_id"))?;
    let write = ChatWrite::Send {
        to: Recipient::Open {
            account: oa.account.id,
            citizen,
            citizen_label: citizen_row.phone.masked(),
        },
        author: Author::Account(oa.account.id),
        author_name: oa.integration.name.clone(),
        client_msg_id: ClientMsgId::parse(&format!(
            "oa-{}",
            crate::kernel::http::hex(&rand::random::<[u8; 12]>())
        ))?,
        content,
        at: Timestamp::now(),
        bot: crate::features::chat::service::state_after(Author::Account(oa.account.id)),
    };
    match state.chat.write(write).await? {
        Ok(ChatApplied::Sent { message, conversation, .. }) => {
            tracing::debug!(app_id = %oa.integration.app_id, purpose = ?purpose, "integration sent a message");
            Ok(success(json!({
                "message_id": service::msg_id(conversation.id, message.seq),
                "user_id": user_id,
            })))
        }
        Ok(_) => Err(crate::kernel::error::ApiError::Internal(anyhow::anyhow!(
            "a send answered as a change"
        ))
        .into()),
        Err(refusal) => Err(crate::features::chat::service::refused(refusal).into()),
    }
}

/// The line a quoted message becomes: ketnoi shows no quote bubble, so the reply starts with the
/// start of what it answers.
async fn quoted_line(
    state: &IntegrationsState,
    conversation: Option<&ketnoi_core::Conversation>,
    quote: &str,
) -> Result<String, OaError> {
    let bad = || OaError::invalid("message.quote_message_id");
    let (conv, seq) = service::parse_msg_id(quote).ok_or_else(bad)?;
    let conversation = conversation.filter(|c| c.id == conv).ok_or_else(bad)?;
    let found = state
        .store
        .messages(conversation.id, ketnoi_store::MessageRange::After { seq: seq - 1, limit: 1 })
        .await?;
    let quoted = found.into_iter().find(|m| m.seq == seq).ok_or_else(bad)?;
    let preview: String = quoted.content.preview().chars().take(80).collect();
    Ok(format!("↪ «{preview}»"))
}

/// The content of a message with an attachment: a picture (`template` / `media`), a document
/// (`file`), or text with buttons (`template` with `buttons`, or a `list`).
async fn attachment_content(
    state: &IntegrationsState,
    oa: &Oa,
    citizen: CitizenId,
    attachment: &Map<String, Value>,
    text: &str,
) -> Result<Content, OaError> {
    only_keys(attachment, "message.attachment", &["type", "payload"])?;
    let kind = string(attachment.get("type"), "message.attachment.type")?;
    let payload = object(attachment.get("payload"), "message.attachment.payload")?;
    match kind {
        "file" => {
            only_keys(payload, "message.attachment.payload", &["token"])?;
            let token = string(payload.get("token"), "message.attachment.payload.token")?;
            let id = attach(
                state,
                oa,
                citizen,
                token,
                MessageKind::File,
                "message.attachment.payload.token",
            )
            .await?;
            Ok(Content::attachment(MessageKind::File, id, text)?)
        }
        "template" => {
            let template = payload.get("template_type").and_then(Value::as_str).unwrap_or("button");
            match template {
                "media" => {
                    only_keys(
                        payload,
                        "message.attachment.payload",
                        &["template_type", "elements"],
                    )?;
                    let elements = payload
                        .get("elements")
                        .and_then(Value::as_array)
                        .filter(|e| e.len() == 1)
                        .ok_or_else(|| OaError::invalid("message.attachment.payload.elements"))?;
                    let element =
                        object(elements.first(), "message.attachment.payload.elements[0]")?;
                    let path = "message.attachment.payload.elements[0]";
                    only_keys(element, path, &["media_type", "attachment_id"])?;
                    if string(element.get("media_type"), &format!("{path}.media_type"))? != "image"
                    {
                        return Err(OaError::unsupported(&format!("{path}.media_type")));
                    }
                    let token =
                        string(element.get("attachment_id"), &format!("{path}.attachment_id"))?;
                    let id = attach(
                        state,
                        oa,
                        citizen,
                        token,
                        MessageKind::Image,
                        &format!("{path}.attachment_id"),
                    )
                    .await?;
                    Ok(Content::attachment(MessageKind::Image, id, text)?)
                }
                "button" => {
                    only_keys(
                        payload,
                        "message.attachment.payload",
                        &["template_type", "buttons"],
                    )?;
                    let buttons =
                        buttons(payload.get("buttons"), "message.attachment.payload.buttons")?;
                    Ok(Content::structured(text, buttons)?)
                }
                "list" => {
                    only_keys(
                        payload,
                        "message.attachment.payload",
                        &["template_type", "elements", "buttons"],
                    )?;
                    list_content(payload, text)
                }
                _ => Err(OaError::unsupported("message.attachment.payload.template_type")),
            }
        }
        _ => Err(OaError::unsupported("message.attachment.type")),
    }
}

/// A list template as a structured message: a line per element (title — subtitle) and a button
/// per element's action, then the template's own buttons.
fn list_content(payload: &Map<String, Value>, text: &str) -> Result<Content, OaError> {
    let elements = payload
        .get("elements")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty() && e.len() <= ketnoi_core::chat::MAX_BUTTONS)
        .ok_or_else(|| OaError::invalid("message.attachment.payload.elements"))?;
    let mut lines: Vec<String> = Vec::new();
    if !text.trim().is_empty() {
        lines.push(text.trim().to_owned());
    }
    let mut out = Vec::new();
    for (i, e) in elements.iter().enumerate() {
        let path = format!("message.attachment.payload.elements[{i}]");
        let e = object(Some(e), &path)?;
        only_keys(e, &path, &["title", "subtitle", "default_action"])?;
        let title = string(e.get("title"), &format!("{path}.title"))?;
        match e.get("subtitle").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
            Some(sub) => lines.push(format!("• {title} — {sub}")),
            None => lines.push(format!("• {title}")),
        }
        if let Some(action) = e.get("default_action") {
            out.push(button(action, title, &format!("{path}.default_action"))?);
        }
    }
    if let Some(more) = payload.get("buttons") {
        out.extend(buttons(Some(more), "message.attachment.payload.buttons")?);
    }
    if out.is_empty() {
        return Err(OaError::invalid("message.attachment.payload.elements[0].default_action"));
    }
    Ok(Content::structured(&lines.join("\n"), out)?)
}

fn buttons(v: Option<&Value>, path: &str) -> Result<Vec<Button>, OaError> {
    let list = v
        .and_then(Value::as_array)
        .filter(|b| !b.is_empty() && b.len() <= ketnoi_core::chat::MAX_BUTTONS)
        .ok_or_else(|| OaError::invalid(path))?;
    list.iter()
        .enumerate()
        .map(|(i, b)| {
            let p = format!("{path}[{i}]");
            let obj = object(Some(b), &p)?;
            only_keys(obj, &p, &["title", "type", "payload", "image_icon"])?;
            if obj.get("image_icon").is_some_and(|v| !v.as_str().unwrap_or("x").is_empty()) {
                return Err(OaError::unsupported(&format!("{p}.image_icon")));
            }
            let title = string(obj.get("title"), &format!("{p}.title"))?;
            button(b, title, &p)
        })
        .collect()
}

/// One action: `oa.open.url` becomes a link, `oa.query.show` and `oa.query.hide` a quick reply
/// (ketnoi shows the text it sends either way); phone and SMS actions are refused.
fn button(action: &Value, label: &str, path: &str) -> Result<Button, OaError> {
    let obj = object(Some(action), path)?;
    let kind = string(obj.get("type"), &format!("{path}.type"))?;
    match kind {
        "oa.open.url" => {
            let url = obj
                .get("payload")
                .and_then(|p| p.get("url").or(Some(p)))
                .and_then(Value::as_str)
                .ok_or_else(|| OaError::invalid(&format!("{path}.payload.url")))?;
            Ok(Button::Link { label: label.to_owned(), url: url.to_owned() })
        }
        "oa.query.show" | "oa.query.hide" => {
            let text = string(obj.get("payload"), &format!("{path}.payload"))?;
            Ok(Button::Reply { label: label.to_owned(), text: text.to_owned() })
        }
        _ => Err(OaError::unsupported(&format!("{path}.type"))),
    }
}

/// Makes an uploaded file an attachment of the citizen's conversation with the account.
pub(crate) async fn attach(
    state: &IntegrationsState,
    oa: &Oa,
    citizen: CitizenId,
    token: &str,
    kind: MessageKind,
    path: &str,
) -> Result<ketnoi_core::AttachmentId, OaError> {
    let upload = state
        .store
        .integration_upload(oa.integration.id, token)
        .await?
        .filter(|u| u.kind == kind)
        .ok_or_else(|| OaError::invalid(path))?;
    let record = NewAttachment {
        account: oa.account.id,
        citizen,
        uploader: Author::Account(oa.account.id),
        media_type: upload.media_type,
        kind,
        name: upload.name,
        size: upload.size,
        dimensions: upload.dimensions,
        blob_key: upload.blob_key,
        at: Timestamp::now(),
    };
    Ok(state.store.create_attachment(&record).await?.id)
}

pub(crate) async fn upload_image(
    State(state): State<IntegrationsState>,
    oa: Oa,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<Value>, OaError> {
    let token = upload(&state, &oa, form, Some(Kind::Image)).await?;
    Ok(success(json!({ "attachment_id": token })))
}

pub(crate) async fn upload_file(
    State(state): State<IntegrationsState>,
    oa: Oa,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<Value>, OaError> {
    let token = upload(&state, &oa, form, Some(Kind::Document)).await?;
    Ok(success(json!({ "token": token })))
}

/// Reads the `file` field, checks and cleans it as every upload is, and keeps it for sending.
pub(crate) async fn upload(
    state: &IntegrationsState,
    oa: &Oa,
    form: Result<Multipart, MultipartRejection>,
    want: Option<Kind>,
) -> Result<String, OaError> {
    oa.require(Scope::Message)?;
    let mut form = form.map_err(|_| OaError::invalid("file"))?;
    let too_large = || {
        OaError::new(
            OVER_LIMIT,
            format!("file is larger than {} bytes", state.config.max_upload_bytes),
        )
    };
    let mut found = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large());
            }
            Err(_) => return Err(OaError::invalid("file")),
        };
        if field.name() != Some("file") {
            continue;
        }
        let declared = field.content_type().unwrap_or("application/octet-stream").to_owned();
        let name = field.file_name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                OaError::invalid("file")
            }
        })?;
        found = Some((declared, name, bytes));
        break;
    }
    let (declared, name, bytes) = found.ok_or_else(|| OaError::invalid("file"))?;
    let (sniffed, cleaned) =
        crate::kernel::media::clean(&declared, &bytes, state.config.max_upload_bytes)?;
    if let Some(want) = want
        && sniffed.kind != want
    {
        return Err(OaError::new(
            INVALID_PARAM,
            match want {
                Kind::Image => "file is not an image ketnoi accepts (JPEG, PNG, WebP)",
                Kind::Document => {
                    "file is not a document ketnoi accepts; send pictures to /upload/image"
                }
            },
        ));
    }
    let kind = match sniffed.kind {
        Kind::Image => MessageKind::Image,
        Kind::Document => MessageKind::File,
    };
    let dimensions = ketnoi_media::dimensions(sniffed, &cleaned);
    let blob_key = crate::kernel::http::hex(&rand::random::<[u8; 16]>());
    state.blobs.put(&blob_key, &cleaned).await.map_err(crate::kernel::error::ApiError::from)?;
    let token = crate::kernel::http::hex(&rand::random::<[u8; 16]>());
    let record = IntegrationUpload {
        token: token.clone(),
        integration: oa.integration.id,
        kind,
        media_type: sniffed.media_type.to_owned(),
        name: ketnoi_core::chat::safe_file_name(&name, sniffed.extension),
        size: cleaned.len() as i64,
        dimensions,
        blob_key: blob_key.clone(),
        created_at: Timestamp::now(),
    };
    if let Err(e) = state.store.put_integration_upload(&record).await {
        let _ = state.blobs.delete(&blob_key).await;
        return Err(e.into());
    }
    Ok(token)
}
