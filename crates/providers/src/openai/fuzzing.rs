//! The readers the client runs on a server's responses, for the fuzz targets
//! (`crates/providers/fuzz`), which make the response from bytes. Nothing else calls these.

use super::error::{Asked, OpenAiError, Refusal};
use super::stream::read_event_stream;
use super::{Failed, OpenAiAnswer};
use crate::ReadResponse;
use crate::http::response_reader;
use cadence_llm::CancelToken;

type Response = ureq::http::Response<ureq::Body>;

/// The key the request is taken to have sent: no message may quote it.
pub const API_KEY: &str = "sk-fuzz-5ecret-key";

const ASKED: Asked<'static> = Asked {
    server: "http://127.0.0.1:8080/v1",
    model: "local-model",
    url: "http://127.0.0.1:8080/v1/chat/completions",
    api_key: Some(API_KEY),
};

/// A chat-completions response with status 200, as `generate` reads it.
pub fn read_stream(response: Response) -> ReadResponse<OpenAiAnswer, OpenAiError> {
    let mut deltas = Vec::new();
    let result = read_event_stream(
        response_reader(response),
        &ASKED,
        &CancelToken::new(),
        &mut |delta| deltas.push(delta.to_string()),
    );
    let result = result.map_err(|failed: Failed| (failed.error, failed.output_started));
    ReadResponse::new(result, deltas)
}

/// A response with any other status, as `generate` reads it: the error it stands for and
/// whether it refused the request's `response_format`, or why its body could not be read.
pub fn read_refusal(response: Response) -> Result<(OpenAiError, bool), OpenAiError> {
    let refusal = Refusal::read(response, &ASKED, &CancelToken::new())?;
    Ok((refusal.error(&ASKED), refusal.of_response_format()))
}
