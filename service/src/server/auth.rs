//! Bearer tokens and roles. Each route names the roles it admits; a missing or unknown
//! token is 401, a known token of the wrong role 403. Only SHA-256 hashes of tokens are
//! kept (from the config, or in the database for the admin token made on first start).

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::error::ApiError;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Instances, solves, publishing.
    Scheduler,
    /// Search, book, cancel, waitlist, convene.
    CallCentre,
    /// Reading, scenarios.
    Planner,
    /// Reading.
    Viewer,
}

impl Role {
    /// The config spelling.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Scheduler => "scheduler",
            Role::CallCentre => "call_centre",
            Role::Planner => "planner",
            Role::Viewer => "viewer",
        }
    }

    /// Parses the config spelling.
    pub fn parse(text: &str) -> Option<Role> {
        [
            Role::Admin,
            Role::Scheduler,
            Role::CallCentre,
            Role::Planner,
            Role::Viewer,
        ]
        .into_iter()
        .find(|role| role.name() == text)
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Every role (reading).
    Read,
    /// Schedulers.
    Schedule,
    /// Call-centre agents.
    Book,
    /// Planners (what-if scenarios).
    Plan,
    /// Schedulers and call-centre agents: what names patients (exports, comparisons).
    Patients,
    /// Administrators only.
    Admin,
}

impl Access {
    /// Whether a caller of `role` may do this.
    pub fn admits(self, role: Role) -> bool {
        match (self, role) {
            (_, Role::Admin) | (Access::Read, _) => true,
            (Access::Schedule, Role::Scheduler) => true,
            (Access::Book, Role::CallCentre) => true,
            (Access::Plan, Role::Planner) => true,
            (Access::Patients, Role::Scheduler | Role::CallCentre) => true,
            (Access::Admin, _) => false,
            _ => false,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Access::Read => "reading",
            Access::Schedule => "the scheduler role",
            Access::Book => "the call_centre role",
            Access::Plan => "the planner role",
            Access::Patients => "the scheduler or call_centre role",
            Access::Admin => "the admin role",
        }
    }
}

/// The caller, once authenticated.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's name.
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// Known tokens by hash.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    by_hash: BTreeMap<String, Caller>,
}

/// The SHA-256 of a token, hex.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Tokens {
    /// Adds a token by its hash.
    pub fn insert(&mut self, sha256: &str, name: &str, role: Role) {
        self.by_hash.insert(
            sha256.to_ascii_lowercase(),
            Caller {
                name: name.to_string(),
                role,
            },
        );
    }

    /// The caller a token stands for, if it is known.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        self.by_hash.get(&hash(token.trim())).cloned()
    }

    /// Whether no token is known.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// The caller of a request, if its bearer token admits it to `access`.
    pub fn authorise(&self, headers: &HeaderMap, access: Access) -> Result<Caller, ApiError> {
        let token = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthorised("a bearer token is required (Authorization: Bearer TOKEN)")
            })?;
        let caller = self
            .by_hash
            .get(&hash(token))
            .ok_or_else(|| ApiError::unauthorised("unknown token"))?;
        if access.admits(caller.role) {
            Ok(caller.clone())
        } else {
            Err(ApiError::forbidden(format!(
                "token \"{}\" has the {} role; this needs {}",
                caller.name,
                caller.role.name(),
                access.what()
            )))
        }
    }
}

/// A new random token: 32 bytes, hex.
pub fn generate() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
