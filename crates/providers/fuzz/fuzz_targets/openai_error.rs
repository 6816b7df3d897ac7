//! An OpenAI-compatible server's refusals: the first line is the status and an optional
//! `Retry-After` value (`429 30`), the rest the error body, in any of the shapes servers
//! send. The error says what to do and never quotes the API key; only a 400, 422 or 500
//! can be a refusal of the request's `response_format`.

#![no_main]

#[path = "../common/response.rs"]
mod response;

use cadence_providers::openai::{OpenAiError, fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((response, status)) = response::with_status(data) else {
        return;
    };
    let (error, of_response_format) = match fuzzing::read_refusal(response) {
        Ok(refusal) => refusal,
        Err(error) => panic!("a body in memory is always read: {error}"),
    };
    let message = error.to_string();
    assert!(!message.is_empty());
    assert!(!message.contains(fuzzing::API_KEY), "{message}");
    assert!(!of_response_format || matches!(status, 400 | 422 | 500));
    match status {
        401 | 403 => assert!(matches!(error, OpenAiError::KeyRefused { .. }), "{error:?}"),
        429 => assert!(
            matches!(error, OpenAiError::RateLimited { .. }),
            "{error:?}"
        ),
        _ => {}
    }
});
