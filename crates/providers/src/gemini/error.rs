//! Gemini's failures as the user sees them: every HTTP status and `{"error": …}` body
//! becomes a [`GeminiError`] that says what to do next, and says whether a retry can help.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::GeminiConfig;
use crate::GEMINI_KEY_ENV;

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
        retry_after.map(|after| format!(" (it asks to wait {} s)", after.as_secs_f64().ceil())).unwrap_or_default()
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
    #[error("Gemini is overloaded (HTTP 503); try again in a few minutes or use a local model")]
    Unavailable,
    #[error(
        "Gemini blocked the request ({reason}); rephrase the request, or let a local model write it"
    )]
    Blocked { reason: String },
    #[error(
        "the connection to Gemini ended before the answer was complete ({} characters arrived); try again",
        partial.chars().count()
    )]
    StreamCutOff { partial: String },
    #[error("cannot reach Gemini: {message}; check the internet connection, or use a local model")]
    Network { message: String },
    #[error("the request to Gemini was cancelled")]
    Cancelled,
    #[error(
        "Gemini sent an answer Cadence cannot read ({message}); try again, and report it if it persists"
    )]
    BadResponse { message: String },
}

impl GeminiError {
    /// How long to wait before trying again, or `None` when trying again cannot help.
    pub(super) fn retry_wait(&self, attempt: u32, config: &GeminiConfig) -> Option<Duration> {
        let backoff = || {
            let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
            config
                .first_backoff
                .saturating_mul(factor)
                .min(config.max_retry_wait)
        };
        match self {
            GeminiError::RateLimited {
                retry_after: Some(after),
            } => (*after <= config.max_retry_wait).then_some(*after),
            GeminiError::RateLimited { retry_after: None }
            | GeminiError::Server { .. }
            | GeminiError::Unavailable => Some(backoff()),
            _ => None,
        }
    }
}

/// One failed attempt; once text has reached the caller it is not retried, since the
/// caller would see it twice.
pub(super) struct Failure {
    pub(super) error: GeminiError,
    pub(super) output_started: bool,
}

impl From<GeminiError> for Failure {
    fn from(error: GeminiError) -> Self {
        Failure {
            error,
            output_started: false,
        }
    }
}

pub(super) fn network_error(error: ureq::Error) -> GeminiError {
    let message = match error {
        ureq::Error::Timeout(_) => "no answer in time".to_string(),
        ureq::Error::HostNotFound => "the host name was not found".to_string(),
        ureq::Error::ConnectionFailed => "the connection failed".to_string(),
        other => other.to_string(),
    };
    GeminiError::Network { message }
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, GeminiError> {
    serde_json::from_str(text).map_err(|error| GeminiError::BadResponse {
        message: format!("{error} in `{}`", quote(text)),
    })
}

pub(super) fn quote(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(QUOTED_BODY_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The error an HTTP status and its `{"error": …}` body stand for.
pub(super) fn error_for_status(status: u16, body: &str, model: &str) -> GeminiError {
    let error = WireErrorBody::parse(body);
    let message = error
        .as_ref()
        .map(|error| error.message.trim())
        .filter(|message| !message.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}: {}", quote(body)));
    let reason = error.as_ref().and_then(WireError::reason);
    match status {
        429 => GeminiError::RateLimited {
            retry_after: error.as_ref().and_then(WireError::retry_delay),
        },
        400 | 401 | 403 if reason == Some("API_KEY_INVALID") => GeminiError::InvalidKey,
        401 => GeminiError::InvalidKey,
        403 => GeminiError::PermissionDenied { message },
        404 => GeminiError::ModelNotFound {
            model: model.to_string(),
        },
        503 => GeminiError::Unavailable,
        500..=599 => GeminiError::Server { status, message },
        400..=499 => GeminiError::BadRequest { message },
        _ => GeminiError::BadResponse {
            message: format!("unexpected HTTP {status}: {message}"),
        },
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
            error_for_status(429, rate, "m"),
            GeminiError::RateLimited { retry_after: Some(after) } if after == Duration::from_secs(47)
        ));
        let key = r#"[{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT",
            "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}]"#;
        assert!(matches!(
            error_for_status(400, key, "m"),
            GeminiError::InvalidKey
        ));
        let other = r#"{"error":{"code":400,"message":"stop_sequences has too many items","status":"INVALID_ARGUMENT"}}"#;
        match error_for_status(400, other, "m") {
            GeminiError::BadRequest { message } => assert!(message.contains("stop_sequences")),
            error => panic!("expected BadRequest, got {error:?}"),
        }
        assert!(matches!(
            error_for_status(404, "not json", "gemini-9"),
            GeminiError::ModelNotFound { model } if model == "gemini-9"
        ));
        match error_for_status(502, "<html>bad gateway</html>", "m") {
            GeminiError::Server { status, message } => {
                assert_eq!(status, 502);
                assert!(message.contains("bad gateway"));
            }
            error => panic!("expected Server, got {error:?}"),
        }
    }
}
