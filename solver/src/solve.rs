//! Solving an instance: the greedy heuristic first (a valid roster in milliseconds and
//! the MIP start), then the exact MILP on HiGHS within the time limit, and a status of
//! our own saying how good the result is proven to be.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde::Serialize;

use crate::calendar::{Slot, weekday_name};
use crate::greedy::{self, GreedyError};
use crate::instance::{Instance, SpecialistIx};
use crate::lns::{self, LnsOutcome, LnsSettings};
use crate::milp::highs::{HighsError, HighsOptions, MilpStatus};
use crate::milp::{self, ModelStats};
use crate::roster::{Roster, RosterStatus};
use crate::schedule::{Provenance, Schedule};

pub use crate::milp::highs::Progress;

/// Limits of a solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveOptions {
    /// Wall-clock seconds for the MILP.
    pub time_limit: f64,
    /// Relative gap at which the MILP may stop.
    pub gap: f64,
    /// Threads for HiGHS (0: its default).
    pub threads: u32,
    /// Hand the greedy roster to HiGHS as its MIP start (it stays the fallback either way).
    pub mip_start: bool,
    /// Which optimizer runs (docs/model.md § Large instances).
    pub strategy: Strategy,
    /// Seed of the large-scale search's choices (and of HiGHS there).
    pub seed: u64,
    /// A work limit for the large-scale search: this many sub-solves, each limited in
    /// branch-and-bound nodes. With it the same input and seed give the same roster
    /// (the time limit still applies as a safety net).
    pub work_limit: Option<u64>,
}

/// Which optimizer a solve uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The monolithic MILP for models HiGHS finishes, the large-scale search above
    /// [`LNS_FROM_COLUMNS`] columns.
    Auto,
    /// The monolithic MILP (HiGHS's branch and bound on the whole model).
    Milp,
    /// The large-scale search: fix-and-optimize LNS on one core, the whole MILP for
    /// the bound on the other.
    Lns,
}

/// Model size (columns) from which the plain MILP, with the default threads, runs
/// HiGHS's parallel tree search on every core.
pub const PARALLEL_TREE_FROM_COLUMNS: usize = 10_000;

/// Model size (columns) from which `Strategy::Auto` runs the large-scale search.
pub const LNS_FROM_COLUMNS: usize = 20_000;

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: 60.0,
            gap: 1e-4,
            threads: 0,
            mip_start: true,
            strategy: Strategy::Auto,
            seed: 0,
            work_limit: None,
        }
    }
}

/// What re-planning keeps (docs/whatif.md): a reference schedule, usually the
/// published roster read into the changed instance, and what keeping each part of it is
/// worth in the optimizer's objective. The bonuses steer the MILP only: the roster's
/// objective stays the §4 objective the checker computes.
#[derive(Debug, Clone, Default)]
pub struct Stability {
    /// The schedule to stay close to.
    pub reference: Schedule,
    /// Worth of keeping one reference assignment (a clinic, studio or MDT place, a
    /// surgery in its slot with its surgeon).
    pub keep_assignment: f64,
    /// Worth of keeping one reference booking, and, per call-centre booking it holds,
    /// of keeping a clinic or studio session.
    pub keep_booking: f64,
    /// Call-centre bookings per session (holder, slot) of the reference.
    pub held_bookings: BTreeMap<(SpecialistIx, Slot), u32>,
    /// Dates before this one are frozen: presence is the reference's (the entries are
    /// pinned by [`crate::pins::freeze::frozen_pins`]).
    pub frozen_until: Option<chrono::NaiveDate>,
}

/// How good the returned roster is proven to be.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal (gap within 1e-4).
    Optimal,
    /// Valid, with a proven relative gap (a limit stopped the MILP).
    Feasible {
        /// `(objective − bound) / max(1, |objective|)`, when a bound is known.
        gap: Option<f64>,
    },
    /// The MILP found nothing within the limit; the roster is the greedy one.
    NoSolutionInTime,
}

/// Which method produced the returned roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterSource {
    /// The MILP's incumbent.
    Milp,
    /// The greedy heuristic.
    Greedy,
    /// The large-scale search (the start it improved was the greedy roster).
    Lns,
}

/// A solved roster and how it was obtained.
#[derive(Debug, Clone)]
pub struct SolveReport {
    /// The roster (§6), objective recomputed by the checker's scorer.
    pub roster: Roster,
    /// Our status.
    pub status: SolveStatus,
    /// Which method produced the roster.
    pub source: RosterSource,
    /// The greedy roster's objective, when the heuristic succeeded.
    pub greedy_objective: Option<f64>,
    /// The MILP incumbent's objective (checker-recomputed), when there was one.
    pub milp_objective: Option<f64>,
    /// Best proven lower bound.
    pub bound: Option<f64>,
    /// Model size.
    pub stats: ModelStats,
    /// Seconds from the MILP start to its first incumbent (the MIP start counts).
    pub first_incumbent_seconds: Option<f64>,
    /// Seconds the greedy heuristic took.
    pub greedy_seconds: f64,
    /// Total wall seconds.
    pub seconds: f64,
    /// HiGHS's objective for its incumbent (equals `milp_objective` when the formulation
    /// agrees with the checker).
    pub model_objective: Option<f64>,
    /// The model's own objective at the MIP start (equals `greedy_objective` when the
    /// formulation agrees with the checker).
    pub start_objective: Option<f64>,
    /// The optimizer that ran (`Milp` or `Lns`, never `Auto`).
    pub strategy: Strategy,
    /// The large-scale search's sub-solves, and how many of them improved the roster.
    pub neighbourhoods: u64,
    /// Sub-solves that improved the roster.
    pub improvements: u64,
}

/// Why no roster could be produced.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// No roster satisfies every hard rule.
    #[error("the instance has no valid roster: {0}")]
    Infeasible(String),
    /// The time limit passed before any valid roster was found.
    #[error("no valid roster found within {0} s (the greedy heuristic failed too: {1})")]
    NoSolutionInTime(f64, String),
    /// The instance's pins cannot all hold (docs/format.md § Pins).
    #[error("{0}")]
    PinConflict(crate::pins::conflicts::PinConflict),
    /// HiGHS itself failed.
    #[error(transparent)]
    Highs(#[from] HighsError),
}

/// Solves an instance. `progress` hears about the MILP's incumbents and bound;
/// setting `cancel` stops the MILP early (the best roster so far is returned).
pub fn solve(
    instance: &Instance,
    options: SolveOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<SolveReport, SolveError> {
    solve_near(instance, options, None, progress, cancel)
}

/// Solves an instance, staying close to a reference schedule when `stability` is given
/// (re-planning). Then the MILP's roster is preferred to the greedy one whatever their
/// §4 objectives, and no bound is reported: the MILP's bound is not a bound of §4.
pub fn solve_near(
    instance: &Instance,
    options: SolveOptions,
    stability: Option<&Stability>,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<SolveReport, SolveError> {
    let started = Instant::now();
    // Resource requests are a problem of their own (resources::assign); its optimum and
    // bound add to every roster and bound of the rest.
    let resource_plan = crate::resources::assign::plan(instance, options.time_limit / 4.0);
    let built = greedy::build(instance);
    let greedy_seconds = started.elapsed().as_secs_f64();
    let built_roster = built.as_ref().ok().map(|schedule| {
        let mut roster = schedule.to_roster(
            instance,
            Provenance {
                status: RosterStatus::Feasible,
                bound: None,
                seconds: greedy_seconds,
            },
        );
        resource_plan.apply(instance, &mut roster);
        roster
    });
    // A greedy roster that misses a pin is neither a start nor a fallback.
    let missed_pin = built_roster.as_ref().and_then(|roster| {
        instance
            .pins
            .iter()
            .find(|pin| !pin.is_met(instance, roster))
            .map(|pin| format!("{} [{}] is not met", pin.label(), pin.describe(instance)))
    });
    let greedy_failure = built.as_ref().err().map(|error| match error {
        GreedyError::Residency { specialist, .. } => {
            format!("{error}; {}", residencies_of(instance, specialist))
        }
        GreedyError::Pin { .. } => error.to_string(),
    });
    let (greedy, greedy_roster): (Result<Schedule, String>, Option<Roster>) = match missed_pin {
        Some(why) => (Err(why), None),
        None => (built.map_err(|e| e.to_string()), built_roster),
    };
    let model = milp::build(instance, stability);
    if let Some(conflict) = crate::pins::conflicts::impossible_pin(instance, &model) {
        return Err(SolveError::PinConflict(conflict));
    }
    // HiGHS's default is one thread on two cores; its parallel tree search (1.15) with
    // every core proves Beilun optimal in 13.5 s instead of 31.6 s (docs/performance.md).
    // Small models stay on one thread, where runs are reproducible.
    let (threads, parallel_tree) = match options.threads {
        0 if model.columns.len() >= PARALLEL_TREE_FROM_COLUMNS => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
            (cores, cores > 1)
        }
        threads => (threads, false),
    };
    let highs_options = HighsOptions {
        time_limit: (options.time_limit - greedy_seconds).max(0.0),
        gap: options.gap,
        threads,
        parallel_tree,
    };
    let strategy = match (options.strategy, stability, &greedy) {
        // The search needs a start and the plain §4 objective.
        (_, Some(_), _) | (_, _, Err(_)) | (Strategy::Milp, _, _) => Strategy::Milp,
        (Strategy::Lns, _, _) => Strategy::Lns,
        (Strategy::Auto, _, _) if model.columns.len() >= LNS_FROM_COLUMNS => Strategy::Lns,
        (Strategy::Auto, _, _) => Strategy::Milp,
    };
    if let (Strategy::Lns, Ok(start)) = (strategy, &greedy) {
        let settings = LnsSettings {
            started,
            time_limit: options.time_limit,
            gap: options.gap,
            seed: options.seed,
            work_limit: options.work_limit,
        };
        if let Some(outcome) = lns::solve(instance, model, start, settings, progress, cancel)? {
            return Ok(search_report(
                instance,
                outcome,
                &resource_plan,
                greedy_roster.map(|r| r.objective),
                greedy_seconds,
                started,
            ));
        }
        // The start used a combination the model lacks: the plain MILP, without it.
        return solve_near(
            instance,
            SolveOptions {
                strategy: Strategy::Milp,
                time_limit: (options.time_limit - started.elapsed().as_secs_f64()).max(0.0),
                ..options
            },
            stability,
            progress,
            cancel,
        );
    }
    let start = greedy.as_ref().ok().filter(|_| options.mip_start);
    let mut outcome = milp::solve(instance, model, start, highs_options, progress, cancel)?;
    // Weights and day costs are non-negative (validation), so no roster costs less than 0;
    // HiGHS's bound before its first LP is the sum of negative coefficients, far below.
    outcome.bound = match stability {
        Some(_) => None,
        None => outcome.bound.map(|bound| bound.max(0.0)),
    };
    let seconds = started.elapsed().as_secs_f64();
    let roster_of = |schedule: &Schedule, status: RosterStatus| {
        let mut roster = schedule.to_roster(
            instance,
            Provenance {
                status,
                bound: outcome.bound,
                seconds,
            },
        );
        resource_plan.apply(instance, &mut roster);
        roster
    };
    if outcome.status == MilpStatus::Infeasible {
        if !instance.pins.is_empty() {
            let budget = options.time_limit.clamp(5.0, 60.0);
            if let Some(conflict) =
                crate::pins::conflicts::explain(instance, stability, budget, cancel)
            {
                return Err(SolveError::PinConflict(conflict));
            }
        }
        let why = greedy_failure
            .unwrap_or_else(|| "the residencies and presence rules contradict each other".into());
        return Err(SolveError::Infeasible(why));
    }
    let milp_roster = outcome.schedule.as_ref().map(|schedule| {
        let status = if outcome.status == MilpStatus::Optimal {
            RosterStatus::Optimal
        } else {
            RosterStatus::Feasible
        };
        roster_of(schedule, status)
    });
    let greedy_objective = greedy_roster.as_ref().map(|r| r.objective);
    let milp_objective = milp_roster.as_ref().map(|r| r.objective);
    let (mut roster, source) = match (milp_roster, greedy) {
        // A time-limited incumbent found without the start can be worse than the greedy
        // roster: return whichever the checker scores lower.
        (Some(milp), Ok(schedule))
            if stability.is_none()
                && greedy_objective.is_some_and(|g| g < milp.objective - 1e-9) =>
        {
            (
                roster_of(&schedule, RosterStatus::Feasible),
                RosterSource::Greedy,
            )
        }
        (Some(roster), _) => (roster, RosterSource::Milp),
        (None, Ok(schedule)) => (
            roster_of(&schedule, RosterStatus::Feasible),
            RosterSource::Greedy,
        ),
        (None, Err(error)) => return Err(SolveError::NoSolutionInTime(options.time_limit, error)),
    };
    let gap = roster.gap;
    let status = match (milp_objective, outcome.status) {
        (None, _) => SolveStatus::NoSolutionInTime,
        (_, MilpStatus::Optimal) if gap.is_none_or(|g| g <= 1e-4) => SolveStatus::Optimal,
        _ => SolveStatus::Feasible { gap },
    };
    if status != SolveStatus::Optimal {
        roster.status = RosterStatus::Feasible;
    }
    Ok(SolveReport {
        roster,
        status,
        source,
        greedy_objective,
        milp_objective,
        bound: outcome.bound.map(|bound| bound + resource_plan.bound),
        stats: outcome.stats,
        first_incumbent_seconds: outcome.first_incumbent,
        greedy_seconds,
        seconds,
        start_objective: outcome.start_objective,
        model_objective: outcome.objective,
        strategy: Strategy::Milp,
        neighbourhoods: 0,
        improvements: 0,
    })
}

/// The report of a large-scale search: its roster scored by the checker, its bound.
fn search_report(
    instance: &Instance,
    outcome: LnsOutcome,
    resource_plan: &crate::resources::assign::ResourcePlan,
    greedy_objective: Option<f64>,
    greedy_seconds: f64,
    started: Instant,
) -> SolveReport {
    // Weights and day costs are non-negative (validation): no roster costs less than 0.
    let bound = outcome.bound.map(|bound| bound.max(0.0));
    let mut roster = outcome.schedule.to_roster(
        instance,
        Provenance {
            status: RosterStatus::Feasible,
            bound,
            seconds: started.elapsed().as_secs_f64(),
        },
    );
    resource_plan.apply(instance, &mut roster);
    let bound = bound.map(|bound| bound + resource_plan.bound);
    let gap = roster.gap;
    let status = if outcome.proven && gap.is_some_and(|g| g <= 1e-4) {
        roster.status = RosterStatus::Optimal;
        SolveStatus::Optimal
    } else {
        SolveStatus::Feasible { gap }
    };
    SolveReport {
        milp_objective: Some(roster.objective),
        roster,
        status,
        source: RosterSource::Lns,
        greedy_objective,
        bound,
        stats: outcome.stats,
        first_incumbent_seconds: Some(greedy_seconds),
        greedy_seconds,
        seconds: started.elapsed().as_secs_f64(),
        model_objective: Some(outcome.objective),
        start_objective: Some(outcome.start_objective),
        strategy: Strategy::Lns,
        neighbourhoods: outcome.neighbourhoods,
        improvements: outcome.improvements,
    }
}

/// The residencies of one specialist, as a scheduler would list them to find a conflict.
fn residencies_of(instance: &Instance, specialist: &str) -> String {
    let listed: Vec<String> = instance
        .residencies
        .iter()
        .enumerate()
        .filter(|(_, r)| instance.specialist(r.specialist).id == specialist)
        .map(|(i, r)| {
            let days = match &r.days {
                Some(days) => days
                    .iter()
                    .map(|d| weekday_name(*d))
                    .collect::<Vec<_>>()
                    .join(", "),
                None if r.consecutive => format!("{} consecutive days", r.days_per_week),
                None => format!("{} days", r.days_per_week),
            };
            format!(
                "residencies[{i}] at \"{}\" on {days}",
                instance.site(r.site).id
            )
        })
        .collect();
    let unavailable = if instance
        .specialist_ix(specialist)
        .is_some_and(|s| !instance.specialist(s).unavailable.is_empty())
    {
        " (and their unavailable dates)"
    } else {
        ""
    };
    format!(
        "\"{specialist}\" has {}{unavailable}, which cannot all hold",
        listed.join(" and ")
    )
}
