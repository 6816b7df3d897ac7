//! Choosing where inference runs: Metal on macOS builds with the `metal` feature, CUDA with
//! the `cuda` feature, the CPU otherwise. `CADENCE_DEVICE` (or the settings) override it.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{LlmError, Result};

/// The environment variable that overrides the device choice.
pub const DEVICE_ENV: &str = "CADENCE_DEVICE";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// The best device this build and machine have.
    #[default]
    Auto,
    Cpu,
    Metal,
    Cuda,
}

impl FromStr for DeviceChoice {
    type Err = LlmError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "metal" | "gpu-metal" => Ok(Self::Metal),
            "cuda" | "gpu-cuda" => Ok(Self::Cuda),
            other => Err(LlmError::DeviceUnavailable {
                requested: other.to_string(),
                problem: "unknown device name (expected auto, cpu, metal or cuda)".into(),
            }),
        }
    }
}

impl DeviceChoice {
    /// The choice in `CADENCE_DEVICE`, if set, else `self`.
    pub fn with_env_override(self) -> Result<Self> {
        match std::env::var(DEVICE_ENV) {
            Ok(value) if !value.trim().is_empty() => value.parse(),
            _ => Ok(self),
        }
    }
}

/// Where a loaded model runs.
pub(crate) enum ResolvedDevice {
    /// Cadence's own CPU kernels.
    Cpu,
    /// A candle GPU device.
    #[cfg_attr(not(any(feature = "metal", feature = "cuda")), allow(dead_code))]
    Gpu(candle_core::Device),
}

impl ResolvedDevice {
    pub(crate) fn resolve(choice: DeviceChoice) -> Result<Self> {
        match choice {
            DeviceChoice::Cpu => Ok(Self::Cpu),
            DeviceChoice::Auto => Ok(Self::best_gpu().unwrap_or(Self::Cpu)),
            DeviceChoice::Metal => Self::metal().map(Self::Gpu),
            DeviceChoice::Cuda => Self::cuda().map(Self::Gpu),
        }
    }

    fn best_gpu() -> Option<Self> {
        if let Ok(device) = Self::metal() {
            return Some(Self::Gpu(device));
        }
        if let Ok(device) = Self::cuda() {
            return Some(Self::Gpu(device));
        }
        None
    }

    fn metal() -> Result<candle_core::Device> {
        #[cfg(feature = "metal")]
        {
            candle_core::Device::new_metal(0).map_err(|e| LlmError::DeviceUnavailable {
                requested: "metal".into(),
                problem: e.to_string(),
            })
        }
        #[cfg(not(feature = "metal"))]
        {
            Err(LlmError::DeviceUnavailable {
                requested: "metal".into(),
                problem: "this build of Cadence has no Metal support".into(),
            })
        }
    }

    fn cuda() -> Result<candle_core::Device> {
        #[cfg(feature = "cuda")]
        {
            candle_core::Device::new_cuda(0).map_err(|e| LlmError::DeviceUnavailable {
                requested: "cuda".into(),
                problem: e.to_string(),
            })
        }
        #[cfg(not(feature = "cuda"))]
        {
            Err(LlmError::DeviceUnavailable {
                requested: "cuda".into(),
                problem: "this build of Cadence has no CUDA support".into(),
            })
        }
    }
}
