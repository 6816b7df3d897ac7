//! The Q4_K and Q6_K × Q8_K products with AVX2.

use super::{BlockQ4K, BlockQ6K, BlockQ8K, scales_and_mins};
use crate::kernels::avx2::{hsum, hsum128};
use crate::kernels::f16_to_f32;
use crate::kernels::load;
use std::arch::x86_64::*;

/// `N` tokens against one Q4_K weight row; `acts` and `out` hold at least `N` entries.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn dot_q4k<const N: usize>(
    w: &[BlockQ4K],
    acts: &[&[BlockQ8K]],
    out: &mut [f32],
) {
    let acts: &[&[BlockQ8K]; N] = acts.first_chunk().expect("the pass has N tokens");
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
            let mins = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(i64::from_le_bytes(mn)));
            for t in 0..N {
                let y = &acts[t][i];
                let bsums = load(y.bsums.as_ptr() as *const __m256i);
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
                let packed = load(x.qs.as_ptr().add(32 * j) as *const __m256i);
                let lo = _mm256_and_si256(packed, low_nibbles);
                let hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_nibbles);
                for t in 0..N {
                    let q8 = acts[t][i].qs.as_ptr().add(64 * j);
                    let q8_lo = load(q8 as *const __m256i);
                    let q8_hi = load(q8.add(32) as *const __m256i);
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

/// `N` tokens against one Q6_K weight row; `acts` and `out` hold at least `N` entries.
///
/// The weights are taken as unsigned, 0..64, for `maddubs` (whose pairs of products, at most
/// 2 · 63 · 128, never saturate); their -32 comes back per token as
/// -32 · Σ scale · (sum of the sub-block's 16 activations), from `bsums`.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn dot_q6k<const N: usize>(
    w: &[BlockQ6K],
    acts: &[&[BlockQ8K]],
    out: &mut [f32],
) {
    let acts: &[&[BlockQ8K]; N] = acts.first_chunk().expect("the pass has N tokens");
    let blocks = acts.iter().fold(w.len(), |n, a| n.min(a.len()));
    let low_nibbles = _mm256_set1_epi8(0x0f);
    let high_bits = _mm256_set1_epi8(0x30);
    let mut acc = [_mm256_setzero_ps(); N];
    for (i, x) in w[..blocks].iter().enumerate() {
        let d = f16_to_f32(x.d);
        // SAFETY: every pointer read below is inside block `i` of `w` or of an
        // activation row, and `i < blocks`, the shortest of them.
        unsafe {
            // [scales 0..8 | scales 8..16] as i16, in the order of `bsums`.
            let scales = _mm256_cvtepi8_epi16(load(x.scales.as_ptr() as *const __m128i));
            let offset_scales =
                _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_slli_epi16::<5>(scales));
            let mut sumi = [_mm256_setzero_si256(); N];
            for (t, sumi) in sumi.iter_mut().enumerate() {
                let bsums = load(acts[t][i].bsums.as_ptr() as *const __m256i);
                *sumi = _mm256_madd_epi16(bsums, offset_scales);
            }
            for half in 0..2 {
                // This half's eight scales in both 128-bit lanes.
                let half_scales = if half == 0 {
                    _mm256_permute2x128_si256::<0x00>(scales, scales)
                } else {
                    _mm256_permute2x128_si256::<0x11>(scales, scales)
                };
                let qh = load(x.qh.as_ptr().add(32 * half) as *const __m256i);
                for group in 0..4 {
                    // Weights 32 · group.. of the half (see `q6k_values`): sub-block 2 · group
                    // in the low 128-bit lane, 2 · group + 1 in the high.
                    let ql =
                        load(x.ql.as_ptr().add(64 * half + 32 * (group % 2)) as *const __m256i);
                    let low = if group < 2 {
                        _mm256_and_si256(ql, low_nibbles)
                    } else {
                        _mm256_and_si256(_mm256_srli_epi16::<4>(ql), low_nibbles)
                    };
                    // Bit pair `group` of `qh` to bits 4 and 5. The 16-bit shifts carry bits
                    // between bytes only outside the pair.
                    let high = match group {
                        0 => _mm256_slli_epi16::<4>(qh),
                        1 => _mm256_slli_epi16::<2>(qh),
                        2 => qh,
                        _ => _mm256_srli_epi16::<2>(qh),
                    };
                    let weights = _mm256_or_si256(low, _mm256_and_si256(high, high_bits));
                    let scale = _mm256_shuffle_epi8(half_scales, scale_pick(group));
                    for t in 0..N {
                        let q8 = acts[t][i].qs.as_ptr().add(128 * half + 32 * group);
                        let q8 = load(q8 as *const __m256i);
                        let p = _mm256_madd_epi16(scale, _mm256_maddubs_epi16(weights, q8));
                        sumi[t] = _mm256_add_epi32(sumi[t], p);
                    }
                }
            }
            for t in 0..N {
                let scale = _mm256_set1_ps(d * acts[t][i].d);
                acc[t] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(sumi[t]), acc[t]);
            }
        }
    }
    for t in 0..N {
        out[t] = hsum(acc[t]);
    }
}

/// The byte shuffle that puts 16-bit lane `2 · group` of the low 128-bit lane in every
/// 16-bit lane of it, and lane `2 · group + 1` of the high one in every lane of that.
#[inline]
#[target_feature(enable = "avx2,fma,f16c")]
fn scale_pick(group: usize) -> __m256i {
    let pair = |lane: usize| (2 * lane as i16) | ((2 * lane as i16 + 1) << 8);
    _mm256_set_m128i(
        _mm_set1_epi16(pair(2 * group + 1)),
        _mm_set1_epi16(pair(2 * group)),
    )
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
