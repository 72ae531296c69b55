//! Synthetic files for benchmarks and tests: valid, deterministic (same
//! seed, same bytes), written row by row so a million rows take no memory.
//! No real person is in them.
//!
//! ```no_run
//! let f = std::fs::File::create("arrests-1m.csv")?;
//! handoff_justice::generate::write_arrests(std::io::BufWriter::new(f), 1_000_000, 1)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use crate::kind::Kind;
use std::io::{self, Write};

const FIRST: &[&str] = &[
    "Ana", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Keisha",
    "Luis", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor",
    "Wanda", "Xavier", "Yara", "Zane",
];
const LAST: &[&str] = &[
    "Alvarez", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Johnson",
    "Kim", "Lopez", "Martin", "Nguyen", "Okafor", "Patel", "Quintero", "Roberts", "Smith",
    "Thompson", "Urban", "Vasquez", "Williams", "Xu", "Young", "Zhang",
];
const RACES: &[&str] = &[
    "Black/African American",
    "White",
    "Hispanic/Latino",
    "Asian",
    "American Indian/Alaska Native",
    "Other",
    "",
];
const OFFENCES: &[(&str, &str, &str)] = &[
    ("69.50.4013", "possession of a controlled substance", "F"),
    ("69.50.401", "delivery of a controlled substance", "F"),
    ("9A.88.030", "prostitution", "M"),
    ("9A.56.050", "theft in the third degree", "M"),
    ("9A.52.080", "criminal trespass in the second degree", "M"),
];

/// A small, fast, seedable generator (SplitMix64); not for secrets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One synthetic person: the same index always gives the same person, so
/// people recur across rows as they do in real extracts.
fn person(index: u64) -> Person {
    let mut r = Rng(index.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let first = FIRST[r.below(FIRST.len())];
    let middle = if r.below(3) == 0 {
        FIRST[r.below(FIRST.len())]
    } else {
        ""
    };
    let last = LAST[r.below(LAST.len())];
    let dob = format!(
        "{:04}-{:02}-{:02}",
        1950 + r.below(50),
        1 + r.below(12),
        1 + r.below(28)
    );
    let sex = ["F", "M", "M", "X"][r.below(4)];
    let race = RACES[r.below(RACES.len())];
    (
        first.to_owned(),
        middle.to_owned(),
        last.to_owned(),
        dob,
        sex,
        race,
    )
}

fn charges(r: &mut Rng) -> String {
    let n = 1 + r.below(3);
    (0..n)
        .map(|_| {
            let (statute, description, felony) = OFFENCES[r.below(OFFENCES.len())];
            format!("{statute}|{description}|{felony}")
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn timestamp(r: &mut Rng) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}-08:00",
        2021 + r.below(5),
        1 + r.below(12),
        1 + r.below(28),
        r.below(24),
        r.below(60),
        r.below(60)
    )
}

/// The generated columns of one person: first, middle, last, dob, sex, race.
type Person = (String, String, String, String, &'static str, &'static str);

/// Writes the kind's default header, then `rows` data rows from about
/// `rows / rows_per_person` distinct people; `row` writes row `i` of person `p`.
fn write_rows(
    mut w: impl Write,
    kind: Kind,
    (rows, rows_per_person): (u64, u64),
    seed: u64,
    mut row: impl FnMut(&mut Rng, u64, u64, Person) -> String,
) -> io::Result<()> {
    let mut r = Rng(seed);
    writeln!(w, "{}", kind.default_header())?;
    let people = (rows / rows_per_person).max(1);
    for i in 0..rows {
        let p = r.next() % people;
        let line = row(&mut r, i, p, person(p));
        writeln!(w, "{line}")?;
    }
    w.flush()
}

/// Writes a valid arrests file (default columns) of `rows` data rows, drawn
/// from about `rows / 3` distinct people.
pub fn write_arrests(w: impl Write, rows: u64, seed: u64) -> io::Result<()> {
    write_rows(w, Kind::Arrests, (rows, 3), seed, |r, i, p, person| {
        let (first, middle, last, dob, sex, race) = person;
        let at = timestamp(r);
        let charges = charges(r);
        let location = format!("Precinct {}", 1 + r.below(5));
        format!(
            "A{i:09},{at},{first},{middle},{last},{dob},{sex},{race},{charges},{location},P{p:08}"
        )
    })
}

/// Writes a valid bookings file (the jail-feed contract's columns) of `rows`
/// data rows; about a third are still in custody (empty `released_at`).
pub fn write_bookings(w: impl Write, rows: u64, seed: u64) -> io::Result<()> {
    write_rows(w, Kind::Bookings, (rows, 2), seed, |r, i, p, person| {
        let (first, middle, last, dob, sex, race) = person;
        let booked = timestamp(r);
        // Released in the following year: always after booking.
        let released = if r.below(3) == 0 {
            String::new()
        } else {
            let year: u32 = booked[..4].parse().unwrap_or(2021) + 1;
            format!("{year}{}", &booked[4..])
        };
        let charges = charges(r);
        format!(
            "B{i:09},{booked},{released},{first},{middle},{last},{dob},{sex},{race},{charges},P{p:08}"
        )
    })
}
