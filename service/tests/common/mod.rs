//! Running the real `houniao` binary from the workspace root, shared by the CLI tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (paths in the tests are relative to it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Runs `houniao ARGS` in the workspace root.
pub fn houniao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_houniao"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("runs houniao")
}

/// Exit code, stdout and stderr, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
