//! The web app over HTTP on the real server (the browser tests drive it in Chromium):
//! `/` and `/app` lead to the app, signing in with a token sets a strict session cookie,
//! unknown tokens and missing CSRF tokens are refused, both languages, and no page or
//! asset names anything on another host.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use harness::Server;

/// An HTTP client that neither follows redirects nor treats 4xx as errors.
fn browser() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

struct Page {
    status: u16,
    content_type: String,
    location: Option<String>,
    set_cookie: Vec<String>,
    body: String,
}

fn get(url: &str, cookie: Option<&str>, lang: &str) -> Page {
    let mut request = browser().get(url).header("Accept-Language", lang);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    page(request.call().expect("GET"))
}

fn post_form(url: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Page {
    let mut request = browser().post(url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    page(request.send_form(fields.iter().copied()).expect("POST"))
}

fn page(mut response: ureq::http::Response<ureq::Body>) -> Page {
    let header = |name: &str| -> Vec<String> {
        response
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    };
    let location = header("location").into_iter().next();
    let content_type = header("content-type")
        .into_iter()
        .next()
        .unwrap_or_default();
    let set_cookie = header("set-cookie");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Page {
        status,
        content_type,
        location,
        set_cookie,
        body,
    }
}

/// Signs in with a token; returns the `Cookie` header value of the session.
fn sign_in(server: &Server, token: &str) -> String {
    let answer = post_form(
        &format!("{}/app/login", server.url),
        None,
        &[("token", token), ("next", "/app/")],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    let cookie = answer
        .set_cookie
        .iter()
        .find(|c| c.starts_with("houniao_session="))
        .expect("a session cookie");
    cookie.split(';').next().expect("pair").to_string()
}

/// Every `src` and `href` value of a page (HTML-escaped `&` read back).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&").replace("&#38;", "&"));
            }
        }
    }
    out
}

/// The example week uploaded with the worked example's roster published (the harness's
/// helper): the instance id and the published roster's id, read from the instances page
/// as a person would find it.
fn published_example(server: &Server, session: &str) -> (String, String) {
    let instance = server.publish_example_roster();
    let list = get(
        &format!("{}/app/instances", server.url),
        Some(session),
        "en",
    );
    assert_eq!(list.status, 200, "{}", list.body);
    let roster = links(&list.body)
        .into_iter()
        .find_map(|link| {
            link.strip_prefix("/app/rosters/")
                .and_then(|rest| rest.strip_suffix("/board"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| {
            panic!(
                "the instances page links the published board: {}",
                list.body
            )
        });
    (instance, roster)
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("end")].to_string()
}

#[test]
fn signing_in_and_out_with_a_strict_session_cookie() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let root = get(&server.url, None, "en");
    assert_eq!(root.location.as_deref(), Some("/app/"));
    let app = get(&format!("{}/app/", server.url), None, "en");
    assert_eq!(app.status, 303);
    assert_eq!(app.location.as_deref(), Some("/app/login?next=/app/"));

    let form = get(&format!("{}/app/login", server.url), None, "zh-CN,zh;q=0.9");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<html lang=\"zh-CN\">"), "{}", form.body);
    assert!(form.body.contains("登录"));
    let english = get(&format!("{}/app/login", server.url), None, "en-GB");
    assert!(english.body.contains("Sign in"));

    let wrong = post_form(
        &format!("{}/app/login", server.url),
        None,
        &[("token", "not-a-token")],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("not known"), "{}", wrong.body);
    assert!(wrong.set_cookie.is_empty());

    let answer = post_form(
        &format!("{}/app/login", server.url),
        None,
        &[
            ("token", "tok-scheduler"),
            ("next", "https://evil.example/"),
        ],
    );
    assert_eq!(answer.status, 303);
    assert_eq!(
        answer.location.as_deref(),
        Some("/app/"),
        "no open redirect"
    );
    let cookie = &answer.set_cookie[0];
    for attribute in ["HttpOnly", "SameSite=Strict", "Max-Age=", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let session = cookie.split(';').next().expect("pair");
    let home = get(&format!("{}/app/", server.url), Some(session), "en");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("scheduler-user"), "{}", home.body);

    // Signing out is a state change: without the form's CSRF token it is refused.
    let refused = post_form(&format!("{}/app/logout", server.url), Some(session), &[]);
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Form expired") || refused.body.contains("表单"));
    let forged = post_form(
        &format!("{}/app/logout", server.url),
        Some(session),
        &[("csrf", "forged")],
    );
    assert_eq!(forged.status, 403);
    let csrf = csrf_of(&home.body);
    let out = post_form(
        &format!("{}/app/logout", server.url),
        Some(session),
        &[("csrf", &csrf)],
    );
    assert_eq!(out.status, 303);
    assert!(out.set_cookie[0].contains("Max-Age=0"));
    let after = get(&format!("{}/app/", server.url), Some(session), "en");
    assert_eq!(after.status, 303, "the session ended");
}

#[test]
fn the_language_switch_is_remembered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let session = sign_in(&server, "tok-viewer");
    let switched = get(
        &format!("{}/app/lang/zh-CN?back=/app/", server.url),
        Some(&session),
        "en",
    );
    assert_eq!(switched.location.as_deref(), Some("/app/"));
    let lang = switched.set_cookie[0]
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    assert_eq!(lang, "lang=zh-CN");
    let home = get(
        &format!("{}/app/", server.url),
        Some(&format!("{session}; {lang}")),
        "en",
    );
    assert!(home.body.contains("<html lang=\"zh-CN\">"));
    assert!(home.body.contains("只读用户"), "the viewer role in Chinese");
}

#[test]
fn no_page_or_asset_names_another_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let session = sign_in(&server, "tok-admin");
    let (instance, roster) = published_example(&server, &session);
    // Pages reached through GET forms (the board's view switch, the desk's instance
    // choice) are where the walk starts too, beside the home page.
    let start = [
        "/app/".to_string(),
        "/app/login".to_string(),
        "/docs".to_string(),
        format!("/app/rosters/{roster}/board?view=site&week=0"),
        format!("/app/rosters/{roster}/board?view=specialist&week=0"),
        format!("/app/desk?instance={instance}"),
        format!("/app/whatif?instance={instance}"),
    ];
    let mut pending = start.to_vec();
    let mut seen: Vec<String> = Vec::new();
    while let Some(path) = pending.pop() {
        if seen.contains(&path) {
            continue;
        }
        seen.push(path.clone());
        let answer = get(&format!("{}{path}", server.url), Some(&session), "en");
        assert!(
            answer.status == 200 || answer.status == 303,
            "{path}: {}",
            answer.status
        );
        for link in links(&answer.body) {
            assert!(
                !link.contains("//") || link.starts_with(&server.url),
                "{path} names another host: {link}"
            );
            let is_page = link.starts_with("/app/") && !link.contains("/lang/");
            if (is_page || link.starts_with("/app/assets/")) && !seen.contains(&link) {
                pending.push(link);
            }
        }
    }
    assert!(
        seen.iter().any(|p| p.contains("swagger-ui-bundle.js")),
        "/docs serves Swagger UI from here: {seen:?}"
    );
    // The walk reached every page of the app: the links lead there.
    for wanted in [
        format!("/app/instances/{instance}"),
        format!("/app/rosters/{roster}/board"),
        format!("/app/rosters/{roster}/print?view=site"),
        format!("/app/rosters/{roster}/print?view=specialist"),
        "/app/desk".to_string(),
        "/app/whatif".to_string(),
    ] {
        assert!(
            seen.contains(&wanted),
            "the walk never reached {wanted}: {seen:#?}"
        );
    }
    // The assets themselves load nothing from elsewhere either.
    for asset in seen.iter().filter(|p| p.starts_with("/app/assets/")) {
        let body = get(&format!("{}{asset}", server.url), None, "en").body;
        for pattern in [
            "fonts.googleapis",
            "fonts.gstatic",
            "unpkg.com",
            "cdn.jsdelivr",
        ] {
            assert!(!body.contains(pattern), "{asset} names {pattern}");
        }
    }
    let missing = get(
        &format!("{}/app/no-such-page", server.url),
        Some(&session),
        "en",
    );
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "a page, not JSON");
}

/// Each page for each role: the roles the API allows (the page's `guard` takes the
/// matching route's `Access`) see it; the others get the 403 page — HTML, not JSON.
#[test]
fn each_page_admits_exactly_the_roles_the_api_admits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let admin = sign_in(&server, "tok-admin");
    let (instance, roster) = published_example(&server, &admin);
    // (page, the roles allowed): Read admits everyone, Book the call centre, Plan the
    // planners; admin is admitted everywhere.
    let everyone: &[&str] = &["admin", "scheduler", "call_centre", "planner", "viewer"];
    let pages: Vec<(String, &[&str])> = vec![
        ("/app/".to_string(), everyone),
        ("/app/instances".to_string(), everyone),
        (format!("/app/instances/{instance}"), everyone),
        (format!("/app/rosters/{roster}/board"), everyone),
        (format!("/app/rosters/{roster}/print"), everyone),
        ("/app/desk".to_string(), &["admin", "call_centre"]),
        ("/app/whatif".to_string(), &["admin", "planner"]),
    ];
    for (role, token) in harness::TOKENS {
        let session = sign_in(&server, token);
        for (path, allowed) in &pages {
            let answer = get(&format!("{}{path}", server.url), Some(&session), "en");
            assert!(
                answer.content_type.starts_with("text/html"),
                "{role} {path}: {} {}",
                answer.content_type,
                answer.body
            );
            assert!(
                answer.body.contains("<html"),
                "{role} {path}: a page, not JSON"
            );
            if allowed.contains(&role) {
                assert_eq!(
                    answer.status, 200,
                    "{role} may open {path}: {}",
                    answer.body
                );
                assert!(!answer.body.contains("Not for your role"), "{role} {path}");
            } else {
                assert_eq!(
                    answer.status, 403,
                    "{role} may not open {path}: {}",
                    answer.body
                );
                assert!(
                    answer.body.contains("Not for your role"),
                    "{role} {path}: the 403 page: {}",
                    answer.body
                );
                assert!(!answer.body.trim_start().starts_with('{'), "{role} {path}");
            }
        }
    }
}
