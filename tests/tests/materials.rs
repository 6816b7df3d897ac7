//! Exercises, theory analyses, assessments and lesson-plan parts made on their own through
//! `Studio::create_material`: the template generator with no model, scripted models with
//! planted errors over the real pipeline, the SQLite library, and export.

use std::collections::HashMap;

use cadence::commissions::MaterialKind;
use cadence::content::export::{check_schema, read_midi_notes};
use cadence::content::{AssessmentKind, ExerciseKind, Level, MusicPayload, template};
use cadence::generate::Progress;
use cadence::llm::CancelToken;
use cadence::materials::{CreatedMaterial, MaterialRequest};
use cadence::sources::Writers;
use cadence::theory::{Key, Note, RomanNumeral};
use cadence::{AppPaths, Catalog, Store, Studio, StudioError};
use cadence_tests::scripted::{ScriptedModels, two_model_studio};
use serde_json::{Value, json};

fn exercise_request(kind: Option<ExerciseKind>) -> MaterialRequest {
    MaterialRequest::Exercise {
        topic: "ii-V-I".into(),
        key: "Eb".into(),
        level: Level::Intermediate,
        instrument: "piano".into(),
        exercise_kind: kind,
    }
}

fn lesson_plan_request(standards: &[&str]) -> MaterialRequest {
    MaterialRequest::LessonPlanPart {
        topic: "steady beat".into(),
        grade: "3".into(),
        part: "differentiation".into(),
        standards: standards.iter().map(|s| s.to_string()).collect(),
        instrument: "voice".into(),
    }
}

fn every_kind() -> Vec<MaterialRequest> {
    vec![
        exercise_request(Some(ExerciseKind::VoicingStudy)),
        MaterialRequest::TheoryAnalysis {
            topic: "gospel-2-5-1".into(),
            key: "Ab".into(),
            level: Level::Advanced,
            instrument: "piano".into(),
        },
        MaterialRequest::Assessment {
            topic: "major scale".into(),
            key: "D".into(),
            level: Level::Beginner,
            instrument: "piano".into(),
            assessment_kind: AssessmentKind::Milestone,
        },
        lesson_plan_request(&["MU:Pr4.2.3a"]),
    ]
}

fn empty_studio(home: &std::path::Path) -> Studio {
    Studio::new(AppPaths::at(home), Catalog::builtin().unwrap())
}

fn create(
    studio: &Studio,
    store: &Store,
    request: &MaterialRequest,
    script: &[(&str, Vec<Value>)],
) -> (Result<CreatedMaterial, StudioError>, Vec<Progress>) {
    let mut source = ScriptedModels(
        script
            .iter()
            .map(|(id, answers)| {
                (
                    id.to_string(),
                    answers.iter().map(Value::to_string).collect(),
                )
            })
            .collect::<HashMap<_, _>>(),
    );
    let mut events = Vec::new();
    let created = studio.create_material(
        store,
        request,
        Writers::Models(&mut source),
        &CancelToken::new(),
        &mut |p| events.push(p),
    );
    (created, events)
}

/// Every chord of a document's music is its numeral's chord in its key.
fn assert_chords_follow_numerals(music: &Value) {
    let music: MusicPayload = serde_json::from_value(music.clone()).unwrap();
    let key: Key = music.key.parse().unwrap();
    assert!(!music.chords.is_empty());
    for chord in &music.chords {
        let numeral: RomanNumeral = chord.numeral.parse().unwrap();
        assert_eq!(
            chord.symbol,
            numeral
                .chord(&key, music.style.theory())
                .unwrap()
                .to_string(),
            "{chord:?}"
        );
    }
}

#[test]
fn every_kind_is_made_stored_listed_opened_and_exported_without_a_model() {
    let home = tempfile::tempdir().unwrap();
    let studio = empty_studio(home.path());
    let store = studio.open_store().unwrap();
    let out = tempfile::tempdir().unwrap();
    for request in every_kind() {
        let (created, events) = create(&studio, &store, &request, &[]);
        let created = created.unwrap();
        assert_eq!(created.kind, request.kind());
        assert_eq!(created.generator, "template");
        assert!(created.checked > 0, "{created:?}");
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Progress::Template { .. })),
            "{events:?}"
        );

        let opened = studio.open_material(&store, created.id).unwrap();
        assert_eq!(opened.kind, request.kind());
        assert_eq!(opened.title, created.title);
        let document = &opened.document;
        match opened.kind {
            MaterialKind::Exercise => {
                assert_eq!(document["kind"], "voicing_study");
                assert_eq!(document["music"]["key"], "Eb major");
                assert_chords_follow_numerals(&document["music"]);
            }
            MaterialKind::TheoryAnalysis => {
                assert_eq!(document["music"]["key"], "Ab major");
                assert_chords_follow_numerals(&document["music"]);
                assert!(!document["functions"].as_array().unwrap().is_empty());
            }
            MaterialKind::Assessment => {
                assert_eq!(document["kind"], "milestone");
                let questions = document["questions"].as_array().unwrap();
                assert!(!questions.is_empty());
                assert!(
                    questions
                        .iter()
                        .all(|q| !q["answer"].as_array().unwrap().is_empty())
                );
            }
            MaterialKind::LessonPlanPart => {
                assert_eq!(document["grade"], "3");
                assert_eq!(document["standards"], json!(["MU:Pr4.2.3a"]));
                assert_eq!(document["content"]["part"], "differentiation");
            }
        }

        let path = out.path().join(format!("{}.json", opened.kind.as_str()));
        let exported = studio
            .export_material_file(&store, created.id, &path)
            .unwrap();
        let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(exported.bytes, std::fs::metadata(&path).unwrap().len());
        check_schema(opened.kind.document(), &written).unwrap();
        assert_eq!(&written, document);
    }

    let listed = studio.list_materials(&store, "").unwrap();
    assert_eq!(listed.len(), 4);
    let found = studio.list_materials(&store, "gospel").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, MaterialKind::TheoryAnalysis);
    assert_eq!(found[0].music_key.as_deref(), Some("Ab major"));
}

#[test]
fn an_exercise_exports_as_midi_and_the_others_say_to_use_json() {
    let home = tempfile::tempdir().unwrap();
    let studio = empty_studio(home.path());
    let store = studio.open_store().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (exercise, _) = create(&studio, &store, &exercise_request(None), &[]);
    let exercise = exercise.unwrap();
    let midi = out.path().join("exercise.mid");
    studio
        .export_material_file(&store, exercise.id, &midi)
        .unwrap();
    let keys: Vec<i32> = read_midi_notes(&std::fs::read(&midi).unwrap())
        .unwrap()
        .iter()
        .map(|(_, key)| i32::from(*key))
        .collect();
    // The file starts with the first chord's computed voicing, note for note.
    let opened = studio.open_material(&store, exercise.id).unwrap();
    let voiced: Vec<i32> = opened.document["music"]["chords"][0]["voicing"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().parse::<Note>().unwrap().midi())
        .collect();
    assert!(!voiced.is_empty());
    assert_eq!(keys[..voiced.len()], voiced[..], "{keys:?}");

    let (plan, _) = create(&studio, &store, &lesson_plan_request(&[]), &[]);
    let error = studio
        .export_material_file(&store, plan.unwrap().id, &out.path().join("plan.mid"))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("export this lesson-plan part as JSON"),
        "{error}"
    );
    assert!(!out.path().join("plan.mid").exists());
}

#[test]
fn rename_and_delete_change_the_library_and_a_missing_id_says_so() {
    let home = tempfile::tempdir().unwrap();
    let studio = empty_studio(home.path());
    let store = studio.open_store().unwrap();
    let (created, _) = create(&studio, &store, &lesson_plan_request(&[]), &[]);
    let id = created.unwrap().id;
    studio
        .rename_material(&store, id, "  Week 3: helping every singer  ")
        .unwrap();
    let opened = studio.open_material(&store, id).unwrap();
    assert_eq!(opened.title, "Week 3: helping every singer");
    assert_eq!(opened.document["title"], "Week 3: helping every singer");
    assert!(studio.rename_material(&store, id, "   ").is_err());

    studio.delete_material(&store, id).unwrap();
    assert!(studio.list_materials(&store, "").unwrap().is_empty());
    let missing = studio.open_material(&store, id).unwrap_err();
    assert!(
        missing.to_string().contains("not in the library"),
        "{missing}"
    );
    assert!(studio.delete_material(&store, id).is_err());
}

#[test]
fn bad_requests_are_refused_before_anything_runs_with_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let studio = empty_studio(home.path());
    let store = studio.open_store().unwrap();
    let cases: Vec<(MaterialRequest, &str)> = vec![
        (
            lesson_plan_request(&["MU:Cr9.9.3z"]),
            "`MU:Cr9.9.3z` is not in the NCAS music standards",
        ),
        (
            lesson_plan_request(&["MU:Pr4.2.5a"]),
            "`MU:Pr4.2.5a` is a grade 5 standard, not grade 3",
        ),
        (
            lesson_plan_request(&["ABC"]),
            "`ABC` is not an NCAS music code",
        ),
        (
            MaterialRequest::LessonPlanPart {
                topic: "steady beat".into(),
                grade: "12".into(),
                part: "lesson_plan".into(),
                standards: vec![],
                instrument: "voice".into(),
            },
            "use PK, K or 1 to 8",
        ),
        (
            MaterialRequest::LessonPlanPart {
                topic: "steady beat".into(),
                grade: "3".into(),
                part: "homework".into(),
                standards: vec![],
                instrument: "voice".into(),
            },
            "use one of: lesson_plan, activities",
        ),
        (
            MaterialRequest::Exercise {
                topic: "major scale".into(),
                key: "D".into(),
                level: Level::Beginner,
                instrument: "piano".into(),
                exercise_kind: Some(ExerciseKind::Lick),
            },
            "there is no lick exercise for major scale; choose one of: scale pattern, progression",
        ),
        (
            MaterialRequest::TheoryAnalysis {
                topic: "major scale".into(),
                key: "D".into(),
                level: Level::Beginner,
                instrument: "piano".into(),
            },
            "a progression, e.g. ii-V-I",
        ),
        (
            MaterialRequest::Assessment {
                topic: "ii-V-I".into(),
                key: "H major".into(),
                level: Level::Beginner,
                instrument: "piano".into(),
                assessment_kind: AssessmentKind::Diagnostic,
            },
            "H",
        ),
    ];
    for (request, expected) in cases {
        let (result, events) = create(&studio, &store, &request, &[]);
        let error = result.expect_err(expected).to_string();
        assert!(error.contains(expected), "{error} (wanted: {expected})");
        assert!(events.is_empty(), "nothing may run for a bad request");
    }
    assert!(studio.list_materials(&store, "").unwrap().is_empty());
}

/// The template's exercise as a model would write it: computed fields left empty.
fn exercise_answer() -> Value {
    let exercise = template::exercises("ii-V-I", "Eb", Level::Intermediate)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == ExerciseKind::Progression)
        .unwrap();
    let mut value = serde_json::to_value(exercise).unwrap();
    for chord in value["music"]["chords"].as_array_mut().unwrap() {
        chord["symbol"] = json!("");
        chord["notes"] = json!([]);
        chord.as_object_mut().unwrap().remove("voicing");
    }
    value
}

#[test]
fn a_model_exercise_with_planted_errors_is_repaired_or_regenerated() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();

    let mut wrong_kind = exercise_answer();
    wrong_kind["kind"] = json!("lick");
    let mut wrong_chord = exercise_answer();
    // A wrong chord for its numeral, the wrong key and level: all repairable.
    wrong_chord["music"]["chords"][1]["symbol"] = json!("B7");
    wrong_chord["music"]["key"] = json!("C major");
    wrong_chord["difficulty"] = json!("beginner");

    let (created, events) = create(
        &studio,
        &store,
        &exercise_request(Some(ExerciseKind::Progression)),
        &[("big", vec![wrong_kind, wrong_chord])],
    );
    let created = created.unwrap();
    assert_eq!(created.generator, "big");
    assert!(created.repaired >= 3, "{created:?}");
    let refusals: Vec<&Vec<String>> = events
        .iter()
        .filter_map(|e| match e {
            Progress::Rejected { problems, .. } => Some(problems),
            _ => None,
        })
        .collect();
    assert_eq!(refusals.len(), 1);
    assert!(
        refusals[0]
            .iter()
            .any(|p| p.contains("kind") && p.contains("a progression exercise was asked for")),
        "{refusals:?}"
    );

    let opened = studio.open_material(&store, created.id).unwrap();
    let music = &opened.document["music"];
    assert_eq!(music["key"], "Eb major");
    assert_eq!(opened.document["difficulty"], "intermediate");
    assert_eq!(music["chords"][1]["symbol"], "Bb7");
    assert_chords_follow_numerals(music);
    let usage = store
        .read(|c| cadence::store::generation_log::usage_by_model(c, 0))
        .unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!((usage[0].model.as_str(), usage[0].requests), ("big", 2));
}

#[test]
fn a_model_assessment_gets_engine_answer_keys_and_an_invented_standard_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();

    let assessment =
        template::assessment("ii-V-I", "Eb", Level::Beginner, AssessmentKind::Diagnostic).unwrap();
    let mut answer = serde_json::to_value(&assessment).unwrap();
    answer["questions"][0]["answer"] = json!(["C#m7"]);
    let request = MaterialRequest::Assessment {
        topic: "ii-V-I".into(),
        key: "Eb".into(),
        level: Level::Beginner,
        instrument: "piano".into(),
        assessment_kind: AssessmentKind::Diagnostic,
    };
    let (created, _) = create(&studio, &store, &request, &[("big", vec![answer])]);
    let created = created.unwrap();
    assert_eq!(created.generator, "big");
    let opened = studio.open_material(&store, created.id).unwrap();
    assert_eq!(
        opened.document["questions"][0]["answer"],
        serde_json::to_value(&assessment.questions[0].answer).unwrap()
    );

    let plan = template::lesson_plan("steady beat", "3", "differentiation").unwrap();
    let mut invented = serde_json::to_value(&plan).unwrap();
    invented["standards"] = json!(["MU:Cr9.9.3z"]);
    let (created, events) = create(
        &studio,
        &store,
        &lesson_plan_request(&[]),
        &[("big", vec![invented, serde_json::to_value(&plan).unwrap()])],
    );
    assert_eq!(created.unwrap().generator, "big");
    let refused = events.iter().any(|e| {
        matches!(e, Progress::Rejected { problems, .. }
            if problems.iter().any(|p| p.contains("MU:Cr9.9.3z")))
    });
    assert!(refused, "{events:?}");
}

#[test]
fn an_answer_no_model_gets_right_ends_in_the_template_with_every_fallback_named() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let request = MaterialRequest::TheoryAnalysis {
        topic: "ii-V-I".into(),
        key: "G".into(),
        level: Level::Intermediate,
        instrument: "guitar".into(),
    };
    let (created, events) = create(
        &studio,
        &store,
        &request,
        &[
            ("big", vec![json!({"title": 3}), json!("not an object")]),
            ("small", vec![]),
        ],
    );
    let created = created.unwrap();
    assert_eq!(created.generator, "template");
    let template = events
        .iter()
        .find_map(|e| match e {
            Progress::Template { reason } => Some(reason.as_str()),
            _ => None,
        })
        .unwrap();
    assert_eq!(template, "no model wrote an acceptable theory analysis");
    let opened = studio.open_material(&store, created.id).unwrap();
    assert_eq!(opened.document["music"]["key"], "G major");
    assert_eq!(opened.instrument, "guitar");
}
