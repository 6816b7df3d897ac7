//! SentencePiece BPE as llama.cpp runs it from a GGUF (`tokenizer.ggml.model = llama`): the
//! text's characters are merged pairwise, the pair whose joined text is the vocabulary
//! token with the highest score first (the leftmost on a tie); a character that is no token
//! falls back to its UTF-8 bytes (`<0xE2>`).
//!
//! The GGUF carries scores, not merges, so this is the algorithm itself rather than the
//! `tokenizers` crate's rank-ordered BPE, which would need merges reconstructed from scores.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// One run of text being merged: a byte range of the input and its neighbours.
struct Symbol {
    start: usize,
    len: usize,
    prev: Option<usize>,
    next: Option<usize>,
}

struct Bigram {
    left: usize,
    right: usize,
    score: f32,
    /// The joined length when the pair was seen; a symbol that grew since makes it stale.
    len: usize,
}

impl PartialEq for Bigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Bigram {}

impl PartialOrd for Bigram {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bigram {
    /// The heap's top is the highest score, then the leftmost pair.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.left.cmp(&self.left))
    }
}

/// What SentencePiece merging needs from the vocabulary.
pub(super) struct Scores<'a> {
    pub by_text: &'a HashMap<String, u32>,
    pub scores: &'a [f32],
    /// `<0x00>`…`<0xFF>`, or the unknown token where the vocabulary lacks one.
    pub byte_tokens: &'a [u32; 256],
}

/// Appends the tokens of `text` (whitespace already escaped as `▁`) to `out`.
pub(super) fn encode(vocab: &Scores<'_>, text: &str, out: &mut Vec<u32>) {
    let mut symbols: Vec<Symbol> = text
        .char_indices()
        .map(|(start, c)| Symbol {
            start,
            len: c.len_utf8(),
            prev: None,
            next: None,
        })
        .collect();
    let count = symbols.len();
    for (i, symbol) in symbols.iter_mut().enumerate() {
        symbol.prev = i.checked_sub(1);
        symbol.next = (i + 1 < count).then_some(i + 1);
    }
    let mut queue = BinaryHeap::new();
    let bigram = |symbols: &[Symbol], left: Option<usize>, right: Option<usize>| {
        let (left, right) = (left?, right?);
        let start = symbols[left].start;
        let len = symbols[left].len + symbols[right].len;
        let id = *vocab.by_text.get(&text[start..start + len])?;
        Some(Bigram {
            left,
            right,
            score: vocab.scores.get(id as usize).copied().unwrap_or(0.0),
            len,
        })
    };
    for i in 1..count {
        queue.extend(bigram(&symbols, Some(i - 1), Some(i)));
    }
    while let Some(pair) = queue.pop() {
        let (left, right) = (pair.left, pair.right);
        if symbols[left].len == 0
            || symbols[right].len == 0
            || symbols[left].len + symbols[right].len != pair.len
        {
            continue;
        }
        symbols[left].len += symbols[right].len;
        symbols[right].len = 0;
        symbols[left].next = symbols[right].next;
        if let Some(next) = symbols[right].next {
            symbols[next].prev = Some(left);
        }
        queue.extend(bigram(&symbols, symbols[left].prev, Some(left)));
        queue.extend(bigram(&symbols, Some(left), symbols[left].next));
    }
    let mut at = (count > 0).then_some(0);
    while let Some(i) = at {
        let symbol = &symbols[i];
        let piece = &text[symbol.start..symbol.start + symbol.len];
        match vocab.by_text.get(piece) {
            Some(&id) => out.push(id),
            // Only single characters can miss: every merge made a vocabulary token.
            None => out.extend(piece.bytes().map(|b| vocab.byte_tokens[b as usize])),
        }
        at = symbol.next;
    }
}
