//! The web app's two languages: every UI string comes from a message catalogue
//! (`i18n/en/*.toml`, `i18n/zh-CN/*.toml`: one file per part of the app, keys
//! prefixed by it, compiled in), chosen by the `lang` cookie (the
//! switch on every page) or else the browser's `Accept-Language` (Chinese when it asks
//! for any `zh`, English otherwise). Dates are written as the users write them:
//! `2026年3月3日 周二 上午` and `Tue 3 Mar am`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::{HeaderMap, header};
use chrono::{Datelike, NaiveDate};

use super::session::cookie;

/// A language of the web app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The tag used in cookies, `lang` attributes and the switch: `zh-CN`, `en`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language of a tag, if it is one of ours.
    pub fn parse(tag: &str) -> Option<Lang> {
        match tag {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a request asks for: the `lang` cookie, else `Accept-Language`.
    pub fn of(headers: &HeaderMap) -> Lang {
        if let Some(lang) = cookie(headers, "lang").and_then(|tag| Lang::parse(&tag)) {
            return lang;
        }
        let accepts_chinese = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',').any(|part| {
                    let tag = part.split(';').next().unwrap_or("").trim();
                    tag.eq_ignore_ascii_case("zh") || tag.to_ascii_lowercase().starts_with("zh-")
                })
            });
        if accepts_chinese { Lang::Zh } else { Lang::En }
    }

    /// The other language (for the switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }
}

/// The catalogue files, by language: the same file names in both (a test checks).
const CATALOGUES: [(Lang, &[(&str, &str)]); 2] = [
    (
        Lang::En,
        &[
            ("common.toml", include_str!("i18n/en/common.toml")),
            ("whatif.toml", include_str!("i18n/en/whatif.toml")),
            ("instances.toml", include_str!("i18n/en/instances.toml")),
            ("desk.toml", include_str!("i18n/en/desk.toml")),
            ("board.toml", include_str!("i18n/en/board.toml")),
        ],
    ),
    (
        Lang::Zh,
        &[
            ("common.toml", include_str!("i18n/zh-CN/common.toml")),
            ("whatif.toml", include_str!("i18n/zh-CN/whatif.toml")),
            ("instances.toml", include_str!("i18n/zh-CN/instances.toml")),
            ("desk.toml", include_str!("i18n/zh-CN/desk.toml")),
            ("board.toml", include_str!("i18n/zh-CN/board.toml")),
        ],
    ),
];

type Catalogue = BTreeMap<String, String>;

fn catalogues() -> &'static [(Lang, Catalogue); 2] {
    static PARSED: OnceLock<[(Lang, Catalogue); 2]> = OnceLock::new();
    PARSED.get_or_init(|| {
        CATALOGUES.map(|(lang, files)| {
            // The files are ours and compiled in; a test parses them.
            let mut catalogue = Catalogue::new();
            for (_, text) in files {
                let part: Catalogue = toml::from_str(text).unwrap_or_default();
                catalogue.extend(part);
            }
            (lang, catalogue)
        })
    })
}

/// Translations for one request.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
}

// The date helpers serve the roster board and the desk.
#[allow(dead_code)]
impl Tr {
    /// The translator of a request.
    pub fn of(headers: &HeaderMap) -> Tr {
        Tr {
            lang: Lang::of(headers),
        }
    }

    /// The text of a key (the key itself when missing, which a test forbids).
    pub fn t<'k>(&self, key: &'k str) -> &'k str
    where
        'static: 'k,
    {
        catalogues()
            .iter()
            .find(|(lang, _)| *lang == self.lang)
            .and_then(|(_, catalogue)| catalogue.get(key))
            .map_or(key, String::as_str)
    }

    /// A weekday's short name.
    pub fn weekday(&self, date: NaiveDate) -> &'static str {
        let key = match date.weekday() {
            chrono::Weekday::Mon => "common.weekday.mon",
            chrono::Weekday::Tue => "common.weekday.tue",
            chrono::Weekday::Wed => "common.weekday.wed",
            chrono::Weekday::Thu => "common.weekday.thu",
            chrono::Weekday::Fri => "common.weekday.fri",
            chrono::Weekday::Sat => "common.weekday.sat",
            chrono::Weekday::Sun => "common.weekday.sun",
        };
        self.t(key)
    }

    /// A session's name: `上午` / `am` for the usual ids, the id itself otherwise.
    pub fn session<'s>(&self, id: &'s str) -> &'s str {
        match id {
            "am" => self.t("common.session.am"),
            "pm" => self.t("common.session.pm"),
            other => other,
        }
    }

    /// A date as the users write it: `2026年3月3日 周二` / `Tue 3 Mar`.
    pub fn date(&self, date: NaiveDate) -> String {
        match self.lang {
            Lang::Zh => format!(
                "{}年{}月{}日 {}",
                date.year(),
                date.month(),
                date.day(),
                self.weekday(date)
            ),
            Lang::En => format!(
                "{} {} {}",
                self.weekday(date),
                date.day(),
                self.t(MONTHS[date.month0() as usize])
            ),
        }
    }

    /// A message of the library (a checker finding, a reason) in the page's language.
    pub fn text(&self, text: &houniao::text::Text) -> String {
        match self.lang {
            Lang::Zh => text.render(&houniao::text::Chinese),
            Lang::En => text.to_string(),
        }
    }

    /// A slot: `2026年3月3日 周二 上午` / `Tue 3 Mar am`.
    pub fn slot(&self, date: NaiveDate, session: &str) -> String {
        format!("{} {}", self.date(date), self.session(session))
    }
}

#[allow(dead_code)]
const MONTHS: [&str; 12] = [
    "common.month.1",
    "common.month.2",
    "common.month.3",
    "common.month.4",
    "common.month.5",
    "common.month.6",
    "common.month.7",
    "common.month.8",
    "common.month.9",
    "common.month.10",
    "common.month.11",
    "common.month.12",
];

/// Every key of a language's catalogue.
#[cfg(test)]
pub fn keys(lang: Lang) -> Vec<String> {
    catalogues()
        .iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, c)| c.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn both_catalogues_parse_and_hold_the_same_keys() {
        for (lang, files) in CATALOGUES {
            for (name, text) in files {
                let parsed: Result<Catalogue, _> = toml::from_str(text);
                assert!(parsed.is_ok(), "{}/{name}: {:?}", lang.tag(), parsed.err());
            }
        }
        let names = |lang: Lang| -> Vec<&str> {
            CATALOGUES
                .iter()
                .find(|(l, _)| *l == lang)
                .map(|(_, files)| files.iter().map(|(name, _)| *name).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            names(Lang::En),
            names(Lang::Zh),
            "the same files in both languages"
        );
        let en = keys(Lang::En);
        let zh = keys(Lang::Zh);
        assert!(en.len() > 40, "{} keys", en.len());
        let missing_zh: Vec<&String> = en.iter().filter(|k| !zh.contains(k)).collect();
        let missing_en: Vec<&String> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(
            missing_zh.is_empty(),
            "missing in i18n/zh-CN/: {missing_zh:?}"
        );
        assert!(missing_en.is_empty(), "missing in i18n/en/: {missing_en:?}");
    }

    #[test]
    fn every_key_the_code_and_templates_use_is_in_the_catalogues() {
        let sources = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/web"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
        ];
        let en = keys(Lang::En);
        let mut missing = Vec::new();
        for dir in sources {
            for path in files(std::path::Path::new(dir)) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for key in used_keys(&text) {
                    if !en.contains(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but not in the catalogues: {missing:#?}"
        );
    }

    /// Keys in `t("…")` calls.
    fn used_keys(text: &str) -> Vec<String> {
        text.match_indices("t(\"")
            .filter(|(at, _)| {
                let before = text[..*at].chars().next_back();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
            .filter_map(|(at, _)| {
                let rest = &text[at + 3..];
                let key = &rest[..rest.find('"')?];
                (key.contains('.') && !key.contains(' ')).then(|| key.to_string())
            })
            .collect()
    }

    fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files(&path));
            } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn the_language_follows_the_cookie_then_the_browser() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::of(&headers), Lang::En);
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("zh-CN,zh;q=0.9,en;q=0.8"),
        );
        assert_eq!(Lang::of(&headers), Lang::Zh);
        headers.insert(header::COOKIE, HeaderValue::from_static("lang=en"));
        assert_eq!(Lang::of(&headers), Lang::En);
    }

    #[test]
    fn dates_are_written_as_users_write_them() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        assert_eq!(
            Tr { lang: Lang::Zh }.slot(date, "am"),
            "2026年3月3日 周二 上午"
        );
        assert_eq!(Tr { lang: Lang::En }.slot(date, "am"), "Tue 3 Mar am");
        assert_eq!(Tr { lang: Lang::En }.slot(date, "eve"), "Tue 3 Mar eve");
    }
}
