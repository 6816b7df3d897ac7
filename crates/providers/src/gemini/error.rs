//! Gemini's failures as the user sees them: every HTTP status and `{"error": …}` body
//! becomes a [`GeminiError`] that says what to do next, and says whether a retry can help.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::GEMINI_KEY_ENV;
use crate::http::{
    Failure, ReportedUsage, RetryPolicy, Retryable, describe_network_error, shorten, wait_asked,
};

/// The part of an unreadable body quoted in an error.
const QUOTED_BODY_CHARS: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum GeminiError {
    #[error(
        "no Gemini API key: set {GEMINI_KEY_ENV} or store a key in Settings (create one at aistudio.google.com/apikey)"
    )]
    MissingKey,
    #[error(
        "Gemini's rate limit for this key is reached{}; wait and try again, or check the key's quota in Google AI Studio",
        wait_asked(retry_after)
    )]
    RateLimited { retry_after: Option<Duration> },
    #[error(
        "Gemini refused the API key; check the key in Settings or create a new one at aistudio.google.com/apikey"
    )]
    InvalidKey,
    #[error(
        "the API key may not use Gemini ({message}); enable the Generative Language API for the key's project"
    )]
    PermissionDenied { message: String },
    #[error(
        "Gemini has no model `{model}` for this key; set `model` under [cloud.gemini] in models.toml to one it offers, e.g. gemini-2.5-flash"
    )]
    ModelNotFound { model: String },
    #[error(
        "Gemini rejected the request: {message}; shorten the request or lower max_output_tokens, and report it if it persists"
    )]
    BadRequest { message: String },
    #[error(
        "Gemini failed on its side (HTTP {status}: {message}); try again in a few minutes or use a local model"
    )]
    Server { status: u16, message: String },
    #[error(
        "Gemini is overloaded (HTTP 503){}; try again in a few minutes or use a local model",
        wait_asked(retry_after)
    )]
    Unavailable { retry_after: Option<Duration> },
    #[error(
        "Gemini blocked the request ({reason}); rephrase the request, or let a local model write it"
    )]
    Blocked {
        reason: String,
        usage: Option<ReportedUsage>,
    },
    #[error(
        "the connection to Gemini ended before the answer was complete ({} characters arrived); try again",
        partial.chars().count()
    )]
    StreamCutOff {
        partial: String,
        usage: Option<ReportedUsage>,
    },
    /// An error event after the answer began.
    #[error(
        "Gemini stopped partway through the answer ({message}; {} characters arrived); try again in a few minutes or use a local model",
        partial.chars().count()
    )]
    StoppedPartway {
        message: String,
        partial: String,
        usage: Option<ReportedUsage>,
    },
    #[error("cannot reach Gemini: {message}; check the internet connection, or use a local model")]
    Network { message: String },
    #[error("the request to Gemini was cancelled")]
    Cancelled,
    #[error(
        "Gemini sent an answer Cadence cannot read ({message}); try again, and report it if it persists"
    )]
    BadResponse {
        message: String,
        usage: Option<ReportedUsage>,
    },
}

impl GeminiError {
    /// The token counts Gemini reported before the error: set when the answer failed after
    /// some of it had arrived and Gemini had sent usage, `None` otherwise. A cancelled
    /// request carries none: callers match `Cancelled` as a plain variant.
    pub fn reported_usage(&self) -> Option<ReportedUsage> {
        match self {
            GeminiError::Blocked { usage, .. }
            | GeminiError::StreamCutOff { usage, .. }
            | GeminiError::StoppedPartway { usage, .. }
            | GeminiError::BadResponse { usage, .. } => *usage,
            _ => None,
        }
    }

    /// The same error carrying `reported`, where it is one that can carry usage.
    pub(super) fn with_usage(mut self, reported: Option<ReportedUsage>) -> Self {
        if let GeminiError::Blocked { usage, .. }
        | GeminiError::StreamCutOff { usage, .. }
        | GeminiError::StoppedPartway { usage, .. }
        | GeminiError::BadResponse { usage, .. } = &mut self
        {
            *usage = reported;
        }
        self
    }

    pub(super) fn bad_response(message: impl Into<String>) -> Self {
        GeminiError::BadResponse {
            message: message.into(),
            usage: None,
        }
    }
}

impl Retryable for GeminiError {
    fn cancelled() -> Self {
        GeminiError::Cancelled
    }

    fn retry_wait(&self, attempt: u32, policy: &RetryPolicy) -> Option<Duration> {
        match self {
            // A rate limit asking for longer than the cap goes back to the caller at once,
            // since blocking a worker for minutes helps nobody.
            GeminiError::RateLimited {
                retry_after: Some(after),
            } => policy.allows(*after),
            GeminiError::Unavailable {
                retry_after: Some(after),
            } => policy.allows(*after).or(Some(policy.backoff(attempt))),
            GeminiError::RateLimited { retry_after: None }
            | GeminiError::Unavailable { retry_after: None }
            | GeminiError::Server { .. }
            | GeminiError::StoppedPartway { .. } => Some(policy.backoff(attempt)),
            _ => None,
        }
    }
}

/// One failed attempt.
pub(super) type Failed = Failure<GeminiError>;

pub(super) fn network_error(error: ureq::Error) -> GeminiError {
    GeminiError::Network {
        message: describe_network_error(&error),
    }
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, GeminiError> {
    serde_json::from_str(text)
        .map_err(|error| GeminiError::bad_response(format!("{error} in `{}`", quote(text))))
}

pub(super) fn quote(text: &str) -> String {
    shorten(text, QUOTED_BODY_CHARS)
}

/// The error an HTTP status and its `{"error": …}` body stand for. A rate limit or an
/// overload asks for the longer of the body's `RetryInfo` and the `Retry-After` header.
pub(super) fn error_for_status(
    status: u16,
    body: &str,
    model: &str,
    retry_after_header: Option<Duration>,
) -> GeminiError {
    let error = WireErrorBody::parse(body);
    let message = error
        .as_ref()
        .map(|error| error.message.trim())
        .filter(|message| !message.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}: {}", quote(body)));
    let reason = error.as_ref().and_then(WireError::reason);
    // `None` is less than any wait, so the larger of the two is the one named.
    let retry_after = error
        .as_ref()
        .and_then(WireError::retry_delay)
        .max(retry_after_header);
    match status {
        429 => GeminiError::RateLimited { retry_after },
        400 | 401 | 403 if reason == Some("API_KEY_INVALID") => GeminiError::InvalidKey,
        401 => GeminiError::InvalidKey,
        403 => GeminiError::PermissionDenied { message },
        404 => GeminiError::ModelNotFound {
            model: model.to_string(),
        },
        503 => GeminiError::Unavailable { retry_after },
        500..=599 => GeminiError::Server { status, message },
        400..=499 => GeminiError::BadRequest { message },
        _ => GeminiError::bad_response(format!("unexpected HTTP {status}: {message}")),
    }
}

#[derive(Deserialize)]
struct WireErrorBody {
    error: WireError,
}

impl WireErrorBody {
    /// `{"error": …}`, or the same inside a one-element array as some endpoints send it.
    fn parse(body: &str) -> Option<WireError> {
        let value: Value = serde_json::from_str(body).ok()?;
        let value = match value {
            Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
            other => other,
        };
        serde_json::from_value::<WireErrorBody>(value)
            .ok()
            .map(|body| body.error)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireError {
    message: String,
    details: Vec<Value>,
}

impl WireError {
    fn detail(&self, type_name: &str) -> Option<&Value> {
        self.details.iter().find(|detail| {
            detail
                .get("@type")
                .and_then(Value::as_str)
                .is_some_and(|name| name.ends_with(type_name))
        })
    }

    /// `google.rpc.ErrorInfo.reason`, e.g. `API_KEY_INVALID`.
    fn reason(&self) -> Option<&str> {
        self.detail("google.rpc.ErrorInfo")?.get("reason")?.as_str()
    }

    /// `google.rpc.RetryInfo.retryDelay`, e.g. `"17s"`.
    fn retry_delay(&self) -> Option<Duration> {
        let delay = self.detail("google.rpc.RetryInfo")?.get("retryDelay")?;
        parse_duration(delay.as_str()?)
    }
}

/// A protobuf Duration in its JSON form: seconds with an `s` suffix, e.g. `"17s"`, `"0.5s"`.
fn parse_duration(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().strip_suffix('s')?.parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(1e9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_protobuf_writes_them() {
        assert_eq!(parse_duration("17s"), Some(Duration::from_secs(17)));
        assert_eq!(parse_duration("0.250s"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("17"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("NaNs"), None);
    }

    #[test]
    fn error_bodies_map_to_what_the_user_must_do() {
        let rate = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
                       {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"47s"}]}}"#;
        assert!(matches!(
            error_for_status(429, rate, "m", None),
            GeminiError::RateLimited { retry_after: Some(after) } if after == Duration::from_secs(47)
        ));
        // The body's RetryInfo and the Retry-After header: the longer wait wins.
        for (header, waited) in [(None, 47), (Some(30), 47), (Some(60), 60)] {
            let header = header.map(Duration::from_secs);
            assert!(matches!(
                error_for_status(429, rate, "m", header),
                GeminiError::RateLimited { retry_after: Some(after) } if after == Duration::from_secs(waited)
            ));
        }
        let overloaded =
            r#"{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}"#;
        let error = error_for_status(503, overloaded, "m", Some(Duration::from_secs(8)));
        assert!(error.to_string().contains("it asks to wait 8 s"), "{error}");
        let key = r#"[{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT",
            "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}]"#;
        assert!(matches!(
            error_for_status(400, key, "m", None),
            GeminiError::InvalidKey
        ));
        let other = r#"{"error":{"code":400,"message":"stop_sequences has too many items","status":"INVALID_ARGUMENT"}}"#;
        match error_for_status(400, other, "m", None) {
            GeminiError::BadRequest { message } => assert!(message.contains("stop_sequences")),
            error => panic!("expected BadRequest, got {error:?}"),
        }
        assert!(matches!(
            error_for_status(404, "not json", "gemini-9", None),
            GeminiError::ModelNotFound { model } if model == "gemini-9"
        ));
        match error_for_status(502, "<html>bad gateway</html>", "m", None) {
            GeminiError::Server { status, message } => {
                assert_eq!(status, 502);
                assert!(message.contains("bad gateway"));
            }
            error => panic!("expected Server, got {error:?}"),
        }
    }
}
