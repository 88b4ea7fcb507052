//! Contract tests: the OpenAPI document (`/openapi.json`) against the real service, as
//! an integrator generating a client from it would find it. Schemathesis (version
//! pinned in `service/tests/contract/requirements.txt`) runs every check (`--checks
//! all`: undocumented status codes, response bodies against their schemas, requests
//! the schema allows but the server refuses and the other way round, authentication,
//! use after delete, …) in each phase (the document's examples, boundary coverage,
//! fuzzing, and stateful sequences along the document's links) against `houniao serve`
//! with Ningde uploaded and its shipped roster published. Any failure fails the test.
//!
//! Schemathesis lives in a virtual environment, `target/contract-venv` (`./dev test`
//! creates it). Without it the test fails, unless `HOUNIAO_SKIP_CONTRACT=1` lets it
//! skip outside CI. docs/testing.md § Contract tests.

#[allow(dead_code)] // each test crate uses its own part of the helpers
mod common;
#[allow(dead_code)]
#[path = "common/server.rs"]
mod harness;

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use harness::Server;

/// The `schemathesis` command of the contract virtual environment, or `None` when it
/// is missing and may be skipped (a developer's machine with `HOUNIAO_SKIP_CONTRACT=1`);
/// missing otherwise (in CI always) is a failure.
fn schemathesis() -> Option<PathBuf> {
    let venv = std::env::var_os("HOUNIAO_CONTRACT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("target/contract-venv"));
    let command = venv.join("bin/schemathesis");
    if command.is_file() {
        return Some(command);
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let may_skip = std::env::var("HOUNIAO_SKIP_CONTRACT").is_ok_and(|v| v == "1");
    let install = format!(
        "python3 -m venv {venv} && {venv}/bin/pip install -r service/tests/contract/requirements.txt (./dev test does it)",
        venv = venv.display()
    );
    if may_skip && !in_ci {
        // Straight to the process's stderr: the test harness captures eprintln!.
        let notice = format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! CONTRACT TESTS SKIPPED: no {}.\n\
             !!! HOUNIAO_SKIP_CONTRACT=1 allowed it; the OpenAPI document was NOT\n\
             !!! tested against the service. Install with:\n\
             !!! {install}\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
            command.display()
        );
        let _ = std::io::stderr().write_all(notice.as_bytes());
        return None;
    }
    panic!(
        "the contract tests need schemathesis at {}: {install}; \
         HOUNIAO_SKIP_CONTRACT=1 skips them outside CI",
        command.display()
    );
}

#[test]
fn the_openapi_document_holds_against_the_running_service() {
    let Some(schemathesis) = schemathesis() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    // Short solves, one at a time on one thread: fuzzed solve and what-if requests
    // must not starve the rest of the run.
    let server = Server::start_with_solver(
        dir.path(),
        "",
        "default_time_limit = 1.0\nmax_time_limit = 1.0\nmax_concurrent = 1\nthreads = 1",
    );
    let ningde = server.publish_roster(
        "instances/ningde-regional.toml",
        "instances/rosters/ningde-regional.roster.json",
        None,
    );
    // A booking, so that the bookings, the waitlist and the audit log have real rows.
    let (status, booked) = server.call(
        "POST",
        &format!("/instances/{ningde}/bookings"),
        Some("tok-agent"),
        Some(serde_json::json!({
            "patient": "P-contract",
            "discipline": "medical-oncology",
            "earliest": "2026-03-02",
            "latest": "2026-03-06",
        })),
    );
    assert_eq!(status, 201, "{booked}");

    let report = dir.path().join("report");
    let config = common::root().join("service/tests/contract/schemathesis.toml");
    let output = Command::new(&schemathesis)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(format!("{}/openapi.json", server.url))
        .args(["--header", "Authorization: Bearer tok-admin"])
        .args(["--checks", "all"])
        // `DELETE /solves/{job}` and `DELETE /whatif/jobs/{job}` cancel a job, which
        // stays readable (`status` `cancelled`, its best roster kept), as documented;
        // `use_after_free` wants a 404 from `GET` after a `DELETE` of the same path.
        // They are the only such paths (bookings, waitlist entries and feed keys are
        // deleted on paths nothing reads), so the check has nothing else to judge.
        .args(["--exclude-checks", "use_after_free"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", "25", "--seed", "17"])
        .args(["--generation-database", "none"])
        // One worker: Hypothesis is not safe with several threads here (Python 3.11's
        // parser fails under concurrent lambda descriptions), and the machine is small.
        .args(["--workers", "1", "--request-timeout", "60"])
        .args(["--no-color", "--report", "junit", "--report-dir"])
        .arg(&report)
        // Hypothesis keeps its files under the working directory.
        .current_dir(dir.path())
        .output()
        .expect("runs schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found failures (exit {:?}):\n{stdout}\n--- stderr\n{stderr}\n--- server log (tail)\n{}",
        output.status.code(),
        tail(&server.log(), 40)
    );
    // The run reached the service: it tested operations, not an empty document.
    assert!(stdout.contains("passed"), "{stdout}");
    println!("{stdout}");

    // Every example of the document (the recorded real answers, api/examples.rs, and
    // the schemas' own) holds to its schema.
    let python = schemathesis.with_file_name("python");
    let examples = Command::new(&python)
        .arg(common::root().join("service/tests/contract/examples.py"))
        .arg(format!("{}/openapi.json", server.url))
        .output()
        .expect("runs examples.py");
    let stdout = String::from_utf8_lossy(&examples.stdout);
    assert!(
        examples.status.success(),
        "examples that do not hold to their schemas:\n{stdout}\n{}",
        String::from_utf8_lossy(&examples.stderr)
    );
    println!("{stdout}");
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
