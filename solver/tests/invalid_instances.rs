//! Golden tests: every file in `tests/data/invalid/` must be rejected with exactly the
//! diagnostics in the `.expected` file beside it. Run with `UPDATE_EXPECT=1` to rewrite
//! the expected files after a deliberate change of wording, then review the diff.

use std::path::Path;

use houniao::Instance;

fn render(path: &Path) -> String {
    match Instance::from_path(path) {
        Ok(_) => "valid\n".to_string(),
        Err(error) => error
            .diagnostics()
            .iter()
            .map(|d| format!("{d}\n"))
            .collect(),
    }
}

#[test]
fn invalid_instances_give_the_expected_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/invalid");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/invalid")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 8,
        "expected the invalid corpus, found {inputs:?}"
    );
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for input in inputs {
        let actual = render(&input);
        assert_ne!(actual, "valid\n", "{} should be invalid", input.display());
        let expected_path = input.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &actual).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{}\n--- expected\n{expected}--- actual\n{actual}",
                input.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
