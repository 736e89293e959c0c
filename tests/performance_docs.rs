//! Every performance figure of the docs comes from the recorded results
//! (`benches/results.json`, written by `python3 benches/report.py record`):
//! the blocks `benches/report.py` writes into `benches/RESULTS.md` are the
//! one place, and each copy elsewhere (the README's table, the sentences of
//! the tower and actix crates' docs) must be that block, so that no doc
//! keeps a figure of an older run (the tower crate once said "1.1 to 1.2"
//! of tower-http's preflight cost for months after it had changed).

use std::fs;
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The lines between `<!-- report:NAME -->` and `<!-- /report:NAME -->`
/// (each line starting with `prefix`, which is removed).
fn block(text: &str, name: &str, prefix: &str, file: &str) -> String {
    let start = format!("{prefix}<!-- report:{name} -->");
    let end = format!("{prefix}<!-- /report:{name} -->");
    let mut lines = text.lines();
    assert!(
        lines.by_ref().any(|l| l == start),
        "{file}: no line {start:?}"
    );
    let mut body = Vec::new();
    for line in lines {
        if line == end {
            let body = body.join("\n");
            assert!(!body.trim().is_empty(), "{file}: block {name} is empty");
            return body;
        }
        let line = line.strip_prefix(prefix.trim_end()).unwrap_or(line);
        body.push(line.strip_prefix(' ').unwrap_or(line).to_string());
    }
    panic!("{file}: no line {end:?}");
}

#[test]
fn the_readme_table_is_the_results_table() {
    let results = read("benches/RESULTS.md");
    let readme = read("README.md");
    assert_eq!(
        block(&readme, "summary", "", "README.md"),
        block(&results, "summary", "", "benches/RESULTS.md"),
        "README.md's table differs from benches/RESULTS.md's: run `python3 benches/report.py`"
    );
    assert!(
        readme.contains("](docs/performance.svg)"),
        "the README shows the chart"
    );
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/performance.svg")
            .is_file()
    );
}

#[test]
fn the_crates_sentences_are_the_results_sentences() {
    let results = read("benches/RESULTS.md");
    for (stack, file) in [
        ("tower", "adapters/tower/src/lib.rs"),
        ("actix", "adapters/actix/src/lib.rs"),
        ("core", "src/lib.rs"),
    ] {
        assert_eq!(
            block(&read(file), stack, "//! ", file),
            block(&results, stack, "", "benches/RESULTS.md"),
            "{file}'s performance sentence differs from benches/RESULTS.md's: run `python3 benches/report.py`"
        );
    }
}

/// The summary's instruction counts are the recorded ones: RESULTS.md was
/// written from the results.json in the repository, not from another run.
#[test]
fn the_results_table_is_the_recorded_results() {
    let results = read("benches/RESULTS.md");
    let summary = block(&results, "summary", "", "benches/RESULTS.md");
    let json: serde_json::Value =
        serde_json::from_str(&read("benches/results.json")).expect("benches/results.json");
    let count = |case: &str| -> u64 {
        json["instructions"][case]
            .as_u64()
            .unwrap_or_else(|| panic!("results.json has no {case}"))
    };
    let commas = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    for (stack, req) in [
        ("tower", "preflight"),
        ("tower", "actual"),
        ("actix", "preflight"),
        ("actix", "actual"),
    ] {
        let row = summary
            .lines()
            .find(|l| l.starts_with(&format!("| {stack} | {req} |")))
            .unwrap_or_else(|| panic!("no summary row for {stack} {req}"));
        let want = format!(
            "{} / {} / ",
            commas(count(&format!("case_{stack}_ours_{req}"))),
            commas(count(&format!("case_{stack}_floor_{req}")))
        );
        assert!(
            row.contains(&want),
            "{stack} {req}: the summary row {row:?} lacks the recorded counts {want:?}"
        );
    }
    let commit = json["commit"].as_str().unwrap_or_default();
    assert!(
        summary.contains(&format!("on `{commit}`")),
        "the summary names the commit the results were recorded on"
    );
}

/// Every time figure ("18 ns", "22.5 µs", "6.4 ms") of a paragraph of the
/// README or the crates' docs that cites a bench (`benches/...`: how the
/// docs present a measurement, unlike a timeout or a back-off) appears in
/// benches/RESULTS.md, where the run it comes from is described: no doc
/// quotes a measurement the results lost.
#[test]
fn every_time_figure_of_the_docs_is_in_the_results() {
    let results = read("benches/RESULTS.md");
    for file in [
        "README.md",
        "src/lib.rs",
        "adapters/http/src/lib.rs",
        "adapters/tower/src/lib.rs",
        "adapters/actix/src/lib.rs",
    ] {
        let text = read(file);
        let text: String = text
            .lines()
            .map(|l| l.trim_start().trim_start_matches("//!").trim_start())
            .collect::<Vec<_>>()
            .join("\n");
        // Paragraphs, and the items of a list one by one.
        let paragraphs = text.split("\n\n").flat_map(|p| p.split("\n- "));
        for paragraph in paragraphs.filter(|p| p.contains("benches/")) {
            check_figures(paragraph, &results, file);
        }
    }
}

fn check_figures(text: &str, results: &str, file: &str) {
    {
        for unit in [" ns", " µs", " ms"] {
            for (at, _) in text.match_indices(unit) {
                let before = &text[..at];
                let number: String = before
                    .chars()
                    .rev()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
                    continue;
                }
                let figure = format!("{number}{unit}");
                assert!(
                    results.contains(&figure),
                    "{file} quotes {figure:?}, which benches/RESULTS.md does not"
                );
            }
        }
    }
}
