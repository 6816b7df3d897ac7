//! Gemini's whole responses: the first line is the status and an optional `Retry-After`
//! value (`200`, `429 30`), the rest the body. A 200 is read as `generateContent`'s answer;
//! any other status as the error the client reports, which always says what to do.

#![no_main]

#[path = "../common/response.rs"]
mod response;

use cadence_providers::gemini::{GeminiError, fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((response, status)) = response::with_status(data) else {
        return;
    };
    if status == 200 {
        let read = fuzzing::read_whole(response);
        match read.result {
            Ok(answer) => assert!(!answer.finish_reason.is_empty()),
            Err(error) => {
                assert!(!read.output_started);
                assert!(!error.to_string().is_empty());
            }
        }
        return;
    }
    let read = fuzzing::read_refusal(response, "gemini-2.5-pro");
    let error = read.result.expect_err("a refusal is an error");
    assert!(!error.to_string().is_empty());
    match status {
        429 => assert!(
            matches!(error, GeminiError::RateLimited { .. }),
            "{error:?}"
        ),
        503 => assert!(
            matches!(error, GeminiError::Unavailable { .. }),
            "{error:?}"
        ),
        _ => {}
    }
});
