use super::*;
use crate::agenda::tests::example;

/// `houniao repair` of the example with Xi Xiaowei away on Tuesday
/// (instances/scenarios/example-xi-away-tuesday.toml).
fn repaired() -> Roster {
    Roster::from_json_str(include_str!("../../tests/data/roster.example-xi-away.json")).unwrap()
}

#[test]
fn the_repair_moves_exactly_xi_xiaowei_and_her_apprentice_and_one_patient() {
    let (instance, roster) = example();
    let diff = diff(&instance, &roster, &repaired(), None).unwrap();
    let who: Vec<&str> = diff
        .specialists
        .iter()
        .map(|s| s.specialist.as_str())
        .collect();
    assert_eq!(who, ["xi-xiaowei", "chen-gp"]);
    let chen = &diff.specialists[1];
    assert_eq!(
        (chen.added.len(), chen.removed.len(), chen.moved.len()),
        (0, 0, 1)
    );
    let studio = &chen.moved[0];
    assert_eq!(studio.before.date.to_string(), "2026-03-03");
    assert_ne!(studio.after.date, studio.before.date);
    let xi = &diff.specialists[0];
    assert!(xi.moved.iter().any(|m| m.before.what.name() == "studio"));
    assert!(
        xi.moved
            .iter()
            .all(|m| m.before.date.to_string() == "2026-03-03")
    );
    let patients: Vec<&str> = diff.patients.iter().map(|p| p.request.as_str()).collect();
    assert_eq!(patients, ["r-003"]);
    let call = &diff.patients[0];
    assert_eq!(call.patient.as_deref(), Some("P-2233"));
    assert_eq!(
        call.before.as_ref().unwrap().session.to_string(),
        "xi-xiaowei@2026-03-03:am"
    );
    assert!(call.after.is_some());
}

#[test]
fn one_specialist_and_no_change() {
    let (instance, roster) = example();
    let only = diff(&instance, &roster, &repaired(), Some("chen-gp")).unwrap();
    assert_eq!(only.specialists.len(), 1);
    assert!(only.patients.is_empty(), "chen-gp holds no booked session");
    assert!(diff(&instance, &roster, &roster, None).unwrap().is_empty());
    let error = diff(&instance, &roster, &roster, Some("chen")).unwrap_err();
    assert!(error.to_string().starts_with("unknown specialist \"chen\""));
}
