//! What the site's own court records say about a referred person's record
//! rules at screening (serious violent conviction within the look-back, a
//! pending treatment-court case, a no-contact order). Pure: the caller
//! passes the site's court charges and the referred name and date of birth.
//!
//! With no court charges at the site, nothing was checked
//! ([`Evidence::NotChecked`]). Otherwise a charge counts only where its
//! party is a likely match of the referred person (the same date of birth,
//! the same last name and first names that agree — equal, or one the
//! other's initial or start); such a charge makes the rule
//! [`Evidence::Possible`] — a possible exclusion the officer confirms,
//! never an exclusion on its own; no such charge is [`Evidence::Clear`].

use crate::records::{CourtCharge, PersonFields};
use handoff_domain::eligibility::{Evidence, RecordChecks};
use time::Date;

/// Words of a serious violent offence in a charge's statute or description.
const SERIOUS_VIOLENT: &[&str] = &[
    "murder",
    "homicide",
    "manslaughter",
    "assault 1",
    "assault 2",
    "assault in the first",
    "assault in the second",
    "aggravated assault",
    "robbery",
    "rape",
    "kidnap",
    "arson",
    "carjacking",
    "sexual assault",
    "indecent liberties",
    "drive-by",
];

const TREATMENT_COURT: &[&str] = &[
    "drug court",
    "treatment court",
    "mental health court",
    "therapeutic court",
];

const NO_CONTACT: &[&str] = &[
    "no-contact",
    "no contact",
    "protection order",
    "restraining order",
];

/// How long a no-contact order found in the records is taken to run.
const ORDER_YEARS: i32 = 5;

fn has(text: &str, words: &[&str]) -> bool {
    let t = text.to_lowercase();
    words.iter().any(|w| t.contains(w))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a court party is a likely match of the referred person.
pub fn likely_same(p: &PersonFields, first: &str, last: &str, dob: Date) -> bool {
    let (a, b) = (norm(&p.first_name), norm(first));
    p.dob == dob
        && norm(&p.last_name) == norm(last)
        && !a.is_empty()
        && !b.is_empty()
        && (a.starts_with(&b) || b.starts_with(&a))
}

fn convicted(c: &CourtCharge) -> bool {
    let d = c.disposition.as_deref().unwrap_or("").to_lowercase();
    (d.contains("guilty") && !d.contains("not guilty")) || d.contains("convict")
}

fn years_before(d: Date, years: i32) -> Date {
    let y = d.year() - years;
    Date::from_calendar_date(y, d.month(), d.day().min(d.month().length(y))).unwrap_or(Date::MIN)
}

/// The evidence for each record rule, from the site's court charges.
/// `dob` is `None` when only an approximate age was given: the records
/// cannot be compared, so nothing was checked.
pub fn record_checks(
    charges: &[CourtCharge],
    first: &str,
    last: &str,
    dob: Option<Date>,
    referred_on: Date,
    lookback_years: Option<u8>,
) -> RecordChecks {
    let Some(dob) = dob.filter(|_| !charges.is_empty()) else {
        return RecordChecks::default();
    };
    let theirs: Vec<&CourtCharge> = charges
        .iter()
        .filter(|c| {
            c.person
                .as_ref()
                .is_some_and(|p| likely_same(p, first, last, dob))
        })
        .collect();
    let text = |c: &CourtCharge| format!("{} {}", c.statute, c.description);
    let since = years_before(referred_on, i32::from(lookback_years.unwrap_or(10)));
    let violent = theirs.iter().any(|c| {
        has(&text(c), SERIOUS_VIOLENT)
            && convicted(c)
            && c.disposition_date.unwrap_or(c.filing_date) >= since
    });
    let court = theirs.iter().any(|c| {
        c.disposition_date.is_none()
            && has(
                &format!("{} {}", text(c), c.disposition.as_deref().unwrap_or("")),
                TREATMENT_COURT,
            )
    });
    let order_since = years_before(referred_on, ORDER_YEARS);
    let order = theirs
        .iter()
        .any(|c| has(&text(c), NO_CONTACT) && c.filing_date >= order_since);
    let of = |found: bool| {
        if found {
            Evidence::Possible
        } else {
            Evidence::Clear
        }
    };
    RecordChecks {
        violent: of(violent),
        treatment_court: of(court),
        no_contact: of(order),
    }
}

/// The court charges among stored records' JSON (what the store keeps
/// for kind `charges`); anything else is skipped.
pub fn charges<'a>(contents: impl IntoIterator<Item = &'a str>) -> Vec<CourtCharge> {
    contents
        .into_iter()
        .filter_map(|c| match serde_json::from_str(c) {
            Ok(crate::Record::Charge(c)) => Some(c),
            _ => None,
        })
        .collect()
}

/// [`record_checks`] for a parsed referral under a policy.
pub fn for_referral(
    charges: &[CourtCharge],
    r: &handoff_domain::referral::Referral,
    referred_on: Date,
    policy: &handoff_domain::eligibility::Policy,
) -> RecordChecks {
    let dob = match r.person.birth {
        handoff_domain::referral::Birth::Dob(d) => Some(d),
        handoff_domain::referral::Birth::ApproxAge(_) => None,
    };
    record_checks(
        charges,
        r.person.first_name.as_str(),
        r.person.last_name.as_str(),
        dob,
        referred_on,
        policy.exclusions.violent_conviction_lookback_years,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::SourceNumber;
    use handoff_domain::referral::Race;
    use time::macros::date;

    fn charge(description: &str, disposition: Option<&str>, on: Date, first: &str) -> CourtCharge {
        CourtCharge {
            case_number: SourceNumber::parse("C-1").unwrap(),
            count: 1,
            statute: "9A".into(),
            description: description.into(),
            felony: true,
            filing_date: on,
            disposition: disposition.map(Into::into),
            disposition_date: disposition.map(|_| on),
            arrest_number: None,
            person: Some(PersonFields {
                first_name: first.into(),
                middle_name: None,
                last_name: "Doe".into(),
                dob: date!(1990 - 01 - 02),
                sex: handoff_domain::referral::Sex::Unknown,
                race: Race::Unknown,
            }),
            person_key: None,
        }
    }

    #[test]
    fn each_rule_from_the_records_as_a_table() {
        let today = date!(2026 - 11 - 30);
        let dob = Some(date!(1990 - 01 - 02));
        let check = |cs: &[CourtCharge], first: &str, dob| {
            record_checks(cs, first, "Doe", dob, today, Some(10))
        };
        let clear = RecordChecks {
            violent: Evidence::Clear,
            treatment_court: Evidence::Clear,
            no_contact: Evidence::Clear,
        };
        // No court records at all: not checked.
        assert_eq!(check(&[], "Jane", dob), RecordChecks::default());
        // Records, but an approximate age only: not checked.
        let robbery = charge("Robbery 2", Some("Guilty"), date!(2020 - 05 - 01), "Jane");
        assert_eq!(
            check(std::slice::from_ref(&robbery), "Jane", None),
            RecordChecks::default()
        );
        // A likely match's recent violent conviction: a possible exclusion.
        let r = check(std::slice::from_ref(&robbery), "J", dob);
        assert_eq!(r.violent, Evidence::Possible);
        assert_eq!(
            (r.treatment_court, r.no_contact),
            (Evidence::Clear, Evidence::Clear)
        );
        // Someone else's (another first name), an acquittal, an old one: clear.
        assert_eq!(check(std::slice::from_ref(&robbery), "Mary", dob), clear);
        let acquitted = charge(
            "Robbery 2",
            Some("Not guilty"),
            date!(2020 - 05 - 01),
            "Jane",
        );
        assert_eq!(check(&[acquitted], "Jane", dob), clear);
        let old = charge("Robbery 2", Some("Guilty"), date!(2010 - 05 - 01), "Jane");
        assert_eq!(check(&[old], "Jane", dob), clear);
        // A pending drug-court case and a recent no-contact order.
        let court = charge(
            "Possession — drug court",
            None,
            date!(2026 - 10 - 01),
            "Jane",
        );
        let order = charge(
            "Violation of no-contact order",
            Some("Guilty"),
            date!(2024 - 01 - 01),
            "Jane",
        );
        let r = check(&[court, order], "jane", dob);
        assert_eq!(r.treatment_court, Evidence::Possible);
        assert_eq!(r.no_contact, Evidence::Possible);
        assert_eq!(r.violent, Evidence::Clear);
    }
}
