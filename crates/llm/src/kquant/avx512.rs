//! The Q4_K and Q6_K × Q8_K products with AVX-512 VNNI, on CPUs that have it.
//!
//! Q4_K: for j in 0..4, the 32 bytes `qs[32j..32j + 32]` hold sub-block 2j in their low nibbles
//! and 2j + 1 in their high ones, and the activations of both are the 64 contiguous bytes
//! `q8[64j..64j + 64]`: one register of [low nibbles | high nibbles] meets them in one
//! instruction, whose sixteen i32 sums (eight per sub-block) each fit in an i16. Two such
//! results pack losslessly into one register of i16 pairs, so one more multiply-add applies
//! the scales of four sub-blocks (measured a little faster than one per result).
//!
//! Q6_K: the same, with 64 weights (four sub-blocks of 16, one per 128-bit lane) per
//! register, whose four i32 sums per lane (each at most 4 · 63 · 128 in size) fit in i16s too.

use super::{BlockQ4K, BlockQ6K, BlockQ8K, scales_and_mins};
use crate::kernels::f16_to_f32;
use crate::kernels::load;
use std::arch::x86_64::*;

/// Which of a block's eight scales each i16 of `packs(p[j], p[j + 1])` takes, for j = 0
/// (add 4 for j = 2): in 128-bit lane `l`, the first four i16 come from `p[j]`'s sub-block
/// (2j, or 2j + 1 in lanes 2 and 3), the next four from `p[j + 1]`'s.
const SCALE_PICKS: [i16; 32] = {
    let mut picks = [0; 32];
    let mut i = 0;
    while i < 32 {
        let (lane, within) = (i / 8, i % 8);
        picks[i] = (within / 4 * 2 + lane / 2) as i16;
        i += 1;
    }
    picks
};

/// `N` tokens against one Q4_K weight row; `acts` and `out` hold at least `N` entries.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn dot_q4k<const N: usize>(
    w: &[BlockQ4K],
    acts: &[&[BlockQ8K]],
    out: &mut [f32],
) {
    let acts: &[&[BlockQ8K]; N] = acts.first_chunk().expect("the pass has N tokens");
    let blocks = acts.iter().fold(w.len(), |n, a| n.min(a.len()));
    // SAFETY: `SCALE_PICKS` is 64 bytes; every other pointer read below is inside block
    // `i` of `w` or of an activation row, and `i < blocks`, the shortest of them.
    unsafe {
        let low_nibbles = _mm512_set1_epi8(0x0f);
        let picks01 = load(SCALE_PICKS.as_ptr() as *const __m512i);
        let picks23 = _mm512_add_epi16(picks01, _mm512_set1_epi16(4));
        // [d ×8 | dmin ×8], from the pair [d, dmin].
        let dmin_upper = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        let mut acc = [_mm512_setzero_ps(); N];
        for (i, x) in w[..blocks].iter().enumerate() {
            let (sc, mn) = scales_and_mins(&x.scales);
            // d and dmin are adjacent f16s: convert both with one instruction.
            let dm = _mm_cvtph_ps(_mm_cvtsi32_si128(
                (x.d as u32 | (x.dmin as u32) << 16) as i32,
            ));
            let d_dmin = _mm512_permutexvar_ps(dmin_upper, _mm512_castps128_ps512(dm));
            let sc = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(
                i64::from_le_bytes(sc),
            )));
            let scales01 = _mm512_permutexvar_epi16(picks01, sc);
            let scales23 = _mm512_permutexvar_epi16(picks23, sc);
            // Each minimum twice, negated: the activations' sums come in halves of a
            // sub-block, and the minimums are subtracted.
            let mn = _mm_cvtsi64_si128(i64::from_le_bytes(mn));
            let neg_mins = _mm256_sub_epi16(
                _mm256_setzero_si256(),
                _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(mn, mn)),
            );
            let mut nibbles = [_mm512_setzero_si512(); 4];
            for (j, nibbles) in nibbles.iter_mut().enumerate() {
                let packed =
                    _mm512_broadcast_i64x4(load(x.qs.as_ptr().add(32 * j) as *const __m256i));
                // The upper 256 bits take the high nibbles.
                let shifted = _mm512_mask_srli_epi16::<4>(packed, 0xffff_0000, packed);
                *nibbles = _mm512_and_si512(shifted, low_nibbles);
            }
            for t in 0..N {
                let y = &acts[t][i];
                let mut p = [_mm512_setzero_si512(); 4];
                for j in 0..4 {
                    let q8 = load(y.qs.as_ptr().add(64 * j) as *const __m512i);
                    p[j] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), nibbles[j], q8);
                }
                let sumi = _mm512_dpwssd_epi32(
                    _mm512_setzero_si512(),
                    _mm512_packs_epi32(p[0], p[1]),
                    scales01,
                );
                let sumi = _mm512_dpwssd_epi32(sumi, _mm512_packs_epi32(p[2], p[3]), scales23);
                let bsums = load(y.bsums.as_ptr() as *const __m256i);
                let mins = _mm256_madd_epi16(bsums, neg_mins);
                // [sumi's two halves added | mins], to be scaled by [d | dmin].
                let upper =
                    _mm512_shuffle_i64x2::<0b01_00_11_10>(sumi, _mm512_castsi256_si512(mins));
                let both = _mm512_mask_add_epi32(upper, 0x00ff, upper, sumi);
                let scale = _mm512_mul_ps(d_dmin, _mm512_set1_ps(y.d));
                acc[t] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(both), acc[t]);
            }
        }
        for t in 0..N {
            out[t] = _mm512_reduce_add_ps(acc[t]);
        }
    }
}

/// Which of a Q6_K block's sixteen scales each i16 of `packs(p[0], p[1])` takes (add 8 for
/// `p[2]`, `p[3]`), `p[k]` holding sub-block 4k + l in 128-bit lane `l`: in lane `l`, the
/// first four i16 come from `p[0]`'s sub-block l, the next four from `p[1]`'s, 4 + l.
const Q6K_SCALE_PICKS: [i16; 32] = {
    let mut picks = [0; 32];
    let mut i = 0;
    while i < 32 {
        let (lane, within) = (i / 8, i % 8);
        picks[i] = (within / 4 * 4 + lane) as i16;
        i += 1;
    }
    picks
};

/// `N` tokens against one Q6_K weight row; `acts` and `out` hold at least `N` entries.
///
/// The weights are taken as unsigned, 0..64, for `dpbusd`; their -32 comes back per token
/// as -32 · Σ scale · (sum of the sub-block's 16 activations), from `bsums`.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn dot_q6k<const N: usize>(
    w: &[BlockQ6K],
    acts: &[&[BlockQ8K]],
    out: &mut [f32],
) {
    let acts: &[&[BlockQ8K]; N] = acts.first_chunk().expect("the pass has N tokens");
    let blocks = acts.iter().fold(w.len(), |n, a| n.min(a.len()));
    // SAFETY: `Q6K_SCALE_PICKS` is 64 bytes; every other pointer read below is inside block
    // `i` of `w` or of an activation row, and `i < blocks`, the shortest of them.
    unsafe {
        let low_nibbles = _mm512_set1_epi8(0x0f);
        let high_bits = _mm512_set1_epi8(0x30);
        let picks01 = load(Q6K_SCALE_PICKS.as_ptr() as *const __m512i);
        let picks23 = _mm512_add_epi16(picks01, _mm512_set1_epi16(8));
        // Bit pairs 0 and 1 of `qh` to bits 4 and 5, in the lower and upper 256 bits.
        let shifts01 = _mm512_inserti64x4::<1>(_mm512_set1_epi16(4), _mm256_set1_epi16(2));
        let mut acc = [_mm512_setzero_ps(); N];
        for (i, x) in w[..blocks].iter().enumerate() {
            let d = _mm512_set1_ps(f16_to_f32(x.d));
            let scales = _mm256_cvtepi8_epi16(load(x.scales.as_ptr() as *const __m128i));
            let scales01 = _mm512_permutexvar_epi16(picks01, _mm512_castsi256_si512(scales));
            let scales23 = _mm512_permutexvar_epi16(picks23, _mm512_castsi256_si512(scales));
            // Zero above the sixteen, so that the activations' sums can be read as 512 bits.
            let offset_scales = _mm512_zextsi256_si512(_mm256_sub_epi16(
                _mm256_setzero_si256(),
                _mm256_slli_epi16::<5>(scales),
            ));
            // Weights 64k.. (see `q6k_values`): half k / 2's groups 2 (k % 2) and
            // 2 (k % 2) + 1, whose low four bits are the same nibble of 64 bytes of `ql`
            // and whose top two are bit pairs of the same 32 bytes of `qh`.
            let mut weights = [_mm512_setzero_si512(); 4];
            for (k, weights) in weights.iter_mut().enumerate() {
                let half = k / 2;
                let ql = load(x.ql.as_ptr().add(64 * half) as *const __m512i);
                let qh =
                    _mm512_broadcast_i64x4(load(x.qh.as_ptr().add(32 * half) as *const __m256i));
                // The 16-bit shifts carry bits between bytes only outside what is kept.
                let (low, high) = if k % 2 == 0 {
                    (ql, _mm512_sllv_epi16(qh, shifts01))
                } else {
                    (
                        _mm512_srli_epi16::<4>(ql),
                        _mm512_mask_srli_epi16::<2>(qh, 0xffff_0000, qh),
                    )
                };
                *weights = _mm512_or_si512(
                    _mm512_and_si512(low, low_nibbles),
                    _mm512_and_si512(high, high_bits),
                );
            }
            for t in 0..N {
                let y = &acts[t][i];
                let mut p = [_mm512_setzero_si512(); 4];
                for k in 0..4 {
                    let q8 = load(y.qs.as_ptr().add(64 * k) as *const __m512i);
                    p[k] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), weights[k], q8);
                }
                let bsums = _mm512_zextsi256_si512(load(y.bsums.as_ptr() as *const __m256i));
                let sumi = _mm512_madd_epi16(bsums, offset_scales);
                let sumi = _mm512_dpwssd_epi32(sumi, _mm512_packs_epi32(p[0], p[1]), scales01);
                let sumi = _mm512_dpwssd_epi32(sumi, _mm512_packs_epi32(p[2], p[3]), scales23);
                let scale = _mm512_mul_ps(d, _mm512_set1_ps(y.d));
                acc[t] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(sumi), acc[t]);
            }
        }
        for t in 0..N {
            out[t] = _mm512_reduce_add_ps(acc[t]);
        }
    }
}
