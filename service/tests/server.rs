//! The real service: `houniao serve` started as a process on a loopback port and
//! driven over HTTP, as schedulers and call-centre agents use it. The path from upload
//! to cancel, validation errors, roles, the body limit, agents racing for the last
//! places, `kill -9` in the middle of bookings, the OpenAPI document, and shutdown.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::root;
use harness::Server;

fn request(patient: &str) -> Value {
    json!({
        "patient": patient,
        "specialist": "liu-jun",
        "earliest": "2026-03-02",
        "latest": "2026-03-06",
    })
}

#[test]
fn upload_solve_publish_search_book_cancel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = server.publish_example();

    let (status, instance) =
        server.call("GET", &format!("/instances/{id}"), Some("tok-viewer"), None);
    assert_eq!(status, 200, "{instance}");
    assert_eq!(instance["current"]["version"], 1);
    let roster_id = instance["current"]["roster_id"]
        .as_str()
        .expect("roster")
        .to_string();
    let (status, roster) = server.call(
        "GET",
        &format!("/rosters/{roster_id}"),
        Some("tok-planner"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(roster["objective"], 60.0);

    let (status, found) = server.call(
        "POST",
        &format!("/instances/{id}/search"),
        Some("tok-agent"),
        Some(json!({ "specialist": "liu-jun", "earliest": "2026-03-02", "latest": "2026-03-06", "limit": 2 })),
    );
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["options"][0]["session"]["specialist"], "liu-jun");
    assert_eq!(found["options"].as_array().expect("options").len(), 2);
    let places = found["options"][0]["places_left"].as_u64().expect("places");

    let (status, booked) = server.call(
        "POST",
        &format!("/instances/{id}/bookings"),
        Some("tok-agent"),
        Some(request("P-7001")),
    );
    assert_eq!(status, 201, "{booked}");
    assert_eq!(booked["booking"]["id"], "b-0001");
    assert_eq!(booked["option"]["places_left"], places - 1);

    let (status, list) = server.call(
        "GET",
        &format!("/instances/{id}/bookings?patient=P-7001"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(list.as_array().expect("list").len(), 1);

    let (status, cancelled) = server.call(
        "DELETE",
        &format!("/instances/{id}/bookings/b-0001"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["places_left"], places);
    let (status, again) = server.call(
        "DELETE",
        &format!("/instances/{id}/bookings/b-0001"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(
        (status, again["error"].as_str()),
        (409, Some("already_cancelled"))
    );

    let (status, convened) = server.call(
        "POST",
        &format!("/instances/{id}/convene"),
        Some("tok-agent"),
        Some(json!({ "board": "breast-mdt", "from": "2026-03-02" })),
    );
    assert_eq!(status, 200, "{convened}");
    assert_eq!(
        convened["gatherings"][0]["participants"]
            .as_array()
            .expect("people")
            .len(),
        4
    );

    // Patient references never reach the log at info level.
    assert!(!server.log().contains("P-7001"), "{}", server.log());
    // The audit log says who did what.
    let (status, audit) = server.call("GET", "/audit", Some("tok-admin"), None);
    assert_eq!(status, 200);
    let actions: Vec<&str> = audit
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    for action in [
        "instance.upload",
        "solve.start",
        "roster.publish",
        "booking.create",
        "booking.cancel",
    ] {
        assert!(actions.contains(&action), "{actions:?}");
    }
    // A planner compares a what-if scenario with the stored instance.
    let scenario = json!({
        "name": "Xi away Tuesday",
        "changes": [{ "kind": "unavailable", "specialist": "xi-xiaowei", "slots": ["2026-03-03"] }]
    });
    let (status, compared) = server.call(
        "POST",
        &format!("/instances/{id}/whatif"),
        Some("tok-planner"),
        Some(json!({ "scenarios": [scenario], "time_limit": 10 })),
    );
    assert_eq!(status, 200, "{compared}");
    assert_eq!(compared[1]["name"], "Xi away Tuesday");
    assert!(
        compared[1]["differs_from_base"]["assignments"].as_u64() > Some(0),
        "{compared}"
    );
    let (status, _) = server.call(
        "POST",
        &format!("/instances/{id}/whatif"),
        Some("tok-agent"),
        Some(json!({ "scenarios": [] })),
    );
    assert_eq!(status, 403);
    let (status, metrics) = server.call("GET", "/metrics", Some("tok-viewer"), None);
    assert_eq!(status, 200);
    let metrics = metrics.as_str().expect("text").to_string();
    assert!(
        metrics.contains("houniao_bookings_total{operation=\"book\",outcome=\"booked\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("houniao_solve_duration_seconds_count{status=\"done\"} 1"),
        "{metrics}"
    );
}

#[test]
fn a_broken_instance_gets_every_error_with_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let broken = std::fs::read_to_string(
        root().join("solver/tests/data/invalid/unknown-and-duplicate-ids.toml"),
    )
    .expect("broken instance");
    let (status, body) = server.upload("tok-scheduler", &broken);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "invalid_instance");
    let paths: Vec<&str> = body["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        paths,
        [
            "rooms[1].id",
            "rooms[4].site",
            "rooms[4].kind",
            "specialists[2].sites[0]",
            "residencies[0].specialist",
            "studios[0].lead"
        ]
    );
    // A request with a bad field gets a 422 listing it.
    let id = server.publish_example_roster();
    let (status, body) = server.call(
        "POST",
        &format!("/instances/{id}/search"),
        Some("tok-agent"),
        Some(json!({ "specialist": "liu-jnu", "earliest": "2026-03-06", "latest": "2026-03-02" })),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["problems"].as_array().expect("problems").len(), 2);
}

#[test]
fn tokens_and_roles_are_enforced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = server.publish_example_roster();
    let (status, body) = server.call("GET", "/instances", None, None);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorised"))
    );
    let (status, _) = server.call("GET", "/instances", Some("tok-wrong"), None);
    assert_eq!(status, 401);
    let book = format!("/instances/{id}/bookings");
    let solve = format!("/instances/{id}/solves");
    // (route, token, expected status)
    let cases: [(&str, &str, &str, u16); 8] = [
        ("POST", &book, "tok-viewer", 403),
        ("POST", &book, "tok-planner", 403),
        ("POST", &book, "tok-scheduler", 403),
        ("POST", &solve, "tok-agent", 403),
        ("POST", &solve, "tok-viewer", 403),
        ("GET", "/instances", "tok-viewer", 200),
        ("GET", "/audit", "tok-scheduler", 403),
        ("POST", &book, "tok-admin", 201),
    ];
    for (method, path, token, expected) in cases {
        let body = (method == "POST").then(|| request("P-8001"));
        let (status, answer) = server.call(method, path, Some(token), body);
        assert_eq!(status, expected, "{method} {path} as {token}: {answer}");
        if expected == 403 {
            assert_eq!(answer["error"], "forbidden");
        }
    }
}

#[test]
fn bodies_over_the_limit_get_413() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "max_body_bytes = 65536");
    let beilun =
        std::fs::read_to_string(root().join("instances/beilun-oncology.toml")).expect("beilun");
    let large = format!("{beilun}\n{}", "# padding\n".repeat(8000));
    assert!(large.len() > 65536);
    let (status, body) = server.upload("tok-scheduler", &large);
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "payload_too_large");
}

#[test]
fn agents_racing_for_the_last_places_never_overbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let id = server.publish_example_roster();
    let option = "liu-jun@2026-03-03:am";
    let path = format!("/instances/{id}/bookings");
    let with_option = |patient: &str| {
        let mut body = request(patient);
        body["option"] = json!(option);
        body
    };
    // 14 places after the roster's own booking: leave 3.
    for n in 0..11 {
        let (status, body) = server.call(
            "POST",
            &path,
            Some("tok-agent"),
            Some(with_option(&format!("P-{n}"))),
        );
        assert_eq!(status, 201, "{body}");
    }
    let outcomes: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..24)
            .map(|n| {
                let server = &server;
                let path = &path;
                let body = with_option(&format!("P-race-{n}"));
                scope.spawn(move || server.call("POST", path, Some("tok-agent"), Some(body)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .collect()
    });
    let won = outcomes.iter().filter(|(s, _)| *s == 201).count();
    let taken: Vec<&Value> = outcomes
        .iter()
        .filter(|(s, _)| *s == 409)
        .map(|(_, b)| b)
        .collect();
    assert_eq!((won, taken.len()), (3, 21), "{outcomes:?}");
    assert!(taken.iter().all(|b| b["error"] == "taken"));
    assert_eq!(
        taken[0]["alternatives"]["options"][0]["id"],
        "liu-jun@2026-03-03:pm"
    );
    let (_, list) = server.call(
        "GET",
        &format!("/instances/{id}/bookings?session={option}"),
        Some("tok-agent"),
        None,
    );
    assert_eq!(list.as_array().expect("list").len(), 15);
}

#[test]
fn acknowledged_bookings_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start_in(dir.path(), "");
    let id = server.publish_example_roster();
    let path = format!("/instances/{id}/bookings");
    // Clients book until the server dies under them; every 201 is remembered.
    let acknowledged: Vec<String> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..4)
            .map(|client| {
                let url = format!("{}{path}", server.url);
                scope.spawn(move || {
                    let agent = Server::agent();
                    let mut mine = Vec::new();
                    for n in 0.. {
                        let body = json!({
                            "patient": format!("P-{client}-{n}"),
                            "discipline": "medical-oncology",
                            "earliest": "2026-03-02",
                            "latest": "2026-03-06",
                        });
                        let Ok(mut response) = agent
                            .post(&url)
                            .header("Authorization", "Bearer tok-agent")
                            .send_json(body)
                        else {
                            break;
                        };
                        if response.status().as_u16() == 201 {
                            let answer: Value = response.body_mut().read_json().expect("json");
                            mine.push(answer["booking"]["id"].as_str().expect("id").to_string());
                        }
                    }
                    mine
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(400));
        server.child.kill().expect("kill -9");
        clients
            .into_iter()
            .flat_map(|c| c.join().expect("client"))
            .collect()
    });
    let _ = server.child.wait();
    assert!(
        acknowledged.len() >= 5,
        "only {} bookings before the kill",
        acknowledged.len()
    );
    let restarted = Server::start_in(dir.path(), "");
    let (status, list) = restarted.call("GET", &path, Some("tok-agent"), None);
    assert_eq!(status, 200, "{list}");
    let stored: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|b| b["id"].as_str().unwrap_or_default())
        .collect();
    for id in &acknowledged {
        assert!(
            stored.contains(&id.as_str()),
            "{id} was acknowledged but is gone"
        );
    }
}

#[test]
fn the_openapi_document_describes_every_route() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (status, document) = server.call("GET", "/openapi.json", None, None);
    assert_eq!(status, 200);
    assert!(
        document["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.")
    );
    let paths = document["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    documented.sort();
    let mut expected: Vec<(String, String)> = [
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/audit"),
        ("POST", "/instances"),
        ("GET", "/instances"),
        ("GET", "/instances/{id}"),
        ("POST", "/instances/{id}/solves"),
        ("GET", "/solves/{job}"),
        ("DELETE", "/solves/{job}"),
        ("GET", "/rosters/{id}"),
        ("POST", "/instances/{id}/rosters"),
        ("POST", "/rosters/{id}/publish"),
        ("POST", "/rosters/{id}/edits"),
        ("POST", "/instances/{id}/search"),
        ("POST", "/instances/{id}/bookings"),
        ("GET", "/instances/{id}/bookings"),
        ("DELETE", "/instances/{id}/bookings/{booking}"),
        ("POST", "/instances/{id}/waitlist"),
        ("GET", "/instances/{id}/waitlist"),
        ("DELETE", "/instances/{id}/waitlist/{entry}"),
        ("GET", "/instances/{id}/offers"),
        ("POST", "/instances/{id}/offers/{offer}/accept"),
        ("POST", "/instances/{id}/offers/{offer}/decline"),
        ("POST", "/instances/{id}/convene"),
        ("POST", "/instances/{id}/trips/search"),
        ("POST", "/instances/{id}/trips"),
        ("DELETE", "/instances/{id}/trips/{trip}"),
        ("POST", "/instances/{id}/whatif"),
        ("POST", "/instances/{id}/whatif/jobs"),
        ("GET", "/whatif/jobs/{job}"),
        ("DELETE", "/whatif/jobs/{job}"),
        ("GET", "/instances/{id}/pins"),
        ("PUT", "/instances/{id}/pins"),
        ("POST", "/instances/{id}/repairs"),
        ("POST", "/instances/{id}/feed-keys"),
        ("GET", "/instances/{id}/feed-keys"),
        ("DELETE", "/feed-keys/{id}"),
        ("GET", "/calendars/specialists/{file}"),
        ("GET", "/calendars/sites/{file}"),
        ("GET", "/calendars/boards/{file}"),
        ("GET", "/rosters/{id}/export"),
        ("GET", "/instances/{id}/diff"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    expected.sort();
    assert_eq!(documented, expected);
    // Every documented route is served: called with placeholder ids it never answers
    // "no such route" or "method not allowed".
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "x")
            .replace("{job}", "x")
            .replace("{booking}", "x")
            .replace("{entry}", "x")
            .replace("{offer}", "x")
            .replace("{file}", "x.ics");
        let body = (method == "POST").then(|| json!({}));
        let (status, answer) = server.call(method, &concrete, Some("tok-admin"), body);
        assert!(
            status != 405 && answer["detail"] != "no such route",
            "{method} {path}: {status} {answer}"
        );
        // Every operation says what it is for and what it answers.
        let operation = &paths[path.as_str()][method.to_lowercase().as_str()];
        assert!(
            operation["description"].is_string() || operation["summary"].is_string(),
            "{method} {path}"
        );
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{method} {path}"
        );
    }
    // The documentation page is served from here, with its assets (tests/web.rs walks them).
    let (status, page) = server.call("GET", "/docs", None, None);
    assert_eq!(status, 200);
    let page = page.as_str().expect("html");
    assert!(page.contains("swagger-ui-bundle.js") && !page.contains("https://"));
}

#[test]
fn sigterm_stops_the_service_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start_in(dir.path(), "");
    let (status, _) = server.call("GET", "/healthz", None, None);
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(status) = server.child.try_wait().expect("waits") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(exit.code(), Some(0), "{}", server.log());
    assert!(server.log().contains("shutting down"), "{}", server.log());
}

#[test]
fn without_tokens_an_admin_token_is_made_once_and_only_its_hash_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("open.db");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_houniao"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--db",
                db.to_str().expect("utf-8"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts")
    };
    let read_until_listening = |child: &mut Child| {
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("line");
        line.trim()
            .strip_prefix("listening on ")
            .expect("address")
            .to_string()
    };
    let mut first = start();
    let url = read_until_listening(&mut first);
    let _ = first.kill();
    let output = first.wait_with_output().expect("stops");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let token = stderr
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 64 && l.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("no token in {stderr}"))
        .to_string();
    let stored = std::fs::read(&db).expect("db");
    assert!(
        !stored.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token itself is stored"
    );
    assert!(!url.is_empty());
    // Restarted, it makes no new token and accepts the first one.
    let mut second = start();
    let url = read_until_listening(&mut second);
    let mut response = Server::agent()
        .get(&format!("{url}/instances"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("answers");
    assert_eq!(response.status().as_u16(), 200);
    let _ = response.body_mut().read_to_string();
    let _ = second.kill();
    let output = second.wait_with_output().expect("stops");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("created the admin token"));
}

#[test]
fn a_misspelt_config_key_is_refused_with_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("houniao.toml");
    std::fs::write(&config, "listn = \"127.0.0.1:0\"\n").expect("config");
    let output = Command::new(env!("CARGO_BIN_EXE_houniao"))
        .args(["serve", "--config", config.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown field `listn`"), "{stderr}");
}
