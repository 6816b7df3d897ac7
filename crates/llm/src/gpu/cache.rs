//! The GPU pass's KV cache: one f16 key and one f16 value tensor per layer, allocated at the
//! full context when the model loads and written in place, so a step never reallocates or
//! copies what is already cached.

use candle_core::{DType, Device, Result, Tensor};

/// Keys and values of every layer, each `(1, kv_heads, context, head_dim)`.
///
/// Head-major rows keep each KV head's positions contiguous: a `narrow` of the first
/// positions is then a strided view that both the matmul attention and the fused kernels read
/// directly, and a chunk of new positions is one two-dimensional copy per layer.
pub(super) struct KvCache {
    keys: Vec<Tensor>,
    values: Vec<Tensor>,
    context: usize,
}

impl KvCache {
    pub(super) fn new(
        device: &Device,
        layers: usize,
        kv_heads: usize,
        context: usize,
        head_dim: usize,
    ) -> Result<Self> {
        let shape = (1, kv_heads, context, head_dim);
        let zeros = || Tensor::zeros(shape, DType::F16, device);
        Ok(Self {
            keys: (0..layers).map(|_| zeros()).collect::<Result<_>>()?,
            values: (0..layers).map(|_| zeros()).collect::<Result<_>>()?,
            context,
        })
    }

    /// Stores `keys` and `values` (`(1, kv_heads, n, head_dim)`, any float type) at positions
    /// `position..position + n` of `layer`.
    pub(super) fn write(
        &self,
        layer: usize,
        position: usize,
        keys: &Tensor,
        values: &Tensor,
    ) -> Result<()> {
        let n = keys.dim(2)?;
        if position + n > self.context {
            candle_core::bail!(
                "positions {position}..{} are beyond the cache's {} positions",
                position + n,
                self.context
            );
        }
        // The conversion also makes the transposed projections contiguous, which the in-place
        // copy needs.
        self.keys[layer].slice_set(&keys.to_dtype(DType::F16)?.contiguous()?, 2, position)?;
        self.values[layer].slice_set(&values.to_dtype(DType::F16)?.contiguous()?, 2, position)
    }

    /// The first `len` cached positions of `layer` as `(keys, values)` views, f16.
    pub(super) fn view(&self, layer: usize, len: usize) -> Result<(Tensor, Tensor)> {
        Ok((
            self.keys[layer].narrow(2, 0, len)?,
            self.values[layer].narrow(2, 0, len)?,
        ))
    }

    /// Bytes held on the device, whatever the position.
    pub(super) fn bytes(&self) -> usize {
        self.keys
            .iter()
            .chain(&self.values)
            .map(|t| t.elem_count() * t.dtype().size_in_bytes())
            .sum()
    }
}
