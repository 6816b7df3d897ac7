//! `cadence bench`: how fast a model loads and decodes, or switches with another.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cadence::{content, llm};
use clap::Args;
use serde::Serialize;

use crate::local_model::{resolve_model, warn_on_device_fallback};
use crate::output::read_schema;
use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct BenchArgs {
    /// A catalogue model id (installed) or the path of a GGUF file.
    model: String,
    /// CPU threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to run: auto, cpu, metal or cuda (default: the Device setting).
    #[arg(long)]
    device: Option<llm::DeviceChoice>,
    /// Time constrained decoding under this JSON Schema file (default: the tutorial's).
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Skip the constrained-decoding measurement.
    #[arg(long, conflicts_with = "schema")]
    no_schema: bool,
    /// Instead, measure switching between MODEL and this catalogue model while both
    /// stay resident: the time from asking for the other model to its first token.
    #[arg(long, value_name = "ID", conflicts_with_all = ["schema", "no_schema"])]
    switch_with: Option<String>,
}

/// Prints the measurements as JSON.
pub(crate) fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let BenchArgs {
        model,
        threads,
        device,
        schema,
        no_schema,
        switch_with,
    } = args;
    if let Some(other) = switch_with {
        println!(
            "{}",
            serde_json::to_string_pretty(&bench_switch(&model, &other)?)?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let resolved = resolve_model(&model)?;
    // A device named here wins over the setting and `CADENCE_DEVICE`.
    let device = match device {
        Some(device) => device,
        None => resolved.device_choice()?,
    };
    let path = resolved.path;
    let schema = match (schema, no_schema) {
        (_, true) => None,
        (Some(file), false) => Some(read_schema(&file)?),
        (None, false) => Some(content::schema::DocumentKind::Tutorial.schema()),
    };
    let options = llm::BenchOptions {
        threads,
        device,
        schema,
        ..Default::default()
    };
    let report = llm::bench::run(&path, &options)?;
    warn_on_device_fallback(report.device_notice.as_deref());
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct SwitchReport {
    models: [String; 2],
    /// Loading each model from disk, to its first token.
    load_ms: [f64; 2],
    switches: usize,
    /// From asking for the other resident model to its first token.
    switch_ms_median: f64,
    switch_ms_max: f64,
    resident_after: Vec<String>,
}

/// Alternates between two catalogue models kept resident, timing each switch.
fn bench_switch(first: &str, second: &str) -> anyhow::Result<SwitchReport> {
    use cadence::providers::ProviderRequest;
    use cadence::sources::{ProviderSource, ResidentModels};
    use std::time::Instant;

    const SWITCHES: usize = 10;
    let studio = studio()?;
    let candidate = |id: &str| -> anyhow::Result<cadence::router::Candidate> {
        let model = studio.catalog().local_model(id).with_context(|| {
            format!("`{id}` is not a local model of the catalogue; see `cadence models list`")
        })?;
        let path = studio.model_file(model);
        anyhow::ensure!(
            path.exists(),
            "{} is not downloaded; run `cadence models download {id}`",
            model.name
        );
        Ok(cadence::router::Candidate {
            model: id.to_string(),
            runner: cadence::router::Runner::Local { path },
            reason: "benchmark".into(),
        })
    };
    let models = [candidate(first)?, candidate(second)?];
    let request = ProviderRequest {
        messages: vec![llm::Message::user("Name a chord.")],
        schema: None,
        decoder_schema: None,
        max_tokens: 1,
        temperature: 0.0,
        seed: 0,
    };
    let resident = ResidentModels::default();
    let mut source = resident.source(&studio);
    let mut first_token_ms = |candidate: &cadence::router::Candidate| -> anyhow::Result<f64> {
        let started = Instant::now();
        let mut provider = source.provider(candidate)?;
        provider.generate(&request, &llm::CancelToken::new(), &mut |_| {})?;
        Ok(started.elapsed().as_secs_f64() * 1e3)
    };
    let load_ms = [first_token_ms(&models[0])?, first_token_ms(&models[1])?];
    let mut switch_ms = (0..SWITCHES)
        .map(|i| first_token_ms(&models[i % 2]))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    switch_ms.sort_by(f64::total_cmp);
    Ok(SwitchReport {
        models: [first.to_string(), second.to_string()],
        load_ms,
        switches: SWITCHES,
        switch_ms_median: switch_ms[SWITCHES / 2],
        switch_ms_max: switch_ms[SWITCHES - 1],
        resident_after: resident.resident(),
    })
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;
    use crate::{Command, parse};

    #[test]
    fn switch_with_names_the_second_model() {
        assert_eq!(
            parse(&["bench", "phi-3.5-mini", "--switch-with", "qwen2.5-7b"]).unwrap(),
            Some(Command::Bench(BenchArgs {
                model: "phi-3.5-mini".into(),
                threads: None,
                device: None,
                schema: None,
                no_schema: false,
                switch_with: Some("qwen2.5-7b".into()),
            }))
        );
    }

    #[test]
    fn the_device_is_named_or_refused() {
        let Some(Command::Bench(args)) = parse(&["bench", "m.gguf", "--device", "cuda"]).unwrap()
        else {
            panic!("bench parses");
        };
        assert_eq!(args.device, Some(llm::DeviceChoice::Cuda));
        let error = parse(&["bench", "m.gguf", "--device", "tpu"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ValueValidation);
    }

    #[test]
    fn schema_options_exclude_each_other_and_switching() {
        for args in [
            &["bench", "m.gguf", "--no-schema", "--schema", "s.json"][..],
            &[
                "bench",
                "m.gguf",
                "--switch-with",
                "x",
                "--schema",
                "s.json",
            ],
            &["bench", "m.gguf", "--switch-with", "x", "--no-schema"],
        ] {
            let error = parse(args).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ArgumentConflict, "{args:?}");
        }
    }
}
