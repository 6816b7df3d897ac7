//! Lesson content from the command line on a fresh install (no model downloaded):
//! write a tutorial, find it in the library, export it, and pre-generate a curriculum.

use cadence::content::export::{check_schema, import_tutorial};
use cadence::content::schema::DocumentKind;
use cadence::theory::{Key, RomanNumeral};
use cadence_tests::cadence;

fn run(home: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = cadence(home).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `cadence tutorial` for an intermediate ii-V-I in Eb, written to `out`.
fn write_eb_ii_v_i(home: &std::path::Path, out: &std::path::Path) -> (bool, String, String) {
    run(
        home,
        &[
            "tutorial",
            "--topic",
            "ii-V-I",
            "--key",
            "Eb",
            "--level",
            "intermediate",
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

/// Validates a tutorial file against the shipped schema and checks every chord against
/// its numeral with the theory engine.
fn assert_correct_tutorial_file(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    check_schema(DocumentKind::Tutorial, &value).expect("matches assets/schema");
    let schema_file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/schema/tutorial.schema.json");
    assert!(schema_file.exists(), "the schema ships in assets/schema");

    let (tutorial, report) = import_tutorial(&text).expect("imports back");
    assert!(report.issues.is_empty(), "{report}");
    let key: Key = tutorial.music.key.parse().unwrap();
    let style = tutorial.music.style.theory();
    assert!(!tutorial.music.chords.is_empty());
    for chord in &tutorial.music.chords {
        let numeral: RomanNumeral = chord.numeral.parse().unwrap();
        assert_eq!(
            chord.symbol,
            numeral.chord(&key, style).unwrap().to_string(),
            "{chord:?}"
        );
    }
    value
}

#[test]
fn tutorial_on_a_fresh_install_uses_the_template_generator() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("t.json");
    let (ok, stdout, stderr) = write_eb_ii_v_i(home.path(), &out);
    assert!(ok, "{stderr}");
    assert!(stdout.is_empty(), "JSON goes to the file: {stdout}");
    assert!(
        stderr.contains("saved tutorial 1") && stderr.contains("template generator"),
        "{stderr}"
    );
    let value = assert_correct_tutorial_file(&out);
    assert_eq!(value["music"]["key"], "Eb major");
    let symbols: Vec<&str> = value["music"]["chords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["symbol"].as_str().unwrap())
        .collect();
    assert!(
        symbols.starts_with(&["Fm7", "Bb7", "Ebmaj7"]),
        "{symbols:?}"
    );

    let (ok, library, _) = run(home.path(), &["library", "--search", "ii"]);
    assert!(ok);
    assert!(
        library.contains("Tutorials (1):") && library.contains("Eb major"),
        "{library}"
    );

    let exported = home.path().join("exported.json");
    let (ok, _, stderr) = run(
        home.path(),
        &[
            "export",
            "tutorial",
            "1",
            "--out",
            exported.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let exported_value = assert_correct_tutorial_file(&exported);
    assert_eq!(exported_value, value, "export returns what was saved");
}

/// The acceptance run with the test model installed: SmolLM2 writes under the tutorial's
/// schema, the Studio holds the answer to the request and the topic, the engine computes
/// every chord, and the file it writes passes the same checks as the template's.
#[test]
fn tutorial_with_the_test_model_is_written_constrained_and_checked() {
    let home = tempfile::tempdir().unwrap();
    let model_dir = home.path().join("models").join("smollm2-135m");
    std::fs::create_dir_all(&model_dir).unwrap();
    std::fs::copy(
        cadence_tests::smollm2_gguf(),
        model_dir.join(cadence_tests::SMOLLM2_FILE),
    )
    .unwrap();
    let out = home.path().join("t.json");
    let (ok, _, stderr) = write_eb_ii_v_i(home.path(), &out);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("writing with smollm2-135m (attempt 1)"),
        "{stderr}"
    );
    assert!(stderr.contains("written by smollm2-135m"), "{stderr}");
    let value = assert_correct_tutorial_file(&out);
    assert_eq!(value["music"]["key"], "Eb major");
    assert_eq!(value["topic"], "ii-V-I");
    assert_eq!(value["overview"]["difficulty"], "intermediate");
    let roots: Vec<String> = value["music"]["chords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let symbol: cadence::theory::Chord = c["symbol"].as_str().unwrap().parse().unwrap();
            symbol.root().to_string()
        })
        .collect();
    assert!(
        roots.windows(3).any(|w| w == ["F", "Bb", "Eb"]),
        "the ii-V-I's roots in order: {roots:?}"
    );
}

/// `cadence batch` killed outright partway (SIGKILL, no chance to clean up), then run
/// again: it finds its curriculum, keeps every finished lesson, and writes each missing
/// tutorial exactly once.
#[test]
fn a_killed_batch_resumes_without_duplicates() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    let args = [
        "batch", "--key", "G", "--level", "advanced", "--weeks", "104",
    ];
    let mut child = cadence(home.path())
        .args(args)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains("tutorial 3/104:") {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed before it finished");

    let (ok, stdout, stderr) = run(home.path(), &args);
    assert!(ok, "{stderr}");
    let done_before: usize = stdout
        .rsplit(", ")
        .next()
        .and_then(|tail| tail.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        (2..104).contains(&done_before),
        "the killed run's lessons are kept: {stdout}"
    );
    assert!(
        stdout.contains(&format!("{} tutorials written", 104 - done_before)),
        "{stdout}"
    );
    let (_, library, _) = run(home.path(), &["library", "--json"]);
    let library: serde_json::Value = serde_json::from_str(&library).unwrap();
    assert_eq!(library["curricula"].as_array().unwrap().len(), 1);
    assert_eq!(library["tutorials"].as_array().unwrap().len(), 104);
}

#[test]
fn bad_tutorial_requests_get_clear_errors() {
    let home = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(home.path(), &["tutorial", "--topic", "polka", "--key", "C"]);
    assert!(!ok);
    assert!(stderr.contains("unknown topic `polka`"), "{stderr}");
    let (ok, _, stderr) = run(
        home.path(),
        &["tutorial", "--topic", "blues", "--key", "H#"],
    );
    assert!(!ok);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (ok, _, stderr) = run(home.path(), &["export", "tutorial", "42"]);
    assert!(!ok);
    assert!(
        stderr.contains("tutorial 42 is not in the library"),
        "{stderr}"
    );
}

#[test]
fn batch_pre_generates_a_curriculum_and_resumes_without_duplicates() {
    let home = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run(home.path(), &["batch", "--key", "F", "--weeks", "4"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("[0/") && stderr.contains("tutorial 1/4:"),
        "progress is shown: {stderr}"
    );
    let written: usize = stdout
        .split(", ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(written >= 4, "{stdout}");

    let (ok, again, stderr) = run(home.path(), &["batch", "--key", "F", "--weeks", "4"]);
    assert!(ok, "{stderr}");
    assert!(again.contains("0 tutorials written"), "{again}");
    assert!(
        again.contains(&format!("{written} already done")),
        "{again}"
    );

    let (_, library, _) = run(home.path(), &["library", "--json"]);
    let library: serde_json::Value = serde_json::from_str(&library).unwrap();
    assert_eq!(library["curricula"].as_array().unwrap().len(), 1);
    assert_eq!(library["tutorials"].as_array().unwrap().len(), written);
}

/// `cadence tutorial --instrument …` with the template generator, exported back from the
/// library: the stored document as the window and the export see it.
fn stored_tutorial(
    home: &std::path::Path,
    topic: &str,
    key: &str,
    instrument: &str,
) -> cadence::content::Tutorial {
    let out = home.join(format!("{instrument}.json"));
    let (ok, _, stderr) = run(
        home,
        &[
            "tutorial",
            "--topic",
            topic,
            "--key",
            key,
            "--instrument",
            instrument,
            "--template",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let id = stderr
        .split("saved tutorial ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{stderr}"))
        .to_string();
    let exported = home.join(format!("{instrument}-exported.json"));
    let (ok, _, stderr) = run(
        home,
        &[
            "export",
            "tutorial",
            &id,
            "--out",
            exported.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    assert_correct_tutorial_file(&exported);
    let text = std::fs::read_to_string(&exported).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_guitar_tutorial_stores_shapes_that_sound_its_chords() {
    use cadence::theory::{Chord, Fretboard, Note};
    let home = tempfile::tempdir().unwrap();
    let tutorial = stored_tutorial(home.path(), "ii-V-I", "G", "Guitar");
    assert_eq!(tutorial.instrument, "Guitar");
    assert_eq!(
        tutorial.music.instrument,
        Some(cadence::content::Instrument::Guitar)
    );
    assert!(tutorial.music.voicing_kind.is_none());
    let guitar = Fretboard::guitar();
    for entry in &tutorial.music.chords {
        let chord: Chord = entry.symbol.parse().unwrap();
        let shape = entry
            .guitar
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no shape", entry.symbol));
        assert_eq!(
            guitar.shape_problems(&chord, &shape.frets),
            Vec::<String>::new(),
            "{}: {}",
            entry.symbol,
            shape.diagram()
        );
        let notes: Vec<Note> = shape.notes.iter().map(|n| n.parse().unwrap()).collect();
        let lowest = notes.iter().min().unwrap();
        assert_eq!(lowest.pitch(), chord.notes()[0], "{}", entry.symbol);
        for note in &notes {
            assert!(
                chord.notes().contains(&note.pitch()),
                "{} sounds {note}",
                entry.symbol
            );
        }
    }
    let shapes: Vec<String> = tutorial
        .music
        .chords
        .iter()
        .map(|c| c.guitar.as_ref().unwrap().diagram())
        .collect();
    assert_eq!(shapes[..2], ["x02010", "xx0212"], "Am7 and D7 in G");
}

#[test]
fn a_bass_tutorial_plays_its_root_movement() {
    use cadence::theory::{Chord, Note};
    let home = tempfile::tempdir().unwrap();
    let tutorial = stored_tutorial(home.path(), "blues", "F", "bass");
    let music = &tutorial.music;
    assert_eq!(music.instrument, Some(cadence::content::Instrument::Bass));
    assert!(music.voicing_kind.is_none());
    assert!(
        music
            .chords
            .iter()
            .all(|c| c.voicing.is_none() && c.guitar.is_none())
    );
    // One chord a bar in the blues: the line is each bar's bass note, a whole bar long.
    assert_eq!(music.melody.len(), music.chords.len());
    for (entry, note) in music.chords.iter().zip(&music.melody) {
        let chord: Chord = entry.symbol.parse().unwrap();
        let played: Note = note.note.parse().unwrap();
        assert_eq!(played.pitch(), chord.notes()[0], "bar {}", entry.bar);
        assert!(
            (28..=43).contains(&played.midi()),
            "bar {}: {played} lies on the bass's low strings",
            entry.bar
        );
        assert_eq!(note.beats, 4.0);
    }
    let roots: Vec<&str> = music.melody.iter().map(|m| m.note.as_str()).collect();
    assert_eq!(roots[..5], ["F1", "Bb1", "F1", "F1", "Bb1"]);
}
