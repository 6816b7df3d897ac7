//! The aarch64 Q4_K and Q6_K × Q8_K dot products, over up to `TOKENS_PER_PASS` tokens at once.
//!
//! Each weight block is unpacked into bytes once and meets every token's activations. A
//! sub-block's byte products are summed in i32, multiplied by the sub-block's scale and
//! accumulated in i32, all exactly; only then does float arithmetic begin, in the order of
//! the scalar references (`dot_q4k_q8k_scalar`, `dot_q6k_q8k_scalar`). So every kernel gives
//! their sums to the bit, and a token gets the same sum in any pass.

use super::{BlockQ4K, BlockQ6K, BlockQ8K, Kernel, for_pass, scales_and_mins};
use crate::kernels::load;
use crate::kernels::neon::{f16_pair_to_f32, sdot, sdot_without_dotprod, smmla};
use std::arch::aarch64::*;

/// A pass of tokens against one Q4_K weight row; `out` holds at least as many entries as
/// `acts`.
pub(super) fn dot_q4k(kernel: Kernel, w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: `Kernel::best` or `available` only offer instructions the CPU was found to
    // have.
    unsafe {
        match kernel {
            Kernel::Neon => for_pass!(self::q4k_neon, w, acts, out),
            Kernel::DotProd => for_pass!(self::q4k_dotprod, w, acts, out),
            Kernel::I8mm => for_pass!(self::q4k_i8mm, w, acts, out),
        }
    }
}

/// A pass of tokens against one Q6_K weight row; `out` holds at least as many entries as
/// `acts`.
pub(super) fn dot_q6k(kernel: Kernel, w: &[BlockQ6K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: as for `dot_q4k`.
    unsafe {
        match kernel {
            Kernel::Neon => for_pass!(self::q6k_neon, w, acts, out),
            Kernel::DotProd => for_pass!(self::q6k_dotprod, w, acts, out),
            Kernel::I8mm => for_pass!(self::q6k_i8mm, w, acts, out),
        }
    }
}

#[target_feature(enable = "neon")]
fn q4k_neon<const N: usize>(w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: plain NEON, which every aarch64 CPU has.
    unsafe { q4k::<N, { Kernel::Neon as u8 }>(w, acts, out) }
}

#[target_feature(enable = "neon,dotprod")]
unsafe fn q4k_dotprod<const N: usize>(w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: as for the caller.
    unsafe { q4k::<N, { Kernel::DotProd as u8 }>(w, acts, out) }
}

#[target_feature(enable = "neon,i8mm")]
unsafe fn q4k_i8mm<const N: usize>(w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: as for the caller.
    unsafe { q4k::<N, { Kernel::I8mm as u8 }>(w, acts, out) }
}

#[target_feature(enable = "neon")]
fn q6k_neon<const N: usize>(w: &[BlockQ6K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: plain NEON, which every aarch64 CPU has.
    unsafe { q6k::<N, { Kernel::Neon as u8 }>(w, acts, out) }
}

#[target_feature(enable = "neon,dotprod")]
unsafe fn q6k_dotprod<const N: usize>(w: &[BlockQ6K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: as for the caller.
    unsafe { q6k::<N, { Kernel::DotProd as u8 }>(w, acts, out) }
}

#[target_feature(enable = "neon,i8mm")]
unsafe fn q6k_i8mm<const N: usize>(w: &[BlockQ6K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: as for the caller.
    unsafe { q6k::<N, { Kernel::I8mm as u8 }>(w, acts, out) }
}

/// `acc` plus the sixteen products `w[i]·x[i]`, spread over lanes as kernel `KIND` spreads
/// them: [`total`] adds up what belongs to the sum. `w`'s bytes are within -64..64.
///
/// # Safety
/// The caller enables `KIND`'s instructions.
#[inline(always)]
unsafe fn products<const KIND: u8>(acc: int32x4_t, w: int8x16_t, x: int8x16_t) -> int32x4_t {
    // SAFETY: the caller's contract.
    unsafe {
        if KIND == Kernel::I8mm as u8 {
            smmla(acc, w, x)
        } else if KIND == Kernel::DotProd as u8 {
            sdot(acc, w, x)
        } else {
            sdot_without_dotprod(acc, w, x)
        }
    }
}

/// The sum of the products that [`products`] (and scaling by whole numbers) accumulated
/// into `sums`.
#[inline]
#[target_feature(enable = "neon")]
fn total<const KIND: u8>(sums: int32x4_t) -> i32 {
    if KIND == Kernel::I8mm as u8 {
        // `smmla` reads both operands as two rows of eight bytes; lanes 0 and 3 pair the
        // rows that match (bytes 0..8 with 0..8, 8..16 with 8..16), lanes 1 and 2 the rows
        // that do not.
        vgetq_lane_s32::<0>(sums) + vgetq_lane_s32::<3>(sums)
    } else {
        vaddvq_s32(sums)
    }
}

/// `N` tokens against one Q4_K weight row; `acts` and `out` hold at least `N` entries.
/// Inlined into one wrapper per kernel `KIND`, which enables its instructions.
#[inline(always)]
unsafe fn q4k<const N: usize, const KIND: u8>(
    w: &[BlockQ4K],
    acts: &[&[BlockQ8K]],
    out: &mut [f32],
) {
    let acts: &[&[BlockQ8K]; N] = acts.first_chunk().expect("the pass has N tokens");
    let blocks = acts.iter().fold(w.len(), |n, a| n.min(a.len()));
    // SAFETY: every pointer read below is inside block `i` of `w` or of an activation row,
    // and `i < blocks`, the shortest of them; the wrapper this is inlined into enables the
    // instructions.
    unsafe {
        let low_nibbles = vdupq_n_u8(0x0f);
        let mut sums = [0f32; N];
        for (i, x) in w[..blocks].iter().enumerate() {
            let (d, dmin) = f16_pair_to_f32(x.d as u32 | (x.dmin as u32) << 16);
            let (sc, mn) = scales_and_mins(&x.scales);
            let mins = vreinterpretq_s16_u16(vmovl_u8(vcreate_u8(u64::from_le_bytes(mn))));
            let mut sumi = [vdupq_n_s32(0); N];
            for j in 0..4 {
                // Sub-block 2j is the low nibbles of these 32 bytes, 2j + 1 the high; their
                // activations are the 64 bytes from 64j.
                let packed: [uint8x16_t; 2] =
                    std::array::from_fn(|k| load(x.qs.as_ptr().add(32 * j + 16 * k).cast()));
                let low = packed.map(|p| vreinterpretq_s8_u8(vandq_u8(p, low_nibbles)));
                let high = packed.map(|p| vreinterpretq_s8_u8(vshrq_n_u8::<4>(p)));
                for t in 0..N {
                    let q8 = acts[t][i].qs.as_ptr().add(64 * j);
                    let q: [int8x16_t; 4] = std::array::from_fn(|k| load(q8.add(16 * k).cast()));
                    let zero = vdupq_n_s32(0);
                    let p_low =
                        products::<KIND>(products::<KIND>(zero, low[0], q[0]), low[1], q[1]);
                    let p_high =
                        products::<KIND>(products::<KIND>(zero, high[0], q[2]), high[1], q[3]);
                    sumi[t] = vmlaq_n_s32(sumi[t], p_low, sc[2 * j] as i32);
                    sumi[t] = vmlaq_n_s32(sumi[t], p_high, sc[2 * j + 1] as i32);
                }
            }
            for t in 0..N {
                let y = &acts[t][i];
                let bsums: [int16x8_t; 2] =
                    std::array::from_fn(|k| load(y.bsums.as_ptr().add(8 * k).cast()));
                // Pairs of 16-value sums give the eight 32-value sums, in order.
                let sub_block_sums = vpaddq_s16(bsums[0], bsums[1]);
                let summ = vaddvq_s32(vmlal_high_s16(
                    vmull_s16(vget_low_s16(sub_block_sums), vget_low_s16(mins)),
                    sub_block_sums,
                    mins,
                ));
                let d = d * y.d;
                let dmin = dmin * y.d;
                sums[t] += d * total::<KIND>(sumi[t]) as f32 - dmin * summ as f32;
            }
        }
        out[..N].copy_from_slice(&sums);
    }
}

/// `N` tokens against one Q6_K weight row; `acts` and `out` hold at least `N` entries.
/// Inlined into one wrapper per kernel `KIND`, which enables its instructions.
#[inline(always)]
unsafe fn q6k<const N: usize, const KIND: u8>(
    w: &[BlockQ6K],
    acts: &[&[BlockQ8K]],
    out: &mut [f32],
) {
    let acts: &[&[BlockQ8K]; N] = acts.first_chunk().expect("the pass has N tokens");
    let blocks = acts.iter().fold(w.len(), |n, a| n.min(a.len()));
    // SAFETY: as in `q4k`.
    unsafe {
        let low_nibbles = vdupq_n_u8(0x0f);
        let high_bits = vdupq_n_u8(0x30);
        let bias = vdupq_n_s8(32);
        let mut sums = [0f32; N];
        for (i, x) in w[..blocks].iter().enumerate() {
            let (d, _) = f16_pair_to_f32(x.d as u32);
            let mut sumi = [vdupq_n_s32(0); N];
            for half in 0..2 {
                let ql: [uint8x16_t; 4] =
                    std::array::from_fn(|k| load(x.ql.as_ptr().add(64 * half + 16 * k).cast()));
                let qh: [uint8x16_t; 2] =
                    std::array::from_fn(|k| load(x.qh.as_ptr().add(32 * half + 16 * k).cast()));
                // The half's eight sub-blocks of 16 weights (see `q6k_values`): sub-block s
                // takes the low nibbles of `ql[s]` for s < 4 and the high ones of `ql[s - 4]`
                // after, and bit pair s / 2 of `qh[s % 2]`, moved to bits 4 and 5.
                let low = [
                    vandq_u8(ql[0], low_nibbles),
                    vandq_u8(ql[1], low_nibbles),
                    vandq_u8(ql[2], low_nibbles),
                    vandq_u8(ql[3], low_nibbles),
                    vshrq_n_u8::<4>(ql[0]),
                    vshrq_n_u8::<4>(ql[1]),
                    vshrq_n_u8::<4>(ql[2]),
                    vshrq_n_u8::<4>(ql[3]),
                ];
                let high = [
                    vshlq_n_u8::<4>(qh[0]),
                    vshlq_n_u8::<4>(qh[1]),
                    vshlq_n_u8::<2>(qh[0]),
                    vshlq_n_u8::<2>(qh[1]),
                    qh[0],
                    qh[1],
                    vshrq_n_u8::<2>(qh[0]),
                    vshrq_n_u8::<2>(qh[1]),
                ];
                let weights: [int8x16_t; 8] = std::array::from_fn(|s| {
                    let unsigned = vorrq_u8(low[s], vandq_u8(high[s], high_bits));
                    vsubq_s8(vreinterpretq_s8_u8(unsigned), bias)
                });
                let scales = &x.scales[8 * half..8 * half + 8];
                for t in 0..N {
                    let q8 = acts[t][i].qs.as_ptr().add(128 * half);
                    for s in 0..8 {
                        let q = load(q8.add(16 * s).cast());
                        let p = products::<KIND>(vdupq_n_s32(0), weights[s], q);
                        sumi[t] = vmlaq_n_s32(sumi[t], p, scales[s] as i32);
                    }
                }
            }
            for t in 0..N {
                let d = d * acts[t][i].d;
                sums[t] += d * total::<KIND>(sumi[t]) as f32;
            }
        }
        out[..N].copy_from_slice(&sums);
    }
}
