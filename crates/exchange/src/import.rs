//! Storing a good file's records: each under its natural key (inserted,
//! updated or unchanged), with its provenance, linked as it is stored. The
//! caller holds the transaction: a file's records commit together or not
//! at all.

use crate::link::Linker;
use handoff_domain::site_time::SiteTimeZone;
use handoff_domain::{ParticipantId, SiteId};
use handoff_justice::{ImportedRecord, Kind, Record};
use handoff_store::justice::{self, NewRecord, Provenance, Stored};
use handoff_store::{Conn, StoreError};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = ImportSummary)]
pub struct Summary {
    pub kind: String,
    /// Data rows in the file.
    pub rows: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// New or changed records linked to a person (auto or by a kept decision).
    pub linked: u64,
    /// New or changed records waiting for clerical review.
    pub to_review: u64,
    /// New or changed records linked to no one (re-linkable later).
    pub unlinked: u64,
    /// Alerts raised (bookings and charges of participants).
    pub alerts: u64,
    /// Why linking was limited, if it was.
    pub note: Option<String>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rows of {}: {} inserted, {} updated, {} unchanged; {} linked, {} to review, {} unlinked",
            self.rows,
            self.kind,
            self.inserted,
            self.updated,
            self.unchanged,
            self.linked,
            self.to_review,
            self.unlinked
        )
    }
}

/// A record newly linked to a participant: a booking or a charge the case
/// manager, the OWG and the liaison prosecutor should hear of.
#[derive(Debug, Clone)]
pub struct Alert {
    pub record: Uuid,
    pub participant: ParticipantId,
    pub kind: Kind,
}

/// Stores one file's (or feed batch's) records inside the caller's
/// transaction.
pub struct Importer<'a> {
    pub site: SiteId,
    pub linker: &'a Linker,
    pub zone: SiteTimeZone,
    pub today: Date,
    pub source: String,
    pub imported_by: String,
    pub at: OffsetDateTime,
    pub summary: Summary,
    pub alerts: Vec<Alert>,
}

impl<'a> Importer<'a> {
    pub fn new(
        site: SiteId,
        linker: &'a Linker,
        zone: SiteTimeZone,
        kind: Kind,
        source: &str,
        imported_by: String,
        at: OffsetDateTime,
    ) -> Self {
        let today = zone.local_date(at);
        Importer {
            site,
            linker,
            zone,
            today,
            source: source.to_string(),
            imported_by,
            at,
            summary: Summary {
                kind: kind.as_str().to_string(),
                note: linker.note.clone(),
                ..Summary::default()
            },
            alerts: Vec::new(),
        }
    }

    /// The record's event date (or a roster entry's logged date).
    fn event_on(&self, r: &Record) -> Option<String> {
        match r {
            Record::RosterEntry(e) => Some(handoff_store::referrals::iso(e.logged_at)),
            _ => r
                .evaluation_event(&self.zone, self.today)
                .map(|(d, _)| handoff_store::referrals::iso(d)),
        }
    }

    /// Stores and links one record of a file whose SHA-256 is `sha256`.
    pub async fn store(
        &mut self,
        c: &mut Conn<'_>,
        sha256: &str,
        r: &ImportedRecord,
    ) -> Result<(), StoreError> {
        // Serialising plain data cannot fail.
        let content = serde_json::to_string(&r.record).unwrap_or_default();
        let digest = r.record.content_digest();
        let event_on = self.event_on(&r.record);
        let provenance = Provenance {
            source: self.source.clone(),
            file_sha256: sha256.to_string(),
            line: i64::try_from(r.line).unwrap_or(i64::MAX),
            imported_at: self.at,
            imported_by: self.imported_by.clone(),
        };
        let kind = r.record.kind();
        let stored = justice::upsert(
            c,
            NewRecord {
                site: self.site,
                kind: kind.as_str(),
                natural_key: r.key.as_str(),
                content: &content,
                digest: &digest,
                event_on: event_on.as_deref(),
                provenance: &provenance,
            },
        )
        .await?;
        let (id, before) = match stored {
            Stored::Unchanged(_) => {
                self.summary.unchanged += 1;
                return Ok(());
            }
            Stored::Inserted(id) => {
                self.summary.inserted += 1;
                (id, None)
            }
            Stored::Updated(id) => {
                self.summary.updated += 1;
                (id, Some(justice::get(c, self.site, id).await?.link))
            }
        };
        let decisions = match before {
            Some(_) => justice::decisions(c, self.site, id).await?,
            None => Vec::new(),
        };
        let link = self.linker.link(&r.record, &decisions);
        match link.status {
            s if s.is_linked() => self.summary.linked += 1,
            justice::LinkStatus::Review => self.summary.to_review += 1,
            _ => self.summary.unlinked += 1,
        }
        let fresh = before.is_none() && link == justice::Link::unlinked();
        if !fresh && before.as_ref() != Some(&link) {
            justice::set_link(c, self.site, id, &link, self.at).await?;
        }
        let newly = before
            .as_ref()
            .is_none_or(|b| b.participant != link.participant);
        if let Some(participant) = link.participant
            && newly
            && matches!(kind, Kind::Bookings | Kind::Charges)
        {
            self.alerts.push(Alert {
                record: id,
                participant,
                kind,
            });
        }
        Ok(())
    }
}
