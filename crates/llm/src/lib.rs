//! Local inference on 4-bit GGUF models: llama (SmolLM2 and relatives), phi3 (Phi-3.5) and
//! qwen2 (Qwen2.5).
//!
//! - [`gguf`] reads the file memory-mapped, checking every length;
//! - [`Model`] runs the forward pass: Cadence's own CPU kernels (`cpu`, `matrix`,
//!   `kernels`, `pool`), with a KV cache that grows with the sequence, or candle on
//!   Metal/CUDA (`gpu`), with an f16 KV cache allocated once and fused attention on Metal;
//!   [`report_device`] says where a device choice runs, and why not on the GPU;
//! - [`TextTokenizer`], [`ChatTemplate`] and [`Sampler`] turn conversations into tokens and
//!   logits back into text;
//! - [`Engine`] runs the generation loop and streams text deltas, optionally constrained to
//!   a JSON Schema ([`constraint`], on llguidance);
//! - [`bench`] measures it, against the memory-bandwidth bound of [`roofline`], and
//!   [`synthetic`] writes small random-weight models for tests.

mod backend;
pub mod bench;
mod chat;
mod config;
pub mod constraint;
mod cpu;
mod device;
mod engine;
mod error;
pub mod gguf;
mod gpu;
mod kernels;
mod kquant;
mod matrix;
mod model;
mod pool;
pub mod roofline;
mod sampler;
pub mod synthetic;
mod tokenizer;

pub use backend::LogitsMode;
pub use bench::{BenchOptions, BenchReport};
pub use chat::{BUILTIN_TEMPLATES, ChatTemplate, Message, RenderedChat, Role};
pub use config::{Architecture, ModelConfig};
pub use constraint::{ConstraintFactory, JsonConstraint};
pub use device::{DEVICE_ENV, DeviceChoice, DeviceReport, report_device};
pub use engine::{
    CancelToken, Engine, EngineInfo, Event, FinishReason, GenerationOptions, GenerationStats,
    GenerationStream, Prompt,
};
pub use error::{LlmError, Result};
pub use model::default_threads;
pub use model::{DEFAULT_CONTEXT, LoadOptions, Model};
pub use roofline::Bandwidth;
pub use sampler::{Sampler, SamplingOptions, argmax};
pub use tokenizer::{TextTokenizer, TokenKind};
