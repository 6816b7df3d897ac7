//! Structured output with the real test model, SmolLM2-135M-Instruct Q4_1: sampled at
//! temperature 0.8 under a schema of realistic shape, every answer parses and validates;
//! the same prompts without the constraint are measured for comparison.

use std::process::Command;

use cadence::content::Level;
use cadence::content::pattern;
use cadence::content::structured::{parse_as, schema_for, validate_text};
use cadence::llm::{
    CancelToken, DeviceChoice, Engine, FinishReason, GenerationOptions, LoadOptions, Message,
    Prompt, SamplingOptions,
};
use schemars::JsonSchema;
use serde::Deserialize;

/// A practice card: nested objects, arrays with bounds, an enum, required fields, numeric
/// ranges and string patterns, as the lesson documents have.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Read through serde: the test checks that it parses.
struct PracticeCard {
    #[schemars(length(min = 3, max = 40))]
    title: String,
    #[schemars(pattern(pattern::KEY))]
    key: String,
    level: Level,
    #[schemars(range(min = 40, max = 200))]
    tempo_bpm: u32,
    #[schemars(length(min = 2, max = 4))]
    chords: Vec<CardChord>,
    #[schemars(length(min = 1, max = 2), inner(length(min = 3, max = 60)))]
    tips: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CardChord {
    #[schemars(range(min = 1, max = 16))]
    bar: u32,
    #[schemars(pattern(pattern::NUMERAL))]
    numeral: String,
}

const RUNS: u64 = 50;

fn engine() -> Engine {
    Engine::load(
        &cadence_tests::smollm2_gguf(),
        &LoadOptions {
            device: DeviceChoice::Cpu,
            context_length: Some(2048),
            ..LoadOptions::default()
        },
    )
    .expect("the test model loads")
}

fn prompt(schema: &serde_json::Value) -> Prompt {
    Prompt::Chat(vec![
        Message::system(format!(
            "You write practice cards for piano students as JSON matching this schema:\n{schema}"
        )),
        Message::user("Write a practice card for a ii-V-I in Eb major. Answer with JSON only."),
    ])
}

fn options(seed: u64, schema: Option<serde_json::Value>) -> GenerationOptions {
    GenerationOptions {
        max_tokens: if schema.is_some() { 300 } else { 160 },
        sampling: SamplingOptions {
            temperature: 0.8,
            seed,
            ..SamplingOptions::default()
        },
        schema,
        ..GenerationOptions::default()
    }
}

/// The first `{ … }` span of a free-text answer: models like to wrap JSON in prose or fences.
fn json_span(text: &str) -> &str {
    match (text.find('{'), text.rfind('}')) {
        (Some(start), Some(end)) if start < end => &text[start..=end],
        _ => text,
    }
}

#[test]
fn sampled_answers_under_the_schema_always_parse_and_validate() {
    let schema = schema_for::<PracticeCard>();
    let mut engine = engine();
    let prompt = prompt(&schema);
    let cancel = CancelToken::new();

    let mut constrained_valid = 0;
    let mut distinct = std::collections::HashSet::new();
    let mut tokens_per_s = Vec::new();
    for seed in 0..RUNS {
        let mut text = String::new();
        let stats = engine
            .generate(
                &prompt,
                &options(seed, Some(schema.clone())),
                &cancel,
                &mut |d| text.push_str(d),
            )
            .unwrap();
        assert_eq!(
            stats.finish_reason,
            FinishReason::Complete,
            "seed {seed}: {text}"
        );
        parse_as::<PracticeCard>(&text).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        constrained_valid += 1;
        distinct.insert(text);
        tokens_per_s.push(stats.decode_tokens_per_s);
    }

    let (mut strict, mut lenient) = (0, 0);
    for seed in 0..RUNS {
        let mut text = String::new();
        engine
            .generate(&prompt, &options(seed, None), &cancel, &mut |d| {
                text.push_str(d)
            })
            .unwrap();
        strict += usize::from(validate_text(&schema, &text).is_ok());
        lenient += usize::from(validate_text(&schema, json_span(&text)).is_ok());
    }
    tokens_per_s.sort_by(f64::total_cmp);
    eprintln!(
        "schema-valid answers over {RUNS} seeds at temperature 0.8: constrained {constrained_valid}/{RUNS}; \
         unconstrained {strict}/{RUNS} as written, {lenient}/{RUNS} after cutting out the first {{…}}; \
         constrained median decode {:.1} tokens/s",
        tokens_per_s[tokens_per_s.len() / 2]
    );
    assert_eq!(constrained_valid, RUNS);
    // Different seeds must give different documents: the constraint shapes, it does not
    // dictate.
    assert!(distinct.len() > (RUNS as usize) / 2, "{}", distinct.len());
}

/// Runs `cadence generate` on the test model under the schema in `schema_file`.
fn generate_with_schema(
    home: &std::path::Path,
    schema_file: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    Command::new(cadence_tests::cadence_bin())
        .env("CADENCE_HOME", home)
        .args(["generate", "--model"])
        .arg(cadence_tests::smollm2_gguf())
        .arg("--schema")
        .arg(schema_file)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_generate_with_a_schema_prints_the_validated_document() {
    let dir = tempfile::tempdir().unwrap();
    let schema_file = dir.path().join("card.schema.json");
    std::fs::write(&schema_file, schema_for::<PracticeCard>().to_string()).unwrap();
    let output = generate_with_schema(
        dir.path(),
        &schema_file,
        &[
            "--temperature",
            "0.8",
            "--seed",
            "11",
            "Write a practice card for a ii-V-I in Bb major as JSON.",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let card: PracticeCard = parse_as(&stdout).unwrap_or_else(|e| panic!("{e}\n{stdout}"));
    assert!((2..=4).contains(&card.chords.len()));

    std::fs::write(&schema_file, r#"{"type": "no-such-type"}"#).unwrap();
    let output = generate_with_schema(dir.path(), &schema_file, &["anything"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("card.schema.json cannot be used")
            && stderr.contains("not a valid JSON Schema"),
        "{stderr}"
    );
}

/// What the schema dictates (property names, a constant) is not sampled token by token:
/// it runs through the model in one pass with the token before it, and the model goes on
/// writing from there.
#[test]
fn text_the_schema_forces_runs_through_the_model_in_one_pass() {
    const TUNE: &str = "Autumn Leaves, as Joseph Kosma wrote it, in G minor";
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "tune": {"const": TUNE},
            "tempo_bpm": {"type": "integer", "minimum": 40, "maximum": 200},
            "tip": {"type": "string", "minLength": 3, "maxLength": 60}
        },
        "required": ["tune", "tempo_bpm", "tip"]
    });
    let mut engine = engine();
    let mut text = String::new();
    let stats = engine
        .generate(
            &prompt(&schema),
            &GenerationOptions {
                sampling: SamplingOptions::greedy(),
                ..options(0, Some(schema.clone()))
            },
            &CancelToken::new(),
            &mut |delta| text.push_str(delta),
        )
        .unwrap();
    let document = validate_text(&schema, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(document["tune"], TUNE);
    let tune_tokens = engine.tokenizer().encode_continuation(TUNE).unwrap().len();
    assert!(
        stats.forced_tokens >= tune_tokens,
        "{} forced, the tune alone is {tune_tokens} tokens: {text}",
        stats.forced_tokens
    );
    assert!(stats.forced_tokens < stats.generated_tokens, "{stats:?}");
    assert_eq!(stats.finish_reason, FinishReason::Complete);
}

/// An answer that runs short of room still ends as a whole document: near its limit, each
/// step takes the tokens that close the document soonest.
#[test]
fn an_answer_near_its_token_limit_still_closes_its_document() {
    const LIMIT: usize = 48;
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "story": {"type": "string", "maxLength": 4000},
            "notes": {"type": "array", "items": {"type": "string", "maxLength": 2000}, "maxItems": 20},
            "moral": {"type": "string", "minLength": 1, "maxLength": 4000}
        },
        "required": ["story", "notes", "moral"]
    });
    let prompt = Prompt::Chat(vec![Message::user(
        "Tell a very long story about a jazz pianist learning the ii-V-I, as JSON.",
    )]);
    let mut engine = engine();
    let mut longest_story = 0;
    for seed in 0..4 {
        let mut text = String::new();
        let stats = engine
            .generate(
                &prompt,
                &GenerationOptions {
                    max_tokens: LIMIT,
                    sampling: SamplingOptions {
                        temperature: 1.0,
                        seed,
                        ..SamplingOptions::default()
                    },
                    schema: Some(schema.clone()),
                    ..GenerationOptions::default()
                },
                &CancelToken::new(),
                &mut |delta| text.push_str(delta),
            )
            .unwrap();
        let document = validate_text(&schema, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(stats.finish_reason, FinishReason::Complete, "{text}");
        assert!(stats.generated_tokens <= LIMIT, "{stats:?}");
        longest_story = longest_story.max(document["story"].as_str().unwrap().len());
    }
    // The model wrote freely until the room ran short, rather than closing at once.
    assert!(longest_story > 40, "longest story: {longest_story} bytes");
}
