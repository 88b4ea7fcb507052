//! The MILP of docs/model.md: variables only for combinations that can be feasible,
//! one function per rule family of PROBLEM.md §3, and the §4 objective. Equation
//! numbers in comments refer to docs/model.md.

mod pins;
mod pools;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use good_lp::{Constraint, Expression, ProblemVariables, Variable, constraint, variable};

use super::rooms::{ClassIx, RoomClasses};
use crate::calendar::{Slot, minutes_between};
use crate::instance::{
    BoardIx, Instance, RequestIx, RoomIx, RoomKind, SiteIx, SpecialistIx, StudioIx, SurgeryIx,
};
use crate::objective::Term;
use crate::solve::Stability;

/// Every variable family, keyed by what it means.
#[derive(Default)]
pub(crate) struct Vars {
    /// p[s,d,site]: on site (visiting) or working at the site that day (multi-site local).
    pub present: BTreeMap<(SpecialistIx, NaiveDate, SiteIx), Variable>,
    /// x[s,t,class,discipline]: a clinic session.
    pub clinic: BTreeMap<(SpecialistIx, Slot, ClassIx, usize), Variable>,
    /// z[studio,t,class]: a studio session.
    pub studio: BTreeMap<(StudioIx, Slot, ClassIx), Variable>,
    /// a[studio,t,apprentice]: an apprentice attends.
    pub apprentice: BTreeMap<(StudioIx, Slot, SpecialistIx), Variable>,
    /// m[board,t,class]: a meeting.
    pub meeting: BTreeMap<(BoardIx, Slot, ClassIx), Variable>,
    /// q[board,t,discipline,s,remote]: a seat.
    pub seat: BTreeMap<(BoardIx, Slot, usize, SpecialistIx, bool), Variable>,
    /// u[surgery,t,theatre,surgeon]: a surgery done.
    pub operation: BTreeMap<(SurgeryIx, Slot, RoomIx, SpecialistIx), Variable>,
    /// o[s,t,site]: a surgeon's surgery assignment.
    pub operating: BTreeMap<(SpecialistIx, Slot, SiteIx), Variable>,
    /// b[r,s,t]: a booking.
    pub booking: BTreeMap<(RequestIx, SpecialistIx, Slot), Variable>,
    /// h[pool,site,s,t]: held places of the pool taken by the site's referrals (rule 12).
    pub held: BTreeMap<(usize, SiteIx, SpecialistIx, Slot), Variable>,
    /// y[s,d] ∈ [0,1]: a visiting specialist's on-site date.
    pub on_site_day: BTreeMap<(SpecialistIx, NaiveDate), Variable>,
    /// i[s,t] ≥ 0: an idle on-site session.
    pub idle: BTreeMap<(SpecialistIx, Slot), Variable>,
    /// Meetings short per board and week.
    pub meeting_short: BTreeMap<(BoardIx, u32), Variable>,
    /// Studio sessions short per studio and week.
    pub studio_short: BTreeMap<(StudioIx, u32), Variable>,
    /// Clinic sessions short per clinic demand and week.
    pub clinic_short: BTreeMap<(usize, u32), Variable>,
    /// w[residency,weekday]: chosen residency weekdays (same days every week).
    pub residency_weekday: BTreeMap<(usize, u32), Variable>,
    /// v[residency,week,window]: chosen window of consecutive dates.
    pub residency_window: BTreeMap<(usize, u32, usize), Variable>,
    /// Pin witnesses: 1 only when every factor of their candidate is (rule 11).
    pub pin_witness: Vec<(Variable, Vec<Vec<Variable>>)>,
}

/// What a group of rows enforces: a rule family, one pin, or the definitions of the
/// objective's measures. Explaining a conflict drops groups and solves again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowGroup {
    /// Rows of a hard rule of PROBLEM.md §3.
    Rule(crate::check::Rule),
    /// The rows of `instance.pins[i]`.
    Pin(usize),
    /// Rows defining on-site days, idle sessions and shortfalls.
    Definitions,
    /// Presence on frozen dates held at the reference's (re-planning).
    Frozen,
}

/// A built model: variables, constraints, objective, and what is needed to read a solution.
pub(crate) struct Model {
    pub classes: RoomClasses,
    pub vars: Vars,
    pub problem_vars: ProblemVariables,
    pub constraints: Vec<Constraint>,
    pub objective: Expression,
    /// Residency windows: (residency, week) → the date lists of its windows.
    pub windows: BTreeMap<(usize, u32), Vec<Vec<NaiveDate>>>,
    /// Column of each variable: good_lp hands HiGHS its variables in creation order.
    #[allow(clippy::disallowed_types)] // a lookup table, never iterated
    pub columns: std::collections::HashMap<Variable, usize>,
    /// How many columns are binary (none: HiGHS solves an LP, which sets no MIP bound).
    pub integer_columns: usize,
    /// Bounds and integrality of each column, in column order.
    pub column_bounds: Vec<ColumnBounds>,
    /// The constraints by group, in order, covering every constraint.
    pub row_groups: Vec<(RowGroup, Range<usize>)>,
    /// Per pin of the instance, how many ways the model has to meet it (0: it cannot hold).
    pub pin_candidates: Vec<usize>,
    /// Rooms of the re-planning reference, handed out again where their class and slot
    /// allow (frozen days keep their rooms so).
    pub preferred_rooms: BTreeMap<(Slot, RoomUser), RoomIx>,
}

/// Who uses a clinic or meeting room in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RoomUser {
    /// A specialist's clinic.
    Clinic(SpecialistIx),
    /// A studio session.
    Studio(StudioIx),
    /// An MDT meeting.
    Meeting(BoardIx),
}

/// A column's domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ColumnBounds {
    pub lower: f64,
    pub upper: f64,
    pub integer: bool,
}

/// Clinic and studio session variables with their room class, by (site, discipline, week).
type SessionsByDemandKey<'a> = BTreeMap<(SiteIx, &'a str, u32), Vec<(ClassIx, Variable)>>;

/// On-site activity variables of one specialist and date, by (session, site).
type SessionSites = BTreeMap<(usize, SiteIx), Vec<Variable>>;

/// One activity variable of a specialist in a slot, and its site when on site.
#[derive(Clone, Copy)]
struct Activity {
    var: Variable,
    site: Option<SiteIx>,
    /// Clinic or studio-lead session (can take bookings).
    session: bool,
}

struct Builder<'a> {
    instance: &'a Instance,
    stability: Option<&'a Stability>,
    classes: RoomClasses,
    pv: ProblemVariables,
    vars: Vars,
    #[allow(clippy::disallowed_types)] // a lookup table, never iterated
    columns: std::collections::HashMap<Variable, usize>,
    integer_columns: usize,
    column_bounds: Vec<ColumnBounds>,
    constraints: Vec<Constraint>,
    objective: Expression,
    activities: BTreeMap<(SpecialistIx, Slot), Vec<Activity>>,
    windows: BTreeMap<(usize, u32), Vec<Vec<NaiveDate>>>,
    row_groups: Vec<(RowGroup, Range<usize>)>,
    pin_candidates: Vec<usize>,
}

fn sum<'v>(vars: impl IntoIterator<Item = &'v Variable>) -> Expression {
    let mut expression = Expression::from(0.0);
    for var in vars {
        expression += *var;
    }
    expression
}

impl Builder<'_> {
    fn binary(&mut self) -> Variable {
        let var = self.pv.add(variable().binary());
        self.columns.insert(var, self.columns.len());
        self.integer_columns += 1;
        self.column_bounds.push(ColumnBounds {
            lower: 0.0,
            upper: 1.0,
            integer: true,
        });
        var
    }

    fn integer(&mut self, max: f64) -> Variable {
        let var = self.pv.add(variable().integer().min(0.0).max(max));
        self.columns.insert(var, self.columns.len());
        self.integer_columns += 1;
        self.column_bounds.push(ColumnBounds {
            lower: 0.0,
            upper: max,
            integer: true,
        });
        var
    }

    fn continuous(&mut self, max: Option<f64>) -> Variable {
        let var = match max {
            Some(max) => self.pv.add(variable().min(0.0).max(max)),
            None => self.pv.add(variable().min(0.0)),
        };
        self.columns.insert(var, self.columns.len());
        self.column_bounds.push(ColumnBounds {
            lower: 0.0,
            upper: max.unwrap_or(f64::INFINITY),
            integer: false,
        });
        var
    }

    /// Runs one rule family's builder and records its rows as a group.
    fn grouped(&mut self, group: RowGroup, add: impl FnOnce(&mut Self)) {
        let start = self.constraints.len();
        add(self);
        self.row_groups.push((group, start..self.constraints.len()));
    }

    fn works(&self, who: SpecialistIx, slot: Slot) -> bool {
        self.instance.can_work(who, slot.date, slot.session)
    }

    fn slots(&self) -> Vec<Slot> {
        self.instance.calendar.slots().collect()
    }

    fn add_activity(
        &mut self,
        who: SpecialistIx,
        slot: Slot,
        var: Variable,
        site: Option<SiteIx>,
        session: bool,
    ) {
        self.activities
            .entry((who, slot))
            .or_default()
            .push(Activity { var, site, session });
    }

    /// Whether a clinic of `who` in `discipline` can ever count: for demand, for a
    /// request, or (visiting) to avoid an idle session.
    fn clinic_useful(&self, who: SpecialistIx, discipline: &str) -> bool {
        let person = self.instance.specialist(who);
        person.visiting
            || self
                .instance
                .clinic_demand
                .iter()
                .any(|d| d.discipline == discipline && person.works_at(d.site))
            || self.instance.requests.iter().any(|r| {
                r.specialist == Some(who)
                    || ((r.specialist.is_none() || r.substitute_ok) && r.discipline == discipline)
            })
            || self.instance.pins.iter().any(|pin| match &pin.pattern {
                crate::pins::Pattern::Assignment(p) if !pin.forbid => {
                    p.specialist.is_none_or(|s| s == who)
                        && p.discipline.as_deref().is_none_or(|d| d == discipline)
                        && p.activities().contains(&crate::roster::Activity::Clinic)
                }
                _ => false,
            })
    }

    // ---- variables -------------------------------------------------------------

    fn presence_vars(&mut self) {
        let instance = self.instance;
        for (s, person) in instance.specialists.iter().enumerate() {
            let who = SpecialistIx(s);
            if !person.visiting && person.sites.len() < 2 {
                continue;
            }
            for date in instance.calendar.open_dates() {
                if !instance.can_be_on_site(who, date) {
                    continue;
                }
                for &site in &person.sites {
                    let var = self.binary();
                    self.vars.present.insert((who, date, site), var);
                }
            }
        }
    }

    fn clinic_vars(&mut self) {
        let instance = self.instance;
        for slot in self.slots() {
            for (s, person) in instance.specialists.iter().enumerate() {
                let who = SpecialistIx(s);
                if !self.works(who, slot) {
                    continue;
                }
                for (d, discipline) in person.disciplines.iter().enumerate() {
                    if !self.clinic_useful(who, discipline) {
                        continue;
                    }
                    for &site in &person.sites {
                        let classes: Vec<ClassIx> = self
                            .classes
                            .at(site, RoomKind::Clinic)
                            .map(|(c, _)| c)
                            .filter(|c| !self.classes.available(instance, *c, slot).is_empty())
                            .collect();
                        for class in classes {
                            let var = self.binary();
                            self.vars.clinic.insert((who, slot, class, d), var);
                            self.add_activity(who, slot, var, Some(site), true);
                        }
                    }
                }
            }
        }
    }

    fn studio_vars(&mut self) {
        let instance = self.instance;
        for (st, studio) in instance.studios.iter().enumerate() {
            let studio_ix = StudioIx(st);
            if studio.sessions_per_week == 0 {
                continue;
            }
            let lead = instance.specialist(studio.lead);
            for slot in self.slots() {
                if !self.works(studio.lead, slot) || !lead.works_at(studio.site) {
                    continue;
                }
                let apprentices: Vec<SpecialistIx> = studio
                    .apprentices
                    .iter()
                    .copied()
                    .filter(|a| {
                        self.works(*a, slot) && instance.specialist(*a).works_at(studio.site)
                    })
                    .collect();
                if apprentices.len() < studio.min_apprentices as usize {
                    continue;
                }
                let classes: Vec<ClassIx> = self
                    .classes
                    .at(studio.site, RoomKind::Clinic)
                    .filter(|(_, c)| c.has_tags(&studio.room_tags))
                    .map(|(c, _)| c)
                    .filter(|c| !self.classes.available(instance, *c, slot).is_empty())
                    .collect();
                if classes.is_empty() {
                    continue;
                }
                for class in classes {
                    let var = self.binary();
                    self.vars.studio.insert((studio_ix, slot, class), var);
                    self.add_activity(studio.lead, slot, var, Some(studio.site), true);
                }
                for apprentice in apprentices {
                    let var = self.binary();
                    self.vars
                        .apprentice
                        .insert((studio_ix, slot, apprentice), var);
                    self.add_activity(apprentice, slot, var, Some(studio.site), false);
                }
            }
        }
    }

    fn meeting_vars(&mut self) {
        let instance = self.instance;
        for (b, board) in instance.mdt_boards.iter().enumerate() {
            let board_ix = BoardIx(b);
            if board.meetings_per_week == 0 {
                continue;
            }
            for slot in self.slots() {
                if !board.sessions.contains(&slot.session) {
                    continue;
                }
                let classes: Vec<ClassIx> = self
                    .classes
                    .at(board.site, RoomKind::Meeting)
                    .filter(|(_, c)| c.has_tags(&board.room_tags))
                    .map(|(c, _)| c)
                    .filter(|c| !self.classes.available(instance, *c, slot).is_empty())
                    .collect();
                let mut seats: Vec<(usize, SpecialistIx, bool)> = Vec::new();
                let mut every_discipline = true;
                for (d, discipline) in board.required.iter().enumerate() {
                    let before = seats.len();
                    for (s, person) in instance.specialists.iter().enumerate() {
                        let who = SpecialistIx(s);
                        if !person.has_discipline(discipline) || !self.works(who, slot) {
                            continue;
                        }
                        if person.works_at(board.site) {
                            seats.push((d, who, false));
                        }
                        if board.allows_remote(discipline) {
                            seats.push((d, who, true));
                        }
                    }
                    every_discipline &= seats.len() > before;
                }
                if classes.is_empty() || !every_discipline {
                    continue;
                }
                for class in classes {
                    let var = self.binary();
                    self.vars.meeting.insert((board_ix, slot, class), var);
                }
                for (d, who, remote) in seats {
                    let var = self.binary();
                    self.vars.seat.insert((board_ix, slot, d, who, remote), var);
                    let site = (!remote).then_some(board.site);
                    self.add_activity(who, slot, var, site, false);
                }
            }
        }
    }

    fn surgery_vars(&mut self) {
        let instance = self.instance;
        let sessions = instance.calendar.sessions();
        for (g, surgery) in instance.surgeries.iter().enumerate() {
            let surgery_ix = SurgeryIx(g);
            let surgeons = instance.qualified_surgeons(surgery_ix);
            for slot in self.slots() {
                let length = sessions[slot.session].minutes();
                if slot.date < surgery.release || length < surgery.minutes {
                    continue;
                }
                for (r, room) in instance.rooms.iter().enumerate() {
                    if room.kind != RoomKind::Theatre
                        || !room.has_tags(&surgery.room_tags)
                        || surgery.site.is_some_and(|site| site != room.site)
                        || room.unavailable.contains(slot.date, slot.session)
                        || room.capacity_in(length) < surgery.minutes
                    {
                        continue;
                    }
                    for &surgeon in &surgeons {
                        if !self.works(surgeon, slot)
                            || !instance.specialist(surgeon).works_at(room.site)
                        {
                            continue;
                        }
                        let var = self.binary();
                        self.vars
                            .operation
                            .insert((surgery_ix, slot, RoomIx(r), surgeon), var);
                        if !self
                            .vars
                            .operating
                            .contains_key(&(surgeon, slot, room.site))
                        {
                            let operating = self.binary();
                            self.vars
                                .operating
                                .insert((surgeon, slot, room.site), operating);
                            self.add_activity(surgeon, slot, operating, Some(room.site), false);
                        }
                    }
                }
            }
        }
    }

    /// Booking variables, and for each the session variables that can hold it.
    fn booking_vars(&mut self) -> BTreeMap<(RequestIx, SpecialistIx, Slot), Vec<Variable>> {
        let instance = self.instance;
        let mut sources: BTreeMap<(RequestIx, SpecialistIx, Slot), Vec<Variable>> = BTreeMap::new();
        for (r, request) in instance.requests.iter().enumerate() {
            let eligible = |who: SpecialistIx, discipline: &str| {
                request.specialist == Some(who)
                    || ((request.specialist.is_none() || request.substitute_ok)
                        && discipline == request.discipline)
            };
            let in_window =
                |slot: &Slot| slot.date >= request.earliest && slot.date <= request.latest;
            for ((who, slot, class, d), var) in &self.vars.clinic {
                let discipline = &instance.specialist(*who).disciplines[*d];
                if in_window(slot)
                    && request.allows_site(self.classes.classes[class.0].site)
                    && eligible(*who, discipline)
                {
                    sources
                        .entry((RequestIx(r), *who, *slot))
                        .or_default()
                        .push(*var);
                }
            }
            for ((st, slot, _), var) in &self.vars.studio {
                let studio = &instance.studios[st.0];
                if in_window(slot)
                    && request.allows_site(studio.site)
                    && eligible(studio.lead, &studio.discipline)
                {
                    sources
                        .entry((RequestIx(r), studio.lead, *slot))
                        .or_default()
                        .push(*var);
                }
            }
        }
        for key in sources.keys() {
            if instance.specialist(key.1).clinic_capacity > 0 {
                let var = self.binary();
                self.vars.booking.insert(*key, var);
            }
        }
        sources
    }

    fn auxiliary_vars(&mut self) {
        let instance = self.instance;
        let days: BTreeSet<(SpecialistIx, NaiveDate)> = self
            .vars
            .present
            .keys()
            .filter(|(who, _, _)| instance.specialist(*who).visiting)
            .map(|(who, date, _)| (*who, *date))
            .collect();
        for (who, date) in days {
            let var = self.continuous(Some(1.0));
            self.vars.on_site_day.insert((who, date), var);
            for session in 0..instance.calendar.sessions().len() {
                if instance.specialist(who).is_available(date, session) {
                    // An idle session counts at most once (i = max(0, y − busy) ≤ 1).
                    let idle = self.continuous(Some(1.0));
                    self.vars.idle.insert((who, Slot { date, session }), idle);
                }
            }
        }
        for week in 0..instance.calendar.weeks() {
            for (b, board) in instance.mdt_boards.iter().enumerate() {
                if board.meetings_per_week > 0 {
                    // A shortfall never exceeds the demand: the cheapest is max(0, wanted − held).
                    let var = self.continuous(Some(f64::from(board.meetings_per_week)));
                    self.vars.meeting_short.insert((BoardIx(b), week), var);
                }
            }
            for (st, studio) in instance.studios.iter().enumerate() {
                if studio.sessions_per_week > 0 {
                    let var = self.continuous(Some(f64::from(studio.sessions_per_week)));
                    self.vars.studio_short.insert((StudioIx(st), week), var);
                }
            }
            for (c, demand) in instance.clinic_demand.iter().enumerate() {
                if demand.sessions_per_week > 0 {
                    let var = self.continuous(Some(f64::from(demand.sessions_per_week)));
                    self.vars.clinic_short.insert((c, week), var);
                }
            }
        }
    }

    fn residency_vars(&mut self) {
        let instance = self.instance;
        let open = instance.calendar.open_dates();
        for (i, residency) in instance.residencies.iter().enumerate() {
            if residency.days.is_some() {
                continue;
            }
            let who = residency.specialist;
            if residency.same_days_every_week && residency.weeks.len() > 1 {
                for day in 0..7 {
                    let var = self.binary();
                    self.vars.residency_weekday.insert((i, day), var);
                }
            }
            if residency.consecutive {
                for &week in &residency.weeks {
                    let week_open: Vec<NaiveDate> = open
                        .iter()
                        .copied()
                        .filter(|d| instance.calendar.week_of(*d) == Some(week))
                        .collect();
                    let windows: Vec<Vec<NaiveDate>> = week_open
                        .windows(residency.days_per_week as usize)
                        .filter(|w| {
                            w.iter()
                                .all(|d| self.vars.present.contains_key(&(who, *d, residency.site)))
                        })
                        .map(<[NaiveDate]>::to_vec)
                        .collect();
                    for w in 0..windows.len() {
                        let var = self.binary();
                        self.vars.residency_window.insert((i, week, w), var);
                    }
                    self.windows.insert((i, week), windows);
                }
            }
        }
    }

    // ---- constraints -----------------------------------------------------------

    fn busy(&self, who: SpecialistIx, slot: Slot) -> Expression {
        sum(self
            .activities
            .get(&(who, slot))
            .into_iter()
            .flatten()
            .map(|a| &a.var))
    }

    /// (1) one activity per specialist and slot; rooms per class and slot; theatre minutes.
    fn one_thing_at_a_time(&mut self) {
        let instance = self.instance;
        for activities in self.activities.values() {
            if activities.len() > 1 {
                self.constraints
                    .push(constraint!(sum(activities.iter().map(|a| &a.var)) <= 1));
            }
        }
        let mut per_class: BTreeMap<(ClassIx, Slot), Vec<Variable>> = BTreeMap::new();
        for ((_, slot, class, _), var) in &self.vars.clinic {
            per_class.entry((*class, *slot)).or_default().push(*var);
        }
        for ((_, slot, class), var) in &self.vars.studio {
            per_class.entry((*class, *slot)).or_default().push(*var);
        }
        for ((_, slot, class), var) in &self.vars.meeting {
            per_class.entry((*class, *slot)).or_default().push(*var);
        }
        for ((class, slot), vars) in per_class {
            let rooms = self.classes.available(instance, class, slot).len();
            if vars.len() > rooms {
                self.constraints
                    .push(constraint!(sum(&vars) <= rooms as f64));
            }
        }
        let mut per_theatre: BTreeMap<(RoomIx, Slot), Expression> = BTreeMap::new();
        let mut count: BTreeMap<(RoomIx, Slot), u32> = BTreeMap::new();
        for ((g, slot, room, _), var) in &self.vars.operation {
            let minutes = f64::from(instance.surgeries[g.0].minutes);
            *per_theatre
                .entry((*room, *slot))
                .or_insert_with(|| Expression::from(0.0)) += minutes * *var;
            *count.entry((*room, *slot)).or_default() += instance.surgeries[g.0].minutes;
        }
        for ((room, slot), minutes) in per_theatre {
            let capacity = instance
                .room(room)
                .capacity_in(instance.calendar.sessions()[slot.session].minutes());
            if count[&(room, slot)] > capacity {
                self.constraints
                    .push(constraint!(minutes <= f64::from(capacity)));
            }
        }
    }

    /// (2) where they may be: site-day links, at most two sites, travel pairs and times.
    fn where_they_may_be(&mut self) {
        let instance = self.instance;
        let sessions = instance.calendar.sessions();
        // On-site activity at a site in a slot, per specialist and date.
        let mut at_site: BTreeMap<(SpecialistIx, NaiveDate), SessionSites> = BTreeMap::new();
        for ((who, slot), activities) in &self.activities {
            for activity in activities {
                if let Some(site) = activity.site {
                    at_site
                        .entry((*who, slot.date))
                        .or_default()
                        .entry((slot.session, site))
                        .or_default()
                        .push(activity.var);
                }
            }
        }
        for ((who, date), per_slot_site) in &at_site {
            let person = instance.specialist(*who);
            let tracked = person.visiting || person.sites.len() >= 2;
            if tracked {
                for ((_, site), vars) in per_slot_site {
                    let present = self.vars.present[&(*who, *date, *site)];
                    self.constraints.push(constraint!(sum(vars) <= present));
                }
            }
            // Travel time between sessions at different sites.
            let entries: Vec<(&(usize, SiteIx), &Vec<Variable>)> = per_slot_site.iter().collect();
            for (i, ((k1, a), vars_a)) in entries.iter().enumerate() {
                for ((k2, b), vars_b) in entries.iter().skip(i + 1) {
                    if a == b || k1 == k2 {
                        continue;
                    }
                    let (early, late) = if k1 < k2 { (*k1, *k2) } else { (*k2, *k1) };
                    let gap = minutes_between(sessions[early].end, sessions[late].start);
                    let blocked = instance
                        .travel_minutes(*a, *b)
                        .is_none_or(|travel| gap < travel);
                    if blocked {
                        self.constraints
                            .push(constraint!(sum(vars_a.iter().chain(vars_b.iter())) <= 1));
                    }
                }
            }
        }
        // Sites per day: at most two, and two only with a travel entry.
        let mut days: BTreeMap<(SpecialistIx, NaiveDate), Vec<(SiteIx, Variable)>> =
            BTreeMap::new();
        for ((who, date, site), var) in &self.vars.present {
            days.entry((*who, *date)).or_default().push((*site, *var));
        }
        for sites in days.values() {
            if sites.len() > 2 {
                self.constraints
                    .push(constraint!(sum(sites.iter().map(|(_, v)| v)) <= 2));
            }
            for (i, (a, va)) in sites.iter().enumerate() {
                for (b, vb) in sites.iter().skip(i + 1) {
                    if instance.travel_minutes(*a, *b).is_none() {
                        self.constraints.push(constraint!(*va + *vb <= 1));
                    }
                }
            }
        }
    }

    /// (3) sessions per day and per week.
    fn load(&mut self) {
        let instance = self.instance;
        let mut per_day: BTreeMap<(SpecialistIx, NaiveDate), Vec<Variable>> = BTreeMap::new();
        let mut per_week: BTreeMap<(SpecialistIx, u32), Vec<Variable>> = BTreeMap::new();
        for ((who, slot), activities) in &self.activities {
            let vars = activities.iter().map(|a| a.var);
            per_day
                .entry((*who, slot.date))
                .or_default()
                .extend(vars.clone());
            if let Some(week) = instance.calendar.week_of(slot.date) {
                per_week.entry((*who, week)).or_default().extend(vars);
            }
        }
        for ((who, _), vars) in per_day {
            if let Some(max) = instance.specialist(who).max_sessions_per_day {
                self.constraints
                    .push(constraint!(sum(&vars) <= f64::from(max)));
            }
        }
        for ((who, _), vars) in per_week {
            if let Some(max) = instance.specialist(who).max_sessions_per_week {
                self.constraints
                    .push(constraint!(sum(&vars) <= f64::from(max)));
            }
        }
    }

    /// (4) residencies: dates per week, fixed or chosen days, exclusivity.
    fn residencies(&mut self) {
        let instance = self.instance;
        for (i, residency) in instance.residencies.iter().enumerate() {
            let who = residency.specialist;
            for &week in &residency.weeks {
                let dates: Vec<NaiveDate> = instance
                    .calendar
                    .week_dates(week)
                    .filter(|d| instance.calendar.is_open(*d))
                    .collect();
                let here: Vec<(NaiveDate, Variable)> = dates
                    .iter()
                    .filter_map(|d| {
                        self.vars
                            .present
                            .get(&(who, *d, residency.site))
                            .map(|v| (*d, *v))
                    })
                    .collect();
                self.constraints.push(constraint!(
                    sum(here.iter().map(|(_, v)| v)) == f64::from(residency.days_per_week)
                ));
                if let Some(fixed) = &residency.days {
                    for (date, var) in &here {
                        let value = if fixed.contains(&date.weekday()) {
                            1.0
                        } else {
                            0.0
                        };
                        self.constraints.push(constraint!(*var == value));
                    }
                }
                if residency.days.is_none() && residency.consecutive {
                    let windows = self.windows.get(&(i, week)).cloned().unwrap_or_default();
                    let window_vars: Vec<Variable> = (0..windows.len())
                        .map(|w| self.vars.residency_window[&(i, week, w)])
                        .collect();
                    self.constraints.push(constraint!(sum(&window_vars) == 1));
                    for (date, var) in &here {
                        let covering: Vec<Variable> = windows
                            .iter()
                            .zip(&window_vars)
                            .filter(|(w, _)| w.contains(date))
                            .map(|(_, v)| *v)
                            .collect();
                        self.constraints.push(constraint!(*var == sum(&covering)));
                    }
                }
                if residency.days.is_none()
                    && residency.same_days_every_week
                    && residency.weeks.len() > 1
                {
                    for date in &dates {
                        let day = self.vars.residency_weekday
                            [&(i, date.weekday().num_days_from_monday())];
                        match self.vars.present.get(&(who, *date, residency.site)) {
                            Some(var) => self.constraints.push(constraint!(*var == day)),
                            None => self.constraints.push(constraint!(day == 0)),
                        }
                    }
                }
                // On a residency day they work only at the residency's site.
                for (date, var) in &here {
                    for &other in &instance.specialist(who).sites {
                        if other != residency.site
                            && let Some(elsewhere) = self.vars.present.get(&(who, *date, other))
                        {
                            self.constraints.push(constraint!(*var + *elsewhere <= 1));
                        }
                    }
                }
            }
        }
    }

    /// (6) studio sessions: at most one per slot, apprentices attend only held sessions.
    fn studios(&mut self) {
        let instance = self.instance;
        let mut held: BTreeMap<(StudioIx, Slot), Vec<Variable>> = BTreeMap::new();
        for ((st, slot, _), var) in &self.vars.studio {
            held.entry((*st, *slot)).or_default().push(*var);
        }
        for ((st, slot), sessions) in &held {
            let studio = &instance.studios[st.0];
            let attending: Vec<Variable> = self
                .vars
                .apprentice
                .range((*st, *slot, SpecialistIx(0))..=(*st, *slot, SpecialistIx(usize::MAX)))
                .map(|(_, v)| *v)
                .collect();
            if sessions.len() > 1 {
                self.constraints.push(constraint!(sum(sessions) <= 1));
            }
            for var in &attending {
                self.constraints.push(constraint!(*var <= sum(sessions)));
            }
            let min = f64::from(studio.min_apprentices);
            if min > 0.0 {
                self.constraints
                    .push(constraint!(sum(&attending) >= min * sum(sessions)));
            }
        }
    }

    /// (7) MDT meetings: one room, exactly one seat per required discipline.
    fn meetings(&mut self) {
        let mut held: BTreeMap<(BoardIx, Slot), Vec<Variable>> = BTreeMap::new();
        for ((b, slot, _), var) in &self.vars.meeting {
            held.entry((*b, *slot)).or_default().push(*var);
        }
        let mut seats: BTreeMap<(BoardIx, Slot, usize), Vec<Variable>> = BTreeMap::new();
        for ((b, slot, d, _, _), var) in &self.vars.seat {
            seats.entry((*b, *slot, *d)).or_default().push(*var);
        }
        for ((b, slot), rooms) in &held {
            if rooms.len() > 1 {
                self.constraints.push(constraint!(sum(rooms) <= 1));
            }
            let required = self.instance.mdt_boards[b.0].required.len();
            for d in 0..required {
                let filled = seats
                    .get(&(*b, *slot, d))
                    .map(sum)
                    .unwrap_or_else(|| Expression::from(0.0));
                self.constraints.push(constraint!(filled == sum(rooms)));
            }
        }
    }

    /// (8) surgeries: once at most; a surgeon's minutes per slot; assignment holds one.
    fn surgeries(&mut self) {
        let instance = self.instance;
        let mut per_surgery: BTreeMap<SurgeryIx, Vec<Variable>> = BTreeMap::new();
        let mut per_surgeon: BTreeMap<(SpecialistIx, Slot, SiteIx), (Expression, Vec<Variable>)> =
            BTreeMap::new();
        for ((g, slot, room, surgeon), var) in &self.vars.operation {
            per_surgery.entry(*g).or_default().push(*var);
            let site = instance.room(*room).site;
            let entry = per_surgeon
                .entry((*surgeon, *slot, site))
                .or_insert_with(|| (Expression::from(0.0), Vec::new()));
            entry.0 += f64::from(instance.surgeries[g.0].minutes) * *var;
            entry.1.push(*var);
        }
        for vars in per_surgery.values() {
            if vars.len() > 1 {
                self.constraints.push(constraint!(sum(vars) <= 1));
            }
        }
        for ((surgeon, slot, site), (minutes, vars)) in per_surgeon {
            let operating = self.vars.operating[&(surgeon, slot, site)];
            let length = f64::from(instance.calendar.sessions()[slot.session].minutes());
            self.constraints
                .push(constraint!(minutes <= length * operating));
            self.constraints.push(constraint!(operating <= sum(&vars)));
        }
    }

    /// (9) bookings: once per request, only into eligible held sessions, within capacity.
    fn bookings(&mut self, sources: &BTreeMap<(RequestIx, SpecialistIx, Slot), Vec<Variable>>) {
        let instance = self.instance;
        let mut per_request: BTreeMap<RequestIx, Vec<Variable>> = BTreeMap::new();
        let mut per_session: BTreeMap<(SpecialistIx, Slot), Vec<Variable>> = BTreeMap::new();
        for ((r, who, slot), var) in &self.vars.booking {
            per_request.entry(*r).or_default().push(*var);
            per_session.entry((*who, *slot)).or_default().push(*var);
            self.constraints
                .push(constraint!(*var <= sum(&sources[&(*r, *who, *slot)])));
        }
        for vars in per_request.values() {
            if vars.len() > 1 {
                self.constraints.push(constraint!(sum(vars) <= 1));
            }
        }
        for ((who, slot), bookings) in per_session {
            let capacity = f64::from(instance.specialist(who).clinic_capacity);
            let sessions: Vec<Variable> = self.activities[&(who, slot)]
                .iter()
                .filter(|a| a.session)
                .map(|a| a.var)
                .collect();
            if bookings.len() as f64 > capacity {
                self.constraints
                    .push(constraint!(sum(&bookings) <= capacity * sum(&sessions)));
            }
        }
    }

    // ---- objective -------------------------------------------------------------

    fn objective(&mut self) {
        let instance = self.instance;
        let w = &instance.weights;
        let mut objective = Expression::from(0.0);
        // Requests: unserved, substitutes, waiting.
        for request in &instance.requests {
            objective += w[Term::UnservedRequest] * f64::from(request.priority);
        }
        for ((request_ix, who, slot), var) in &self.vars.booking {
            let request = &instance.requests[request_ix.0];
            let priority = f64::from(request.priority);
            let mut cost = -w[Term::UnservedRequest] * priority;
            if request.specialist.is_some_and(|named| named != *who) {
                cost += w[Term::Substitute];
            }
            cost += w[Term::WaitDay]
                * priority
                * (slot.date - request.earliest).num_days().max(0) as f64;
            objective += cost * *var;
        }
        // Surgeries: unscheduled, late.
        for surgery in &instance.surgeries {
            objective += w[Term::UnscheduledSurgery] * f64::from(surgery.priority);
        }
        for ((op, slot, _, _), var) in &self.vars.operation {
            let surgery = &instance.surgeries[op.0];
            let priority = f64::from(surgery.priority);
            let late = (slot.date - surgery.due).num_days().max(0) as f64;
            objective += (w[Term::SurgeryLateDay] * priority * late
                - w[Term::UnscheduledSurgery] * priority)
                * *var;
        }
        // Weekly shortfalls.
        let week_of = |slot: &Slot| instance.calendar.week_of(slot.date).unwrap_or(u32::MAX);
        for ((b, week), short) in &self.vars.meeting_short {
            let held: Vec<Variable> = self
                .vars
                .meeting
                .iter()
                .filter(|((mb, slot, _), _)| mb == b && week_of(slot) == *week)
                .map(|(_, v)| *v)
                .collect();
            let wanted = f64::from(instance.mdt_boards[b.0].meetings_per_week);
            self.constraints
                .push(constraint!(*short + sum(&held) >= wanted));
            objective += w[Term::MissingMdtMeeting] * *short;
        }
        for ((st, week), short) in &self.vars.studio_short {
            let held: Vec<Variable> = self
                .vars
                .studio
                .iter()
                .filter(|((s, slot, _), _)| s == st && week_of(slot) == *week)
                .map(|(_, v)| *v)
                .collect();
            let wanted = f64::from(instance.studios[st.0].sessions_per_week);
            self.constraints
                .push(constraint!(*short + sum(&held) >= wanted));
            objective += w[Term::MissingStudioSession] * *short;
        }
        // Clinic and studio sessions by (site, discipline, week), then filtered by tags.
        let classes = &self.classes.classes;
        let mut sessions: SessionsByDemandKey = BTreeMap::new();
        for ((who, slot, class, d), var) in &self.vars.clinic {
            let discipline = instance.specialist(*who).disciplines[*d].as_str();
            sessions
                .entry((classes[class.0].site, discipline, week_of(slot)))
                .or_default()
                .push((*class, *var));
        }
        for ((st, slot, class), var) in &self.vars.studio {
            let studio = &instance.studios[st.0];
            sessions
                .entry((studio.site, studio.discipline.as_str(), week_of(slot)))
                .or_default()
                .push((*class, *var));
        }
        for ((c, week), short) in &self.vars.clinic_short {
            let demand = &instance.clinic_demand[*c];
            let held: Vec<Variable> = sessions
                .get(&(demand.site, demand.discipline.as_str(), *week))
                .into_iter()
                .flatten()
                .filter(|(class, _)| classes[class.0].has_tags(&demand.room_tags))
                .map(|(_, v)| *v)
                .collect();
            self.constraints.push(constraint!(
                *short + sum(&held) >= f64::from(demand.sessions_per_week)
            ));
            objective += w[Term::UnmetClinicSession] * *short;
        }
        // Visiting days and idle sessions.
        for ((who, date, _), present) in &self.vars.present {
            if let Some(day) = self.vars.on_site_day.get(&(*who, *date)) {
                self.constraints.push(constraint!(*day >= *present));
            }
        }
        for ((who, _), day) in &self.vars.on_site_day {
            objective += w[Term::VisitingDayCost] * instance.specialist(*who).day_cost * *day;
        }
        for ((who, slot), idle) in &self.vars.idle {
            let day = self.vars.on_site_day[&(*who, slot.date)];
            self.constraints
                .push(constraint!(*idle + self.busy(*who, *slot) >= day));
            objective += w[Term::IdleVisitingSession] * *idle;
        }
        // Avoided slots.
        for ((who, slot), activities) in &self.activities {
            if instance.specialist(*who).avoids(slot.date, slot.session) {
                objective += w[Term::AvoidedSlot] * sum(activities.iter().map(|a| &a.var));
            }
        }
        if let Some(stability) = self.stability {
            objective += self.keeping_bonus(stability);
        }
        self.objective = objective;
    }

    /// Re-planning: minus the worth of every reference decision the model keeps.
    /// Frozen dates (re-planning with `frozen_until`): visiting specialists are on site
    /// exactly where the reference has them.
    fn frozen_presence(&mut self) {
        let Some(stability) = self.stability else {
            return;
        };
        let Some(until) = stability.frozen_until else {
            return;
        };
        for ((who, date, site), var) in &self.vars.present {
            if *date < until && self.instance.specialist(*who).visiting {
                let on = stability.reference.presence.contains(&(*who, *date, *site));
                let value = if on { 1.0 } else { 0.0 };
                self.constraints.push(constraint!(*var == value));
            }
        }
    }

    fn keeping_bonus(&self, stability: &Stability) -> Expression {
        let instance = self.instance;
        let reference = &stability.reference;
        let assignment = stability.keep_assignment;
        let held = |who: SpecialistIx, slot: Slot| {
            f64::from(
                stability
                    .held_bookings
                    .get(&(who, slot))
                    .copied()
                    .unwrap_or(0),
            )
        };
        let mut bonus = Expression::from(0.0);
        // Kept means the same slot and the same kind of room (a room class).
        let class_of = |room: RoomIx| self.classes.class_of(room);
        let clinics: BTreeSet<(SpecialistIx, Slot, &str, Option<ClassIx>)> = reference
            .clinics
            .iter()
            .map(|c| (c.who, c.slot, c.discipline.as_str(), class_of(c.room)))
            .collect();
        for ((who, slot, class, d), var) in &self.vars.clinic {
            let discipline = instance.specialist(*who).disciplines[*d].as_str();
            if clinics.contains(&(*who, *slot, discipline, Some(*class))) {
                bonus -= (assignment + stability.keep_booking * held(*who, *slot)) * *var;
            }
        }
        let studios: BTreeSet<(StudioIx, Slot, Option<ClassIx>)> = reference
            .studio_sessions
            .iter()
            .map(|s| (s.studio, s.slot, class_of(s.room)))
            .collect();
        for ((studio, slot, class), var) in &self.vars.studio {
            if studios.contains(&(*studio, *slot, Some(*class))) {
                let lead = instance.studios[studio.0].lead;
                bonus -= (assignment + stability.keep_booking * held(lead, *slot)) * *var;
            }
        }
        let apprentices: BTreeSet<(StudioIx, Slot, SpecialistIx)> = reference
            .studio_sessions
            .iter()
            .flat_map(|s| s.apprentices.iter().map(move |a| (s.studio, s.slot, *a)))
            .collect();
        for (key, var) in &self.vars.apprentice {
            if apprentices.contains(key) {
                bonus -= assignment * *var;
            }
        }
        let meetings: BTreeSet<(BoardIx, Slot, Option<ClassIx>)> = reference
            .meetings
            .iter()
            .map(|m| (m.board, m.slot, class_of(m.room)))
            .collect();
        for ((board, slot, class), var) in &self.vars.meeting {
            if meetings.contains(&(*board, *slot, Some(*class))) {
                bonus -= assignment * *var;
            }
        }
        let seats: BTreeSet<(BoardIx, Slot, SpecialistIx, &str)> = reference
            .meetings
            .iter()
            .flat_map(|m| {
                m.seats
                    .iter()
                    .map(move |seat| (m.board, m.slot, seat.who, seat.discipline.as_str()))
            })
            .collect();
        for ((board, slot, d, who, _), var) in &self.vars.seat {
            let discipline = instance.mdt_boards[board.0].required[*d].as_str();
            if seats.contains(&(*board, *slot, *who, discipline)) {
                bonus -= assignment * *var;
            }
        }
        let operations: BTreeSet<(SurgeryIx, Slot, SpecialistIx)> = reference
            .operations
            .iter()
            .map(|op| (op.surgery, op.slot, op.surgeon))
            .collect();
        for ((surgery, slot, _, surgeon), var) in &self.vars.operation {
            if operations.contains(&(*surgery, *slot, *surgeon)) {
                bonus -= assignment * *var;
            }
        }
        let bookings: BTreeSet<(RequestIx, SpecialistIx, Slot)> = reference
            .appointments
            .iter()
            .map(|a| (a.request, a.who, a.slot))
            .collect();
        for (key, var) in &self.vars.booking {
            if bookings.contains(key) {
                bonus -= stability.keep_booking * *var;
            }
        }
        bonus
    }
}

/// Builds the whole model for an instance.
pub(crate) fn build(instance: &Instance, stability: Option<&Stability>) -> Model {
    let mut builder = Builder {
        instance,
        stability,
        classes: RoomClasses::new(instance),
        pv: ProblemVariables::new(),
        vars: Vars::default(),
        columns: Default::default(),
        integer_columns: 0,
        column_bounds: Vec::new(),
        constraints: Vec::new(),
        objective: Expression::from(0.0),
        activities: BTreeMap::new(),
        windows: BTreeMap::new(),
        row_groups: Vec::new(),
        pin_candidates: Vec::new(),
    };
    builder.presence_vars();
    builder.clinic_vars();
    builder.studio_vars();
    builder.meeting_vars();
    builder.surgery_vars();
    let sources = builder.booking_vars();
    builder.auxiliary_vars();
    builder.residency_vars();
    use crate::check::Rule;
    builder.grouped(
        RowGroup::Rule(Rule::OneThingAtATime),
        Builder::one_thing_at_a_time,
    );
    builder.grouped(
        RowGroup::Rule(Rule::WhereTheyMayBe),
        Builder::where_they_may_be,
    );
    builder.grouped(RowGroup::Rule(Rule::Load), Builder::load);
    builder.grouped(RowGroup::Rule(Rule::Presence), Builder::residencies);
    builder.grouped(RowGroup::Rule(Rule::Studio), Builder::studios);
    builder.grouped(RowGroup::Rule(Rule::Mdt), Builder::meetings);
    builder.grouped(RowGroup::Rule(Rule::Surgery), Builder::surgeries);
    builder.grouped(RowGroup::Rule(Rule::Booking), |b| b.bookings(&sources));
    builder.grouped(RowGroup::Rule(Rule::Pool), Builder::pools);
    builder.grouped(RowGroup::Definitions, Builder::objective);
    builder.pins();
    builder.grouped(RowGroup::Frozen, Builder::frozen_presence);
    let preferred_rooms = stability.map(preferred_rooms).unwrap_or_default();
    Model {
        classes: builder.classes,
        vars: builder.vars,
        problem_vars: builder.pv,
        constraints: builder.constraints,
        objective: builder.objective,
        windows: builder.windows,
        columns: builder.columns,
        integer_columns: builder.integer_columns,
        column_bounds: builder.column_bounds,
        row_groups: builder.row_groups,
        pin_candidates: builder.pin_candidates,
        preferred_rooms,
    }
}

/// The reference schedule's rooms by user and slot.
fn preferred_rooms(stability: &Stability) -> BTreeMap<(Slot, RoomUser), RoomIx> {
    let reference = &stability.reference;
    let clinics = reference
        .clinics
        .iter()
        .map(|c| ((c.slot, RoomUser::Clinic(c.who)), c.room));
    let studios = reference
        .studio_sessions
        .iter()
        .map(|s| ((s.slot, RoomUser::Studio(s.studio)), s.room));
    let meetings = reference
        .meetings
        .iter()
        .map(|m| ((m.slot, RoomUser::Meeting(m.board)), m.room));
    clinics.chain(studios).chain(meetings).collect()
}
