//! Causal attention of a chunk of queries over the cached keys and values: candle-nn's fused
//! `sdpa` kernels where the device and head size have them (Metal), a matmul and softmax
//! everywhere else.

use candle_core::{DType, Device, Result, Tensor};

/// Head sizes for which candle's Metal `sdpa` has both a single-query (vector) kernel and a
/// multi-query (full) kernel in f16. The full kernel also covers 72 and 80, but the vector
/// one does not, so those take the matmul path.
const FUSED_HEAD_DIMS: [usize; 6] = [32, 64, 96, 128, 256, 512];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AttentionKernel {
    /// `candle_nn::ops::sdpa` on Metal: grouped KV heads are read in place, nothing as large
    /// as the score matrix is written out.
    FusedSdpa,
    /// Scores by matmul, softmax, then a matmul against the values: any device, any shape.
    Matmul,
}

impl AttentionKernel {
    /// candle-nn implements `sdpa` only for Metal; CUDA and the CPU device take the matmul
    /// path, as does a head size the Metal kernels do not cover.
    pub(super) fn choose(device: &Device, head_dim: usize) -> Self {
        if device.is_metal() && FUSED_HEAD_DIMS.contains(&head_dim) {
            Self::FusedSdpa
        } else {
            Self::Matmul
        }
    }

    pub(super) fn describe(self) -> &'static str {
        match self {
            Self::FusedSdpa => "fused sdpa attention",
            Self::Matmul => "matmul attention",
        }
    }
}

/// The shapes of one model's attention and the kernel that computes it.
pub(super) struct Attention {
    pub(super) kernel: AttentionKernel,
    pub(super) heads: usize,
    pub(super) kv_heads: usize,
    pub(super) head_dim: usize,
}

/// What hides the future from a chunk of `n` queries at positions `start..start + n`: `None`
/// for a single query, which sees every cached position.
pub(super) struct CausalMask(Option<Tensor>);

impl Attention {
    /// Built once per chunk and shared by every layer.
    pub(super) fn causal_mask(
        &self,
        device: &Device,
        start: usize,
        n: usize,
    ) -> Result<CausalMask> {
        if n == 1 {
            return Ok(CausalMask(None));
        }
        let total = start + n;
        let values: Vec<f32> = (0..n)
            .flat_map(|t| {
                (0..total).map(move |p| {
                    if p <= start + t {
                        0.0
                    } else {
                        f32::NEG_INFINITY
                    }
                })
            })
            .collect();
        let mask = Tensor::from_vec(values, (n, total), device)?;
        let mask = match self.kernel {
            // The fused kernel wants the mask in the query type and one (un-copied) plane per
            // query head. Its own causal option is not used: it bounds the key blocks it reads
            // by the query block's end, which past the last key reads beyond the keys when the
            // query count is not a multiple of its 32-query block.
            AttentionKernel::FusedSdpa => mask
                .to_dtype(DType::F16)?
                .reshape((1, 1, n, total))?
                .broadcast_as((1, self.heads, n, total))?,
            AttentionKernel::Matmul => mask,
        };
        Ok(CausalMask(Some(mask)))
    }

    /// `q` is `(1, heads, n, head_dim)` f32; `keys` and `values` are the cache views
    /// `(1, kv_heads, total, head_dim)` f16. Returns `(1, n, heads × head_dim)` f32.
    pub(super) fn attend(
        &self,
        q: &Tensor,
        keys: &Tensor,
        values: &Tensor,
        mask: &CausalMask,
    ) -> Result<Tensor> {
        let n = q.dim(2)?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let attended = match self.kernel {
            AttentionKernel::FusedSdpa => {
                let q = q.to_dtype(DType::F16)?;
                candle_nn::ops::sdpa(&q, keys, values, mask.0.as_ref(), false, scale as f32, 1.0)?
                    .to_dtype(DType::F32)?
            }
            AttentionKernel::Matmul => self.attend_by_matmul(q, keys, values, mask, scale)?,
        };
        attended
            .transpose(1, 2)?
            .reshape((1, n, self.heads * self.head_dim))
    }

    /// Each KV head's keys meet the `group × n` query rows of the heads that share it in one
    /// matmul, so grouped heads are never copied out to one KV head per query head.
    fn attend_by_matmul(
        &self,
        q: &Tensor,
        keys: &Tensor,
        values: &Tensor,
        mask: &CausalMask,
        scale: f64,
    ) -> Result<Tensor> {
        let (kv_heads, head_dim) = (self.kv_heads, self.head_dim);
        let group = self.heads / kv_heads;
        let n = q.dim(2)?;
        let total = keys.dim(2)?;
        // Head `h` uses KV head `h / group`: the heads of one group are adjacent, so
        // `(heads, n)` folds into `(kv_heads, group × n)` without moving data.
        let q = (q.contiguous()? * scale)?.reshape((kv_heads, group * n, head_dim))?;
        // Scores stay f32, so the visible keys and values are converted from the f16 cache
        // each call: a copy the size of the cache in use, where f16 scores would have cost
        // accuracy. This is the path of CUDA and of candle's CPU device; Metal's fused
        // kernels read the cache in place.
        let keys = keys
            .to_dtype(DType::F32)?
            .reshape((kv_heads, total, head_dim))?;
        let values = values
            .to_dtype(DType::F32)?
            .reshape((kv_heads, total, head_dim))?;
        let scores = q.matmul(&keys.t()?)?;
        let scores = match &mask.0 {
            Some(mask) => scores
                .reshape((kv_heads, group, n, total))?
                .broadcast_add(mask)?,
            None => scores,
        };
        let weights =
            candle_nn::ops::softmax_last_dim(&scores)?.reshape((kv_heads, group * n, total))?;
        weights
            .matmul(&values)?
            .reshape((1, self.heads, n, head_dim))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi35_and_qwen25_head_sizes_have_fused_kernels_and_other_devices_use_matmul() {
        for head_dim in [96, 128] {
            assert!(FUSED_HEAD_DIMS.contains(&head_dim));
            assert_eq!(
                AttentionKernel::choose(&Device::Cpu, head_dim),
                AttentionKernel::Matmul
            );
        }
        assert!(!FUSED_HEAD_DIMS.contains(&80));
    }
}
