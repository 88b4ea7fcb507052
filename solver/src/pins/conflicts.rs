//! Why pins cannot all hold: a small set of pins, and the rules, that conflict
//! (docs/format.md § Pins). Never "infeasible" alone.
//!
//! A pin the model has no way to meet is named at once with what rules it out (the
//! specialist is unavailable, the surgery is not released yet…). Otherwise a deletion
//! filter over the pins finds a set that is infeasible while every proper subset
//! tested is feasible: each test is the whole model with some pins' rows dropped and
//! no objective, stopped at its first solution. The frozen past counts as one pin.
//! The rules of the conflict are found by the same filter over the rule families: a
//! smallest set of them that, with those pins, still admits no roster.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;

use super::{Pattern, Pin, PinRef};
use crate::check::Rule;
use crate::instance::Instance;
use crate::milp::highs::{HighsOptions, MilpStatus, Progress};
use crate::milp::matrix::Matrix;
use crate::milp::{Model, RowGroup};
use crate::text;
use crate::text::{Arg, Key, Separator, Text};

/// Pins that cannot all hold, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PinConflict {
    /// The pins (and forbids) of the conflict; the frozen past as one entry.
    pub pins: Vec<PinRef>,
    /// The rules they break together (empty when pins and forbids contradict directly).
    pub rules: Vec<Rule>,
    /// What a scheduler can act on: "xi-xiaowei is unavailable on 2026-03-02".
    pub reasons: Vec<String>,
    /// The same reasons as messages, to be written in any language.
    #[serde(skip)]
    pub reason_texts: Vec<Text>,
    /// False when the time ran out before the set was shown to be minimal.
    pub minimal: bool,
}

impl PinConflict {
    fn new(pins: Vec<PinRef>, rules: Vec<Rule>, reasons: Vec<Text>, minimal: bool) -> Self {
        PinConflict {
            pins,
            rules,
            reasons: reasons.iter().map(ToString::to_string).collect(),
            reason_texts: reasons,
            minimal,
        }
    }

    /// The whole explanation as one message: which pins, why, under which rules.
    pub fn text(&self) -> Text {
        let names: Vec<Arg> = self
            .pins
            .iter()
            .map(|p| match &p.note {
                Some(note) => Arg::from(text!(PinNameNoted {
                    id: &p.id,
                    note: note
                })),
                None => Arg::from(&p.id),
            })
            .collect();
        let forbids = self.pins.iter().all(|p| p.forbid);
        let pick = |pin: Key, forbid: Key| if forbids { forbid } else { pin };
        let mut head = match names.as_slice() {
            [one] => {
                Text::new(pick(Key::PinCannotHold, Key::ForbidCannotHold)).with("pin", one.clone())
            }
            [a, b] => Text::new(pick(Key::PinsCannotBothHold, Key::ForbidsCannotBothHold))
                .with("a", a.clone())
                .with("b", b.clone()),
            [rest @ .., last] => Text::new(pick(Key::PinsCannotAllHold, Key::ForbidsCannotAllHold))
                .with("rest", Arg::List(rest.to_vec(), Separator::Comma))
                .with("last", last.clone()),
            [] => text!(NoPinsCannotHold),
        };
        if !self.reason_texts.is_empty() {
            head = text!(ConflictBecause {
                head: head,
                reasons: Arg::list(self.reason_texts.iter(), Separator::Semicolon),
            });
        }
        if !self.rules.is_empty() {
            head = text!(ConflictRules {
                head: head,
                rules: Arg::list(self.rules.iter().map(|r| r.label_text()), Separator::Comma),
            });
        }
        if !self.minimal {
            head = text!(ConflictNotMinimal { head: head });
        }
        head
    }
}

impl fmt::Display for PinConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// A pin the model has no way to meet, with what rules it out.
pub(crate) fn impossible_pin(instance: &Instance, model: &Model) -> Option<PinConflict> {
    let pin = instance
        .pins
        .iter()
        .zip(&model.pin_candidates)
        .find(|(pin, candidates)| !pin.forbid && **candidates == 0)
        .map(|(pin, _)| pin)?;
    Some(PinConflict::new(
        vec![PinRef::of(instance, pin)],
        Vec::new(),
        vec![why_impossible(instance, pin)],
        true,
    ))
}

/// Pin groups of the deletion filter: each pin of the file, and the frozen past.
fn pin_groups(instance: &Instance) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut frozen = Vec::new();
    for (i, pin) in instance.pins.iter().enumerate() {
        if pin.frozen {
            frozen.push(i);
        } else {
            groups.push(vec![i]);
        }
    }
    if !frozen.is_empty() {
        groups.push(frozen);
    }
    groups
}

/// Stops HiGHS at its first solution.
struct FirstSolution<'a> {
    found: bool,
    cancel: &'a AtomicBool,
}

impl crate::milp::highs::Listener for FirstSolution<'_> {
    fn progress(&mut self, _: Progress) {}
    fn should_stop(&self) -> bool {
        self.found || self.cancel.load(Ordering::Relaxed)
    }
    fn improved(&mut self, _objective: f64, _values: &[f64]) {
        self.found = true;
    }
}

/// Whether the model with only some row groups is feasible: `Some(true/false)`, or
/// `None` when the time ran out first.
struct Tester<'a> {
    matrix: &'a Matrix,
    groups: &'a [(RowGroup, std::ops::Range<usize>)],
    deadline: Instant,
    cancel: &'a AtomicBool,
}

impl Tester<'_> {
    fn feasible(&self, keep: &dyn Fn(RowGroup) -> bool) -> Option<bool> {
        let left = self
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if left <= 0.0 || self.cancel.load(Ordering::Relaxed) {
            return None;
        }
        let mut kept = vec![false; self.matrix.rows()];
        for (group, rows) in self.groups {
            if keep(*group) {
                kept[rows.clone()].iter_mut().for_each(|k| *k = true);
            }
        }
        let model = self.matrix.feasibility_problem(&kept);
        let tuning = crate::milp::highs::Tuning::single(HighsOptions {
            time_limit: left,
            gap: 1.0,
            threads: 1,
            parallel_tree: false,
        });
        let mut listener = FirstSolution {
            found: false,
            cancel: self.cancel,
        };
        let run = crate::milp::highs::run_model(model, 0.0, None, &tuning, &mut listener).ok()?;
        if listener.found || run.values.is_some() {
            return Some(true);
        }
        match run.status {
            MilpStatus::Infeasible => Some(false),
            MilpStatus::Optimal => Some(true),
            _ => None,
        }
    }
}

/// A small set of pins that cannot hold together, when the model with every pin is
/// infeasible and the model with none is not; `None` when the pins are not the cause
/// (or nothing could be shown within `seconds`).
pub(crate) fn explain(
    instance: &Instance,
    stability: Option<&crate::solve::Stability>,
    seconds: f64,
    cancel: &AtomicBool,
) -> Option<PinConflict> {
    let mut model = crate::milp::build(instance, stability);
    if let Some(conflict) = impossible_pin(instance, &model) {
        return Some(conflict);
    }
    let groups = model.row_groups.clone();
    let matrix = Matrix::from_model(instance, &mut model);
    let tester = Tester {
        matrix: &matrix,
        groups: &groups,
        deadline: Instant::now() + std::time::Duration::from_secs_f64(seconds.max(1.0)),
        cancel,
    };
    let pin_sets = pin_groups(instance);
    let frozen_rows_with = |kept: &[bool]| {
        // The frozen presence rows belong to the frozen past's group (the last one).
        pin_sets
            .iter()
            .enumerate()
            .any(|(g, set)| kept[g] && set.iter().any(|i| instance.pins[*i].frozen))
    };
    let keeps = |kept: &[bool], dropped_rule: Option<Rule>| {
        // (`dropped_rule`: one rule family left out.)
        let pins_kept: Vec<bool> = {
            let mut v = vec![false; instance.pins.len()];
            for (g, set) in pin_sets.iter().enumerate() {
                if kept[g] {
                    for i in set {
                        v[*i] = true;
                    }
                }
            }
            v
        };
        let frozen = frozen_rows_with(kept);
        move |group: RowGroup| match group {
            RowGroup::Pin(i) => pins_kept[i],
            RowGroup::Frozen => frozen,
            RowGroup::Rule(rule) => Some(rule) != dropped_rule,
            RowGroup::Definitions => true,
        }
    };
    let none = vec![false; pin_sets.len()];
    if tester.feasible(&keeps(&none, None)) != Some(true) {
        return None;
    }
    // Deletion filter, in chunks that halve: drop a chunk whenever the rest stays infeasible.
    let mut kept = vec![true; pin_sets.len()];
    let mut minimal = true;
    let mut chunk = (pin_sets.len() / 2).max(1);
    loop {
        let members: Vec<usize> = (0..pin_sets.len()).filter(|g| kept[*g]).collect();
        for part in members.chunks(chunk) {
            let mut trial = kept.clone();
            for g in part {
                trial[*g] = false;
            }
            match tester.feasible(&keeps(&trial, None)) {
                Some(false) => kept = trial,
                Some(true) => {}
                None => minimal = false,
            }
        }
        if chunk == 1 {
            break;
        }
        chunk = (chunk / 2).max(1);
    }
    // Then the same filter over rule families, the most telling tried last so that
    // they stay: rule 2's presence links also keep one activity per slot, for example.
    let families = [
        Rule::Booking,
        Rule::Surgery,
        Rule::Studio,
        Rule::Mdt,
        Rule::Load,
        Rule::WhereTheyMayBe,
        Rule::Presence,
        Rule::OneThingAtATime,
    ];
    let mut dropped: Vec<Rule> = Vec::new();
    for family in families {
        let mut trial = dropped.clone();
        trial.push(family);
        let keep_pins = keeps(&kept, None);
        let without = |group: RowGroup| match group {
            RowGroup::Rule(rule) if trial.contains(&rule) => false,
            other => keep_pins(other),
        };
        match tester.feasible(&without) {
            Some(false) => dropped = trial,
            Some(true) => {}
            None => minimal = false,
        }
    }
    let mut rules: Vec<Rule> = families
        .into_iter()
        .filter(|rule| !dropped.contains(rule))
        .collect();
    rules.sort();
    let pins: Vec<&Pin> = pin_sets
        .iter()
        .enumerate()
        .filter(|(g, _)| kept[*g])
        .flat_map(|(_, set)| set.iter().map(|i| &instance.pins[*i]))
        .collect();
    let reasons = reasons(instance, &pins, &rules);
    let mut refs: Vec<PinRef> = Vec::new();
    let mut frozen_listed = false;
    for pin in &pins {
        if pin.frozen {
            if !frozen_listed {
                refs.push(PinRef {
                    id: "frozen".into(),
                    note: pin.note.clone(),
                    forbid: false,
                    pattern: "every published entry of the frozen days".into(),
                });
                frozen_listed = true;
            }
        } else {
            refs.push(PinRef::of(instance, pin));
        }
    }
    Some(PinConflict::new(refs, rules, reasons, minimal))
}

fn slot_text(instance: &Instance, pin: &Pin) -> Arg {
    let session = |s: usize| Arg::session(&instance.calendar.sessions()[s].id);
    match (pin.date(), pin.session()) {
        (Some(d), Some(s)) => Arg::from(text!(SlotAt {
            date: d,
            session: session(s)
        })),
        (Some(d), None) => Arg::from(d),
        (None, Some(s)) => Arg::from(text!(TheSessions {
            session: session(s)
        })),
        (None, None) => Arg::from(text!(TheHorizon)),
    }
}

/// Why a pin has no way to hold on its own, from the instance.
pub(crate) fn why_impossible(instance: &Instance, pin: &Pin) -> Text {
    let calendar = &instance.calendar;
    let sessions: Vec<usize> = match pin.session() {
        Some(s) => vec![s],
        None => (0..calendar.sessions().len()).collect(),
    };
    let when = slot_text(instance, pin);
    if let (Some(who), Some(date)) = (pin.specialist(), pin.date()) {
        let person = instance.specialist(who);
        if !sessions.iter().any(|s| person.is_available(date, *s)) {
            return text!(PinPersonUnavailable {
                who: &person.id,
                when: when
            });
        }
        if !sessions.iter().any(|s| instance.can_work(who, date, *s)) {
            return text!(PinPersonCannotWork {
                who: &person.id,
                when: when
            });
        }
    }
    if let (Some(room), Some(date)) = (pin.room(), pin.date())
        && sessions
            .iter()
            .all(|s| instance.room(room).unavailable.contains(date, *s))
    {
        return text!(PinRoomUnavailable {
            room: &instance.room(room).id,
            when: when,
        });
    }
    match &pin.pattern {
        Pattern::Surgery(p) => {
            if let Some(g) = p.surgery {
                let surgery = &instance.surgeries[g.0];
                if let Some(date) = p.date
                    && date < surgery.release
                {
                    return text!(PinSurgeryNotReleased {
                        surgery: &surgery.id,
                        release: surgery.release,
                        date: date,
                    });
                }
                let qualified = instance.qualified_surgeons(g);
                if let Some(s) = p.surgeon
                    && !qualified.contains(&s)
                {
                    let needs = match surgery.surgeon {
                        Some(n) => Arg::from(text!(NamedSurgeonAt {
                            who: &instance.specialist(n).id
                        })),
                        None => Arg::from(&surgery.discipline),
                    };
                    return text!(PinSurgeonNotQualified {
                        who: &instance.specialist(s).id,
                        surgery: &surgery.id,
                        needs: needs,
                        grade: surgery.grade,
                    });
                }
                if qualified.is_empty() {
                    return text!(PinNoQualifiedSurgeon {
                        surgery: &surgery.id
                    });
                }
                return text!(PinSurgeryFitsNothing {
                    surgery: &surgery.id,
                    minutes: surgery.minutes,
                    when: when,
                });
            }
            text!(PinNoSurgeryAsAsked { when: when })
        }
        Pattern::Booking(p) => {
            let request = &instance.requests[p.request.0];
            if let Some(date) = p.date
                && (date < request.earliest || date > request.latest)
            {
                return text!(PinBookingOutsideWindow {
                    request: &request.id,
                    earliest: request.earliest,
                    latest: request.latest,
                    date: date,
                });
            }
            if let (Some(s), Some(named)) = (p.specialist, request.specialist)
                && s != named
                && !request.substitute_ok
            {
                return text!(PinBookingNoSubstitute {
                    request: &request.id,
                    who: &instance.specialist(named).id,
                });
            }
            text!(PinBookingNoSession {
                when: when,
                request: &request.id
            })
        }
        Pattern::Assignment(p) => {
            if let Some(b) = p.board {
                let board = &instance.mdt_boards[b.0];
                return text!(PinBoardCannotMeet {
                    board: &board.id,
                    when: when,
                    disciplines: Arg::ids(&board.required, Separator::Comma),
                });
            }
            if let Some(st) = p.studio {
                return text!(PinStudioCannotSit {
                    studio: &instance.studios[st.0].id,
                    when: when,
                    min: instance.studios[st.0].min_apprentices,
                });
            }
            text!(PinNoActivity { when: when })
        }
    }
}

/// Facts behind a conflict of several pins, by the rules involved.
fn reasons(instance: &Instance, pins: &[&Pin], rules: &[Rule]) -> Vec<Text> {
    let mut out = Vec::new();
    let person = |s: crate::instance::SpecialistIx| instance.specialist(s).id.clone();
    if rules.contains(&Rule::OneThingAtATime) {
        for (i, a) in pins.iter().enumerate() {
            for b in &pins[i + 1..] {
                if let (Some(sa), Some(sb)) = (a.specialist(), b.specialist())
                    && sa == sb
                    && a.date().is_some()
                    && a.date() == b.date()
                {
                    let when = match (a.session(), b.session(), a.date()) {
                        (Some(x), Some(y), _) if x == y => slot_text(instance, a),
                        (_, _, Some(d)) => Arg::from(d),
                        _ => Arg::from(""),
                    };
                    out.push(text!(WouldDoubleBook {
                        who: person(sa),
                        when: when
                    }));
                }
                if let (Some(ra), Some(rb)) = (a.room(), b.room())
                    && ra == rb
                    && a.date() == b.date()
                {
                    out.push(text!(RoomWouldDoubleBook {
                        room: &instance.room(ra).id,
                        when: slot_text(instance, a),
                    }));
                }
            }
        }
    }
    if rules.contains(&Rule::Presence) {
        for pin in pins {
            if let Some(s) = pin.specialist() {
                for (r, residency) in instance.residencies.iter().enumerate() {
                    if residency.specialist != s {
                        continue;
                    }
                    let days = match &residency.days {
                        Some(days) => text!(ResidencyFixedTo {
                            days: Arg::List(
                                days.iter()
                                    .map(|d| Arg::Weekday {
                                        day: *d,
                                        file_style: true,
                                    })
                                    .collect(),
                                Separator::Comma,
                            )
                        }),
                        None => text!(ResidencyTakesDays {
                            count: residency.days_per_week
                        }),
                    };
                    out.push(text!(ResidencyBinds {
                        who: person(s),
                        site: &instance.site(residency.site).id,
                        index: r,
                        days: days,
                    }));
                }
            }
        }
    }
    if rules.contains(&Rule::WhereTheyMayBe) && !rules.contains(&Rule::Presence) {
        for pin in pins {
            if let (Some(s), Some(d)) = (pin.specialist(), pin.date()) {
                out.push(text!(OneSiteADay {
                    who: person(s),
                    date: d
                }));
            }
        }
    }
    if rules.contains(&Rule::Load) {
        for pin in pins {
            if let Some(s) = pin.specialist() {
                let p = instance.specialist(s);
                out.push(text!(LoadLimits {
                    who: &p.id,
                    day: p
                        .max_sessions_per_day
                        .map_or(Arg::from(text!(WordAll)), Arg::from),
                    week: p
                        .max_sessions_per_week
                        .map_or(Arg::from(text!(WordAnyNumberOf)), Arg::from),
                }));
            }
        }
    }
    if rules.is_empty() {
        let forbids: Vec<&&Pin> = pins.iter().filter(|p| p.forbid).collect();
        for pin in pins.iter().filter(|p| !p.forbid) {
            if let Pattern::Surgery(p) = &pin.pattern
                && let Some(g) = p.surgery
            {
                let names: Vec<String> = instance
                    .qualified_surgeons(g)
                    .into_iter()
                    .map(person)
                    .collect();
                out.push(text!(SurgeryOnlyBy {
                    surgery: &instance.surgeries[g.0].id,
                    names: Arg::ids(&names, Separator::Comma),
                }));
            }
            if !forbids.is_empty() {
                out.push(text!(EveryWayMatches {
                    pin: pin.label_text(),
                    forbids: Arg::list(forbids.iter().map(|f| f.label_text()), Separator::Comma),
                }));
            }
        }
    }
    let mut unique: Vec<Text> = Vec::new();
    for reason in out {
        if !unique.contains(&reason) {
            unique.push(reason);
        }
    }
    unique
}
