//! The readers the client runs on Gemini's responses, for the fuzz targets
//! (`crates/providers/fuzz`), which make the response from bytes. Nothing else calls these.

use super::GeminiAnswer;
use super::error::{Failed, GeminiError};
use super::stream::{read_event_stream, read_whole_answer, refusal};

use crate::ReadResponse;
use cadence_llm::CancelToken;

type Response = ureq::http::Response<ureq::Body>;

/// A `streamGenerateContent?alt=sse` response with status 200, as `generate` reads it.
pub fn read_stream(response: Response) -> ReadResponse<GeminiAnswer, GeminiError> {
    let mut deltas = Vec::new();
    let result = read_event_stream(response, &CancelToken::new(), &mut |delta| {
        deltas.push(delta.to_string())
    });
    ReadResponse::new(result.map_err(split), deltas)
}

/// A `generateContent` response with status 200, as `generate_once` reads it.
pub fn read_whole(response: Response) -> ReadResponse<GeminiAnswer, GeminiError> {
    let result = read_whole_answer(response, &CancelToken::new());
    ReadResponse::new(result.map_err(split), Vec::new())
}

/// A response with any other status, as every request reads it; `model` is the one asked for.
pub fn read_refusal(response: Response, model: &str) -> ReadResponse<(), GeminiError> {
    let failed = refusal(response, model, &CancelToken::new());
    ReadResponse::new(Err(split(failed)), Vec::new())
}

fn split(failed: Failed) -> (GeminiError, bool) {
    (failed.error, failed.output_started)
}
