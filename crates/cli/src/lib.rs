//! The `cadence` command line.
//!
//! This file holds the top-level clap definition and the dispatch; each subcommand's
//! arguments and handler live in the module of the same name.

mod batch;
mod bench;
mod coach;
mod curriculum;
mod db;
mod export;
mod generate;
mod import;
mod library;
mod local_model;
mod materials;
mod models;
mod output;
mod practice;
mod route;
mod routing;
mod theory;
mod tokenize;
mod tutorial;
mod usage;

use std::process::ExitCode;

use cadence::{Studio, StudioError};
use clap::{CommandFactory, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cadence",
    version,
    about = "Cadence — a local-first music-lesson studio",
    long_about = "Cadence writes curricula, tutorials, exercises, theory analyses, assessments and lesson \
plans with small 4-bit language models running on this machine, checks every musical fact with its own \
theory engine, and keeps the library in SQLite.\n\nRun without a command to open the desktop window.",
    after_help = "Environment:\n  CADENCE_HOME         folder for the library, models and settings (default: the platform's app-data folder)\n  CADENCE_MODELS_TOML  a models.toml to use instead of the built-in catalogue\n  GEMINI_API_KEY       a Gemini key; overrides the one saved in Settings"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

// A subcommand's about text stays on its variant here, so this enum reads as the list
// `cadence --help` prints; its arguments are in its module.
#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
enum Command {
    /// Open the desktop window.
    App,
    /// Show the model catalogue and what is installed.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Locate or check the library database.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Generate text from a local model, streamed as it is written.
    #[command(
        after_help = "Example:\n  cadence generate --model smollm2-135m \"Name the notes of a C major triad.\""
    )]
    Generate(generate::GenerateArgs),
    /// Show how a model's tokenizer splits text: each token's id and piece.
    #[command(
        after_help = "Example:\n  cadence tokenize --model phi-3.5-mini \"B♭ major, F♯ minor\"\n\nText is tokenized as a user's message is: special tokens such as <|user|> stay text."
    )]
    Tokenize(tokenize::TokenizeArgs),
    /// Measure load time, prefill and decode speed and peak memory of a GGUF, or (--soak)
    /// whether memory grows over many documents; prints JSON.
    Bench(bench::BenchArgs),
    /// Show what would run a task now and why: the tiers, the models, limits and the route.
    #[command(
        after_help = "Examples:\n  cadence route tutorial_generation\n  cadence route curriculum_planning --complexity 9 --json"
    )]
    Route(route::RouteArgs),
    /// Spell chords, read roman numerals, voice progressions, check a chart.
    #[command(subcommand)]
    Theory(theory::TheoryCommand),
    /// Write a tutorial, check every chord, and save it to the library.
    ///
    /// The task is routed by models.toml to the best installed model, which writes under the
    /// tutorial's schema; the theory engine checks and repairs every musical fact, and a
    /// refused answer is regenerated, then passed to the next model. With no model
    /// installed, the template generator writes it.
    #[command(
        after_help = "Example:\n  cadence tutorial --topic ii-V-I --key Eb --level intermediate --out t.json"
    )]
    Tutorial(tutorial::TutorialArgs),
    /// Ask the coach about your practice; the answer streams as it is written.
    ///
    /// With a question, answers it. Without one, reads questions from standard input, one a
    /// line, as one conversation: the coach remembers the earlier turns as far as its
    /// model's context allows.
    #[command(
        after_help = "Example:\n  cadence coach --level beginner --result \"C major scale: 90 bpm, even\" \"What should I practise next?\""
    )]
    Coach(coach::CoachArgs),
    /// Pre-generate a curriculum with every lesson's tutorial and exercises (resumable).
    #[command(
        after_help = "Run the same command again after an interruption: finished lessons are kept."
    )]
    Batch(batch::BatchArgs),
    /// List the library's curricula and tutorials.
    Library(library::LibraryArgs),
    /// Show, rename, reorder, finish, delete or restore a curriculum.
    #[command(subcommand)]
    Curriculum(curriculum::CurriculumCommand),
    /// Export from the library.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Bring a file into the library: a document exported from Cadence, or a published
    /// analysis (`import rntxt`).
    #[command(
        after_help = "Examples:\n  cadence import lesson.json\n  cadence import rntxt chorale.rntxt --measures 1-16"
    )]
    Import(import::ImportArgs),
    /// Add and list students.
    #[command(subcommand)]
    Student(practice::StudentCommand),
    /// Assign a tutorial or a curriculum to a student for practice.
    Assign(practice::AssignArgs),
    /// Today's practice, and answering it (offline: no model, no network).
    #[command(subcommand)]
    Practice(practice::PracticeCommand),
    /// A student's progress: answers, streak, mastery by skill; --export writes the record.
    Progress(practice::ProgressArgs),
    /// Write an exercise on a topic, check every musical fact, and save it to the library.
    #[command(
        after_help = "Example:\n  cadence exercise --topic ii-V-I --key Eb --kind voicing_study --out voicings.mid"
    )]
    Exercise(materials::ExerciseArgs),
    /// Write a theory analysis of a progression, check every chord, and save it to the library.
    #[command(
        after_help = "Example:\n  cadence analysis --topic gospel-2-5-1 --key Ab --level advanced --out gospel.rntxt"
    )]
    Analysis(materials::AnalysisArgs),
    /// Write an assessment with the engine's answer key, and save it to the library.
    #[command(
        after_help = "Example:\n  cadence assessment --topic \"major scale\" --key D --kind milestone --out quiz.json"
    )]
    Assessment(materials::AssessmentArgs),
    /// Write one part of a lesson plan for an NCAS grade, citing its standards, and save it.
    #[command(
        after_help = "Example:\n  cadence lesson-plan --topic \"steady beat\" --grade 3 --part differentiation --standards MU:Pr4.2.3a"
    )]
    LessonPlan(materials::LessonPlanArgs),
    /// Show a month's requests, tokens, latency and cost, and its spending against the budget.
    #[command(after_help = "Examples:\n  cadence usage\n  cadence usage --month 2026-02 --json")]
    Usage(usage::UsageArgs),
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
        Command::Models(command) => models::run(command),
        Command::Db(command) => db::run(command),
        Command::Generate(args) => generate::run(args),
        Command::Tokenize(args) => tokenize::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Route(args) => route::run(args),
        Command::Theory(command) => theory::run(command),
        Command::Tutorial(args) => tutorial::run(args),
        Command::Coach(args) => coach::run(args),
        Command::Batch(args) => batch::run(args),
        Command::Library(args) => library::run(args),
        Command::Curriculum(command) => curriculum::run(command),
        Command::Export(command) => export::run(command),
        Command::Import(args) => import::run(args),
        Command::Student(command) => practice::run_student(command),
        Command::Assign(args) => practice::run_assign(args),
        Command::Practice(command) => practice::run_practice(command),
        Command::Progress(args) => practice::run_progress(args),
        Command::Exercise(args) => materials::run(args),
        Command::Analysis(args) => materials::run(args),
        Command::Assessment(args) => materials::run(args),
        Command::LessonPlan(args) => materials::run(args),
        Command::Usage(args) => usage::run(args),
    }
}

/// The Studio over the folders the environment names (`CADENCE_HOME`, …).
fn studio() -> Result<Studio, StudioError> {
    Studio::from_env()
}

fn open_window(window: Option<Window>) -> anyhow::Result<ExitCode> {
    let Some(window) = window else {
        eprintln!(
            "cadence-cli is the command line alone; the desktop window is the `cadence` program\n"
        );
        Cli::command().print_help()?;
        return Ok(ExitCode::from(2));
    };
    window(studio()?)?;
    Ok(ExitCode::SUCCESS)
}

/// Parses `args` as given after `cadence` on the command line.
#[cfg(test)]
fn parse(args: &[&str]) -> Result<Option<Command>, clap::Error> {
    Cli::try_parse_from(std::iter::once("cadence").chain(args.iter().copied()))
        .map(|cli| cli.command)
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn the_clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_command_is_accepted_and_opens_the_window() {
        assert_eq!(parse(&[]).unwrap(), None);
        assert_eq!(parse(&["app"]).unwrap(), Some(Command::App));
    }

    #[test]
    fn every_subcommand_is_listed_under_its_name() {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|command| command.get_name().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "app",
                "models",
                "db",
                "generate",
                "tokenize",
                "bench",
                "route",
                "theory",
                "tutorial",
                "coach",
                "batch",
                "library",
                "curriculum",
                "export",
                "import",
                "student",
                "assign",
                "practice",
                "progress",
                "exercise",
                "analysis",
                "assessment",
                "lesson-plan",
                "usage",
            ]
        );
    }

    #[test]
    fn an_unknown_subcommand_is_refused() {
        let error = parse(&["frobnicate"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidSubcommand);
    }

    #[test]
    fn a_group_without_its_subcommand_shows_its_help() {
        for group in [
            "models",
            "db",
            "theory",
            "curriculum",
            "export",
            "import",
            "student",
            "practice",
        ] {
            let error = parse(&[group]).unwrap_err();
            assert_eq!(
                error.kind(),
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
                "{group}"
            );
        }
    }
}
