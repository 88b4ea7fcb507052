//! Call-centre booking against a *published* roster: a patient names an expert (or a
//! discipline) and a window, we rank the sessions that can take them, book one, cancel,
//! keep a waitlist that feeds the next solve, and convene urgent MDT meetings.
//!
//! The pieces:
//!
//! - [`PatientRequest`] — what the caller asks, validated against the instance like a
//!   `[[requests]]` entry (every problem with its field);
//! - [`Ledger`] — what happened since publication (bookings, cancellations, waitlist),
//!   plain data that [`LedgerFile`] keeps on disk, locked and written atomically;
//! - [`BookingBook`] — the published roster plus the ledger: places left per session,
//!   [`search`](BookingBook::search), [`book`](BookingBook::book),
//!   [`cancel`](BookingBook::cancel), the waitlist;
//! - [`Offer`] — a freed place offered to waitlisted requests one at a time in rank
//!   order, held for the desk's hold time, [accepted](BookingBook::accept_offer) or
//!   [declined](BookingBook::decline_offer);
//! - [`convene`](BookingBook::convene) — the earliest slots in which an MDT board can sit at short notice.
//!
//! A session's capacity is its holder's `clinic_capacity` (rule 9); the places taken
//! are the roster's own bookings that were not cancelled plus the ledger's active ones.
//! Nothing here changes the roster: it is published and stays as it is.

mod book;
mod bundle;
mod convene;
mod error;
mod explain;
pub mod green_channel;
mod ledger;
mod offers;
mod places;
mod request;
mod resource_desk;
mod search;
mod store;
mod waitlist;

pub use book::{BookingBook, BookingView, Cancellation, Confirmation, WaitlistMatch};
pub use bundle::{BundleConfirmation, BundleOption, BundleRequest, BundleSearch, MAX_STEPS};
pub use convene::{ConveneOptions, ConveneOutcome, Gathering, GatheringKind, Participant};
pub use error::BookingError;
pub use ledger::{BookingRecord, LEDGER_FORMAT, Ledger, Release, SessionRef, WaitlistEntry};
pub use offers::{DEFAULT_OFFER_HOLD_MINUTES, Offer, OfferAcceptance, OfferDecline, OfferState};
pub use places::{SESSION_CLOCK_OFFSET_HOURS, from_session_clock, session_clock};
pub use request::PatientRequest;
pub use search::{Alternative, AlternativeKind, SearchResult, SlotOption};
pub use store::LedgerFile;
pub use waitlist::{export_requests, merge_into_instance};
