//! The instance and solve pages over HTTP on the real server: a scheduler uploads an
//! instance through the form and lands on its page, a broken file is shown with every
//! error by its field path, a viewer reads but can neither upload nor solve, the solve
//! form wants its CSRF token, a solve started from the page streams its progress until
//! the roster (which passes `check`), and Cancel stops a long solve keeping a roster.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use common::{houniao, root, text};
use harness::Server;
use serde_json::Value;

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
    location: Option<String>,
    set_cookie: Vec<String>,
    content_type: String,
    body: String,
}

fn get(url: &str, cookie: &str, lang: &str) -> Page {
    let request = browser()
        .get(url)
        .header("Accept-Language", lang)
        .header("Cookie", cookie);
    page(request.call().expect("GET"))
}

fn post_form(url: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Page {
    let mut request = browser().post(url).header("Accept-Language", "en");
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
    let set_cookie = header("set-cookie");
    let content_type = header("content-type")
        .into_iter()
        .next()
        .unwrap_or_default();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Page {
        status,
        location,
        set_cookie,
        content_type,
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

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("end")].to_string()
}

fn example() -> String {
    std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example")
}

/// Uploads a file through the API as the scheduler: its id.
fn upload_by_api(server: &Server, file: &str) -> String {
    let text = std::fs::read_to_string(root().join(file)).expect("instance");
    let (status, body) = server.upload("tok-scheduler", &text);
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_string()
}

/// Reads a job's event stream until its `done` event: (progress events seen, the
/// `done` event's data).
fn until_done(server: &Server, cookie: &str, job_path: &str) -> (usize, Value) {
    let response = browser()
        .get(&format!("{}{job_path}/events", server.url))
        .header("Cookie", cookie)
        .call()
        .expect("events");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let reader = BufReader::new(response.into_body().into_reader());
    let mut event = String::new();
    let mut progress = 0;
    for line in reader.lines() {
        let line = line.expect("a line of the stream");
        if let Some(name) = line.strip_prefix("event: ") {
            event = name.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            let value: Value = serde_json::from_str(data).expect("json data");
            match event.as_str() {
                "progress" => {
                    assert!(value["elapsed_seconds"].as_f64().is_some(), "{value}");
                    for field in ["incumbent", "bound", "gap", "neighbourhoods"] {
                        assert!(value.get(field).is_some(), "{field} in {value}");
                    }
                    progress += 1;
                }
                "done" => return (progress, value),
                other => panic!("unexpected event {other}: {value}"),
            }
        }
    }
    panic!("the stream ended without a done event");
}

#[test]
fn a_scheduler_uploads_an_instance_through_the_form_and_lands_on_its_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let session = sign_in(&server, "tok-scheduler");
    let home = get(&format!("{}/app/", server.url), &session, "en");
    assert!(
        home.body.contains("href=\"/app/instances\""),
        "the nav: {}",
        home.body
    );
    let list = get(&format!("{}/app/instances", server.url), &session, "en");
    assert_eq!(list.status, 200);
    assert!(list.body.contains("No instance is stored yet."));
    assert!(list.body.contains("name=\"text\""), "the upload form");
    assert!(list.body.contains("instances.js"));
    let csrf = csrf_of(&list.body);

    let stored = post_form(
        &format!("{}/app/instances", server.url),
        Some(&session),
        &[("csrf", &csrf), ("text", &example())],
    );
    assert_eq!(stored.status, 303, "{}", stored.body);
    assert_eq!(
        stored.location.as_deref(),
        Some("/app/instances/example-week")
    );
    let page = get(
        &format!("{}/app/instances/example-week", server.url),
        &session,
        "en",
    );
    assert_eq!(page.status, 200, "{}", page.body);
    for expected in [
        "example-week",
        "scheduler-user",
        "Mon 2 Mar – Sun 8 Mar",
        "Hospitals 1 · Community centres 1",
        "Named-doctor studios",
        "No roster of this instance is published yet.",
        "action=\"/app/instances/example-week/solve\"",
        "name=\"time_limit\"",
        "value=\"10\"",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    let chinese = get(
        &format!("{}/app/instances/example-week", server.url),
        &session,
        "zh-CN,zh;q=0.9",
    );
    for expected in [
        "<html lang=\"zh-CN\">",
        "2026年3月2日 周一",
        "开始排班",
        "排班数据",
    ] {
        assert!(chinese.body.contains(expected), "{expected}");
    }
    let list = get(&format!("{}/app/instances", server.url), &session, "en");
    assert!(list.body.contains("href=\"/app/instances/example-week\""));
    assert!(list.body.contains("not published"));

    // The same file again is stored under the next free id.
    let again = post_form(
        &format!("{}/app/instances", server.url),
        Some(&session),
        &[("csrf", &csrf), ("text", &example())],
    );
    assert_eq!(
        again.location.as_deref(),
        Some("/app/instances/example-week-2")
    );
    let (status, listed) = server.call("GET", "/instances", Some("tok-viewer"), None);
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
}

#[test]
fn a_broken_upload_shows_every_error_by_its_field_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let session = sign_in(&server, "tok-scheduler");
    let list = get(&format!("{}/app/instances", server.url), &session, "en");
    let csrf = csrf_of(&list.body);
    let broken = example()
        .replace(
            "sites = [\"ningde\", \"jiaocheng\"]",
            "sites = [\"ningde\", \"jiaochen\"]",
        )
        .replace(
            "id = \"c-onc\"\nsite = \"ningde\"",
            "id = \"c-onc\"\nsite = \"ningdee\"",
        );
    let refused = post_form(
        &format!("{}/app/instances", server.url),
        Some(&session),
        &[("csrf", &csrf), ("text", &broken)],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused.content_type.starts_with("text/html"),
        "a page, not JSON: {}",
        refused.content_type
    );
    for expected in [
        "The instance was not stored:",
        "<code>specialists[2].sites[1]</code>",
        "<code>rooms[0].site</code>",
        "jiaochen",
        "name=\"text\"",
    ] {
        assert!(
            refused.body.contains(expected),
            "{expected}: {}",
            refused.body
        );
    }
    // The text sent is there again to be corrected (escaped).
    assert!(
        refused
            .body
            .contains("sites = [&#34;ningde&#34;, &#34;jiaochen&#34;]")
    );
    let (_, listed) = server.call("GET", "/instances", Some("tok-viewer"), None);
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "nothing stored");

    let syntax = post_form(
        &format!("{}/app/instances", server.url),
        Some(&session),
        &[("csrf", &csrf), ("text", "name = \"x\"\n[horizon\n")],
    );
    assert_eq!(syntax.status, 422);
    assert!(syntax.body.contains("The instance was not stored:"));
    let empty = post_form(
        &format!("{}/app/instances", server.url),
        Some(&session),
        &[("csrf", &csrf), ("text", "  ")],
    );
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("there is no text to upload"));
}

#[test]
fn a_viewer_reads_the_instances_but_cannot_upload_or_solve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = server.publish_example();
    let (_, instance) = server.call("GET", &format!("/instances/{id}"), Some("tok-viewer"), None);
    let roster = instance["current"]["roster_id"]
        .as_str()
        .expect("published");
    let session = sign_in(&server, "tok-viewer");
    let home = get(&format!("{}/app/", server.url), &session, "en");
    assert!(home.body.contains("href=\"/app/instances\""));
    let list = get(&format!("{}/app/instances", server.url), &session, "en");
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("href=\"/app/instances/{id}\"")));
    assert!(list.body.contains("scheduler-user"), "uploaded by");
    assert!(!list.body.contains("name=\"text\""), "no upload form");
    assert!(
        list.body.contains(&format!(
            "href=\"/app/rosters/{roster}/board\">Version 1</a>"
        )),
        "{}",
        list.body
    );
    let page = get(
        &format!("{}/app/instances/{id}", server.url),
        &session,
        "en",
    );
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("name=\"time_limit\""), "no solve form");
    assert!(page.body.contains("1 <b>(current)</b>"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/app/rosters/{roster}/board\""))
    );
    let csrf = csrf_of(&list.body);
    for (path, fields) in [
        (
            "/app/instances",
            vec![("csrf", csrf.as_str()), ("text", "name = \"x\"")],
        ),
        (
            &format!("/app/instances/{id}/solve") as &str,
            vec![("csrf", csrf.as_str())],
        ),
    ] {
        let refused = post_form(&format!("{}{path}", server.url), Some(&session), &fields);
        assert_eq!(refused.status, 403, "{path}");
        assert!(refused.content_type.starts_with("text/html"), "{path}");
        assert!(
            refused.body.contains("Not for your role"),
            "{}",
            refused.body
        );
    }
    let (_, listed) = server.call("GET", "/instances", Some("tok-viewer"), None);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let missing = get(
        &format!("{}/app/instances/no-such-instance", server.url),
        &session,
        "en",
    );
    assert_eq!(missing.status, 404);
    let nobody = browser()
        .get(&format!("{}/app/instances", server.url))
        .call()
        .expect("GET");
    assert_eq!(nobody.status().as_u16(), 303, "to the sign-in form");
}

#[test]
fn the_solve_form_is_refused_without_its_csrf_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_by_api(&server, "instances/example-week.toml");
    let session = sign_in(&server, "tok-scheduler");
    let url = format!("{}/app/instances/{id}/solve", server.url);
    for fields in [
        vec![("time_limit", "5")],
        vec![("csrf", "forged"), ("time_limit", "5")],
    ] {
        let refused = post_form(&url, Some(&session), &fields);
        assert_eq!(refused.status, 403);
        assert!(refused.body.contains("Form expired"), "{}", refused.body);
    }
    let page = get(
        &format!("{}/app/instances/{id}", server.url),
        &session,
        "en",
    );
    let csrf = csrf_of(&page.body);
    let too_long = post_form(
        &url,
        Some(&session),
        &[("csrf", &csrf), ("time_limit", "100000")],
    );
    assert_eq!(too_long.status, 422);
    assert!(
        too_long
            .body
            .contains("The time limit must be within (0, 600]")
    );
    assert!(too_long.body.contains("value=\"100000\""));
    let words = post_form(
        &url,
        Some(&session),
        &[("csrf", &csrf), ("time_limit", "soon")],
    );
    assert_eq!(words.status, 422);
    assert!(words.body.contains("must be a number of seconds"));
    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    assert!(
        !audit.to_string().contains("solve.start"),
        "no job was started: {audit}"
    );
}

#[test]
fn a_solve_started_from_the_page_streams_its_progress_until_a_roster_that_passes_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_by_api(&server, "instances/example-week.toml");
    let session = sign_in(&server, "tok-scheduler");
    let page = get(
        &format!("{}/app/instances/{id}", server.url),
        &session,
        "en",
    );
    let started = post_form(
        &format!("{}/app/instances/{id}/solve", server.url),
        Some(&session),
        &[("csrf", &csrf_of(&page.body)), ("time_limit", "10")],
    );
    assert_eq!(started.status, 303, "{}", started.body);
    let job_path = started.location.expect("the job's page");
    assert!(job_path.starts_with("/app/solves/solve-"), "{job_path}");

    let viewer = sign_in(&server, "tok-viewer");
    let (_, done) = until_done(&server, &viewer, &job_path);
    assert_eq!(done["status"], "done", "{done}");
    let roster_id = done["roster_id"].as_str().expect("a roster id").to_string();
    assert!(done["objective"].as_f64().is_some(), "{done}");

    let (status, roster) = server.call(
        "GET",
        &format!("/rosters/{roster_id}"),
        Some("tok-viewer"),
        None,
    );
    assert_eq!(status, 200, "{roster}");
    let path = dir.path().join("roster.json");
    std::fs::write(&path, roster.to_string()).expect("roster file");
    let output = houniao(&[
        "check",
        "instances/example-week.toml",
        path.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", text(&output));

    let finished = get(&format!("{}{job_path}", server.url), &session, "en");
    assert_eq!(finished.status, 200);
    for expected in [
        "done".to_string(),
        "Open the roster board".to_string(),
        format!("href=\"/app/rosters/{roster_id}/board\""),
        "Patient waiting days".to_string(),
        "Objective".to_string(),
    ] {
        assert!(
            finished.body.contains(&expected),
            "{expected}: {}",
            finished.body
        );
    }
    assert!(!finished.body.contains("solve.js"), "no stream once done");
    assert!(!finished.body.contains("/cancel\""), "no cancel once done");
    // A stream of a finished job says so at once.
    let (progress, again) = until_done(&server, &viewer, &job_path);
    assert_eq!((progress, &again["roster_id"]), (0, &done["roster_id"]));
    let missing = get(
        &format!("{}/app/solves/solve-000000000000", server.url),
        &session,
        "en",
    );
    assert_eq!(missing.status, 404);
}

#[test]
fn cancel_stops_a_long_solve_and_keeps_a_roster() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_by_api(&server, "instances/beilun-oncology.toml");
    let session = sign_in(&server, "tok-scheduler");
    let page = get(
        &format!("{}/app/instances/{id}", server.url),
        &session,
        "en",
    );
    let csrf = csrf_of(&page.body);
    let began = Instant::now();
    let started = post_form(
        &format!("{}/app/instances/{id}/solve", server.url),
        Some(&session),
        &[("csrf", &csrf), ("time_limit", "30")],
    );
    assert_eq!(started.status, 303, "{}", started.body);
    let job_path = started.location.expect("the job's page");
    let running = get(&format!("{}{job_path}", server.url), &session, "en");
    assert_eq!(running.status, 200);
    assert!(running.body.contains("solve.js"), "{}", running.body);
    assert!(
        running
            .body
            .contains(&format!("action=\"{job_path}/cancel\""))
    );
    assert!(running.body.contains(&format!(
        "data-events=\"{job_path}/events\" data-running=\"true\""
    )));

    // Cancelling wants the token too, and a scheduler's role.
    let refused = post_form(
        &format!("{}{job_path}/cancel", server.url),
        Some(&session),
        &[],
    );
    assert_eq!(refused.status, 403);
    let viewer = sign_in(&server, "tok-viewer");
    let viewer_csrf = csrf_of(&get(&format!("{}/app/", server.url), &viewer, "en").body);
    let refused = post_form(
        &format!("{}{job_path}/cancel", server.url),
        Some(&viewer),
        &[("csrf", &viewer_csrf)],
    );
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Not for your role"));

    let cancelled = post_form(
        &format!("{}{job_path}/cancel", server.url),
        Some(&session),
        &[("csrf", &csrf)],
    );
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    assert_eq!(cancelled.location.as_deref(), Some(job_path.as_str()));
    let (_, done) = until_done(&server, &session, &job_path);
    assert!(
        began.elapsed() < Duration::from_secs(25),
        "stopped well before its 30 s: {:?}",
        began.elapsed()
    );
    assert!(
        done["status"] == "cancelled" || done["status"] == "done",
        "{done}"
    );
    assert_eq!(done["cancelled"], true, "stopped by the cancel: {done}");
    let roster_id = done["roster_id"].as_str().expect("a roster kept");
    let (status, _) = server.call(
        "GET",
        &format!("/rosters/{roster_id}"),
        Some("tok-viewer"),
        None,
    );
    assert_eq!(status, 200);
    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    assert!(audit.to_string().contains("solve.cancel"), "{audit}");
    // Cancelling a job that is over shows it as it ended.
    let again = post_form(
        &format!("{}{job_path}/cancel", server.url),
        Some(&session),
        &[("csrf", &csrf)],
    );
    assert_eq!(again.location.as_deref(), Some(job_path.as_str()));
}

#[test]
fn pins_show_on_the_instance_page_and_a_conflict_ends_the_solve_with_its_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_by_api(&server, "instances/example-week.toml");
    let (status, replaced) = server.call(
        "PUT",
        &format!("/instances/{id}/pins"),
        Some("tok-scheduler"),
        Some(serde_json::json!([
            { "id": "liu-clinic", "specialist": "liu-jun", "date": "2026-03-05", "session": "pm", "activity": "clinic", "note": "promised <b>Thursday</b>" },
            { "id": "liu-mdt", "board": "breast-mdt", "specialist": "liu-jun", "date": "2026-03-05", "session": "pm" },
        ])),
    );
    assert_eq!(status, 200, "{replaced}");
    let session = sign_in(&server, "tok-scheduler");
    let page = get(
        &format!("{}/app/instances/{id}", server.url),
        &session,
        "en",
    );
    for expected in [
        "Set through the API since the upload.",
        "<td>liu-clinic</td>",
        "<td>liu-mdt</td>",
        "specialist = &#34;liu-jun&#34;",
        "promised &#60;b&#62;Thursday&#60;/b&#62;",
        "To keep 2 · Forbidden 0",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    let started = post_form(
        &format!("{}/app/instances/{id}/solve", server.url),
        Some(&session),
        &[("csrf", &csrf_of(&page.body))],
    );
    assert_eq!(started.status, 303, "{}", started.body);
    let job_path = started.location.expect("the job's page");
    let (_, done) = until_done(&server, &session, &job_path);
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["error"], "pin_conflict", "{done}");
    assert_eq!(done["roster_id"], Value::Null);
    let detail = done["detail"].as_str().expect("the conflict's message");
    assert!(detail.contains("two activities at once"), "{detail}");
    let finished = get(&format!("{}{job_path}", server.url), &session, "en");
    assert!(finished.body.contains("The pins cannot all hold"));
    assert!(finished.body.contains("two activities at once"));
    assert!(!finished.body.contains("Open the roster board"));
    // A Chinese page writes the same conflict in Chinese.
    let chinese = get(&format!("{}{job_path}", server.url), &session, "zh-CN");
    for expected in [
        "锁定 liu-clinic（promised &#60;b&#62;Thursday&#60;/b&#62;） 和 liu-mdt 无法同时满足",
        "“liu-jun”在2026年3月5日下午将同时有两项活动",
        "规则1（同一时间只做一件事）",
    ] {
        assert!(
            chinese.body.contains(expected),
            "{expected}: {}",
            chinese.body
        );
    }
    assert!(!chinese.body.contains("two activities at once"));
}
