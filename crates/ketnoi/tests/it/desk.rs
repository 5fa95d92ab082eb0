//! The front desk (issue 16) through the real server: a province's guides inherited by its
//! communes with local overrides, a law marked replaced flagging guides and forms across the
//! tree, menus with their limits and versions on the pages, catalogue import and export, and
//! forms uploaded through the console. Inheritance runs on SQLite and on PostgreSQL.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both, spawn_app};
use crate::pages::{Visitor as Browser, hidden};

const PROVINCE: &str = "/api/v1/accounts/ca-tuyen-quang";
const COMMUNE: &str = "/api/v1/accounts/ca-vi-xuyen";
const SIBLING: &str = "/api/v1/accounts/ca-thanh-thuy";
/// The provincial police administrator (reaches every police unit below) and a commune officer.
const ADMIN: &str = "catinh.admin";
const OFFICER: &str = "cavixuyen.canbo";

/// One guide as a JSON Lines line.
fn guide(code: &str, name: &str, hours: &str, steps: &[&str], law: &str) -> String {
    json!({
        "code": code, "name": name, "level": "commune", "hours": hours, "steps": steps,
        "fee": "Miễn phí", "locked": ["fee"], "template": true,
        "legal_basis": [{"number": law, "title": format!("Văn bản {law}"), "issuer": "Quốc hội", "effective": "2024-07-01"}],
        "forms": ["DEMO-CT01"]
    })
    .to_string()
}

async fn import(
    app: &TestApp,
    account: &str,
    token: &str,
    format: &str,
    body: &str,
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("{account}/procedures/import?format={format}")))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(body.to_owned())
        .send()
        .await;
    crate::helpers::answer(response).await
}

async fn shown(app: &TestApp, account: &str, code: &str) -> Value {
    let (status, body) = app.get(&format!("{account}/procedures/{code}"), None).await;
    assert_eq!(status, 200, "{account} {code}: {body}");
    body
}

/// The province writes a template; one commune overrides its hours; the province changes the
/// hours and the steps; the commune keeps its hours and gets the steps, the sibling gets both.
async fn inheritance_and_override(app: &TestApp) {
    let admin = app.staff_token(ADMIN).await;
    let officer = app.staff_token(OFFICER).await;
    let first = guide(
        "TEST-01",
        "Xác nhận nơi ở thử nghiệm",
        "Thứ Hai – Thứ Sáu",
        &["Nộp hồ sơ"],
        "68/2020/QH14",
    );
    let got = import(app, PROVINCE, &admin, "jsonl", &first).await;
    assert_eq!((got.0, got.1["saved"].as_u64()), (200, Some(1)), "{}", got.1);

    let over = json!({"fields": {"hours": "Sáng thứ Bảy"}, "extra_steps": ["Gọi trước khi đến"]});
    let got = app
        .send(
            Method::PUT,
            &format!("{COMMUNE}/procedures/TEST-01/override"),
            Some(&officer),
            Some(over),
        )
        .await;
    assert_eq!(got.0, 204, "{}", got.1);

    let changed = guide(
        "TEST-01",
        "Xác nhận nơi ở thử nghiệm",
        "Cả tuần",
        &["Đặt lịch", "Nộp hồ sơ"],
        "68/2020/QH14",
    );
    assert_eq!(import(app, PROVINCE, &admin, "jsonl", &changed).await.0, 200);

    let commune = shown(app, COMMUNE, "TEST-01").await;
    assert_eq!(commune["hours"], "Sáng thứ Bảy", "{commune}");
    assert_eq!(commune["steps"], json!(["Đặt lịch", "Nộp hồ sơ", "Gọi trước khi đến"]));
    assert_eq!(
        (commune["inherited"].as_bool(), commune["overridden"].as_bool()),
        (Some(true), Some(true))
    );
    let sibling = shown(app, SIBLING, "TEST-01").await;
    assert_eq!(sibling["hours"], "Cả tuần");
    assert_eq!(sibling["steps"], json!(["Đặt lịch", "Nộp hồ sơ"]));
    // Where the guide says nothing of its office, each account's own details stand in.
    assert_eq!(sibling["office"], "Công an xã Thanh Thủy");

    // Hiding takes it off the commune's catalogue and page, not the sibling's.
    let hide = json!({"hidden": true});
    let got = app
        .send(
            Method::PUT,
            &format!("{COMMUNE}/procedures/TEST-01/override"),
            Some(&officer),
            Some(hide),
        )
        .await;
    assert_eq!(got.0, 204);
    let (_, list) = app.get(&format!("{COMMUNE}/procedures?q=xac%20nhan%20noi%20o"), None).await;
    assert_eq!(list, json!([]), "{list}");
    assert_eq!(app.get(&format!("{COMMUNE}/procedures/TEST-01"), None).await.0, 404);
    let (_, list) = app.get(&format!("{SIBLING}/procedures?q=xac%20nhan%20noi%20o"), None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
}

async fn law_replaced(app: &TestApp) {
    let admin = app.staff_token(ADMIN).await;
    let officer = app.staff_token(OFFICER).await;
    // The replacement must be known: the province enters it with a guide of its own.
    let newer = guide("TEST-02", "Thủ tục theo luật mới", "", &["Bước một"], "99/2026/QH15");
    assert_eq!(import(app, PROVINCE, &admin, "jsonl", &newer).await.0, 200);

    // A commune officer may not mark the province's law replaced.
    let body = json!({"number": "68/2020/QH14", "by": "99/2026/QH15", "on": "01/07/2026"});
    let refused = app
        .send(
            Method::POST,
            &format!("{COMMUNE}/legal-documents/supersede"),
            Some(&officer),
            Some(body.clone()),
        )
        .await;
    assert_problem(&refused, 422, "legal-not-owner");

    let got = app
        .send(
            Method::POST,
            &format!("{PROVINCE}/legal-documents/supersede"),
            Some(&admin),
            Some(body),
        )
        .await;
    assert_eq!(got.0, 200, "{}", got.1);
    // The demo's residence guides (DEMO-CA-04 to 08) rest on the Law on Residence.
    assert_eq!(got.1["flagged"].as_u64(), Some(5), "{}", got.1);

    let g = shown(app, COMMUNE, "DEMO-CA-04").await;
    assert!(g["stale_since"].as_i64().is_some(), "{g}");
    assert_eq!(g["stale_document"], "68/2020/QH14");
    assert_eq!(g["legal_basis"][0]["superseded_by"], "99/2026/QH15");
    let (_, forms) = app.get(&format!("{SIBLING}/forms?q=cu%20tru"), None).await;
    assert_eq!(forms[0]["code"], "DEMO-CT01", "{forms}");
    assert_eq!(forms[0]["stale"], true, "the residence form is flagged with its guides");
    let (_, forms) = app.get(&format!("{SIBLING}/forms?q=dang%20ky%20xe"), None).await;
    assert_eq!(forms[0]["stale"], false, "{forms}");

    // The public page says it is being updated, and when it was last reviewed.
    let mut citizen = Browser::new(app);
    let (status, page, _) = citizen.get("/a/ca-vi-xuyen/thu-tuc/DEMO-CA-04").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-stale") && page.contains("data-reviewed"), "{page}");
    assert!(page.contains("Đã được thay thế bởi 99/2026/QH15"), "{page}");
    let (_, page, _) = citizen.get("/a/ca-vi-xuyen/thu-tuc/DEMO-CA-01").await;
    assert!(!page.contains("data-stale"), "the ID-card guide rests on another law");

    // The commune's console lists them in its queue.
    let mut desk = Browser::staff(app, OFFICER).await;
    let (status, page, _) = desk.get("/console/a/ca-vi-xuyen/quay").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let queue = review_queue(&page);
    assert!(
        queue.contains("Đăng ký thường trú") && queue.contains("Tờ khai thay đổi thông tin cư trú"),
        "{queue}"
    );

    // Review is refused while the guide still cites the replaced law.
    let refused = app
        .send(Method::POST, &format!("{PROVINCE}/procedures/DEMO-CA-04/review"), Some(&admin), None)
        .await;
    assert_problem(&refused, 422, "guide-cites-lapsed-law");
    // The commune cannot review a guide it only inherits.
    let refused = app
        .send(
            Method::POST,
            &format!("{COMMUNE}/procedures/DEMO-CA-04/review"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(refused.0, 404);
    // A circle of replacements is refused.
    let circle = json!({"number": "99/2026/QH15", "by": "68/2020/QH14"});
    let refused = app
        .send(
            Method::POST,
            &format!("{PROVINCE}/legal-documents/supersede"),
            Some(&admin),
            Some(circle),
        )
        .await;
    assert_problem(&refused, 422, "supersede-cycle");
}

async fn menus(app: &TestApp) {
    let admin = app.staff_token(ADMIN).await;
    let officer = app.staff_token(OFFICER).await;
    let (status, menu) = app.get(&format!("{COMMUNE}/menu"), None).await;
    assert_eq!((status, menu["owner"].as_str()), (200, Some("agency")), "the demo's template");

    let bad = |buttons: Value| json!({ "buttons": buttons });
    let tip = json!({"label": "Tin báo", "action": "tip"});
    let cases = [
        (bad(json!([tip, tip, tip, tip])), "menu-too-many-buttons", "buttons"),
        (
            bad(json!([{"label": "X", "action": "explode", "value": "1"}])),
            "menu-unknown-action",
            "buttons[0]",
        ),
        (
            bad(
                json!([{"label": "Nhóm", "buttons": [{"label": "X", "action": "url", "value": "javascript:alert(1)"}]}]),
            ),
            "menu-url-scheme",
            "buttons[0].buttons[0]",
        ),
        (
            bad(json!([{"label": "Nhóm", "buttons": [tip, tip, tip, tip, tip, tip]}])),
            "menu-too-many-sub-buttons",
            "buttons[0]",
        ),
    ];
    for (body, code, at) in cases {
        let got =
            app.send(Method::PUT, &format!("{COMMUNE}/menu"), Some(&officer), Some(body)).await;
        assert_problem(&got, 422, code);
        assert_eq!(got.1["at"], at, "{}", got.1);
    }
    let got = app
        .send(
            Method::PUT,
            &format!("{COMMUNE}/menu"),
            Some(&officer),
            Some(bad(json!([tip, tip, tip, tip]))),
        )
        .await;
    assert_eq!(got.1["limit"], 3);
    // A commune officer may not publish the province's template; nobody signed in may not either.
    let got = app
        .send(
            Method::PUT,
            &format!("{PROVINCE}/menu-template"),
            Some(&officer),
            Some(bad(json!([tip]))),
        )
        .await;
    assert_problem(&got, 403, "forbidden");
    let got =
        app.send(Method::PUT, &format!("{COMMUNE}/menu"), None, Some(bad(json!([tip])))).await;
    assert_problem(&got, 401, "unauthenticated");
    let (_, unchanged) = app.get(&format!("{COMMUNE}/menu"), None).await;
    assert_eq!(unchanged, menu, "refused menus change nothing");

    let own =
        bad(json!([{"label": "Hỏi trợ lý", "action": "keyword", "value": "giờ làm việc"}, tip]));
    let got = app.send(Method::PUT, &format!("{COMMUNE}/menu"), Some(&officer), Some(own)).await;
    assert_eq!((got.0, got.1["version"].as_i64()), (200, Some(1)), "{}", got.1);
    let (_, mine) = app.get(&format!("{COMMUNE}/menu"), None).await;
    assert_eq!(mine["owner"], "account");
    assert_eq!(
        mine["buttons"][0]["href"],
        "/a/ca-vi-xuyen/chat?text=gi%E1%BB%9D%20l%C3%A0m%20vi%E1%BB%87c"
    );

    // The account page and the chat show it, without script.
    let mut citizen = Browser::new(app);
    let (_, page, _) = citizen.get("/a/ca-vi-xuyen").await;
    assert!(page.contains("data-desk-menu") && page.contains("Hỏi trợ lý"), "{page}");
    let (_, page, _) = citizen.get("/a/ca-thanh-thuy").await;
    assert!(
        page.contains("<details><summary class=\"desk-menu-button\">Thủ tục hành chính</summary>"),
        "{page}"
    );

    // The template changes for the sibling; the commune keeps its own until it drops it.
    let template = bad(json!([{"label": "Thủ tục", "action": "procedures"}]));
    let got = app
        .send(Method::PUT, &format!("{PROVINCE}/menu-template"), Some(&admin), Some(template))
        .await;
    assert_eq!((got.0, got.1["version"].as_i64()), (200, Some(2)), "{}", got.1);
    let (_, sibling) = app.get(&format!("{SIBLING}/menu"), None).await;
    assert_eq!(sibling["buttons"][0]["label"], "Thủ tục");
    let (_, mine) = app.get(&format!("{COMMUNE}/menu"), None).await;
    assert_eq!(mine["owner"], "account");
    assert_eq!(
        app.send(Method::DELETE, &format!("{COMMUNE}/menu"), Some(&officer), None).await.0,
        204
    );
    let (_, mine) = app.get(&format!("{COMMUNE}/menu"), None).await;
    assert_eq!((mine["owner"].as_str(), mine["version"].as_i64()), (Some("agency"), Some(2)));

    // Rolling back in the console publishes version 1 again as version 3.
    let mut desk = Browser::staff(app, ADMIN).await;
    let (_, page, _) = desk.get("/console/a/ca-tuyen-quang/quay").await;
    let csrf = hidden(&page, "csrf");
    let (status, _, to) = desk
        .post(
            "/console/a/ca-tuyen-quang/quay/menu",
            &[("csrf", &csrf), ("do", "restore-template"), ("version", "1")],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/a/ca-tuyen-quang/quay?done=template"))
    );
    let (_, back) = app.get(&format!("{SIBLING}/menu"), None).await;
    assert_eq!(
        (back["version"].as_i64(), back["buttons"][0]["label"].as_str()),
        (Some(3), Some("Thủ tục hành chính"))
    );

    // A preview of a broken menu names the rule and publishes nothing.
    let (status, page, _) = desk
        .post(
            "/console/a/ca-tuyen-quang/quay/menu",
            &[
                ("csrf", &csrf),
                ("do", "publish-template"),
                ("b0_label", "Web"),
                ("b0_action", "url"),
                ("b0_value", "ftp://x.vn"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("data-menu-error") && page.contains("http://"), "{page}");
    let (_, same) = app.get(&format!("{SIBLING}/menu"), None).await;
    assert_eq!(same["version"].as_i64(), Some(3));
}

async fn round_trip(app: &TestApp) {
    let admin = app.staff_token(ADMIN).await;
    let export = |format: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app
                .client
                .get(app.url(&format!("{PROVINCE}/procedures/export?format={format}")))
                .bearer_auth(admin)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(r.status(), 200);
            r.text().await.unwrap_or_default()
        }
    };
    let jsonl = export("jsonl").await;
    assert_eq!(jsonl.lines().count(), 12, "the demo's police catalogue");
    // Lists come in pages.
    let (_, page) = app.get(&format!("{PROVINCE}/procedures?limit=5&offset=10"), None).await;
    assert_eq!(page.as_array().map(Vec::len), Some(2), "12 guides, from the 11th: {page}");
    assert_problem(
        &app.get(&format!("{PROVINCE}/procedures?limit=0"), None).await,
        422,
        "invalid-limit",
    );
    assert_problem(
        &app.get(&format!("{PROVINCE}/procedures?offset=-1"), None).await,
        422,
        "invalid-limit",
    );
    let csv = export("csv").await;
    for (format, body) in [("csv", &csv), ("jsonl", &jsonl)] {
        let got = import(app, PROVINCE, &admin, format, body).await;
        assert_eq!((got.0, got.1["saved"].as_u64()), (200, Some(12)), "{format}: {}", got.1);
    }
    assert_eq!(export("jsonl").await, jsonl, "exported, imported, exported again: the same");

    let before = app.get(&format!("{PROVINCE}/procedures"), None).await.1;
    let ok = guide("TEST-10", "Thủ tục hợp lệ", "", &["Bước"], "26/2023/QH15");
    let duplicate =
        format!("{ok}\n{}\n", guide("TEST-10", "Trùng mã", "", &["Bước"], "26/2023/QH15"));
    let got = import(app, PROVINCE, &admin, "jsonl", &duplicate).await;
    assert_problem(&got, 422, "import-refused");
    assert_eq!(got.1["errors"][0]["line"], 2, "{}", got.1);
    assert_eq!(got.1["errors"][0]["code"], "import-duplicate-code");

    let mut unknown: Value =
        serde_json::from_str(&guide("TEST-11", "Biểu mẫu không có", "", &["Bước"], "26/2023/QH15"))
            .unwrap_or_default();
    unknown["forms"] = json!(["KHONG-CO"]);
    let got = import(app, PROVINCE, &admin, "jsonl", &format!("{ok}\n\n{unknown}\n")).await;
    assert_problem(&got, 422, "import-refused");
    assert_eq!(
        (got.1["errors"][0]["line"].as_u64(), got.1["errors"][0]["code"].as_str()),
        (Some(3), Some("import-unknown-form"))
    );

    let mut circle: Value = serde_json::from_str(&ok).unwrap_or_default();
    circle["legal_basis"] = json!([
        {"number": "1/2099/A", "title": "A", "issuer": "Q", "effective": "2024-01-01", "superseded_by": "2/2099/B"},
        {"number": "2/2099/B", "title": "B", "issuer": "Q", "effective": "2024-01-01", "superseded_by": "1/2099/A"}
    ]);
    let got = import(app, PROVINCE, &admin, "jsonl", &circle.to_string()).await;
    assert_eq!(got.1["errors"][0]["code"], "supersede-cycle", "{}", got.1);

    let bad_csv = "code,name,level,legal_basis\nTEST-12,Một thủ tục,commune,\nTEST-13,Hai,huyện,\n";
    let got = import(app, PROVINCE, &admin, "csv", bad_csv).await;
    let lines: Vec<u64> = got.1["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["line"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(lines, vec![3], "an unknown level on line 3: {}", got.1);
    let got = import(app, PROVINCE, &admin, "xml", &ok).await;
    assert_problem(&got, 422, "desk-format");
    let officer = app.staff_token(OFFICER).await;
    assert_problem(&import(app, PROVINCE, &officer, "jsonl", &ok).await, 403, "forbidden");

    assert_eq!(app.get(&format!("{PROVINCE}/procedures"), None).await.1, before, "nothing stored");
    assert_eq!(app.store.legal_doc("1/2099/A").await.ok(), Some(None));
}

/// The review queue of a front-desk console page.
fn review_queue(page: &str) -> &str {
    page.split("data-desk-queue")
        .nth(1)
        .unwrap_or_default()
        .split("</section>")
        .next()
        .unwrap_or_default()
}

/// The demo commune police's agency id.
async fn commune_agency(app: &TestApp) -> i64 {
    let slug = "ca-vi-xuyen".parse().unwrap_or_else(|e| panic!("{e}"));
    app.store.account_by_slug(&slug).await.ok().flatten().map_or(0, |a| a.agency.0)
}

/// A multipart form body with one file.
fn multipart(fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "ketnoi-desk-boundary-Q2x9";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (name, kind, bytes) = file;
    body.extend_from_slice(
        format!("--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{name}\"\r\ncontent-type: {kind}\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_form_is_kept_only_when_its_bytes_are_a_document_of_its_type() {
    let app = spawn_app(true).await;
    let mut desk = Browser::staff(&app, OFFICER).await;
    let (_, page, _) = desk.get("/console/a/ca-vi-xuyen/quay").await;
    let csrf = hidden(&page, "csrf");
    let post = |kind: &'static str, bytes: Vec<u8>, code: &'static str| {
        let (content_type, body) = multipart(
            &[
                ("csrf", &csrf),
                ("code", code),
                ("title", "Đơn đề nghị của xã"),
                ("effective", "01/01/2026"),
            ],
            ("don.pdf", kind, &bytes),
        );
        let request = app
            .client
            .post(app.url("/console/a/ca-vi-xuyen/quay/bieu-mau"))
            .header(header::COOKIE, desk.cookie_header())
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, content_type)
            .body(body);
        async move { request.send().await.unwrap_or_else(|e| panic!("{e}")) }
    };
    // A picture declared as a PDF, and a picture declared as one: neither is a form.
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    assert_eq!(post("application/pdf", png.clone(), "XA-01").await.status(), 415);
    assert_eq!(post("image/png", png, "XA-01").await.status(), 415);
    let (_, forms) = app.get(&format!("{COMMUNE}/forms?q=de%20nghi%20cua%20xa"), None).await;
    assert_eq!(forms, json!([]), "nothing kept");

    let pdf = ketnoi::demo::demo_pdf("Don de nghi");
    let r = post("application/pdf", pdf.clone(), "XA-01").await;
    assert_eq!(r.status(), 303);
    let (_, forms) = app.get(&format!("{COMMUNE}/forms?q=de%20nghi%20cua%20xa"), None).await;
    assert_eq!(forms[0]["code"], "XA-01", "{forms}");
    let r = app
        .client
        .get(app.url("/a/ca-vi-xuyen/bieu-mau/XA-01/tai-ve"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(
        r.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment")
    );
    assert!(r.bytes().await.map(|b| b.starts_with(b"%PDF-")).unwrap_or(false));
    // A new file under the same code replaces the old one, whose bytes go.
    let first = app
        .store
        .forms_for(&[ketnoi_core::AgencyId(commune_agency(&app).await)], None)
        .await
        .unwrap_or_default();
    let old_key = first[0].blob_key.clone();
    assert_eq!(
        post("application/pdf", ketnoi::demo::demo_pdf("Don moi"), "XA-01").await.status(),
        303
    );
    assert!(app.blobs.get(&old_key).await.is_ok_and(|b| b.is_none()), "the replaced file is gone");
    // The commune's own form is not offered by the province or its sibling.
    assert_eq!(
        app.get(&format!("{SIBLING}/forms?q=de%20nghi%20cua%20xa"), None).await.1,
        json!([])
    );
    // An officer deletes the commune's own form (and its file); an inherited one has no delete.
    let (_, page, _) = desk.get("/console/a/ca-vi-xuyen/quay").await;
    assert!(page.contains("/console/a/ca-vi-xuyen/quay/bieu-mau/XA-01/xoa"), "{page}");
    assert!(
        !page.contains("/quay/bieu-mau/DEMO-CT01/xoa"),
        "the province's form is not the commune's to delete"
    );
    let kept = app
        .store
        .forms_for(&[ketnoi_core::AgencyId(commune_agency(&app).await)], None)
        .await
        .unwrap_or_default();
    let (status, _, _) =
        desk.post("/console/a/ca-vi-xuyen/quay/bieu-mau/XA-01/xoa", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("{COMMUNE}/forms?q=de%20nghi%20cua%20xa"), None).await.1,
        json!([])
    );
    assert!(app.blobs.get(&kept[0].blob_key).await.is_ok_and(|b| b.is_none()));
    let (status, _, _) =
        desk.post("/console/a/ca-vi-xuyen/quay/bieu-mau/DEMO-CT01/xoa", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Likewise guides: an inherited one is hidden, not deleted; an own one goes.
    let (status, _, _) =
        desk.post("/console/a/ca-vi-xuyen/quay/thu-tuc/DEMO-CA-01/xoa", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let officer_token = app.staff_token(OFFICER).await;
    let own = guide("XA-02", "Thủ tục riêng của xã", "", &["Bước"], "26/2023/QH15");
    assert_eq!(import(&app, COMMUNE, &officer_token, "jsonl", &own).await.0, 200);
    let (status, _, _) =
        desk.post("/console/a/ca-vi-xuyen/quay/thu-tuc/XA-02/xoa", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&format!("{COMMUNE}/procedures/XA-02"), None).await.0, 404);
    assert_eq!(app.get(&format!("{COMMUNE}/procedures/DEMO-CA-01"), None).await.0, 200);
    // A page number that is not one, or past the end, shows a page rather than an error.
    for asked in ["abc", "99", "-1"] {
        let (status, page, _) = desk.get(&format!("/a/ca-vi-xuyen/thu-tuc?trang={asked}")).await;
        assert_eq!(status, StatusCode::OK, "{asked}");
        assert!(page.contains("12 thủ tục"), "{asked}: {page}");
    }
    // An override of a locked field is refused with the field's name.
    let officer = app.staff_token(OFFICER).await;
    let got = app
        .send(
            Method::PUT,
            &format!("{COMMUNE}/procedures/DEMO-CA-01/override"),
            Some(&officer),
            Some(json!({"fields": {"fee": "50.000 đồng"}})),
        )
        .await;
    assert_problem(&got, 422, "override-locked");
    assert_eq!(got.1["at"], "fee");
    let got = app
        .send(
            Method::PUT,
            &format!("{COMMUNE}/procedures/DEMO-CA-01/override"),
            Some(&officer),
            Some(json!({"fields": {"colour": "xanh"}})),
        )
        .await;
    assert_problem(&got, 422, "invalid-choice");
}

async fn offered_knowledge(app: &TestApp) {
    use ketnoi_core::{Intent, Timestamp};
    use ketnoi_store::BotSettingsUpdate;

    use crate::bot::{ask_account, bot_reply, links};

    let account = |slug: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .account_by_slug(&slug.parse().unwrap_or_else(|e| panic!("{e}")))
                .await
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("no {slug}"))
        }
    };
    let (province, sibling) = (account("ca-tuyen-quang").await, account("ca-thanh-thuy").await);
    let answer =
        "Xin giấy xác nhận cư trú tại công an xã nơi bạn cư trú hoặc trên Cổng Dịch vụ công.";
    let intent = Intent::new(
        "cu_tru.xac_nhan",
        "Cư trú",
        "Xin giấy xác nhận cư trú ở đâu?",
        answer,
        &["xin giấy xác nhận cư trú".to_owned(), "giấy xác nhận nơi ở".to_owned()],
    )
    .and_then(|i| i.linked(Some("DEMO-CA-08")))
    .unwrap_or_else(|e| panic!("{e}"));
    app.store
        .replace_bot_intents(province.id, std::slice::from_ref(&intent), Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The province offers it from its bot settings; the commune's bot is on with no intents of
    // its own.
    let mut desk = Browser::staff(app, ADMIN).await;
    let (_, page, _) = desk.get("/console/a/ca-tuyen-quang/bot").await;
    let csrf = hidden(&page, "csrf");
    let (status, _, _) = desk
        .post("/console/a/ca-tuyen-quang/bot/settings", &[("csrf", &csrf), ("shared", "on")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let on =
        BotSettingsUpdate { enabled: true, welcome: String::new(), away_message: String::new() };
    app.store
        .save_bot_settings(sibling.id, &on, Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let citizen = app.citizen_token("0912000001").await;
    let (conversation, seq) =
        ask_account(app, "ca-thanh-thuy", &citizen, "q-1", "xin giay xac nhan cu tru o dau").await;
    let reply = bot_reply(app, &citizen, conversation, seq).await;
    assert_eq!(reply["text"], answer, "{reply}");
    assert_eq!(
        links(&reply),
        vec![
            "/a/ca-thanh-thuy/thu-tuc/DEMO-CA-08".to_owned(),
            "/a/ca-thanh-thuy/bieu-mau/DEMO-CT01/tai-ve".to_owned()
        ],
        "the guide, and its form as a file to download: {reply}"
    );

    // The law the guide rests on is repealed: the commune's queue lists the answer.
    let admin = app.staff_token(ADMIN).await;
    let body = json!({"number": "68/2020/QH14"});
    let got = app
        .send(
            Method::POST,
            &format!("{PROVINCE}/legal-documents/supersede"),
            Some(&admin),
            Some(body),
        )
        .await;
    assert_eq!(got.0, 200, "{}", got.1);
    let mut commune = Browser::staff(app, ADMIN).await;
    let (_, page, _) = commune.get("/console/a/ca-thanh-thuy/quay").await;
    let queue = review_queue(&page);
    assert!(queue.contains("Xin giấy xác nhận cư trú ở đâu?"), "{queue}");

    // A commune that hides the guide answers without the link.
    let hide = json!({"hidden": true});
    let got = app
        .send(
            Method::PUT,
            &format!("{SIBLING}/procedures/DEMO-CA-08/override"),
            Some(&admin),
            Some(hide),
        )
        .await;
    assert_eq!(got.0, 204, "{}", got.1);
    let (_, seq) = ask_account(app, "ca-thanh-thuy", &citizen, "q-2", "giấy xác nhận nơi ở").await;
    let reply = bot_reply(app, &citizen, conversation, seq).await;
    assert_eq!(reply["text"], answer);
    assert!(links(&reply).is_empty(), "{reply}");
}

on_both!(
    a_province_template_reaches_its_communes_and_overrides_stay_local => inheritance_and_override,
    replacing_a_law_flags_guides_forms_and_pages_across_the_tree => law_replaced,
    catalogues_round_trip_and_bad_files_store_nothing => round_trip,
    menus_keep_their_limits_and_versions_and_show_on_the_pages => menus,
    a_knowledge_base_offered_above_answers_below_with_its_guide_and_is_flagged_with_it => offered_knowledge,
);
