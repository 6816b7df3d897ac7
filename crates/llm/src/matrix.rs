//! Quantised weight matrices read straight from the mapped GGUF, and the CPU matrix
//! multiplication over them.
//!
//! Activations are quantised once per distinct dot-product type and reused by every matrix
//! that reads them (q, k and v share one quantisation; gate and up share another). Decode
//! (one token) runs a parallel mat-vec; prefill walks the weights once per tile of tokens.

use std::sync::Arc;

use candle_core::quantized::k_quants::{self as kq, GgmlType};

use super::error::{LlmError, Result};
use super::gguf::{GgufFile, TensorInfo, TensorType};
use super::kernels::{self, BlockQ4_1, BlockQ8_0, BlockQ8_1, BlockQ8_1F};
use super::kquant;
use super::pool::{SharedMut, ThreadPool};

/// The activation format a weight type's dot product consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DotKind {
    F32,
    Q8_0,
    Q8_1,
    /// Q8_1 with f32 scales, for Cadence's own Q4_1 kernel.
    Q8_1F,
    Q8K,
}

enum Storage {
    Mapped {
        map: Arc<memmap2::Mmap>,
        offset: usize,
        len: usize,
    },
    Owned(Vec<f32>),
}

pub(crate) struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub kind: TensorType,
    storage: Storage,
}

impl Matrix {
    /// A matrix view of `info`, whose ggml dims are `[cols, rows]` (trailing ones allowed).
    pub(crate) fn load(file: &GgufFile, info: &TensorInfo) -> Result<Self> {
        let path = file.path();
        let cols = info.dims[0];
        let rows = info.element_count() / cols;
        let bytes = file.tensor_bytes(info);
        let storage = match info.tensor_type {
            TensorType::F32 => Storage::Owned(
                bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
            ),
            TensorType::F16 => Storage::Owned(
                bytes
                    .chunks_exact(2)
                    .map(|b| kernels::f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                    .collect(),
            ),
            TensorType::Bf16 => Storage::Owned(
                bytes
                    .chunks_exact(2)
                    .map(|b| f32::from_bits((u16::from_le_bytes([b[0], b[1]]) as u32) << 16))
                    .collect(),
            ),
            TensorType::Q4_0
            | TensorType::Q4_1
            | TensorType::Q5_0
            | TensorType::Q5_1
            | TensorType::Q8_0
            | TensorType::Q2K
            | TensorType::Q3K
            | TensorType::Q4K
            | TensorType::Q5K
            | TensorType::Q6K => {
                // Every block type starts with an f16; GGUF aligns data to 32 bytes, so only
                // a damaged header can produce an odd offset.
                if !(bytes.as_ptr() as usize).is_multiple_of(2) {
                    return Err(LlmError::corrupt(
                        path,
                        format!("tensor `{}` is not aligned in the file", info.name),
                    ));
                }
                Storage::Mapped {
                    map: Arc::clone(file.mapping()),
                    offset: info.offset,
                    len: info.byte_len,
                }
            }
            other => {
                return Err(LlmError::UnsupportedQuantization {
                    path: path.to_path_buf(),
                    tensor: info.name.clone(),
                    quant: other.name(),
                });
            }
        };
        Ok(Self {
            rows,
            cols,
            kind: info.tensor_type,
            storage,
        })
    }

    pub(crate) fn dot_kind(&self) -> DotKind {
        match self.kind {
            TensorType::Q4_0 | TensorType::Q5_0 | TensorType::Q8_0 => DotKind::Q8_0,
            TensorType::Q4_1 => DotKind::Q8_1F,
            TensorType::Q5_1 => DotKind::Q8_1,
            TensorType::Q2K
            | TensorType::Q3K
            | TensorType::Q4K
            | TensorType::Q5K
            | TensorType::Q6K => DotKind::Q8K,
            _ => DotKind::F32,
        }
    }

    fn bytes(&self) -> &[u8] {
        match &self.storage {
            Storage::Mapped { map, offset, len } => &map[*offset..*offset + *len],
            Storage::Owned(_) => &[],
        }
    }

    /// The weights as blocks of `T`.
    fn blocks<T>(&self) -> &[T] {
        let bytes = self.bytes();
        // SAFETY: `load` checked the alignment (2, that of every block type's leading f16)
        // and the parser checked that the length is a whole number of blocks; the block
        // types are plain `repr(C)` data valid for any bit pattern.
        unsafe {
            std::slice::from_raw_parts(
                bytes.as_ptr() as *const T,
                bytes.len() / std::mem::size_of::<T>(),
            )
        }
    }

    /// Writes row `row` as f32 into `out` (`cols` long): the embedding lookup.
    pub(crate) fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        fn row_of<T: GgmlType>(m: &Matrix, row: usize, out: &mut [f32]) {
            let per_row = m.cols / T::BLCK_SIZE;
            T::to_float(&m.blocks::<T>()[row * per_row..(row + 1) * per_row], out);
        }
        let out = &mut out[..self.cols];
        match self.kind {
            TensorType::Q4_0 => row_of::<kq::BlockQ4_0>(self, row, out),
            TensorType::Q4_1 => {
                let per_row = self.cols / 32;
                let blocks = &self.blocks::<BlockQ4_1>()[row * per_row..(row + 1) * per_row];
                kernels::dequantize_q4_1(blocks, out);
            }
            TensorType::Q5_0 => row_of::<kq::BlockQ5_0>(self, row, out),
            TensorType::Q5_1 => row_of::<kq::BlockQ5_1>(self, row, out),
            TensorType::Q8_0 => row_of::<kq::BlockQ8_0>(self, row, out),
            TensorType::Q2K => row_of::<kq::BlockQ2K>(self, row, out),
            TensorType::Q3K => row_of::<kq::BlockQ3K>(self, row, out),
            TensorType::Q4K => row_of::<kq::BlockQ4K>(self, row, out),
            TensorType::Q5K => row_of::<kq::BlockQ5K>(self, row, out),
            TensorType::Q6K => row_of::<kq::BlockQ6K>(self, row, out),
            _ => {
                if let Storage::Owned(values) = &self.storage {
                    out.copy_from_slice(&values[row * self.cols..(row + 1) * self.cols]);
                }
            }
        }
    }
}

/// Activations of `tokens` rows of `cols` values, with their quantised forms cached.
#[derive(Default)]
pub(crate) struct Activations {
    pub tokens: usize,
    pub cols: usize,
    pub x: Vec<f32>,
    q8_0: Vec<BlockQ8_0>,
    q8_1: Vec<BlockQ8_1>,
    q8_1f: Vec<BlockQ8_1F>,
    q8k: Vec<kq::BlockQ8K>,
    ready: [bool; 4],
}

impl Activations {
    /// Resizes for `tokens × cols` values and forgets the old quantisations; the caller
    /// then fills `x`.
    pub(crate) fn reset(&mut self, tokens: usize, cols: usize) {
        self.tokens = tokens;
        self.cols = cols;
        self.x.resize(tokens * cols, 0.0);
        self.ready = [false; 4];
    }

    fn prepare(&mut self, pool: &ThreadPool, kind: DotKind) -> bool {
        let (tokens, cols) = (self.tokens, self.cols);
        let x = &self.x[..tokens * cols];
        match kind {
            DotKind::F32 => true,
            DotKind::Q8_0 if !self.ready[0] => {
                self.ready[0] = true;
                quantize_rows_with(
                    pool,
                    x,
                    tokens,
                    cols,
                    &mut self.q8_0,
                    BlockQ8_0::ZERO,
                    kernels::quantize_q8_0,
                )
            }
            DotKind::Q8_1 if !self.ready[1] => {
                self.ready[1] = true;
                quantize_rows_with(
                    pool,
                    x,
                    tokens,
                    cols,
                    &mut self.q8_1,
                    BlockQ8_1::ZERO,
                    kernels::quantize_q8_1,
                )
            }
            DotKind::Q8_1F if !self.ready[3] => {
                self.ready[3] = true;
                quantize_rows_with(
                    pool,
                    x,
                    tokens,
                    cols,
                    &mut self.q8_1f,
                    BlockQ8_1F::ZERO,
                    kernels::quantize_q8_1f,
                )
            }
            DotKind::Q8K if !self.ready[2] => {
                self.ready[2] = true;
                quantize_rows::<kq::BlockQ8K>(pool, x, tokens, cols, &mut self.q8k)
            }
            _ => true,
        }
    }
}

fn quantize_rows_with<T: Clone + Send>(
    pool: &ThreadPool,
    x: &[f32],
    tokens: usize,
    cols: usize,
    out: &mut Vec<T>,
    zero: T,
    quantize: fn(&[f32], &mut [T]),
) -> bool {
    let per_row = cols / 32;
    out.resize(tokens * per_row, zero);
    if tokens < 4 {
        for (x, dst) in x.chunks_exact(cols).zip(out.chunks_exact_mut(per_row)) {
            quantize(x, dst);
        }
        return true;
    }
    let shared = SharedMut::new(out);
    pool.for_chunks(tokens, 1, &|_, range| {
        for t in range {
            // SAFETY: each token's blocks are written by one thread.
            let dst = unsafe { shared.slice(t * per_row..(t + 1) * per_row) };
            quantize(&x[t * cols..(t + 1) * cols], dst);
        }
    })
}

fn quantize_rows<T: GgmlType>(
    pool: &ThreadPool,
    x: &[f32],
    tokens: usize,
    cols: usize,
    out: &mut Vec<T>,
) -> bool {
    let per_row = cols / T::BLCK_SIZE;
    out.resize(tokens * per_row, T::zeros());
    if tokens < 4 {
        for (x, dst) in x.chunks_exact(cols).zip(out.chunks_exact_mut(per_row)) {
            T::from_float(x, dst);
        }
        return true;
    }
    let shared = SharedMut::new(out);
    pool.for_chunks(tokens, 1, &|_, range| {
        for t in range {
            // SAFETY: each token's blocks are written by one thread.
            let dst = unsafe { shared.slice(t * per_row..(t + 1) * per_row) };
            T::from_float(&x[t * cols..(t + 1) * cols], dst);
        }
    })
}

/// `out[t][r] = Σ_c w[r][c] · input[t][c]` for every token `t` and row `r`; `out` is
/// `tokens × w.rows`. Returns false if a worker thread failed.
pub(crate) fn matmul(
    pool: &ThreadPool,
    w: &Matrix,
    input: &mut Activations,
    out: &mut [f32],
) -> bool {
    matmul_many(pool, &mut [(w, out)], input)
}

/// Several products of the same input (q, k and v; gate and up) in one parallel section, so
/// the threads meet once instead of once per matrix.
pub(crate) fn matmul_many(
    pool: &ThreadPool,
    jobs: &mut [(&Matrix, &mut [f32])],
    input: &mut Activations,
) -> bool {
    for (w, _) in jobs.iter() {
        debug_assert_eq!(w.cols, input.cols);
        if !input.prepare(pool, w.dot_kind()) {
            return false;
        }
    }
    let input = &*input;
    let tokens = input.tokens;
    let mut segments: [Option<(&Matrix, SharedMut<f32>, usize)>; 4] = [None, None, None, None];
    let mut total_rows = 0;
    for (slot, (w, out)) in segments.iter_mut().zip(jobs.iter_mut()) {
        *slot = Some((*w, SharedMut::new(&mut out[..tokens * w.rows]), total_rows));
        total_rows += w.rows;
    }
    let chunk = if tokens == 1 {
        (total_rows / (pool.threads() * 8)).clamp(4, 128)
    } else {
        (total_rows / (pool.threads() * 4)).clamp(4, 64)
    };
    pool.for_chunks(total_rows, chunk, &|_, range| {
        for (w, out, start) in segments.iter().flatten() {
            let rows = range.start.max(*start)..range.end.min(start + w.rows);
            if !rows.is_empty() {
                compute_rows(w, input, *out, rows.start - start..rows.end - start);
            }
        }
    })
}

/// Rows `rows` of `w` against every token of `input`, into `out` (`tokens × w.rows`).
fn compute_rows(
    w: &Matrix,
    input: &Activations,
    out: SharedMut<f32>,
    rows: std::ops::Range<usize>,
) {
    let n = w.cols;
    let tokens = input.tokens;
    macro_rules! candle_dot {
        ($block:ty, $acts:expr) => {{
            let acts: &[<$block as GgmlType>::VecDotType] = $acts;
            tiled::<_, _, 1>(
                w.blocks::<$block>(),
                acts,
                w.rows,
                tokens,
                out,
                rows,
                one_token(|wr, a| <$block>::vec_dot(n, wr, a)),
            )
        }};
    }
    match w.kind {
        TensorType::Q4_1 => tiled::<_, _, { kernels::Q4_1_TOKENS_PER_PASS }>(
            w.blocks::<BlockQ4_1>(),
            &input.q8_1f,
            w.rows,
            tokens,
            out,
            rows,
            kernels::dot_q4_1_q8_1,
        ),
        TensorType::Q4_0 => candle_dot!(kq::BlockQ4_0, q8_0_as_candle(&input.q8_0)),
        TensorType::Q5_0 => candle_dot!(kq::BlockQ5_0, q8_0_as_candle(&input.q8_0)),
        TensorType::Q8_0 => candle_dot!(kq::BlockQ8_0, q8_0_as_candle(&input.q8_0)),
        TensorType::Q5_1 => candle_dot!(kq::BlockQ5_1, q8_1_as_candle(&input.q8_1)),
        TensorType::Q2K => candle_dot!(kq::BlockQ2K, &input.q8k),
        TensorType::Q3K => candle_dot!(kq::BlockQ3K, &input.q8k),
        // Decode too: with a pass of one, this kernel still measured faster than candle's.
        TensorType::Q4K => tiled::<_, _, { kquant::TOKENS_PER_PASS }>(
            kquant::q4k_blocks(w.blocks::<kq::BlockQ4K>()),
            kquant::q8k_blocks(&input.q8k),
            w.rows,
            tokens,
            out,
            rows,
            kquant::dot_q4k_q8k,
        ),
        TensorType::Q5K => candle_dot!(kq::BlockQ5K, &input.q8k),
        // Decode too, as for Q4_K.
        #[cfg(any(x86_avx2, aarch64_neon))]
        TensorType::Q6K => tiled::<_, _, { kquant::TOKENS_PER_PASS }>(
            kquant::q6k_blocks(w.blocks::<kq::BlockQ6K>()),
            kquant::q8k_blocks(&input.q8k),
            w.rows,
            tokens,
            out,
            rows,
            kquant::dot_q6k_q8k,
        ),
        #[cfg(not(any(x86_avx2, aarch64_neon)))]
        TensorType::Q6K => candle_dot!(kq::BlockQ6K, &input.q8k),
        _ => {
            if let Storage::Owned(values) = &w.storage {
                tiled::<_, _, 1>(
                    values,
                    &input.x[..tokens * n],
                    w.rows,
                    tokens,
                    out,
                    rows,
                    one_token(kernels::dot_f32),
                )
            }
        }
    }
}

/// Rows `rows` of the weights against every token, a tile of tokens at a time, each weight
/// row meeting the tile's tokens in passes of up to `PASS`: `dot` writes one sum per token
/// of the pass.
#[allow(clippy::too_many_arguments)]
fn tiled<W, A, const PASS: usize>(
    weights: &[W],
    acts: &[A],
    total_rows: usize,
    tokens: usize,
    out: SharedMut<f32>,
    rows: std::ops::Range<usize>,
    dot: impl Fn(&[W], &[&[A]], &mut [f32]),
) {
    let w_per_row = weights.len() / total_rows.max(1);
    let a_per_row = acts.len() / tokens.max(1);
    let mut values = [0f32; PASS];
    // A tile's tokens in passes of up to `PASS`, gathered once per tile rather than once per
    // weight row: rows are short (18 blocks in SmolLM2), so per-row setup shows in decode.
    let mut passes = [([&[] as &[A]; PASS], 0usize, 0usize); TOKEN_TILE];
    for tile_start in (0..tokens).step_by(TOKEN_TILE) {
        let tile_end = (tile_start + TOKEN_TILE).min(tokens);
        let mut pass_count = 0;
        for first in (tile_start..tile_end).step_by(PASS) {
            let count = (tile_end - first).min(PASS);
            let (token_rows, pass_first, pass_len) = &mut passes[pass_count];
            for (i, row) in token_rows[..count].iter_mut().enumerate() {
                let t = first + i;
                *row = &acts[t * a_per_row..(t + 1) * a_per_row];
            }
            (*pass_first, *pass_len) = (first, count);
            pass_count += 1;
        }
        for r in rows.clone() {
            let wr = &weights[r * w_per_row..(r + 1) * w_per_row];
            for (token_rows, first, count) in &passes[..pass_count] {
                dot(wr, &token_rows[..*count], &mut values[..*count]);
                for (i, &value) in values[..*count].iter().enumerate() {
                    // SAFETY: the caller hands each row range to one thread only, and
                    // every (token, row) cell written here belongs to `rows`.
                    unsafe { out.write((first + i) * total_rows + r, value) };
                }
            }
        }
    }
}

/// A single-token dot product as a pass of one for [`tiled`].
fn one_token<W, A>(dot: impl Fn(&[W], &[A]) -> f32) -> impl Fn(&[W], &[&[A]], &mut [f32]) {
    move |wr, acts, out| out[0] = dot(wr, acts[0])
}

fn q8_0_as_candle(blocks: &[BlockQ8_0]) -> &[kq::BlockQ8_0] {
    const _: () = assert!(std::mem::size_of::<kq::BlockQ8_0>() == std::mem::size_of::<BlockQ8_0>());
    // SAFETY: both are `repr(C)` { f16 d, [i8; 32] qs } with the same size and alignment.
    unsafe { std::slice::from_raw_parts(blocks.as_ptr() as *const kq::BlockQ8_0, blocks.len()) }
}

fn q8_1_as_candle(blocks: &[BlockQ8_1]) -> &[kq::BlockQ8_1] {
    const _: () = assert!(std::mem::size_of::<kq::BlockQ8_1>() == std::mem::size_of::<BlockQ8_1>());
    // SAFETY: both are `repr(C)` { f16 d, f16 s, [i8; 32] qs } with the same size and
    // alignment; f16 is a transparent u16.
    unsafe { std::slice::from_raw_parts(blocks.as_ptr() as *const kq::BlockQ8_1, blocks.len()) }
}

/// Tokens per tile in prefill: their quantised activations stay in L1/L2 while a chunk of
/// weight rows is walked.
const TOKEN_TILE: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Architecture;
    use crate::synthetic::{SyntheticModel, WeightType};

    /// A multi-token product equals the single-token products, for every weight type.
    #[test]
    fn batched_matmul_matches_single_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let pool = ThreadPool::new(2);
        for weight_type in [
            WeightType::Q4_0,
            WeightType::Q4_1,
            WeightType::Q8_0,
            WeightType::Q4K,
            WeightType::Q6K,
        ] {
            let path = dir.path().join("m.gguf");
            SyntheticModel {
                weight_type,
                ..SyntheticModel::tiny(Architecture::Llama)
            }
            .write(&path)
            .unwrap();
            let file = GgufFile::open(&path).unwrap();
            let w = Matrix::load(&file, file.tensor("blk.0.ffn_gate.weight").unwrap()).unwrap();
            let tokens = 11;
            let mut batch = Activations::default();
            batch.reset(tokens, w.cols);
            for (i, x) in batch.x.iter_mut().enumerate() {
                *x = ((i * 7919) % 1000) as f32 / 500.0 - 1.0;
            }
            let mut out = vec![0f32; tokens * w.rows];
            assert!(matmul(&pool, &w, &mut batch, &mut out));
            for t in 0..tokens {
                let mut single = Activations::default();
                single.reset(1, w.cols);
                single
                    .x
                    .copy_from_slice(&batch.x[t * w.cols..(t + 1) * w.cols]);
                let mut row = vec![0f32; w.rows];
                assert!(matmul(&pool, &w, &mut single, &mut row));
                let diff = row
                    .iter()
                    .zip(&out[t * w.rows..(t + 1) * w.rows])
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                assert!(diff < 1e-4, "{weight_type:?} token {t}: {diff}");
            }
        }
    }
}
