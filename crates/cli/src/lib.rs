//! The `cadence` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use cadence::batch::BatchRequest;
use cadence::catalog::TaskKind;
use cadence::coach::{CoachContext, CoachRequest, CoachTurn, Speaker};
use cadence::content::{self, Level};
use cadence::generate::ResidentModels;
use cadence::llm;
use cadence::models::download::human_bytes;
use serde::Serialize;

use cadence::theory::Style;
use cadence::{Availability, ModelStatus};
use cadence::{Studio, StudioError};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cadence",
    version,
    about = "Cadence — a local-first music-lesson studio",
    long_about = "Cadence writes curricula, tutorials, exercises, theory analyses, assessments and lesson \
plans with small 4-bit language models running on this machine, checks every musical fact with its own \
theory engine, and keeps the library in SQLite.\n\nRun without a command to open the desktop window.",
    after_help = "Environment:\n  CADENCE_HOME         folder for the library, models and settings (default: the platform's app-data folder)\n  CADENCE_MODELS_TOML  a models.toml to use instead of the built-in catalogue\n  GEMINI_API_KEY       enables the cloud tier when the network is allowed"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the desktop window.
    App,
    /// Show the model catalogue and what is installed.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Locate or check the library database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Generate text from a local model, streamed as it is written.
    #[command(
        after_help = "Example:\n  cadence generate --model smollm2-135m \"Name the notes of a C major triad.\""
    )]
    Generate(GenerateArgs),
    /// Show how a model's tokenizer splits text: each token's id and piece.
    #[command(
        after_help = "Example:\n  cadence tokenize --model phi-3.5-mini \"B♭ major, F♯ minor\"\n\nText is tokenized as a user's message is: special tokens such as <|user|> stay text."
    )]
    Tokenize {
        /// A catalogue model id (installed) or the path of a GGUF file.
        #[arg(long)]
        model: String,
        /// Print `{"ids": [...], "pieces": [...]}`.
        #[arg(long)]
        json: bool,
        text: String,
    },
    /// Measure load time, prefill and decode speed and peak memory of a GGUF; prints JSON.
    Bench {
        /// A catalogue model id (installed) or the path of a GGUF file.
        model: String,
        /// CPU threads (default: every core).
        #[arg(long)]
        threads: Option<usize>,
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
    },
    /// Spell chords, read roman numerals, voice progressions, check a chart.
    #[command(subcommand)]
    Theory(TheoryCommand),
    /// Write a tutorial, check every chord, and save it to the library.
    ///
    /// The task is routed by models.toml to the best installed model, which writes under the
    /// tutorial's schema; the theory engine checks and repairs every musical fact, and a
    /// refused answer is regenerated, then passed to the next model. With no model
    /// installed, the template generator writes it.
    #[command(
        after_help = "Example:\n  cadence tutorial --topic ii-V-I --key Eb --level intermediate --out t.json"
    )]
    Tutorial {
        /// ii-V-I, blues, gospel-2-5-1, \"harmonic minor scale\", \"drop 2 voicings\", …
        #[arg(long)]
        topic: String,
        /// The key: Eb, F#, \"A minor\".
        #[arg(long)]
        key: String,
        /// beginner, intermediate or advanced.
        #[arg(long, default_value = "intermediate")]
        level: Level,
        /// Write the tutorial's JSON to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value = "piano")]
        instrument: String,
        /// Use the template generator even when a model is installed.
        #[arg(long)]
        template: bool,
    },
    /// Ask the coach about your practice; the answer streams as it is written.
    ///
    /// With a question, answers it. Without one, reads questions from standard input, one a
    /// line, as one conversation: the coach remembers the earlier turns as far as its
    /// model's context allows.
    #[command(
        after_help = "Example:\n  cadence coach --level beginner --result \"C major scale: 90 bpm, even\" \"What should I practise next?\""
    )]
    Coach {
        /// The question (omit it to hold a conversation on standard input).
        question: Option<String>,
        #[arg(long, default_value = "intermediate")]
        level: Level,
        #[arg(long, default_value = "piano")]
        instrument: String,
        /// A recent practice result the coach should know; repeat for several.
        #[arg(long = "result", value_name = "RESULT")]
        results: Vec<String>,
        /// The library id of the tutorial being practised (`cadence library` lists them).
        #[arg(long)]
        tutorial: Option<i64>,
    },
    /// Pre-generate a curriculum with every lesson's tutorial and exercises (resumable).
    #[command(
        after_help = "Run the same command again after an interruption: finished lessons are kept."
    )]
    Batch {
        /// The home key of the curriculum.
        #[arg(long, default_value = "C")]
        key: String,
        #[arg(long, default_value = "beginner")]
        level: Level,
        /// Length of the curriculum in weeks.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=104))]
        weeks: u32,
        #[arg(long, default_value = "piano")]
        instrument: String,
        /// What the student works towards; the outline is planned for it.
        #[arg(long)]
        goal: Option<String>,
        /// Resume this stored curriculum (its id); it must come from the same request.
        #[arg(long)]
        resume: Option<i64>,
    },
    /// List the library's curricula and tutorials.
    Library {
        /// Only tutorials whose title, topic or key contains this text.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Export from the library.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Args)]
struct GenerateArgs {
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

#[derive(Subcommand)]
enum ModelsCommand {
    /// List local and cloud models, their tiers, sizes and whether they are installed.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the folder downloaded models are kept in.
    Path,
    /// Download a local model's GGUF from Hugging Face and verify its SHA-256.
    #[command(
        after_help = "Ctrl-C pauses: the partial download is kept and the same command resumes it.\n\nEnvironment:\n  HF_ENDPOINT  a Hugging Face mirror to download from (default https://huggingface.co)\n  HF_HOME      where `huggingface-cli login` saved the token for gated models\n\nExample:\n  cadence models download smollm2-135m"
    )]
    Download {
        /// The model's id, as `cadence models list` shows it.
        id: String,
    },
    /// Delete a downloaded model and any partial download of it.
    Remove {
        /// The model's id, as `cadence models list` shows it.
        id: String,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// A tutorial as schema-versioned JSON.
    Tutorial {
        /// The tutorial's id (see `cadence library`).
        id: i64,
        /// The file to write; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Print the path of the library database.
    Path,
    /// Open the database (applying migrations) and check its integrity and foreign keys.
    Check {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TheoryCommand {
    /// Spell a chord symbol, or name the chord a set of notes makes.
    #[command(
        after_help = "Examples:\n  cadence theory chord \"C7(b9,#11)\"\n  cadence theory chord \"D F# A C\""
    )]
    Chord {
        /// A chord symbol (Bb13(#11), F#m7b5, C/E) or notes separated by spaces.
        chord: String,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Read roman numerals (or chord symbols) in a key.
    #[command(after_help = "Example:\n  cadence theory roman --key Eb \"ii7 V7 Imaj7\"")]
    Roman {
        /// The key: Eb, \"Eb major\", Cm, \"F# minor\".
        #[arg(long)]
        key: String,
        /// Numerals or chord symbols separated by spaces (ii7 V65/V viio7/ii bVII N6).
        numerals: String,
        /// classical (I7 = the key's seventh chord) or jazz (I7 = dominant seventh).
        #[arg(long, default_value = "classical")]
        style: Style,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Voice a progression for piano with smooth voice leading.
    #[command(
        after_help = "Example:\n  cadence theory voicing --type rootless-a --key F \"Gm7 C7 Fmaj7\""
    )]
    Voicing {
        /// close, drop-2, drop-3, shell (1-3-7), shell-b (1-7-3), rootless-a, rootless-b, rootless, gospel, upper-structure.
        #[arg(long = "type")]
        kind: String,
        /// The key the progression is in.
        #[arg(long)]
        key: String,
        /// Chord symbols or numerals separated by spaces.
        chords: String,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Spell a scale or mode.
    #[command(after_help = "Example:\n  cadence theory scale \"D dorian\"")]
    Scale {
        /// A tonic and a scale: \"D dorian\", \"Bb bebop dominant\", \"A blues\".
        scale: String,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// A standard progression in a key, optionally reharmonised.
    #[command(
        after_help = "Example:\n  cadence theory progression ii-V-I --key Db --reharm tritone"
    )]
    Progression {
        /// ii-v-i, minor-ii-v-i, i-vi-ii-v, iii-vi-ii-v, gospel-1-4-5, gospel-2-5-1, blues,
        /// jazz-blues, minor-blues, backdoor, pop-axis, … (an unknown name lists them all).
        template: String,
        #[arg(long)]
        key: String,
        /// A reharmonisation rule: tritone, related-ii, secondary-dominants or backdoor.
        #[arg(long)]
        reharm: Option<String>,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Check a chart of numerals and chords: reports every chord that does not match.
    #[command(
        after_help = "Example:\n  cadence theory check --key Eb \"ii7=Fm7 | V7=Ab7 | Imaj7=Ebmaj7\""
    )]
    Check {
        #[arg(long)]
        key: String,
        /// Bars separated by `|`; each bar a numeral, a chord, or numeral=chord.
        chart: String,
        #[arg(long, default_value = "classical")]
        style: Style,
        #[command(flatten)]
        output: TheoryOutput,
    },
}

#[derive(Args)]
struct TheoryOutput {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Print ♭ and ♯ instead of b and #.
    #[arg(long, conflicts_with = "json")]
    unicode: bool,
}

impl TheoryOutput {
    fn print<R: serde::Serialize + std::fmt::Display>(&self, report: &R) -> anyhow::Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(report)?);
        } else if self.unicode {
            println!("{report:#}");
        } else {
            println!("{report}");
        }
        Ok(())
    }
}

/// Opens the desktop window over a Studio, in a build that has one.
pub type Window = fn(Studio) -> anyhow::Result<()>;

/// Runs the command line's arguments; `window` opens the desktop window (`cadence app`, or
/// no command at all) where this build has one.
pub fn main(window: Option<Window>) -> ExitCode {
    let cli = Cli::parse();
    match run(cli, window) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, window: Option<Window>) -> anyhow::Result<ExitCode> {
    let Some(command) = cli.command else {
        return open_window(window);
    };
    match command {
        Command::App => open_window(window),
        Command::Models(ModelsCommand::List { json }) => {
            let models = studio()?.models();
            if json {
                println!("{}", serde_json::to_string_pretty(&models)?);
            } else {
                print!("{}", models_table(&models));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Models(ModelsCommand::Path) => {
            println!("{}", studio()?.models_dir().display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Models(ModelsCommand::Download { id }) => download_model(&id),
        Command::Models(ModelsCommand::Remove { id }) => {
            let removed = studio()?.remove_model(&id)?;
            if removed.freed_bytes == 0 {
                println!("{id} was not downloaded; nothing to remove");
            } else {
                println!("removed {id}, freeing {}", human_bytes(removed.freed_bytes));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Db(DbCommand::Path) => {
            println!("{}", studio()?.paths().database().display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Db(DbCommand::Check { json }) => {
            let report = studio()?.open_store()?.check()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("database:      {}", report.path.display());
                println!("schema:        version {}", report.schema_version);
                println!("journal:       {}", report.journal_mode);
                println!("integrity:     {}", report.integrity.join("; "));
                println!(
                    "foreign keys:  {} violations",
                    report.foreign_key_violations
                );
            }
            Ok(if report.is_healthy() {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: the database is damaged; keep a copy of the file before repairing it"
                );
                ExitCode::FAILURE
            })
        }
        Command::Generate(args) => {
            generate(args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tokenize { model, json, text } => {
            tokenize(&model, json, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            model,
            switch_with: Some(other),
            ..
        } => {
            println!(
                "{}",
                serde_json::to_string_pretty(&bench_switch(&model, &other)?)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            model,
            threads,
            schema,
            no_schema,
            switch_with: None,
        } => {
            let path = resolve_model(&model)?.path;
            let schema = match (schema, no_schema) {
                (_, true) => None,
                (Some(file), false) => Some(read_schema(&file)?),
                (None, false) => Some(content::schema::DocumentKind::Tutorial.schema()),
            };
            let options = llm::BenchOptions {
                threads,
                schema,
                ..Default::default()
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&llm::bench::run(&path, &options)?)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Theory(command) => {
            theory(command)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tutorial {
            topic,
            key,
            level,
            out,
            instrument,
            template,
        } => {
            let studio = studio()?;
            let store = studio.open_store()?;
            let (id, tutorial, summary) = if template {
                let written = studio.write_tutorial(&store, &topic, &key, level)?;
                let summary = format!(
                    "template generator; {}",
                    validation_summary(&written.validation)
                );
                (written.id, written.tutorial, summary)
            } else {
                let request = cadence::generate::TutorialRequest {
                    topic,
                    key,
                    level,
                    instrument,
                };
                let generated = generate_tutorial(&studio, &store, &request)?;
                let provenance = &generated.provenance;
                let summary = format!(
                    "{}; {}",
                    match &provenance.model {
                        Some(model) => format!("written by {model}"),
                        None => "template generator".to_string(),
                    },
                    validation_summary(&provenance.validation)
                );
                (generated.id, generated.document, summary)
            };
            write_output(out.as_deref(), &content::export::tutorial_json(&tutorial))?;
            eprintln!(
                "saved tutorial {id} “{}” to the library ({summary})",
                tutorial.title
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Coach {
            question,
            level,
            instrument,
            results,
            tutorial,
        } => {
            let context = CoachContext {
                instrument,
                level,
                recent_results: results,
                tutorial_id: tutorial,
            };
            coach(context, question)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch {
            key,
            level,
            weeks,
            instrument,
            goal,
            resume,
        } => {
            let studio = studio()?;
            let store = studio.open_store()?;
            let request = BatchRequest {
                instrument,
                goal,
                resume,
                ..BatchRequest::new(key, level, weeks)
            };
            let network_allowed = network_allowed(&studio);
            for task in [TaskKind::CurriculumPlanning, TaskKind::TutorialGeneration] {
                warn_if_model_cannot_start(&studio, task, network_allowed);
            }
            // One model stays loaded across the lessons instead of loading for each.
            let resident = ResidentModels::default();
            let outcome = studio.run_batch(
                &store,
                &request,
                network_allowed,
                &mut resident.source(&studio),
                &llm::CancelToken::new(),
                &mut |progress| {
                    eprintln!(
                        "[{}/{}] {}",
                        progress.done, progress.total, progress.message
                    )
                },
            )?;
            let outline = match (&outcome.outline_model, outcome.resumed) {
                (_, true) => "outline from an earlier run".to_string(),
                (Some(model), false) => format!("outline by {model}"),
                (None, false) => "outline by the template generator".to_string(),
            };
            println!(
                "curriculum {}: {} lessons ({outline}), {} tutorials written ({} by a model), {} already done",
                outcome.curriculum_id,
                outcome.lessons,
                outcome.tutorials_written,
                outcome.tutorials_by_model,
                outcome.lessons_skipped
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Library { search, json } => {
            let store = studio()?.open_store()?;
            let curricula = store.read(cadence::store::curricula::list)?;
            let tutorials = store.read(|conn| {
                cadence::store::tutorials::search(conn, search.as_deref().unwrap_or(""))
            })?;
            if json {
                let library = serde_json::json!({ "curricula": curricula, "tutorials": tutorials });
                println!("{}", serde_json::to_string_pretty(&library)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("Curricula ({}):", curricula.len());
            for c in &curricula {
                println!(
                    "  {:>4}  {}  ({} weeks, {} modules, {} lessons, {})",
                    c.id, c.title, c.duration_weeks, c.module_count, c.lesson_count, c.level
                );
            }
            println!("Tutorials ({}):", tutorials.len());
            for t in &tutorials {
                println!(
                    "  {:>4}  {}  [{}; {}]",
                    t.id,
                    t.title,
                    t.music_key.as_deref().unwrap_or("no key"),
                    t.level
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(ExportCommand::Tutorial { id, out }) => {
            let studio = studio()?;
            let json = studio.export_tutorial(&studio.open_store()?, id)?;
            write_output(out.as_deref(), &json)?;
            if let Some(path) = out {
                eprintln!("exported tutorial {id} to {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn theory(command: TheoryCommand) -> anyhow::Result<()> {
    use cadence::theory::report;
    match command {
        TheoryCommand::Chord { chord, output } => output.print(&report::chord_report(&chord)?),
        TheoryCommand::Roman {
            key,
            numerals,
            style,
            output,
        } => output.print(&report::roman_report_with_style(&key, &numerals, style)?),
        TheoryCommand::Voicing {
            kind,
            key,
            chords,
            output,
        } => output.print(&report::voicing_report(&kind, &key, &chords)?),
        TheoryCommand::Scale { scale, output } => output.print(&report::scale_report(&scale)?),
        TheoryCommand::Progression {
            template,
            key,
            reharm,
            output,
        } => output.print(&report::progression_report(
            &template,
            &key,
            reharm.as_deref(),
        )?),
        TheoryCommand::Check {
            key,
            chart,
            style,
            output,
        } => {
            let validation = report::validation_report(&key, &chart, style)?;
            output.print(&validation)?;
            anyhow::ensure!(
                validation.is_valid(),
                "the chart has chords that do not match their numerals"
            );
            Ok(())
        }
    }
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
    use cadence::generate::{ProviderSource, ResidentModels};
    use cadence::providers::ProviderRequest;
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

/// A model named on the command line, with what the catalogue says about it.
struct ResolvedModel {
    path: PathBuf,
    /// The catalogue's entry, when it was named by id.
    entry: Option<cadence::catalog::LocalModel>,
    tokenizer_json: Option<PathBuf>,
    /// For the Device setting and the memory check.
    studio: Studio,
}

impl ResolvedModel {
    /// The engine, loaded with the catalogue's tokenizer, chat template and context.
    fn load_engine(&self, threads: Option<usize>) -> anyhow::Result<llm::Engine> {
        let options = llm::LoadOptions {
            threads,
            device: self.studio.device_choice(),
            ..Default::default()
        };
        let engine = match &self.entry {
            Some(entry) => {
                self.studio.check_memory(entry, &self.path, 0)?;
                cadence::providers::LocalProvider::load_engine(
                    entry,
                    &self.path,
                    self.tokenizer_json.as_deref(),
                    &options,
                )?
            }
            None => llm::Engine::load(&self.path, &options)?,
        };
        Ok(engine)
    }

    fn load_tokenizer(&self) -> anyhow::Result<llm::TextTokenizer> {
        let file = llm::gguf::GgufFile::open(&self.path)?;
        Ok(llm::TextTokenizer::load(
            &file,
            self.tokenizer_json.as_deref(),
        )?)
    }
}

/// A catalogue id of an installed model, or a path to a GGUF file.
fn resolve_model(model: &str) -> anyhow::Result<ResolvedModel> {
    let studio = studio()?;
    if let Some(entry) = studio.catalog().local_model(model).cloned() {
        let file = studio.model_file(&entry);
        anyhow::ensure!(
            file.exists(),
            "{} is not downloaded yet ({}); run `cadence models download {}` or pass a GGUF path",
            entry.name,
            file.display(),
            entry.id
        );
        let tokenizer_json = studio.tokenizer_json(&entry);
        if let Some(json) = &tokenizer_json {
            anyhow::ensure!(
                json.exists(),
                "{}'s tokenizer.json is missing ({}); run `cadence models download {}` to fetch it",
                entry.name,
                json.display(),
                entry.id
            );
        }
        return Ok(ResolvedModel {
            path: file,
            entry: Some(entry),
            tokenizer_json,
            studio,
        });
    }
    let path = PathBuf::from(model);
    anyhow::ensure!(
        path.is_file(),
        "`{model}` is neither a model id from `cadence models list` nor a GGUF file"
    );
    Ok(ResolvedModel {
        path,
        entry: None,
        tokenizer_json: None,
        studio,
    })
}

#[derive(Serialize)]
struct Tokens {
    ids: Vec<u32>,
    pieces: Vec<String>,
}

fn tokenize(model: &str, json: bool, text: &str) -> anyhow::Result<()> {
    let tokenizer = resolve_model(model)?.load_tokenizer()?;
    let ids = tokenizer.encode_text(text)?;
    let pieces = ids
        .iter()
        .map(|&id| tokenizer.piece(id).unwrap_or_default())
        .collect();
    let tokens = Tokens { ids, pieces };
    if json {
        println!("{}", serde_json::to_string(&tokens)?);
        return Ok(());
    }
    for (id, piece) in tokens.ids.iter().zip(&tokens.pieces) {
        println!("{id:>7}  {piece:?}");
    }
    eprintln!("{} tokens", tokens.ids.len());
    Ok(())
}

fn generate(args: GenerateArgs) -> anyhow::Result<()> {
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
    Ok(())
}

/// Routes and writes a tutorial, narrating the route, attempts and fallbacks on stderr.
fn generate_tutorial(
    studio: &Studio,
    store: &cadence::Store,
    request: &cadence::generate::TutorialRequest,
) -> anyhow::Result<cadence::generate::GeneratedTutorial> {
    use cadence::generate::Progress;
    let network_allowed = network_allowed(studio);
    warn_if_model_cannot_start(studio, TaskKind::TutorialGeneration, network_allowed);
    let mut written = 0usize;
    let generated = studio.generate_tutorial(
        store,
        request,
        network_allowed,
        &mut studio.installed_models(),
        &llm::CancelToken::new(),
        &mut |progress| {
            if let Progress::Delta { text } = &progress {
                written += text.chars().count();
                eprint!("\r  {written} characters");
            } else if let Some(line) = progress.describe() {
                // End the character counter's line first.
                if std::mem::take(&mut written) > 0 {
                    eprintln!();
                }
                eprintln!("{line}");
            }
        },
    )?;
    if written > 0 {
        eprintln!();
    }
    for fallback in &generated.provenance.fallbacks {
        eprintln!("  fell back: {fallback}");
    }
    for issue in &generated.provenance.validation.issues {
        eprintln!("  {issue}");
    }
    Ok(generated)
}

/// Says on standard error, before the work starts, why the model `task` routes to first
/// cannot start (its memory will not fit), so the fallback that follows is no surprise.
fn warn_if_model_cannot_start(studio: &Studio, task: TaskKind, network_allowed: bool) {
    let route = cadence::router::route(
        studio.catalog(),
        task,
        &studio.availability(network_allowed),
    );
    if let Some(problem) = route
        .candidates
        .first()
        .and_then(|candidate| studio.cannot_start(&candidate.model))
    {
        eprintln!("warning: {problem}");
    }
}

/// Whether the settings allow the network; unreadable settings allow nothing.
fn network_allowed(studio: &Studio) -> bool {
    studio
        .settings()
        .map(|s| s.network_allowed)
        .unwrap_or(false)
}

/// Answers `question`, or every line of standard input as one conversation; the answer
/// goes to standard output as it is written, the route to standard error.
fn coach(context: CoachContext, question: Option<String>) -> anyhow::Result<()> {
    use std::io::{BufRead, Write};

    let studio = studio()?;
    let store = studio.open_store()?;
    let network_allowed = network_allowed(&studio);
    warn_if_model_cannot_start(&studio, TaskKind::Coaching, network_allowed);
    // One model load for the whole conversation.
    let resident = ResidentModels::default();
    let mut providers = resident.source(&studio);
    let mut history: Vec<CoachTurn> = Vec::new();
    let mut ask = |question: String, history: &mut Vec<CoachTurn>| -> anyhow::Result<()> {
        let request = CoachRequest {
            context: context.clone(),
            history: history.clone(),
            question: question.clone(),
        };
        let mut stdout = std::io::stdout();
        let reply = studio.coach(
            &store,
            &request,
            network_allowed,
            &mut providers,
            &llm::CancelToken::new(),
            &mut |delta| {
                let _ = stdout.write_all(delta.as_bytes());
                let _ = stdout.flush();
            },
        )?;
        println!();
        eprintln!(
            "(coach: {}; {} prompt and {} answer tokens{})",
            reply.model,
            reply.prompt_tokens,
            reply.answer_tokens,
            match reply.dropped_turns {
                0 => String::new(),
                n => format!("; the {n} oldest turns no longer fit and were left out"),
            }
        );
        history.push(CoachTurn {
            speaker: Speaker::Student,
            text: question,
        });
        history.push(CoachTurn {
            speaker: Speaker::Coach,
            text: reply.text,
        });
        Ok(())
    };
    match question {
        Some(question) => ask(question, &mut history),
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line.context("cannot read standard input")?;
                if !line.trim().is_empty() {
                    ask(line, &mut history)?;
                }
            }
            Ok(())
        }
    }
}

/// Reads a JSON Schema file and checks that it is one.
fn read_schema(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the schema {}; check the path", path.display()))?;
    let schema: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    content::structured::ensure_valid_schema(&schema)
        .with_context(|| format!("{} cannot be used", path.display()))?;
    Ok(schema)
}

/// Writes `text` to `path`, or to standard output without one.
fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(path) => std::fs::write(path, text).with_context(|| {
            format!(
                "cannot write {}; check the folder exists and is writable",
                path.display()
            )
        }),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

fn validation_summary(report: &cadence::content::ValidationReport) -> String {
    format!(
        "{} musical facts checked, {} repaired by the theory engine",
        report.checked,
        report.repaired()
    )
}

fn studio() -> Result<Studio, StudioError> {
    Studio::from_env()
}

fn open_window(window: Option<Window>) -> anyhow::Result<ExitCode> {
    let Some(window) = window else {
        use clap::CommandFactory;
        eprintln!(
            "this build of cadence has no desktop window (built without the `desktop` feature)\n"
        );
        Cli::command().print_help()?;
        return Ok(ExitCode::from(2));
    };
    window(studio()?)?;
    Ok(ExitCode::SUCCESS)
}

/// Downloads a model with a progress line on stderr. Ctrl-C ends the process as usual:
/// every byte written so far is in the `.part` file, which the next run resumes.
fn download_model(id: &str) -> anyhow::Result<ExitCode> {
    use cadence::models::DownloadPhase;
    use std::io::Write;

    let studio = studio()?;
    let never_cancelled = AtomicBool::new(false);
    let mut stderr = std::io::stderr();
    let mut shown = false;
    let downloaded = studio.download_model(id, &never_cancelled, &mut |progress| {
        let percent = progress.done as f64 * 100.0 / progress.total.max(1) as f64;
        let what = match progress.phase {
            DownloadPhase::CheckingPartial => "checking the partial download",
            DownloadPhase::Downloading => "downloading",
            DownloadPhase::Verifying => "verifying",
        };
        let speed = if progress.phase == DownloadPhase::Downloading {
            format!(" at {:.1} MB/s", progress.bytes_per_second / 1e6)
        } else {
            String::new()
        };
        // \r rewrites the line in a terminal; \x1b[K clears what a longer line left.
        let _ = write!(
            stderr,
            "\r{id}: {what} {percent:5.1}%  {:.1} of {:.1} MB{speed}\x1b[K",
            progress.done as f64 / 1e6,
            progress.total as f64 / 1e6,
        );
        shown = true;
    });
    if shown {
        eprintln!();
    }
    let downloaded = downloaded?;
    if downloaded.already_installed {
        println!("{id} is already installed at {}", downloaded.path.display());
    } else {
        if downloaded.resumed_from > 0 {
            eprintln!(
                "resumed from {} of {}",
                human_bytes(downloaded.resumed_from),
                human_bytes(downloaded.bytes)
            );
        }
        println!(
            "installed {id} ({}, SHA-256 verified) at {}",
            human_bytes(downloaded.bytes),
            downloaded.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn models_table(models: &[ModelStatus]) -> String {
    let rows: Vec<[String; 6]> = models
        .iter()
        .map(|model| {
            [
                model.id.clone(),
                model.name.clone(),
                if model.tiers.is_empty() {
                    "-".into()
                } else {
                    model.tiers.join(", ")
                },
                model.download_bytes.map_or("-".into(), human_bytes),
                model
                    .memory_mb
                    .map_or("-".into(), |mb| human_bytes(mb * 1_000_000)),
                availability_text(&model.availability),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "TIERS", "DOWNLOAD", "MEMORY", "STATUS"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            format!("{}\n", cells.join("  ").trim_end())
        })
        .collect()
}

fn availability_text(availability: &Availability) -> String {
    match availability {
        Availability::Installed { .. } => "installed".into(),
        Availability::NotInstalled => "not installed".into(),
        Availability::Partial { bytes } => {
            format!("partly downloaded ({})", human_bytes(*bytes))
        }
        Availability::WrongSize { bytes } => {
            format!("damaged ({}); download again", human_bytes(*bytes))
        }
        Availability::Enabled => "enabled".into(),
        Availability::Disabled { reason } => format!("disabled ({reason})"),
    }
}
