//! Gemini's streamed answers (`streamGenerateContent?alt=sse`), read by the client's own
//! reader: the first byte shapes how the body arrives (see `common/response.rs`), the rest
//! is the event stream. Whatever arrives, the text passed on is the answer's text, a failure
//! keeps it as the partial answer, and the answer counts as started exactly when text has
//! reached the caller (after which nothing is retried).

#![no_main]

#[path = "../common/response.rs"]
mod response;

use cadence_providers::gemini::{GeminiError, fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((response, breaks_off)) = response::streamed(data) else {
        return;
    };
    let read = fuzzing::read_stream(response);
    let passed_on = read.deltas.concat();
    match read.result {
        Ok(answer) => {
            assert_eq!(answer.text, passed_on);
            assert!(!answer.finish_reason.is_empty());
        }
        Err(error) => {
            assert_eq!(read.output_started, !passed_on.is_empty(), "{error:?}");
            assert!(!error.to_string().is_empty());
            match error {
                GeminiError::StreamCutOff { partial, .. }
                | GeminiError::StoppedPartway { partial, .. } => assert_eq!(partial, passed_on),
                GeminiError::Network { .. } => assert!(breaks_off, "no I/O error, yet {error:?}"),
                _ => {}
            }
        }
    }
});
