//! `handoff import`, `handoff link train` and `handoff export` end to end on
//! the seeded demo site: a bad file is rejected whole with its report and
//! exit code 2; good files import once (a second run changes nothing);
//! the evaluation export follows the schema and `handoff evaluate` accepts
//! it; the HMIS export writes the HUD files.

mod common;

use common::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The demo site with its generated participants; returns some of the
/// participants' persons (first, last, dob, sex).
fn seeded(db: &str) -> Vec<(String, String, String, String)> {
    on_store(db, async |store| {
        store.migrate().await.unwrap();
        handoff_seed::demo(store).await.unwrap();
        handoff_seed::data::populate(store).await.unwrap();
        let site = demo_site(store).await;
        let mut c = store.conn();
        let mut out = Vec::new();
        for p in handoff_store::casework::list_participants(&mut c, site)
            .await
            .unwrap()
        {
            let key = handoff_store::access::unguarded_persons(
                site,
                handoff_store::access::SystemTask::Linkage,
            );
            let person = handoff_store::referrals::person(&mut c, &key, p.person_id)
                .await
                .unwrap();
            if let Some(dob) = person.dob {
                out.push((person.first_name, person.last_name, dob, person.sex));
            }
        }
        out
    })
}

fn count(db: &str, kind: &str) -> i64 {
    on_store(db, async |store| {
        let site = demo_site(store).await;
        handoff_store::justice::count(&mut store.conn(), site, kind)
            .await
            .unwrap()
    })
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Imports a file of the kind, expecting success.
fn import(db: &str, kind: &str, file: &Path) -> String {
    ok(&handoff(db, &["import", kind, s(file)], None))
}

/// Exports the kind into a folder, expecting success.
fn export(db: &str, kind: &str, out: &Path) -> String {
    ok(&handoff(db, &["export", kind, "--out", s(out)], None))
}

#[test]
fn imports_link_train_and_the_evaluation_export() {
    let dir = temp_dir("justice");
    let db = sqlite(&dir.join("h.db"));
    let persons = seeded(&db);
    assert!(persons.len() >= 20, "{}", persons.len());

    // A bad file: rejected whole, the report beside it, exit code 2.
    let bad = write(
        &dir,
        "bad.csv",
        "arrest_number,arrested_at,first_name,last_name,dob,charges\n\
         A1,2025-01-02T10:00:00Z,Ann,Doe,1980-02-28,69.50.4013|possession|F\n\
         A2,2025-01-02T10:00:00Z,Bob,,1980-02-31,69.50.4013|possession|X\n",
    );
    let o = handoff(&db, &["import", "arrests", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let report = std::fs::read_to_string(dir.join("bad.csv.report.csv")).unwrap();
    assert_eq!(
        report
            .lines()
            .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>(),
        vec![
            "line,column,code",
            "3,last_name,missing_value",
            "3,dob,bad_date",
            "3,charges,unknown_code",
        ],
        "{report}"
    );
    assert!(dir.join("bad.csv.report.json").exists());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was imported"));
    assert_eq!(count(&db, "arrests"), 0);

    // The comparison roster: 40 eligible people logged on red-light shifts.
    let mut roster = String::from("roster_id,logged_at,first_name,last_name,dob,sex,race,shift\n");
    let mut arrests =
        String::from("arrest_number,arrested_at,first_name,last_name,dob,sex,charges\n");
    let mut charges =
        String::from("case_number,count,statute,felony,filing_date,first_name,last_name,dob\n");
    for i in 0..40 {
        let (first, last) = (format!("Ctl{i}"), format!("Roster{}", i * 7));
        let dob = format!("19{}-0{}-1{}", 70 + i % 25, 1 + i % 9, i % 9);
        writeln!(
            roster,
            "R{i},2024-0{}-15,{first},{last},{dob},M,White,red",
            1 + i % 9
        )
        .unwrap();
        writeln!(
            arrests,
            "CA{i},2024-1{}-02T10:00:00Z,{first},{last},{dob},M,9A.56.050|theft|M",
            i % 3
        )
        .unwrap();
        if i % 4 == 0 {
            writeln!(
                charges,
                "CC{i},1,9A.56.030,F,2024-12-01,{first},{last},{dob}"
            )
            .unwrap();
        }
    }
    for (i, (first, last, dob, sex)) in persons.iter().take(30).enumerate() {
        writeln!(
            arrests,
            "PA{i},2025-0{}-03T10:00:00Z,{first},{last},{dob},{sex},69.50.4013|possession|M",
            1 + i % 9
        )
        .unwrap();
    }
    let roster = write(&dir, "roster.csv", &roster);
    let arrests = write(&dir, "arrests.csv", &arrests);
    let charges = write(&dir, "charges.csv", &charges);
    let out = import(&db, "persons", &roster);
    assert!(out.contains("40 inserted"), "{out}");
    let out = import(&db, "arrests", &arrests);
    assert!(
        out.contains("70 inserted") && out.contains("70 linked"),
        "{out}"
    );
    let out = import(&db, "charges", &charges);
    assert!(out.contains("10 inserted"), "{out}");
    // Idempotent.
    let out = import(&db, "arrests", &arrests);
    assert!(out.contains("0 inserted, 0 updated, 70 unchanged"), "{out}");
    assert_eq!(count(&db, "arrests"), 70);

    // Train the site's model.
    let out = ok(&handoff(&db, &["link", "train"], None));
    assert!(out.contains("trained on"), "{out}");

    // The evaluation export: schema and the evaluation engine.
    let eval = dir.join("eval");
    let out = export(&db, "evaluation", &eval);
    assert!(out.contains("40 control persons"), "{out}");
    let summary = handoff_justice::evaluation::check_dir(&eval).unwrap_or_else(|p| {
        panic!(
            "{}",
            p.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let _ = summary;
    let participants = std::fs::read_to_string(eval.join("participants.csv")).unwrap();
    assert!(participants.starts_with("person_id,group,index_date,age_at_index,sex,race\n"));
    for p in &persons {
        assert!(!participants.contains(&p.0), "no names in the export");
    }
    let events = std::fs::read_to_string(eval.join("events.csv")).unwrap();
    assert!(events.lines().count() > 70, "{events}");
    let results = dir.join("results.json");
    ok(&handoff(
        &db,
        &[
            "evaluate",
            "--data",
            eval.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
        ],
        None,
    ));
    assert!(results.exists());

    // The HMIS export.
    let hmis = dir.join("hmis");
    let out = export(&db, "hmis", &hmis);
    assert!(out.contains("participants whose release allows"), "{out}");
    for f in ["Export.csv", "Client.csv", "Enrollment.csv", "Exit.csv"] {
        assert!(hmis.join(f).exists(), "{f}");
    }
    // PersonalID is the site's keyed pseudonym, never an internal id, and
    // the same in the next export (the partner's HMIS keeps one client).
    let internal = internal_ids(&db);
    let personal_ids = |dir: &Path| -> Vec<String> {
        let client = std::fs::read_to_string(dir.join("Client.csv")).unwrap();
        let mut rows = csv::Reader::from_reader(client.as_bytes());
        let col = rows
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "PersonalID")
            .unwrap();
        let mut ids: Vec<String> = rows
            .records()
            .map(|r| r.unwrap()[col].to_string())
            .collect();
        ids.sort();
        ids
    };
    let first = personal_ids(&hmis);
    assert!(!first.is_empty(), "no clients in the HMIS export");
    for id in &first {
        assert_eq!(id.len(), 32, "{id}");
        assert!(!internal.contains(id), "PersonalID {id} is an internal id");
    }
    for f in [
        "Client.csv",
        "Enrollment.csv",
        "Exit.csv",
        "CurrentLivingSituation.csv",
    ] {
        let text = std::fs::read_to_string(hmis.join(f)).unwrap();
        let found: Vec<&String> = internal
            .iter()
            .filter(|i| text.contains(i.as_str()))
            .collect();
        assert!(found.is_empty(), "{f} carries internal ids {found:?}");
    }
    let again = dir.join("hmis-again");
    export(&db, "hmis", &again);
    assert_eq!(
        personal_ids(&again),
        first,
        "PersonalID is stable across exports"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every internal participant and person id of the demo site, hyphenated
/// and simple.
fn internal_ids(db: &str) -> std::collections::BTreeSet<String> {
    on_store(db, async |store| {
        let site = demo_site(store).await;
        let mut c = store.conn();
        let mut out = std::collections::BTreeSet::new();
        for p in handoff_store::casework::list_participants(&mut c, site)
            .await
            .unwrap()
        {
            for u in [*p.id.as_uuid(), *p.person_id.as_uuid()] {
                out.insert(u.hyphenated().to_string());
                out.insert(u.simple().to_string());
            }
        }
        out
    })
}

/// Sets the demo site's research-use policy (a new policy version).
fn set_research_use(db: &str, allowed: bool) {
    on_store(db, async |store| {
        let site = demo_site(store).await;
        let mut c = store.conn();
        let mut policy = handoff_store::policy::current(&mut c, site)
            .await
            .unwrap()
            .unwrap()
            .policy;
        policy.research_use_allowed = allowed;
        handoff_store::policy::save(
            &mut c,
            site,
            &policy,
            Some("research use"),
            None,
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    })
}

/// `export.evaluation` audit entries of the demo site: (outcome, subject).
fn export_audits(db: &str) -> Vec<(String, String)> {
    on_store(db, async |store| {
        let site = demo_site(store).await;
        handoff_store::audit::by_action(&mut store.conn(), Some(site), "export.evaluation")
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    format!("{:?}", e.event.outcome),
                    e.event.subject_ref.unwrap_or_default(),
                )
            })
            .collect()
    })
}

/// The outside review's attack: the web path refused the evaluation dataset
/// on a site that does not allow research use, but `handoff export
/// evaluation` wrote it and audited it as allowed.
#[test]
fn the_evaluation_export_refuses_a_site_without_research_use() {
    let dir = temp_dir("justice");
    let db = sqlite(&dir.join("h.db"));
    on_store(&db, async |store| {
        store.migrate().await.unwrap();
        handoff_seed::demo(store).await.unwrap();
    });
    // Allowed: written and audited as allowed.
    let eval = dir.join("eval");
    export(&db, "evaluation", &eval);
    assert!(eval.join("participants.csv").exists());
    // Not allowed: refused with exit code 2, nothing written, the refusal audited.
    set_research_use(&db, false);
    let refused = dir.join("refused");
    let o = handoff(
        &db,
        &["export", "evaluation", "--out", refused.to_str().unwrap()],
        None,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr.contains("does not allow research use"), "{stderr}");
    assert!(!refused.exists(), "nothing written");
    let audits = export_audits(&db);
    assert_eq!(
        audits.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
        ["Allowed", "Denied"],
        "{audits:?}"
    );
    assert!(audits[1].1.contains("research_use"), "{audits:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
