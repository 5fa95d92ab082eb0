//! Counting and summing up: latency percentiles, rates, and the progress line each phase keeps
//! on standard error.

use std::{
    io::{IsTerminal as _, Write as _},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

/// Latencies of one kind, in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Latencies(Vec<u64>);

impl Latencies {
    /// Room for `n` samples.
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Adds one sample.
    pub fn push(&mut self, d: Duration) {
        self.0.push(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }

    /// Adds every sample of another set.
    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    /// The percentiles that the report shows.
    pub fn summary(mut self) -> Summary {
        self.0.sort_unstable();
        let v = &self.0;
        Summary {
            count: v.len(),
            p50_ms: rank(v, 0.50),
            p99_ms: rank(v, 0.99),
            max_ms: v.last().map(|&us| ms(us)),
        }
    }
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn rank(sorted: &[u64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    // Nearest rank: the smallest sample with at least q of all samples at or below it.
    let n = sorted.len() as f64;
    let i = ((q * n).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(ms(sorted[i]))
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// What the report says of a set of latencies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// Median, ms.
    pub p50_ms: Option<f64>,
    /// 99th percentile, ms.
    pub p99_ms: Option<f64>,
    /// Slowest, ms.
    pub max_ms: Option<f64>,
}

impl Summary {
    /// The JSON fields `p50_ms`, `p99_ms`, `max_ms` with a prefix (`""` or `"ack_"`).
    pub fn fields(&self, prefix: &str, into: &mut serde_json::Map<String, Value>) {
        into.insert(format!("{prefix}p50_ms"), num(self.p50_ms, 3));
        into.insert(format!("{prefix}p99_ms"), num(self.p99_ms, 3));
        into.insert(format!("{prefix}max_ms"), num(self.max_ms, 3));
    }
}

/// A JSON number rounded to `places` decimals, or null.
pub fn num(x: Option<f64>, places: i32) -> Value {
    match x {
        Some(x) if x.is_finite() => {
            let scale = 10f64.powi(places);
            json!((x * scale).round() / scale)
        }
        _ => Value::Null,
    }
}

/// Events per second over a span.
pub fn per_second(count: u64, span: Duration) -> f64 {
    let s = span.as_secs_f64();
    if s > 0.0 { count as f64 / s } else { 0.0 }
}

/// A phase's progress on standard error, once a second: done/total and the current rate. The
/// counter is shared with the workers; dropping the `Progress` stops the line.
pub struct Progress {
    done: Arc<AtomicU64>,
    ticker: tokio::task::JoinHandle<()>,
    label: &'static str,
    total: u64,
    started: Instant,
}

impl Progress {
    /// Starts reporting `label` out of `total`.
    pub fn start(label: &'static str, total: u64) -> Self {
        let done = Arc::new(AtomicU64::new(0));
        let counter = done.clone();
        let started = Instant::now();
        let ticker = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            every.tick().await;
            let mut last = (0u64, Instant::now());
            loop {
                every.tick().await;
                let now = (counter.load(Ordering::Relaxed), Instant::now());
                let rate = per_second(now.0.saturating_sub(last.0), now.1 - last.1);
                line(label, now.0, total, &format!("{rate:>9.0}/s"), false);
                last = now;
            }
        });
        Self { done, ticker, label, total, started }
    }

    /// The counter the workers add to.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.done.clone()
    }

    /// Stops the line and prints the phase's final count and mean rate.
    pub fn finish(self) {
        self.ticker.abort();
        let done = self.done.load(Ordering::Relaxed);
        let rate = per_second(done, self.started.elapsed());
        let how = format!("{rate:>9.0}/s overall, {:.1} s", self.started.elapsed().as_secs_f64());
        line(self.label, done, self.total, &how, true);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.ticker.abort();
    }
}

fn line(label: &str, done: u64, total: u64, how: &str, last: bool) {
    let text = format!("{label:<28} {done:>9}/{total:<9} {how}");
    let mut err = std::io::stderr().lock();
    // On a terminal the line rewrites itself; in a log each second gets its own line.
    let _ = if std::io::stderr().is_terminal() {
        write!(err, "\r{text}\x1b[K{}", if last { "\n" } else { "" })
    } else {
        writeln!(err, "{text}")
    };
    let _ = err.flush();
}

/// A note on standard error between phases.
pub fn note(text: &str) {
    eprintln!("{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_ms(ms: &[u64]) -> Latencies {
        let mut l = Latencies::default();
        for &m in ms {
            l.push(Duration::from_millis(m));
        }
        l
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let s = from_ms(&(1..=100).rev().collect::<Vec<_>>()).summary();
        assert_eq!(
            (s.count, s.p50_ms, s.p99_ms, s.max_ms),
            (100, Some(50.0), Some(99.0), Some(100.0))
        );
        let one = from_ms(&[7]).summary();
        assert_eq!((one.p50_ms, one.p99_ms), (Some(7.0), Some(7.0)));
    }

    #[test]
    fn no_samples_give_no_percentiles_rather_than_zero() {
        let s = Latencies::default().summary();
        assert_eq!((s.count, s.p50_ms, s.p99_ms, s.max_ms), (0, None, None, None));
        assert_eq!(num(s.p99_ms, 3), Value::Null);
    }

    #[test]
    fn rates_of_an_empty_span_are_zero_not_infinite() {
        assert_eq!(per_second(10, Duration::ZERO), 0.0);
        assert_eq!(per_second(10, Duration::from_millis(500)), 20.0);
    }
}
