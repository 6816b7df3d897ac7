//! Reading Gemini's answers: the server-sent events of `streamGenerateContent`, passed on
//! delta by delta, and the single body of `generateContent`.

use serde_json::Value;

use super::GeminiAnswer;
use super::error::{Failed, GeminiError, error_for_status, parse_json, quote};
use super::wire::WireResponse;
use crate::http::{
    EventError, EventReader, ReportedUsage, read_body, response_reader, retry_after,
};
use cadence_llm::CancelToken;

/// Finish reasons that mean the answer was withheld, not finished.
const BLOCKING_FINISH_REASONS: [&str; 6] = [
    "SAFETY",
    "RECITATION",
    "PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "IMAGE_SAFETY",
];

/// The body of a response, or why it could not be read.
fn read_text(
    response: ureq::http::Response<ureq::Body>,
    cancel: &CancelToken,
) -> Result<String, GeminiError> {
    read_body(response).map_err(|error| {
        if cancel.is_cancelled() {
            GeminiError::Cancelled
        } else {
            GeminiError::Network {
                message: format!("reading the answer failed: {error}"),
            }
        }
    })
}

/// The error a response other than 200 stands for, from its status, its `Retry-After`
/// and its body.
pub(super) fn refusal(
    response: ureq::http::Response<ureq::Body>,
    model: &str,
    cancel: &CancelToken,
) -> Failed {
    let status = response.status().as_u16();
    let asked = retry_after(response.headers());
    match read_text(response, cancel) {
        Ok(text) => error_for_status(status, &text, model, asked).into(),
        Err(error) => error.into(),
    }
}

/// Reads a `generateContent` response: the whole answer in one body.
pub(super) fn read_whole_answer(
    response: ureq::http::Response<ureq::Body>,
    cancel: &CancelToken,
) -> Result<GeminiAnswer, Failed> {
    let text = read_text(response, cancel)?;
    let chunk: WireResponse = parse_json(&text)?;
    let mut answer = Answer::default();
    // No text reaches the caller before the whole answer is read: a failure carries the
    // usage reported, but has not started the answer.
    answer
        .absorb(chunk, &mut |_| {})
        .map_err(|error| Failed::from(error.with_usage(answer.usage())))?;
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
) -> Result<GeminiAnswer, Failed> {
    let mut events = EventReader::new(response_reader(response));
    let mut answer = Answer::default();
    loop {
        if cancel.is_cancelled() {
            return Err(answer.failed(GeminiError::Cancelled));
        }
        let event = match events.next_event() {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(_) if cancel.is_cancelled() => return Err(answer.failed(GeminiError::Cancelled)),
            // The body broke off: what arrived before the break still counts.
            Err(EventError::Io(_)) if answer.finish_reason.is_some() => break,
            Err(EventError::Io(error)) if answer.events == 0 && !events.inside_event() => {
                return Err(GeminiError::Network {
                    message: format!("the answer broke off: {error}"),
                }
                .into());
            }
            Err(EventError::Io(_)) => return Err(answer.cut_off()),
            Err(error) => {
                return Err(answer.failed(GeminiError::bad_response(error.describe())));
            }
        };
        answer
            .absorb_event(&event, on_delta)
            .map_err(|error| answer.failed(error))?;
    }
    if answer.finish_reason.is_none() {
        return Err(answer.cut_off());
    }
    answer.finish().map_err(Failed::from)
}

/// The answer as it builds up over the chunks of a stream.
#[derive(Default)]
struct Answer {
    text: String,
    events: u32,
    /// Whether any chunk carried usage metadata.
    usage_reported: bool,
    prompt_tokens: u64,
    output_tokens: u64,
    thoughts_tokens: u64,
    finish_reason: Option<String>,
    model_version: Option<String>,
}

impl Answer {
    /// Adds one event: a response chunk, or an error the server reports in place of one.
    fn absorb_event(
        &mut self,
        event: &str,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<(), GeminiError> {
        let value: Value = parse_json(event)?;
        if value.get("error").is_some() {
            return Err(self.error_event(event, &value));
        }
        let chunk = serde_json::from_value(value)
            .map_err(|error| GeminiError::bad_response(format!("{error} in `{}`", quote(event))))?;
        self.absorb(chunk, on_delta)
    }

    /// An error event: as its status says when it comes first (the request failed), and
    /// `StoppedPartway` once the answer has begun.
    fn error_event(&self, event: &str, value: &Value) -> GeminiError {
        if self.events > 0 {
            return GeminiError::StoppedPartway {
                message: value
                    .pointer("/error/message")
                    .and_then(Value::as_str)
                    .map_or_else(|| quote(event), quote),
                partial: self.text.clone(),
                usage: None,
            };
        }
        let status = value
            .pointer("/error/code")
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
            .unwrap_or(500);
        error_for_status(status, event, "", None)
    }

    fn absorb(
        &mut self,
        chunk: WireResponse,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<(), GeminiError> {
        self.events += 1;
        // Usage is cumulative in every chunk, so the latest one wins.
        if let Some(usage) = chunk.usage_metadata {
            self.usage_reported = true;
            self.prompt_tokens = usage.prompt_token_count;
            self.output_tokens = usage.candidates_token_count;
            self.thoughts_tokens = usage.thoughts_token_count;
        }
        if let Some(reason) = chunk
            .prompt_feedback
            .and_then(|feedback| feedback.block_reason)
            .filter(|reason| !reason.is_empty() && reason != "BLOCK_REASON_UNSPECIFIED")
        {
            return Err(GeminiError::Blocked {
                reason,
                usage: None,
            });
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
                return Err(GeminiError::Blocked {
                    reason,
                    usage: None,
                });
            }
            self.finish_reason = Some(reason);
        }
        Ok(())
    }

    /// The usage Gemini reported so far, if it sent any.
    fn usage(&self) -> Option<ReportedUsage> {
        self.usage_reported.then_some(ReportedUsage {
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.output_tokens + self.thoughts_tokens,
        })
    }

    /// `error` as an attempt's failure, carrying the usage reported so far; it is not
    /// retried once text has reached the caller.
    fn failed(&self, error: GeminiError) -> Failed {
        Failed {
            error: error.with_usage(self.usage()),
            output_started: !self.text.is_empty(),
        }
    }

    fn cut_off(&self) -> Failed {
        self.failed(GeminiError::StreamCutOff {
            partial: self.text.clone(),
            usage: None,
        })
    }

    fn finish(self) -> Result<GeminiAnswer, GeminiError> {
        let Some(finish_reason) = self.finish_reason else {
            return Err(self.cut_off().error);
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
