//! Constrained decoding: at each step only the tokens that keep the output a valid prefix
//! of a document conforming to a JSON Schema may be sampled.
//!
//! llguidance does the parsing (an Earley parser over the schema's grammar, with a lexer
//! of derivative-based regexes) and walks a trie of our tokenizer's token bytes to compute
//! the mask; the generation loop applies the mask to the logits before sampling.

use std::sync::Arc;

use llguidance::api::TopLevelGrammar;
use llguidance::toktrie::{SimpleVob, TokEnv, TokRxInfo, TokTrie, TokenId, TokenizerEnv};
use llguidance::{Matcher, ParserFactory};
use serde_json::Value;

use super::error::{LlmError, Result};
use super::tokenizer::TextTokenizer;

/// Compact JSON, one space after `:` and `,`, no free whitespace: small models otherwise
/// wander into endless runs of newlines that the grammar allows. `oneOf` is read as
/// `anyOf`: our tagged enums' variants exclude each other by their tag anyway.
fn compile_options() -> Value {
    serde_json::json!({
        "whitespace_flexible": false,
        "item_separator": ", ",
        "key_separator": ": ",
        "coerce_one_of": true,
    })
}

/// Gives every object schema that lists its properties `additionalProperties: false`
/// unless it says otherwise. JSON Schema leaves objects open by default, and a small model
/// left free to add fields invents them without end.
fn close_objects(schema: &mut Value) {
    match schema {
        Value::Object(fields) => {
            if fields.contains_key("properties") && !fields.contains_key("additionalProperties") {
                fields.insert("additionalProperties".into(), Value::Bool(false));
            }
            fields.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// `value` written as the constrained decoder writes JSON (see [`compile_options`]).
pub fn to_constrained_json(value: &Value) -> String {
    let mut out = String::new();
    write_constrained(value, &mut out);
    out
}

fn write_constrained(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_constrained(item, out);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (i, (name, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(name.clone()).to_string());
                out.push_str(": ");
                write_constrained(item, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The tokenizer as llguidance sees it: each token's bytes in a trie, and a way to
/// tokenize text the grammar forces.
struct GuidanceTokenizer {
    trie: TokTrie,
    tokenizer: TextTokenizer,
}

impl TokenizerEnv for GuidanceTokenizer {
    fn tok_trie(&self) -> &TokTrie {
        &self.trie
    }

    fn tokenize_bytes(&self, bytes: &[u8]) -> Vec<TokenId> {
        let text = String::from_utf8_lossy(bytes);
        self.tokenizer
            .encode_continuation(&text)
            .unwrap_or_default()
    }
}

/// Compiles schemas into matchers for one tokenizer; built once per engine, on first use.
pub struct ConstraintFactory {
    factory: ParserFactory,
    closers: Arc<ClosingTokens>,
}

/// The tokens that bring a JSON document to its end soonest, one bit per token: what an
/// answer running out of room is narrowed to (see [`JsonConstraint::narrow_to_closing`]).
struct ClosingTokens {
    /// Tokens with a `"` in them: inside a string, they end it.
    quote: SimpleVob,
    /// Tokens that begin with `]` or `}`: they end an array or an object.
    bracket: SimpleVob,
    /// Tokens that begin with `"`: a string (an enum's value, an empty string) rather
    /// than a number, an array or an object.
    opening_quote: SimpleVob,
}

impl ClosingTokens {
    fn new(words: &[Vec<u8>]) -> Self {
        let class = |test: &dyn Fn(&[u8]) -> bool| {
            let mut set = SimpleVob::alloc(words.len());
            for (token, word) in words.iter().enumerate() {
                // Special tokens carry a marker byte first; they are never JSON text.
                if word.first() != Some(&TokTrie::SPECIAL_TOKEN_MARKER) && test(word) {
                    set.allow_token(token as TokenId);
                }
            }
            set
        };
        Self {
            quote: class(&|word| {
                word.iter()
                    .enumerate()
                    .any(|(i, &b)| b == b'"' && (i == 0 || word[i - 1] != b'\\'))
            }),
            bracket: class(&|word| matches!(word.first(), Some(b']' | b'}'))),
            opening_quote: class(&|word| word.first() == Some(&b'"')),
        }
    }
}

impl std::fmt::Debug for ConstraintFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConstraintFactory").finish_non_exhaustive()
    }
}

impl ConstraintFactory {
    /// `vocab_size` is the model's (its logits' length), which may exceed the tokenizer's.
    pub fn new(tokenizer: &TextTokenizer, vocab_size: usize) -> Result<Self> {
        let failed = |problem: String| LlmError::Constraint(problem);
        let mut words = tokenizer.token_bytes(TokTrie::SPECIAL_TOKEN_MARKER);
        if words.len() > vocab_size {
            return Err(failed(format!(
                "the tokenizer has {} tokens but the model only {vocab_size}",
                words.len()
            )));
        }
        words.resize(vocab_size, Vec::new());
        let end_tokens = tokenizer.end_tokens();
        let eos = *end_tokens
            .first()
            .ok_or_else(|| failed("the model has no end-of-turn token".into()))?;
        let info = TokRxInfo::new(vocab_size as u32, eos);
        let trie = TokTrie::from(&info, &words).with_eos_tokens(end_tokens);
        let env: TokEnv = Arc::new(GuidanceTokenizer {
            trie,
            tokenizer: tokenizer.clone(),
        });
        let mut factory = ParserFactory::new_simple(&env)
            .map_err(|e| failed(format!("cannot build the constraint engine: {e}")))?;
        factory.quiet();
        Ok(Self {
            factory,
            closers: Arc::new(ClosingTokens::new(&words)),
        })
    }

    /// A fresh matcher for one generation; fails when the schema cannot be compiled.
    pub fn json_schema(&self, schema: &Value) -> Result<JsonConstraint> {
        let Value::Object(fields) = schema else {
            return Err(LlmError::Constraint(
                "a JSON Schema must be a JSON object".into(),
            ));
        };
        let mut schema = Value::Object(fields.clone());
        close_objects(&mut schema);
        schema["x-guidance"] = compile_options();
        let parser = self
            .factory
            .create_parser(TopLevelGrammar::from_json_schema(schema))
            .map_err(|e| LlmError::Constraint(format!("the schema cannot be enforced: {e}")))?;
        let matcher = Matcher::new(Ok(parser));
        if let Some(problem) = matcher.get_error() {
            return Err(LlmError::Constraint(format!(
                "the schema cannot be enforced: {problem}"
            )));
        }
        Ok(JsonConstraint {
            matcher,
            closers: self.closers.clone(),
            in_string: false,
            escaped: false,
        })
    }
}

/// What the constraint allows next.
pub enum Allowed {
    /// Sample among these tokens.
    Tokens(SimpleVob),
    /// The document is complete.
    Done,
}

/// The state of one constrained generation.
pub struct JsonConstraint {
    matcher: Matcher,
    closers: Arc<ClosingTokens>,
    /// Whether the text so far ends inside a JSON string, and just after a backslash there.
    in_string: bool,
    escaped: bool,
}

impl JsonConstraint {
    pub fn next_allowed(&mut self) -> Result<Allowed> {
        if self.matcher.is_stopped() {
            return self.error_or(Allowed::Done);
        }
        let mask = self.matcher.compute_mask().map_err(constraint_error)?;
        if mask.num_set() == 0 {
            return self.error_or(Allowed::Done);
        }
        Ok(Allowed::Tokens(mask))
    }

    /// Advances past a sampled token (which the last mask allowed).
    pub fn accept(&mut self, token: u32) -> Result<()> {
        self.matcher
            .consume_token(token)
            .map_err(constraint_error)?;
        self.follow(&[token]);
        Ok(())
    }

    /// Narrows `mask` to the tokens that end the document soonest: inside a string, those
    /// that close it; elsewhere, those that close an array or object, else those that
    /// write a string rather than open a structure. Left as it is when none is allowed (a
    /// property's name, a number's digits).
    pub fn narrow_to_closing(&self, mask: &mut SimpleVob) {
        let preferred: &[&SimpleVob] = if self.in_string {
            &[&self.closers.quote]
        } else {
            &[&self.closers.bracket, &self.closers.opening_quote]
        };
        if let Some(class) = preferred.iter().find(|class| !mask.and_is_zero(class)) {
            mask.and(class);
        }
    }

    /// The tokens it takes, narrowing every step to the closing tokens, to end the
    /// document from here (at most `limit`): the room an answer must keep so that it can
    /// always finish.
    pub fn closing_length(&self, limit: usize) -> Result<usize> {
        let mut rehearsal = JsonConstraint {
            matcher: self.matcher.deep_clone(),
            closers: self.closers.clone(),
            in_string: self.in_string,
            escaped: self.escaped,
        };
        let mut length = 0;
        while length < limit && !rehearsal.is_complete() {
            let mut mask = rehearsal.matcher.compute_mask().map_err(constraint_error)?;
            rehearsal.narrow_to_closing(&mut mask);
            let Some(token) = mask.first_bit_set() else {
                break;
            };
            rehearsal.accept(token as TokenId)?;
            length += 1 + rehearsal.take_forced(limit)?.len();
        }
        Ok(length.min(limit))
    }

    /// Keeps track of whether the text ends inside a string.
    fn follow(&mut self, tokens: &[u32]) {
        let Ok(env) = self.matcher.tok_env() else {
            return;
        };
        for &token in tokens {
            for &byte in env.tok_trie().token(token) {
                match (self.in_string, self.escaped, byte) {
                    (true, true, _) => self.escaped = false,
                    (true, false, b'\\') => self.escaped = true,
                    (_, _, b'"') => self.in_string = !self.in_string,
                    _ => {}
                }
            }
        }
    }

    /// The tokens the schema forces next (a property's name, a constant), at most `limit`,
    /// taken as accepted: the caller runs them through the model in one pass instead of
    /// sampling each in turn.
    pub fn take_forced(&mut self, limit: usize) -> Result<Vec<u32>> {
        let mut forced = self.matcher.compute_ff_tokens();
        forced.truncate(limit);
        self.matcher
            .consume_tokens(&forced)
            .map_err(constraint_error)?;
        self.follow(&forced);
        Ok(forced)
    }

    /// Whether the text so far is a complete document.
    pub fn is_complete(&mut self) -> bool {
        self.matcher.is_stopped() || self.matcher.is_accepting().unwrap_or(false)
    }

    fn error_or(&self, allowed: Allowed) -> Result<Allowed> {
        match self.matcher.get_error() {
            Some(problem) => Err(LlmError::Constraint(problem)),
            None => Ok(allowed),
        }
    }
}

fn constraint_error(error: impl std::fmt::Display) -> LlmError {
    LlmError::Constraint(error.to_string())
}

/// Sets every logit the mask does not allow to minus infinity.
pub fn mask_logits(mask: &SimpleVob, logits: &mut [f32]) {
    for (token, logit) in logits.iter_mut().enumerate() {
        if !mask.is_allowed(token as TokenId) {
            *logit = f32::NEG_INFINITY;
        }
    }
}
