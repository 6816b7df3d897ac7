//! The Gemini client against a fake Gemini server over real HTTP: streaming, the request it
//! sends, every documented error, the retry policy and cancellation.

use std::time::{Duration, Instant};

use cadence::llm::{CancelToken, Message};
use cadence::providers::ReportedUsage;
use cadence::providers::gemini::{
    GeminiAnswer, GeminiClient, GeminiConfig, GeminiError, GeminiRequest,
};
use cadence_tests::fake_gemini::{FakeGemini, MODEL_VERSION, PROMPT_TOKENS, Reply, answer_chunks};
use serde_json::json;

const KEY: &str = "test-key-AIza";
const MODEL: &str = "gemini-2.5-pro";

fn config(server: &FakeGemini) -> GeminiConfig {
    let mut config = GeminiConfig::new(KEY, MODEL);
    config.endpoint = server.endpoint();
    config.timeout = Duration::from_secs(10);
    // Short backoff keeps the 5xx tests fast; the policy is the same.
    config.first_backoff = Duration::from_millis(50);
    config
}

fn client(server: &FakeGemini) -> GeminiClient {
    GeminiClient::new(config(server))
}

fn request() -> GeminiRequest {
    GeminiRequest {
        system: Some("You are a music teacher.".into()),
        messages: vec![Message::user("Spell a ii-V-I in F major.")],
        ..GeminiRequest::default()
    }
}

/// Runs a streamed generation, returning the result and the deltas in arrival order.
fn generate(
    client: &GeminiClient,
    cancel: &CancelToken,
) -> (Result<GeminiAnswer, GeminiError>, Vec<String>) {
    let mut deltas = Vec::new();
    let result = client.generate(&request(), cancel, &mut |delta| {
        deltas.push(delta.to_string())
    });
    (result, deltas)
}

const PIECES: [&str; 3] = ["Gm7 ", "C7 ", "Fmaj7"];

#[test]
fn streamed_answer_arrives_in_order_with_usage() {
    let server = FakeGemini::start([Reply::streamed(&PIECES)]);
    let (result, deltas) = generate(&client(&server), &CancelToken::new());
    let answer = result.expect("the streamed answer");
    assert_eq!(deltas, PIECES);
    assert_eq!(deltas.concat(), answer.text);
    assert_eq!(answer.text, "Gm7 C7 Fmaj7");
    assert_eq!(answer.finish_reason, "STOP");
    // Usage is cumulative: the last chunk's counts are the answer's.
    assert_eq!(answer.prompt_tokens, PROMPT_TOKENS);
    assert_eq!(answer.output_tokens, 2 * PIECES.len() as u64);
    assert_eq!(answer.model_version.as_deref(), Some(MODEL_VERSION));
    assert_eq!(answer.attempts, 1);
    assert_eq!(
        answer.usage(),
        ReportedUsage {
            prompt_tokens: PROMPT_TOKENS,
            output_tokens: answer.output_tokens
        }
    );
    assert!(!answer.hit_token_limit());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn request_carries_key_model_system_roles_and_schema() {
    let server = FakeGemini::start([Reply::streamed(&PIECES)]);
    let schema = json!({
        "type": "object",
        "properties": {"chords": {"type": "array", "items": {"type": "string"}}},
        "required": ["chords"]
    });
    let request = GeminiRequest {
        system: Some("You are a music teacher.".into()),
        messages: vec![
            Message::user("A ii-V-I in F?"),
            Message::assistant("Gm7 C7 Fmaj7"),
            Message::user("Now in B flat."),
        ],
        schema: Some(schema.clone()),
        temperature: Some(0.25),
        max_output_tokens: Some(512),
    };
    client(&server)
        .generate(&request, &CancelToken::new(), &mut |_| {})
        .expect("the answer");

    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.target,
        format!("/v1beta/models/{MODEL}:streamGenerateContent?alt=sse")
    );
    assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
    assert!(!sent.target.contains(KEY), "the key must not be in the URL");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body = sent.json();
    assert_eq!(
        body["systemInstruction"],
        json!({"parts": [{"text": "You are a music teacher."}]})
    );
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [{"text": "A ii-V-I in F?"}]},
            {"role": "model", "parts": [{"text": "Gm7 C7 Fmaj7"}]},
            {"role": "user", "parts": [{"text": "Now in B flat."}]}
        ])
    );
    let generation = &body["generationConfig"];
    assert_eq!(generation["responseMimeType"], "application/json");
    assert_eq!(generation["responseJsonSchema"], schema);
    assert!(generation.get("responseSchema").is_none());
    assert_eq!(generation["temperature"], 0.25);
    assert_eq!(generation["maxOutputTokens"], 512);
}

#[test]
fn deltas_reach_the_caller_before_the_stream_ends() {
    let gap = Duration::from_millis(250);
    let server = FakeGemini::start([Reply::streamed_slowly(&PIECES, gap)]);
    let started = Instant::now();
    let mut arrivals = Vec::new();
    client(&server)
        .generate(&request(), &CancelToken::new(), &mut |_| {
            arrivals.push(started.elapsed())
        })
        .expect("the answer");
    assert_eq!(arrivals.len(), PIECES.len());
    // Two gaps separate the first chunk from the last; buffering would collapse them.
    assert!(
        arrivals[2] - arrivals[0] >= gap * 2 - Duration::from_millis(50),
        "deltas arrived together: {arrivals:?}"
    );
}

#[test]
fn a_rate_limit_waits_the_retry_delay_then_succeeds() {
    let server = FakeGemini::start([Reply::rate_limited("1s"), Reply::streamed(&PIECES)]);
    let started = Instant::now();
    let (result, deltas) = generate(&client(&server), &CancelToken::new());
    let elapsed = started.elapsed();
    let answer = result.expect("the answer after the retry");
    assert_eq!(answer.attempts, 2);
    assert_eq!(answer.text, "Gm7 C7 Fmaj7");
    assert_eq!(deltas.concat(), answer.text);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].received - requests[0].received >= Duration::from_secs(1),
        "the retry came before the server's retryDelay"
    );
    assert!(elapsed >= Duration::from_secs(1));
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

#[test]
fn a_rate_limit_longer_than_the_cap_is_returned_at_once() {
    let server = FakeGemini::start([Reply::rate_limited("120s"), Reply::streamed(&PIECES)]);
    let started = Instant::now();
    let (result, _) = generate(&client(&server), &CancelToken::new());
    match result {
        Err(GeminiError::RateLimited { retry_after }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(120)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.requests().len(), 1);
    let message = GeminiError::RateLimited {
        retry_after: Some(Duration::from_secs(120)),
    }
    .to_string();
    assert!(message.contains("120 s"), "{message}");
}

#[test]
fn a_rate_limit_with_only_retry_after_waits_that_long_then_succeeds() {
    let server = FakeGemini::start([
        Reply::rate_limited_without_retry_info().with_header("Retry-After", "1"),
        Reply::streamed(&PIECES),
    ]);
    let started = Instant::now();
    let (result, _) = generate(&client(&server), &CancelToken::new());
    let answer = result.expect("the answer after the retry");
    assert_eq!(answer.attempts, 2);
    assert_eq!(answer.text, "Gm7 C7 Fmaj7");
    let requests = server.requests();
    assert!(
        requests[1].received - requests[0].received >= Duration::from_secs(1),
        "the retry came before the Retry-After header's second"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_retry_after_longer_than_the_cap_is_returned_with_the_wait_it_asks() {
    let server = FakeGemini::start([
        Reply::rate_limited_without_retry_info().with_header("Retry-After", "90"),
        Reply::streamed(&PIECES),
    ]);
    let started = Instant::now();
    let (result, _) = generate(&client(&server), &CancelToken::new());
    let error = result.expect_err("a wait longer than max_retry_wait");
    assert!(
        matches!(error, GeminiError::RateLimited { retry_after: Some(after) } if after == Duration::from_secs(90)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("it asks to wait 90 s"),
        "{error}"
    );
    assert_eq!(error.reported_usage(), None);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_longer_of_retry_info_and_retry_after_is_waited() {
    let server = FakeGemini::start([
        Reply::rate_limited("0.2s").with_header("Retry-After", "1"),
        Reply::streamed(&PIECES),
    ]);
    let (result, _) = generate(&client(&server), &CancelToken::new());
    assert_eq!(result.expect("the answer after the retry").attempts, 2);
    let requests = server.requests();
    assert!(requests[1].received - requests[0].received >= Duration::from_secs(1));
}

#[test]
fn an_overload_with_retry_after_waits_that_long_instead_of_backing_off() {
    let server = FakeGemini::start([
        Reply::unavailable().with_header("Retry-After", "1"),
        Reply::streamed(&PIECES),
    ]);
    let (result, _) = generate(&client(&server), &CancelToken::new());
    assert_eq!(result.expect("the answer after the retry").attempts, 2);
    let requests = server.requests();
    // The backoff alone would be 50 ms.
    assert!(requests[1].received - requests[0].received >= Duration::from_secs(1));
}

#[test]
fn an_invalid_key_is_not_retried() {
    let server = FakeGemini::start([Reply::invalid_key(), Reply::streamed(&PIECES)]);
    let (result, deltas) = generate(&client(&server), &CancelToken::new());
    let error = result.expect_err("a refused key");
    assert!(matches!(error, GeminiError::InvalidKey), "{error:?}");
    assert!(error.to_string().contains("API key"), "{error}");
    assert!(deltas.is_empty());
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.replies_left(), 1);
}

#[test]
fn another_bad_request_is_not_retried_and_keeps_the_message() {
    let server = FakeGemini::start([
        Reply::bad_request(
            "* GenerateContentRequest.generation_config.max_output_tokens: must be positive",
        ),
        Reply::streamed(&PIECES),
    ]);
    let (result, _) = generate(&client(&server), &CancelToken::new());
    match result {
        Err(GeminiError::BadRequest { message }) => {
            assert!(message.contains("max_output_tokens"), "{message}")
        }
        other => panic!("expected BadRequest, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_server_error_is_retried_and_a_later_attempt_succeeds() {
    let server = FakeGemini::start([Reply::internal_error(), Reply::streamed(&PIECES)]);
    let (result, deltas) = generate(&client(&server), &CancelToken::new());
    let answer = result.expect("the answer on the second attempt");
    assert_eq!(answer.attempts, 2);
    assert_eq!(deltas, PIECES);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn overload_is_surfaced_after_the_last_attempt_with_growing_backoff() {
    let server = FakeGemini::start([
        Reply::unavailable(),
        Reply::unavailable(),
        Reply::unavailable(),
        Reply::streamed(&PIECES),
    ]);
    let (result, _) = generate(&client(&server), &CancelToken::new());
    let error = result.expect_err("three 503s");
    assert!(
        matches!(error, GeminiError::Unavailable { retry_after: None }),
        "{error:?}"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "max_attempts is 3");
    assert_eq!(server.replies_left(), 1);
    // Backoff 50 ms, then 100 ms.
    assert!(requests[1].received - requests[0].received >= Duration::from_millis(50));
    assert!(requests[2].received - requests[1].received >= Duration::from_millis(100));
}

#[test]
fn internal_errors_after_every_attempt_surface_as_server() {
    let server = FakeGemini::start([
        Reply::internal_error(),
        Reply::internal_error(),
        Reply::internal_error(),
    ]);
    let (result, _) = generate(&client(&server), &CancelToken::new());
    match result {
        Err(GeminiError::Server { status, message }) => {
            assert_eq!(status, 500);
            assert!(message.contains("internal error"), "{message}");
        }
        other => panic!("expected Server, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_blocked_prompt_names_the_reason_and_is_not_retried() {
    let server = FakeGemini::start([Reply::blocked_prompt("SAFETY"), Reply::streamed(&PIECES)]);
    let (result, deltas) = generate(&client(&server), &CancelToken::new());
    let error = result.expect_err("a blocked prompt");
    match &error {
        GeminiError::Blocked { reason, usage } => {
            assert_eq!(reason, "SAFETY");
            // The refusal still reports the prompt it read.
            assert_eq!(
                *usage,
                Some(ReportedUsage {
                    prompt_tokens: PROMPT_TOKENS,
                    output_tokens: 0
                })
            );
        }
        other => panic!("expected Blocked, got {other:?}"),
    }
    assert!(error.to_string().contains("SAFETY"), "{error}");
    assert!(deltas.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_answer_stopped_for_recitation_is_blocked() {
    let server = FakeGemini::start([Reply::blocked_answer(
        &["Here are the lyrics"],
        "RECITATION",
    )]);
    let (result, _) = generate(&client(&server), &CancelToken::new());
    assert!(
        matches!(&result, Err(GeminiError::Blocked { reason, .. }) if reason == "RECITATION"),
        "{result:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_cut_off_stream_returns_the_partial_text() {
    let server = FakeGemini::start([Reply::cut_off(&PIECES[..2]), Reply::streamed(&PIECES)]);
    let (result, deltas) = generate(&client(&server), &CancelToken::new());
    match result {
        Err(error @ GeminiError::StreamCutOff { .. }) => {
            // Two chunks of two tokens each arrived, with cumulative usage.
            assert_eq!(
                error.reported_usage(),
                Some(ReportedUsage {
                    prompt_tokens: PROMPT_TOKENS,
                    output_tokens: 4
                })
            );
            let GeminiError::StreamCutOff { partial, .. } = error else {
                unreachable!()
            };
            assert_eq!(partial, "Gm7 C7 ");
            assert_eq!(deltas.concat(), partial);
        }
        other => panic!("expected StreamCutOff, got {other:?}"),
    }
    // The caller has shown the partial text already, so the client does not start over.
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_error_event_midway_stops_the_answer_with_its_usage() {
    let mut events = answer_chunks(&PIECES[..1], None);
    events.push(json!({"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}));
    let server = FakeGemini::start([
        Reply::Stream {
            events,
            gap: Duration::ZERO,
        },
        Reply::streamed(&PIECES),
    ]);
    let (result, deltas) = generate(&client(&server), &CancelToken::new());
    let error = result.expect_err("an error event");
    assert_eq!(
        error.reported_usage(),
        Some(ReportedUsage {
            prompt_tokens: PROMPT_TOKENS,
            output_tokens: 2
        })
    );
    match error {
        GeminiError::StoppedPartway {
            message, partial, ..
        } => {
            assert!(message.contains("Internal error encountered"), "{message}");
            assert_eq!(partial, PIECES[0]);
        }
        other => panic!("expected StoppedPartway, got {other:?}"),
    }
    assert_eq!(deltas, [PIECES[0]]);
    // Text reached the caller, so it is not asked again.
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn max_tokens_is_a_finished_but_truncated_answer() {
    let server = FakeGemini::start([Reply::blocked_answer(
        &["{\"chords\": [\"Gm7\""],
        "MAX_TOKENS",
    )]);
    let (result, _) = generate(&client(&server), &CancelToken::new());
    let answer = result.expect("an answer stopped at the token limit");
    assert!(answer.hit_token_limit());
    assert_eq!(answer.text, "{\"chords\": [\"Gm7\"");
}

#[test]
fn cancelling_during_a_retry_wait_returns_promptly() {
    let server = FakeGemini::start([Reply::rate_limited("30s"), Reply::streamed(&PIECES)]);
    let client = client(&server);
    let cancel = CancelToken::new();
    let started = Instant::now();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        })
    };
    let (result, _) = generate(&client, &cancel);
    let elapsed = started.elapsed();
    canceller.join().unwrap();
    assert!(matches!(result, Err(GeminiError::Cancelled)), "{result:?}");
    assert!(elapsed >= Duration::from_millis(300));
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn cancelling_while_the_server_is_silent_returns_promptly() {
    let server = FakeGemini::start([Reply::Silent(Duration::from_secs(20))]);
    let client = client(&server);
    let cancel = CancelToken::new();
    let started = Instant::now();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        })
    };
    let (result, _) = generate(&client, &cancel);
    let elapsed = started.elapsed();
    canceller.join().unwrap();
    assert!(matches!(result, Err(GeminiError::Cancelled)), "{result:?}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

#[test]
fn cancelling_between_events_stops_the_stream() {
    let server = FakeGemini::start([Reply::streamed_slowly(&PIECES, Duration::from_millis(300))]);
    let cancel = CancelToken::new();
    let mut deltas = Vec::new();
    let result = client(&server).generate(&request(), &cancel, &mut |delta| {
        deltas.push(delta.to_string());
        cancel.cancel();
    });
    assert!(matches!(result, Err(GeminiError::Cancelled)), "{result:?}");
    assert_eq!(deltas, [PIECES[0]]);
}

#[test]
fn a_silent_server_times_out_as_a_network_error() {
    let server = FakeGemini::start([Reply::Silent(Duration::from_secs(20))]);
    let mut config = config(&server);
    config.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let result = GeminiClient::new(config).generate(&request(), &CancelToken::new(), &mut |_| {});
    assert!(
        matches!(&result, Err(GeminiError::Network { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_unreachable_endpoint_is_a_network_error() {
    // A port that was free a moment ago and has no listener now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = GeminiConfig::new(KEY, MODEL);
    config.endpoint = format!("http://127.0.0.1:{port}");
    let result = GeminiClient::new(config).generate(&request(), &CancelToken::new(), &mut |_| {});
    let error = result.expect_err("nothing listens there");
    assert!(matches!(error, GeminiError::Network { .. }), "{error:?}");
    assert!(error.to_string().contains("internet connection"), "{error}");
}

#[test]
fn generate_once_reads_a_whole_answer() {
    let server = FakeGemini::start([Reply::whole("{\"chords\": [\"Gm7\", \"C7\", \"Fmaj7\"]}")]);
    let answer = client(&server)
        .generate_once(&request(), &CancelToken::new())
        .expect("the whole answer");
    assert_eq!(answer.text, "{\"chords\": [\"Gm7\", \"C7\", \"Fmaj7\"]}");
    assert_eq!(answer.prompt_tokens, PROMPT_TOKENS);
    assert_eq!(answer.output_tokens, 7);
    assert_eq!(answer.finish_reason, "STOP");
    let sent = &server.requests()[0];
    assert_eq!(
        sent.target,
        format!("/v1beta/models/{MODEL}:generateContent")
    );
    assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
}

#[test]
fn generate_once_retries_a_rate_limit_too() {
    let server = FakeGemini::start([Reply::rate_limited("0.2s"), Reply::whole("Fmaj7")]);
    let answer = client(&server)
        .generate_once(&request(), &CancelToken::new())
        .expect("the answer after the retry");
    assert_eq!(answer.attempts, 2);
    let requests = server.requests();
    assert!(requests[1].received - requests[0].received >= Duration::from_millis(200));
}
