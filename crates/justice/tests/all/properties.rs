//! The parser never panics, whatever it is fed.

use handoff_justice::{Kind, Mapping, import};
use proptest::prelude::*;

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[A-Za-z0-9 |;:.+/-]{0,24}",
        "\\PC{0,12}",
        Just("2026-03-01T22:15:00-08:00".to_owned()),
        Just("1980-02-29".to_owned()),
        Just("69.50.4013|possession|F;9A|x|M".to_owned()),
        Just("\"".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), k in 0usize..5) {
        // The same entry point the cargo-fuzz targets use.
        handoff_justice::fuzzing::row_parser(Kind::ALL[k], &bytes);
    }

    #[test]
    fn arbitrary_mapping_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        handoff_justice::fuzzing::mapping(&bytes);
    }

    #[test]
    fn arbitrary_rows_under_the_default_header_never_panic(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..14), 0..8),
        k in 0usize..5,
    ) {
        let kind = Kind::ALL[k];
        let mut text = kind.default_header();
        text.push('\n');
        for row in &rows {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        match import(kind, text.as_bytes(), &Mapping::default_for(kind)) {
            // Accepted: every row read became a record, none vanished.
            Ok(batch) => prop_assert_eq!(batch.records.len() as u64, batch.provenance.rows),
            Err(handoff_justice::ImportError::Rejected(r)) => {
                prop_assert!(!r.problems.is_empty());
                prop_assert!(r.problems.iter().all(|p| p.line >= 1));
                let _ = (r.to_csv(), r.to_json());
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    #[test]
    fn arbitrary_mapping_text_never_panics(text in "\\PC{0,200}") {
        let _ = Mapping::from_toml(&text);
    }
}
