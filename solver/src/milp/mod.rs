//! The exact optimizer: a MILP of the weekly roster (docs/model.md) built with good_lp
//! and solved by HiGHS. good_lp types stay inside this module.
//!
//! `solve` builds the model (`model`), turns a heuristic schedule into a MIP start
//! (`start_values`), runs HiGHS with progress and cancel callbacks ([`highs`]), and
//! reads the solution back into a [`Schedule`] with concrete rooms (`extract`). The
//! public entry point is [`crate::solve::solve`].

pub mod highs;
pub(crate) mod matrix;
mod model;
mod rooms;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;

use chrono::{Datelike, NaiveDate};
use good_lp::{Solution, SolverModel, Variable};

use crate::calendar::Slot;
use crate::instance::{Instance, RoomIx, SiteIx, SpecialistIx};
use crate::schedule::{Appointment, Clinic, Meeting, Operation, Schedule, Seat, StudioSession};
use highs::{HighsError, HighsOptions, MilpStatus, Progress};
pub(crate) use model::{Model, RoomUser, RowGroup};
use rooms::ClassIx;

/// Size of a built model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ModelStats {
    /// Columns.
    pub variables: usize,
    /// Rows.
    pub constraints: usize,
}

/// What the MILP solve produced.
pub(crate) struct MilpOutcome {
    pub status: MilpStatus,
    pub schedule: Option<Schedule>,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub first_incumbent: Option<f64>,
    pub stats: ModelStats,
    /// The model's objective at the MIP start, when one was given and complete.
    pub start_objective: Option<f64>,
}

/// Values by column for `Expression::eval_with`.
struct Values<'a> {
    model: &'a Model,
    values: &'a [f64],
}

impl Solution for Values<'_> {
    fn status(&self) -> good_lp::SolutionStatus {
        good_lp::SolutionStatus::Optimal
    }
    fn value(&self, variable: Variable) -> f64 {
        self.model
            .columns
            .get(&variable)
            .map_or(0.0, |c| self.values[*c])
    }
}

/// The size of a built model.
pub(crate) fn stats(model: &Model) -> ModelStats {
    ModelStats {
        variables: model.columns.len(),
        constraints: model.constraints.len(),
    }
}

/// Reads a column vector back into a schedule with concrete rooms.
pub(crate) fn extract_schedule(instance: &Instance, model: &Model, values: &[f64]) -> Schedule {
    extract(instance, model, values)
}

/// Builds the model of an instance, with the re-planning bonuses of `stability`.
pub(crate) fn build(instance: &Instance, stability: Option<&crate::solve::Stability>) -> Model {
    model::build(instance, stability)
}

/// Solves a built MILP, starting from `start` when given.
pub(crate) fn solve(
    instance: &Instance,
    mut model: Model,
    start: Option<&Schedule>,
    options: HighsOptions,
    report: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<MilpOutcome, HighsError> {
    let started = std::time::Instant::now();
    let stats = ModelStats {
        variables: model.columns.len(),
        constraints: model.constraints.len(),
    };
    let start_vector = start.and_then(|schedule| start_values(instance, &model, schedule));
    let start_objective = start_vector.as_ref().map(|values| {
        model.objective.eval_with(&Values {
            model: &model,
            values,
        })
    });
    let offset = good_lp::IntoAffineExpression::constant(&model.objective);
    if model.columns.is_empty() {
        // Nothing to decide: the empty schedule is the only one (HiGHS rejects an empty
        // model's start and reports no solution status for it).
        return Ok(MilpOutcome {
            status: MilpStatus::Optimal,
            schedule: Some(extract(instance, &model, &[])),
            objective: Some(offset),
            bound: Some(offset),
            first_incumbent: Some(0.0),
            stats,
            start_objective,
        });
    }
    // The time limit covers building the model too.
    let options = HighsOptions {
        time_limit: (options.time_limit - started.elapsed().as_secs_f64()).max(0.0),
        ..options
    };
    let problem_vars = std::mem::take(&mut model.problem_vars);
    let mut problem = problem_vars
        .minimise(model.objective.clone())
        .using(good_lp::solvers::highs::highs);
    for constraint in std::mem::take(&mut model.constraints) {
        problem.add_constraint(constraint);
    }
    let run = highs::run(
        problem,
        offset,
        start_vector.as_deref(),
        options,
        report,
        cancel,
    )?;
    let schedule = run
        .values
        .as_ref()
        .map(|values| extract(instance, &model, values));
    Ok(MilpOutcome {
        status: run.status,
        schedule,
        objective: run.objective,
        // An LP (no binary column) has no MIP bound: at optimality its objective is one.
        bound: match (run.status, model.integer_columns) {
            (MilpStatus::Optimal, 0) => run.objective,
            _ => run.bound.map(|bound| {
                let costs: Vec<f64> =
                    good_lp::IntoAffineExpression::linear_coefficients(model.objective.clone())
                        .map(|(_, c)| c)
                        .collect();
                matrix::round_bound_up(bound, offset, matrix::objective_step(&costs))
            }),
        },
        first_incumbent: run.first_incumbent,
        stats,
        start_objective,
    })
}

/// A user of a room class in a slot, with the discipline index of a clinic.
type ClassUser = (RoomUser, Option<usize>);

/// Reads a solution into a schedule, handing out concrete rooms per class and slot.
fn extract(instance: &Instance, model: &Model, values: &[f64]) -> Schedule {
    let on = |var: &Variable| model.columns.get(var).is_some_and(|c| values[*c] > 0.5);
    let vars = &model.vars;
    let mut schedule = Schedule::default();
    for ((who, date, site), var) in &vars.present {
        if on(var) && instance.specialist(*who).visiting {
            schedule.presence.insert((*who, *date, *site));
        }
    }
    // Users of each room class per slot, then rooms handed out: the reference's room
    // first where it is still free, the others in order.
    let mut users: BTreeMap<(ClassIx, Slot), Vec<ClassUser>> = BTreeMap::new();
    for ((who, slot, class, d), var) in &vars.clinic {
        if on(var) {
            users
                .entry((*class, *slot))
                .or_default()
                .push((RoomUser::Clinic(*who), Some(*d)));
        }
    }
    for ((st, slot, class), var) in &vars.studio {
        if on(var) {
            users
                .entry((*class, *slot))
                .or_default()
                .push((RoomUser::Studio(*st), None));
        }
    }
    for ((b, slot, class), var) in &vars.meeting {
        if on(var) {
            users
                .entry((*class, *slot))
                .or_default()
                .push((RoomUser::Meeting(*b), None));
        }
    }
    for ((class, slot), list) in users {
        let mut free = model.classes.available(instance, class, slot);
        let mut rooms: Vec<Option<RoomIx>> = list
            .iter()
            .map(|(user, _)| {
                let preferred = model.preferred_rooms.get(&(slot, *user))?;
                let at = free.iter().position(|r| r == preferred)?;
                Some(free.remove(at))
            })
            .collect();
        let mut rest = free.into_iter();
        for room in rooms.iter_mut().filter(|r| r.is_none()) {
            *room = rest.next();
        }
        for ((user, d), room) in list.into_iter().zip(rooms) {
            let Some(room) = room else { continue };
            match user {
                RoomUser::Clinic(who) => schedule.clinics.push(Clinic {
                    who,
                    slot,
                    room,
                    discipline: instance.specialist(who).disciplines[d.unwrap_or(0)].clone(),
                }),
                RoomUser::Studio(studio) => {
                    let apprentices = vars
                        .apprentice
                        .iter()
                        .filter(|((st, s, _), var)| *st == studio && *s == slot && on(var))
                        .map(|((_, _, a), _)| *a)
                        .collect();
                    schedule.studio_sessions.push(StudioSession {
                        studio,
                        slot,
                        room,
                        apprentices,
                    });
                }
                RoomUser::Meeting(board) => {
                    let seats = vars
                        .seat
                        .iter()
                        .filter(|((b, s, _, _, _), var)| *b == board && *s == slot && on(var))
                        .map(|((_, _, d, who, remote), _)| Seat {
                            who: *who,
                            discipline: instance.mdt_boards[board.0].required[*d].clone(),
                            remote: *remote,
                        })
                        .collect();
                    schedule.meetings.push(Meeting {
                        board,
                        slot,
                        room,
                        seats,
                    });
                }
            }
        }
    }
    for ((surgery, slot, room, surgeon), var) in &vars.operation {
        if on(var) {
            schedule.operations.push(Operation {
                surgery: *surgery,
                slot: *slot,
                room: *room,
                surgeon: *surgeon,
            });
        }
    }
    let mut held: BTreeMap<(SiteIx, SpecialistIx, Slot), u32> = vars
        .held
        .iter()
        .map(|((_, site, who, slot), var)| {
            let value = model.columns.get(var).map_or(0.0, |c| values[*c]);
            ((*site, *who, *slot), value.round().max(0.0) as u32)
        })
        .collect();
    for ((request, who, slot), var) in &vars.booking {
        if on(var) {
            let referred_by = instance.requests[request.0].referred_by;
            let takes_held = referred_by
                .and_then(|site| held.get_mut(&(site, *who, *slot)))
                .filter(|left| **left > 0)
                .map(|left| *left -= 1)
                .is_some();
            schedule.appointments.push(Appointment {
                request: *request,
                who: *who,
                slot: *slot,
                held: takes_held,
            });
        }
    }
    schedule
}

/// The column vector of a schedule, or `None` when the schedule uses a combination the
/// model has no variable for (then HiGHS starts without it).
pub(crate) fn start_values(
    instance: &Instance,
    model: &Model,
    schedule: &Schedule,
) -> Option<Vec<f64>> {
    let vars = &model.vars;
    let mut values = vec![0.0; model.columns.len()];
    let mut set = |var: Option<&Variable>, value: f64| -> Option<()> {
        let column = model.columns.get(var?)?;
        values[*column] = value;
        Some(())
    };
    let class = |room: RoomIx| model.classes.class_of(room);
    // Activities by specialist and slot, and the sites of each day.
    let mut busy: BTreeSet<(SpecialistIx, Slot)> = BTreeSet::new();
    let mut sites: BTreeSet<(SpecialistIx, NaiveDate, SiteIx)> = schedule.presence.clone();
    let mut on_site = |who: SpecialistIx,
                       slot: Slot,
                       site: Option<SiteIx>,
                       busy: &mut BTreeSet<(SpecialistIx, Slot)>| {
        busy.insert((who, slot));
        if let Some(site) = site {
            sites.insert((who, slot.date, site));
        }
    };
    for clinic in &schedule.clinics {
        let d = instance
            .specialist(clinic.who)
            .disciplines
            .iter()
            .position(|x| *x == clinic.discipline)?;
        set(
            vars.clinic
                .get(&(clinic.who, clinic.slot, class(clinic.room)?, d)),
            1.0,
        )?;
        on_site(
            clinic.who,
            clinic.slot,
            Some(instance.room(clinic.room).site),
            &mut busy,
        );
    }
    for session in &schedule.studio_sessions {
        let studio = &instance.studios[session.studio.0];
        set(
            vars.studio
                .get(&(session.studio, session.slot, class(session.room)?)),
            1.0,
        )?;
        on_site(studio.lead, session.slot, Some(studio.site), &mut busy);
        for apprentice in &session.apprentices {
            set(
                vars.apprentice
                    .get(&(session.studio, session.slot, *apprentice)),
                1.0,
            )?;
            on_site(*apprentice, session.slot, Some(studio.site), &mut busy);
        }
    }
    for meeting in &schedule.meetings {
        let board = &instance.mdt_boards[meeting.board.0];
        set(
            vars.meeting
                .get(&(meeting.board, meeting.slot, class(meeting.room)?)),
            1.0,
        )?;
        for seat in &meeting.seats {
            let d = board.required.iter().position(|x| *x == seat.discipline)?;
            set(
                vars.seat
                    .get(&(meeting.board, meeting.slot, d, seat.who, seat.remote)),
                1.0,
            )?;
            on_site(
                seat.who,
                meeting.slot,
                (!seat.remote).then_some(board.site),
                &mut busy,
            );
        }
    }
    for op in &schedule.operations {
        let site = instance.room(op.room).site;
        set(
            vars.operation
                .get(&(op.surgery, op.slot, op.room, op.surgeon)),
            1.0,
        )?;
        set(vars.operating.get(&(op.surgeon, op.slot, site)), 1.0)?;
        on_site(op.surgeon, op.slot, Some(site), &mut busy);
    }
    let mut held: BTreeMap<(usize, SiteIx, SpecialistIx, Slot), f64> = BTreeMap::new();
    for appointment in &schedule.appointments {
        set(
            vars.booking
                .get(&(appointment.request, appointment.who, appointment.slot)),
            1.0,
        )?;
        if appointment.held {
            let site = instance.requests[appointment.request.0].referred_by?;
            let p = instance
                .pools
                .iter()
                .position(|pool| pool.holder == appointment.who)?;
            *held
                .entry((p, site, appointment.who, appointment.slot))
                .or_default() += 1.0;
        }
    }
    for (key, count) in held {
        set(vars.held.get(&key), count)?;
    }
    for (who, date, site) in &sites {
        if let Some(var) = vars.present.get(&(*who, *date, *site)) {
            set(Some(var), 1.0)?;
        }
    }
    let days: BTreeSet<(SpecialistIx, NaiveDate)> =
        schedule.presence.iter().map(|(w, d, _)| (*w, *d)).collect();
    for (who, date) in &days {
        set(vars.on_site_day.get(&(*who, *date)), 1.0)?;
    }
    for ((who, slot), var) in &vars.idle {
        if days.contains(&(*who, slot.date)) && !busy.contains(&(*who, *slot)) {
            set(Some(var), 1.0)?;
        }
    }
    let week_of = |slot: &Slot| instance.calendar.week_of(slot.date);
    for ((board, week), var) in &vars.meeting_short {
        let held = schedule
            .meetings
            .iter()
            .filter(|m| m.board == *board && week_of(&m.slot) == Some(*week))
            .count();
        let wanted = instance.mdt_boards[board.0].meetings_per_week as usize;
        set(Some(var), wanted.saturating_sub(held) as f64)?;
    }
    for ((studio, week), var) in &vars.studio_short {
        let held = schedule
            .studio_sessions
            .iter()
            .filter(|s| s.studio == *studio && week_of(&s.slot) == Some(*week))
            .count();
        let wanted = instance.studios[studio.0].sessions_per_week as usize;
        set(Some(var), wanted.saturating_sub(held) as f64)?;
    }
    for ((c, week), var) in &vars.clinic_short {
        let demand = &instance.clinic_demand[*c];
        let fits = |room: RoomIx, discipline: &str, slot: &Slot| {
            let room = instance.room(room);
            room.site == demand.site
                && discipline == demand.discipline
                && room.has_tags(&demand.room_tags)
                && week_of(slot) == Some(*week)
        };
        let held = schedule
            .clinics
            .iter()
            .filter(|c| fits(c.room, &c.discipline, &c.slot))
            .count()
            + schedule
                .studio_sessions
                .iter()
                .filter(|s| fits(s.room, &instance.studios[s.studio.0].discipline, &s.slot))
                .count();
        set(
            Some(var),
            (demand.sessions_per_week as usize).saturating_sub(held) as f64,
        )?;
    }
    for (i, residency) in instance.residencies.iter().enumerate() {
        if residency.days.is_some() {
            continue;
        }
        let dates: Vec<NaiveDate> = schedule
            .presence
            .iter()
            .filter(|(who, date, site)| {
                *who == residency.specialist
                    && *site == residency.site
                    && instance
                        .calendar
                        .week_of(*date)
                        .is_some_and(|w| residency.weeks.contains(&w))
            })
            .map(|(_, date, _)| *date)
            .collect();
        for date in &dates {
            if let Some(var) = vars
                .residency_weekday
                .get(&(i, date.weekday().num_days_from_monday()))
            {
                set(Some(var), 1.0)?;
            }
        }
        for &week in &residency.weeks {
            let in_week: Vec<NaiveDate> = dates
                .iter()
                .copied()
                .filter(|d| instance.calendar.week_of(*d) == Some(week))
                .collect();
            if let Some(windows) = model.windows.get(&(i, week)) {
                let w = windows.iter().position(|window| *window == in_week)?;
                set(vars.residency_window.get(&(i, week, w)), 1.0)?;
            }
        }
    }
    for (witness, candidate) in &vars.pin_witness {
        let held = candidate.iter().all(|factor| {
            factor
                .iter()
                .any(|var| model.columns.get(var).is_some_and(|c| values[*c] > 0.5))
        });
        values[model.columns[witness]] = if held { 1.0 } else { 0.0 };
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::greedy;
    use good_lp::{Expression, IntoAffineExpression};

    fn shipped(name: &str) -> Instance {
        let path = format!("{}/../instances/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        Instance::from_path(std::path::Path::new(&path)).expect("valid instance")
    }

    /// Describes a column by the variable family and key it stands for.
    fn describe(model: &Model, column: usize) -> String {
        let vars = &model.vars;
        let found = |var: &Variable| model.columns.get(var) == Some(&column);
        macro_rules! look {
            ($($family:ident),*) => {$(
                if let Some((key, _)) = vars.$family.iter().find(|(_, v)| found(v)) {
                    return format!("{} {:?}", stringify!($family), key);
                }
            )*};
        }
        look!(
            present,
            clinic,
            studio,
            apprentice,
            meeting,
            seat,
            operation,
            operating,
            booking,
            on_site_day,
            idle,
            meeting_short,
            studio_short,
            clinic_short,
            residency_weekday,
            residency_window
        );
        format!("column {column}")
    }

    /// The greedy roster, as a MIP start, satisfies every row of the model and the model
    /// prices it exactly as the checker does: the formulation and the checker agree.
    #[test]
    fn greedy_starts_are_feasible_and_priced_like_the_checker() {
        for name in [
            "example-week",
            "ningde-regional",
            "beilun-oncology",
            "yangpu-studios",
            "fenghua-county",
        ] {
            let instance = shipped(name);
            let schedule = greedy::build(&instance).expect("greedy roster");
            let model = model::build(&instance, None);
            let values = start_values(&instance, &model, &schedule).expect("start vector");
            let solution = Values {
                model: &model,
                values: &values,
            };
            let mut violated = Vec::new();
            for constraint in &model.constraints {
                let lhs = constraint.expression().eval_with(&solution);
                let broken = if constraint.is_equality() {
                    lhs.abs() > 1e-6
                } else {
                    lhs > 1e-6
                };
                if broken {
                    let columns: Vec<String> = constraint
                        .expression()
                        .clone()
                        .linear_coefficients()
                        .map(|(var, coefficient)| {
                            let column = model.columns[&var];
                            format!(
                                "{coefficient}·[{}]={}",
                                describe(&model, column),
                                values[column]
                            )
                        })
                        .collect();
                    violated.push(format!("lhs {lhs}: {}", columns.join(" + ")));
                }
            }
            assert!(
                violated.is_empty(),
                "{name}: {} violated rows, e.g.\n{}",
                violated.len(),
                violated
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            let roster = schedule.to_roster(
                &instance,
                crate::schedule::Provenance {
                    status: crate::roster::RosterStatus::Feasible,
                    bound: None,
                    seconds: 0.0,
                },
            );
            let priced = Expression::eval_with(&model.objective, &solution);
            assert!(
                (priced - roster.objective).abs() < 1e-6,
                "{name}: model prices the greedy roster at {priced}, the checker at {}",
                roster.objective
            );
        }
    }
}
