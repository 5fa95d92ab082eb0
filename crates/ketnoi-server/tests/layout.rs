//! The shape of the crate, checked on every test run: features over a kernel, no cycles.
//!
//! `src/` is read as text. Each file is a module; an import is any path it names through
//! `crate::…`, `super::…` or `self::…` (in `use` lines and inline), and a `use` of a child module
//! declared with `mod`. A path names the deepest module file it reaches. Unit tests (`#[cfg(test)]
//! mod tests { … }`) are left out: they may reach anywhere. The rules, from docs/ARCHITECTURE.md:
//!
//! 1. The kernel (`src/kernel/`) imports no feature and nothing of the root (`lib.rs`, `app.rs`,
//!    `api_doc.rs`).
//! 2. A feature (`src/features/NAME/` or `src/features/NAME.rs`) imports the kernel and other
//!    features, never the root.
//! 3. No cycle between features, and no cycle between the files themselves.
//!
//! The checker's own tests build small trees in memory, so each rule is seen to fire.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// A module's place: `["kernel", "error"]` for `src/kernel/error.rs` or `src/kernel/error/mod.rs`.
type ModPath = Vec<String>;

/// Every module file under `src`, keyed by its module path, with its text.
fn read_tree(src: &Path) -> BTreeMap<ModPath, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(module_path(src, &path), text);
            }
        }
    }
    out
}

fn module_path(src: &Path, file: &Path) -> ModPath {
    let rel: PathBuf = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The text without unit tests and comments.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines.peek().is_some_and(|next| next.trim_start().starts_with("mod tests"))
        {
            // The test module runs to the end of the file by this project's convention; skip
            // it by brace depth all the same.
            let mut depth = 0i32;
            let mut opened = false;
            for inner in lines.by_ref() {
                depth += inner.matches('{').count() as i32 - inner.matches('}').count() as i32;
                opened |= inner.contains('{');
                if opened && depth <= 0 {
                    break;
                }
            }
            continue;
        }
        if t.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The paths a file names: each as segments, resolved against the file's own module path.
fn named_paths(me: &ModPath, code: &str) -> Vec<ModPath> {
    let (statements, rest) = use_statements(code);
    let mut found: Vec<Vec<String>> = statements.iter().flat_map(|s| expand(s)).collect();
    // Inline paths outside `use`: `crate::a::b`, `super::a`.
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let head = ["crate::", "super::"]
            .into_iter()
            .find(|h| starts_word && chars[i..].iter().take(h.len()).copied().eq(h.chars()));
        if head.is_some() {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == ':')
            {
                j += 1;
            }
            let path: String = chars[i..j].iter().collect();
            found.push(path.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect());
            i = j;
        } else {
            i += 1;
        }
    }
    found.into_iter().filter_map(|p| resolve(me, &p)).collect()
}

/// The `use …;` statements (each on one line, whitespace squeezed), and the rest of the code.
fn use_statements(code: &str) -> (Vec<String>, String) {
    let mut out = Vec::new();
    let mut rest = String::new();
    let mut current: Option<String> = None;
    for line in code.lines() {
        let t = line.trim();
        if current.is_none() {
            let body = ["pub(crate) use ", "pub(super) use ", "pub use ", "use "]
                .into_iter()
                .find_map(|p| t.strip_prefix(p));
            match body {
                Some(body) => current = Some(body.to_owned()),
                None => {
                    rest.push_str(line);
                    rest.push('\n');
                    continue;
                }
            }
        } else if let Some(c) = current.as_mut() {
            c.push(' ');
            c.push_str(t);
        }
        if current.as_ref().is_some_and(|c| c.trim_end().ends_with(';'))
            && let Some(c) = current.take()
        {
            let squeezed = c.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push(squeezed.trim_end_matches(';').to_owned());
        }
    }
    (out, rest)
}

/// `a::{b,c::{d,e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(stmt: &str) -> Vec<Vec<String>> {
    fn go(prefix: &[String], s: &str, out: &mut Vec<Vec<String>>) {
        let s = s.trim();
        if s.is_empty() {
            return;
        }
        if let Some(open) = s.find('{') {
            let head: Vec<String> = s[..open]
                .split("::")
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &s[open + 1..s.rfind('}').unwrap_or(s.len())];
            let mut base = prefix.to_vec();
            base.extend(head);
            for part in split_top(inner) {
                go(&base, &part, out);
            }
        } else {
            let s = s.split(" as ").next().unwrap_or(s).trim();
            let mut path = prefix.to_vec();
            path.extend(s.split("::").filter(|x| !x.is_empty() && *x != "*").map(str::to_owned));
            out.push(path);
        }
    }
    let mut out = Vec::new();
    go(&[], stmt, &mut out);
    out
}

/// Splits on commas that are not inside braces.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// A named path as an absolute module path, or `None` for paths outside the crate.
fn resolve(me: &ModPath, path: &[String]) -> Option<ModPath> {
    let mut segs = path.iter().peekable();
    let mut base: ModPath = match segs.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segs.next();
            Vec::new()
        }
        Some("super") => {
            let mut b = me.clone();
            while segs.peek().is_some_and(|s| *s == "super") {
                segs.next();
                b.pop();
            }
            b
        }
        Some("self") => {
            segs.next();
            me.clone()
        }
        // A relative `use child::…` names a child module of this file; anything else is
        // another crate.
        Some(_) => me.clone(),
        None => return None,
    };
    base.extend(segs.cloned());
    Some(base)
}

/// The deepest module of the tree that `path` reaches.
fn target(modules: &BTreeSet<ModPath>, path: &ModPath) -> Option<ModPath> {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p))
}

/// The imports between module files: (from, to), without self-edges.
fn imports(tree: &BTreeMap<ModPath, String>) -> BTreeSet<(ModPath, ModPath)> {
    let modules: BTreeSet<ModPath> = tree.keys().cloned().collect();
    let mut edges = BTreeSet::new();
    for (me, text) in tree {
        for named in named_paths(me, &code_of(text)) {
            // A path into another crate resolves to this file itself and is dropped here.
            if let Some(to) = target(&modules, &named).filter(|to| to != me) {
                edges.insert((me.clone(), to));
            }
        }
    }
    edges
}

/// What a module belongs to: `kernel`, `feature NAME`, or `root`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Room {
    Kernel,
    Feature(String),
    Root,
}

fn room(m: &ModPath) -> Room {
    match m.first().map(String::as_str) {
        Some("kernel") => Room::Kernel,
        Some("features") if m.len() >= 2 => Room::Feature(m[1].clone()),
        _ => Room::Root,
    }
}

/// Every broken rule, as readable lines.
fn violations(tree: &BTreeMap<ModPath, String>) -> Vec<String> {
    let edges = imports(tree);
    let mut out = Vec::new();
    let show = |m: &ModPath| if m.is_empty() { "crate root".to_owned() } else { m.join("::") };
    for (from, to) in &edges {
        match (room(from), room(to)) {
            (Room::Kernel, Room::Feature(f)) => out.push(format!(
                "the kernel reaches up into a feature: {} imports {} (feature {f})",
                show(from),
                show(to)
            )),
            (Room::Kernel | Room::Feature(_), Room::Root) => out.push(format!(
                "{} imports the root's {}: only the root wires features together",
                show(from),
                show(to)
            )),
            _ => {}
        }
    }
    // Cycles between features.
    let feature_edges: BTreeSet<(String, String)> = edges
        .iter()
        .filter_map(|(a, b)| match (room(a), room(b)) {
            (Room::Feature(x), Room::Feature(y)) if x != y => Some((x, y)),
            _ => None,
        })
        .collect();
    for cycle in cycles(&feature_edges) {
        out.push(format!("features import each other in a circle: {}", cycle.join(" → ")));
    }
    // Cycles between files.
    let file_edges: BTreeSet<(String, String)> =
        edges.iter().map(|(a, b)| (show(a), show(b))).collect();
    for cycle in cycles(&file_edges) {
        out.push(format!("modules import each other in a circle: {}", cycle.join(" → ")));
    }
    out
}

/// One cycle per strongly connected group of more than one node, found by depth-first search.
fn cycles(edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    let mut reported: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    let mut out = Vec::new();
    for start in next.keys() {
        // Breadth-first from `start`, remembering parents, until `start` is reached again.
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([*start]);
        let mut closed = None;
        while let Some(n) = queue.pop_front() {
            for &m in next.get(n).map(Vec::as_slice).unwrap_or(&[]) {
                if m == *start {
                    closed = Some(n);
                    break;
                }
                if !parent.contains_key(m) {
                    parent.insert(m, n);
                    queue.push_back(m);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        if let Some(mut n) = closed {
            let mut cycle = vec![n.to_owned()];
            while n != *start {
                n = parent[n];
                cycle.push(n.to_owned());
            }
            cycle.reverse();
            cycle.push((*start).to_owned());
            let members: BTreeSet<String> = cycle.iter().cloned().collect();
            if reported.insert(members) {
                out.push(cycle);
            }
        }
    }
    out
}

#[test]
fn the_crate_keeps_its_layout() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tree = read_tree(&src);
    assert!(tree.keys().any(|m| room(m) == Room::Kernel), "no kernel under {}", src.display());
    assert!(tree.keys().any(|m| matches!(room(m), Room::Feature(_))), "no features");
    let problems = violations(&tree);
    assert!(
        problems.is_empty(),
        "the layout rules of docs/ARCHITECTURE.md are broken:\n  {}",
        problems.join("\n  ")
    );
}

#[cfg(test)]
mod checker {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<ModPath, String> {
        files
            .iter()
            .map(|(p, t)| (module_path(Path::new("src"), Path::new(p)), (*t).to_owned()))
            .collect()
    }

    fn edges(files: &[(&str, &str)]) -> Vec<(String, String)> {
        imports(&tree(files)).into_iter().map(|(a, b)| (a.join("::"), b.join("::"))).collect()
    }

    #[test]
    fn grouped_and_inline_paths_are_imports() {
        let found = edges(&[
            ("src/lib.rs", "mod kernel; mod features;"),
            ("src/kernel/mod.rs", "pub mod error; pub mod i18n;"),
            ("src/kernel/error.rs", "use crate::kernel::{i18n::{Lang, Messages}};\n"),
            ("src/kernel/i18n.rs", "fn f() { let _ = std::fs::read(\"x\"); }"),
            ("src/features/mod.rs", "pub mod chat;"),
            ("src/features/chat/mod.rs", "pub mod api;"),
            ("src/features/chat/api.rs", "fn f() -> crate::kernel::error::ApiError { todo!() }"),
        ]);
        assert!(found.contains(&("kernel::error".into(), "kernel::i18n".into())), "{found:?}");
        assert!(
            found.contains(&("features::chat::api".into(), "kernel::error".into())),
            "{found:?}"
        );
        assert!(!found.iter().any(|(a, _)| a == "kernel::i18n"), "{found:?}");
    }

    #[test]
    fn an_upward_import_from_the_kernel_is_refused() {
        let problems = violations(&tree(&[
            ("src/kernel/mod.rs", "pub mod error;"),
            ("src/kernel/error.rs", "use crate::features::lookups::service::Problem;\n"),
            ("src/features/mod.rs", "pub mod lookups;"),
            ("src/features/lookups/mod.rs", "pub mod service;"),
            ("src/features/lookups/service.rs", "pub enum Problem {}"),
        ]));
        assert!(problems.iter().any(|p| p.contains("reaches up into a feature")), "{problems:?}");
    }

    #[test]
    fn a_feature_reaching_the_root_is_refused() {
        let problems = violations(&tree(&[
            ("src/lib.rs", "pub struct AppState;"),
            ("src/features/mod.rs", "pub mod tips;"),
            ("src/features/tips.rs", "fn f(_: &crate::AppState) {}"),
        ]));
        assert!(problems.iter().any(|p| p.contains("imports the root")), "{problems:?}");
    }

    #[test]
    fn features_in_a_circle_are_refused() {
        let problems = violations(&tree(&[
            ("src/features/mod.rs", "pub mod bot; pub mod chat;"),
            ("src/features/bot.rs", "use crate::features::chat::Chat;\n"),
            ("src/features/chat.rs", "use crate::features::bot::Incoming;\n"),
        ]));
        assert!(problems.iter().any(|p| p.contains("features import each other")), "{problems:?}");
    }

    #[test]
    fn a_child_importing_its_parent_that_imports_it_is_a_cycle() {
        let problems = violations(&tree(&[
            ("src/kernel/mod.rs", "pub mod pages;"),
            ("src/kernel/pages/mod.rs", "mod assets;\nuse assets::url;\npub struct Layout;"),
            ("src/kernel/pages/assets.rs", "use super::Layout;\n"),
        ]));
        assert!(problems.iter().any(|p| p.contains("modules import each other")), "{problems:?}");
    }

    #[test]
    fn unit_tests_and_comments_are_not_imports() {
        let problems = violations(&tree(&[
            ("src/kernel/mod.rs", "pub mod error;"),
            (
                "src/kernel/error.rs",
                "// see crate::features::x\nfn f() {}\n#[cfg(test)]\nmod tests {\n    use crate::features::x::Y;\n}\n",
            ),
            ("src/features/mod.rs", "pub mod x;"),
            ("src/features/x.rs", "pub struct Y;"),
        ]));
        assert!(problems.is_empty(), "{problems:?}");
    }
}
