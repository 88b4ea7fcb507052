//! What the desk shows, built from the library's answers: the instance's lists for the
//! forms (experts, disciplines, sites, boards, sessions, the horizon), the patient's
//! request as the forms carry it, and each outcome (options, a booking, a waitlist
//! entry, a cancellation, a convene, a refusal) with dates as users write them. No
//! booking decision is taken here: the library searches, ranks, books and explains.

use chrono::NaiveDate;
use houniao::Instance;
use houniao::booking::{
    Alternative, AlternativeKind, Cancellation, Confirmation, ConveneOutcome, GatheringKind,
    SearchResult, SessionRef, SlotOption, WaitlistEntry,
};
use serde::Deserialize;

use crate::server::error::ApiError;
use crate::web::i18n::Tr;

/// How many ordered site choices the search form offers.
pub const SITE_CHOICES: usize = 3;

/// The instance's lists the desk's forms offer.
pub struct DeskContext {
    /// The instance id.
    pub id: String,
    /// Expert labels for the autocomplete: `Name (id) — disciplines`.
    pub experts: Vec<String>,
    /// Every discipline someone holds, sorted.
    pub disciplines: Vec<String>,
    /// Sites: (id, name).
    pub sites: Vec<(String, String)>,
    /// MDT boards: (id, name).
    pub boards: Vec<(String, String)>,
    /// The day's sessions: (id, name in the page's language).
    pub sessions: Vec<(String, String)>,
    /// The published horizon.
    pub horizon: (NaiveDate, NaiveDate),
    /// The same as users write it.
    pub horizon_text: String,
}

impl DeskContext {
    /// The lists of an instance's publication.
    pub fn of(tr: Tr, id: &str, instance: &Instance) -> DeskContext {
        let mut disciplines: Vec<String> = instance
            .specialists
            .iter()
            .flat_map(|s| s.disciplines.iter().cloned())
            .collect();
        disciplines.sort();
        disciplines.dedup();
        DeskContext {
            id: id.to_string(),
            experts: instance
                .specialists
                .iter()
                .map(|s| expert_label(&s.name, &s.id, &s.disciplines))
                .collect(),
            disciplines,
            sites: instance
                .sites
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            boards: instance
                .mdt_boards
                .iter()
                .map(|b| (b.id.clone(), b.name.clone()))
                .collect(),
            sessions: instance
                .calendar
                .sessions()
                .iter()
                .map(|s| (s.id.clone(), tr.session(&s.id).to_string()))
                .collect(),
            horizon: (instance.calendar.start(), instance.calendar.end()),
            horizon_text: format!(
                "{} – {}",
                tr.date(instance.calendar.start()),
                tr.date(instance.calendar.end())
            ),
        }
    }
}

/// `Liu Jun (liu-jun) — medical-oncology`.
fn expert_label(name: &str, id: &str, disciplines: &[String]) -> String {
    format!("{name} ({id}) — {}", disciplines.join(", "))
}

/// The specialist id an expert field names: a label of the autocomplete, an id, or a
/// name that only one specialist has; otherwise the text as typed (the library then
/// says it is unknown, with the closest id).
pub fn expert_id(instance: &Instance, text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let exact = instance
        .specialists
        .iter()
        .find(|s| s.id == text || expert_label(&s.name, &s.id, &s.disciplines) == text);
    let by_name = || {
        let mut named = instance
            .specialists
            .iter()
            .filter(|s| s.name.eq_ignore_ascii_case(text));
        match (named.next(), named.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    Some(
        exact
            .or_else(by_name)
            .map_or_else(|| text.to_string(), |s| s.id.clone()),
    )
}

/// The fields of the desk's request forms (search, book, waitlist): the visible form
/// has `site_1`…`site_3`; the Book and waitlist buttons carry `sites` comma-joined.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RequestForm {
    /// The CSRF token of a plain form (htmx sends the header).
    pub csrf: Option<String>,
    /// The instance id.
    #[serde(default)]
    pub instance: String,
    /// The patient reference.
    #[serde(default)]
    pub patient: String,
    /// The expert: a label, an id or a name.
    #[serde(default)]
    pub expert: String,
    /// The discipline.
    #[serde(default)]
    pub discipline: String,
    /// First acceptable date (`YYYY-MM-DD`).
    #[serde(default)]
    pub earliest: String,
    /// Last acceptable date.
    #[serde(default)]
    pub latest: String,
    /// First site choice.
    #[serde(default)]
    pub site_1: String,
    /// Second site choice.
    #[serde(default)]
    pub site_2: String,
    /// Third site choice.
    #[serde(default)]
    pub site_3: String,
    /// Allowed sites in order, comma-joined (the buttons' hidden field).
    #[serde(default)]
    pub sites: String,
    /// Present when a substitute will do.
    pub substitute_ok: Option<String>,
    /// The referring community centre (a site id), or "".
    #[serde(default)]
    pub referred_by: String,
    /// Book: the option id.
    #[serde(default)]
    pub option: String,
}

impl RequestForm {
    /// The allowed sites in preference order, each once.
    pub fn site_list(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let choices = [&self.site_1, &self.site_2, &self.site_3];
        let joined = self.sites.split(',');
        for site in choices.into_iter().map(String::as_str).chain(joined) {
            let site = site.trim();
            if !site.is_empty() && !out.iter().any(|s| s == site) {
                out.push(site.to_string());
            }
        }
        out
    }

    /// Whether a substitute will do.
    pub fn substitute(&self) -> bool {
        self.substitute_ok
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
    }
}

/// The request as the form shows it again (prefilled after a plain POST).
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    /// The patient reference.
    pub patient: String,
    /// The expert as typed.
    pub expert: String,
    /// The discipline.
    pub discipline: String,
    /// First date.
    pub earliest: String,
    /// Last date.
    pub latest: String,
    /// The site choices, `SITE_CHOICES` of them ("" for none).
    pub sites: Vec<String>,
    /// A substitute will do.
    pub substitute_ok: bool,
    /// The referring site ("" for none).
    pub referred_by: String,
}

impl FormValues {
    /// An empty form over the publication's horizon.
    pub fn empty(context: &DeskContext) -> FormValues {
        FormValues {
            earliest: context.horizon.0.to_string(),
            latest: context.horizon.1.to_string(),
            sites: vec![String::new(); SITE_CHOICES],
            ..FormValues::default()
        }
    }

    /// The form as sent.
    pub fn of(form: &RequestForm) -> FormValues {
        let mut sites = form.site_list();
        sites.resize(SITE_CHOICES.max(sites.len()), String::new());
        sites.truncate(SITE_CHOICES);
        FormValues {
            patient: form.patient.clone(),
            expert: form.expert.clone(),
            discipline: form.discipline.clone(),
            earliest: form.earliest.clone(),
            latest: form.latest.clone(),
            sites,
            substitute_ok: form.substitute(),
            referred_by: form.referred_by.trim().to_string(),
        }
    }

    /// Whether site choice `n` (0-based) is `id`.
    pub fn site_is(&self, n: &usize, id: &str) -> bool {
        self.sites.get(*n).is_some_and(|s| s == id)
    }
}

/// The request a Book or waitlist button carries: hidden (name, value) fields.
pub type Hidden = Vec<(&'static str, String)>;

/// The hidden fields of a request (the expert as its resolved id).
pub fn hidden(instance: &str, request: &houniao::booking::PatientRequest) -> Hidden {
    let mut fields = vec![
        ("instance", instance.to_string()),
        ("patient", request.patient.clone()),
        ("expert", request.specialist.clone().unwrap_or_default()),
        ("discipline", request.discipline.clone().unwrap_or_default()),
        ("earliest", request.earliest.to_string()),
        ("latest", request.latest.to_string()),
        ("sites", request.sites.join(",")),
    ];
    if request.substitute_ok {
        fields.push(("substitute_ok", "1".to_string()));
    }
    if let Some(site) = &request.referred_by {
        fields.push(("referred_by", site.clone()));
    }
    fields
}

/// One bookable option as a row.
pub struct OptionRow {
    /// The option id to book.
    pub id: String,
    /// `Tue 3 Mar am`.
    pub slot: String,
    /// The specialist's name.
    pub specialist: String,
    /// The site's name.
    pub site: String,
    /// The room, when the roster names one.
    pub room: String,
    /// Places left.
    pub places_left: u32,
    /// The session's capacity.
    pub capacity: u32,
    /// With someone other than the named expert.
    pub substitute: bool,
    /// A studio session.
    pub studio: bool,
}

impl OptionRow {
    fn of(tr: Tr, option: &SlotOption) -> OptionRow {
        OptionRow {
            id: option.id.clone(),
            slot: tr.slot(option.session.date, &option.session.session),
            specialist: option.specialist_name.clone(),
            site: option.site_name.clone(),
            room: option.room.clone().unwrap_or_default(),
            places_left: option.places_left,
            capacity: option.capacity,
            substitute: option.substitute,
            studio: option.studio,
        }
    }
}

/// An alternative outside the request, with what the patient must accept.
pub struct AlternativeRow {
    /// The option.
    pub option: OptionRow,
    /// The catalogue key of what it asks (`desk.alt.after_window`, …).
    pub kind_key: &'static str,
    /// Days after the window, for `after_window`.
    pub days_after: i64,
    /// The request widened to take it, for its Book button.
    pub hidden: Hidden,
}

/// A search's answer as the desk shows it.
pub struct SearchView {
    /// Who or what was asked for (the expert's name, or the discipline).
    pub asked: String,
    /// The window, as users write it.
    pub window: String,
    /// Ranked options.
    pub options: Vec<OptionRow>,
    /// How many fit in all.
    pub total: usize,
    /// Why the expert (or anyone) cannot be had, in the page's language.
    pub reasons: Vec<String>,
    /// Sessions outside the request.
    pub alternatives: Vec<AlternativeRow>,
    /// The request, for the Book and waitlist buttons.
    pub hidden: Hidden,
    /// Shown above: the option chosen was taken meanwhile.
    pub taken: bool,
}

impl SearchView {
    /// The view of a search result for a request.
    pub fn of(
        tr: Tr,
        instance: &Instance,
        id: &str,
        request: &houniao::booking::PatientRequest,
        result: &SearchResult,
    ) -> SearchView {
        let asked = match &request.specialist {
            Some(expert) => instance
                .specialist_ix(expert)
                .map_or_else(|| expert.clone(), |ix| instance.specialist(ix).name.clone()),
            None => request.discipline.clone().unwrap_or_default(),
        };
        SearchView {
            asked,
            window: if request.earliest == request.latest {
                tr.date(request.earliest)
            } else {
                format!(
                    "{} – {}",
                    tr.date(request.earliest),
                    tr.date(request.latest)
                )
            },
            options: result
                .options
                .iter()
                .map(|o| OptionRow::of(tr, o))
                .collect(),
            total: result.total,
            reasons: result.reason_texts.iter().map(|t| tr.text(t)).collect(),
            alternatives: result
                .alternatives
                .iter()
                .map(|a| alternative(tr, id, request, a))
                .collect(),
            hidden: hidden(id, request),
            taken: false,
        }
    }
}

/// An alternative, and the request widened to what it asks the patient to accept.
fn alternative(
    tr: Tr,
    id: &str,
    request: &houniao::booking::PatientRequest,
    alternative: &Alternative,
) -> AlternativeRow {
    let option = &alternative.option;
    let mut widened = request.clone();
    let kind_key = match alternative.kind {
        AlternativeKind::AfterWindow => {
            widened.latest = widened.latest.max(option.session.date);
            "desk.alt.after_window"
        }
        AlternativeKind::OtherSite => {
            if !widened.sites.is_empty() && !widened.sites.contains(&option.site) {
                widened.sites.push(option.site.clone());
            }
            "desk.alt.other_site"
        }
        AlternativeKind::Substitute => {
            widened.substitute_ok = true;
            "desk.alt.substitute"
        }
    };
    AlternativeRow {
        option: OptionRow::of(tr, option),
        kind_key,
        days_after: (option.session.date - request.latest).num_days(),
        hidden: hidden(id, &widened),
    }
}

/// A booking made.
pub struct BookedView {
    /// The booking id.
    pub id: String,
    /// The patient reference.
    pub patient: String,
    /// The option booked.
    pub option: OptionRow,
    /// Waitlist entries of the patient it served.
    pub left_waitlist: Vec<String>,
}

impl BookedView {
    /// The view of a confirmation.
    pub fn of(tr: Tr, confirmation: &Confirmation) -> BookedView {
        BookedView {
            id: confirmation.booking.id.clone(),
            patient: confirmation.booking.request.patient.clone(),
            option: OptionRow::of(tr, &confirmation.option),
            left_waitlist: confirmation.left_waitlist.clone(),
        }
    }
}

/// A request put on the waitlist.
pub struct WaitlistedView {
    /// The entry id.
    pub id: String,
    /// The patient reference.
    pub patient: String,
    /// Why it could not be placed, in the page's language when the entry was just made.
    pub reason: String,
}

impl WaitlistedView {
    /// The view of a waitlist entry.
    pub fn of(tr: Tr, entry: &WaitlistEntry) -> WaitlistedView {
        WaitlistedView {
            id: entry.id.clone(),
            patient: entry.request.patient.clone(),
            reason: entry
                .reason_text
                .as_ref()
                .map_or_else(|| entry.reason.clone(), |t| tr.text(t)),
        }
    }
}

/// A cancellation.
pub struct CancelledView {
    /// The booking id.
    pub id: String,
    /// The freed session: `Tue 3 Mar am`.
    pub slot: String,
    /// Its specialist's name.
    pub specialist: String,
    /// Places left in it now.
    pub places_left: u32,
    /// Waitlist entries the place could serve: (entry id, slot).
    pub matches: Vec<String>,
    /// Offers of the freed place: (offer id, entry id, held until on the session clock).
    pub offers: Vec<(String, String, String)>,
}

impl CancelledView {
    /// The view of a cancellation.
    pub fn of(tr: Tr, instance: &Instance, cancellation: &Cancellation) -> CancelledView {
        CancelledView {
            id: cancellation.id.clone(),
            slot: slot_of(tr, &cancellation.session),
            specialist: name_of(instance, &cancellation.session.specialist),
            places_left: cancellation.places_left,
            matches: cancellation
                .waitlist_matches
                .iter()
                .map(|m| m.entry.clone())
                .collect(),
            offers: cancellation
                .offers
                .iter()
                .map(|o| {
                    (
                        o.id.clone(),
                        o.entry.clone(),
                        houniao::booking::session_clock(o.expires_at)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    )
                })
                .collect(),
        }
    }
}

fn slot_of(tr: Tr, session: &SessionRef) -> String {
    tr.slot(session.date, &session.session)
}

fn name_of(instance: &Instance, specialist: &str) -> String {
    instance.specialist_ix(specialist).map_or_else(
        || specialist.to_string(),
        |ix| instance.specialist(ix).name.clone(),
    )
}

/// One slot in which the board can sit.
pub struct GatheringRow {
    /// `Fri 6 Mar pm`.
    pub slot: String,
    /// The meeting room.
    pub room: String,
    /// Whether the board already meets then.
    pub scheduled: bool,
    /// (discipline, name, by video).
    pub participants: Vec<(String, String, bool)>,
}

/// A convene's answer.
pub struct ConvenedView {
    /// The board's name.
    pub board: String,
    /// The board's site name.
    pub site: String,
    /// The earliest slots.
    pub gatherings: Vec<GatheringRow>,
    /// Slots passed over, as the library words why.
    pub passed_over: Vec<String>,
}

impl ConvenedView {
    /// The view of a convene outcome.
    pub fn of(tr: Tr, instance: &Instance, outcome: &ConveneOutcome) -> ConvenedView {
        let board = instance
            .mdt_boards
            .iter()
            .find(|b| b.id == outcome.board)
            .map_or_else(|| outcome.board.clone(), |b| b.name.clone());
        let site = instance
            .sites
            .iter()
            .find(|s| s.id == outcome.site)
            .map_or_else(|| outcome.site.clone(), |s| s.name.clone());
        ConvenedView {
            board,
            site,
            gatherings: outcome
                .gatherings
                .iter()
                .map(|g| GatheringRow {
                    slot: tr.slot(g.date, &g.session),
                    room: g.room.clone(),
                    scheduled: g.kind == GatheringKind::Scheduled,
                    participants: g
                        .participants
                        .iter()
                        .map(|p| (p.discipline.clone(), p.name.clone(), p.remote))
                        .collect(),
                })
                .collect(),
            passed_over: outcome.passed_over.clone(),
        }
    }
}

/// Something refused: a title from the catalogue and the service's detail.
pub struct ProblemView {
    /// The catalogue key of the title.
    pub title_key: &'static str,
    /// The detail (the library's words, or a catalogue text).
    pub detail: String,
}

impl ProblemView {
    /// The view of an API error.
    pub fn of(error: &ApiError) -> ProblemView {
        let title_key = match error.error {
            "not_published" => "desk.error.not_published",
            "invalid_request" => "desk.error.invalid_request",
            "does_not_fit" => "desk.error.does_not_fit",
            "already_booked" => "desk.error.already_booked",
            "already_cancelled" => "desk.error.already_cancelled",
            "not_found" => "desk.error.not_found",
            "storage_failed" => "desk.error.storage_failed",
            _ => "desk.error.other",
        };
        ProblemView {
            title_key,
            detail: error.detail.clone(),
        }
    }
}

/// What a desk action answers.
pub enum Outcome {
    /// Ranked options, or why not and the alternatives.
    Search(SearchView),
    /// A booking made.
    Booked(BookedView),
    /// A waitlist entry made.
    Waitlisted(WaitlistedView),
    /// A booking cancelled.
    Cancelled(CancelledView),
    /// Slots for an urgent MDT.
    Convened(ConvenedView),
    /// Refused.
    Problem(ProblemView),
}
