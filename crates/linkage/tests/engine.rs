//! End-to-end tests of the engine on a small FEBRL4 / FEBRL3 fixture.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use handoff_linkage::{
    LinkError, Model, NoProgress, PersonIndex, Record, RunOptions, run, run_records,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-linkage-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn opts() -> RunOptions {
    RunOptions {
        threshold: 0.5,
        ..RunOptions::default()
    }
}

fn truth() -> HashSet<(String, String)> {
    let text = std::fs::read_to_string(fixture("febrl4_truth.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap())
        .map(|(a, b)| (a.into(), b.into()))
        .collect()
}

fn f1(found: &HashSet<(String, String)>, truth: &HashSet<(String, String)>) -> f64 {
    let tp = found.intersection(truth).count() as f64;
    2.0 * tp / (found.len() + truth.len()) as f64
}

fn link_fixture() -> handoff_linkage::Run {
    link_fixture_with(&opts())
}

/// Links the FEBRL4 fixture's two files with the given options.
fn link_fixture_with(o: &RunOptions) -> handoff_linkage::Run {
    run(
        &fixture("febrl4_a.csv"),
        Some(&fixture("febrl4_b.csv")),
        o,
        &NoProgress,
    )
    .unwrap()
}

fn id_pairs(r: &handoff_linkage::Run) -> HashSet<(String, String)> {
    let right = r.dataset.right_table();
    r.pairs
        .iter()
        .map(|p| {
            (
                r.dataset.left.ids[p.left as usize].clone(),
                right.ids[p.right as usize].clone(),
            )
        })
        .collect()
}

#[test]
fn febrl4_fixture_f1() {
    let r = link_fixture();
    let f = f1(&id_pairs(&r), &truth());
    assert!(f >= 0.97, "F1 {f} on the FEBRL4 fixture");
    assert!(
        r.pairs
            .iter()
            .all(|p| (0.5..=1.0).contains(&p.match_probability))
    );
}

#[test]
fn output_is_deterministic_for_a_seed() {
    let (a, b) = (link_fixture(), link_fixture());
    assert_eq!(a.model, b.model);
    assert_eq!(a.pairs, b.pairs);
}

#[test]
fn saved_model_scores_identically() {
    let first = link_fixture();
    let path = scratch("model").join("model.json");
    first.model.save(&path).unwrap();
    let loaded = Model::load(&path).unwrap();
    assert_eq!(loaded, first.model);
    let o = RunOptions {
        model: Some(loaded),
        ..opts()
    };
    let second = link_fixture_with(&o);
    assert_eq!(first.pairs, second.pairs);
}

#[test]
fn explanation_adds_up_to_the_weight() {
    let r = link_fixture();
    let scorer = r.model.scorer().unwrap();
    for p in r.pairs.iter().take(50) {
        let e = r.model.explain(&scorer, &r.dataset, p);
        let sum: f64 = e.prior_weight
            + e.fields
                .iter()
                .map(|c| c.weight + c.tf_adjustment)
                .sum::<f64>();
        assert!((sum - p.match_weight).abs() < 1e-9);
        assert!((e.match_probability - p.match_probability).abs() < 1e-12);
    }
}

fn csv_records(path: &Path) -> Vec<Record> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let mut rec = Record::new(cells[0]);
            for (h, c) in header.iter().zip(&cells).skip(1) {
                rec = rec.with(h, *c);
            }
            rec
        })
        .collect()
}

#[test]
fn person_index_finds_the_same_person() {
    let r = link_fixture();
    let index = PersonIndex::build(&r.model, csv_records(&fixture("febrl4_a.csv"))).unwrap();
    assert_eq!(index.len(), 300);
    let truth: std::collections::HashMap<String, String> =
        truth().into_iter().map(|(a, b)| (b, a)).collect();
    let (mut right, mut total) = (0, 0);
    for rec in csv_records(&fixture("febrl4_b.csv")) {
        let best = index.best_matches(&rec, 3);
        assert!(
            best.windows(2)
                .all(|w| w[0].match_weight >= w[1].match_weight)
        );
        if let Some(expected) = truth.get(&rec.id) {
            total += 1;
            if best
                .first()
                .is_some_and(|m| &m.id == expected && m.match_probability >= 0.5)
            {
                right += 1;
            }
        }
    }
    assert!(right as f64 >= 0.97 * total as f64, "{right}/{total}");
}

#[test]
fn dedupe_fixture_finds_duplicates() {
    let r = run(&fixture("febrl3.csv"), None, &opts(), &NoProgress).unwrap();
    let ids = &r.dataset.left.ids;
    let entity = |id: &str| id.split('-').nth(1).unwrap().to_owned();
    let tp = r
        .pairs
        .iter()
        .filter(|p| entity(&ids[p.left as usize]) == entity(&ids[p.right as usize]))
        .count();
    let precision = tp as f64 / r.pairs.len() as f64;
    assert!(
        precision > 0.95 && tp > 200,
        "precision {precision}, tp {tp}"
    );
    assert!(r.pairs.iter().all(|p| p.left < p.right));
}

#[test]
fn records_in_memory_train_the_model_the_file_trains() {
    let from_file = run(&fixture("febrl3.csv"), None, &opts(), &NoProgress).unwrap();
    let records = csv_records(&fixture("febrl3.csv"));
    let in_memory = run_records(&records, &opts(), &NoProgress).unwrap();
    assert_eq!(in_memory.model, from_file.model);
    assert_eq!(in_memory.pairs, from_file.pairs);
    assert_eq!(in_memory.dataset.left.ids, from_file.dataset.left.ids);
    assert!(in_memory.dataset.is_dedupe());
    assert_eq!(
        in_memory.dataset.left.path,
        PathBuf::new(),
        "no file behind it"
    );
    // And the index built with it finds a record's duplicate.
    let index = PersonIndex::build(&in_memory.model, records.clone()).unwrap();
    let dup = records.iter().find(|r| r.id.contains("-dup-")).unwrap();
    let original = dup.id.split("-dup-").next().unwrap().to_owned() + "-org";
    let best = index.best_matches(dup, 2);
    assert!(best.iter().any(|m| m.id == original), "{best:?}");
}

#[test]
fn records_in_memory_take_a_given_configuration_and_missing_columns() {
    let config = handoff_linkage::Config::default_for_columns(&[
        "first_name".to_owned(),
        "last_name".to_owned(),
        "dob".to_owned(),
    ])
    .unwrap();
    let records: Vec<Record> = (0..40)
        .map(|i| {
            // Pairs of records share a name, so there are candidate pairs.
            let r = Record::new(format!("p{i}"))
                .with(
                    "first_name",
                    ["maria", "james", "linda", "robert"][i / 2 % 4],
                )
                .with("last_name", format!("surname{}", i / 2));
            // Every third record has no date of birth at all.
            if i % 3 == 0 {
                r
            } else {
                r.with("dob", format!("19{:02}-01-{:02}", 50 + i / 2, 1 + i % 28))
            }
        })
        .collect();
    let o = RunOptions {
        config: Some(config.clone()),
        ..opts()
    };
    let r = run_records(&records, &o, &NoProgress).unwrap();
    assert_eq!(r.model.config, config);
    assert_eq!(r.dataset.record_count(), 40);
    let dob = config
        .fields
        .iter()
        .position(|f| f.column == "dob")
        .unwrap();
    let missing = r.dataset.left.codes[dob]
        .iter()
        .filter(|&&c| c == 0)
        .count();
    assert_eq!(missing, 14);
}

#[test]
fn records_without_any_candidate_pair_still_train() {
    // No two records share a blocking key: EM has nothing to learn from,
    // and training must not panic.
    let records: Vec<Record> = (0..25)
        .map(|i| {
            Record::new(format!("p{i}"))
                .with("first_name", format!("given{i}"))
                .with("last_name", format!("family{i}"))
                .with("dob", format!("19{:02}-02-03", 50 + i))
        })
        .collect();
    let r = run_records(&records, &opts(), &NoProgress).unwrap();
    assert!(r.pairs.is_empty());
    assert!(r.model.lambda > 0.0, "{}", r.model.lambda);
}

#[test]
fn records_in_memory_refuse_empty_and_duplicate_ids() {
    let rec = |id: &str| {
        Record::new(id)
            .with("first_name", "ann")
            .with("last_name", "lee")
    };
    let err = |records: &[Record]| run_records(records, &opts(), &NoProgress).unwrap_err();
    let e = err(&[rec("a"), rec("b"), rec("a")]);
    assert!(
        matches!(&e, LinkError::Records(m) if m.contains("duplicate id `a`") && m.contains("record 3")),
        "{e}"
    );
    let e = err(&[rec("a"), rec("  ")]);
    assert!(
        matches!(&e, LinkError::Records(m) if m.contains("record 2") && m.contains("empty id")),
        "{e}"
    );
    let given = RunOptions {
        config: Some(
            handoff_linkage::Config::default_for_columns(&["first_name".to_owned()]).unwrap(),
        ),
        ..opts()
    };
    let e = run_records(&[], &given, &NoProgress).unwrap_err();
    assert!(
        matches!(&e, LinkError::Records(m) if m == "no records"),
        "{e}"
    );
    let e = err(&[Record::new("x").with("favourite_colour", "red")]);
    assert!(matches!(e, LinkError::Spec(_)), "no standard columns: {e}");
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn dedupe_err(path: &Path) -> LinkError {
    run(path, None, &opts(), &NoProgress).unwrap_err()
}

#[test]
fn bad_inputs_name_file_line_and_column() {
    let dir = scratch("bad");
    let head = "id,first_name,last_name,dob\n";
    let missing = dir.join("absent.csv");
    assert!(matches!(dedupe_err(&missing), LinkError::Io { .. }));
    assert!(dedupe_err(&missing).to_string().contains("absent.csv"));

    let p = write(&dir, "empty.csv", b"");
    assert!(
        matches!(dedupe_err(&p), LinkError::Empty { .. }),
        "{}",
        dedupe_err(&p)
    );

    let p = write(&dir, "header_only.csv", head.as_bytes());
    assert!(matches!(dedupe_err(&p), LinkError::NoRows { .. }));

    let p = write(
        &dir,
        "no_id.csv",
        b"first_name,last_name,dob\nANN,LEE,1990-01-01\n",
    );
    let e = dedupe_err(&p);
    assert!(
        matches!(&e, LinkError::MissingColumn { column, .. } if column == "id"),
        "{e}"
    );
    assert!(e.to_string().contains("no_id.csv") && e.to_string().contains("line 1"));

    let p = write(
        &dir,
        "dup.csv",
        format!("{head}1,ANN,LEE,1990-01-01\n2,BO,LI,1991-01-01\n1,AL,LU,1992-01-01\n").as_bytes(),
    );
    let e = dedupe_err(&p);
    assert!(
        matches!(
            &e,
            LinkError::DuplicateId {
                line: 4,
                first_line: 2,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("line 4, column `id`"), "{e}");

    let p = write(
        &dir,
        "ragged.csv",
        format!("{head}1,ANN,LEE,1990-01-01\n2,BO,LI\n").as_bytes(),
    );
    let e = dedupe_err(&p);
    assert!(
        matches!(
            &e,
            LinkError::Ragged {
                line: 3,
                expected: 4,
                found: 3,
                ..
            }
        ),
        "{e}"
    );

    let mut bytes = format!("{head}1,ANN,LEE,1990-01-01\n2,B").into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b",LI,1991-01-01\n");
    let p = write(&dir, "utf8.csv", &bytes);
    let e = dedupe_err(&p);
    assert!(
        matches!(&e, LinkError::InvalidUtf8 { line: 3, column, .. } if column == "first_name"),
        "{e}"
    );
}

#[test]
fn config_round_trips_through_toml() {
    let cols: Vec<String> = [
        "id",
        "first_name",
        "last_name",
        "dob",
        "zip",
        "address",
        "city",
    ]
    .map(String::from)
    .to_vec();
    let config = handoff_linkage::Config::default_for_columns(&cols).unwrap();
    let text = toml::to_string(&config).unwrap();
    let dir = scratch("toml");
    let p = write(&dir, "link.toml", text.as_bytes());
    assert_eq!(handoff_linkage::Config::from_toml_file(&p).unwrap(), config);
    let bad = write(
        &dir,
        "bad.toml",
        b"id = \"id\"\n[[field]]\ncolumn = \"x\"\ncomparison = \"nope\"\n",
    );
    assert!(matches!(
        handoff_linkage::Config::from_toml_file(&bad),
        Err(LinkError::Config { .. })
    ));
}

#[test]
fn example_configuration_parses() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("link.example.toml");
    let config = handoff_linkage::Config::from_toml_file(&p).unwrap();
    assert!(
        config
            .fields
            .iter()
            .any(|f| f.within.as_deref() == Some("address"))
    );
}

#[test]
fn custom_levels_and_training_rules_from_toml() {
    let text = r#"
id = "id"
u_samples = 20000
em_rules = ["names"]

[[field]]
column = "first_name"
comparison = "given_name"
levels = ["exact", "jw:0.9", "else"]

[[field]]
column = "last_name"
comparison = "surname"
term_frequency = true

[[field]]
column = "dob"
comparison = "date"

[[field]]
column = "ssn"
comparison = "identifier"

[[blocking]]
name = "names"
keys = [{ column = "first_name", transform = "unordered_pair", with = "last_name" }]

[[blocking]]
name = "ssn"
keys = [{ column = "ssn" }]
"#;
    let dir = scratch("custom");
    let p = write(&dir, "custom.toml", text.as_bytes());
    let config = handoff_linkage::Config::from_toml_file(&p).unwrap();
    let o = RunOptions {
        config: Some(config),
        ..opts()
    };
    let r = link_fixture_with(&o);
    assert_eq!(r.model.fields[0].levels.len(), 3);
    // The names session cannot estimate the name fields: a session over all
    // candidates fills them in; no session on the ssn rule.
    let rules: Vec<&str> = r
        .model
        .training
        .sessions
        .iter()
        .map(|s| s.rule.as_str())
        .collect();
    assert_eq!(rules, ["names", "all candidates"]);
    assert!(f1(&id_pairs(&r), &truth()) > 0.9);
}
