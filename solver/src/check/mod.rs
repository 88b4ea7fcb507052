//! The reference checker: verifies every hard rule of PROBLEM.md §3 on a roster and
//! recomputes every objective term of §4 from the roster alone.
//!
//! **Invariant:** this module knows nothing of any solver. It reads an [`Instance`] and
//! a [`Roster`] and nothing else, so that it can judge every solver, ours included.
//!
//! The work is split in three: `resolve` turns the roster's ids into instance
//! indices (rule 10), `rules` checks rules 1–9, `score` recomputes §4 and the
//! unmet demand that §6 requires the roster to list.

mod pins;
mod pools;
mod resolve;
mod resources;
mod rules;
mod score;

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::instance::Instance;
use crate::objective::{Term, TermValues, same_value};
use crate::roster::Roster;
use crate::text;
use crate::text::{Key, Text};

pub use score::Shortfall;

/// Which rule a violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// §3 preamble: activities only in open slots in which their people are available.
    Free,
    /// Rule 1: one thing at a time (specialists, rooms, theatre minutes).
    OneThingAtATime,
    /// Rule 2: where they may be (sites, one site a day, travel).
    WhereTheyMayBe,
    /// Rule 3: sessions per day and per week.
    Load,
    /// Rule 4: presence of visiting specialists and residencies.
    Presence,
    /// Rule 5: clinic sessions.
    Clinic,
    /// Rule 6: studio sessions.
    Studio,
    /// Rule 7: MDT meetings.
    Mdt,
    /// Rule 8: surgeries.
    Surgery,
    /// Rule 9: bookings.
    Booking,
    /// Rule 10: references.
    References,
    /// Rule 11: the instance's pins and forbids (docs/format.md § Pins).
    Pin,
    /// Rule 12: places held for referrals (docs/format.md § Pools).
    Pool,
    /// Rule 13: bookings of resources' sessions (docs/format.md § Resources).
    Resource,
    /// §6: the roster's own structure (missing fields, duplicate entries).
    Format,
}

impl Rule {
    /// `rule 7 (MDT meeting)`-style label.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Free => "§3 free (open slot, available)",
            Rule::OneThingAtATime => "rule 1 (one thing at a time)",
            Rule::WhereTheyMayBe => "rule 2 (where they may be)",
            Rule::Load => "rule 3 (load)",
            Rule::Presence => "rule 4 (presence)",
            Rule::Clinic => "rule 5 (clinic session)",
            Rule::Studio => "rule 6 (studio session)",
            Rule::Mdt => "rule 7 (MDT meeting)",
            Rule::Surgery => "rule 8 (surgery)",
            Rule::Booking => "rule 9 (booking)",
            Rule::References => "rule 10 (references)",
            Rule::Pin => "rule 11 (pins)",
            Rule::Pool => "rule 12 (reserved pools)",
            Rule::Resource => "rule 13 (resource bookings)",
            Rule::Format => "§6 (roster format)",
        }
    }
}

impl Rule {
    /// [`Rule::label`] as a message to be written in any language.
    pub fn label_text(self) -> Text {
        Text::new(match self {
            Rule::Free => Key::RuleFree,
            Rule::OneThingAtATime => Key::RuleOneThingAtATime,
            Rule::WhereTheyMayBe => Key::RuleWhereTheyMayBe,
            Rule::Load => Key::RuleLoad,
            Rule::Presence => Key::RulePresence,
            Rule::Clinic => Key::RuleClinic,
            Rule::Studio => Key::RuleStudio,
            Rule::Mdt => Key::RuleMdt,
            Rule::Surgery => Key::RuleSurgery,
            Rule::Booking => Key::RuleBooking,
            Rule::References => Key::RuleReferences,
            Rule::Pin => Key::RulePin,
            Rule::Pool => Key::RulePool,
            Rule::Resource => Key::RuleResource,
            Rule::Format => Key::RuleFormat,
        })
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One broken hard rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// The date concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The session id concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// What is wrong, naming the ids involved (the English of [`Violation::text`]).
    pub message: String,
    /// The same message as data, to be written in another language.
    #[serde(skip)]
    pub text: Text,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.rule)?;
        if let Some(date) = self.date {
            write!(f, " {date}")?;
        }
        if let Some(session) = &self.session {
            write!(f, " {session}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where the roster's own account disagrees with what the checker recomputed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrepancy {
    /// What disagrees: `objective`, a term name, `gap`, or `unmet`.
    pub subject: String,
    /// How.
    pub message: String,
}

impl fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)
    }
}

/// Everything the checker found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Broken hard rules; empty when the roster is valid.
    pub violations: Vec<Violation>,
    /// The §4 terms recomputed from the roster.
    pub terms: TermValues,
    /// Their sum.
    pub objective: f64,
    /// Disagreements between the roster's stated figures or unmet list and the recomputation.
    pub discrepancies: Vec<Discrepancy>,
}

impl CheckReport {
    /// No hard rule is broken.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// Valid, and the roster's objective, terms and unmet list agree with the recomputation.
    pub fn passed(&self) -> bool {
        self.is_valid() && self.discrepancies.is_empty()
    }

    /// The rules broken, each once, in rule order.
    pub fn broken_rules(&self) -> Vec<Rule> {
        let mut rules: Vec<Rule> = self.violations.iter().map(|v| v.rule).collect();
        rules.sort();
        rules.dedup();
        rules
    }
}

/// Collects violations while checking.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    violations: Vec<Violation>,
}

impl Findings {
    fn add(&mut self, rule: Rule, date: Option<NaiveDate>, session: Option<&str>, text: Text) {
        self.violations.push(Violation {
            rule,
            date,
            session: session.map(str::to_string),
            message: text.to_string(),
            text,
        });
    }
}

/// The §4 terms of a roster and its unmet demand, recomputed from the roster alone
/// (meaningful for valid rosters; see [`check`] for the rules).
pub fn evaluate(instance: &Instance, roster: &Roster) -> (TermValues, Vec<Shortfall>) {
    let mut findings = Findings::default();
    let resolved = resolve::resolve(instance, roster, &mut findings);
    let score = score::score(instance, &resolved);
    let shortfalls = score.shortfalls(instance);
    (score.terms, shortfalls)
}

/// Checks a roster against an instance: every hard rule, the objective recomputed.
pub fn check(instance: &Instance, roster: &Roster) -> CheckReport {
    check_and_shortfalls(instance, roster).0
}

/// [`check`] and the unmet demand [`evaluate`] gives, from one pass over the roster.
pub(crate) fn check_and_shortfalls(
    instance: &Instance,
    roster: &Roster,
) -> (CheckReport, Vec<Shortfall>) {
    let mut findings = Findings::default();
    if roster.instance != instance.name {
        findings.add(
            Rule::References,
            None,
            None,
            text!(RosterForOtherInstance {
                roster: &roster.instance,
                instance: &instance.name,
            }),
        );
    }
    let resolved = resolve::resolve(instance, roster, &mut findings);
    rules::check_rules(instance, &resolved, &mut findings);
    pins::check_pins(instance, roster, &mut findings);
    pools::check_pools(instance, &resolved, &mut findings);
    resources::check_resource_bookings(instance, &resolved, &mut findings);
    let score = score::score(instance, &resolved);
    let mut discrepancies = Vec::new();
    compare_stated_figures(roster, &score.terms, &mut discrepancies);
    score::compare_unmet(instance, roster, &score, &mut discrepancies);
    let shortfalls = score.shortfalls(instance);
    let report = CheckReport {
        violations: findings.violations,
        objective: score.terms.total(),
        terms: score.terms,
        discrepancies,
    };
    (report, shortfalls)
}

fn compare_stated_figures(roster: &Roster, terms: &TermValues, out: &mut Vec<Discrepancy>) {
    let total = terms.total();
    if !same_value(roster.objective, total) {
        out.push(Discrepancy {
            subject: "objective".into(),
            message: format!(
                "stated {} but the terms recomputed from the roster sum to {total}",
                roster.objective
            ),
        });
    }
    let stated_sum = roster.objective_terms.total();
    if !same_value(stated_sum, roster.objective) {
        out.push(Discrepancy {
            subject: "objective_terms".into(),
            message: format!(
                "the stated terms sum to {stated_sum}, not to the stated objective {}",
                roster.objective
            ),
        });
    }
    for term in Term::ALL {
        let stated = roster.objective_terms[term];
        if !same_value(stated, terms[term]) {
            out.push(Discrepancy {
                subject: term.name().into(),
                message: format!("stated {stated} but recomputed {}", terms[term]),
            });
        }
    }
    if let Some(bound) = roster.bound {
        if bound > roster.objective + 1e-6 * roster.objective.abs().max(1.0) {
            out.push(Discrepancy {
                subject: "bound".into(),
                message: format!(
                    "the lower bound {bound} exceeds the objective {}",
                    roster.objective
                ),
            });
        }
        if let Some(gap) = roster.gap {
            let expected = (roster.objective - bound) / roster.objective.abs().max(1.0);
            if (gap - expected).abs() > 1e-6 {
                out.push(Discrepancy {
                    subject: "gap".into(),
                    message: format!(
                        "stated {gap} but (objective − bound) / max(1, |objective|) is {expected}"
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn rule_labels_read_the_same_as_messages() {
        for rule in [
            Rule::Free,
            Rule::OneThingAtATime,
            Rule::WhereTheyMayBe,
            Rule::Load,
            Rule::Presence,
            Rule::Clinic,
            Rule::Studio,
            Rule::Mdt,
            Rule::Surgery,
            Rule::Booking,
            Rule::References,
            Rule::Pin,
            Rule::Pool,
            Rule::Format,
        ] {
            assert_eq!(rule.label_text().to_string(), rule.label());
        }
    }
}
