//! Why a booking operation could not be done, with the ids a caller needs to act.
//!
//! Patient references never appear in these messages: they are opaque and may be
//! personal, and messages end up in logs.

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

use super::search::SearchResult;

/// A booking, search, cancel, waitlist or convene that could not be done.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// The roster was made for another instance.
    #[error("the roster is for instance \"{roster}\", not \"{instance}\"")]
    RosterForOtherInstance {
        /// The roster's `instance`.
        roster: String,
        /// The instance's `name`.
        instance: String,
    },
    /// The roster breaks hard rules: nobody should book against it.
    #[error(
        "the roster breaks {count} hard rule(s) of the instance (first: {first}); run `houniao check`"
    )]
    InvalidRoster {
        /// How many violations.
        count: usize,
        /// The first violation, as text.
        first: String,
    },
    /// The ledger was kept for another instance.
    #[error("the booking ledger is for instance \"{ledger}\", not \"{instance}\"")]
    LedgerForOtherInstance {
        /// The ledger's `instance`.
        ledger: String,
        /// The instance's `name`.
        instance: String,
    },
    /// The ledger does not fit the roster (it was kept against another publication).
    #[error("the booking ledger does not fit the roster: {id}: {problem}")]
    LedgerDoesNotFit {
        /// The booking or cancellation concerned.
        id: String,
        /// What does not fit.
        problem: String,
    },
    /// The request is not valid; every problem is listed with its field.
    #[error("invalid request: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidRequest {
        /// Each problem with its field path (`specialist`, `sites[1]`, …).
        problems: Vec<Diagnostic>,
    },
    /// The chosen option names no bookable session of the roster.
    #[error("{option} is not a bookable session: {why}")]
    NotASession {
        /// The option as given.
        option: String,
        /// Why.
        why: String,
    },
    /// The chosen session exists but cannot serve the request.
    #[error("{option} does not fit the request: {why}")]
    DoesNotFit {
        /// The option as given.
        option: String,
        /// Why.
        why: String,
    },
    /// The last place was taken meanwhile; the alternatives are the current search.
    #[error("{option} was taken meanwhile: all {capacity} places are booked")]
    Taken {
        /// The option as given.
        option: String,
        /// The session's capacity.
        capacity: u32,
        /// What can be offered instead, searched after the failure.
        alternatives: Box<SearchResult>,
    },
    /// The patient already holds a place in that session.
    #[error("the patient already holds booking {booking} in {option}")]
    AlreadyBooked {
        /// The existing booking.
        booking: String,
        /// The session.
        option: String,
    },
    /// Nothing can be booked for the request (used when booking the best option).
    #[error("no session can take the request: {reason}")]
    NoOption {
        /// Why, and what could be offered (the search result).
        reason: String,
        /// The search that found nothing.
        result: Box<SearchResult>,
    },
    /// No combination of sessions makes the one-trip bundle.
    #[error("no sessions make the trip: {}", reasons.join("; "))]
    NoBundle {
        /// Which step has no session, or that none follow one another in time.
        reasons: Vec<String>,
    },
    /// No booking has this id.
    #[error("no booking \"{id}\"{}", hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    UnknownBooking {
        /// The id as given.
        id: String,
        /// A close id, when there is one.
        hint: Option<String>,
    },
    /// The booking was cancelled before.
    #[error("booking {id} was already cancelled at {at}")]
    AlreadyCancelled {
        /// The booking.
        id: String,
        /// When it was cancelled.
        at: String,
    },
    /// No active waitlist entry has this id.
    #[error("no waitlist entry \"{id}\" on the waitlist")]
    UnknownWaitlistEntry {
        /// The id as given.
        id: String,
    },
    /// No offer has this id.
    #[error("no offer \"{id}\"{}", hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    UnknownOffer {
        /// The id as given.
        id: String,
        /// A close id, when there is one.
        hint: Option<String>,
    },
    /// The offer is no longer pending: accepted, declined, expired or withdrawn.
    #[error("offer {id} is {state} (since {at}), not pending")]
    OfferClosed {
        /// The offer.
        id: String,
        /// Where it stands.
        state: super::OfferState,
        /// When it left `pending`.
        at: String,
    },
    /// The MDT board does not exist.
    #[error("unknown MDT board \"{id}\"{}", hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    UnknownBoard {
        /// The id as given.
        id: String,
        /// A close id, when there is one.
        hint: Option<String>,
    },
    /// Exported waitlist requests do not make a valid instance with the base.
    #[error("the waitlist does not merge into the instance: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    MergeInvalid {
        /// What `validate` says about the merged instance.
        problems: Vec<Diagnostic>,
    },
    /// Reading or writing the ledger file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The ledger file is not a ledger.
    #[error("{}: not a booking ledger: {message}", path.display())]
    CorruptLedger {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
}

impl BookingError {
    /// Whether the caller's input is at fault (as opposed to files or storage).
    pub fn is_input_problem(&self) -> bool {
        !matches!(
            self,
            BookingError::Io { .. } | BookingError::CorruptLedger { .. }
        )
    }
}
