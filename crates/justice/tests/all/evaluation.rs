//! The evaluation export: exact files, schema check, round trip against the
//! public dataset of SPEC.md.

use handoff_justice::evaluation::*;
use std::path::{Path, PathBuf};
use time::Date;
use time::macros::date;

/// `shared/data/evaluation` beside the repository, when present.
fn shared_dataset() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/evaluation");
    dir.join("participants.csv").exists().then_some(dir)
}

fn d(s: &str) -> Date {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

fn bit(s: &str) -> Option<bool> {
    match s {
        "" => None,
        "0" => Some(false),
        "1" => Some(true),
        other => panic!("{other}"),
    }
}

fn rows(dir: &Path, file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn cents(s: &str) -> Cents {
    let (whole, frac) = s.split_once('.').unwrap();
    Cents(whole.parse::<u64>().unwrap() * 100 + frac.parse::<u64>().unwrap())
}

/// Reads a folder back into typed rows (test-only reader).
fn read_dataset(dir: &Path) -> EvaluationDataset {
    let participants = rows(dir, "participants.csv")
        .iter()
        .map(|r| Participant {
            person_id: r[0].parse().unwrap(),
            group: if r[1] == "lead" {
                Group::Lead
            } else {
                Group::Control
            },
            index_date: d(&r[2]),
            age_at_index: r[3].parse().unwrap(),
            sex: match r[4].as_str() {
                "M" => EvalSex::M,
                "F" => EvalSex::F,
                _ => EvalSex::X,
            },
            race: EvalRace::parse(&r[5]).unwrap(),
        })
        .collect();
    let events = rows(dir, "events.csv")
        .iter()
        .map(|r| Event {
            event_id: r[0].parse().unwrap(),
            person_id: r[1].parse().unwrap(),
            date: d(&r[2]),
            kind: match r[3].as_str() {
                "arrest" => EventKind::Arrest,
                "charge" => EventKind::Charge {
                    felony: r[4] == "1",
                },
                "booking" => EventKind::Booking {
                    jail_days: r[5].parse().unwrap(),
                },
                _ => EventKind::PrisonAdmission,
            },
        })
        .collect();
    let monthly = rows(dir, "monthly.csv")
        .iter()
        .map(|r| MonthlyStatus {
            person_id: r[0].parse().unwrap(),
            month: r[1].parse().unwrap(),
            housed: bit(&r[2]),
            employed: bit(&r[3]),
            income_benefits: bit(&r[4]),
        })
        .collect();
    let costs = rows(dir, "unit_costs.csv");
    let cost = |item: &str| cents(&costs.iter().find(|r| r[0] == item).unwrap()[1]);
    let eligible_arrests = rows(dir, "eligible_arrests.csv")
        .iter()
        .map(|r| EligibleArrest {
            arrest_id: r[0].parse().unwrap(),
            date: d(&r[1]),
            race: EvalRace::parse(&r[2]).unwrap(),
            diverted: r[3] == "1",
        })
        .collect();
    EvaluationDataset {
        participants,
        events,
        monthly,
        unit_costs: UnitCosts {
            arrest: cost("arrest"),
            charge_felony: cost("charge_felony"),
            charge_misdemeanor: cost("charge_misdemeanor"),
            jail_day: cost("jail_day"),
            prison_admission: cost("prison_admission"),
        },
        eligible_arrests,
        study_end: d(&rows(dir, "study.csv")[0][0]),
    }
}

#[test]
fn the_public_dataset_passes_the_schema_check_and_round_trips_byte_for_byte() {
    let Some(dir) = shared_dataset() else {
        eprintln!("shared/data/evaluation not found beside the repository; skipped");
        return;
    };
    let summary = check_dir(&dir).unwrap_or_else(|p| panic!("{:#?}", &p[..p.len().min(5)]));
    assert_eq!((summary.n_lead, summary.n_control), (203, 115));
    assert_eq!(summary.study_end, date!(2015 - 12 - 31));
    assert_eq!(summary.rows, [318, 11873, 5865, 5, 2000, 1]);

    let data = read_dataset(&dir);
    for file in FILES {
        let mut written = Vec::new();
        data.write_file(file, &mut written).unwrap();
        let original = std::fs::read(dir.join(file)).unwrap();
        assert!(
            written == original,
            "{file} differs from the public dataset"
        );
    }
    data.check().unwrap();
}

fn small() -> EvaluationDataset {
    EvaluationDataset {
        participants: vec![
            Participant {
                person_id: 1,
                group: Group::Lead,
                index_date: date!(2013 - 10 - 13),
                age_at_index: 28,
                sex: EvalSex::F,
                race: EvalRace::Asian,
            },
            Participant {
                person_id: 2,
                group: Group::Control,
                index_date: date!(2012 - 01 - 02),
                age_at_index: 41,
                sex: EvalSex::X,
                race: EvalRace::NativeAmerican,
            },
        ],
        events: vec![
            Event {
                event_id: 1,
                person_id: 2,
                date: date!(2012 - 01 - 02),
                kind: EventKind::Arrest,
            },
            Event {
                event_id: 2,
                person_id: 2,
                date: date!(2012 - 01 - 03),
                kind: EventKind::Charge { felony: true },
            },
            Event {
                event_id: 3,
                person_id: 1,
                date: date!(2014 - 01 - 03),
                kind: EventKind::Booking { jail_days: 3 },
            },
        ],
        monthly: vec![MonthlyStatus {
            person_id: 1,
            month: -3,
            housed: Some(true),
            employed: None,
            income_benefits: Some(false),
        }],
        unit_costs: UnitCosts {
            arrest: Cents(85000),
            charge_felony: Cents(295000),
            charge_misdemeanor: Cents(112000),
            jail_day: Cents(15825),
            prison_admission: Cents(3800000),
        },
        eligible_arrests: vec![EligibleArrest {
            arrest_id: 1,
            date: date!(2011 - 10 - 01),
            race: EvalRace::White,
            diverted: false,
        }],
        study_end: date!(2015 - 12 - 31),
    }
}

#[test]
fn an_export_writes_the_exact_formats_and_checks_clean() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("evaluation-export");
    std::fs::create_dir_all(&dir).unwrap();
    small().write_to_dir(&dir).unwrap();
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(
        read("participants.csv"),
        "person_id,group,index_date,age_at_index,sex,race\n1,lead,2013-10-13,28,F,Asian\n2,control,2012-01-02,41,X,Native American\n"
    );
    assert_eq!(
        read("events.csv"),
        "event_id,person_id,date,kind,felony,jail_days\n1,2,2012-01-02,arrest,0,0\n2,2,2012-01-03,charge,1,0\n3,1,2014-01-03,booking,0,3\n"
    );
    assert_eq!(
        read("monthly.csv"),
        "person_id,month,housed,employed,income_benefits\n1,-3,1,,0\n"
    );
    assert_eq!(
        read("unit_costs.csv"),
        "item,cost_usd\narrest,850.00\ncharge_felony,2950.00\ncharge_misdemeanor,1120.00\njail_day,158.25\nprison_admission,38000.00\n"
    );
    assert_eq!(
        read("eligible_arrests.csv"),
        "arrest_id,date,race,diverted\n1,2011-10-01,White,0\n"
    );
    assert_eq!(read("study.csv"), "study_end\n2015-12-31\n");
    let summary = check_dir(&dir).unwrap();
    assert_eq!((summary.n_lead, summary.n_control), (1, 1));
    assert_eq!(read_dataset(&dir), small());
}

#[test]
fn the_check_names_each_broken_rule() {
    let mut bad = small();
    bad.events.push(Event {
        event_id: 3,
        person_id: 9,
        date: date!(2014 - 01 - 03),
        kind: EventKind::Arrest,
    });
    bad.monthly.push(MonthlyStatus {
        person_id: 2,
        month: 30,
        housed: None,
        employed: None,
        income_benefits: None,
    });
    bad.participants[0].index_date = date!(2015 - 06 - 01);
    let problems = bad.check().unwrap_err();
    let got: Vec<(&str, u64, Option<&str>)> = problems
        .iter()
        .map(|p| (p.file, p.line, p.column))
        .collect();
    assert_eq!(
        got,
        [
            ("participants.csv", 2, Some("index_date")),
            ("events.csv", 5, Some("event_id")),
            ("events.csv", 5, Some("person_id")),
            ("monthly.csv", 3, Some("person_id")),
            ("monthly.csv", 3, Some("month")),
        ]
    );

    // Text-level breakage: a header, a value domain, CRLF line ends.
    let files = |file: &str| -> std::io::Result<std::io::Cursor<Vec<u8>>> {
        let mut buf = Vec::new();
        small().write_file(file, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let text = match file {
            "participants.csv" => text.replace("age_at_index,sex", "age,sex"),
            "eligible_arrests.csv" => text.replace("White,0", "white,2"),
            "study.csv" => text.replace('\n', "\r\n"),
            _ => text,
        };
        Ok(std::io::Cursor::new(text.into_bytes()))
    };
    let problems = check_with(files).unwrap_err();
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_shown(&shown, |s| {
        s.starts_with("participants.csv line 1: header must be exactly")
    });
    assert_shown(&shown, |s| {
        s.starts_with("eligible_arrests.csv line 2, column race")
    });
    assert_shown(&shown, |s| {
        s.starts_with("eligible_arrests.csv line 2, column diverted")
    });
    assert_shown(&shown, |s| s.contains("study.csv line 0: line ends"));
}

/// Asserts that one of the problems shown passes `test`.
fn assert_shown(shown: &[String], test: impl Fn(&str) -> bool) {
    assert!(shown.iter().any(|s| test(s)), "{shown:?}");
}

#[test]
fn pseudonyms_replace_person_ids_consistently_across_files() {
    use handoff_domain::PersonId;
    let ids: Vec<PersonId> = (0u128..50)
        .map(|i| format!("00000000-0000-7000-8000-{i:012x}").parse().unwrap())
        .collect();
    let key = ExportKey::new([9; 32]);
    let p = Pseudonyms::assign(&key, ids.iter().copied().chain(ids.iter().copied()));
    assert_eq!(p.len(), 50);
    let first = p.get(&ids[0]).unwrap();
    assert!((1..=50).contains(&first));
    assert_eq!(
        Pseudonyms::assign(&key, ids.clone()).get(&ids[0]),
        Some(first)
    );
}
