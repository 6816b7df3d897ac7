//! The batch chain over the real pipeline with scripted models: a model plans the outline,
//! which is held to the request and checked (a planted unknown topic and a forward
//! prerequisite are refused and the model asked again); models write the lessons'
//! tutorials, each held to its lesson's topic; the template generator stands behind every
//! step; and a second run finds the job by its request and writes nothing again.

use cadence::batch::{BatchOutcome, BatchProgress};
use cadence::commissions::BatchRequest;
use cadence::content::export::import_curriculum;
use cadence::content::{Level, Tutorial};
use cadence::llm::CancelToken;
use cadence::sources::Writers;
use cadence::store::{curricula, tutorials};
use cadence::{Store, Studio};
use cadence_tests::scripted::{
    ScriptedCalls, curriculum_answer, tutorial_answer, two_model_studio,
};
use serde_json::json;

fn run(
    studio: &Studio,
    store: &Store,
    source: &mut ScriptedCalls,
) -> (BatchOutcome, Vec<BatchProgress>) {
    let mut progress = Vec::new();
    let request = BatchRequest {
        goal: Some("comp through jazz standards".into()),
        ..BatchRequest::new("Bb", Level::Intermediate, 2)
    };
    let outcome = studio
        .run_batch(
            store,
            &request,
            false,
            Writers::Models(source),
            &CancelToken::new(),
            &mut |p| progress.push(p.clone()),
        )
        .unwrap();
    (outcome, progress)
}

fn stored_tutorial(store: &Store, id: i64) -> Tutorial {
    let row = store
        .read(|conn| tutorials::get(conn, id))
        .unwrap()
        .unwrap();
    serde_json::from_value(row.document).unwrap()
}

#[test]
fn a_model_planned_curriculum_is_checked_and_its_lessons_written_by_models() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();

    let mut planted = curriculum_answer();
    planted["duration_weeks"] = json!(3);
    planted["modules"][1]["lessons"][1]["topic"] = json!("modal interchange");
    planted["modules"][0]["lessons"][0]["prerequisites"] = json!([{"module": 1, "lesson": 0}]);
    let mut blues_without_chords = tutorial_answer("blues", "F", Level::Intermediate);
    blues_without_chords["music"]["chords"] = json!([]);
    let mut wrong_scale = tutorial_answer("major scale", "G", Level::Intermediate);
    wrong_scale["music"]["scale"]["tonic"] = json!("D");
    let mut source = ScriptedCalls::new(
        "big",
        vec![
            vec![planted, curriculum_answer()],
            vec![tutorial_answer("ii-V-I", "Bb", Level::Intermediate)],
            vec![blues_without_chords],
            vec![wrong_scale.clone(), wrong_scale],
        ],
    );
    let (outcome, progress) = run(&studio, &store, &mut source);

    assert_eq!(outcome.outline_model.as_deref(), Some("big"));
    assert!(!outcome.resumed);
    assert_eq!(outcome.lessons, 3);
    assert_eq!(outcome.tutorials_written, 3);
    // The scale lesson's answers named the wrong scale twice: the template wrote it.
    assert_eq!(outcome.tutorials_by_model, 2);
    let lines: Vec<&str> = progress.iter().map(|p| p.message.as_str()).collect();
    assert!(
        lines.iter().any(|line| line.contains("refused")
            && line.contains("modules[1].lessons[1].topic")
            && line.contains("modal interchange")
            && line.contains("modules[0].lessons[0].prerequisites[0]")),
        "the planted outline errors are reported by path: {lines:#?}"
    );
    assert!(
        lines.iter().any(|line| line.contains("music.scale")
            && line.contains("G major scale")
            && line.contains("D major scale")),
        "{lines:#?}"
    );
    assert_eq!(progress.last().map(|p| (p.done, p.total)), Some((4, 4)));

    // The stored curriculum is the model's outline, held to the request.
    let tree = store
        .read(|conn| curricula::get(conn, outcome.curriculum_id))
        .unwrap()
        .unwrap();
    assert_eq!(tree.title, "Jazz foundations in two weeks");
    assert_eq!(tree.duration_weeks, 2);
    let lessons: Vec<_> = tree.modules.iter().flat_map(|m| &m.lessons).collect();
    assert!(lessons.iter().all(|l| l.tutorial_id.is_some()));
    assert!(
        lessons.iter().all(|l| !l.exercises.is_empty()),
        "the engine computes each lesson's exercises"
    );

    // Each tutorial is about its lesson, with the engine's chords and scale.
    let bb = stored_tutorial(&store, lessons[0].tutorial_id.unwrap());
    let symbols: Vec<&str> = bb.music.chords.iter().map(|c| c.symbol.as_str()).collect();
    assert_eq!(bb.music.key, "Bb major");
    assert_eq!(symbols[..3], ["Cm7", "F7", "Bbmaj7"]);
    let blues = stored_tutorial(&store, lessons[1].tutorial_id.unwrap());
    assert_eq!(blues.music.key, "F major");
    assert!(
        blues.music.chords.len() >= 12,
        "the topic's progression was filled in: {:?}",
        blues.music.chords
    );
    assert_eq!(blues.music.chords[0].symbol, "F7");
    let scale = stored_tutorial(&store, lessons[2].tutorial_id.unwrap());
    let scale = scale.music.scale.unwrap();
    assert_eq!((scale.tonic.as_str(), scale.kind.as_str()), ("G", "major"));
    assert_eq!(scale.notes, ["G", "A", "B", "C", "D", "E", "F#"]);

    // It exports as a curriculum document that imports back.
    let path = home.path().join("course.json");
    studio
        .export_curriculum_file(&store, outcome.curriculum_id, &path)
        .unwrap();
    let (imported, report) = import_curriculum(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(report.is_acceptable(), "{report}");
    assert_eq!(imported.modules[1].lessons[1].topic, "major scale");

    // The same request again: the job is found by its request, nothing is asked or written.
    let mut silent = ScriptedCalls::new("big", Vec::new());
    let (again, _) = run(&studio, &store, &mut silent);
    assert!(again.resumed);
    assert_eq!(again.curriculum_id, outcome.curriculum_id);
    assert_eq!((again.lessons_skipped, again.tutorials_written), (3, 0));
    let counts = cadence_tests::curricula_and_tutorials(&store);
    assert_eq!(counts, (1, 3));
}
