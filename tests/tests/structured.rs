//! Constrained decoding against the lesson schemas, through a real tokenizer: the byte-level
//! vocabulary of a small random-weight llama GGUF. Every schema compiles for the decoder,
//! every document the template generator writes is accepted token by token, and documents
//! that break a pattern, an enum or a required field are refused at the first bad token.

use std::path::{Path, PathBuf};

use cadence::content::schema::DocumentKind;
use cadence::content::template;
use cadence::content::topic::KNOWN_TOPICS;
use cadence::content::{AssessmentKind, Level};
use cadence::llm::constraint::{Allowed, JsonConstraint, to_constrained_json};
use cadence::llm::synthetic::SyntheticModel;
use cadence::llm::{
    Architecture, CancelToken, DeviceChoice, Engine, FinishReason, GenerationOptions, LlmError,
    LoadOptions, Message, Prompt, SamplingOptions,
};
use serde_json::{Value, json};

fn tiny_engine(dir: &Path) -> Engine {
    let path: PathBuf = dir.join("tiny-llama.gguf");
    SyntheticModel::tiny(Architecture::Llama)
        .write(&path)
        .expect("the synthetic model is written");
    Engine::load(
        &path,
        &LoadOptions {
            device: DeviceChoice::Cpu,
            context_length: Some(512),
            threads: Some(2),
            ..LoadOptions::default()
        },
    )
    .expect("the synthetic model loads")
}

/// Feeds `text`'s tokens to the constraint; returns the index of the first refused token,
/// or `None` when every token is allowed and the document is complete at the end.
fn first_refused(engine: &mut Engine, schema: &Value, text: &str) -> Option<usize> {
    let tokens = engine.tokenizer().encode_text(text).unwrap();
    let mut constraint: JsonConstraint = engine.constraints().unwrap().json_schema(schema).unwrap();
    for (i, &token) in tokens.iter().enumerate() {
        match constraint.next_allowed() {
            Ok(Allowed::Tokens(mask)) if mask.is_allowed(token) => {}
            _ => return Some(i),
        }
        constraint.accept(token).unwrap();
    }
    assert!(
        constraint.is_complete(),
        "every token was allowed but the document is not complete: {text}"
    );
    None
}

fn lesson_documents() -> Vec<(DocumentKind, Value)> {
    let level = Level::Intermediate;
    let mut documents = Vec::new();
    for (topic, key) in [
        ("ii-V-I", "Eb"),
        ("minor blues", "F# minor"),
        ("harmonic minor scale", "C# minor"),
        ("drop-2 voicings", "Db"),
        ("gospel-2-5-1", "B"),
    ] {
        let tutorial = template::tutorial(topic, key, level).unwrap();
        documents.push((DocumentKind::Tutorial, to_value(&tutorial)));
        for exercise in template::exercises(topic, key, level).unwrap() {
            documents.push((DocumentKind::Exercise, to_value(&exercise)));
        }
    }
    let assessment = template::assessment("ii-V-I", "Ab", level, AssessmentKind::Milestone);
    documents.push((DocumentKind::Assessment, to_value(&assessment.unwrap())));
    let analysis = template::theory_analysis("iii-vi-ii-V", "G", level).unwrap();
    documents.push((DocumentKind::TheoryAnalysis, to_value(&analysis)));
    let curriculum = template::curriculum("F", Level::Beginner, 4).unwrap();
    documents.push((DocumentKind::Curriculum, to_value(&curriculum)));
    for part in template::LESSON_PLAN_PARTS {
        let plan = template::lesson_plan("ii-V-I", "5", part).unwrap();
        documents.push((DocumentKind::LessonPlan, to_value(&plan)));
    }
    documents
}

fn to_value<T: serde::Serialize>(document: &T) -> Value {
    serde_json::to_value(document).unwrap()
}

#[test]
fn every_lesson_schema_compiles_for_the_decoder() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = tiny_engine(dir.path());
    for kind in DocumentKind::ALL {
        let compiled = engine.constraints().unwrap().json_schema(&kind.schema());
        assert!(compiled.is_ok(), "{}: {:?}", kind.name(), compiled.err());
    }
}

#[test]
fn template_documents_are_accepted_token_by_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = tiny_engine(dir.path());
    let documents = lesson_documents();
    assert!(documents.len() > 20);
    for (kind, value) in documents {
        let text = to_constrained_json(&value);
        assert_eq!(
            first_refused(&mut engine, &kind.schema(), &text),
            None,
            "{}: {text}",
            kind.name()
        );
    }
}

/// Replaces the value at `pointer` and returns the document's text.
fn planted(value: &Value, pointer: &str, replacement: Value) -> String {
    let mut value = value.clone();
    *value.pointer_mut(pointer).expect("the field exists") = replacement;
    to_constrained_json(&value)
}

#[test]
fn documents_breaking_patterns_enums_or_required_fields_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = tiny_engine(dir.path());
    let tutorial =
        serde_json::to_value(template::tutorial("ii-V-I", "Eb", Level::Beginner).unwrap()).unwrap();
    let schema = DocumentKind::Tutorial.schema();
    let broken = [
        ("/music/key", json!("H major")),
        ("/music/key", json!("Eb mixolydian")),
        ("/music/chords/0/numeral", json!("X7")),
        ("/music/chords/0/symbol", json!("Q7")),
        ("/overview/difficulty", json!("expert")),
        ("/overview/duration_minutes", json!(-5)),
        ("/standards", json!(["MU:Xx9.9.9z"])),
    ];
    for (pointer, replacement) in broken {
        let text = planted(&tutorial, pointer, replacement.clone());
        assert!(
            first_refused(&mut engine, &schema, &text).is_some(),
            "{pointer} = {replacement} was accepted"
        );
    }
    let mut missing = tutorial.clone();
    missing.as_object_mut().unwrap().remove("theory");
    assert!(first_refused(&mut engine, &schema, &to_constrained_json(&missing)).is_some());
    let valid_code = planted(&tutorial, "/standards", json!(["MU:Cr1.1.4a"]));
    assert_eq!(first_refused(&mut engine, &schema, &valid_code), None);
}

#[test]
fn a_schema_the_decoder_cannot_enforce_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = tiny_engine(dir.path());
    let unsatisfiable = json!({"type": "integer", "minimum": 5, "maximum": 1});
    match engine.constraints().unwrap().json_schema(&unsatisfiable) {
        Err(LlmError::Constraint(message)) => {
            assert!(message.contains("cannot be enforced"), "{message}")
        }
        Err(other) => panic!("expected a constraint error, got {other}"),
        Ok(_) => panic!("an unsatisfiable schema was accepted"),
    }
    assert!(matches!(
        engine
            .constraints()
            .unwrap()
            .json_schema(&json!("not a schema")),
        Err(LlmError::Constraint(_))
    ));
}

/// Random weights write random tokens: only the constraint makes their output a document.
#[test]
fn random_weights_sampled_under_a_schema_still_write_valid_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = tiny_engine(dir.path());
    let schema = json!({
        "type": "object",
        "properties": {
            "key": {"type": "string", "pattern": "^[A-G](#|b)? (major|minor)$"},
            "level": {"enum": ["beginner", "intermediate", "advanced"]},
            "bars": {"type": "array", "minItems": 1, "maxItems": 3,
                      "items": {"type": "integer", "minimum": 1, "maximum": 8}}
        },
        "required": ["key", "level", "bars"],
        "additionalProperties": false
    });
    let prompt = Prompt::Chat(vec![Message::user("A chart, please.")]);
    for seed in 0..5 {
        let options = GenerationOptions {
            max_tokens: 200,
            sampling: SamplingOptions {
                temperature: 1.0,
                seed,
                ..SamplingOptions::default()
            },
            schema: Some(schema.clone()),
            ..GenerationOptions::default()
        };
        let mut text = String::new();
        let stats = engine
            .generate(&prompt, &options, &CancelToken::new(), &mut |delta| {
                text.push_str(delta)
            })
            .unwrap();
        assert_eq!(stats.finish_reason, FinishReason::Complete, "{text}");
        cadence::content::structured::validate_text(&schema, &text)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
    }
}

/// The schema's length and count bounds leave room for everything the template generator
/// writes, on every topic it knows.
#[test]
fn every_template_tutorial_fits_the_schema_bounds() {
    use cadence::content::export::check_schema;
    // "major/minor pentatonic scale" in the list stands for two topics.
    let listed = KNOWN_TOPICS.replace(
        "major/minor pentatonic scale",
        "major pentatonic scale, minor pentatonic scale",
    );
    let topics: Vec<&str> = listed.split(", ").collect();
    assert!(topics.len() > 20);
    for topic in topics {
        for (key, level) in [("Eb", Level::Advanced), ("F# minor", Level::Beginner)] {
            let tutorial = template::tutorial(topic, key, level).unwrap();
            check_schema(DocumentKind::Tutorial, &to_value(&tutorial))
                .unwrap_or_else(|e| panic!("{topic} in {key}: {e}"));
            for exercise in template::exercises(topic, key, level).unwrap() {
                check_schema(DocumentKind::Exercise, &to_value(&exercise))
                    .unwrap_or_else(|e| panic!("{topic} in {key}: {e}"));
            }
        }
    }
}
