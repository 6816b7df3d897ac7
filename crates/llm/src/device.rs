//! Choosing where inference runs: Metal on macOS builds (the `metal` feature), CUDA with the
//! `cuda` feature, the CPU otherwise. The app's Device setting chooses, or `CADENCE_DEVICE`
//! where it is set (see [`DeviceChoice::with_env_override`]).

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
            Ok(value) if !value.trim().is_empty() => value.parse().map_err(|_| {
                LlmError::InvalidOptions(format!(
                    "{DEVICE_ENV}={value} names no device: use auto, cpu, metal or cuda"
                ))
            }),
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

/// Where models chosen with `choice` would run now, starting the GPU to find out.
pub fn report_device(choice: DeviceChoice) -> Result<DeviceReport> {
    let resolved = ResolvedDevice::resolve(choice)?;
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

/// The GPU backends Cadence can be built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gpu {
    Metal,
    Cuda,
}

impl Gpu {
    /// The backends this build has, in the order "auto" tries them.
    const BUILT: &[Self] = &[
        #[cfg(feature = "metal")]
        Self::Metal,
        #[cfg(feature = "cuda")]
        Self::Cuda,
    ];

    fn id(self) -> &'static str {
        match self {
            Self::Metal => "metal",
            Self::Cuda => "cuda",
        }
    }

    fn display_name(self) -> &'static str {
        match self {
            Self::Metal => "Metal",
            Self::Cuda => "CUDA",
        }
    }

    /// The device, or why it cannot start, in candle's words.
    fn start(self) -> std::result::Result<candle_core::Device, String> {
        match self {
            #[cfg(feature = "metal")]
            Self::Metal => candle_core::Device::new_metal(0).map_err(|e| e.to_string()),
            #[cfg(feature = "cuda")]
            Self::Cuda => candle_core::Device::new_cuda(0).map_err(|e| e.to_string()),
            #[allow(unreachable_patterns)]
            gpu => Err(format!(
                "this build of Cadence has no {} support",
                gpu.display_name()
            )),
        }
    }

    /// The device, for a choice that names this GPU: not starting is an error.
    fn start_chosen(self) -> Result<candle_core::Device> {
        self.start().map_err(|problem| LlmError::DeviceUnavailable {
            requested: self.id().into(),
            problem,
        })
    }
}

impl ResolvedDevice {
    pub(crate) fn resolve(choice: DeviceChoice) -> Result<Resolution> {
        let device = match choice {
            DeviceChoice::Cpu => Self::Cpu,
            DeviceChoice::Auto => return Ok(Self::best()),
            DeviceChoice::Metal => Self::Gpu(Gpu::Metal.start_chosen()?),
            DeviceChoice::Cuda => Self::Gpu(Gpu::Cuda.start_chosen()?),
        };
        Ok(Resolution {
            device,
            fallback: None,
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Gpu(device) if device.is_metal() => Gpu::Metal.id(),
            Self::Gpu(device) if device.is_cuda() => Gpu::Cuda.id(),
            Self::Cpu | Self::Gpu(_) => "cpu",
        }
    }

    /// The first GPU of this build that starts, else the CPU with the reasons the GPUs
    /// gave: a Mac that silently ran on the CPU would be several times slower with no word
    /// why.
    fn best() -> Resolution {
        let mut failures = Vec::new();
        for &gpu in Gpu::BUILT {
            match gpu.start() {
                Ok(device) => {
                    return Resolution {
                        device: Self::Gpu(device),
                        fallback: None,
                    };
                }
                Err(problem) => failures.push((gpu, problem)),
            }
        }
        Resolution {
            device: Self::Cpu,
            fallback: fallback_notice(&failures),
        }
    }
}

/// What to tell the user when the GPUs that were tried did not start, with their reasons.
fn fallback_notice(failures: &[(Gpu, String)]) -> Option<String> {
    let reasons: Vec<String> = failures
        .iter()
        .map(|(gpu, problem)| format!("{} could not start ({problem})", gpu.display_name()))
        .collect();
    (!reasons.is_empty()).then(|| {
        format!(
            "{}, so models run on the CPU, several times slower. To run on the CPU without \
             this notice, choose the CPU as the device (Settings → Device, or \
             {DEVICE_ENV}=cpu).",
            reasons.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gpu_that_fails_to_start_is_named_with_candles_reason() {
        assert_eq!(fallback_notice(&[]), None);
        let problem = Gpu::Metal.start().err();
        // A build with Metal on a machine whose GPU starts has no reason to give.
        let problem = problem.unwrap_or_else(|| "no Metal device found".into());
        let notice = fallback_notice(&[(Gpu::Metal, problem.clone())]).unwrap();
        assert!(
            notice.starts_with(&format!(
                "Metal could not start ({problem}), so models run on the CPU"
            )),
            "{notice}"
        );
        // The reason is candle's (or the build's) alone, not a whole error message.
        assert!(!problem.contains("not available"), "{problem}");
    }

    #[test]
    fn the_cpu_choice_never_falls_back_and_auto_reports_where_it_runs() {
        let cpu = report_device(DeviceChoice::Cpu).unwrap();
        assert_eq!(cpu.device, "cpu");
        assert_eq!(cpu.notice, None);
        let auto = report_device(DeviceChoice::Auto).unwrap();
        // A build without GPU backends runs on the CPU by design, with nothing to report.
        if Gpu::BUILT.is_empty() {
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

    #[test]
    fn choosing_a_gpu_this_build_lacks_is_an_error_that_says_what_to_do() {
        for (choice, gpu) in [
            (DeviceChoice::Metal, Gpu::Metal),
            (DeviceChoice::Cuda, Gpu::Cuda),
        ] {
            if Gpu::BUILT.contains(&gpu) {
                continue;
            }
            let error = report_device(choice).unwrap_err().to_string();
            assert!(
                error.contains("no")
                    && error.contains("support")
                    && error.contains("Choose auto or cpu"),
                "{error}"
            );
        }
    }
}
