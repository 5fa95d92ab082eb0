//! The real `ketnoi` binary, run in a temporary folder.

use std::{
    io::{BufRead as _, BufReader},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use ketnoi_store::{
    AreaStore as _, PeopleStore as _, SecondFactorStore, SessionStore as _, SqliteStore,
};

const BIN: &str = env!("CARGO_BIN_EXE_ketnoi");

/// A file of the shared folder beside the checkout.
pub(crate) fn shared(path: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(path);
    assert!(
        p.exists(),
        "{} is missing: the shared folder must sit beside the checkout",
        p.display()
    );
    p
}

pub(crate) fn ketnoi(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("KETNOI_LANG", "vi")
        .env_remove("KETNOI_DATABASE")
        .env_remove("KETNOI_CONFIG")
        .env_remove("KETNOI_BLOB_STORE")
        .output()
        .unwrap_or_else(|e| panic!("run ketnoi: {e}"))
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn fails(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.starts_with("lỗi: ") || stderr.starts_with("error: "), "{stderr}");
    stderr
}

async fn open(dir: &Path) -> SqliteStore {
    let url = format!("sqlite://{}", dir.join("ketnoi.db").display());
    SqliteStore::open(&url).await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_cli_builds_a_platform_from_the_national_area_list() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let csv = shared("data/areas/vn-2025.csv");
    let out = ok(&ketnoi(d, &["area", "import", csv.to_str().unwrap_or_default()]));
    assert!(out.contains("3356"), "{out}");
    ok(&ketnoi(
        d,
        &[
            "agency",
            "create",
            "--code",
            "ca-tuyen-quang",
            "--name",
            "Công an tỉnh Tuyên Quang",
            "--kind",
            "police",
            "--area",
            "08",
        ],
    ));
    ok(&ketnoi(
        d,
        &[
            "agency",
            "create",
            "--code",
            "ca-vi-xuyen",
            "--name",
            "Công an xã Vị Xuyên",
            "--kind",
            "police",
            "--area",
            "00913",
            "--parent",
            "ca-tuyen-quang",
        ],
    ));
    let out = ok(&ketnoi(
        d,
        &[
            "account",
            "create",
            "--agency",
            "ca-vi-xuyen",
            "--name",
            "Công an xã Vị Xuyên",
            "--kind",
            "police",
            "--verified",
        ],
    ));
    assert!(out.contains("/cong-an-xa-vi-xuyen"), "a slug is made from the name: {out}");
    let out = ok(&ketnoi(
        d,
        &[
            "staff",
            "create",
            "--username",
            "Lan.Nguyen",
            "--name",
            "Nguyễn Thị Lan",
            "--grant",
            "ca-vi-xuyen=officer",
        ],
    ));
    let password =
        out.lines().find_map(|l| l.split(": ").nth(1)).unwrap_or_default().trim().to_owned();
    assert_eq!(password.len(), 16, "{out}");
    let out = ok(&ketnoi(
        d,
        &["token", "create", "--account", "cong-an-xa-vi-xuyen", "--label", "tổng đài"],
    ));
    let token = out.lines().last().unwrap_or_default().trim().to_owned();
    assert!(token.starts_with("ketnoi_t_"), "{out}");
    // An integration: its credentials printed once; listed without them; revoked.
    let out = ok(&ketnoi(
        d,
        &[
            "integration",
            "create",
            "--account",
            "cong-an-xa-vi-xuyen",
            "--name",
            "Một cửa",
            "--scopes",
            "message,webhooks",
        ],
    ));
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let app_id = field("app_id");
    assert_eq!(app_id.len(), 19, "{out}");
    assert!(field("access_token").starts_with("ketnoi_a_"), "{out}");
    assert!(field("webhook_secret").starts_with("whsec_"), "{out}");
    let listed = ok(&ketnoi(d, &["integration", "list", "--account", "cong-an-xa-vi-xuyen"]));
    assert!(listed.contains(&app_id) && listed.contains("message,webhooks"), "{listed}");
    assert!(!listed.contains(&field("secret_key")), "the secret is not listed: {listed}");
    let err = fails(&ketnoi(
        d,
        &[
            "integration",
            "create",
            "--account",
            "cong-an-xa-vi-xuyen",
            "--name",
            "X",
            "--scopes",
            "admin",
        ],
    ));
    assert!(err.contains("scopes"), "{err}");
    ok(&ketnoi(d, &["integration", "revoke", "--app-id", &app_id]));
    let listed = ok(&ketnoi(d, &["integration", "list", "--account", "cong-an-xa-vi-xuyen"]));
    assert!(listed.contains("thu hồi"), "{listed}");

    let store = open(d).await;
    assert_eq!(store.area_count().await.ok(), Some(3356));
    let lan = store
        .staff_by_username(&"lan.nguyen".parse().unwrap_or_else(|e| panic!("{e}")))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("staff member stored"));
    assert!(
        ketnoi_server::kernel::auth::verify_password(&password, &lan.1),
        "the printed password works"
    );
    assert!(!lan.1.contains(&password), "only a hash is stored");
    let grants = store.grants(lan.0.id).await.unwrap_or_default();
    assert_eq!(grants.first().map(|g| g.role), Some(ketnoi_core::Role::Officer));
    let session = store
        .session(&ketnoi_server::kernel::auth::token_hash(&token), ketnoi_core::Timestamp::now())
        .await
        .ok()
        .flatten();
    assert!(matches!(session.map(|s| s.subject), Some(ketnoi_store::Subject::Account(_))));

    // An operator removes a member's second factor (a lost phone): it goes, and the log says so.
    let out = ok(&ketnoi(d, &["staff", "reset-2fa", "lan.nguyen"]));
    assert!(out.contains("chưa bật"), "nothing to remove yet: {out}");
    let now = ketnoi_core::Timestamp::now();
    assert_eq!(store.begin_second_factor(lan.0.id, "wrapped", now).await.ok(), Some(true));
    assert_eq!(store.confirm_second_factor(lan.0.id, 1, &["h".into()], now).await.ok(), Some(true));
    store.close().await;
    let out = ok(&ketnoi(d, &["staff", "reset-2fa", "lan.nguyen"]));
    assert!(out.contains("Đã gỡ xác thực hai lớp"), "{out}");
    let err = fails(&ketnoi(d, &["staff", "reset-2fa", "khong.co.ai"]));
    assert!(err.contains("không có cán bộ"), "{err}");
    let store = open(d).await;
    assert_eq!(store.second_factor(lan.0.id).await.ok().map(|f| f.is_none()), Some(true));
    let verified = ok(&ketnoi(d, &["audit", "verify"]));
    assert!(!verified.is_empty(), "the audit chain verifies after the reset");
    store.close().await;
}

#[tokio::test]
async fn cli_mistakes_get_clear_messages_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let bad_csv = d.join("bad.csv");
    std::fs::write(
        &bad_csv,
        "code,name,level,division_type,parent_code\nVN,Việt Nam,country,,\n01,Hà Nội,galaxy,,VN\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = fails(&ketnoi(d, &["area", "import", bad_csv.to_str().unwrap_or_default()]));
    assert!(err.contains("dòng 3"), "the line is named: {err}");
    let orphan_csv = d.join("orphan.csv");
    std::fs::write(&orphan_csv, "\u{feff}code,name,level,parent_code\r\n01,Hà Nội,province,XX\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = fails(&ketnoi(d, &["area", "import", orphan_csv.to_str().unwrap_or_default()]));
    assert!(err.contains("XX"), "{err}");
    let store = open(d).await;
    assert_eq!(store.area_count().await.ok(), Some(0), "failed imports load nothing");
    store.close().await;

    let err = fails(&ketnoi(
        d,
        &["agency", "create", "--code", "CA HG", "--name", "X", "--kind", "police", "--area", "08"],
    ));
    assert!(err.contains("Mã cơ quan"), "{err}");
    let err = fails(&ketnoi(
        d,
        &[
            "agency", "create", "--code", "ca-hg", "--name", "Công an", "--kind", "army", "--area",
            "08",
        ],
    ));
    assert!(err.contains("kind") && err.contains("police"), "{err}");
    let err = fails(&ketnoi(
        d,
        &[
            "agency", "create", "--code", "ca-hg", "--name", "Công an", "--kind", "police",
            "--area", "08",
        ],
    ));
    assert!(err.contains("không có địa bàn 08"), "{err}");
    let err = fails(&ketnoi(d, &["token", "create", "--staff", "khong.co"]));
    assert!(err.contains("không có cán bộ"), "{err}");
    let err = fails(&ketnoi(
        d,
        &["staff", "create", "--username", "lan", "--name", "Lan", "--grant", "x"],
    ));
    assert!(err.contains("--grant"), "{err}");
    let err = fails(&ketnoi(d, &["--database", "mysql://x", "area", "import", "x.csv"]));
    assert!(err.contains("mysql://x"), "{err}");

    let en = Command::new(BIN)
        .args([
            "--data-dir",
            d.to_str().unwrap_or_default(),
            "agency",
            "create",
            "--code",
            "ca-hg",
            "--name",
            "C",
            "--kind",
            "police",
            "--area",
            "08",
        ])
        .env("KETNOI_LANG", "en")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&en.stderr);
    assert!(err.starts_with("error: ") && err.contains("name must be between 2 and 200"), "{err}");

    let usage = ketnoi(d, &["agency", "create"]);
    assert_eq!(usage.status.code(), Some(2), "clap reports missing flags as usage errors");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Starts `ketnoi serve`, waits for its address line, checks health, sends SIGTERM and returns
/// the address it listened on.
fn serve_and_stop(dir: &Path, args: &[&str], env: &[(&str, String)]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(dir).arg("serve").args(args);
    cmd.env_remove("KETNOI_LISTEN").env_remove("KETNOI_DATABASE").env("KETNOI_LANG", "en");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child =
        cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("ketnoi is running at http://") {
                let _ = tx.send(addr.trim_end_matches('/').to_owned());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("the server did not start")
    });
    let health = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &format!("http://{addr}/healthz")])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    assert_eq!(health, "200");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(killed.is_ok_and(|s| s.success()));
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "SIGTERM is a clean stop, not a crash: {status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    addr
}

#[test]
fn settings_layer_flags_over_environment_over_file_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (from_file, from_env, from_flag) = (free_port(), free_port(), free_port());
    let config = dir.path().join("ketnoi.toml");
    std::fs::write(&config, format!("listen = \"127.0.0.1:{from_file}\"\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_str().unwrap_or_default().to_owned();

    let addr = serve_and_stop(dir.path(), &["--config", &config], &[]);
    assert_eq!(addr, format!("127.0.0.1:{from_file}"), "the file overrides the default");
    let env = [("KETNOI_LISTEN", format!("127.0.0.1:{from_env}"))];
    let addr = serve_and_stop(dir.path(), &["--config", &config], &env);
    assert_eq!(addr, format!("127.0.0.1:{from_env}"), "the environment overrides the file");
    let flag = format!("127.0.0.1:{from_flag}");
    let addr = serve_and_stop(dir.path(), &["--config", &config, "--listen", &flag], &env);
    assert_eq!(addr, flag, "a flag overrides the environment");
    assert!(dir.path().join("ketnoi.db").exists(), "the database was created in the data folder");
}

#[test]
fn bench_inbox_runs_at_a_tiny_size_and_times_every_view_beside_its_reference() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let work = dir.path().join("work");
    let work = work.to_str().unwrap_or_else(|| panic!("a temporary path that is not UTF-8"));
    let out = ketnoi(
        dir.path(),
        &[
            "bench",
            "inbox",
            "--accounts",
            "20",
            "--conversations",
            "2000",
            "--messages-per-conversation",
            "3",
            "--requests",
            "50",
            "--work-dir",
            work,
        ],
    );
    let stdout = ok(&out);
    let rows: Vec<&str> =
        stdout.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| measure")).collect();
    assert_eq!(rows.len(), 8, "{stdout}");
    assert!(
        rows.iter().all(|r| r.contains("| 50 |") && r.ends_with("| p99 < 50 ms |")),
        "{stdout}"
    );
    let last = stdout.lines().last().unwrap_or_default();
    let report: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {last}"));
    assert_eq!(
        (report["backend"].as_str(), report["conversations"].as_i64(), report["messages"].as_i64()),
        (Some("sqlite"), Some(2000), Some(6000))
    );
    assert!(report["page_reference_p99_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{report}");
    assert!(report["search_p99_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{report}");
}
