//! Rosters: any JSON, checked against the worked example, must give a report (or a
//! parse error), never a panic — the checker judges rosters from any tool.
#![no_main]

use std::sync::OnceLock;

use houniao::{Instance, Roster};
use libfuzzer_sys::fuzz_target;

fn example() -> &'static Instance {
    static EXAMPLE: OnceLock<Instance> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        Instance::from_toml_str(include_str!("../../instances/example-week.toml"))
            .expect("the example is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(roster) = Roster::from_json_str(text) {
        let report = houniao::check::check(example(), &roster);
        let _ = report.passed();
    }
});
