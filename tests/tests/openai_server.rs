//! The OpenAI-compatible client against a real server: llama-cpp-python's, serving the
//! SmolLM2 test model over HTTP. Streaming, an answer held to a JSON schema, a refused key,
//! a prompt over the context, a server killed mid-answer, cancelling, and a closed port.
//!
//! One server, wanting an API key, serves the suite; the test that kills a server starts its
//! own. Every server stops with the test process (see `LlamaServer`).

use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cadence::llm::{CancelToken, Message};
use cadence::providers::ReportedUsage;
use cadence::providers::openai::{
    OpenAiAnswer, OpenAiClient, OpenAiConfig, OpenAiError, OpenAiRequest,
};
use cadence_tests::llama_server::{LlamaServer, free_port};
use cadence_tests::smollm2_gguf;
use serde_json::{Value, json};

const KEY: &str = "cadence-test-key-7d1f";

/// The suite's server, started by the first test that needs it.
fn server() -> &'static LlamaServer {
    static SERVER: OnceLock<LlamaServer> = OnceLock::new();
    SERVER.get_or_init(|| LlamaServer::start_with_api_key(&smollm2_gguf(), Some(KEY)))
}

fn client(base_url: String, model: &str, api_key: Option<&str>) -> OpenAiClient {
    let mut config = OpenAiConfig::new(base_url, model, api_key.map(str::to_string));
    config.timeout = Duration::from_secs(60);
    config.first_backoff = Duration::from_millis(50);
    OpenAiClient::new(config)
}

fn suite_client() -> OpenAiClient {
    let server = server();
    client(server.base_url(), server.model(), Some(KEY))
}

fn request(question: &str, max_tokens: u32) -> OpenAiRequest {
    OpenAiRequest {
        messages: vec![
            Message::system("You are a music teacher."),
            Message::user(question),
        ],
        schema: None,
        temperature: Some(0.0),
        max_tokens: Some(max_tokens),
        seed: Some(1),
    }
}

/// Runs a streamed generation, returning the result and the deltas in arrival order.
fn generate(
    client: &OpenAiClient,
    request: &OpenAiRequest,
) -> (Result<OpenAiAnswer, OpenAiError>, Vec<String>) {
    let mut deltas = Vec::new();
    let result = client.generate(request, &CancelToken::new(), &mut |delta| {
        deltas.push(delta.to_string())
    });
    (result, deltas)
}

#[test]
fn a_streamed_answer_arrives_in_deltas_that_make_up_its_text() {
    let (result, deltas) = generate(
        &suite_client(),
        &request("Name the three notes of a C major triad.", 48),
    );
    let answer = result.expect("a streamed answer");
    assert!(deltas.len() >= 2, "one delta is no stream: {deltas:?}");
    assert_eq!(deltas.concat(), answer.text);
    assert!(!answer.text.trim().is_empty());
    assert!(
        ["stop", "length"].contains(&answer.finish_reason.as_str()),
        "{answer:?}"
    );
    assert_eq!(answer.hit_token_limit(), answer.finish_reason == "length");
    assert_eq!(answer.attempts, 1);
    assert!(!answer.schema_enforced);
    // llama-cpp-python 0.3.36 ignores stream_options.include_usage: no chunk reports
    // usage, so the counts stay 0 rather than being made up.
    assert_eq!(answer.usage(), ReportedUsage::default());
}

#[test]
fn a_schema_is_enforced_in_the_form_the_server_accepts() {
    let schema = json!({
        "type": "object",
        "properties": {
            "key": {"type": "string", "enum": ["C major", "G major"]},
            "bars": {"type": "integer"}
        },
        "required": ["key", "bars"]
    });
    let mut request = request(
        "Which key has one sharp, and how many bars has a twelve-bar blues? Answer in JSON.",
        100,
    );
    request.schema = Some(schema.clone());
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let client = suite_client();

    // The server refuses `json_schema` (HTTP 500 from its request validation) and takes
    // `json_object` with the schema, which it turns into a grammar.
    let (result, deltas) = generate(&client, &request);
    let answer = result.expect("a schema answer");
    assert_eq!(
        answer.attempts, 2,
        "json_schema, then json_object: {answer:?}"
    );
    assert!(answer.schema_enforced);
    assert_eq!(answer.finish_reason, "stop", "{answer:?}");
    assert_eq!(deltas.concat(), answer.text);
    let value: Value = serde_json::from_str(&answer.text)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", answer.text));
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{value} breaks the schema: {errors:?}");

    // The client remembers the refusal: the next answer takes one request.
    let (result, _) = generate(&client, &request);
    let again = result.expect("a second schema answer");
    assert_eq!(again.attempts, 1);
    assert!(again.schema_enforced);
    assert!(validator.is_valid(&serde_json::from_str(&again.text).expect("JSON")));
}

#[test]
fn a_wrong_key_is_refused_with_a_message_that_names_the_server_but_not_the_key() {
    let server = server();
    let wrong_key = "sk-wrong-3c9e";
    let refused = client(server.base_url(), server.model(), Some(wrong_key));
    let (result, deltas) = generate(&refused, &request("Spell a G7 chord.", 16));
    let error = result.expect_err("a refused key");
    assert!(
        matches!(error, OpenAiError::KeyRefused { status: 401, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&server.base_url()), "{message}");
    assert!(message.contains("api_key_env"), "{message}");
    assert!(message.contains("Invalid API key"), "{message}");
    assert!(!message.contains(wrong_key) && !format!("{error:?}").contains(wrong_key));
    assert!(
        !format!("{:?}", refused.config()).contains(wrong_key),
        "Debug shows the key"
    );
    assert!(deltas.is_empty());

    // With no key at all, the same.
    let keyless = client(server.base_url(), server.model(), None);
    let (result, _) = generate(&keyless, &request("Spell a G7 chord.", 16));
    assert!(
        matches!(result, Err(OpenAiError::KeyRefused { .. })),
        "{result:?}"
    );
}

#[test]
fn a_prompt_over_the_context_ends_the_stream_before_any_text() {
    // llama-cpp-python answers a streamed request 200 at once and finds the prompt too long
    // only then, so the stream ends with no chunk: nothing arrived, and nothing is retried.
    let question = "la ".repeat(3000);
    let (result, deltas) = generate(&suite_client(), &request(&question, 16));
    match result {
        Err(OpenAiError::StreamCutOff {
            ref server,
            ref partial,
            usage,
        }) => {
            assert_eq!(server, &self::server().base_url());
            assert!(partial.is_empty());
            assert_eq!(usage, None);
        }
        other => panic!("expected StreamCutOff, got {other:?}"),
    }
    assert!(deltas.is_empty());
}

#[test]
fn a_server_killed_mid_answer_gives_the_partial_text_not_a_hang() {
    let server = LlamaServer::start(&smollm2_gguf());
    let client = client(server.base_url(), server.model(), None);
    let long = request(
        "Write a long story about a young pianist who practises scales every day.",
        400,
    );
    let mut deltas = Vec::new();
    let started = Instant::now();
    let result = client.generate(&long, &CancelToken::new(), &mut |delta| {
        deltas.push(delta.to_string());
        if deltas.len() == 3 {
            server.kill();
        }
    });
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    match result {
        Err(OpenAiError::StreamCutOff { partial, usage, .. }) => {
            assert!(deltas.len() >= 3, "{deltas:?}");
            assert_eq!(partial, deltas.concat());
            assert_eq!(usage, None, "the server sends usage only at the end");
        }
        other => panic!("expected StreamCutOff, got {other:?} after {deltas:?}"),
    }
}

#[test]
fn cancelling_mid_answer_returns_promptly() {
    let client = suite_client();
    let long = request(
        "Write a long story about a drummer who learns to read rhythms.",
        400,
    );
    let cancel = CancelToken::new();
    let (first_delta, arrived) = mpsc::channel();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            arrived.recv().expect("a first delta");
            let cancelled_at = Instant::now();
            cancel.cancel();
            cancelled_at
        })
    };
    let mut deltas = Vec::new();
    let result = client.generate(&long, &cancel, &mut |delta| {
        if deltas.is_empty() {
            let _ = first_delta.send(());
        }
        deltas.push(delta.to_string());
    });
    let returned_at = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    assert!(matches!(result, Err(OpenAiError::Cancelled)), "{result:?}");
    assert!(
        returned_at - cancelled_at < Duration::from_secs(2),
        "took {:?}",
        returned_at - cancelled_at
    );
    assert!(!deltas.is_empty());
}

#[test]
fn a_closed_port_says_the_server_cannot_be_reached() {
    let base_url = format!("http://127.0.0.1:{}/v1", free_port());
    let client = client(base_url.clone(), "smollm2", None);
    let (result, _) = generate(&client, &request("Spell a G7 chord.", 16));
    let error = result.expect_err("nothing listens there");
    assert!(
        matches!(error, OpenAiError::Unreachable { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("cannot reach the server at {base_url}")),
        "{message}"
    );
    assert!(message.contains("is it running?"), "{message}");
}
