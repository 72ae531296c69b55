//! The casework vocabulary: where a contact took place, who made it, the
//! services delivered, where a goal stands, what came of a service
//! referral, the employment continuum. Parsed once at the edge (the error
//! names the field) and stored as these values.

/// A closed list of values with a text for storage and the API, and a
/// label for people.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal : $label:literal,)* }) => {
        crate::org::string_enum! { $(#[$doc])* $name { $($variant = $text,)* } }

        impl $name {
            pub const fn label(&self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            /// Parses submitted text; the error names `field`.
            pub fn parse(s: &str, field: &str) -> Result<Self, crate::ParseError> {
                s.trim()
                    .parse::<$name>()
                    .map_err(|e| crate::ParseError::new(field.to_string(), e.message))
            }
        }
    };
}

vocabulary! {
    /// Where a contact took place.
    Place {
        Street = "street": "Street",
        Shelter = "shelter": "Shelter",
        Office = "office": "Office",
        Phone = "phone": "Phone",
        Jail = "jail": "Jail",
        Hospital = "hospital": "Hospital",
        Court = "court": "Court",
    }
}

vocabulary! {
    /// Who made the contact.
    StaffRole {
        CaseManager = "case_manager": "Case manager",
        PeerOutreach = "peer_outreach": "Peer outreach worker",
    }
}

vocabulary! {
    /// A service delivered during a contact.
    Service {
        HarmReductionSupplies = "harm_reduction_supplies": "Harm-reduction supplies",
        Naloxone = "naloxone": "Naloxone",
        Transport = "transport": "Transport",
        IdDocuments = "id_documents": "ID / documents",
        BenefitsApplication = "benefits_application": "Benefits application",
        HousingApplication = "housing_application": "Housing application",
        TreatmentReferral = "treatment_referral": "Treatment referral",
        CourtSupport = "court_support": "Court support",
        FoodClothing = "food_clothing": "Food / clothing",
        Other = "other": "Other",
    }
}

vocabulary! {
    /// Where a goal stands. None of these is a judgement of the participant.
    GoalStatus {
        Active = "active": "Working on it",
        Achieved = "achieved": "Achieved",
        SetAside = "set_aside": "Set aside for now",
    }
}

vocabulary! {
    /// What came of a referral to a service provider.
    ReferralOutcome {
        Pending = "pending": "Waiting",
        Connected = "connected": "Connected",
        NotConnected = "not_connected": "Not connected yet",
        Declined = "declined": "The participant declined",
    }
}

vocabulary! {
    /// The employment continuum.
    Employment {
        NotWorking = "not_working": "Not working",
        Seeking = "seeking": "Looking for work",
        Training = "training": "In training or education",
        Informal = "informal": "Informal or day work",
        PartTime = "part_time": "Part-time job",
        FullTime = "full_time": "Full-time job",
    }
}

impl Employment {
    /// Whether the month counts as employed for the evaluation.
    pub const fn employed(&self) -> bool {
        matches!(self, Employment::PartTime | Employment::FullTime)
    }

    /// Reads what intake recorded (free text such as `none`, `part_time`).
    pub fn from_intake(s: &str) -> Option<Employment> {
        match s.trim().to_lowercase().replace(['-', ' '], "_").as_str() {
            "none" | "not_working" | "unemployed" => Some(Employment::NotWorking),
            "seeking" | "looking" => Some(Employment::Seeking),
            "training" | "school" => Some(Employment::Training),
            "informal" | "day_labor" => Some(Employment::Informal),
            "part_time" => Some(Employment::PartTime),
            "full_time" => Some(Employment::FullTime),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_text() {
        for p in Place::ALL {
            assert_eq!(Place::parse(p.as_str(), "place").unwrap(), *p);
        }
        for s in Service::ALL {
            assert_eq!(Service::parse(s.as_str(), "s").unwrap(), *s);
        }
        for g in GoalStatus::ALL {
            assert_eq!(g.as_str().parse::<GoalStatus>().unwrap(), *g);
        }
    }

    #[test]
    fn an_unknown_value_names_the_field_and_the_choices() {
        let e = Place::parse("moon", "place").unwrap_err();
        assert_eq!(e.field, "place");
        assert!(e.message.contains("street"), "{}", e.message);
    }

    #[test]
    fn intake_words_for_work_are_read_leniently() {
        assert_eq!(
            Employment::from_intake("Part-time"),
            Some(Employment::PartTime)
        );
        assert_eq!(
            Employment::from_intake("none"),
            Some(Employment::NotWorking)
        );
        assert_eq!(Employment::from_intake("astronaut"), None);
        assert!(Employment::FullTime.employed() && !Employment::Seeking.employed());
    }
}
