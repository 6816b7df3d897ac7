//! The Q4_K × Q8_K dot product, over several tokens at once for prefill and over one for
//! decode.
//!
//! candle's kernel unpacks a weight block's scales and nibbles again for every token it
//! meets. Here one weight block is unpacked once and multiplied into up to
//! [`TOKENS_PER_PASS`] tokens' activations while it sits in registers. CPUs found at run time
//! to have AVX-512 VNNI get a kernel built on its byte dot products, about twice as fast.

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
/// four on a Phi-3.5-width model, the unpacking being shared more widely, with AVX2 and with
/// AVX-512 VNNI alike; twelve and sixteen were slower, their accumulators not fitting in
/// registers.
pub(crate) const TOKENS_PER_PASS: usize = 8;

/// The eight 6-bit scales and eight 6-bit minimums of a block, as bytes.
#[inline]
fn scales_and_mins(scales: &[u8; 12]) -> ([u8; 8], [u8; 8]) {
    // Bytes 0..4 hold scales 0..4 in their low six bits, 4..8 minimums 0..4; scales and
    // minimums 4..8 have their low four bits in the nibbles of bytes 8..12 and their top two
    // in the spare top bits of bytes 0..8. Four at a time, as u32 lanes of bytes.
    let word =
        |i: usize| u32::from_le_bytes([scales[i], scales[i + 1], scales[i + 2], scales[i + 3]]);
    let (a, b, c) = (word(0), word(4), word(8));
    let (low6, low4, low2) = (0x3f3f_3f3f, 0x0f0f_0f0f, 0x0303_0303);
    let sc_hi = (c & low4) | (((a >> 6) & low2) << 4);
    let mn_hi = ((c >> 4) & low4) | (((b >> 6) & low2) << 4);
    let join = |lo: u32, hi: u32| (lo as u64 | (hi as u64) << 32).to_le_bytes();
    (join(a & low6, sc_hi), join(b & low6, mn_hi))
}

/// `out[t] = Σ w·acts[t]` for every token `t` (at most [`TOKENS_PER_PASS`]).
pub(crate) fn dot_q4k_q8k(w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    #[cfg(x86_avx2)]
    dot_with(Kernel::best(), w, acts, out);
    #[cfg(not(x86_avx2))]
    {
        for (o, a) in out.iter_mut().zip(acts) {
            *o = dot_q4k_q8k_scalar(w, a);
        }
    }
}

/// The x86 kernels; the sums agree up to float rounding.
#[cfg(x86_avx2)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kernel {
    Avx2,
    Avx512Vnni,
}

#[cfg(x86_avx2)]
impl Kernel {
    /// The fastest this CPU has.
    fn best() -> Self {
        if super::kernels::has_avx512_vnni() {
            Self::Avx512Vnni
        } else {
            Self::Avx2
        }
    }

    /// Every kernel this CPU can run.
    #[cfg(test)]
    fn available() -> Vec<Self> {
        let mut kernels = vec![Self::Avx2];
        if super::kernels::has_avx512_vnni() {
            kernels.push(Self::Avx512Vnni);
        }
        kernels
    }
}

#[cfg(x86_avx2)]
fn dot_with(kernel: Kernel, w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: the build's cfg guarantees AVX2, FMA and F16C, and `Kernel::best` or
    // `available` only offer AVX-512 VNNI where the CPU was found to have it.
    unsafe {
        match kernel {
            Kernel::Avx2 => super::kernels::for_token_count!(
                acts.len(),
                avx2::dot,
                (w, acts, out),
                [1, 2, 3, 4, 5, 6, 7, 8]
            ),
            Kernel::Avx512Vnni => super::kernels::for_token_count!(
                acts.len(),
                avx512::dot,
                (w, acts, out),
                [1, 2, 3, 4, 5, 6, 7, 8]
            ),
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
    use crate::kernels::avx2::{hsum, hsum128, load};
    use crate::kernels::f16_to_f32;
    use std::arch::x86_64::*;

    /// `N` tokens against one weight row; `acts` and `out` hold at least `N` entries.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn dot<const N: usize>(
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

/// The same product with AVX-512 VNNI, on CPUs that have it.
///
/// For j in 0..4, the 32 bytes `qs[32j..32j + 32]` hold sub-block 2j in their low nibbles
/// and 2j + 1 in their high ones, and the activations of both are the 64 contiguous bytes
/// `q8[64j..64j + 64]`: one register of [low nibbles | high nibbles] meets them in one
/// instruction, whose sixteen i32 sums (eight per sub-block) each fit in an i16. Two such
/// results pack losslessly into one register of i16 pairs, so one more multiply-add applies
/// the scales of four sub-blocks (measured a little faster than one per result).
#[cfg(x86_avx2)]
mod avx512 {
    use super::{BlockQ4K, BlockQ8K, scales_and_mins};
    use crate::kernels::avx2::load;
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

    /// `N` tokens against one weight row; `acts` and `out` hold at least `N` entries.
    #[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
    pub(super) unsafe fn dot<const N: usize>(
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
        let mut tokens: Vec<Vec<kq::BlockQ8K>> = (0..TOKENS_PER_PASS)
            .map(|_| {
                let x = random(&mut seed, cols);
                let mut a = vec![kq::BlockQ8K::zeros(); cols / 256];
                kq::BlockQ8K::from_float(&x, &mut a);
                a
            })
            .collect();
        // The extremes in the first block: every scale, minimum and nibble at its largest,
        // and the first token's activations at their most negative.
        {
            // SAFETY: `BlockQ4K` and `BlockQ8K` mirror candle's layouts (checked above),
            // and any bytes are valid blocks.
            let (w, first) = unsafe {
                (
                    &mut *(w.as_mut_ptr() as *mut BlockQ4K),
                    &mut *(tokens[0].as_mut_ptr() as *mut BlockQ8K),
                )
            };
            w.scales = [0xff; 12];
            w.qs = [0xff; 128];
            first.qs = [-128; 256];
            first.bsums = [-128 * 16; 16];
        }
        let expected: Vec<f32> = tokens
            .iter()
            .map(|a| kq::BlockQ4K::vec_dot(cols, &w, a))
            .collect();
        for count in 1..=TOKENS_PER_PASS {
            let acts: Vec<&[BlockQ8K]> = tokens[..count].iter().map(|a| q8k_blocks(a)).collect();
            let mut outs = Vec::new();
            // Every kernel this CPU can run, not only the fastest.
            #[cfg(x86_avx2)]
            for kernel in Kernel::available() {
                let mut out = vec![0f32; count];
                dot_with(kernel, q4k_blocks(&w), &acts, &mut out);
                outs.push(out);
            }
            let mut fastest = vec![0f32; count];
            dot_q4k_q8k(q4k_blocks(&w), &acts, &mut fastest);
            outs.push(fastest);
            for t in 0..count {
                let scalar = dot_q4k_q8k_scalar(q4k_blocks(&w), acts[t]);
                for value in outs.iter().map(|out| out[t]).chain([scalar]) {
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
