//! One interface over everything that writes text: local GGUF models (through `llm`), the
//! cloud, and scripted answers for tests and demonstrations.

pub mod catalog;
pub mod download;
pub mod gemini;
mod http;
pub mod keychain;
pub mod openai;
pub mod plan;
mod remote;
pub mod router;

pub use http::ReportedUsage;
pub use remote::{CloudProvider, Prices, ServerProvider, estimated_tokens};

/// Environment variable holding a Gemini API key; it overrides the one stored in the keychain.
pub const GEMINI_KEY_ENV: &str = "GEMINI_API_KEY";

/// What a client made of a response, for the fuzz targets: the answer, or the error and
/// whether the answer had begun to reach the caller (after which nothing is retried), and
/// the text deltas passed on as they arrived.
#[doc(hidden)]
pub struct ReadResponse<A, E> {
    pub result: Result<A, E>,
    pub output_started: bool,
    pub deltas: Vec<String>,
}

impl<A, E> ReadResponse<A, E> {
    fn new(result: Result<A, (E, bool)>, deltas: Vec<String>) -> Self {
        match result {
            Ok(answer) => ReadResponse {
                result: Ok(answer),
                output_started: false,
                deltas,
            },
            Err((error, output_started)) => ReadResponse {
                result: Err(error),
                output_started,
                deltas,
            },
        }
    }
}

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;

use crate::catalog::LocalModel;
use cadence_llm::{
    CancelToken, ChatTemplate, DeviceChoice, Engine, FinishReason, GenerationOptions, LlmError,
    LoadOptions, Message, Prompt, SamplingOptions,
};

/// What a provider is asked for.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderRequest {
    pub messages: Vec<Message>,
    /// The answer must be a JSON document of this schema; the cloud is asked for it.
    pub schema: Option<serde_json::Value>,
    /// The same schema tightened to the request (see `Commission::hold_schema`), for
    /// decoders that enforce every keyword token by token: local models decode under it,
    /// and under `schema` when it is absent.
    pub decoder_schema: Option<serde_json::Value>,
    pub max_tokens: usize,
    pub temperature: f32,
    pub seed: u64,
}

/// A provider's answer, with what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderAnswer {
    pub text: String,
    pub prompt_tokens: u32,
    pub output_tokens: u32,
    pub cost_usd: f64,
    /// Ended by the length limit rather than by the model.
    pub truncated: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Local(#[from] LlmError),
    #[error("{0}")]
    Cloud(String),
    /// A remote model failed after the service reported what the request used, which is
    /// billed all the same.
    #[error("{message}")]
    Billed {
        message: String,
        usage: ReportedUsage,
        cost_usd: f64,
    },
    #[error("{0}")]
    NotEnoughMemory(String),
    #[error("cancelled")]
    Cancelled,
    #[error("the scripted provider has no answer left")]
    ScriptExhausted,
}

/// What a request used, as its provider counted it, and what that cost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spent {
    pub prompt_tokens: u32,
    pub output_tokens: u32,
    pub cost_usd: f64,
}

impl ProviderAnswer {
    pub fn spent(&self) -> Spent {
        Spent {
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.output_tokens,
            cost_usd: self.cost_usd,
        }
    }
}

impl ProviderError {
    /// What the failed request used: nothing, unless the service reported its usage.
    pub fn spent(&self) -> Spent {
        match self {
            ProviderError::Billed {
                usage, cost_usd, ..
            } => Spent {
                prompt_tokens: usage.prompt_tokens as u32,
                output_tokens: usage.output_tokens as u32,
                cost_usd: *cost_usd,
            },
            _ => Spent::default(),
        }
    }

    /// A remote client's failure: a cancel as such, anything else with what the service
    /// reported the request used, if anything.
    fn remote(
        cancelled: bool,
        message: String,
        usage: Option<ReportedUsage>,
        prices: Prices,
    ) -> Self {
        match usage {
            _ if cancelled => ProviderError::Cancelled,
            Some(usage) => ProviderError::Billed {
                message,
                cost_usd: prices.cost_usd(usage),
                usage,
            },
            None => ProviderError::Cloud(message),
        }
    }
}

/// An environment variable's value, trimmed; `None` when it is unset or blank.
pub(crate) fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

pub trait Provider: Send {
    /// The catalogue id of the model behind it.
    fn model(&self) -> &str;

    fn generate(
        &mut self,
        request: &ProviderRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<ProviderAnswer, ProviderError>;

    /// How many tokens `messages` take as a prompt to this provider's model.
    fn count_tokens(&self, messages: &[Message]) -> Result<usize, ProviderError>;

    /// The most tokens a prompt and its answer may take together.
    fn context_tokens(&self) -> usize;
}

/// A provider kept loaded between requests and lent out to each: a model is loaded once,
/// not for every question of a conversation.
#[derive(Clone)]
pub struct SharedProvider {
    /// The lent provider's model, kept outside the lock.
    model: String,
    provider: Arc<Mutex<Box<dyn Provider>>>,
}

impl SharedProvider {
    pub fn new(provider: Box<dyn Provider>) -> Self {
        Self {
            model: provider.model().to_string(),
            provider: Arc::new(Mutex::new(provider)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Box<dyn Provider>> {
        // A panic in an earlier request leaves the model itself intact.
        self.provider.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Provider for SharedProvider {
    fn model(&self) -> &str {
        &self.model
    }

    fn generate(
        &mut self,
        request: &ProviderRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<ProviderAnswer, ProviderError> {
        self.lock().generate(request, cancel, on_delta)
    }

    fn count_tokens(&self, messages: &[Message]) -> Result<usize, ProviderError> {
        self.lock().count_tokens(messages)
    }

    fn context_tokens(&self) -> usize {
        self.lock().context_tokens()
    }
}

/// A local GGUF model on this machine.
pub struct LocalProvider {
    model: String,
    engine: Engine,
    stop: Vec<String>,
}

impl LocalProvider {
    pub fn load(
        model: &LocalModel,
        path: &Path,
        tokenizer_json: Option<&Path>,
        device: DeviceChoice,
    ) -> Result<Self, LlmError> {
        let options = LoadOptions {
            device,
            ..LoadOptions::default()
        };
        Ok(Self {
            model: model.id.clone(),
            engine: Self::load_engine(model, path, tokenizer_json, &options)?,
            stop: model.stop.clone(),
        })
    }

    /// A catalogue model's engine: its context length, tokenizer and chat template as
    /// models.toml sets them, on the device and threads `options` give.
    pub fn load_engine(
        model: &LocalModel,
        path: &Path,
        tokenizer_json: Option<&Path>,
        options: &LoadOptions,
    ) -> Result<Engine, LlmError> {
        let mut engine = Engine::load(
            path,
            &LoadOptions {
                context_length: Some(model.context_length as usize),
                tokenizer_json: tokenizer_json.map(Path::to_path_buf),
                ..options.clone()
            },
        )?;
        // The catalogue checked the setting when it was read.
        if let Some(template) = model
            .chat_template
            .as_deref()
            .and_then(ChatTemplate::from_setting)
        {
            engine.set_template(template);
        }
        Ok(engine)
    }
}

/// The tokens an answer may take: what was asked for, or the room the prompt leaves in the
/// context when that is less but still at least half of it. A retry's prompt carries the
/// refusal, so it needs a little more room than the first attempt; shrinking the answer
/// lets it run. With less room than that the engine refuses the prompt as too long.
fn answer_budget(requested: usize, prompt_tokens: usize, context: usize) -> usize {
    let room = context.saturating_sub(prompt_tokens);
    if room < requested && room >= requested / 2 {
        room
    } else {
        requested
    }
}

impl Provider for LocalProvider {
    fn model(&self) -> &str {
        &self.model
    }

    fn generate(
        &mut self,
        request: &ProviderRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<ProviderAnswer, ProviderError> {
        let prompt_tokens = self.count_tokens(&request.messages)?;
        let options = GenerationOptions {
            max_tokens: answer_budget(request.max_tokens, prompt_tokens, self.context_tokens()),
            // A mild repetition penalty: greedy small models otherwise fill every list
            // with the same item.
            sampling: SamplingOptions {
                temperature: request.temperature.max(0.0),
                seed: request.seed,
                repeat_penalty: 1.1,
                ..SamplingOptions::greedy()
            },
            stop: self.stop.clone(),
            trim_prompt: false,
            schema: request
                .decoder_schema
                .clone()
                .or_else(|| request.schema.clone()),
        };
        let mut text = String::new();
        let stats = self.engine.generate(
            &Prompt::Chat(request.messages.clone()),
            &options,
            cancel,
            &mut |delta| {
                text.push_str(delta);
                on_delta(delta);
            },
        )?;
        if stats.finish_reason == FinishReason::Cancelled {
            return Err(ProviderError::Cancelled);
        }
        Ok(ProviderAnswer {
            text,
            prompt_tokens: stats.prompt_tokens as u32,
            output_tokens: stats.generated_tokens as u32,
            cost_usd: 0.0,
            truncated: matches!(
                stats.finish_reason,
                FinishReason::MaxTokens | FinishReason::ContextFull
            ),
        })
    }

    /// Exact: the model's own chat template and tokenizer.
    fn count_tokens(&self, messages: &[Message]) -> Result<usize, ProviderError> {
        Ok(self
            .engine
            .encode_prompt(&Prompt::Chat(messages.to_vec()))?
            .len())
    }

    fn context_tokens(&self) -> usize {
        self.engine.info().context_length
    }
}

/// Answers from a script, in order, streamed a few characters at a time. It stands in for a
/// model where its answers must be known in advance: tests of the pipeline's validation,
/// repair and escalation, and demonstrations without weights.
/// Its tokens are words.
pub struct ScriptedProvider {
    model: String,
    answers: VecDeque<String>,
    context_tokens: usize,
    /// Every request received, for inspection.
    pub requests: Vec<ProviderRequest>,
}

impl ScriptedProvider {
    pub fn new(model: impl Into<String>, answers: impl IntoIterator<Item = String>) -> Self {
        Self {
            model: model.into(),
            answers: answers.into_iter().collect(),
            context_tokens: 4096,
            requests: Vec::new(),
        }
    }

    /// The same, with a context of `tokens` words.
    pub fn with_context(mut self, tokens: usize) -> Self {
        self.context_tokens = tokens;
        self
    }
}

fn word_count(text: &str) -> u32 {
    text.split_whitespace().count() as u32
}

impl Provider for ScriptedProvider {
    fn model(&self) -> &str {
        &self.model
    }

    fn generate(
        &mut self,
        request: &ProviderRequest,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<ProviderAnswer, ProviderError> {
        self.requests.push(request.clone());
        let text = self
            .answers
            .pop_front()
            .ok_or(ProviderError::ScriptExhausted)?;
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(16) {
            if cancel.is_cancelled() {
                return Err(ProviderError::Cancelled);
            }
            on_delta(&chunk.iter().collect::<String>());
        }
        Ok(ProviderAnswer {
            prompt_tokens: request
                .messages
                .iter()
                .map(|m| word_count(&m.content))
                .sum(),
            output_tokens: word_count(&text),
            text,
            cost_usd: 0.0,
            truncated: false,
        })
    }

    fn count_tokens(&self, messages: &[Message]) -> Result<usize, ProviderError> {
        Ok(messages
            .iter()
            .map(|message| word_count(&message.content) as usize)
            .sum())
    }

    fn context_tokens(&self) -> usize {
        self.context_tokens
    }
}

#[cfg(test)]
mod tests {
    use super::answer_budget;

    #[test]
    fn the_answer_shrinks_to_the_room_left_but_not_below_half() {
        assert_eq!(answer_budget(1536, 2000, 4096), 1536);
        // A retry whose prompt grew by the refusal still runs, with a little less room.
        assert_eq!(answer_budget(1536, 2600, 4096), 1496);
        // Too little room: the engine refuses the prompt and says why.
        assert_eq!(answer_budget(1536, 3500, 4096), 1536);
        assert_eq!(answer_budget(1536, 5000, 4096), 1536);
    }
}
