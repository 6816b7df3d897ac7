//! A server's failures as the user sees them: every HTTP status and error body becomes an
//! [`OpenAiError`] that names the server and says what to do next, and says whether a
//! retry can help.

use std::time::Duration;

use serde_json::Value;

use crate::http::{
    Failure, ReportedUsage, RetryPolicy, Retryable, describe_network_error, read_body, retry_after,
    shorten, wait_asked,
};
use cadence_llm::CancelToken;

/// The part of a server's message quoted in an error.
const QUOTED_MESSAGE_CHARS: usize = 300;

/// Every message names the server by its address (never its key) and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpenAiError {
    #[error(
        "`{server}` is not a server address; set base_url under [[server]] in models.toml to one like http://127.0.0.1:8080/v1"
    )]
    BadAddress { server: String },
    #[error(
        "cannot reach the server at {server} ({message}): is it running? Start it, or correct base_url under [[server]] in models.toml"
    )]
    Unreachable { server: String, message: String },
    #[error(
        "the server at {server} refused the API key (HTTP {status}{}); check the key in the environment variable that api_key_env names under [[server]] in models.toml",
        quoted(message)
    )]
    KeyRefused {
        server: String,
        status: u16,
        message: String,
    },
    #[error(
        "the server at {server} has no model `{model}`{}; set `model` under [[server]] in models.toml to one the server lists at {server}/models",
        quoted(message)
    )]
    ModelNotFound {
        server: String,
        model: String,
        message: String,
    },
    #[error(
        "the server at {server} has no chat-completions API at {url}; check base_url under [[server]] in models.toml (it usually ends in /v1)"
    )]
    NoChatApi { server: String, url: String },
    #[error(
        "the server at {server} rejected the request: {message}; shorten the conversation or lower max_tokens, and check the server's log if it persists"
    )]
    BadRequest { server: String, message: String },
    #[error(
        "the server at {server} is limiting requests{}; wait and try again, or raise its limits",
        wait_asked(retry_after)
    )]
    RateLimited {
        server: String,
        retry_after: Option<Duration>,
    },
    #[error(
        "the server at {server} failed (HTTP {status}: {message}){}; try again in a while, and check the server's log if it persists",
        wait_asked(retry_after)
    )]
    Server {
        server: String,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error(
        "the connection to the server at {server} ended before the answer was complete ({} characters arrived); try again, and check the server's log if it keeps happening",
        partial.chars().count()
    )]
    StreamCutOff {
        server: String,
        partial: String,
        usage: Option<ReportedUsage>,
    },
    /// An error event after the answer began.
    #[error(
        "the server at {server} stopped partway through the answer ({message}; {} characters arrived); try again, and check the server's log if it persists",
        partial.chars().count()
    )]
    StoppedPartway {
        server: String,
        message: String,
        partial: String,
        usage: Option<ReportedUsage>,
    },
    #[error(
        "the server at {server} sent an answer Cadence cannot read ({message}); check that base_url under [[server]] in models.toml points to an OpenAI-compatible API"
    )]
    BadResponse {
        server: String,
        message: String,
        usage: Option<ReportedUsage>,
    },
    #[error("the request to the server was cancelled")]
    Cancelled,
}

/// ": <message>" when there is one.
fn quoted(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

impl OpenAiError {
    /// The token counts the server reported before the error: set when the answer failed
    /// after some of it had arrived and the server had sent usage (most send it only at the
    /// end), `None` otherwise. A cancelled request carries none: callers match `Cancelled`
    /// as a plain variant.
    pub fn reported_usage(&self) -> Option<ReportedUsage> {
        match self {
            OpenAiError::StreamCutOff { usage, .. }
            | OpenAiError::StoppedPartway { usage, .. }
            | OpenAiError::BadResponse { usage, .. } => *usage,
            _ => None,
        }
    }

    /// The same error carrying `reported`, where it is one that can carry usage.
    pub(super) fn with_usage(mut self, reported: Option<ReportedUsage>) -> Self {
        if let OpenAiError::StreamCutOff { usage, .. }
        | OpenAiError::StoppedPartway { usage, .. }
        | OpenAiError::BadResponse { usage, .. } = &mut self
        {
            *usage = reported;
        }
        self
    }
}

impl Retryable for OpenAiError {
    fn cancelled() -> Self {
        OpenAiError::Cancelled
    }

    fn retry_wait(&self, attempt: u32, policy: &RetryPolicy) -> Option<Duration> {
        match self {
            // A wait longer than the cap goes back to the caller at once, since blocking a
            // worker for minutes helps nobody.
            OpenAiError::RateLimited {
                retry_after: Some(after),
                ..
            } => policy.allows(*after),
            OpenAiError::Server {
                retry_after: Some(after),
                ..
            } => policy.allows(*after).or(Some(policy.backoff(attempt))),
            OpenAiError::RateLimited {
                retry_after: None, ..
            }
            | OpenAiError::Server { .. } => Some(policy.backoff(attempt)),
            _ => None,
        }
    }
}

/// One failed attempt.
pub(super) type Failed = Failure<OpenAiError>;

/// A request that got no HTTP answer.
pub(super) fn network_error(server: &str, error: &ureq::Error) -> OpenAiError {
    match error {
        ureq::Error::BadUri(_) => OpenAiError::BadAddress {
            server: server.to_string(),
        },
        error => OpenAiError::Unreachable {
            server: server.to_string(),
            message: describe_network_error(error),
        },
    }
}

/// What a failed request is about: the server, the model asked for, the URL posted to and
/// the key sent (kept out of every message).
pub(super) struct Asked<'a> {
    pub(super) server: &'a str,
    pub(super) model: &'a str,
    pub(super) url: &'a str,
    pub(super) api_key: Option<&'a str>,
}

impl Asked<'_> {
    /// The error an HTTP status and its body stand for; `retry_after` is the wait the
    /// response's `Retry-After` header asks for.
    pub(super) fn error_for_status(
        &self,
        status: u16,
        body: &str,
        retry_after: Option<Duration>,
    ) -> OpenAiError {
        let message = self.quote(&error_message(body).unwrap_or_else(|| body.to_string()));
        let server = self.server.to_string();
        let message_or = |fallback: String| {
            if message.is_empty() {
                fallback
            } else {
                message.clone()
            }
        };
        match status {
            401 | 403 => OpenAiError::KeyRefused {
                server,
                status,
                message,
            },
            // A 404 that does not mention a model is most likely a wrong path.
            404 if message.to_ascii_lowercase().contains("model") => OpenAiError::ModelNotFound {
                server,
                model: self.model.to_string(),
                message,
            },
            404 => OpenAiError::NoChatApi {
                server,
                url: self.url.to_string(),
            },
            429 => OpenAiError::RateLimited {
                server,
                retry_after,
            },
            400..=499 => OpenAiError::BadRequest {
                message: message_or(format!("HTTP {status}")),
                server,
            },
            500..=599 => OpenAiError::Server {
                message: message_or("no message".to_string()),
                server,
                status,
                retry_after,
            },
            _ => OpenAiError::BadResponse {
                message: format!("unexpected HTTP {status}: {}", message_or(String::new())),
                server,
                usage: None,
            },
        }
    }

    /// Server text shortened for a message, with the key blanked out should a server echo it.
    pub(super) fn quote(&self, text: &str) -> String {
        // Blanked before shortening, so that no cut leaves part of the key behind.
        match self.api_key {
            Some(key) if !key.is_empty() => {
                shorten(&text.replace(key, "<redacted>"), QUOTED_MESSAGE_CHARS)
            }
            _ => shorten(text, QUOTED_MESSAGE_CHARS),
        }
    }
}

/// A response other than 200, read: its status, its body and the wait its `Retry-After`
/// header asks for.
pub(super) struct Refusal {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
}

impl Refusal {
    pub(super) fn read(
        response: ureq::http::Response<ureq::Body>,
        asked: &Asked,
        cancel: &CancelToken,
    ) -> Result<Refusal, OpenAiError> {
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = read_body(response).map_err(|error| {
            if cancel.is_cancelled() {
                OpenAiError::Cancelled
            } else {
                OpenAiError::Unreachable {
                    server: asked.server.to_string(),
                    message: format!("reading the answer failed: {error}"),
                }
            }
        })?;
        Ok(Refusal {
            status,
            body,
            retry_after,
        })
    }

    /// Whether the request was refused for its `response_format`, which the next schema
    /// form may get past.
    pub(super) fn of_response_format(&self) -> bool {
        refuses_response_format(self.status, &self.body)
    }

    /// The error the refusal stands for.
    pub(super) fn error(&self, asked: &Asked) -> OpenAiError {
        asked.error_for_status(self.status, &self.body, self.retry_after)
    }
}

/// Whether a refused request was refused for its `response_format`: the 400 or 422 that
/// most servers send, or the 500 llama-cpp-python's server answers a request it cannot
/// validate with.
fn refuses_response_format(status: u16, body: &str) -> bool {
    let body = body.to_ascii_lowercase();
    matches!(status, 400 | 422 | 500)
        && (body.contains("response_format") || body.contains("json_schema"))
}

/// The message of an error body in the shapes servers send: `{"error": {"message": …}}`
/// (OpenAI, llama.cpp, vLLM), `{"error": "…"}` (Ollama), `{"detail": …}` (FastAPI) or
/// `{"message": …}`.
pub(super) fn error_message(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let message = [
        value.pointer("/error/message"),
        value.get("error"),
        value.get("detail"),
        value.get("message"),
    ]
    .into_iter()
    .flatten()
    .find_map(|found| match found {
        Value::String(text) => Some(text.clone()),
        // FastAPI's validation errors: a list of {"loc": …, "msg": …}.
        Value::Array(items) => Some(
            items
                .iter()
                .map(|item| {
                    item.get("msg")
                        .and_then(Value::as_str)
                        .map_or_else(|| item.to_string(), str::to_string)
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => None,
    })?;
    let message = message.trim();
    (!message.is_empty()).then(|| message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASKED: Asked<'static> = Asked {
        server: "http://10.0.0.5:8080/v1",
        model: "qwen2.5-7b-instruct",
        url: "http://10.0.0.5:8080/v1/chat/completions",
        api_key: Some("sk-SECRET"),
    };

    #[test]
    fn error_messages_are_read_in_every_shape_servers_send() {
        let cases = [
            (
                r#"{"error":{"message":"model 'x' not found","type":"invalid_request_error"}}"#,
                "model 'x' not found",
            ),
            (
                r#"{"error":"model \"x\" not found, try pulling it first"}"#,
                "model \"x\" not found, try pulling it first",
            ),
            (r#"{"detail":"Invalid API key"}"#, "Invalid API key"),
            (
                r#"{"detail":[{"loc":["body","max_tokens"],"msg":"Input should be a valid integer"}]}"#,
                "Input should be a valid integer",
            ),
            (r#"{"message":"busy"}"#, "busy"),
        ];
        for (body, message) in cases {
            assert_eq!(error_message(body).as_deref(), Some(message), "{body}");
        }
        assert_eq!(error_message("<html>502 Bad Gateway</html>"), None);
        assert_eq!(error_message(r#"{"error":{"message":"  "}}"#), None);
    }

    #[test]
    fn statuses_map_to_what_the_user_must_do() {
        let key = ASKED.error_for_status(
            401,
            r#"{"error":{"message":"Incorrect API key provided: sk-SECRET"}}"#,
            None,
        );
        assert!(
            matches!(key, OpenAiError::KeyRefused { status: 401, .. }),
            "{key:?}"
        );
        let text = key.to_string();
        assert!(
            text.contains("http://10.0.0.5:8080/v1") && text.contains("api_key_env"),
            "{text}"
        );
        assert!(
            !text.contains("SECRET") && !format!("{key:?}").contains("SECRET"),
            "{text}"
        );

        let model = ASKED.error_for_status(
            404,
            r#"{"error":{"message":"The model `x` does not exist."}}"#,
            None,
        );
        assert!(
            matches!(model, OpenAiError::ModelNotFound { .. }),
            "{model:?}"
        );
        assert!(model.to_string().contains("/v1/models"), "{model}");
        let path = ASKED.error_for_status(404, r#"{"detail":"Not Found"}"#, None);
        assert!(matches!(path, OpenAiError::NoChatApi { .. }), "{path:?}");

        let wait = Some(Duration::from_secs(90));
        let limited = ASKED.error_for_status(429, "", wait);
        assert!(
            limited.to_string().contains("it asks to wait 90 s"),
            "{limited}"
        );
        let bad = ASKED.error_for_status(
            400,
            r#"{"error":{"message":"the prompt is too long"}}"#,
            None,
        );
        assert!(
            matches!(&bad, OpenAiError::BadRequest { message, .. } if message == "the prompt is too long")
        );
        let gateway = ASKED.error_for_status(502, "<html>Bad Gateway</html>", None);
        assert!(
            matches!(&gateway, OpenAiError::Server { status: 502, message, .. } if message.contains("Bad Gateway"))
        );
    }

    #[test]
    fn retries_follow_the_status() {
        let policy = RetryPolicy {
            max_attempts: 3,
            first_backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
        };
        let wait = |status, retry_after| {
            ASKED
                .error_for_status(status, "", retry_after)
                .retry_wait(2, &policy)
        };
        assert_eq!(
            wait(429, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(wait(429, Some(Duration::from_secs(600))), None);
        assert_eq!(wait(429, None), Some(Duration::from_secs(2)));
        assert_eq!(
            wait(503, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            wait(503, Some(Duration::from_secs(600))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(wait(500, None), Some(Duration::from_secs(2)));
        for status in [400, 401, 404, 422] {
            assert_eq!(wait(status, None), None, "{status}");
        }
    }

    #[test]
    fn a_refused_response_format_is_told_from_other_refusals() {
        assert!(refuses_response_format(
            400,
            r#"{"error":{"message":"response_format type json_schema is not supported"}}"#
        ));
        assert!(refuses_response_format(
            422,
            r#"{"detail":[{"loc":["body","response_format","type"],"msg":"Input should be 'text' or 'json_object'"}]}"#
        ));
        assert!(!refuses_response_format(
            400,
            r#"{"error":{"message":"the prompt is too long"}}"#
        ));
        assert!(!refuses_response_format(503, "response_format"));
    }
}
