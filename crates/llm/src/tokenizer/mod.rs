//! Text ⇄ token ids, built from the GGUF's own vocabulary the way llama.cpp builds it:
//! SentencePiece (`tokenizer.ggml.model = llama`, Phi-3.5) or byte-level BPE (`gpt2`,
//! Qwen2.5 and SmolLM2). A `tokenizer.json` named in the catalogue replaces the GGUF's.
//!
//! Special tokens are split out of the text before the vocabulary's own algorithm runs, as
//! llama.cpp does. Control tokens (`<|user|>`, `<|im_start|>`) are recognised only where the
//! caller allows it: in a chat template's own text, never in what a user typed.

mod bpe;
mod load;
mod spm;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use tokenizers::Tokenizer;

use super::error::{LlmError, Result};
use super::gguf::{GgufFile, Value};
use load::{from_gguf, from_tokenizer_json};

/// Token texts that end a turn or a text. As in llama.cpp, they end generation and count
/// as control tokens whatever type the GGUF gives them (Phi-3's `</s>` is user-defined).
const END_OF_TURN_TOKENS: &[&str] = &[
    "<|im_end|>",
    "<|end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<end_of_turn>",
    "<|end_of_text|>",
    "<EOT>",
    "</s>",
];

/// What a token is, as GGUF's `tokenizer.ggml.token_type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

impl TokenKind {
    fn from_ggml(value: u64) -> Self {
        match value {
            2 => Self::Unknown,
            3 => Self::Control,
            4 => Self::UserDefined,
            5 => Self::Unused,
            6 => Self::Byte,
            _ => Self::Normal,
        }
    }

    /// Split out of text before the vocabulary's algorithm runs (llama.cpp's special cache).
    fn is_split_out(self) -> bool {
        matches!(self, Self::Control | Self::UserDefined | Self::Unknown)
    }

    /// Recognised in text only where special tokens may be parsed.
    fn needs_permission(self) -> bool {
        matches!(self, Self::Control | Self::Unknown)
    }
}

enum Encoder {
    SentencePiece {
        scores: Vec<f32>,
        byte_tokens: Box<[u32; 256]>,
        add_space_prefix: bool,
    },
    /// Byte-level BPE, or a `tokenizer.json`: the `tokenizers` crate's model without any
    /// added tokens, which are split out beforehand.
    Tokenizers(Box<Tokenizer>),
}

struct Vocabulary {
    encoder: Encoder,
    tokens: Vec<String>,
    kinds: Vec<TokenKind>,
    by_text: HashMap<String, u32>,
    /// Tokens split out of text first, longest text first.
    split_out: Vec<u32>,
    /// Tokens that swallow the whitespace after them (Phi-3's chat tokens).
    strip_right: HashSet<u32>,
    /// The bytes each token writes.
    bytes: Vec<Vec<u8>>,
    bos: Option<u32>,
    add_bos: bool,
    eos: Option<u32>,
    end_tokens: Vec<u32>,
}

/// A model's tokenizer; cheap to clone.
#[derive(Clone)]
pub struct TextTokenizer {
    vocab: Arc<Vocabulary>,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("tokens", &self.vocab.tokens.len())
            .field("bos", &self.vocab.bos)
            .field("add_bos", &self.vocab.add_bos)
            .field("end_tokens", &self.vocab.end_tokens)
            .finish()
    }
}

/// A piece of text being split into special tokens and runs of plain text.
enum Fragment {
    Text(Range<usize>),
    Token(u32),
}

fn tokenizer_error(path: &Path, problem: impl Into<String>) -> LlmError {
    LlmError::Tokenizer {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// C's `isspace`, which llama.cpp strips with.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

impl TextTokenizer {
    /// The tokenizer for `file`: from `tokenizer_json` if given, else from the GGUF.
    pub fn load(file: &GgufFile, tokenizer_json: Option<&Path>) -> Result<Self> {
        let mut vocab = match tokenizer_json {
            Some(json) => from_tokenizer_json(json)?,
            None => from_gguf(file)?,
        };
        vocab.bos = file
            .get_u64("tokenizer.ggml.bos_token_id")
            .map(|v| v as u32)
            .filter(|&id| (id as usize) < vocab.tokens.len());
        vocab.eos = file
            .get_u64("tokenizer.ggml.eos_token_id")
            .map(|v| v as u32)
            .filter(|&id| (id as usize) < vocab.tokens.len());
        let default_add_bos = matches!(vocab.encoder, Encoder::SentencePiece { .. });
        vocab.add_bos = file
            .get("tokenizer.ggml.add_bos_token")
            .and_then(Value::as_bool)
            .unwrap_or(default_add_bos);
        vocab.end_tokens = vocab.eos.into_iter().collect();
        for text in END_OF_TURN_TOKENS {
            if let Some(&id) = vocab.by_text.get(*text)
                && !vocab.end_tokens.contains(&id)
            {
                vocab.end_tokens.push(id);
            }
        }
        // llama.cpp gives Phi-3's chat tokens the right-strip its Hugging Face tokenizer has.
        let name = file
            .get_str("general.name")
            .unwrap_or_default()
            .to_lowercase();
        let phi3 = name.contains("phi-3")
            || name.contains("phi3")
            || file.get_str("general.architecture") == Some("phi3");
        if phi3 {
            vocab.strip_right = vocab
                .split_out
                .iter()
                .copied()
                .filter(|&id| {
                    !matches!(
                        vocab.tokens[id as usize].as_str(),
                        "<unk>" | "<s>" | "<|endoftext|>"
                    )
                })
                .collect();
        }
        Ok(Self {
            vocab: Arc::new(vocab),
        })
    }

    /// Token ids of text a person wrote: no special token is recognised in it, and no BOS
    /// is added.
    pub fn encode_text(&self, text: &str) -> Result<Vec<u32>> {
        self.encode_fragments(text, self.partition(text, |_| false), true)
    }

    /// Token ids of text that continues a sequence already under way (text a grammar
    /// forces mid-answer): as [`encode_text`](Self::encode_text), but SentencePiece adds no
    /// leading space.
    pub fn encode_continuation(&self, text: &str) -> Result<Vec<u32>> {
        self.encode_fragments(text, self.partition(text, |_| false), false)
    }

    /// Token ids of `text`, whose special tokens are recognised except within `protected`
    /// (byte ranges of text a person wrote); BOS is added where the model wants it and the
    /// text does not already begin with it.
    pub fn encode_with_specials(&self, text: &str, protected: &[Range<usize>]) -> Result<Vec<u32>> {
        let allowed = |at: &Range<usize>| {
            !protected
                .iter()
                .any(|p| p.start < at.end && at.start < p.end)
        };
        let mut ids = Vec::new();
        let vocab = &self.vocab;
        if vocab.add_bos
            && let Some(bos) = vocab.bos
        {
            // A BOS the template wrote is parsed as one; a person's "<s>" is not a BOS.
            let bos_text = vocab.tokens[bos as usize].as_str();
            if !(text.starts_with(bos_text) && allowed(&(0..bos_text.len()))) {
                ids.push(bos);
            }
        }
        ids.extend(self.encode_fragments(text, self.partition(text, allowed), true)?);
        Ok(ids)
    }

    /// Splits the special tokens out of `text`, longest first, as llama.cpp does; control
    /// tokens only where `allowed` says so.
    fn partition(&self, text: &str, allowed: impl Fn(&Range<usize>) -> bool) -> Vec<Fragment> {
        let vocab = &self.vocab;
        let mut fragments = Vec::new();
        if !text.is_empty() {
            fragments.push(Fragment::Text(0..text.len()));
        }
        for &id in &vocab.split_out {
            let needle = vocab.tokens[id as usize].as_str();
            let permission = vocab.kinds[id as usize].needs_permission();
            let strip = vocab.strip_right.contains(&id);
            let mut split = Vec::with_capacity(fragments.len());
            for fragment in fragments {
                let Fragment::Text(range) = fragment else {
                    split.push(fragment);
                    continue;
                };
                let (mut start, end) = (range.start, range.end);
                let mut search = start;
                while let Some(found) = text[search..end].find(needle) {
                    let at = search + found..search + found + needle.len();
                    if permission && !allowed(&at) {
                        search = at.end;
                        continue;
                    }
                    if at.start > start {
                        split.push(Fragment::Text(start..at.start));
                    }
                    split.push(Fragment::Token(id));
                    start = at.end;
                    if strip {
                        while start < end && is_c_space(text.as_bytes()[start]) {
                            start += 1;
                        }
                    }
                    search = start;
                }
                if start < end {
                    split.push(Fragment::Text(start..end));
                }
            }
            fragments = split;
        }
        fragments
    }

    fn encode_fragments(
        &self,
        text: &str,
        fragments: Vec<Fragment>,
        at_start: bool,
    ) -> Result<Vec<u32>> {
        let vocab = &self.vocab;
        let mut ids = Vec::new();
        // SentencePiece prefixes a space to text at the start and after a special token.
        let mut after_special = at_start;
        for fragment in fragments {
            let range = match fragment {
                Fragment::Token(id) => {
                    ids.push(id);
                    after_special = true;
                    continue;
                }
                Fragment::Text(range) => range,
            };
            let piece = &text[range];
            match &vocab.encoder {
                Encoder::SentencePiece {
                    scores,
                    byte_tokens,
                    add_space_prefix,
                } => {
                    let prefix = if *add_space_prefix && after_special {
                        "▁"
                    } else {
                        ""
                    };
                    let escaped = format!("{prefix}{}", piece.replace(' ', "▁"));
                    let scores = spm::Scores {
                        by_text: &vocab.by_text,
                        scores,
                        byte_tokens,
                    };
                    spm::encode(&scores, &escaped, &mut ids);
                }
                Encoder::Tokenizers(tokenizer) => {
                    let encoding = tokenizer
                        .encode_fast(piece, false)
                        .map_err(|e| tokenizer_error(Path::new("<text>"), e.to_string()))?;
                    ids.extend_from_slice(encoding.get_ids());
                }
            }
            after_special = false;
        }
        Ok(ids)
    }

    /// Text of `ids`, leaving out control tokens. A SentencePiece vocabulary's first
    /// space (the one encoding prefixed) is dropped.
    pub fn decode(&self, ids: &[u32]) -> String {
        let vocab = &self.vocab;
        let mut bytes = Vec::new();
        for &id in ids {
            if let Some(kind) = vocab.kinds.get(id as usize)
                && !matches!(kind, TokenKind::Control | TokenKind::Unknown)
            {
                bytes.extend_from_slice(&vocab.bytes[id as usize]);
            }
        }
        if matches!(
            vocab.encoder,
            Encoder::SentencePiece {
                add_space_prefix: true,
                ..
            }
        ) && bytes.first() == Some(&b' ')
        {
            bytes.remove(0);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// What one token writes, for showing it: its text, or the vocabulary's spelling when
    /// it is a part of a character (`<0xE2>`) or a special token.
    pub fn piece(&self, id: u32) -> Option<String> {
        let vocab = &self.vocab;
        let text = vocab.tokens.get(id as usize)?;
        if matches!(
            vocab.kinds[id as usize],
            TokenKind::Control | TokenKind::Unknown
        ) {
            return Some(text.clone());
        }
        Some(String::from_utf8(vocab.bytes[id as usize].clone()).unwrap_or_else(|_| text.clone()))
    }

    /// Each token's bytes as the constraint engine sees them: special tokens are marked
    /// with `marker` so no text can spell them.
    pub fn token_bytes(&self, marker: u8) -> Vec<Vec<u8>> {
        let vocab = &self.vocab;
        vocab
            .kinds
            .iter()
            .zip(&vocab.bytes)
            .zip(&vocab.tokens)
            .map(|((kind, bytes), text)| match kind {
                TokenKind::Control => {
                    let mut marked = vec![marker];
                    marked.extend_from_slice(text.as_bytes());
                    marked
                }
                TokenKind::Unknown | TokenKind::Unused => Vec::new(),
                _ => bytes.clone(),
            })
            .collect()
    }

    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.vocab.by_text.get(text).copied()
    }

    pub fn token_text(&self, id: u32) -> Option<String> {
        self.vocab.tokens.get(id as usize).cloned()
    }

    /// The text of the beginning-of-sequence token, for chat templates.
    pub fn bos_text(&self) -> &str {
        self.vocab
            .bos
            .map_or("", |id| self.vocab.tokens[id as usize].as_str())
    }

    /// The text of the end-of-sequence token, for chat templates.
    pub fn eos_text(&self) -> &str {
        self.vocab
            .eos
            .map_or("", |id| self.vocab.tokens[id as usize].as_str())
    }

    /// Tokens that end generation.
    pub fn end_tokens(&self) -> &[u32] {
        &self.vocab.end_tokens
    }

    pub fn vocab_size(&self) -> usize {
        self.vocab.tokens.len()
    }
}
