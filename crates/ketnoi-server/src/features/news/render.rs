//! Markdown to HTML that is safe to serve: rendered by pulldown-cmark, then cleaned by ammonia's
//! allow-list, so whatever an officer (or someone who took over an officer's session) writes,
//! no script, event handler, `javascript:` link, style or frame reaches a reader's browser.
//!
//! The page's Content-Security-Policy forbids inline script and style as well; this is the
//! first wall, not the only one.

use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser};

/// The tags an article may use: text structure, emphasis, lists, tables, quotes, code, links and
/// pictures. Nothing that embeds another document, submits a form or styles the page.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.add_tags(TAGS.iter().copied())
            .add_tag_attributes("a", ["href", "title"])
            .add_tag_attributes("img", ["src", "alt", "title", "width", "height"])
            .add_tag_attributes("td", ["align"])
            .add_tag_attributes("th", ["align"])
            .add_tag_attributes("ol", ["start"])
            .add_generic_attributes(["lang"])
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .link_rel(Some("noopener noreferrer nofollow ugc"))
            .strip_comments(true)
            // Pictures come from this site only: the pages' policy would block others anyway,
            // and a remote picture tells its host who read the article.
            .attribute_filter(|element, attribute, value| {
                if element == "img" && attribute == "src" {
                    let local = value.starts_with('/') && !value.starts_with("//");
                    return local.then(|| value.into());
                }
                Some(value.into())
            });
        b
    })
}

/// Renders an article's Markdown body to sanitised HTML.
pub fn markdown(source: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut raw = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, Parser::new_ext(source, options));
    cleaner().clean(&raw).to_string()
}

/// The text of a Markdown body without its markup, for link previews and notifications.
pub fn plain_text(source: &str, max_chars: usize) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::new();
    for event in Parser::new(source) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push(' '),
            _ => {}
        }
        if out.chars().count() > max_chars * 2 {
            break;
        }
    }
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::kernel::text::shorten(&words, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_structure_and_drops_what_could_run() {
        let html = markdown(
            "# Cảnh báo\n\nGọi **113** khi cần.\n\n<script>alert(1)</script>\n\n\
             [xem](javascript:alert(1)) [cổng](https://dichvucong.gov.vn)\n\n\
             <img src=x onerror=alert(1)> <p style=\"color:red\" onclick=\"x()\">đỏ</p>",
        );
        assert!(html.contains("<h1>Cảnh báo</h1>"), "{html}");
        assert!(html.contains("<strong>113</strong>"), "{html}");
        assert!(html.contains(r#"href="https://dichvucong.gov.vn""#), "{html}");
        assert!(html.contains("noopener"), "{html}");
        for bad in ["<script", "javascript:", "onerror", "onclick", "style=", "src=\"x\""] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    /// Fifty-odd ways to run script from Markdown (the same list the browser test opens in
    /// Chromium): none survives as a script, a handler, a dangerous URL, a style or a frame.
    #[test]
    fn no_payload_of_the_list_keeps_anything_that_runs() {
        let payloads = include_str!("../../../tests/data/xss-payloads.md");
        assert!(payloads.lines().count() >= 50);
        // Checked inside tags only: text is escaped (`&lt;script&gt;`), harmless, and may well
        // say "javascript:" in words.
        let tags_allowed = TAGS;
        for payload in payloads.lines() {
            let html = markdown(payload).to_lowercase();
            for tag in html.split('<').skip(1).filter_map(|t| t.split('>').next()) {
                let name =
                    tag.trim_start_matches('/').split_whitespace().next().unwrap_or_default();
                assert!(tags_allowed.contains(&name), "<{name}> survives {payload:?}: {html}");
                for (key, value) in attributes(tag) {
                    assert!(
                        [
                            "href", "src", "alt", "title", "rel", "width", "height", "align",
                            "start", "lang"
                        ]
                        .contains(&key.as_str()),
                        "attribute {key} survives {payload:?}: {html}"
                    );
                    for bad in ["javascript:", "vbscript:", "data:", "expression("] {
                        assert!(!value.contains(bad), "{bad} survives {payload:?}: {html}");
                    }
                }
            }
        }
    }

    /// The attributes of a serialised tag (`a href="x" rel="a b"`), as html5ever writes them:
    /// every value double-quoted.
    fn attributes(tag: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let rest = tag.trim_end_matches('/');
        let mut rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r);
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return out;
            }
            let end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
            let name = rest[..end].to_owned();
            rest = &rest[end..];
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix("=\"") {
                let close = after.find('"').unwrap_or(after.len());
                value = after[..close].to_owned();
                rest = after.get(close + 1..).unwrap_or("");
            }
            out.push((name, value));
        }
    }

    #[test]
    fn plain_text_drops_markup_and_is_bounded() {
        let text = plain_text("# Tiêu đề\n\nMột *đoạn* văn.\n\n- ý một\n- ý hai", 100);
        assert_eq!(text, "Tiêu đề Một đoạn văn. ý một ý hai");
        assert!(plain_text(&"chữ ".repeat(500), 50).chars().count() <= 51);
    }
}
