//! The week in the browser, as the people do it: the scheduler uploads the
//! Ningde network, solves it and watches the figures until the roster is made, opens
//! the board, pins an MDT meeting, tries to drag a clinic onto a slot where the
//! specialist is busy (the board does not offer it; the "Move…" form asks anyway and
//! the answer is red), makes a legal move by dragging and keeps it, publishes; then the
//! call centre books a patient with a named expert on the published roster; a planner
//! runs two shipped scenarios against it and reads the key figures side by side.

use serde_json::Value;

use crate::board::{MARK_BUSY, MARK_LEGAL, drag_marked};
use crate::common::root;
use crate::driver::Browser;

/// Where the board's screenshot goes: always under the target directory, and into
/// docs/board.png when `HOUNIAO_UPDATE_SCREENSHOTS=1`.
fn save_screenshot(png: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join("board.png"), png).expect("screenshot");
    if std::env::var("HOUNIAO_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(root().join("docs/board.png"), png).expect("docs/board.png");
    }
}

pub async fn plan_edit_publish_and_book(browser: &mut Browser) {
    browser.sign_in("tok-scheduler").await;

    // Upload: the file chosen in the form is read into it by the page, then sent.
    browser
        .find("nav a[href='/app/instances']")
        .await
        .click()
        .await
        .expect("nav");
    browser.wait_for_path("/app/instances").await;
    let file = root().join("instances/ningde-regional.toml");
    browser
        .find("input#instance-file")
        .await
        .send_keys(file.to_str().expect("utf-8 path"))
        .await
        .expect("chooses the file");
    browser
        .wait_until(
            "the chosen file is in the form",
            "return document.getElementById('instance-text').value.includes('[[specialists]]')",
        )
        .await;
    browser
        .find("#upload button[type=submit]")
        .await
        .click()
        .await
        .expect("uploads");
    browser
        .wait_until(
            "the instance's page",
            "return location.pathname.startsWith('/app/instances/')",
        )
        .await;
    browser.wait_for_text("ningde-regional").await;

    // Solve, and watch the live figures until the roster is made.
    let limit = browser.find("input#time-limit").await;
    limit.clear().await.expect("clears");
    limit.send_keys("5").await.expect("types");
    browser
        .find("#solve button[type=submit]")
        .await
        .click()
        .await
        .expect("solves");
    browser
        .wait_until(
            "the solve's page",
            "return location.pathname.startsWith('/app/solves/')",
        )
        .await;
    browser
        .wait_until(
            "live figures or the outcome",
            "const e = document.querySelector('[data-figure=elapsed]');\
             return document.getElementById('outcome') !== null\
                 || (e !== null && e.textContent.trim() !== '' && e.textContent.trim() !== '–' && Number(e.textContent) > 0)",
        )
        .await;
    let open_board = browser.find("#outcome a.button").await;
    let outcome = browser.text().await;
    assert!(outcome.contains("done"), "{outcome}");
    assert!(outcome.contains("Objective"), "{outcome}");
    open_board.click().await.expect("opens the board");

    // The board: a site-week of rooms × slots.
    browser.find("#board table.board-grid .chip").await;
    browser.wait_for_text("Roster board").await;
    save_screenshot(&browser.screenshot().await);
    let roster = browser
        .script(
            "return document.getElementById('board').dataset.roster",
            vec![],
        )
        .await;

    // Pin an MDT meeting, on the site that holds one.
    let roster = roster.as_str().expect("roster id").to_string();
    let sites = browser
        .script(
            "return [...document.querySelectorAll('select[name=site] option')].map(o => o.value)",
            vec![],
        )
        .await;
    let mut found = false;
    for site in sites.as_array().into_iter().flatten() {
        let site = site.as_str().unwrap_or_default();
        browser
            .open(&format!(
                "/app/rosters/{roster}/board?view=site&site={site}&week=0"
            ))
            .await;
        browser.find("#board").await;
        let marked = browser
            .script(
                "const b = [...document.querySelectorAll('.chip[data-activity=mdt]:not(.pinned) .chip-actions button:not(.move)')]\
                   .find(b => b.textContent.trim() === 'Pin');\
                 if (!b) return false;\
                 b.setAttribute('data-test-pick', 'pin');\
                 return true;",
                vec![],
            )
            .await;
        if marked == Value::Bool(true) {
            found = true;
            break;
        }
    }
    let kinds = browser
        .script(
            "return [...document.querySelectorAll('.chip')].map(c => c.dataset.activity).join(' ')",
            vec![],
        )
        .await;
    assert!(found, "an MDT meeting to pin on one of {sites}: {kinds}");
    browser
        .find("button[data-test-pick=pin]")
        .await
        .click()
        .await
        .expect("pins");
    browser.find(".chip.mdt.pinned").await;
    browser.wait_for_text("Draft (not published)").await;
    // The moves are made on everyone's week (specialists × slots).
    let draft = browser
        .script(
            "return document.getElementById('board').dataset.roster",
            vec![],
        )
        .await;
    assert_ne!(
        draft.as_str(),
        Some(roster.as_str()),
        "pinning made a draft"
    );
    browser
        .open(&format!(
            "/app/rosters/{}/board?view=specialist&week=0",
            draft.as_str().expect("draft id")
        ))
        .await;
    browser.find("#board .chip").await;

    // A clinic dragged onto a slot where its specialist is busy: the board does not
    // offer that cell, and nothing is proposed.
    let busy = browser.script(MARK_BUSY, vec![]).await;
    assert!(
        busy.is_object(),
        "a clinic and a busy slot of its specialist"
    );
    let offered = drag_marked(browser).await;
    assert!(!offered, "the board offered a slot where {busy} is busy");
    assert!(browser.find_all("#preview .preview").await.is_empty());
    // The "Move…" form asks the library anyway: the answer is red, and says why.
    browser
        .find(".chip[data-test-pick=chip] button.move")
        .await
        .click()
        .await
        .expect("Move…");
    let form = browser.find("#preview form.move-form").await;
    form.find(fantoccini::Locator::Css("select[name=to_date]"))
        .await
        .expect("date")
        .select_by_value(busy["to_date"].as_str().expect("date"))
        .await
        .expect("picks the date");
    form.find(fantoccini::Locator::Css("select[name=to_session]"))
        .await
        .expect("session")
        .select_by_value(busy["to_session"].as_str().expect("session"))
        .await
        .expect("picks the session");
    browser
        .find("#preview form.move-form button[type=submit]")
        .await
        .click()
        .await
        .expect("previews");
    let verdict = browser.find("#preview .preview.bad h3").await;
    assert_eq!(
        verdict.text().await.expect("text"),
        "This change breaks rules"
    );
    browser.wait_for_text("One thing at a time").await;
    let red = browser
        .script(
            "const [r, g, b] = getComputedStyle(document.querySelector('#preview .preview.bad h3'))\
               .color.match(/\\d+/g).map(Number);\
             return r > 120 && r > 2 * g && r > 2 * b;",
            vec![],
        )
        .await;
    assert_eq!(red, Value::Bool(true), "the verdict is shown in red");
    browser
        .find("#preview [data-board-discard]")
        .await
        .click()
        .await
        .expect("discards");

    // A legal move, by dragging: green, kept as a new draft.
    let legal = browser.script_async(MARK_LEGAL).await;
    assert!(
        legal["specialist"].is_string(),
        "no legal clinic move among {} tried",
        legal["tried"]
    );
    assert!(drag_marked(browser).await, "the board offers the free cell");
    let verdict = browser.find("#preview .preview.good h3").await;
    assert_eq!(
        verdict.text().await.expect("text"),
        "This change breaks no rule"
    );
    browser.find(".chip.proposed.good").await;
    browser
        .find("#preview .preview form button[type=submit]")
        .await
        .click()
        .await
        .expect("keeps it");
    browser.wait_for_text("Change kept").await;

    // Publishing the draft: the call centre books against it from now on.
    browser
        .find("form[action$='/publish'] button[type=submit]")
        .await
        .click()
        .await
        .expect("publishes");
    browser.wait_for_text("Published. The call centre").await;
    browser.wait_for_text("Published, version 1").await;
    browser.sign_out().await;

    // The call centre: a patient asks for a named expert.
    browser.sign_in("tok-agent").await;
    browser
        .find("nav a[href='/app/desk']")
        .await
        .click()
        .await
        .expect("nav");
    if browser.find_all("#desk-search").await.is_empty() {
        browser
            .find("form.desk-pick button[type=submit]")
            .await
            .click()
            .await
            .expect("opens the instance");
    }
    browser.find("#desk-search").await;
    let experts = browser
        .script(
            "return [...document.querySelectorAll('#desk-experts option')].map(o => o.value)",
            vec![],
        )
        .await;
    let experts: Vec<String> = experts
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert!(!experts.is_empty(), "the desk lists the experts");
    let mut booked = None;
    for expert in experts.iter().take(8) {
        let patient = browser.find("input#patient").await;
        patient.clear().await.expect("clears");
        patient.send_keys("Wang Fang").await.expect("types");
        let field = browser.find("input#expert").await;
        field.clear().await.expect("clears");
        field.send_keys(expert).await.expect("types");
        browser
            .find("#desk-search button[type=submit]")
            .await
            .click()
            .await
            .expect("searches");
        browser
            .wait_until(
                "the search's answer",
                "const r = document.getElementById('desk-result');\
                 return r !== null && r.children.length > 0 && !r.classList.contains('htmx-request')",
            )
            .await;
        let options = browser.find_all("#desk-result button[data-option]").await;
        if let Some(first) = options.first() {
            first.click().await.expect("books");
            browser.wait_for_text("Booked:").await;
            booked = Some(expert.clone());
            break;
        }
        browser
            .script(
                "document.getElementById('desk-result').innerHTML = ''",
                vec![],
            )
            .await;
    }
    let expert = booked.expect("one of the first experts has a place");
    let id = browser
        .find("#desk-result .desk-id")
        .await
        .text()
        .await
        .expect("id");
    assert!(!id.is_empty(), "a booking id for {expert}");

    // The planner's pages are not for the call centre: the 403 page.
    browser.open("/app/whatif").await;
    browser.wait_for_text("Not for your role").await;
    assert_eq!(browser.status_of("/app/whatif").await, Some(403));
}

/// The planner's turn, on the instance the story uploaded and published: the what-if
/// page, two shipped scenarios ticked, a short time limit, and the job's page followed
/// until it is done — the key figures side by side (the base and both scenarios) and
/// the charts.
pub async fn run_two_scenarios(browser: &mut Browser) {
    browser.open("/app/").await;
    browser.sign_out().await;
    browser.sign_in("tok-planner").await;
    browser
        .find("nav a[href='/app/whatif']")
        .await
        .click()
        .await
        .expect("nav");
    browser.wait_for_path("/app/whatif").await;
    // The only instance is chosen already; its shipped scenarios are offered.
    browser.find("#whatif-form").await;
    for scenario in ["ningde-theatre-closed", "ningde-extra-oncologist"] {
        let tick = browser.find(&format!("input#shipped-{scenario}")).await;
        if !tick.is_selected().await.expect("checked state") {
            tick.click().await.expect("ticks");
        }
    }
    let limit = browser.find("input#whatif-time").await;
    limit.clear().await.expect("clears");
    limit.send_keys("5").await.expect("types");
    browser
        .find("#whatif-form button[type=submit]")
        .await
        .click()
        .await
        .expect("runs");
    browser
        .wait_until(
            "the job's page",
            "return location.pathname.startsWith('/app/whatif/jobs/')",
        )
        .await;
    // The page follows the job (htmx, every second) until every case is solved.
    browser
        .wait_until(
            "the job is done",
            "return document.querySelector('#whatif-live [data-status=\"whatif.job.done\"]') !== null",
        )
        .await;
    let cases = browser.find("#whatif-live .whatif-cases").await;
    let cases = cases.text().await.expect("text");
    assert!(
        browser
            .find_all("#whatif-live .whatif-cases .error")
            .await
            .is_empty(),
        "every case solved: {cases}"
    );
    let columns = browser
        .script(
            "return [...document.querySelectorAll('table.whatif-kpis thead th')].map(t => t.textContent.trim())",
            vec![],
        )
        .await;
    assert_eq!(
        columns,
        serde_json::json!([
            "Key figure",
            "base",
            "ningde: one more oncologist",
            "ningde: theatre or-1 closed"
        ]),
        "the table's columns (the scenarios in the form's order)"
    );
    let rows = browser
        .script(
            "return [...document.querySelectorAll('table.whatif-kpis tbody tr')].map(r => r.querySelectorAll('td').length)",
            vec![],
        )
        .await;
    let rows = rows.as_array().cloned().unwrap_or_default();
    assert!(rows.len() >= 5, "key figures: {rows:?}");
    assert!(
        rows.iter().all(|cells| cells == 3),
        "a value per column in every row: {rows:?}"
    );
    let charts = browser.find_all(".whatif-charts figure svg").await;
    assert!(!charts.is_empty(), "the charts are drawn");
    browser.find(".whatif-charts svg rect").await;
}
