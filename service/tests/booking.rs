//! The call-centre commands run as agents run them: search → book → cancel against a
//! ledger file, agents racing in separate processes for the last places, the waitlist
//! exported into next week's instance and validated, urgent MDT convening, and clear
//! errors for bad input.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{houniao, root, text};

const EXAMPLE: &str = "instances/example-week.toml";
const ROSTER: &str = "solver/tests/data/roster.example.json";

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `houniao book` of one patient into a given option.
fn book_args<'a>(ledger: &'a str, patient: &'a str, option: &'a str) -> Vec<&'a str> {
    vec![
        "book",
        EXAMPLE,
        ROSTER,
        "--book",
        ledger,
        "--patient",
        patient,
        "--specialist",
        "liu-jun",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-06",
        "--option",
        option,
    ]
}

#[test]
fn an_agent_searches_books_lists_and_cancels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("book.json");
    let ledger = path(&ledger);
    let search = [
        "search",
        EXAMPLE,
        ROSTER,
        "--book",
        ledger,
        "--specialist",
        "liu-jun",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-06",
    ];
    let output = houniao(&search);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = stdout(&output);
    assert!(out.contains("5 option(s)"), "{out}");
    assert!(out.contains("liu-jun@2026-03-03:am"), "{out}");
    assert!(out.contains("14/15"), "{out}");

    let book = [
        "book",
        EXAMPLE,
        ROSTER,
        "--book",
        ledger,
        "--patient",
        "P-3001",
        "--specialist",
        "liu-jun",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-06",
    ];
    let output = houniao(&book);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        stdout(&output).trim(),
        "booked b-0001: Liu Jun on Tue 2026-03-03 am at Ningde Municipal Hospital (ningde, room c-onc); 13 of 15 place(s) left"
    );
    let output = houniao(&search);
    assert!(stdout(&output).contains("13/15"), "{}", text(&output));

    let output = houniao(&[
        "bookings",
        EXAMPLE,
        ROSTER,
        "--book",
        ledger,
        "--session",
        "liu-jun@2026-03-03:am",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = stdout(&output);
    assert!(out.starts_with("2 active booking(s)"), "{out}");
    assert!(out.contains("r-001") && out.contains("b-0001"), "{out}");

    let output = houniao(&["cancel", EXAMPLE, ROSTER, "--book", ledger, "b-0001"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        stdout(&output).trim(),
        "cancelled b-0001: liu-jun@2026-03-03:am has 14 place(s) left"
    );
    let output = houniao(&["cancel", EXAMPLE, ROSTER, "--book", ledger, "b-0001"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("already cancelled"),
        "{}",
        text(&output)
    );

    // The ledger is plain JSON with the booking and its cancellation.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ledger).expect("ledger")).expect("json");
    assert_eq!(saved["bookings"][0]["id"], "b-0001");
    assert!(saved["bookings"][0]["cancelled_at"].is_string());
}

#[test]
fn agents_racing_in_separate_processes_never_overbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("book.json");
    let ledger = path(&ledger);
    let option = "liu-jun@2026-03-03:am";
    // 14 places after the roster's r-001: leave 3.
    for n in 0..11 {
        let patient = format!("P-{n}");
        let output = houniao(&book_args(ledger, &patient, option));
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let agents: Vec<std::process::Child> = (0..20)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_houniao"))
                .args(book_args(ledger, &format!("P-race-{n}"), option))
                .args(["--format", "json"])
                .current_dir(root())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawns")
        })
        .collect();
    let outputs: Vec<Output> = agents
        .into_iter()
        .map(|child| child.wait_with_output().expect("finishes"))
        .collect();
    let won = outputs
        .iter()
        .filter(|o| o.status.code() == Some(0))
        .count();
    let taken = outputs
        .iter()
        .filter(|o| o.status.code() == Some(1) && stdout(o).contains("\"error\": \"taken\""))
        .count();
    assert_eq!(
        (won, taken),
        (3, 17),
        "{}",
        outputs.iter().map(text).collect::<String>()
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ledger).expect("ledger")).expect("json");
    assert_eq!(saved["bookings"].as_array().expect("list").len(), 14);
}

#[test]
fn the_waitlist_exports_into_next_weeks_instance_and_validates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("book.json");
    let ledger = path(&ledger);
    let wanted = |patient: &str| {
        vec![
            "book".to_string(),
            EXAMPLE.into(),
            ROSTER.into(),
            "--book".into(),
            ledger.into(),
            "--patient".into(),
            patient.into(),
            "--discipline".into(),
            "gynecology".into(),
            "--from".into(),
            "2026-03-04".into(),
            "--to".into(),
            "2026-03-06".into(),
            "--site".into(),
            "jiaocheng".into(),
            "--or-waitlist".into(),
        ]
    };
    let args = wanted("P-5001");
    let output = houniao(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("waitlisted as w-0001"),
        "{}",
        text(&output)
    );

    let output = houniao(&["waitlist", "list", "--book", ledger]);
    assert!(
        stdout(&output).starts_with("1 request(s) waiting"),
        "{}",
        text(&output)
    );

    let fragment = houniao(&["waitlist", "export", "--book", ledger]);
    assert_eq!(fragment.status.code(), Some(0), "{}", text(&fragment));
    let exported: toml::Table = toml::from_str(&stdout(&fragment)).expect("TOML");
    let requests = exported["requests"].as_array().expect("requests");
    assert_eq!(requests[0]["id"].as_str(), Some("w-0001"));
    assert_eq!(requests[0]["discipline"].as_str(), Some("gynecology"));

    let next = dir.path().join("next-week.toml");
    let output = houniao(&[
        "waitlist",
        "export",
        "--book",
        ledger,
        "--into",
        EXAMPLE,
        "-o",
        path(&next),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = houniao(&["validate", path(&next)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stdout(&output).contains("4 requests"), "{}", text(&output));
    // The merged file keeps the base's comments.
    let merged = std::fs::read_to_string(&next).expect("merged");
    assert!(
        merged.starts_with("# A small but complete instance"),
        "{merged}"
    );

    let output = houniao(&["waitlist", "remove", "--book", ledger, "w-0001"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = houniao(&["waitlist", "remove", "--book", ledger, "w-0001"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
}

#[test]
fn convene_names_the_slot_and_who_joins() {
    let output = houniao(&[
        "convene",
        EXAMPLE,
        ROSTER,
        "--board",
        "breast-mdt",
        "--from",
        "2026-03-02",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = stdout(&output);
    assert!(
        out.contains("1. Wed 2026-03-04 pm in mdt-1 (the board already meets: add the case)"),
        "{out}"
    );
    assert!(
        out.contains("pathology: Zhao (pathologist) (zhao-path)"),
        "{out}"
    );
    let output = houniao(&[
        "convene",
        EXAMPLE,
        ROSTER,
        "--board",
        "breast-mdt",
        "--from",
        "2026-03-05",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("0 slot(s) found"),
        "{}",
        text(&output)
    );
    let output = houniao(&[
        "convene",
        EXAMPLE,
        ROSTER,
        "--board",
        "breast-mdtt",
        "--from",
        "2026-03-02",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(
        stdout(&output).trim(),
        "unknown MDT board \"breast-mdtt\" (did you mean \"breast-mdt\"?)"
    );
}

#[test]
fn bad_requests_get_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let search = |extra: &[&str]| {
        let mut args = vec!["search", EXAMPLE, ROSTER];
        args.extend_from_slice(extra);
        houniao(&args)
    };
    let output = search(&[
        "--specialist",
        "liu-jnu",
        "--from",
        "2026-03-06",
        "--to",
        "2026-03-02",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(
        stdout(&output),
        "invalid request: 2 problem(s)\n  specialist: unknown specialist \"liu-jnu\" (did you mean \"liu-jun\"?)\n  latest: the window ends (2026-03-02) before it starts (2026-03-06)\n"
    );
    // Neither an expert nor a discipline, or a malformed date: usage errors.
    for bad in [
        &["--from", "2026-03-02", "--to", "2026-03-06"][..],
        &[
            "--specialist",
            "liu-jun",
            "--from",
            "2026-3-2",
            "--to",
            "2026-03-06",
        ][..],
    ] {
        let output = search(bad);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    }
    // A corrupt ledger is reported with its path, and left alone.
    let ledger = dir.path().join("book.json");
    std::fs::write(&ledger, "{ not json").expect("write");
    let output = houniao(&book_args(path(&ledger), "P-1", "liu-jun@2026-03-03:am"));
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not a booking ledger"),
        "{}",
        text(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&ledger).expect("kept"),
        "{ not json"
    );
    // A roster that is not the instance's.
    let output = houniao(&[
        "search",
        "instances/ningde-regional.toml",
        ROSTER,
        "--discipline",
        "urology",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-06",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(
        stdout(&output).trim(),
        "the roster is for instance \"example-week\", not \"ningde-regional\""
    );
}

#[test]
fn the_shipped_rosters_pass_check() {
    for name in [
        "ningde-regional",
        "beilun-oncology",
        "yangpu-studios",
        "fenghua-county",
        "xuhui-screening",
    ] {
        let instance = format!("instances/{name}.toml");
        let roster = format!("instances/rosters/{name}.roster.json");
        let output = houniao(&["check", &instance, &roster]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
    }
}

/// The example with 14 of Liu Jun's 15 places held for Jiaocheng's referrals, released a
/// day ahead.
fn pooled_example(dir: &Path) -> String {
    let text = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    let pooled = text.replace(
        "[weights]",
        "[[pools]]\nid = \"liu-referrals\"\nspecialist = \"liu-jun\"\nplaces = 14\nfor = [\"jiaocheng\"]\nrelease_hours = 24\n\n[weights]",
    );
    let file = dir.join("pooled.toml");
    std::fs::write(&file, pooled).expect("write");
    path(&file).to_string()
}

#[test]
fn referrals_see_held_places_and_the_clock_releases_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let instance = pooled_example(dir.path());
    // Liu Jun's Wednesday-morning session, with these flags.
    let run = |extra: &[&str]| {
        let mut args = vec![
            "search",
            instance.as_str(),
            ROSTER,
            "--specialist",
            "liu-jun",
            "--from",
            "2026-03-04",
            "--to",
            "2026-03-04",
        ];
        args.extend_from_slice(extra);
        houniao(&args)
    };
    let search = |extra: &[&str]| {
        let output = run(extra);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        stdout(&output)
    };
    // Before release a walk-in may take the one general place, Jiaocheng's referral all 15.
    let walk_in = search(&["--at", "2026-03-01T08:00:00"]);
    assert!(walk_in.contains("1/15"), "{walk_in}");
    let referral = search(&["--at", "2026-03-01T08:00", "--referred-by", "jiaocheng"]);
    assert!(referral.contains("15/15"), "{referral}");
    // From Mar 3 08:00 (a day before the 08:00 session) the held places are anyone's.
    let released = search(&["--at", "2026-03-03T08:00:00"]);
    assert!(released.contains("15/15"), "{released}");
    // A bad clock or referring site is an input error.
    let output = run(&["--at", "tomorrow"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("YYYY-MM-DDTHH:MM:SS"),
        "{}",
        text(&output)
    );
    let output = run(&["--referred-by", "jiaochen"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("did you mean \"jiaocheng\""),
        "{}",
        text(&output)
    );
}

#[test]
fn an_agent_books_and_cancels_a_ct_slot_for_a_referral() {
    const XUHUI: &str = "instances/xuhui-screening.toml";
    const GOLDEN: &str = "instances/rosters/xuhui-screening.roster.json";
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("ledger.json");
    let ledger = path(&ledger);
    let ct = |command: &str, extra: &[&str]| {
        let mut args = vec![
            command,
            XUHUI,
            GOLDEN,
            "--resource-kind",
            "ct",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-06",
            "--at",
            "2026-02-27T08:00:00",
        ];
        args.extend_from_slice(extra);
        houniao(&args)
    };
    // Tianping has used its quota in the golden week: it hears so.
    let output = ct("search", &["--referred-by", "tianping"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("has taken its 3 held place(s) of ct-community in week 0"),
        "{}",
        stdout(&output)
    );
    // Fenglin has one held place left this week: it sees CT 1's and books one.
    let output = ct("search", &["--referred-by", "fenglin"]);
    let found = stdout(&output);
    assert!(found.contains("ct-1@2026-03-"), "{found}");
    let output = ct(
        "book",
        &[
            "--referred-by",
            "fenglin",
            "--book",
            ledger,
            "--patient",
            "P-77",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let booked = stdout(&output);
    assert!(booked.contains("booked b-0001: CT 1"), "{booked}");
    let id = booked
        .split_whitespace()
        .find(|w| w.starts_with("b-"))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .expect("a booking id")
        .to_string();
    // A walk-in cannot book the same week; a CT request naming a specialist is refused.
    let output = ct("book", &["--book", ledger, "--patient", "P-78"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let output = ct("search", &["--specialist", "zhang-wei"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    // The booking is listed and cancelled by id.
    let output = houniao(&[
        "bookings",
        XUHUI,
        GOLDEN,
        "--book",
        ledger,
        "--patient",
        "P-77",
    ]);
    assert!(stdout(&output).contains("ct-1@"), "{}", text(&output));
    let output = houniao(&["cancel", XUHUI, GOLDEN, "--book", ledger, &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}
