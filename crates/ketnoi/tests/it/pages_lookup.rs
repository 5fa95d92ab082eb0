//! The lookup pages (issue 6) over plain HTTP, as a phone without JavaScript uses them: a
//! citizen looks a record up or searches by name with form posts that keep what they type out
//! of addresses; an officer imports CSV files, fixes a file with problems, and publishes,
//! schedules and restores versions from the console.

use ketnoi::demo::DEMO_CANDIDATE;
use ketnoi_core::{Slug, Timestamp};
use reqwest::{StatusCode, header};

use crate::helpers::{TestApp, spawn_app};
use crate::pages::{Visitor, hidden};

const EXAMS: &str = "/a/so-gddt-tuyen-quang/tra-cuu/diem-thi";
const MARTYRS: &str = "/a/ubnd-vi-xuyen/tra-cuu/liet-si";
/// An officer of the Vị Xuyên police, who may publish lookups for `ca-vi-xuyen`.
const OFFICER: &str = "cavixuyen.canbo";
const CONSOLE: &str = "/console/a/ca-vi-xuyen/lookups";

/// Posts a lookup page's form as a same-origin browser page would, keeping the headers.
async fn ask(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, header::HeaderMap) {
    let response = app
        .client
        .post(app.url(path))
        .header(header::ACCEPT_LANGUAGE, "vi")
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = response.status();
    let headers = response.headers().clone();
    (status, response.text().await.unwrap_or_default(), headers)
}

/// Looks the demo candidate up with this birth date (none when `None`).
async fn candidate(app: &TestApp, born: Option<&str>) -> (StatusCode, String, header::HeaderMap) {
    let mut form = vec![("do", "find"), ("key", DEMO_CANDIDATE.0)];
    if let Some(born) = born {
        form.push(("v:ngay_sinh", born));
    }
    ask(app, EXAMS, &form).await
}

/// The text of the page's record table, if it shows one.
fn record(page: &str) -> Option<&str> {
    let start = page.find("<table class=\"record\">")?;
    let end = page[start..].find("</table>")? + start;
    Some(&page[start..end])
}

#[tokio::test]
async fn a_candidate_looks_up_the_scores_with_a_form_post() {
    let app = spawn_app(true).await;
    let mut v = Visitor::new(&app);
    let (status, page, _) = v.get(EXAMS).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Tra cứu điểm thi tốt nghiệp THPT 2026"), "{page}");
    // Both forms post to the page itself: nothing typed ends up in an address.
    assert_eq!(page.matches(&format!("method=\"post\" action=\"{EXAMS}\"")).count(), 2, "{page}");
    assert!(!page.contains("method=\"get\""), "{page}");
    // The birth date is a text field with a digit keyboard, not a date picker.
    assert!(page.contains("name=\"v:ngay_sinh\""), "{page}");
    assert!(page.contains("placeholder=\"dd/mm/yyyy\""), "{page}");
    assert!(page.contains("inputmode=\"numeric\""), "{page}");
    assert!(!page.contains("type=\"date\""), "{page}");
    assert!(page.contains("<label for=\"key\">Số báo danh</label>"), "{page}");
    assert!(page.contains("<label for=\"verify-0\">Ngày sinh</label>"), "{page}");

    let (status, page, headers) = candidate(&app, Some(DEMO_CANDIDATE.2)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let table = record(&page).unwrap_or_else(|| panic!("no record table: {page}"));
    assert!(table.contains(DEMO_CANDIDATE.1), "{table}");
    assert!(table.contains("<th scope=\"row\">Toán</th><td>8.25</td>"), "{table}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers.get(header::LOCATION).is_none());

    // The birth date in any written form, the 8 digits alone included.
    let (status, page, _) = candidate(&app, Some("15032008")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(record(&page).is_some_and(|t| t.contains("8.25")), "{page}");

    // Another site's form cannot look anyone up through a visitor's browser.
    let forged = app
        .client
        .post(app.url(EXAMS))
        .header("sec-fetch-site", "cross-site")
        .form(&[("do", "find"), ("key", DEMO_CANDIDATE.0), ("v:ngay_sinh", DEMO_CANDIDATE.2)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(!forged.text().await.unwrap_or_default().contains("8.25"));
}

#[tokio::test]
async fn a_wrong_birth_date_and_an_unknown_number_get_the_same_404() {
    let app = spawn_app(true).await;
    let (status, wrong, _) = candidate(&app, Some("16/03/2008")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{wrong}");
    assert!(wrong.contains("Không tìm thấy kết quả phù hợp với Số báo danh, Ngày sinh"), "{wrong}");
    assert!(record(&wrong).is_none() && !wrong.contains("8.25"), "{wrong}");

    let form = [("do", "find"), ("key", "08999999"), ("v:ngay_sinh", DEMO_CANDIDATE.2)];
    let (status, unknown, _) = ask(&app, EXAMS, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
    let message = |page: &str| {
        page.split("data-lookup-refused>")
            .nth(1)
            .and_then(|r| r.split("</div>").next())
            .map(str::to_owned)
    };
    assert!(message(&wrong).is_some());
    assert_eq!(message(&wrong), message(&unknown));
    // What was typed stays in the form for correcting.
    assert!(wrong.contains("value=\"16/03/2008\""), "{wrong}");
}

#[tokio::test]
async fn a_missing_birth_date_or_number_is_asked_for_with_400() {
    let app = spawn_app(true).await;
    let (status, page, _) = candidate(&app, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("Vui lòng nhập Ngày sinh."), "{page}");
    assert!(page.contains("href=\"#verify-0\""), "the summary links to the field: {page}");
    assert!(page.contains("<title>Lỗi:"), "{page}");
    assert!(record(&page).is_none(), "{page}");

    let (status, page, _) = candidate(&app, Some("   ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");

    let form = [("do", "find"), ("key", " "), ("v:ngay_sinh", DEMO_CANDIDATE.2)];
    let (status, page, _) = ask(&app, EXAMS, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("Vui lòng nhập Số báo danh."), "{page}");

    let long = "9".repeat(300);
    let form = [("do", "find"), ("key", long.as_str()), ("v:ngay_sinh", DEMO_CANDIDATE.2)];
    let (status, page, _) = ask(&app, EXAMS, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");

    // A body that is not a form is a readable 400, never a 500.
    let response = app
        .client
        .post(app.url(EXAMS))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .body("{}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn martyrs_are_found_by_name_typed_without_diacritics() {
    let app = spawn_app(true).await;
    let (status, page, _) = Visitor::new(&app).get(MARTYRS).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-lookup-search"), "{page}");
    assert!(page.contains("name=\"f:nam_sinh\""), "{page}");

    let form = [("do", "search"), ("q", "nguyen van duc"), ("f:nam_sinh", "")];
    let (status, page, headers) = ask(&app, MARTYRS, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let hits = page.split("data-lookup-hits>").nth(1).unwrap_or_else(|| panic!("no hits: {page}"));
    assert!(hits.contains("Nguyễn Văn Đức") && hits.contains("LS000001"), "{hits}");
    assert!(hits.contains("<dt>Vị trí mộ</dt>"), "{hits}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");

    // Narrowed by birth year, the first record is still there; a year nobody has finds no one.
    let form = [("do", "search"), ("q", "nguyen van duc"), ("f:nam_sinh", "1962")];
    let (_, page, _) = ask(&app, MARTYRS, &form).await;
    assert!(page.contains("LS000001"), "{page}");
    let form = [("do", "search"), ("q", "nguyen van duc"), ("f:nam_sinh", "1801")];
    let (status, page, _) = ask(&app, MARTYRS, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Không tìm thấy ai phù hợp"), "{page}");

    let (status, page, _) = ask(&app, MARTYRS, &[("do", "search"), ("q", "  ")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("Vui lòng nhập từ cần tìm."), "{page}");
}

#[tokio::test]
async fn an_account_page_links_its_lookups_and_unknown_ones_are_not_found() {
    let app = spawn_app(true).await;
    let mut v = Visitor::new(&app);
    let (status, page, _) = v.get("/a/so-gddt-tuyen-quang").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("<a href=\"{EXAMS}\">Tra cứu điểm thi tốt nghiệp THPT 2026</a>")),
        "{page}"
    );
    let (_, page, _) = v.get("/a/ca-vi-xuyen").await;
    assert!(!page.contains("/tra-cuu/"), "an account without lookups links none: {page}");

    let (status, page, _) = v.get("/a/ubnd-vi-xuyen/tra-cuu").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("href=\"{MARTYRS}\"")), "{page}");

    for path in ["/a/so-gddt-tuyen-quang/tra-cuu/khong-co", "/a/khong-co-ai/tra-cuu/diem-thi"] {
        let (status, page, _) = v.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("Không tìm thấy trang"), "{page}");
        let (status, _, _) = ask(&app, path, &[("do", "find"), ("key", "1")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "POST {path}");
    }
}

#[tokio::test]
async fn wrong_birth_dates_lock_the_number_for_a_while() {
    let app = spawn_app(true).await;
    for _ in 0..5 {
        let (status, _, _) = candidate(&app, Some("01/01/2000")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Now even the right answer waits.
    let (status, page, headers) = candidate(&app, Some(DEMO_CANDIDATE.2)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    let retry: u64 =
        headers[header::RETRY_AFTER].to_str().ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    assert!(retry >= 60, "{retry}");
    assert!(page.contains("tạm khoá"), "{page}");
    assert!(record(&page).is_none(), "{page}");
}

// ---------------------------------------------------------------------------------------------
// The console.

/// A multipart body as a browser sends the import form.
fn multipart(fields: &[(&str, &str)], csv: &str) -> (String, Vec<u8>) {
    let boundary = "ketnoi-lookup-boundary-Q2xa9";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"data.csv\"\r\n\
         content-type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
}

impl Visitor<'_> {
    /// Posts the lookups' import form of an account's console.
    async fn import_csv(
        &mut self,
        console: &str,
        fields: &[(&str, &str)],
        csv: &str,
    ) -> (StatusCode, String, Option<String>) {
        let (status, page, _) = self.get(console).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let csrf = hidden(&page, "csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let (content_type, body) = multipart(&all, csv);
        let response = self
            .app
            .client
            .post(self.app.url(console))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, "vi")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {console}: {e}"));
        self.finish(response).await
    }

    /// Posts a form of a console page, with that page's form token.
    async fn console_post(
        &mut self,
        page_path: &str,
        action: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let (status, page, _) = self.get(page_path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let csrf = hidden(&page, "csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(form);
        self.post(action, &all).await
    }
}

/// A small register of permits: key `ma`, shown under labels.
const PERMITS: &str = "ma,chu_so_huu,loai\nGP001,Trần Thị Mai,Giấy phép sửa chữa nhà\nGP002,Lê Văn Hải,Giấy phép xây dựng\n";

fn permit_fields(publication: &str) -> Vec<(&str, &str)> {
    vec![
        ("dataset", "giay-phep"),
        ("title", "Tra cứu giấy phép xây dựng"),
        ("key", "ma"),
        ("verify", ""),
        ("search", "chu_so_huu"),
        ("filters", ""),
        ("show", "ma=Mã giấy phép\nchu_so_huu=Chủ sở hữu\nloai=Loại"),
        ("command", ""),
        ("publication", publication),
        ("at", ""),
    ]
}

/// The API's answer for a permit: status and the record's values.
async fn api_permit(app: &TestApp, key: &str) -> (u16, serde_json::Value) {
    app.get(&format!("/api/v1/accounts/ca-vi-xuyen/lookups/giay-phep/records/{key}"), None).await
}

#[tokio::test]
async fn an_officer_imports_a_csv_and_the_api_and_page_serve_it() {
    let app = spawn_app(true).await;
    let mut officer = Visitor::staff(&app, OFFICER).await;
    let (_, console, _) = officer.get("/console").await;
    assert!(
        console.contains(&format!("href=\"{CONSOLE}\"")),
        "the console links lookups: {console}"
    );

    let (status, page, location) =
        officer.import_csv(CONSOLE, &permit_fields("now"), PERMITS).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let location = location.unwrap_or_default();
    assert!(location.starts_with(&format!("{CONSOLE}/giay-phep?done=imported")), "{location}");

    let (status, answer) = api_permit(&app, "GP002").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["values"][1], "Lê Văn Hải");
    assert_eq!(answer["labels"][1], "Chủ sở hữu");

    let (status, page, _) = officer.get(&location).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Đã nạp tệp thành một phiên bản mới."), "{page}");
    assert!(page.contains("data-version=\"1\" data-state=\"live\""), "{page}");
    assert!(page.contains("<td>Trần Thị Mai</td>"), "the preview shows the first rows: {page}");

    // The citizen's page has it, and the account page links it.
    let (status, page, _) =
        ask(&app, "/a/ca-vi-xuyen/tra-cuu/giay-phep", &[("do", "find"), ("key", "GP001")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(record(&page).is_some_and(|t| t.contains("Giấy phép sửa chữa nhà")), "{page}");
    let (_, page, _) = Visitor::new(&app).get("/a/ca-vi-xuyen").await;
    assert!(page.contains("href=\"/a/ca-vi-xuyen/tra-cuu/giay-phep\""), "{page}");
}

#[tokio::test]
async fn a_csv_with_problems_lists_them_by_line_and_publishes_nothing() {
    let app = spawn_app(true).await;
    let before = app.get("/api/v1/accounts/so-gddt-tuyen-quang/lookups/diem-thi", None).await;
    assert_eq!(before.0, 200, "{}", before.1);
    assert_eq!(before.1["version"], 1);

    let mut admin = Visitor::staff(&app, "quantri").await;
    let console = "/console/a/so-gddt-tuyen-quang/lookups";
    let csv = "so_bao_danh,ho_ten,ngay_sinh,toan\n\
               08000001,Hoàng Văn Nam,01/02/2008,9.00\n\
               08000001,Phạm Thị Hoa,03/04/2008,7.00\n\
               ,Đỗ Minh Khôi,05/06/2008,6.50\n";
    let fields = [
        ("dataset", "diem-thi"),
        ("title", ""),
        ("key", "so_bao_danh"),
        ("verify", "ngay_sinh"),
        ("search", "ho_ten"),
        ("filters", ""),
        ("show", ""),
        ("command", ""),
        ("publication", "now"),
        ("at", ""),
    ];
    let (status, page, location) = admin.import_csv(console, &fields, csv).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(location.is_none());
    let report =
        page.split("data-import-report>").nth(1).unwrap_or_else(|| panic!("no report: {page}"));
    assert!(report.contains("Dòng 3: Mã tra cứu trùng với dòng 2."), "{report}");
    assert!(report.contains("Dòng 4: Ô mã tra cứu để trống."), "{report}");
    assert!(report.contains("Chưa có gì được lưu"), "{report}");
    // The file's first rows are shown beside the problems, numbered as the report counts.
    let preview =
        page.split("data-preview>").nth(1).unwrap_or_else(|| panic!("no preview: {page}"));
    assert!(preview.contains("<th scope=\"col\">ho_ten</th>"), "{preview}");
    assert!(
        preview.contains("<th scope=\"row\">3</th><td>08000001</td><td>Phạm Thị Hoa</td>"),
        "{preview}"
    );
    // What was typed is kept for the next try.
    assert!(page.contains("value=\"so_bao_danh\""), "{page}");

    let after = app.get("/api/v1/accounts/so-gddt-tuyen-quang/lookups/diem-thi", None).await;
    assert_eq!(after.1["version"], 1, "{}", after.1);
    let account = app
        .store
        .account_by_slug(&Slug::parse("so-gddt-tuyen-quang").unwrap_or_else(|e| panic!("{e}")))
        .await;
    let account = account.ok().flatten().unwrap_or_else(|| panic!("no account"));
    let dataset = app
        .store
        .lookup_dataset(account.id, &Slug::parse("diem-thi").unwrap_or_else(|e| panic!("{e}")))
        .await;
    let dataset = dataset.ok().flatten().unwrap_or_else(|| panic!("no dataset"));
    let versions = app.store.lookup_versions(dataset.id).await.unwrap_or_default();
    assert_eq!(versions.len(), 1, "no version was added");
    let (status, page, _) = candidate(&app, Some(DEMO_CANDIDATE.2)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record(&page).is_some_and(|t| t.contains(DEMO_CANDIDATE.1)), "{page}");

    // A form missing what an import needs is sent back with the fields marked.
    let (status, page, _) = admin
        .import_csv(
            console,
            &[("dataset", "Điểm Thi"), ("key", ""), ("publication", "at"), ("at", "mai")],
            "a\n1\n",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for field in ["#dataset", "#key", "#at"] {
        assert!(page.contains(&format!("href=\"{field}\"")), "{field}: {page}");
    }
}

#[tokio::test]
async fn versions_are_scheduled_cancelled_published_and_restored_from_the_dataset_page() {
    let app = spawn_app(true).await;
    let mut officer = Visitor::staff(&app, OFFICER).await;
    let (status, _, _) = officer.import_csv(CONSOLE, &permit_fields("now"), PERMITS).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = "ma,chu_so_huu,loai\nGP001,Trần Thị Mai,Giấy phép xây dựng mới\n";
    let (status, page, location) =
        officer.import_csv(CONSOLE, &permit_fields("draft"), second).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let dataset = format!("{CONSOLE}/giay-phep");
    assert!(location.unwrap_or_default().starts_with(&dataset));

    let served = |answer: &serde_json::Value| answer["values"][2].as_str().map(str::to_owned);
    let (_, answer) = api_permit(&app, "GP001").await;
    assert_eq!(answer["version"], 1, "a draft is not served: {answer}");
    assert_eq!(served(&answer).as_deref(), Some("Giấy phép sửa chữa nhà"));

    let (_, page, _) = officer.get(&dataset).await;
    assert!(page.contains("data-version=\"2\" data-state=\"draft\""), "{page}");
    assert!(page.contains("Công bố phiên bản 2 ngay"), "{page}");
    // The overview says what is live.
    let (_, overview, _) = officer.get(CONSOLE).await;
    assert!(overview.contains("Đang công bố phiên bản 1"), "{overview}");

    // Schedule version 2 for the day after tomorrow; nonsense and the past are refused.
    let versions = |n: i64, action: &str| format!("{dataset}/versions/{n}/{action}");
    let (status, page, _) =
        officer.console_post(&dataset, &versions(2, "schedule"), &[("at", "ngày mai")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("href=\"#at-2\""), "{page}");
    let past = Timestamp::now().plus_millis(-3_600_000).display_vn();
    let (status, page, _) =
        officer.console_post(&dataset, &versions(2, "schedule"), &[("at", &past)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Thời điểm này đã qua."), "{page}");

    let later = Timestamp::now().plus_millis(2 * 86_400_000);
    let vietnam = later.in_vietnam().unwrap_or_else(|| panic!("a time"));
    let local = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        vietnam.year(),
        u8::from(vietnam.month()),
        vietnam.day(),
        vietnam.hour(),
        vietnam.minute()
    );
    let (status, page, location) =
        officer.console_post(&dataset, &versions(2, "schedule"), &[("at", &local)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(location.unwrap_or_default().contains("done=schedule"));
    let (_, page, _) = officer.get(&dataset).await;
    assert!(page.contains("data-version=\"2\" data-state=\"scheduled\""), "{page}");
    assert!(page.contains(&later.display_vn()), "the moment is shown: {page}");
    let (_, answer) = api_permit(&app, "GP001").await;
    assert_eq!(answer["version"], 1, "{answer}");

    let (status, _, _) = officer.console_post(&dataset, &versions(2, "cancel"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = officer.get(&dataset).await;
    assert!(page.contains("data-version=\"2\" data-state=\"draft\""), "{page}");

    // Publish version 2 now: citizens get it at once.
    let (status, _, _) = officer.console_post(&dataset, &versions(2, "publish"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, answer) = api_permit(&app, "GP001").await;
    assert_eq!(answer["version"], 2, "{answer}");
    assert_eq!(served(&answer).as_deref(), Some("Giấy phép xây dựng mới"));
    let (status, _) = api_permit(&app, "GP002").await;
    assert_eq!(status, 404, "version 2 has no GP002");

    // Restore version 1.
    let (_, page, _) = officer.get(&dataset).await;
    assert!(page.contains("data-version=\"1\" data-state=\"previous\""), "{page}");
    assert!(page.contains("Khôi phục phiên bản 1"), "{page}");
    let (status, _, _) = officer.console_post(&dataset, &versions(1, "publish"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, answer) = api_permit(&app, "GP002").await;
    assert_eq!(answer["version"], 1, "{answer}");

    // A version that does not exist is not found.
    let (status, _, _) = officer.console_post(&dataset, &versions(9, "publish"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_limit_set_in_the_console_turns_fast_lookups_away() {
    let app = spawn_app(true).await;
    let mut officer = Visitor::staff(&app, OFFICER).await;
    let (status, _, _) = officer.import_csv(CONSOLE, &permit_fields("now"), PERMITS).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let dataset = format!("{CONSOLE}/giay-phep");
    let settings = format!("{dataset}/settings");
    let form = |limit: &'static str| {
        vec![("title", "Giấy phép xây dựng"), ("command", "giay phep"), ("per_minute", limit)]
    };

    let (status, page, _) = officer.console_post(&dataset, &settings, &form("nhiều")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("href=\"#per_minute\""), "{page}");

    let (status, page, _) = officer.console_post(&dataset, &settings, &form("1")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page, _) = officer.get(&dataset).await;
    assert!(page.contains("1 lượt mỗi phút"), "{page}");
    assert!(page.contains("<h1>Giấy phép xây dựng</h1>"), "{page}");

    let path = "/a/ca-vi-xuyen/tra-cuu/giay-phep";
    let (status, page, _) = ask(&app, path, &[("do", "find"), ("key", "GP001")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, page, headers) = ask(&app, path, &[("do", "find"), ("key", "GP001")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(page.contains("Bạn tra cứu quá nhanh"), "{page}");
    assert!(record(&page).is_none());
}

#[tokio::test]
async fn only_staff_who_may_publish_lookups_reach_the_console() {
    let app = spawn_app(true).await;
    let mut viewer = Visitor::staff(&app, "ubndvixuyen.xem").await;
    let (status, page, _) = viewer.get("/console/a/ubnd-vi-xuyen/lookups").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    let (status, _, _) = viewer.get("/console/a/ubnd-vi-xuyen/lookups/liet-si").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, console, _) = viewer.get("/console").await;
    assert!(!console.contains("/lookups\""), "{console}");

    // An officer of another agency may not publish here either, not even by posting.
    let mut officer = Visitor::staff(&app, OFFICER).await;
    let (status, _, _) = officer.get("/console/a/ubnd-vi-xuyen/lookups").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (content_type, body) =
        multipart(&[("dataset", "liet-si"), ("key", "ma_ho_so")], "ma_ho_so\nX1\n");
    let response = app
        .client
        .post(app.url("/console/a/ubnd-vi-xuyen/lookups"))
        .header(header::COOKIE, officer.cookie_header())
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, answer) = app.get("/api/v1/accounts/ubnd-vi-xuyen/lookups/liet-si", None).await;
    assert_eq!(answer["version"], 1, "{answer}");

    // Nobody signed in is sent to sign in.
    let (status, _, headers) = Visitor::new(&app).get(CONSOLE).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION].to_str().unwrap_or_default().starts_with("/staff/sign-in"));
}
