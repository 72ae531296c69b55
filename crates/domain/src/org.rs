//! Who works in a LEAD site: the kinds of partner agency and the roles of
//! DESIGN.md §1.

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub const fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = crate::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err(crate::ParseError::new(
                        stringify!($name),
                        format!("unknown value {s:?}; expected one of: {}", [$($text),*].join(", ")),
                    )),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// The kind of a site's partner agency.
    AgencyKind {
        Police = "police",
        Prosecutor = "prosecutor",
        CaseManagement = "case_management",
        Defender = "defender",
        Housing = "housing",
        Health = "health",
        CivilRights = "civil_rights",
        Community = "community",
        Bureau = "bureau",
        /// A university or research partner (evaluators).
        Research = "research",
        /// The LEAD project management office / Policy Coordinating Group staff.
        ProgramOffice = "program_office",
    }
}

string_enum! {
    /// A user's role (DESIGN.md §1). A user may hold several.
    Role {
        Officer = "officer",
        CommunityReferrer = "community_referrer",
        CaseManager = "case_manager",
        Supervisor = "supervisor",
        Prosecutor = "prosecutor",
        Partner = "partner",
        Oversight = "oversight",
        Evaluator = "evaluator",
        SiteAdmin = "site_admin",
        Bureau = "bureau",
    }
}

impl Role {
    /// A person-facing label.
    pub const fn label(&self) -> &'static str {
        match self {
            Role::Officer => "Officer",
            Role::CommunityReferrer => "Community referrer",
            Role::CaseManager => "Case manager",
            Role::Supervisor => "Supervisor / project manager",
            Role::Prosecutor => "Prosecutor",
            Role::Partner => "Partner agency",
            Role::Oversight => "Oversight",
            Role::Evaluator => "Evaluator",
            Role::SiteAdmin => "Site administrator",
            Role::Bureau => "National support bureau",
        }
    }
}

impl AgencyKind {
    /// The roles the people of an organisation of this kind hold (the
    /// "organisation" column of DESIGN.md §1). What such an organisation may
    /// receive under a release follows from these roles and the disclosure
    /// rules ([`crate::disclosure::release_may_give`]).
    pub const fn roles(&self) -> &'static [Role] {
        match self {
            AgencyKind::Police => &[Role::Officer],
            AgencyKind::Prosecutor => &[Role::Prosecutor],
            AgencyKind::CaseManagement => &[Role::CaseManager, Role::Supervisor],
            AgencyKind::Defender | AgencyKind::Housing | AgencyKind::Health => &[Role::Partner],
            AgencyKind::CivilRights => &[Role::Oversight],
            AgencyKind::Community => &[Role::CommunityReferrer],
            AgencyKind::Bureau => &[Role::Bureau],
            AgencyKind::Research => &[Role::Evaluator],
            AgencyKind::ProgramOffice => &[Role::Supervisor, Role::SiteAdmin],
        }
    }

    pub const fn label(&self) -> &'static str {
        match self {
            AgencyKind::Police => "Police / sheriff",
            AgencyKind::Prosecutor => "Prosecuting attorney",
            AgencyKind::CaseManagement => "Case management",
            AgencyKind::Defender => "Public defender",
            AgencyKind::Housing => "Housing",
            AgencyKind::Health => "Health",
            AgencyKind::CivilRights => "Civil rights",
            AgencyKind::Community => "Community",
            AgencyKind::Bureau => "National support bureau",
            AgencyKind::Research => "Research partner",
            AgencyKind::ProgramOffice => "LEAD program office",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text_and_json() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        for kind in AgencyKind::ALL {
            assert_eq!(kind.as_str().parse::<AgencyKind>().unwrap(), *kind);
        }
    }

    /// The roles of each kind agree with the table of who may act: a rule
    /// that names a role at a kind of organisation names one of that kind's
    /// roles, and every role that acts at all is someone's.
    #[test]
    fn the_roles_of_each_kind_agree_with_the_rules_of_action() {
        use crate::rules::{RULES, Who, role_acts};
        for (action, who) in RULES {
            for w in *who {
                if let Who::RoleAt(role, kind) = w {
                    assert!(kind.roles().contains(role), "{action}: {role} at {kind}");
                }
            }
        }
        for role in Role::ALL.iter().filter(|r| role_acts(**r)) {
            assert!(
                AgencyKind::ALL.iter().any(|k| k.roles().contains(role)),
                "{role} works nowhere"
            );
        }
    }

    #[test]
    fn unknown_role_names_the_choices() {
        let err = "sheriff".parse::<Role>().unwrap_err();
        assert!(err.message.contains("officer"), "{err}");
    }
}
