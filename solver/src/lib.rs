//! # houniao — scheduling visiting ("migratory") hospital specialists
//!
//! Regional hospital networks host experts from top hospitals on fixed days, run
//! named-doctor studios, MDT boards and operating lists, and book patients who ask for
//! a named expert. This crate holds the domain: an [`Instance`] (what must be
//! scheduled, PROBLEM.md §1–2), a [`Roster`] (a schedule, §6), and the reference
//! [`check`](check::check) that verifies every hard rule of §3 and recomputes the
//! objective of §4 from the roster alone. [`solve`](solve::solve) finds a roster
//! (greedy heuristic, then the exact MILP on HiGHS); [`booking`] books patients into a
//! published roster at the call centre and convenes urgent MDT meetings.
//!
//! ```
//! use houniao::{Instance, Roster, check::check};
//!
//! let instance = Instance::from_toml_str(include_str!("../../instances/example-week.toml"))?;
//! assert_eq!(instance.specialists.len(), 6);
//!
//! let roster: Roster = serde_json::from_str(include_str!("../tests/data/roster.example.json"))?;
//! let report = check(&instance, &roster);
//! assert!(report.is_valid());
//! assert_eq!(report.objective, 60.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod agenda;
pub mod booking;
pub mod calendar;
pub mod check;
pub mod diagnostics;
pub mod diff;
pub mod edits;
pub mod export;
pub mod files;
pub mod generate;
pub mod greedy;
pub mod ical;
pub mod instance;
pub mod kpi;
mod lns;
mod matching;
pub mod milp;
pub mod objective;
pub mod pins;
pub mod pools;
pub mod reasons;
pub mod repair;
pub mod resources;
pub mod roster;
mod roster_index;
pub mod scenario;
pub mod schedule;
pub mod solve;
pub mod summary;
pub mod text;
pub mod whatif;

pub use instance::{Instance, InstanceError};
pub use roster::Roster;
