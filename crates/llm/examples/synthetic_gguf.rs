//! Writes random-weight GGUFs for comparisons against llama.cpp.
//!
//! usage:
//!   cargo run -p cadence-llm --example synthetic_gguf -- OUT.gguf [LAYERS] [phi3|llama] [q4_k|q4_k_m]
//!   cargo run -p cadence-llm --example synthetic_gguf -- OUT.gguf phi35|qwen25 VOCAB.gguf
//!
//! The first writes Phi-3.5-mini's widths with LAYERS layers; ARCH `llama` gives the same
//! widths and quantisation as llama, whose small synthetic vocabulary llama.cpp accepts;
//! `q4_k_m` mixes in Q5_K and Q6_K matrices as llama.cpp's Q4_K_M files do (the default is
//! Q4_K throughout).
//! The second writes the test suite's Phi-3.5- or Qwen2.5-shaped model carrying the real
//! vocabulary and chat template of VOCAB (tests/fixtures/vocab), byte for byte the file the
//! tests write.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cadence_llm::Architecture;
use cadence_llm::synthetic::{SyntheticModel, WeightType};

const USAGE: &str = "usage: synthetic_gguf OUT.gguf [LAYERS] [phi3|llama] [q4_k|q4_k_m]\n       \
                     synthetic_gguf OUT.gguf phi35|qwen25 VOCAB.gguf";

fn spec(args: &[String]) -> Result<SyntheticModel, String> {
    match args {
        [shape, vocab] if shape == "phi35" => Ok(SyntheticModel::phi35_shaped(Path::new(vocab))),
        [shape, vocab] if shape == "qwen25" => Ok(SyntheticModel::qwen25_shaped(Path::new(vocab))),
        [] | [_] | [_, _] | [_, _, _] => {
            let layers = match args.first().map(|s| s.parse::<usize>()) {
                None => 4,
                Some(Ok(n)) if n > 0 => n,
                Some(_) => return Err("LAYERS must be a positive whole number".into()),
            };
            let architecture = match args.get(1).map(String::as_str) {
                None | Some("phi3") => Architecture::Phi3,
                Some("llama") => Architecture::Llama,
                Some(other) => {
                    return Err(format!("unknown architecture `{other}`: use phi3 or llama"));
                }
            };
            let weight_type = match args.get(2).map(String::as_str) {
                None | Some("q4_k") => WeightType::Q4K,
                Some("q4_k_m") => WeightType::Q4KM,
                Some(other) => {
                    return Err(format!(
                        "unknown quantisation `{other}`: use q4_k or q4_k_m"
                    ));
                }
            };
            Ok(SyntheticModel {
                architecture,
                weight_type,
                embedding_type: weight_type,
                ..SyntheticModel::phi35_mini_width(layers)
            })
        }
        _ => Err(USAGE.into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let spec = match spec(&args[1..]) {
        Ok(spec) => spec,
        Err(problem) => {
            eprintln!("error: {problem}");
            return ExitCode::from(2);
        }
    };
    match spec.write(&out) {
        Ok(()) => {
            println!("{}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
