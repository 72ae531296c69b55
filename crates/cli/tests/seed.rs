//! `handoff seed`: the national generator through the binary — the counts
//! asked for, nothing added by a second run, and an audit log that verifies.

mod common;
use common::*;

#[test]
fn seed_writes_the_network_once_and_the_audit_log_verifies() {
    let dir = temp_dir("seed");
    let db = sqlite(&dir.join("handoff.db"));
    let args = [
        "seed",
        "--sites",
        "3",
        "--participants",
        "60",
        "--contacts",
        "600",
        "--seed",
        "5",
    ];
    let first = ok(&handoff(&db, &args, None));
    assert!(
        first.contains("Seeded 3 sites (0 already present): 60 participants, 600 contacts"),
        "{first}"
    );
    let again = ok(&handoff(&db, &args, None));
    assert!(
        again.contains("Seeded 0 sites (3 already present): 0 participants, 0 contacts"),
        "{again}"
    );
    let verify = ok(&handoff(&db, &["audit", "verify"], None));
    assert!(verify.contains("3 entries in 3 chains"), "{verify}");
    let none = failed(&handoff(
        &db,
        &[
            "seed",
            "--sites",
            "0",
            "--participants",
            "1",
            "--contacts",
            "1",
        ],
        None,
    ));
    assert!(none.contains("at least one site"), "{none}");
}
