//! Choosing the next token from logits: greedy, or temperature with top-k, top-p and min-p,
//! after a repetition penalty over recent tokens. A seed makes sampling reproducible.

use serde::{Deserialize, Serialize};

use super::error::{LlmError, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamplingOptions {
    /// 0 means greedy.
    pub temperature: f32,
    /// Keep the `top_k` most likely tokens; 0 keeps all.
    pub top_k: usize,
    /// Keep the smallest set of tokens whose probability reaches `top_p`; 1 keeps all.
    pub top_p: f32,
    /// Drop tokens less likely than `min_p` times the most likely one; 0 keeps all.
    pub min_p: f32,
    /// Divides positive logits (multiplies negative ones) of recently seen tokens; 1 is off.
    pub repeat_penalty: f32,
    /// How many recent tokens the penalty looks at.
    pub repeat_window: usize,
    pub seed: u64,
}

impl Default for SamplingOptions {
    fn default() -> Self {
        Self::greedy()
    }
}

impl SamplingOptions {
    pub fn greedy() -> Self {
        Self {
            temperature: 0.0,
            top_k: 0,
            top_p: 1.0,
            min_p: 0.0,
            repeat_penalty: 1.0,
            repeat_window: 64,
            seed: 0,
        }
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(LlmError::InvalidOptions(what.to_string()));
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return bad("temperature must be 0 or more");
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return bad("top_p must be in (0, 1]");
        }
        if !(0.0..=1.0).contains(&self.min_p) {
            return bad("min_p must be in [0, 1]");
        }
        if !(self.repeat_penalty.is_finite() && self.repeat_penalty > 0.0) {
            return bad("repeat_penalty must be above 0");
        }
        Ok(())
    }
}

/// xoshiro256** seeded through SplitMix64: small, fast and the same on every platform.
#[derive(Debug, Clone)]
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Self([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

#[derive(Debug, Clone)]
pub struct Sampler {
    options: SamplingOptions,
    rng: Rng,
    candidates: Vec<(u32, f32)>,
}

impl Sampler {
    pub fn new(options: SamplingOptions) -> Result<Self> {
        options.validate()?;
        Ok(Self {
            rng: Rng::new(options.seed),
            options,
            candidates: Vec::new(),
        })
    }

    /// Picks the next token. `logits` is modified (penalties applied); `history` is the
    /// sequence so far, of which the last `repeat_window` tokens are penalised.
    pub fn sample(&mut self, logits: &mut [f32], history: &[u32]) -> u32 {
        let o = &self.options;
        if o.repeat_penalty != 1.0 && o.repeat_window > 0 {
            let recent = &history[history.len().saturating_sub(o.repeat_window)..];
            // Each distinct token is penalised once, however often it recurs.
            for (i, &token) in recent.iter().enumerate() {
                if recent[..i].contains(&token) {
                    continue;
                }
                if let Some(logit) = logits.get_mut(token as usize) {
                    *logit = if *logit > 0.0 {
                        *logit / o.repeat_penalty
                    } else {
                        *logit * o.repeat_penalty
                    };
                }
            }
        }
        if o.temperature <= 0.0 {
            return argmax(logits);
        }
        let candidates = &mut self.candidates;
        candidates.clear();
        candidates.extend(
            logits
                .iter()
                .enumerate()
                .filter(|(_, l)| l.is_finite())
                .map(|(i, &l)| (i as u32, l / o.temperature)),
        );
        if candidates.is_empty() {
            return argmax(logits);
        }
        let by_logit = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1);
        if o.top_k > 0 && o.top_k < candidates.len() {
            candidates.select_nth_unstable_by(o.top_k - 1, by_logit);
            candidates.truncate(o.top_k);
        }
        candidates.sort_unstable_by(by_logit);
        let max = candidates[0].1;
        let mut total = 0f32;
        for c in candidates.iter_mut() {
            c.1 = (c.1 - max).exp();
            total += c.1;
        }
        for c in candidates.iter_mut() {
            c.1 /= total;
        }
        if o.top_p < 1.0 {
            let mut cumulative = 0f32;
            let mut keep = candidates.len();
            for (i, c) in candidates.iter().enumerate() {
                cumulative += c.1;
                if cumulative >= o.top_p {
                    keep = i + 1;
                    break;
                }
            }
            candidates.truncate(keep);
        }
        if o.min_p > 0.0 {
            let threshold = candidates[0].1 * o.min_p;
            let keep = candidates
                .iter()
                .take_while(|c| c.1 >= threshold)
                .count()
                .max(1);
            candidates.truncate(keep);
        }
        let mass: f32 = candidates.iter().map(|c| c.1).sum();
        let mut target = self.rng.next_f32() * mass;
        for c in candidates.iter() {
            target -= c.1;
            if target < 0.0 {
                return c.0;
            }
        }
        candidates[candidates.len() - 1].0
    }
}

/// The index of the largest logit, the first one on ties (as llama.cpp's greedy sampler).
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    let mut best_value = f32::NEG_INFINITY;
    for (i, &v) in logits.iter().enumerate() {
        if v > best_value {
            best = i;
            best_value = v;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logits() -> Vec<f32> {
        vec![1.0, 3.0, 2.5, -1.0, 0.5, 2.9]
    }

    #[test]
    fn greedy_takes_the_largest() {
        let mut s = Sampler::new(SamplingOptions::greedy()).unwrap();
        assert_eq!(s.sample(&mut logits(), &[]), 1);
    }

    #[test]
    fn repetition_penalty_steers_away() {
        let mut s = Sampler::new(SamplingOptions {
            repeat_penalty: 2.0,
            ..SamplingOptions::greedy()
        })
        .unwrap();
        assert_eq!(s.sample(&mut logits(), &[1, 1]), 5);
    }

    #[test]
    fn seeded_sampling_is_reproducible_and_respects_top_k() {
        let options = SamplingOptions {
            temperature: 1.0,
            top_k: 2,
            seed: 42,
            ..SamplingOptions::greedy()
        };
        let run = || {
            let mut s = Sampler::new(options.clone()).unwrap();
            (0..50)
                .map(|_| s.sample(&mut logits(), &[]))
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.iter().all(|&t| t == 1 || t == 5));
        assert!(a.contains(&1) && a.contains(&5));
    }

    #[test]
    fn min_p_and_top_p_prune() {
        let mut s = Sampler::new(SamplingOptions {
            temperature: 1.0,
            min_p: 0.9,
            seed: 1,
            ..SamplingOptions::greedy()
        })
        .unwrap();
        for _ in 0..20 {
            let t = s.sample(&mut logits(), &[]);
            assert!(t == 1 || t == 5, "{t}");
        }
        let mut s = Sampler::new(SamplingOptions {
            temperature: 1.0,
            top_p: 0.01,
            seed: 1,
            ..SamplingOptions::greedy()
        })
        .unwrap();
        assert_eq!(s.sample(&mut logits(), &[]), 1);
    }
}
