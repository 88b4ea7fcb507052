//! `houniao.toml`: where the service listens, where it stores, how long solves may run,
//! how large a request may be, how long a waitlist offer holds its place, and who may
//! call it (bearer tokens with roles).
//! Command-line flags override the file; without either, sensible defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::auth::Role;

/// The service's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The SQLite database file.
    pub db: PathBuf,
    /// Largest request body, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Solve limits.
    pub solver: SolverLimits,
    /// API tokens.
    pub tokens: Vec<TokenConfig>,
    /// How long an offer of a freed place to a waitlisted request holds the place, in
    /// minutes (docs/booking.md § Offers).
    pub offer_hold_minutes: u32,
}

/// Limits on solve jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SolverLimits {
    /// Solves running at once (others wait their turn).
    pub max_concurrent: usize,
    /// Default wall-clock seconds of a solve.
    pub default_time_limit: f64,
    /// The most seconds a caller may ask for.
    pub max_time_limit: f64,
    /// HiGHS threads per solve (0: HiGHS's default).
    pub threads: u32,
}

/// One API token: its name, role, and the token itself or its SHA-256 (hex).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Who holds it (shown in the audit log).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The SHA-256 of the token, hex (preferred: the file then holds no secret).
    pub sha256: Option<String>,
    /// The token in clear (for tests and local use).
    pub token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".parse().expect("constant address"),
            db: PathBuf::from("houniao.db"),
            max_body_bytes: 2 * 1024 * 1024,
            solver: SolverLimits::default(),
            tokens: Vec::new(),
            offer_hold_minutes: houniao::booking::DEFAULT_OFFER_HOLD_MINUTES,
        }
    }
}

impl Default for SolverLimits {
    fn default() -> Self {
        SolverLimits {
            max_concurrent: 1,
            default_time_limit: 60.0,
            max_time_limit: 600.0,
            threads: 0,
        }
    }
}

impl Config {
    /// Reads a config file; every unknown key is an error (a misspelt limit would
    /// otherwise be silently ignored).
    pub fn from_path(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let config: Config =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        for (i, token) in config.tokens.iter().enumerate() {
            if token.sha256.is_some() == token.token.is_some() {
                anyhow::bail!(
                    "{}: tokens[{i}] ({}): give exactly one of `sha256` and `token`",
                    path.display(),
                    token.name
                );
            }
        }
        Ok(config)
    }
}
