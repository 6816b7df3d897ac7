//! Reading Gemini's answers: the server-sent events of `streamGenerateContent`, passed on
//! delta by delta, and the single body of `generateContent`.

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::GeminiAnswer;
use super::error::{Failure, GeminiError, error_for_status, parse_json, quote};
use super::wire::WireResponse;
use cadence_llm::CancelToken;

/// Largest SSE line or error body read; the API's chunks are a few kilobytes.
const MAX_LINE_BYTES: u64 = 8 << 20;
const MAX_BODY_BYTES: u64 = 64 << 20;

/// Finish reasons that mean the answer was withheld, not finished.
const BLOCKING_FINISH_REASONS: [&str; 6] = [
    "SAFETY",
    "RECITATION",
    "PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "IMAGE_SAFETY",
];

pub(super) fn read_body(
    response: ureq::http::Response<ureq::Body>,
    cancel: &CancelToken,
) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let read = response
        .into_body()
        .into_with_config()
        .limit(MAX_BODY_BYTES)
        .reader()
        .read_to_end(&mut bytes);
    if let Err(error) = read {
        if cancel.is_cancelled() {
            return Err(GeminiError::Cancelled.into());
        }
        return Err(GeminiError::Network {
            message: format!("reading the answer failed: {error}"),
        }
        .into());
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads a `generateContent` response: the whole answer in one body.
pub(super) fn read_whole_answer(
    response: ureq::http::Response<ureq::Body>,
    cancel: &CancelToken,
) -> Result<GeminiAnswer, Failure> {
    let text = read_body(response, cancel)?;
    let chunk: WireResponse = parse_json(&text)?;
    let mut answer = Answer::default();
    answer.absorb(chunk, &mut |_| {})?;
    // A whole response normally names its finish reason; without one it is still whole.
    if answer.finish_reason.is_none() {
        answer.finish_reason = Some("STOP".into());
    }
    Ok(answer.finish()?)
}

/// Reads `data:` events until the stream ends, passing text deltas on as they come.
pub(super) fn read_event_stream(
    response: ureq::http::Response<ureq::Body>,
    cancel: &CancelToken,
    on_delta: &mut dyn FnMut(&str),
) -> Result<GeminiAnswer, Failure> {
    let reader = response
        .into_body()
        .into_with_config()
        .limit(MAX_BODY_BYTES)
        .reader();
    let mut reader = BufReader::new(reader);
    let mut answer = Answer::default();
    let mut data = String::new();
    let mut line = Vec::new();
    let fail = |answer: &Answer, error: GeminiError| Failure {
        error,
        output_started: !answer.text.is_empty(),
    };
    loop {
        if cancel.is_cancelled() {
            return Err(fail(&answer, GeminiError::Cancelled));
        }
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', &mut line);
        let at_end = match read {
            Ok(0) => true,
            Ok(_) => false,
            Err(_) if cancel.is_cancelled() => return Err(fail(&answer, GeminiError::Cancelled)),
            // The body broke off: what arrived before the break still counts.
            Err(_) if answer.finish_reason.is_some() => {
                return answer.finish().map_err(Failure::from);
            }
            Err(error) if answer.events == 0 && answer.text.is_empty() && data.is_empty() => {
                return Err(GeminiError::Network {
                    message: format!("the answer broke off: {error}"),
                }
                .into());
            }
            Err(_) => {
                return Err(fail(
                    &answer,
                    GeminiError::StreamCutOff {
                        partial: answer.text.clone(),
                    },
                ));
            }
        };
        if !at_end && !line.ends_with(b"\n") && line.len() as u64 >= MAX_LINE_BYTES {
            return Err(fail(
                &answer,
                GeminiError::BadResponse {
                    message: format!("an event line is longer than {MAX_LINE_BYTES} bytes"),
                },
            ));
        }
        let text = std::str::from_utf8(&line).map_err(|_| {
            fail(
                &answer,
                GeminiError::BadResponse {
                    message: "an event is not UTF-8".into(),
                },
            )
        })?;
        let text = text.trim_end_matches(['\n', '\r']);
        // A blank line ends an event; so does the end of the stream.
        if text.is_empty() || at_end {
            if !text.is_empty() {
                add_field(&mut data, text);
            }
            if !data.is_empty() {
                let event = std::mem::take(&mut data);
                let chunk = parse_event(&event).map_err(|error| fail(&answer, error))?;
                answer
                    .absorb(chunk, on_delta)
                    .map_err(|error| fail(&answer, error))?;
            }
            if at_end {
                break;
            }
        } else {
            add_field(&mut data, text);
        }
    }
    if answer.finish_reason.is_none() {
        let partial = answer.text.clone();
        return Err(fail(&answer, GeminiError::StreamCutOff { partial }));
    }
    answer.finish().map_err(Failure::from)
}

/// Adds one SSE line to the event being read; only `data` fields matter here.
fn add_field(data: &mut String, line: &str) {
    let Some(value) = line.strip_prefix("data:") else {
        // Comments (`:`), `event:`, `id:` and `retry:` carry nothing the API uses.
        return;
    };
    let value = value.strip_prefix(' ').unwrap_or(value);
    if !data.is_empty() {
        data.push('\n');
    }
    data.push_str(value);
}

/// One event: a response chunk, or an error the server reports after the stream began.
fn parse_event(event: &str) -> Result<WireResponse, GeminiError> {
    let value: Value = parse_json(event)?;
    if value.get("error").is_some() {
        let status = value
            .pointer("/error/code")
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
            .unwrap_or(500);
        return Err(error_for_status(status, event, ""));
    }
    serde_json::from_value(value).map_err(|error| GeminiError::BadResponse {
        message: format!("{error} in `{}`", quote(event)),
    })
}

/// The answer as it builds up over the chunks of a stream.
#[derive(Default)]
struct Answer {
    text: String,
    events: u32,
    prompt_tokens: u64,
    output_tokens: u64,
    thoughts_tokens: u64,
    finish_reason: Option<String>,
    model_version: Option<String>,
}

impl Answer {
    fn absorb(
        &mut self,
        chunk: WireResponse,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<(), GeminiError> {
        self.events += 1;
        if let Some(reason) = chunk
            .prompt_feedback
            .and_then(|feedback| feedback.block_reason)
            .filter(|reason| !reason.is_empty() && reason != "BLOCK_REASON_UNSPECIFIED")
        {
            return Err(GeminiError::Blocked { reason });
        }
        // Usage is cumulative in every chunk, so the latest one wins.
        if let Some(usage) = chunk.usage_metadata {
            self.prompt_tokens = usage.prompt_token_count;
            self.output_tokens = usage.candidates_token_count;
            self.thoughts_tokens = usage.thoughts_token_count;
        }
        if chunk.model_version.is_some() {
            self.model_version = chunk.model_version;
        }
        // Cadence asks for one candidate.
        let Some(candidate) = chunk.candidates.into_iter().next() else {
            return Ok(());
        };
        for part in candidate
            .content
            .map(|content| content.parts)
            .unwrap_or_default()
        {
            match part.text {
                Some(text) if !part.thought && !text.is_empty() => {
                    on_delta(&text);
                    self.text.push_str(&text);
                }
                _ => {}
            }
        }
        if let Some(reason) = candidate
            .finish_reason
            .filter(|reason| !reason.is_empty() && reason != "FINISH_REASON_UNSPECIFIED")
        {
            if BLOCKING_FINISH_REASONS.contains(&reason.as_str()) {
                return Err(GeminiError::Blocked { reason });
            }
            self.finish_reason = Some(reason);
        }
        Ok(())
    }

    fn finish(self) -> Result<GeminiAnswer, GeminiError> {
        let Some(finish_reason) = self.finish_reason else {
            return Err(GeminiError::StreamCutOff { partial: self.text });
        };
        Ok(GeminiAnswer {
            text: self.text,
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.output_tokens,
            thoughts_tokens: self.thoughts_tokens,
            finish_reason,
            model_version: self.model_version,
            attempts: 1,
        })
    }
}
