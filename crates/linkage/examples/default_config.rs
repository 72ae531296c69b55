//! Print the default configuration (TOML) that `handoff link` / `dedupe`
//! build for the columns of a CSV file, as a starting point for `--config`.
//!
//! cargo run -p handoff-linkage --example default_config -- FILE.csv

use std::path::Path;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: default_config FILE.csv");
        std::process::exit(2);
    };
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let columns = handoff_linkage::data::read_header(Path::new(&path))?;
        let config = handoff_linkage::Config::default_for_columns(&columns)?;
        Ok(toml::to_string(&config)?)
    };
    match run() {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
