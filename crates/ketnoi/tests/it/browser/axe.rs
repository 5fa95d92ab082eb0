//! Accessibility checks with axe-core, pinned in `tools/browser/package.json` and installed by
//! `npm ci` there (CI does; a developer without it gets a skip message).
//!
//! The script is injected through WebDriver rather than by a `<script>` tag: chromedriver runs
//! it through the DevTools protocol, which a page's Content-Security-Policy does not govern, so
//! pages keep their strict `script-src 'self'` and still get checked. A test proves it against
//! such a page.
//!
//! With JavaScript off there is no check. axe still injects (the DevTools protocol runs scripts
//! regardless, and promises settle), but Chromium then never fires a page's timers — a
//! `setTimeout(…, 0)` or `requestAnimationFrame` callback from a WebDriver script never runs —
//! and axe schedules its work on them, so `axe.run` never settles (tried: it times out, also
//! with `setTimeout` replaced by microtasks). Nothing is lost: the pages send the same HTML
//! with JavaScript on or off, so the run with JavaScript on covers them.

use std::{fmt::Write as _, path::PathBuf, sync::OnceLock};

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Browser, bounded};

/// WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no rule tagged `wcag22a`), and axe's best
/// practices.
const TAGS: [&str; 6] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/// Runs the injected axe; the answer goes through `done` because `axe.run` is asynchronous.
const RUN: &str = "const [tags, done] = arguments;
    window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      .then(r => done({ violations: r.violations.map(v => ({
              id: v.id, impact: v.impact || null, help: v.help, help_url: v.helpUrl,
              nodes: v.nodes.map(n => ({
                target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' | '),
                summary: n.failureSummary || '' })) })) }),
            e => done({ error: String(e && e.stack || e) }));";

/// One rule that failed, with the elements that failed it.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    pub help: String,
    pub help_url: String,
    pub nodes: Vec<Failure>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Failure {
    /// CSS selectors of the element (`|` between frames, `>>>` into shadow roots).
    pub target: String,
    /// axe's explanation, such as the measured contrast ratio.
    pub summary: String,
}

impl Violation {
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/browser/node_modules/axe-core/axe.min.js")
}

/// axe's source, read once for the whole test binary; `None` when `npm ci` has not been run.
fn axe_source() -> Option<&'static str> {
    static SOURCE: OnceLock<Option<String>> = OnceLock::new();
    SOURCE.get_or_init(|| std::fs::read_to_string(axe_path()).ok()).as_deref()
}

impl Browser {
    /// Runs axe on the current page: every violation of the WCAG 2.x A/AA rules and best
    /// practices, whatever its impact. `None`, after saying why, with JavaScript off (see the
    /// module's documentation) or when axe is not installed (which under `CI=true` panics).
    pub async fn accessibility_violations(&self) -> Option<Vec<Violation>> {
        if !self.javascript {
            eprintln!(
                "no accessibility check with JavaScript off: axe cannot run there, and the run \
                 with JavaScript on checks the same HTML"
            );
            return None;
        }
        let Some(source) = axe_source() else {
            let why = format!("{} is missing; run `npm ci` in tools/browser", axe_path().display());
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true and {why}");
            eprintln!("skipping an accessibility check: {why}");
            return None;
        };
        let present = self.run_js("return typeof window.axe === 'object';", Vec::new()).await;
        if present != Value::Bool(true) {
            let injected =
                self.run_js(&format!("{source}\n;return typeof window.axe;"), Vec::new()).await;
            assert_eq!(injected, "object", "axe did not install itself in the page");
        }
        let answer = bounded(self.client.execute_async(RUN, vec![json!(TAGS)]))
            .await
            .unwrap_or_else(|e| panic!("running axe: {e}"));
        assert!(answer["error"].is_null(), "axe failed: {}", answer["error"]);
        let violations = serde_json::from_value(answer["violations"].clone())
            .unwrap_or_else(|e| panic!("axe's answer {answer}: {e}"));
        Some(violations)
    }

    /// Fails, listing each one, when the current page has a violation of impact `serious` or
    /// `critical`.
    pub async fn assert_accessible(&self, label: &str) {
        let Some(violations) = self.accessibility_violations().await else { return };
        if let Some(report) = serious_report(label, &violations) {
            panic!("{report}");
        }
    }
}

/// The failure message for a page's serious and critical violations, if it has any.
pub fn serious_report(label: &str, violations: &[Violation]) -> Option<String> {
    let serious: Vec<&Violation> = violations.iter().filter(|v| v.is_serious()).collect();
    if serious.is_empty() {
        return None;
    }
    let mut report = format!("{label}: {} serious accessibility violation(s)\n", serious.len());
    for v in serious {
        let impact = v.impact.as_deref().unwrap_or("?");
        let _ = writeln!(report, "- {} ({impact}): {} <{}>", v.id, v.help, v.help_url);
        for node in &v.nodes {
            let summary = node.summary.replace('\n', " ");
            let _ = writeln!(report, "    at `{}`: {summary}", node.target);
        }
    }
    Some(report)
}
