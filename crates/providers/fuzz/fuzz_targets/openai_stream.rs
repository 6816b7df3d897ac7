//! Streamed chat completions from an OpenAI-compatible server, read by the client's own
//! reader: the first byte shapes how the body arrives (see `common/response.rs`), the rest
//! is the event stream. Whatever arrives, the text passed on is the answer's text, a failure
//! keeps it as the partial answer, the answer counts as started exactly when text has
//! reached the caller, and no message quotes the API key.

#![no_main]

#[path = "../common/response.rs"]
mod response;

use cadence_providers::openai::{OpenAiError, fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((response, breaks_off)) = response::streamed(data) else {
        return;
    };
    let read = fuzzing::read_stream(response);
    let passed_on = read.deltas.concat();
    match read.result {
        Ok(answer) => assert_eq!(answer.text, passed_on),
        Err(error) => {
            assert_eq!(read.output_started, !passed_on.is_empty(), "{error:?}");
            let message = error.to_string();
            assert!(!message.is_empty());
            assert!(!message.contains(fuzzing::API_KEY), "{message}");
            match error {
                OpenAiError::StreamCutOff { partial, .. }
                | OpenAiError::StoppedPartway { partial, .. } => assert_eq!(partial, passed_on),
                OpenAiError::Unreachable { .. } => {
                    assert!(breaks_off, "no I/O error, yet {error:?}")
                }
                _ => {}
            }
        }
    }
});
