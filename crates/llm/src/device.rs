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

/// Where models run for a device choice, as the window and the command line tell the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceReport {
    /// `metal`, `cuda` or `cpu`.
    pub device: String,
    /// Why models run on the CPU although this build has a GPU backend: the GPU could not
    /// start. `None` when they run where the choice asked.
    pub notice: Option<String>,
}

/// Where models chosen with `choice` (and `CADENCE_DEVICE`) would run now, starting the GPU
/// to find out.
pub fn report_device(choice: DeviceChoice) -> Result<DeviceReport> {
    let resolved = ResolvedDevice::resolve(choice.with_env_override()?)?;
    Ok(DeviceReport {
        device: resolved.device.name().into(),
        notice: resolved.fallback,
    })
}

/// A device choice resolved, with the reason it fell back to the CPU, if it did.
pub(crate) struct Resolution {
    pub device: ResolvedDevice,
    pub fallback: Option<String>,
}

/// Where a loaded model runs.
pub(crate) enum ResolvedDevice {
    /// Cadence's own CPU kernels.
    Cpu,
    /// A candle GPU device.
    #[cfg_attr(not(any(feature = "metal", feature = "cuda")), allow(dead_code))]
    Gpu(candle_core::Device),
}

/// The GPU backends this build was compiled with.
const BUILT_GPUS: &[&str] = &[
    #[cfg(feature = "metal")]
    "metal",
    #[cfg(feature = "cuda")]
    "cuda",
];

impl ResolvedDevice {
    pub(crate) fn resolve(choice: DeviceChoice) -> Result<Resolution> {
        let device = match choice {
            DeviceChoice::Cpu => Self::Cpu,
            DeviceChoice::Auto => return Ok(Self::best()),
            DeviceChoice::Metal => Self::Gpu(Self::metal()?),
            DeviceChoice::Cuda => Self::Gpu(Self::cuda()?),
        };
        Ok(Resolution {
            device,
            fallback: None,
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Gpu(device) if device.is_metal() => "metal",
            Self::Gpu(device) if device.is_cuda() => "cuda",
            Self::Gpu(_) => "cpu",
        }
    }

    /// The first GPU of this build that starts, else the CPU with the reasons the GPUs
    /// gave: a Mac that silently ran on the CPU would be several times slower with no word
    /// why.
    fn best() -> Resolution {
        let mut failures = Vec::new();
        for gpu in BUILT_GPUS {
            let started = match *gpu {
                "metal" => Self::metal(),
                _ => Self::cuda(),
            };
            match started {
                Ok(device) => {
                    return Resolution {
                        device: Self::Gpu(device),
                        fallback: None,
                    };
                }
                Err(error) => failures.push((*gpu, error.to_string())),
            }
        }
        Resolution {
            device: Self::Cpu,
            fallback: fallback_notice(&failures),
        }
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

/// What to tell the user when the GPUs that were tried (`(name, problem)`) did not start.
fn fallback_notice(failures: &[(&str, String)]) -> Option<String> {
    let reasons: Vec<String> = failures
        .iter()
        .map(|(gpu, problem)| {
            let name = if *gpu == "metal" { "Metal" } else { "CUDA" };
            format!("{name} could not start ({problem})")
        })
        .collect();
    (!reasons.is_empty()).then(|| {
        format!(
            "{}, so models run on the CPU, several times slower. Restart Cadence to try again, \
             or choose the CPU in Settings to keep this choice.",
            reasons.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gpu_that_fails_to_start_is_named_with_its_reason() {
        assert_eq!(fallback_notice(&[]), None);
        let notice = fallback_notice(&[("metal", "no Metal device found".into())]).unwrap();
        assert!(
            notice.starts_with(
                "Metal could not start (no Metal device found), so models run on the CPU"
            ),
            "{notice}"
        );
    }

    #[test]
    fn the_cpu_choice_never_falls_back_and_auto_reports_where_it_runs() {
        let cpu = report_device(DeviceChoice::Cpu).unwrap();
        assert_eq!(cpu.device, "cpu");
        assert_eq!(cpu.notice, None);
        let auto = report_device(DeviceChoice::Auto).unwrap();
        // A build without GPU backends runs on the CPU by design, with nothing to report.
        if BUILT_GPUS.is_empty() {
            assert_eq!(
                auto,
                DeviceReport {
                    device: "cpu".into(),
                    notice: None
                }
            );
        } else {
            assert!(auto.device != "cpu" || auto.notice.is_some(), "{auto:?}");
        }
    }
}
