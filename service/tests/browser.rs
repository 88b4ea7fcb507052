//! The web app in a real browser: headless Chromium driven over WebDriver
//! (chromedriver, fantoccini) against the real `houniao serve`. A person's steps —
//! signing in through the form, switching language, reading the API documentation,
//! signing out — and after every story the check that no page asked another host for
//! anything (Chromium's performance log). docs/web.md § Browser tests.
//!
//! Chromium and chromedriver come from Debian (`./dev test` installs them). Without
//! them these tests fail, unless `HOUNIAO_SKIP_BROWSER=1` lets them skip outside CI.

#[path = "browser/board.rs"]
mod board;
#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "browser/driver.rs"]
mod driver;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;
#[path = "browser/story.rs"]
mod story;

use driver::Browser;
use harness::Server;

/// One browser at a time: the machine has two cores and each story is sequential.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduler_signs_in_switches_language_reads_the_api_docs_and_signs_out() {
    if !driver::available() {
        return;
    }
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let mut browser = Browser::start(&server.url).await;

    // Not signed in: the app sends the person to the sign-in form.
    browser.open("/app/").await;
    browser.wait_for_path("/app/login").await;
    browser.find("input#token").await;

    // A wrong token is refused on the form.
    let field = browser.find("input#token").await;
    field.send_keys("not-a-token").await.expect("types");
    browser
        .find("form[action='/app/login'] button[type=submit]")
        .await
        .click()
        .await
        .expect("submits");
    browser.find("p.error[role=alert]").await;

    // Signing in through the form: the home page names the user and the role.
    browser.sign_in("tok-scheduler").await;
    browser.wait_for_path("/app/").await;
    let home = browser.text().await;
    assert!(home.contains("scheduler-user"), "{home}");
    assert!(home.contains("scheduler"), "{home}");

    // The language switch: the same page in Chinese, remembered on the next page.
    let lang = browser
        .script("return document.documentElement.lang", vec![])
        .await;
    assert_eq!(lang, "en", "Chromium asks for English (--lang=en-US)");
    browser
        .find("a.lang")
        .await
        .click()
        .await
        .expect("switches");
    browser
        .wait_until(
            "the page is in Chinese",
            "return document.documentElement.lang === 'zh-CN'",
        )
        .await;
    let chinese = browser.wait_for_text("排班员").await;
    assert!(chinese.contains("退出"), "{chinese}");
    browser.open("/app/").await;
    browser.wait_for_text("当前用户").await;
    // And back to English.
    browser
        .find("a.lang")
        .await
        .click()
        .await
        .expect("switches");
    browser
        .wait_until(
            "the page is in English",
            "return document.documentElement.lang === 'en'",
        )
        .await;
    browser.wait_for_text("Signed in as").await;

    // The API documentation: Swagger UI renders the operations from /openapi.json.
    browser.open("/docs").await;
    browser.find("#swagger-ui .opblock").await;
    let operations = browser.find_all("#swagger-ui .opblock").await;
    assert!(
        operations.len() >= 10,
        "Swagger UI shows {} operations",
        operations.len()
    );
    browser.wait_for_text("/instances").await;
    let requests = browser.requests().await;
    assert!(
        requests.iter().any(|u| u.ends_with("/openapi.json")),
        "Swagger UI read the service's own document: {requests:#?}"
    );

    // Signing out ends the session: the app asks for the token again.
    browser.open("/app/").await;
    browser.sign_out().await;
    browser.wait_for_text("You are signed out").await;
    browser.open("/app/").await;
    browser.wait_for_path("/app/login").await;

    let count = browser.assert_only_origin().await;
    assert!(count > 5, "the log saw the pages' requests ({count})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_opening_an_unknown_page_sees_the_404_page() {
    if !driver::available() {
        return;
    }
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let mut browser = Browser::start(&server.url).await;
    browser.sign_in("tok-viewer").await;
    browser.wait_for_text("viewer-user").await;

    browser.open("/app/no-such-page").await;
    let text = browser.wait_for_text("There is no such page.").await;
    assert!(text.contains("Not found"), "{text}");
    assert_eq!(browser.status_of("/app/no-such-page").await, Some(404));
    // The page is the app's, with a way home.
    browser.find("main a[href='/app/']").await;
    browser.assert_only_origin().await;

    // The check would see a request to another host: one made here on purpose (to
    // another loopback origin, where nothing answers) shows in the log.
    let probe = "http://localhost:9/probe.png";
    browser
        .script(
            "const i = new Image(); i.src = arguments[0]; document.body.appendChild(i);",
            vec![probe.into()],
        )
        .await;
    let deadline = std::time::Instant::now() + driver::PATIENCE;
    while !browser.requests().await.iter().any(|u| u == probe) {
        assert!(
            std::time::Instant::now() < deadline,
            "the performance log never showed {probe}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_planned_edited_published_booked_then_two_scenarios_compared() {
    if !driver::available() {
        return;
    }
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start_in(dir.path(), "");
    let mut browser = Browser::start(&server.url).await;
    story::plan_edit_publish_and_book(&mut browser).await;
    story::run_two_scenarios(&mut browser).await;
    browser.assert_only_origin().await;
}
