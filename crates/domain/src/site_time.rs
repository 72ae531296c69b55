//! A site's local time. Deadlines ("the hold window is 30 days") and release
//! dates ("expires on 2027-11-30") are local calendar days of the site, so
//! they are computed in the site's IANA time zone, across DST changes.
//!
//! The time-zone database is compiled into the binary (`jiff`'s bundled
//! tzdb), so nothing here reads the file system. Instants cross the API as
//! `time::OffsetDateTime` and days as `time::Date`, like the rest of the
//! crate; `jiff` is used inside for the zone rules only.

use crate::ParseError;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, OffsetDateTime, UtcOffset};

// `iso_date`: serde for a `time::Date` as `YYYY-MM-DD`, the API's form of a
// day (`#[serde(with = "crate::site_time::iso_date")]`, or `iso_date::option`).
time::serde::format_description!(
    pub iso_date,
    Date,
    "[year]-[month]-[day]"
);

/// A site's IANA time zone, such as `America/Los_Angeles`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteTimeZone {
    name: String,
    tz: TimeZone,
}

/// A day or instant outside the range the calendar libraries represent
/// (before year -9999 or after 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("date out of range")]
pub struct OutOfRange;

impl SiteTimeZone {
    /// Parses an IANA zone name. Fixed offsets and POSIX strings are refused:
    /// a site lives in a place, and the place's rules change.
    pub fn parse(name: &str) -> Result<Self, ParseError> {
        let name = name.trim();
        if !name.contains('/') && name != "UTC" {
            return Err(ParseError::new(
                "time_zone",
                format!("{name:?} is not an IANA zone name such as America/Los_Angeles"),
            ));
        }
        let tz = jiff::tz::db().get(name).map_err(|_| {
            ParseError::new("time_zone", format!("unknown IANA time zone {name:?}"))
        })?;
        Ok(Self {
            name: name.to_owned(),
            tz,
        })
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The local calendar day at the site at `at`.
    pub fn local_date(&self, at: OffsetDateTime) -> Date {
        let ts = to_jiff(at);
        let d = ts.to_zoned_datetime(self.tz.clone()).date();
        // A jiff date from a valid timestamp is always a valid `time` date.
        from_jiff_date(d).unwrap_or(Date::MIN)
    }

    /// The first instant of local day `date` at the site (usually midnight;
    /// later where a DST change skips midnight). Returned in UTC.
    pub fn start_of_day(&self, date: Date) -> Result<OffsetDateTime, OutOfRange> {
        let d = to_jiff_date(date)?;
        let zdt = d
            .to_zoned_datetime(self.tz.clone())
            .map_err(|_| OutOfRange)?;
        from_jiff(zdt.timestamp())
    }

    /// Local day and instant together, for rules that need both ("expired"
    /// compares days, "revoked" compares instants).
    pub fn at(&self, at: OffsetDateTime) -> SiteNow {
        SiteNow {
            at: at.to_offset(UtcOffset::UTC),
            today: self.local_date(at),
        }
    }
}

impl fmt::Debug for SiteTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SiteTimeZone").field(&self.name).finish()
    }
}

impl fmt::Display for SiteTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl PartialEq for SiteTimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for SiteTimeZone {}

crate::text_conversions!(SiteTimeZone, ParseError, String, |v| v.name);

/// "Now" at a site: the instant and the site's local day at that instant.
/// Built only by [`SiteTimeZone::at`], so the two always agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteNow {
    at: OffsetDateTime,
    today: Date,
}

impl SiteNow {
    /// The instant, in UTC.
    pub fn instant(&self) -> OffsetDateTime {
        self.at
    }
    /// The site's local calendar day.
    pub fn today(&self) -> Date {
        self.today
    }
}

pub(crate) fn to_jiff(at: OffsetDateTime) -> jiff::Timestamp {
    // Both libraries cover years -9999..=9999; `time`'s range is the smaller.
    jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos()).unwrap_or(jiff::Timestamp::MIN)
}

pub(crate) fn from_jiff(ts: jiff::Timestamp) -> Result<OffsetDateTime, OutOfRange> {
    OffsetDateTime::from_unix_timestamp_nanos(ts.as_nanosecond()).map_err(|_| OutOfRange)
}

fn to_jiff_date(d: Date) -> Result<jiff::civil::Date, OutOfRange> {
    let year = i16::try_from(d.year()).map_err(|_| OutOfRange)?;
    jiff::civil::Date::new(year, u8::from(d.month()) as i8, d.day() as i8).map_err(|_| OutOfRange)
}

fn from_jiff_date(d: jiff::civil::Date) -> Result<Date, OutOfRange> {
    let month = time::Month::try_from(d.month() as u8).map_err(|_| OutOfRange)?;
    Date::from_calendar_date(i32::from(d.year()), month, d.day() as u8).map_err(|_| OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn parses_iana_names_and_refuses_the_rest() {
        assert_eq!(
            SiteTimeZone::parse("America/Los_Angeles").unwrap().name(),
            "America/Los_Angeles"
        );
        assert!(SiteTimeZone::parse("UTC").is_ok());
        for bad in ["PST", "Mars/Olympus_Mons", "+05:00", ""] {
            let err = SiteTimeZone::parse(bad).unwrap_err();
            assert_eq!(err.field, "time_zone", "{bad}");
        }
    }

    #[test]
    fn local_day_follows_the_zone() {
        let tz = SiteTimeZone::parse("America/Los_Angeles").unwrap();
        // 05:00 UTC on 1 December is still 30 November in Seattle.
        assert_eq!(
            tz.local_date(datetime!(2026-12-01 05:00 UTC)),
            date!(2026 - 11 - 30)
        );
        assert_eq!(
            tz.start_of_day(date!(2026 - 12 - 01)).unwrap(),
            datetime!(2026-12-01 08:00 UTC)
        );
        // Summer time: UTC-7.
        assert_eq!(
            tz.start_of_day(date!(2026 - 07 - 01)).unwrap(),
            datetime!(2026-07-01 07:00 UTC)
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_after_the_gap() {
        // Santiago springs forward at 24:00 on the first Saturday of
        // September: 7 September 2025 begins at 01:00 local (UTC-3).
        let tz = SiteTimeZone::parse("America/Santiago").unwrap();
        assert_eq!(
            tz.start_of_day(date!(2025 - 09 - 07)).unwrap(),
            datetime!(2025-09-07 04:00 UTC)
        );
    }

    #[test]
    fn serde_uses_the_name() {
        let tz: SiteTimeZone = serde_json::from_str("\"America/Denver\"").unwrap();
        assert_eq!(serde_json::to_string(&tz).unwrap(), "\"America/Denver\"");
        assert!(serde_json::from_str::<SiteTimeZone>("\"Nowhere/Else\"").is_err());
    }
}
