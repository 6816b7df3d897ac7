//! The aarch64 Q4_1×Q8_1 dot products, and the byte dot-product instructions the aarch64
//! K-quant kernels share.
//!
//! The Q4_1 kernel does the float arithmetic of the x86 kernel (`avx2.rs`) lane for lane
//! and in the same order, on the same integer sums: its products are the x86 build's, bit
//! for bit, so both builds carry the same activations through a Q4_1 model.
//!
//! `sdot` and `smmla` are written as inline assembly: their intrinsics are not stable.

use super::{BlockQ4_1, BlockQ8_1F, load};
use std::arch::aarch64::*;
use std::arch::asm;

/// Whether this CPU has the `sdot` byte dot product (FEAT_DotProd: every Apple M chip).
pub(crate) fn has_dotprod() -> bool {
    std::arch::is_aarch64_feature_detected!("dotprod")
}

/// Whether this CPU has the 8-bit matrix multiply `smmla` (FEAT_I8MM: Apple M2 and later).
pub(crate) fn has_i8mm() -> bool {
    std::arch::is_aarch64_feature_detected!("i8mm")
}

/// `acc` plus the sixteen products `a[i]·b[i]`, four consecutive products to a lane.
#[inline]
#[target_feature(enable = "neon,dotprod")]
pub(crate) fn sdot(acc: int32x4_t, a: int8x16_t, b: int8x16_t) -> int32x4_t {
    let mut acc = acc;
    // SAFETY: register arithmetic only, with an instruction this function's target feature
    // provides.
    unsafe {
        asm!(
            "sdot {acc:v}.4s, {a:v}.16b, {b:v}.16b",
            acc = inout(vreg) acc,
            a = in(vreg) a,
            b = in(vreg) b,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    acc
}

/// What [`sdot`] computes, lane for lane, with widening multiplies and pairwise adds: exact
/// while every product has a magnitude of at most 2^13 (one operand within -64..64), as
/// Q4 and Q6 weights do.
#[inline]
#[target_feature(enable = "neon")]
pub(crate) fn sdot_without_dotprod(acc: int32x4_t, a: int8x16_t, b: int8x16_t) -> int32x4_t {
    let low = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    let high = vmull_high_s8(a, b);
    // Lane k of the pairs is products 2k and 2k + 1; the long pairwise add then sums
    // products 4k..4k + 4 into lane k, as `sdot` does.
    vpadalq_s16(acc, vpaddq_s16(low, high))
}

/// `acc` plus the 2×2 matrix product of `a` and `b` read as two rows of eight bytes each:
/// lanes `[a₀·b₀, a₀·b₁, a₁·b₀, a₁·b₁]`.
#[inline]
#[target_feature(enable = "neon,i8mm")]
pub(crate) fn smmla(acc: int32x4_t, a: int8x16_t, b: int8x16_t) -> int32x4_t {
    let mut acc = acc;
    // SAFETY: as for `sdot`.
    unsafe {
        asm!(
            "smmla {acc:v}.4s, {a:v}.16b, {b:v}.16b",
            acc = inout(vreg) acc,
            a = in(vreg) a,
            b = in(vreg) b,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    acc
}

/// The two f16 values whose bits are the low and high halves of `bits`, converted by the
/// FP unit (exactly, as `f16_to_f32` does, in one instruction).
#[inline]
#[target_feature(enable = "neon")]
pub(crate) fn f16_pair_to_f32(bits: u32) -> (f32, f32) {
    let wide: float32x4_t;
    // SAFETY: register arithmetic only, with a base aarch64 instruction. Lanes 2 and 3
    // convert whatever the register's upper bits hold and are not used.
    unsafe {
        asm!(
            "fcvtl {wide:v}.4s, {bits:v}.4h",
            bits = in(vreg) bits,
            wide = lateout(vreg) wide,
            options(pure, nomem, nostack),
        );
    }
    (vgetq_lane_f32::<0>(wide), vgetq_lane_f32::<1>(wide))
}

/// The instructions that sum products of bytes, four to an i32 lane. Both give exactly
/// the same lanes, and so the same dot products to the bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ByteDot {
    /// Widening multiplies and pairwise adds, on every aarch64 CPU.
    Neon,
    /// `sdot`.
    DotProd,
}

impl ByteDot {
    /// The fastest this CPU has.
    pub(crate) fn best() -> Self {
        if has_dotprod() {
            Self::DotProd
        } else {
            Self::Neon
        }
    }

    /// Every choice this CPU can run.
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Self> {
        let mut kinds = vec![Self::Neon];
        if has_dotprod() {
            kinds.push(Self::DotProd);
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
    // SAFETY: `ByteDot::best` or `available` only offer `DotProd` where the CPU was found
    // to have it.
    unsafe {
        match kind {
            ByteDot::Neon => super::for_token_count!(
                acts.len(),
                self::dot_q4_1_q8_1_neon,
                (w, acts, out),
                [1, 2, 3, 4]
            ),
            ByteDot::DotProd => super::for_token_count!(
                acts.len(),
                self::dot_q4_1_q8_1_dotprod,
                (w, acts, out),
                [1, 2, 3, 4]
            ),
        }
    }
}

#[target_feature(enable = "neon")]
fn dot_q4_1_q8_1_neon<const N: usize>(w: &[BlockQ4_1], acts: &[&[BlockQ8_1F]], out: &mut [f32]) {
    // SAFETY: plain NEON, which every aarch64 CPU has.
    unsafe { dot_q4_1_q8_1_with::<N, { ByteDot::Neon as u8 }>(w, acts, out) }
}

#[target_feature(enable = "neon,dotprod")]
unsafe fn dot_q4_1_q8_1_dotprod<const N: usize>(
    w: &[BlockQ4_1],
    acts: &[&[BlockQ8_1F]],
    out: &mut [f32],
) {
    // SAFETY: as for the caller.
    unsafe { dot_q4_1_q8_1_with::<N, { ByteDot::DotProd as u8 }>(w, acts, out) }
}

/// One weight block's 32 values as bytes (values 0..16, then 16..32), and its (d, m).
#[inline]
#[target_feature(enable = "neon")]
fn unpack(w: &BlockQ4_1) -> ([int8x16_t; 2], f32, f32) {
    // SAFETY: `qs` is sixteen readable bytes.
    let packed: uint8x16_t = unsafe { load(w.qs.as_ptr() as *const uint8x16_t) };
    let low = vandq_u8(packed, vdupq_n_u8(0x0f));
    let high = vshrq_n_u8::<4>(packed);
    let (d, m) = f16_pair_to_f32(w.d as u32 | (w.m as u32) << 16);
    ([vreinterpretq_s8_u8(low), vreinterpretq_s8_u8(high)], d, m)
}

/// `acc` (a block's eight lanes, as two halves) plus `scale` times the block's sums of four
/// products per lane, fused as the x86 kernel's FMA is.
#[inline(always)]
unsafe fn accumulate<const DOT: u8>(
    acc: &mut [float32x4_t; 2],
    nibbles: [int8x16_t; 2],
    a: &BlockQ8_1F,
    scale: f32,
) {
    // SAFETY: `qs` is 32 readable bytes; the caller enables NEON and the byte dot product
    // `DOT`.
    unsafe {
        let q: [int8x16_t; 2] = [
            load(a.qs.as_ptr() as *const int8x16_t),
            load(a.qs.as_ptr().add(16) as *const int8x16_t),
        ];
        for half in 0..2 {
            let zero = vdupq_n_s32(0);
            let sums = if DOT == ByteDot::DotProd as u8 {
                sdot(zero, nibbles[half], q[half])
            } else {
                sdot_without_dotprod(zero, nibbles[half], q[half])
            };
            acc[half] = vfmaq_n_f32(acc[half], vcvtq_f32_s32(sums), scale);
        }
    }
}

/// The sum of eight lanes, added in the order of the x86 kernel's `hsum`.
#[inline]
#[target_feature(enable = "neon")]
fn hsum(acc0: [float32x4_t; 2], acc1: [float32x4_t; 2]) -> f32 {
    let low = vaddq_f32(acc0[0], acc1[0]);
    let high = vaddq_f32(acc0[1], acc1[1]);
    let v = vaddq_f32(high, low);
    let even = vgetq_lane_f32::<0>(v) + vgetq_lane_f32::<2>(v);
    let odd = vgetq_lane_f32::<1>(v) + vgetq_lane_f32::<3>(v);
    even + odd
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
    // SAFETY: the wrapper this is inlined into enables the instructions.
    unsafe {
        // Even and odd blocks go to separate accumulators, as in the x86 kernel.
        let mut acc0 = [[vdupq_n_f32(0.0); 2]; N];
        let mut acc1 = [[vdupq_n_f32(0.0); 2]; N];
        let mut offsets = [0f32; N];
        let mut i = 0;
        while i + 1 < n {
            let (n0, d0, m0) = unpack(&w[i]);
            let (n1, d1, m1) = unpack(&w[i + 1]);
            for t in 0..N {
                let (a0, a1) = (&acts[t][i], &acts[t][i + 1]);
                accumulate::<DOT>(&mut acc0[t], n0, a0, d0 * a0.d);
                accumulate::<DOT>(&mut acc1[t], n1, a1, d1 * a1.d);
                offsets[t] += m0 * a0.s + m1 * a1.s;
            }
            i += 2;
        }
        if i < n {
            let (n0, d0, m0) = unpack(&w[i]);
            for t in 0..N {
                let a0 = &acts[t][i];
                accumulate::<DOT>(&mut acc0[t], n0, a0, d0 * a0.d);
                offsets[t] += m0 * a0.s;
            }
        }
        for t in 0..N {
            out[t] = hsum(acc0[t], acc1[t]) + offsets[t];
        }
    }
}
