//! The roster board over HTTP on the real server: the example's roster (the worked
//! example's, stored through the JSON API) laid out by site and by specialist in both
//! languages for a viewer and a scheduler; the preview of a move answers the checker's
//! verdict and stores nothing; keeping a move, pinning and unpinning a chip make drafts
//! through the API's code; roles and CSRF; the print view.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use harness::Server;
use houniao::edits::{Edit, apply_edits};
use houniao::{Instance, Roster};
use serde_json::{Value, json};

use common::root;

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
    hx_redirect: Option<String>,
    body: String,
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
    let hx_redirect = header("hx-redirect");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Page {
        status,
        location,
        hx_redirect,
        body,
    }
}

fn get(server: &Server, path: &str, cookie: &str, lang: &str) -> Page {
    page(
        browser()
            .get(&format!("{}{path}", server.url))
            .header("Accept-Language", lang)
            .header("Cookie", cookie)
            .call()
            .expect("GET"),
    )
}

/// A form POST; with `htmx`, as htmx sends it (the CSRF token in a header).
fn post(
    server: &Server,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    htmx: Option<&str>,
) -> Page {
    post_in(server, path, cookie, fields, htmx, "en")
}

/// [`post`] from a browser asking for a language.
fn post_in(
    server: &Server,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    htmx: Option<&str>,
    lang: &str,
) -> Page {
    let mut request = browser()
        .post(&format!("{}{path}", server.url))
        .header("Accept-Language", lang)
        .header("Cookie", cookie);
    if let Some(csrf) = htmx {
        request = request
            .header("HX-Request", "true")
            .header("X-CSRF-Token", csrf);
    }
    page(request.send_form(fields.iter().copied()).expect("POST"))
}

/// Signs in with a token: the session's `Cookie` value and its CSRF token.
fn sign_in(server: &Server, token: &str) -> (String, String) {
    let answer = page(
        browser()
            .post(&format!("{}/app/login", server.url))
            .send_form([("token", token), ("next", "/app/")])
            .expect("POST"),
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    let mut response = browser()
        .post(&format!("{}/app/login", server.url))
        .send_form([("token", token), ("next", "/app/")])
        .expect("POST");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("houniao_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let _ = response.body_mut().read_to_string();
    let home = get(server, "/app/", &cookie, "en");
    let marker = "\"X-CSRF-Token\": \"";
    let at = home.body.find(marker).expect("the CSRF token on the page") + marker.len();
    let csrf = home.body[at..at + home.body[at..].find('"').expect("end")].to_string();
    (cookie, csrf)
}

/// Uploads the example and stores the worked example's roster: (instance, roster).
fn example(server: &Server) -> (String, String) {
    let text =
        std::fs::read_to_string(root().join("instances/example-week.toml")).expect("example");
    let (status, body) = server.upload("tok-scheduler", &text);
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    let roster: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("solver/tests/data/roster.example.json"))
            .expect("roster"),
    )
    .expect("json");
    let (status, stored) = server.call(
        "POST",
        &format!("/instances/{id}/rosters"),
        Some("tok-scheduler"),
        Some(roster),
    );
    assert_eq!(status, 201, "{stored}");
    (
        id,
        stored["roster_id"].as_str().expect("roster").to_string(),
    )
}

/// The library's verdict on edits of the example (what the board must agree with).
fn judged(edits: Value) -> houniao::edits::EditOutcome {
    let instance = Instance::from_path(&root().join("instances/example-week.toml")).expect("ok");
    let roster =
        Roster::from_path(&root().join("solver/tests/data/roster.example.json")).expect("ok");
    let edits: Vec<Edit> = serde_json::from_value(edits).expect("edits");
    apply_edits(&instance, &roster, &edits).expect("applies")
}

/// Text as askama writes it into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn audit_count(server: &Server, action: &str) -> usize {
    let (status, log) = server.call("GET", "/audit?limit=1000", Some("tok-admin"), None);
    assert_eq!(status, 200, "{log}");
    log["entries"]
        .as_array()
        .or(log.as_array())
        .map(|entries| entries.iter().filter(|e| e["action"] == action).count())
        .unwrap_or(0)
}

/// The draft id in a board URL.
fn draft_of(location: &str) -> String {
    location
        .strip_prefix("/app/rosters/")
        .and_then(|rest| rest.split('/').next())
        .expect("a board URL")
        .to_string()
}

#[test]
fn the_board_lays_the_roster_out_for_every_reader_in_both_languages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let board = format!("/app/rosters/{roster}/board");
    let (viewer, _) = sign_in(&server, "tok-viewer");
    let (scheduler, _) = sign_in(&server, "tok-scheduler");

    // Without a session: to the sign-in form.
    let anonymous = page(
        browser()
            .get(&format!("{}{board}", server.url))
            .call()
            .expect("GET"),
    );
    assert_eq!(anonymous.status, 303);

    // The viewer, in English: Ningde (the first site with activities), week 0.
    let seen = get(&server, &board, &viewer, "en");
    assert_eq!(seen.status, 200, "{}", seen.body);
    let body = &seen.body;
    assert!(body.contains("Roster board"), "{body}");
    assert!(
        body.contains("Tue 3 Mar") && body.contains(">am<"),
        "{body}"
    );
    // The MDT with its four participants, each with the remote flag.
    assert!(body.contains("MDT · Breast cancer MDT"), "{body}");
    assert_eq!(body.matches("data-activity=\"mdt\"").count(), 4, "{body}");
    for name in [
        "Liu Jun",
        "Liu Jun (thyroid &#38; breast)",
        "Wang (radiologist)",
        "Zhao (pathologist)",
    ] {
        assert!(
            body.contains(&format!("<span class=\"chip-name\">{name}</span>")),
            "{name}"
        );
    }
    assert!(body.contains("pathology · on site"), "{body}");
    // The theatre list with start times.
    assert!(body.contains("Surgery · or-2"), "{body}");
    assert!(body.contains("08:00 s-001"), "{body}");
    assert!(body.contains("13:30 s-002"), "{body}");
    // Unmet demand (none here) and the objective by term, names translated.
    assert!(body.contains("Unmet demand (0)") && body.contains("Every demand is met."));
    assert!(body.contains("Objective: 60") && body.contains("Cost of visiting days"));
    assert!(body.contains("Not published"), "{body}");
    // A reader gets no buttons and nothing to drag.
    assert!(!body.contains("draggable=\"true\"") && !body.contains("hx-vals"));
    assert!(!body.contains("/publish\"") && !body.contains("/resolve\""));

    // The scheduler, in Chinese, at Jiaocheng: the studio with its apprentice.
    let seen = get(
        &server,
        &format!("{board}?view=site&site=jiaocheng&week=0"),
        &scheduler,
        "zh-CN,zh;q=0.9",
    );
    assert_eq!(seen.status, 200);
    let body = &seen.body;
    assert!(
        body.contains("排班看板") && body.contains("2026年3月3日 周二"),
        "{body}"
    );
    assert!(
        body.contains("名医工作室 · Xi Xiaowei Gynecology Studio"),
        "{body}"
    );
    assert!(body.contains("跟诊学员") && body.contains("Chen (community GP)"));
    assert!(body.contains("draggable=\"true\"") && body.contains("hx-vals='{\"op\": \"pin\"}'"));
    assert!(body.contains("保留锁定重新排班") && body.contains("发布这份排班"));

    // By specialist: Xi works at two sites on Tuesday.
    let seen = get(
        &server,
        &format!("{board}?view=specialist&week=0"),
        &viewer,
        "en",
    );
    assert_eq!(seen.status, 200);
    assert!(
        seen.body.contains("two sites this day: jiaocheng + ningde"),
        "{}",
        seen.body
    );
    let one = get(
        &server,
        &format!("{board}?view=specialist&specialist=zhao-path&week=0"),
        &viewer,
        "en",
    );
    assert!(
        one.body
            .contains("<span class=\"row-label\">Zhao (pathologist)</span>")
    );
    assert_eq!(one.body.matches("<span class=\"row-label\">").count(), 1);

    // A draft with unmet demand (a surgery removed through the API) lists it with its
    // reason, and the checker's reason is the library's.
    let (status, removed) = server.call(
        "POST",
        &format!("/rosters/{roster}/edits"),
        Some("tok-scheduler"),
        Some(json!({ "edits": [{ "op": "remove", "entry": { "specialist": "liu-jun-breast", "date": "2026-03-03", "session": "am" } }] })),
    );
    assert_eq!(status, 201, "{removed}");
    let draft = removed["roster_id"].as_str().expect("draft");
    let seen = get(
        &server,
        &format!("/app/rosters/{draft}/board"),
        &viewer,
        "en",
    );
    let reason = removed["draft"]["unmet"][0]["reason"]
        .as_str()
        .expect("reason");
    assert!(seen.body.contains("Unmet demand (1)"), "{}", seen.body);
    assert!(seen.body.contains("<b>Surgery</b> s-001"), "{}", seen.body);
    assert!(seen.body.contains(&escaped(reason)), "{reason}");
    assert!(seen.body.contains("Draft (not published)"));

    // Zhao joining the meeting by video (a draft made through the API): still one of
    // the meeting's four, flagged.
    let (status, remote) = server.call(
        "POST",
        &format!("/rosters/{roster}/edits"),
        Some("tok-scheduler"),
        Some(json!({ "edits": [
            { "op": "remove", "entry": { "specialist": "zhao-path", "date": "2026-03-04", "session": "pm" } },
            { "op": "add", "assignment": { "specialist": "zhao-path", "date": "2026-03-04", "session": "pm",
              "activity": "mdt", "board": "breast-mdt", "discipline": "pathology", "remote": true } }
        ] })),
    );
    assert_eq!(status, 201, "{remote}");
    assert_eq!(remote["valid"], true, "{remote}");
    let draft = remote["roster_id"].as_str().expect("draft");
    let seen = get(
        &server,
        &format!("/app/rosters/{draft}/board"),
        &viewer,
        "en",
    );
    assert_eq!(seen.body.matches("data-activity=\"mdt\"").count(), 4);
    assert_eq!(
        seen.body.matches("MDT · Breast cancer MDT").count(),
        1,
        "one meeting"
    );
    assert!(seen.body.contains("pathology · by video"), "{}", seen.body);
    assert!(seen.body.contains("class=\"chip mdt remote\""));
    assert!(
        seen.body
            .contains("<span class=\"badge video\">video</span>")
    );

    let missing = get(&server, "/app/rosters/roster-nope/board", &viewer, "en");
    assert_eq!(missing.status, 404);
}

#[test]
fn a_preview_judges_a_move_and_stores_nothing_until_it_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let (scheduler, csrf) = sign_in(&server, "tok-scheduler");
    let preview = format!("/app/rosters/{roster}/edits/preview");

    // Liu Jun's Tuesday-morning clinic onto Wednesday afternoon, where he sits the MDT.
    let illegal = [
        ("op", "move"),
        ("specialist", "liu-jun"),
        ("date", "2026-03-03"),
        ("session", "am"),
        ("activity", "clinic"),
        ("to_date", "2026-03-04"),
        ("to_session", "pm"),
        ("to_room", "c-onc"),
        ("back", "view=site&site=ningde&week=0"),
    ];
    let answer = post(&server, &preview, &scheduler, &illegal, Some(&csrf));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("data-valid=\"no\""), "{}", answer.body);
    assert!(answer.body.contains("This change breaks rules"));
    let expected = judged(json!([{ "op": "move",
        "entry": { "specialist": "liu-jun", "date": "2026-03-03", "session": "am", "activity": "clinic" },
        "to": { "date": "2026-03-04", "session": "pm", "room": "c-onc" } }]));
    assert!(!expected.is_valid());
    assert!(
        answer.body.contains("One thing at a time"),
        "{}",
        answer.body
    );
    for violation in &expected.violations {
        assert!(
            answer.body.contains(&escaped(&violation.message)),
            "{}: {}",
            violation.message,
            answer.body
        );
    }
    assert_eq!(
        audit_count(&server, "roster.edit"),
        0,
        "a preview stores nothing"
    );

    // Xi's studio session from Tuesday to Wednesday morning: legal, the delta the
    // checker's (+1 wait day, +12 visiting-day cost, +20 idle sessions).
    let legal = [
        ("op", "move"),
        ("specialist", "xi-xiaowei"),
        ("date", "2026-03-03"),
        ("session", "am"),
        ("activity", "studio"),
        ("to_date", "2026-03-04"),
        ("to_session", "am"),
        ("to_room", "jc-1"),
        ("back", "view=site&site=jiaocheng&week=0"),
    ];
    let answer = post(&server, &preview, &scheduler, &legal, Some(&csrf));
    assert_eq!(answer.status, 200);
    assert!(
        answer.body.contains("data-valid=\"yes\""),
        "{}",
        answer.body
    );
    let expected = judged(json!([{ "op": "move",
        "entry": { "specialist": "xi-xiaowei", "date": "2026-03-03", "session": "am", "activity": "studio" },
        "to": { "date": "2026-03-04", "session": "am", "room": "jc-1" } }]));
    assert!(expected.is_valid());
    assert_eq!(expected.objective_delta, 33.0);
    assert!(
        answer.body.contains("<b class=\"objective-delta\">+33</b>"),
        "{}",
        answer.body
    );
    for (name, value) in [
        ("Days patients wait", "+1"),
        ("Cost of visiting days", "+12"),
        ("Idle visiting sessions", "+20"),
    ] {
        assert!(
            answer
                .body
                .contains(&format!("<td>{name}</td><td class=\"num\">{value}</td>")),
            "{name}: {}",
            answer.body
        );
    }
    assert!(answer.body.contains("Keep this change"));
    assert_eq!(audit_count(&server, "roster.edit"), 0);

    // Keeping it (htmx, as the preview's button sends it) makes a draft; the board
    // moves to it and shows the chip on Wednesday.
    let kept = post(
        &server,
        &format!("/app/rosters/{roster}/edits"),
        &scheduler,
        &legal,
        Some(&csrf),
    );
    assert_eq!(kept.status, 200, "{}", kept.body);
    let to = kept.hx_redirect.expect("HX-Redirect to the draft's board");
    let draft = draft_of(&to);
    assert_ne!(draft, roster);
    assert!(to.contains("site=jiaocheng"), "{to}");
    assert_eq!(audit_count(&server, "roster.edit"), 1);
    let board = get(&server, &to, &scheduler, "en");
    assert_eq!(board.status, 200);
    assert!(board.body.contains("Change kept"), "{}", board.body);
    assert!(
        board.body.contains(
            "data-specialist=\"xi-xiaowei\" data-date=\"2026-03-04\" data-session=\"am\" data-activity=\"studio\""
        ),
        "{}",
        board.body
    );
    assert!(
        !board.body.contains(
            "data-specialist=\"xi-xiaowei\" data-date=\"2026-03-03\" data-session=\"am\""
        )
    );
    assert!(board.body.contains("Objective: 93"), "{}", board.body);
    // The keyboard alternative: the "Move…" form previews the same way.
    let form = get(
        &server,
        &format!(
            "/app/rosters/{draft}/edits/form?specialist=xi-xiaowei&date=2026-03-04&session=am&activity=studio"
        ),
        &scheduler,
        "en",
    );
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"to_date\"") && form.body.contains("name=\"to_room\""));
    assert!(
        form.body
            .contains(&format!("hx-post=\"/app/rosters/{draft}/edits/preview\""))
    );

    // Publishing the valid draft (the API's code), then the board says so.
    let published = post(
        &server,
        &format!("/app/rosters/{draft}/publish"),
        &scheduler,
        &[("csrf", &csrf), ("back", "view=site&week=0")],
        None,
    );
    assert_eq!(published.status, 303, "{}", published.body);
    let board = get(
        &server,
        published.location.as_deref().expect("to"),
        &scheduler,
        "en",
    );
    assert!(
        board.body.contains("Published, version 1"),
        "{}",
        board.body
    );

    // An illegal change kept as a draft cannot be published: the refusal is shown.
    let kept = post(
        &server,
        &format!("/app/rosters/{roster}/edits"),
        &scheduler,
        &[&illegal[..], &[("csrf", &csrf)]].concat(),
        None,
    );
    assert_eq!(kept.status, 303, "{}", kept.body);
    let bad = draft_of(kept.location.as_deref().expect("to"));
    let board = get(
        &server,
        &format!("/app/rosters/{bad}/board"),
        &scheduler,
        "en",
    );
    assert!(board.body.contains("Broken rules"), "{}", board.body);
    let refused = post(
        &server,
        &format!("/app/rosters/{bad}/publish"),
        &scheduler,
        &[("csrf", &csrf)],
        None,
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Not published: the draft"),
        "{}",
        refused.body
    );
}

#[test]
fn checker_findings_and_unmet_reasons_read_in_chinese_on_chinese_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let (scheduler, csrf) = sign_in(&server, "tok-scheduler");

    // The illegal move of the preview test, from a Chinese browser.
    let illegal = [
        ("op", "move"),
        ("specialist", "liu-jun"),
        ("date", "2026-03-03"),
        ("session", "am"),
        ("activity", "clinic"),
        ("to_date", "2026-03-04"),
        ("to_session", "pm"),
        ("to_room", "c-onc"),
        ("back", "view=site&site=ningde&week=0"),
    ];
    let preview = format!("/app/rosters/{roster}/edits/preview");
    let answer = post_in(
        &server,
        &preview,
        &scheduler,
        &illegal,
        Some(&csrf),
        "zh-CN",
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let expected = judged(json!([{ "op": "move",
        "entry": { "specialist": "liu-jun", "date": "2026-03-03", "session": "am", "activity": "clinic" },
        "to": { "date": "2026-03-04", "session": "pm", "room": "c-onc" } }]));
    assert!(!expected.violations.is_empty());
    for violation in &expected.violations {
        let chinese = violation.text.render(&houniao::text::Chinese);
        assert_ne!(chinese, violation.message);
        assert!(
            answer.body.contains(&escaped(&chinese)),
            "{chinese}: {}",
            answer.body
        );
        assert!(!answer.body.contains(&escaped(&violation.message)));
    }
    assert!(answer.body.contains("同一时段"), "{}", answer.body);

    // Yangpu's published roster leaves two requests unmet: the board explains them
    // in Chinese, and in the roster's own English words on an English page.
    let text =
        std::fs::read_to_string(root().join("instances/yangpu-studios.toml")).expect("yangpu");
    let (status, body) = server.upload("tok-scheduler", &text);
    assert_eq!(status, 201, "{body}");
    let instance_id = body["id"].as_str().expect("id").to_string();
    let file = std::fs::read_to_string(root().join("instances/rosters/yangpu-studios.roster.json"))
        .expect("roster");
    let yangpu: Value = serde_json::from_str(&file).expect("json");
    let (status, stored) = server.call(
        "POST",
        &format!("/instances/{instance_id}/rosters"),
        Some("tok-scheduler"),
        Some(yangpu.clone()),
    );
    assert_eq!(status, 201, "{stored}");
    let board = format!(
        "/app/rosters/{}/board",
        stored["roster_id"].as_str().expect("roster")
    );
    let instance = Instance::from_toml_str(&text).expect("instance");
    let parsed: houniao::Roster = serde_json::from_value(yangpu).expect("roster");
    let shortfalls: Vec<houniao::check::Shortfall> = parsed
        .unmet
        .iter()
        .map(|u| houniao::check::Shortfall {
            kind: u.kind,
            ids: u.ids.clone(),
            week: u.week,
            missing: u.missing,
        })
        .collect();
    let reasons = houniao::reasons::explain_all_texts(&instance, &parsed, &shortfalls);
    assert_eq!(reasons.len(), 2);
    let chinese = get(&server, &board, &scheduler, "zh-CN,zh;q=0.9");
    let english = get(&server, &board, &scheduler, "en");
    for (reason, unmet) in reasons.iter().zip(&parsed.unmet) {
        let reason = reason.as_ref().expect("a reason");
        let written = escaped(&reason.render(&houniao::text::Chinese));
        assert!(
            chinese.body.contains(&written),
            "{written}: {}",
            chinese.body
        );
        assert!(!chinese.body.contains(&escaped(&unmet.reason)));
        assert!(english.body.contains(&escaped(&unmet.reason)));
    }
}

#[test]
fn a_draft_lists_what_it_changes_against_the_publication_and_whom_to_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let (status, published) = server.call(
        "POST",
        &format!("/rosters/{roster}/publish"),
        Some("tok-scheduler"),
        None,
    );
    assert_eq!(status, 201, "{published}");
    // Xi's studio session from Tuesday to Wednesday morning, kept as a draft.
    let (status, answer) = server.call(
        "POST",
        &format!("/rosters/{roster}/edits"),
        Some("tok-scheduler"),
        Some(json!({ "edits": [{ "op": "move",
            "entry": { "specialist": "xi-xiaowei", "date": "2026-03-03", "session": "am", "activity": "studio" },
            "to": { "date": "2026-03-04", "session": "am", "room": "jc-1" } }] })),
    );
    assert_eq!(status, 201, "{answer}");
    let draft = answer["roster_id"].as_str().expect("draft id").to_string();
    let board = format!("/app/rosters/{draft}/board");
    let (scheduler, _) = sign_in(&server, "tok-scheduler");
    let seen = get(&server, &board, &scheduler, "en");
    assert_eq!(seen.status, 200, "{}", seen.body);
    for wanted in [
        "Changes against publication 1",
        "Xi Xiaowei</b> · moved · Studio xi-studio",
        "Tue 3 Mar am",
        "Wed 4 Mar am",
        "Patients to call (1)",
        "<b>P-2233</b> (r-003)",
    ] {
        assert!(seen.body.contains(wanted), "{wanted}: {}", seen.body);
    }
    let chinese = get(&server, &board, &scheduler, "zh-CN");
    assert!(
        chinese.body.contains("相对已发布版本的改动：版本 1"),
        "{}",
        chinese.body
    );
    // A viewer reads the changes but not whom to call.
    let (viewer, _) = sign_in(&server, "tok-viewer");
    let viewed = get(&server, &board, &viewer, "en");
    assert!(viewed.body.contains("Changes against publication 1"));
    assert!(!viewed.body.contains("Patients to call"), "{}", viewed.body);
    // The published roster's own board has no changes panel.
    let own = get(
        &server,
        &format!("/app/rosters/{roster}/board"),
        &scheduler,
        "en",
    );
    assert!(!own.body.contains("Changes against publication"));
}

#[test]
fn pinning_a_chip_makes_a_draft_with_the_chip_pinned_and_unpinning_undoes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let (scheduler, csrf) = sign_in(&server, "tok-scheduler");
    let pin = [
        ("csrf", csrf.as_str()),
        ("op", "pin"),
        ("specialist", "zhao-path"),
        ("date", "2026-03-04"),
        ("session", "pm"),
        ("activity", "mdt"),
        ("back", "view=site&site=ningde&week=0"),
    ];
    let answer = post(
        &server,
        &format!("/app/rosters/{roster}/edits"),
        &scheduler,
        &pin,
        None,
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    let to = answer.location.expect("to the draft");
    let draft = draft_of(&to);
    let board = get(&server, &to, &scheduler, "en");
    let chip = "class=\"chip mdt pinned\"";
    assert_eq!(board.body.matches(chip).count(), 1, "{}", board.body);
    let at = board.body.find(chip).expect("pinned chip");
    assert!(board.body[at..].starts_with(&format!(
        "{chip} draggable=\"true\" tabindex=\"0\" data-specialist=\"zhao-path\""
    )));
    assert!(board.body.contains("with its own pins"), "{}", board.body);
    // The pin is a full pin of the entry.
    let (_, stored) = server.call(
        "GET",
        &format!("/rosters/{draft}"),
        Some("tok-viewer"),
        None,
    );
    assert_eq!(stored["status"], "feasible");
    // Its Unpin button sends the pin's id, which the chip carries.
    assert!(board.body.contains("hx-vals='{\"op\": \"unpin\"}'"));
    let chip_html = &board.body[at..at + board.body[at..].find('>').expect("tag end")];
    let marker = "data-pin=\"";
    let from = chip_html.find(marker).expect("the pin's id on the chip") + marker.len();
    let pin_id = &chip_html[from..from + chip_html[from..].find('"').expect("end")];
    let answer = post(
        &server,
        &format!("/app/rosters/{draft}/edits"),
        &scheduler,
        &[
            ("op", "unpin"),
            ("pin", pin_id),
            ("back", "view=site&week=0"),
        ],
        Some(&csrf),
    );
    let to = answer.hx_redirect.expect("HX-Redirect");
    let board = get(&server, &to, &scheduler, "en");
    assert!(!board.body.contains(chip), "{}", board.body);
    assert_eq!(audit_count(&server, "roster.edit"), 2);
}

#[test]
fn edits_need_the_scheduler_and_the_sessions_csrf_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let (viewer, viewer_csrf) = sign_in(&server, "tok-viewer");
    let (scheduler, csrf) = sign_in(&server, "tok-scheduler");
    let fields = [
        ("op", "pin"),
        ("specialist", "zhao-path"),
        ("date", "2026-03-04"),
        ("session", "pm"),
        ("activity", "mdt"),
    ];
    for action in ["edits", "edits/preview", "publish", "resolve"] {
        let path = format!("/app/rosters/{roster}/{action}");
        let refused = post(&server, &path, &viewer, &fields, Some(&viewer_csrf));
        assert_eq!(refused.status, 403, "{action}");
        assert!(refused.body.contains("Not for your role"), "{action}");
        let forged = post(&server, &path, &scheduler, &fields, Some("forged"));
        assert_eq!(forged.status, 403, "{action}");
        assert!(
            forged.body.contains("Form expired"),
            "{action}: {}",
            forged.body
        );
        let bare = post(&server, &path, &scheduler, &fields, None);
        assert_eq!(bare.status, 403, "{action}");
    }
    let form = get(
        &server,
        &format!(
            "/app/rosters/{roster}/edits/form?specialist=zhao-path&date=2026-03-04&session=pm"
        ),
        &viewer,
        "en",
    );
    assert_eq!(form.status, 403);
    assert_eq!(audit_count(&server, "roster.edit"), 0);
    let _ = csrf;
}

#[test]
fn re_solving_starts_a_job_and_goes_to_its_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let (scheduler, csrf) = sign_in(&server, "tok-scheduler");
    let started = post(
        &server,
        &format!("/app/rosters/{roster}/resolve"),
        &scheduler,
        &[("csrf", &csrf)],
        None,
    );
    assert_eq!(started.status, 303, "{}", started.body);
    let to = started.location.expect("to the solve page");
    let job = to.strip_prefix("/app/solves/").expect("a solve page");
    let (status, solve) = server.call("GET", &format!("/solves/{job}"), Some("tok-viewer"), None);
    assert_eq!(status, 200, "{solve}");
}

#[test]
fn the_print_view_has_one_page_per_site_week_and_no_buttons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let (_, roster) = example(&server);
    let (viewer, _) = sign_in(&server, "tok-viewer");
    let printed = get(
        &server,
        &format!("/app/rosters/{roster}/print?view=site"),
        &viewer,
        "en",
    );
    assert_eq!(printed.status, 200);
    let body = &printed.body;
    // Two sites, one week.
    assert_eq!(
        body.matches("<section class=\"print-page\">").count(),
        2,
        "{body}"
    );
    assert!(body.contains("Ningde Municipal Hospital · Week 1"));
    assert!(body.contains("Jiaocheng Community Health Centre · Week 1"));
    assert!(!body.contains("<button") && !body.contains("<form") && !body.contains("draggable"));
    assert!(body.contains("08:00 s-001"));
    let people = get(
        &server,
        &format!("/app/rosters/{roster}/print?view=specialist"),
        &viewer,
        "zh-CN",
    );
    assert_eq!(
        people
            .body
            .matches("<section class=\"print-page\">")
            .count(),
        6
    );
    // The stylesheet prints on A4, a page per section.
    let css_at = body.find("board.css").expect("the board's stylesheet");
    let start = body[..css_at].rfind("href=\"").expect("href") + 6;
    let css = get(
        &server,
        &body[start..css_at + "board.css".len()],
        &viewer,
        "en",
    );
    assert!(css.body.contains("@page { size: A4"), "{}", css.body);
    assert!(css.body.contains("page-break-after: always"));
}

/// The Beilun board's server time (run by hand, not asserted; docs/performance.md § Web
/// app): `cargo test -p houniao-service --test web_board -- --ignored --nocapture`.
#[test]
#[ignore]
fn beilun_board_render_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let text =
        std::fs::read_to_string(root().join("instances/beilun-oncology.toml")).expect("beilun");
    let (status, body) = server.upload("tok-scheduler", &text);
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    let roster: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("instances/rosters/beilun-oncology.roster.json"))
            .expect("roster"),
    )
    .expect("json");
    let sites: Vec<String> = {
        let instance =
            Instance::from_path(&root().join("instances/beilun-oncology.toml")).expect("ok");
        instance.sites.iter().map(|s| s.id.clone()).collect()
    };
    let (status, stored) = server.call(
        "POST",
        &format!("/instances/{id}/rosters"),
        Some("tok-scheduler"),
        Some(roster),
    );
    assert_eq!(status, 201, "{stored}");
    let roster = stored["roster_id"].as_str().expect("roster").to_string();
    let (scheduler, _) = sign_in(&server, "tok-scheduler");
    let views: Vec<String> = sites
        .iter()
        .map(|s| format!("view=site&site={s}&week=0"))
        .chain(std::iter::once("view=specialist&week=0".to_string()))
        .collect();
    // Untimed warm-up, then 40 rounds of every view.
    for view in &views {
        get(
            &server,
            &format!("/app/rosters/{roster}/board?{view}"),
            &scheduler,
            "zh-CN",
        );
    }
    let warm = server.log().lines().count();
    let mut sizes = Vec::new();
    for _ in 0..40 {
        for view in &views {
            let page = get(
                &server,
                &format!("/app/rosters/{roster}/board?{view}"),
                &scheduler,
                "zh-CN",
            );
            assert_eq!(page.status, 200);
            sizes.push(page.body.len());
        }
    }
    // The server's own time per request, from its log lines.
    let log = server.log();
    let mut site = Vec::new();
    let mut people = Vec::new();
    let board_lines = log
        .lines()
        .skip(warm)
        .filter(|l| l.contains("/app/rosters/{id}/board"));
    for (k, line) in board_lines.enumerate() {
        let Some(at) = line.find("latency_ms=") else {
            continue;
        };
        let value: String = line[at + 11..]
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.')
            .take_while(|_| true)
            .collect();
        let Ok(ms) = value.trim_end_matches('.').parse::<f64>() else {
            continue;
        };
        if k % views.len() == views.len() - 1 {
            people.push(ms);
        } else {
            site.push(ms);
        }
    }
    let report = |name: &str, mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() as f64 - 1.0) * q).round() as usize];
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        println!(
            "{name}: {} requests, mean {mean:.2} ms, p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
            values.len(),
            at(0.5),
            at(0.9),
            at(0.99),
            at(1.0)
        );
    };
    report("site-week", site.clone());
    report("people-week", people.clone());
    report("all", [site, people].concat());
    sizes.sort_unstable();
    println!(
        "page sizes: {} to {} bytes",
        sizes[0],
        sizes[sizes.len() - 1]
    );
}
