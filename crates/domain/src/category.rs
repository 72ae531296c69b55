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
