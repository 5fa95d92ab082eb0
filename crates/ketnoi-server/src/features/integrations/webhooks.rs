//! Webhook events: their names, their bodies (in the commercial platform's shape), their two
//! signatures, and the job that delivers one.
//!
//! An event's body is made once, when it is recorded (`webhook_tail.rs`), and sent byte for
//! byte on every attempt and redelivery. Each attempt is signed twice: the platform's
//! `X-ZEvent-Signature` (`mac=` SHA-256 of app id, body, the body's `timestamp` and the
//! secret key), and Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`:
//! HMAC-SHA256 under the secret key's bytes, which the console shows as `whsec_…`).
//!
//! Deliveries run from the persistent job queue (queue [`QUEUE`]) on a runner of their own with
//! several workers, so a slow receiver holds up neither messages nor other queues. 2xx is
//! delivered; anything else is retried after the configured schedule, every attempt logged. A
//! run of failed attempts disables the endpoint; events of a disabled (or turned off) endpoint
//! stay recorded and are not sent until someone redelivers them.

use std::time::Instant;

use async_trait::async_trait;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use ketnoi_core::Timestamp;
use ketnoi_store::{AttemptOutcome, Job, WebhookDelivery, WebhookEventId, WebhookState};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::{
    features::integrations::{service, webhook_net},
    kernel::{
        config::WebhookConfig,
        error::ApiError,
        http::hex,
        jobs::{JobError, JobHandler},
        state::Kernel,
    },
};

/// The job queue of deliveries.
pub const QUEUE: &str = "webhook.deliver";

/// Every event name an endpoint may ask for. New ketnoi events are added here (and to
/// [`NOT_EMITTED`] until something produces them).
pub const EVENT_NAMES: &[&str] = &[
    "user_send_text",
    "user_send_image",
    "user_send_file",
    "user_send_location",
    "follow",
    "unfollow",
    "user_received_message",
    "user_seen_message",
    "oa_send_text",
    "oa_send_image",
    "oa_send_file",
    "ketnoi_conversation_transferred",
];

/// Names accepted for compatibility that ketnoi never sends: it has no location messages, and
/// no delivery receipt apart from reading (`user_seen_message`).
pub const NOT_EMITTED: &[&str] = &["user_send_location", "user_received_message"];

/// How many times an event is tried: once, then once after each delay of the schedule.
pub fn max_attempts(config: &WebhookConfig) -> i64 {
    config.retry_schedule.len() as i64 + 1
}

/// Checks the event names an endpoint asks for: each must be known (422 naming `events`);
/// repeats are dropped; order is kept.
pub fn check_events(raw: &[String]) -> Result<Vec<String>, ApiError> {
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    for name in raw {
        let name = name.trim();
        if !EVENT_NAMES.contains(&name) {
            return Err(ApiError::InvalidField { code: "webhook-event-unknown", field: "events" });
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// Who an event is between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// The integration's application id.
    pub app_id: String,
    /// The account as an official account.
    pub oa_id: String,
    /// The citizen's id scoped to the account.
    pub user_id: String,
}

/// A picture or document carried by a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// `image` or `file`.
    pub kind: &'static str,
    /// Where it is downloaded.
    pub url: String,
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: i64,
}

/// What happened, as a webhook event tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happening {
    /// A message, by the citizen (`from_user`) or by the account's side (officer, integration,
    /// bot).
    Message {
        /// Who wrote.
        from_user: bool,
        /// Its stable id.
        msg_id: String,
        /// Its text or caption.
        text: String,
        /// Its attachment.
        attached: Option<Attached>,
    },
    /// The citizen read up to these messages.
    Seen {
        /// The messages' ids.
        msg_ids: Vec<String>,
    },
    /// The citizen followed (`true`) or stopped following the account.
    Follow(bool),
    /// The conversation left this account's inbox for another account's (content-free).
    Transferred,
}

impl Happening {
    /// The event's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Message { from_user, attached, .. } => {
                match (from_user, attached.as_ref().map(|a| a.kind)) {
                    (true, Some("image")) => "user_send_image",
                    (true, Some(_)) => "user_send_file",
                    (true, None) => "user_send_text",
                    (false, Some("image")) => "oa_send_image",
                    (false, Some(_)) => "oa_send_file",
                    (false, None) => "oa_send_text",
                }
            }
            Self::Seen { .. } => "user_seen_message",
            Self::Follow(true) => "follow",
            Self::Follow(false) => "unfollow",
            Self::Transferred => "ketnoi_conversation_transferred",
        }
    }
}

/// The body of an event: the one place its shape is decided.
pub fn body(party: &Party, what: &Happening, at: Timestamp) -> String {
    let (user, oa) = (json!({ "id": party.user_id }), json!({ "id": party.oa_id }));
    let mut event = json!({
        "app_id": party.app_id,
        "event_name": what.name(),
        "timestamp": at.millis().to_string(),
    });
    let extra = match what {
        Happening::Message { from_user, msg_id, text, attached } => {
            let (sender, recipient) = if *from_user { (user, oa) } else { (oa, user) };
            let mut message = json!({ "msg_id": msg_id, "text": text });
            if let Some(a) = attached {
                let payload = match a.kind {
                    "image" => json!({ "url": a.url }),
                    _ => json!({ "url": a.url, "name": a.name, "size": a.size.to_string() }),
                };
                message["attachments"] = json!([{ "type": a.kind, "payload": payload }]);
            }
            json!({
                "sender": sender,
                "recipient": recipient,
                "message": message,
                "user_id_by_app": party.user_id,
            })
        }
        // As the platform sends read receipts: from the account's side, to the user who read
        // (chatwoot's delivery-status service reads the account from `sender.id`).
        Happening::Seen { msg_ids } => json!({
            "sender": oa,
            "recipient": user,
            "message": { "msg_ids": msg_ids },
            "user_id_by_app": party.user_id,
        }),
        Happening::Follow(_) => json!({
            "oa_id": party.oa_id,
            "source": "ketnoi",
            "follower": user,
            "user_id_by_app": party.user_id,
        }),
        Happening::Transferred => json!({
            "oa_id": party.oa_id,
            "user_id_by_app": party.user_id,
        }),
    };
    if let (Value::Object(event), Value::Object(extra)) = (&mut event, extra) {
        event.extend(extra);
    }
    event.to_string()
}

/// `X-ZEvent-Signature`: `mac=` and the lowercase hex SHA-256 of app id, body, timestamp (the
/// body's `timestamp` field) and secret key, concatenated.
pub fn zevent_signature(app_id: &str, body: &str, timestamp: &str, secret: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(app_id.as_bytes());
    digest.update(body.as_bytes());
    digest.update(timestamp.as_bytes());
    digest.update(secret.as_bytes());
    format!("mac={}", hex(&digest.finalize()))
}

/// `webhook-signature` (Standard Webhooks v1): base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
/// under the secret key's bytes.
pub fn standard_signature(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("v1,{signature}")
}

/// The secret key as Standard Webhooks libraries take it: `whsec_` and its bytes in base64.
pub fn whsec(key: &[u8]) -> String {
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key))
}

/// `webhook-id`: the same for an event on every attempt and redelivery.
pub fn webhook_id(event: WebhookEventId) -> String {
    format!("msg_{}", event.0)
}

/// The most of a receiver's answer kept in the log.
const ANSWER_BYTES: usize = 1024;

/// Delivers one recorded event (a job of [`QUEUE`]).
pub struct DeliverJob {
    kernel: Kernel,
    client: reqwest::Client,
}

impl DeliverJob {
    /// A handler sending through the guarded client.
    pub fn new(kernel: Kernel) -> Result<Self, ApiError> {
        let client = webhook_net::client(&kernel.config.webhooks)?;
        Ok(Self { kernel, client })
    }

    /// One POST: the status and the start of the answer, or why there was none.
    async fn post(
        &self,
        url: reqwest::Url,
        headers: Vec<(&'static str, String)>,
        body: String,
    ) -> Result<(u16, String), String> {
        let mut request = self.client.post(url).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let mut response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let mut answer = Vec::new();
        while answer.len() < ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
                _ => break,
            }
        }
        answer.truncate(ANSWER_BYTES);
        Ok((status, String::from_utf8_lossy(&answer).into_owned()))
    }
}

/// A transport error in a few words, with its cause (reqwest's own message hides it).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut why = kind.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        why.push_str(": ");
        why.push_str(&cause.to_string());
        source = cause.source();
    }
    why.chars().take(300).collect()
}

#[async_trait]
impl JobHandler for DeliverJob {
    fn queue(&self) -> &'static str {
        QUEUE
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let Some(id) = job.payload["event"].as_i64().map(WebhookEventId) else {
            return Err(JobError::Fatal("no event in the payload".into()));
        };
        let store = &self.kernel.store;
        let config = &self.kernel.config.webhooks;
        let Some(event) = store.webhook_event(id).await? else { return Ok(()) };
        let Some(hook) = store.webhook(event.integration).await? else { return Ok(()) };
        let integration = store.integration(event.integration).await?;
        let Some(integration) = integration.filter(|i| i.revoked_at.is_none()) else {
            return Ok(());
        };
        if hook.state != WebhookState::On {
            // Held: the event stays recorded until someone redelivers it.
            tracing::debug!(
                event = id.0,
                state = hook.state.as_str(),
                "webhook not on; event held"
            );
            return Ok(());
        }
        let secret = service::secret_of(&self.kernel.config.secret_key, &integration)
            .map_err(|e| JobError::Retry(format!("secret: {e}")))?;
        let timestamp: String = serde_json::from_str::<Value>(&event.body)
            .ok()
            .and_then(|b| b["timestamp"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let webhook_id = webhook_id(id);
        let sent_at = Timestamp::now();
        let unix = sent_at.millis().div_euclid(1000);
        let headers = vec![
            ("content-type", "application/json".to_owned()),
            (
                "x-zevent-signature",
                zevent_signature(&integration.app_id, &event.body, &timestamp, &secret),
            ),
            ("webhook-id", webhook_id.clone()),
            ("webhook-timestamp", unix.to_string()),
            (
                "webhook-signature",
                standard_signature(secret.as_bytes(), &webhook_id, unix, &event.body),
            ),
            ("num_retry", (job.attempt - 1).max(0).to_string()),
        ];
        let started = Instant::now();
        let result = match webhook_net::check_before_sending(&hook.url, config) {
            Ok(url) => self.post(url, headers, event.body.clone()).await,
            Err(why) => Err(why),
        };
        let millis = started.elapsed().as_millis() as i64;
        let (status, answer, error) = match &result {
            Ok((status, answer)) => (Some(i64::from(*status)), answer.clone(), None),
            Err(why) => (None, String::new(), Some(why.clone())),
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        let why = match (&status, &error) {
            (_, Some(e)) => e.clone(),
            (Some(s), None) => format!("HTTP {s}"),
            (None, None) => String::new(),
        };
        let attempt = WebhookDelivery {
            event: id,
            event_name: event.name.clone(),
            attempt: job.attempt,
            at: sent_at,
            status,
            error,
            answer,
            millis,
        };
        let outcome = if delivered {
            AttemptOutcome::Delivered
        } else {
            AttemptOutcome::Failed { last: job.attempt >= job.max_attempts }
        };
        let reason =
            format!("{} failed deliveries in a row; the last: {why}", config.disable_after);
        let state =
            store.record_webhook_attempt(&attempt, outcome, config.disable_after, &reason).await?;
        if delivered {
            return Ok(());
        }
        if state == Some(WebhookState::Disabled) {
            tracing::warn!(integration = hook.integration.0, "webhook disabled after failures");
        }
        let delay = usize::try_from(job.attempt - 1)
            .ok()
            .and_then(|i| config.retry_schedule.get(i).or(config.retry_schedule.last()))
            .copied()
            .unwrap_or(std::time::Duration::from_secs(30));
        Err(JobError::RetryIn(why, delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party() -> Party {
        Party { app_id: "4301".into(), oa_id: "7".into(), user_id: "1234".into() }
    }

    #[test]
    fn a_citizens_text_and_an_officers_reply_point_opposite_ways() {
        let text = Happening::Message {
            from_user: true,
            msg_id: "5.1".into(),
            text: "Xin chào".into(),
            attached: None,
        };
        let told: Value =
            serde_json::from_str(&body(&party(), &text, Timestamp(1_700_000_000_123)))
                .unwrap_or_default();
        assert_eq!(told["event_name"], "user_send_text");
        assert_eq!(told["timestamp"], "1700000000123");
        assert_eq!(
            (&told["sender"]["id"], &told["recipient"]["id"]),
            (&json!("1234"), &json!("7"))
        );
        assert_eq!(told["message"]["text"], "Xin chào");
        let reply = Happening::Message {
            from_user: false,
            msg_id: "5.2".into(),
            text: String::new(),
            attached: Some(Attached {
                kind: "image",
                url: "https://x/a/1".into(),
                name: "a.jpg".into(),
                size: 10,
            }),
        };
        let told: Value =
            serde_json::from_str(&body(&party(), &reply, Timestamp(1))).unwrap_or_default();
        assert_eq!(told["event_name"], "oa_send_image");
        assert_eq!(
            (&told["sender"]["id"], &told["recipient"]["id"]),
            (&json!("7"), &json!("1234"))
        );
        assert_eq!(told["message"]["attachments"][0]["payload"]["url"], "https://x/a/1");
        let follow: Value =
            serde_json::from_str(&body(&party(), &Happening::Follow(true), Timestamp(1)))
                .unwrap_or_default();
        assert_eq!(
            (&follow["event_name"], &follow["follower"]["id"]),
            (&json!("follow"), &json!("1234"))
        );
        assert_eq!(follow["source"], "ketnoi");
    }

    #[test]
    fn signatures_follow_their_formulas() {
        // sha256("app" + "{}" + "1" + "s") computed independently.
        let expected = hex(&Sha256::digest(b"app{}1s"));
        assert_eq!(zevent_signature("app", "{}", "1", "s"), format!("mac={expected}"));
        // The example of the Standard Webhooks specification's reference tests.
        let secret = base64::engine::general_purpose::STANDARD
            .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap_or_default();
        assert_eq!(whsec(&secret), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let signed = standard_signature(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            "{\"test\": 2432232314}",
        );
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn only_known_event_names_are_accepted() {
        let ok = check_events(&["follow".into(), " follow".into(), "oa_send_text".into()]);
        assert_eq!(ok.ok(), Some(vec!["follow".to_owned(), "oa_send_text".to_owned()]));
        assert!(matches!(
            check_events(&["user_send_sticker".into()]),
            Err(ApiError::InvalidField { field: "events", .. })
        ));
    }
}
