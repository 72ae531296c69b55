//! The categories participant data is split into (DESIGN.md §3). Disclosure is
//! decided per category.

use crate::org::string_enum;

string_enum! {
    /// A category of participant data.
    DataCategory {
        Identity = "identity",
        Demographics = "demographics",
        Enrollment = "enrollment",
        Hold = "hold",
        Engagement = "engagement",
        Plan = "plan",
        Notes = "notes",
        Health = "health",
        Sud = "sud",
        Justice = "justice",
    }
}

impl DataCategory {
    /// The category in words, for pages.
    pub const fn label(&self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Demographics => "demographics",
            Self::Enrollment => "enrolment",
            Self::Hold => "diversion hold",
            Self::Engagement => "engagement",
            Self::Plan => "plan",
            Self::Notes => "case notes",
            Self::Health => "health",
            Self::Sud => "substance use (42 CFR Part 2)",
            Self::Justice => "justice records",
        }
    }
}
