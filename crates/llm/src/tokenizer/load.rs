//! Building a [`Vocabulary`] from the GGUF's own metadata or from a Hugging Face
//! `tokenizer.json`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

use tokenizers::Tokenizer;

use super::{END_OF_TURN_TOKENS, Encoder, TokenKind, Vocabulary, bpe, tokenizer_error};
use crate::error::Result;
use crate::gguf::{GgufFile, Value};

fn string_array<'a>(file: &'a GgufFile, key: &str) -> Result<Vec<&'a str>> {
    let path = file.path();
    file.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| tokenizer_error(path, format!("metadata `{key}` is missing")))?
        .iter()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| tokenizer_error(path, format!("`{key}` holds a non-string")))
        })
        .collect()
}

pub(super) fn from_gguf(file: &GgufFile) -> Result<Vocabulary> {
    let path = file.path();
    let model = file.get_str("tokenizer.ggml.model").unwrap_or("");
    let tokens: Vec<String> = string_array(file, "tokenizer.ggml.tokens")?
        .into_iter()
        .map(str::to_string)
        .collect();
    let kinds: Vec<TokenKind> = match file.get("tokenizer.ggml.token_type") {
        Some(types) => {
            let types = types.as_array().ok_or_else(|| {
                tokenizer_error(path, "`tokenizer.ggml.token_type` is not an array")
            })?;
            if types.len() != tokens.len() {
                return Err(tokenizer_error(
                    path,
                    format!(
                        "{} token types for {} tokens; the GGUF is damaged, download it again",
                        types.len(),
                        tokens.len()
                    ),
                ));
            }
            types
                .iter()
                .map(|v| TokenKind::from_ggml(v.as_u64().unwrap_or(1)))
                .collect()
        }
        None => vec![TokenKind::Normal; tokens.len()],
    };
    let (encoder, bytes) = match model {
        "llama" => {
            let scores: Vec<f32> = match file.get("tokenizer.ggml.scores").and_then(Value::as_array)
            {
                Some(scores) if scores.len() == tokens.len() => scores
                    .iter()
                    .map(|v| v.as_f64().unwrap_or(0.0) as f32)
                    .collect(),
                _ => {
                    return Err(tokenizer_error(
                        path,
                        "a SentencePiece vocabulary needs one score per token \
                         (`tokenizer.ggml.scores`); download the model again",
                    ));
                }
            };
            let bytes = tokens
                .iter()
                .zip(&kinds)
                .map(|(text, kind)| spm_token_bytes(text, *kind))
                .collect();
            let add_space_prefix = file
                .get("tokenizer.ggml.add_space_prefix")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let encoder = Encoder::SentencePiece {
                scores,
                byte_tokens: Box::new([0; 256]),
                add_space_prefix,
            };
            (encoder, bytes)
        }
        "gpt2" => {
            let merges = string_array(file, "tokenizer.ggml.merges")?;
            let pre = file.get_str("tokenizer.ggml.pre").unwrap_or("default");
            let tokenizer =
                bpe::build(&tokens, &merges, pre).map_err(|e| tokenizer_error(path, e))?;
            let map = bpe::char_to_byte();
            let bytes = tokens
                .iter()
                .zip(&kinds)
                .map(|(text, kind)| match kind {
                    TokenKind::Normal | TokenKind::Byte => bpe::token_bytes(text, &map),
                    _ => text.as_bytes().to_vec(),
                })
                .collect();
            (Encoder::Tokenizers(Box::new(tokenizer)), bytes)
        }
        other => {
            return Err(tokenizer_error(
                path,
                format!(
                    "the GGUF's `{other}` vocabulary is not one Cadence can read (it reads \
                     `llama` and `gpt2`); name the model's tokenizer.json in models.toml"
                ),
            ));
        }
    };
    let mut vocab = Vocabulary::new(encoder, tokens, kinds, bytes);
    if let Encoder::SentencePiece { byte_tokens, .. } = &mut vocab.encoder {
        let unknown = file.get_u64("tokenizer.ggml.unknown_token_id").unwrap_or(0) as u32;
        for (byte, slot) in byte_tokens.iter_mut().enumerate() {
            *slot = vocab
                .by_text
                .get(&format!("<0x{byte:02X}>"))
                .copied()
                .unwrap_or(unknown);
        }
    }
    Ok(vocab)
}

/// A SentencePiece token's bytes: `<0x0A>` is one byte, `▁` is a space.
fn spm_token_bytes(text: &str, kind: TokenKind) -> Vec<u8> {
    if kind == TokenKind::Byte
        && let Some(hex) = text.strip_prefix("<0x").and_then(|t| t.strip_suffix('>'))
        && let Ok(byte) = u8::from_str_radix(hex, 16)
    {
        return vec![byte];
    }
    text.replace('▁', " ").into_bytes()
}

/// A Hugging Face `tokenizer.json`: its model does the text, and its added tokens are split
/// out like a GGUF's special tokens (special ones as control tokens).
pub(super) fn from_tokenizer_json(json: &Path) -> Result<Vocabulary> {
    let fail = |problem: String| tokenizer_error(json, problem);
    let text = std::fs::read_to_string(json)
        .map_err(|e| fail(format!("{e}; download the model again")))?;
    let mut tokenizer = Tokenizer::from_str(&text).map_err(|e| {
        fail(format!(
            "{e}; check that it is a Hugging Face tokenizer.json"
        ))
    })?;
    let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let bytes = llguidance::token_bytes_from_tokenizer_json(&parsed)
        .map_err(|e| fail(format!("cannot read the tokens' bytes: {e}")))?;
    let size = tokenizer.get_vocab_size(true);
    let mut tokens = vec![String::new(); size];
    for (text, id) in tokenizer.get_vocab(true) {
        if let Some(slot) = tokens.get_mut(id as usize) {
            *slot = text;
        }
    }
    let mut kinds = vec![TokenKind::Normal; size];
    for (id, added) in tokenizer.get_added_tokens_decoder() {
        if let Some(kind) = kinds.get_mut(id as usize) {
            *kind = if added.special {
                TokenKind::Control
            } else {
                TokenKind::UserDefined
            };
        }
    }
    // Added tokens are split out beforehand; the model must treat what is left as text.
    tokenizer.set_encode_special_tokens(true);
    let mut bytes = bytes;
    bytes.resize(size, Vec::new());
    Ok(Vocabulary::new(
        Encoder::Tokenizers(Box::new(tokenizer)),
        tokens,
        kinds,
        bytes,
    ))
}

impl Vocabulary {
    fn new(
        encoder: Encoder,
        tokens: Vec<String>,
        mut kinds: Vec<TokenKind>,
        bytes: Vec<Vec<u8>>,
    ) -> Self {
        // Later duplicates win, as in llama.cpp's map.
        let by_text: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(id, text)| (text.clone(), id as u32))
            .collect();
        for text in END_OF_TURN_TOKENS {
            if let Some(&id) = by_text.get(*text) {
                kinds[id as usize] = TokenKind::Control;
            }
        }
        let mut split_out: Vec<u32> = (0..tokens.len() as u32)
            .filter(|&id| kinds[id as usize].is_split_out() && !tokens[id as usize].is_empty())
            .collect();
        split_out.sort_by_key(|&id| std::cmp::Reverse(tokens[id as usize].len()));
        Self {
            encoder,
            tokens,
            kinds,
            by_text,
            split_out,
            strip_right: HashSet::new(),
            bytes,
            bos: None,
            add_bos: false,
            eos: None,
            end_tokens: Vec::new(),
        }
    }
}
