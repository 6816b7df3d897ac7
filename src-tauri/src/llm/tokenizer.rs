//! Text ⇄ token ids: a `tokenizer.json` when the catalogue names one, otherwise a byte-level
//! BPE tokenizer rebuilt from the GGUF's own vocabulary (`tokenizer.ggml.model = "gpt2"`).

use std::path::Path;

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

use super::error::{LlmError, Result};
use super::gguf::{GgufFile, Value};

/// Token texts that end a turn in the chat formats Cadence uses.
const END_OF_TURN_TOKENS: &[&str] = &[
    "<|im_end|>",
    "<|end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<end_of_turn>",
];

const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

// ggml token types.
const TOKEN_TYPE_CONTROL: u64 = 3;
const TOKEN_TYPE_USER_DEFINED: u64 = 4;

pub struct TextTokenizer {
    inner: Tokenizer,
    bos: Option<u32>,
    add_bos: bool,
    end_tokens: Vec<u32>,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("bos", &self.bos)
            .field("add_bos", &self.add_bos)
            .field("end_tokens", &self.end_tokens)
            .finish()
    }
}

fn tokenizer_error(path: &Path, problem: impl Into<String>) -> LlmError {
    LlmError::Tokenizer {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

impl TextTokenizer {
    /// The tokenizer for `file`: from `tokenizer_json` if given, else from the GGUF.
    pub fn load(file: &GgufFile, tokenizer_json: Option<&Path>) -> Result<Self> {
        let inner = match tokenizer_json {
            Some(json) => Tokenizer::from_file(json).map_err(|e| {
                tokenizer_error(
                    json,
                    format!("{e}; check that it is a Hugging Face tokenizer.json"),
                )
            })?,
            None => from_gguf(file)?,
        };
        let bos = file
            .get_u64("tokenizer.ggml.bos_token_id")
            .map(|v| v as u32);
        // A tokenizer.json adds BOS itself through its post-processor.
        let add_bos = tokenizer_json.is_none()
            && file
                .get("tokenizer.ggml.add_bos_token")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        let mut end_tokens: Vec<u32> = file
            .get_u64("tokenizer.ggml.eos_token_id")
            .map(|v| v as u32)
            .into_iter()
            .collect();
        for text in END_OF_TURN_TOKENS {
            if let Some(id) = inner.token_to_id(text)
                && !end_tokens.contains(&id)
            {
                end_tokens.push(id);
            }
        }
        Ok(Self {
            inner,
            bos,
            add_bos,
            end_tokens,
        })
    }

    /// Token ids of `text`; special tokens written in the text (`<|im_start|>`) are parsed
    /// as such.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self
            .inner
            .encode_fast(text, false)
            .map_err(|e| tokenizer_error(Path::new("<prompt>"), e.to_string()))?;
        let mut ids = Vec::with_capacity(encoding.len() + 1);
        if self.add_bos
            && let Some(bos) = self.bos
        {
            ids.push(bos);
        }
        ids.extend_from_slice(encoding.get_ids());
        Ok(ids)
    }

    /// Text of `ids`, leaving out special tokens.
    pub fn decode(&self, ids: &[u32]) -> String {
        self.inner.decode(ids, true).unwrap_or_default()
    }

    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.inner.token_to_id(text)
    }

    pub fn token_text(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    /// Tokens that end generation.
    pub fn end_tokens(&self) -> &[u32] {
        &self.end_tokens
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    pub fn inner(&self) -> &Tokenizer {
        &self.inner
    }
}

fn from_gguf(file: &GgufFile) -> Result<Tokenizer> {
    let path = file.path();
    let model = file.get_str("tokenizer.ggml.model").unwrap_or("");
    if model != "gpt2" {
        return Err(tokenizer_error(
            path,
            format!(
                "the GGUF's `{model}` vocabulary cannot be rebuilt; name the model's \
                 tokenizer.json in models.toml"
            ),
        ));
    }
    let strings = |key: &str| -> Result<Vec<&str>> {
        file.get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| tokenizer_error(path, format!("metadata `{key}` is missing")))?
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| tokenizer_error(path, format!("`{key}` holds a non-string")))
            })
            .collect()
    };
    let tokens = strings("tokenizer.ggml.tokens")?;
    let merges: Vec<(String, String)> = strings("tokenizer.ggml.merges")?
        .into_iter()
        .filter_map(|m| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let types: Vec<u64> = file
        .get("tokenizer.ggml.token_type")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_u64().unwrap_or(1)).collect())
        .unwrap_or_default();
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, t)| (t.to_string(), id as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| tokenizer_error(path, format!("the vocabulary is inconsistent: {e}")))?;
    let mut tokenizer = Tokenizer::new(bpe);
    let pre = file.get_str("tokenizer.ggml.pre").unwrap_or("default");
    tokenizer.with_pre_tokenizer(Some(
        pre_tokenizer(pre).map_err(|e| tokenizer_error(path, e))?,
    ));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
    let mut special = Vec::new();
    let mut user_defined = Vec::new();
    for (id, text) in tokens.iter().enumerate() {
        match types.get(id).copied() {
            Some(TOKEN_TYPE_CONTROL) => special.push(AddedToken::from(text.to_string(), true)),
            Some(TOKEN_TYPE_USER_DEFINED) => {
                user_defined.push(AddedToken::from(text.to_string(), false))
            }
            _ => {}
        }
    }
    tokenizer.add_special_tokens(&special);
    tokenizer.add_tokens(&user_defined);
    Ok(tokenizer)
}

/// The pre-tokenizer llama.cpp uses for each `tokenizer.ggml.pre` value we know.
fn pre_tokenizer(pre: &str) -> std::result::Result<PreTokenizerWrapper, String> {
    let byte_level = |use_regex| ByteLevel::new(false, false, use_regex);
    let split = |pattern: &str| {
        Split::new(
            SplitPattern::Regex(pattern.to_string()),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .map_err(|e| e.to_string())
    };
    Ok(match pre {
        "smollm" => Sequence::new(vec![Digits::new(true).into(), byte_level(true).into()]).into(),
        "qwen2" | "deepseek-r1-qwen" => {
            Sequence::new(vec![split(QWEN2_SPLIT)?.into(), byte_level(false).into()]).into()
        }
        "llama3" | "llama-bpe" | "smaug-bpe" => {
            Sequence::new(vec![split(LLAMA3_SPLIT)?.into(), byte_level(false).into()]).into()
        }
        _ => byte_level(true).into(),
    })
}
