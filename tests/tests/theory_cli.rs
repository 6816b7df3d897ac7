//! `cadence theory` as a user runs it: readable text, JSON, and clear errors.

use cadence_tests::cadence;

fn run(args: &[&str]) -> (bool, String, String) {
    let home = tempfile::tempdir().unwrap();
    let output = cadence(home.path())
        .arg("theory")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let (ok, stdout, stderr) = run(&with_json);
    assert!(ok, "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

#[test]
fn chord_is_spelled_with_degrees_and_midi() {
    let (ok, text, _) = run(&["chord", "C7(b9,#11)"]);
    assert!(ok);
    assert!(text.contains("notes:     C E G Bb Db F#"), "{text}");
    assert!(text.contains("degrees:   1 3 5 b7 b9 #11"), "{text}");

    let report = json(&["chord", "C7(b9,#11)"]);
    assert_eq!(
        report["notes"],
        serde_json::json!(["C", "E", "G", "Bb", "Db", "F#"])
    );
    assert_eq!(report["midi"], serde_json::json!([60, 64, 67, 70, 73, 78]));
}

#[test]
fn chord_from_notes_is_named() {
    let report = json(&["chord", "D F# A C"]);
    assert_eq!(report["chord"], "D7");
}

#[test]
fn numerals_in_e_flat_become_spelled_chords() {
    let (ok, text, _) = run(&["roman", "--key", "Eb", "ii7 V7 Imaj7"]);
    assert!(ok);
    assert!(
        text.contains("Fm7") && text.contains("Bb7") && text.contains("Ebmaj7"),
        "{text}"
    );

    let report = json(&["roman", "--key", "Eb", "ii7 V7 Imaj7"]);
    let chords: Vec<_> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["chord"].as_str().unwrap())
        .collect();
    assert_eq!(chords, ["Fm7", "Bb7", "Ebmaj7"]);
    assert_eq!(
        report["rows"][1]["notes"],
        serde_json::json!(["Bb", "D", "F", "Ab"])
    );
}

#[test]
fn rootless_voicings_have_no_root_and_lead_smoothly() {
    let (ok, text, _) = run(&[
        "voicing",
        "--type",
        "rootless-a",
        "--key",
        "F",
        "Gm7 C7 Fmaj7",
    ]);
    assert!(ok);
    assert!(text.contains("total motion"), "{text}");

    let report = json(&[
        "voicing",
        "--type",
        "rootless-a",
        "--key",
        "F",
        "Gm7 C7 Fmaj7",
    ]);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (row, root) in rows.iter().zip(["G", "C", "F"]) {
        let notes: Vec<&str> = row["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(notes.len(), 4, "{row}");
        assert!(
            notes
                .iter()
                .all(|n| n.trim_end_matches(|c: char| c.is_ascii_digit()) != root),
            "a rootless voicing of {} contains its root: {notes:?}",
            row["chord"]
        );
    }
    // Each move of the A–B–A ii–V–I stays within a few semitones.
    assert!(rows[1]["motion"].as_i64().unwrap() <= 3, "{report}");
}

#[test]
fn a_wrong_chord_in_a_chart_is_reported_with_the_answer() {
    let (ok, text, stderr) = run(&["check", "--key", "Eb", "ii7=Fm7 | V7=Ab7 | Imaj7=Ebmaj7"]);
    assert!(!ok, "a chart with a mistake fails");
    assert!(
        text.contains("bar 2: Ab7 is not V7 in Eb major; V7 is Bb7"),
        "{text}"
    );
    assert!(stderr.contains("do not match"), "{stderr}");
}

#[test]
fn nonsense_gets_a_clear_error_not_a_panic() {
    let (ok, _, stderr) = run(&["chord", "Cxyz"]);
    assert!(!ok);
    assert!(
        stderr.contains("unknown chord quality `xyz` in `Cxyz`"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_romantext_analysis_is_spelled_chord_by_chord() {
    let analysis = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/theory/tests/fixtures/analysis.rntxt");
    let analysis = analysis.to_str().unwrap();
    let (ok, text, stderr) = run(&["rntxt", analysis]);
    assert!(ok, "{stderr}");
    assert!(text.contains("Time Signature: 3/4"), "{text}");
    assert!(text.contains("m1 b2 A minor: V6/5 (G# B D E)"), "{text}");
    assert!(
        text.contains("m20 b3 F# minor: Sw42 (F# G## B# D)"),
        "{text}"
    );
    let report = json(&["rntxt", analysis]);
    assert_eq!(report["chords"].as_array().unwrap().len(), 78);
    assert_eq!(report["chords"][1]["numeral"], "V65");
    assert!(
        text.contains("m24 b1 C minor: IV6[no1][add2] (A C G)"),
        "{text}"
    );

    let broken = tempfile::tempdir().unwrap();
    let file = broken.path().join("broken.rntxt");
    std::fs::write(&file, "m1 C: I\nm2 V7 b3 Q\n").unwrap();
    let (ok, _, stderr) = run(&["rntxt", file.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        stderr.contains("line 2") && stderr.contains("`Q`"),
        "{stderr}"
    );
}
