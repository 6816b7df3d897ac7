//! The `gguf_header` fuzz target's seeds, read as opening a model reads them: the tiny
//! models are read and run, and every broken file is refused with a message naming the file
//! and what is wrong. An input that crashes the target is kept among the seeds, and so here.

use std::path::{Path, PathBuf};

use cadence_llm::gguf::{self, GgufFile, TensorType, Value};
use cadence_llm::{DeviceChoice, Engine, LoadOptions, LogitsMode};

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/gguf_header")
}

/// Each seed that is not a model, with what the refusal must say.
const REFUSED: &[(&str, &str)] = &[
    (
        "array-count-past-end.gguf",
        "metadata `tokenizer.ggml.tokens`: an array of 1099511627776 elements runs past the end of the file",
    ),
    (
        "array-of-arrays-count-past-end.gguf",
        "metadata `tokenizer.ggml.merges`: an array of 64 elements runs past the end of the file",
    ),
    (
        "arrays-nested-too-deep.gguf",
        "metadata `deep`: arrays are nested too deeply",
    ),
    (
        "every-value-type.gguf",
        "metadata `llama.embedding_length` is missing or invalid",
    ),
    (
        "huge-tensor-count.gguf",
        "the header claims 1 metadata entries and 18446744073709551615 tensors, more than the file can hold",
    ),
    (
        "not-gguf.gguf",
        "it does not start with the GGUF magic bytes, so it is not a GGUF file",
    ),
    (
        "string-length-past-end.gguf",
        "metadata `general.name`: a string of 18446744073709551615 bytes runs past the end of the file",
    ),
    (
        "tensor-offset-past-end.gguf",
        "tensor `output.weight` starts past the end of the file",
    ),
    (
        "tensor-shape-overflow.gguf",
        "tensor `token_embd.weight` is impossibly large",
    ),
    (
        "truncated-in-metadata.gguf",
        "metadata `tokenizer.ggml.tokens`: an array of 269 elements runs past the end of the file",
    ),
    (
        "truncated-tensor-data.gguf",
        "tensor `output.weight` needs 9146 bytes at offset 24736 but the file is 33788 bytes long (truncated download?)",
    ),
    (
        "unknown-tensor-type.gguf",
        "tensor `token_embd.weight` has the type number 99, which ggml does not define",
    ),
    (
        "unknown-value-type.gguf",
        "metadata `general.thing`: unknown metadata value type 13",
    ),
    (
        "wrong-magic.gguf",
        "it does not start with the GGUF magic bytes, so it is not a GGUF file",
    ),
];

const MODELS: [&str; 3] = ["llama-q8_0.gguf", "phi3-q4_0.gguf", "qwen2-q4_1.gguf"];

#[test]
fn every_seed_is_a_model_or_refused_by_name() {
    let mut names: Vec<String> = std::fs::read_dir(seeds())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut refused = 0;
    for name in &names {
        let bytes = std::fs::read(seeds().join(name)).unwrap();
        let result = gguf::check_model_bytes(Path::new(name), &bytes);
        if MODELS.contains(&name.as_str()) {
            assert!(result.is_ok(), "{name}: {:?}", result.err());
            continue;
        }
        let message = result
            .err()
            .unwrap_or_else(|| panic!("{name} was accepted"))
            .to_string();
        assert!(message.starts_with(name.as_str()), "{message}");
        // Every broken seed is listed with what its refusal says.
        let expected = REFUSED
            .iter()
            .find(|(seed, _)| seed == name)
            .unwrap_or_else(|| panic!("{name} is not listed: it was refused with {message}"));
        assert!(message.contains(expected.1), "{name}: {message}");
        refused += 1;
    }
    assert_eq!(
        refused,
        REFUSED.len(),
        "a listed seed is missing from {names:?}"
    );
}

/// The model seeds are real models: they load and give logits.
#[test]
fn the_model_seeds_load_and_run() {
    let options = LoadOptions {
        device: DeviceChoice::Cpu,
        context_length: Some(16),
        threads: Some(1),
        ..LoadOptions::default()
    };
    for name in MODELS {
        let mut engine = Engine::load(&seeds().join(name), &options).unwrap();
        let vocab = engine.model_mut().vocab_size();
        let logits = engine
            .model_mut()
            .forward(&[1, 2, 3], LogitsMode::Last)
            .unwrap();
        assert_eq!(logits.len(), vocab, "{name}");
        assert!(logits.iter().all(|v| v.is_finite()), "{name}");
    }
}

/// Every metadata value type, arrays of arrays, a 64-byte alignment, and tensor types
/// Cadence runs and some it does not.
#[test]
fn every_value_type_and_tensor_type_is_read() {
    let file = GgufFile::open(&seeds().join("every-value-type.gguf")).unwrap();
    assert_eq!(file.get("u8"), Some(&Value::U8(7)));
    assert_eq!(file.get("i8"), Some(&Value::I8(-2)));
    assert_eq!(file.get("u16"), Some(&Value::U16(300)));
    assert_eq!(file.get("i16"), Some(&Value::I16(-300)));
    assert_eq!(file.get("i32"), Some(&Value::I32(-7)));
    assert_eq!(file.get_f64("f32"), Some(1.5));
    assert_eq!(file.get("bool"), Some(&Value::Bool(true)));
    assert_eq!(file.get_u64("u64"), Some(1 << 40));
    assert_eq!(file.get("i64"), Some(&Value::I64(-1)));
    assert_eq!(file.get_f64("f64"), Some(2.25));
    let strings = file.get("strings").and_then(Value::as_array).unwrap();
    assert_eq!(
        strings
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect::<Vec<_>>(),
        ["a", "ü", ""]
    );
    assert_eq!(
        file.get("nested"),
        Some(&Value::Array(vec![
            Value::Array(vec![Value::Array(vec![Value::U8(1), Value::U8(2)])]),
            Value::Array(vec![Value::String("deep".into())]),
        ]))
    );
    assert_eq!(file.get("empty"), Some(&Value::Array(vec![])));
    let types: Vec<(TensorType, usize)> = file
        .tensors
        .iter()
        .map(|t| (t.tensor_type, t.byte_len))
        .collect();
    assert_eq!(
        types,
        [
            (TensorType::F16, 64),
            (TensorType::Bf16, 64),
            (TensorType::Q4K, 144),
            (TensorType::Q6K, 210),
            (TensorType::I32, 16),
            (TensorType::Iq4Xs, 136),
        ]
    );
    assert!(file.tensors.iter().all(|t| t.offset % 64 == 0));
}
