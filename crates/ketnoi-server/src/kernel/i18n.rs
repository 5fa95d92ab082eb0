//! Messages in Vietnamese and English, from Fluent files compiled into the binary.
//!
//! Vietnamese is the default; English is chosen when the caller's `Accept-Language` prefers it.
//! A test checks that every message exists in both languages.

use std::{borrow::Cow, sync::Arc};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};

/// A language ketnoi speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Tiếng Việt, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Every language, default first.
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses a tag's primary language (`vi`, `vi-VN`, `en-GB`…).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header: the supported one with the highest
    /// weight, Vietnamese when nothing matches.
    pub fn negotiate(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Lang::Vi;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',').take(16) {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Vi, |(_, l)| l)
    }
}

/// Each language's Fluent files: API errors, then page text.
/// The cookie that remembers a language chosen with the page switch.
pub const LANG_COOKIE: &str = "ketnoi_lang";

/// The language for a request: a chosen one (cookie) first, then `Accept-Language`.
pub fn request_lang(headers: &axum::http::HeaderMap) -> Lang {
    crate::kernel::http::cookie(headers, LANG_COOKIE)
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_else(|| {
            Lang::negotiate(
                headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
            )
        })
}

/// Each language's catalogue, in files by subject so that features added side by side do not
/// all write at the end of one file.
const SOURCES: [(Lang, &[&str]); 2] = [
    (
        Lang::Vi,
        &[
            include_str!("../../locales/vi.ftl"),
            include_str!("../../locales/pages.vi.ftl"),
            include_str!("../../locales/audit.vi.ftl"),
            include_str!("../../locales/security.vi.ftl"),
            include_str!("../../locales/cases.vi.ftl"),
        ],
    ),
    (
        Lang::En,
        &[
            include_str!("../../locales/en.ftl"),
            include_str!("../../locales/pages.en.ftl"),
            include_str!("../../locales/audit.en.ftl"),
            include_str!("../../locales/security.en.ftl"),
            include_str!("../../locales/cases.en.ftl"),
        ],
    ),
];

/// The compiled message catalogues.
#[derive(Clone)]
pub struct Messages {
    bundles: Arc<[(Lang, FluentBundle<FluentResource>)]>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Messages")
    }
}

impl Messages {
    /// Parses the built-in catalogues. They are part of the binary and checked by tests, so a
    /// failure here is a build defect, reported rather than panicked on.
    pub fn load() -> Result<Self, String> {
        let mut bundles = Vec::new();
        for (lang, sources) in SOURCES {
            let id = lang.tag().parse().map_err(|e| format!("{e}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Unicode isolation marks would leak into JSON and plain-text answers.
            bundle.set_use_isolating(false);
            for source in sources {
                let resource = FluentResource::try_new((*source).to_owned())
                    .map_err(|(_, errs)| format!("{}: {errs:?}", lang.tag()))?;
                bundle
                    .add_resource(resource)
                    .map_err(|errs| format!("{}: {errs:?}", lang.tag()))?;
            }
            bundles.push((lang, bundle));
        }
        Ok(Self { bundles: bundles.into() })
    }

    fn bundle(&self, lang: Lang) -> Option<&FluentBundle<FluentResource>> {
        self.bundles.iter().find(|(l, _)| *l == lang).map(|(_, b)| b)
    }

    /// A message with arguments; the key itself if it is missing (tests make sure none is).
    pub fn get(&self, lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let Some(bundle) = self.bundle(lang) else {
            return key.to_owned();
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            fargs.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text: Cow<'_, str> = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
        text.into_owned()
    }

    /// A message without arguments.
    pub fn text(&self, lang: Lang, key: &str) -> String {
        self.get(lang, key, &[])
    }

    /// The message keys of one language, for completeness checks.
    pub fn keys(lang: Lang) -> Vec<String> {
        let sources = SOURCES.iter().find(|(l, _)| *l == lang).map_or(&[][..], |(_, s)| *s);
        sources
            .iter()
            .flat_map(|source| source.lines())
            .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && !l.is_empty())
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages() {
        let vi = Messages::keys(Lang::Vi);
        let en = Messages::keys(Lang::En);
        assert!(vi.len() > 20);
        let missing_en: Vec<_> = vi.iter().filter(|k| !en.contains(k)).collect();
        let missing_vi: Vec<_> = en.iter().filter(|k| !vi.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in en.ftl: {missing_en:?}");
        assert!(missing_vi.is_empty(), "missing in vi.ftl: {missing_vi:?}");
        let m = Messages::load().unwrap_or_else(|e| panic!("{e}"));
        for lang in Lang::ALL {
            for key in &vi {
                assert_ne!(m.text(lang, key), *key, "{key} does not format in {lang:?}");
            }
        }
    }

    #[test]
    fn accept_language_prefers_the_highest_weight_and_defaults_to_vietnamese() {
        assert_eq!(Lang::negotiate(None), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0.5, vi;q=0.8")), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("de")), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("en;q=0")), Lang::Vi);
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        let m = Messages::load().unwrap_or_else(|e| panic!("{e}"));
        let text = m.get(Lang::Vi, "otp-wrong", &[("remaining", 3.into())]);
        assert_eq!(text, "Mã xác thực không đúng. Bạn còn 3 lần thử.");
    }
}
