//! `ketnoi bot eval` without the rest of ketnoi, for quick iterations on the engine:
//! `cargo run --release -p ketnoi-bot --example eval -- KB.jsonl Q.jsonl [FIELD] [--show-mistakes]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show-mistakes");
    let args: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let kb =
        ketnoi_bot::parse_kb(&std::fs::read_to_string(args[0]).expect("kb")).expect("kb parses");
    let questions =
        ketnoi_bot::eval::parse_questions(&std::fs::read_to_string(args[1]).expect("q"))
            .expect("questions parse");
    let started = std::time::Instant::now();
    let bot = ketnoi_bot::Bot::build(kb);
    let build_ms = started.elapsed().as_secs_f64() * 1000.0;
    let report = ketnoi_bot::eval::evaluate(
        &bot,
        &questions,
        args.get(2).map(|s| s.as_str()),
        build_ms,
        show,
    )
    .expect("evaluates");
    for line in report.summary {
        println!("{line}");
    }
    println!("{}", report.json);
}
