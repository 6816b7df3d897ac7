//! A teacher organising a curriculum from the command line: `cadence curriculum` shows it,
//! renames it, reorders its lessons, deletes it and brings it back, over a real library.

use std::path::Path;

use cadence_tests::cadence;

fn run(home: &Path, args: &[&str]) -> (bool, String, String) {
    let output = cadence(home).args(args).output().expect("run cadence");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn lesson_ids(home: &Path, id: &str) -> Vec<Vec<i64>> {
    let (ok, json, stderr) = run(home, &["curriculum", "show", id, "--json"]);
    assert!(ok, "{stderr}");
    let detail: serde_json::Value = serde_json::from_str(&json).unwrap();
    detail["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|module| {
            module["lessons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|lesson| lesson["id"].as_i64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn a_curriculum_is_renamed_reordered_deleted_and_restored() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let (ok, stdout, stderr) = run(
        home,
        &["batch", "--key", "G", "--level", "beginner", "--weeks", "2"],
    );
    assert!(ok, "{stderr}");
    let id: String = stdout
        .trim_start_matches("curriculum ")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();

    let before = lesson_ids(home, &id);
    let all: Vec<i64> = before.iter().flatten().copied().collect();
    assert!(all.len() >= 2, "{before:?}");
    let last = *all.last().unwrap();
    let (ok, stdout, stderr) = run(
        home,
        &[
            "curriculum",
            "move-lesson",
            &id,
            &last.to_string(),
            "--to",
            "1",
            "--module",
            "1",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("    1. "), "{stdout}");
    let after = lesson_ids(home, &id);
    assert_eq!(after[0][0], last);
    let mut reordered: Vec<i64> = after.iter().flatten().copied().collect();
    reordered.sort();
    let mut original = all.clone();
    original.sort();
    assert_eq!(reordered, original, "no lesson is lost or doubled");

    let (ok, _, stderr) = run(
        home,
        &["curriculum", "move-lesson", &id, "999999", "--to", "1"],
    );
    assert!(!ok && stderr.contains("has no lesson 999999"), "{stderr}");

    let (ok, _, stderr) = run(home, &["curriculum", "rename", &id, "Summer in G"]);
    assert!(ok, "{stderr}");
    let (_, library, _) = run(home, &["library", "--json"]);
    assert!(library.contains("Summer in G"), "{library}");

    let (ok, stdout, stderr) = run(home, &["curriculum", "delete", &id]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("curriculum restore"), "{stdout}");
    let (_, library, _) = run(home, &["library", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&library).unwrap();
    assert!(listed["curricula"].as_array().unwrap().is_empty());
    let (ok, _, _) = run(home, &["curriculum", "show", &id]);
    assert!(!ok, "a deleted curriculum is not shown");

    let (ok, _, stderr) = run(home, &["curriculum", "restore", &id]);
    assert!(ok, "{stderr}");
    assert_eq!(lesson_ids(home, &id), after);
    let (ok, _, stderr) = run(home, &["curriculum", "restore", &id]);
    assert!(!ok && stderr.contains("deleted curriculum"), "{stderr}");
}
