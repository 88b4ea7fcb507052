//! The network-scale table of docs/performance.md: one solve of an instance file with
//! a strategy and time limit, printing the incumbent and bound as they evolve (the
//! figures at 5, 15, 30, 60 and 120 s, and the first valid roster), then the result
//! as the checker scores it: objective, bound, gap, unserved requests, and the peak
//! memory of the process (VmHWM).
//!
//! Run: `cargo run --release -p houniao-benches --bin scale-report -- FILE
//! [--strategy auto|milp|lns] [--time-limit S] [--seed N] [--threads N] [--trace]`

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use houniao::Instance;
use houniao::check::check;
use houniao::roster::UnmetKind;
use houniao::solve::{Progress, SolveOptions, Strategy, solve};

struct Args {
    file: String,
    strategy: Strategy,
    time_limit: f64,
    seed: u64,
    threads: u32,
    trace: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        file: String::new(),
        strategy: Strategy::Auto,
        time_limit: 60.0,
        seed: 0,
        threads: 0,
        trace: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match arg.as_str() {
            "--strategy" => {
                args.strategy = match value().as_str() {
                    "auto" => Strategy::Auto,
                    "milp" => Strategy::Milp,
                    "lns" => Strategy::Lns,
                    other => panic!("unknown strategy {other}"),
                }
            }
            "--time-limit" => args.time_limit = value().parse().expect("seconds"),
            "--seed" => args.seed = value().parse().expect("a seed"),
            "--threads" => args.threads = value().parse().expect("threads"),
            "--trace" => args.trace = true,
            file => args.file = file.to_string(),
        }
    }
    assert!(!args.file.is_empty(), "usage: scale-report FILE [flags]");
    args
}

/// Peak resident memory of this process in MiB (Linux `VmHWM`).
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn figure(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.1}"))
}

fn main() {
    let args = parse_args();
    let read = Instant::now();
    let instance = Instance::from_path(std::path::Path::new(&args.file)).expect("a valid instance");
    eprintln!(
        "read and validated in {:.2} s",
        read.elapsed().as_secs_f64()
    );
    let options = SolveOptions {
        time_limit: args.time_limit,
        threads: args.threads,
        strategy: args.strategy,
        seed: args.seed,
        ..SolveOptions::default()
    };
    let marks = [5.0, 15.0, 30.0, 60.0, 120.0];
    let mut snapshots: Vec<Option<Progress>> = vec![None; marks.len()];
    let mut last: Option<Progress> = None;
    let mut first_incumbent: Option<f64> = None;
    let trace = args.trace;
    let mut on_progress = |p: Progress| {
        if p.incumbent.is_some() && first_incumbent.is_none() {
            first_incumbent = Some(p.seconds);
        }
        if trace {
            eprintln!(
                "{:7.2} s  best {}  bound {}  neighbourhoods {}",
                p.seconds,
                figure(p.incumbent),
                figure(p.bound),
                p.neighbourhoods
            );
        }
        for (i, mark) in marks.iter().enumerate() {
            if p.seconds <= *mark {
                snapshots[i] = Some(p);
            }
        }
        last = Some(p);
    };
    let report = solve(
        &instance,
        options,
        &mut on_progress,
        &AtomicBool::new(false),
    )
    .expect("a roster");
    let checked = check(&instance, &report.roster);
    assert!(
        checked.passed(),
        "the roster fails the checker: {checked:#?}"
    );
    let unserved = report
        .roster
        .unmet
        .iter()
        .filter(|u| u.kind == UnmetKind::Request)
        .count();
    println!("instance: {}", args.file);
    println!(
        "strategy: {:?} (asked {:?}), time limit {} s, seed {}",
        report.strategy, args.strategy, args.time_limit, args.seed
    );
    println!(
        "model: {} variables, {} constraints",
        report.stats.variables, report.stats.constraints
    );
    println!(
        "greedy {}  →  objective {}  bound {}  gap {}  in {:.1} s",
        figure(report.greedy_objective),
        report.roster.objective,
        figure(report.roster.bound),
        report
            .roster
            .gap
            .map_or("—".into(), |g| format!("{:.2}%", 100.0 * g)),
        report.seconds
    );
    println!(
        "unserved requests: {unserved}; neighbourhoods {} ({} improved); status {:?}",
        report.neighbourhoods, report.improvements, report.status
    );
    println!(
        "greedy roster (the first valid one) after {:.1} s; first progress with an incumbent at {} s; peak memory {} MiB",
        report.greedy_seconds,
        figure(first_incumbent),
        figure(peak_memory_mib())
    );
    let terms: Vec<String> = report
        .roster
        .objective_terms
        .iter()
        .filter(|(_, v)| *v != 0.0)
        .map(|(t, v)| format!("{t} {v}"))
        .collect();
    println!("terms: {}", terms.join(", "));
    println!("| seconds | best | bound |");
    println!("|---|---|---|");
    for (mark, snapshot) in marks.iter().zip(&snapshots) {
        if *mark > args.time_limit + 1.0 {
            break;
        }
        let snapshot = snapshot.or(last.filter(|_| *mark >= report.seconds));
        println!(
            "| {mark} | {} | {} |",
            figure(snapshot.and_then(|p| p.incumbent)),
            figure(snapshot.and_then(|p| p.bound))
        );
    }
}
