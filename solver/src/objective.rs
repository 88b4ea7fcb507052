//! The eleven objective terms of PROBLEM.md §4: their names, default weights, and a
//! fixed-size table of values per term used both for weights and for scores.

use std::fmt;
use std::ops::{Index, IndexMut};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// One objective term of §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Term {
    UnservedRequest,
    Substitute,
    WaitDay,
    UnscheduledSurgery,
    SurgeryLateDay,
    MissingMdtMeeting,
    MissingStudioSession,
    UnmetClinicSession,
    VisitingDayCost,
    IdleVisitingSession,
    AvoidedSlot,
}

impl Term {
    /// Every term, in the order of §4.
    pub const ALL: [Term; 11] = [
        Term::UnservedRequest,
        Term::Substitute,
        Term::WaitDay,
        Term::UnscheduledSurgery,
        Term::SurgeryLateDay,
        Term::MissingMdtMeeting,
        Term::MissingStudioSession,
        Term::UnmetClinicSession,
        Term::VisitingDayCost,
        Term::IdleVisitingSession,
        Term::AvoidedSlot,
    ];

    /// The name used in `[weights]` and `objective_terms`.
    pub fn name(self) -> &'static str {
        match self {
            Term::UnservedRequest => "unserved_request",
            Term::Substitute => "substitute",
            Term::WaitDay => "wait_day",
            Term::UnscheduledSurgery => "unscheduled_surgery",
            Term::SurgeryLateDay => "surgery_late_day",
            Term::MissingMdtMeeting => "missing_mdt_meeting",
            Term::MissingStudioSession => "missing_studio_session",
            Term::UnmetClinicSession => "unmet_clinic_session",
            Term::VisitingDayCost => "visiting_day_cost",
            Term::IdleVisitingSession => "idle_visiting_session",
            Term::AvoidedSlot => "avoided_slot",
        }
    }

    /// The term with this name.
    pub fn from_name(name: &str) -> Option<Term> {
        Term::ALL.into_iter().find(|term| term.name() == name)
    }

    /// The default weight of §4.
    pub fn default_weight(self) -> f64 {
        match self {
            Term::UnservedRequest => 100.0,
            Term::Substitute => 20.0,
            Term::WaitDay => 1.0,
            Term::UnscheduledSurgery => 300.0,
            Term::SurgeryLateDay => 20.0,
            Term::MissingMdtMeeting => 400.0,
            Term::MissingStudioSession => 200.0,
            Term::UnmetClinicSession => 50.0,
            Term::VisitingDayCost => 0.01,
            Term::IdleVisitingSession => 10.0,
            Term::AvoidedSlot => 5.0,
        }
    }

    fn position(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One number per term: the weights of an instance, or the terms of a roster.
///
/// Serialised as a map from term name to number; missing names read as zero.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TermValues([f64; 11]);

impl TermValues {
    /// The default weights of §4.
    pub fn default_weights() -> Self {
        TermValues(Term::ALL.map(Term::default_weight))
    }

    /// The sum over all terms.
    pub fn total(&self) -> f64 {
        self.0.iter().sum()
    }

    /// (term, value) pairs in §4 order.
    pub fn iter(&self) -> impl Iterator<Item = (Term, f64)> + '_ {
        Term::ALL.into_iter().map(|term| (term, self[term]))
    }
}

impl Index<Term> for TermValues {
    type Output = f64;
    fn index(&self, term: Term) -> &f64 {
        &self.0[term.position()]
    }
}

impl IndexMut<Term> for TermValues {
    fn index_mut(&mut self, term: Term) -> &mut f64 {
        &mut self.0[term.position()]
    }
}

impl Serialize for TermValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Term::ALL.len()))?;
        for (term, value) in self.iter() {
            map.serialize_entry(term.name(), &value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for TermValues {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TermMap;
        impl<'de> Visitor<'de> for TermMap {
            type Value = TermValues;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from objective term name to number")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TermValues, A::Error> {
                let mut values = TermValues::default();
                while let Some(name) = map.next_key::<String>()? {
                    let value: f64 = map.next_value()?;
                    let term = Term::from_name(&name).ok_or_else(|| {
                        serde::de::Error::custom(format!("unknown objective term \"{name}\""))
                    })?;
                    values[term] = value;
                }
                Ok(values)
            }
        }
        deserializer.deserialize_map(TermMap)
    }
}

/// Whether two objective values agree up to rounding (1e-6 relative, 1e-6 absolute).
pub fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_defaults_match_the_spec() {
        for term in Term::ALL {
            assert_eq!(Term::from_name(term.name()), Some(term));
        }
        let weights = TermValues::default_weights();
        assert_eq!(weights[Term::MissingMdtMeeting], 400.0);
        assert_eq!(weights[Term::VisitingDayCost], 0.01);
    }

    #[test]
    fn serialises_as_a_named_map() {
        let mut values = TermValues::default();
        values[Term::WaitDay] = 3.0;
        let json = serde_json::to_string(&values).unwrap();
        assert!(json.contains("\"wait_day\":3.0"));
        let back: TermValues = serde_json::from_str(&json).unwrap();
        assert_eq!(back, values);
        assert!(serde_json::from_str::<TermValues>("{\"waitday\":1}").is_err());
    }
}
