//! A participant's linked justice records as the disclosure guard hands
//! them out (category `justice`). At the limited-data-set extent only
//! dates and charge categories remain: no booking, arrest, case or
//! admission numbers, no names, no statutes.

use handoff_justice::Record;
use handoff_justice::records::{Charge, SourceNumber};
use handoff_store::justice::JusticeRecord;
use serde::Serialize;
use utoipa::ToSchema;

/// One linked record. Fields that do not apply to its kind, or that the
/// limited data set drops, are absent.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RecordView {
    /// arrest | charge | booking | prison_admission | roster_entry
    pub kind: String,
    pub on: Option<String>,
    /// felony | misdemeanor, one per charge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charges: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition_on: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released_on: Option<Option<String>>,
    #[serde(flatten)]
    pub details: Option<Details>,
}

/// What only the full extent shows.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Details {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub arrest_number: Option<SourceNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub booking_number: Option<SourceNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub admission_number: Option<SourceNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub case_number: Option<SourceNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booked_at: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub charge_details: Option<Vec<Charge>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statute: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Option<String>>,
    /// Where the record came from (file name, `feed`, …).
    pub source: String,
    /// How the record is linked to the participant.
    pub link: String,
}

fn category(felony: bool) -> &'static str {
    if felony { "felony" } else { "misdemeanor" }
}

fn categories(charges: &[Charge]) -> Option<Vec<&'static str>> {
    Some(charges.iter().map(|c| category(c.felony)).collect())
}

fn iso(d: time::Date) -> String {
    handoff_store::referrals::iso(d)
}

/// One record for the reader; `limited` is the limited data set.
pub fn record(r: &JusticeRecord, limited: bool) -> RecordView {
    let mut v = RecordView {
        kind: r.kind.clone(),
        on: r.event_on.clone(),
        ..RecordView::default()
    };
    let Ok(rec) = serde_json::from_str::<Record>(&r.content) else {
        return v;
    };
    let mut d = Details {
        source: r.provenance.source.clone(),
        link: r.link.status.as_str().to_string(),
        ..Details::default()
    };
    match rec {
        Record::Arrest(a) => {
            v.charges = categories(&a.charges);
            d.arrest_number = Some(a.arrest_number);
            d.charge_details = Some(a.charges);
            d.location = Some(a.location);
        }
        Record::Charge(c) => {
            v.charges = Some(vec![category(c.felony)]);
            v.disposition_on = Some(c.disposition_date.map(iso));
            d.case_number = Some(c.case_number);
            d.count = Some(c.count);
            d.statute = Some(c.statute);
            d.description = Some(c.description);
            d.disposition = Some(c.disposition);
        }
        Record::Booking(b) => {
            v.charges = categories(&b.charges);
            v.released_on = Some(b.released_at.map(|t| iso(t.date())));
            d.booking_number = Some(b.booking_number);
            d.booked_at = Some(
                b.booked_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok(),
            );
            d.charge_details = Some(b.charges);
        }
        Record::PrisonAdmission(p) => {
            v.released_on = Some(p.released_at.map(iso));
            d.admission_number = Some(p.admission_number);
        }
        Record::RosterEntry(_) => {}
    }
    if !limited {
        v.details = Some(d);
    }
    v
}
