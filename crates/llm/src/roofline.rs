//! The memory-bandwidth roofline of decoding: each generated token reads every weight once,
//! so a chip's memory bandwidth over the model's size bounds its tokens per second. The
//! benchmark reports the share of that bound it reached.

use serde::Serialize;

/// A chip and the memory bandwidth its maker states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bandwidth {
    pub chip: String,
    pub gb_per_s: f64,
}

/// Apple Silicon's unified memory bandwidth, GB/s, by the name `sysctl` reports. Longer
/// names first, so "Apple M4 Pro" is not read as "Apple M4". Where a chip comes in two
/// bandwidths (the binned M3 Max and M4 Max), the lower one: the share reported is then
/// never flattering.
const APPLE_CHIPS: &[(&str, f64)] = &[
    ("Apple M1 Ultra", 800.0),
    ("Apple M1 Max", 400.0),
    ("Apple M1 Pro", 200.0),
    ("Apple M1", 68.25),
    ("Apple M2 Ultra", 800.0),
    ("Apple M2 Max", 400.0),
    ("Apple M2 Pro", 200.0),
    ("Apple M2", 100.0),
    ("Apple M3 Ultra", 819.0),
    ("Apple M3 Max", 300.0),
    ("Apple M3 Pro", 150.0),
    ("Apple M3", 100.0),
    ("Apple M4 Max", 410.0),
    ("Apple M4 Pro", 273.0),
    ("Apple M4", 120.0),
];

/// NVIDIA cards by the words of the name `nvidia-smi` reports ("NVIDIA H100 80GB HBM3",
/// "NVIDIA A100-SXM4-80GB"), for `scripts/check-gpu`. A card matches the first entry whose
/// words all appear among its name's words, so the more particular entries come first.
const NVIDIA_CARDS: &[(&[&str], f64)] = &[
    (&["H200"], 4800.0),
    (&["H100", "NVL"], 3900.0),
    (&["H100", "PCIe"], 2000.0),
    (&["H100"], 3350.0),
    (&["A100", "80GB", "PCIe"], 1935.0),
    (&["A100", "SXM4", "80GB"], 2039.0),
    (&["A100"], 1555.0),
    (&["L40S"], 864.0),
    (&["L40"], 864.0),
    (&["L4"], 300.0),
    (&["A10G"], 600.0),
    (&["A10"], 600.0),
    (&["RTX", "4090"], 1008.0),
];

/// The bandwidth of the chip called `name`, from the tables of Apple chips and NVIDIA cards.
pub fn bandwidth_of(name: &str) -> Option<Bandwidth> {
    let name = name.trim();
    let apple = APPLE_CHIPS
        .iter()
        .filter(|(chip, _)| name == *chip || name.starts_with(&format!("{chip} ")))
        .max_by_key(|(chip, _)| chip.len())
        .map(|&(_, gb_per_s)| gb_per_s);
    let words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(str::to_ascii_uppercase)
        .collect();
    let nvidia = || {
        NVIDIA_CARDS
            .iter()
            .find(|(card, _)| {
                card.iter()
                    .all(|word| words.contains(&word.to_ascii_uppercase()))
            })
            .map(|&(_, gb_per_s)| gb_per_s)
    };
    apple.or_else(nvidia).map(|gb_per_s| Bandwidth {
        chip: name.to_string(),
        gb_per_s,
    })
}

/// The bandwidth of the GPU a device name (`metal`, `cuda`) runs on, where this machine says
/// which chip it is: Apple Silicon by `sysctl`, NVIDIA cards by `nvidia-smi`. None for the
/// CPU: a Mac's CPU cores reach only part of the unified memory's bandwidth, so the chip's
/// figure would understate how close they come to their own bound.
pub fn bandwidth_of_device(device: &str) -> Option<Bandwidth> {
    let chip = if device.starts_with("cuda") {
        command_output("nvidia-smi", &["--query-gpu=name", "--format=csv,noheader"])?
    } else if device.starts_with("metal") {
        command_output("sysctl", &["-n", "machdep.cpu.brand_string"])?
    } else {
        return None;
    };
    bandwidth_of(chip.lines().next()?)
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The bound on decoding speed: every weight byte read once per token.
pub fn roofline_tokens_per_s(bandwidth: &Bandwidth, bytes_per_token: u64) -> f64 {
    bandwidth.gb_per_s * 1e9 / bytes_per_token.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chips_are_told_apart_by_their_full_names() {
        let gb = |name: &str| bandwidth_of(name).map(|b| b.gb_per_s);
        assert_eq!(gb("Apple M4 Pro"), Some(273.0));
        assert_eq!(gb("Apple M4"), Some(120.0));
        assert_eq!(gb("Apple M1 Max"), Some(400.0));
        assert_eq!(gb("Apple M1"), Some(68.25));
        assert_eq!(gb("NVIDIA H100 80GB HBM3"), Some(3350.0));
        assert_eq!(gb("NVIDIA H100 PCIe"), Some(2000.0));
        assert_eq!(gb("NVIDIA H100 NVL"), Some(3900.0));
        assert_eq!(gb("NVIDIA H200"), Some(4800.0));
        assert_eq!(gb("NVIDIA GH200 480GB"), None);
        assert_eq!(gb("NVIDIA A100-SXM4-80GB"), Some(2039.0));
        assert_eq!(gb("NVIDIA A100 80GB PCIe"), Some(1935.0));
        assert_eq!(gb("NVIDIA A100-PCIE-40GB"), Some(1555.0));
        assert_eq!(gb("NVIDIA L40"), Some(864.0));
        assert_eq!(gb("NVIDIA L4"), Some(300.0));
        assert_eq!(gb("NVIDIA GeForce RTX 4090"), Some(1008.0));
        assert_eq!(bandwidth_of_device("cpu (2 threads)"), None);
        assert_eq!(gb("Intel(R) Xeon(R) CPU"), None);
        assert_eq!(gb("Apple M10"), None);
    }

    #[test]
    fn the_roofline_of_phi_3_5_on_an_m4_pro() {
        // 273 GB/s over Phi-3.5-mini Q4_K_M's 2.39 GB: about 114 tokens a second.
        let m4_pro = bandwidth_of("Apple M4 Pro").unwrap();
        let bound = roofline_tokens_per_s(&m4_pro, 2_390_000_000);
        assert!((bound - 114.2).abs() < 0.1, "{bound}");
    }
}
