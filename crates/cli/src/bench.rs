//! `cadence bench`: how fast a model loads and decodes, or switches with another; or, with
//! `--soak`, whether memory grows over a long session.

mod soak;

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
    /// A catalogue model id (installed) or the path of a GGUF file; with --soak, the model
    /// that writes (the template generator when none is named).
    #[arg(required_unless_present = "soak")]
    model: Option<String>,
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
    /// Instead, write tutorials in one process (200 unless --documents), letting the model
    /// go and loading it again every 10, and report the resident memory every 20 and its
    /// growth from the first 20 to the end.
    #[arg(long, conflicts_with_all = ["threads", "device", "schema", "no_schema", "switch_with"])]
    soak: bool,
    /// How many documents the soak writes: at least 40, the first 20 being the baseline.
    #[arg(long, requires = "soak", value_parser = clap::value_parser!(u32).range(40..=100_000))]
    documents: Option<u32>,
    /// The soak's model writes one document in N (the first of each N) and the template
    /// generator the rest, so that a slow machine reaches the document count with the model
    /// still loaded, let go and loaded again throughout (default 1: every document).
    #[arg(long, value_name = "N", requires_all = ["soak", "model"], value_parser = clap::value_parser!(u32).range(1..=100))]
    model_every: Option<u32>,
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
        soak,
        documents,
        model_every,
    } = args;
    if soak {
        let plan = soak::Plan {
            documents: documents.map_or(soak::DEFAULT_DOCUMENTS, |n| n as usize),
            model_every: model_every.map_or(1, |n| n as usize),
        };
        let report = soak::run(model.as_deref(), plan)?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let Some(model) = model else {
        anyhow::bail!("name the model to measure: a catalogue id or a GGUF file");
    };
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
                model: Some("phi-3.5-mini".into()),
                threads: None,
                device: None,
                schema: None,
                no_schema: false,
                switch_with: Some("qwen2.5-7b".into()),
                soak: false,
                documents: None,
                model_every: None,
            }))
        );
    }

    #[test]
    fn the_device_is_named_or_refused() {
        assert_eq!(
            bench_args(&["bench", "m.gguf", "--device", "cuda"]).map(|args| args.device),
            Ok(Some(llm::DeviceChoice::Cuda))
        );
        assert_eq!(
            bench_args(&["bench", "m.gguf", "--device", "tpu"]).map(|args| args.device),
            Err(ErrorKind::ValueValidation)
        );
    }

    /// The bench arguments a command line parses to, or the kind of error clap gives.
    fn bench_args(args: &[&str]) -> Result<BenchArgs, ErrorKind> {
        match parse(args) {
            Ok(Some(Command::Bench(args))) => Ok(args),
            Ok(other) => panic!("not bench: {other:?}"),
            Err(error) => Err(error.kind()),
        }
    }

    #[test]
    fn a_soak_needs_no_model_and_counts_its_documents() {
        let soak =
            |args: &[&str]| bench_args(args).map(|args| (args.soak, args.model, args.documents));
        assert_eq!(soak(&["bench", "--soak"]), Ok((true, None, None)));
        assert_eq!(
            soak(&["bench", "--soak", "--documents", "40", "smollm2-135m"]),
            Ok((true, Some("smollm2-135m".into()), Some(40)))
        );
        // Without --soak a model is needed, and --documents means nothing.
        assert_eq!(soak(&["bench"]), Err(ErrorKind::MissingRequiredArgument));
        assert_eq!(
            soak(&["bench", "m.gguf", "--documents", "40"]),
            Err(ErrorKind::MissingRequiredArgument)
        );
        // The first 20 documents are the baseline: fewer than 40 compare nothing.
        assert_eq!(
            soak(&["bench", "--soak", "--documents", "20"]),
            Err(ErrorKind::ValueValidation)
        );
        for other in [
            &["--threads", "2"][..],
            &["--device", "cpu"],
            &["--no-schema"],
            &["--switch-with", "x"],
        ] {
            let args: Vec<&str> = ["bench", "m.gguf", "--soak"]
                .iter()
                .chain(other)
                .copied()
                .collect();
            assert_eq!(soak(&args), Err(ErrorKind::ArgumentConflict), "{other:?}");
        }
    }

    #[test]
    fn a_soaks_model_writes_one_document_in_n() {
        let model_every = |args: &[&str]| bench_args(args).map(|args| args.model_every);
        assert_eq!(
            model_every(&["bench", "--soak", "--model-every", "4", "smollm2-135m"]),
            Ok(Some(4))
        );
        assert_eq!(model_every(&["bench", "--soak", "smollm2-135m"]), Ok(None));
        // The template generator alone has no model to share the documents with.
        assert_eq!(
            model_every(&["bench", "--soak", "--model-every", "4"]),
            Err(ErrorKind::MissingRequiredArgument)
        );
        assert_eq!(
            model_every(&["bench", "m.gguf", "--model-every", "4"]),
            Err(ErrorKind::MissingRequiredArgument)
        );
        assert_eq!(
            model_every(&["bench", "--soak", "--model-every", "0", "m.gguf"]),
            Err(ErrorKind::ValueValidation)
        );
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
