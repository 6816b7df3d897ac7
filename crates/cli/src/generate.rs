//! `cadence generate`: text from one local model, without routing or the library.

use std::path::PathBuf;
use std::process::ExitCode;

use cadence::{content, llm};
use clap::Args;

use crate::local_model::resolve_model;
use crate::output::read_schema;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct GenerateArgs {
    /// A catalogue model id (installed) or the path of a GGUF file.
    #[arg(long)]
    model: String,
    /// The user's message.
    prompt: String,
    /// A system message to put first.
    #[arg(long)]
    system: Option<String>,
    /// Most tokens to generate (default: 256, or 1024 with --schema).
    #[arg(long)]
    max_tokens: Option<usize>,
    /// A JSON Schema file: the answer is decoded under it, checked, and printed as JSON.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// 0 decodes greedily.
    #[arg(long, default_value_t = 0.7)]
    temperature: f32,
    /// Makes sampling reproducible.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// CPU threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
}

/// Streams the answer to standard output, or, under a schema, prints the checked JSON.
pub(crate) fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let GenerateArgs {
        model,
        prompt,
        system,
        max_tokens,
        schema,
        temperature,
        seed,
        threads,
    } = args;
    let schema = schema.as_deref().map(read_schema).transpose()?;
    let resolved = resolve_model(&model)?;
    let mut engine = resolved.load_engine(threads)?;
    let info = engine.info();
    eprintln!(
        "{} ({:?}) on {}, loaded in {:.0} ms",
        resolved.path.display(),
        info.architecture,
        info.device,
        info.load_ms
    );
    let messages = system
        .map(llm::Message::system)
        .into_iter()
        .chain([llm::Message::user(prompt)])
        .collect();
    let sampling = if temperature <= 0.0 {
        llm::SamplingOptions::greedy()
    } else {
        llm::SamplingOptions {
            temperature,
            seed,
            ..Default::default()
        }
    };
    let structured = schema.is_some();
    let options = llm::GenerationOptions {
        max_tokens: max_tokens.unwrap_or(if structured { 1024 } else { 256 }),
        sampling,
        schema: schema.clone(),
        ..Default::default()
    };
    // Free text streams to standard output; a document streams to standard error as
    // progress, and only the checked document goes to standard output.
    let mut sink: Box<dyn std::io::Write> = if structured {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    let mut text = String::new();
    let stats = engine.generate(
        &llm::Prompt::Chat(messages),
        &options,
        &llm::CancelToken::new(),
        &mut |delta: &str| {
            text.push_str(delta);
            // A closed pipe (e.g. `| head`) is not an error worth reporting mid-stream.
            let _ = sink.write_all(delta.as_bytes());
            let _ = sink.flush();
        },
    )?;
    drop(sink);
    if let Some(schema) = &schema {
        eprintln!();
        let document = content::structured::validate_text(schema, &text)?;
        println!("{}", serde_json::to_string_pretty(&document)?);
    } else {
        println!();
    }
    let forced = match stats.forced_tokens {
        0 => String::new(),
        n => format!(" ({n} forced by the schema)"),
    };
    eprintln!(
        "{} prompt tokens, {} generated{forced}; first token after {:.0} ms; {:.1} tokens/s",
        stats.prompt_tokens,
        stats.generated_tokens,
        stats.time_to_first_token_ms,
        stats.decode_tokens_per_s
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn sampling_defaults_to_a_seeded_temperature() {
        assert_eq!(
            parse(&["generate", "--model", "smollm2-135m", "Name a triad."]).unwrap(),
            Some(Command::Generate(GenerateArgs {
                model: "smollm2-135m".into(),
                prompt: "Name a triad.".into(),
                system: None,
                max_tokens: None,
                schema: None,
                temperature: 0.7,
                seed: 42,
                threads: None,
            }))
        );
    }

    #[test]
    fn every_option_is_read() {
        let Some(Command::Generate(args)) = parse(&[
            "generate",
            "--model",
            "m.gguf",
            "--system",
            "Be brief.",
            "--max-tokens",
            "64",
            "--schema",
            "s.json",
            "--temperature",
            "0",
            "--seed",
            "7",
            "--threads",
            "2",
            "Hi",
        ])
        .unwrap() else {
            panic!("not a generate command");
        };
        assert_eq!(args.system.as_deref(), Some("Be brief."));
        assert_eq!(args.max_tokens, Some(64));
        assert_eq!(args.schema, Some(PathBuf::from("s.json")));
        assert_eq!(args.temperature, 0.0);
        assert_eq!(args.seed, 7);
        assert_eq!(args.threads, Some(2));
    }
}
