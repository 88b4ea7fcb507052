//! What an item says to a person, in the instance's language: a one-line summary, its
//! place, and a description with one fact per line. Names come from the instance
//! (an id the instance lacks is shown as it is); patients are never named.

use std::fmt::Write;

use super::{Item, Part, View, What};
use crate::instance::Instance;

/// The language of calendar and spreadsheet text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Simplified Chinese.
    Chinese,
    /// English.
    English,
}

impl Language {
    /// `zh-CN` or `en`, as in `--lang` and iCalendar's `LANGUAGE`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Chinese => "zh-CN",
            Language::English => "en",
        }
    }

    /// The language of a tag (`zh`, `zh-CN`, `en`, …).
    pub fn parse(tag: &str) -> Option<Language> {
        let tag = tag.to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-") {
            Some(Language::Chinese)
        } else if tag == "en" || tag.starts_with("en-") {
            Some(Language::English)
        } else {
            None
        }
    }

    /// The instance's language: Chinese when its names of sites, people, studios or
    /// boards are written in Chinese characters, English otherwise.
    pub fn of(instance: &Instance) -> Language {
        let names = instance
            .sites
            .iter()
            .map(|s| &s.name)
            .chain(instance.specialists.iter().map(|s| &s.name))
            .chain(instance.studios.iter().map(|s| &s.name))
            .chain(instance.mdt_boards.iter().map(|b| &b.name));
        let chinese = names
            .flat_map(|name| name.chars())
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        if chinese {
            Language::Chinese
        } else {
            Language::English
        }
    }

    fn pick(self, chinese: &'static str, english: &'static str) -> &'static str {
        match self {
            Language::Chinese => chinese,
            Language::English => english,
        }
    }
}

/// An item as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// One line: what, and for site and board views who.
    pub summary: String,
    /// Room and site, or "by video".
    pub location: String,
    /// One fact per line.
    pub description: Vec<String>,
}

impl Text {
    /// The text of `item` in `view`.
    pub fn of(instance: &Instance, view: &View, item: &Item, lang: Language) -> Text {
        let names = Names(instance);
        let mut description = Vec::new();
        let holder = item.people.first().map(|p| names.specialist(&p.specialist));
        let own_view = matches!(view, View::Specialist(_));
        let view_id = own_view.then(|| view.id());
        let mut summary = match &item.what {
            What::Clinic { discipline } => {
                format!("{} · {discipline}", lang.pick("门诊", "Clinic"))
            }
            What::Studio { studio } => {
                let others: Vec<String> = item
                    .people
                    .iter()
                    .filter(|p| !own_view || Some(p.specialist.as_str()) != view_id)
                    .map(|p| {
                        let part = match p.part {
                            Part::Lead => lang.pick("导师", "lead"),
                            _ => lang.pick("学员", "apprentice"),
                        };
                        format!("{part} {}", names.specialist(&p.specialist))
                    })
                    .collect();
                format!(
                    "{}: {} · {}",
                    lang.pick("工作室", "Studio"),
                    names.studio(studio),
                    others.join(", ")
                )
            }
            What::Mdt { board } => {
                format!("{}: {}", lang.pick("MDT", "MDT"), names.board(board))
            }
            What::Surgery => format!(
                "{} ({})",
                lang.pick("手术", "Surgery list"),
                item.surgeries.len()
            ),
            What::OnSite => format!(
                "{}: {}",
                lang.pick("驻点", "On site"),
                item.site
                    .as_deref()
                    .map(|s| names.site(s))
                    .unwrap_or_default()
            ),
        };
        if !own_view && !matches!(item.what, What::Mdt { .. } | What::Studio { .. }) {
            let who: Vec<String> = item
                .people
                .iter()
                .map(|p| names.specialist(&p.specialist))
                .collect();
            let _ = write!(summary, " · {}", who.join(", "));
        }
        if item.remote {
            let _ = write!(summary, " ({})", lang.pick("视频参会", "by video"));
        }
        for person in &item.people {
            let name = names.specialist(&person.specialist);
            let line = match &person.part {
                Part::Holder if item.what == What::OnSite => None,
                Part::Holder => Some(format!("{}: {name}", lang.pick("出诊", "Held by"))),
                Part::Lead => Some(format!("{}: {name}", lang.pick("导师", "Lead"))),
                Part::Apprentice => Some(format!("{}: {name}", lang.pick("学员", "Apprentice"))),
                Part::Seat { discipline, remote } => Some(format!(
                    "{}: {name} ({discipline}{})",
                    lang.pick("成员", "Member"),
                    if *remote {
                        lang.pick("，视频", ", by video")
                    } else {
                        ""
                    }
                )),
                Part::Surgeon => None,
            };
            description.extend(line);
        }
        if item.what == What::OnSite {
            description.push(format!(
                "{}: {}",
                lang.pick("驻点专家", "Visiting"),
                holder.clone().unwrap_or_default()
            ));
        }
        for surgery in &item.surgeries {
            let mut line = format!(
                "{} {} · {} · {}",
                surgery.start.as_deref().unwrap_or("--:--"),
                surgery.surgery,
                surgery.theatre,
                names.specialist(&surgery.surgeon)
            );
            if let Some(minutes) = surgery.minutes {
                let _ = write!(line, " · {minutes} {}", lang.pick("分钟", "min"));
            }
            description.push(line);
        }
        let place = item.site.as_deref().map(|s| names.site(s));
        let location = match (&item.room, place) {
            _ if item.remote => lang.pick("视频", "Video").to_string(),
            (Some(room), Some(site)) => format!("{room}, {site}"),
            (None, Some(site)) => site,
            (Some(room), None) => room.clone(),
            (None, None) => String::new(),
        };
        if let (true, Some(room), Some(site)) = (item.remote, &item.room, &item.site) {
            description.push(format!(
                "{}: {room}, {}",
                lang.pick("会场", "Meeting room"),
                names.site(site)
            ));
        }
        Text {
            summary,
            location,
            description,
        }
    }
}

struct Names<'a>(&'a Instance);

impl Names<'_> {
    fn specialist(&self, id: &str) -> String {
        self.0
            .specialist_ix(id)
            .map_or(id, |ix| self.0.specialist(ix).name.as_str())
            .to_string()
    }

    fn site(&self, id: &str) -> String {
        self.0
            .site_ix(id)
            .map_or(id, |ix| self.0.site(ix).name.as_str())
            .to_string()
    }

    fn studio(&self, id: &str) -> String {
        self.0
            .studio_ix(id)
            .map_or(id, |ix| self.0.studios[ix.0].name.as_str())
            .to_string()
    }

    fn board(&self, id: &str) -> String {
        self.0
            .board_ix(id)
            .map_or(id, |ix| self.0.mdt_boards[ix.0].name.as_str())
            .to_string()
    }
}
