//! Validates a file in one streaming pass and prints what an import would
//! report — a quick check of a source's extract, and a rough benchmark:
//!
//! ```sh
//! cargo run -p handoff-justice --release --example validate -- arrests arrests-1m.csv [mapping.toml]
//! ```

use handoff_justice::{ImportError, Kind, Mapping, validate_streaming};
use std::io::BufReader;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, file, rest @ ..] = args.as_slice() else {
        eprintln!("usage: validate KIND FILE [MAPPING.toml]");
        std::process::exit(2);
    };
    let kind: Kind = kind.parse().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let mapping = match rest.first() {
        Some(path) => {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
                eprintln!("{path}: {e}");
                std::process::exit(2)
            });
            Mapping::from_toml(&text).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2)
            })
        }
        None => Mapping::default_for(kind),
    };
    let reader = BufReader::new(std::fs::File::open(file).unwrap_or_else(|e| {
        eprintln!("{file}: {e}");
        std::process::exit(2)
    }));
    let started = std::time::Instant::now();
    let result = validate_streaming(kind, reader, &mapping, |p| {
        eprint!("\r{} rows, {} MB", p.rows, p.bytes / 1_000_000);
    });
    eprintln!();
    match result {
        Ok(p) => println!(
            "ok: {} rows, {} bytes, sha256 {}, {:.2} s",
            p.rows,
            p.bytes,
            p.sha256,
            started.elapsed().as_secs_f64()
        ),
        Err(ImportError::Rejected(report)) => {
            println!("{report}");
            print!("{}", report.to_csv());
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
