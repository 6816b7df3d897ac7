//! `cadence usage` through the real binary, over a library whose generation log spans two
//! months. Months are reckoned in local time; the binary inherits this process's time zone,
//! so the rows are dated with the same reckoning.

use std::path::Path;

use cadence::settings::Settings;
use cadence::store::generation_log;
use cadence::store::{GenerationOutcome, GenerationRecord};
use cadence::{AppPaths, Catalog, Store, Studio};
use cadence_tests::cadence;
use serde_json::Value;

struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

fn run(home: &Path, args: &[&str]) -> Run {
    let output = cadence(home).args(args).output().expect("run cadence");
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn generation(
    task: &str,
    model: &str,
    latency_ms: u64,
    cost_usd: f64,
    cache_hit: bool,
) -> GenerationRecord {
    GenerationRecord {
        task: task.into(),
        tier: if model == "gemini" { "cloud" } else { "medium" }.into(),
        model: model.into(),
        tokens_in: 100,
        tokens_out: 400,
        latency_ms,
        cost_usd,
        cache_hit,
        outcome: GenerationOutcome::Ok,
        detail: String::new(),
    }
}

/// Logs `records` as made `offset` seconds into `month` (local time).
fn log_in_month(store: &Store, month: &str, offset: i64, records: &[GenerationRecord]) {
    let (start, _) = store
        .read(|conn| generation_log::month_span(conn, month))
        .unwrap();
    store
        .write(|tx| {
            for record in records {
                let id = generation_log::record(tx, record)?;
                tx.execute(
                    "UPDATE generation_log SET created_at = ?1 WHERE id = ?2",
                    [start + offset, id],
                )?;
            }
            Ok(())
        })
        .unwrap();
}

/// A data folder with a $1 budget and a log: February 2026 spends $0.85 of it (three Gemini
/// requests, one from the cache, and a local one), March 2026 has one costly request.
fn home_with_a_log() -> (tempfile::TempDir, Store) {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let settings = Settings {
        monthly_budget_usd: 1.0,
        ..Settings::default()
    };
    settings.save(&studio.settings_file()).unwrap();
    log_in_month(
        &store,
        "2026-02",
        3600,
        &[
            generation("curriculum_planning", "gemini", 1200, 0.5, false),
            generation("curriculum_planning", "gemini", 800, 0.35, false),
            generation("curriculum_planning", "gemini", 3, 0.0, true),
            GenerationRecord {
                outcome: GenerationOutcome::Invalid,
                ..generation("tutorial_generation", "qwen2.5-7b", 4000, 0.0, false)
            },
        ],
    );
    log_in_month(
        &store,
        "2026-03",
        0,
        &[generation("coaching", "gemini", 500, 5.0, false)],
    );
    (home, store)
}

fn json_report(home: &Path, args: &[&str]) -> Value {
    let run = run(home, args);
    assert!(run.success, "{args:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn the_json_report_has_the_months_figures_and_budget() {
    let (home, _store) = home_with_a_log();
    let report = json_report(home.path(), &["usage", "--json", "--month", "2026-02"]);
    assert_eq!(report["month"], "2026-02");
    let totals = &report["totals"];
    assert_eq!(totals["requests"], 4);
    assert_eq!(totals["tokens_in"], 400);
    assert_eq!(totals["tokens_out"], 1600);
    assert_eq!(totals["cache_hits"], 1);
    assert!((totals["cost_usd"].as_f64().unwrap() - 0.85).abs() < 1e-9);
    // The requests that ran took 800, 1200 and 4000 ms; the cache hit is left out.
    assert_eq!(totals["latency_p50_ms"], 1200);
    assert_eq!(totals["latency_p95_ms"], 4000);
    assert_eq!(report["cache_hit_rate"], 0.25);
    // Of the answers written under a schema (the cache hit was counted when it was written).
    assert_eq!(report["json_valid_rate"], 2.0 / 3.0);

    let gemini = &report["by_model"][0];
    assert_eq!(gemini["name"], "gemini");
    assert_eq!(
        (&gemini["requests"], &gemini["cache_hits"]),
        (&3.into(), &1.into())
    );
    assert_eq!(gemini["latency_p50_ms"], 800);
    assert_eq!(gemini["latency_p95_ms"], 1200);
    assert_eq!(report["by_model"][1]["name"], "qwen2.5-7b");
    let tasks: Vec<&str> = report["by_task"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["curriculum_planning", "tutorial_generation"]);

    let budget = &report["budget"];
    assert_eq!(budget["month"], "2026-02");
    assert_eq!(budget["budget_usd"], 1.0);
    assert!((budget["share"].as_f64().unwrap() - 0.85).abs() < 1e-9);
    let warning = budget["warning"].as_str().unwrap();
    assert!(
        warning.starts_with("$0.85 of the $1.00 monthly budget is spent (85%)"),
        "{warning}"
    );

    let march = json_report(home.path(), &["usage", "--json", "--month", "2026-03"]);
    assert_eq!(march["totals"]["requests"], 1);
    assert_eq!(march["budget"]["spent_usd"], 5.0);
}

#[test]
fn the_text_report_has_tables_totals_and_the_budget_warning() {
    let (home, _store) = home_with_a_log();
    let run = run(home.path(), &["usage", "--month", "2026-02"]);
    assert!(run.success, "{}", run.stderr);
    let text = run.stdout;
    assert!(text.starts_with("Usage in 2026-02\n"), "{text}");
    let row = |name: &str| -> Vec<String> {
        text.lines()
            .find(|line| line.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name} in\n{text}"))
            .split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(
        row("gemini"),
        [
            "gemini", "3", "300", "1200", "1", "800 ms", "1.2 s", "$0.85"
        ]
    );
    assert_eq!(
        row("tutorial_generation"),
        [
            "tutorial_generation",
            "1",
            "100",
            "400",
            "0",
            "4.0 s",
            "4.0 s",
            "$0.00"
        ]
    );
    assert!(text.contains("Total: 4 requests"), "{text}");
    assert!(
        text.contains(
            "Spent $0.85 of the $1.00 monthly budget (85%).\n\
             warning: $0.85 of the $1.00 monthly budget is spent (85%); cloud calls stop at 100%"
        ),
        "{text}"
    );
}

#[test]
fn an_empty_month_says_so_and_this_month_is_the_default() {
    let (home, store) = home_with_a_log();
    let run = run(home.path(), &["usage", "--month", "2026-01"]);
    assert!(run.success, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "Usage in 2026-01\nNo model generations were logged in 2026-01.\n\
         Spent $0.00 of the $1.00 monthly budget (0%).\n"
    );

    let this_month = store.read(generation_log::current_month).unwrap();
    let report = json_report(home.path(), &["usage", "--json"]);
    assert_eq!(report["month"], this_month.as_str());
}

#[test]
fn a_month_not_written_yyyy_mm_is_refused() {
    let home = tempfile::tempdir().unwrap();
    for month in ["June", "2026-13"] {
        let run = run(home.path(), &["usage", "--month", month]);
        assert!(!run.success, "{month}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!(
                "the month must be written YYYY-MM, such as 2026-03; got “{month}”"
            )),
            "{}",
            run.stderr
        );
    }
}
