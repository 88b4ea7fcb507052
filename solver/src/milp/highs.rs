//! Running HiGHS on a good_lp model with the C API's callbacks: improving solutions and
//! the MIP interrupt check report progress (elapsed time, incumbent, bound) and let a
//! caller cancel a running solve. good_lp's own `solve` reports a time-limited solve as
//! success; here every HiGHS model status maps to our own [`MilpStatus`].
//!
//! This is the only module of the library with `unsafe` code: the two FFI calls that
//! register the callback, and the callback reading HiGHS's data structs.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use good_lp::solvers::highs::HighsProblem;
use highs::{HighsModelStatus, HighsSolutionStatus};

/// A snapshot of a running solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Seconds since the MILP solve started.
    pub seconds: f64,
    /// Best objective found so far (model units), if any.
    pub incumbent: Option<f64>,
    /// Best proven lower bound so far, if known.
    pub bound: Option<f64>,
    /// Neighbourhoods the large-scale search has tried so far (0 for the plain MILP).
    pub neighbourhoods: u64,
}

/// How the MILP solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilpStatus {
    /// Proven optimal (within the gap tolerance asked for).
    Optimal,
    /// A limit (time, interrupt) stopped it with an incumbent.
    Feasible,
    /// A limit stopped it before any incumbent.
    NoSolution,
    /// The model has no feasible solution.
    Infeasible,
}

/// Limits and switches for one HiGHS run.
#[derive(Debug, Clone, Copy)]
pub struct HighsOptions {
    /// Wall-clock limit in seconds.
    pub time_limit: f64,
    /// Relative gap at which to stop.
    pub gap: f64,
    /// Threads HiGHS may use.
    pub threads: u32,
    /// HiGHS 1.15's parallel tree search (`parallel = on`), with `threads` > 1.
    pub parallel_tree: bool,
}

/// What came back.
pub(crate) struct HighsRun {
    pub status: MilpStatus,
    pub values: Option<Vec<f64>>,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub first_incumbent: Option<f64>,
}

/// An error of HiGHS itself (not a status).
#[derive(Debug, Clone, thiserror::Error)]
#[error("HiGHS failed: {0}")]
pub struct HighsError(pub String);

/// What a running HiGHS solve tells its caller and asks of it, through the callbacks.
pub(crate) trait Listener {
    /// A snapshot of the solve (at most every half second, and at every improvement).
    fn progress(&mut self, progress: Progress);
    /// Whether the solve should stop now (cancel, or another thread is done).
    fn should_stop(&self) -> bool;
    /// HiGHS found a better solution: its objective and full column vector.
    fn improved(&mut self, _objective: f64, _values: &[f64]) {}
    /// A solution found elsewhere that HiGHS should take as its incumbent, if any
    /// (asked only when `wants_user_solutions`).
    fn user_solution(&mut self) -> Option<Vec<f64>> {
        None
    }
    /// Whether to ask `user_solution` during the solve.
    fn wants_user_solutions(&self) -> bool {
        false
    }
}

/// The plain listener of a single solve: progress to a closure, stop on a flag.
pub(crate) struct Reporter<'a> {
    pub report: &'a mut dyn FnMut(Progress),
    pub cancel: &'a AtomicBool,
}

impl Listener for Reporter<'_> {
    fn progress(&mut self, progress: Progress) {
        (self.report)(progress);
    }
    fn should_stop(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

struct CallbackContext<'a> {
    started: Instant,
    listener: &'a mut dyn Listener,
    incumbent: Option<f64>,
    first_incumbent: Option<f64>,
    last_report: f64,
    num_cols: usize,
}

const IMPROVING_SOLUTION: c_int = highs_sys::kHighsCallbackMipImprovingSolution as c_int;
const MIP_INTERRUPT: c_int = highs_sys::kHighsCallbackMipInterrupt as c_int;
const SIMPLEX_INTERRUPT: c_int = highs_sys::kHighsCallbackSimplexInterrupt as c_int;
const IPM_INTERRUPT: c_int = highs_sys::kHighsCallbackIpmInterrupt as c_int;
const USER_SOLUTION: c_int = highs_sys::kHighsCallbackCallbackMipUserSolution as c_int;

unsafe extern "C" fn on_callback(
    kind: c_int,
    _message: *const c_char,
    data_out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    user_data: *mut c_void,
) {
    // A panic must not unwind into C++.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if user_data.is_null() || data_out.is_null() {
            return;
        }
        // SAFETY: `user_data` is the `CallbackContext` registered in `run_model`, which
        // outlives the solve; HiGHS calls back on the thread that called `Highs_run`, so
        // no other reference to it is live. `data_out` is valid for the duration of the call.
        let context = unsafe { &mut *(user_data as *mut CallbackContext<'_>) };
        let out = unsafe { &*data_out };
        let seconds = context.started.elapsed().as_secs_f64();
        let finite = |value: f64| (value.is_finite() && value.abs() < 1e29).then_some(value);
        match kind {
            IMPROVING_SOLUTION => {
                context.incumbent = finite(out.objective_function_value).or(context.incumbent);
                context.first_incumbent.get_or_insert(seconds);
                let size = usize::try_from(out.mip_solution_size).unwrap_or(0);
                if let Some(objective) = finite(out.objective_function_value)
                    && !out.mip_solution.is_null()
                    && size == context.num_cols
                {
                    // SAFETY: HiGHS passes `mip_solution_size` values at `mip_solution`,
                    // valid for the duration of the call.
                    let values = unsafe { std::slice::from_raw_parts(out.mip_solution, size) };
                    context.listener.improved(objective, values);
                }
                context.listener.progress(Progress {
                    seconds,
                    incumbent: context.incumbent,
                    bound: finite(out.mip_dual_bound),
                    neighbourhoods: 0,
                });
                context.last_report = seconds;
            }
            MIP_INTERRUPT => {
                if context.listener.should_stop() && !data_in.is_null() {
                    // SAFETY: HiGHS passes a valid, writable input struct for interrupt callbacks.
                    unsafe { (*data_in).user_interrupt = 1 };
                }
                if seconds - context.last_report >= 0.5 {
                    let incumbent = finite(out.mip_primal_bound).or(context.incumbent);
                    context.listener.progress(Progress {
                        seconds,
                        incumbent,
                        bound: finite(out.mip_dual_bound),
                        neighbourhoods: 0,
                    });
                    context.last_report = seconds;
                }
            }
            SIMPLEX_INTERRUPT | IPM_INTERRUPT
                if context.listener.should_stop() && !data_in.is_null() =>
            {
                // SAFETY: HiGHS passes a valid, writable input struct for interrupt callbacks.
                unsafe { (*data_in).user_interrupt = 1 };
            }
            USER_SOLUTION => {
                if data_in.is_null() {
                    return;
                }
                if let Some(values) = context.listener.user_solution()
                    && values.len() == context.num_cols
                    && let Ok(count) = highs_sys::HighsInt::try_from(values.len())
                {
                    // SAFETY: `data_in` is HiGHS's valid input struct for this callback;
                    // HiGHS copies the `count` values before returning.
                    unsafe {
                        highs_sys::Highs_setCallbackSolution(data_in, count, values.as_ptr());
                    }
                }
            }
            _ => {}
        }
    }));
}

/// Solves a good_lp problem with HiGHS, starting from `start` (a full column vector) if given.
pub(crate) fn run(
    problem: HighsProblem,
    objective_offset: f64,
    start: Option<&[f64]>,
    options: HighsOptions,
    report: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<HighsRun, HighsError> {
    let model = problem
        .try_into_inner()
        .map_err(|e| HighsError(format!("building the model: {e}")))?;
    run_model(
        model,
        objective_offset,
        start,
        &Tuning::single(options),
        &mut Reporter { report, cancel },
    )
}

/// Options of one HiGHS run beyond the common [`HighsOptions`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tuning {
    pub options: HighsOptions,
    /// Absolute gap at which to stop (HiGHS's default when `None`).
    pub absolute_gap: Option<f64>,
    /// Branch-and-bound node limit (a work limit, unlike seconds).
    pub max_nodes: Option<u64>,
    /// HiGHS's `random_seed`.
    pub seed: i32,
}

impl Tuning {
    /// The settings of a single monolithic solve.
    pub fn single(options: HighsOptions) -> Self {
        Tuning {
            options,
            absolute_gap: None,
            max_nodes: None,
            seed: 7,
        }
    }
}

/// Solves a HiGHS model, starting from `start` (a full column vector) if given, telling
/// `listener` what happens and stopping when it says so.
pub(crate) fn run_model(
    mut model: highs::Model,
    objective_offset: f64,
    start: Option<&[f64]>,
    tuning: &Tuning,
    listener: &mut dyn Listener,
) -> Result<HighsRun, HighsError> {
    let options = tuning.options;
    model.make_quiet();
    set_option(&mut model, "time_limit", options.time_limit.max(0.0))?;
    set_option(&mut model, "mip_rel_gap", options.gap.max(0.0))?;
    set_option(&mut model, "random_seed", tuning.seed)?;
    if let Some(gap) = tuning.absolute_gap {
        set_option(&mut model, "mip_abs_gap", gap.max(0.0))?;
    }
    if let Some(nodes) = tuning.max_nodes {
        set_option(
            &mut model,
            "mip_max_nodes",
            i32::try_from(nodes).unwrap_or(i32::MAX),
        )?;
    }
    if options.parallel_tree && options.threads > 1 {
        set_option(&mut model, "parallel", "on")?;
    }
    if options.threads > 0 {
        set_option(&mut model, "threads", options.threads as i32)?;
    }
    if let Some(start) = start {
        model
            .try_set_solution(Some(start), None, None, None)
            .map_err(|e| HighsError(format!("setting the start solution: {e:?}")))?;
    }
    let mut callbacks = vec![
        highs_sys::kHighsCallbackMipImprovingSolution,
        highs_sys::kHighsCallbackMipInterrupt,
    ];
    if listener.wants_user_solutions() {
        callbacks.push(highs_sys::kHighsCallbackCallbackMipUserSolution);
    }
    let (solved, first_incumbent) =
        solve_with_callbacks(model, objective_offset, listener, &callbacks)
            .map_err(|e| HighsError(format!("solving: {e:?}")))?;
    let has_solution = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    let status = match solved.status() {
        HighsModelStatus::Optimal => MilpStatus::Optimal,
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            MilpStatus::Infeasible
        }
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedMemoryLimit
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget => {
            if has_solution {
                MilpStatus::Feasible
            } else {
                MilpStatus::NoSolution
            }
        }
        other => return Err(HighsError(format!("model status {other:?}"))),
    };
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite() && b.abs() < 1e29);
    let values = has_solution.then(|| solved.get_solution().columns().to_vec());
    Ok(HighsRun {
        status,
        objective: has_solution.then(|| solved.objective_value()),
        values,
        bound,
        first_incumbent,
    })
}

/// Sets one HiGHS option.
fn set_option<V: highs::HighsOptionValue>(
    model: &mut highs::Model,
    name: &'static str,
    value: V,
) -> Result<(), HighsError> {
    model
        .try_set_option(name, value)
        .map_err(|e| HighsError(format!("setting {name}: {e:?}")))
}

/// Solves `model` with the objective offset and the given callbacks registered,
/// `listener` hearing of them. Also returns the seconds to the first incumbent.
fn solve_with_callbacks(
    mut model: highs::Model,
    objective_offset: f64,
    listener: &mut dyn Listener,
    callbacks: &[highs_sys::HighsInt],
) -> Result<(highs::SolvedModel, Option<f64>), highs::HighsStatus> {
    let mut context = CallbackContext {
        started: Instant::now(),
        listener,
        incumbent: None,
        first_incumbent: None,
        last_report: 0.0,
        num_cols: model.num_cols(),
    };
    let pointer = model.as_mut_ptr();
    // SAFETY: `pointer` is the live HiGHS instance owned by `model`; the context pointer
    // stays valid until `try_solve` returns, after which HiGHS never calls back (the
    // model is consumed by `try_solve`; the solved model no longer runs callbacks).
    // good_lp drops an objective's constant term; HiGHS keeps it as the offset, so every
    // figure it reports (callbacks, bound, objective) is in the objective's own units.
    unsafe {
        highs_sys::Highs_changeObjectiveOffset(pointer, objective_offset);
        highs_sys::Highs_setCallback(
            pointer,
            Some(on_callback),
            (&mut context as *mut CallbackContext<'_>).cast(),
        );
        for &kind in callbacks {
            highs_sys::Highs_startCallback(pointer, kind);
        }
    }
    let solved = model.try_solve()?;
    Ok((solved, context.first_incumbent))
}

/// What an LP solve returned: the row duals (whatever the status: any dual vector gives
/// a valid bound through `Matrix::dual_bound`), and the objective when optimal.
pub(crate) struct LpRun {
    pub row_duals: Option<Vec<f64>>,
    pub objective: Option<f64>,
}

/// Solves a continuous model with HiGHS's `solver` ("ipm", "simplex", "pdlp"; crossover
/// off), stopping when `listener` says so.
pub(crate) fn run_lp(
    mut model: highs::Model,
    objective_offset: f64,
    solver: &str,
    options: HighsOptions,
    listener: &mut dyn Listener,
) -> Result<LpRun, HighsError> {
    model.make_quiet();
    set_option(&mut model, "time_limit", options.time_limit.max(0.0))?;
    set_option(&mut model, "solver", solver)?;
    set_option(&mut model, "run_crossover", "off")?;
    if options.threads > 0 {
        set_option(&mut model, "threads", options.threads as i32)?;
    }
    let callbacks = [
        highs_sys::kHighsCallbackSimplexInterrupt,
        highs_sys::kHighsCallbackIpmInterrupt,
    ];
    let (solved, _) = solve_with_callbacks(model, objective_offset, listener, &callbacks)
        .map_err(|e| HighsError(format!("solving the relaxation: {e:?}")))?;
    let solution = solved.get_solution();
    let duals = solution.dual_rows();
    Ok(LpRun {
        row_duals: (!duals.is_empty() && duals.iter().all(|d| d.is_finite()))
            .then(|| duals.to_vec()),
        objective: (solved.status() == HighsModelStatus::Optimal).then(|| solved.objective_value()),
    })
}
