//! The CPU path's greedy answers on the real test model, SmolLM2-135M-Instruct Q4_1, against
//! a fixture the x86-64 build wrote: every build must answer token for token as it did.
//! `scripts/test-aarch64` runs this natively and, built for aarch64, under emulation, so the
//! NEON kernels are held to the x86 answers and the fixture to the x86 build.
//!
//! The model's path comes from `CADENCE_SMOLLM2_GGUF` (the test is skipped without it).
//! `CADENCE_WRITE_FIXTURE=1` rewrites the fixture from this build, on x86-64 only.
//! `CADENCE_EXPECT_KERNEL_PATH`, where set, is the kernel path the run must report, so an
//! emulated run cannot quietly fall back to slower byte dot products.

use std::path::Path;

use cadence_llm::{DeviceChoice, Engine, LoadOptions, LogitsMode, Message, Prompt, argmax};
use serde_json::{Value, json};

const MODEL_ENV: &str = "CADENCE_SMOLLM2_GGUF";
const WRITE_ENV: &str = "CADENCE_WRITE_FIXTURE";
const KERNEL_PATH_ENV: &str = "CADENCE_EXPECT_KERNEL_PATH";
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/smollm2_cpu_greedy.json"
);

/// The user messages asked, each answered greedily: music questions whose answers have no
/// near ties (see [`MIN_LEAD`]).
const PROMPTS: [&str; 4] = [
    "What does a treble clef show?",
    "What is a time signature?",
    "What is harmony?",
    "Name the notes of a C major chord.",
];

/// Tokens generated per prompt, unless the answer ends first.
const STEPS: usize = 16;

/// The least lead, in logits, that the chosen token must have over the runner-up at every
/// step of the fixture. The Q4_1 kernels of both builds compute the same bits; the output
/// product (Q8_0, candle's kernel for each architecture) and the math library may differ in
/// the last bits, which moves a logit by far less than this.
const MIN_LEAD: f32 = 0.1;

/// How far a chosen token's logit may move from the fixture's.
const LOGIT_TOLERANCE: f32 = 0.01;

/// One prompt's greedy answer: its tokens, and at each step the chosen token's logit and
/// its lead over the runner-up.
struct Answer {
    prompt_tokens: Vec<u32>,
    tokens: Vec<u32>,
    logits: Vec<f32>,
    leads: Vec<f32>,
}

fn answer(engine: &mut Engine, question: &str) -> Answer {
    let prompt = Prompt::Chat(vec![Message::user(question)]);
    let prompt_tokens = engine.encode_prompt(&prompt).expect("the prompt encodes");
    let end_tokens = engine.tokenizer().end_tokens().to_vec();
    let model = engine.model_mut();
    model.truncate(0);
    let mut answer = Answer {
        prompt_tokens,
        tokens: Vec::new(),
        logits: Vec::new(),
        leads: Vec::new(),
    };
    // The prompt goes in as one batch (the multi-token kernels), the answer one token at a
    // time.
    let mut input = answer.prompt_tokens.clone();
    while answer.tokens.len() < STEPS {
        let logits = model
            .forward(&input, LogitsMode::Last)
            .expect("the forward pass runs");
        let token = argmax(logits);
        let runner_up = logits
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != token as usize)
            .map(|(_, &v)| v)
            .fold(f32::NEG_INFINITY, f32::max);
        answer.tokens.push(token);
        answer.logits.push(logits[token as usize]);
        answer.leads.push(logits[token as usize] - runner_up);
        if end_tokens.contains(&token) {
            break;
        }
        input = vec![token];
    }
    answer
}

fn ids(value: &Value) -> Vec<u32> {
    let values = value.as_array().expect("an array of token ids");
    values.iter().map(|v| v.as_u64().unwrap() as u32).collect()
}

fn floats(value: &Value) -> Vec<f32> {
    let values = value.as_array().expect("an array of numbers");
    values.iter().map(|v| v.as_f64().unwrap() as f32).collect()
}

#[test]
fn greedy_answers_match_the_x86_build() {
    let Some(model_path) = std::env::var_os(MODEL_ENV) else {
        eprintln!(
            "skipped: set {MODEL_ENV} to the SmolLM2-135M-Instruct Q4_1 GGUF \
             (scripts/test-aarch64 does)"
        );
        return;
    };
    let mut engine = Engine::load(
        Path::new(&model_path),
        &LoadOptions {
            device: DeviceChoice::Cpu,
            context_length: Some(512),
            ..LoadOptions::default()
        },
    )
    .expect("the test model loads");
    let kernel_path = engine.info().kernel_path.clone();
    eprintln!("kernel path: {kernel_path}");
    if let Ok(expected) = std::env::var(KERNEL_PATH_ENV) {
        assert_eq!(kernel_path, expected, "the kernels this run uses");
    }
    let answers: Vec<Answer> = PROMPTS.iter().map(|q| answer(&mut engine, q)).collect();

    if std::env::var_os(WRITE_ENV).is_some_and(|v| v == "1") {
        if cfg!(not(target_arch = "x86_64")) {
            panic!("the fixture is the x86-64 build's answers; write it there");
        }
        let cases: Vec<Value> = PROMPTS
            .iter()
            .zip(&answers)
            .map(|(question, a)| {
                let lowest = a.leads.iter().copied().fold(f32::INFINITY, f32::min);
                assert!(
                    lowest >= MIN_LEAD,
                    "{question:?}: the greedy choice leads by only {lowest} at some step; \
                     choose a prompt without near ties"
                );
                json!({
                    "user": question,
                    "prompt_tokens": a.prompt_tokens,
                    "text": engine.tokenizer().decode(&a.tokens),
                    "tokens": a.tokens,
                    "logits": a.logits.iter().map(|&v| round(v)).collect::<Vec<_>>(),
                    "leads": a.leads.iter().map(|&v| round(v)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let fixture = json!({
            "model": "SmolLM2-135M-Instruct.Q4_1.gguf",
            "kernel_path": kernel_path,
            "cases": cases,
        });
        let text = one_line_arrays(&fixture, 0) + "\n";
        std::fs::write(FIXTURE, text).expect("the fixture is writable");
    }

    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(FIXTURE).expect("the fixture exists; see the module comment"),
    )
    .expect("the fixture is JSON");
    let cases = fixture["cases"].as_array().expect("the fixture has cases");
    assert_eq!(cases.len(), PROMPTS.len(), "the fixture asks these prompts");
    let mut tokens_compared = 0;
    let mut largest_logit_gap = 0f32;
    for ((question, case), ours) in PROMPTS.iter().zip(cases).zip(&answers) {
        assert_eq!(
            case["user"].as_str(),
            Some(*question),
            "the fixture's prompt"
        );
        assert_eq!(
            ours.prompt_tokens,
            ids(&case["prompt_tokens"]),
            "{question:?}"
        );
        let (tokens, logits, leads) = (
            ids(&case["tokens"]),
            floats(&case["logits"]),
            floats(&case["leads"]),
        );
        if let Some(step) =
            (0..tokens.len().max(ours.tokens.len())).find(|&i| tokens.get(i) != ours.tokens.get(i))
        {
            panic!(
                "{question:?}: step {step} chose {:?}, the x86 build {:?} (leading by {:?} there); \
                 ours {:?}, theirs {tokens:?}",
                ours.tokens.get(step),
                tokens.get(step),
                leads.get(step),
                ours.tokens
            );
        }
        for (step, (&theirs, &ours)) in logits.iter().zip(&ours.logits).enumerate() {
            largest_logit_gap = largest_logit_gap.max((theirs - ours).abs());
            assert!(
                (theirs - ours).abs() <= LOGIT_TOLERANCE,
                "{question:?}: step {step}'s logit is {ours}, the x86 build's {theirs}"
            );
        }
        tokens_compared += tokens.len();
    }
    eprintln!(
        "{tokens_compared} generated tokens over {} prompts match the x86 build; the chosen \
         tokens' logits differ from its by at most {largest_logit_gap} (the fixture rounds \
         them to four decimals)",
        PROMPTS.len()
    );
}

/// `value` as indented JSON, with each array of numbers or strings on one line.
fn one_line_arrays(value: &Value, indent: usize) -> String {
    let inner = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match value {
        Value::Object(fields) => {
            let lines: Vec<String> = fields
                .iter()
                .map(|(key, v)| format!("{inner}{key:?}: {}", one_line_arrays(v, indent + 1)))
                .collect();
            format!("{{\n{}\n{close}}}", lines.join(",\n"))
        }
        Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            let lines: Vec<String> = items
                .iter()
                .map(|v| format!("{inner}{}", one_line_arrays(v, indent + 1)))
                .collect();
            format!("[\n{}\n{close}]", lines.join(",\n"))
        }
        other => other.to_string(),
    }
}

/// `v` to four decimals, for a fixture that reads well.
fn round(v: f32) -> f64 {
    (v as f64 * 1e4).round() / 1e4
}
