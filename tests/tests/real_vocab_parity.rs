//! The Phi-3.5- and Qwen2.5-shaped test models (random weights, real vocabularies and chat
//! templates) against llama.cpp on the same files.
//!
//! The fixture comes from `scripts/llama_cpp_real_vocab_greedy.py` (llama-cpp-python):
//! each chat prompt's ids as `create_chat_completion` makes them, then llama.cpp's greedy
//! tokens with the margin of each choice over the runner-up. Cadence must tokenise every
//! prompt identically and, fed llama.cpp's tokens, choose llama.cpp's token at every step
//! where llama.cpp's own choice is not a near tie.

use cadence::llm::{DeviceChoice, Engine, LoadOptions, LogitsMode, Prompt, Role, argmax};
use serde_json::Value;

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/real_vocab_llama_cpp_greedy.json"
));

/// Below this margin between llama.cpp's top two logits, last-bit differences in 8-bit
/// activation rounding may flip the choice either way.
const NEAR_TIE: f64 = 0.02;

fn ids(value: &Value) -> Vec<u32> {
    serde_json::from_value(value.clone()).unwrap()
}

/// Checks one model; returns (steps compared, steps skipped as near ties).
fn check(name: &str, path: &std::path::Path) -> (usize, usize) {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let reference = &fixture["models"][name];
    assert_eq!(
        cadence_tests::sha256_of(path),
        reference["sha256"].as_str().unwrap(),
        "{name}: the test model changed; rerun scripts/llama_cpp_real_vocab_greedy.py"
    );
    let mut engine = Engine::load(
        path,
        &LoadOptions {
            device: DeviceChoice::Cpu,
            context_length: Some(2048),
            ..LoadOptions::default()
        },
    )
    .unwrap();
    let (mut compared, mut skipped) = (0, 0);
    for case in reference["cases"].as_array().unwrap() {
        let chat = cadence_tests::chat_messages(&case["messages"]);
        let prompt = Prompt::Chat(chat.clone());
        let prompt_tokens = engine.encode_prompt(&prompt).unwrap();
        if case.get("folded_from").is_none() {
            // A conversation whose system turn the template drops renders folded, and is
            // compared through its folded case.
            let rendered = engine.render(&prompt).unwrap();
            if rendered != case["prompt_text"].as_str().unwrap() {
                assert!(
                    chat.iter().any(|m| m.role == Role::System),
                    "{name}: {chat:?}"
                );
                continue;
            }
        }
        assert_eq!(
            prompt_tokens,
            ids(&case["prompt_tokens"]),
            "{name}: {chat:?}"
        );
        let generated = ids(&case["generated_tokens"]);
        let margins: Vec<f64> = serde_json::from_value(case["margins"].clone()).unwrap();
        let model = engine.model_mut();
        let mut chosen = argmax(model.forward(&prompt_tokens, LogitsMode::Last).unwrap());
        for (step, (&expected, &margin)) in generated.iter().zip(&margins).enumerate() {
            if margin >= NEAR_TIE {
                assert_eq!(
                    chosen, expected,
                    "{name}: step {step} of {chat:?} (llama.cpp's margin {margin})"
                );
                compared += 1;
            } else {
                skipped += 1;
            }
            // Fed llama.cpp's token, so one near tie cannot send the rest elsewhere.
            chosen = argmax(model.forward(&[expected], LogitsMode::Last).unwrap());
        }
    }
    (compared, skipped)
}

#[test]
fn phi35_shaped_model_matches_llama_cpp() {
    let models = cadence_tests::real_vocab_models();
    let (compared, skipped) = check("phi35", &models.phi35);
    eprintln!("phi35: {compared} greedy steps equal llama.cpp's, {skipped} near ties skipped");
    assert!(compared >= 60, "too few clear steps: {compared}");
}

#[test]
fn qwen25_shaped_model_matches_llama_cpp() {
    let models = cadence_tests::real_vocab_models();
    let (compared, skipped) = check("qwen25", &models.qwen25);
    eprintln!("qwen25: {compared} greedy steps equal llama.cpp's, {skipped} near ties skipped");
    assert!(compared >= 60, "too few clear steps: {compared}");
}
