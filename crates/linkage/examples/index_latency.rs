//! Latency of scoring one incoming record against an in-memory index.
//!
//! cargo run --release -p handoff-linkage --example index_latency -- \
//!     MODEL.json PERSONS.csv INCOMING.csv [N]
//!
//! Builds a `PersonIndex` from the model and the persons file, then scores the
//! first N incoming records one at a time (best 5 with explanations) and
//! prints the mean and 99th-percentile time per record.

use std::path::Path;
use std::time::Instant;

use handoff_linkage::{Model, PersonIndex, Record};

fn records(path: &Path, id: &str, limit: usize) -> Vec<Record> {
    let mut rdr = csv::Reader::from_path(path).expect("readable CSV");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    rdr.records()
        .take(limit)
        .map(|r| {
            let r = r.expect("row");
            let mut rec = Record::new(
                r.get(header.iter().position(|h| h == id).expect("id column"))
                    .unwrap_or(""),
            );
            for (h, v) in header.iter().zip(r.iter()) {
                rec = rec.with(h, v);
            }
            rec
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: index_latency MODEL.json PERSONS.csv INCOMING.csv [N]");
        std::process::exit(2);
    }
    let model = Model::load(Path::new(&args[1])).expect("model");
    let n: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let persons = records(Path::new(&args[2]), &model.config.id, usize::MAX);
    let t = Instant::now();
    let index = PersonIndex::build(&model, persons).expect("index");
    let build = t.elapsed();
    let incoming = records(Path::new(&args[3]), &model.config.id, n);
    let mut times = Vec::with_capacity(incoming.len());
    let mut linked = 0usize;
    for rec in &incoming {
        let t = Instant::now();
        let best = index.best_matches(rec, 5);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        linked += usize::from(best.first().is_some_and(|m| m.match_probability >= 0.5));
    }
    let first = times.first().copied().unwrap_or(0.0);
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let p99 = times.get(times.len() * 99 / 100).copied().unwrap_or(0.0);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    println!(
        "index of {} persons built in {:.2}s; {} queries: first {:.1} µs, median {:.1} µs, mean {:.1} µs, p99 {:.1} µs, max {:.1} µs; {} linked at 0.5",
        index.len(),
        build.as_secs_f64(),
        times.len(),
        first,
        median,
        mean,
        p99,
        times.last().copied().unwrap_or(0.0),
        linked
    );
}
