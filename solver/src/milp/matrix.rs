//! The built model as plain arrays — costs, column domains, the constraint matrix by
//! rows and by columns — with what each column means. The large-scale search
//! ([`crate::lns`]) cuts sub-problems out of it (every column outside a neighbourhood
//! fixed to the incumbent, its rows' bounds shifted by what the fixed columns use) and
//! hands the whole model to HiGHS for the bound, without going through good_lp again.

use chrono::NaiveDate;
use good_lp::{IntoAffineExpression, Variable};
use highs::{ColProblem, Sense};

use super::model::{ColumnBounds, Model};
use crate::instance::{BoardIx, Instance, RequestIx, SpecialistIx};

/// The variable family of a column (docs/model.md § Variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Family {
    Present,
    Clinic,
    Studio,
    Apprentice,
    Meeting,
    Seat,
    Operation,
    Operating,
    Booking,
    Held,
    OnSiteDay,
    Idle,
    MeetingShort,
    StudioShort,
    ClinicShort,
    ResidencyWeekday,
    ResidencyWindow,
    PinWitness,
}

/// What a column is about, as far as choosing neighbourhoods needs to know.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meaning {
    pub family: Family,
    /// The specialist whose activity (or presence, booking, residency) it is; the lead
    /// for a studio session; none for a meeting or a shortfall.
    pub who: Option<SpecialistIx>,
    /// The date, for columns of one date.
    pub date: Option<NaiveDate>,
    /// The week, for weekly columns.
    pub week: Option<u32>,
    /// The board of a meeting or seat.
    pub board: Option<BoardIx>,
    /// The request of a booking.
    pub request: Option<RequestIx>,
}

impl Meaning {
    fn of(family: Family) -> Self {
        Meaning {
            family,
            who: None,
            date: None,
            week: None,
            board: None,
            request: None,
        }
    }
}

/// The model as arrays.
pub(crate) struct Matrix {
    /// Objective coefficient per column.
    pub cost: Vec<f64>,
    /// The objective's constant.
    pub offset: f64,
    /// Domain per column.
    pub bounds: Vec<ColumnBounds>,
    /// Row bounds.
    pub row_lower: Vec<f64>,
    pub row_upper: Vec<f64>,
    /// Rows: entries `row_start[r]..row_start[r+1]` of `row_entries`.
    row_start: Vec<usize>,
    row_entries: Vec<(u32, f64)>,
    /// Columns: entries `col_start[c]..col_start[c+1]` of `col_entries` (row, value).
    col_start: Vec<usize>,
    col_entries: Vec<(u32, f64)>,
    /// What each column means.
    pub meanings: Vec<Meaning>,
    /// The objective's step ([`objective_step`]), computed once.
    step: Option<f64>,
}

/// A sub-problem: the free columns of a neighbourhood, the rows they appear in.
pub(crate) struct SubProblem {
    /// Full-model column of each sub-problem column.
    pub columns: Vec<usize>,
    /// The HiGHS model (columns in the order of `columns`).
    pub model: highs::Model,
    /// The incumbent's values of the free columns (a feasible start).
    pub start: Vec<f64>,
    /// The objective's constant: the model's constant plus the fixed columns' cost.
    pub offset: f64,
}

impl Matrix {
    /// The arrays of a built model. Takes the model's constraints (they are not needed
    /// afterwards: the matrix replaces them).
    pub fn from_model(instance: &Instance, model: &mut Model) -> Matrix {
        let columns = model.column_bounds.len();
        let column_of = model.columns.clone();
        let index = |var: &Variable| column_of[var];
        let mut cost = vec![0.0; columns];
        for (var, coefficient) in model.objective.clone().linear_coefficients() {
            cost[index(&var)] += coefficient;
        }
        let offset = model.objective.constant();
        let constraints = std::mem::take(&mut model.constraints);
        let mut row_lower = Vec::with_capacity(constraints.len());
        let mut row_upper = Vec::with_capacity(constraints.len());
        let mut row_start = Vec::with_capacity(constraints.len() + 1);
        let mut row_entries: Vec<(u32, f64)> = Vec::new();
        let mut counts = vec![0usize; columns];
        row_start.push(0);
        for constraint in constraints {
            let expression = constraint.expression();
            // good_lp's constraints read `expression ≤ 0` or `expression = 0`.
            let rhs = -expression.constant();
            let start = row_entries.len();
            for (var, coefficient) in expression.clone().linear_coefficients() {
                if coefficient != 0.0 {
                    row_entries.push((index(&var) as u32, coefficient));
                }
            }
            // Deterministic entry order (good_lp keeps a row's terms in a hash map).
            row_entries[start..].sort_unstable_by_key(|(c, _)| *c);
            for (c, _) in &row_entries[start..] {
                counts[*c as usize] += 1;
            }
            row_lower.push(if constraint.is_equality() {
                rhs
            } else {
                f64::NEG_INFINITY
            });
            row_upper.push(rhs);
            row_start.push(row_entries.len());
        }
        let mut col_start = Vec::with_capacity(columns + 1);
        col_start.push(0);
        for count in &counts {
            col_start.push(col_start.last().copied().unwrap_or(0) + count);
        }
        let mut fill = col_start.clone();
        let mut col_entries = vec![(0u32, 0.0); row_entries.len()];
        for r in 0..row_lower.len() {
            for &(c, value) in &row_entries[row_start[r]..row_start[r + 1]] {
                col_entries[fill[c as usize]] = (r as u32, value);
                fill[c as usize] += 1;
            }
        }
        Matrix {
            offset,
            bounds: model.column_bounds.clone(),
            row_lower,
            row_upper,
            row_start,
            row_entries,
            col_start,
            col_entries,
            meanings: meanings(instance, model),
            step: objective_step(&cost),
            cost,
        }
    }

    /// Columns.
    pub fn columns(&self) -> usize {
        self.cost.len()
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.row_lower.len()
    }

    /// The entries (column, value) of a row.
    pub fn row(&self, row: usize) -> &[(u32, f64)] {
        &self.row_entries[self.row_start[row]..self.row_start[row + 1]]
    }

    /// The entries (row, value) of a column.
    pub fn column(&self, column: usize) -> &[(u32, f64)] {
        &self.col_entries[self.col_start[column]..self.col_start[column + 1]]
    }

    /// The objective at a column vector.
    pub fn objective_at(&self, values: &[f64]) -> f64 {
        self.offset
            + self
                .cost
                .iter()
                .zip(values)
                .map(|(c, v)| c * v)
                .sum::<f64>()
    }

    /// A lower bound rounded up to the objective's step ([`objective_step`]).
    pub fn round_bound_up(&self, bound: f64) -> f64 {
        round_bound_up(bound, self.offset, self.step)
    }

    /// The largest violation of a row or column bound by `values` (0 when feasible).
    pub fn violation(&self, values: &[f64]) -> f64 {
        let mut worst: f64 = 0.0;
        for (c, b) in self.bounds.iter().enumerate() {
            worst = worst.max(b.lower - values[c]).max(values[c] - b.upper);
            if b.integer {
                worst = worst.max((values[c] - values[c].round()).abs());
            }
        }
        for r in 0..self.rows() {
            let activity: f64 = self
                .row(r)
                .iter()
                .map(|(c, v)| v * values[*c as usize])
                .sum();
            worst = worst
                .max(self.row_lower[r] - activity)
                .max(activity - self.row_upper[r]);
        }
        worst
    }

    /// Adds to `free` every continuous column linked to a free column through rows of
    /// continuous columns (shortfalls, on-site days, idle sessions), so that what they
    /// measure can follow the freed decisions.
    pub fn close_over_continuous(&self, free: &mut [bool]) {
        let mut queue: Vec<usize> = (0..free.len()).filter(|c| free[*c]).collect();
        let mut row_seen = vec![false; self.rows()];
        while let Some(column) = queue.pop() {
            for &(row, _) in self.column(column) {
                let row = row as usize;
                if row_seen[row] {
                    continue;
                }
                row_seen[row] = true;
                for &(other, _) in self.row(row) {
                    let other = other as usize;
                    if !free[other] && !self.bounds[other].integer {
                        free[other] = true;
                        queue.push(other);
                    }
                }
            }
        }
    }

    /// The sub-problem in which the columns marked `free` may change and every other
    /// column keeps its value in `incumbent` (a feasible vector): only rows with a free
    /// column, their bounds shifted by the fixed columns' activity.
    pub fn sub_problem(&self, free: &[bool], incumbent: &[f64]) -> SubProblem {
        let columns: Vec<usize> = (0..free.len()).filter(|c| free[*c]).collect();
        let mut row_of = vec![u32::MAX; self.rows()];
        let mut rows: Vec<usize> = Vec::new();
        for &column in &columns {
            for &(row, _) in self.column(column) {
                if row_of[row as usize] == u32::MAX {
                    row_of[row as usize] = 0;
                    rows.push(row as usize);
                }
            }
        }
        rows.sort_unstable();
        let mut problem = ColProblem::default();
        let mut handles = Vec::with_capacity(rows.len());
        for (i, &row) in rows.iter().enumerate() {
            row_of[row] = i as u32;
            let fixed: f64 = self
                .row(row)
                .iter()
                .filter(|(c, _)| !free[*c as usize])
                .map(|(c, v)| v * incumbent[*c as usize])
                .sum();
            handles.push(push_row(
                &mut problem,
                self.row_lower[row] - fixed,
                self.row_upper[row] - fixed,
            ));
        }
        let mut free_cost = 0.0;
        let mut start = Vec::with_capacity(columns.len());
        for &column in &columns {
            let b = self.bounds[column];
            let entries = self
                .column(column)
                .iter()
                .map(|(row, value)| (handles[row_of[*row as usize] as usize], *value));
            let cost = self.cost[column];
            push_column(&mut problem, cost, b, b.integer, entries);
            free_cost += cost * incumbent[column];
            start.push(incumbent[column]);
        }
        let offset = self.objective_at(incumbent) - free_cost;
        SubProblem {
            columns,
            model: problem.optimise(Sense::Minimise),
            start,
            offset,
        }
    }

    /// A lower bound of the whole MILP from any row multipliers `duals` (Lagrangian
    /// duality): for feasible `x`, `c·x = (c − Aᵀy)·x + y·Ax ≥ Σ_j min over the column's
    /// domain of (c − Aᵀy)_j x_j + Σ_i min over the row's range of y_i z_i`. A multiplier
    /// whose row side is infinite is taken as 0, and every column's domain is finite
    /// (docs/model.md), so the bound is finite and valid for any `duals` — an
    /// interior-point solve stopped early gives a weaker bound, never a wrong one. Sums
    /// are compensated (Neumaier) to keep float error far below the objective's step.
    pub fn dual_bound(&self, duals: &[f64]) -> Option<f64> {
        if duals.len() != self.rows() {
            return None;
        }
        let mut reduced = self.cost.clone();
        let mut total = Compensated::default();
        total.add(self.offset);
        for (r, &y) in duals.iter().enumerate() {
            let y = if (y > 0.0 && self.row_lower[r] == f64::NEG_INFINITY)
                || (y < 0.0 && self.row_upper[r] == f64::INFINITY)
            {
                0.0
            } else {
                y
            };
            if y == 0.0 {
                continue;
            }
            total.add(if y > 0.0 {
                y * self.row_lower[r]
            } else {
                y * self.row_upper[r]
            });
            for &(c, value) in self.row(r) {
                reduced[c as usize] -= value * y;
            }
        }
        for (d, b) in reduced.iter().zip(&self.bounds) {
            let side = if *d >= 0.0 { b.lower } else { b.upper };
            if !side.is_finite() {
                return None;
            }
            total.add(d * side);
        }
        Some(total.value())
    }

    /// The LP relaxation of the whole model (every column continuous).
    pub fn relaxation(&self) -> highs::Model {
        self.problem(false)
    }

    /// The whole model for HiGHS (its constant is passed as the objective offset).
    pub fn full_problem(&self) -> highs::Model {
        self.problem(true)
    }

    /// The whole model with only the rows `keep` marks and no objective: whether it
    /// has a solution at all (explaining conflicts).
    pub fn feasibility_problem(&self, keep: &[bool]) -> highs::Model {
        self.build_problem(true, false, Some(keep))
    }

    fn problem(&self, integers: bool) -> highs::Model {
        self.build_problem(integers, true, None)
    }

    /// The HiGHS model: integrality as asked, the objective or none, every row or the
    /// rows `keep` marks.
    fn build_problem(
        &self,
        integers: bool,
        objective: bool,
        keep: Option<&[bool]>,
    ) -> highs::Model {
        let mut problem = ColProblem::default();
        let handles: Vec<Option<highs::Row>> = (0..self.rows())
            .map(|r| {
                keep.is_none_or(|keep| keep[r])
                    .then(|| push_row(&mut problem, self.row_lower[r], self.row_upper[r]))
            })
            .collect();
        for column in 0..self.columns() {
            let b = self.bounds[column];
            let entries = self
                .column(column)
                .iter()
                .filter_map(|(row, value)| handles[*row as usize].map(|h| (h, *value)));
            let cost = if objective { self.cost[column] } else { 0.0 };
            push_column(&mut problem, cost, b, b.integer && integers, entries);
        }
        problem.optimise(Sense::Minimise)
    }
}

/// Adds a row `lower ≤ a·x ≤ upper` (`lower` may be −∞).
fn push_row(problem: &mut ColProblem, lower: f64, upper: f64) -> highs::Row {
    if lower == f64::NEG_INFINITY {
        problem.add_row(..=upper)
    } else {
        problem.add_row(lower..=upper)
    }
}

/// Adds a column with its domain (the upper bound may be +∞) and its row entries.
fn push_column(
    problem: &mut ColProblem,
    cost: f64,
    bounds: ColumnBounds,
    integer: bool,
    entries: impl IntoIterator<Item = (highs::Row, f64)>,
) {
    if bounds.upper.is_finite() {
        problem.add_column_with_integrality(cost, bounds.lower..=bounds.upper, entries, integer);
    } else {
        problem.add_column_with_integrality(cost, bounds.lower.., entries, integer);
    }
}

/// Neumaier's compensated sum.
#[derive(Default)]
struct Compensated {
    sum: f64,
    compensation: f64,
}

impl Compensated {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// The largest step `g` such that every objective coefficient is a multiple of `g`
/// (tried from 1 down to 0.001), if any. The model's optimum is reached with integral
/// values in every column (docs/model.md § Decomposition: the continuous columns are
/// integral at their cheapest), so the optimal objective is `offset + k·g` for an
/// integer `k`, and a lower bound may be rounded up to the next such value.
pub(crate) fn objective_step(costs: &[f64]) -> Option<f64> {
    [1.0, 0.5, 0.25, 0.1, 0.05, 0.01, 0.005, 0.001]
        .into_iter()
        .find(|step| {
            costs.iter().all(|c| {
                let k = c / step;
                (k - k.round()).abs() <= 1e-9 * k.abs().max(1.0)
            })
        })
}

/// `bound` rounded up to the next `offset + k·step`, with a margin for HiGHS's
/// tolerances: a bound a hair above a step is taken down to that step, not up to the
/// next one.
pub(crate) fn round_bound_up(bound: f64, offset: f64, step: Option<f64>) -> f64 {
    match step {
        Some(step) => {
            let k = ((bound - offset) / step - 1e-6).ceil();
            offset + k * step
        }
        None => bound,
    }
}

/// The meaning of every column, from the variable families' keys.
fn meanings(instance: &Instance, model: &Model) -> Vec<Meaning> {
    let mut meanings = vec![Meaning::of(Family::Idle); model.column_bounds.len()];
    let vars = &model.vars;
    let week = |date: NaiveDate| instance.calendar.week_of(date);
    let mut put = |var: &Variable, meaning: Meaning| meanings[model.columns[var]] = meaning;
    for ((who, date, _), var) in &vars.present {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(*date),
                week: week(*date),
                ..Meaning::of(Family::Present)
            },
        );
    }
    for ((who, slot, _, _), var) in &vars.clinic {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                ..Meaning::of(Family::Clinic)
            },
        );
    }
    for ((studio, slot, _), var) in &vars.studio {
        let s = &instance.studios[studio.0];
        put(
            var,
            Meaning {
                who: Some(s.lead),
                date: Some(slot.date),
                week: week(slot.date),
                ..Meaning::of(Family::Studio)
            },
        );
    }
    for ((_, slot, who), var) in &vars.apprentice {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                ..Meaning::of(Family::Apprentice)
            },
        );
    }
    for ((board, slot, _), var) in &vars.meeting {
        put(
            var,
            Meaning {
                date: Some(slot.date),
                week: week(slot.date),
                board: Some(*board),
                ..Meaning::of(Family::Meeting)
            },
        );
    }
    for ((board, slot, _, who, _), var) in &vars.seat {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                board: Some(*board),
                ..Meaning::of(Family::Seat)
            },
        );
    }
    for ((_, slot, _, who), var) in &vars.operation {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                ..Meaning::of(Family::Operation)
            },
        );
    }
    for ((who, slot, _), var) in &vars.operating {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                ..Meaning::of(Family::Operating)
            },
        );
    }
    for ((request, who, slot), var) in &vars.booking {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                request: Some(*request),
                ..Meaning::of(Family::Booking)
            },
        );
    }
    for ((_, _, who, slot), var) in &vars.held {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                ..Meaning::of(Family::Held)
            },
        );
    }
    for ((who, date), var) in &vars.on_site_day {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(*date),
                week: week(*date),
                ..Meaning::of(Family::OnSiteDay)
            },
        );
    }
    for ((who, slot), var) in &vars.idle {
        put(
            var,
            Meaning {
                who: Some(*who),
                date: Some(slot.date),
                week: week(slot.date),
                ..Meaning::of(Family::Idle)
            },
        );
    }
    for ((board, w), var) in &vars.meeting_short {
        put(
            var,
            Meaning {
                week: Some(*w),
                board: Some(*board),
                ..Meaning::of(Family::MeetingShort)
            },
        );
    }
    for ((_, w), var) in &vars.studio_short {
        put(
            var,
            Meaning {
                week: Some(*w),
                ..Meaning::of(Family::StudioShort)
            },
        );
    }
    for ((_, w), var) in &vars.clinic_short {
        put(
            var,
            Meaning {
                week: Some(*w),
                ..Meaning::of(Family::ClinicShort)
            },
        );
    }
    for ((residency, _), var) in &vars.residency_weekday {
        put(
            var,
            Meaning {
                who: Some(instance.residencies[*residency].specialist),
                ..Meaning::of(Family::ResidencyWeekday)
            },
        );
    }
    for ((residency, w, _), var) in &vars.residency_window {
        put(
            var,
            Meaning {
                who: Some(instance.residencies[*residency].specialist),
                week: Some(*w),
                ..Meaning::of(Family::ResidencyWindow)
            },
        );
    }
    for (witness, candidate) in &vars.pin_witness {
        // Freed with the cell of the entry it witnesses.
        let first = candidate.first().and_then(|factor| factor.first());
        let meaning = first.map_or(Meaning::of(Family::PinWitness), |var| Meaning {
            family: Family::PinWitness,
            ..meanings[model.columns[var]]
        });
        meanings[model.columns[witness]] = meaning;
    }
    meanings
}
