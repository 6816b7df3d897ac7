//! `Studio::create_tutorial` over the real pipeline (routing, schema, theory checks,
//! repair, regeneration, escalation, the SQLite store and the usage ledger), with scripted
//! models whose answers carry planted errors.

use std::collections::HashMap;

use cadence::catalog::Catalog;
use cadence::commissions::TutorialRequest;
use cadence::content::Level;
use cadence::generate::{GeneratedTutorial, Progress};
use cadence::llm::CancelToken;
use cadence::planning::{CreateKind, Generator};
use cadence::sources::Writers;
use cadence::store::tutorials;
use cadence::{AppPaths, Store, Studio};
use cadence_tests::scripted::{ScriptedModels, tutorial_answer, two_model_studio};
use serde_json::{Value, json};

fn request() -> TutorialRequest {
    TutorialRequest {
        topic: "ii-V-I".into(),
        key: "Eb".into(),
        level: Level::Intermediate,
        instrument: "piano".into(),
    }
}

fn model_answer() -> Value {
    tutorial_answer("ii-V-I", "Eb", Level::Intermediate)
}

fn run(
    studio: &Studio,
    store: &Store,
    script: &[(&str, Vec<Value>)],
) -> (GeneratedTutorial, Vec<Progress>) {
    let mut source = ScriptedModels(
        script
            .iter()
            .map(|(id, answers)| {
                (
                    id.to_string(),
                    answers.iter().map(Value::to_string).collect(),
                )
            })
            .collect(),
    );
    let mut events = Vec::new();
    let generated = studio
        .create_tutorial(
            store,
            &request(),
            Writers::Models(&mut source),
            &CancelToken::new(),
            &mut |p| events.push(p),
        )
        .unwrap();
    (generated, events)
}

#[test]
fn a_correct_answer_is_completed_by_the_engine_stored_and_traced() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let (generated, events) = run(&studio, &store, &[("big", vec![model_answer()])]);
    let provenance = &generated.provenance;
    assert_eq!(provenance.generator, "model");
    assert_eq!(provenance.model.as_deref(), Some("big"));
    assert_eq!(provenance.tier.as_deref(), Some("medium"));
    // The engine computed what the model left empty.
    let chords = &generated.document.music.chords;
    assert_eq!(
        chords.iter().map(|c| c.symbol.as_str()).collect::<Vec<_>>(),
        ["Fm7", "Bb7", "Ebmaj7", "Ebmaj7"]
    );
    assert_eq!(chords[0].notes, ["F", "Ab", "C", "Eb"]);
    assert!(matches!(events[0], Progress::Routed { .. }));
    let streamed: String = events
        .iter()
        .filter_map(|e| match e {
            Progress::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(streamed, model_answer().to_string());
    let row = store
        .read(|c| tutorials::get(c, generated.id))
        .unwrap()
        .expect("stored");
    assert_eq!(row.document["music"]["chords"][1]["symbol"], "Bb7");
    let usage = store
        .read(|c| cadence::store::generation_log::usage_by_model(c, 0))
        .unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!((usage[0].model.as_str(), usage[0].requests), ("big", 1));
}

#[test]
fn planted_errors_are_reported_precisely_then_repaired_or_regenerated() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();

    // Not the topic's progression (I-IV-V-I where a ii-V-I was asked for): cannot be repaired.
    let mut wrong_progression = model_answer();
    wrong_progression["music"]["chords"][0]["numeral"] = json!("IVmaj7");
    let mut malformed = model_answer();
    malformed["overview"]["duration_minutes"] = json!("twenty");
    let mut wrong_chord = model_answer();
    // A wrong chord for its numeral: the engine recomputes it.
    wrong_chord["music"]["chords"][1]["symbol"] = json!("B7");
    // An invented standard code: a tutorial's standards are tags, so it is dropped.
    wrong_chord["standards"] = json!(["MU:Cr9.9.3z", "MU:Pr4.2.5a"]);

    let (generated, events) = run(
        &studio,
        &store,
        &[
            ("big", vec![wrong_progression, malformed]),
            ("small", vec![wrong_chord]),
        ],
    );
    let rejections: Vec<&Vec<String>> = events
        .iter()
        .filter_map(|e| match e {
            Progress::Rejected { problems, .. } => Some(problems),
            _ => None,
        })
        .collect();
    assert_eq!(rejections.len(), 2, "{events:?}");
    assert_eq!(
        rejections[0],
        &vec![
            "music.chords: a tutorial on this topic carries its progression ii7 V7 Imaj7 Imaj7 \
             (Fm7 Bb7 Ebmaj7 Ebmaj7) in Eb major, in order; these chords are Abmaj7 Bb7 Ebmaj7 \
             Ebmaj7"
                .to_string()
        ]
    );
    assert!(
        rejections[1][0].starts_with("/overview/duration_minutes: \"twenty\""),
        "{:?}",
        rejections[1]
    );
    let repairs: Vec<String> = generated
        .provenance
        .validation
        .issues
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        repairs.contains(
            &"standards[0]: `MU:Cr9.9.3z` is not an NCAS music standard; choose a code from \
              assets/standards/ncas_music.csv; removed (repaired)"
                .to_string()
        ),
        "{repairs:#?}"
    );
    assert_eq!(generated.document.standards, ["MU:Pr4.2.5a"]);
    assert_eq!(generated.document.music.chords[1].symbol, "Bb7");
    // Two refused answers used up the tier model; the next model wrote the tutorial.
    assert_eq!(generated.provenance.model.as_deref(), Some("small"));
    assert_eq!(generated.provenance.generator, "model");
    let attempts = &generated.provenance.attempts;
    assert_eq!(attempts.len(), 3);
    assert!(
        attempts[..2]
            .iter()
            .all(|a| a.model == "big" && !a.accepted)
    );
    assert!(attempts[2].accepted);
    assert!(
        generated
            .provenance
            .fallbacks
            .iter()
            .any(|f| f == "big: no acceptable tutorial in 2 attempts")
    );
}

#[test]
fn an_unreadable_numeral_escalates_and_the_requested_key_wins() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let mut bad_numeral = model_answer();
    bad_numeral["music"]["chords"][0]["numeral"] = json!("iiz7");
    let mut wrong_key = model_answer();
    wrong_key["music"]["key"] = json!("C major");

    let (generated, _) = run(
        &studio,
        &store,
        &[
            ("big", vec![bad_numeral.clone(), bad_numeral]),
            ("small", vec![wrong_key]),
        ],
    );
    let provenance = &generated.provenance;
    assert_eq!(provenance.model.as_deref(), Some("small"));
    assert_eq!(provenance.attempts.len(), 3);
    assert!(provenance.attempts[0].problems[0].starts_with("music.chords[0]"));
    // The key the teacher asked for wins over the model's, and the repair is reported.
    assert_eq!(generated.document.music.key, "Eb major");
    assert!(
        provenance
            .validation
            .issues
            .iter()
            .any(|i| i.path == "music.key" && i.message.contains("C major"))
    );
    assert_eq!(generated.document.music.chords[0].symbol, "Fm7");
}

#[test]
fn the_plan_names_the_model_that_will_write_and_why() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let plan = studio.plan(CreateKind::Tutorial, false);
    assert_eq!(plan.generator, Generator::Model);
    assert!(
        plan.explanation.starts_with("big writes it"),
        "{}",
        plan.explanation
    );
    assert!(
        plan.explanation.contains("tier `medium`"),
        "{}",
        plan.explanation
    );
    // A curriculum's outline is routed like any document; its lessons are routed on their own.
    let curriculum = studio.plan(CreateKind::Curriculum, false);
    assert_eq!(curriculum.generator, Generator::Model);
    assert!(
        curriculum.explanation.contains("Each lesson's tutorial"),
        "{}",
        curriculum.explanation
    );

    let empty = tempfile::tempdir().unwrap();
    let bare = Studio::new(AppPaths::at(empty.path()), Catalog::builtin().unwrap());
    let plan = bare.plan(CreateKind::Tutorial, false);
    assert_eq!(plan.generator, Generator::Template);
    assert!(
        plan.explanation.contains("No model"),
        "{}",
        plan.explanation
    );
}

#[test]
fn with_no_model_installed_the_template_generator_writes_it() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
    let store = studio.open_store().unwrap();
    let (generated, events) = run(&studio, &store, &[]);
    assert_eq!(generated.provenance.generator, "template");
    assert!(generated.provenance.route.candidates.is_empty());
    assert!(matches!(events.last(), Some(Progress::Template { .. })));
    assert_eq!(generated.document.music.chords[2].symbol, "Ebmaj7");
}

#[test]
fn asked_for_the_template_generator_the_pipeline_passes_over_every_model_and_says_why() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let mut events = Vec::new();
    let generated = studio
        .create_tutorial(
            &store,
            &request(),
            Writers::TemplateOnly,
            &CancelToken::new(),
            &mut |p| events.push(p),
        )
        .unwrap();
    assert_eq!(generated.provenance.writer(), "template");
    assert!(generated.provenance.attempts.is_empty());
    let skipped = &generated.provenance.route.skipped;
    assert!(
        skipped
            .iter()
            .any(|s| s == "big: the template generator was asked for"),
        "{skipped:?}"
    );
    let routed = events[0].describe().unwrap();
    assert!(
        routed.contains("passed over big: the template generator was asked for"),
        "{routed}"
    );
    let template_reason = events
        .iter()
        .find_map(|event| match event {
            Progress::Template { reason } => Some(reason.as_str()),
            _ => None,
        })
        .expect("the template generator says why it writes");
    assert_eq!(template_reason, "the template generator was asked for");
    assert_eq!(store.read(|c| tutorials::search(c, "")).unwrap().len(), 1);
}

#[test]
fn cancelling_stops_before_anything_is_stored() {
    let home = tempfile::tempdir().unwrap();
    let studio = two_model_studio(home.path());
    let store = studio.open_store().unwrap();
    let cancel = CancelToken::new();
    cancel.cancel();
    let mut source = ScriptedModels(HashMap::from([(
        "big".to_string(),
        vec![model_answer().to_string()],
    )]));
    let result = studio.create_tutorial(
        &store,
        &request(),
        Writers::Models(&mut source),
        &cancel,
        &mut |_| {},
    );
    assert!(matches!(result, Err(cadence::StudioError::Cancelled)));
    assert!(store.read(|c| tutorials::search(c, "")).unwrap().is_empty());
}
