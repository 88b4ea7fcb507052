//! Benchmarks live in `benches/`; this crate hosts them and the `solve-report` binary,
//! and shares the way they load the shipped instances.

use std::path::Path;

use houniao::Instance;

/// The shipped instances, smallest first.
pub const SHIPPED: [&str; 5] = [
    "example-week",
    "ningde-regional",
    "yangpu-studios",
    "fenghua-county",
    "beilun-oncology",
];

/// Reads a file of the workspace.
pub fn workspace_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A shipped instance by name (`instances/NAME.toml`).
pub fn shipped(name: &str) -> Instance {
    Instance::from_toml_str(&workspace_file(&format!("instances/{name}.toml")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}
