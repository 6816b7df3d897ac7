//! Gemini through Google's Generative Language REST API (v1beta), over blocking HTTPS.
//!
//! The client runs on a worker thread, like the local engine: [`GeminiClient::generate`]
//! streams the answer (`:streamGenerateContent?alt=sse`), hands each text delta to the caller,
//! retries what the API says is worth retrying, and stops when the [`CancelToken`] fires —
//! even while it waits for the server or between retries.
//!
//! The request and response JSON lives in `wire`, reading answers in `stream`, and the
//! errors the user sees in `error`.

mod error;
#[doc(hidden)]
pub mod fuzzing;
mod stream;
mod wire;

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::http::{Connection, ReportedUsage, RetryPolicy, with_retries};
use cadence_llm::{CancelToken, Message};

pub use error::GeminiError;
use error::{Failed, network_error};
use stream::{read_event_stream, read_whole_answer, refusal};
use wire::request_body;

/// Where the API lives unless [`ENDPOINT_ENV`] says otherwise.
pub const DEFAULT_ENDPOINT: &str = "https://generativelanguage.googleapis.com";
/// Overrides the endpoint, for tests and proxies.
pub const ENDPOINT_ENV: &str = "CADENCE_GEMINI_ENDPOINT";

#[derive(Clone)]
pub struct GeminiConfig {
    /// Scheme and host, with no path: `https://generativelanguage.googleapis.com`.
    pub endpoint: String,
    pub api_key: String,
    /// The model id, e.g. `gemini-2.5-pro` (a leading `models/` is accepted).
    pub model: String,
    /// Longest wait for a connection or for the next bytes of an answer.
    pub timeout: Duration,
    /// Requests made at most, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt after a 5xx; it doubles for each further attempt.
    pub first_backoff: Duration,
    /// Longest wait between attempts. A 429 asking for longer is returned to the caller at
    /// once, since blocking a worker for minutes helps nobody; a 503 asking for longer
    /// backs off as if it had asked nothing.
    pub max_retry_wait: Duration,
}

impl GeminiConfig {
    /// A configuration with the documented defaults; the endpoint comes from
    /// [`ENDPOINT_ENV`] when it is set.
    pub fn new(api_key: impl Into<String>, model: impl Into<String>) -> Self {
        let endpoint = std::env::var(ENDPOINT_ENV)
            .ok()
            .filter(|endpoint| !endpoint.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        GeminiConfig {
            endpoint,
            api_key: api_key.into(),
            model: model.into(),
            timeout: Duration::from_secs(120),
            max_attempts: 3,
            first_backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
        }
    }
}

// The key is a secret: it must not end up in logs through `{:?}`.
impl fmt::Debug for GeminiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeminiConfig")
            .field("endpoint", &self.endpoint)
            .field("api_key", &"<redacted>")
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("first_backoff", &self.first_backoff)
            .field("max_retry_wait", &self.max_retry_wait)
            .finish()
    }
}

/// What to ask Gemini.
#[derive(Debug, Clone, Default)]
pub struct GeminiRequest {
    pub system: Option<String>,
    /// The conversation; system messages in it are added to the system instruction.
    pub messages: Vec<Message>,
    /// A JSON Schema the answer must follow; the answer is then JSON.
    pub schema: Option<Value>,
    pub temperature: Option<f32>,
    pub max_output_tokens: Option<u32>,
}

/// A finished answer with what it cost in tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeminiAnswer {
    pub text: String,
    pub prompt_tokens: u64,
    /// Tokens of the answer itself.
    pub output_tokens: u64,
    /// Tokens the model spent thinking; billed as output.
    pub thoughts_tokens: u64,
    /// As the API names it: STOP, MAX_TOKENS, …
    pub finish_reason: String,
    pub model_version: Option<String>,
    /// Requests it took, retries included.
    pub attempts: u32,
}

impl GeminiAnswer {
    /// The answer stopped at `max_output_tokens`, so it is incomplete (and its JSON broken).
    pub fn hit_token_limit(&self) -> bool {
        self.finish_reason == "MAX_TOKENS"
    }

    /// Output tokens as billed: the answer plus the thinking.
    pub fn billed_output_tokens(&self) -> u64 {
        self.output_tokens + self.thoughts_tokens
    }

    /// The token counts as Gemini reported them, output as billed.
    pub fn usage(&self) -> ReportedUsage {
        ReportedUsage {
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.billed_output_tokens(),
        }
    }
}

/// A blocking Gemini client; cheap to share between threads by reference.
#[derive(Debug, Clone)]
pub struct GeminiClient {
    config: GeminiConfig,
}

impl GeminiClient {
    pub fn new(config: GeminiConfig) -> Self {
        GeminiClient { config }
    }

    pub fn config(&self) -> &GeminiConfig {
        &self.config
    }

    /// Streams an answer, calling `on_delta` with each piece of text as it arrives.
    pub fn generate(
        &self,
        request: &GeminiRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<GeminiAnswer, GeminiError> {
        let url = self.url("streamGenerateContent?alt=sse")?;
        let body = request_body(request)?;
        self.with_retries(cancel, |agent, attempt| {
            let response = self.post(agent, &url, &body, cancel)?;
            let mut answer = read_event_stream(response, cancel, on_delta)?;
            answer.attempts = attempt;
            Ok(answer)
        })
    }

    /// Asks for the whole answer in one response, with no streaming.
    pub fn generate_once(
        &self,
        request: &GeminiRequest,
        cancel: &CancelToken,
    ) -> Result<GeminiAnswer, GeminiError> {
        let url = self.url("generateContent")?;
        let body = request_body(request)?;
        self.with_retries(cancel, |agent, attempt| {
            let response = self.post(agent, &url, &body, cancel)?;
            let mut answer = read_whole_answer(response, cancel)?;
            answer.attempts = attempt;
            Ok(answer)
        })
    }

    fn url(&self, method: &str) -> Result<String, GeminiError> {
        let model = self.config.model.trim();
        let model = model.strip_prefix("models/").unwrap_or(model);
        // The name goes into the path unescaped, so it must stay a plain id.
        let plain = !model.is_empty()
            && model
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !plain {
            return Err(GeminiError::ModelNotFound {
                model: model.to_string(),
            });
        }
        let endpoint = self.config.endpoint.trim().trim_end_matches('/');
        Ok(format!("{endpoint}/v1beta/models/{model}:{method}"))
    }

    /// Runs `attempt` under the configured retry policy.
    fn with_retries<T>(
        &self,
        cancel: &CancelToken,
        attempt: impl FnMut(&ureq::Agent, u32) -> Result<T, Failed>,
    ) -> Result<T, GeminiError> {
        let policy = RetryPolicy {
            max_attempts: self.config.max_attempts,
            first_backoff: self.config.first_backoff,
            max_retry_wait: self.config.max_retry_wait,
        };
        let connection = Connection {
            timeout: self.config.timeout,
            direct: false,
        };
        with_retries(&policy, connection, cancel, attempt)
    }

    /// Sends the request; any status but 200 becomes the error it stands for.
    fn post(
        &self,
        agent: &ureq::Agent,
        url: &str,
        body: &[u8],
        cancel: &CancelToken,
    ) -> Result<ureq::http::Response<ureq::Body>, Failed> {
        let response = agent
            .post(url)
            .header("x-goog-api-key", &self.config.api_key)
            .header("content-type", "application/json")
            .send(body)
            .map_err(network_error)?;
        if response.status().as_u16() == 200 {
            return Ok(response);
        }
        Err(refusal(response, &self.config.model, cancel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinking_is_billed_as_output() {
        let answer = GeminiAnswer {
            text: String::new(),
            prompt_tokens: 1_000,
            output_tokens: 500,
            thoughts_tokens: 1_500,
            finish_reason: "STOP".into(),
            model_version: None,
            attempts: 1,
        };
        assert_eq!(
            answer.usage(),
            ReportedUsage {
                prompt_tokens: 1_000,
                output_tokens: 2_000
            }
        );
    }

    #[test]
    fn model_names_outside_a_plain_id_are_refused() {
        let client = GeminiClient::new(GeminiConfig::new("k", "models/gemini-2.5-pro"));
        assert!(
            client
                .url("generateContent")
                .unwrap()
                .ends_with("/v1beta/models/gemini-2.5-pro:generateContent")
        );
        let client = GeminiClient::new(GeminiConfig::new("k", "../admin?x="));
        assert!(matches!(
            client.url("generateContent"),
            Err(GeminiError::ModelNotFound { .. })
        ));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let config = GeminiConfig::new("AIzaSECRET", "gemini-2.5-pro");
        assert!(!format!("{config:?}").contains("SECRET"));
    }
}
