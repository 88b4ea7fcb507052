//! The TOML text: sections in the order of format.md, a banner comment per section,
//! optional fields written only when they differ from the default.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::{Model, RoomKind, SESSIONS, WEEKDAYS};

/// A TOML document being written line by line.
struct Toml {
    text: String,
}

impl Toml {
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn banner(&mut self, title: &str) {
        self.line("");
        self.line(&format!("# {}", "-".repeat(76)));
        self.line(&format!("# {title}"));
        self.line(&format!("# {}", "-".repeat(76)));
    }

    fn table(&mut self, name: &str) {
        self.line("");
        self.line(&format!("[[{name}]]"));
    }

    fn string(&mut self, key: &str, value: &str) {
        self.line(&format!("{key} = {}", quote(value)));
    }

    fn number(&mut self, key: &str, value: impl std::fmt::Display) {
        self.line(&format!("{key} = {value}"));
    }

    fn flag(&mut self, key: &str, value: bool) {
        self.line(&format!("{key} = {value}"));
    }

    fn list<S: AsRef<str>>(&mut self, key: &str, values: &[S]) {
        let items: Vec<String> = values.iter().map(|v| quote(v.as_ref())).collect();
        self.line(&format!("{key} = [{}]", items.join(", ")));
    }

    /// The list when not empty.
    fn list_if_any<S: AsRef<str>>(&mut self, key: &str, values: &[S]) {
        if !values.is_empty() {
            self.list(key, values);
        }
    }
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(quoted, "\\u{:04X}", c as u32);
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn slot(day: NaiveDate, session: Option<usize>) -> String {
    match session {
        Some(s) => format!("{}:{}", date(day), SESSIONS[s]),
        None => date(day),
    }
}

fn weekday_ref(day: usize, session: Option<usize>) -> String {
    match session {
        Some(s) => format!("{}:{}", WEEKDAYS[day], SESSIONS[s]),
        None => WEEKDAYS[day].to_string(),
    }
}

/// The whole instance as TOML.
pub(super) fn toml(model: &Model) -> String {
    let mut t = Toml {
        text: String::new(),
    };
    let calendar = &model.calendar;
    let visiting = model.people.iter().filter(|p| p.visiting).count();
    t.line(&model.header);
    t.line(&format!(
        "# A synthetic network shaped like the seed instances: {} sites, {} specialists ({visiting} visiting), {} week(s) from {}.",
        model.sites.len(),
        model.people.len(),
        calendar.weeks,
        date(calendar.start)
    ));
    t.line("# People are fictional; the institutions they come from are real.");
    t.line("");
    t.string("name", &model.name);
    t.line("");
    t.line("[horizon]");
    t.string("start", &date(calendar.start));
    t.number("weeks", calendar.weeks);
    t.list("closed_weekdays", &["sat", "sun"]);
    let holidays: Vec<String> = calendar.holidays.iter().map(|d| date(*d)).collect();
    t.list("holidays", &holidays);
    t.line("sessions = [");
    t.line("  { id = \"am\", start = \"08:00\", end = \"12:00\" },");
    t.line("  { id = \"pm\", start = \"13:30\", end = \"17:30\" },");
    t.line("]");

    t.banner("Sites and travel");
    for site in &model.sites {
        t.table("sites");
        t.string("id", &site.id);
        t.string("name", &site.name);
        t.string("kind", site.kind.name());
    }
    for travel in &model.travel {
        t.table("travel");
        t.string("from", &model.sites[travel.from].id);
        t.string("to", &model.sites[travel.to].id);
        t.number("minutes", travel.minutes);
    }

    t.banner("Rooms");
    for room in &model.rooms {
        t.table("rooms");
        t.string("id", &room.id);
        t.string("site", &model.sites[room.site].id);
        t.string(
            "kind",
            match room.kind {
                RoomKind::Clinic => "clinic",
                RoomKind::Meeting => "meeting",
                RoomKind::Theatre => "theatre",
            },
        );
        t.list_if_any("tags", &room.tags);
        let closed: Vec<String> = room
            .unavailable
            .iter()
            .map(|(d, s)| slot(*d, Some(*s)))
            .collect();
        t.list_if_any("unavailable", &closed);
        if let Some(minutes) = room.capacity_minutes {
            t.number("capacity_minutes", minutes);
        }
    }

    t.banner("Specialists");
    for p in &model.people {
        t.table("specialists");
        t.string("id", &p.id);
        t.string("name", &p.name);
        if p.visiting {
            t.flag("visiting", true);
        }
        t.string("home", &p.home);
        let sites: Vec<&str> = p
            .sites
            .iter()
            .map(|s| model.sites[*s].id.as_str())
            .collect();
        t.list("sites", &sites);
        t.list("disciplines", &p.disciplines);
        if p.grade > 0 {
            t.number("surgery_grade", p.grade);
        }
        if p.available != [3; 5] {
            let days: Vec<String> = (0..5)
                .flat_map(|d| match p.available[d] {
                    0 => Vec::new(),
                    3 => vec![weekday_ref(d, None)],
                    bits => (0..SESSIONS.len())
                        .filter(|s| bits & (1 << s) != 0)
                        .map(|s| weekday_ref(d, Some(s)))
                        .collect(),
                })
                .collect();
            t.list("available", &days);
        }
        let away: Vec<String> = p.unavailable.iter().map(|(d, s)| slot(*d, *s)).collect();
        t.list_if_any("unavailable", &away);
        if let Some(max) = p.max_week {
            t.number("max_sessions_per_week", max);
        }
        if let Some(max) = p.max_day {
            t.number("max_sessions_per_day", max);
        }
        t.number("clinic_capacity", p.capacity);
        if let Some(cost) = p.day_cost {
            t.number("day_cost", cost);
        }
        let avoid: Vec<String> = p.avoid.iter().map(|(d, s)| weekday_ref(*d, *s)).collect();
        t.list_if_any("avoid", &avoid);
    }

    if !model.residencies.is_empty() {
        t.banner("Residencies of visiting experts");
    }
    for r in &model.residencies {
        t.table("residencies");
        t.string("specialist", &model.people[r.person].id);
        t.string("site", &model.sites[r.site].id);
        t.number("days_per_week", r.days_per_week);
        if let Some(days) = &r.days {
            let days: Vec<&str> = days.iter().map(|d| WEEKDAYS[*d]).collect();
            t.list("days", &days);
        } else {
            if !r.consecutive {
                t.flag("consecutive", false);
            }
            if !r.same_days {
                t.flag("same_days_every_week", false);
            }
        }
        if let Some(weeks) = &r.weeks {
            let weeks: Vec<String> = weeks.iter().map(u32::to_string).collect();
            t.line(&format!("weeks = [{}]", weeks.join(", ")));
        }
    }

    if !model.studios.is_empty() {
        t.banner("Named-doctor studios");
    }
    for s in &model.studios {
        t.table("studios");
        t.string("id", &s.id);
        t.string("name", &s.name);
        t.string("lead", &model.people[s.lead].id);
        t.string("site", &model.sites[s.site].id);
        t.string("discipline", s.discipline);
        t.number("sessions_per_week", s.sessions_per_week);
        t.list("room_tags", &["teaching"]);
        let apprentices: Vec<&str> = s
            .apprentices
            .iter()
            .map(|a| model.people[*a].id.as_str())
            .collect();
        t.list("apprentices", &apprentices);
        t.number("min_apprentices", 1);
    }

    t.banner("MDT boards");
    for b in &model.boards {
        t.table("mdt_boards");
        t.string("id", &b.id);
        t.string("name", &b.name);
        t.string("site", &model.sites[b.site].id);
        t.list("required", &b.required);
        t.list_if_any("remote_ok", &b.remote_ok);
        t.number("meetings_per_week", 1);
        t.list("sessions", &b.sessions);
        t.list("room_tags", &["video"]);
    }

    t.banner("Clinic demand (sessions per week)");
    for d in &model.demand {
        t.table("clinic_demand");
        t.string("site", &model.sites[d.site].id);
        t.string("discipline", d.discipline);
        t.number("sessions_per_week", d.sessions_per_week);
        t.list_if_any("room_tags", &d.room_tags);
    }

    if !model.surgeries.is_empty() {
        t.banner("Surgeries");
    }
    for s in &model.surgeries {
        t.table("surgeries");
        t.string("id", &s.id);
        t.string("patient", &s.patient);
        t.string("discipline", s.discipline);
        if let Some(surgeon) = s.surgeon {
            t.string("surgeon", &model.people[surgeon].id);
        }
        t.number("grade", s.grade);
        t.number("minutes", s.minutes);
        t.list_if_any("room_tags", &s.room_tags);
        if let Some(site) = s.site {
            t.string("site", &model.sites[site].id);
        }
        t.string("release", &date(s.release));
        t.string("due", &date(s.due));
        if s.priority > 1 {
            t.number("priority", s.priority);
        }
    }

    if !model.requests.is_empty() {
        t.banner("Requests (patients asking for a named expert or a discipline)");
    }
    for r in &model.requests {
        t.table("requests");
        t.string("id", &r.id);
        t.string("patient", &r.patient);
        if let Some(p) = r.specialist {
            t.string("specialist", &model.people[p].id);
        }
        if let Some(d) = r.discipline {
            t.string("discipline", d);
        }
        if let Some(sites) = &r.sites {
            let sites: Vec<&str> = sites.iter().map(|s| model.sites[*s].id.as_str()).collect();
            t.list("sites", &sites);
        }
        t.string("earliest", &date(r.earliest));
        t.string("latest", &date(r.latest));
        if r.substitute_ok {
            t.flag("substitute_ok", true);
        }
        if r.priority > 1 {
            t.number("priority", r.priority);
        }
    }
    t.text
}
