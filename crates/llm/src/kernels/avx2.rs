//! The x86 Q4_1×Q8_1 dot products: AVX2, with AVX-VNNI or AVX-512 VNNI byte dot products
//! where the CPU has them.

use super::{BlockQ4_1, BlockQ8_1F, load};
use std::arch::x86_64::*;

/// The sum of the eight lanes of `x`.
#[inline]
#[target_feature(enable = "avx2,fma,f16c")]
pub(crate) fn hsum(x: __m256) -> f32 {
    hsum128(_mm_add_ps(
        _mm256_extractf128_ps(x, 1),
        _mm256_castps256_ps128(x),
    ))
}

/// The sum of the four lanes of `x`.
#[inline]
#[target_feature(enable = "avx2,fma,f16c")]
pub(crate) fn hsum128(x: __m128) -> f32 {
    let r = _mm_add_ps(x, _mm_movehl_ps(x, x));
    let r = _mm_add_ss(r, _mm_movehdup_ps(r));
    _mm_cvtss_f32(r)
}

/// One weight block's 32 values as bytes, and its (d, m).
#[inline]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn unpack(w: *const BlockQ4_1) -> (__m256i, f32, f32) {
    unsafe {
        // d and m are adjacent f16s: convert both with one instruction.
        let dm = _mm_cvtph_ps(_mm_cvtsi32_si128(load(w as *const i32)));
        let packed: __m128i = load((*w).qs.as_ptr() as *const __m128i);
        let nibbles = _mm256_and_si256(
            _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed),
            _mm256_set1_epi8(0x0f),
        );
        (
            nibbles,
            _mm_cvtss_f32(dm),
            _mm_cvtss_f32(_mm_movehdup_ps(dm)),
        )
    }
}

/// The instructions that sum products of unsigned and signed bytes, four to an i32
/// lane. Every choice gives exactly the same sums (a nibble times an i8, doubled, never
/// saturates the i16 that AVX2's pair step goes through), and so the same dot products
/// to the bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ByteDot {
    Avx2,
    /// VEX-encoded VNNI, on CPUs without AVX-512.
    AvxVnni,
    /// AVX-512 VNNI, two blocks to a 512-bit register.
    Avx512Vnni,
}

impl ByteDot {
    /// The fastest this CPU has.
    pub(crate) fn best() -> Self {
        if super::has_avx512_vnni() {
            Self::Avx512Vnni
        } else if super::has_avx_vnni() {
            Self::AvxVnni
        } else {
            Self::Avx2
        }
    }

    /// Every choice this CPU can run.
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Self> {
        let mut kinds = vec![Self::Avx2];
        if super::has_avx_vnni() {
            kinds.push(Self::AvxVnni);
        }
        if super::has_avx512_vnni() {
            kinds.push(Self::Avx512Vnni);
        }
        kinds
    }
}

/// A pass of tokens against one weight row, with the byte dot product `kind`; `out` holds
/// at least as many entries as `acts`.
pub(super) fn dot_q4_1_q8_1(
    kind: ByteDot,
    w: &[BlockQ4_1],
    acts: &[&[BlockQ8_1F]],
    out: &mut [f32],
) {
    // SAFETY: the build's cfg guarantees AVX2, FMA and F16C, and `ByteDot::best` or
    // `available` only offer a VNNI kind the CPU was found to have.
    unsafe {
        match kind {
            ByteDot::Avx2 => super::for_token_count!(
                acts.len(),
                self::dot_q4_1_q8_1_avx2,
                (w, acts, out),
                [1, 2, 3, 4]
            ),
            ByteDot::AvxVnni => super::for_token_count!(
                acts.len(),
                self::dot_q4_1_q8_1_avx_vnni,
                (w, acts, out),
                [1, 2, 3, 4]
            ),
            ByteDot::Avx512Vnni => super::for_token_count!(
                acts.len(),
                self::dot_q4_1_q8_1_avx512_vnni,
                (w, acts, out),
                [1, 2, 3, 4]
            ),
        }
    }
}

#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn dot_q4_1_q8_1_avx2<const N: usize>(
    w: &[BlockQ4_1],
    acts: &[&[BlockQ8_1F]],
    out: &mut [f32],
) {
    // SAFETY: as for the caller.
    unsafe { dot_q4_1_q8_1_with::<N, { ByteDot::Avx2 as u8 }>(w, acts, out) }
}

#[target_feature(enable = "avx2,fma,f16c,avxvnni")]
unsafe fn dot_q4_1_q8_1_avx_vnni<const N: usize>(
    w: &[BlockQ4_1],
    acts: &[&[BlockQ8_1F]],
    out: &mut [f32],
) {
    // SAFETY: as for the caller.
    unsafe { dot_q4_1_q8_1_with::<N, { ByteDot::AvxVnni as u8 }>(w, acts, out) }
}

#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512vl,avx512vnni")]
unsafe fn dot_q4_1_q8_1_avx512_vnni<const N: usize>(
    w: &[BlockQ4_1],
    acts: &[&[BlockQ8_1F]],
    out: &mut [f32],
) {
    // SAFETY: as for the caller.
    unsafe { dot_q4_1_q8_1_with::<N, { ByteDot::Avx512Vnni as u8 }>(w, acts, out) }
}

/// Σ q_w·q_a of one block as eight f32 lanes, with the byte dot product `DOT` (a
/// [`ByteDot`]); the caller has its instructions enabled.
#[inline(always)]
unsafe fn block_sums<const DOT: u8>(nibbles: __m256i, a: &BlockQ8_1F) -> __m256 {
    unsafe {
        let q: __m256i = load(a.qs.as_ptr() as *const __m256i);
        let sums = if DOT == ByteDot::AvxVnni as u8 {
            _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), nibbles, q)
        } else if DOT == ByteDot::Avx512Vnni as u8 {
            _mm256_dpbusd_epi32(_mm256_setzero_si256(), nibbles, q)
        } else {
            let pairs = _mm256_maddubs_epi16(nibbles, q);
            _mm256_madd_epi16(pairs, _mm256_set1_epi16(1))
        };
        _mm256_cvtepi32_ps(sums)
    }
}

/// `N` tokens against one weight row; `acts` and `out` hold at least `N` entries. Inlined
/// into one wrapper per byte dot product `DOT`, which enables its instructions.
#[inline(always)]
unsafe fn dot_q4_1_q8_1_with<const N: usize, const DOT: u8>(
    w: &[BlockQ4_1],
    acts: &[&[BlockQ8_1F]],
    out: &mut [f32],
) {
    let acts: &[&[BlockQ8_1F]; N] = acts.first_chunk().expect("the pass has N tokens");
    let n = acts.iter().fold(w.len(), |n, a| n.min(a.len()));
    let wp = w.as_ptr();
    // SAFETY: the wrapper this is inlined into enables the instructions; every block
    // read is below `n`, within `w` and every activation row.
    unsafe {
        // Even and odd blocks go to separate accumulators, to overlap the FMA latencies.
        let mut acc0 = [_mm256_setzero_ps(); N];
        let mut acc1 = [_mm256_setzero_ps(); N];
        let mut offsets = [0f32; N];
        let mut i = 0;
        if DOT == ByteDot::Avx512Vnni as u8 {
            // A pair of blocks per 512-bit register: the lower half is `acc0`'s lanes, the
            // upper `acc1`'s, so every lane sees the operations it would in 256 bits.
            let mut acc = [_mm512_setzero_ps(); N];
            while i + 1 < n {
                let (n0, d0, m0) = unpack(wp.add(i));
                let (n1, d1, m1) = unpack(wp.add(i + 1));
                let nibbles = _mm512_inserti64x4::<1>(_mm512_castsi256_si512(n0), n1);
                let d = _mm512_mask_broadcastss_ps(_mm512_set1_ps(d0), 0xff00, _mm_set_ss(d1));
                for t in 0..N {
                    let (a0, a1) = (&acts[t][i], &acts[t][i + 1]);
                    let q = _mm512_inserti64x4::<1>(
                        _mm512_castsi256_si512(load(a0.qs.as_ptr() as *const __m256i)),
                        load(a1.qs.as_ptr() as *const __m256i),
                    );
                    let sums = _mm512_dpbusd_epi32(_mm512_setzero_si512(), nibbles, q);
                    let a_d =
                        _mm512_mask_broadcastss_ps(_mm512_set1_ps(a0.d), 0xff00, _mm_set_ss(a1.d));
                    let scale = _mm512_mul_ps(d, a_d);
                    acc[t] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(sums), acc[t]);
                    offsets[t] += m0 * a0.s + m1 * a1.s;
                }
                i += 2;
            }
            for t in 0..N {
                acc0[t] = _mm512_castps512_ps256(acc[t]);
                acc1[t] = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(acc[t])));
            }
        }
        while i + 1 < n {
            let (n0, d0, m0) = unpack(wp.add(i));
            let (n1, d1, m1) = unpack(wp.add(i + 1));
            for t in 0..N {
                let (a0, a1) = (&acts[t][i], &acts[t][i + 1]);
                let (s0, s1) = (block_sums::<DOT>(n0, a0), block_sums::<DOT>(n1, a1));
                acc0[t] = _mm256_fmadd_ps(_mm256_set1_ps(d0 * a0.d), s0, acc0[t]);
                acc1[t] = _mm256_fmadd_ps(_mm256_set1_ps(d1 * a1.d), s1, acc1[t]);
                offsets[t] += m0 * a0.s + m1 * a1.s;
            }
            i += 2;
        }
        if i < n {
            let (n0, d0, m0) = unpack(wp.add(i));
            for t in 0..N {
                let a0 = &acts[t][i];
                let s0 = block_sums::<DOT>(n0, a0);
                acc0[t] = _mm256_fmadd_ps(_mm256_set1_ps(d0 * a0.d), s0, acc0[t]);
                offsets[t] += m0 * a0.s;
            }
        }
        for t in 0..N {
            out[t] = hsum(_mm256_add_ps(acc0[t], acc1[t])) + offsets[t];
        }
    }
}
