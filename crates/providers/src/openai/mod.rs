//! Models behind OpenAI's chat-completions API (`POST <base_url>/chat/completions`), as
//! Ollama, LM Studio, llama.cpp's server, llama-cpp-python's server and vLLM speak it, over
//! blocking HTTP.
//!
//! Like the Gemini client, [`OpenAiClient::generate`] runs on a worker thread, streams the
//! answer, hands each text delta to the caller, retries what is worth retrying and stops
//! when the [`CancelToken`] fires, even while it waits for the server or between retries.
//!
//! The request and chunk JSON lives in `wire`, reading the stream in `stream`, and the
//! errors the user sees in `error`.

mod error;
#[doc(hidden)]
pub mod fuzzing;
mod stream;
mod wire;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::catalog::is_loopback_url;
use crate::http::{Connection, ReportedUsage, RetryPolicy, response_reader, with_retries};
use cadence_llm::{CancelToken, Message};

pub use error::OpenAiError;
use error::{Asked, Failed, Refusal, network_error};
use stream::read_event_stream;
use wire::{SchemaForm, request_body};

#[derive(Clone)]
pub struct OpenAiConfig {
    /// Up to and including the API version: `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    /// The model name the server lists at `<base_url>/models`.
    pub model: String,
    /// Sent as `Authorization: Bearer <key>` when set.
    pub api_key: Option<String>,
    /// Longest wait for a connection or for the next bytes of an answer. A server on a CPU
    /// reads a long prompt for a while before the first token, so it is generous.
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

impl OpenAiConfig {
    /// A configuration with the documented defaults.
    pub fn new(
        base_url: impl Into<String>,
        model: impl Into<String>,
        api_key: Option<String>,
    ) -> Self {
        OpenAiConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key,
            timeout: Duration::from_secs(300),
            max_attempts: 3,
            first_backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
        }
    }

    /// The server as messages name it: its base URL without a trailing slash or any
    /// credentials written into it.
    fn server(&self) -> String {
        let url = self.base_url.trim().trim_end_matches('/');
        match url.split_once("://") {
            Some((scheme, rest)) => {
                let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                let host = match rest[..authority_end].rsplit_once('@') {
                    Some((_, host)) => host,
                    None => &rest[..authority_end],
                };
                format!("{scheme}://{host}{}", &rest[authority_end..])
            }
            None => url.to_string(),
        }
    }
}

// The key is a secret: it must not end up in logs through `{:?}`.
impl fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.server())
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("first_backoff", &self.first_backoff)
            .field("max_retry_wait", &self.max_retry_wait)
            .finish()
    }
}

/// What to ask the server.
#[derive(Debug, Clone, Default)]
pub struct OpenAiRequest {
    pub messages: Vec<Message>,
    /// A JSON Schema the answer should follow; see [`OpenAiAnswer::schema_enforced`].
    pub schema: Option<Value>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub seed: Option<u64>,
}

/// A finished answer with what it cost in tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenAiAnswer {
    pub text: String,
    /// As the server reported them in the stream's last chunk; 0 from a server that
    /// ignores `stream_options.include_usage` (llama-cpp-python's, for one).
    pub prompt_tokens: u64,
    pub output_tokens: u64,
    /// As the server names it: `stop`, `length`, …; empty when it named none.
    pub finish_reason: String,
    /// The model the server says answered.
    pub model: Option<String>,
    /// Requests it took, retries and a refused `response_format` included.
    pub attempts: u32,
    /// Whether the server was asked for the schema through `response_format` and accepted
    /// it; false when it refused every form, so the answer was written unconstrained.
    pub schema_enforced: bool,
}

impl OpenAiAnswer {
    /// The answer stopped at `max_tokens`, so it is incomplete (and its JSON broken).
    pub fn hit_token_limit(&self) -> bool {
        self.finish_reason == "length"
    }

    pub fn usage(&self) -> ReportedUsage {
        ReportedUsage {
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.output_tokens,
        }
    }
}

/// The first schema form worth trying with each server (by base URL), for the life of the
/// process: a server that refused a form is not asked in it again, which saves a request
/// (and a traceback in its log) for every answer, whichever client asks.
static SCHEMA_FORMS: Mutex<BTreeMap<String, SchemaForm>> = Mutex::new(BTreeMap::new());

fn schema_form_for(base_url: &str) -> SchemaForm {
    let forms = SCHEMA_FORMS.lock().unwrap_or_else(PoisonError::into_inner);
    forms.get(base_url).copied().unwrap_or(SchemaForm::FIRST)
}

/// Remembers that `base_url` refused the forms before `next`. Forms only move forward,
/// whichever of several threads saw a refusal.
fn skip_to_schema_form(base_url: &str, next: SchemaForm) {
    let mut forms = SCHEMA_FORMS.lock().unwrap_or_else(PoisonError::into_inner);
    let form = forms
        .entry(base_url.to_string())
        .or_insert(SchemaForm::FIRST);
    *form = (*form).max(next);
}

/// A blocking chat-completions client; cheap to share between threads by reference.
#[derive(Debug, Clone)]
pub struct OpenAiClient {
    config: OpenAiConfig,
}

impl OpenAiClient {
    pub fn new(config: OpenAiConfig) -> Self {
        OpenAiClient { config }
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }

    /// Streams an answer, calling `on_delta` with each piece of text as it arrives.
    ///
    /// With a schema, the server is asked for it in the first form it has not refused; a
    /// refusal of `response_format` is answered at once with the next form (see
    /// `wire::SchemaForm`), and does not count against the retries.
    pub fn generate(
        &self,
        request: &OpenAiRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<OpenAiAnswer, OpenAiError> {
        let server = self.config.server();
        let url = format!("{server}/chat/completions");
        let scheme = server
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) {
            return Err(OpenAiError::BadAddress { server });
        }
        let asked = Asked {
            server: &server,
            model: &self.config.model,
            url: &url,
            api_key: self.config.api_key.as_deref(),
        };
        let policy = RetryPolicy {
            max_attempts: self.config.max_attempts,
            first_backoff: self.config.first_backoff,
            max_retry_wait: self.config.max_retry_wait,
        };
        let mut requests = 0;
        let connection = Connection {
            timeout: self.config.timeout,
            direct: is_loopback_url(&url),
        };
        with_retries(&policy, connection, cancel, |agent, _| {
            self.ask(agent, request, &asked, &mut requests, cancel, on_delta)
        })
    }

    /// One attempt: the request, sent again at once in the next schema form for as long as
    /// the server refuses the form, and its streamed answer. `requests` counts what is sent.
    fn ask(
        &self,
        agent: &ureq::Agent,
        request: &OpenAiRequest,
        asked: &Asked,
        requests: &mut u32,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<OpenAiAnswer, Failed> {
        loop {
            let form = schema_form_for(&self.config.base_url);
            *requests += 1;
            let response = self.post(
                agent,
                &request_body(&self.config.model, request, form),
                asked,
            )?;
            let status = response.status().as_u16();
            if status == 200 {
                let mut answer =
                    read_event_stream(response_reader(response), asked, cancel, on_delta)?;
                answer.attempts = *requests;
                answer.schema_enforced = request.schema.is_some() && form != SchemaForm::Unenforced;
                return Ok(answer);
            }
            let refusal = Refusal::read(response, asked, cancel)?;
            match form.next() {
                Some(next) if request.schema.is_some() && refusal.of_response_format() => {
                    skip_to_schema_form(&self.config.base_url, next);
                }
                _ => return Err(refusal.error(asked).into()),
            }
        }
    }

    /// Sends the request; the response may carry any status.
    fn post(
        &self,
        agent: &ureq::Agent,
        body: &[u8],
        asked: &Asked,
    ) -> Result<ureq::http::Response<ureq::Body>, Failed> {
        let mut post = agent
            .post(asked.url)
            .header("content-type", "application/json")
            .header("accept", "text/event-stream");
        if let Some(key) = &self.config.api_key {
            post = post.header("authorization", format!("Bearer {key}"));
        }
        post.send(body)
            .map_err(|error| network_error(asked.server, &error).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_and_the_servers_name_hide_secrets() {
        let config = OpenAiConfig::new(
            "http://teacher:pa55@10.0.0.5:8080/v1/",
            "qwen2.5-7b-instruct",
            Some("sk-SECRET".into()),
        );
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("SECRET") && !debug.contains("pa55"),
            "{debug}"
        );
        assert!(debug.contains("<redacted>"), "{debug}");
        assert_eq!(config.server(), "http://10.0.0.5:8080/v1");
        assert_eq!(
            OpenAiConfig::new("https://example.org", "m", None).server(),
            "https://example.org"
        );
    }

    #[test]
    fn an_address_that_is_not_a_url_is_refused_before_sending() {
        let client = OpenAiClient::new(OpenAiConfig::new("localhost:8080/v1", "m", None));
        let request = OpenAiRequest {
            messages: vec![Message::user("Hello")],
            ..OpenAiRequest::default()
        };
        let error = client
            .generate(&request, &CancelToken::new(), &mut |_| {})
            .expect_err("no scheme");
        assert!(matches!(error, OpenAiError::BadAddress { .. }), "{error:?}");
        assert!(error.to_string().contains("base_url"), "{error}");
    }
}
