//! Neighbourhoods of the large-scale search: which columns a sub-problem may change.
//!
//! A neighbourhood is a set of *cells* (specialist, date): every decision of those
//! specialists on those dates is freed — presence, clinics, studio places, MDT seats,
//! surgeries, the bookings into their sessions — together with what must move with
//! them: a meeting whose seats are freed, the residency days of a freed week, the
//! current booking of a request that could move into a freed session, and (by
//! [`Matrix::close_over_continuous`]) the shortfall, on-site-day and idle measures.
//! Kinds choose cells differently (a run of days; a site over days; a group of related
//! specialists over the horizon; the candidates of unserved requests; the people of an
//! MDT board over a week) and add them until the neighbourhood holds about `target`
//! binary columns.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::instance::{BoardIx, Instance, SpecialistIx};
use crate::milp::matrix::{Family, Matrix};

/// How a neighbourhood picks its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// Everyone, on a run of consecutive open dates.
    Days,
    /// Everyone who may work at one site, on a run of dates.
    Site,
    /// A specialist with a high cost in the incumbent and related colleagues (same
    /// discipline or site), over the whole horizon.
    People,
    /// The specialists and dates that could serve requests the incumbent leaves unserved.
    Requests,
    /// The possible participants of one MDT board, over one week.
    Board,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 5] = [
        Kind::Days,
        Kind::Site,
        Kind::People,
        Kind::Requests,
        Kind::Board,
    ];

    /// The kind's name in progress and statistics.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Days => "days",
            Kind::Site => "site",
            Kind::People => "people",
            Kind::Requests => "requests",
            Kind::Board => "board",
        }
    }
}

/// One neighbourhood: the columns a sub-problem may change.
pub(crate) struct Neighbourhood {
    pub kind: Kind,
    /// Per column: free in this sub-problem.
    pub free: Vec<bool>,
    /// Free binary columns.
    pub binaries: usize,
}

/// Indexes of the model's columns by what they concern, built once per solve.
pub(crate) struct Neighbourhoods<'a> {
    instance: &'a Instance,
    matrix: &'a Matrix,
    dates: Vec<NaiveDate>,
    /// The week of each open date.
    weeks: Vec<u32>,
    /// Binary columns of one specialist on one date, by `who * dates + day`.
    cell_columns: Vec<Vec<u32>>,
    /// Meeting columns of a board on a date, and the seat columns of that date.
    meetings: BTreeMap<(BoardIx, usize), (Vec<u32>, Vec<u32>)>,
    /// Residency columns: column, specialist, week (none: every week).
    residency_columns: Vec<(u32, SpecialistIx, Option<u32>)>,
    /// Booking columns of each request.
    request_bookings: Vec<Vec<u32>>,
    /// Specialists who may work at each site.
    site_people: Vec<Vec<SpecialistIx>>,
    /// Possible participants of each board.
    board_people: Vec<Vec<SpecialistIx>>,
}

impl<'a> Neighbourhoods<'a> {
    /// Indexes the columns of `matrix`.
    pub fn new(instance: &'a Instance, matrix: &'a Matrix) -> Self {
        let dates = instance.calendar.open_dates();
        let day_of: BTreeMap<NaiveDate, usize> =
            dates.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let weeks = dates
            .iter()
            .map(|d| instance.calendar.week_of(*d).unwrap_or(0))
            .collect();
        let people = instance.specialists.len();
        let mut cell_columns = vec![Vec::new(); people * dates.len()];
        let mut meetings: BTreeMap<(BoardIx, usize), (Vec<u32>, Vec<u32>)> = BTreeMap::new();
        let mut residency_columns = Vec::new();
        let mut request_bookings = vec![Vec::new(); instance.requests.len()];
        for (column, meaning) in matrix.meanings.iter().enumerate() {
            if !matrix.bounds[column].integer {
                continue;
            }
            let c = column as u32;
            let day = meaning.date.and_then(|d| day_of.get(&d).copied());
            match meaning.family {
                Family::Meeting => {
                    if let (Some(board), Some(day)) = (meaning.board, day) {
                        meetings.entry((board, day)).or_default().0.push(c);
                    }
                    continue;
                }
                Family::ResidencyWeekday | Family::ResidencyWindow => {
                    if let Some(who) = meaning.who {
                        residency_columns.push((c, who, meaning.week));
                    }
                    continue;
                }
                Family::Seat => {
                    if let (Some(board), Some(day)) = (meaning.board, day) {
                        meetings.entry((board, day)).or_default().1.push(c);
                    }
                }
                Family::Booking => {
                    if let Some(request) = meaning.request {
                        request_bookings[request.0].push(c);
                    }
                }
                _ => {}
            }
            if let (Some(who), Some(day)) = (meaning.who, day) {
                cell_columns[who.0 * dates.len() + day].push(c);
            }
        }
        let site_people = (0..instance.sites.len())
            .map(|site| {
                (0..people)
                    .map(SpecialistIx)
                    .filter(|s| {
                        instance
                            .specialist(*s)
                            .works_at(crate::instance::SiteIx(site))
                    })
                    .collect()
            })
            .collect();
        let board_people = instance
            .mdt_boards
            .iter()
            .map(|board| {
                (0..people)
                    .map(SpecialistIx)
                    .filter(|s| {
                        let person = instance.specialist(*s);
                        board.required.iter().any(|d| {
                            person.disciplines.contains(d)
                                && (person.works_at(board.site) || board.allows_remote(d))
                        })
                    })
                    .collect()
            })
            .collect();
        Neighbourhoods {
            instance,
            matrix,
            dates,
            weeks,
            cell_columns,
            meetings,
            residency_columns,
            request_bookings,
            site_people,
            board_people,
        }
    }

    fn cell(&self, who: SpecialistIx, day: usize) -> &[u32] {
        &self.cell_columns[who.0 * self.dates.len() + day]
    }

    /// A neighbourhood of `kind` with about `target` free binary columns around the
    /// incumbent `values`.
    pub fn choose(
        &self,
        kind: Kind,
        target: usize,
        values: &[f64],
        rng: &mut StdRng,
    ) -> Neighbourhood {
        let days = self.dates.len();
        let people = self.instance.specialists.len();
        // Chunks of cells in the order they are added.
        let chunks: Vec<Vec<(SpecialistIx, usize)>> = match kind {
            Kind::Days => {
                let everyone: Vec<SpecialistIx> = (0..people).map(SpecialistIx).collect();
                self.day_runs(&everyone, rng)
            }
            Kind::Site => {
                let site = rng.random_range(0..self.site_people.len().max(1));
                let staff = self.site_people.get(site).cloned().unwrap_or_default();
                self.day_runs(&staff, rng)
            }
            Kind::People => self
                .related_people(values, rng)
                .into_iter()
                .map(|who| (0..days).map(|day| (who, day)).collect())
                .collect(),
            Kind::Requests => self.unserved_candidates(values, rng),
            Kind::Board => self.board_week(values, rng),
        };
        let mut cells = vec![false; people * days];
        let mut free = vec![false; self.matrix.columns()];
        let mut binaries = 0;
        'chunks: for chunk in chunks {
            for (who, day) in chunk {
                let index = who.0 * days + day;
                if cells[index] {
                    continue;
                }
                cells[index] = true;
                for &c in self.cell(who, day) {
                    if !free[c as usize] {
                        free[c as usize] = true;
                        binaries += 1;
                    }
                }
            }
            if binaries >= target {
                break 'chunks;
            }
        }
        binaries += self.free_what_moves_along(&cells, &mut free, values);
        self.matrix.close_over_continuous(&mut free);
        Neighbourhood {
            kind,
            free,
            binaries,
        }
    }

    /// Frees meetings with a freed seat, residency columns of a week with a freed cell,
    /// and the current booking of every request that has a freed booking column.
    /// Returns how many binary columns it freed.
    fn free_what_moves_along(&self, cells: &[bool], free: &mut [bool], values: &[f64]) -> usize {
        let days = self.dates.len();
        let mut freed = 0;
        let mut set = |free: &mut [bool], c: u32| {
            if !free[c as usize] {
                free[c as usize] = true;
                freed += 1;
            }
        };
        for (meeting_columns, seats) in self.meetings.values() {
            if seats.iter().any(|c| free[*c as usize]) {
                for &c in meeting_columns {
                    set(free, c);
                }
            }
        }
        for &(c, who, week) in &self.residency_columns {
            let touched = (0..days)
                .any(|day| cells[who.0 * days + day] && week.is_none_or(|w| self.weeks[day] == w));
            if touched {
                set(free, c);
            }
        }
        for bookings in &self.request_bookings {
            if bookings.iter().any(|c| free[*c as usize]) {
                for &c in bookings {
                    if values[c as usize] > 0.5 {
                        set(free, c);
                    }
                }
            }
        }
        freed
    }

    /// A window of one to three consecutive dates from a random date, for `staff` in
    /// random order, one specialist's window at a time; then the same people on the
    /// following dates.
    fn day_runs(
        &self,
        staff: &[SpecialistIx],
        rng: &mut StdRng,
    ) -> Vec<Vec<(SpecialistIx, usize)>> {
        let days = self.dates.len();
        if days == 0 {
            return Vec::new();
        }
        let first = rng.random_range(0..days);
        let length = rng.random_range(1..=3usize).min(days);
        let window: Vec<usize> = (first..first + length).map(|d| d % days).collect();
        let mut people = staff.to_vec();
        people.shuffle(rng);
        let mut chunks: Vec<Vec<(SpecialistIx, usize)>> = people
            .iter()
            .map(|who| window.iter().map(|day| (*who, *day)).collect())
            .collect();
        chunks.extend(
            (1..days)
                .map(|offset| (first + length - 1 + offset) % days)
                .filter(|day| !window.contains(day))
                .flat_map(|day| people.iter().map(move |who| vec![(*who, day)])),
        );
        chunks
    }

    /// What each specialist costs in the incumbent: idle sessions, on-site days and
    /// avoided slots (the cost of their columns), and the penalty of unserved requests
    /// naming them.
    fn specialist_costs(&self, values: &[f64]) -> Vec<f64> {
        let mut cost = vec![0.0; self.instance.specialists.len()];
        for (column, meaning) in self.matrix.meanings.iter().enumerate() {
            let c = self.matrix.cost[column];
            if c > 0.0
                && values[column] > 1e-9
                && let Some(who) = meaning.who
            {
                cost[who.0] += c * values[column];
            }
        }
        let unserved = self.instance.weights[crate::objective::Term::UnservedRequest];
        for (r, request) in self.instance.requests.iter().enumerate() {
            if let Some(who) = request.specialist
                && !self.is_served(r, values)
            {
                cost[who.0] += unserved * f64::from(request.priority);
            }
        }
        cost
    }

    fn is_served(&self, request: usize, values: &[f64]) -> bool {
        self.request_bookings[request]
            .iter()
            .any(|c| values[*c as usize] > 0.5)
    }

    /// A costly specialist (drawn with probability growing with their cost), then
    /// colleagues sharing a discipline and a site with them, then sharing a site, then
    /// a discipline, each group shuffled.
    fn related_people(&self, values: &[f64], rng: &mut StdRng) -> Vec<SpecialistIx> {
        let costs = self.specialist_costs(values);
        let people = costs.len();
        if people == 0 {
            return Vec::new();
        }
        let total: f64 = costs.iter().map(|c| c + 1.0).sum();
        let mut pick = rng.random_range(0.0..total);
        let mut seed = SpecialistIx(people - 1);
        for (s, c) in costs.iter().enumerate() {
            pick -= c + 1.0;
            if pick <= 0.0 {
                seed = SpecialistIx(s);
                break;
            }
        }
        let me = self.instance.specialist(seed);
        let shares_discipline = |s: SpecialistIx| {
            self.instance
                .specialist(s)
                .disciplines
                .iter()
                .any(|d| me.disciplines.contains(d))
        };
        let shares_site = |s: SpecialistIx| {
            self.instance
                .specialist(s)
                .sites
                .iter()
                .any(|n| me.sites.contains(n))
        };
        let mut groups: [Vec<SpecialistIx>; 3] = Default::default();
        for s in (0..people).map(SpecialistIx).filter(|s| *s != seed) {
            match (shares_discipline(s), shares_site(s)) {
                (true, true) => groups[0].push(s),
                (false, true) => groups[1].push(s),
                (true, false) => groups[2].push(s),
                (false, false) => {}
            }
        }
        let mut order = vec![seed];
        for mut group in groups {
            group.shuffle(rng);
            order.extend(group);
        }
        order
    }

    /// For unserved requests in random order (higher priority more likely first), the
    /// cells of every session that could serve them.
    fn unserved_candidates(
        &self,
        values: &[f64],
        rng: &mut StdRng,
    ) -> Vec<Vec<(SpecialistIx, usize)>> {
        let day_of: BTreeMap<NaiveDate, usize> = self
            .dates
            .iter()
            .enumerate()
            .map(|(i, d)| (*d, i))
            .collect();
        let mut unserved: Vec<(f64, usize)> = (0..self.instance.requests.len())
            .filter(|r| !self.is_served(*r, values) && !self.request_bookings[*r].is_empty())
            .map(|r| {
                let priority = f64::from(self.instance.requests[r].priority);
                // Efraimidis–Spirakis keys: a weighted random order.
                let key = rng.random_range(f64::EPSILON..1.0).powf(1.0 / priority);
                (key, r)
            })
            .collect();
        if unserved.is_empty() {
            return self.day_runs(
                &(0..self.instance.specialists.len())
                    .map(SpecialistIx)
                    .collect::<Vec<_>>(),
                rng,
            );
        }
        unserved.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut chunks: Vec<Vec<(SpecialistIx, usize)>> = unserved
            .into_iter()
            .map(|(_, r)| {
                let mut cells: Vec<(SpecialistIx, usize)> = self.request_bookings[r]
                    .iter()
                    .filter_map(|c| {
                        let meaning = &self.matrix.meanings[*c as usize];
                        Some((meaning.who?, *day_of.get(&meaning.date?)?))
                    })
                    .collect();
                cells.sort_unstable();
                cells.dedup();
                cells
            })
            .collect();
        // Few unserved requests: fill up with the people of those cells on other dates.
        let mut people: Vec<SpecialistIx> = chunks.iter().flatten().map(|(who, _)| *who).collect();
        people.sort_unstable();
        people.dedup();
        people.shuffle(rng);
        chunks.extend(
            people
                .into_iter()
                .map(|who| (0..self.dates.len()).map(|day| (who, day)).collect()),
        );
        chunks
    }

    /// A board (those missing meetings in the incumbent more likely) and one week:
    /// its possible participants, day by day.
    fn board_week(&self, values: &[f64], rng: &mut StdRng) -> Vec<Vec<(SpecialistIx, usize)>> {
        let boards = self.instance.mdt_boards.len();
        if boards == 0 {
            return self.day_runs(
                &(0..self.instance.specialists.len())
                    .map(SpecialistIx)
                    .collect::<Vec<_>>(),
                rng,
            );
        }
        let mut missing = vec![1.0; boards];
        for (column, meaning) in self.matrix.meanings.iter().enumerate() {
            if meaning.family == Family::MeetingShort
                && let Some(board) = meaning.board
            {
                missing[board.0] += 4.0 * values[column];
            }
        }
        let total: f64 = missing.iter().sum();
        let mut pick = rng.random_range(0.0..total);
        let mut board = boards - 1;
        for (b, weight) in missing.iter().enumerate() {
            pick -= weight;
            if pick <= 0.0 {
                board = b;
                break;
            }
        }
        let week_count = self.weeks.iter().max().map_or(1, |w| w + 1);
        let week = rng.random_range(0..week_count);
        let staff = &self.board_people[board];
        let mut chunks: Vec<Vec<(SpecialistIx, usize)>> = (0..self.dates.len())
            .filter(|day| self.weeks[*day] == week)
            .map(|day| staff.iter().map(|who| (*who, day)).collect())
            .collect();
        // Then the rest of the week for everyone at the board's site.
        let site = self.instance.mdt_boards[board].site;
        chunks.extend(
            (0..self.dates.len())
                .filter(|day| self.weeks[*day] == week)
                .map(|day| {
                    self.site_people[site.0]
                        .iter()
                        .map(|who| (*who, day))
                        .collect()
                }),
        );
        chunks
    }
}
