//! `handoff admin create-site --template`, `add-network-staff` and
//! `grant-site-role` end to end.

mod common;

use common::*;

#[test]
fn a_site_starts_from_a_template_with_its_agencies_policy_and_roster() {
    let dir = temp_dir("network");
    let db = sqlite(&dir.join("h.db"));
    let out = ok(&handoff(
        &db,
        &[
            "admin",
            "create-site",
            "--name",
            "Santa Fe LEAD",
            "--slug",
            "santa-fe",
            "--time-zone",
            "America/Denver",
            "--template",
            "santa-fe",
            "--demo-accounts",
        ],
        Some("demo-password\n"),
    ));
    assert!(
        out.contains("from the santa-fe template in LEAD network"),
        "{out}"
    );
    let users = ok(&handoff(
        &db,
        &["admin", "list-users", "--site", "santa-fe"],
        None,
    ));
    for login in [
        "officer",
        "casemanager",
        "supervisor",
        "prosecutor",
        "admin",
    ] {
        assert!(users.contains(&format!("{login}@santa-fe.test")), "{users}");
    }
    ok(&handoff(
        &db,
        &[
            "admin",
            "create-site",
            "--name",
            "Harbor LEAD",
            "--slug",
            "harbor",
            "--time-zone",
            "America/Los_Angeles",
            "--template",
            "community-first",
        ],
        None,
    ));
    ok(&handoff(
        &db,
        &[
            "admin",
            "add-network-staff",
            "--email",
            "admin@santa-fe.test",
        ],
        None,
    ));
    let out = ok(&handoff(
        &db,
        &[
            "admin",
            "grant-site-role",
            "--email",
            "supervisor@santa-fe.test",
            "--site",
            "harbor",
            "--role",
            "supervisor",
            "--kind",
            "case_management",
        ],
        None,
    ));
    assert!(out.contains("holds supervisor in harbor"), "{out}");
    // An unknown template and a role the organisation cannot hold are
    // refused, naming what is wrong.
    let e = failed(&handoff(
        &db,
        &[
            "admin",
            "create-site",
            "--name",
            "X",
            "--slug",
            "x",
            "--time-zone",
            "UTC",
            "--template",
            "boston",
        ],
        None,
    ));
    assert!(e.contains("is not a template"), "{e}");
    let e = failed(&handoff(
        &db,
        &[
            "admin",
            "grant-site-role",
            "--email",
            "supervisor@santa-fe.test",
            "--site",
            "harbor",
            "--role",
            "prosecutor",
            "--kind",
            "case_management",
        ],
        None,
    ));
    assert!(e.contains("role"), "{e}");
    on_store(&db, async |store| {
        let mut c = store.conn();
        let harbor = handoff_store::orgs::find_site_by_slug(&mut c, "harbor")
            .await
            .unwrap()
            .unwrap();
        let policy = handoff_store::policy::current(&mut c, harbor.id)
            .await
            .unwrap()
            .unwrap()
            .policy;
        assert_eq!(policy.hold_window_days, 14);
        assert!(
            !policy
                .open_doors
                .contains(&handoff_domain::referral::Door::ArrestDiversion)
        );
        let santa_fe = handoff_store::orgs::find_site_by_slug(&mut c, "santa-fe")
            .await
            .unwrap()
            .unwrap();
        let p = handoff_store::policy::current(&mut c, santa_fe.id)
            .await
            .unwrap()
            .unwrap()
            .policy;
        assert_eq!(p.quantity_limits[0].max_grams, 6.0);
        assert!(
            p.quantity_exempt
                .contains(&handoff_domain::referral::SubstanceClass::PrescriptionPills)
        );
        let network = handoff_store::network::network_of_site(&mut c, harbor.id)
            .await
            .unwrap()
            .unwrap();
        let sites = handoff_store::network::sites(&mut c, network)
            .await
            .unwrap();
        assert_eq!(sites.len(), 2);
    });
}
