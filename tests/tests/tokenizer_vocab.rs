//! The catalogue models' real vocabularies (Phi-3.5's SentencePiece, Qwen2.5's byte-level
//! BPE), read from vocabulary-only GGUFs: token for token equal to the models' Hugging Face
//! tokenizers on llama.cpp's test texts, and to llama.cpp itself on texts of our own and on
//! chat prompts rendered from the GGUFs' own templates.

use std::path::PathBuf;

use cadence::llm::gguf::GgufFile;
use cadence::llm::{Architecture, ChatTemplate, Message, Role, TextTokenizer};
use serde_json::Value;

fn vocab_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/vocab")
}

fn load(name: &str) -> (GgufFile, TextTokenizer) {
    let file = GgufFile::open(&vocab_dir().join(format!("ggml-vocab-{name}.gguf"))).unwrap();
    let tokenizer = TextTokenizer::load(&file, None).unwrap();
    (file, tokenizer)
}

/// llama.cpp's test-tokenizer-0 cases: texts between separator lines, and one line of
/// reference ids for each.
fn reference_cases(name: &str) -> Vec<(String, Vec<u32>)> {
    let base = vocab_dir().join(format!("ggml-vocab-{name}.gguf"));
    let inp = std::fs::read_to_string(base.with_extension("gguf.inp")).unwrap();
    let out = std::fs::read_to_string(base.with_extension("gguf.out")).unwrap();
    // Every text, the last one included, ends with a separator line.
    let mut texts: Vec<&str> = inp.split("\n__ggml_vocab_test__\n").collect();
    if texts.last() == Some(&"") {
        texts.pop();
    }
    let ids: Vec<Vec<u32>> = out
        .lines()
        .map(|line| {
            line.split_whitespace()
                .map(|id| id.parse().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(texts.len(), ids.len(), "{name}: one line of ids per text");
    texts.into_iter().map(str::to_string).zip(ids).collect()
}

fn llama_cpp_reference(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/llama_cpp_vocab_reference.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["vocabs"][name].clone()
}

fn ids_of(value: &Value) -> Vec<u32> {
    serde_json::from_value(value.clone()).unwrap()
}

fn assert_all_agree(name: &str, cases: &[(String, Vec<u32>)], tokenizer: &TextTokenizer) {
    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|(text, expected)| {
            let ids = tokenizer.encode_text(text).unwrap();
            (&ids != expected).then(|| format!("{text:?}: {ids:?}, expected {expected:?}"))
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{name}: {} of {} cases differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}

#[test]
fn phi3_equals_hugging_face_on_every_reference_case() {
    let (_, tokenizer) = load("phi-3");
    let cases = reference_cases("phi-3");
    assert!(cases.len() >= 40);
    assert_all_agree("phi-3", &cases, &tokenizer);
}

#[test]
fn qwen2_equals_hugging_face_on_every_reference_case() {
    let (_, tokenizer) = load("qwen2");
    let cases = reference_cases("qwen2");
    assert!(cases.len() >= 40);
    assert_all_agree("qwen2", &cases, &tokenizer);
}

fn texts_agree_with_llama_cpp(name: &str) {
    let (_, tokenizer) = load(name);
    let reference = llama_cpp_reference(name);
    let cases: Vec<(String, Vec<u32>)> = reference["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            (
                case["text"].as_str().unwrap().to_string(),
                ids_of(&case["ids"]),
            )
        })
        .collect();
    assert!(cases.len() >= 20);
    assert_all_agree(name, &cases, &tokenizer);
}

#[test]
fn phi3_equals_llama_cpp_on_accents_accidentals_cjk_and_whitespace() {
    texts_agree_with_llama_cpp("phi-3");
}

#[test]
fn qwen2_equals_llama_cpp_on_accents_accidentals_cjk_and_whitespace() {
    texts_agree_with_llama_cpp("qwen2");
}

/// A system turn's text at the head of the first user turn.
fn folded(messages: &[Message]) -> Vec<Message> {
    let system: Vec<&str> = messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let mut rest: Vec<Message> = messages
        .iter()
        .filter(|m| m.role != Role::System)
        .cloned()
        .collect();
    rest[0].content = format!("{}\n\n{}", system.join("\n\n"), rest[0].content);
    rest
}

fn chats_agree_with_llama_cpp(name: &str, architecture: Architecture) -> usize {
    let (file, tokenizer) = load(name);
    let template = ChatTemplate::detect(architecture, file.get_str("tokenizer.chat_template"));
    let reference = llama_cpp_reference(name);
    let chats = reference["chats"].as_array().unwrap();
    let mut folded_turns = 0;
    for chat in chats {
        let messages = cadence_tests::chat_messages(&chat["messages"]);
        let rendered = template
            .render(&messages, tokenizer.bos_text(), tokenizer.eos_text())
            .unwrap();
        let ids = tokenizer
            .encode_with_specials(&rendered.text, &rendered.content)
            .unwrap();
        if rendered.text == chat["prompt"].as_str().unwrap() {
            assert_eq!(ids, ids_of(&chat["ids"]), "{name}: {messages:?}");
            continue;
        }
        // The template has no place for a system turn; Cadence folds it into the first
        // user turn, and llama.cpp tokenizes that conversation the same way.
        assert!(
            messages.iter().any(|m| m.role == Role::System),
            "{name}: {messages:?}"
        );
        let expected = chats
            .iter()
            .find(|other| cadence_tests::chat_messages(&other["messages"]) == folded(&messages))
            .unwrap_or_else(|| panic!("{name}: no folded reference for {messages:?}"));
        assert_eq!(rendered.text, expected["prompt"].as_str().unwrap());
        assert_eq!(ids, ids_of(&expected["ids"]), "{name}: {messages:?}");
        folded_turns += 1;
    }
    folded_turns
}

#[test]
fn phi3_chat_prompts_equal_llama_cpp_with_the_gguf_template() {
    // Phi-3's GGUF template drops system turns, so both system conversations fold.
    assert_eq!(chats_agree_with_llama_cpp("phi-3", Architecture::Phi3), 2);
}

#[test]
fn qwen2_chat_prompts_equal_llama_cpp_with_the_gguf_template() {
    assert_eq!(chats_agree_with_llama_cpp("qwen2", Architecture::Qwen2), 0);
}

#[test]
fn chat_tags_a_user_types_stay_text() {
    for (name, architecture, tag) in [
        ("phi-3", Architecture::Phi3, "<|user|>"),
        ("qwen2", Architecture::Qwen2, "<|im_start|>"),
    ] {
        let (file, tokenizer) = load(name);
        let special = tokenizer.token_id(tag).unwrap();
        let template = ChatTemplate::detect(architecture, file.get_str("tokenizer.chat_template"));
        let plain = [Message::user("hello")];
        let typed = [Message::user(format!("{tag} hello {tag}"))];
        let count = |messages: &[Message]| {
            let rendered = template
                .render(messages, tokenizer.bos_text(), tokenizer.eos_text())
                .unwrap();
            let ids = tokenizer
                .encode_with_specials(&rendered.text, &rendered.content)
                .unwrap();
            ids.iter().filter(|&&id| id == special).count()
        };
        assert!(count(&plain) >= 1, "{name}: the template writes {tag}");
        assert_eq!(
            count(&typed),
            count(&plain),
            "{name}: typed {tag} became a token"
        );
        assert!(!tokenizer.encode_text(tag).unwrap().contains(&special));
    }
}

#[test]
fn decoding_gives_back_the_text() {
    for name in ["phi-3", "qwen2"] {
        let (_, tokenizer) = load(name);
        for text in [
            "B♭ major, F♯ minor",
            "和弦进行 ドレミ",
            "a  b\n\n\tc",
            "Für Elise",
        ] {
            let ids = tokenizer.encode_text(text).unwrap();
            assert_eq!(tokenizer.decode(&ids), text, "{name}");
        }
    }
}

#[test]
fn a_bos_written_by_the_template_is_not_doubled_and_one_typed_is_text() {
    let (_, tokenizer) = load("phi-3");
    let bos = tokenizer.token_id("<s>").unwrap();
    let count = |ids: &[u32]| ids.iter().filter(|&&id| id == bos).count();
    // The template wrote "<s>": it is the BOS.
    let template = tokenizer
        .encode_with_specials("<s>hi", std::slice::from_ref(&(3..5)))
        .unwrap();
    assert_eq!((template[0], count(&template)), (bos, 1));
    // A person wrote it: the model still gets its BOS, and the typed text stays text.
    let typed = tokenizer
        .encode_with_specials("<s>hi", std::slice::from_ref(&(0..5)))
        .unwrap();
    assert_eq!((typed[0], count(&typed)), (bos, 1));
    assert!(typed.len() > 2);
}
