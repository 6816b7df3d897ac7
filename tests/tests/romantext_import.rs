//! A published analysis brought into the library and taken out again, as a teacher does it:
//! `cadence import rntxt` and `cadence export analysis` over a real SQLite library, and the
//! Studio calls the window makes, with the files a user could choose by mistake.

use cadence::content::TheoryAnalysis;
use cadence::theory::romantext;
use cadence::{AppPaths, Catalog, Studio};
use cadence_tests::cadence;

const ANALYSIS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/theory/tests/fixtures/analysis.rntxt"
);

fn run(home: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = cadence(home).args(args).output().expect("run cadence");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_analysis_comes_in_from_the_command_line_and_goes_out_as_romantext() {
    let home = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(home.path(), &["import", "rntxt", ANALYSIS]);
    assert!(!ok && stderr.contains("choose fewer measures"), "{stderr}");

    let (ok, stdout, stderr) = run(
        home.path(),
        &["import", "rntxt", ANALYSIS, "--measures", "1-15"],
    );
    assert!(ok, "{stderr}");
    let id: String = stdout
        .trim_start_matches("imported analysis ")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!id.is_empty(), "{stdout}");

    let out = home.path().join("back.rntxt");
    let (ok, _, stderr) = run(
        home.path(),
        &["export", "analysis", &id, "--out", out.to_str().unwrap()],
    );
    assert!(ok, "{stderr}");
    let back = romantext::read(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let original = romantext::read(&std::fs::read_to_string(ANALYSIS).unwrap()).unwrap();
    let first_fifteen: Vec<_> = original
        .chords
        .iter()
        .filter(|chord| chord.measure <= 15)
        .collect();
    assert_eq!(back.chords.len(), first_fifteen.len());
    for (read_back, chord) in back.chords.iter().zip(first_fifteen) {
        assert_eq!(
            (read_back.measure, &read_back.beat, read_back.key),
            (chord.measure, &chord.beat, chord.key)
        );
        assert_eq!(read_back.notes, chord.notes, "{chord}");
    }
}

#[test]
fn the_library_keeps_an_imported_analysis_and_refuses_files_that_are_not_one() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let created = studio
        .import_romantext(&store, ANALYSIS.as_ref(), Some("18-24"))
        .unwrap();
    assert_eq!(created.generator, "RomanText");
    assert!(created.checked > 50, "{created:?}");

    // A fresh store over the same file: the analysis is in the library, checked again.
    drop(store);
    let store = studio.open_store().unwrap();
    let listed = studio.list_materials(&store, "imported").unwrap();
    assert!(
        listed.iter().any(|item| item.id == created.id),
        "{listed:?}"
    );
    let opened = studio.open_material(&store, created.id).unwrap();
    let analysis: TheoryAnalysis = serde_json::from_value(opened.document).unwrap();
    assert_eq!(analysis.music.key, "Bb major");
    let moved: Vec<&str> = analysis
        .music
        .chords
        .iter()
        .filter_map(|chord| chord.key.as_deref())
        .collect();
    assert!(
        moved.contains(&"F# minor") && moved.contains(&"C minor"),
        "{moved:?}"
    );

    let files = tempfile::tempdir().unwrap();
    let missing = files.path().join("missing.rntxt");
    let error = studio
        .import_romantext(&store, &missing, None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("cannot read") && error.contains("missing.rntxt"),
        "{error}"
    );
    let binary = files.path().join("song.rntxt");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x81]).unwrap();
    let error = studio
        .import_romantext(&store, &binary, None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a text file"), "{error}");
    let prose = files.path().join("notes.rntxt");
    std::fs::write(&prose, "Composer: Bach\nSome thoughts on the chorale.\n").unwrap();
    let error = studio
        .import_romantext(&store, &prose, None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("line 2") && error.contains("measure number"),
        "{error}"
    );
    let error = studio
        .import_romantext(&store, ANALYSIS.as_ref(), Some("sixteen"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("e.g. 1-16"), "{error}");
    // Nothing refused reached the library.
    assert_eq!(studio.list_materials(&store, "").unwrap().len(), 1);
}
