//! Reading a streamed chat completion: server-sent `chat.completion.chunk` events until
//! `data: [DONE]`, their text passed on delta by delta.

use std::io::Read;

use serde_json::Value;

use super::OpenAiAnswer;
use super::error::{Asked, Failed, OpenAiError, error_message};
use super::wire::WireChunk;
use crate::http::{EventError, EventReader, ReportedUsage};
use cadence_llm::CancelToken;

/// Reads events until the stream ends, passing text deltas on as they come.
///
/// A stream that ends without `[DONE]` and without a finish reason was cut off. Usage comes
/// from the last chunk when the server honours `include_usage`; a server that ignores it
/// (llama-cpp-python's, for one) leaves the counts at 0.
pub(super) fn read_event_stream(
    body: impl Read,
    asked: &Asked,
    cancel: &CancelToken,
    on_delta: &mut dyn FnMut(&str),
) -> Result<OpenAiAnswer, Failed> {
    let mut events = EventReader::new(body);
    let mut answer = Answer::default();
    while !answer.done {
        if cancel.is_cancelled() {
            return Err(answer.failed(OpenAiError::Cancelled));
        }
        let event = match events.next_event() {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(_) if cancel.is_cancelled() => return Err(answer.failed(OpenAiError::Cancelled)),
            // The body broke off after the last chunk: the answer is whole.
            Err(EventError::Io(_)) if answer.finish_reason.is_some() => break,
            Err(EventError::Io(error)) if answer.chunks == 0 && !events.inside_event() => {
                return Err(OpenAiError::Unreachable {
                    server: asked.server.to_string(),
                    message: format!("the answer broke off: {error}"),
                }
                .into());
            }
            Err(EventError::Io(_)) => return Err(answer.cut_off(asked)),
            Err(error) => {
                let error = OpenAiError::BadResponse {
                    server: asked.server.to_string(),
                    message: error.describe(),
                    usage: None,
                };
                return Err(answer.failed(error));
            }
        };
        answer
            .absorb(&event, asked, on_delta)
            .map_err(|error| answer.failed(error))?;
    }
    if !answer.done && answer.finish_reason.is_none() {
        return Err(answer.cut_off(asked));
    }
    Ok(answer.finish())
}

/// The answer as it builds up over the chunks of a stream.
#[derive(Default)]
struct Answer {
    text: String,
    chunks: u32,
    usage: Option<ReportedUsage>,
    finish_reason: Option<String>,
    model: Option<String>,
    /// `[DONE]` arrived.
    done: bool,
}

impl Answer {
    fn absorb(
        &mut self,
        event: &str,
        asked: &Asked,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<(), OpenAiError> {
        if event.trim() == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let value: Value =
            serde_json::from_str(event).map_err(|error| OpenAiError::BadResponse {
                server: asked.server.to_string(),
                message: format!("{error} in `{}`", asked.quote(event)),
                usage: None,
            })?;
        // A server that fails once the stream has begun can only say so in an event. It is
        // not retried: what such servers report this way (a prompt over the context, a
        // failed grammar) fails the same way again.
        if value.get("error").is_some() {
            return Err(OpenAiError::StoppedPartway {
                server: asked.server.to_string(),
                message: asked.quote(&error_message(event).unwrap_or_else(|| event.to_string())),
                partial: self.text.clone(),
                usage: None,
            });
        }
        let chunk: WireChunk =
            serde_json::from_value(value).map_err(|error| OpenAiError::BadResponse {
                server: asked.server.to_string(),
                message: format!("{error} in `{}`", asked.quote(event)),
                usage: None,
            })?;
        self.chunks += 1;
        if chunk.model.is_some() {
            self.model = chunk.model;
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(ReportedUsage {
                prompt_tokens: usage.prompt_tokens,
                output_tokens: usage.completion_tokens,
            });
        }
        // Cadence asks for one choice.
        if let Some(choice) = chunk.choices.into_iter().next() {
            if let Some(text) = choice
                .delta
                .and_then(|delta| delta.content)
                .filter(|text| !text.is_empty())
            {
                on_delta(&text);
                self.text.push_str(&text);
            }
            if let Some(reason) = choice.finish_reason.filter(|reason| !reason.is_empty()) {
                self.finish_reason = Some(reason);
            }
        }
        Ok(())
    }

    /// `error` as an attempt's failure, carrying the usage reported so far; it is not
    /// retried once text has reached the caller.
    fn failed(&self, error: OpenAiError) -> Failed {
        Failed {
            error: error.with_usage(self.usage),
            output_started: !self.text.is_empty(),
        }
    }

    fn cut_off(&self, asked: &Asked) -> Failed {
        self.failed(OpenAiError::StreamCutOff {
            server: asked.server.to_string(),
            partial: self.text.clone(),
            usage: None,
        })
    }

    fn finish(self) -> OpenAiAnswer {
        let usage = self.usage.unwrap_or_default();
        OpenAiAnswer {
            text: self.text,
            prompt_tokens: usage.prompt_tokens,
            output_tokens: usage.output_tokens,
            // `[DONE]` with no finish reason before it: the server named none.
            finish_reason: self.finish_reason.unwrap_or_default(),
            model: self.model,
            attempts: 1,
            schema_enforced: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASKED: Asked<'static> = Asked {
        server: "http://127.0.0.1:8080/v1",
        model: "smollm2",
        url: "http://127.0.0.1:8080/v1/chat/completions",
        api_key: Some("sk-SECRET"),
    };

    fn chunk(content: &str) -> String {
        format!(
            r#"{{"id":"c1","object":"chat.completion.chunk","model":"smollm2","choices":[{{"index":0,"delta":{{"content":{content:?}}},"finish_reason":null}}]}}"#
        )
    }

    const FINISH: &str = r#"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#;
    const USAGE: &str = r#"{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":3,"total_tokens":34}}"#;

    /// Reads `stream`, delivered in pieces of at most `read_size` bytes.
    fn read(stream: &str, read_size: usize) -> (Result<OpenAiAnswer, OpenAiError>, Vec<String>) {
        let mut deltas = Vec::new();
        let body = Pieces {
            bytes: stream.as_bytes().to_vec(),
            at: 0,
            read_size,
        };
        let result = read_event_stream(body, &ASKED, &CancelToken::new(), &mut |delta| {
            deltas.push(delta.to_string())
        })
        .map_err(|failed| failed.error);
        (result, deltas)
    }

    struct Pieces {
        bytes: Vec<u8>,
        at: usize,
        read_size: usize,
    }

    impl Read for Pieces {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let end = (self.at + self.read_size.min(buffer.len())).min(self.bytes.len());
            let read = end - self.at;
            buffer[..read].copy_from_slice(&self.bytes[self.at..end]);
            self.at = end;
            Ok(read)
        }
    }

    #[test]
    fn a_whole_stream_gives_text_usage_and_finish_reason_however_it_is_split() {
        let stream = format!(
            ": ping - 2025-01-01 00:00:00\r\n\r\ndata: {}\r\n\r\ndata: {}\r\n\r\ndata: {}\n\ndata: {FINISH}\n\ndata: {USAGE}\n\ndata: [DONE]\n\n",
            r#"{"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#,
            chunk("Gm7 "),
            chunk("C7"),
        );
        // All of it in one read, and a byte at a time.
        for read_size in [usize::MAX, 1] {
            let (result, deltas) = read(&stream, read_size);
            let answer = result.expect("a whole answer");
            assert_eq!(deltas, ["Gm7 ", "C7"]);
            assert_eq!(answer.text, "Gm7 C7");
            assert_eq!((answer.prompt_tokens, answer.output_tokens), (31, 3));
            assert_eq!(answer.finish_reason, "length");
            assert!(answer.hit_token_limit());
            assert_eq!(answer.model.as_deref(), Some("smollm2"));
        }
    }

    #[test]
    fn a_server_that_ignores_include_usage_reports_no_tokens() {
        let stream = format!("data: {}\n\ndata: {FINISH}\n\ndata: [DONE]\n\n", chunk("C"));
        let answer = read(&stream, 7).0.expect("a whole answer");
        assert_eq!(answer.usage(), ReportedUsage::default());
    }

    #[test]
    fn a_finish_reason_without_done_is_still_whole_and_nothing_after_done_is_read() {
        let stream = format!("data: {}\n\ndata: {FINISH}\n\n", chunk("C"));
        assert_eq!(read(&stream, 64).0.expect("whole").text, "C");
        let stream = format!("data: {}\n\ndata: [DONE]\n\ndata: not json\n\n", chunk("C"));
        assert_eq!(read(&stream, 64).0.expect("whole").finish_reason, "");
    }

    #[test]
    fn a_stream_ending_early_is_cut_off_with_its_partial_text_and_usage() {
        let partial_usage = r#"{"choices":[{"index":0,"delta":{"content":"C7"}}],"usage":{"prompt_tokens":31,"completion_tokens":2}}"#;
        let stream = format!("data: {}\n\ndata: {partial_usage}\n\n", chunk("Gm7 "));
        let (result, deltas) = read(&stream, 64);
        match result {
            Err(error @ OpenAiError::StreamCutOff { .. }) => {
                assert_eq!(
                    error.reported_usage(),
                    Some(ReportedUsage {
                        prompt_tokens: 31,
                        output_tokens: 2
                    })
                );
                let OpenAiError::StreamCutOff { partial, .. } = error else {
                    unreachable!()
                };
                assert_eq!(partial, "Gm7 C7");
            }
            other => panic!("expected StreamCutOff, got {other:?}"),
        }
        assert_eq!(deltas.concat(), "Gm7 C7");
    }

    #[test]
    fn an_error_event_midway_is_reported_with_the_servers_message() {
        let stream = format!(
            "data: {}\n\ndata: {}\n\n",
            chunk("Gm7"),
            r#"{"error":{"code":500,"message":"llama_decode failed","type":"server_error"}}"#
        );
        match read(&stream, 64).0 {
            Err(OpenAiError::StoppedPartway {
                message, partial, ..
            }) => {
                assert_eq!(message, "llama_decode failed");
                assert_eq!(partial, "Gm7");
            }
            other => panic!("expected StoppedPartway, got {other:?}"),
        }
    }

    #[test]
    fn an_unreadable_chunk_is_a_bad_response_that_names_the_server() {
        let (result, _) = read("data: {\"choices\": 5}\n\n", 64);
        let error = result.expect_err("not a chunk");
        assert!(
            matches!(error, OpenAiError::BadResponse { .. }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("http://127.0.0.1:8080/v1"),
            "{error}"
        );
        let (result, _) = read("data: <html>\n\n", 64);
        assert!(matches!(result, Err(OpenAiError::BadResponse { .. })));
    }
}
