//! Rule 10 (references): every id in the roster must name something of the instance.
//! Entries that resolve become index-based records for the other rules; entries that
//! do not are reported and left out of further checks.

use chrono::NaiveTime;

use super::{Findings, Rule};
use crate::calendar::{Slot, parse_time};
use crate::instance::{
    BoardIx, Instance, RequestIx, RoomIx, SiteIx, SpecialistIx, StudioIx, SurgeryIx,
};
use crate::resources::{ResourceIx, ResourceRequestIx};
use crate::roster::{Assignment, Booking, Presence, ResourceBooking, Roster};
use crate::text;
use crate::text::{Key, Text};

/// An assignment with its ids resolved.
pub(super) struct Placed<'r> {
    pub raw: &'r Assignment,
    pub who: SpecialistIx,
    pub slot: Slot,
    pub site: Option<SiteIx>,
    pub room: Option<RoomIx>,
    pub studio: Option<StudioIx>,
    pub board: Option<BoardIx>,
}

/// A surgery placement with its ids resolved.
pub(super) struct Operation {
    pub surgery: SurgeryIx,
    pub slot: Slot,
    pub room: RoomIx,
    pub surgeon: SpecialistIx,
    pub start: Option<NaiveTime>,
}

/// A booking with its ids resolved.
pub(super) struct Booked<'r> {
    pub raw: &'r Booking,
    pub request: RequestIx,
    pub who: SpecialistIx,
    pub slot: Slot,
    pub site: SiteIx,
}

/// A presence entry with its ids resolved.
pub(super) struct OnSite<'r> {
    pub raw: &'r Presence,
    pub who: SpecialistIx,
    pub site: SiteIx,
}

/// A resource booking with its ids resolved.
pub(super) struct ResourceBooked<'r> {
    pub raw: &'r ResourceBooking,
    pub request: ResourceRequestIx,
    pub resource: ResourceIx,
    pub slot: Slot,
    pub site: SiteIx,
}

/// The roster in instance indices.
pub(super) struct Resolved<'r> {
    pub assignments: Vec<Placed<'r>>,
    pub surgeries: Vec<Operation>,
    pub bookings: Vec<Booked<'r>>,
    pub resource_bookings: Vec<ResourceBooked<'r>>,
    pub presence: Vec<OnSite<'r>>,
}

struct Resolver<'a> {
    instance: &'a Instance,
    findings: &'a mut Findings,
    ok: bool,
}

impl Resolver<'_> {
    fn missing(&mut self, what: Key, id: &str, context: &Text, date: Option<chrono::NaiveDate>) {
        self.ok = false;
        self.findings.add(
            Rule::References,
            date,
            None,
            text!(UnknownReference {
                context: context,
                what: Text::new(what),
                id: id,
            }),
        );
    }

    fn specialist(
        &mut self,
        id: &str,
        context: &Text,
        date: Option<chrono::NaiveDate>,
    ) -> SpecialistIx {
        self.instance.specialist_ix(id).unwrap_or_else(|| {
            self.missing(Key::WordSpecialist, id, context, date);
            SpecialistIx(usize::MAX)
        })
    }

    fn site(&mut self, id: &str, context: &Text, date: Option<chrono::NaiveDate>) -> SiteIx {
        self.instance.site_ix(id).unwrap_or_else(|| {
            self.missing(Key::WordSite, id, context, date);
            SiteIx(usize::MAX)
        })
    }

    fn room(&mut self, id: &str, context: &Text, date: Option<chrono::NaiveDate>) -> RoomIx {
        self.instance.room_ix(id).unwrap_or_else(|| {
            self.missing(Key::WordRoom, id, context, date);
            RoomIx(usize::MAX)
        })
    }

    fn slot(&mut self, date: chrono::NaiveDate, session: &str, context: &Text) -> Slot {
        match self.instance.calendar.session_index(session) {
            Some(session) => Slot { date, session },
            None => {
                self.missing(Key::WordSession, session, context, Some(date));
                Slot {
                    date,
                    session: usize::MAX,
                }
            }
        }
    }
}

pub(super) fn resolve<'r>(
    instance: &Instance,
    roster: &'r Roster,
    findings: &mut Findings,
) -> Resolved<'r> {
    let mut resolver = Resolver {
        instance,
        findings,
        ok: true,
    };
    let mut resolved = Resolved {
        assignments: Vec::new(),
        surgeries: Vec::new(),
        bookings: Vec::new(),
        resource_bookings: Vec::new(),
        presence: Vec::new(),
    };
    for raw in &roster.assignments {
        resolver.ok = true;
        let context = text!(AssignmentContext {
            who: &raw.specialist,
            activity: text::activity(raw.activity.name()),
        });
        let date = Some(raw.date);
        let who = resolver.specialist(&raw.specialist, &context, date);
        let slot = resolver.slot(raw.date, &raw.session, &context);
        let site = raw
            .site
            .as_ref()
            .map(|id| resolver.site(id, &context, date));
        let room = raw
            .room
            .as_ref()
            .map(|id| resolver.room(id, &context, date));
        let studio = raw.studio.as_ref().map(|id| {
            instance.studio_ix(id).unwrap_or_else(|| {
                resolver.missing(Key::WordStudio, id, &context, date);
                StudioIx(usize::MAX)
            })
        });
        let board = raw.board.as_ref().map(|id| {
            instance.board_ix(id).unwrap_or_else(|| {
                resolver.missing(Key::WordBoard, id, &context, date);
                BoardIx(usize::MAX)
            })
        });
        if resolver.ok {
            resolved.assignments.push(Placed {
                raw,
                who,
                slot,
                site,
                room,
                studio,
                board,
            });
        }
    }
    for raw in &roster.surgeries {
        resolver.ok = true;
        let context = text!(SurgeryPlacementContext {
            surgery: &raw.surgery
        });
        let date = Some(raw.date);
        let surgery = instance.surgery_ix(&raw.surgery).unwrap_or_else(|| {
            resolver.missing(Key::WordSurgery, &raw.surgery, &context, date);
            SurgeryIx(usize::MAX)
        });
        let slot = resolver.slot(raw.date, &raw.session, &context);
        let room = resolver.room(&raw.room, &context, date);
        let surgeon = resolver.specialist(&raw.surgeon, &context, date);
        let start = match &raw.start {
            None => None,
            Some(text) => {
                let parsed = parse_time(text);
                if parsed.is_none() {
                    resolver.ok = false;
                    resolver.findings.add(
                        Rule::Format,
                        date,
                        Some(&raw.session),
                        text!(StartNotTime {
                            context: &context,
                            start: text,
                        }),
                    );
                }
                parsed
            }
        };
        if resolver.ok {
            resolved.surgeries.push(Operation {
                surgery,
                slot,
                room,
                surgeon,
                start,
            });
        }
    }
    for raw in &roster.bookings {
        resolver.ok = true;
        let context = text!(BookingContext {
            request: &raw.request
        });
        let date = Some(raw.date);
        let request = instance.request_ix(&raw.request).unwrap_or_else(|| {
            resolver.missing(Key::WordRequest, &raw.request, &context, date);
            RequestIx(usize::MAX)
        });
        let who = resolver.specialist(&raw.specialist, &context, date);
        let slot = resolver.slot(raw.date, &raw.session, &context);
        let site = resolver.site(&raw.site, &context, date);
        if resolver.ok {
            resolved.bookings.push(Booked {
                raw,
                request,
                who,
                slot,
                site,
            });
        }
    }
    for raw in &roster.resource_bookings {
        resolver.ok = true;
        let context = text!(ResourceBookingContext {
            request: &raw.request
        });
        let date = Some(raw.date);
        let request = instance
            .resource_request_ix(&raw.request)
            .unwrap_or_else(|| {
                resolver.missing(Key::WordRequest, &raw.request, &context, date);
                ResourceRequestIx(usize::MAX)
            });
        let resource = instance.resource_ix(&raw.resource).unwrap_or_else(|| {
            resolver.missing(Key::WordResource, &raw.resource, &context, date);
            ResourceIx(usize::MAX)
        });
        let slot = resolver.slot(raw.date, &raw.session, &context);
        let site = resolver.site(&raw.site, &context, date);
        if resolver.ok {
            resolved.resource_bookings.push(ResourceBooked {
                raw,
                request,
                resource,
                slot,
                site,
            });
        }
    }
    for raw in &roster.presence {
        resolver.ok = true;
        let context = text!(PresenceContext {
            who: &raw.specialist
        });
        let date = Some(raw.date);
        let who = resolver.specialist(&raw.specialist, &context, date);
        let site = resolver.site(&raw.site, &context, date);
        if resolver.ok {
            resolved.presence.push(OnSite { raw, who, site });
        }
    }
    resolved
}
