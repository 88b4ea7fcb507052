//! Signing in to the web app: a form takes one of the API's tokens, and a session
//! cookie (HttpOnly, SameSite=Strict, Secure behind TLS, expiring) stands for it from
//! then on. Every state-changing form and htmx call carries the session's CSRF token
//! (a hidden `csrf` field or the `X-CSRF-Token` header), checked in constant time.
//!
//! Sessions live in memory: a restart signs everyone out, which loses nothing but a
//! sign-in. The token itself is never stored, only the caller it names.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};

use crate::server::auth::{Access, Caller};

/// The session cookie's name.
pub const COOKIE: &str = "houniao_session";

/// How long a session lasts without use.
pub const LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// One signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who signed in (the token's name and role).
    pub caller: Caller,
    /// The CSRF token of every form and htmx call of this session.
    pub csrf: String,
    expires: Instant,
}

impl Session {
    /// Whether the session's role may do what `access` needs (the API's rules).
    pub fn admits(&self, access: Access) -> bool {
        access.admits(self.caller.role)
    }

    /// Whether a request carries this session's CSRF token.
    pub fn csrf_ok(&self, given: Option<&str>) -> bool {
        given.is_some_and(|given| constant_time_eq(given.as_bytes(), self.csrf.as_bytes()))
    }
}

/// The signed-in sessions by id.
#[derive(Debug, Default)]
pub struct Sessions {
    by_id: Mutex<BTreeMap<String, Session>>,
}

fn random_hex() -> String {
    crate::server::auth::generate()
}

impl Sessions {
    /// Starts a session for a caller; returns its id.
    pub fn start(&self, caller: Caller) -> (String, Session) {
        let id = random_hex();
        let session = Session {
            caller,
            csrf: random_hex(),
            expires: Instant::now() + LIFETIME,
        };
        let mut sessions = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session of a request's cookie, its lifetime renewed.
    pub fn of(&self, headers: &HeaderMap) -> Option<Session> {
        let id = cookie(headers, COOKIE)?;
        let mut sessions = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match sessions.get_mut(&id) {
            Some(session) if session.expires > now => {
                session.expires = now + LIFETIME;
                Some(session.clone())
            }
            Some(_) => {
                sessions.remove(&id);
                None
            }
            None => None,
        }
    }

    /// Ends the session of a request's cookie.
    pub fn end(&self, headers: &HeaderMap) {
        if let Some(id) = cookie(headers, COOKIE) {
            self.by_id
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        }
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// Whether the request reached us over TLS (a proxy in front says so).
fn behind_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that stores a session id (or, with `None`, removes it).
pub fn session_cookie(id: Option<&str>, request: &HeaderMap) -> HeaderValue {
    let secure = if behind_tls(request) { "; Secure" } else { "" };
    let text = match id {
        Some(id) => format!(
            "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            LIFETIME.as_secs()
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::auth::Role;

    fn caller() -> Caller {
        Caller {
            name: "desk-1".into(),
            role: Role::CallCentre,
        }
    }

    #[test]
    fn a_session_is_found_by_its_cookie_and_ends() {
        let sessions = Sessions::default();
        let (id, session) = sessions.start(caller());
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("lang=en; {COOKIE}={id}")).unwrap(),
        );
        let found = sessions.of(&headers).expect("found");
        assert_eq!(found.csrf, session.csrf);
        assert!(found.admits(Access::Book) && !found.admits(Access::Schedule));
        assert!(found.csrf_ok(Some(&session.csrf)) && !found.csrf_ok(Some("nope")));
        assert!(!found.csrf_ok(None));
        sessions.end(&headers);
        assert!(sessions.of(&headers).is_none());
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_behind_tls() {
        let mut request = HeaderMap::new();
        let plain = session_cookie(Some("abc"), &request);
        let plain = plain.to_str().unwrap();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(plain.contains("Max-Age=28800") && !plain.contains("Secure"));
        request.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(
            session_cookie(Some("abc"), &request)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }
}
