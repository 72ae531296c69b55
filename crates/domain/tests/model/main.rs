//! The domain's model tests: each module holds the examples and properties
//! of one part of the model, written against the crate's public API.

mod disclosure;
mod eligibility;
mod hold;
mod participation;
mod referral;
mod release;
mod release_scope;

/// What the model modules name without a path.
mod prelude {
    pub use handoff_domain::DataCategory as C;
    pub use handoff_domain::participation::CaseloadLimits;
    pub use handoff_domain::referral::{Conduct, ConductCategory, Door, SubstanceClass};
    pub use handoff_domain::release::{Release, ReleaseStatus};
    pub use handoff_domain::site_time::{SiteNow, SiteTimeZone};
    pub use handoff_domain::*;
    pub use time::{Duration, OffsetDateTime};
}
