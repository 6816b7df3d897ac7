// Lesson content end to end through the public API: template documents that validate
// against the shipped schemas, planted model errors caught and repaired, MIDI that parses
// back to the computed notes, and a batch run that is cancelled and resumed.

use cadence::batch::BatchProgress;
use cadence::commissions::BatchRequest;
use cadence::content::export::{
    self, check_schema, exercise_midi, import_tutorial, read_midi_notes,
};
use cadence::content::schema::DocumentKind;
use cadence::content::{ContentError, ExerciseKind, Level, Severity, template};
use cadence::llm::CancelToken;
use cadence::sources::Writers;
use cadence::theory::{Key, Note, RomanNumeral};
use cadence::{AppPaths, Catalog, Studio, StudioError};

fn eb_tutorial() -> cadence::content::Tutorial {
    template::tutorial("ii-V-I", "Eb", Level::Intermediate).expect("template tutorial")
}

#[test]
fn template_tutorial_matches_schema_and_every_chord_fits_its_numeral() {
    let tutorial = eb_tutorial();
    let value: serde_json::Value = serde_json::from_str(&export::tutorial_json(&tutorial)).unwrap();
    check_schema(DocumentKind::Tutorial, &value).unwrap();
    let key: Key = tutorial.music.key.parse().unwrap();
    let style = tutorial.music.style.theory();
    for chord in &tutorial.music.chords {
        let numeral: RomanNumeral = chord.numeral.parse().unwrap();
        assert_eq!(
            chord.symbol,
            numeral.chord(&key, style).unwrap().to_string()
        );
    }
}

#[test]
fn planted_errors_are_caught_precisely_and_repaired_or_refused() {
    let mut value = serde_json::to_value(eb_tutorial()).unwrap();
    value["music"]["chords"][1]["symbol"] = "Ab7".into();
    value["music"]["chords"][1]["notes"] = serde_json::json!(["Ab", "C", "Eb", "Gb"]);
    let (repaired, report) = import_tutorial(&value.to_string()).unwrap();
    assert_eq!(repaired.music.chords[1].symbol, "Bb7");
    assert_eq!(repaired.music.chords[1].notes, ["Bb", "D", "F", "Ab"]);
    let messages: Vec<String> = report.issues.iter().map(|i| i.to_string()).collect();
    assert!(
        messages.iter().any(|m| m.contains("music.chords[1].symbol")
            && m.contains("Ab7 is not V7 in Eb major; V7 is Bb7")),
        "{messages:?}"
    );
    assert!(
        report
            .issues
            .iter()
            .all(|i| i.severity == Severity::Repaired)
    );

    // A tutorial's standards are tags: an invented code is reported and dropped.
    value["standards"] = serde_json::json!(["MU:Pr4.2.5a", "MU:Cr9.9.3z"]);
    let (tagged, report) = import_tutorial(&value.to_string()).unwrap();
    assert_eq!(tagged.standards, ["MU:Pr4.2.5a"]);
    assert!(
        report.issues.iter().any(|i| i.path == "standards[1]"
            && i.severity == Severity::Repaired
            && i.message
                .contains("`MU:Cr9.9.3z` is not an NCAS music standard")),
        "{report}"
    );

    value["standards"] = serde_json::json!([]);
    value["practice_guide"]["steps"][0]["step"] = "first".into();
    match import_tutorial(&value.to_string()) {
        Err(ContentError::SchemaViolation { problems, .. }) => {
            assert!(
                problems
                    .iter()
                    .any(|p| p.starts_with("/practice_guide/steps/0/step")),
                "{problems:?}"
            )
        }
        other => panic!("expected a schema violation, got {other:?}"),
    }
}

#[test]
fn exercise_midi_parses_back_to_the_computed_notes() {
    for exercise in template::exercises("ii-V-I", "Eb", Level::Intermediate).unwrap() {
        let bytes = exercise_midi(&exercise).unwrap();
        let played: Vec<u8> = read_midi_notes(&bytes)
            .unwrap()
            .into_iter()
            .map(|(_, k)| k)
            .collect();
        assert!(!played.is_empty(), "{}", exercise.title);
        let mut expected: Vec<u8> = exercise
            .music
            .melody
            .iter()
            .map(|m| m.note.parse::<Note>().unwrap().midi() as u8)
            .collect();
        if exercise.kind != ExerciseKind::ScalePattern {
            for chord in &exercise.music.chords {
                if let Some(voicing) = &chord.voicing {
                    expected.extend(
                        voicing
                            .notes
                            .iter()
                            .map(|n| n.parse::<Note>().unwrap().midi() as u8),
                    );
                }
            }
        }
        for key in &expected {
            assert!(played.contains(key), "{}: {key} not played", exercise.title);
        }
        let json = export::exercise_json(&exercise);
        let (back, _) = export::import_exercise(&json).unwrap();
        assert_eq!(back, exercise);
    }
}

#[test]
fn batch_survives_cancellation_and_resumes_without_duplicates() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let request = BatchRequest::new("Eb", Level::Intermediate, 4);
    let run = |cancel: &CancelToken, on_progress: &mut dyn FnMut(&BatchProgress)| {
        studio.run_batch(
            &store,
            &request,
            false,
            Writers::Models(&mut studio.installed_models()),
            cancel,
            on_progress,
        )
    };
    let cancel = CancelToken::new();
    let cancelled = run(&cancel, &mut |progress| {
        if progress.done == 3 {
            cancel.cancel();
        }
    });
    assert!(
        matches!(
            cancelled,
            Err(StudioError::Content(ContentError::Cancelled))
        ),
        "{cancelled:?}"
    );
    let mut reports = Vec::new();
    let outcome = run(&CancelToken::new(), &mut |p| reports.push(p.clone())).unwrap();
    assert_eq!((outcome.lessons_skipped, outcome.tutorials_written), (2, 2));
    assert_eq!(reports.last().map(|p| (p.done, p.total)), Some((5, 5)));
    let again = run(&CancelToken::new(), &mut |_| {}).unwrap();
    assert_eq!((again.lessons_skipped, again.tutorials_written), (4, 0));
    let counts = cadence_tests::curricula_and_tutorials(&store);
    assert_eq!(counts, (1, 4));
}
