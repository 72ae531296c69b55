//! Writes a synthetic arrests or bookings file for benchmarks:
//!
//! ```sh
//! cargo run -p handoff-justice --release --example generate -- arrests 1000000 arrests-1m.csv [SEED]
//! ```

use std::io::BufWriter;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (kind, rows, out) = match args.as_slice() {
        [kind, rows, out, ..] => (kind.as_str(), rows.parse::<u64>(), out),
        _ => {
            eprintln!("usage: generate arrests|bookings ROWS FILE [SEED]");
            std::process::exit(2);
        }
    };
    let Ok(rows) = rows else {
        eprintln!("ROWS must be a whole number");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let w = BufWriter::new(std::fs::File::create(out)?);
    match kind {
        "arrests" => handoff_justice::generate::write_arrests(w, rows, seed),
        "bookings" => handoff_justice::generate::write_bookings(w, rows, seed),
        _ => {
            eprintln!("kind must be arrests or bookings");
            std::process::exit(2);
        }
    }
}
