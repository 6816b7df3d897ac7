//! Byte-level BPE as a GGUF describes it (`tokenizer.ggml.model = gpt2`): the `tokenizers`
//! crate's BPE with the GGUF's merges, behind the pre-tokenizer llama.cpp uses for its
//! `tokenizer.ggml.pre`.

use std::collections::HashMap;

use tokenizers::SplitDelimiterBehavior;
use tokenizers::Tokenizer;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};

const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The BPE model alone: special and user-defined tokens are split out before it runs.
pub(super) fn build(tokens: &[String], merges: &[&str], pre: &str) -> Result<Tokenizer, String> {
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, t)| (t.clone(), id as u32))
        .collect();
    let merges = merges
        .iter()
        .filter_map(|m| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| format!("the vocabulary is inconsistent: {e}"))?;
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(pre_tokenizer(pre)?));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
    Ok(tokenizer)
}

/// The pre-tokenizer llama.cpp uses for each `tokenizer.ggml.pre` value we know.
fn pre_tokenizer(pre: &str) -> Result<PreTokenizerWrapper, String> {
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

/// GPT-2's reversible map from the characters a byte-level token is written in to bytes.
pub(super) fn char_to_byte() -> HashMap<char, u8> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut shifted = 0u32;
    (0..=255u8)
        .map(|b| {
            let c = if printable(b) {
                char::from(b)
            } else {
                shifted += 1;
                char::from_u32(255 + shifted).expect("below the surrogates")
            };
            (c, b)
        })
        .collect()
}

/// The bytes a byte-level token writes, or its text where it is not byte-level.
pub(super) fn token_bytes(text: &str, map: &HashMap<char, u8>) -> Vec<u8> {
    text.chars()
        .map(|c| map.get(&c).copied())
        .collect::<Option<Vec<u8>>>()
        .unwrap_or_else(|| text.as_bytes().to_vec())
}
