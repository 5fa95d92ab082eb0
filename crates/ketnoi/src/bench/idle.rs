//! Idle WebSocket connections: what each one costs the server in resident memory.
//!
//! The server's resident size is read before and after opening the connections; the difference
//! over the count is the cost of one. This phase runs on a freshly started server, before any
//! messages: memory that earlier phases freed would otherwise be reused by the connections and
//! hide part of their cost.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::{StreamExt as _, stream};
use tokio::task::JoinSet;

use super::{server::rss_kb, stats::Progress};
use crate::live::{LiveClient, Next};

/// Connections being opened at once.
const OPEN_CONCURRENCY: usize = 200;
/// How long the connections sit idle before the second reading.
const SETTLE: Duration = Duration::from_secs(3);

/// What the idle phase measured.
pub struct Idle {
    /// Connections asked for.
    pub requested: u32,
    /// Connections that received their `hello`.
    pub opened: u64,
    /// Of those, still open at the second reading: what the memory is divided by.
    pub open_at_reading: u64,
    /// Connections that could not be opened, and the first reason.
    pub failed: u64,
    /// The first failure.
    pub first_error: Option<String>,
    /// Connections the server closed while they sat idle.
    pub closed_early: u64,
    /// Server resident memory before and after, KiB.
    pub server_kb: (u64, u64),
    /// This process's resident memory before and after, KiB.
    pub client_kb: (u64, u64),
    /// How long opening them took.
    pub open_seconds: f64,
}

impl Idle {
    /// Server memory per open connection, bytes.
    pub fn server_bytes_per_connection(&self) -> Option<f64> {
        per_connection(self.server_kb, self.open_at_reading)
    }

    /// Client memory per open connection, bytes.
    pub fn client_bytes_per_connection(&self) -> Option<f64> {
        per_connection(self.client_kb, self.open_at_reading)
    }
}

fn per_connection((before, after): (u64, u64), n: u64) -> Option<f64> {
    (n > 0).then(|| (after as f64 - before as f64) * 1024.0 / n as f64)
}

/// Opens `count` connections with the tokens in turn, lets them sit, and reads memory.
pub async fn run(
    base: &str,
    tokens: &[String],
    count: u32,
    server_pid: u32,
) -> anyhow::Result<Idle> {
    anyhow::ensure!(!tokens.is_empty(), "no tokens");
    let server_before = rss_kb(Some(server_pid))?;
    let client_before = rss_kb(None)?;
    let progress = Progress::start("idle: connections open", u64::from(count));
    let done = progress.counter();
    let started = std::time::Instant::now();
    let closed_early = Arc::new(AtomicU64::new(0));
    let mut holders = JoinSet::new();
    let (mut failed, mut first_error) = (0u64, None);
    let mut opening = stream::iter(0..count)
        .map(|i| {
            let token = &tokens[i as usize % tokens.len()];
            LiveClient::connect(base, token)
        })
        .buffer_unordered(OPEN_CONCURRENCY);
    while let Some(opened) = opening.next().await {
        match opened {
            Ok((client, _hello)) => {
                holders.spawn(hold(client, closed_early.clone()));
                done.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                failed += 1;
                first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    drop(opening);
    let open_seconds = started.elapsed().as_secs_f64();
    progress.finish();
    tokio::time::sleep(SETTLE).await;
    let server_after = rss_kb(Some(server_pid))?;
    let client_after = rss_kb(None)?;
    let closed = closed_early.load(Ordering::Relaxed);
    let opened = done.load(Ordering::Relaxed);
    // Dropping the holders drops the sockets; give the server a moment to let them go before
    // the next phase.
    holders.shutdown().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(Idle {
        requested: count,
        opened,
        open_at_reading: opened.saturating_sub(closed),
        failed,
        first_error,
        closed_early: closed,
        server_kb: (server_before, server_after),
        client_kb: (client_before, client_after),
        open_seconds,
    })
}

/// Keeps a connection open and answering the server's pings until it is dropped.
async fn hold(mut client: LiveClient, closed_early: Arc<AtomicU64>) {
    loop {
        match client.next(Duration::from_secs(3600)).await {
            Ok(Next::Frame(_) | Next::Timeout) => {}
            Ok(Next::Closed(_)) | Err(_) => {
                closed_early.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_per_connection_is_the_growth_over_the_count_in_bytes() {
        assert_eq!(per_connection((1000, 1008), 2), Some(4096.0));
        assert_eq!(per_connection((1000, 900), 100), Some(-1024.0));
        assert_eq!(per_connection((1000, 2000), 0), None);
    }
}
