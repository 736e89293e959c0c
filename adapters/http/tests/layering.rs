//! The crate's modules form no circle: each refers only to modules listed
//! above it in `src/lib.rs`'s module map (the order a request goes
//! through them), so each can be read, and changed, alone. The review of
//! 2026-12 found four that imported one another in circles.

use std::fs;
use std::path::Path;

/// The module map, top to bottom, as `src/lib.rs` lists it.
fn order() -> Vec<String> {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let start = lib.find("// vary ").expect("the module map in src/lib.rs");
    lib[start..]
        .lines()
        .map_while(|l| l.strip_prefix("// "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|m| m.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// The crate modules `text` names (`crate::x`; a file in `http/` names
/// its siblings `super::x`, which are not crate modules).
fn named(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(i, p)| {
            text[i + p.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn modules_refer_only_to_modules_above_them() {
    let order = order();
    assert!(order.len() >= 10, "module map not found: {order:?}");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for e in fs::read_dir(&path).unwrap() {
                files.push(e.unwrap().path());
            }
        } else {
            files.push(path);
        }
    }
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        // The module a file belongs to: `http/view.rs` is `http`, and a
        // `*_tests.rs` file the module it tests (tests may look anywhere).
        let module = rel.split(['/', '.']).next().unwrap().to_string();
        if rel == "lib.rs" || rel.ends_with("_tests.rs") {
            continue;
        }
        let Some(at) = order.iter().position(|m| *m == module) else {
            problems.push(format!("{rel}: module {module} is not in the map"));
            continue;
        };
        seen += 1;
        let text = fs::read_to_string(&file).unwrap();
        for name in named(&text) {
            match order.iter().position(|m| *m == name) {
                Some(j) if j < at || name == module => {}
                Some(_) => problems.push(format!(
                    "{rel} ({module}) refers to {name}, listed below it"
                )),
                None => problems.push(format!("{rel} refers to crate::{name}, not in the map")),
            }
        }
    }
    assert!(seen >= 10, "only {seen} files checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
