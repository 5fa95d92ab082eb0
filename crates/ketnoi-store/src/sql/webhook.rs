//! [`crate::WebhookStore`] per backend.

use ketnoi_core::{AccountId, IntegrationId, Timestamp};

use crate::{
    StoreError, Webhook, WebhookDelivery, WebhookEvent, WebhookEventId, WebhookEventState,
    WebhookState,
};

/// The columns read for a [`Webhook`], from `webhooks w JOIN integrations i`.
pub(crate) const WEBHOOK_COLUMNS: &str = "w.integration_id, i.account_id, w.url, w.events, \
     w.state, w.failures, w.disabled_at, w.disabled_reason, w.inbox_cursor, w.updated_at";

/// A webhook's row.
pub(crate) type WebhookRow =
    (i64, i64, String, String, String, i64, Option<i64>, Option<String>, i64, i64);

fn decode(what: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.into()))
}

/// A webhook from its row.
pub(crate) fn webhook(
    (integration, account, url, events, state, failures, disabled_at, reason, cursor, at): WebhookRow,
) -> crate::Result<Webhook> {
    let events: Vec<String> = serde_json::from_str(&events)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
    Ok(Webhook {
        integration: IntegrationId(integration),
        account: AccountId(account),
        url,
        events,
        state: WebhookState::parse(&state)
            .ok_or_else(|| decode(format!("webhook state {state:?}")))?,
        failures,
        disabled_at: disabled_at.map(Timestamp),
        disabled_reason: reason,
        inbox_cursor: cursor,
        updated_at: Timestamp(at),
    })
}

/// The columns read for a [`WebhookEvent`].
pub(crate) const EVENT_COLUMNS: &str =
    "id, integration_id, event_name, body, created_at, delivered_at, state";

/// An event's row.
pub(crate) type EventRow = (i64, i64, String, String, i64, Option<i64>, String);

/// An event from its row.
pub(crate) fn event(
    (id, integration, name, body, at, delivered, state): EventRow,
) -> crate::Result<WebhookEvent> {
    Ok(WebhookEvent {
        id: WebhookEventId(id),
        integration: IntegrationId(integration),
        name,
        body,
        created_at: Timestamp(at),
        delivered_at: delivered.map(Timestamp),
        state: WebhookEventState::parse(&state)
            .ok_or_else(|| decode(format!("webhook event state {state:?}")))?,
    })
}

/// A delivery's row, joined with its event's name.
pub(crate) type DeliveryRow = (i64, String, i64, i64, Option<i64>, Option<String>, String, i64);

/// A delivery from its row.
pub(crate) fn delivery(
    (event, name, attempt, at, status, error, answer, millis): DeliveryRow,
) -> WebhookDelivery {
    WebhookDelivery {
        event: WebhookEventId(event),
        event_name: name,
        attempt,
        at: Timestamp(at),
        status,
        error,
        answer,
        millis,
    }
}

/// The job that delivers an event.
pub(crate) const INSERT_JOB: &str = "INSERT INTO jobs (queue, payload, state, attempts, \
     max_attempts, run_at, created_at, updated_at) VALUES ($1, $2, 'ready', 0, $3, $4, $4, $4) \
     RETURNING id";

/// A job's payload naming an event.
pub(crate) fn job_payload(id: i64) -> String {
    serde_json::json!({ "event": id }).to_string()
}

macro_rules! impl_webhook {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::WebhookStore for $store {
            async fn put_webhook(
                &self,
                integration: ketnoi_core::IntegrationId,
                url: &str,
                events: &[String],
                on: bool,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::Webhook> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let account: Option<i64> =
                    sqlx::query_scalar("SELECT account_id FROM integrations WHERE id = $1")
                        .bind(integration.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(account) = account else {
                    tx.rollback().await?;
                    return Err($crate::StoreError::MissingReference("integration"));
                };
                let head: Option<i64> =
                    sqlx::query_scalar("SELECT last_seq FROM inbox_heads WHERE account_id = $1")
                        .bind(account)
                        .fetch_optional(&mut *tx)
                        .await?;
                let head = head.unwrap_or(0);
                let sql = format!(
                    "SELECT state FROM webhooks WHERE integration_id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let before: Option<String> = sqlx::query_scalar(&sql)
                    .bind(integration.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                let events = serde_json::to_string(events)
                    .map_err(|e| $crate::StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
                let state = if on { "on" } else { "off" };
                match before.as_deref() {
                    None => {
                        sqlx::query(
                            "INSERT INTO webhooks (integration_id, url, events, state, failures, \
                             inbox_cursor, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $6)",
                        )
                        .bind(integration.0)
                        .bind(url)
                        .bind(&events)
                        .bind(state)
                        .bind(head)
                        .bind(at.millis())
                        .execute(&mut *tx)
                        .await?;
                    }
                    Some("on") if on => {
                        sqlx::query(
                            "UPDATE webhooks SET url = $2, events = $3, updated_at = $4 \
                             WHERE integration_id = $1",
                        )
                        .bind(integration.0)
                        .bind(url)
                        .bind(&events)
                        .bind(at.millis())
                        .execute(&mut *tx)
                        .await?;
                    }
                    Some(_) => {
                        // Turned on (again): from the inbox's head, no failures, no notice.
                        // Turned or left off: the notice of a disabling goes with it.
                        sqlx::query(
                            "UPDATE webhooks SET url = $2, events = $3, state = $4, \
                             failures = CASE WHEN $4 = 'on' THEN 0 ELSE failures END, \
                             disabled_at = NULL, disabled_reason = NULL, \
                             inbox_cursor = CASE WHEN $4 = 'on' THEN $5 ELSE inbox_cursor END, \
                             updated_at = $6 WHERE integration_id = $1",
                        )
                        .bind(integration.0)
                        .bind(url)
                        .bind(&events)
                        .bind(state)
                        .bind(head)
                        .bind(at.millis())
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                self.webhook(integration).await?.ok_or($crate::StoreError::NotFound("webhook"))
            }

            async fn webhook(
                &self,
                integration: ketnoi_core::IntegrationId,
            ) -> $crate::Result<Option<$crate::Webhook>> {
                let sql = format!(
                    "SELECT {} FROM webhooks w JOIN integrations i ON i.id = w.integration_id \
                     WHERE w.integration_id = $1",
                    $crate::sql::webhook::WEBHOOK_COLUMNS
                );
                let row: Option<$crate::sql::webhook::WebhookRow> =
                    sqlx::query_as(&sql).bind(integration.0).fetch_optional(&self.pool).await?;
                row.map($crate::sql::webhook::webhook).transpose()
            }

            async fn active_webhooks(&self) -> $crate::Result<Vec<$crate::Webhook>> {
                let sql = format!(
                    "SELECT {} FROM webhooks w JOIN integrations i ON i.id = w.integration_id \
                     WHERE w.state = 'on' AND i.revoked_at IS NULL ORDER BY w.integration_id",
                    $crate::sql::webhook::WEBHOOK_COLUMNS
                );
                let rows: Vec<$crate::sql::webhook::WebhookRow> =
                    sqlx::query_as(&sql).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::sql::webhook::webhook).collect()
            }

            async fn record_webhook_events(
                &self,
                integration: ketnoi_core::IntegrationId,
                cursor: Option<(i64, i64)>,
                events: &[$crate::NewWebhookEvent],
                queue: &str,
                max_attempts: i64,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<Vec<($crate::WebhookEventId, $crate::JobId)>>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                if let Some((old, new)) = cursor {
                    let moved = sqlx::query(
                        "UPDATE webhooks SET inbox_cursor = $3 \
                         WHERE integration_id = $1 AND inbox_cursor = $2",
                    )
                    .bind(integration.0)
                    .bind(old)
                    .bind(new)
                    .execute(&mut *tx)
                    .await?;
                    if moved.rows_affected() != 1 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                }
                let mut recorded = Vec::with_capacity(events.len());
                for event in events {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO webhook_events (integration_id, event_name, body, \
                         created_at, state) VALUES ($1, $2, $3, $4, 'pending') RETURNING id",
                    )
                    .bind(integration.0)
                    .bind(&event.name)
                    .bind(&event.body)
                    .bind(at.millis())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::error::classify("integration"))?;
                    let job: i64 = sqlx::query_scalar($crate::sql::webhook::INSERT_JOB)
                        .bind(queue)
                        .bind($crate::sql::webhook::job_payload(id))
                        .bind(max_attempts.max(1))
                        .bind(at.millis())
                        .fetch_one(&mut *tx)
                        .await?;
                    recorded.push(($crate::WebhookEventId(id), $crate::JobId(job)));
                }
                tx.commit().await?;
                Ok(Some(recorded))
            }

            async fn webhook_event(
                &self,
                id: $crate::WebhookEventId,
            ) -> $crate::Result<Option<$crate::WebhookEvent>> {
                let sql = format!(
                    "SELECT {} FROM webhook_events WHERE id = $1",
                    $crate::sql::webhook::EVENT_COLUMNS
                );
                let row: Option<$crate::sql::webhook::EventRow> =
                    sqlx::query_as(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.map($crate::sql::webhook::event).transpose()
            }

            async fn webhook_events(
                &self,
                integration: ketnoi_core::IntegrationId,
                before: Option<$crate::WebhookEventId>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::WebhookEvent>> {
                let sql = format!(
                    "SELECT {} FROM webhook_events WHERE integration_id = $1 AND id < $2 \
                     ORDER BY id DESC LIMIT $3",
                    $crate::sql::webhook::EVENT_COLUMNS
                );
                let rows: Vec<$crate::sql::webhook::EventRow> = sqlx::query_as(&sql)
                    .bind(integration.0)
                    .bind(before.map_or(i64::MAX, |b| b.0))
                    .bind(limit.clamp(1, 1000))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::sql::webhook::event).collect()
            }

            async fn record_webhook_attempt(
                &self,
                attempt: &$crate::WebhookDelivery,
                outcome: $crate::AttemptOutcome,
                disable_after: i64,
                reason: &str,
            ) -> $crate::Result<Option<$crate::WebhookState>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let integration: Option<i64> =
                    sqlx::query_scalar("SELECT integration_id FROM webhook_events WHERE id = $1")
                        .bind(attempt.event.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(integration) = integration else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let answer: String = attempt.answer.chars().take(1024).collect();
                let error: Option<String> =
                    attempt.error.as_ref().map(|e| e.chars().take(500).collect());
                sqlx::query(
                    "INSERT INTO webhook_deliveries (event_id, attempt, at, status, error, \
                     answer, millis) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(attempt.event.0)
                .bind(attempt.attempt)
                .bind(attempt.at.millis())
                .bind(attempt.status)
                .bind(error)
                .bind(answer)
                .bind(attempt.millis)
                .execute(&mut *tx)
                .await?;
                match outcome {
                    $crate::AttemptOutcome::Delivered => {
                        sqlx::query(
                            "UPDATE webhook_events SET state = 'delivered', \
                             delivered_at = COALESCE(delivered_at, $2) WHERE id = $1",
                        )
                        .bind(attempt.event.0)
                        .bind(attempt.at.millis())
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("UPDATE webhooks SET failures = 0 WHERE integration_id = $1")
                            .bind(integration)
                            .execute(&mut *tx)
                            .await?;
                    }
                    $crate::AttemptOutcome::Failed { last } => {
                        if last {
                            sqlx::query(
                                "UPDATE webhook_events SET state = 'failed' \
                                 WHERE id = $1 AND state = 'pending'",
                            )
                            .bind(attempt.event.0)
                            .execute(&mut *tx)
                            .await?;
                        }
                        sqlx::query(
                            "UPDATE webhooks SET failures = failures + 1 WHERE integration_id = $1",
                        )
                        .bind(integration)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE webhooks SET state = 'disabled', disabled_at = $3, \
                             disabled_reason = $4, updated_at = $3 \
                             WHERE integration_id = $1 AND state = 'on' AND failures >= $2",
                        )
                        .bind(integration)
                        .bind(disable_after.max(1))
                        .bind(attempt.at.millis())
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                let state: Option<String> =
                    sqlx::query_scalar("SELECT state FROM webhooks WHERE integration_id = $1")
                        .bind(integration)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.commit().await?;
                Ok(state.as_deref().and_then($crate::WebhookState::parse))
            }

            async fn webhook_deliveries(
                &self,
                integration: ketnoi_core::IntegrationId,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::WebhookDelivery>> {
                let rows: Vec<$crate::sql::webhook::DeliveryRow> = sqlx::query_as(
                    "SELECT d.event_id, e.event_name, d.attempt, d.at, d.status, d.error, \
                     d.answer, d.millis FROM webhook_deliveries d \
                     JOIN webhook_events e ON e.id = d.event_id \
                     WHERE e.integration_id = $1 ORDER BY d.id DESC LIMIT $2",
                )
                .bind(integration.0)
                .bind(limit.clamp(1, 1000))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map($crate::sql::webhook::delivery).collect())
            }

            async fn redeliver_webhook_event(
                &self,
                id: $crate::WebhookEventId,
                queue: &str,
                max_attempts: i64,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<$crate::JobId>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let found = sqlx::query("UPDATE webhook_events SET state = 'pending' WHERE id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                if found.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let job: i64 = sqlx::query_scalar($crate::sql::webhook::INSERT_JOB)
                    .bind(queue)
                    .bind($crate::sql::webhook::job_payload(id.0))
                    .bind(max_attempts.max(1))
                    .bind(at.millis())
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some($crate::JobId(job)))
            }
        }
    };
}
pub(crate) use impl_webhook;
