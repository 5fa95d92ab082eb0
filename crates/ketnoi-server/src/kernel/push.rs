//! Notifications that reach a browser whose page is closed: Web Push (RFC 8030 delivery,
//! RFC 8291 message encryption by the `web-push-native` crate, RFC 8292 VAPID).
//!
//! The server's VAPID key is derived from its secret key, so every node sharing a database
//! signs alike and nothing more needs storing; changing the secret key ends every subscription
//! (browsers subscribed under the old public key are refused by their push service, answer
//! 404 or 410, and are removed).
//!
//! Sending goes through the job queue: [`Pusher::notify_citizen`] queues a job for a citizen who
//! has subscribed browsers, and a failed delivery to one browser is queued again on its own with
//! a growing delay. A push service's 404 or 410 means the subscription is gone: it is deleted.
//! What a notification says is decided by the feature that sends it; a tip's never says more
//! than that there is a reply.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ketnoi_core::{CitizenId, Timestamp};
use ketnoi_store::{Job, NewJob, PushSubscription, Store};
use p256::ecdsa::{Signature, SigningKey, signature::Signer as _};
use serde::{Deserialize, Serialize};

use crate::kernel::{
    config::Secret,
    jobs::{JobError, JobHandler, Jobs},
};

/// The queue of notifications for one citizen's browsers.
pub const CITIZEN_QUEUE: &str = "push.citizen";
/// The queue of retries to one browser.
pub const ONE_QUEUE: &str = "push.one";
/// How long a push service keeps a notification for a browser that is offline.
const TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a VAPID signature is valid (RFC 8292 allows at most 24 hours).
const VAPID_VALIDITY_SECS: i64 = 12 * 3600;
/// Browsers notified at once.
const CONCURRENCY: usize = 16;

/// What a notification shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The first line (an account's name).
    pub title: String,
    /// The text under it.
    pub body: String,
    /// The page pressing it opens, a path on this site.
    pub url: String,
    /// Notifications with the same tag replace one another on the device.
    pub tag: String,
    /// Delivered at once even to a device saving battery (RFC 8030 `Urgency: high`).
    pub urgent: bool,
}

/// What one push service said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Accepted (201).
    Delivered,
    /// The subscription no longer exists (404, 410): it has been deleted.
    Gone,
    /// Worth trying again: the reason.
    Failed(String),
}

/// Sends Web Push notifications with the server's VAPID key.
pub struct Pusher {
    store: Arc<dyn Store>,
    jobs: Arc<Jobs>,
    client: reqwest::Client,
    key: SigningKey,
    public_key: String,
    contact: String,
    allow_http: bool,
}

impl Pusher {
    /// A sender whose VAPID key derives from `secret`. `allow_http` accepts plain-http push
    /// endpoints (a push service on the same machine, in tests).
    pub fn new(
        store: Arc<dyn Store>,
        jobs: Arc<Jobs>,
        secret: &Secret,
        contact: &str,
        allow_http: bool,
    ) -> anyhow::Result<Self> {
        let key = vapid_key(secret)?;
        let public_key = B64.encode(key.verifying_key().to_encoded_point(false).as_bytes());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("ketnoi")
            .build()?;
        Ok(Self { store, jobs, client, key, public_key, contact: contact.to_owned(), allow_http })
    }

    /// The VAPID public key, base64url of the uncompressed point: what a page passes to
    /// `pushManager.subscribe` as `applicationServerKey`.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// Whether an endpoint is one this server will send to: https (or http when allowed), a
    /// host, no credentials, at most 2000 characters.
    pub fn accepts_endpoint(&self, endpoint: &str) -> bool {
        let Ok(url) = reqwest::Url::parse(endpoint) else { return false };
        let scheme_ok = url.scheme() == "https" || (self.allow_http && url.scheme() == "http");
        scheme_ok
            && url.host_str().is_some()
            && url.username().is_empty()
            && url.password().is_none()
            && endpoint.len() <= 2000
    }

    /// Queues a notification for a citizen's browsers, if they have any.
    pub async fn notify_citizen(&self, citizen: CitizenId, notification: &Notification) {
        match self.store.push_subscriptions(citizen).await {
            Ok(subs) if subs.is_empty() => {}
            Ok(_) => {
                let job = NewJob {
                    queue: CITIZEN_QUEUE.to_owned(),
                    payload: serde_json::json!({ "citizen": citizen.0, "notification": notification }),
                    run_at: Timestamp::now(),
                    max_attempts: 5,
                };
                if let Err(e) = self.store.enqueue(&job).await {
                    tracing::warn!(error = ?e, "could not queue a notification");
                }
                self.jobs.wake();
            }
            Err(e) => tracing::warn!(error = ?e, "could not read push subscriptions"),
        }
    }

    /// Sends to many browsers, a few at a time; a browser that failed is retried on its own.
    pub async fn send_all(&self, subs: &[PushSubscription], notification: &Notification) {
        let mut outcomes = Vec::with_capacity(subs.len());
        for chunk in subs.chunks(CONCURRENCY) {
            let sent = futures_util::future::join_all(
                chunk.iter().map(|sub| self.send(sub, notification)),
            );
            outcomes.extend(sent.await);
        }
        for (sub, outcome) in subs.iter().zip(outcomes) {
            if let PushOutcome::Failed(why) = outcome {
                tracing::info!(reason = %why, "push delivery failed; will retry");
                let job = NewJob {
                    queue: ONE_QUEUE.to_owned(),
                    payload: serde_json::json!({
                        "citizen": sub.citizen.0, "endpoint": sub.endpoint, "notification": notification,
                    }),
                    run_at: Timestamp::now().plus_millis(5_000),
                    max_attempts: 6,
                };
                if let Err(e) = self.store.enqueue(&job).await {
                    tracing::warn!(error = ?e, "could not queue a push retry");
                }
            }
        }
    }

    /// Encrypts and sends one notification to one browser.
    pub async fn send(&self, sub: &PushSubscription, notification: &Notification) -> PushOutcome {
        let request = match self.request(sub, notification) {
            Ok(r) => r,
            Err(why) => {
                // A subscription whose keys or address cannot be used will never work.
                tracing::info!(reason = %why, "unusable push subscription removed");
                let _ = self.store.delete_push_subscription(&sub.endpoint).await;
                return PushOutcome::Gone;
            }
        };
        match self.client.execute(request).await {
            Ok(answer) => match answer.status().as_u16() {
                200..=299 => PushOutcome::Delivered,
                404 | 410 => {
                    if let Err(e) = self.store.delete_push_subscription(&sub.endpoint).await {
                        tracing::warn!(error = ?e, "could not remove an expired push subscription");
                    }
                    PushOutcome::Gone
                }
                status => PushOutcome::Failed(format!("push service answered {status}")),
            },
            // The endpoint is a URL the browser chose: its errors may name hosts, not people.
            Err(e) => PushOutcome::Failed(format!("push service unreachable: {}", e.without_url())),
        }
    }

    fn request(
        &self,
        sub: &PushSubscription,
        notification: &Notification,
    ) -> Result<reqwest::Request, String> {
        if !self.accepts_endpoint(&sub.endpoint) {
            return Err("endpoint not accepted".to_owned());
        }
        let endpoint: http::Uri = sub.endpoint.parse().map_err(|_| "endpoint is not a URI")?;
        let ua_public = B64
            .decode(sub.p256dh.trim_end_matches('='))
            .ok()
            .and_then(|b| p256::PublicKey::from_sec1_bytes(&b).ok())
            .ok_or("p256dh is not a P-256 public key")?;
        let auth = B64
            .decode(sub.auth.trim_end_matches('='))
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or("auth is not 16 bytes")?;
        let body = serde_json::to_vec(notification).map_err(|e| e.to_string())?;
        let built = web_push_native::WebPushBuilder::new(
            endpoint,
            ua_public,
            *web_push_native::Auth::from_slice(&auth),
        )
        .with_valid_duration(TTL)
        .build(body)
        .map_err(|e| format!("encryption failed: {e}"))?;
        let (parts, payload) = built.into_parts();
        let audience = audience_of(&sub.endpoint).ok_or("endpoint has no origin")?;
        let jwt = self.vapid_token(&audience)?;
        let mut request = self
            .client
            .post(sub.endpoint.as_str())
            .header("Authorization", format!("vapid t={jwt}, k={}", self.public_key))
            .header("Urgency", if notification.urgent { "high" } else { "normal" })
            .body(payload);
        for (name, value) in &parts.headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        request.build().map_err(|e| e.without_url().to_string())
    }

    /// A VAPID JWT (ES256) for a push service's origin.
    fn vapid_token(&self, audience: &str) -> Result<String, String> {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let exp = Timestamp::now().millis() / 1000 + VAPID_VALIDITY_SECS;
        let claims = serde_json::json!({ "aud": audience, "exp": exp, "sub": self.contact });
        let claims = B64.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        Ok(format!("{signing_input}.{}", B64.encode(signature.to_bytes())))
    }
}

/// `https://host[:port]` of an endpoint: the JWT's audience.
fn audience_of(endpoint: &str) -> Option<String> {
    let url = reqwest::Url::parse(endpoint).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// The P-256 signing key derived from the server's secret (HKDF-SHA-256).
fn vapid_key(secret: &Secret) -> anyhow::Result<SigningKey> {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"ketnoi web push"), secret.expose().as_bytes());
    // A 32-byte string is a valid scalar but for a chance of about 2^-32; try the next one if not.
    for counter in 0u8..8 {
        let mut bytes = [0u8; 32];
        hk.expand(&[b"vapid p-256 v1 ", &[counter][..]].concat(), &mut bytes)
            .map_err(|_| anyhow::anyhow!("hkdf expand"))?;
        if let Ok(key) = SigningKey::from_bytes(&bytes.into()) {
            return Ok(key);
        }
    }
    anyhow::bail!("could not derive a VAPID key")
}

fn payload_notification(job: &Job) -> Result<Notification, JobError> {
    job.payload
        .get("notification")
        .cloned()
        .and_then(|n| serde_json::from_value(n).ok())
        .ok_or_else(|| JobError::Fatal("payload has no notification".to_owned()))
}

fn payload_citizen(job: &Job) -> Result<CitizenId, JobError> {
    job.payload
        .get("citizen")
        .and_then(serde_json::Value::as_i64)
        .map(CitizenId)
        .ok_or_else(|| JobError::Fatal("payload names no citizen".to_owned()))
}

/// Sends a notification to every browser of one citizen.
pub struct CitizenPushJob(pub Arc<Pusher>);

#[async_trait]
impl JobHandler for CitizenPushJob {
    fn queue(&self) -> &'static str {
        CITIZEN_QUEUE
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let notification = payload_notification(job)?;
        let citizen = payload_citizen(job)?;
        let subs = self
            .0
            .store
            .push_subscriptions(citizen)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        self.0.send_all(&subs, &notification).await;
        Ok(())
    }
}

/// Tries one browser again.
pub struct OnePushJob(pub Arc<Pusher>);

#[async_trait]
impl JobHandler for OnePushJob {
    fn queue(&self) -> &'static str {
        ONE_QUEUE
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let notification = payload_notification(job)?;
        let citizen = payload_citizen(job)?;
        let endpoint = job.payload.get("endpoint").and_then(serde_json::Value::as_str);
        let subs = self
            .0
            .store
            .push_subscriptions(citizen)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        // Unsubscribed in the meantime: nothing to do.
        let Some(sub) = subs.iter().find(|s| Some(s.endpoint.as_str()) == endpoint) else {
            return Ok(());
        };
        match self.0.send(sub, &notification).await {
            PushOutcome::Delivered | PushOutcome::Gone => Ok(()),
            PushOutcome::Failed(why) => Err(JobError::Retry(why)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::{VerifyingKey, signature::Verifier as _};

    #[test]
    fn the_vapid_key_is_stable_for_a_secret_and_signs_verifiable_tokens() {
        let secret = Secret::new("a secret key of at least thirty-two characters");
        let a = vapid_key(&secret).unwrap_or_else(|e| panic!("{e}"));
        let b = vapid_key(&secret).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.to_bytes(), b.to_bytes());
        let other = vapid_key(&Secret::new("another secret key of thirty-two characters"));
        assert_ne!(other.map(|k| k.to_bytes()).ok(), Some(a.to_bytes()));
        let public = a.verifying_key().to_encoded_point(false);
        assert_eq!(public.as_bytes().len(), 65);
        let signature: Signature = a.sign(b"header.claims");
        let verifier =
            VerifyingKey::from_sec1_bytes(public.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert!(verifier.verify(b"header.claims", &signature).is_ok());
    }

    #[test]
    fn the_audience_is_the_endpoints_origin() {
        assert_eq!(
            audience_of("https://fcm.googleapis.com/fcm/send/abc").as_deref(),
            Some("https://fcm.googleapis.com")
        );
        assert_eq!(
            audience_of("http://localhost:8990/notify/x").as_deref(),
            Some("http://localhost:8990")
        );
        assert_eq!(audience_of("not a url"), None);
    }
}
