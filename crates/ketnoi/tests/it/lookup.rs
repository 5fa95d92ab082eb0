//! Lookups over the API (issue 6): records by key with a second factor, search without
//! diacritics, bad input, rate limits and lockouts, atomic and scheduled version switches, the
//! chat command and the import command.

use std::time::{Duration, Instant};

use ketnoi::demo::DEMO_CANDIDATE;
use ketnoi_core::Timestamp;
use ketnoi_lookup::{dataset::Spec, guard::Limits};
use ketnoi_store::Publication;
use serde_json::{Value, json};

use crate::cli::ketnoi;
use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};

const EXAM: &str = "/api/v1/accounts/so-gddt-tuyen-quang/lookups/diem-thi";
const MARTYRS: &str = "/api/v1/accounts/ubnd-vi-xuyen/lookups/liet-si";

fn record_path(key: &str, born: &str) -> String {
    format!("{EXAM}/records/{key}?ngay_sinh={born}")
}

/// Status, headers that matter, and body bytes.
async fn raw(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    raw_from(app, path, None).await
}

async fn raw_from(app: &TestApp, path: &str, forwarded: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut req = app.client.get(app.url(path));
    if let Some(ip) = forwarded {
        req = req.header("x-forwarded-for", ip);
    }
    let r = req.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, r.bytes().await.unwrap_or_default().to_vec())
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

#[tokio::test]
async fn a_record_answers_only_with_its_second_factor_in_any_written_form() {
    let app = spawn_app(true).await;
    let (number, name, _) = DEMO_CANDIDATE;
    for born in ["15/03/2008", "2008-03-15", "15032008", " 15-3-2008 ", "15.03.2008"] {
        let (status, kind, body) = raw(&app, &record_path(number, born)).await;
        assert_eq!((status, kind.as_str()), (200, "application/json"), "{born}");
        let record = json_of(&body);
        assert_eq!(record["dataset"], "diem-thi");
        let labels = record["labels"].as_array().cloned().unwrap_or_default();
        let values = record["values"].as_array().cloned().unwrap_or_default();
        let at = |label: &str| labels.iter().position(|l| l == label).map(|i| values[i].clone());
        assert_eq!(at("Họ và tên"), Some(json!(name)), "{record}");
        assert_eq!(at("Toán"), Some(json!("8.25")), "{record}");
    }
    // No store is asked: the describe answer says what to send.
    let (status, about) = app.get(EXAM, None).await;
    assert_eq!(status, 200, "{about}");
    assert_eq!(about["verify"], json!(["ngay_sinh"]));
    assert_eq!(about["command"], "diem");
    let (status, listed) = app.get("/api/v1/accounts/so-gddt-tuyen-quang/lookups", None).await;
    assert_eq!((status, listed[0]["slug"].as_str()), (200, Some("diem-thi")), "{listed}");
}

#[tokio::test]
async fn an_unknown_key_and_a_wrong_birth_date_answer_identically() {
    let app = spawn_app(true).await;
    let (number, _, _) = DEMO_CANDIDATE;
    let wrong = raw(&app, &record_path(number, "16/03/2008")).await;
    let unknown = raw(&app, &record_path("99999999", "15/03/2008")).await;
    assert_eq!(wrong.0, 404);
    assert_eq!(wrong, unknown, "status, content type and body must not tell them apart");
    assert_eq!(json_of(&wrong.2)["code"], "lookup-no-match");

    // And in time: the medians of interleaved requests are within a few milliseconds. (Each
    // takes well under a millisecond of work; what is compared here is the server's path.)
    let mut times = (Vec::new(), Vec::new());
    for i in 0..60 {
        // Different keys each time, so that no lockout engages.
        let key = format!("{}", 8_000_100 + i);
        let started = Instant::now();
        raw(&app, &record_path(&format!("0{key}"), "01/01/2000")).await;
        times.0.push(started.elapsed());
        let started = Instant::now();
        raw(&app, &record_path(&format!("9{key}"), "01/01/2000")).await;
        times.1.push(started.elapsed());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut times.0), median(&mut times.1));
    assert!(a.abs_diff(b) < Duration::from_millis(3), "medians {a:?} and {b:?}");
}

#[tokio::test]
async fn search_finds_names_without_diacritics_and_never_shows_scores_without_the_second_factor() {
    let app = spawn_app(true).await;
    let (status, found) = app.get(&format!("{MARTYRS}/search?q=nguyen+van+duc"), None).await;
    assert_eq!(status, 200, "{found}");
    let hits = found["hits"].as_array().cloned().unwrap_or_default();
    assert!(hits.iter().any(|h| h[1] == "Nguyễn Văn Đức" && h[0] == "LS000001"), "{found}");
    assert!(
        hits.iter().all(|h| h[1].as_str().is_some_and(|n| ketnoi_text::fold(n).contains("duc")))
    );
    // The last word may be unfinished; filters narrow exactly.
    let (_, narrowed) =
        app.get(&format!("{MARTYRS}/search?q=nguyen+van+du&nam_sinh=1962"), None).await;
    let narrowed = narrowed["hits"].as_array().cloned().unwrap_or_default();
    assert!(narrowed.iter().any(|h| h[0] == "LS000001"), "{narrowed:?}");
    assert!(narrowed.iter().all(|h| h[2] == "1962"), "{narrowed:?}");
    let (_, none) =
        app.get(&format!("{MARTYRS}/search?q=nguyen+van+duc&nam_sinh=1900"), None).await;
    assert_eq!(none["hits"], json!([]));
    // With diacritics, the same person.
    let (_, marked) = app
        .get(&format!("{MARTYRS}/search?q=Nguy%E1%BB%85n%20V%C4%83n%20%C4%90%E1%BB%A9c"), None)
        .await;
    assert!(marked["hits"].as_array().is_some_and(|h| h.iter().any(|h| h[0] == "LS000001")));

    // The exam has a second factor: hits carry the number and the name, nothing else.
    let (status, exam) = app.get(&format!("{EXAM}/search?q=nguyen+van+duc&limit=50"), None).await;
    assert_eq!(status, 200, "{exam}");
    assert_eq!(exam["labels"], json!(["Số báo danh", "Họ và tên"]));
    let text = exam.to_string();
    assert!(text.contains(DEMO_CANDIDATE.0), "{text}");
    assert!(!text.contains("8.25") && !text.contains("15/03/2008"), "{text}");
}

#[tokio::test]
async fn absurd_and_hostile_lookup_requests_are_400_or_404_never_500() {
    let app = spawn_app(true).await;
    let long = "9".repeat(10_000);
    let cases: Vec<(String, u16, &str)> = vec![
        (record_path(&long, "15/03/2008"), 400, "lookup-bad-key"),
        (record_path("08000001", &"1".repeat(5_000)), 400, "lookup-too-long"),
        (format!("{EXAM}/records/08000001"), 400, "lookup-missing-verify"),
        (format!("{EXAM}/records/08000001?ngay_sinh="), 400, "lookup-missing-verify"),
        (record_path("'%20OR%201=1%20--", "x"), 404, "lookup-no-match"),
        (record_path("%00%01", "%00"), 404, "lookup-no-match"),
        (record_path("..%2F..%2Fetc%2Fpasswd", "15/03/2008"), 404, "lookup-no-match"),
        (record_path("%3Cscript%3E", "%3Cscript%3E"), 404, "lookup-no-match"),
        (format!("{MARTYRS}/search?q=duc&limit=0"), 400, "lookup-bad-limit"),
        (format!("{MARTYRS}/search?q=duc&limit=51"), 400, "lookup-bad-limit"),
        (format!("{MARTYRS}/search?q=duc&limit=ten"), 400, "lookup-bad-limit"),
        (format!("{MARTYRS}/search?q=duc&ho_ten=x"), 400, "lookup-unknown-filter"),
        (format!("{MARTYRS}/search?q={}", "a".repeat(1_000)), 400, "lookup-too-long"),
        (format!("{MARTYRS}/search?q=%20"), 400, "lookup-empty-search"),
        (format!("{MARTYRS}/search?q=duc&nam_sinh={}", "1".repeat(500)), 400, "lookup-too-long"),
        ("/api/v1/accounts/ubnd-vi-xuyen/lookups/khong-co/records/1".into(), 404, "not-found"),
        ("/api/v1/accounts/khong-co/lookups/liet-si/search?q=duc".into(), 404, "not-found"),
    ];
    for (path, status, code) in cases {
        let (got, _, body) = raw(&app, &path).await;
        let body = json_of(&body);
        assert_problem(&(got, body), status, code);
    }
    // Bytes that are not UTF-8 are read as replacement characters: nothing matches them.
    let (status, _, body) = raw(&app, &format!("{MARTYRS}/search?q=%FF%FE")).await;
    assert_eq!((status, &json_of(&body)["hits"]), (200, &json!([])));
    // Nothing above locked or broke the real record.
    assert_eq!(raw(&app, &record_path(DEMO_CANDIDATE.0, DEMO_CANDIDATE.2)).await.0, 200);
}

#[tokio::test]
async fn each_client_has_its_own_bucket_and_x_forwarded_for_counts_only_from_a_trusted_proxy() {
    let app = spawn_app_with(true, |c| {
        c.lookup_limits = Limits { per_minute: 6, burst: 3 };
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"))];
    })
    .await;
    let path = format!("{MARTYRS}/search?q=duc");
    for _ in 0..3 {
        assert_eq!(raw_from(&app, &path, Some("198.51.100.1")).await.0, 200);
    }
    let r = app
        .client
        .get(app.url(&path))
        .header("x-forwarded-for", "198.51.100.1")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    // Another address behind the same proxy has its own bucket.
    assert_eq!(raw_from(&app, &path, Some("198.51.100.2")).await.0, 200);
    // A forged address written before the proxy's own entry changes nothing.
    assert_eq!(raw_from(&app, &path, Some("203.0.113.9, 198.51.100.1")).await.0, 429);
}

#[tokio::test]
async fn wrong_birth_dates_lock_the_key_for_that_client_then_for_everyone() {
    let app = spawn_app_with(true, |c| {
        c.lookup_limits = Limits::off();
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"))];
    })
    .await;
    let (number, _, born) = DEMO_CANDIDATE;
    let right = record_path(number, born);
    let wrong = record_path(number, "01/01/2008");
    for _ in 0..5 {
        assert_eq!(raw_from(&app, &wrong, Some("192.0.2.1")).await.0, 404);
    }
    // Locked for this client, even with the right answer, and the answer says for how long.
    let locked = raw_from(&app, &right, Some("192.0.2.1")).await;
    assert_problem(&(locked.0, json_of(&locked.2)), 429, "lookup-locked");
    // Another client still gets the record.
    assert_eq!(raw_from(&app, &right, Some("192.0.2.2")).await.0, 200);
    // An invented key locks exactly like a real one.
    for _ in 0..5 {
        raw_from(&app, &record_path("07999999", born), Some("192.0.2.1")).await;
    }
    let invented = raw_from(&app, &record_path("07999999", born), Some("192.0.2.1")).await;
    assert_eq!(invented.0, 429);

    // Guesses spread over three more addresses lock the key for everyone for a while.
    for client in ["192.0.2.3", "192.0.2.4", "192.0.2.5"] {
        for _ in 0..2 {
            raw_from(&app, &wrong, Some(client)).await;
        }
    }
    let everyone = raw_from(&app, &right, Some("192.0.2.99")).await;
    assert_eq!(everyone.0, 429, "{}", String::from_utf8_lossy(&everyone.2));
    // Other keys are untouched.
    let other = app.get(&format!("{EXAM}/search?q=nguyen"), None).await;
    assert_eq!(other.0, 200);
}

/// A dataset whose every value names its version, for watching switches.
fn versioned_csv(tag: &str) -> Vec<u8> {
    let mut csv = String::from("ma,ten,ghi_chu\n");
    for i in 0..500 {
        csv.push_str(&format!("K{i:04},Nguyễn Văn {tag} {i},{tag}\n"));
    }
    csv.into_bytes()
}

async fn import_version(app: &TestApp, tag: &str, publication: Publication) -> i64 {
    let account = app
        .store
        .account_by_slug(&"ubnd-vi-xuyen".parse().unwrap_or_else(|e| panic!("{e:?}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no account"));
    let state_blobs = tempfile_blobs(app);
    let done = ketnoi_server::features::lookups::import::import(
        app.store.as_ref(),
        state_blobs.as_ref(),
        ketnoi_server::features::lookups::import::Import {
            account: account.id,
            dataset: "phien-ban".parse().unwrap_or_else(|e| panic!("{e:?}")),
            title: "Thử phiên bản".into(),
            command: None,
            spec: Spec { key: "ma".into(), search: vec!["ten".into()], ..Spec::default() },
            bytes: versioned_csv(tag),
            publication,
            by: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"))
    .unwrap_or_else(|r| panic!("{r}"));
    done.version.version
}

/// The blob store the test server uses.
fn tempfile_blobs(app: &TestApp) -> std::sync::Arc<dyn ketnoi_store::BlobStore> {
    app.blobs.clone()
}

#[tokio::test]
async fn a_version_switch_is_atomic_under_concurrent_reads() {
    let app = spawn_app_with(true, |c| c.lookup_limits = Limits::off()).await;
    let v1 = import_version(&app, "alpha", Publication::Now).await;
    let v2 = import_version(&app, "beta", Publication::Draft).await;
    app.lookups.refresh().await.unwrap_or_else(|e| panic!("{e:#}"));
    let tags = [(v1, "alpha"), (v2, "beta")];

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = tokio::task::JoinSet::new();
    for r in 0..6 {
        let client = app.client.clone();
        let base = app.base.clone();
        let stop = stop.clone();
        readers.spawn(async move {
            let mut seen = std::collections::BTreeMap::<i64, usize>::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let path = if (r + i) % 2 == 0 {
                    format!("{base}/api/v1/accounts/ubnd-vi-xuyen/lookups/phien-ban/search?q=nguyen+van&limit=50")
                } else {
                    format!("{base}/api/v1/accounts/ubnd-vi-xuyen/lookups/phien-ban/records/K{:04}", i % 500)
                };
                let body: Value = client.get(&path).send().await.unwrap_or_else(|e| panic!("{e}")).json().await.unwrap_or_else(|e| panic!("{e}"));
                let version = body["version"].as_i64().unwrap_or_else(|| panic!("{body}"));
                *seen.entry(version).or_default() += 1;
                let values: Vec<&Value> = match body["hits"].as_array() {
                    Some(hits) => {
                        assert_eq!(hits.len(), 50, "{body}");
                        hits.iter().flat_map(|h| h.as_array().into_iter().flatten()).collect()
                    }
                    None => body["values"].as_array().into_iter().flatten().collect(),
                };
                let names: Vec<&str> = values.iter().filter_map(|v| v.as_str()).filter(|v| v.starts_with("Nguyễn")).collect();
                assert!(!names.is_empty(), "{body}");
                for name in names {
                    let tag = if name.contains("alpha") { "alpha" } else { "beta" };
                    assert!(tags.contains(&(version, tag)), "version {version} answered {name}");
                }
            }
            seen
        });
    }
    let account = app
        .store
        .lookup_datasets(
            app.store
                .account_by_slug(&"ubnd-vi-xuyen".parse().unwrap_or_else(|e| panic!("{e:?}")))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no account"))
                .id,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dataset = account
        .iter()
        .find(|d| d.slug.as_str() == "phien-ban")
        .unwrap_or_else(|| panic!("no dataset"));
    for round in 0..8 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let version = if round % 2 == 0 { v2 } else { v1 };
        app.store
            .publish_lookup_version(dataset.id, version, Timestamp::now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        app.lookups.refresh().await.unwrap_or_else(|e| panic!("{e:#}"));
    }
    tokio::time::sleep(Duration::from_millis(60)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = std::collections::BTreeMap::<i64, usize>::new();
    while let Some(seen) = readers.join_next().await {
        for (v, n) in seen.unwrap_or_else(|e| panic!("reader failed: {e}")) {
            *total.entry(v).or_default() += n;
        }
    }
    assert!(
        total.get(&v1).is_some_and(|n| *n > 0) && total.get(&v2).is_some_and(|n| *n > 0),
        "{total:?}"
    );
}

#[tokio::test]
async fn a_scheduled_version_goes_live_at_its_moment_and_not_before() {
    let app = spawn_app_with(true, |c| {
        c.lookup_limits = Limits::off();
        c.lookup_poll = Duration::from_millis(300);
    })
    .await;
    let v1 = import_version(&app, "alpha", Publication::Now).await;
    app.lookups.refresh().await.unwrap_or_else(|e| panic!("{e:#}"));
    let moment = Timestamp::now().plus_millis(2_500);
    let v2 = import_version(&app, "beta", Publication::At(moment)).await;
    let path = "/api/v1/accounts/ubnd-vi-xuyen/lookups/phien-ban/records/K0001";
    let started = Instant::now();
    let mut switched_at = None;
    while started.elapsed() < Duration::from_secs(8) {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, 200, "{body}");
        let version = body["version"].as_i64();
        let now = Timestamp::now();
        if version == Some(v2) {
            switched_at.get_or_insert(now);
        } else {
            assert_eq!(version, Some(v1), "{body}");
            assert!(switched_at.is_none(), "went back to version 1 after the switch");
            assert!(
                now.millis() <= moment.millis() + 1_000,
                "still version 1 a second after the moment"
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let switched_at = switched_at.unwrap_or_else(|| panic!("version 2 never went live"));
    assert!(switched_at >= moment, "live {} ms early", moment.millis() - switched_at.millis());
    // Storage records it as published at its moment.
    let dataset = app
        .store
        .lookup_dataset(
            app.store
                .account_by_slug(&"ubnd-vi-xuyen".parse().unwrap_or_else(|e| panic!("{e:?}")))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no account"))
                .id,
            &"phien-ban".parse().unwrap_or_else(|e| panic!("{e:?}")),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no dataset"));
    assert_eq!(dataset.live_version, Some(v2));
}

#[tokio::test]
async fn a_citizen_looks_up_a_score_by_typing_the_command_in_chat() {
    let app = spawn_app(true).await;
    let token = app.citizen_token("0987000002").await;
    let (number, name, born) = DEMO_CANDIDATE;
    let ask = |id: &'static str, text: String| {
        let app = &app;
        let token = token.clone();
        async move {
            let (status, sent) = app
                .send(
                    reqwest::Method::POST,
                    "/api/v1/accounts/so-gddt-tuyen-quang/messages",
                    Some(&token),
                    Some(json!({ "client_msg_id": id, "text": text })),
                )
                .await;
            assert_eq!(status, 201, "{sent}");
            (
                sent["conversation"]["id"].as_i64().unwrap_or(0),
                sent["message"]["seq"].as_i64().unwrap_or(0),
            )
        }
    };
    let reply = |conversation: i64, seq: i64| {
        let app = &app;
        let token = token.clone();
        async move {
            let started = Instant::now();
            loop {
                let (_, page) = app
                    .get(
                        &format!("/api/v1/conversations/{conversation}/messages?limit=100"),
                        Some(&token),
                    )
                    .await;
                let found = page["messages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|m| m["seq"].as_i64() > Some(seq) && m["author"] == "bot")
                    .cloned();
                if let Some(m) = found {
                    return m["text"].as_str().unwrap_or_default().to_owned();
                }
                assert!(started.elapsed() < Duration::from_secs(10), "no answer to message {seq}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let (conversation, seq) = ask("tra-1", format!("Diem {number} {born}")).await;
    let text = reply(conversation, seq).await;
    assert!(text.contains(name) && text.contains("Toán: 8.25"), "{text}");
    let (_, seq) = ask("tra-2", format!("điểm {number} 16/03/2008")).await;
    let text = reply(conversation, seq).await;
    assert!(text.starts_with("Không tìm thấy") && !text.contains("8.25"), "{text}");
    let (_, seq) = ask("tra-3", "diem".into()).await;
    let text = reply(conversation, seq).await;
    assert!(text.contains("diem <Số báo danh> <Ngày sinh>"), "{text}");
}

#[tokio::test]
async fn the_import_command_lists_every_bad_line_and_publishes_nothing_until_the_file_is_right() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let seed = ketnoi(dir.path(), &["agency", "list"]);
    let _ = seed; // creates the database
    let store = ketnoi_store::SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("ketnoi.db").display()
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    ketnoi::demo::seed(&store).await.unwrap_or_else(|e| panic!("{e:#}"));
    store.close().await;

    let write = |name: &str, text: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path.display().to_string()
    };
    let import = |file: &str, extra: &[&str]| {
        let mut args = vec![
            "lookup",
            "import",
            "--account",
            "so-gddt-tuyen-quang",
            "--dataset",
            "diem-thi",
            "--key",
            "so_bao_danh",
            "--verify",
            "ngay_sinh",
            "--search",
            "ho_ten",
        ];
        args.extend_from_slice(extra);
        args.push(file);
        ketnoi(dir.path(), &args)
    };
    let good = write(
        "good.csv",
        "\u{feff}so_bao_danh,ho_ten,ngay_sinh,toan\r\n01000001,Lê Văn A,01/02/2008,9.00\r\n01000002,Trần Thị B,03/04/2008,7.50\r\n"
            .as_bytes(),
    );
    let out = import(&good, &["--title", "Điểm thi", "--command", "Điểm"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("2 bản ghi") && said.contains("phiên bản 1"), "{said}");

    let bad = write(
        "bad.csv",
        b"so_bao_danh,ho_ten,ngay_sinh,toan\n01000001,A,01/02/2008,9\n,B,01/02/2008,9\n01000001,C,01/02/2008,9\n01000004,D\n01000005,\xff\xfe,01/02/2008,9\n",
    );
    let out = import(&bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for line in ["Dòng 3", "Dòng 4", "Dòng 5", "Dòng 6", "trùng với dòng 2", "để trống"]
    {
        assert!(err.contains(line), "{line} missing from:\n{err}");
    }
    let missing = import(&good, &["--filter", "tinh"]);
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("Thiếu cột tinh"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    // A file over the limit is refused before it is read (a sparse file: no disk used).
    let huge = dir.path().join("huge.csv");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(2 * 1024 * 1024 * 1024))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = import(&huge.display().to_string(), &[]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("tệp quá lớn"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A draft and a schedule leave version 1 live.
    let out = import(&good, &["--draft"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = import(&good, &["--publish-at", "2099-01-01 08:00"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("sẽ công bố lúc 01/01/2099 08:00"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = import(&good, &["--publish-at", "ngày mai"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("không hiểu thời điểm"));

    let listed = ketnoi(dir.path(), &["lookup", "list", "--account", "so-gddt-tuyen-quang"]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.contains("diem-thi  Điểm thi  [diem]"), "{listed}");
    let live: Vec<&str> = listed.lines().filter(|l| l.contains("đang phục vụ")).collect();
    assert_eq!(live.len(), 1, "{listed}");
    assert!(live[0].trim_start().starts_with("v1 "), "{listed}");
    assert!(listed.contains("hẹn công bố 01/01/2099 08:00"), "{listed}");
    // Restoring works by number; a number that does not exist is a clear error.
    let out = ketnoi(
        dir.path(),
        &[
            "lookup",
            "publish",
            "--account",
            "so-gddt-tuyen-quang",
            "--dataset",
            "diem-thi",
            "--version",
            "2",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = ketnoi(
        dir.path(),
        &[
            "lookup",
            "publish",
            "--account",
            "so-gddt-tuyen-quang",
            "--dataset",
            "diem-thi",
            "--version",
            "42",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Không tìm thấy"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
