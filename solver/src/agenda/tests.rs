use super::*;
use crate::instance::Instance;
use crate::roster::Roster;

pub(crate) fn example() -> (Instance, Roster) {
    let instance =
        Instance::from_toml_str(include_str!("../../../instances/example-week.toml")).unwrap();
    let roster =
        Roster::from_json_str(include_str!("../../tests/data/roster.example.json")).unwrap();
    (instance, roster)
}

fn keys(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.key.as_str()).collect()
}

#[test]
fn a_specialist_sees_each_activity_and_each_day_on_site() {
    let (instance, roster) = example();
    let xi = items(&instance, &roster, &View::Specialist("xi-xiaowei".into())).unwrap();
    assert_eq!(
        keys(&xi),
        [
            "on_site/2026-03-03/jiaocheng",
            "on_site/2026-03-03/ningde",
            "studio/2026-03-03/am",
            "surgery/2026-03-03/pm"
        ]
    );
    let studio = &xi[2];
    assert_eq!(studio.room.as_deref(), Some("jc-1"));
    assert_eq!(studio.people.len(), 2, "the lead and her apprentice");
    assert_eq!(xi[3].surgeries[0].start.as_deref(), Some("13:30"));
    assert_eq!(xi[3].room.as_deref(), Some("or-2"));
    let liu = items(&instance, &roster, &View::Specialist("liu-jun".into())).unwrap();
    let assignments = roster
        .assignments
        .iter()
        .filter(|a| a.specialist == "liu-jun")
        .count();
    let presence = roster
        .presence
        .iter()
        .filter(|p| p.specialist == "liu-jun")
        .count();
    assert_eq!(liu.len(), assignments + presence);
}

#[test]
fn a_site_sees_one_item_per_session_held_there() {
    let (instance, roster) = example();
    let ningde = items(&instance, &roster, &View::Site("ningde".into())).unwrap();
    let count = |what: &str| ningde.iter().filter(|i| i.what.name() == what).count();
    assert_eq!(count("clinic"), 7);
    assert_eq!(count("mdt"), 1, "one meeting, four seats");
    assert_eq!(count("surgery"), 2, "two theatre lists");
    assert_eq!(count("studio"), 0);
    assert_eq!(count("on_site"), 6);
    let board = items(&instance, &roster, &View::Board("breast-mdt".into())).unwrap();
    assert_eq!(keys(&board), ["mdt/2026-03-04/pm"]);
    assert_eq!(board[0].people.len(), 4);
}

#[test]
fn unknown_ids_are_named_with_a_suggestion() {
    let (instance, roster) = example();
    let error = items(&instance, &roster, &View::Specialist("liu-jin".into())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown specialist \"liu-jin\" (did you mean \"liu-jun\"?)"
    );
    let error = items(&instance, &roster, &View::Board("breast".into())).unwrap_err();
    assert!(error.to_string().starts_with("unknown board \"breast\""));
}

#[test]
fn text_follows_the_language_and_names_no_patient() {
    let (instance, roster) = example();
    assert_eq!(Language::of(&instance), Language::English);
    let view = View::Specialist("zhao-path".into());
    let mdt = &items(&instance, &roster, &view).unwrap()[0];
    let english = Text::of(&instance, &view, mdt, Language::English);
    assert_eq!(english.summary, "MDT: Breast cancer MDT");
    assert_eq!(english.location, "mdt-1, Ningde Municipal Hospital");
    assert!(
        english
            .description
            .contains(&"Member: Wang (radiologist) (radiology)".to_string())
    );
    let chinese = Text::of(&instance, &view, mdt, Language::Chinese);
    assert!(chinese.description[0].starts_with("成员: "));
    let site = View::Site("ningde".into());
    for item in items(&instance, &roster, &site).unwrap() {
        let text = Text::of(&instance, &site, &item, Language::English);
        let all = format!("{} {} {:?}", text.summary, text.location, text.description);
        assert!(!all.contains("P-"), "{all}");
    }
}
