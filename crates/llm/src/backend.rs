//! The interface every forward pass implements. It lives apart from the model that picks a
//! device so that the CPU and GPU paths depend on it, not on the model that builds them.

use super::error::Result;

/// Which positions a forward call returns logits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogitsMode {
    /// Only the last position: all that generation needs.
    Last,
    /// Every position of the call, `tokens × vocab`.
    All,
}

pub(crate) trait Backend: Send {
    /// Runs `tokens` at the positions following those already cached and returns logits.
    fn forward(&mut self, tokens: &[u32], mode: LogitsMode) -> Result<&[f32]>;
    fn position(&self) -> usize;
    /// Forgets cached positions from `position` on.
    fn truncate(&mut self, position: usize);
    fn context_length(&self) -> usize;
    fn vocab_size(&self) -> usize;
    fn device_name(&self) -> String;
    /// The kernels the forward pass runs on, in words.
    fn kernel_path(&self) -> String;
    fn kv_cache_bytes(&self) -> usize;
}
