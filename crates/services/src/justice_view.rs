//! A participant's linked justice records as the disclosure guard hands
//! them out (category `justice`). At the limited-data-set extent only
//! dates and charge categories remain: no booking, arrest, case or
//! admission numbers, no names, no statutes.

use handoff_justice::Record;
use handoff_store::justice::JusticeRecord;
use serde_json::{Value, json};

fn category(felony: bool) -> &'static str {
    if felony { "felony" } else { "misdemeanor" }
}

fn iso(d: time::Date) -> String {
    handoff_store::referrals::iso(d)
}

/// One record for the reader; `limited` is the limited data set.
pub fn record(r: &JusticeRecord, limited: bool) -> Value {
    let Ok(rec) = serde_json::from_str::<Record>(&r.content) else {
        return json!({"kind": r.kind, "on": r.event_on});
    };
    let mut v = json!({"kind": r.kind, "on": r.event_on});
    match &rec {
        Record::Arrest(a) => {
            v["charges"] = a
                .charges
                .iter()
                .map(|c| json!(category(c.felony)))
                .collect();
            if !limited {
                v["arrest_number"] = json!(a.arrest_number);
                v["charge_details"] = json!(a.charges);
                v["location"] = json!(a.location);
            }
        }
        Record::Charge(c) => {
            v["charges"] = json!([category(c.felony)]);
            v["disposition_on"] = json!(c.disposition_date.map(iso));
            if !limited {
                v["case_number"] = json!(c.case_number);
                v["count"] = json!(c.count);
                v["statute"] = json!(c.statute);
                v["description"] = json!(c.description);
                v["disposition"] = json!(c.disposition);
            }
        }
        Record::Booking(b) => {
            v["charges"] = b
                .charges
                .iter()
                .map(|c| json!(category(c.felony)))
                .collect();
            v["released_on"] = json!(b.released_at.map(|t| iso(t.date())));
            if !limited {
                v["booking_number"] = json!(b.booking_number);
                v["booked_at"] = json!(
                    b.booked_at
                        .format(&time::format_description::well_known::Rfc3339)
                        .ok()
                );
                v["charge_details"] = json!(b.charges);
            }
        }
        Record::PrisonAdmission(p) => {
            v["released_on"] = json!(p.released_at.map(iso));
            if !limited {
                v["admission_number"] = json!(p.admission_number);
            }
        }
        Record::RosterEntry(_) => {}
    }
    if !limited {
        v["source"] = json!(r.provenance.source);
        v["link"] = json!(r.link.status.as_str());
    }
    v
}
