//! Streaming a large generated file: two passes, bounded memory, progress.

use handoff_justice::generate::write_arrests;
use handoff_justice::{
    ImportError, Kind, Mapping, PROGRESS_EVERY, Progress, Reason, stream_records,
    validate_streaming,
};
use sha2::{Digest, Sha256};
use std::io::{BufReader, BufWriter, Write};

const ROWS: u64 = 200_000;

#[test]
fn a_200k_row_arrests_file_streams_in_two_passes() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("arrests-200k.csv");
    {
        let f = std::fs::File::create(&path).unwrap();
        write_arrests(BufWriter::new(f), ROWS, 7).unwrap();
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mapping = Mapping::default_for(Kind::Arrests);

    // Pass 1: validate everything, keep nothing.
    let mut ticks: Vec<Progress> = Vec::new();
    let open = || BufReader::new(std::fs::File::open(&path).unwrap());
    let first = validate_streaming(Kind::Arrests, open(), &mapping, |p| ticks.push(p)).unwrap();
    assert_eq!(first.rows, ROWS);
    assert_eq!(first.bytes, bytes);
    assert_eq!(ticks.len() as u64, ROWS / PROGRESS_EVERY + 1);
    assert!(
        ticks
            .windows(2)
            .all(|w| w[0].rows <= w[1].rows && w[0].bytes <= w[1].bytes)
    );
    assert_eq!(ticks.last().unwrap(), &Progress { rows: ROWS, bytes });
    let sha = hex::encode(Sha256::digest(std::fs::read(&path).unwrap()));
    assert_eq!(first.sha256, sha);

    // Pass 2: records in file order, same digest.
    let mut count = 0u64;
    let mut last_line = 1;
    let second = stream_records(
        Kind::Arrests,
        open(),
        &mapping,
        |_| {},
        |r| {
            count += 1;
            assert!(r.line > last_line);
            last_line = r.line;
            Ok::<(), ()>(())
        },
    )
    .unwrap();
    assert_eq!(count, ROWS);
    assert_eq!(second.sha256, first.sha256);

    // A duplicate at the very end is still caught, naming the first line.
    {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        writeln!(
            f,
            "A000000003,2026-01-01T00:00:00Z,Ann,,Doe,1980-01-01,F,White,9A|x|M,,"
        )
        .unwrap();
    }
    match validate_streaming(Kind::Arrests, open(), &mapping, |_| {}) {
        Err(ImportError::Rejected(r)) => {
            assert_eq!(r.problems.len(), 1);
            assert_eq!(r.problems[0].line, ROWS + 2);
            assert_eq!(r.problems[0].reason, Reason::DuplicateKey { first_line: 5 });
            assert_eq!(r.problems[0].column.as_deref(), Some("arrest_number"));
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(&path).unwrap();
}
