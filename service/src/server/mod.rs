//! `houniao serve`: the HTTP service (axum on tokio) over the library and an embedded
//! SQLite database. Schedulers upload instances, solve and publish; call-centre agents
//! search, book and cancel against the published roster; everyone reads.
//!
//! [`app`] builds the router from shared state (tests drive it over real sockets);
//! [`run`] reads the configuration, opens the database, loads the current
//! publications, makes sure a token exists, and serves until SIGTERM or ctrl-c, letting
//! requests in flight finish.

pub(crate) mod api;
pub(crate) mod auth;
mod config;
pub(crate) mod error;
mod metrics;
pub(crate) mod state;
pub(crate) mod store;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use self::auth::{Role, Tokens};
use self::config::Config;
use self::error::ApiError;
use self::state::{AppState, Published};
use self::store::Store;

/// The arguments of `houniao serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The configuration file (TOML): listen address, database, limits, tokens.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// The SQLite database file (default ./houniao.db).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// How long an offer of a freed place to a waitlisted request holds the place, in
    /// minutes (default 120; the config's `offer_hold_minutes`).
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(1..))]
    pub offer_hold_minutes: Option<u32>,
}

/// How often the service expires the offers whose time has come and passes their
/// places on (every change of a ledger does too).
pub const OFFER_TICK: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs the service until SIGTERM or ctrl-c.
pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => Config::from_path(path)?,
        None => Config::default(),
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(db) = &args.db {
        config.db = db.clone();
    }
    if let Some(minutes) = args.offer_hold_minutes {
        config.offer_hold_minutes = minutes;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "houniao=info,houniao_service=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let store = Arc::new(Store::open(&config.db)?);
    let tokens = tokens(&config, &store)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let address = listener.local_addr()?;
    let state = Arc::new(AppState {
        ledger_writer: store::LedgerWriter::start(store.clone()),
        store,
        tokens,
        solve_slots: Arc::new(tokio::sync::Semaphore::new(
            config.solver.max_concurrent.max(1),
        )),
        config,
        metrics: metrics::Metrics::new(),
        instances: Mutex::new(BTreeMap::new()),
        published: RwLock::new(BTreeMap::new()),
        jobs: Mutex::new(BTreeMap::new()),
        whatif_jobs: Default::default(),
        pin_writes: Mutex::new(()),
        sessions: crate::web::session::Sessions::default(),
    });
    load_publications(&state)?;
    tokio::spawn(offer_ticker(state.clone()));
    tracing::info!(
        "houniao listening on http://{address} (database {})",
        state.config.db.display()
    );
    // Scripts and tests read the address from this line.
    println!("listening on http://{address}");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("houniao stopped");
    Ok(())
}

/// Every [`OFFER_TICK`], expires each publication's offers whose time has come and
/// passes their places on (written and audited like any ledger change).
async fn offer_ticker(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(OFFER_TICK);
    loop {
        tick.tick().await;
        let ids: Vec<String> = state
            .published
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .cloned()
            .collect();
        for id in ids {
            if let Err(error) = api::booking::settle_offers(&state, id.clone()).await {
                tracing::warn!("settling the offers of {id} failed: {}", error.detail);
            }
        }
    }
}

/// The tokens from the config and the database; with none at all, an admin token is
/// made, printed once, and only its hash stored.
fn tokens(config: &Config, store: &Store) -> anyhow::Result<Tokens> {
    let mut tokens = Tokens::default();
    for token in &config.tokens {
        let hash = match (&token.sha256, &token.token) {
            (Some(hash), _) => hash.clone(),
            (None, Some(clear)) => auth::hash(clear),
            (None, None) => unreachable!("the config reader demands one"),
        };
        tokens.insert(&hash, &token.name, token.role);
    }
    for (name, role, hash) in store.tokens()? {
        let role = Role::parse(&role)
            .ok_or_else(|| anyhow::anyhow!("token {name}: unknown role {role} in the database"))?;
        tokens.insert(&hash, &name, role);
    }
    if tokens.is_empty() {
        let token = auth::generate();
        let hash = auth::hash(&token);
        store.add_token("admin", Role::Admin.name(), &hash)?;
        tokens.insert(&hash, "admin", Role::Admin);
        eprintln!(
            "no API token was configured: created the admin token below. It is shown only \
             now (the database keeps its hash); use it as `Authorization: Bearer TOKEN`.\n\n    {token}\n"
        );
    }
    Ok(tokens)
}

/// Opens the booking book of every instance's current publication.
fn load_publications(state: &Arc<AppState>) -> anyhow::Result<()> {
    for publication in state.store.current_publications()? {
        let loaded = (|| -> Result<Published, ApiError> {
            let (_, text) = state
                .store
                .roster(&publication.roster_id)?
                .ok_or_else(|| ApiError::not_found("roster", &publication.roster_id))?;
            let roster = houniao::Roster::from_json_str(&text).map_err(ApiError::internal)?;
            let book = state.reopen_book(&publication.instance_id, &roster)?;
            Ok(Published {
                version: publication.version,
                roster_id: publication.roster_id.clone(),
                book,
                failed: Default::default(),
            })
        })();
        match loaded {
            Ok(published) => {
                state
                    .published
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(
                        publication.instance_id.clone(),
                        Arc::new(RwLock::new(published)),
                    );
            }
            Err(error) => anyhow::bail!(
                "cannot load publication {} of {}: {}",
                publication.version,
                publication.instance_id,
                error.detail
            ),
        }
    }
    Ok(())
}

/// The router: the documented API, `/openapi.json`, the web app (`/app/`, `/docs`),
/// a JSON 404, the body limit, and per-request logging and metrics.
pub fn app(state: Arc<AppState>) -> Router {
    let (router, openapi) = api::document(api::router());
    let document = api::openapi::served(&openapi, &state.config.solver);
    let document =
        Arc::new(serde_json::to_string_pretty(&document).expect("the OpenAPI document serialises"));
    router
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        (*document).clone(),
                    )
                }
            }),
        )
        .merge(crate::web::router())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .route_layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(json_errors))
        .with_state(state)
}

/// One log line and the metrics per request (the route template, never the concrete
/// path or query, so patient references stay out of logs); error responses that are
/// not JSON yet (body limit, bad JSON, wrong method) become `{error, detail}`.
async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = as_json_error(next.run(request).await).await;
    let status = response.status();
    let seconds = started.elapsed().as_secs_f64();
    state
        .metrics
        .requests
        .with_label_values(&[method.as_str(), &route, status.as_str()])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[&route])
        .observe(seconds);
    tracing::info!(
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms = format!("{:.2}", seconds * 1000.0),
        "request"
    );
    response
}

/// Outside the routes too (unknown routes, wrong methods), errors are JSON.
async fn json_errors(request: Request, next: Next) -> Response {
    as_json_error(next.run(request).await).await
}

async fn as_json_error(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // Web pages (403, 404 and refusals of forms) are pages, not API errors.
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&body).trim().to_string();
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        _ => "error",
    };
    let detail = if detail.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        detail
    };
    ApiError::new(status, error, detail).into_response()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
