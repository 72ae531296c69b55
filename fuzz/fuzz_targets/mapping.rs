//! Fuzzes the mapping-file parser, then imports a tiny file under any
//! mapping that parses.
#![no_main]

use handoff_justice::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzzing::mapping(data));
