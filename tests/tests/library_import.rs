//! Documents moving between libraries as teachers move them: a tutorial, a curriculum and a
//! material exported with `cadence export` and brought into another library with
//! `cadence import`, and the broken or hostile files a colleague could send, each refused
//! with a sentence that says what to do and nothing stored.

use std::path::Path;

use cadence::{AppPaths, Catalog, Studio};
use cadence_tests::cadence;

fn run(home: &Path, args: &[&str]) -> (bool, String, String) {
    let output = cadence(home).args(args).output().expect("run cadence");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The id printed after `prefix` ("imported tutorial 3: …", "saved tutorial 3 …").
fn id_after(stdout: &str, prefix: &str) -> String {
    let start = stdout
        .find(prefix)
        .unwrap_or_else(|| panic!("no `{prefix}` in {stdout}"))
        + prefix.len();
    stdout[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// How many documents of every kind the library's SQLite file holds.
fn documents_in(home: &Path) -> i64 {
    let studio = Studio::new(AppPaths::at(home), Catalog::builtin().unwrap());
    studio
        .open_store()
        .unwrap()
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT count(*) FROM curricula) + (SELECT count(*) FROM tutorials) \
                 + (SELECT count(*) FROM materials)",
                [],
                |row| row.get(0),
            )?)
        })
        .unwrap()
}

#[test]
fn an_exported_tutorial_imports_into_another_library_with_the_same_music() {
    let mine = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(
        mine.path(),
        &[
            "tutorial",
            "--topic",
            "ii-V-I",
            "--key",
            "Eb",
            "--level",
            "intermediate",
        ],
    );
    assert!(ok, "{stderr}");
    let id = id_after(&stderr, "saved tutorial ");
    let file = mine.path().join("ii-V-I.json");
    let (ok, _, stderr) = run(
        mine.path(),
        &["export", "tutorial", &id, "--out", file.to_str().unwrap()],
    );
    assert!(ok, "{stderr}");

    let colleague = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run(colleague.path(), &["import", file.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("imported tutorial "), "{stdout}");
    let imported = id_after(&stdout, "imported tutorial ");
    let again = colleague.path().join("again.json");
    let (ok, _, stderr) = run(
        colleague.path(),
        &[
            "export",
            "tutorial",
            &imported,
            "--out",
            again.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let copy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&again).unwrap()).unwrap();
    assert_eq!(copy["music"], original["music"]);
    assert_eq!(copy["title"], original["title"]);
    assert_eq!(documents_in(colleague.path()), 1);
}

#[test]
fn a_file_whose_chords_were_edited_by_hand_is_recomputed_by_the_engine() {
    let mine = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(
        mine.path(),
        &[
            "tutorial", "--topic", "ii-V-I", "--key", "F", "--level", "beginner",
        ],
    );
    assert!(ok, "{stderr}");
    let id = id_after(&stderr, "saved tutorial ");
    let (ok, json, stderr) = run(mine.path(), &["export", "tutorial", &id]);
    assert!(ok, "{stderr}");
    let mut document: serde_json::Value = serde_json::from_str(&json).unwrap();
    // A symbol and notes that contradict the numeral: the numeral decides.
    document["music"]["chords"][0]["symbol"] = serde_json::json!("C#7");
    document["music"]["chords"][0]["notes"] = serde_json::json!(["C#", "E#", "G#", "B"]);
    let file = mine.path().join("edited.json");
    std::fs::write(&file, document.to_string()).unwrap();

    let colleague = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run(colleague.path(), &["import", file.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(!stdout.contains(" 0 recomputed"), "{stdout}");
    let imported = id_after(&stdout, "imported tutorial ");
    let (_, json, _) = run(colleague.path(), &["export", "tutorial", &imported]);
    let stored: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(stored["music"]["chords"][0]["numeral"], "ii7");
    assert_eq!(stored["music"]["chords"][0]["symbol"], "Gm7");
}

#[test]
fn broken_and_hostile_files_are_refused_and_store_nothing() {
    let mine = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(
        mine.path(),
        &[
            "tutorial", "--topic", "blues", "--key", "Bb", "--level", "beginner",
        ],
    );
    assert!(ok, "{stderr}");
    let id = id_after(&stderr, "saved tutorial ");
    let (ok, json, _) = run(mine.path(), &["export", "tutorial", &id]);
    assert!(ok);
    let document: serde_json::Value = serde_json::from_str(&json).unwrap();

    let mut future = document.clone();
    future["schema_version"] = serde_json::json!(99);
    let mut long_title = document.clone();
    long_title["title"] = serde_json::json!("x".repeat(5 * 1024 * 1024));
    let mut small_long_title = document.clone();
    small_long_title["title"] = serde_json::json!("x".repeat(100_000));
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.json",
            json.as_bytes()[..json.len() / 3].to_vec(),
            "export it again from Cadence",
        ),
        (
            "future.json",
            future.to_string().into_bytes(),
            "schema version 99",
        ),
        (
            "long-title.json",
            long_title.to_string().into_bytes(),
            "a file to import is at most",
        ),
        (
            "long-title-small.json",
            small_long_title.to_string().into_bytes(),
            "/title",
        ),
        ("nested.json", nested.into_bytes(), "recursion limit"),
        ("garbage.json", garbage, "not a text file"),
        (
            "not-ours.json",
            br#"{"name": "a shopping list"}"#.to_vec(),
            "exported from Cadence",
        ),
        ("empty.json", Vec::new(), "export it again"),
    ];
    let colleague = tempfile::tempdir().unwrap();
    for (name, bytes, expected) in cases {
        let file = colleague.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let output = cadence(colleague.path())
            .args(["import", file.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let (ok, _, stderr) = run(colleague.path(), &["import", "/dev/zero"]);
    assert!(!ok && stderr.contains("not a regular file"), "{stderr}");
    let (ok, _, stderr) = run(colleague.path(), &["import", "/no/such/file.json"]);
    assert!(
        !ok && stderr.contains("cannot read /no/such/file.json"),
        "{stderr}"
    );
    assert_eq!(documents_in(colleague.path()), 0);
}

#[test]
fn a_curriculum_and_a_material_come_in_through_the_same_command() {
    let mine = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run(
        mine.path(),
        &["batch", "--key", "C", "--level", "beginner", "--weeks", "2"],
    );
    assert!(ok, "{stderr}");
    let id = id_after(&stdout, "curriculum ");
    let studio = Studio::new(AppPaths::at(mine.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let curriculum = mine.path().join("course.json");
    studio
        .export_curriculum_file(&store, id.parse().unwrap(), &curriculum)
        .unwrap();
    let created = studio
        .import_romantext(
            &store,
            Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../crates/theory/tests/fixtures/analysis.rntxt"
            )),
            Some("1-8"),
        )
        .unwrap();
    let analysis = mine.path().join("analysis.json");
    studio
        .export_material_file(&store, created.id, &analysis)
        .unwrap();

    let colleague = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run(colleague.path(), &["import", curriculum.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("imported curriculum "), "{stdout}");
    // The file is the outline: the lessons' tutorials are written in the new library.
    let imported = id_after(&stdout, "imported curriculum ");
    let (_, shown, _) = run(colleague.path(), &["curriculum", "show", &imported]);
    let unwritten = shown.matches("no tutorial yet").count();
    assert!(unwritten >= 2, "{shown}");
    let (ok, stdout, stderr) = run(colleague.path(), &["curriculum", "finish", &imported]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(&format!("{unwritten} tutorials written")),
        "{stdout}"
    );
    let (_, shown, _) = run(colleague.path(), &["curriculum", "show", &imported]);
    assert!(!shown.contains("no tutorial yet"), "{shown}");
    let again = colleague.path().join("course-again.json");
    let colleague_studio = Studio::new(AppPaths::at(colleague.path()), Catalog::builtin().unwrap());
    colleague_studio
        .export_curriculum_file(
            &colleague_studio.open_store().unwrap(),
            imported.parse().unwrap(),
            &again,
        )
        .unwrap();
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&curriculum).unwrap()).unwrap();
    let round_trip: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&again).unwrap()).unwrap();
    assert_eq!(round_trip, original);
    let (ok, stdout, stderr) = run(colleague.path(), &["import", analysis.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("imported theory analysis "), "{stdout}");
    assert_eq!(documents_in(colleague.path()), 2 + unwritten as i64);
}
