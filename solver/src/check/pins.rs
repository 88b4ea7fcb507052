//! Rule 11: every pin of the instance has a matching entry in the roster, and no
//! entry matches a forbid (docs/format.md § Pins). Matching reads the roster's entries
//! as written, field by field.

use super::{Findings, Rule};
use crate::instance::Instance;
use crate::roster::Roster;
use crate::text;

/// Reports each pin the roster misses and each forbid it matches, by id and pattern.
pub(super) fn check_pins(instance: &Instance, roster: &Roster, findings: &mut Findings) {
    for pin in &instance.pins {
        if pin.is_met(instance, roster) {
            continue;
        }
        let matches = pin.matching_entries(instance, roster);
        let (label, pattern) = (pin.label_text(), pin.describe(instance));
        let message = match (pin.forbid, matches) {
            (false, _) => text!(PinUnmet {
                pin: label,
                pattern: pattern
            }),
            (true, 1) => text!(ForbidMatchedOnce {
                pin: label,
                pattern: pattern
            }),
            (true, _) => text!(ForbidMatched {
                pin: label,
                pattern: pattern,
                count: matches,
            }),
        };
        findings.add(Rule::Pin, pin.date(), pin_session(instance, pin), message);
    }
}

fn pin_session<'a>(instance: &'a Instance, pin: &crate::pins::Pin) -> Option<&'a str> {
    pin.session()
        .map(|s| instance.calendar.sessions()[s].id.as_str())
}
