//! Webhooks (issue 19): the endpoint's cursor over the inbox moves by compare-and-set in the
//! transaction that records events and their delivery jobs; attempts are logged, failures
//! counted until the endpoint is disabled; any event can be queued again.

use ketnoi_core::{IntegrationId, Scope, Scopes, Timestamp};
use ketnoi_store::*;

use super::chat::{apply, citizen_send, fixture};

async fn integration(s: &dyn Store, account: ketnoi_core::AccountId, app: &str) -> IntegrationId {
    let new = NewIntegration {
        app_id: app.to_owned(),
        account,
        name: "Phần mềm một cửa".into(),
        scopes: Scopes::of([Scope::Webhooks]).unwrap_or_else(|e| panic!("{e}")),
        secret_sealed: "secret".into(),
        created_by: None,
        created_at: Timestamp::now(),
    };
    s.create_integration(&new).await.unwrap_or_else(|e| panic!("{e}")).id
}

fn events(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn new_event(name: &str, body: &str) -> NewWebhookEvent {
    NewWebhookEvent { name: name.to_owned(), body: body.to_owned() }
}

fn attempt(event: WebhookEventId, n: i64, status: Option<i64>) -> WebhookDelivery {
    WebhookDelivery {
        event,
        event_name: String::new(),
        attempt: n,
        at: Timestamp::now(),
        status,
        error: status.is_none().then(|| "connection refused".to_owned()),
        answer: "x".repeat(3000),
        millis: 12,
    }
}

async fn a_new_webhook_starts_at_the_inbox_head_and_its_cursor_moves_only_by_compare_and_set(
    s: &dyn Store,
) {
    let f = fixture(s).await;
    apply(s, &[citizen_send(&f, &f.account, "w-1", "Trước khi có webhook")]).await;
    apply(s, &[citizen_send(&f, &f.account, "w-2", "Vẫn trước")]).await;
    let app = integration(s, f.account.id, "app-1").await;
    let hook = s
        .put_webhook(
            app,
            "https://hooks.example.vn/k",
            &events(&["user_send_text"]),
            true,
            Timestamp::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (head, _) = s.inbox_bounds(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(head >= 2);
    assert_eq!(hook.inbox_cursor, head, "no replay of what came before");
    assert_eq!((hook.state, hook.failures, hook.account), (WebhookState::On, 0, f.account.id));
    assert_eq!(hook.events, vec!["user_send_text".to_owned()]);
    assert_eq!(s.active_webhooks().await.map(|w| w.len()).ok(), Some(1));

    // One node records two events and their jobs, moving the cursor.
    let batch =
        [new_event("user_send_text", "{\"a\":1}"), new_event("user_send_text", "{\"a\":2}")];
    let done = s
        .record_webhook_events(
            app,
            Some((head, head + 3)),
            &batch,
            "webhook.deliver",
            6,
            Timestamp::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the cursor was at the head"));
    assert_eq!(done.len(), 2);
    // A second node that read the same cursor records nothing: no duplicates.
    let again = s
        .record_webhook_events(
            app,
            Some((head, head + 3)),
            &batch,
            "webhook.deliver",
            6,
            Timestamp::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.is_none());
    let listed = s.webhook_events(app, None, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.len(), 2, "no event recorded twice");
    assert_eq!(listed[0].body, "{\"a\":2}", "newest first");
    assert_eq!(listed[0].state, WebhookEventState::Pending);
    assert_eq!(s.webhook(app).await.ok().flatten().map(|w| w.inbox_cursor), Some(head + 3));

    // The jobs were enqueued with the events, each naming its event.
    for (event, job) in &done {
        let job = s.job(*job).await.ok().flatten().unwrap_or_else(|| panic!("no job"));
        assert_eq!(job.queue, "webhook.deliver");
        assert_eq!(job.max_attempts, 6);
        assert_eq!(job.payload["event"].as_i64(), Some(event.0));
    }
    let older = s.webhook_events(app, Some(listed[0].id), 10).await.unwrap_or_default();
    assert_eq!(older.iter().map(|e| e.id).collect::<Vec<_>>(), vec![listed[1].id]);

    // Events without a cursor (a follow) are recorded as they come.
    let follow = s
        .record_webhook_events(
            app,
            None,
            &[new_event("follow", "{}")],
            "webhook.deliver",
            6,
            Timestamp::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(follow.map(|f| f.len()), Some(1));
}

async fn a_refused_cas_leaves_no_event_and_no_job(s: &dyn Store) {
    let f = fixture(s).await;
    let app = integration(s, f.account.id, "app-2").await;
    s.put_webhook(app, "https://h.example.vn", &events(&["follow"]), true, Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stale = s
        .record_webhook_events(
            app,
            Some((7, 9)),
            &[new_event("follow", "{}")],
            "webhook.deliver",
            6,
            Timestamp::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(stale.is_none());
    assert!(s.webhook_events(app, None, 10).await.unwrap_or_default().is_empty());
    assert!(s.lease("webhook.deliver", Timestamp::now(), 1000).await.ok().flatten().is_none());
    // A webhook for an integration that does not exist is refused.
    let missing = s
        .put_webhook(IntegrationId(9999), "https://h.example.vn", &[], true, Timestamp::now())
        .await;
    assert!(matches!(missing, Err(StoreError::MissingReference(_))), "{missing:?}");
}

async fn failures_in_a_row_disable_the_endpoint_and_turning_it_on_starts_again_at_the_head(
    s: &dyn Store,
) {
    let f = fixture(s).await;
    let app = integration(s, f.account.id, "app-3").await;
    s.put_webhook(
        app,
        "https://h.example.vn",
        &events(&["user_send_text"]),
        true,
        Timestamp::now(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorded = s
        .record_webhook_events(
            app,
            None,
            &[new_event("user_send_text", "{}"), new_event("user_send_text", "{}")],
            "webhook.deliver",
            2,
            Timestamp::now(),
        )
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let (first, second) = (recorded[0].0, recorded[1].0);
    let fail = |n, last| async move {
        s.record_webhook_attempt(
            &attempt(first, n, Some(500)),
            AttemptOutcome::Failed { last },
            3,
            "500 ba lần",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(fail(1, false).await, Some(WebhookState::On));
    // A delivery in between starts the count again.
    let ok = s
        .record_webhook_attempt(&attempt(second, 1, Some(200)), AttemptOutcome::Delivered, 3, "")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok, Some(WebhookState::On));
    assert_eq!(s.webhook(app).await.ok().flatten().map(|w| w.failures), Some(0));
    let delivered = s.webhook_event(second).await.ok().flatten();
    assert_eq!(delivered.as_ref().map(|e| e.state), Some(WebhookEventState::Delivered));
    assert!(delivered.and_then(|e| e.delivered_at).is_some());
    assert_eq!(fail(2, false).await, Some(WebhookState::On));
    assert_eq!(fail(3, false).await, Some(WebhookState::On));
    assert_eq!(fail(4, true).await, Some(WebhookState::Disabled));
    let hook = s.webhook(app).await.ok().flatten().unwrap_or_else(|| panic!("no webhook"));
    assert_eq!(hook.state, WebhookState::Disabled);
    assert_eq!(hook.disabled_reason.as_deref(), Some("500 ba lần"));
    assert!(hook.disabled_at.is_some());
    assert!(s.active_webhooks().await.unwrap_or_default().is_empty());
    assert_eq!(
        s.webhook_event(first).await.ok().flatten().map(|e| e.state),
        Some(WebhookEventState::Failed)
    );

    // The log, newest first, keeps the start of each answer.
    let log = s.webhook_deliveries(app, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log.len(), 5);
    assert_eq!((log[0].event, log[0].attempt, log[0].status), (first, 4, Some(500)));
    assert_eq!(log[0].event_name, "user_send_text");
    assert_eq!(log[0].answer.chars().count(), 1024);
    assert_eq!(log[4].status, Some(500));

    // Turned on again: no failures, no notice, and the cursor at the inbox's head.
    apply(s, &[citizen_send(&f, &f.account, "w-9", "Trong lúc tắt")]).await;
    let (head, _) = s.inbox_bounds(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    let on = s
        .put_webhook(app, "https://h.example.vn/2", &events(&["follow"]), true, Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((on.state, on.failures, on.inbox_cursor), (WebhookState::On, 0, head));
    assert!(on.disabled_reason.is_none() && on.disabled_at.is_none());
    let off = s
        .put_webhook(app, "https://h.example.vn/2", &events(&["follow"]), false, Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(off.state, WebhookState::Off);
}

async fn redelivery_queues_the_same_event_again(s: &dyn Store) {
    let f = fixture(s).await;
    let app = integration(s, f.account.id, "app-4").await;
    s.put_webhook(app, "https://h.example.vn", &events(&["follow"]), true, Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let t0 = Timestamp::now();
    let recorded = s
        .record_webhook_events(
            app,
            None,
            &[new_event("follow", "{\"x\":1}")],
            "webhook.deliver",
            6,
            t0,
        )
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let (event, first_job) = recorded[0];
    let job = s.lease("webhook.deliver", t0, 1000).await.ok().flatten();
    assert_eq!(job.as_ref().map(|j| j.id), Some(first_job));
    s.complete(first_job, 1).await.unwrap_or_else(|e| panic!("{e}"));
    s.record_webhook_attempt(&attempt(event, 1, Some(204)), AttemptOutcome::Delivered, 3, "")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = s
        .redeliver_webhook_event(event, "webhook.deliver", 6, t0)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the event exists"));
    assert_ne!(again, first_job);
    let job = s.lease("webhook.deliver", t0, 1000).await.ok().flatten();
    assert_eq!(
        job.as_ref().map(|j| (j.id, j.payload["event"].as_i64())),
        Some((again, Some(event.0)))
    );
    let stored = s.webhook_event(event).await.ok().flatten();
    assert_eq!(stored.as_ref().map(|e| e.state), Some(WebhookEventState::Pending));
    assert_eq!(stored.map(|e| e.body), Some("{\"x\":1}".to_owned()), "the same body");
    let missing = s.redeliver_webhook_event(WebhookEventId(424242), "webhook.deliver", 6, t0).await;
    assert!(matches!(missing, Ok(None)));
}

conformance!(
    a_new_webhook_starts_at_the_inbox_head_and_its_cursor_moves_only_by_compare_and_set,
    a_refused_cas_leaves_no_event_and_no_job,
    failures_in_a_row_disable_the_endpoint_and_turning_it_on_starts_again_at_the_head,
    redelivery_queues_the_same_event_again,
);
