//! Fuzzes the bookings row parser: the input as rows under the default header,
//! and as a whole file.
#![no_main]

use handoff_justice::{Kind, fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzzing::row_parser(Kind::Bookings, data));
