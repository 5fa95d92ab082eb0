//! The run's report: a table for people (each figure, its same-run reference, the ratio, the
//! target and whether it was met), then one JSON line for machines, last on standard output.

use serde_json::{Map, Value, json};

use super::{
    idle::Idle,
    load::{Delivery, Errors, Ingest},
    reference::Reference,
    stats::{Summary, num},
};

/// Acknowledged messages per second, as a share of the raw insert rate.
const INGEST_RATIO: f64 = 0.35;
/// Acknowledgement latency, 99th percentile.
const INGEST_P99_MS: f64 = 50.0;
/// The load the ingest target is stated at.
const INGEST_CITIZENS: usize = 1_000;
/// Citizen → officer delivery latency, 99th percentile.
const DELIVERY_P99_MS: f64 = 20.0;
/// The rate the delivery target is stated at.
const DELIVERY_RATE: u32 = 5_000;
/// The pacer must reach this share of the rate asked for.
const DELIVERY_RATE_SHARE: f64 = 0.99;
/// Server memory per idle WebSocket connection.
const IDLE_BYTES: f64 = 8.0 * 1024.0;
/// The connection count the idle target is stated at.
const IDLE_CONNECTIONS: u32 = 15_000;

/// Everything a run measured.
pub struct Report {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Whether the server was one already running (`--url`).
    pub via_url: bool,
    /// Raw inserts.
    pub reference: Option<Reference>,
    /// Idle connections.
    pub idle: Option<Idle>,
    /// Ingest.
    pub ingest: Option<Ingest>,
    /// Live delivery.
    pub delivery: Option<Delivery>,
    /// Things the reader should know (skipped phases and why).
    pub notes: Vec<String>,
    /// What the server the bench started logged (warnings and errors).
    pub server_log: Vec<String>,
}

struct Row {
    figure: &'static str,
    measured: String,
    reference: String,
    ratio: String,
    target: String,
    result: &'static str,
}

/// Met, missed, or met under a lighter load than the target names.
fn verdict(met: Option<bool>, at_full_load: bool) -> &'static str {
    match (met, at_full_load) {
        (Some(true), true) => "PASS",
        (Some(true), false) => "pass*",
        (Some(false), _) => "FAIL",
        (None, _) => "n/a",
    }
}

fn ms(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |x| format!("{x:.2} ms"))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn show_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}"))
}

/// `12345.6` → `12,346`.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

fn latency_text(s: &Summary) -> String {
    format!("p99 {} (p50 {}, max {})", ms(s.p99_ms), ms(s.p50_ms), ms(s.max_ms))
}

impl Report {
    /// An empty report.
    pub fn new(via_url: bool) -> Self {
        Self {
            backend: "sqlite".to_owned(),
            via_url,
            reference: None,
            idle: None,
            ingest: None,
            delivery: None,
            notes: Vec::new(),
            server_log: Vec::new(),
        }
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let reference_rate = self.reference.as_ref().map(|r| r.rows_per_s);
        if let Some(r) = &self.reference {
            rows.push(Row {
                figure: "raw batched inserts",
                measured: format!("{} rows/s", thousands(r.rows_per_s)),
                reference: "(the reference)".to_owned(),
                ratio: "1.00".to_owned(),
                target: String::new(),
                result: "",
            });
        }
        if let Some(i) = &self.ingest {
            let full = i.citizens >= INGEST_CITIZENS;
            let share = ratio(Some(i.acked_per_s()), reference_rate);
            rows.push(Row {
                figure: "ingest: acked messages/s",
                measured: format!("{} msg/s", thousands(i.acked_per_s())),
                reference: reference_rate
                    .map_or_else(|| "skipped".to_owned(), |r| format!("{} rows/s", thousands(r))),
                ratio: show_ratio(share),
                target: format!("≥ {INGEST_RATIO:.2} × reference"),
                result: verdict(share.map(|s| s >= INGEST_RATIO), full),
            });
            let commit = self.reference.as_ref().and_then(|r| r.commit.p99_ms);
            rows.push(Row {
                figure: "ingest: ack latency",
                measured: latency_text(&i.latency),
                reference: format!("commit p99 {}", ms(commit)),
                ratio: show_ratio(ratio(i.latency.p99_ms, commit)),
                target: format!("p99 < {INGEST_P99_MS:.0} ms"),
                result: verdict(i.latency.p99_ms.map(|p| p < INGEST_P99_MS), full),
            });
            rows.push(errors_row("ingest: failed sends", &i.errors, i.messages));
        }
        if let Some(d) = &self.delivery {
            let full = d.target_rate >= DELIVERY_RATE;
            let share = d.achieved_rate / f64::from(d.target_rate);
            rows.push(Row {
                figure: "delivery: send rate",
                measured: format!("{} msg/s", thousands(d.achieved_rate)),
                reference: format!("asked {} msg/s", thousands(f64::from(d.target_rate))),
                ratio: show_ratio(Some(share)),
                target: format!("≥ {DELIVERY_RATE_SHARE:.2} × asked"),
                result: verdict(Some(share >= DELIVERY_RATE_SHARE), true),
            });
            rows.push(Row {
                figure: "delivery: citizen → officer",
                measured: latency_text(&d.latency),
                reference: format!("ack p99 {}", ms(d.ack_latency.p99_ms)),
                ratio: show_ratio(ratio(d.latency.p99_ms, d.ack_latency.p99_ms)),
                target: format!("p99 < {DELIVERY_P99_MS:.0} ms"),
                result: verdict(d.latency.p99_ms.map(|p| p < DELIVERY_P99_MS), full),
            });
            rows.push(Row {
                figure: "delivery: frames missing",
                measured: format!("{} of {} acked", d.missing, d.acked),
                reference: String::new(),
                ratio: String::new(),
                target: "0".to_owned(),
                result: verdict(Some(d.missing == 0 && d.officer_closed.is_none()), true),
            });
            rows.push(errors_row("delivery: failed sends", &d.errors, d.sent));
        }
        if let Some(i) = &self.idle {
            let server = i.server_bytes_per_connection();
            let client = i.client_bytes_per_connection();
            let full = i.requested >= IDLE_CONNECTIONS && i.failed == 0 && i.closed_early == 0;
            rows.push(Row {
                figure: "idle: server memory/conn",
                measured: server
                    .map_or_else(|| "n/a".to_owned(), |b| format!("{} B", thousands(b))),
                reference: client
                    .map_or_else(|| "n/a".to_owned(), |b| format!("client {} B", thousands(b))),
                ratio: show_ratio(ratio(server, client)),
                target: format!("≤ 8 KiB at {} conns", thousands(f64::from(IDLE_CONNECTIONS))),
                result: verdict(server.map(|b| b <= IDLE_BYTES), full),
            });
            rows.push(Row {
                figure: "idle: connections held",
                measured: format!("{} of {}", i.open_at_reading, i.requested),
                reference: String::new(),
                ratio: String::new(),
                target: "all".to_owned(),
                result: verdict(Some(i.open_at_reading == u64::from(i.requested)), true),
            });
        }
        rows
    }

    /// Prints the table, the notes and the JSON line.
    pub fn print(&self) {
        let rows = self.rows();
        let header = Row {
            figure: "figure",
            measured: "measured".to_owned(),
            reference: "reference (same run)".to_owned(),
            ratio: "ratio".to_owned(),
            target: "target".to_owned(),
            result: "result",
        };
        let width = |f: fn(&Row) -> usize| {
            rows.iter().chain(std::iter::once(&header)).map(f).max().unwrap_or(0)
        };
        let w = [
            width(|r| r.figure.chars().count()),
            width(|r| r.measured.chars().count()),
            width(|r| r.reference.chars().count()),
            width(|r| r.ratio.chars().count()),
            width(|r| r.target.chars().count()),
        ];
        println!();
        for row in std::iter::once(&header).chain(&rows) {
            let line = format!(
                "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {:<w4$}  {}",
                row.figure,
                row.measured,
                row.reference,
                row.ratio,
                row.target,
                row.result,
                w0 = w[0],
                w1 = w[1],
                w2 = w[2],
                w3 = w[3],
                w4 = w[4],
            );
            println!("{}", line.trim_end());
        }
        if rows.iter().any(|r| r.result == "pass*") {
            println!("* met, but under a lighter load than the target names");
        }
        for note in self.notes.iter().chain(self.details().iter()) {
            println!("{note}");
        }
        println!("{}", self.json());
    }

    /// Lines that explain failures: error examples, why the officer's screen closed.
    fn details(&self) -> Vec<String> {
        let mut out = Vec::new();
        let example = |what: &str, e: &Errors| {
            e.example.as_ref().map(|x| format!("{what}: first failure: {}", clip(x)))
        };
        if let Some(i) = &self.ingest {
            out.extend(example("ingest", &i.errors));
        }
        if let Some(d) = &self.delivery {
            out.extend(example("delivery", &d.errors));
            if let Some(why) = &d.officer_closed {
                out.push(format!("delivery: the officer's WebSocket ended early: {why}"));
            }
        }
        if let Some(i) = &self.idle {
            if let Some(e) = &i.first_error {
                out.push(format!("idle: {} connections failed; the first: {}", i.failed, clip(e)));
            }
            if i.closed_early > 0 {
                out.push(format!("idle: the server closed {} idle connections", i.closed_early));
            }
        }
        if !self.server_log.is_empty() {
            out.push(format!(
                "the server logged {} warning or error lines; the first: {}",
                self.server_log.len(),
                clip(&self.server_log[0])
            ));
        }
        out
    }

    /// The one-line JSON summary.
    pub fn json(&self) -> Value {
        let reference_rate = self.reference.as_ref().map(|r| r.rows_per_s);
        let reference = self.reference.as_ref().map(|r| {
            let mut m = Map::new();
            m.insert("rows".into(), json!(r.rows));
            m.insert("rows_per_s".into(), num(Some(r.rows_per_s), 1));
            m.insert("commit_p50_ms".into(), num(r.commit.p50_ms, 3));
            m.insert("commit_p99_ms".into(), num(r.commit.p99_ms, 3));
            Value::Object(m)
        });
        let ingest = self.ingest.as_ref().map(|i| {
            let mut m = Map::new();
            m.insert("citizens".into(), json!(i.citizens));
            m.insert("messages".into(), json!(i.messages));
            m.insert("acked".into(), json!(i.acked));
            m.insert("seconds".into(), num(Some(i.wall.as_secs_f64()), 3));
            m.insert("acked_per_s".into(), num(Some(i.acked_per_s()), 1));
            i.latency.fields("", &mut m);
            m.insert("errors".into(), json!(i.errors.total()));
            m.insert("error_kinds".into(), json!(i.errors.counts));
            let share = ratio(Some(i.acked_per_s()), reference_rate);
            m.insert("ratio_to_reference".into(), num(share, 3));
            Value::Object(m)
        });
        let delivery = self.delivery.as_ref().map(|d| {
            let mut m = Map::new();
            m.insert("target_rate".into(), json!(d.target_rate));
            m.insert("seconds".into(), json!(d.seconds));
            m.insert("sent".into(), json!(d.sent));
            m.insert("achieved_rate".into(), num(Some(d.achieved_rate), 1));
            m.insert("acked".into(), json!(d.acked));
            m.insert("errors".into(), json!(d.errors.total()));
            m.insert("error_kinds".into(), json!(d.errors.counts));
            m.insert("delivered".into(), json!(d.delivered));
            m.insert("missing".into(), json!(d.missing));
            d.latency.fields("", &mut m);
            d.ack_latency.fields("ack_", &mut m);
            m.insert(
                "ratio_to_ack_p99".into(),
                num(ratio(d.latency.p99_ms, d.ack_latency.p99_ms), 3),
            );
            m.insert("officer_closed".into(), json!(d.officer_closed));
            Value::Object(m)
        });
        let idle = self.idle.as_ref().map(|i| {
            json!({
                "connections": i.requested,
                "opened": i.opened,
                "failed": i.failed,
                "closed_early": i.closed_early,
                "open_seconds": num(Some(i.open_seconds), 2),
                "server_rss_before_kb": i.server_kb.0,
                "server_rss_after_kb": i.server_kb.1,
                "bytes_per_connection": num(i.server_bytes_per_connection(), 0),
                "client_rss_before_kb": i.client_kb.0,
                "client_rss_after_kb": i.client_kb.1,
                "client_bytes_per_connection": num(i.client_bytes_per_connection(), 0),
            })
        });
        let rows = self.rows();
        let judged = rows.iter().filter(|r| !r.result.is_empty() && r.result != "n/a");
        let met = judged.clone().all(|r| r.result != "FAIL");
        json!({
            "bench": "chat",
            "backend": self.backend,
            "server": if self.via_url { "url" } else { "spawned" },
            "reference_rows_per_s": num(reference_rate, 1),
            "reference": reference,
            "ingest": ingest,
            "delivery": delivery,
            "idle": idle,
            "targets_met": if judged.count() > 0 { json!(met) } else { Value::Null },
            "server_log_lines": self.server_log.len(),
            "machine": machine(),
        })
    }
}

fn errors_row(figure: &'static str, errors: &Errors, attempted: u64) -> Row {
    let failed = errors.total();
    let kinds: Vec<String> = errors.counts.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    let measured = if kinds.is_empty() {
        format!("0 of {attempted}")
    } else {
        format!("{failed} of {attempted} ({})", kinds.join(", "))
    };
    Row {
        figure,
        measured,
        reference: String::new(),
        ratio: String::new(),
        target: "0".to_owned(),
        result: verdict(Some(failed == 0), true),
    }
}

fn clip(s: &str) -> String {
    let one_line = s.replace('\n', " ");
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

fn machine() -> Value {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let memory_kb = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    });
    json!({ "cores": cores, "kernel": kernel, "memory_kb": memory_kb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_numbers_get_thousands_separators() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(20_123.6), "20,124");
        assert_eq!(thousands(-1_234_567.0), "-1,234,567");
    }

    #[test]
    fn a_target_met_under_lighter_load_is_not_a_plain_pass() {
        assert_eq!(verdict(Some(true), true), "PASS");
        assert_eq!(verdict(Some(true), false), "pass*");
        assert_eq!(verdict(Some(false), false), "FAIL");
        assert_eq!(verdict(None, true), "n/a");
    }

    #[test]
    fn an_empty_run_reports_nulls_and_no_verdict() {
        let v = Report::new(false).json();
        assert_eq!(v["bench"], "chat");
        assert!(v["ingest"].is_null() && v["reference_rows_per_s"].is_null());
        assert!(v["targets_met"].is_null());
        assert!(v["machine"]["cores"].as_u64().is_some_and(|n| n > 0));
    }
}
