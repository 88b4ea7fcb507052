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

struct CallbackContext<'a> {
    started: Instant,
    report: &'a mut dyn FnMut(Progress),
    cancel: &'a AtomicBool,
    incumbent: Option<f64>,
    first_incumbent: Option<f64>,
    last_report: f64,
}

const IMPROVING_SOLUTION: c_int = highs_sys::kHighsCallbackMipImprovingSolution as c_int;
const MIP_INTERRUPT: c_int = highs_sys::kHighsCallbackMipInterrupt as c_int;

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
        // SAFETY: `user_data` is the `CallbackContext` registered in `run`, which outlives
        // the solve; HiGHS calls back on the thread that called `Highs_run`, so no other
        // reference to it is live. `data_out` is valid for the duration of the call.
        let context = unsafe { &mut *(user_data as *mut CallbackContext<'_>) };
        let out = unsafe { &*data_out };
        let seconds = context.started.elapsed().as_secs_f64();
        let finite = |value: f64| (value.is_finite() && value.abs() < 1e29).then_some(value);
        match kind {
            IMPROVING_SOLUTION => {
                context.incumbent = finite(out.objective_function_value).or(context.incumbent);
                context.first_incumbent.get_or_insert(seconds);
                (context.report)(Progress {
                    seconds,
                    incumbent: context.incumbent,
                    bound: finite(out.mip_dual_bound),
                });
                context.last_report = seconds;
            }
            MIP_INTERRUPT => {
                if context.cancel.load(Ordering::Relaxed) && !data_in.is_null() {
                    // SAFETY: HiGHS passes a valid, writable input struct for interrupt callbacks.
                    unsafe { (*data_in).user_interrupt = 1 };
                }
                if seconds - context.last_report >= 0.5 {
                    let incumbent = finite(out.mip_primal_bound).or(context.incumbent);
                    (context.report)(Progress {
                        seconds,
                        incumbent,
                        bound: finite(out.mip_dual_bound),
                    });
                    context.last_report = seconds;
                }
            }
            _ => {}
        }
    }));
}

/// Solves the problem with HiGHS, starting from `start` (a full column vector) if given.
pub(crate) fn run(
    problem: HighsProblem,
    objective_offset: f64,
    start: Option<&[f64]>,
    options: HighsOptions,
    report: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<HighsRun, HighsError> {
    let mut model = problem
        .try_into_inner()
        .map_err(|e| HighsError(format!("building the model: {e}")))?;
    model.make_quiet();
    fn option_error(name: &'static str) -> impl Fn(highs::TrySetOptionError) -> HighsError {
        move |e| HighsError(format!("setting {name}: {e:?}"))
    }
    model
        .try_set_option("time_limit", options.time_limit.max(0.0))
        .map_err(option_error("time_limit"))?;
    model
        .try_set_option("mip_rel_gap", options.gap.max(0.0))
        .map_err(option_error("mip_rel_gap"))?;
    model
        .try_set_option("random_seed", 7)
        .map_err(option_error("random_seed"))?;
    if options.threads > 0 {
        model
            .try_set_option("threads", options.threads as i32)
            .map_err(option_error("threads"))?;
    }
    if let Some(start) = start {
        model
            .try_set_solution(Some(start), None, None, None)
            .map_err(|e| HighsError(format!("setting the start solution: {e:?}")))?;
    }
    let mut context = CallbackContext {
        started: Instant::now(),
        report,
        cancel,
        incumbent: None,
        first_incumbent: None,
        last_report: 0.0,
    };
    let pointer = model.as_mut_ptr();
    // SAFETY: `pointer` is the live HiGHS instance owned by `model`; the context pointer
    // stays valid until `try_solve` returns, after which HiGHS never calls back (the
    // model is consumed and freed when `solved` drops, at the end of this function).
    // good_lp drops an objective's constant term; HiGHS keeps it as the offset, so every
    // figure it reports (callbacks, bound, objective) is in the objective's own units.
    unsafe {
        highs_sys::Highs_changeObjectiveOffset(pointer, objective_offset);
        highs_sys::Highs_setCallback(
            pointer,
            Some(on_callback),
            (&mut context as *mut CallbackContext<'_>).cast(),
        );
        highs_sys::Highs_startCallback(pointer, highs_sys::kHighsCallbackMipImprovingSolution);
        highs_sys::Highs_startCallback(pointer, highs_sys::kHighsCallbackMipInterrupt);
    }
    let solved = model
        .try_solve()
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
        first_incumbent: context.first_incumbent,
    })
}
