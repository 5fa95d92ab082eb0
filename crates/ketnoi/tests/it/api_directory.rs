//! The directory, account pages, areas, agencies, following.

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

fn slugs(v: &Value) -> Vec<String> {
    v["accounts"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["slug"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_directory_finds_accounts_without_diacritics() {
    let app = spawn_app(true).await;
    let (status, found) = app.get("/api/v1/accounts?q=cong%20an%20vi%20xuyen", None).await;
    assert_eq!(status, 200);
    assert_eq!(slugs(&found).first().map(String::as_str), Some("ca-vi-xuyen"), "{found}");
    assert_eq!(found["accounts"][0]["display_name"], "Công an xã Vị Xuyên");
    let (_, accented) = app
        .get("/api/v1/accounts?q=C%C3%B4ng%20an%20x%C3%A3%20V%E1%BB%8B%20Xuy%C3%AAn", None)
        .await;
    assert_eq!(slugs(&accented), slugs(&found));
    let (_, upper) = app.get("/api/v1/accounts?q=TINH%20DOAN", None).await;
    assert_eq!(slugs(&upper), vec!["tinh-doan-tuyen-quang"]);
}

#[tokio::test]
async fn an_area_filter_includes_the_areas_below_it() {
    let app = spawn_app(true).await;
    let (_, province) = app.get("/api/v1/accounts?area=08&q=cong%20an&limit=100", None).await;
    let province = slugs(&province);
    // The province's own police and the three commune police units below it.
    for slug in ["ca-tuyen-quang", "ca-vi-xuyen", "ca-thanh-thuy", "ca-ha-giang-1"] {
        assert!(province.contains(&slug.to_owned()), "{slug} missing from {province:?}");
    }
    let (_, commune) = app.get("/api/v1/accounts?area=00913", None).await;
    let mut commune = slugs(&commune);
    commune.sort();
    assert_eq!(commune, vec!["ca-vi-xuyen", "ubnd-vi-xuyen"]);
    let (_, police) = app.get("/api/v1/accounts?area=00913&kind=police", None).await;
    assert_eq!(slugs(&police), vec!["ca-vi-xuyen"]);
    let (_, national) = app.get("/api/v1/accounts?area=VN&limit=100", None).await;
    assert_eq!(slugs(&national).len(), 9);
}

#[tokio::test]
async fn directory_pages_and_filters_refuse_bad_values() {
    let app = spawn_app(true).await;
    let (_, first) = app.get("/api/v1/accounts?limit=4", None).await;
    assert_eq!((slugs(&first).len(), first["has_more"].as_bool()), (4, Some(true)));
    let (_, rest) = app.get("/api/v1/accounts?limit=4&offset=8", None).await;
    assert_eq!((slugs(&rest).len(), rest["has_more"].as_bool()), (1, Some(false)));
    assert_problem(&app.get("/api/v1/accounts?limit=0", None).await, 422, "invalid-limit");
    assert_problem(&app.get("/api/v1/accounts?limit=101", None).await, 422, "invalid-limit");
    assert_problem(&app.get("/api/v1/accounts?offset=-1", None).await, 422, "invalid-limit");
    assert_problem(&app.get("/api/v1/accounts?limit=abc", None).await, 400, "malformed-request");
    assert_problem(&app.get("/api/v1/accounts?kind=army", None).await, 422, "invalid-choice");
    assert_problem(&app.get("/api/v1/accounts?area=99999", None).await, 404, "not-found");
    assert_problem(&app.get("/api/v1/accounts?area=0;1", None).await, 422, "invalid-area-code");
    let long = "a".repeat(201);
    assert_problem(
        &app.get(&format!("/api/v1/accounts?q={long}"), None).await,
        422,
        "invalid-length",
    );
}

#[tokio::test]
async fn an_account_page_shows_its_area_agency_and_whether_i_follow_it() {
    let app = spawn_app(true).await;
    let (status, detail) = app.get("/api/v1/accounts/ca-vi-xuyen", None).await;
    assert_eq!(status, 200);
    assert_eq!(detail["account"]["slug"], "ca-vi-xuyen");
    assert_eq!(detail["account"]["verified"], true);
    assert_eq!(detail["area"]["name"], "Xã Vị Xuyên");
    assert_eq!(detail["agency_name"], "Công an xã Vị Xuyên");
    assert!(detail.get("following").is_none());
    let token = app.citizen_token("0912000001").await;
    let (_, mine) = app.get("/api/v1/accounts/ca-vi-xuyen", Some(&token)).await;
    assert_eq!(mine["following"], true, "the demo citizen follows it");
    assert_problem(&app.get("/api/v1/accounts/khong-co", None).await, 404, "not-found");
    assert_problem(&app.get("/api/v1/accounts/BAD%20SLUG", None).await, 404, "not-found");
}

#[tokio::test]
async fn following_and_unfollowing_is_idempotent_and_counted() {
    let app = spawn_app(true).await;
    let token = app.citizen_token("0356999888").await;
    let put = reqwest::Method::PUT;
    let delete = reqwest::Method::DELETE;
    let (_, before) = app.get("/api/v1/accounts/tinh-doan-tuyen-quang", None).await;
    let before = before["account"]["follower_count"].as_i64().unwrap_or(-1);
    let (status, first) = app
        .send(put.clone(), "/api/v1/accounts/tinh-doan-tuyen-quang/follow", Some(&token), None)
        .await;
    assert_eq!((status, first["following"].as_bool()), (200, Some(true)));
    assert_eq!(first["follower_count"].as_i64(), Some(before + 1));
    let (_, again) = app
        .send(put.clone(), "/api/v1/accounts/tinh-doan-tuyen-quang/follow", Some(&token), None)
        .await;
    assert_eq!(again["follower_count"].as_i64(), Some(before + 1), "following twice counts once");
    let (_, mine) = app.get("/api/v1/me/follows", Some(&token)).await;
    assert_eq!(mine.as_array().map(|a| a.len()), Some(1));
    assert_eq!(mine[0]["slug"], "tinh-doan-tuyen-quang");
    let (_, off) = app
        .send(delete.clone(), "/api/v1/accounts/tinh-doan-tuyen-quang/follow", Some(&token), None)
        .await;
    assert_eq!(
        (off["following"].as_bool(), off["follower_count"].as_i64()),
        (Some(false), Some(before))
    );
    let (_, off) =
        app.send(delete, "/api/v1/accounts/tinh-doan-tuyen-quang/follow", Some(&token), None).await;
    assert_eq!(off["follower_count"].as_i64(), Some(before));

    let anonymous =
        app.send(put.clone(), "/api/v1/accounts/tinh-doan-tuyen-quang/follow", None, None).await;
    assert_problem(&anonymous, 401, "unauthenticated");
    let staff = app.staff_token("cavixuyen.canbo").await;
    let as_staff = app
        .send(put.clone(), "/api/v1/accounts/tinh-doan-tuyen-quang/follow", Some(&staff), None)
        .await;
    assert_problem(&as_staff, 403, "forbidden");
    let missing = app.send(put, "/api/v1/accounts/khong-co/follow", Some(&token), None).await;
    assert_problem(&missing, 404, "not-found");
    assert_problem(&app.get("/api/v1/me/follows", Some(&staff)).await, 403, "forbidden");
}

#[tokio::test]
async fn the_area_and_agency_trees_are_browsable() {
    let app = spawn_app(true).await;
    let (_, roots) = app.get("/api/v1/areas", None).await;
    assert_eq!(roots[0]["code"], "VN");
    let (_, provinces) = app.get("/api/v1/areas?parent=VN", None).await;
    assert_eq!(provinces[0]["name"], "Tuyên Quang");
    let (status, commune) = app.get("/api/v1/areas/00913", None).await;
    assert_eq!(status, 200);
    let path: Vec<&str> = commune["ancestors"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(path, vec!["08", "VN"]);
    assert_problem(&app.get("/api/v1/areas/12345", None).await, 404, "not-found");
    assert_problem(&app.get("/api/v1/areas?parent=nope!", None).await, 422, "invalid-area-code");

    let (_, forest) = app.get("/api/v1/agencies", None).await;
    let police = forest
        .as_array()
        .and_then(|f| f.iter().find(|n| n["code"] == "ca-tuyen-quang"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(police["children"].as_array().map(|c| c.len()), Some(3), "{police}");
    let (_, sub) = app.get("/api/v1/agencies?root=ca-vi-xuyen", None).await;
    assert_eq!(sub.as_array().map(|a| a.len()), Some(1));
    assert_eq!(sub[0]["code"], "ca-vi-xuyen");
    assert_problem(&app.get("/api/v1/agencies?root=khong-co", None).await, 404, "not-found");
    let _ = json!(null);
}
