//! The crate's integration tests, in one binary so it links once.

mod coordination;
mod evaluation;
mod hmis;
mod imports;
mod properties;
mod streaming;

use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}
