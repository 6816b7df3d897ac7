//! Errors of local inference. Every message names the file or setting at fault and says
//! what the user can do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("cannot open model file {path}: {source}. Check that the file exists and is readable")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{path} is not a usable GGUF model: {problem}. The file may be truncated or corrupt; \
         download it again"
    )]
    CorruptFile { path: PathBuf, problem: String },

    #[error(
        "{path} uses the model architecture `{architecture}`, which Cadence cannot run; \
         supported architectures are llama, phi3 and qwen2"
    )]
    UnsupportedArchitecture { path: PathBuf, architecture: String },

    #[error(
        "{path}: tensor `{tensor}` is stored as {quant}, which Cadence cannot run; use a GGUF \
         quantised as Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K, F16 or F32"
    )]
    UnsupportedQuantization {
        path: PathBuf,
        tensor: String,
        quant: String,
    },

    #[error("{path}: {problem}. The GGUF does not describe a complete model; download it again")]
    MissingMetadata { path: PathBuf, problem: String },

    #[error("cannot load the tokenizer for {path}: {problem}")]
    Tokenizer { path: PathBuf, problem: String },

    #[error("the chat template cannot be used: {0}")]
    Template(String),

    #[error(
        "the prompt is {prompt_tokens} tokens but the context holds {context_length} with \
         {reserved} kept for the answer; shorten the prompt or allow trimming"
    )]
    PromptTooLong {
        prompt_tokens: usize,
        context_length: usize,
        reserved: usize,
    },

    #[error("the prompt is empty; give the model some text to continue")]
    EmptyPrompt,

    #[error("invalid generation setting: {0}")]
    InvalidOptions(String),

    #[error(
        "the {requested} device is not available: {problem}. Choose auto or cpu instead (every \
         macOS build of Cadence has Metal; build with the `cuda` feature for an NVIDIA GPU)"
    )]
    DeviceUnavailable { requested: String, problem: String },

    #[error("inference failed on {device}: {problem}")]
    Backend { device: String, problem: String },

    #[error("the generation thread stopped unexpectedly: {0}")]
    Worker(String),

    #[error("structured output: {0}")]
    Constraint(String),
}

pub type Result<T, E = LlmError> = std::result::Result<T, E>;

impl LlmError {
    pub(crate) fn corrupt(path: &std::path::Path, problem: impl Into<String>) -> Self {
        LlmError::CorruptFile {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }

    pub(crate) fn missing(path: &std::path::Path, problem: impl Into<String>) -> Self {
        LlmError::MissingMetadata {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}
