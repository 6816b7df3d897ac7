//! The catalogue's two models as a user runs them, from the GGUF alone: random-weight
//! models of Phi-3.5's and Qwen2.5's shapes carrying their real vocabularies and chat
//! templates, installed as `phi-3.5-mini` and `qwen2.5-7b`, driven through the CLI.

use std::path::Path;
use std::process::Output;

use cadence_tests::{cadence, install_real_vocab_models};
use serde_json::Value;

fn run(home: &Path, args: &[&str]) -> Output {
    let output = cadence(home).args(args).output().expect("cadence runs");
    assert!(
        output.status.success(),
        "cadence {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn installed_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    install_real_vocab_models(home.path());
    home
}

fn llama_cpp_text_case(vocab: &str, text: &str) -> Vec<u64> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/llama_cpp_vocab_reference.json");
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let case = reference["vocabs"][vocab]["texts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["text"] == text)
        .unwrap_or_else(|| panic!("no reference for {text:?}"));
    serde_json::from_value(case["ids"].clone()).unwrap()
}

#[test]
fn both_models_count_as_installed_from_the_gguf_alone() {
    let home = installed_home();
    let output = run(home.path(), &["models", "list", "--json"]);
    let models: Value = serde_json::from_slice(&output.stdout).unwrap();
    for id in ["phi-3.5-mini", "qwen2.5-7b"] {
        let model = models
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap();
        assert_eq!(model["availability"]["state"], "installed", "{model}");
    }
}

#[test]
fn tokenize_prints_llama_cpp_ids_and_the_pieces_that_spell_the_text() {
    let home = installed_home();
    for (model, vocab) in [("phi-3.5-mini", "phi-3"), ("qwen2.5-7b", "qwen2")] {
        let text = "B♭ major, F♯ minor, E𝄫, C𝄪";
        let output = run(home.path(), &["tokenize", "--model", model, "--json", text]);
        let tokens: Value = serde_json::from_slice(&output.stdout).unwrap();
        let ids: Vec<u64> = serde_json::from_value(tokens["ids"].clone()).unwrap();
        assert_eq!(ids, llama_cpp_text_case(vocab, text), "{model}");
        let pieces: Vec<String> = serde_json::from_value(tokens["pieces"].clone()).unwrap();
        assert_eq!(pieces.len(), ids.len());
        // Whole characters spell the text; a character split into bytes shows its bytes.
        assert!(
            pieces.concat().contains("B♭ major, F♯ minor"),
            "{model}: {pieces:?}"
        );
    }

    // A chat tag a user types stays text, and the table form names each token.
    let output = run(
        home.path(),
        &["tokenize", "--model", "qwen2.5-7b", "<|im_start|>"],
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(!table.contains("151644"), "{table}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("6 tokens"));
}

#[test]
fn tokenize_explains_a_model_that_is_not_there() {
    let home = tempfile::tempdir().unwrap();
    let output = cadence(home.path())
        .args(["tokenize", "--model", "phi-3.5-mini", "hello"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cadence models download phi-3.5-mini"),
        "{stderr}"
    );
}

#[test]
fn both_models_generate_text() {
    let home = installed_home();
    for model in ["phi-3.5-mini", "qwen2.5-7b"] {
        let output = run(
            home.path(),
            &[
                "generate",
                "--model",
                model,
                "--temperature",
                "0",
                "--max-tokens",
                "8",
                "--system",
                "You are a music teacher.",
                "Name a chord.",
            ],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(" 8 generated"), "{model}: {stderr}");
    }
}

#[test]
fn both_models_write_json_held_to_a_schema() {
    let home = installed_home();
    let schema = home.path().join("schema.json");
    std::fs::write(
        &schema,
        r#"{"type": "object", "properties": {"key": {"enum": ["C", "G", "E♭"]}, "mode": {"enum": ["major", "minor"]}}, "required": ["key", "mode"]}"#,
    )
    .unwrap();
    for model in ["phi-3.5-mini", "qwen2.5-7b"] {
        let output = run(
            home.path(),
            &[
                "generate",
                "--model",
                model,
                "--schema",
                schema.to_str().unwrap(),
                "--temperature",
                "0",
                "Pick a key.",
            ],
        );
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(
            ["C", "G", "E♭"].contains(&document["key"].as_str().unwrap()),
            "{model}: {document}"
        );
        assert!(["major", "minor"].contains(&document["mode"].as_str().unwrap()));
    }
}
