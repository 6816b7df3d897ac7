//! Inputs on which the fuzz targets in `fuzz/` found a bug, each kept there as a seed too,
//! fed through the same readers the clients run on a response.

#[path = "../fuzz/common/response.rs"]
mod response;

use cadence_providers::gemini::{GeminiError, fuzzing};

#[test]
fn a_retry_after_date_past_year_9999_is_ignored() {
    // `Sun Nov  6 08:49:37 <19 digits>` overflowed the count of seconds to wait.
    let input = include_bytes!("../fuzz/seeds/gemini_response/crash-retry-after-year-overflow");
    let (response, status) = response::with_status(input).unwrap();
    assert_eq!(status, 503);
    let error = fuzzing::read_refusal(response, "gemini-2.5-pro")
        .result
        .unwrap_err();
    assert!(
        matches!(error, GeminiError::Unavailable { retry_after: None }),
        "{error:?}"
    );
    assert!(error.to_string().contains("try again"), "{error}");
}

#[test]
fn a_whole_answer_blocked_after_its_text_has_not_started() {
    // Nothing of a `generateContent` answer reaches the caller before it is read whole.
    let input = include_bytes!("../fuzz/seeds/gemini_response/crash-blocked-whole-answer-started");
    let (response, _) = response::with_status(input).unwrap();
    let read = fuzzing::read_whole(response);
    assert!(
        matches!(read.result, Err(GeminiError::Blocked { ref reason, .. }) if reason == "SPII"),
        "{:?}",
        read.result.err()
    );
    assert!(!read.output_started);
}
