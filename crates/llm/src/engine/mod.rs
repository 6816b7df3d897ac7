//! The generation loop: prompt in, a stream of text deltas out, with statistics at the end.

mod text_stream;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::backend::LogitsMode;
use super::chat::{ChatTemplate, Message, RenderedChat};
use super::config::Architecture;
use super::constraint::{Allowed, ConstraintFactory, mask_logits};
use super::error::{LlmError, Result};
use super::gguf::GgufFile;
use super::model::{LoadOptions, Model};
use super::sampler::{Sampler, SamplingOptions};
use super::tokenizer::TextTokenizer;
use text_stream::TextStream;

/// What to generate from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prompt {
    /// Turns rendered with the model's chat template.
    Chat(Vec<Message>),
    /// Text passed to the model as is (special tokens in it are honoured).
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenerationOptions {
    pub max_tokens: usize,
    pub sampling: SamplingOptions,
    /// Generation ends when the text contains one of these; it is not included.
    pub stop: Vec<String>,
    /// Drop the oldest prompt tokens when the prompt does not fit, instead of refusing.
    pub trim_prompt: bool,
    /// Only documents valid under this JSON Schema may be generated; generation ends when
    /// the document is complete.
    pub schema: Option<serde_json::Value>,
}

impl Default for GenerationOptions {
    fn default() -> Self {
        Self {
            max_tokens: 512,
            sampling: SamplingOptions::greedy(),
            stop: Vec::new(),
            trim_prompt: false,
            schema: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model produced an end-of-turn token.
    EndToken,
    /// The document a schema asked for is complete.
    Complete,
    /// The text reached a stop string.
    StopString,
    MaxTokens,
    /// The context is full.
    ContextFull,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationStats {
    pub prompt_tokens: usize,
    /// Prompt tokens dropped to make the prompt fit.
    pub trimmed_tokens: usize,
    /// Prompt tokens served from the KV cache of the previous generation.
    pub reused_tokens: usize,
    pub generated_tokens: usize,
    /// Of the generated tokens, those the schema forced: they were run through the model
    /// together with the sampled token before them, not sampled one by one.
    pub forced_tokens: usize,
    pub time_to_first_token_ms: f64,
    pub prefill_tokens_per_s: f64,
    pub decode_tokens_per_s: f64,
    pub total_ms: f64,
    pub finish_reason: FinishReason,
}

#[derive(Debug)]
pub enum Event {
    /// More text; never splits a UTF-8 character.
    Delta(String),
    Done(GenerationStats),
    Failed(LlmError),
}

/// Cancels a generation from any thread; takes effect before the next token.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// The flag itself, for jobs that poll a plain `AtomicBool`.
    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }
}

/// What a loaded engine is.
#[derive(Debug, Clone, Serialize)]
pub struct EngineInfo {
    pub path: PathBuf,
    pub architecture: Architecture,
    pub device: String,
    /// Why the model runs on the CPU although a GPU was wanted, if it does.
    pub device_notice: Option<String>,
    /// The kernels the forward pass runs on, in words.
    pub kernel_path: String,
    pub context_length: usize,
    pub vocab_size: usize,
    pub file_size_bytes: u64,
    pub load_ms: f64,
}

/// A model with its tokenizer and chat template, ready to generate.
pub struct Engine {
    model: Model,
    tokenizer: TextTokenizer,
    template: ChatTemplate,
    info: EngineInfo,
    /// Tokens whose keys and values are in the model's cache.
    cached: Vec<u32>,
    logits: Vec<f32>,
    /// Built on the first constrained generation: the token trie takes a moment.
    constraints: Option<ConstraintFactory>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("info", &self.info).finish()
    }
}

impl Engine {
    pub fn load(path: &Path, options: &LoadOptions) -> Result<Self> {
        let started = Instant::now();
        let file = GgufFile::open(path)?;
        let model = Model::from_gguf(&file, options)?;
        let tokenizer = TextTokenizer::load(&file, options.tokenizer_json.as_deref())?;
        let template = ChatTemplate::detect(
            model.config().architecture,
            file.get_str("tokenizer.chat_template"),
        );
        let info = EngineInfo {
            path: path.to_path_buf(),
            architecture: model.config().architecture,
            device: model.device_name(),
            device_notice: model.device_notice().map(str::to_owned),
            kernel_path: model.kernel_path(),
            context_length: model.context_length(),
            vocab_size: model.vocab_size(),
            file_size_bytes: file.file_size() as u64,
            load_ms: started.elapsed().as_secs_f64() * 1e3,
        };
        Ok(Self {
            model,
            tokenizer,
            template,
            info,
            cached: Vec::new(),
            logits: Vec::new(),
            constraints: None,
        })
    }

    pub fn info(&self) -> &EngineInfo {
        &self.info
    }

    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    pub fn template(&self) -> &ChatTemplate {
        &self.template
    }

    /// Replaces the chat template (the catalogue may name one).
    pub fn set_template(&mut self, template: ChatTemplate) {
        self.template = template;
    }

    /// The schema compiler for this engine's tokenizer.
    pub fn constraints(&mut self) -> Result<&ConstraintFactory> {
        if self.constraints.is_none() {
            let factory = ConstraintFactory::new(&self.tokenizer, self.model.vocab_size())?;
            self.constraints = Some(factory);
        }
        Ok(self.constraints.as_ref().expect("built above"))
    }

    /// The model, for direct forward passes. Using it invalidates the prompt cache.
    pub fn model_mut(&mut self) -> &mut Model {
        self.cached.clear();
        self.model.truncate(0);
        &mut self.model
    }

    /// The text the model sees for `prompt`, with where the turns' contents lie in it.
    pub fn render_chat(&self, messages: &[Message]) -> Result<RenderedChat> {
        self.template.render(
            messages,
            self.tokenizer.bos_text(),
            self.tokenizer.eos_text(),
        )
    }

    /// The text the model sees for `prompt`.
    pub fn render(&self, prompt: &Prompt) -> Result<String> {
        match prompt {
            Prompt::Chat(messages) => Ok(self.render_chat(messages)?.text),
            Prompt::Text(text) => Ok(text.clone()),
        }
    }

    /// The prompt's tokens. Special tokens count only where the chat template wrote
    /// them, never inside a turn's content.
    pub fn encode_prompt(&self, prompt: &Prompt) -> Result<Vec<u32>> {
        match prompt {
            Prompt::Chat(messages) => {
                let chat = self.render_chat(messages)?;
                self.tokenizer
                    .encode_with_specials(&chat.text, &chat.content)
            }
            Prompt::Text(text) => self.tokenizer.encode_with_specials(text, &[]),
        }
    }

    /// Generates on the calling thread, handing each text delta to `on_delta`.
    pub fn generate(
        &mut self,
        prompt: &Prompt,
        options: &GenerationOptions,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<GenerationStats> {
        let tokens = self.encode_prompt(prompt)?;
        self.generate_tokens(tokens, options, cancel, on_delta)
    }

    /// Generates from already tokenised input.
    pub fn generate_tokens(
        &mut self,
        mut tokens: Vec<u32>,
        options: &GenerationOptions,
        cancel: &CancelToken,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<GenerationStats> {
        let started = Instant::now();
        let mut sampler = Sampler::new(options.sampling.clone())?;
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        let mut constraint = match &options.schema {
            Some(schema) => Some(self.constraints()?.json_schema(schema)?),
            None => None,
        };
        // The room a constrained answer keeps to finish its document: once only that much
        // is left, every step takes the tokens that close it soonest, so that an answer
        // ends as a whole document rather than cut off at the limit.
        let closing_reserve = match &constraint {
            Some(constraint) => {
                let needed = constraint.closing_length(options.max_tokens)?;
                needed + needed / 4 + 8
            }
            None => 0,
        };
        let context = self.model.context_length();
        let reserved = options.max_tokens.clamp(1, context / 2).max(1);
        let mut trimmed = 0;
        if tokens.len() + reserved > context {
            if !options.trim_prompt || context <= reserved {
                return Err(LlmError::PromptTooLong {
                    prompt_tokens: tokens.len(),
                    context_length: context,
                    reserved,
                });
            }
            trimmed = tokens.len() + reserved - context;
            tokens.drain(..trimmed);
        }
        let prompt_tokens = tokens.len();

        // Reuse the cached prefix shared with the previous conversation; at least the last
        // prompt token is run again so that its logits are fresh.
        let shared = self
            .cached
            .iter()
            .zip(&tokens)
            .take_while(|(a, b)| a == b)
            .count()
            .min(prompt_tokens - 1);
        self.model.truncate(shared);
        self.cached.truncate(shared);
        let prefill_start = Instant::now();
        let logits = self.model.forward(&tokens[shared..], LogitsMode::Last);
        let logits = match logits {
            Ok(l) => l,
            Err(e) => {
                self.cached.clear();
                self.model.truncate(0);
                return Err(e);
            }
        };
        self.logits.clear();
        self.logits.extend_from_slice(logits);
        self.cached.extend_from_slice(&tokens[shared..]);
        let prefill_time = prefill_start.elapsed();

        let mut history = tokens;
        let mut stream = TextStream::new(&options.stop, self.template.stop_strings());
        let mut generated: Vec<u32> = Vec::new();
        let mut first_token_at: Option<Duration> = None;
        let mut last_token_at = Duration::ZERO;
        let mut sampled = 0usize;
        let mut forced_count = 0usize;
        let finish_reason = loop {
            if cancel.is_cancelled() {
                break FinishReason::Cancelled;
            }
            if let Some(constraint) = constraint.as_mut() {
                match constraint.next_allowed()? {
                    Allowed::Tokens(mut mask) => {
                        if generated.len() + closing_reserve >= options.max_tokens {
                            constraint.narrow_to_closing(&mut mask);
                        }
                        mask_logits(&mask, &mut self.logits);
                    }
                    Allowed::Done => break FinishReason::Complete,
                }
            }
            let token = sampler.sample(&mut self.logits, &history);
            last_token_at = started.elapsed();
            sampled += 1;
            first_token_at.get_or_insert(last_token_at);
            if self.tokenizer.end_tokens().contains(&token) {
                break match constraint {
                    Some(_) => FinishReason::Complete,
                    None => FinishReason::EndToken,
                };
            }
            let mut step = vec![token];
            if let Some(constraint) = constraint.as_mut() {
                constraint.accept(token)?;
                let room = (options.max_tokens.saturating_sub(generated.len() + 1))
                    .min(context.saturating_sub(self.model.position() + 1));
                let forced = constraint.take_forced(room)?;
                forced_count += forced.len();
                step.extend(forced);
            }
            generated.extend_from_slice(&step);
            history.extend_from_slice(&step);
            let tokenizer = &self.tokenizer;
            if let Some(delta) = stream.push(&generated, |ids| tokenizer.decode(ids)) {
                on_delta(&delta);
            }
            if stream.stopped {
                break FinishReason::StopString;
            }
            if generated.len() >= options.max_tokens {
                break FinishReason::MaxTokens;
            }
            if self.model.position() >= context {
                break FinishReason::ContextFull;
            }
            if cancel.is_cancelled() {
                break FinishReason::Cancelled;
            }
            let result = self.model.forward(&step, LogitsMode::Last);
            match result {
                Ok(l) => {
                    self.logits.clear();
                    self.logits.extend_from_slice(l);
                }
                Err(e) => {
                    self.cached.clear();
                    self.model.truncate(0);
                    return Err(e);
                }
            }
            self.cached.extend_from_slice(&step);
        };
        if let Some(rest) = stream.finish() {
            on_delta(&rest);
        }
        let per_second = |n: usize, d: Duration| {
            if d.is_zero() {
                0.0
            } else {
                n as f64 / d.as_secs_f64()
            }
        };
        // Decode speed counts everything between tokens: forward pass, masking, sampling.
        let first_token_at = first_token_at.unwrap_or_default();
        let decode_steps = sampled.saturating_sub(1);
        Ok(GenerationStats {
            prompt_tokens,
            trimmed_tokens: trimmed,
            reused_tokens: shared,
            generated_tokens: generated.len(),
            forced_tokens: forced_count,
            time_to_first_token_ms: first_token_at.as_secs_f64() * 1e3,
            prefill_tokens_per_s: per_second(prompt_tokens - shared, prefill_time),
            decode_tokens_per_s: per_second(decode_steps, last_token_at - first_token_at),
            total_ms: started.elapsed().as_secs_f64() * 1e3,
            finish_reason,
        })
    }

    /// Generates on a thread of its own and streams events; the async runtime is never
    /// blocked. The engine is locked for the duration.
    pub fn stream(
        engine: Arc<Mutex<Engine>>,
        prompt: Prompt,
        options: GenerationOptions,
    ) -> GenerationStream {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let cancel = CancelToken::new();
        let thread_cancel = cancel.clone();
        let spawned = std::thread::Builder::new()
            .name("cadence-generate".into())
            .spawn(move || {
                let mut engine = match engine.lock() {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                let delta_sender = sender.clone();
                let result = engine.generate(&prompt, &options, &thread_cancel, &mut |delta| {
                    let _ = delta_sender.send(Event::Delta(delta.to_string()));
                });
                let _ = sender.send(match result {
                    Ok(stats) => Event::Done(stats),
                    Err(e) => Event::Failed(e),
                });
            });
        let receiver = match spawned {
            Ok(_) => receiver,
            Err(e) => {
                let (failed_sender, failed_receiver) = tokio::sync::mpsc::unbounded_channel();
                let _ = failed_sender.send(Event::Failed(LlmError::Worker(e.to_string())));
                failed_receiver
            }
        };
        GenerationStream { receiver, cancel }
    }
}

/// Events of one generation. Ends after `Done` or `Failed`.
pub struct GenerationStream {
    receiver: tokio::sync::mpsc::UnboundedReceiver<Event>,
    cancel: CancelToken,
}

impl GenerationStream {
    pub async fn next(&mut self) -> Option<Event> {
        self.receiver.recv().await
    }

    /// For synchronous callers; must not be called from inside an async runtime.
    pub fn blocking_next(&mut self) -> Option<Event> {
        self.receiver.blocking_recv()
    }

    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

impl Drop for GenerationStream {
    /// Nobody is listening any more: stop generating.
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
