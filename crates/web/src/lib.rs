//! Handoff's web application: server-rendered pages that work on a phone,
//! and the JSON API under `/api/v1` described by an OpenAPI document.
//!
//! [`Application::build`] is the one way to start it, in `handoff serve` and
//! in the tests (which bind port 0 and use a fresh database each).

pub use handoff_api as api;
pub use handoff_http::{auth, error, security};
pub use handoff_pages as pages;

// The services this crate serves over HTTP, under the names the handlers use.
pub use handoff_exchange as justice;
pub use handoff_governance::{lookup, oversight, owg, shared};
pub use handoff_services::{
    AppState, Config, Inner, accounts, audit, casework, config, disclosure, known, now, research,
    views, workflow,
};

use anyhow::Context;
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware;
use handoff_store::Store;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::compression::{CompressionLayer, predicate::DefaultPredicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The whole router: pages, API, health checks, assets, and the layers every
/// response passes through (request id, tracing, security headers, caller
/// resolution with CSRF enforcement, compression).
pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .merge(pages::router())
        .merge(handoff_pages_supervisor::router())
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(api::openapi_json),
        )
        .route("/healthz", axum::routing::get(api::healthz))
        .route("/readyz", axum::routing::get(api::readyz))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session::resolve,
        ))
        .layer(middleware::from_fn(
            handoff_http::input::refuse_control_characters,
        ))
        .layer(middleware::from_fn(error::json_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The matched route, never the raw URI: paths may carry ids.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|m| m.as_str().to_string())
                .unwrap_or_else(|| "unmatched".into());
            let request_id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            tracing::info_span!("request", method = %req.method(), route, request_id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        // gzip or brotli when the client asks (Accept-Encoding). The default
        // predicate leaves alone what must not be buffered or gains
        // nothing: server-sent events (the live lists), gRPC, images and
        // bodies under 32 bytes.
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new()))
        .with_state(state)
}

/// A built application, bound and ready to serve.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the database, runs migrations, seeds the demo site in demo
    /// mode, and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| {
                format!(
                    "connect to {}",
                    handoff_store::db::redact_url(&config.database_url)
                )
            })?;
        store.migrate().await.context("run database migrations")?;
        if config.demo {
            handoff_seed::demo(&store)
                .await
                .context("seed the demo site")?;
        }
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("bind {}", config.bind))?;
        Ok(Self {
            listener,
            state: AppState::new(store, config),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let sweeper = tokio::spawn(session_sweeper(state.clone()));
        let scheduler = tokio::spawn(workflow::sweep::scheduler(state.clone()));
        let rollups = tokio::spawn(handoff_network::rollup::scheduler(state.store.clone()));
        let app = router(state.clone());
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        sweeper.abort();
        scheduler.abort();
        rollups.abort();
        // Commit the audit entries still queued before the pool closes.
        state.audit.shutdown().await;
        state.store.close().await;
        Ok(())
    }
}

/// Deletes expired sessions every ten minutes.
async fn session_sweeper(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let t = now();
        let cutoff = t - state.config.idle_timeout;
        if let Err(e) =
            handoff_store::sessions::purge_expired(&mut state.store.conn(), cutoff, t).await
        {
            tracing::warn!(error = %error::error_chain(&e), "session sweep failed");
        }
    }
}

/// The demo site's people and evidence: the participants and their
/// casework (`handoff_seed::data`), then the comparison cohort, schedule
/// and costs (`handoff_seed::evidence`), whose justice files are loaded
/// through the real import and linking path. Idempotent.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<handoff_seed::data::Report> {
    let added = handoff_seed::data::populate(&state.store).await?;
    let files = handoff_seed::evidence::populate(&state.store).await?;
    if !files.is_empty() {
        let site = handoff_store::orgs::find_site_by_slug(
            &mut state.store.conn(),
            handoff_seed::DEMO_SITE_SLUG,
        )
        .await?
        .context("the demo site")?;
        for (kind, csv) in files {
            handoff_exchange::import_history(
                state,
                site.id,
                kind,
                csv.as_bytes(),
                &format!("demo:{}", kind.as_str()),
            )
            .await?;
        }
    }
    // Court dates, OWG meetings and coordination threads, after the
    // imports so the agendas list the bookings linked through them.
    handoff_seed::coordination::populate(&state.store).await?;
    Ok(added)
}
