//! Instance files: any text, read as TOML and as JSON and validated, must give an
//! instance or diagnostics, never a panic.
#![no_main]

use houniao::Instance;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(instance) = Instance::from_toml_str(&text) {
        // A valid instance is summarised and searched for trouble like any other.
        let _ = houniao::summary::InstanceSummary::of(&instance);
    }
    let _ = Instance::from_json_str(&text);
});
