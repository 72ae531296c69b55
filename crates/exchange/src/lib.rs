//! Justice and outcome data in Handoff (DESIGN.md §5): all-or-nothing
//! imports of other agencies' records (`POST /api/v1/imports/{kind}`,
//! `handoff import`), the jail feed (`POST /api/v1/feeds/bookings`) with its
//! alerts, linking to the persons a site knows with clerical review, and
//! the evaluation and HMIS exports. The pure parsing and writing lives in
//! `handoff-justice`; linking in `handoff-linkage`; this module puts them
//! together with the store, the event bus and the disclosure guard.

pub mod alerts;
pub mod export;
pub mod import;
pub mod link;
pub mod review;

use handoff_audit::Outcome;
use handoff_domain::SiteId;
use handoff_domain::integration::TokenAction;
use handoff_domain::rules::Action;
use handoff_justice::{ImportReport, ImportedRecord, Kind, Mapping};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::{Auth, Caller};
use handoff_services::error::{AppError, AppResult};
use handoff_services::research::{self, Exporter};
use handoff_services::{AppState, now};
use import::{Importer, Summary};
use link::Linker;
use std::sync::{Arc, LazyLock, Mutex};

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum Refused {
    /// Bad rows: the row-level report.
    Rejected(ImportReport),
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for Refused {
    fn from(e: E) -> Self {
        Refused::Other(e.into())
    }
}

/// A site and its time zone: what imports and alerts need (they work on
/// sites that have no eligibility policy yet, unlike `SiteCtx`).
pub struct SiteZone {
    pub site: handoff_store::orgs::Site,
    pub tz: handoff_domain::site_time::SiteTimeZone,
}

impl SiteZone {
    pub async fn load(state: &AppState, site: SiteId) -> AppResult<SiteZone> {
        let site = handoff_store::orgs::get_site(&mut state.store.conn(), site).await?;
        let tz = handoff_domain::site_time::SiteTimeZone::parse(&site.time_zone)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("site time zone: {e}")))?;
        Ok(SiteZone { site, tz })
    }
}

type Fingerprint = (i64, i64, i64, i64);
type Cache = handoff_linkage::search::Recent<SiteId, (Fingerprint, Arc<Linker>)>;

/// Sites whose linker is kept (the most recently used).
const LINKER_SITES: usize = 16;

/// Each site's linker, kept until its persons, roster or model change
/// (building the index for a large site takes a while; a booking alert
/// must not wait for it), for the [`LINKER_SITES`] most recently used
/// sites. Keyed by site id, which is globally unique.
static LINKERS: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(Cache::new(LINKER_SITES)));

/// The site's linker, from the cache when nothing it depends on changed.
pub async fn linker(state: &AppState, site: SiteId) -> AppResult<Arc<Linker>> {
    let mut c = state.store.conn();
    let fp = handoff_store::justice::linker_fingerprint(&mut c, site).await?;
    if let Some((f, l)) = LINKERS.lock().ok().and_then(|mut m| m.get(&site))
        && f == fp
    {
        return Ok(l);
    }
    let l = Arc::new(Linker::load(&mut c, site).await?);
    if let Ok(mut m) = LINKERS.lock() {
        m.insert(site, (fp, l.clone()));
    }
    Ok(l)
}

/// Imports and feeds over HTTP: a site admin's session that passed a
/// second factor, or an API token whose scopes allow the action (the
/// domain's table). Everyone else — officers, case managers, their sessions,
/// any token without the scope — is refused, and the refusal is audited.
async fn authorize(
    state: &AppState,
    caller: &Caller,
    actx: &Ctx,
    action: TokenAction,
) -> AppResult<()> {
    let allowed = match caller {
        Caller::Person(a) => {
            a.passed_second_factor()
                && handoff_services::workflow::may_now(state, a, Action::ImportJusticeData).await?
        }
        Caller::Integration(i) => i.token.scopes.allows(action),
    };
    if allowed {
        return Ok(());
    }
    let mut e = audit::event_for_caller(caller, "justice.import", Outcome::Denied, actx);
    e.subject_ref = Some(format!("action:{}", action.as_str()));
    audit::record(state, e).await?;
    Err(AppError::Forbidden(match caller {
        Caller::Person(_) => {
            "imports and feeds are for an integration token with the scope, or a site admin with a second factor"
        }
        Caller::Integration(_) => "this token's scopes do not allow this",
    }))
}

/// A parsed file or feed body, every record good.
struct Batch<'a> {
    kind: Kind,
    source: &'a str,
    sha256: &'a str,
    rows: u64,
    records: &'a [ImportedRecord],
}

/// Stores a whole parsed batch in one transaction, then raises its alerts.
async fn store_batch(
    state: &AppState,
    caller: &Caller,
    actx: &Ctx,
    Batch {
        kind,
        source,
        sha256,
        rows,
        records,
    }: Batch<'_>,
) -> AppResult<Summary> {
    let site = caller.site_id();
    let ctx = SiteZone::load(state, site).await?;
    let linker = linker(state, site).await?;
    let at = now();
    let mut importer = Importer::new(
        site,
        &linker,
        ctx.tz.clone(),
        kind,
        source,
        caller.provenance(),
        at,
    );
    importer.summary.rows = rows;
    importer.summary.sha256 = sha256.to_string();
    let mut tx = state.store.begin().await?;
    for r in records {
        importer.store(&mut tx.conn(), sha256, r).await?;
    }
    let mut e = audit::event_for_caller(caller, "justice.import", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("import:{}:{sha256}", kind.as_str()));
    e.categories = vec![handoff_domain::DataCategory::Justice];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    let alerts = std::mem::take(&mut importer.alerts);
    let mut summary = importer.summary;
    summary.alerts = alerts::raise(state, &ctx, &alerts, caller.by(), at).await?;
    Ok(summary)
}

/// `POST /api/v1/imports/{kind}`: a CSV file under the kind's default
/// mapping, all or nothing.
pub async fn import_csv(
    state: &AppState,
    caller: &Caller,
    actx: &Ctx,
    kind: Kind,
    body: &[u8],
) -> Result<Summary, Refused> {
    authorize(state, caller, actx, TokenAction::RunImport).await?;
    let batch = match handoff_justice::import(kind, body, &Mapping::default_for(kind)) {
        Ok(b) => b,
        Err(handoff_justice::ImportError::Rejected(report)) => {
            return Err(Refused::Rejected(report));
        }
        Err(e) => return Err(Refused::Other(AppError::field("body", e.to_string()))),
    };
    let source = format!("api:{}", kind.as_str());
    let batch = Batch {
        kind,
        source: &source,
        sha256: &batch.provenance.sha256,
        rows: batch.provenance.rows,
        records: &batch.records,
    };
    Ok(store_batch(state, caller, actx, batch).await?)
}

/// `POST /api/v1/feeds/bookings`: one booking or a batch (JSON).
pub async fn feed_bookings(
    state: &AppState,
    caller: &Caller,
    actx: &Ctx,
    body: &[u8],
) -> Result<Summary, Refused> {
    authorize(state, caller, actx, TokenAction::PostBookingsFeed).await?;
    let mapping = Mapping::default_for(Kind::Bookings);
    let bookings =
        handoff_justice::parse_bookings_json(body, &mapping).map_err(Refused::Rejected)?;
    let sha256 = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(body))
    };
    let records: Vec<ImportedRecord> = bookings
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let record = handoff_justice::Record::Booking(b);
            ImportedRecord {
                line: i as u64 + 1,
                key: record.natural_key(),
                record,
            }
        })
        .collect();
    let rows = records.len() as u64;
    let batch = Batch {
        kind: Kind::Bookings,
        source: "feed:bookings",
        sha256: &sha256,
        rows,
        records: &records,
    };
    Ok(store_batch(state, caller, actx, batch).await?)
}

/// The evaluation dataset for `exporter`, from the API or the command
/// line: the one gate (`research::authorize_export`: the exporter may take
/// it and the site allows research use; refusals audited), the dataset with
/// per-export pseudonyms under a fresh key, its schema check, and the audit
/// entry of the export.
pub async fn evaluation_dataset(
    state: &AppState,
    exporter: Exporter<'_>,
    actx: &Ctx,
    from: Option<time::Date>,
    to: Option<time::Date>,
) -> AppResult<handoff_justice::evaluation::EvaluationDataset> {
    let ctx = research::authorize_export(state, exporter, actx).await?;
    let today = ctx.tz.local_date(now());
    let (data, exported) =
        export::evaluation(state, ctx.site.id, from, to, today, &export::fresh_key()).await?;
    if let Err(problems) = data.check() {
        return Err(AppError::Internal(anyhow::anyhow!(
            "evaluation export breaks the schema: {}",
            problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        )));
    }
    let mut e = exporter.event("export.evaluation", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("export:evaluation:{}", data.participants.len()));
    e.participants = exported;
    e.categories = vec![
        handoff_domain::DataCategory::Demographics,
        handoff_domain::DataCategory::Justice,
    ];
    audit::record(state, e).await?;
    Ok(data)
}

/// The evaluation dataset through the API (`evaluation_dataset` for the
/// signed-in person). Files by name.
pub async fn evaluation_files(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    from: Option<time::Date>,
    to: Option<time::Date>,
) -> AppResult<std::collections::BTreeMap<String, String>> {
    let data = evaluation_dataset(state, Exporter::Person(auth), actx, from, to).await?;
    let mut files = std::collections::BTreeMap::new();
    for name in handoff_justice::evaluation::FILES {
        let mut buf = Vec::new();
        data.write_file(name, &mut buf)
            .map_err(|e| AppError::Internal(e.into()))?;
        files.insert(name.to_string(), String::from_utf8_lossy(&buf).into_owned());
    }
    Ok(files)
}

/// Loads a CSV file of historical records for a site through the import
/// and linking path (all or nothing, idempotent by natural key,
/// provenance kept), audited as a system import. Booking alerts are not
/// raised: they are for records that arrive as they happen (the feed and
/// the API's imports). The demo site's justice records come this way.
pub async fn import_history(
    state: &AppState,
    site: SiteId,
    kind: Kind,
    body: &[u8],
    source: &str,
) -> AppResult<Summary> {
    let batch = handoff_justice::import(kind, body, &Mapping::default_for(kind))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{source}: {e}")))?;
    let zone = SiteZone::load(state, site).await?;
    let linker = linker(state, site).await?;
    let at = now();
    let mut importer = Importer::new(
        site,
        &linker,
        zone.tz.clone(),
        kind,
        source,
        source.to_string(),
        at,
    );
    importer.summary.rows = batch.provenance.rows;
    importer.summary.sha256 = batch.provenance.sha256.clone();
    let mut tx = state.store.begin().await?;
    for r in &batch.records {
        importer
            .store(&mut tx.conn(), &batch.provenance.sha256, r)
            .await?;
    }
    let mut e = audit::event_by(
        site,
        audit::By::System,
        "justice.import",
        Outcome::Allowed,
        &Ctx::default(),
    );
    e.subject_ref = Some(format!(
        "import:{}:{}",
        kind.as_str(),
        batch.provenance.sha256
    ));
    e.categories = vec![handoff_domain::DataCategory::Justice];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(importer.summary)
}
