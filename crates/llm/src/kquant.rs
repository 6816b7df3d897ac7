//! The Q4_K and Q6_K × Q8_K dot products, over several tokens at once for prefill and over
//! one for decode.
//!
//! candle's kernels unpack a weight block's scales and bits again for every token they
//! meet. Here one weight block is unpacked once and multiplied into up to
//! [`TOKENS_PER_PASS`] tokens' activations while it sits in registers. CPUs found at run time
//! to have AVX-512 VNNI get a kernel built on its byte dot products, about twice as fast.
//! The kernels are in `avx2.rs` and `avx512.rs` for x86 and in `neon.rs` for aarch64.

use candle_core::quantized::k_quants as kq;

#[cfg(x86_avx2)]
mod avx2;
#[cfg(x86_avx2)]
mod avx512;
#[cfg(aarch64_neon)]
mod neon;

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

/// A Q6_K weight block (the layout of candle's `BlockQ6K`): 256 weights of six bits, the
/// low four in `ql` and the high two in `qh`, less 32; sixteen sub-blocks of 16, each with
/// an i8 scale.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct BlockQ6K {
    pub ql: [u8; 128],
    pub qh: [u8; 64],
    pub scales: [i8; 16],
    pub d: u16,
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
const _: () = assert!(std::mem::size_of::<BlockQ6K>() == std::mem::size_of::<kq::BlockQ6K>());
const _: () = assert!(std::mem::size_of::<BlockQ8K>() == std::mem::size_of::<kq::BlockQ8K>());
const _: () = assert!(std::mem::align_of::<BlockQ4K>() == std::mem::align_of::<kq::BlockQ4K>());
const _: () = assert!(std::mem::align_of::<BlockQ6K>() == std::mem::align_of::<kq::BlockQ6K>());
const _: () = assert!(std::mem::align_of::<BlockQ8K>() == std::mem::align_of::<kq::BlockQ8K>());

pub(crate) fn q4k_blocks(blocks: &[kq::BlockQ4K]) -> &[BlockQ4K] {
    // SAFETY: both are `repr(C)` with the same fields, size and alignment (checked above).
    unsafe { std::slice::from_raw_parts(blocks.as_ptr() as *const BlockQ4K, blocks.len()) }
}

#[cfg_attr(not(any(x86_avx2, aarch64_neon, test)), allow(dead_code))]
pub(crate) fn q6k_blocks(blocks: &[kq::BlockQ6K]) -> &[BlockQ6K] {
    // SAFETY: as for `q4k_blocks`.
    unsafe { std::slice::from_raw_parts(blocks.as_ptr() as *const BlockQ6K, blocks.len()) }
}

pub(crate) fn q8k_blocks(blocks: &[kq::BlockQ8K]) -> &[BlockQ8K] {
    // SAFETY: as for `q4k_blocks`.
    unsafe { std::slice::from_raw_parts(blocks.as_ptr() as *const BlockQ8K, blocks.len()) }
}

/// The most tokens one pass over a weight row serves: eight measured a little faster than
/// four on a Phi-3.5-width model, the unpacking being shared more widely, with AVX2 and with
/// AVX-512 VNNI alike; twelve and sixteen were slower, their accumulators not fitting in
/// registers. aarch64's 32 vector registers hold the Q4_K and Q6_K kernels' eight.
pub(crate) const TOKENS_PER_PASS: usize = 8;

/// Calls `module::kernel::<N>(w, acts, out)` with `N` the pass's token count, 1 to
/// [`TOKENS_PER_PASS`].
#[cfg(any(x86_avx2, aarch64_neon))]
macro_rules! for_pass {
    ($module:ident::$kernel:ident, $w:expr, $acts:expr, $out:expr) => {
        crate::kernels::for_token_count!(
            $acts.len(),
            $module::$kernel,
            ($w, $acts, $out),
            [1, 2, 3, 4, 5, 6, 7, 8]
        )
    };
}
// For the NEON module; this file's own calls come after the definition.
#[cfg(aarch64_neon)]
use for_pass;
const _: () = assert!(TOKENS_PER_PASS == 8, "`for_pass` lists the counts 1 to 8");

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
    #[cfg(any(x86_avx2, aarch64_neon))]
    dot_q4k_with(Kernel::best(), w, acts, out);
    #[cfg(not(any(x86_avx2, aarch64_neon)))]
    {
        for (o, a) in out.iter_mut().zip(acts) {
            *o = dot_q4k_q8k_scalar(w, a);
        }
    }
}

/// `out[t] = Σ w·acts[t]` for every token `t` (at most [`TOKENS_PER_PASS`]).
#[cfg(any(x86_avx2, aarch64_neon))]
pub(crate) fn dot_q6k_q8k(w: &[BlockQ6K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    dot_q6k_with(Kernel::best(), w, acts, out);
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

/// The aarch64 kernels. Each sums a weight block's products exactly in i32 before any
/// float arithmetic, which then follows the scalar reference's, so all give the scalar
/// reference's sums to the bit.
#[cfg(aarch64_neon)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kernel {
    /// Widening multiplies and pairwise adds, on every aarch64 CPU.
    Neon,
    /// `sdot`: sixteen byte products per instruction.
    DotProd,
    /// `smmla`. It multiplies a 2×8 byte matrix by an 8×2 one; with one weight row per pass
    /// only the two diagonal products are wanted: sixteen byte products per instruction, as
    /// with `sdot`, in as many instructions. It would pay with two weight rows meeting two
    /// tokens, all four products wanted.
    I8mm,
}

#[cfg(aarch64_neon)]
impl Kernel {
    /// The one for this CPU: the newest instructions it has. `smmla` and `sdot` do the same
    /// work here in as many instructions; which is faster on Apple's cores is not measured.
    fn best() -> Self {
        if crate::kernels::neon::has_i8mm() {
            Self::I8mm
        } else if crate::kernels::neon::has_dotprod() {
            Self::DotProd
        } else {
            Self::Neon
        }
    }

    /// Every kernel this CPU can run.
    #[cfg(test)]
    fn available() -> Vec<Self> {
        let mut kernels = vec![Self::Neon];
        if crate::kernels::neon::has_dotprod() {
            kernels.push(Self::DotProd);
        }
        if crate::kernels::neon::has_i8mm() {
            kernels.push(Self::I8mm);
        }
        kernels
    }
}

#[cfg(aarch64_neon)]
fn dot_q4k_with(kernel: Kernel, w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    neon::dot_q4k(kernel, w, acts, out);
}

#[cfg(aarch64_neon)]
fn dot_q6k_with(kernel: Kernel, w: &[BlockQ6K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    neon::dot_q6k(kernel, w, acts, out);
}

#[cfg(x86_avx2)]
fn dot_q4k_with(kernel: Kernel, w: &[BlockQ4K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: the build's cfg guarantees AVX2, FMA and F16C, and `Kernel::best` or
    // `available` only offer AVX-512 VNNI where the CPU was found to have it.
    unsafe {
        match kernel {
            Kernel::Avx2 => for_pass!(avx2::dot_q4k, w, acts, out),
            Kernel::Avx512Vnni => for_pass!(avx512::dot_q4k, w, acts, out),
        }
    }
}

#[cfg(x86_avx2)]
fn dot_q6k_with(kernel: Kernel, w: &[BlockQ6K], acts: &[&[BlockQ8K]], out: &mut [f32]) {
    // SAFETY: as for `dot_q4k_with`.
    unsafe {
        match kernel {
            Kernel::Avx2 => for_pass!(avx2::dot_q6k, w, acts, out),
            Kernel::Avx512Vnni => for_pass!(avx512::dot_q6k, w, acts, out),
        }
    }
}

#[cfg_attr(any(x86_avx2, aarch64_neon), allow(dead_code))]
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

/// A Q6_K block's 256 weights, each in -32..32.
#[cfg(test)]
fn q6k_values(x: &BlockQ6K) -> [i8; 256] {
    let mut values = [0i8; 256];
    // Each half of 128 weights takes 64 bytes of `ql` and 32 of `qh`: weight 32g + l of the
    // half (g in 0..4, l in 0..32) is nibble g / 2 of `ql[l + 32 (g % 2)]` with bits 2g..2g + 2
    // of `qh[l]` above it.
    for (half, values) in values.chunks_exact_mut(128).enumerate() {
        let ql = &x.ql[64 * half..64 * half + 64];
        let qh = &x.qh[32 * half..32 * half + 32];
        for (g, values) in values.chunks_exact_mut(32).enumerate() {
            for (l, value) in values.iter_mut().enumerate() {
                let low = (ql[l + 32 * (g % 2)] >> (4 * (g / 2))) & 0x0f;
                let high = (qh[l] >> (2 * g)) & 3;
                *value = (low | high << 4) as i8 - 32;
            }
        }
    }
    values
}

/// The reference the Q6_K kernels are tested against.
#[cfg(test)]
pub(crate) fn dot_q6k_q8k_scalar(w: &[BlockQ6K], a: &[BlockQ8K]) -> f32 {
    let mut sum = 0f32;
    for (x, y) in w.iter().zip(a) {
        let values = q6k_values(x);
        let mut sumi = 0i32;
        for (j, &scale) in x.scales.iter().enumerate() {
            let s: i32 = values[16 * j..16 * j + 16]
                .iter()
                .zip(&y.qs[16 * j..16 * j + 16])
                .map(|(&q, &a)| q as i32 * a as i32)
                .sum();
            sumi += s * scale as i32;
        }
        let d = super::kernels::f16_to_f32(x.d) * y.d;
        sum += d * sumi as f32;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::k_quants::GgmlType;

    const COLS: usize = 256 * 6;

    fn random(seed: &mut u32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (*seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    /// `blocks` as our mirror of their layout, to write any bytes into.
    fn as_mirror_mut<From, To>(blocks: &mut [From]) -> &mut [To] {
        assert_eq!(std::mem::size_of::<From>(), std::mem::size_of::<To>());
        assert_eq!(std::mem::align_of::<From>(), std::mem::align_of::<To>());
        // SAFETY: the mirrors have candle's layouts (checked above and at the top of the
        // file), and any bytes are valid blocks.
        unsafe { std::slice::from_raw_parts_mut(blocks.as_mut_ptr() as *mut To, blocks.len()) }
    }

    /// Weights of type `B` quantised from random values.
    fn random_weights<B: GgmlType>(seed: &mut u32) -> Vec<B> {
        let mut w = vec![B::zeros(); COLS / 256];
        B::from_float(&random(seed, COLS), &mut w);
        w
    }

    /// A full pass of tokens' activations; in the first two blocks, the first token's are
    /// at their most negative and the second's at their most positive.
    fn tokens(seed: &mut u32) -> Vec<Vec<kq::BlockQ8K>> {
        let mut tokens: Vec<Vec<kq::BlockQ8K>> = (0..TOKENS_PER_PASS)
            .map(|_| random_weights::<kq::BlockQ8K>(seed))
            .collect();
        for (token, q) in [(0, -128i8), (1, 127)] {
            for block in &mut as_mirror_mut::<_, BlockQ8K>(&mut tokens[token])[..2] {
                block.qs = [q; 256];
                block.bsums = [q as i16 * 16; 16];
            }
        }
        tokens
    }

    /// For every pass size, each token's sum from every kernel in `pass` (named) and from
    /// `scalar` is candle's `expected` up to float rounding. On aarch64, where the kernels'
    /// integer sums are exact and their float steps the scalar reference's, they give
    /// `scalar`'s sums to the bit.
    fn check_passes(
        tokens: &[Vec<kq::BlockQ8K>],
        expected: &[f32],
        scalar: impl Fn(&[BlockQ8K]) -> f32,
        pass: impl Fn(&[&[BlockQ8K]]) -> Vec<(String, Vec<f32>)>,
    ) {
        for count in 1..=TOKENS_PER_PASS {
            let acts: Vec<&[BlockQ8K]> = tokens[..count].iter().map(|a| q8k_blocks(a)).collect();
            let outs = pass(&acts);
            for t in 0..count {
                let reference = scalar(acts[t]);
                assert!(
                    (reference - expected[t]).abs() <= 1e-4 * expected[t].abs().max(1.0),
                    "token {t}: scalar {reference} vs candle {}",
                    expected[t]
                );
                for (kernel, out) in &outs {
                    let value = out[t];
                    assert!(
                        (value - expected[t]).abs() <= 1e-4 * expected[t].abs().max(1.0),
                        "{kernel}, {count} tokens, token {t}: {value} vs candle {}",
                        expected[t]
                    );
                    #[cfg(aarch64_neon)]
                    assert_eq!(
                        value.to_bits(),
                        reference.to_bits(),
                        "{kernel}, {count} tokens, token {t}: {value} vs scalar {reference}"
                    );
                }
            }
        }
    }

    /// Every token count gives what candle's kernel and the scalar reference give, with
    /// every kernel this CPU can run.
    #[test]
    fn multi_token_dot_matches_candle_and_scalar() {
        let mut seed = 11;
        let mut w = random_weights::<kq::BlockQ4K>(&mut seed);
        // The extremes in the first block: every scale, minimum and nibble at its largest.
        let first = &mut as_mirror_mut::<_, BlockQ4K>(&mut w)[0];
        first.scales = [0xff; 12];
        first.qs = [0xff; 128];
        let tokens = tokens(&mut seed);
        let expected: Vec<f32> = tokens
            .iter()
            .map(|a| kq::BlockQ4K::vec_dot(COLS, &w, a))
            .collect();
        let w = q4k_blocks(&w);
        check_passes(
            &tokens,
            &expected,
            |a| dot_q4k_q8k_scalar(w, a),
            |acts| {
                let mut outs = Vec::new();
                #[cfg(any(x86_avx2, aarch64_neon))]
                for kernel in Kernel::available() {
                    let mut out = vec![0f32; acts.len()];
                    dot_q4k_with(kernel, w, acts, &mut out);
                    outs.push((format!("{kernel:?}"), out));
                }
                let mut fastest = vec![0f32; acts.len()];
                dot_q4k_q8k(w, acts, &mut fastest);
                outs.push(("the fastest".into(), fastest));
                outs
            },
        );
    }

    /// The same for Q6_K.
    #[test]
    fn q6k_multi_token_dot_matches_candle_and_scalar() {
        let mut seed = 17;
        let mut w = random_weights::<kq::BlockQ6K>(&mut seed);
        // The extremes: in the first block every weight at -32 and every scale at -128, in
        // the second every weight at 31 and every scale at 127.
        let blocks = as_mirror_mut::<_, BlockQ6K>(&mut w);
        (blocks[0].ql, blocks[0].qh, blocks[0].scales) = ([0; 128], [0; 64], [-128; 16]);
        (blocks[1].ql, blocks[1].qh, blocks[1].scales) = ([0xff; 128], [0xff; 64], [127; 16]);
        let tokens = tokens(&mut seed);
        let expected: Vec<f32> = tokens
            .iter()
            .map(|a| kq::BlockQ6K::vec_dot(COLS, &w, a))
            .collect();
        let w = q6k_blocks(&w);
        check_passes(
            &tokens,
            &expected,
            |a| dot_q6k_q8k_scalar(w, a),
            |_acts| {
                #[allow(unused_mut)]
                let mut outs = Vec::new();
                #[cfg(any(x86_avx2, aarch64_neon))]
                {
                    for kernel in Kernel::available() {
                        let mut out = vec![0f32; _acts.len()];
                        dot_q6k_with(kernel, w, _acts, &mut out);
                        outs.push((format!("{kernel:?}"), out));
                    }
                    let mut fastest = vec![0f32; _acts.len()];
                    dot_q6k_q8k(w, _acts, &mut fastest);
                    outs.push(("the fastest".into(), fastest));
                }
                outs
            },
        );
    }

    /// The scalar reference reads a Q6_K block's weights where candle's dequantisation does.
    #[test]
    fn q6k_values_match_candle_dequantisation() {
        let mut seed = 23;
        let w = random_weights::<kq::BlockQ6K>(&mut seed);
        let mut dequantised = vec![0f32; COLS];
        kq::BlockQ6K::to_float(&w, &mut dequantised);
        for (x, values) in q6k_blocks(&w).iter().zip(dequantised.chunks_exact(256)) {
            let d = crate::kernels::f16_to_f32(x.d);
            for (l, &q) in q6k_values(x).iter().enumerate() {
                let scale = x.scales[l / 16] as f32;
                assert_eq!(values[l], d * scale * q as f32, "weight {l}");
            }
        }
    }
}
