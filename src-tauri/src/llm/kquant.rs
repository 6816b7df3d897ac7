//! The Q4_K × Q8_K dot product over several tokens at once, for prefill.
//!
//! candle's kernel unpacks a weight block's scales and nibbles again for every token it
//! meets. Here one weight block is unpacked once and multiplied into up to
//! [`TOKENS_PER_PASS`] tokens' activations while it sits in registers.

use candle_core::quantized::k_quants as kq;

/// A Q4_K weight block (the layout of candle's `BlockQ4K`): 256 weights in eight
/// sub-blocks of 32, each with a 6-bit scale and a 6-bit minimum.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct BlockQ4K {
    pub d: u16,
    pub dmin: u16,
    pub scales: [u8; 12],
    pub qs: [u8; 128],
}

/// A Q8_K activation block (the layout of candle's `BlockQ8K`), with sums of every 16
/// values for the minimum term.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct BlockQ8K {
    pub d: f32,
    pub qs: [i8; 256],
    pub bsums: [i16; 16],
}

const _: () = assert!(std::mem::size_of::<BlockQ4K>() == std::mem::size_of::<kq::BlockQ4K>());
const _: () = assert!(std::mem::size_of::<BlockQ8K>() == std::mem::size_of::<kq::BlockQ8K>());
const _: () = assert!(std::mem::align_of::<BlockQ4K>() == std::mem::align_of::<kq::BlockQ4K>());
const _: () = assert!(std::mem::align_of::<BlockQ8K>() == std::mem::align_of::<kq::BlockQ8K>());

pub(crate) fn q4k_blocks(blocks: &[kq::BlockQ4K]) -> &[BlockQ4K] {
    // SAFETY: both are `repr(C)` with the same fields, size and alignment (checked above).
    unsafe { std::slice::from_raw_parts(blocks.as_ptr() as *const BlockQ4K, blocks.len()) }
}

pub(crate) fn q8k_blocks(blocks: &[kq::BlockQ8K]) -> &[BlockQ8K] {
    // SAFETY: as for `q4k_blocks`.
    unsafe { std::slice::from_raw_parts(blocks.as_ptr() as *const BlockQ8K, blocks.len()) }
}

/// The most tokens one pass over a weight row serves: eight measured a little faster than
/// four on a Phi-3.5-width model, the unpacking being shared more widely.
pub(crate) const TOKENS_PER_PASS: usize = 8;

/// The eight 6-bit scales and eight 6-bit minimums of a block, as bytes.
fn scales_and_mins(scales: &[u8; 12]) -> ([u8; 8], [u8; 8]) {
    let mut sc = [0u8; 8];
    let mut mn = [0u8; 8];
    for j in 0..4 {
        sc[j] = scales[j] & 63;
        mn[j] = scales[j + 4] & 63;
        sc[j + 4] = (scales[j + 8] & 0x0f) | ((scales[j] >> 6) << 4);
        mn[j + 4] = (scales[j + 8] >> 4) | ((scales[j + 4] >> 6) << 4);
    }
    (sc, mn)
}

/// `out[t] = Σ w·acts[t]` for every token `t` (at most [`TOKENS_PER_PASS`]).
pub(crate) fn dot_q4k_q8k(w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    #[cfg(x86_avx2)]
    {
        // SAFETY: the cfg above guarantees the instructions exist.
        unsafe {
            super::kernels::for_token_count!(
                acts.len(),
                avx2::dot,
                (w, acts, out),
                [1, 2, 3, 4, 5, 6, 7, 8]
            )
        }
    }
    #[cfg(not(x86_avx2))]
    {
        for (o, a) in out.iter_mut().zip(acts) {
            *o = dot_q4k_q8k_scalar(w, a);
        }
    }
}

#[cfg_attr(x86_avx2, allow(dead_code))]
pub(crate) fn dot_q4k_q8k_scalar(w: &[BlockQ4K], a: &[BlockQ8K]) -> f32 {
    let mut sum = 0f32;
    for (x, y) in w.iter().zip(a) {
        let (sc, mn) = scales_and_mins(&x.scales);
        let mut sumi = 0i32;
        let mut summ = 0i32;
        for j in 0..8 {
            let nibbles = &x.qs[(j / 2) * 32..(j / 2) * 32 + 32];
            let q8 = &y.qs[j * 32..j * 32 + 32];
            let mut s = 0i32;
            for (&packed, &q) in nibbles.iter().zip(q8) {
                let nibble = if j % 2 == 0 {
                    packed & 0x0f
                } else {
                    packed >> 4
                };
                s += nibble as i32 * q as i32;
            }
            sumi += s * sc[j] as i32;
            summ += (y.bsums[2 * j] as i32 + y.bsums[2 * j + 1] as i32) * mn[j] as i32;
        }
        let d = super::kernels::f16_to_f32(x.d) * y.d;
        let dmin = super::kernels::f16_to_f32(x.dmin) * y.d;
        sum += d * sumi as f32 - dmin * summ as f32;
    }
    sum
}

#[cfg(x86_avx2)]
mod avx2 {
    use super::{BlockQ4K, BlockQ8K, scales_and_mins};
    use crate::llm::kernels::avx2::{hsum, hsum128};
    use crate::llm::kernels::f16_to_f32;
    use std::arch::x86_64::*;

    /// `N` tokens against one weight row; `acts` and `out` hold at least `N` entries.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn dot<const N: usize>(
        w: &[BlockQ4K],
        acts: &[&[BlockQ8K]],
        out: &mut [f32],
    ) {
        let acts: [&[BlockQ8K]; N] = std::array::from_fn(|t| acts[t]);
        let blocks = acts.iter().fold(w.len(), |n, a| n.min(a.len()));
        let low_nibbles = _mm256_set1_epi8(0x0f);
        let mut acc = [_mm256_setzero_ps(); N];
        let mut acc_mins = [_mm_setzero_ps(); N];
        for (i, x) in w[..blocks].iter().enumerate() {
            let d = f16_to_f32(x.d);
            let dmin = f16_to_f32(x.dmin);
            let (sc, mn) = scales_and_mins(&x.scales);
            // SAFETY: every pointer read below is inside block `i` of `w` or of an
            // activation row, and `i < blocks`, the shortest of them.
            unsafe {
                let scales = _mm256_cvtepu8_epi16(_mm_set1_epi64x(i64::from_le_bytes(sc)));
                let mins = _mm_cvtepu8_epi16(_mm_loadl_epi64(mn.as_ptr() as *const __m128i));
                for t in 0..N {
                    let y = &acts[t][i];
                    let bsums = _mm256_loadu_si256(y.bsums.as_ptr() as *const __m256i);
                    // Pairs of 16-value sums give the eight 32-value sums, in order.
                    let sums = _mm_hadd_epi16(
                        _mm256_castsi256_si128(bsums),
                        _mm256_extracti128_si256(bsums, 1),
                    );
                    let prod = _mm_cvtepi32_ps(_mm_madd_epi16(mins, sums));
                    acc_mins[t] = _mm_fmadd_ps(_mm_set1_ps(-dmin * y.d), prod, acc_mins[t]);
                }
                let mut sumi = [_mm256_setzero_si256(); N];
                for j in 0..4 {
                    // Sub-block 2j is the low nibbles of these 32 bytes, 2j + 1 the high.
                    let scale_lo = broadcast_i16(scales, 2 * j);
                    let scale_hi = broadcast_i16(scales, 2 * j + 1);
                    let packed = _mm256_loadu_si256(x.qs.as_ptr().add(32 * j) as *const __m256i);
                    let lo = _mm256_and_si256(packed, low_nibbles);
                    let hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_nibbles);
                    for t in 0..N {
                        let q8 = acts[t][i].qs.as_ptr().add(64 * j);
                        let q8_lo = _mm256_loadu_si256(q8 as *const __m256i);
                        let q8_hi = _mm256_loadu_si256(q8.add(32) as *const __m256i);
                        let p_lo = _mm256_madd_epi16(scale_lo, _mm256_maddubs_epi16(lo, q8_lo));
                        let p_hi = _mm256_madd_epi16(scale_hi, _mm256_maddubs_epi16(hi, q8_hi));
                        sumi[t] = _mm256_add_epi32(sumi[t], _mm256_add_epi32(p_lo, p_hi));
                    }
                }
                for t in 0..N {
                    let scale = _mm256_set1_ps(d * acts[t][i].d);
                    acc[t] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(sumi[t]), acc[t]);
                }
            }
        }
        for t in 0..N {
            out[t] = hsum(acc[t]) + hsum128(acc_mins[t]);
        }
    }

    /// The 16-bit lane `index` (below 8) of `v`, whose halves are equal, in every lane.
    #[inline]
    #[target_feature(enable = "avx2,fma,f16c")]
    fn broadcast_i16(v: __m256i, index: usize) -> __m256i {
        let pair = (2 * index as i16) | ((2 * index as i16 + 1) << 8);
        // Both 128-bit halves of `v` hold the same eight values, so a per-half byte
        // shuffle picks lane `index` everywhere.
        _mm256_shuffle_epi8(v, _mm256_set1_epi16(pair))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::k_quants::GgmlType;

    fn random(seed: &mut u32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (*seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    /// Every token count gives what candle's kernel and the scalar reference give.
    #[test]
    fn multi_token_dot_matches_candle_and_scalar() {
        let mut seed = 11;
        let cols = 256 * 6;
        let weights = random(&mut seed, cols);
        let mut w = vec![kq::BlockQ4K::zeros(); cols / 256];
        kq::BlockQ4K::from_float(&weights, &mut w);
        let tokens: Vec<Vec<kq::BlockQ8K>> = (0..TOKENS_PER_PASS)
            .map(|_| {
                let x = random(&mut seed, cols);
                let mut a = vec![kq::BlockQ8K::zeros(); cols / 256];
                kq::BlockQ8K::from_float(&x, &mut a);
                a
            })
            .collect();
        let expected: Vec<f32> = tokens
            .iter()
            .map(|a| kq::BlockQ4K::vec_dot(cols, &w, a))
            .collect();
        for count in 1..=TOKENS_PER_PASS {
            let acts: Vec<&[BlockQ8K]> = tokens[..count].iter().map(|a| q8k_blocks(a)).collect();
            let mut out = vec![0f32; count];
            dot_q4k_q8k(q4k_blocks(&w), &acts, &mut out);
            for t in 0..count {
                let scalar = dot_q4k_q8k_scalar(q4k_blocks(&w), acts[t]);
                for value in [out[t], scalar] {
                    assert!(
                        (value - expected[t]).abs() <= 1e-4 * expected[t].abs().max(1.0),
                        "{count} tokens, token {t}: {value} vs candle {}",
                        expected[t]
                    );
                }
            }
        }
    }
}
