//! Emergency alerts in the OASIS Common Alerting Protocol 1.2, and Atom feeds (RFC 4287): the
//! index of alerts that public-warning systems poll, and each account's articles.
//!
//! Everything here writes text into XML, so every value goes through [`escape`]. Times are
//! written in Vietnam time with an explicit offset, as CAP requires (`Z` is not allowed there).

use ketnoi_core::{Account, Area, Timestamp};
use ketnoi_store::{AlertInfo, Article, Broadcast};

/// The values CAP 1.2 allows, in the order of the standard; the first of each list is what an
/// alert gets when the officer chose nothing.
pub(crate) const CATEGORIES: &[&str] = &[
    "Safety",
    "Geo",
    "Met",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
];
/// CAP `severity`.
pub(crate) const SEVERITIES: &[&str] = &["Severe", "Extreme", "Moderate", "Minor", "Unknown"];
/// CAP `urgency`.
pub(crate) const URGENCIES: &[&str] = &["Immediate", "Expected", "Future", "Past", "Unknown"];
/// CAP `certainty`.
pub(crate) const CERTAINTIES: &[&str] = &["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

/// Escapes text for an XML element or a double-quoted attribute, dropping the control
/// characters XML 1.0 cannot carry at all.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `2026-12-07T12:00:00+07:00`: the form CAP's `dateTime` pattern and Atom both accept.
pub(crate) fn xml_time(t: Timestamp) -> String {
    match t.in_vietnam() {
        Some(v) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
            v.year(),
            u8::from(v.month()),
            v.day(),
            v.hour(),
            v.minute(),
            v.second()
        ),
        None => "1970-01-01T07:00:00+07:00".to_owned(),
    }
}

/// What a CAP alert says about where it applies.
pub(crate) struct AlertArea {
    /// The areas' names, joined: CAP `areaDesc`.
    pub(crate) description: String,
    /// The areas' codes in the national list of administrative units.
    pub(crate) codes: Vec<String>,
}

impl AlertArea {
    /// The area of an alert sent to `areas` (none: the account's own area).
    pub(crate) fn of(areas: &[Area]) -> Self {
        Self {
            description: areas.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join("; "),
            codes: areas.iter().map(|a| a.code.as_str().to_owned()).collect(),
        }
    }
}

/// The host part of the site's address, for identifiers and sender names.
pub(crate) fn host_of(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// A CAP 1.2 alert for an emergency broadcast.
pub(crate) fn alert_xml(
    base: &str,
    account: &Account,
    broadcast: &Broadcast,
    alert: &AlertInfo,
    area: &AlertArea,
) -> String {
    let host = host_of(base);
    let sent = broadcast.sent_at.unwrap_or(broadcast.send_at);
    let text = broadcast.body.text();
    let headline = crate::kernel::text::shorten(text.lines().next().unwrap_or(text), 140);
    let web = format!("{base}/a/{}/thong-bao/{}", account.slug, broadcast.id.0);
    let mut xml = String::with_capacity(2048);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
    let field = |xml: &mut String, indent: &str, name: &str, value: &str| {
        xml.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(value)));
    };
    field(&mut xml, "  ", "identifier", &alert_identifier(host, broadcast));
    field(&mut xml, "  ", "sender", &format!("{}@{host}", account.slug));
    field(&mut xml, "  ", "sent", &xml_time(sent));
    field(&mut xml, "  ", "status", "Actual");
    field(&mut xml, "  ", "msgType", "Alert");
    field(&mut xml, "  ", "scope", "Public");
    xml.push_str("  <info>\n");
    field(&mut xml, "    ", "language", "vi-VN");
    field(&mut xml, "    ", "category", &alert.category);
    field(&mut xml, "    ", "event", &alert.event);
    field(&mut xml, "    ", "urgency", &alert.urgency);
    field(&mut xml, "    ", "severity", &alert.severity);
    field(&mut xml, "    ", "certainty", &alert.certainty);
    if let Some(expires) = alert.expires_at {
        field(&mut xml, "    ", "expires", &xml_time(expires));
    }
    field(&mut xml, "    ", "senderName", &account.display_name);
    field(&mut xml, "    ", "headline", &headline);
    field(&mut xml, "    ", "description", text);
    field(&mut xml, "    ", "web", &web);
    if !account.contact_phone.is_empty() {
        field(&mut xml, "    ", "contact", &account.contact_phone);
    }
    xml.push_str("    <area>\n");
    field(&mut xml, "      ", "areaDesc", &area.description);
    for code in &area.codes {
        xml.push_str("      <geocode>\n");
        field(&mut xml, "        ", "valueName", "VN-DVHC");
        field(&mut xml, "        ", "value", code);
        xml.push_str("      </geocode>\n");
    }
    xml.push_str("    </area>\n  </info>\n</alert>\n");
    xml
}

/// The alert's identifier: unique to this server and broadcast, with none of the characters
/// CAP forbids in it (spaces, commas, `<`, `&`).
fn alert_identifier(host: &str, broadcast: &Broadcast) -> String {
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        .collect();
    format!("{host}:ketnoi:alert:{}", broadcast.id.0)
}

/// One entry of an Atom feed.
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) link: String,
    /// A second link to an alternate form (the CAP document of an alert), with its type.
    pub(crate) alternate: Option<(String, &'static str)>,
    pub(crate) summary: String,
    pub(crate) updated: Timestamp,
    pub(crate) published: Option<Timestamp>,
}

/// An Atom feed (RFC 4287).
pub(crate) fn atom(
    id: &str,
    title: &str,
    self_link: &str,
    page_link: &str,
    author: &str,
    entries: &[Entry],
) -> String {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(Timestamp(0));
    let mut xml = String::with_capacity(1024 + entries.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
    xml.push_str(&format!("  <id>{}</id>\n", escape(id)));
    xml.push_str(&format!("  <title>{}</title>\n", escape(title)));
    xml.push_str(&format!("  <updated>{}</updated>\n", xml_time(updated)));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(self_link)
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(page_link)
    ));
    xml.push_str(&format!("  <author><name>{}</name></author>\n", escape(author)));
    for e in entries {
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <id>{}</id>\n", escape(&e.id)));
        xml.push_str(&format!("    <title>{}</title>\n", escape(&e.title)));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&e.link)
        ));
        if let Some((href, kind)) = &e.alternate {
            xml.push_str(&format!(
                "    <link rel=\"alternate\" type=\"{kind}\" href=\"{}\"/>\n",
                escape(href)
            ));
        }
        xml.push_str(&format!("    <updated>{}</updated>\n", xml_time(e.updated)));
        if let Some(p) = e.published {
            xml.push_str(&format!("    <published>{}</published>\n", xml_time(p)));
        }
        xml.push_str(&format!("    <summary>{}</summary>\n", escape(&e.summary)));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// The Atom entry of an article.
pub(crate) fn article_entry(base: &str, account: &Account, article: &Article) -> Entry {
    let link = format!("{base}/a/{}/tin/{}", account.slug, article.slug);
    Entry {
        id: link.clone(),
        title: article.title.clone(),
        link,
        alternate: None,
        summary: article.summary.clone(),
        updated: article.updated_at.max(article.publish_at.unwrap_or(article.created_at)),
        published: article.publish_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_vietnam_time_with_an_offset() {
        // 2025-07-01 17:30 UTC is 2025-07-02 00:30 in Hà Nội.
        assert_eq!(xml_time(Timestamp(1_751_391_000_000)), "2025-07-02T00:30:00+07:00");
        assert_eq!(xml_time(Timestamp(0)), "1970-01-01T07:00:00+07:00");
        assert_eq!(xml_time(Timestamp(951_782_400_000)), "2000-02-29T07:00:00+07:00");
    }

    #[test]
    fn escaping_covers_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
        assert_eq!(escape("x\u{1}y\nz"), "xy\nz");
        assert_eq!(host_of("https://ketnoi.example.vn:8443/x"), "ketnoi.example.vn:8443");
    }
}
