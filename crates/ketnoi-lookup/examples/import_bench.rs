//! Imports an exam CSV (from `gen_lookup_data.py exam N out.csv`) and measures the import time,
//! the resident memory the dataset adds, and single-thread lookups per second.
//!
//! `cargo run --release -p ketnoi-lookup --example import_bench -- exam.csv`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use ketnoi_lookup::dataset::{Spec, import};

/// Resident set size of this process in kB, from /proc/self/status.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A small deterministic generator, so the benchmark needs no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: import_bench exam.csv");
    let bytes = std::fs::read(&path).expect("read the CSV");

    // The keys and birth dates to look up, read before measuring so they do not count.
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    for record in reader.records() {
        let record = record.expect("CSV record");
        pairs.push((record[0].to_string(), record[2].to_string()));
    }

    let spec = Spec {
        key: "so_bao_danh".into(),
        verify: vec!["ngay_sinh".into()],
        show: vec![
            ("so_bao_danh".into(), "Số báo danh".into()),
            ("ho_ten".into(), "Họ và tên".into()),
            ("ngay_sinh".into(), "Ngày sinh".into()),
            ("gioi_tinh".into(), "Giới tính".into()),
            ("hoi_dong_thi".into(), "Hội đồng thi".into()),
            ("toan".into(), "Toán".into()),
            ("ngu_van".into(), "Ngữ văn".into()),
            ("ngoai_ngu".into(), "Ngoại ngữ".into()),
            ("vat_li".into(), "Vật lí".into()),
            ("hoa_hoc".into(), "Hóa học".into()),
            ("sinh_hoc".into(), "Sinh học".into()),
            ("lich_su".into(), "Lịch sử".into()),
            ("dia_li".into(), "Địa lí".into()),
            ("gdcd".into(), "Giáo dục công dân".into()),
        ],
        search: vec![],
        filters: vec![],
    };

    let before = rss_kb();
    let start = Instant::now();
    let data = match import(&bytes, &spec) {
        Ok(data) => data,
        Err(report) => {
            eprintln!("{report}: {:?}", report.problems.iter().take(5).collect::<Vec<_>>());
            std::process::exit(1);
        }
    };
    let import_secs = start.elapsed().as_secs_f64();
    let after = rss_kb();
    drop(bytes);

    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let lookups = 1_000_000;
    let mut found = 0usize;
    let start = Instant::now();
    for _ in 0..lookups {
        let (key, date) = &pairs[(rng.next() % pairs.len() as u64) as usize];
        if data.get(key, &[("ngay_sinh", date)]).is_some() {
            found += 1;
        }
    }
    let lookup_secs = start.elapsed().as_secs_f64();
    assert_eq!(found, lookups, "every lookup with the right birth date answers");

    println!("rows: {}", data.rows());
    println!("import: {import_secs:.2} s");
    println!("rss growth: {:.1} MB", (after.saturating_sub(before)) as f64 / 1024.0);
    println!("dataset approx bytes: {:.1} MB", data.approx_bytes() as f64 / 1_048_576.0);
    println!("lookups: {:.0}/s", lookups as f64 / lookup_secs);
}
