//! Gemini through Google's Generative Language REST API (v1beta), over blocking HTTPS.
//!
//! The client runs on a worker thread, like the local engine: [`GeminiClient::generate`]
//! streams the answer (`:streamGenerateContent?alt=sse`), hands each text delta to the caller,
//! retries what the API says is worth retrying, and stops when the [`CancelToken`] fires —
//! even while it waits for the server or between retries.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::GEMINI_KEY_ENV;
use crate::catalog::CloudModel;
use cadence_llm::{CancelToken, Message, Role};

/// Where the API lives unless [`ENDPOINT_ENV`] says otherwise.
pub const DEFAULT_ENDPOINT: &str = "https://generativelanguage.googleapis.com";
/// Overrides the endpoint, for tests and proxies.
pub const ENDPOINT_ENV: &str = "CADENCE_GEMINI_ENDPOINT";

/// How often a wait (between retries, or on a silent server) looks at the cancel token.
const CANCEL_POLL: Duration = Duration::from_millis(20);
/// Largest SSE line or error body read; the API's chunks are a few kilobytes.
const MAX_LINE_BYTES: u64 = 8 << 20;
const MAX_BODY_BYTES: u64 = 64 << 20;
/// The part of an unreadable body quoted in an error.
const QUOTED_BODY_CHARS: usize = 300;

/// Finish reasons that mean the answer was withheld, not finished.
const BLOCKING_FINISH_REASONS: [&str; 6] = [
    "SAFETY",
    "RECITATION",
    "PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "IMAGE_SAFETY",
];

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
    /// once, since blocking a worker for minutes helps nobody.
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

    /// The catalogue's cloud model with the key from [`GEMINI_KEY_ENV`].
    pub fn from_env(cloud: &CloudModel) -> Result<Self, GeminiError> {
        let key = std::env::var(GEMINI_KEY_ENV)
            .ok()
            .filter(|key| !key.trim().is_empty())
            .ok_or(GeminiError::MissingKey)?;
        Ok(GeminiConfig::new(key.trim(), &cloud.model))
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

    /// What this answer cost at the catalogue's prices.
    pub fn cost_usd(&self, prices: &CloudModel) -> f64 {
        cost_usd(prices, self.prompt_tokens, self.billed_output_tokens())
    }
}

/// US dollars for a request at the catalogue's prices (USD per million tokens).
pub fn cost_usd(prices: &CloudModel, prompt_tokens: u64, output_tokens: u64) -> f64 {
    (prompt_tokens as f64 * prices.input_usd_per_million
        + output_tokens as f64 * prices.output_usd_per_million)
        / 1_000_000.0
}

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
    fn retry_wait(&self, attempt: u32, config: &GeminiConfig) -> Option<Duration> {
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
struct Failure {
    error: GeminiError,
    output_started: bool,
}

impl From<GeminiError> for Failure {
    fn from(error: GeminiError) -> Self {
        Failure {
            error,
            output_started: false,
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
            let text = read_body(response, cancel)?;
            let chunk: WireResponse = parse_json(&text)?;
            let mut answer = Answer::default();
            answer.absorb(chunk, &mut |_| {})?;
            // A whole response normally names its finish reason; without one it is still whole.
            if answer.finish_reason.is_none() {
                answer.finish_reason = Some("STOP".into());
            }
            let mut answer = answer.finish()?;
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

    /// Runs `attempt` until it succeeds, fails for good, runs out of attempts or is cancelled.
    ///
    /// Each attempt gets its own HTTP agent so that cancelling can close its connection
    /// while it blocks on a silent server.
    fn with_retries<T>(
        &self,
        cancel: &CancelToken,
        mut attempt: impl FnMut(&ureq::Agent, u32) -> Result<T, Failure>,
    ) -> Result<T, GeminiError> {
        let max_attempts = self.config.max_attempts.max(1);
        let mut number = 1;
        loop {
            if cancel.is_cancelled() {
                return Err(GeminiError::Cancelled);
            }
            let agent = self.agent();
            let result = close_on_cancel(&agent, cancel, || attempt(&agent, number));
            let failure = match result {
                Ok(value) => return Ok(value),
                Err(_) if cancel.is_cancelled() => return Err(GeminiError::Cancelled),
                Err(failure) => failure,
            };
            let wait = match failure.error.retry_wait(number, &self.config) {
                Some(wait) if !failure.output_started && number < max_attempts => wait,
                _ => return Err(failure.error),
            };
            sleep_unless_cancelled(wait, cancel)?;
            number += 1;
        }
    }

    fn agent(&self) -> ureq::Agent {
        let timeout = Some(self.config.timeout);
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(timeout)
            .timeout_per_read(timeout)
            .timeout_per_write(timeout)
            .user_agent(concat!("cadence/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    }

    /// Sends the request; any status but 200 becomes the error it stands for.
    fn post(
        &self,
        agent: &ureq::Agent,
        url: &str,
        body: &[u8],
        cancel: &CancelToken,
    ) -> Result<ureq::http::Response<ureq::Body>, Failure> {
        let response = agent
            .post(url)
            .header("x-goog-api-key", &self.config.api_key)
            .header("content-type", "application/json")
            .send(body)
            .map_err(network_error)?;
        let status = response.status().as_u16();
        if status == 200 {
            return Ok(response);
        }
        let text = read_body(response, cancel)?;
        Err(error_for_status(status, &text, &self.config.model).into())
    }
}

/// Runs `work` while a watcher thread closes the agent's connections if `cancel` fires,
/// so a read blocked on a silent server returns at once.
fn close_on_cancel<T>(agent: &ureq::Agent, cancel: &CancelToken, work: impl FnOnce() -> T) -> T {
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Acquire) {
                if cancel.is_cancelled() {
                    agent.clone().shutdown();
                    return;
                }
                std::thread::sleep(CANCEL_POLL);
            }
        });
        let result = work();
        finished.store(true, Ordering::Release);
        result
    })
}

fn sleep_unless_cancelled(wait: Duration, cancel: &CancelToken) -> Result<(), GeminiError> {
    let until = Instant::now() + wait;
    loop {
        if cancel.is_cancelled() {
            return Err(GeminiError::Cancelled);
        }
        let now = Instant::now();
        if now >= until {
            return Ok(());
        }
        std::thread::sleep(CANCEL_POLL.min(until - now));
    }
}

fn network_error(error: ureq::Error) -> GeminiError {
    let message = match error {
        ureq::Error::Timeout(_) => "no answer in time".to_string(),
        ureq::Error::HostNotFound => "the host name was not found".to_string(),
        ureq::Error::ConnectionFailed => "the connection failed".to_string(),
        other => other.to_string(),
    };
    GeminiError::Network { message }
}

fn read_body(
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

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, GeminiError> {
    serde_json::from_str(text).map_err(|error| GeminiError::BadResponse {
        message: format!("{error} in `{}`", quote(text)),
    })
}

fn quote(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(QUOTED_BODY_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The error an HTTP status and its `{"error": …}` body stand for.
fn error_for_status(status: u16, body: &str, model: &str) -> GeminiError {
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

/// Reads `data:` events until the stream ends, passing text deltas on as they come.
fn read_event_stream(
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

/// The JSON body of a `generateContent` request.
fn request_body(request: &GeminiRequest) -> Result<Vec<u8>, GeminiError> {
    let mut system: Vec<&str> = request.system.as_deref().into_iter().collect();
    let mut contents = Vec::with_capacity(request.messages.len());
    for message in &request.messages {
        let role = match message.role {
            Role::System => {
                system.push(&message.content);
                continue;
            }
            Role::User => "user",
            Role::Assistant => "model",
        };
        contents.push(WireContentOut {
            role,
            parts: vec![WirePartOut {
                text: &message.content,
            }],
        });
    }
    if contents.is_empty() {
        return Err(GeminiError::BadRequest {
            message: "the request has no user message".into(),
        });
    }
    let system_instruction = (!system.is_empty()).then(|| WireSystemOut {
        parts: system
            .into_iter()
            .map(|text| WirePartOut { text })
            .collect(),
    });
    let generation_config = WireGenerationConfig {
        temperature: request.temperature,
        max_output_tokens: request.max_output_tokens,
        response_mime_type: request.schema.as_ref().map(|_| "application/json"),
        response_json_schema: request.schema.as_ref(),
    };
    let body = WireRequest {
        contents,
        system_instruction,
        generation_config: (!generation_config.is_empty()).then_some(generation_config),
    };
    serde_json::to_vec(&body).map_err(|error| GeminiError::BadRequest {
        message: format!("the request cannot be written as JSON: {error}"),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest<'a> {
    contents: Vec<WireContentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system_instruction: Option<WireSystemOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation_config: Option<WireGenerationConfig<'a>>,
}

#[derive(Serialize)]
struct WireContentOut<'a> {
    role: &'static str,
    parts: Vec<WirePartOut<'a>>,
}

#[derive(Serialize)]
struct WireSystemOut<'a> {
    parts: Vec<WirePartOut<'a>>,
}

#[derive(Serialize)]
struct WirePartOut<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireGenerationConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_mime_type: Option<&'static str>,
    /// A JSON Schema as it is (`responseSchema` would take only the OpenAPI subset).
    #[serde(skip_serializing_if = "Option::is_none")]
    response_json_schema: Option<&'a Value>,
}

impl WireGenerationConfig<'_> {
    fn is_empty(&self) -> bool {
        self.temperature.is_none()
            && self.max_output_tokens.is_none()
            && self.response_json_schema.is_none()
    }
}

// What the API sends back; every field is optional and unknown ones are ignored.

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireResponse {
    candidates: Vec<WireCandidate>,
    prompt_feedback: Option<WirePromptFeedback>,
    usage_metadata: Option<WireUsage>,
    model_version: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireCandidate {
    content: Option<WireContentIn>,
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireContentIn {
    parts: Vec<WirePartIn>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WirePartIn {
    text: Option<String>,
    /// A thought summary, not part of the answer.
    thought: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WirePromptFeedback {
    block_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireUsage {
    prompt_token_count: u64,
    candidates_token_count: u64,
    thoughts_token_count: u64,
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

    #[test]
    fn system_messages_join_the_instruction_and_assistant_becomes_model() {
        let request = GeminiRequest {
            system: Some("You teach music.".into()),
            messages: vec![
                Message::system("Answer in JSON."),
                Message::user("A ii-V-I in F?"),
                Message::assistant("Gm7 C7 Fmaj7"),
            ],
            ..GeminiRequest::default()
        };
        let body: Value = serde_json::from_slice(&request_body(&request).unwrap()).unwrap();
        assert_eq!(
            body["systemInstruction"]["parts"],
            serde_json::json!([{"text": "You teach music."}, {"text": "Answer in JSON."}])
        );
        assert_eq!(body["contents"][0]["role"], "user");
        assert_eq!(body["contents"][1]["role"], "model");
        assert!(body.get("generationConfig").is_none());
    }

    #[test]
    fn a_request_without_messages_is_refused_before_sending() {
        assert!(matches!(
            request_body(&GeminiRequest::default()),
            Err(GeminiError::BadRequest { .. })
        ));
    }

    #[test]
    fn cost_counts_thinking_as_output() {
        let prices = CloudModel {
            id: "gemini".into(),
            name: "Gemini 2.5 Pro".into(),
            model: "gemini-2.5-pro".into(),
            input_usd_per_million: 1.25,
            output_usd_per_million: 10.0,
            enabled: true,
        };
        assert!((cost_usd(&prices, 2_000_000, 100_000) - 3.5).abs() < 1e-12);
        let answer = GeminiAnswer {
            text: String::new(),
            prompt_tokens: 1_000,
            output_tokens: 500,
            thoughts_tokens: 1_500,
            finish_reason: "STOP".into(),
            model_version: None,
            attempts: 1,
        };
        assert!((answer.cost_usd(&prices) - (0.00125 + 0.02)).abs() < 1e-12);
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
