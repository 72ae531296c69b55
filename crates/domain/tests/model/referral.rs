#[allow(unused_imports)]
use crate::prelude::*;
use handoff_domain::referral::*;
use serde_json::json;

pub fn contract_example() -> serde_json::Value {
    json!({"door": "arrest_diversion",
           "person": {"first_name": "Dana", "last_name": "Reyes", "dob": "1988-04-02",
                      "sex": "F", "race": "Hispanic/Latino"},
           "incident_number": "26-104233",
           "offenses": [{"category": "drug_possession", "substance": "opioid",
                         "quantity_grams": 1.2}],
           "occurred_at": "2026-11-30T14:05:00Z",
           "location": {"address": "2nd Ave & Pike St"}})
}

fn parse(v: serde_json::Value) -> Result<Referral, ParseError> {
    Referral::try_from(serde_json::from_value::<ReferralForm>(v).unwrap())
}

fn field_of(mut v: serde_json::Value, pointer: &str, value: serde_json::Value) -> String {
    *v.pointer_mut(pointer).unwrap() = value;
    parse(v).unwrap_err().field.into_owned()
}

#[test]
fn the_contract_example_parses() {
    let r = parse(contract_example()).unwrap();
    assert_eq!(r.door, Door::ArrestDiversion);
    assert_eq!(r.person.sex, Sex::Female);
    assert_eq!(r.person.race, Race::HispanicLatino);
    assert_eq!(r.person.age_on(time::macros::date!(2026 - 11 - 30)), 38);
    assert_eq!(r.offences[0].quantity_grams, Grams::new(1.2));
    assert_eq!(r.incident_number.unwrap().as_str(), "26-104233");
}

#[test]
fn errors_name_the_field_path() {
    let ex = contract_example;
    assert_eq!(
        field_of(ex(), "/offenses/0/quantity_grams", json!(-1)),
        "offenses[0].quantity_grams"
    );
    assert_eq!(
        field_of(ex(), "/offenses/0/quantity_grams", json!("lots")),
        "offenses[0].quantity_grams"
    );
    assert_eq!(
        field_of(ex(), "/offenses/0/category", json!("Jaywalking!")),
        "offenses[0].category"
    );
    assert_eq!(
        field_of(ex(), "/offenses/0/substance", json!("sugar")),
        "offenses[0].substance"
    );
    assert_eq!(field_of(ex(), "/door", json!("window")), "door");
    assert_eq!(
        field_of(ex(), "/person/first_name", json!(" ")),
        "person.first_name"
    );
    assert_eq!(
        field_of(ex(), "/person/dob", json!("04/02/1988")),
        "person.dob"
    );
    assert_eq!(
        field_of(ex(), "/person/sex", json!("female?")),
        "person.sex"
    );
    assert_eq!(
        field_of(ex(), "/person/race", json!("Martian")),
        "person.race"
    );
    assert_eq!(
        field_of(ex(), "/incident_number", json!("")),
        "incident_number"
    );
    assert_eq!(
        field_of(ex(), "/occurred_at", json!("yesterday")),
        "occurred_at"
    );
    assert_eq!(field_of(ex(), "/location", json!({})), "location.address");
    assert_eq!(
        field_of(ex(), "/location", json!({"lat": 47.6})),
        "location.lon"
    );
    assert_eq!(field_of(ex(), "/offenses", json!([])), "offenses");
}

#[test]
fn names_and_the_description_refuse_bidi_controls() {
    let ex = contract_example;
    assert_eq!(
        field_of(
            ex(),
            "/person/first_name",
            json!("Dana\u{202E}sey\u{202C}R")
        ),
        "person.first_name"
    );
    assert_eq!(
        field_of(ex(), "/person/last_name", json!("\u{2067}Reyes")),
        "person.last_name"
    );
    let mut v = ex();
    v["person"]["aliases"] = json!(["DJ", "D\u{200F}J"]);
    assert_eq!(parse(v).unwrap_err().field, "person.aliases[1]");
    let mut v = ex();
    v["person"]["description"] = json!("tall, green jacket\u{061C}");
    assert_eq!(parse(v).unwrap_err().field, "person.description");
}

#[test]
fn approximate_age_and_coordinates_are_enough() {
    let mut v = contract_example();
    v["person"] = json!({"first_name": "J", "last_name": "Doe", "approx_age": 40,
                         "sex": "M", "race": "white"});
    v["location"] = json!({"lat": 47.6097, "lon": -122.3331});
    let r = parse(v).unwrap();
    assert_eq!(r.person.birth, Birth::ApproxAge(40));
    assert_eq!(
        r.location.coordinates,
        Some(Coordinates {
            lat: 47.6097,
            lon: -122.3331
        })
    );
}

#[test]
fn doors_have_their_own_requirements() {
    let mut v = contract_example();
    v["door"] = json!("social_contact");
    assert_eq!(parse(v.clone()).unwrap_err().field, "prior_involvement");
    v["prior_involvement"] = json!({"reference": "25-998877"});
    assert!(parse(v).is_ok());

    let mut v = contract_example();
    v["door"] = json!("community");
    v.as_object_mut().unwrap().remove("incident_number");
    v["offenses"] = json!([]);
    let r = parse(v).unwrap();
    assert!(r.incident_number.is_none() && r.offences.is_empty());
}

#[test]
fn site_defined_categories_are_codes() {
    assert_eq!(
        ConductCategory::parse("transit_fare").unwrap(),
        ConductCategory::SiteDefined(SiteCode::parse("transit_fare").unwrap())
    );
    assert_eq!(
        ConductCategory::parse("theft").unwrap(),
        ConductCategory::Standard(Conduct::Theft)
    );
    assert!(ConductCategory::parse("Theft of a car").is_err());
}

#[test]
fn vocabularies_round_trip() {
    for s in Sex::ALL {
        assert_eq!(Sex::parse(s.as_str()).unwrap(), *s);
    }
    for r in Race::ALL {
        assert_eq!(Race::parse(r.label()).unwrap(), *r);
        assert_eq!(Race::parse(r.code()).unwrap(), *r);
        let json = serde_json::to_string(r).unwrap();
        assert_eq!(serde_json::from_str::<Race>(&json).unwrap(), *r);
    }
    for d in Door::ALL {
        assert_eq!(serde_json::to_string(d).unwrap(), format!("\"{d}\""));
    }
    for c in Conduct::ALL {
        assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{c}\""));
    }
    for s in SubstanceClass::ALL {
        assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{s}\""));
    }
}
