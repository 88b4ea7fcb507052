//! What-if jobs and the planners' pages on the real server: a job of the base and two
//! shipped scenarios of Ningde polled until done, a job cancelled, the form in both
//! languages for a planner and the 403 page for a call-centre agent, two scenarios run
//! from the form ending with both in the table (charts, highlighted cells), the CSV
//! with one column per case, and forms without the CSRF token refused.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::Server;
use serde_json::{Value, json};

const NINGDE: &str = "instances/ningde-regional.toml";
const THEATRE: &str = "instances/scenarios/ningde-theatre-closed.toml";
const EXTRA: &str = "instances/scenarios/ningde-extra-oncologist.toml";
const LEAVES: &str = "instances/scenarios/ningde-expert-leaves.toml";

fn read(path: &str) -> String {
    std::fs::read_to_string(common::root().join(path)).expect(path)
}

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
    content_type: Option<String>,
    body: String,
}

fn get(url: &str, cookie: &str, lang: &str) -> Page {
    page(
        browser()
            .get(url)
            .header("Accept-Language", lang)
            .header("Cookie", cookie)
            .call()
            .expect("GET"),
    )
}

fn post_form(url: &str, cookie: &str, fields: &[(&str, &str)]) -> Page {
    page(
        browser()
            .post(url)
            .header("Cookie", cookie)
            .header("Accept-Language", "en")
            .send_form(fields.iter().copied())
            .expect("POST"),
    )
}

fn page(mut response: ureq::http::Response<ureq::Body>) -> Page {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let location = header("location");
    let content_type = header("content-type");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Page {
        status,
        location,
        content_type,
        body,
    }
}

/// Signs in with a token; returns the `Cookie` header value of the session.
fn sign_in(server: &Server, token: &str) -> String {
    let mut response = browser()
        .post(&format!("{}/app/login", server.url))
        .send_form([("token", token), ("next", "/app/")])
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("houniao_session="))
        .expect("a session cookie")
        .to_string();
    let _ = response.body_mut().read_to_string();
    cookie.split(';').next().expect("pair").to_string()
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("end")].to_string()
}

fn upload_ningde(server: &Server) -> String {
    let (status, body) = server.upload("tok-scheduler", &read(NINGDE));
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_string()
}

/// Polls a job until it is no longer running: the job as it ended.
fn wait(server: &Server, job: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let (status, body) = server.call(
            "GET",
            &format!("/whatif/jobs/{job}"),
            Some("tok-viewer"),
            None,
        );
        assert_eq!(status, 200, "{body}");
        if body["status"] != "running" {
            return body;
        }
        assert!(Instant::now() < deadline, "still running: {body}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_api_job_solves_the_base_and_two_scenarios() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_ningde(&server);
    let path = format!("/instances/{id}/whatif/jobs");
    let body = json!({ "scenarios": [read(THEATRE), read(EXTRA)], "time_limit": 5 });

    // Planners only; a scenario naming an unknown id is refused at once.
    let (status, _) = server.call("POST", &path, Some("tok-agent"), Some(body.clone()));
    assert_eq!(status, 403);
    let (status, refused) = server.call(
        "POST",
        &path,
        Some("tok-planner"),
        Some(json!({ "scenarios": [{ "name": "typo", "changes": [{ "kind": "close_room", "room": "or-9" }] }] })),
    );
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"], "invalid_scenario");
    assert_eq!(
        refused["problems"][0]["path"], "changes[0].room",
        "{refused}"
    );

    let (status, started) = server.call("POST", &path, Some("tok-planner"), Some(body));
    assert_eq!(status, 202, "{started}");
    assert_eq!(
        started["cases"],
        json!([
            "base",
            "ningde: theatre or-1 closed",
            "ningde: one more oncologist"
        ])
    );
    let job = started["job"].as_str().expect("job");
    let ended = wait(&server, job);
    assert_eq!(ended["status"], "done", "{ended}");
    assert_eq!(ended["done"], 3);
    assert_eq!(ended["total"], 3);
    assert_eq!(ended["near_base"], true);
    let results = ended["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["name"], "base");
    assert!(results[0]["differs_from_base"].is_null());
    for result in &results[1..] {
        assert!(result["kpis"]["requests"].as_u64().is_some(), "{result}");
        assert!(
            result["differs_from_base"]["assignments"].is_u64(),
            "{result}"
        );
    }
    // One more oncologist: one more request in the instance.
    assert_eq!(
        results[2]["kpis"]["requests"].as_u64(),
        results[0]["kpis"]["requests"].as_u64().map(|n| n + 1)
    );
    // A finished job cannot be cancelled; an unknown one is not found.
    let (status, _) = server.call(
        "DELETE",
        &format!("/whatif/jobs/{job}"),
        Some("tok-planner"),
        None,
    );
    assert_eq!(status, 409);
    let (status, _) = server.call("GET", "/whatif/jobs/whatif-0", Some("tok-viewer"), None);
    assert_eq!(status, 404);
    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    assert!(audit.to_string().contains("whatif.start"), "{audit}");
    // The OpenAPI document describes the three routes.
    let (_, openapi) = server.call("GET", "/openapi.json", None, None);
    for route in ["/instances/{id}/whatif/jobs", "/whatif/jobs/{job}"] {
        assert!(openapi["paths"][route].is_object(), "{route}");
    }
    assert!(openapi["paths"]["/whatif/jobs/{job}"]["delete"]["responses"]["409"].is_object());
}

#[test]
fn a_cancelled_job_skips_the_cases_not_started() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_ningde(&server);
    let (status, started) = server.call(
        "POST",
        &format!("/instances/{id}/whatif/jobs"),
        Some("tok-planner"),
        Some(json!({ "scenarios": [read(THEATRE), read(EXTRA), read(LEAVES)], "time_limit": 30, "near_base": false })),
    );
    assert_eq!(status, 202, "{started}");
    let job = started["job"].as_str().expect("job");
    let (status, _) = server.call(
        "DELETE",
        &format!("/whatif/jobs/{job}"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 403, "planners only");
    let (status, cancelling) = server.call(
        "DELETE",
        &format!("/whatif/jobs/{job}"),
        Some("tok-planner"),
        None,
    );
    assert_eq!(status, 200, "{cancelling}");
    assert_eq!(cancelling["cancelling"], true);
    let ended = wait(&server, job);
    assert_eq!(ended["status"], "cancelled", "{ended}");
    assert_eq!(ended["total"], 4);
    let results = ended["results"].as_array().expect("results");
    assert!(results.iter().any(Value::is_null), "{ended}");
    assert_eq!(
        ended["done"].as_u64(),
        Some(results.iter().filter(|r| !r.is_null()).count() as u64)
    );
    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    assert!(audit.to_string().contains("whatif.cancel"), "{audit}");
}

#[test]
fn the_form_is_for_planners_in_both_languages_and_refuses_forms_without_csrf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_ningde(&server);
    let planner = sign_in(&server, "tok-planner");
    let url = format!("{}/app/whatif?instance={id}", server.url);
    let english = get(&url, &planner, "en");
    assert_eq!(english.status, 200, "{}", english.body);
    assert!(english.body.contains("What-if comparison"));
    assert!(
        english.body.contains("href=\"/app/whatif\""),
        "the nav link"
    );
    // Only the shipped scenarios of Ningde apply to Ningde.
    assert!(english.body.contains("value=\"ningde-theatre-closed\""));
    assert!(english.body.contains("value=\"ningde-residencies-2-days\""));
    assert!(!english.body.contains("value=\"beilun-theatre-closed\""));
    assert!(!english.body.contains("value=\"example-xi-away-tuesday\""));
    // Every change kind can be composed, with its skeleton.
    for kind in ["close_room", "add_specialist", "weights", "scale_requests"] {
        assert!(
            english.body.contains(&format!("<option value=\"{kind}\"")),
            "{kind}"
        );
    }
    assert!(english.body.contains("kind = &quot;close_room&quot;"));
    assert!(english.body.contains("whatif.js"));
    let chinese = get(&url, &planner, "zh-CN,zh;q=0.9");
    assert_eq!(chinese.status, 200);
    assert!(chinese.body.contains("<html lang=\"zh-CN\">"));
    assert!(chinese.body.contains("方案推演对比"), "{}", chinese.body);
    assert!(chinese.body.contains("开始对比"));
    // The script is served from here.
    let script = get(
        &format!(
            "{}/app/assets/{}/whatif.js",
            server.url,
            env!("CARGO_PKG_VERSION")
        ),
        &planner,
        "en",
    );
    assert_eq!(script.status, 200);
    assert!(script.body.contains("data-skeleton"));

    let agent = sign_in(&server, "tok-agent");
    let refused = get(&url, &agent, "en");
    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains("Not for your role"),
        "{}",
        refused.body
    );
    let home = get(&format!("{}/app/", server.url), &agent, "en");
    assert!(!home.body.contains("/app/whatif"), "no link for agents");

    // Without the session's CSRF token nothing starts.
    let fields = [
        ("instance", id.as_str()),
        ("shipped", "ningde-theatre-closed"),
        ("time_limit", "5"),
    ];
    let forged = post_form(&format!("{}/app/whatif", server.url), &planner, &fields);
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("Form expired"), "{}", forged.body);
    let forged = post_form(
        &format!("{}/app/whatif/jobs/whatif-000000000000/cancel", server.url),
        &planner,
        &[("csrf", "forged")],
    );
    assert_eq!(forged.status, 403);
    let (_, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    assert!(!audit.to_string().contains("whatif.start"), "{audit}");

    // A scenario with an unknown id is shown again with its problem.
    let csrf = csrf_of(&english.body);
    let wrong = post_form(
        &format!("{}/app/whatif", server.url),
        &planner,
        &[
            ("csrf", csrf.as_str()),
            ("instance", id.as_str()),
            (
                "text",
                "name = \"typo\"\n[[changes]]\nkind = \"close_room\"\nroom = \"or-9\"\n",
            ),
            ("time_limit", "5"),
        ],
    );
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("changes[0].room"), "{}", wrong.body);
    assert!(wrong.body.contains("or-9"));
}

#[test]
fn two_scenarios_run_from_the_form_end_in_one_table_and_one_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = upload_ningde(&server);
    let planner = sign_in(&server, "tok-planner");
    let form = get(
        &format!("{}/app/whatif?instance={id}", server.url),
        &planner,
        "en",
    );
    let csrf = csrf_of(&form.body);
    let own = read(EXTRA);
    let started = post_form(
        &format!("{}/app/whatif", server.url),
        &planner,
        &[
            ("csrf", csrf.as_str()),
            ("instance", id.as_str()),
            ("shipped", "ningde-theatre-closed"),
            ("text", own.as_str()),
            ("near_base", "on"),
            ("time_limit", "5"),
        ],
    );
    assert_eq!(started.status, 303, "{}", started.body);
    let location = started.location.expect("the job's page");
    assert!(
        location.starts_with("/app/whatif/jobs/whatif-"),
        "{location}"
    );
    let job_page = get(&format!("{}{location}", server.url), &planner, "en");
    assert_eq!(job_page.status, 200);
    assert!(
        job_page.body.contains("hx-trigger=\"every 1s\""),
        "polls while running"
    );
    assert!(job_page.body.contains(&format!("{location}/live")));

    // Poll the fragment as htmx does, until it stops asking.
    let deadline = Instant::now() + Duration::from_secs(180);
    let fragment = loop {
        let live = get(&format!("{}{location}/live", server.url), &planner, "en");
        assert_eq!(live.status, 200);
        assert!(!live.body.contains("<html"), "a fragment");
        if !live.body.contains("hx-trigger") {
            break live.body;
        }
        assert!(Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(500));
    };
    for name in [
        "base",
        "ningde: theatre or-1 closed",
        "ningde: one more oncologist",
    ] {
        assert!(fragment.contains(&format!("<th>{name}</th>")), "{name}");
    }
    assert!(fragment.contains("Requests served (named expert)"));
    assert!(
        fragment.contains("class=\"number differs\""),
        "highlighted cells"
    );
    assert_eq!(fragment.matches("<svg").count(), 5, "five charts");
    assert!(fragment.contains("Export CSV"));
    assert!(!fragment.contains("/cancel"), "no Cancel once done");
    let chinese = get(&format!("{}{location}", server.url), &planner, "zh-CN");
    assert!(chinese.body.contains("关键指标"));
    assert!(chinese.body.contains("与基准不同的排班"));

    let csv = get(&format!("{}{location}.csv", server.url), &planner, "en");
    assert_eq!(csv.status, 200);
    assert!(
        csv.content_type
            .as_deref()
            .unwrap_or("")
            .starts_with("text/csv"),
        "{:?}",
        csv.content_type
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "\"Key figure\",\"base\",\"ningde: theatre or-1 closed\",\"ningde: one more oncologist\""
    );
    assert!(lines.len() > 20, "{}", csv.body);
    for line in &lines {
        assert_eq!(line.matches("\",\"").count(), 3, "four fields: {line}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("\"Assignments differing from base\",\"—\",")),
        "{}",
        csv.body
    );

    // A job cancelled from its page: back to the page, which ends as cancelled.
    let started = post_form(
        &format!("{}/app/whatif", server.url),
        &planner,
        &[
            ("csrf", csrf.as_str()),
            ("instance", id.as_str()),
            ("shipped", "ningde-theatre-closed"),
            ("shipped", "ningde-extra-oncologist"),
            ("shipped", "ningde-expert-leaves"),
            ("time_limit", "30"),
        ],
    );
    assert_eq!(started.status, 303, "{}", started.body);
    let other = started.location.expect("the job's page");
    let running = get(&format!("{}{other}", server.url), &planner, "en");
    let cancelled = post_form(
        &format!("{}{other}/cancel", server.url),
        &planner,
        &[("csrf", csrf_of(&running.body).as_str())],
    );
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    assert_eq!(cancelled.location.as_deref(), Some(other.as_str()));
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let live = get(&format!("{}{other}/live", server.url), &planner, "en");
        if !live.body.contains("hx-trigger") {
            assert!(live.body.contains("Cancelled"), "{}", live.body);
            assert!(live.body.contains("skipped (cancelled)"), "{}", live.body);
            break;
        }
        assert!(Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(300));
    }

    // Jobs are the planners' pages too.
    let agent = sign_in(&server, "tok-agent");
    assert_eq!(
        get(&format!("{}{location}", server.url), &agent, "en").status,
        403
    );
    let missing = get(
        &format!("{}/app/whatif/jobs/whatif-000000000000", server.url),
        &planner,
        "en",
    );
    assert_eq!(missing.status, 404);
}
