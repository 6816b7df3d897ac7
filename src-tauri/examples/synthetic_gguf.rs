//! Writes a random-weight GGUF of Phi-3.5-mini's widths for benchmarks against llama.cpp.
//!
//! usage: cargo run -p cadence --example synthetic_gguf -- OUT.gguf [LAYERS] [ARCH]
//!
//! ARCH is `phi3` (the default) or `llama`: llama.cpp refuses the synthetic phi3 file's
//! vocabulary, so side-by-side runs use the same widths and quantisation as llama.

use std::path::PathBuf;
use std::process::ExitCode;

use cadence::llm::Architecture;
use cadence::llm::synthetic::SyntheticModel;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: synthetic_gguf OUT.gguf [LAYERS] [phi3|llama]");
        return ExitCode::from(2);
    };
    let layers = match args.next().map(|s| s.parse::<usize>()) {
        None => 4,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("error: LAYERS must be a positive whole number");
            return ExitCode::from(2);
        }
    };
    let architecture = match args.next().as_deref() {
        None | Some("phi3") => Architecture::Phi3,
        Some("llama") => Architecture::Llama,
        Some(other) => {
            eprintln!("error: unknown architecture `{other}`: use phi3 or llama");
            return ExitCode::from(2);
        }
    };
    let spec = SyntheticModel {
        architecture,
        ..SyntheticModel::phi35_mini_width(layers)
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
