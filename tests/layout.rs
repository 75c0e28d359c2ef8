//! The layout tells the architecture: the library's folders are the
//! pipeline's stages (forecast → plan → scenario → track), each using only
//! the stages before it and the foundations, with `io` and `cli` as faces
//! that no stage imports. This test reads `src/` and fails on an import
//! against that order or on a cycle between modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module and the ones it may use.
const ALLOWED: [(&str, &[&str]); 9] = [
    ("error", &[]),
    ("numeric", &["error"]),
    ("events", &["error", "numeric"]),
    ("forecast", &["error", "numeric", "events"]),
    ("plan", &["error", "numeric", "events", "forecast"]),
    (
        "scenario",
        &["error", "numeric", "events", "forecast", "plan"],
    ),
    (
        "track",
        &["error", "numeric", "events", "forecast", "plan", "scenario"],
    ),
    (
        "io",
        &[
            "error", "numeric", "events", "forecast", "plan", "scenario", "track",
        ],
    ),
    (
        "report",
        &[
            "error", "numeric", "events", "forecast", "plan", "scenario", "track", "io",
        ],
    ),
];

/// Stages split into submodules whose imports are checked for cycles.
const STAGES: [&str; 8] = [
    "forecast", "plan", "scenario", "track", "io", "numeric", "events", "report",
];

/// `module -> modules it imports`, from every `crate::a::b` path outside
/// comments and `#[cfg(test)]` blocks; modules are `stage::submodule`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
                .unwrap()
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            if ["cli", "lib", "main"].contains(&parts[0].as_str()) {
                continue;
            }
            let module = parts[..parts.len().min(2)].join("::");
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (k, _) in line.match_indices("crate::") {
                    let rest = &line[k + "crate::".len()..];
                    let mut names = rest.split("::").map(|s| {
                        s.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                            .next()
                            .unwrap_or("")
                    });
                    // the crate root re-exports Error, Result (error) and Series (forecast)
                    let first = match names.next().unwrap_or("") {
                        "Error" | "Result" => "error",
                        "Series" => "forecast",
                        other => other,
                    }
                    .to_string();
                    let target = match names.next() {
                        Some(second)
                            if STAGES.contains(&first.as_str())
                                && !second.is_empty()
                                && second
                                    .chars()
                                    .next()
                                    .is_some_and(|c| c.is_ascii_lowercase()) =>
                        {
                            format!("{first}::{second}")
                        }
                        _ => first,
                    };
                    if target != module && !module.starts_with(&format!("{target}::")) {
                        edges.entry(module.clone()).or_default().insert(target);
                    }
                }
            }
        }
    }
    edges
}

#[test]
fn stages_import_only_earlier_stages_and_never_a_face() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.into_iter().collect();
    let mut wrong = Vec::new();
    for (module, targets) in imports() {
        let stage = module.split("::").next().unwrap();
        let Some(ok) = allowed.get(stage) else {
            wrong.push(format!("{module}: not a known top-level module"));
            continue;
        };
        for target in targets {
            let to = target.split("::").next().unwrap();
            if to != stage && !ok.contains(&to) {
                wrong.push(format!("{module} imports {target}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline order: {wrong:#?}"
    );
}

#[test]
fn no_import_cycle_between_modules() {
    let edges = imports();
    // depth-first search for a back edge
    fn visit(
        u: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(u.to_string(), 1);
        path.push(u.to_string());
        for v in edges.get(u).into_iter().flatten() {
            match state.get(v.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|p| p == v).unwrap();
                    let mut cycle = path[start..].to_vec();
                    cycle.push(v.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(v, edges, state, path) {
                        return Some(c);
                    }
                }
            }
        }
        path.pop();
        state.insert(u.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for u in edges.keys() {
        if !state.contains_key(u.as_str()) {
            if let Some(cycle) = visit(u, &edges, &mut state, &mut Vec::new()) {
                panic!("import cycle: {}", cycle.join(" -> "));
            }
        }
    }
    // the check sees the imports it is meant to see
    assert!(edges["forecast::model_choice"].contains("forecast::select"));
    assert!(edges["forecast::select"].contains("forecast::fit"));
    assert!(edges["io::sweep"].contains("scenario::sweep"));
}
