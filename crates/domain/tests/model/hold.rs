#[allow(unused_imports)]
use crate::prelude::*;
use handoff_domain::hold::*;
use proptest::prelude::*;
use time::macros::{date, datetime};
use uuid::Uuid;

fn tz(name: &str) -> SiteTimeZone {
    SiteTimeZone::parse(name).unwrap()
}
fn seattle() -> SiteTimeZone {
    tz("America/Los_Angeles")
}
fn hold_at(referred_at: OffsetDateTime, window: u16, zone: &SiteTimeZone) -> Hold {
    Hold::open(
        HoldId::from_uuid(Uuid::from_u128(1)),
        ReferralId::from_uuid(Uuid::from_u128(2)),
        referred_at,
        window,
        zone,
    )
    .unwrap()
}
fn prosecutor() -> UserId {
    UserId::from_uuid(Uuid::from_u128(3))
}

/// The prosecutor records a decision on the hold, which applies it.
fn decide(h: &mut Hold, decision: ProsecutorDecision, note: &str, at: OffsetDateTime) {
    let e = h.decide(decision, note, prosecutor(), at).unwrap();
    h.apply(&e).unwrap();
}

#[test]
fn the_deadline_is_the_end_of_the_local_day_window_days_later() {
    // 14:05 UTC on 30 November is 06:05 in Seattle: referral day 30 Nov.
    let d = Deadline::compute(datetime!(2026-11-30 14:05 UTC), 30, &seattle()).unwrap();
    assert_eq!(d.last_day, date!(2026 - 12 - 30));
    assert_eq!(d.at, datetime!(2026-12-31 08:00 UTC));
    assert_eq!(d.seven_day_reminder, datetime!(2026-12-24 08:00 UTC));
    assert_eq!(d.two_day_reminder, datetime!(2026-12-29 08:00 UTC));
    // 03:00 UTC on 1 December is still 30 November in Seattle.
    let e = Deadline::compute(datetime!(2026-12-01 03:00 UTC), 30, &seattle()).unwrap();
    assert_eq!(e, d);
}

#[test]
fn deadlines_across_dst_changes() {
    // Fall back on 1 November 2026: the deadline is at PST midnight.
    let d = Deadline::compute(datetime!(2026-10-05 19:00 UTC), 30, &seattle()).unwrap();
    assert_eq!(d.last_day, date!(2026 - 11 - 04));
    assert_eq!(d.at, datetime!(2026-11-05 08:00 UTC));
    // Spring forward on 8 March 2026: the deadline is at PDT midnight.
    let d = Deadline::compute(datetime!(2026-02-20 19:00 UTC), 30, &seattle()).unwrap();
    assert_eq!(d.last_day, date!(2026 - 03 - 22));
    assert_eq!(d.at, datetime!(2026-03-23 07:00 UTC));
    // A window whose last day is the day of the change itself.
    let d = Deadline::compute(datetime!(2026-02-06 19:00 UTC), 30, &seattle()).unwrap();
    assert_eq!(d.last_day, date!(2026 - 03 - 08));
    assert_eq!(d.at, datetime!(2026-03-09 07:00 UTC));
    // Clackamas' 14 days, in Eastern time across the November change.
    let d =
        Deadline::compute(datetime!(2026-10-25 16:00 UTC), 14, &tz("America/New_York")).unwrap();
    assert_eq!(d.at, datetime!(2026-11-09 05:00 UTC));
}

#[test]
fn deadlines_across_leap_days() {
    let d = Deadline::compute(datetime!(2028-01-30 20:00 UTC), 30, &seattle()).unwrap();
    assert_eq!(d.last_day, date!(2028 - 02 - 29));
    let d = Deadline::compute(datetime!(2028-02-29 20:00 UTC), 30, &seattle()).unwrap();
    assert_eq!(d.last_day, date!(2028 - 03 - 30));
    let d = Deadline::compute(datetime!(2027-02-15 20:00 UTC), 14, &seattle()).unwrap();
    assert_eq!(d.last_day, date!(2027 - 03 - 01));
}

#[test]
fn satisfied_in_time_and_not_after() {
    let h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    let just_before = datetime!(2026-12-31 07:59:59 UTC);
    let mut ok = h.clone();
    let e = ok
        .satisfy(datetime!(2026-12-02 18:00 UTC), just_before)
        .unwrap();
    ok.apply(&e).unwrap();
    assert_eq!(ok.state(), HoldState::Satisfied);
    assert_eq!(ok.satisfied_at(), Some(just_before));
    assert_eq!(
        h.satisfy(
            datetime!(2026-12-02 18:00 UTC),
            datetime!(2026-12-31 08:00 UTC)
        ),
        Err(HoldError::WindowClosed)
    );
    // A satisfied hold never lapses, whenever the sweep runs.
    assert!(sweep([&ok], datetime!(2030-01-01 00:00 UTC)).is_empty());
}

#[test]
fn a_release_must_be_in_force_to_satisfy() {
    use crate::release::{AGENCY, form};
    use handoff_domain::release::Release;
    let h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    let signed = datetime!(2026-12-03 19:00 UTC);
    let mut r = Release::parse(&form(AGENCY, &["enrollment"]), date!(2026 - 12 - 03)).unwrap();
    assert!(
        h.satisfy_with_release(signed, &r, signed, &seattle())
            .is_ok()
    );
    r.revoke(signed).unwrap();
    assert_eq!(
        h.satisfy_with_release(signed, &r, signed, &seattle()),
        Err(HoldError::ReleaseNotInForce)
    );
}

#[test]
fn the_sweep_reminds_then_lapses_then_the_prosecutor_decides() {
    let mut h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    let run = |h: &mut Hold, at| {
        let events = sweep([&*h], at);
        for (_, e) in &events {
            h.apply(e).unwrap();
        }
        events.into_iter().map(|(_, e)| e).collect::<Vec<_>>()
    };
    assert!(run(&mut h, datetime!(2026-12-20 12:00 UTC)).is_empty());
    assert_eq!(
        run(&mut h, datetime!(2026-12-24 08:00 UTC)),
        vec![HoldEvent::ReminderDue {
            reminder: Reminder::SevenDays,
            at: datetime!(2026-12-24 08:00 UTC)
        }]
    );
    assert!(run(&mut h, datetime!(2026-12-25 08:00 UTC)).is_empty());
    assert_eq!(run(&mut h, datetime!(2026-12-30 00:00 UTC)).len(), 1);
    assert_eq!(h.last_reminder(), Some(Reminder::TwoDays));
    let as_of = sweep_instant(date!(2026 - 12 - 31), &seattle()).unwrap();
    assert_eq!(
        run(&mut h, as_of),
        vec![HoldEvent::Lapsed {
            at: datetime!(2026-12-31 08:00 UTC)
        }]
    );
    assert!(run(&mut h, as_of).is_empty());
    assert!(h.awaiting_decision());

    decide(
        &mut h,
        ProsecutorDecision::Deferred,
        "new court date",
        as_of,
    );
    assert!(h.awaiting_decision());
    decide(
        &mut h,
        ProsecutorDecision::Declined,
        " engaged since ",
        as_of,
    );
    assert_eq!(h.decision().unwrap().note, "engaged since");
    assert_eq!(
        h.decide(ProsecutorDecision::Filed, "", prosecutor(), as_of),
        Err(HoldError::AlreadyDecided)
    );
    assert_eq!(h.decisions().len(), 2);
}

#[test]
fn holds_lapsing_within_a_week() {
    let h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    let week = Duration::days(7);
    assert!(!h.lapsing_within(datetime!(2026-12-24 07:59 UTC), week));
    assert!(h.lapsing_within(datetime!(2026-12-24 08:00 UTC), week));
    assert!(!h.lapsing_within(datetime!(2026-12-31 08:00 UTC), week));
}

#[test]
fn a_late_sweep_sends_only_the_most_urgent_reminder() {
    let h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    let events = sweep([&h], datetime!(2026-12-30 12:00 UTC));
    assert_eq!(events.len(), 1);
    assert!(matches!(
        events[0].1,
        HoldEvent::ReminderDue {
            reminder: Reminder::TwoDays,
            ..
        }
    ));
}

#[test]
fn invalid_transitions_are_refused() {
    let h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    let early = datetime!(2026-12-10 12:00 UTC);
    let mut x = h.clone();
    assert_eq!(
        x.apply(&HoldEvent::Lapsed { at: early }),
        Err(HoldError::NotYetDue)
    );
    assert_eq!(
        h.decide(ProsecutorDecision::Filed, "", prosecutor(), early),
        Err(HoldError::NotLapsed)
    );
    assert_eq!(
        x.apply(&HoldEvent::ReminderDue {
            reminder: Reminder::TwoDays,
            at: early
        }),
        Err(HoldError::ReminderNotDue)
    );
    assert_eq!(x, h, "a refused event leaves the hold unchanged");
    let mut lapsed = h.clone();
    lapsed
        .apply(&HoldEvent::Lapsed { at: h.deadline.at })
        .unwrap();
    assert_eq!(
        lapsed.satisfy(early, early),
        Err(HoldError::NotPending(HoldState::Lapsed))
    );
    assert_eq!(
        lapsed.apply(&HoldEvent::Lapsed { at: h.deadline.at }),
        Err(HoldError::NotPending(HoldState::Lapsed))
    );
    let long = "x".repeat(MAX_DECISION_NOTE_CHARS + 1);
    assert_eq!(
        lapsed.decide(ProsecutorDecision::Filed, &long, prosecutor(), early),
        Err(HoldError::NoteTooLong)
    );
}

#[test]
fn holds_round_trip_through_the_store_record() {
    let mut h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    assert_eq!(Hold::try_from(h.to_record()).unwrap(), h);
    h.apply(&HoldEvent::Lapsed { at: h.deadline.at }).unwrap();
    assert_eq!(Hold::try_from(h.to_record()).unwrap(), h);
    let mut r = h.to_record();
    r.state = HoldState::Satisfied;
    assert!(matches!(Hold::try_from(r), Err(HoldError::Inconsistent(_))));
    let mut r = h.to_record();
    r.state = HoldState::Pending;
    assert!(matches!(Hold::try_from(r), Err(HoldError::Inconsistent(_))));
}

#[test]
fn holds_serialise_for_the_api() {
    let h = hold_at(datetime!(2026-11-30 14:05 UTC), 30, &seattle());
    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["state"], "pending");
    assert_eq!(json["deadline"]["at"], "2026-12-31T08:00:00Z");
    assert_eq!(json["deadline"]["last_day"], "2026-12-30");
    assert_eq!(json["id"], h.id.to_string());
}

// ---- Properties --------------------------------------------------------------

const ZONES: &[&str] = &[
    "America/Los_Angeles",
    "America/New_York",
    "America/Denver",
    "America/Phoenix",
    "America/Santiago",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "UTC",
];

prop_compose! {
    /// Any instant from 2000 to 2040.
    fn any_instant()(secs in 946_684_800i64..2_240_524_800) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(secs).unwrap()
    }
}

proptest! {
    #[test]
    fn deadlines_follow_the_local_calendar(
        at in any_instant(),
        window in 1u16..=180,
        zone in proptest::sample::select(ZONES),
    ) {
        let zone = tz(zone);
        let d = Deadline::compute(at, window, &zone).unwrap();
        let referred_on = zone.local_date(at);
        prop_assert_eq!(d.last_day - referred_on, Duration::days(i64::from(window)));
        // The deadline is the first instant of the day after the last day…
        prop_assert_eq!(zone.local_date(d.at), d.last_day.next_day().unwrap());
        prop_assert_eq!(zone.local_date(d.at - Duration::nanoseconds(1)), d.last_day);
        // …so the window lasts `window` local days after the referral's day,
        // give or take a DST change (at most an hour, or Lord Howe's half).
        let start = zone.start_of_day(referred_on.next_day().unwrap()).unwrap();
        let length = d.at - start;
        prop_assert!((length - Duration::days(i64::from(window))).abs() <= Duration::hours(1));
        prop_assert!(d.at > at);
        prop_assert!(d.seven_day_reminder < d.two_day_reminder && d.two_day_reminder < d.at);
        prop_assert_eq!(zone.local_date(d.two_day_reminder) + Duration::days(2), d.last_day.next_day().unwrap());
    }

    #[test]
    fn sweeping_twice_changes_nothing_more(
        referrals in proptest::collection::vec((any_instant(), 1u16..=60), 1..12),
        later in proptest::collection::vec(0i64..(90 * 86_400), 1..5),
        zone in proptest::sample::select(ZONES),
    ) {
        let zone = tz(zone);
        let mut holds: Vec<Hold> = referrals
            .iter()
            .enumerate()
            .map(|(i, (at, w))| {
                Hold::open(
                    HoldId::from_uuid(Uuid::from_u128(i as u128)),
                    ReferralId::from_uuid(Uuid::from_u128(1000 + i as u128)),
                    *at,
                    *w,
                    &zone,
                )
                .unwrap()
            })
            .collect();
        let first = referrals.iter().map(|(at, _)| *at).min().unwrap();
        let mut offsets = later.clone();
        offsets.sort_unstable();
        for offset in offsets {
            let as_of = first + Duration::seconds(offset);
            let events = sweep(&holds, as_of);
            for (id, e) in &events {
                let h = holds.iter_mut().find(|h| h.id == *id).unwrap();
                prop_assert!(h.apply(e).is_ok(), "{:?}", e);
            }
            prop_assert!(sweep(&holds, as_of).is_empty(), "second sweep found more");
            for h in &holds {
                prop_assert_eq!(h.state() == HoldState::Lapsed, as_of >= h.deadline.at);
            }
        }
    }

    #[test]
    fn no_event_sequence_breaks_the_state_machine(
        at in any_instant(),
        window in 1u16..=60,
        steps in proptest::collection::vec((0u8..5, -10i64..80, 0u8..3), 0..12),
    ) {
        let zone = seattle();
        let mut h = hold_at(at, window, &zone);
        for (kind, day, which) in steps {
            let when = at + Duration::days(day);
            let event = match kind {
                0 => HoldEvent::Satisfied { at: when },
                1 => HoldEvent::Lapsed { at: when },
                2 => HoldEvent::ReminderDue {
                    reminder: if which == 0 { Reminder::SevenDays } else { Reminder::TwoDays },
                    at: when,
                },
                _ => HoldEvent::Decided(DecisionRecord {
                    decision: ProsecutorDecision::ALL[usize::from(which)],
                    note: String::new(),
                    by: prosecutor(),
                    at: when,
                }),
            };
            let before = h.clone();
            match h.apply(&event) {
                Err(_) => prop_assert_eq!(&h, &before),
                Ok(()) => {
                    let allowed = matches!(
                        (before.state(), h.state()),
                        (HoldState::Pending, HoldState::Pending | HoldState::Satisfied | HoldState::Lapsed)
                            | (HoldState::Lapsed, HoldState::Lapsed)
                    );
                    prop_assert!(allowed, "{:?} -> {:?}", before.state(), h.state());
                }
            }
            // Invariants of every reachable hold.
            prop_assert_eq!(Hold::try_from(h.to_record()), Ok(h.clone()));
            prop_assert_eq!(h.satisfied_at().is_some(), h.state() == HoldState::Satisfied);
            prop_assert_eq!(h.lapsed_at().is_some(), h.state() == HoldState::Lapsed);
            prop_assert!(h.satisfied_at().is_none_or(|s| h.deadline.in_time(s)));
            prop_assert!(h.lapsed_at().is_none_or(|l| l >= h.deadline.at));
            prop_assert!(h.decisions().is_empty() || h.state() == HoldState::Lapsed);
            let finals = h
                .decisions()
                .iter()
                .filter(|d| d.decision != ProsecutorDecision::Deferred)
                .count();
            prop_assert!(finals <= 1);
        }
    }
}
