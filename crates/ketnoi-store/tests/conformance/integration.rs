//! Integrations (issue 19): app ids unique, tokens by hash, a refresh token used once, revoking
//! ends every token, user ids per account, followers paged and filtered by tag.

use ketnoi_core::{IntegrationId, MessageKind, Scope, Scopes, Tag, Timestamp};
use ketnoi_store::*;

use super::chat::fixture;

fn new(account: ketnoi_core::AccountId, app_id: &str) -> NewIntegration {
    NewIntegration {
        app_id: app_id.to_owned(),
        account,
        name: "Một cửa".to_owned(),
        scopes: Scopes::of([Scope::Message, Scope::Webhooks]).unwrap_or_default(),
        secret_sealed: "v1.sealed".to_owned(),
        created_by: None,
        created_at: Timestamp(1_000),
    }
}

fn grant(hash: &str, at: i64) -> TokenGrant {
    TokenGrant { hash: hash.to_owned(), expires_at: Timestamp(at) }
}

async fn integrations_keep_tokens_by_hash_use_refresh_tokens_once_and_revoke_everything(
    s: &dyn Store,
) {
    let f = fixture(s).await;
    let made = s.create_integration(&new(f.account.id, "1000000000000000001")).await;
    let made = made.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(made.scopes.to_stored(), "message,webhooks");
    let clash = s.create_integration(&new(f.other_account.id, "1000000000000000001")).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    assert_eq!(
        s.integration_by_app_id("1000000000000000001").await.ok().flatten(),
        Some(made.clone())
    );
    assert_eq!(s.integrations_of(f.account.id).await.ok().map(|l| l.len()), Some(1));
    assert_eq!(s.integrations_of(f.other_account.id).await.ok().map(|l| l.len()), Some(0));

    let now = Timestamp(10_000);
    s.put_integration_tokens(made.id, &grant("a1", 20_000), &grant("r1", 90_000), true, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let found = s.integration_token("a1").await.ok().flatten();
    assert_eq!(
        found.as_ref().map(|f| (f.kind, f.expires_at)),
        Some((TokenKind::Access, Timestamp(20_000)))
    );
    assert_eq!(s.integration_token("nope").await.ok().flatten().map(|f| f.kind), None);
    // A refresh token works once, only for its own integration, only before it expires.
    assert!(!s.take_refresh_token(IntegrationId(made.id.0 + 1), "r1", now).await.unwrap_or(true));
    assert!(!s.take_refresh_token(made.id, "a1", now).await.unwrap_or(true), "not an access token");
    assert!(!s.take_refresh_token(made.id, "r1", Timestamp(90_000)).await.unwrap_or(true));
    assert!(s.take_refresh_token(made.id, "r1", now).await.unwrap_or(false));
    assert!(!s.take_refresh_token(made.id, "r1", now).await.unwrap_or(true));
    // A new pair beside the old access token; replacing drops both earlier ones.
    s.put_integration_tokens(made.id, &grant("a2", 20_000), &grant("r2", 90_000), false, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(s.integration_token("a1").await.ok().flatten().is_some());
    s.put_integration_tokens(made.id, &grant("a3", 20_000), &grant("r3", 90_000), true, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(s.integration_token("a1").await.ok().flatten().is_none());
    assert!(s.integration_token("r2").await.ok().flatten().is_none());
    assert_eq!(s.purge_integration_tokens(Timestamp(50_000)).await.ok(), Some(1), "a3 expired");
    // Rotating the secret; revoking ends every token and refuses a new secret.
    assert!(s.set_integration_secret(made.id, "v1.other").await.unwrap_or(false));
    assert!(s.revoke_integration(made.id, Timestamp(60_000)).await.unwrap_or(false));
    assert!(!s.revoke_integration(made.id, Timestamp(61_000)).await.unwrap_or(true));
    assert!(s.integration_token("r3").await.ok().flatten().is_none());
    assert!(!s.set_integration_secret(made.id, "v1.again").await.unwrap_or(true));
    let after = s.integration(made.id).await.ok().flatten();
    assert_eq!(
        after.map(|i| (i.revoked_at, i.secret_sealed)),
        Some((Some(Timestamp(60_000)), "v1.other".to_owned()))
    );
}

async fn user_ids_are_per_account_stable_and_unknown_elsewhere(s: &dyn Store) {
    let f = fixture(s).await;
    let now = Timestamp(1_000);
    let here = s.account_user_id(f.account.id, f.citizen.id, "111", now).await;
    let here = here.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(here, "111");
    // Asked again with another candidate, the first id stays.
    assert_eq!(
        s.account_user_id(f.account.id, f.citizen.id, "222", now).await.ok().as_deref(),
        Some("111")
    );
    let there = s.account_user_id(f.other_account.id, f.citizen.id, "333", now).await;
    assert_eq!(there.ok().as_deref(), Some("333"));
    assert_eq!(s.citizen_by_user_id(f.account.id, "111").await.ok().flatten(), Some(f.citizen.id));
    assert_eq!(s.citizen_by_user_id(f.other_account.id, "111").await.ok().flatten(), None);
    assert_eq!(s.citizen_by_user_id(f.account.id, "333").await.ok().flatten(), None);
}

async fn followers_page_newest_first_filter_by_tag_and_a_tag_comes_off_everyone(s: &dyn Store) {
    let f = fixture(s).await;
    s.follow(f.citizen.id, f.account.id, Timestamp(1_000)).await.unwrap_or_else(|e| panic!("{e}"));
    s.follow(f.neighbour.id, f.account.id, Timestamp(2_000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tag = Tag::parse("Căn cước").unwrap_or_else(|e| panic!("{e}"));
    s.set_follower_tags(f.account.id, f.citizen.id, std::slice::from_ref(&tag))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (total, page) =
        s.followers_page(f.account.id, None, 0, 1).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((total, page.iter().map(|p| p.0).collect::<Vec<_>>()), (2, vec![f.neighbour.id]));
    let (_, page) =
        s.followers_page(f.account.id, None, 1, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.iter().map(|p| p.0).collect::<Vec<_>>(), vec![f.citizen.id]);
    let (total, page) =
        s.followers_page(f.account.id, Some(&tag), 0, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((total, page.len()), (1, 1));
    assert_eq!(s.followers_page(f.other_account.id, None, 0, 10).await.ok().map(|p| p.0), Some(0));
    assert_eq!(s.remove_account_tag(f.account.id, &tag).await.ok(), Some(1));
    assert_eq!(s.followers_page(f.account.id, Some(&tag), 0, 10).await.ok().map(|p| p.0), Some(0));
}

async fn uploads_belong_to_their_integration(s: &dyn Store) {
    let f = fixture(s).await;
    let a = s.create_integration(&new(f.account.id, "1000000000000000002")).await;
    let a = a.unwrap_or_else(|e| panic!("{e}"));
    let b = s.create_integration(&new(f.account.id, "1000000000000000003")).await;
    let b = b.unwrap_or_else(|e| panic!("{e}"));
    let upload = IntegrationUpload {
        token: "tok".to_owned(),
        integration: a.id,
        kind: MessageKind::Image,
        media_type: "image/png".to_owned(),
        name: "a.png".to_owned(),
        size: 10,
        dimensions: Some((3, 4)),
        blob_key: "k".to_owned(),
        created_at: Timestamp(5),
    };
    s.put_integration_upload(&upload).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.integration_upload(a.id, "tok").await.ok().flatten(), Some(upload));
    assert_eq!(s.integration_upload(b.id, "tok").await.ok().flatten(), None);
}

conformance!(
    integrations_keep_tokens_by_hash_use_refresh_tokens_once_and_revoke_everything,
    user_ids_are_per_account_stable_and_unknown_elsewhere,
    followers_page_newest_first_filter_by_tag_and_a_tag_comes_off_everyone,
    uploads_belong_to_their_integration,
);
