//! CPU kernels that candle lacks or that we need in a fused form: the Q4_1×Q8_1 dot product
//! (candle only has a scalar one), activation quantisation into Q8_1, and the small f32
//! helpers of the forward pass.

#[cfg(x86_avx2)]
pub(crate) mod avx2;
#[cfg(aarch64_neon)]
pub(crate) mod neon;

/// `T` stored at any address.
#[cfg(any(x86_avx2, aarch64_neon))]
#[repr(C, packed)]
struct Unaligned<T>(T);

/// Reads `*p` from any address, as the SIMD load intrinsics do. They go through
/// `ptr::read_unaligned`, whose precondition checks in debug builds (those the tests and
/// benchmarks run) turn every load into a copy through the stack.
///
/// # Safety
/// `p` must point to readable memory holding a `T`.
#[cfg(any(x86_avx2, aarch64_neon))]
#[inline(always)]
pub(crate) unsafe fn load<T: Copy>(p: *const T) -> T {
    // SAFETY: the caller's contract; the packed wrapper asks for no alignment.
    unsafe { (*(p as *const Unaligned<T>)).0 }
}

/// A Q4_1 weight block as stored in GGUF: 32 weights = `d * q + m`, q in 0..16.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct BlockQ4_1 {
    pub d: u16,
    pub m: u16,
    pub qs: [u8; 16],
}
const _: () = assert!(std::mem::size_of::<BlockQ4_1>() == 20);

/// A Q8_1 activation block: 32 values = `d * q`, with `s = d * Σq` for Q4_1's offset term.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct BlockQ8_1 {
    pub d: u16,
    pub s: u16,
    pub qs: [i8; 32],
}
const _: () = assert!(std::mem::size_of::<BlockQ8_1>() == 36);

impl BlockQ8_1 {
    pub(crate) const ZERO: Self = Self {
        d: 0,
        s: 0,
        qs: [0; 32],
    };
}

/// Q8_1 with its scales already in f32 (values rounded to f16 precision, as in Q8_1), so
/// the Q4_1 dot product does not convert them once per weight row.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct BlockQ8_1F {
    pub d: f32,
    pub s: f32,
    pub qs: [i8; 32],
}

impl BlockQ8_1F {
    pub(crate) const ZERO: Self = Self {
        d: 0.0,
        s: 0.0,
        qs: [0; 32],
    };
}

pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let mant = (h & 0x3ff) as u32;
    match exp {
        0 if mant == 0 => f32::from_bits(sign),
        0 => {
            let value = mant as f32 * (1.0 / (1u32 << 24) as f32);
            if sign != 0 { -value } else { value }
        }
        31 => f32::from_bits(sign | 0x7f80_0000 | (mant << 13)),
        _ => f32::from_bits(sign | ((exp + 112) << 23) | (mant << 13)),
    }
}

pub(crate) fn round_to_f16(x: f32) -> f32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "f16c"))]
    {
        use std::arch::x86_64::*;
        // SAFETY: the cfg guarantees F16C.
        unsafe {
            let half = _mm_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(_mm_set_ss(x));
            _mm_cvtss_f32(_mm_cvtph_ps(half))
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        let mut x = x;
        // SAFETY: register arithmetic only, with base aarch64 instructions (which round to
        // nearest, ties to even, in the default FP mode).
        unsafe {
            std::arch::asm!(
                "fcvt {x:h}, {x:s}",
                "fcvt {x:s}, {x:h}",
                x = inout(vreg) x,
                options(pure, nomem, nostack),
            );
        }
        x
    }
    #[cfg(not(any(
        all(target_arch = "x86_64", target_feature = "f16c"),
        target_arch = "aarch64"
    )))]
    {
        f16_to_f32(f32_to_f16(x))
    }
}

/// Round-to-nearest-even conversion, as the hardware instruction does.
pub(crate) fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let mant = bits & 0x7f_ffff;
    if exp == 255 {
        return sign | 0x7c00 | if mant != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 31 {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = mant | 0x80_0000;
        let shift = (14 - e) as u32;
        let mut r = m >> shift;
        let rem = m & ((1 << shift) - 1);
        let halfway = 1 << (shift - 1);
        if rem > halfway || (rem == halfway && r & 1 == 1) {
            r += 1;
        }
        return sign | r as u16;
    }
    let mut r = ((e as u32) << 10) | (mant >> 13);
    let rem = mant & 0x1fff;
    if rem > 0x1000 || (rem == 0x1000 && r & 1 == 1) {
        r += 1;
    }
    sign | r as u16
}

/// A Q8_0 activation block (the layout of candle's `BlockQ8_0`): 32 values = `d * q`.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct BlockQ8_0 {
    pub d: u16,
    pub qs: [i8; 32],
}
const _: () = assert!(std::mem::size_of::<BlockQ8_0>() == 34);

impl BlockQ8_0 {
    pub(crate) const ZERO: Self = Self { d: 0, qs: [0; 32] };
}

/// Scales 32 values into i8 the way llama.cpp's x86 code does (multiplying by 127/amax and
/// rounding ties to even), so both engines see the same quantised activations.
fn quantize_block_i8(xs: &[f32], qs: &mut [i8; 32]) -> (f32, i32) {
    let amax = xs.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if amax != 0.0 { 127.0 / amax } else { 0.0 };
    let mut sum = 0i32;
    for (q, &v) in qs.iter_mut().zip(xs) {
        let r = (v * id).round_ties_even() as i32;
        *q = r as i8;
        sum += r;
    }
    (d, sum)
}

/// Quantises `x` (a multiple of 32 long) into Q8_1 blocks.
pub(crate) fn quantize_q8_1(x: &[f32], out: &mut [BlockQ8_1]) {
    for (block, xs) in out.iter_mut().zip(x.chunks_exact(32)) {
        let (d, sum) = quantize_block_i8(xs, &mut block.qs);
        block.d = f32_to_f16(d);
        block.s = f32_to_f16(sum as f32 * d);
    }
}

/// Quantises `x` (a multiple of 32 long) into Q8_1 blocks with f32 scales.
pub(crate) fn quantize_q8_1f(x: &[f32], out: &mut [BlockQ8_1F]) {
    for (block, xs) in out.iter_mut().zip(x.chunks_exact(32)) {
        let (d, sum) = quantize_block_i8(xs, &mut block.qs);
        block.d = round_to_f16(d);
        block.s = round_to_f16(sum as f32 * d);
    }
}

/// Quantises `x` (a multiple of 32 long) into Q8_0 blocks.
pub(crate) fn quantize_q8_0(x: &[f32], out: &mut [BlockQ8_0]) {
    for (block, xs) in out.iter_mut().zip(x.chunks_exact(32)) {
        let (d, _) = quantize_block_i8(xs, &mut block.qs);
        block.d = f32_to_f16(d);
    }
}

pub(crate) fn dequantize_q4_1(blocks: &[BlockQ4_1], out: &mut [f32]) {
    for (block, ys) in blocks.iter().zip(out.chunks_exact_mut(32)) {
        let d = f16_to_f32(block.d);
        let m = f16_to_f32(block.m);
        for (j, &q) in block.qs.iter().enumerate() {
            ys[j] = (q & 0x0f) as f32 * d + m;
            ys[j + 16] = (q >> 4) as f32 * d + m;
        }
    }
}

/// Calls `module::kernel::<N>(args)` with `N` the token count when it is one of the listed counts,
/// and with the first listed count otherwise: multi-token kernels take their count as a
/// const generic so their accumulators stay in registers.
#[cfg(any(x86_avx2, aarch64_neon))]
macro_rules! for_token_count {
    ($count:expr, $module:ident::$kernel:ident, $args:tt, [$first:literal $(, $n:literal)*]) => {
        match $count {
            $($n => $module::$kernel::<$n> $args,)*
            _ => $module::$kernel::<$first> $args,
        }
    };
}
#[cfg(any(x86_avx2, aarch64_neon))]
pub(crate) use for_token_count;

/// The most tokens one pass over a Q4_1 weight row serves.
pub(crate) const Q4_1_TOKENS_PER_PASS: usize = 4;

/// `out[t] = Σ w·acts[t]` for every token `t` (at most [`Q4_1_TOKENS_PER_PASS`]): each
/// weight block is unpacked once for all of them. Every token gets exactly the sum it
/// would get alone, and the x86 and aarch64 kernels get the same sums (the tests hold
/// both to one portable model of their arithmetic).
pub(crate) fn dot_q4_1_q8_1(w: &[BlockQ4_1], acts: &[&[BlockQ8_1F]], out: &mut [f32]) {
    #[cfg(x86_avx2)]
    avx2::dot_q4_1_q8_1(avx2::ByteDot::best(), w, acts, out);
    #[cfg(aarch64_neon)]
    neon::dot_q4_1_q8_1(neon::ByteDot::best(), w, acts, out);
    #[cfg(not(any(x86_avx2, aarch64_neon)))]
    {
        for (o, a) in out.iter_mut().zip(acts) {
            *o = dot_q4_1_q8_1_scalar(w, a);
        }
    }
}

/// Whether this CPU has AVX-512 with VNNI (and the BW and VL extensions the kernels use),
/// detected once: the binary targets AVX2 machines, and these instructions are only used
/// where present.
#[cfg(x86_avx2)]
pub(crate) fn has_avx512_vnni() -> bool {
    static DETECTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DETECTED.get_or_init(|| {
        is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512vnni")
    })
}

/// Whether this CPU has the VEX-encoded (256-bit, AVX-512-free) VNNI, detected once.
#[cfg(x86_avx2)]
pub(crate) fn has_avx_vnni() -> bool {
    static DETECTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DETECTED.get_or_init(|| is_x86_feature_detected!("avxvnni"))
}

/// The CPU kernels this build and machine use for the quantised dot products, in words:
/// what `cadence bench` reports as its kernel path.
pub(crate) fn cpu_kernel_path() -> String {
    #[cfg(x86_avx2)]
    {
        let byte_dot = match avx2::ByteDot::best() {
            avx2::ByteDot::Avx2 => "AVX2",
            avx2::ByteDot::AvxVnni => "AVX2 + AVX-VNNI",
            avx2::ByteDot::Avx512Vnni => "AVX2 + AVX-512 VNNI",
        };
        format!("x86-64 {byte_dot}")
    }
    #[cfg(aarch64_neon)]
    {
        // The Q4_1 kernel uses `sdot` where present; the K-quant kernels `smmla` where
        // present, else `sdot`.
        let mut path = String::from("aarch64 NEON");
        if neon::has_dotprod() {
            path.push_str(" + dotprod");
        }
        if neon::has_i8mm() {
            path.push_str(" + i8mm");
        }
        path
    }
    #[cfg(not(any(x86_avx2, aarch64_neon)))]
    {
        format!("portable ({})", std::env::consts::ARCH)
    }
}

#[cfg_attr(any(x86_avx2, aarch64_neon), allow(dead_code))]
pub(crate) fn dot_q4_1_q8_1_scalar(w: &[BlockQ4_1], a: &[BlockQ8_1F]) -> f32 {
    let mut sum = 0f32;
    for (wb, ab) in w.iter().zip(a) {
        let mut sumi = 0i32;
        for j in 0..16 {
            let lo = (wb.qs[j] & 0x0f) as i32;
            let hi = (wb.qs[j] >> 4) as i32;
            sumi += lo * ab.qs[j] as i32 + hi * ab.qs[j + 16] as i32;
        }
        sum += sumi as f32 * f16_to_f32(wb.d) * ab.d + f16_to_f32(wb.m) * ab.s;
    }
    sum
}

pub(crate) fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 16];
    let mut chunks_a = a.chunks_exact(16);
    let mut chunks_b = b.chunks_exact(16);
    for (ca, cb) in (&mut chunks_a).zip(&mut chunks_b) {
        for i in 0..16 {
            acc[i] += ca[i] * cb[i];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in chunks_a.remainder().iter().zip(chunks_b.remainder()) {
        sum += x * y;
    }
    sum
}

/// `out += scale * v`
pub(crate) fn axpy(out: &mut [f32], scale: f32, v: &[f32]) {
    for (o, x) in out.iter_mut().zip(v) {
        *o += scale * x;
    }
}

pub(crate) fn rms_norm(x: &[f32], weight: &[f32], eps: f32, out: &mut [f32]) {
    // Summed in f64: residual streams carry a few very large values.
    let mean_square = x.iter().map(|&v| (v * v) as f64).sum::<f64>() / x.len().max(1) as f64;
    let scale = 1.0 / (mean_square as f32 + eps).sqrt();
    for ((o, &v), &w) in out.iter_mut().zip(x).zip(weight) {
        *o = v * scale * w;
    }
}

pub(crate) fn softmax_in_place(x: &mut [f32]) {
    let max = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0f32;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in x.iter_mut() {
        *v *= inv;
    }
}

pub(crate) fn silu(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Q4_1 dot product as the SIMD kernels compute it, in portable Rust: per block,
    /// eight i32 lanes of four products each (low nibbles against activations 0..16, then
    /// high nibbles against 16..32), each lane fused-multiply-added at `d_w * d_a` into
    /// even- or odd-block accumulators; the lanes summed pairwise; the `m * s` offsets
    /// summed a pair of blocks at a time and added last.
    fn dot_q4_1_q8_1_lanes(w: &[BlockQ4_1], a: &[BlockQ8_1F]) -> f32 {
        let n = w.len().min(a.len());
        let mut acc = [[0f32; 8]; 2];
        for (i, (wb, ab)) in w[..n].iter().zip(a).enumerate() {
            let scale = f16_to_f32(wb.d) * ab.d;
            for (lane, acc) in acc[i % 2].iter_mut().enumerate() {
                let sum: i32 = (4 * lane..4 * lane + 4)
                    .map(|j| {
                        let nibble = if j < 16 {
                            wb.qs[j] & 0x0f
                        } else {
                            wb.qs[j - 16] >> 4
                        };
                        nibble as i32 * ab.qs[j] as i32
                    })
                    .sum();
                *acc = (sum as f32).mul_add(scale, *acc);
            }
        }
        let mut offset = 0f32;
        for pair in (0..n).collect::<Vec<_>>().chunks(2) {
            let term = |i: usize| f16_to_f32(w[i].m) * a[i].s;
            offset += match *pair {
                [i, j] => term(i) + term(j),
                [i] => term(i),
                _ => unreachable!(),
            };
        }
        let lanes: Vec<f32> = (0..8).map(|k| acc[0][k] + acc[1][k]).collect();
        let halves: Vec<f32> = (0..4).map(|k| lanes[k + 4] + lanes[k]).collect();
        ((halves[0] + halves[2]) + (halves[1] + halves[3])) + offset
    }

    /// Runs a pass with every byte dot product this CPU has, giving each result to `check`
    /// with the kind's name.
    #[cfg(any(x86_avx2, aarch64_neon))]
    fn with_every_byte_dot(w: &[BlockQ4_1], rows: &[&[BlockQ8_1F]], check: impl Fn(&str, &[f32])) {
        #[cfg(x86_avx2)]
        use avx2 as simd;
        #[cfg(aarch64_neon)]
        use neon as simd;
        for kind in simd::ByteDot::available() {
            let mut out = vec![0f32; rows.len()];
            simd::dot_q4_1_q8_1(kind, w, rows, &mut out);
            check(&format!("{kind:?}"), &out);
        }
    }

    #[test]
    fn hardware_and_software_half_rounding_agree() {
        for &v in &[
            0.0f32, 1.0, -2.5, 65504.0, 1e-5, -3.0e-7, 0.1, 1.0009765, 1.2345, -7.7e4,
        ] {
            assert_eq!(
                round_to_f16(v).to_bits(),
                f16_to_f32(f32_to_f16(v)).to_bits(),
                "{v}"
            );
        }
    }

    /// The FP unit's half conversions, which the aarch64 kernels and `round_to_f16` use,
    /// agree with the software ones: on every half (NaNs aside), and on f32 values across
    /// the whole range.
    #[cfg(aarch64_neon)]
    #[test]
    fn neon_half_conversions_match_software() {
        for h in 0..=u16::MAX {
            let other = h.rotate_left(7);
            // SAFETY: every aarch64 CPU has NEON.
            let (low, high) = unsafe { neon::f16_pair_to_f32(h as u32 | (other as u32) << 16) };
            for (value, h) in [(low, h), (high, other)] {
                let expected = f16_to_f32(h);
                if !expected.is_nan() {
                    assert_eq!(value.to_bits(), expected.to_bits(), "{h:#06x}");
                }
            }
        }
        for bits in (0..=u32::MAX).step_by(0x1003) {
            let x = f32::from_bits(bits);
            let expected = f16_to_f32(f32_to_f16(x));
            if !x.is_nan() {
                assert_eq!(round_to_f16(x).to_bits(), expected.to_bits(), "{x:e}");
            }
        }
    }

    #[test]
    fn half_round_trips() {
        for &v in &[0.0f32, 1.0, -2.5, 65504.0, 1e-5, -3.0e-7, 0.1] {
            let back = f16_to_f32(f32_to_f16(v));
            assert!((back - v).abs() <= v.abs() * 1e-3 + 1e-7, "{v} -> {back}");
        }
    }

    #[test]
    fn q4_1_dot_matches_scalar() {
        let mut state = 7u32;
        let mut next = || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        // Odd, so the kernel's single-block tail runs too.
        let blocks = 19;
        let w: Vec<BlockQ4_1> = (0..blocks)
            .map(|_| {
                let mut qs = [0u8; 16];
                for q in qs.iter_mut() {
                    *q = ((next() + 0.5) * 255.0) as u8;
                }
                BlockQ4_1 {
                    d: f32_to_f16(next() * 0.1),
                    m: f32_to_f16(next()),
                    qs,
                }
            })
            .collect();
        let x: Vec<f32> = (0..blocks * 32).map(|_| next()).collect();
        let mut a = vec![BlockQ8_1F::ZERO; blocks];
        quantize_q8_1f(&x, &mut a);
        let slow = dot_q4_1_q8_1_scalar(&w, &a);
        let mut alone = [0f32];
        dot_q4_1_q8_1(&w, &[&a], &mut alone);
        assert!(
            (alone[0] - slow).abs() < 1e-3 * slow.abs().max(1.0),
            "{} vs {slow}",
            alone[0]
        );
        // Among other tokens, a token's sum is bit for bit the one it gets alone.
        let mut others = vec![BlockQ8_1F::ZERO; blocks];
        quantize_q8_1f(
            &x.iter().map(|v| v * 0.5 + 0.1).collect::<Vec<_>>(),
            &mut others,
        );
        for count in 2..=Q4_1_TOKENS_PER_PASS {
            let mut rows: Vec<&[BlockQ8_1F]> = vec![&others; count];
            rows[count - 1] = &a;
            let mut out = vec![0f32; count];
            dot_q4_1_q8_1(&w, &rows, &mut out);
            assert_eq!(
                out[count - 1].to_bits(),
                alone[0].to_bits(),
                "{count} tokens"
            );
        }
        // Every byte dot product this CPU has, on x86 and on aarch64, gives the portable
        // model's sums bit for bit, whatever the token count, including at the extremes of
        // the nibbles and bytes (an even block count too, so no single-block tail).
        #[cfg(any(x86_avx2, aarch64_neon))]
        {
            let mut extreme = w.clone();
            extreme[0].qs = [0xff; 16];
            extreme[1].qs = [0x0f; 16];
            extreme[2].qs = [0xf0; 16];
            let mut loud = others.clone();
            loud[0].qs = [127; 32];
            loud[1].qs = [-127; 32];
            loud[2].qs = [-128; 32];
            let rows: [&[BlockQ8_1F]; 4] = [&a, &others, &loud, &a];
            for weights in [&w[..], &extreme[..], &extreme[..blocks - 1]] {
                for count in 1..=Q4_1_TOKENS_PER_PASS {
                    let rows = &rows[..count];
                    let expected: Vec<u32> = rows
                        .iter()
                        .map(|row| dot_q4_1_q8_1_lanes(weights, row).to_bits())
                        .collect();
                    with_every_byte_dot(weights, rows, |kind, out| {
                        let bits: Vec<u32> = out.iter().map(|x| x.to_bits()).collect();
                        assert_eq!(bits, expected, "{kind}, {count} tokens");
                    });
                }
            }
        }
    }
}
