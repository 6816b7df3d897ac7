//! The `cadence` binary as a user runs it.

use std::process::Output;

use cadence_tests::cadence;

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn run(home: &std::path::Path, args: &[&str]) -> (Output, String, String) {
    let output = cadence(home).args(args).output().expect("run cadence");
    let (stdout, stderr) = text(&output);
    (output, stdout, stderr)
}

fn status_of<'a>(table: &'a str, id: &str) -> &'a str {
    let row = table
        .lines()
        .find(|line| line.starts_with(&format!("{id} ")))
        .unwrap_or_else(|| panic!("no row for {id} in\n{table}"));
    let status_column = table.lines().next().unwrap().find("STATUS").unwrap();
    row[status_column..].trim()
}

#[test]
fn models_list_on_a_fresh_install() {
    let home = tempfile::tempdir().unwrap();
    let (output, stdout, stderr) = run(home.path(), &["models", "list"]);
    assert!(output.status.success(), "{stderr}");
    for id in ["phi-3.5-mini", "qwen2.5-7b", "smollm2-135m"] {
        assert_eq!(status_of(&stdout, id), "not installed", "{stdout}");
    }
    assert_eq!(
        status_of(&stdout, "gemini"),
        "disabled (no key)",
        "{stdout}"
    );
    assert!(
        stdout.contains("2.4 GB") && stdout.contains("4.7 GB") && stdout.contains("98.4 MB"),
        "{stdout}"
    );
}

#[test]
fn models_list_sees_installed_partial_and_keyed_models() {
    let home = tempfile::tempdir().unwrap();
    let smol_dir = home.path().join("models").join("smollm2-135m");
    std::fs::create_dir_all(&smol_dir).unwrap();
    std::fs::copy(
        cadence_tests::smollm2_gguf(),
        smol_dir.join(cadence_tests::SMOLLM2_FILE),
    )
    .unwrap();
    let phi_dir = home.path().join("models").join("phi-3.5-mini");
    std::fs::create_dir_all(&phi_dir).unwrap();
    std::fs::write(
        phi_dir.join("Phi-3.5-mini-instruct-Q4_K_M.gguf.part"),
        vec![0u8; 4096],
    )
    .unwrap();

    let output = cadence(home.path())
        .args(["models", "list"])
        .env("GEMINI_API_KEY", "test-key")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(status_of(&stdout, "smollm2-135m"), "installed");
    assert_eq!(
        status_of(&stdout, "phi-3.5-mini"),
        "partly downloaded (4.1 KB)"
    );
    assert_eq!(status_of(&stdout, "qwen2.5-7b"), "not installed");
    assert_eq!(status_of(&stdout, "gemini"), "enabled");

    let (output, json, _) = run(home.path(), &["models", "list", "--json"]);
    assert!(output.status.success());
    let models: serde_json::Value = serde_json::from_str(&json).unwrap();
    let smol = models
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "smollm2-135m")
        .unwrap();
    assert_eq!(smol["availability"]["state"], "installed");
    assert_eq!(smol["kind"], "local");
}

#[test]
fn a_broken_user_catalogue_stops_start_up_with_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let catalogue = home.path().join("models.toml");
    std::fs::write(
        &catalogue,
        cadence::catalog::BUILTIN_TOML
            .replace("architecture = \"qwen2\"", "architecture = \"qwen3\""),
    )
    .unwrap();
    let (output, stdout, stderr) = run(home.path(), &["models", "list"]);
    assert!(!output.status.success());
    assert!(stdout.is_empty(), "{stdout}");
    let line = cadence::catalog::BUILTIN_TOML
        .lines()
        .position(|l| l == "architecture = \"qwen2\"")
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!("{}:{line}:", catalogue.display())),
        "{stderr}"
    );
    assert!(stderr.contains("unknown variant `qwen3`"), "{stderr}");
}

#[test]
fn catalogue_override_from_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nowhere.toml");
    let output = cadence(home.path())
        .args(["models", "list"])
        .env("CADENCE_MODELS_TOML", &missing)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("cannot read the model catalogue"),
        "{stderr}"
    );
    assert!(stderr.contains("nowhere.toml"), "{stderr}");
}

#[test]
fn db_path_and_check_use_cadence_home() {
    let home = tempfile::tempdir().unwrap();
    let (output, stdout, _) = run(home.path(), &["db", "path"]);
    assert!(output.status.success());
    let db = home.path().join("cadence.sqlite3");
    assert_eq!(stdout.trim(), db.display().to_string());
    assert!(!db.exists(), "`db path` must not create the database");

    let (output, stdout, stderr) = run(home.path(), &["db", "check"]);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("integrity:     ok"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "schema:        version {}",
            cadence::store::SCHEMA_VERSION
        )),
        "{stdout}"
    );
    assert!(db.exists());

    let (output, json, _) = run(home.path(), &["db", "check", "--json"]);
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["integrity"], serde_json::json!(["ok"]));
    assert_eq!(report["journal_mode"], "wal");
}

#[test]
fn db_check_refuses_a_newer_database() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("cadence.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let (output, _, stderr) = run(home.path(), &["db", "check"]);
    assert!(!output.status.success());
    assert!(
        stderr.contains("written by a newer Cadence (schema version 99"),
        "{stderr}"
    );
}

#[test]
fn help_lists_every_command_and_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let (output, stdout, _) = run(home.path(), &["--help"]);
    assert!(output.status.success());
    for expected in [
        "models",
        "db",
        "generate",
        "bench",
        "theory",
        "tutorial",
        "batch",
        "export",
        "CADENCE_HOME",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
}

#[test]
fn unknown_command_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let (output, _, stderr) = run(home.path(), &["compose"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("unrecognized subcommand 'compose'"),
        "{stderr}"
    );
}

/// A short soak through the real binary: the template generator writes its tutorials in a
/// data folder of its own, and the resident memory is sampled every 20 documents. The 5%
/// bound is the benchmark's to report, not this test's: memory on a shared machine is noisy.
#[test]
fn bench_soak_samples_the_resident_memory_and_leaves_the_library_alone() {
    let home = tempfile::tempdir().unwrap();
    let (output, stdout, stderr) = run(home.path(), &["bench", "--soak", "--documents", "40"]);
    assert!(output.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["writer"], "template");
    assert_eq!(report["documents"], 40);
    assert_eq!(report["written_by_model"], 0);
    assert_eq!(report["model_loads"], 0);
    let samples = report["samples"].as_array().unwrap();
    let counted: Vec<u64> = samples
        .iter()
        .map(|s| s["documents"].as_u64().unwrap())
        .collect();
    assert_eq!(counted, [20, 40]);
    let rss: Vec<u64> = samples
        .iter()
        .map(|s| s["rss_bytes"].as_u64().unwrap())
        .collect();
    assert!(rss.iter().all(|bytes| *bytes > 1_000_000), "{rss:?}");
    let ratio = report["growth_ratio"].as_f64().unwrap();
    assert!(
        (ratio - rss[1] as f64 / rss[0] as f64).abs() < 1e-9,
        "{report}"
    );
    assert_eq!(report["within_5_percent"], ratio <= 1.05);
    assert!(
        stderr.contains("soak: 20/40 documents, resident"),
        "{stderr}"
    );
    assert!(stderr.contains("after 20 documents"), "{stderr}");

    let (_, library, _) = run(home.path(), &["library", "--json"]);
    let library: serde_json::Value = serde_json::from_str(&library).unwrap();
    assert_eq!(
        library["tutorials"].as_array().unwrap().len(),
        0,
        "{library}"
    );
}

#[test]
fn bench_soak_says_which_models_it_can_run() {
    let home = tempfile::tempdir().unwrap();
    let (output, _, stderr) = run(home.path(), &["bench", "--soak", "smollm2-135m"]);
    assert!(!output.status.success());
    assert!(
        stderr.contains("cadence models download smollm2-135m"),
        "{stderr}"
    );
    let stray = home.path().join("model.gguf");
    std::fs::write(&stray, b"GGUF").unwrap();
    let (output, _, stderr) = run(home.path(), &["bench", "--soak", stray.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        stderr.contains("is not the GGUF of a model in the catalogue"),
        "{stderr}"
    );
}
