//! The server under load: either a child process the bench starts on a fresh demo database, or
//! one already running at `--url`. Also the readings taken from outside it (its resident memory,
//! the open-file limit).

use std::{
    fs::File,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};

use crate::{demo, t};

/// Where the load goes.
pub struct Target {
    /// `http://host:port`, no trailing slash.
    pub base: String,
    /// The server's process id, when its memory can be read.
    pub pid: Option<u32>,
    /// `sqlite` or `postgres`, as `/readyz` says.
    pub backend: String,
    /// The officer's password, known when the bench seeded the demo itself.
    pub officer_password: Option<String>,
    child: Option<ServerChild>,
}

/// A server the bench started; killed when dropped, so an error anywhere still stops it.
struct ServerChild {
    child: Child,
    log: PathBuf,
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Target {
    /// Seeds the demo into `dir`, starts `ketnoi serve --demo` on it on a free port, and waits
    /// until it is ready.
    pub async fn spawn(
        http: &reqwest::Client,
        dir: &Path,
        officer_username: &str,
    ) -> anyhow::Result<Self> {
        let database = format!("sqlite://{}", dir.join("server").join("ketnoi.db").display());
        let officer_password = seed(&database, officer_username).await?;
        Self::launch(http, dir, &database, officer_password).await
    }

    /// Starts `ketnoi serve --demo` on a database already seeded (which the demo then leaves
    /// alone) on a free port, its data folder and log in `dir`, and waits until it is ready.
    pub async fn launch(
        http: &reqwest::Client,
        dir: &Path,
        database: &str,
        officer_password: Option<String>,
    ) -> anyhow::Result<Self> {
        let data = dir.join("server");
        let listen = free_port()?;
        let log = dir.join("server.log");
        let stderr = File::create(&log).context("cannot create the server log")?;
        let exe = std::env::current_exe().context("cannot find the ketnoi executable")?;
        let mut command = Command::new(exe);
        // The server under test is configured by these flags alone, whatever the shell holds.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("KETNOI_") {
                command.env_remove(name);
            }
        }
        command
            .arg("serve")
            .arg("--demo")
            .arg("--data-dir")
            .arg(&data)
            .arg("--database")
            .arg(database)
            .arg("--listen")
            .arg(listen.to_string())
            // Each simulated citizen presents its own address, so the per-address sign-in
            // limits apply to it as they would to a real phone.
            .env("KETNOI_TRUST_FORWARDED_FOR", "true")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        let child = command.spawn().context("cannot start the server")?;
        let mut target = Self {
            base: format!("http://{listen}"),
            pid: Some(child.id()),
            backend: String::new(),
            officer_password,
            child: Some(ServerChild { child, log }),
        };
        target.backend = target.wait_ready(http, Duration::from_secs(60)).await?;
        Ok(target)
    }

    /// A server that is already running.
    pub async fn existing(
        http: &reqwest::Client,
        base: &str,
        pid: Option<u32>,
        officer_password: Option<String>,
    ) -> anyhow::Result<Self> {
        let mut target = Self {
            base: base.trim_end_matches('/').to_owned(),
            pid,
            backend: String::new(),
            officer_password,
            child: None,
        };
        if let Some(pid) = pid {
            rss_kb(Some(pid)).with_context(|| {
                format!(
                    "{} {pid}",
                    t("không đọc được bộ nhớ của tiến trình", "cannot read the memory of process")
                )
            })?;
        }
        target.backend = target.wait_ready(http, Duration::from_secs(5)).await?;
        Ok(target)
    }

    /// Polls `/readyz` until it answers 200; returns the backend it names.
    async fn wait_ready(
        &mut self,
        http: &reqwest::Client,
        wait: Duration,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + wait;
        let url = format!("{}/readyz", self.base);
        loop {
            self.check_alive()?;
            let last = match http.get(&url).timeout(Duration::from_secs(2)).send().await {
                Ok(answer) if answer.status().is_success() => {
                    let body: serde_json::Value = answer.json().await.unwrap_or_default();
                    return Ok(body["database"].as_str().unwrap_or("unknown").to_owned());
                }
                Ok(answer) => format!("/readyz answered {}", answer.status()),
                Err(e) => causes(&e),
            };
            if Instant::now() >= deadline {
                bail!(
                    "{} {}: {last}",
                    t("không kết nối được máy chủ tại", "cannot reach the server at"),
                    self.base
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails if the server the bench started has exited, with the end of its log.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        let Some(server) = self.child.as_mut() else { return Ok(()) };
        if let Some(status) = server.child.try_wait()? {
            let tail = log_lines(&server.log).into_iter().rev().take(20).rev().collect::<Vec<_>>();
            bail!(
                "{} ({status}). {}:\n{}",
                t("máy chủ đã dừng giữa chừng", "the server exited during the run"),
                t("Cuối nhật ký", "End of its log"),
                tail.join("\n")
            );
        }
        Ok(())
    }

    /// What the server the bench started wrote to its log (warnings and errors only).
    pub fn log(&self) -> Vec<String> {
        self.child.as_ref().map(|c| log_lines(&c.log)).unwrap_or_default()
    }
}

/// Seeds the demo platform into the database at `url` (which must be empty); the password of
/// the staff member `officer_username`, if the demo has one by that name.
pub async fn seed(url: &str, officer_username: &str) -> anyhow::Result<Option<String>> {
    let store = ketnoi_store::connect(url).await.context("cannot create the demo database")?;
    let credentials = demo::seed(store.as_ref()).await?;
    Ok(credentials
        .staff
        .into_iter()
        .find(|(username, _, _)| username == officer_username)
        .map(|(_, password, _)| password))
}

/// An error and its causes on one line: reqwest's own message leaves out why the request failed.
pub fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn log_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|s| s.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A port nobody listens on now (there is a small window before the server takes it).
fn free_port() -> anyhow::Result<SocketAddr> {
    let probe = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(probe.local_addr()?)
}

/// Resident memory of a process (this one for `None`), in KiB, from `/proc/PID/status`.
pub fn rss_kb(pid: Option<u32>) -> anyhow::Result<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no VmRSS in {path}"))
}

/// This process's soft limit on open files, from `/proc/self/limits` (raising it would need
/// `setrlimit`, which safe Rust cannot call).
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files").split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_size_and_a_file_limit() {
        assert!(rss_kb(None).is_ok_and(|kb| kb > 0));
        assert!(open_files_limit().is_some_and(|n| n > 0));
    }
}
