//! Documentation-only schemas of request bodies whose parsing lives in the
//! domain crate (which does not depend on the OpenAPI generator). They name
//! the same fields; the handlers parse into the domain's forms.

#![allow(dead_code)]

use utoipa::ToSchema;

/// `POST /api/v1/referrals`.
#[derive(ToSchema)]
#[schema(example = json!({
    "door": "arrest_diversion",
    "person": {"first_name": "Dana", "last_name": "Reyes", "dob": "1988-04-02", "sex": "F", "race": "Hispanic/Latino"},
    "incident_number": "26-104233",
    "offenses": [{"category": "drug_possession", "substance": "opioid", "quantity_grams": 1.2}],
    "occurred_at": "2026-11-30T14:05:00Z",
    "location": {"address": "2nd Ave & Pike St"}
}))]
pub struct ReferralBody {
    /// arrest_diversion | social_contact | community
    door: String,
    person: PersonBody,
    /// Required for an arrest diversion.
    incident_number: Option<String>,
    /// At least one for an arrest diversion.
    offenses: Vec<OffenceBody>,
    /// RFC 3339.
    occurred_at: String,
    location: LocationBody,
    /// Required for a social-contact referral: a record reference or the officer's observation.
    prior_involvement: Option<PriorInvolvementBody>,
    /// The officer's judgement that the person is not amenable.
    not_amenable: Option<bool>,
    /// The officer's judgement that sales were for profit, above subsistence.
    dealing_for_profit: Option<bool>,
    notes: Option<String>,
    /// Any string up to 100 characters, chosen by the client per form: a
    /// second POST with the same token from the same user returns the first
    /// referral (200) instead of creating another.
    #[schema(max_length = 100)]
    client_token: Option<String>,
}

#[derive(ToSchema)]
pub struct PersonBody {
    first_name: String,
    last_name: String,
    aliases: Option<Vec<String>>,
    /// YYYY-MM-DD; or give approx_age.
    dob: Option<String>,
    approx_age: Option<u8>,
    /// F | M | X | U
    sex: String,
    /// As observed or stated, e.g. "Hispanic/Latino", "Black", "White".
    race: String,
    description: Option<String>,
}

#[derive(ToSchema)]
pub struct OffenceBody {
    /// drug_possession | drug_sales | sex_work | theft | trespass |
    /// promoting_prostitution | exploiting_minors | violent | a site-defined code
    category: String,
    /// For drug offences: opioid, stimulant, cannabis, prescription_pills, other, …
    substance: Option<String>,
    quantity_grams: Option<f64>,
}

#[derive(ToSchema)]
pub struct LocationBody {
    address: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(ToSchema)]
pub struct PriorInvolvementBody {
    reference: Option<String>,
    observation: Option<String>,
}

/// `POST /api/v1/participants/{id}/releases`.
#[derive(ToSchema)]
#[schema(example = json!({
    "recipients": [{"agency_id": "0193…", "categories": ["enrollment", "engagement"]}],
    "purpose": "care coordination",
    "expires_on": "2027-11-30",
    "signature": {"method": "drawn", "image_base64": "<PNG>"}
}))]
pub struct ReleaseBody {
    recipients: Vec<RecipientBody>,
    purpose: String,
    /// YYYY-MM-DD; today at the site when absent.
    effective_on: Option<String>,
    /// YYYY-MM-DD, the last day in force.
    expires_on: String,
    signature: SignatureBody,
    /// Required when any recipient lists `sud` (42 CFR Part 2).
    part2: Option<Part2Body>,
}

#[derive(ToSchema)]
pub struct RecipientBody {
    agency_id: String,
    /// identity | demographics | enrollment | hold | engagement | plan | notes | health | sud | justice.
    /// Only what the disclosure rules could ever give the organisation under
    /// a release (police: enrollment, engagement; prosecutor: also plan;
    /// defender, housing, health: any); anything else is refused with 422
    /// naming `recipients[i].categories[j]`, and an organisation no release
    /// reaches (case management, oversight, bureau, research, community,
    /// program office) with 422 naming `recipients[i].agency_id`.
    categories: Vec<String>,
}

#[derive(ToSchema)]
pub struct SignatureBody {
    /// drawn | uploaded_pdf
    method: String,
    /// PNG, base64 (drawn).
    image_base64: Option<String>,
    /// PDF, base64 (uploaded_pdf).
    pdf_base64: Option<String>,
}

#[derive(ToSchema)]
pub struct Part2Body {
    /// The program or person who may disclose.
    discloser: String,
    /// How much and what kind of information.
    information: String,
    right_to_revoke_acknowledged: bool,
}
